//! Applying a device's envelopes (DESIGN.md, Sync). A batch is one transaction holding the
//! sequence lock, so `server_seq` becomes visible in order, and it commits before any receipt
//! leaves: a server killed mid-batch has applied nothing of it, and the retry applies it once.
//!
//! The batch is decided in memory and written set-wise. What HQ holds of the batch's receipts and
//! rows is read in two queries; each envelope is planned against it and against what the
//! envelopes before it left ([`plan`]); then every table gets one multi-row statement. An
//! envelope applies whole or not at all because nothing of it is written unless all of it plans
//! cleanly; one that does not is quarantined and the rest go on. (Statements per envelope, each in
//! its own savepoint, cost about ten round trips per envelope under the lock: 430 envelopes/s
//! with 50 devices pushing, against a target of 5,000.)

use crate::accounts::DeviceAuth;
use crate::error::Result;
use crate::plan::{Decided, HqRow, Outcome, Referrers, hq_today, plan_on};
use deadpool_postgres::Pool;
use korpus_domain::selection::commission::CommissionDecision;
use korpus_domain::{Entity, Envelope, OpKind, sync::records};
use korpus_sync::protocol::{FieldConflict, Receipt, ReceiptStatus, RowState, SealedEnvelope, codes};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap, HashSet};
use tokio_postgres::Transaction;
use tokio_postgres::types::ToSql;
use uuid::Uuid;

/// How envelopes reached HQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Pushed over the network.
    Online,
    /// Imported from a signed file.
    File,
    /// Replayed from a lost desk's backup by the desk that replaces it.
    Replay,
}

impl Via {
    fn code(self) -> &'static str {
        match self {
            Via::Online => "online",
            Via::File => "file",
            Via::Replay => "replay",
        }
    }
}

/// Applies `envelopes` from `device`, in order, and returns one receipt per envelope, with the
/// highest `device_seq` HQ holds of the device afterwards (when it could be read).
pub async fn apply(
    pool: &Pool,
    device: &DeviceAuth,
    envelopes: &[SealedEnvelope],
    via: Via,
) -> Result<(Vec<Receipt>, Option<i64>)> {
    let started = std::time::Instant::now();
    // Envelopes made under a rulebook published since the last batch are checked by its numbers.
    crate::rulebooks::refresh(pool).await?;
    // Hashes and bodies are worked out before the lock: they need no database.
    let prepared: Vec<Prepared> = envelopes.iter().map(Prepared::new).collect();
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    // The lookups below take arrays of keys. Planned for the values at hand, `= ANY($1)` over a
    // few hundred keys was estimated to match most of the table and read it whole; the generic
    // plan probes the index once per key, however large the tables grow.
    tx.batch_execute("SET LOCAL plan_cache_mode = force_generic_plan").await?;
    let head: i64 = tx.query_one("SELECT server_seq FROM sync_head FOR UPDATE", &[]).await?.get(0);
    let locked = std::time::Instant::now();
    let mut known = Known::load(&tx, device, envelopes).await?;
    let loaded = std::time::Instant::now();
    let mut batch = Batch { head, ..Batch::default() };
    let receipts: Vec<Receipt> = prepared.iter().map(|p| batch.decide(device, p, &mut known)).collect();
    let head = batch.head;
    let planned = std::time::Instant::now();
    batch.write(&tx, device, via).await?;
    tx.execute("UPDATE sync_head SET server_seq = $1", &[&head]).await?;
    tx.execute("UPDATE devices SET last_seen_at = now() WHERE id = $1", &[&device.id]).await?;
    let written = std::time::Instant::now();
    tx.commit().await?;
    let committed = std::time::Instant::now();
    // Outside the sequence lock: what the desk takes back of the envelopes HQ refused.
    let mut receipts = receipts;
    put_back(&client, device, envelopes, &mut receipts).await?;
    // Outside the sequence lock: whether the device's numbers still run without a hole.
    // The batch is applied whatever this finds: a failure here is logged, never answered.
    let reused: Vec<i64> = receipts_reused(&receipts);
    let highest = match watch_sequence(&client, device, &reused).await {
        Ok(highest) => Some(highest),
        Err(e) => {
            tracing::error!(device = %device.id, "sequence not checked: {e}");
            None
        }
    };
    tracing::debug!(
        envelopes = envelopes.len(),
        before_lock_ms = (locked - started).as_millis() as u64,
        locked_ms = locked.elapsed().as_millis() as u64,
        load_ms = (loaded - locked).as_millis() as u64,
        plan_ms = (planned - loaded).as_millis() as u64,
        write_ms = (written - planned).as_millis() as u64,
        commit_ms = (committed - written).as_millis() as u64,
        "batch applied"
    );
    Ok((receipts, highest))
}

/// Refusals whose envelope stays on the desk: sent again, numbered anew ([`codes::SEQ_REUSED`]), or
/// not a genuine desk's own (another device's, a wrong hash, an id used for other content).
const SENT_AGAIN_OR_NOT_OURS: [&str; 4] =
    [codes::SEQ_REUSED, codes::WRONG_DEVICE, codes::HASH_MISMATCH, codes::ID_REUSED];

