//! The one way data is written: an action's row changes and its envelope commit in one
//! transaction, so the outbox holds every change from the first row on, numbered without gaps.

use crate::error::{Result, StoreError};
use crate::tables::{Record, fields, read_by_id, table, to_sql};
use chrono::{DateTime, Utc};
use korpus_domain::{Entity, Envelope, Hlc, Op, OpKind};
use rusqlite::{OptionalExtension, Transaction, params_from_iter};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use uuid::Uuid;

/// The device's running state: read at the start of a transaction, saved at its end.
#[derive(Debug, Clone)]
pub(crate) struct DeviceState {
    pub device_id: Uuid,
    pub last_seq: i64,
    pub hlc: Hlc,
}

impl DeviceState {
    pub(crate) fn load(tx: &Transaction<'_>) -> Result<DeviceState> {
        let (device_id, last_seq, hlc): (String, i64, String) = tx
            .query_row("SELECT device_id, last_seq, hlc FROM device WHERE singleton = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?
            .ok_or(StoreError::NotInitialised)?;
        Ok(DeviceState {
            device_id: Uuid::parse_str(&device_id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            last_seq,
            hlc: Hlc::parse(&hlc).ok_or_else(|| StoreError::Corrupt(format!("device clock {hlc}")))?,
        })
    }

    pub(crate) fn save(&self, tx: &Transaction<'_>) -> Result<()> {
        tx.execute(
            "UPDATE device SET last_seq = ?1, hlc = ?2 WHERE singleton = 1",
            (self.last_seq, self.hlc.to_string()),
        )?;
        Ok(())
    }
}

/// What every envelope of a store carries besides its ops.
#[derive(Debug, Clone)]
pub(crate) struct Stamp {
    pub author: String,
    pub schema_version: i64,
    pub rulebook_version: String,
}

/// Records the row changes of one user action; `Batch::record` turns them into an envelope.
pub struct Writer<'t> {
    tx: &'t Transaction<'t>,
    hlc: Hlc,
    ops: Vec<Op>,
}

impl<'t> Writer<'t> {
    /// The transaction, for the reads and checks an action makes before it writes.
    pub(crate) fn conn(&self) -> &Transaction<'t> {
        self.tx
    }

    /// Creates the row `id` of `entity` from `data`.
    pub(crate) fn insert<T: Serialize>(&mut self, entity: Entity, id: Uuid, data: &T) -> Result<()> {
        let fields = fields(entity, data)?;
        let t = table(entity);
        let names: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
        let placeholders: Vec<String> = (0..names.len()).map(|i| format!("?{}", i + 4)).collect();
        let sql = format!(
            "INSERT INTO {} (id, version, hlc, {}) VALUES (?1, ?2, ?3, {})",
            t.name,
            names.join(", "),
            placeholders.join(", ")
        );
        let mut values = vec![
            rusqlite::types::Value::Text(id.to_string()),
            rusqlite::types::Value::Integer(1),
            rusqlite::types::Value::Text(self.hlc.to_string()),
        ];
        for (column, kind) in t.columns {
            values.push(to_sql(*kind, &fields[*column])?);
        }
        self.tx.prepare_cached(&sql)?.execute(params_from_iter(values))?;
        self.ops.push(Op { entity, entity_id: id, op: OpKind::Insert, base_version: 0, fields });
        Ok(())
    }

    /// Changes the row `id` of `entity`, read at `base_version` as `old`, to `new`. Only the
    /// fields that differ are written and sent. Returns their names; none changed writes nothing.
    pub(crate) fn update<T: Serialize>(
        &mut self,
        entity: Entity,
        id: Uuid,
        base_version: i64,
        old: &T,
        new: &T,
    ) -> Result<Vec<String>> {
        let old = fields(entity, old)?;
        let changed: Map<String, Value> =
            fields(entity, new)?.into_iter().filter(|(k, v)| old.get(k) != Some(v)).collect();
        if changed.is_empty() {
            return Ok(Vec::new());
        }
        let names = changed.keys().cloned().collect();
        self.set_fields(entity, id, base_version, changed)?;
        Ok(names)
    }

    /// Replaces the data of row `id` of `entity`, as read at `base_version`, with `new`: the
    /// edit of a form. Returns the record as it now is and the names of the fields that changed.
    pub(crate) fn replace<T: Serialize + DeserializeOwned>(
        &mut self,
        entity: Entity,
        id: Uuid,
        base_version: i64,
        new: T,
    ) -> Result<(Record<T>, Vec<String>)> {
        let old: Record<T> = read_by_id(self.tx, entity, id)?;
        let changed = self.update(entity, id, base_version, &old.data, &new)?;
        let version = if changed.is_empty() { old.version } else { old.version + 1 };
        Ok((Record { id, version, data: new }, changed))
    }

