//! The desk's side of sync, in the database: where it syncs to and how far the pull has come,
//! HQ's receipts on the outbox, and HQ's rows applied without losing local edits (DESIGN.md,
//! Sync). The wire and the loop are `korpus-sync`'s; everything here is one transaction each.

use crate::error::{Result, StoreError};
use crate::held::{self, Touched};
use crate::outbox::DeviceState;
use crate::tables::{select_columns, table, to_sql};
use crate::{Store, tables};
use korpus_domain::{Entity, Hlc, Op};
use rusqlite::{ErrorCode, OptionalExtension, TransactionBehavior, params_from_iter};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The longest interval between the desk's own syncs: a day.
pub const AUTO_SYNC_MAX_MINUTES: u32 = 1440;

/// What an enrolment gave the desk (the token itself goes to the OS keyring).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncEnrolment {
    /// HQ's base URL.
    pub server_url: String,
    /// The coordinator's login.
    pub account: String,
    /// The regions the device may see.
    pub regions: Vec<String>,
    /// HQ staff: all regions.
    pub all_regions: bool,
    /// HQ's public key (hex), when HQ sent one.
    pub hq_public_key: Option<String>,
    /// HQ's TLS certificate (PEM), pinned at enrolment; none: the system's roots are trusted.
    pub hq_certificate: Option<String>,
}

/// Where the desk stands with HQ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncState {
    /// HQ's base URL.
    pub server_url: String,
    /// The coordinator's login.
    pub account: String,
    /// The regions the device may see.
    pub regions: Vec<String>,
    /// HQ staff: all regions.
    pub all_regions: bool,
    /// The last `server_seq` pulled.
    pub cursor: i64,
    /// When the last complete sync ended.
    pub last_sync_at: Option<String>,
    /// Envelopes HQ has not answered yet.
    pub unsent: i64,
    /// Envelopes HQ answered with a conflict.
    pub conflicts: i64,
    /// Envelopes HQ refused.
    pub rejected: i64,
    /// Open cases from HQ.
    pub cases: i64,
    /// HQ's public key (hex), which HQ's answers must verify with; `None` for a desk enrolled
    /// before HQ had one, until its next online sync.
    pub hq_public_key: Option<String>,
    /// HQ's TLS certificate (PEM), pinned at enrolment; none: the system's roots.
    pub hq_certificate: Option<String>,
}

/// HQ's answer for one envelope, as the desk keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceiptRecord {
    /// The envelope.
    pub id: Uuid,
    /// `applied`, `duplicate`, `conflict` or `rejected`.
    pub status: String,
    /// HQ's sequence number, when applied.
    pub server_seq: Option<i64>,
    /// Why, when refused.
    pub code: Option<String>,
    /// The message, when refused.
    pub message: Option<String>,
    /// When refused: the rows the envelope touched as HQ holds them, taken back here.
    pub put_back: Vec<IncomingRow>,
}

/// A row as HQ holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingRow {
    /// The kind of record.
    pub entity: Entity,
    /// Its id.
    pub id: Uuid,
    /// HQ's version.
    pub version: i64,
    /// Removed at HQ.
    pub deleted: bool,
    /// All its fields.
    pub fields: Map<String, Value>,
}

/// One applied envelope's rows.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingChange {
    /// HQ's sequence number.
    pub server_seq: i64,
    /// The envelope's id.
    pub envelope_id: Uuid,
    /// The device that wrote it.
    pub device: Uuid,
    /// Who wrote it there.
    pub author: String,
    /// When (the envelope's clock, as text; empty when HQ did not say).
    pub hlc: String,
    /// The rows.
    pub rows: Vec<IncomingRow>,
}

/// A case HQ opened for this desk's regions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncCase {
    /// Its id at HQ.
    pub id: Uuid,
    /// `conflict`, `duplicate_iin`, `person_in_two_subprojects` or `host_org_over_limit`.
    pub kind: String,
    /// `open`.
    pub status: String,
    /// The records and values concerned.
    pub details: Value,
    /// When HQ opened it.
    pub opened_at: String,
}