/// Gives each refused envelope's receipt the rows it touched that HQ holds, as they stand after
/// the batch (`Receipt::rows`): the desk that wrote it takes them back, as its change never
/// happened. A removal refused because a row names the record, a person moved alone out of a
/// group's region: without this, the desk would keep what HQ refused and differ from HQ for good.
async fn put_back(
    client: &deadpool_postgres::Client,
    device: &DeviceAuth,
    envelopes: &[SealedEnvelope],
    receipts: &mut [Receipt],
) -> Result<()> {
    let mut wanted: Vec<(usize, Entity, Uuid)> = Vec::new();
    for (i, (receipt, sealed)) in receipts.iter().zip(envelopes).enumerate() {
        let kept = receipt.code.as_deref().is_some_and(|c| SENT_AGAIN_OR_NOT_OURS.contains(&c));
        if receipt.status == ReceiptStatus::Rejected && !kept {
            for op in &sealed.envelope.ops {
                if !wanted.iter().any(|(j, e, id)| *j == i && *e == op.entity && *id == op.entity_id) {
                    wanted.push((i, op.entity, op.entity_id));
                }
            }
        }
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let entities: Vec<&str> = wanted.iter().map(|(_, e, _)| e.code()).collect();
    let ids: Vec<Uuid> = wanted.iter().map(|(_, _, id)| *id).collect();
    let held: HashMap<(String, Uuid), (String, i64, bool, Value)> = client
        .query(
            "SELECT entity, id, region, version, deleted, fields FROM rows WHERE entity = ANY($1) AND id = ANY($2)",
            &[&entities, &ids],
        )
        .await?
        .iter()
        .map(|r| ((r.get(0), r.get(1)), (r.get(2), r.get(3), r.get(4), r.get(5))))
        .collect();
    for (i, entity, id) in wanted {
        let state = match held.get(&(entity.code().to_owned(), id)) {
            Some((region, version, deleted, Value::Object(fields))) if device.regions.allows(region) => {
                RowState {
                    entity,
                    id,
                    version: *version,
                    deleted: *deleted,
                    fields: if *deleted { serde_json::Map::new() } else { fields.clone() },
                }
            }
            // Moved to a region the device does not have: it leaves the desk, as a pull's
            // gone-marker would take it.
            Some((_, version, ..)) => {
                RowState { entity, id, version: *version, deleted: true, fields: serde_json::Map::new() }
            }
            // A new record HQ refused: the desk keeps what was typed, with the refusal, for the
            // coordinator to set right or remove.
            None => continue,
        };
        receipts[i].rows.push(state);
    }
    Ok(())
}

/// The sequence numbers of the batch refused as used by another envelope.
fn receipts_reused(receipts: &[Receipt]) -> Vec<i64> {
    receipts.iter().filter(|r| r.code.as_deref() == Some(codes::SEQ_REUSED)).map(|r| r.device_seq).collect()
}

/// Most missing sequence numbers a case lists.
const GAP_LISTED: i64 = 50;

/// Watches a device's sequence numbers, which its desk gives each envelope in turn from 1:
/// - a hole below the highest HQ holds (an envelope lost, or one refused unrecorded) opens a
///   `device_seq_gap` case for the device's regions, listing the first missing numbers; it is
///   resolved when the hole fills;
/// - numbers sent again with other content (a desk restored from an older copy of its database,
///   writing new envelopes under numbers it had used) open a `device_seq_reused` case.
///
/// Returns the highest number HQ holds of the device.
async fn watch_sequence(
    client: &deadpool_postgres::Client,
    device: &DeviceAuth,
    reused: &[i64],
) -> Result<i64> {
    let row = client
        .query_one(
            "SELECT count(*), coalesce(max(device_seq), 0) FROM receipts WHERE device = $1",
            &[&device.id],
        )
        .await?;
    let (held, highest): (i64, i64) = (row.get(0), row.get(1));
    let regions: Vec<String> = match &device.regions {
        crate::plan::Regions::All => Vec::new(),
        crate::plan::Regions::Only(list) => list.clone(),
    };
    let subject = format!("device:{}:gap", device.id);
    let mut cases = Vec::new();
    if held < highest {
        let missing: Vec<i64> = client
            .query(
                "SELECT s FROM generate_series(1::int8, $2::int8) AS s
                 WHERE NOT EXISTS (SELECT 1 FROM receipts WHERE device = $1 AND device_seq = s)
                 ORDER BY s LIMIT $3",
                &[&device.id, &highest, &GAP_LISTED],
            )
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        cases.push(NewCase {
            kind: "device_seq_gap",
            regions: regions.clone(),
            subject: subject.clone(),
            details: json!({
                "device": device.id, "account": device.login, "missing": missing,
                "missing_count": highest - held, "highest": highest,
            }),
        });
    } else {
        client
            .execute(
                "UPDATE cases SET status = 'resolved', resolved_at = now() WHERE subject = $1 AND status = 'open'",
                &[&subject],
            )
            .await?;
    }
    if !reused.is_empty() {
        cases.push(NewCase {
            kind: "device_seq_reused",
            regions,
            subject: format!("device:{}:reused", device.id),
            details: json!({ "device": device.id, "account": device.login, "seqs": reused, "highest": highest }),
        });
    }
    open_cases(&***client, &cases).await?;
    Ok(highest)
}

/// An envelope with what can be known of it without the database.
struct Prepared<'a> {
    sealed: &'a SealedEnvelope,
    /// Its content hashes to the hash it came with.
    hash_ok: bool,
    /// The hash as stored: PostgreSQL's text cannot hold U+0000 either.
    hash: String,
    /// The envelope as stored (`envelopes.body`, `quarantine.body`).
    body: Value,
    /// Where a text holds U+0000, which PostgreSQL cannot keep in `jsonb`.
    nul_at: Option<String>,
}

impl<'a> Prepared<'a> {
    fn new(sealed: &'a SealedEnvelope) -> Self {
        let mut body = serde_json::to_value(&sealed.envelope).unwrap_or(Value::Null);
        let nul_at = nul_path(&body, String::new());
        if nul_at.is_some() {
            // Kept for staff to see, with the character made visible.
            body =
                serde_json::from_str(&body.to_string().replace("\\u0000", "\\ufffd")).unwrap_or(Value::Null);
        }
        Prepared {
            hash_ok: sealed.envelope.hash() == sealed.hash,
            hash: storable(&sealed.hash),
            sealed,
            body,
            nul_at: nul_at.map(|path| storable(&path)),
        }
    }
}

/// `text` as PostgreSQL can keep it: U+0000 made U+FFFD.
fn storable(text: &str) -> String {
    text.replace('\0', "\u{FFFD}")
}

/// The path of the first text or key holding U+0000 (`ops[0].fields.surname`), if any.
fn nul_path(value: &Value, at: String) -> Option<String> {
    match value {
        Value::String(s) if s.contains('\0') => Some(at),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| nul_path(v, format!("{at}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let path = if at.is_empty() { k.clone() } else { format!("{at}.{k}") };
            if k.contains('\0') { Some(path) } else { nul_path(v, path) }
        }),
        _ => None,
    }
}

/// A receipt given once, given again to the same envelope from the same device.
struct Given {
    /// The device that sent it: another device's receipt is never shown.
    device: Uuid,
    hash: String,
    answer: Receipt,
}