    /// Writes `fields` of row `id` of `entity`, read at `base_version`, and sends every one of
    /// them, changed here or not: a settled conflict must tell HQ the chosen value even when this
    /// desk already holds it.
    pub(crate) fn set_fields(
        &mut self,
        entity: Entity,
        id: Uuid,
        base_version: i64,
        fields: Map<String, Value>,
    ) -> Result<()> {
        let t = table(entity);
        let mut assignments = Vec::new();
        let mut values = vec![
            rusqlite::types::Value::Text(self.hlc.to_string()),
            rusqlite::types::Value::Text(id.to_string()),
            rusqlite::types::Value::Integer(base_version),
        ];
        for (column, value) in &fields {
            let Some((_, kind)) = t.columns.iter().find(|(c, _)| c == column) else {
                return Err(StoreError::Corrupt(format!("{entity} has no field {column}")));
            };
            values.push(to_sql(*kind, value)?);
            assignments.push(format!("{column} = ?{}", values.len()));
        }
        if fields.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "UPDATE {} SET version = version + 1, hlc = ?1, {} WHERE id = ?2 AND version = ?3",
            t.name,
            assignments.join(", ")
        );
        if self.tx.execute(&sql, params_from_iter(values))? == 0 {
            return Err(self.missing_or_stale(entity, id, base_version));
        }
        self.ops.push(Op { entity, entity_id: id, op: OpKind::Update, base_version, fields });
        Ok(())
    }

    /// Removes the row `id` of `entity`, read at `base_version`.
    pub(crate) fn delete(&mut self, entity: Entity, id: Uuid, base_version: i64) -> Result<()> {
        let sql = format!("DELETE FROM {} WHERE id = ?1 AND version = ?2", table(entity).name);
        if self.tx.execute(&sql, (id.to_string(), base_version))? == 0 {
            return Err(self.missing_or_stale(entity, id, base_version));
        }
        self.ops.push(Op { entity, entity_id: id, op: OpKind::Delete, base_version, fields: Map::new() });
        Ok(())
    }

    fn missing_or_stale(&self, entity: Entity, id: Uuid, expected: i64) -> StoreError {
        let sql = format!("SELECT version FROM {} WHERE id = ?1", table(entity).name);
        match self.tx.query_row(&sql, [id.to_string()], |r| r.get::<_, i64>(0)).optional() {
            Ok(Some(found)) => StoreError::Stale { entity, id, found, expected },
            Ok(None) => StoreError::NotFound { entity, query: id.to_string() },
            Err(e) => e.into(),
        }
    }
}

/// One SQL transaction in which any number of user actions are recorded, each as its own
/// envelope. Nothing of it is kept unless all of it succeeds.
pub struct Batch<'t> {
    tx: &'t Transaction<'t>,
    device: DeviceState,
    stamp: &'t Stamp,
    now: DateTime<Utc>,
}

impl<'t> Batch<'t> {
    pub(crate) fn new(tx: &'t Transaction<'t>, stamp: &'t Stamp, now: DateTime<Utc>) -> Result<Self> {
        Ok(Batch { tx, device: DeviceState::load(tx)?, stamp, now })
    }

    /// Records one user action: `action` makes its row changes through the writer; if it made
    /// any, they become the next envelope of the outbox. An error from `action` leaves the batch
    /// failed: the caller must not commit it.
    pub fn record<T>(&mut self, action: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        self.record_envelope(None, action)
    }