impl Store {
    /// The open cases HQ sent, oldest first.
    pub fn sync_cases(&self) -> Result<Vec<SyncCase>> {
        let mut s = self
            .conn
            .prepare("SELECT id, kind, status, details, opened_at FROM sync_cases ORDER BY opened_at, id")?;
        let rows = s.query_map([], |r| {
            let id: String = r.get(0)?;
            let details: String = r.get(3)?;
            Ok(SyncCase {
                id: Uuid::parse_str(&id).unwrap_or_default(),
                kind: r.get(1)?,
                status: r.get(2)?,
                details: serde_json::from_str(&details).unwrap_or(Value::Null),
                opened_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// A row from HQ that could not be placed (see migration 03).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeldRow {
    /// The kind of record.
    pub entity: String,
    /// Its id.
    pub id: String,
    /// Why, as a code (migration `13-held`): `unique:<message>`, `missing:<entity>:<id>` or
    /// `named:<entity>:<id>`.
    pub reason: String,
    /// HQ removed it; the removal waits.
    pub deleted: bool,
}

impl Store {
    /// Records an enrolment with HQ; the pull starts from the beginning.
    pub fn set_enrolment(&mut self, e: &SyncEnrolment) -> Result<()> {
        let regions =
            serde_json::to_string(&e.regions).map_err(|err| StoreError::Corrupt(err.to_string()))?;
        self.conn.execute(
            "INSERT INTO sync_state (singleton, server_url, account, regions, all_regions, cursor, enrolled_at,
               hq_public_key, hq_certificate)
             VALUES (1, ?1, ?2, ?3, ?4, 0, ?5, ?6, ?7)
             ON CONFLICT (singleton) DO UPDATE SET server_url = ?1, account = ?2, regions = ?3,
               all_regions = ?4, enrolled_at = ?5, hq_public_key = ?6, hq_certificate = ?7",
            (
                &e.server_url,
                &e.account,
                regions,
                i64::from(e.all_regions),
                self.clock.now().to_rfc3339(),
                &e.hq_public_key,
                &e.hq_certificate,
            ),
        )?;
        Ok(())
    }

    /// Keeps HQ's public key, for a desk enrolled before HQ had one (taken once, from HQ's own
    /// answer over the enrolled connection; never replaced).
    pub fn adopt_hq_public_key(&mut self, key: &str) -> Result<()> {
        self.conn.execute("UPDATE sync_state SET hq_public_key = ?1 WHERE hq_public_key IS NULL", [key])?;
        Ok(())
    }

    /// The last of HQ's rulebook publications this desk took: a sync asks for the later ones.
    pub fn rulebooks_after(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT rulebooks_after FROM sync_state", [], |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }

    /// Notes that the desk took HQ's rulebook publications up to `seq`.
    pub fn set_rulebooks_after(&mut self, seq: i64) -> Result<()> {
        self.conn.execute("UPDATE sync_state SET rulebooks_after = max(rulebooks_after, ?1)", [seq])?;
        Ok(())
    }

    /// How often the desk syncs by itself, in minutes; 0 when only asked.
    pub fn auto_sync_minutes(&self) -> Result<u32> {
        Ok(self
            .conn
            .query_row("SELECT auto_sync_minutes FROM device WHERE singleton = 1", [], |r| r.get(0))?)
    }

    /// Sets how often the desk syncs by itself: 0 (only when asked) to 1,440 minutes (a day);
    /// anything else is refused, named, and nothing changes.
    pub fn set_auto_sync_minutes(&mut self, minutes: u32) -> Result<()> {
        if minutes > AUTO_SYNC_MAX_MINUTES {
            let refusal =
                korpus_domain::validation::FieldError::new("auto_sync_minutes", "error-out-of-range")
                    .arg("min", 0)
                    .arg("max", AUTO_SYNC_MAX_MINUTES);
            return Err(korpus_domain::ValidationErrors::one(refusal).into());
        }
        self.conn.execute("UPDATE device SET auto_sync_minutes = ?1 WHERE singleton = 1", [minutes])?;
        Ok(())
    }

    /// Where the desk stands with HQ; `None` before enrolment.
    pub fn sync_state(&self) -> Result<Option<SyncState>> {
        let counts = |sql: &str| -> Result<i64> { Ok(self.conn.query_row(sql, [], |r| r.get(0))?) };
        let unsent = counts("SELECT count(*) FROM outbox WHERE sent_at IS NULL")?;
        let conflicts =
            counts("SELECT count(*) FROM outbox WHERE receipt = 'conflict' AND superseded_by IS NULL")?;
        let rejected = counts("SELECT count(*) FROM outbox WHERE receipt = 'rejected'")?;
        let cases = counts("SELECT count(*) FROM sync_cases WHERE status = 'open'")?;
        self.conn
            .query_row(
                "SELECT server_url, account, regions, all_regions, cursor, last_sync_at, hq_public_key,
                        hq_certificate
                 FROM sync_state",
                [],
                |r| {
                    let regions: String = r.get(2)?;
                    Ok(SyncState {
                        server_url: r.get(0)?,
                        account: r.get(1)?,
                        regions: serde_json::from_str(&regions).unwrap_or_default(),
                        all_regions: r.get::<_, i64>(3)? != 0,
                        cursor: r.get(4)?,
                        last_sync_at: r.get(5)?,
                        unsent,
                        conflicts,
                        rejected,
                        cases,
                        hq_public_key: r.get(6)?,
                        hq_certificate: r.get(7)?,
                    })
                },
            )
            .optional()
            .map_err(Into::into)
    }

    /// Keeps HQ's receipts. Each must answer an envelope of this outbox. A refused envelope's
    /// rows are put back as HQ holds them (its change never happened), but for the fields of
    /// this desk's changes still waiting for HQ's answer, as a pull would.
    pub fn record_receipts(&mut self, receipts: &[ReceiptRecord]) -> Result<()> {
        let now = self.clock.now().to_rfc3339();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.pragma_update(None, "defer_foreign_keys", "ON")?;
        for r in receipts {
            let n = tx.execute(
                "UPDATE outbox SET sent_at = ?2, receipt = ?3, server_seq = ?4, receipt_code = ?5, receipt_message = ?6
                 WHERE id = ?1",
                (r.id.to_string(), &now, &r.status, r.server_seq, &r.code, &r.message),
            )?;
            if n == 0 {
                return Err(StoreError::Corrupt(format!(
                    "HQ answered envelope {} that this desk did not send",
                    r.id
                )));
            }
        }
        if receipts.iter().any(|r| !r.put_back.is_empty()) {
            let pending = pending_fields(&tx)?;
            for row in receipts.iter().filter(|r| r.status == "rejected").flat_map(|r| &r.put_back) {
                apply_row(&tx, row, pending.get(&(row.entity, row.id)), &now)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Applies a pulled page and moves the cursor to `cursor`, in one transaction; `cases`
    /// replace the open cases kept. A row with local changes HQ has not applied keeps those
    /// fields (and a local delete stays deleted); HQ's values fill the rest.
    ///
    /// This desk's own envelopes that HQ applied as written may be missing from `changes` (a
    /// brief pull, checked with [`Store::holds_own`]): the desk holds those rows as HQ does, at
    /// the same versions. Should another desk's change of such a row come earlier in the page, HQ
    /// merged that row (this desk wrote its change without having seen the other), so it comes
    /// back whole, after, and sets the row right.
    pub fn apply_pull(&mut self, changes: &[IncomingChange], cursor: i64, cases: &[SyncCase]) -> Result<()> {
        let now = self.clock.now().to_rfc3339();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.pragma_update(None, "defer_foreign_keys", "ON")?;
        // A pull read again from the start takes every change whole and in order (`replaying`).
        let replaying: bool = tx
            .query_row("SELECT cursor < replay_until FROM sync_state", [], |r| r.get(0))
            .optional()?
            .unwrap_or(false);
        tx.execute("DELETE FROM sync_cases", [])?;
        for c in cases {
            tx.execute(
                "INSERT INTO sync_cases (id, kind, status, details, opened_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                (c.id.to_string(), &c.kind, &c.status, c.details.to_string(), &c.opened_at),
            )?;
        }
        let settled_elsewhere = let_go_settled_conflicts(&tx, cases)?;
        let pending = pending_fields(&tx)?;
        let own = DeviceState::load(&tx)?.device_id;
        let after_own =
            if changes.is_empty() || replaying { HashMap::new() } else { own_changes_ahead(&tx)? };
        let mut touched = Touched::default();
        for change in changes {
            for row in &change.rows {
                // This desk changed the row later, in an envelope HQ applied: the row here is at
                // least as new as this change, which a page taken whole (a copy restored from
                // before some of the desk's envelopes, a pull read again from the start) brings
                // again. Applied over it, it would undo the later change, which comes back only
                // when HQ merged it.
                if after_own
                    .get(&(row.entity.code(), row.id.to_string()))
                    .is_some_and(|seq| *seq > change.server_seq)
                {
                    continue;
                }
                if change.device != own {
                    remember_change(&tx, change, row)?;
                }
                let waiting = pending.get(&(row.entity, row.id));
                // Removed at HQ, or moved out of this desk's regions, while this desk's own change
                // of it waits for HQ's answer: held until answered, then let go.
                if row.deleted && waiting.is_some_and(|p| !p.contains("deleted")) {
                    held::hold_pending(&tx, row, &now)?;
                    continue;
                }
                touched.note(&tx, row)?;
                apply_row(&tx, row, waiting, &now)?;
            }
        }
        // What earlier pulls held may have become placeable; what this page cannot place waits.
        held::retry(&tx, &mut touched, &pending, &now)?;
        held::hold_unplaceable(&tx, &mut touched, &now)?;
        tx.execute("UPDATE sync_state SET cursor = ?1", [cursor])?;
        if settled_elsewhere {
            // The fields those changes kept here must come back as HQ holds them: the pull reads
            // again from the start, every page whole.
            tx.execute(REPLAY, [])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Whether this desk holds every envelope of its own that HQ named by `server_seq` only (runs
    /// of consecutive numbers, first and last included): answered `applied` or `duplicate` with
    /// that number. A copy of the database restored from before they were written does not, and
    /// must take those changes whole.
    pub fn holds_own(&self, runs: &[[i64; 2]]) -> Result<bool> {
        let mut statement = self.conn.prepare_cached(
            "SELECT count(DISTINCT server_seq) FROM outbox
             WHERE server_seq BETWEEN ?1 AND ?2 AND receipt IN ('applied', 'duplicate')",
        )?;
        for &[first, last] in runs {
            if last < first {
                return Ok(false);
            }
            let held: i64 = statement.query_row([first, last], |r| r.get(0))?;
            if held != last - first + 1 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Numbers again the envelopes HQ refused because their numbers were used before (HQ's
    /// `SEQ_REUSED`: this database is a copy restored from before some envelopes it had sent),
    /// after `highest`, the highest number HQ holds of this device, and after this desk's own
    /// last; in the order they were written, each with its hash made again, waiting to be sent.
    /// Envelopes still unsent after them are numbered with them, so the order holds. Returns how
    /// many were numbered again.
    pub fn renumber_reused(&mut self, highest: i64) -> Result<usize> {
        // The code as korpus-sync's `codes::SEQ_REUSED` names it (this crate keeps the database
        // alone and does not depend on the protocol).
        const SEQ_REUSED: &str = "SEQ_REUSED";
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let first: Option<i64> = tx.query_row(
            "SELECT min(device_seq) FROM outbox WHERE receipt = 'rejected' AND receipt_code = ?1",
            [SEQ_REUSED],
            |r| r.get(0),
        )?;
        let Some(first) = first else { return Ok(0) };
        let mut device = DeviceState::load(&tx)?;
        let base = highest.max(device.last_seq) + 1;
        let waiting: HashSet<i64> = {
            let mut s = tx.prepare(
                "SELECT device_seq FROM outbox WHERE device_seq >= ?1
                   AND (receipt IS NULL OR (receipt = 'rejected' AND receipt_code = ?2))",
            )?;
            let seqs = s.query_map((first, SEQ_REUSED), |r| r.get(0))?;
            seqs.collect::<rusqlite::Result<_>>()?
        };
        let again: Vec<crate::outbox::OutboxEntry> = crate::outbox::read(&tx, first - 1, 1 << 40, false)?
            .into_iter()
            .filter(|e| waiting.contains(&e.envelope.device_seq))
            .collect();
        let again: Vec<_> = again
            .into_iter()
            .enumerate()
            .map(|(i, e)| (e.envelope.device_seq, base + i as i64, e.envelope))
            .collect();
        // From the last, so that each new number is free when taken (all are above every old one).
        for (old, new, envelope) in again.iter().rev() {
            let renumbered = korpus_domain::Envelope { device_seq: *new, ..envelope.clone() };
            tx.execute(
                "UPDATE outbox SET device_seq = ?2, hash = ?3, sent_at = NULL, receipt = NULL, server_seq = NULL,
                   receipt_code = NULL, receipt_message = NULL
                 WHERE device_seq = ?1",
                (old, new, renumbered.hash()),
            )?;
        }
        let renumbered = again.len();
        if let Some((_, new, _)) = again.last() {
            device.last_seq = *new;
            device.save(&tx)?;
        }
        tx.commit()?;
        Ok(renumbered)
    }

    /// Whether the pull is reading again, from the start, changes it applied before (sent back by
    /// a settled conflict): until it reaches HQ's head ([`Store::finish_replay`]), pages must be
    /// taken whole, this desk's own changes included, and applied in order, each over the last.
    pub fn replaying(&self) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT cursor < replay_until FROM sync_state", [], |r| r.get(0))
            .optional()?
            .unwrap_or(false))
    }

    /// Notes that the pull reached HQ's head: a replay from the start, if one was under way, is
    /// over.
    pub fn finish_replay(&mut self) -> Result<()> {
        self.conn.execute("UPDATE sync_state SET replay_until = 0 WHERE cursor > 0", [])?;
        Ok(())
    }

    /// Whether the outbox holds envelope `id`.
    pub fn outbox_has(&self, id: Uuid) -> Result<bool> {
        Ok(self.conn.query_row("SELECT count(*) FROM outbox WHERE id = ?1", [id.to_string()], |r| {
            r.get::<_, i64>(0)
        })? > 0)
    }

    /// The store's clock's reading.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Notes that a sync ended complete: every envelope answered, the pull at HQ's head.
    pub fn mark_synced(&mut self) -> Result<()> {
        self.conn.execute("UPDATE sync_state SET last_sync_at = ?1", [self.clock.now().to_rfc3339()])?;
        Ok(())
    }

    /// Rows HQ sent that could not be placed here.
    pub fn held_rows(&self) -> Result<Vec<HeldRow>> {
        let mut s =
            self.conn.prepare("SELECT entity, id, reason, deleted FROM sync_held ORDER BY entity, id")?;
        let rows = s.query_map([], |r| {
            Ok(HeldRow { entity: r.get(0)?, id: r.get(1)?, reason: r.get(2)?, deleted: r.get(3)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every record on this desk as (entity, id, version, fields): what the state hash covers.
    pub fn all_rows(&self) -> Result<Vec<IncomingRow>> {
        let mut out = Vec::new();
        for entity in Entity::ALL.iter().copied() {
            let sql = format!("SELECT {} FROM {}", select_columns(entity), table(entity).name);
            for record in tables::read_records::<Map<String, Value>>(&self.conn, entity, &sql, [])? {
                out.push(IncomingRow {
                    entity,
                    id: record.id,
                    version: record.version,
                    deleted: false,
                    fields: record.data,
                });
            }
        }
        Ok(out)
    }
}

/// Keeps what another desk's change did to a row, for the record's history: the fields whose
/// values differ from the row here before it is applied (all of a new row's), or its removal.
fn remember_change(tx: &rusqlite::Transaction<'_>, change: &IncomingChange, row: &IncomingRow) -> Result<()> {
    let t = table(row.entity);
    let before: Option<Map<String, Value>> =
        tables::find_by_id::<Map<String, Value>>(tx, row.entity, row.id)?.map(|r| r.data);
    let (op, fields) = match (&before, row.deleted) {
        (None, true) => return Ok(()),
        (Some(_), true) => ("delete", Map::new()),
        (None, false) => ("insert", row.fields.clone()),
        (Some(old), false) => {
            let changed: Map<String, Value> = t
                .columns
                .iter()
                .filter_map(|(c, _)| {
                    let new = row.fields.get(*c).cloned().unwrap_or(Value::Null);
                    (old.get(*c).unwrap_or(&Value::Null) != &new).then(|| ((*c).to_owned(), new))
                })
                .collect();
            if changed.is_empty() {
                return Ok(());
            }
            ("update", changed)
        }
    };
    tx.execute(
        "INSERT OR IGNORE INTO pulled_changes
         (server_seq, envelope_id, device, author, hlc, entity, entity_id, op, fields)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        (
            change.server_seq,
            change.envelope_id.to_string(),
            change.device.to_string(),
            &change.author,
            &change.hlc,
            row.entity.code(),
            row.id.to_string(),
            op,
            Value::Object(fields).to_string(),
        ),
    )?;
    Ok(())
}

/// Sends the pull back to the start, to read every change again whole up to HQ's head.
const REPLAY: &str = "UPDATE sync_state SET replay_until = 9223372036854775807, cursor = 0";

/// Lets go of this desk's changes HQ answered with a conflict whose case HQ no longer holds open
/// (`cases` are all the open cases of the desk's regions): the conflict was settled elsewhere, on
/// a copy of this database since put back, or at HQ. They stop keeping their fields here (marked
/// superseded by themselves). Whether there were any.
fn let_go_settled_conflicts(tx: &rusqlite::Transaction<'_>, cases: &[SyncCase]) -> Result<bool> {
    let open: HashSet<&str> = cases
        .iter()
        .filter(|c| c.kind == "conflict")
        .filter_map(|c| c.details.get("envelope_id").and_then(Value::as_str))
        .collect();
    let waiting: Vec<String> = {
        let mut s =
            tx.prepare("SELECT id FROM outbox WHERE receipt = 'conflict' AND superseded_by IS NULL")?;
        let ids = s.query_map([], |r| r.get(0))?;
        ids.collect::<rusqlite::Result<_>>()?
    };
    let mut any = false;
    for id in waiting.iter().filter(|id| !open.contains(id.as_str())) {
        tx.execute("UPDATE outbox SET superseded_by = id WHERE id = ?1", [id])?;
        any = true;
    }
    Ok(any)
}

/// For each row this desk's own envelopes changed that HQ applied after the pull's cursor, the
/// last `server_seq` that changed it (read by SQLite from the outbox's ops).
fn own_changes_ahead(tx: &rusqlite::Transaction<'_>) -> Result<HashMap<(&'static str, String), i64>> {
    let mut statement = tx.prepare(
        "SELECT json_extract(op.value, '$.entity'), json_extract(op.value, '$.entity_id'), max(outbox.server_seq)
         FROM outbox, json_each(outbox.ops) AS op
         WHERE outbox.server_seq > (SELECT cursor FROM sync_state) AND outbox.receipt IN ('applied', 'duplicate')
         GROUP BY 1, 2",
    )?;
    let mut rows = statement.query([])?;
    let mut out = HashMap::new();
    while let Some(r) = rows.next()? {
        let (entity, id, seq): (String, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
        if let Ok(entity) = Entity::parse("entity", &entity) {
            out.insert((entity.code(), id), seq);
        }
    }
    Ok(out)
}

/// For each row, the fields changed by envelopes HQ has not applied (not answered yet, or
/// answered with a conflict still to settle). A delete counts as the field `deleted`.
fn pending_fields(tx: &rusqlite::Transaction<'_>) -> Result<HashMap<(Entity, Uuid), HashSet<String>>> {
    let mut out: HashMap<(Entity, Uuid), HashSet<String>> = HashMap::new();
    let mut statement = tx.prepare(
        "SELECT ops FROM outbox
         WHERE sent_at IS NULL OR (receipt = 'conflict' AND superseded_by IS NULL) ORDER BY device_seq",
    )?;
    let mut rows = statement.query([])?;
    while let Some(r) = rows.next()? {
        let text: String = r.get(0)?;
        let ops: Vec<Op> =
            serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("outbox: {e}")))?;
        for op in ops {
            let fields = out.entry((op.entity, op.entity_id)).or_default();
            match op.op {
                korpus_domain::OpKind::Delete => {
                    fields.insert("deleted".to_owned());
                }
                _ => fields.extend(op.fields.keys().cloned()),
            }
        }
    }
    Ok(out)
}

pub(crate) fn apply_row(
    tx: &rusqlite::Transaction<'_>,
    row: &IncomingRow,
    pending: Option<&HashSet<String>>,
    now: &str,
) -> Result<()> {
    let t = table(row.entity);
    let id = row.id.to_string();
    if pending.is_some_and(|p| p.contains("deleted")) {
        return Ok(());
    }
    if row.deleted {
        if pending.is_none() {
            tx.execute(&format!("DELETE FROM {} WHERE id = ?1", t.name), [&id])?;
        }
        return Ok(());
    }
    let exists: bool =
        tx.query_row(&format!("SELECT count(*) FROM {} WHERE id = ?1", t.name), [&id], |r| {
            r.get::<_, i64>(0)
        })? > 0;
    let keep = |column: &str| pending.is_some_and(|p| p.contains(column));
    let result = if exists {
        let mut assignments = vec!["version = ?2".to_owned()];
        let mut values =
            vec![rusqlite::types::Value::Text(id.clone()), rusqlite::types::Value::Integer(row.version)];
        for (column, kind) in t.columns.iter().filter(|(c, _)| !keep(c)) {
            values.push(to_sql(*kind, row.fields.get(*column).unwrap_or(&Value::Null))?);
            assignments.push(format!("{column} = ?{}", values.len()));
        }
        let sql = format!("UPDATE {} SET {} WHERE id = ?1", t.name, assignments.join(", "));
        tx.execute(&sql, params_from_iter(values))
    } else {
        let names: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
        let placeholders: Vec<String> = (0..names.len()).map(|i| format!("?{}", i + 4)).collect();
        let sql = format!(
            "INSERT INTO {} (id, version, hlc, {}) VALUES (?1, ?2, ?3, {})",
            t.name,
            names.join(", "),
            placeholders.join(", ")
        );
        let mut values = vec![
            rusqlite::types::Value::Text(id.clone()),
            rusqlite::types::Value::Integer(row.version),
            rusqlite::types::Value::Text(Hlc::default().to_string()),
        ];
        for (column, kind) in t.columns {
            values.push(to_sql(*kind, row.fields.get(*column).unwrap_or(&Value::Null))?);
        }
        tx.execute(&sql, params_from_iter(values))
    };
    match result {
        Ok(_) => {
            tx.execute("DELETE FROM sync_held WHERE entity = ?1 AND id = ?2", (row.entity.code(), &id))?;
            Ok(())
        }
        // Another local row holds this IIN or BIN: HQ has a duplicate case for the pair. Keep HQ's
        // row aside rather than stop the pull.
        Err(rusqlite::Error::SqliteFailure(e, Some(message)))
            if e.code == ErrorCode::ConstraintViolation && message.contains("UNIQUE") =>
        {
            let fields = Value::Object(row.fields.clone()).to_string();
            tx.execute(
                "INSERT INTO sync_held (entity, id, version, fields, reason, held_at, deleted)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)
                 ON CONFLICT (entity, id) DO UPDATE SET version = ?3, fields = ?4, reason = ?5, held_at = ?6,
                   deleted = 0",
                (row.entity.code(), &id, row.version, fields, format!("unique:{message}"), now),
            )?;
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// A field in conflict as HQ's case names it (korpus-sync's `FieldConflict`).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct ConflictField {
    /// The kind of record.
    pub entity: Entity,
    /// The record.
    pub entity_id: Uuid,
    /// The field (`deleted` for a removal).
    pub field: String,
    /// HQ's value.
    pub theirs: Value,
    /// This desk's value.
    #[serde(default)]
    pub mine: Value,
}

impl SyncCase {
    /// For a conflict: the fields in conflict.
    pub fn conflicts(&self) -> Vec<ConflictField> {
        serde_json::from_value(self.details["conflicts"].clone()).unwrap_or_default()
    }

    /// For a duplicate: the records concerned.
    pub fn records(&self) -> Vec<Uuid> {
        serde_json::from_value(self.details["rows"].clone()).unwrap_or_default()
    }
}

/// Which side of a field in conflict a coordinator keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// This desk's value.
    Mine,
    /// HQ's value.
    Theirs,
}

impl Keep {
    /// Reads `mine` or `theirs`, or says so naming `field`.
    pub fn parse(field: &'static str, value: &str) -> Result<Keep> {
        match value.trim() {
            "mine" => Ok(Keep::Mine),
            "theirs" => Ok(Keep::Theirs),
            _ => Err(StoreError::Invalid(korpus_domain::ValidationErrors::one(
                korpus_domain::validation::FieldError::unknown_value(field, value, &["mine", "theirs"]),
            ))),
        }
    }
}

impl Store {
    /// Settles the conflict case `case_id`: for each field in conflict, the value kept is
    /// `choices[field]`, else `default`. One envelope carries the choices and the rest of the
    /// conflicted change, based on HQ's version, and tells HQ the case is settled; the conflicted
    /// envelope is superseded. A removal in conflict can only be settled by taking HQ's side.
    /// Returns the new envelope's id.
    pub fn resolve_conflict(
        &mut self,
        case_id: Uuid,
        choices: &HashMap<String, Keep>,
        default: Keep,
    ) -> Result<Uuid> {
        use korpus_domain::validation::FieldError;
        use korpus_domain::{OpKind, ValidationErrors};
        let invalid = |key: &'static str, value: String| {
            StoreError::Invalid(ValidationErrors::one(FieldError::new("case", key).arg("value", value)))
        };
        let case = self
            .sync_cases()?
            .into_iter()
            .find(|c| c.id == case_id && c.kind == "conflict")
            .ok_or_else(|| invalid("error-case-unknown", case_id.to_string()))?;
        let envelope_id = case.details["envelope_id"].as_str().unwrap_or_default().to_owned();
        let conflicts = case.conflicts();
        if let Some(unknown) = choices.keys().find(|f| !conflicts.iter().any(|c| &&c.field == f)) {
            return Err(invalid("error-case-field", unknown.clone()));
        }
        let ops: Option<String> = self
            .conn
            .query_row(
                "SELECT ops FROM outbox WHERE id = ?1 AND receipt = 'conflict' AND superseded_by IS NULL",
                [&envelope_id],
                |r| r.get(0),
            )
            .optional()?;
        let ops: Vec<Op> = match ops {
            Some(text) => {
                serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("outbox: {e}")))?
            }
            None => return Err(invalid("error-case-unknown", case_id.to_string())),
        };
        let keep = |field: &str| choices.get(field).copied().unwrap_or(default);
        if conflicts.iter().any(|c| c.field == "deleted" && keep("deleted") == Keep::Mine) {
            return Err(invalid("error-case-removal", case_id.to_string()));
        }
        let superseded = Uuid::parse_str(&envelope_id).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut repull = false;
        self.write_batch(|batch| {
            batch.record_resolution(case_id, superseded, |w| {
                for op in &ops {
                    let mine_removed = conflicts.iter().any(|c| {
                        c.entity == op.entity && c.entity_id == op.entity_id && c.field == "deleted"
                    });
                    if mine_removed || op.op == OpKind::Delete {
                        // HQ's side of a removal: HQ removed the row (remove it here, HQ knows)
                        // or changed a row this desk removed (fetch it again from HQ).
                        let sql = format!("DELETE FROM {} WHERE id = ?1", table(op.entity).name);
                        let removed = w.conn().execute(&sql, [op.entity_id.to_string()])?;
                        repull |= removed == 0 || op.op == OpKind::Delete;
                        continue;
                    }
                    let current: crate::Record<Map<String, Value>> =
                        tables::read_by_id(w.conn(), op.entity, op.entity_id)?;
                    let mut fields = op.fields.clone();
                    for c in conflicts.iter().filter(|c| c.entity == op.entity && c.entity_id == op.entity_id)
                    {
                        if keep(&c.field) == Keep::Theirs {
                            fields.insert(c.field.clone(), c.theirs.clone());
                        }
                    }
                    w.set_fields(op.entity, op.entity_id, current.version, fields)?;
                }
                Ok(())
            })
        })?;
        if repull {
            // The row must come back whole from HQ: read the region's changes again, every one
            // whole, up to HQ's head (`Store::replaying`).
            self.conn.execute(REPLAY, [])?;
        }
        let after = self.stamp_last_seq()?;
        let id: String =
            self.conn.query_row("SELECT id FROM outbox WHERE device_seq = ?1", [after], |r| r.get(0))?;
        Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    fn stamp_last_seq(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT last_seq FROM device WHERE singleton = 1", [], |r| r.get(0))?)
    }
}

impl Store {
    /// Scanned files HQ does not have yet, named by documents: (SHA-256, size).
    pub fn blobs_to_upload(&self) -> Result<Vec<(String, i64)>> {
        let mut s = self.conn.prepare(
            "SELECT sha256, size FROM blobs b WHERE synced = 0
               AND EXISTS (SELECT 1 FROM documents d WHERE d.file_sha256 = b.sha256) ORDER BY sha256",
        )?;
        let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// `length` bytes of a kept file from `offset`.
    pub fn blob_chunk(&self, sha256: &str, offset: i64, length: i64) -> Result<Vec<u8>> {
        Ok(self.conn.query_row(
            "SELECT substr(data, ?2, ?3) FROM blobs WHERE sha256 = ?1",
            (sha256, offset + 1, length),
            |r| r.get(0),
        )?)
    }

    /// Notes that HQ has the file whole.
    pub fn mark_blob_synced(&mut self, sha256: &str) -> Result<()> {
        self.conn.execute("UPDATE blobs SET synced = 1 WHERE sha256 = ?1", [sha256])?;
        Ok(())
    }

    /// Files documents here name but this desk does not have: (SHA-256, size, bytes staged so far).
    pub fn blobs_to_download(&self) -> Result<Vec<(String, i64, i64)>> {
        let mut s = self.conn.prepare(
            "SELECT d.file_sha256, max(d.file_size),
                    (SELECT coalesce(sum(length(s.data)), 0) FROM blob_downloads s WHERE s.sha256 = d.file_sha256)
             FROM documents d
             WHERE d.file_sha256 IS NOT NULL AND d.file_size > 0
               AND NOT EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = d.file_sha256)
             GROUP BY d.file_sha256 ORDER BY d.file_sha256",
        )?;
        let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Adds a chunk from HQ at the end of the staged file; when the file is whole and its hash
    /// checks, it joins the kept files. Returns whether it is whole.
    pub fn append_download(&mut self, sha256: &str, size: i64, chunk: &[u8]) -> Result<bool> {
        use sha2::{Digest, Sha256};
        let now = self.clock.now().to_rfc3339();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let staged: i64 = tx.query_row(
            "SELECT coalesce(sum(length(data)), 0) FROM blob_downloads WHERE sha256 = ?1",
            [sha256],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO blob_downloads (sha256, offset, data) VALUES (?1, ?2, ?3)",
            (sha256, staged, chunk),
        )?;
        let whole = staged + chunk.len() as i64 >= size;
        if whole {
            let mut data = Vec::with_capacity(size as usize);
            {
                let mut s =
                    tx.prepare("SELECT data FROM blob_downloads WHERE sha256 = ?1 ORDER BY offset")?;
                let mut rows = s.query([sha256])?;
                while let Some(r) = rows.next()? {
                    data.extend_from_slice(
                        r.get_ref(0)?.as_blob().map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    );
                }
            }
            tx.execute("DELETE FROM blob_downloads WHERE sha256 = ?1", [sha256])?;
            if data.len() as i64 != size || hex::encode(Sha256::digest(&data)) != sha256 {
                // Start again from nothing at the next sync.
                tx.commit()?;
                return Err(StoreError::Corrupt(format!(
                    "the file {sha256} from HQ does not match its hash"
                )));
            }
            tx.execute(
                "INSERT OR IGNORE INTO blobs (sha256, size, data, created_at, synced) VALUES (?1, ?2, ?3, ?4, 1)",
                (sha256, size, &data, now),
            )?;
        }
        tx.commit()?;
        Ok(whole)
    }
}