/// What HQ holds of a batch: receipts of its ids, its device's sequence numbers in use, the rows
/// its ops touch. Kept current as the batch's envelopes are decided.
struct Known {
    receipts: HashMap<Uuid, Given>,
    seqs: HashSet<i64>,
    rows: HashMap<(Entity, Uuid), HqRow>,
    /// The device's blocks of certificate numbers (cohort, first, last), when the batch issues
    /// certificates.
    blocks: Vec<(i32, u32, u32)>,
    /// The applications of the batch's application and member ops that the evaluation commission
    /// has ranked, with the decision: what it fixed is refused (src/plan.rs).
    decided: Decided,
    /// For each row the batch removes, the live rows that name it; kept current as the batch's
    /// envelopes apply (their rows' links are added).
    referrers: Referrers,
    /// The latest date a form takes.
    today: chrono::NaiveDate,
    /// Rows the batch changes that moved away from a region this device has: where from and to.
    moved: HashMap<(Entity, Uuid), (String, String)>,
}

impl Known {
    async fn load(tx: &Transaction<'_>, device: &DeviceAuth, envelopes: &[SealedEnvelope]) -> Result<Self> {
        let ids: Vec<Uuid> = envelopes.iter().map(|s| s.envelope.id).collect();
        let seqs: Vec<i64> = envelopes.iter().map(|s| s.envelope.device_seq).collect();
        let mut entities: Vec<&str> = Vec::new();
        let mut row_ids: Vec<Uuid> = Vec::new();
        for op in envelopes.iter().flat_map(|s| &s.envelope.ops) {
            // The row itself, and the rows a new record names (HQ checks it against them).
            let named = records::references(op.entity, &op.fields).into_iter().map(|r| (r.entity, r.id));
            for (entity, id) in std::iter::once((op.entity, op.entity_id)).chain(named) {
                if !entities.contains(&entity.code()) {
                    entities.push(entity.code());
                }
                row_ids.push(id);
            }
        }
        let given_params: [&(dyn ToSql + Sync); 1] = [&ids];
        let used_params: [&(dyn ToSql + Sync); 2] = [&device.id, &seqs];
        let rows_params: [&(dyn ToSql + Sync); 2] = [&entities, &row_ids];
        // Sent together: the connection pipelines them.
        let (given, used, rows) = tokio::try_join!(
            tx.query(
                "SELECT envelope_id, device_seq, hash, status, server_seq, code, message, conflicts, device
                 FROM receipts WHERE envelope_id = ANY($1)",
                &given_params,
            ),
            tx.query(
                "SELECT device_seq FROM receipts WHERE device = $1 AND device_seq = ANY($2)",
                &used_params
            ),
            // Both columns of the primary key as arrays: an index scan.
            tx.query(
                "SELECT entity, id, region, version, deleted, fields, field_versions FROM rows
                 WHERE entity = ANY($1) AND id = ANY($2)",
                &rows_params,
            ),
        )?;
        let issues_certificates = envelopes
            .iter()
            .flat_map(|s| &s.envelope.ops)
            .any(|o| o.entity == Entity::Certificate && o.op == OpKind::Insert);
        let blocks = if issues_certificates {
            crate::certificates::blocks_of(tx, device.id).await?
        } else {
            Vec::new()
        };
        let mut known = Known {
            receipts: HashMap::new(),
            seqs: HashSet::new(),
            rows: HashMap::new(),
            blocks,
            decided: Decided::new(),
            referrers: Referrers::new(),
            today: hq_today(),
            moved: HashMap::new(),
        };
        for r in given {
            let status: String = r.get(3);
            let conflicts: Value = r.get(7);
            let answer = Receipt {
                id: r.get(0),
                device_seq: r.get(1),
                status: match status.as_str() {
                    "applied" => ReceiptStatus::Duplicate,
                    "conflict" => ReceiptStatus::Conflict,
                    _ => ReceiptStatus::Rejected,
                },
                server_seq: r.get(4),
                code: r.get(5),
                message: r.get(6),
                conflicts: serde_json::from_value(conflicts).unwrap_or_default(),
                rows: Vec::new(),
            };
            known.receipts.insert(answer.id, Given { device: r.get(8), hash: r.get(2), answer });
        }
        known.seqs.extend(used.iter().map(|r| r.get::<_, i64>(0)));
        for r in rows {
            let Ok(entity) = Entity::parse("entity", r.get(0)) else { continue };
            let Value::Object(fields) = r.get::<_, Value>(5) else { continue };
            let versions: HashMap<String, i64> = serde_json::from_value(r.get(6)).unwrap_or_default();
            let row = HqRow {
                region: r.get(2),
                version: r.get(3),
                deleted: r.get(4),
                fields,
                field_versions: versions,
            };
            known.rows.insert((entity, r.get(1)), row);
        }
        known.decided = decided_applications(tx, &known, envelopes).await?;
        known.load_referrers(tx, envelopes).await?;
        known.load_moves(tx, device, envelopes).await?;
        Ok(known)
    }

    /// For the batch's changes of rows now in a region the device does not have, whether they
    /// moved there from one it has: such a change is a case, not a silent refusal.
    async fn load_moves(
        &mut self,
        tx: &Transaction<'_>,
        device: &DeviceAuth,
        envelopes: &[SealedEnvelope],
    ) -> Result<()> {
        let away: Vec<Uuid> = envelopes
            .iter()
            .flat_map(|s| &s.envelope.ops)
            .filter(|o| o.op != OpKind::Insert)
            .filter(|o| {
                self.rows.get(&(o.entity, o.entity_id)).is_some_and(|r| !device.regions.allows(&r.region))
            })
            .map(|o| o.entity_id)
            .collect();
        if away.is_empty() {
            return Ok(());
        }
        let rows = tx
            .query(
                "SELECT entity, id, from_region, to_region FROM row_moves WHERE id = ANY($1) ORDER BY server_seq",
                &[&away],
            )
            .await?;
        for r in rows {
            let Ok(entity) = Entity::parse("entity", r.get(0)) else { continue };
            let from: String = r.get(2);
            if device.regions.allows(&from) {
                self.moved.insert((entity, r.get(1)), (from, r.get(3)));
            }
        }
        Ok(())
    }