    /// Records the action that settles HQ's conflict case `case`, raised by the envelope
    /// `superseded` of this outbox: the new envelope says so (`resolves`), and the old one stops
    /// holding its fields against HQ's.
    pub(crate) fn record_resolution<T>(
        &mut self,
        case: Uuid,
        superseded: Uuid,
        action: impl FnOnce(&mut Writer<'_>) -> Result<T>,
    ) -> Result<T> {
        // Always an envelope, even with no ops: HQ must hear that the case is settled.
        let out = self.record_envelope(Some(case), action)?;
        self.tx.execute(
            "UPDATE outbox SET superseded_by = (SELECT id FROM outbox WHERE device_seq = ?2) WHERE id = ?1",
            (superseded.to_string(), self.device.last_seq),
        )?;
        Ok(out)
    }

    fn record_envelope<T>(
        &mut self,
        resolves: Option<Uuid>,
        action: impl FnOnce(&mut Writer<'_>) -> Result<T>,
    ) -> Result<T> {
        let hlc = self.device.hlc.tick(self.now.timestamp_millis());
        let mut writer = Writer { tx: self.tx, hlc, ops: Vec::new() };
        let out = action(&mut writer)?;
        if writer.ops.is_empty() && resolves.is_none() {
            return Ok(out);
        }
        let envelope = Envelope {
            id: Uuid::now_v7(),
            device: self.device.device_id,
            device_seq: self.device.last_seq + 1,
            hlc,
            author: self.stamp.author.clone(),
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            schema_version: self.stamp.schema_version,
            rulebook_version: self.stamp.rulebook_version.clone(),
            ops: writer.ops,
            resolves,
        };
        append(self.tx, &envelope, self.now)?;
        self.device.last_seq = envelope.device_seq;
        self.device.hlc = hlc;
        Ok(out)
    }

    pub(crate) fn finish(self) -> Result<()> {
        self.device.save(self.tx)
    }
}

/// SHA-256 of an envelope's canonical JSON (keys sorted, no spaces): HQ tells a retried envelope
/// (same id, same hash) from a forged or corrupted one (same id, other hash).
pub fn envelope_hash(envelope: &Envelope) -> Result<String> {
    Ok(envelope.hash())
}

fn append(tx: &Transaction<'_>, e: &Envelope, now: DateTime<Utc>) -> Result<()> {
    let ops = serde_json::to_string(&e.ops).map_err(|err| StoreError::Corrupt(err.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO outbox (device_seq, id, device, hlc, author, app_version, schema_version,
                             rulebook_version, ops, hash, created_at, resolves)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(rusqlite::params![
        e.device_seq,
        e.id.to_string(),
        e.device.to_string(),
        e.hlc.to_string(),
        e.author,
        e.app_version,
        e.schema_version,
        e.rulebook_version,
        ops,
        envelope_hash(e)?,
        now.to_rfc3339(),
        e.resolves.map(|r| r.to_string()),
    ])?;
    Ok(())
}

/// An envelope as the outbox keeps it, with its hash and whether sync has sent it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxEntry {
    /// The envelope.
    #[serde(flatten)]
    pub envelope: Envelope,
    /// Its content hash.
    pub hash: String,
    /// When it was written.
    pub created_at: String,
    /// When HQ answered it, once sync has.
    pub sent_at: Option<String>,
    /// HQ's answer: `applied`, `duplicate`, `conflict` or `rejected`.
    pub receipt: Option<String>,
}

/// The envelopes after `after_seq`, oldest first, at most `limit`; with `unsent_only`, only those
/// HQ has not answered yet.
pub(crate) fn read(
    conn: &rusqlite::Connection,
    after_seq: i64,
    limit: usize,
    unsent_only: bool,
) -> Result<Vec<OutboxEntry>> {
    let mut statement = conn.prepare_cached(
        "SELECT device_seq, id, device, hlc, author, app_version, schema_version, rulebook_version,
                ops, hash, created_at, sent_at, resolves, receipt
         FROM outbox WHERE device_seq > ?1 AND (?3 = 0 OR sent_at IS NULL) ORDER BY device_seq LIMIT ?2",
    )?;
    let mut rows = statement.query((after_seq, limit as i64, i64::from(unsent_only)))?;
    let mut out = Vec::new();
    let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("outbox: {e}"));
    while let Some(r) = rows.next()? {
        let id: String = r.get(1)?;
        let device: String = r.get(2)?;
        let hlc: String = r.get(3)?;
        let ops: String = r.get(8)?;
        out.push(OutboxEntry {
            envelope: Envelope {
                device_seq: r.get(0)?,
                id: Uuid::parse_str(&id).map_err(|e| corrupt(&e))?,
                device: Uuid::parse_str(&device).map_err(|e| corrupt(&e))?,
                hlc: Hlc::parse(&hlc).ok_or_else(|| corrupt(&hlc))?,
                author: r.get(4)?,
                app_version: r.get(5)?,
                schema_version: r.get(6)?,
                rulebook_version: r.get(7)?,
                ops: serde_json::from_str(&ops).map_err(|e| corrupt(&e))?,
                resolves: r
                    .get::<_, Option<String>>(12)?
                    .as_deref()
                    .map(Uuid::parse_str)
                    .transpose()
                    .map_err(|e| corrupt(&e))?,
            },
            hash: r.get(9)?,
            created_at: r.get(10)?,
            sent_at: r.get(11)?,
            receipt: r.get(13)?,
        });
    }
    Ok(out)
}
