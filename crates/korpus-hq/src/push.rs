//! Applying a device's envelopes (DESIGN.md, Sync): a batch in one transaction holding the
//! sequence lock, each envelope in its own savepoint, so that each is applied whole or not at all
//! and a failing one is quarantined without blocking the rest. The transaction commits before
//! any receipt leaves: a server killed mid-batch has applied nothing of it, and the retry applies
//! it once.

use crate::accounts::DeviceAuth;
use crate::error::Result;
use crate::plan::{HqRow, Outcome, plan};
use deadpool_postgres::Pool;
use korpus_domain::{Entity, Envelope, OpKind};
use korpus_sync::protocol::{FieldConflict, Receipt, ReceiptStatus, SealedEnvelope, codes};
use serde_json::{Value, json};
use std::collections::HashMap;
use tokio_postgres::Transaction;
use uuid::Uuid;

/// How envelopes reached HQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Pushed over the network.
    Online,
    /// Imported from a signed file.
    File,
}

impl Via {
    fn code(self) -> &'static str {
        match self {
            Via::Online => "online",
            Via::File => "file",
        }
    }
}

/// Applies `envelopes` from `device`, in order, and returns one receipt per envelope.
pub async fn apply(
    pool: &Pool,
    device: &DeviceAuth,
    envelopes: &[SealedEnvelope],
    via: Via,
) -> Result<Vec<Receipt>> {
    let mut client = pool.get().await?;
    let mut tx = client.transaction().await?;
    let mut head: i64 = tx.query_one("SELECT server_seq FROM sync_head FOR UPDATE", &[]).await?.get(0);
    let mut rows: HashMap<(Entity, Uuid), HqRow> = HashMap::new();
    let mut receipts = Vec::with_capacity(envelopes.len());
    for sealed in envelopes {
        let receipt = apply_one(&mut tx, device, sealed, via, &mut head, &mut rows).await?;
        receipts.push(receipt);
    }
    tx.execute("UPDATE sync_head SET server_seq = $1", &[&head]).await?;
    tx.execute("UPDATE devices SET last_seen_at = now() WHERE id = $1", &[&device.id]).await?;
    tx.commit().await?;
    Ok(receipts)
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
    }
}