    /// The live rows that name a row the batch removes, read only when it removes any: one query
    /// per field that can name such a row (removals are rare).
    async fn load_referrers(&mut self, tx: &Transaction<'_>, envelopes: &[SealedEnvelope]) -> Result<()> {
        let mut removed: HashMap<Entity, Vec<String>> = HashMap::new();
        let leaves = |o: &&korpus_domain::Op| {
            o.op == OpKind::Delete || (o.op == OpKind::Update && o.fields.contains_key("region"))
        };
        for op in envelopes.iter().flat_map(|s| &s.envelope.ops).filter(leaves) {
            removed.entry(op.entity).or_default().push(op.entity_id.to_string());
        }
        for (target, ids) in removed {
            for (from, field) in records::referrers(target) {
                // Entity and field come from a closed list (records::LINKS), never from the request.
                let matches = if field == "scores" {
                    format!("fields -> '{field}' ?| $1")
                } else {
                    format!("fields ->> '{field}' = ANY($1)")
                };
                let sql = format!(
                    "SELECT id, region, version, deleted, fields, field_versions FROM rows
                     WHERE entity = '{}' AND NOT deleted AND {matches}",
                    from.code()
                );
                for r in tx.query(&sql, &[&ids]).await? {
                    let Value::Object(fields) = r.get::<_, Value>(4) else { continue };
                    let id: Uuid = r.get(0);
                    for link in records::references(from, &fields) {
                        if link.entity == target {
                            self.referrers.entry((target, link.id)).or_default().insert((from, id));
                        }
                    }
                    let row = HqRow {
                        region: r.get(1),
                        version: r.get(2),
                        deleted: r.get(3),
                        fields,
                        field_versions: serde_json::from_value(r.get(5)).unwrap_or_default(),
                    };
                    self.rows.entry((from, id)).or_insert(row);
                }
            }
        }
        Ok(())
    }
}

/// The applications the batch's ops change, or change the members of, that a commission decision
/// on record ranks, each with its earliest decision. Read only when the batch has such ops.
async fn decided_applications(
    tx: &Transaction<'_>,
    known: &Known,
    envelopes: &[SealedEnvelope],
) -> Result<Decided> {
    let mut apps: Vec<Uuid> = Vec::new();
    for op in envelopes.iter().flat_map(|s| &s.envelope.ops) {
        match op.entity {
            Entity::Application if op.op != OpKind::Insert => apps.push(op.entity_id),
            Entity::ApplicationMember => {
                let held = known.rows.get(&(op.entity, op.entity_id)).map(|r| &r.fields);
                for fields in [Some(&op.fields), held].into_iter().flatten() {
                    if let Some(app) =
                        fields.get("application_id").and_then(Value::as_str).and_then(|a| a.parse().ok())
                    {
                        apps.push(app);
                    }
                }
            }
            _ => {}
        }
    }
    if apps.is_empty() {
        return Ok(Decided::new());
    }
    let rows = tx
        .query(
            "SELECT a.app, d.fields ->> 'decided_on', d.fields ->> 'decided_by'
             FROM rows d
             CROSS JOIN LATERAL jsonb_array_elements(d.fields -> 'ranking') AS r
             CROSS JOIN LATERAL (SELECT (r ->> 'application_id')::uuid AS app) AS a
             WHERE d.entity = 'commission_decision' AND NOT d.deleted AND a.app = ANY($1)
             ORDER BY d.fields ->> 'decided_on' DESC",
            &[&apps],
        )
        .await?;
    // Latest first, so the earliest decision of an application is the one kept.
    Ok(rows
        .iter()
        .map(|r| {
            let (on, by): (String, String) = (r.get(1), r.get(2));
            (r.get(0), decision_named(&on, &by))
        })
        .collect())
}

/// A commission decision as a refusal names it.
fn decision_named(decided_on: &str, decided_by: &str) -> String {
    format!("the evaluation commission's decision of {decided_on} ({decided_by})")
}

/// A receipt to store.
struct Recorded {
    id: Uuid,
    device_seq: i64,
    hash: String,
    status: &'static str,
    server_seq: Option<i64>,
    code: Option<String>,
    message: Option<String>,
    conflicts: Value,
}

/// A case to open (unless one is open on the same subject).
struct NewCase {
    kind: &'static str,
    regions: Vec<String>,
    subject: String,
    details: Value,
}

/// What a batch writes, decided envelope by envelope.
#[derive(Default)]
struct Batch {
    head: i64,
    /// Applied envelopes: server_seq, id, device_seq, hash, author, body, and whether it applied
    /// as written ([`applied_as_written`]).
    envelopes: Vec<(i64, Uuid, i64, String, String, Value, bool)>,
    /// Every row as each applied envelope left it, with that envelope's server_seq.
    changes: Vec<(i64, Entity, Uuid, HqRow)>,
    /// Members inserted by the batch: a person joining a second sub-project is a case.
    inserted_members: HashSet<Uuid>,
    receipts: Vec<Recorded>,
    /// Refused envelopes: id, body, code, message.
    quarantine: Vec<(Uuid, Value, String, String)>,
    /// Cases settled: case id, the envelope that settles it.
    resolves: Vec<(Uuid, Uuid)>,
    cases: Vec<NewCase>,
    /// The rulebook named by the last applied envelope that wrote an application.
    application_rulebook: Option<String>,
    /// Rows moved to another region: server_seq, entity, id, from, to.
    moves: Vec<(i64, Entity, Uuid, String, String)>,
    /// An envelope of the batch came with a number used before: the rest follow it.
    reused: bool,
}

