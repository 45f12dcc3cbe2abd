//! A record's history: who changed what and when, from the envelopes. This desk's own changes
//! are its outbox; another desk's come from HQ with their author and clock and are kept when
//! pulled (`pulled_changes`). A record's history takes in the rows that belong to it: a person's,
//! mentor's or host organisation's documents and decisions, an application's members, scores,
//! contract and withdrawals.

use crate::Store;
use crate::error::{Result, StoreError};
use chrono::{DateTime, Utc};
use korpus_domain::{Entity, Hlc, Op, OpKind};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use uuid::Uuid;

/// One change of a record or of a row that belongs to it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// When, by the clock of the desk that wrote it (RFC 3339, UTC).
    pub at: String,
    /// Who, as that desk names its user.
    pub author: String,
    /// Written on this desk (else on another, and brought by HQ).
    pub here: bool,
    /// The desk that wrote it.
    pub device: Uuid,
    /// What kind of row changed: the record itself or one of its own.
    pub entity: Entity,
    /// The row's id.
    pub entity_id: Uuid,
    /// Created, changed or removed.
    pub op: OpKind,
    /// The fields written and their new values (all of a new row's; none of a removal).
    #[cfg_attr(feature = "ts", ts(type = "{ [field: string]: unknown }"))]
    pub fields: Map<String, Value>,
}

/// The rows that belong to a record of `entity`: their kind and the field naming the record.
fn parts(entity: Entity) -> &'static [(Entity, &'static str)] {
    match entity {
        Entity::Person => &[(Entity::Document, "owner_id"), (Entity::Withdrawal, "person_id")],
        Entity::Mentor => &[
            (Entity::Document, "owner_id"),
            (Entity::MentorInterview, "mentor_id"),
            (Entity::MentorDecision, "mentor_id"),
        ],
        Entity::HostOrg => &[(Entity::Document, "owner_id"), (Entity::HostOrgDecision, "host_org_id")],
        Entity::Application => &[
            (Entity::ApplicationMember, "application_id"),
            (Entity::Score, "application_id"),
            (Entity::CommissionDecision, "application_id"),
            (Entity::GrantContract, "application_id"),
            (Entity::Withdrawal, "application_id"),
        ],
        _ => &[],
    }
}

/// The instant an HLC reading's wall clock shows, as RFC 3339.
fn instant(hlc: &str) -> String {
    Hlc::parse(hlc)
        .and_then(|h| DateTime::<Utc>::from_timestamp_millis(h.wall_ms))
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

impl Store {
    /// The history of record `id` of `entity` and of the rows that belong to it, newest first.
    pub fn history(&self, entity: Entity, id: Uuid) -> Result<Vec<HistoryEntry>> {
        let own = self.device_id();
        // The rows of the record: it, and every row that ever named it (removed ones too). The
        // outbox is searched as text for the id first: parsing every envelope's JSON would take
        // seconds on a desk of some ten thousand people.
        let mut rows: BTreeSet<(Entity, Uuid)> = BTreeSet::from([(entity, id)]);
        for (part, field) in parts(entity) {
            let path = format!("$.{field}");
            let mut found = self.conn.prepare_cached(
                "SELECT json_extract(j.value, '$.entity_id') FROM outbox o, json_each(o.ops) j
                 WHERE instr(o.ops, ?3) > 0
                   AND json_extract(j.value, '$.entity') = ?1 AND json_extract(j.value, '$.fields' || ?2) = ?3
                 UNION
                 SELECT entity_id FROM pulled_changes
                 WHERE entity = ?1 AND json_extract(fields, ?4) = ?3",
            )?;
            let ids = found
                .query_map((part.code(), &path[1..], id.to_string(), &path), |r| r.get::<_, String>(0))?;
            for found in ids {
                let found = found?;
                let part_id =
                    Uuid::parse_str(&found).map_err(|e| StoreError::Corrupt(format!("{found}: {e}")))?;
                rows.insert((*part, part_id));
            }
        }
        let mut entries = Vec::new();
        for (row_entity, row_id) in &rows {
            let mut mine = self.conn.prepare_cached(
                "SELECT o.author, o.hlc, j.value FROM outbox o, json_each(o.ops) j
                 WHERE instr(o.ops, ?1) > 0
                   AND json_extract(j.value, '$.entity_id') = ?1 AND json_extract(j.value, '$.entity') = ?2",
            )?;
            let found = mine.query_map((row_id.to_string(), row_entity.code()), |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
            })?;
            for row in found {
                let (author, hlc, op) = row?;
                let op: Op =
                    serde_json::from_str(&op).map_err(|e| StoreError::Corrupt(format!("outbox: {e}")))?;
                entries.push((
                    hlc.clone(),
                    HistoryEntry {
                        at: instant(&hlc),
                        author,
                        here: true,
                        device: own,
                        entity: op.entity,
                        entity_id: op.entity_id,
                        op: op.op,
                        fields: op.fields,
                    },
                ));
            }
            let mut theirs = self.conn.prepare_cached(
                "SELECT author, hlc, device, op, fields FROM pulled_changes
                 WHERE entity_id = ?1 AND entity = ?2 ORDER BY server_seq",
            )?;
            let found = theirs.query_map((row_id.to_string(), row_entity.code()), |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?;
            for row in found {
                let (author, hlc, device, op, fields) = row?;
                let corrupt = |e: String| StoreError::Corrupt(format!("pulled change of {row_id}: {e}"));
                let fields = match serde_json::from_str(&fields).map_err(|e| corrupt(e.to_string()))? {
                    Value::Object(m) => m,
                    _ => Map::new(),
                };
                entries.push((
                    hlc.clone(),
                    HistoryEntry {
                        at: instant(&hlc),
                        author,
                        here: false,
                        device: Uuid::parse_str(&device).map_err(|e| corrupt(e.to_string()))?,
                        entity: *row_entity,
                        entity_id: *row_id,
                        op: OpKind::parse("op", &op).map_err(|e| corrupt(e.key.to_owned()))?,
                        fields,
                    },
                ));
            }
        }
        // The clock's text sorts as the clock does; newest first.
        entries.sort_by(|a, b| b.0.cmp(&a.0));
        Ok(entries.into_iter().map(|(_, e)| e).collect())
    }
}