async fn apply_one(
    tx: &mut Transaction<'_>,
    device: &DeviceAuth,
    sealed: &SealedEnvelope,
    via: Via,
    head: &mut i64,
    cache: &mut HashMap<(Entity, Uuid), HqRow>,
) -> Result<Receipt> {
    let e = &sealed.envelope;
    // Seen before? The same content gets its first answer again; other content is refused.
    if let Some(r) = tx
        .query_opt(
            "SELECT hash, status, server_seq, code, message, conflicts FROM receipts WHERE envelope_id = $1",
            &[&e.id],
        )
        .await?
    {
        let hash: String = r.get(0);
        if hash != sealed.hash || hash != e.hash() {
            return Ok(rejected_unrecorded(e, codes::ID_REUSED, "id: seen before with other content"));
        }
        let status: String = r.get(1);
        let conflicts: Value = r.get(5);
        return Ok(Receipt {
            status: match status.as_str() {
                "applied" => ReceiptStatus::Duplicate,
                "conflict" => ReceiptStatus::Conflict,
                _ => ReceiptStatus::Rejected,
            },
            server_seq: r.get(2),
            code: r.get(3),
            message: r.get(4),
            conflicts: serde_json::from_value(conflicts).unwrap_or_default(),
            ..receipt(e, ReceiptStatus::Duplicate, None)
        });
    }
    if e.device != device.id {
        return Ok(rejected_unrecorded(e, codes::WRONG_DEVICE, "device: not the device that sent it"));
    }
    if e.hash() != sealed.hash {
        return quarantine(tx, sealed, codes::HASH_MISMATCH, "hash: does not match the envelope").await;
    }
    if tx
        .query_opt(
            "SELECT 1 FROM receipts WHERE device = $1 AND device_seq = $2",
            &[&e.device, &e.device_seq],
        )
        .await?
        .is_some()
    {
        return Ok(rejected_unrecorded(e, codes::SEQ_REUSED, "device_seq: used by another envelope"));
    }

    // The rows the ops touch, as HQ holds them (or as earlier envelopes of this batch left them).
    let wanted: Vec<(Entity, Uuid)> =
        e.ops.iter().map(|op| (op.entity, op.entity_id)).filter(|k| !cache.contains_key(k)).collect();
    for (entity, id) in wanted {
        // One primary-key lookup per row: a join on unnest() made the planner scan the table.
        let Some(r) = tx
            .query_opt(
                "SELECT region, version, deleted, fields, field_versions FROM rows WHERE entity = $1 AND id = $2",
                &[&entity.code(), &id],
            )
            .await?
        else {
            continue;
        };
        let Value::Object(fields) = r.get::<_, Value>(3) else { continue };
        let versions: HashMap<String, i64> = serde_json::from_value(r.get(4)).unwrap_or_default();
        cache.insert(
            (entity, id),
            HqRow {
                region: r.get(0),
                version: r.get(1),
                deleted: r.get(2),
                fields,
                field_versions: versions,
            },
        );
    }

    match plan(e, cache, &device.regions) {
        Outcome::Rejected(code, message) => quarantine(tx, sealed, code, &message).await,
        Outcome::Conflict(conflicts) => record_conflict(tx, sealed, cache, conflicts).await,
        Outcome::Applied(new_rows) => {
            let seq = *head + 1;
            let sp = tx.savepoint("envelope").await?;
            let body = serde_json::to_value(e).unwrap_or(Value::Null);
            sp.execute(
                "INSERT INTO envelopes (server_seq, id, device, device_seq, hash, author, body, via)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[&seq, &e.id, &e.device, &e.device_seq, &sealed.hash, &e.author, &body, &via.code()],
            )
            .await?;
            for ((entity, id), row) in &new_rows {
                let fields = Value::Object(row.fields.clone());
                let versions = json!(row.field_versions);
                sp.execute(
                    "INSERT INTO rows (entity, id, region, version, deleted, fields, field_versions, server_seq)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (entity, id) DO UPDATE SET region = $3, version = $4, deleted = $5,
                       fields = $6, field_versions = $7, server_seq = $8",
                    &[&entity.code(), id, &row.region, &row.version, &row.deleted, &fields, &versions, &seq],
                )
                .await?;
                sp.execute(
                    "INSERT INTO row_changes (server_seq, entity, id, region, version, deleted, fields)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[&seq, &entity.code(), id, &row.region, &row.version, &row.deleted, &fields],
                )
                .await?;
            }
            sp.execute(
                "INSERT INTO receipts (envelope_id, device, device_seq, hash, status, server_seq)
                 VALUES ($1, $2, $3, $4, 'applied', $5)",
                &[&e.id, &e.device, &e.device_seq, &sealed.hash, &seq],
            )
            .await?;
            if let Some(case) = e.resolves {
                sp.execute(
                    "UPDATE cases SET status = 'resolved', resolved_at = now(), resolved_by = $2
                     WHERE id = $1 AND status = 'open'",
                    &[&case, &e.id],
                )
                .await?;
            }
            for ((entity, id), row) in &new_rows {
                find_duplicates(
                    &sp,
                    *entity,
                    *id,
                    row,
                    e.ops.iter().any(|o| o.entity_id == *id && o.op == OpKind::Insert),
                )
                .await?;
            }
            sp.commit().await?;
            *head = seq;
            for (key, row) in new_rows {
                cache.insert(key, row);
            }
            Ok(receipt(e, ReceiptStatus::Applied, Some(seq)))
        }
    }
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

/// Refuses the envelope and keeps it whole in quarantine, with its receipt.
async fn quarantine(
    tx: &mut Transaction<'_>,
    sealed: &SealedEnvelope,
    code: &str,
    message: &str,
) -> Result<Receipt> {
    let e = &sealed.envelope;
    tracing::warn!(envelope = %e.id, device = %e.device, code, message, "envelope quarantined");
    tx.execute(
        "INSERT INTO receipts (envelope_id, device, device_seq, hash, status, code, message)
         VALUES ($1, $2, $3, $4, 'rejected', $5, $6)",
        &[&e.id, &e.device, &e.device_seq, &sealed.hash, &code, &message],
    )
    .await?;
    let body = serde_json::to_value(e).unwrap_or(Value::Null);
    tx.execute(
        "INSERT INTO quarantine (envelope_id, body, code, message) VALUES ($1, $2, $3, $4)",
        &[&e.id, &body, &code, &message],
    )
    .await?;
    Ok(Receipt {
        code: Some(code.to_owned()),
        message: Some(message.to_owned()),
        ..receipt(e, ReceiptStatus::Rejected, None)
    })
}

/// Records a conflict as a case for the regions of the rows concerned, and its receipt.
async fn record_conflict(
    tx: &mut Transaction<'_>,
    sealed: &SealedEnvelope,
    cache: &HashMap<(Entity, Uuid), HqRow>,
    conflicts: Vec<FieldConflict>,
) -> Result<Receipt> {
    let e = &sealed.envelope;
    let conflicts_json = serde_json::to_value(&conflicts).unwrap_or(Value::Null);
    tx.execute(
        "INSERT INTO receipts (envelope_id, device, device_seq, hash, status, conflicts)
         VALUES ($1, $2, $3, $4, 'conflict', $5)",
        &[&e.id, &e.device, &e.device_seq, &sealed.hash, &conflicts_json],
    )
    .await?;
    let mut regions: Vec<String> = conflicts
        .iter()
        .filter_map(|c| cache.get(&(c.entity, c.entity_id)).map(|r| r.region.clone()))
        .collect();
    regions.sort();
    regions.dedup();
    let details = json!({
        "envelope_id": e.id,
        "device": e.device,
        "author": e.author,
        "conflicts": conflicts_json,
    });
    tx.execute(
        "INSERT INTO cases (id, kind, regions, subject, details) VALUES ($1, 'conflict', $2, $3, $4)
         ON CONFLICT DO NOTHING",
        &[&Uuid::now_v7(), &regions, &format!("envelope:{}", e.id), &details],
    )
    .await?;
    Ok(Receipt { conflicts, ..receipt(e, ReceiptStatus::Conflict, None) })
}

/// Opens a case when a person's or mentor's IIN is registered under another id too, or when a
/// person joins a second sub-project: both desks concerned see it in their next pull.
async fn find_duplicates(
    tx: &Transaction<'_>,
    entity: Entity,
    id: Uuid,
    row: &HqRow,
    inserted: bool,
) -> Result<()> {
    if row.deleted {
        return Ok(());
    }
    // The entity is written into the SQL (a code of a closed list), not bound: the partial
    // indexes on IIN and person_id apply only when the planner sees the entity itself.
    let (kind, key, other_sql) = match entity {
        Entity::Person => (
            "duplicate_iin",
            row.fields.get("iin").and_then(Value::as_str).unwrap_or_default().to_owned(),
            "SELECT id, region FROM rows WHERE entity IN ('person', 'mentor') AND entity = 'person'
               AND fields ->> 'iin' = $1 AND id <> $2 AND NOT deleted",
        ),
        Entity::Mentor => (
            "duplicate_iin",
            row.fields.get("iin").and_then(Value::as_str).unwrap_or_default().to_owned(),
            "SELECT id, region FROM rows WHERE entity IN ('person', 'mentor') AND entity = 'mentor'
               AND fields ->> 'iin' = $1 AND id <> $2 AND NOT deleted",
        ),
        Entity::ApplicationMember if inserted => (
            "person_in_two_subprojects",
            row.fields.get("person_id").and_then(Value::as_str).unwrap_or_default().to_owned(),
            "SELECT id, region FROM rows WHERE entity = 'application_member' AND fields ->> 'person_id' = $1
               AND id <> $2 AND NOT deleted AND fields ->> 'application_id' <> $3",
        ),
        _ => return Ok(()),
    };
    let application = row.fields.get("application_id").and_then(Value::as_str).unwrap_or_default().to_owned();
    let others = if entity == Entity::ApplicationMember {
        tx.query(other_sql, &[&key, &id, &application]).await?
    } else {
        tx.query(other_sql, &[&key, &id]).await?
    };
    for other in others {
        let other_id: Uuid = other.get(0);
        let other_region: String = other.get(1);
        let (a, b) = if id < other_id { (id, other_id) } else { (other_id, id) };
        let mut regions = vec![row.region.clone(), other_region];
        regions.sort();
        regions.dedup();
        let details = json!({ "entity": entity.code(), "rows": [a, b], "key": key });
        tx.execute(
            "INSERT INTO cases (id, kind, regions, subject, details) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT DO NOTHING",
            &[&Uuid::now_v7(), &kind, &regions, &format!("{}:{a}:{b}", entity.code()), &details],
        )
        .await?;
    }
    Ok(())
}