impl Batch {
    fn decide(&mut self, device: &DeviceAuth, p: &Prepared, known: &mut Known) -> Receipt {
        let (sealed, e) = (p.sealed, &p.sealed.envelope);
        // Another device's envelope gets nothing of HQ's answer to that device.
        if e.device != device.id {
            return rejected_unrecorded(e, codes::WRONG_DEVICE, "device: not the device that sent it");
        }
        // A wrong hash is refused and nothing is kept of it: kept under its id, it would shadow
        // the genuine envelope with that id when it comes.
        if !p.hash_ok {
            tracing::warn!(envelope = %e.id, device = %e.device, "envelope refused: hash does not match");
            return rejected_unrecorded(e, codes::HASH_MISMATCH, "hash: does not match the envelope");
        }
        // Seen before? The same content gets its first answer again; other content is refused.
        if let Some(given) = known.receipts.get(&e.id) {
            if given.device != device.id || given.hash != sealed.hash {
                return rejected_unrecorded(e, codes::ID_REUSED, "id: seen before with other content");
            }
            return Receipt { id: e.id, device_seq: e.device_seq, ..given.answer.clone() };
        }
        // A number used before: a desk restored from an older copy. It and every envelope after
        // it in the batch are refused unrecorded, so that the desk numbers them again after HQ's
        // highest, in the order it wrote them.
        if known.seqs.contains(&e.device_seq) {
            self.reused = true;
            return rejected_unrecorded(e, codes::SEQ_REUSED, "device_seq: used by another envelope");
        }
        if self.reused {
            return follows_reused(e);
        }
        if let Some(path) = &p.nul_at {
            let message = format!("{path}: holds the character U+0000");
            return self.quarantine(p, known, codes::INVALID_FIELD, &message);
        }
        let refused = e
            .ops
            .iter()
            .filter(|o| o.entity == Entity::Certificate && o.op == OpKind::Insert)
            .find_map(|o| crate::certificates::refuse_certificate(device, &known.blocks, &o.fields));
        if let Some((code, message)) = refused {
            return self.quarantine(p, known, code, &message);
        }
        match plan_on(e, &known.rows, &known.referrers, &device.regions, &known.decided, known.today) {
            Outcome::Rejected(codes::REGION_FORBIDDEN, message)
                if let Some(((entity, id), (from, to))) = e
                    .ops
                    .iter()
                    .find_map(|o| known.moved.get_key_value(&(o.entity, o.entity_id)))
                    .map(|(k, v)| (*k, v.clone())) =>
            {
                self.moved_edit(p, known, (entity, id), (&from, &to), &message)
            }
            Outcome::Rejected(code, message) => self.quarantine(p, known, code, &message),
            Outcome::Conflict(conflicts) => self.conflict(p, known, conflicts),
            Outcome::Applied(rows) => {
                self.head += 1;
                let seq = self.head;
                let clean = applied_as_written(e, &known.rows, &rows);
                self.envelopes.push((
                    seq,
                    e.id,
                    e.device_seq,
                    p.hash.clone(),
                    e.author.clone(),
                    p.body.clone(),
                    clean,
                ));
                for ((entity, id), row) in rows {
                    if let Some(was) = known.rows.get(&(entity, id))
                        && was.region != row.region
                    {
                        self.moves.push((seq, entity, id, was.region.clone(), row.region.clone()));
                    }
                    if entity == Entity::ApplicationMember
                        && e.ops.iter().any(|o| o.entity_id == id && o.op == OpKind::Insert)
                    {
                        self.inserted_members.insert(id);
                    }
                    if entity == Entity::CommissionDecision
                        && let Ok(d) =
                            serde_json::from_value::<CommissionDecision>(Value::Object(row.fields.clone()))
                    {
                        let named = decision_named(&d.decided_on.to_string(), &d.decided_by);
                        for r in &d.ranking {
                            known.decided.entry(r.application_id).or_insert_with(|| named.clone());
                        }
                    }
                    if entity == Entity::Application {
                        self.application_rulebook = Some(e.rulebook_version.clone());
                    }
                    if !row.deleted {
                        for link in records::references(entity, &row.fields) {
                            known.referrers.entry((link.entity, link.id)).or_default().insert((entity, id));
                        }
                    }
                    self.changes.push((seq, entity, id, row.clone()));
                    known.rows.insert((entity, id), row);
                }
                if let Some(case) = e.resolves
                    && !self.resolves.iter().any(|(c, _)| *c == case)
                {
                    self.resolves.push((case, e.id));
                }
                let answer = receipt(e, ReceiptStatus::Applied, Some(seq));
                self.record(known, p, "applied", &answer);
                answer
            }
        }
    }

    /// Keeps `answer` to store, and to give again should the envelope come back.
    fn record(&mut self, known: &mut Known, p: &Prepared, status: &'static str, answer: &Receipt) {
        self.receipts.push(Recorded {
            id: answer.id,
            device_seq: answer.device_seq,
            hash: p.hash.clone(),
            status,
            server_seq: answer.server_seq,
            code: answer.code.clone(),
            message: answer.message.clone(),
            conflicts: serde_json::to_value(&answer.conflicts).unwrap_or(Value::Null),
        });
        let again = match answer.status {
            ReceiptStatus::Applied => ReceiptStatus::Duplicate,
            other => other,
        };
        let given = Given {
            device: p.sealed.envelope.device,
            hash: p.hash.clone(),
            answer: Receipt { status: again, ..answer.clone() },
        };
        known.receipts.insert(answer.id, given);
        known.seqs.insert(answer.device_seq);
    }

    /// Refuses the envelope and keeps it whole in quarantine, with its receipt.
    fn quarantine(&mut self, p: &Prepared, known: &mut Known, code: &str, message: &str) -> Receipt {
        let e = &p.sealed.envelope;
        tracing::warn!(envelope = %e.id, device = %e.device, code, message, "envelope quarantined");
        self.quarantine.push((e.id, p.body.clone(), code.to_owned(), message.to_owned()));
        let answer = Receipt {
            code: Some(code.to_owned()),
            message: Some(message.to_owned()),
            ..receipt(e, ReceiptStatus::Rejected, None)
        };
        self.record(known, p, "rejected", &answer);
        answer
    }

    /// Refuses a change of a row that moved to a region the device does not have, and keeps what
    /// was typed as a `moved_row_edit` case for both regions: the new region's coordinator sees it
    /// and may enter it; the old region's desk learns why it was not applied.
    fn moved_edit(
        &mut self,
        p: &Prepared,
        known: &mut Known,
        (entity, id): (Entity, Uuid),
        (from, to): (&str, &str),
        message: &str,
    ) -> Receipt {
        let e = &p.sealed.envelope;
        let fields: Vec<&serde_json::Map<String, Value>> =
            e.ops.iter().filter(|o| o.entity_id == id).map(|o| &o.fields).collect();
        self.cases.push(NewCase {
            kind: "moved_row_edit",
            regions: [from.to_owned(), to.to_owned()]
                .into_iter()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            subject: format!("envelope:{}", e.id),
            details: json!({
                "envelope_id": e.id, "device": e.device, "author": e.author, "entity": entity.code(),
                "id": id, "from": from, "to": to, "fields": fields,
            }),
        });
        let message =
            format!("{message}: the {entity} moved from region {from} to {to}; kept as a case for both");
        let answer = Receipt {
            code: Some(codes::ROW_MOVED.to_owned()),
            message: Some(message),
            ..receipt(e, ReceiptStatus::Rejected, None)
        };
        self.record(known, p, "rejected", &answer);
        answer
    }

    /// Records a conflict as a case for the regions of the rows concerned, and its receipt.
    fn conflict(&mut self, p: &Prepared, known: &mut Known, conflicts: Vec<FieldConflict>) -> Receipt {
        let e = &p.sealed.envelope;
        let regions: BTreeSet<String> = conflicts
            .iter()
            .filter_map(|c| known.rows.get(&(c.entity, c.entity_id)).map(|r| r.region.clone()))
            .collect();
        self.cases.push(NewCase {
            kind: "conflict",
            regions: regions.into_iter().collect(),
            subject: format!("envelope:{}", e.id),
            details: json!({
                "envelope_id": e.id,
                "device": e.device,
                "author": e.author,
                "conflicts": conflicts,
            }),
        });
        let answer = Receipt { conflicts, ..receipt(e, ReceiptStatus::Conflict, None) };
        self.record(known, p, "conflict", &answer);
        answer
    }

    /// Writes the batch: one statement per table, parents before the rows that refer to them.
    async fn write(mut self, tx: &Transaction<'_>, device: &DeviceAuth, via: Via) -> Result<()> {
        if !self.envelopes.is_empty() {
            let mut cols =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
            let mut hlcs = Vec::with_capacity(self.envelopes.len());
            for (seq, id, device_seq, hash, author, body, clean) in std::mem::take(&mut self.envelopes) {
                hlcs.push(body.get("hlc").and_then(Value::as_str).unwrap_or_default().to_owned());
                cols.0.push(seq);
                cols.1.push(id);
                cols.2.push(device_seq);
                cols.3.push(hash);
                cols.4.push(author);
                cols.5.push(body);
                cols.6.push(clean);
            }
            tx.execute(
                "INSERT INTO envelopes (server_seq, id, device, device_seq, hash, author, body, via, clean, hlc)
                 SELECT s, i, $7, d, h, a, b, $8, c, t
                 FROM unnest($1::int8[], $2::uuid[], $3::int8[], $4::text[], $5::text[], $6::json[],
                   $9::bool[], $10::text[]) AS u(s, i, d, h, a, b, c, t)",
                &[&cols.0, &cols.1, &cols.2, &cols.3, &cols.4, &cols.5, &device.id, &via.code(), &cols.6, &hlcs],
            )
            .await?;
        }
        let receipts = self.receipts_statement(tx, device);
        let rows = self.rows_statement(tx);
        let changes = self.changes_statement(tx);
        tokio::try_join!(receipts, rows, changes)?;
        if !self.moves.is_empty() {
            let mut cols = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for (seq, entity, id, from, to) in std::mem::take(&mut self.moves) {
                cols.0.push(seq);
                cols.1.push(entity.code());
                cols.2.push(id);
                cols.3.push(from);
                cols.4.push(to);
            }
            tx.execute(
                "INSERT INTO row_moves (server_seq, entity, id, from_region, to_region)
                 SELECT * FROM unnest($1::int8[], $2::text[], $3::uuid[], $4::text[], $5::text[])",
                &[&cols.0, &cols.1, &cols.2, &cols.3, &cols.4],
            )
            .await?;
        }
        if !self.quarantine.is_empty() {
            let (mut ids, mut bodies, mut codes, mut messages) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for (id, body, code, message) in std::mem::take(&mut self.quarantine) {
                ids.push(id);
                bodies.push(body);
                codes.push(code);
                messages.push(message);
            }
            tx.execute(
                "INSERT INTO quarantine (envelope_id, body, code, message)
                 SELECT * FROM unnest($1::uuid[], $2::jsonb[], $3::text[], $4::text[])",
                &[&ids, &bodies, &codes, &messages],
            )
            .await?;
        }
        if !self.resolves.is_empty() {
            let (cases, by): (Vec<Uuid>, Vec<Uuid>) = self.resolves.iter().copied().unzip();
            tx.execute(
                "UPDATE cases SET status = 'resolved', resolved_at = now(), resolved_by = u.by
                 FROM unnest($1::uuid[], $2::uuid[]) AS u(id, by)
                 WHERE cases.id = u.id AND cases.status = 'open'",
                &[&cases, &by],
            )
            .await?;
        }
        let duplicates = self.find_duplicates(tx).await?;
        self.cases.extend(duplicates);
        open_cases(tx, &self.cases).await?;
        if let Some(version) = &self.application_rulebook {
            let applications =
                self.changes.iter().filter(|(_, e, _, _)| *e == Entity::Application).map(|(_, _, _, r)| r);
            crate::limits::recount_host_orgs(tx, applications, version).await?;
        }
        Ok(())
    }

    fn receipts_statement<'t>(
        &self,
        tx: &'t Transaction<'_>,
        device: &DeviceAuth,
    ) -> impl Future<Output = Result<()>> + 't {
        let mut cols =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for r in &self.receipts {
            cols.0.push(r.id);
            cols.1.push(r.device_seq);
            cols.2.push(r.hash.clone());
            cols.3.push(r.status);
            cols.4.push(r.server_seq);
            cols.5.push(r.code.clone());
            cols.6.push(r.message.clone());
            cols.7.push(r.conflicts.clone());
        }
        let device = device.id;
        async move {
            if !cols.0.is_empty() {
                tx.execute(
                    "INSERT INTO receipts (envelope_id, device, device_seq, hash, status, server_seq, code,
                       message, conflicts)
                     SELECT i, $9, d, h, s, q, c, m, f
                     FROM unnest($1::uuid[], $2::int8[], $3::text[], $4::text[], $5::int8[], $6::text[],
                       $7::text[], $8::jsonb[]) AS u(i, d, h, s, q, c, m, f)",
                    &[&cols.0, &cols.1, &cols.2, &cols.3, &cols.4, &cols.5, &cols.6, &cols.7, &device],
                )
                .await?;
            }
            Ok(())
        }
    }

    /// The rows as the batch leaves them: each at its last state (a row is upserted once).
    fn rows_statement<'t>(&self, tx: &'t Transaction<'_>) -> impl Future<Output = Result<()>> + 't {
        let mut last: HashMap<(Entity, Uuid), usize> = HashMap::new();
        for (i, (_, entity, id, _)) in self.changes.iter().enumerate() {
            last.insert((*entity, *id), i);
        }
        let mut at: Vec<usize> = last.into_values().collect();
        at.sort_unstable();
        let mut cols = RowColumns::default();
        let mut field_versions = Vec::new();
        for i in at {
            let (seq, entity, id, row) = &self.changes[i];
            cols.push(*seq, *entity, *id, row);
            field_versions.push(json!(row.field_versions));
        }
        async move {
            if !cols.ids.is_empty() {
                tx.execute(
                    "INSERT INTO rows (server_seq, entity, id, region, version, deleted, fields, field_versions)
                     SELECT * FROM unnest($1::int8[], $2::text[], $3::uuid[], $4::text[], $5::int8[],
                       $6::bool[], $7::jsonb[], $8::jsonb[])
                     ON CONFLICT (entity, id) DO UPDATE SET region = excluded.region,
                       version = excluded.version, deleted = excluded.deleted, fields = excluded.fields,
                       field_versions = excluded.field_versions, server_seq = excluded.server_seq",
                    &[cols.params().as_slice(), &[&field_versions]].concat(),
                )
                .await?;
            }
            Ok(())
        }
    }

    /// Each row as each envelope left it: what devices pull.
    fn changes_statement<'t>(&self, tx: &'t Transaction<'_>) -> impl Future<Output = Result<()>> + 't {
        let mut cols = RowColumns::default();
        for (seq, entity, id, row) in &self.changes {
            cols.push(*seq, *entity, *id, row);
        }
        async move {
            if !cols.ids.is_empty() {
                tx.execute(
                    "INSERT INTO row_changes (server_seq, entity, id, region, version, deleted, fields)
                     SELECT * FROM unnest($1::int8[], $2::text[], $3::uuid[], $4::text[], $5::int8[],
                       $6::bool[], $7::jsonb[])",
                    &cols.params(),
                )
                .await?;
            }
            Ok(())
        }
    }

    /// Cases for the rows the batch leaves standing: a person's or mentor's IIN registered under
    /// another id too, or a person inserted into a second sub-project. Read after the batch's
    /// rows are written, so two of its own rows find each other; each pair is one case, whose
    /// regions are both rows' (both desks see it in their next pull).
    async fn find_duplicates(&self, tx: &Transaction<'_>) -> Result<Vec<NewCase>> {
        let mut standing: HashMap<(Entity, Uuid), &HqRow> = HashMap::new();
        for (_, entity, id, row) in &self.changes {
            standing.insert((*entity, *id), row);
        }
        standing.retain(|_, row| !row.deleted);
        let text =
            |row: &HqRow, field: &str| row.fields.get(field).and_then(Value::as_str).map(str::to_owned);
        let mut cases = Vec::new();
        // The entity is written into the SQL (a code of a closed list), not bound: the partial
        // indexes on IIN and person_id apply only when the planner sees the entity itself.
        for entity in [Entity::Person, Entity::Mentor] {
            let mine: Vec<(Uuid, &HqRow, String)> = standing
                .iter()
                .filter(|((e, _), _)| *e == entity)
                .filter_map(|((_, id), row)| Some((*id, *row, text(row, "iin")?)))
                .collect();
            if mine.is_empty() {
                continue;
            }
            let keys: Vec<&str> = mine.iter().map(|(_, _, k)| k.as_str()).collect();
            let sql = format!(
                "SELECT id, region, fields ->> 'iin' FROM rows WHERE entity IN ('person', 'mentor')
                   AND entity = '{}' AND fields ->> 'iin' = ANY($1) AND NOT deleted",
                entity.code()
            );
            // By IIN, read once: the batch's own rows are among them, and matching each of its
            // rows against all of them was quadratic in the batch.
            let mut others: HashMap<&str, Vec<(Uuid, String)>> = HashMap::new();
            let found = tx.query(&sql, &[&keys]).await?;
            for other in &found {
                others.entry(other.get(2)).or_default().push((other.get(0), other.get(1)));
            }
            for (id, row, key) in &mine {
                for (other, region) in others.get(key.as_str()).into_iter().flatten() {
                    cases.extend(pair_case(
                        "duplicate_iin",
                        entity,
                        (*id, row),
                        (*other, region.clone()),
                        key,
                    ));
                }
            }
        }
        let members: Vec<(Uuid, &HqRow, String, String)> = self
            .inserted_members
            .iter()
            .filter_map(|id| standing.get(&(Entity::ApplicationMember, *id)).map(|row| (*id, *row)))
            .filter_map(|(id, row)| Some((id, row, text(row, "person_id")?, text(row, "application_id")?)))
            .collect();
        if !members.is_empty() {
            let keys: Vec<&str> = members.iter().map(|(_, _, k, _)| k.as_str()).collect();
            let found = tx
                .query(
                    "SELECT id, region, fields ->> 'person_id', fields ->> 'application_id' FROM rows
                     WHERE entity = 'application_member' AND fields ->> 'person_id' = ANY($1) AND NOT deleted",
                    &[&keys],
                )
                .await?;
            // Each member row found, by the person it names: (id, region, application).
            type Found<'r> = (Uuid, String, Option<&'r str>);
            let mut others: HashMap<&str, Vec<Found<'_>>> = HashMap::new();
            for other in &found {
                others.entry(other.get(2)).or_default().push((other.get(0), other.get(1), other.get(3)));
            }
            for (id, row, person, application) in &members {
                let elsewhere = others.get(person.as_str()).into_iter().flatten();
                for (other, region, _) in elsewhere.filter(|(_, _, a)| *a != Some(application.as_str())) {
                    let kind = "person_in_two_subprojects";
                    let pair = ((*id, *row), (*other, region.clone()));
                    cases.extend(pair_case(kind, Entity::ApplicationMember, pair.0, pair.1, person));
                }
            }
        }
        Ok(cases)
    }
}

/// Rows as the columns `rows` and `row_changes` share, one array each, for `unnest()`.
#[derive(Default)]
struct RowColumns {
    seqs: Vec<i64>,
    entities: Vec<&'static str>,
    ids: Vec<Uuid>,
    regions: Vec<String>,
    versions: Vec<i64>,
    deleted: Vec<bool>,
    fields: Vec<Value>,
}

impl RowColumns {
    fn push(&mut self, seq: i64, entity: Entity, id: Uuid, row: &HqRow) {
        self.seqs.push(seq);
        self.entities.push(entity.code());
        self.ids.push(id);
        self.regions.push(row.region.clone());
        self.versions.push(row.version);
        self.deleted.push(row.deleted);
        self.fields.push(Value::Object(row.fields.clone()));
    }

    /// The arrays, in the order above: `$1` to `$7`.
    fn params(&self) -> [&(dyn ToSql + Sync); 7] {
        [&self.seqs, &self.entities, &self.ids, &self.regions, &self.versions, &self.deleted, &self.fields]
    }
}

/// The case for two rows sharing `key`, named by the pair so it is opened once.
fn pair_case(
    kind: &'static str,
    entity: Entity,
    (id, row): (Uuid, &HqRow),
    (other_id, other_region): (Uuid, String),
    key: &str,
) -> Option<NewCase> {
    if id == other_id {
        return None;
    }
    let ((a, region_a), (b, region_b)) = if id < other_id {
        ((id, row.region.clone()), (other_id, other_region))
    } else {
        ((other_id, other_region), (id, row.region.clone()))
    };
    let regions: BTreeSet<String> = [region_a.clone(), region_b.clone()].into();
    Some(NewCase {
        kind,
        regions: regions.into_iter().collect(),
        subject: format!("{}:{a}:{b}", entity.code()),
        // Each row's region, so that a pull shows a region only its own rows (src/pull.rs).
        details: json!({
            "entity": entity.code(), "rows": [a, b], "row_regions": [region_a, region_b], "key": key,
        }),
    })
}

/// Opens `cases`, each unless one is open on its subject already.
async fn open_cases<C: tokio_postgres::GenericClient + Sync>(tx: &C, cases: &[NewCase]) -> Result<()> {
    if cases.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = cases.iter().map(|_| Uuid::now_v7()).collect();
    let kinds: Vec<&str> = cases.iter().map(|c| c.kind).collect();
    let regions: Vec<Value> = cases.iter().map(|c| json!(c.regions)).collect();
    let subjects: Vec<&str> = cases.iter().map(|c| c.subject.as_str()).collect();
    let details: Vec<&Value> = cases.iter().map(|c| &c.details).collect();
    // A region list per case is a ragged array, which unnest() cannot take: it travels as JSON.
    tx.execute(
        "INSERT INTO cases (id, kind, regions, subject, details)
         SELECT i, k, ARRAY(SELECT jsonb_array_elements_text(r)), s, d
         FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::text[], $5::jsonb[]) AS u(i, k, r, s, d)
         ON CONFLICT DO NOTHING",
        &[&ids, &kinds, &regions, &subjects, &details],
    )
    .await?;
    Ok(())
}

/// Whether `envelope` applied exactly as its device wrote it, so that the device holds every row
/// it left as HQ does: each op found the row at the version the device changed it from (HQ's
/// version after is the device's `base_version + 1`, and HQ's fields are the device's: nothing
/// of another device merged in), and no row changed region (the desks of the region it left get a
/// gone-marker). `before` is HQ's rows before the envelope; `after` what it left.
fn applied_as_written(
    envelope: &Envelope,
    before: &HashMap<(Entity, Uuid), HqRow>,
    after: &[((Entity, Uuid), HqRow)],
) -> bool {
    let mut versions: HashMap<(Entity, Uuid), i64> = HashMap::new();
    let ops_on_base = envelope.ops.iter().all(|op| {
        let key = (op.entity, op.entity_id);
        let at = versions.get(&key).copied().or_else(|| before.get(&key).map(|r| r.version)).unwrap_or(0);
        versions.insert(key, op.base_version + 1);
        at == op.base_version
    });
    ops_on_base
        && after.iter().all(|(key, row)| {
            versions.get(key) == Some(&row.version)
                && before.get(key).is_none_or(|was| was.region == row.region)
        })
}

fn receipt(e: &Envelope, status: ReceiptStatus, server_seq: Option<i64>) -> Receipt {
    Receipt {
        id: e.id,
        device_seq: e.device_seq,
        status,
        server_seq,
        code: None,
        message: None,
        conflicts: Vec::new(),
        rows: Vec::new(),
    }
}

/// The receipt of an envelope sent after one whose number was used before: refused unrecorded, to
/// be numbered again with it.
pub fn follows_reused(e: &Envelope) -> Receipt {
    let why = "device_seq: follows an envelope whose number was used; numbered again with it";
    rejected_unrecorded(e, codes::SEQ_REUSED, why)
}

/// A refusal that is not recorded: the envelope is someone else's (another device, a reused id
/// or sequence number), and recording it would let a bad push shadow a good one.
fn rejected_unrecorded(e: &Envelope, code: &str, message: &str) -> Receipt {
    Receipt {
        code: Some(code.to_owned()),
        message: Some(message.to_owned()),
        ..receipt(e, ReceiptStatus::Rejected, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use korpus_domain::Op;
    use serde_json::Map;

    fn row(version: i64, region: &str) -> HqRow {
        HqRow {
            region: region.into(),
            version,
            deleted: false,
            fields: Map::new(),
            field_versions: HashMap::new(),
        }
    }

    fn envelope(ops: &[(OpKind, i64)]) -> Envelope {
        let op = |(op, base_version): &(OpKind, i64)| Op {
            entity: Entity::Person,
            entity_id: Uuid::from_u128(1),
            op: *op,
            base_version: *base_version,
            fields: Map::new(),
        };
        crate::plan::tests::envelope(ops.iter().map(op).collect())
    }

    #[test]
    fn an_envelope_applied_as_written_is_one_that_found_each_row_at_its_base_version() {
        let key = (Entity::Person, Uuid::from_u128(1));
        let held = |version: i64| HashMap::from([(key, row(version, "550000000"))]);
        let after = |version: i64, region: &str| vec![(key, row(version, region))];
        // A new row, and a change of the version the desk had.
        assert!(applied_as_written(
            &envelope(&[(OpKind::Insert, 0)]),
            &HashMap::new(),
            &after(1, "550000000")
        ));
        assert!(applied_as_written(&envelope(&[(OpKind::Update, 3)]), &held(3), &after(4, "550000000")));
        // Two changes of one row in one envelope, the second on the first.
        let twice = envelope(&[(OpKind::Update, 3), (OpKind::Update, 4)]);
        assert!(applied_as_written(&twice, &held(3), &after(5, "550000000")));
        // Merged with another desk's change (HQ had version 5): the desk's version 4 is not HQ's.
        assert!(!applied_as_written(&envelope(&[(OpKind::Update, 3)]), &held(5), &after(6, "550000000")));
        // Moved to another region: the region it left needs its gone-marker.
        assert!(!applied_as_written(&envelope(&[(OpKind::Update, 3)]), &held(3), &after(4, "190000000")));
    }

    #[test]
    fn a_nul_character_is_found_by_its_path() {
        let body = json!({ "author": "a", "ops": [{ "fields": { "surname": "Ab", "city": "x\u{0}y" } }] });
        assert_eq!(nul_path(&body, String::new()).as_deref(), Some("ops[0].fields.city"));
        assert_eq!(nul_path(&json!({ "a": ["ok", 1, null] }), String::new()), None);
        assert_eq!(nul_path(&json!({ "k\u{0}": 1 }), String::new()).as_deref(), Some("k\u{0}"));
    }
}
