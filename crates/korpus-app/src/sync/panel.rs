//! Where a desk stands with HQ, as the sync panel shows it: enrolment, the last complete sync,
//! what waits, and the cases HQ sent, each conflict's fields with both sides as text.

use crate::error::Result;
use korpus_store::{Keep, Store, StoreError, local_time};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

/// The sync panel: where the desk stands with HQ, and the cases HQ sent.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncPanel {
    /// Enrolled with an HQ.
    pub enrolled: bool,
    /// HQ's address.
    pub server_url: Option<String>,
    /// The coordinator's login at HQ.
    pub account: Option<String>,
    /// The regions this desk receives.
    pub regions: Vec<String>,
    /// When the last complete sync ended, `DD.MM.YYYY HH:MM` in Kazakhstan's time.
    pub last_sync_at: Option<String>,
    /// Changes HQ has not answered yet.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub unsent: i64,
    /// Changes HQ refused.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub rejected: i64,
    /// Open cases: conflicts to settle, duplicates to look at.
    pub cases: Vec<CaseView>,
    /// Rows HQ sent that wait to be placed here, each with why.
    pub held: Vec<HeldView>,
}

/// A row HQ sent that this desk holds rather than stop the pull (tried again after every pull).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldView {
    /// The kind of record (an entity code).
    pub entity: String,
    /// Its id.
    pub id: String,
    /// Why: `missing` (it names a record this desk does not have), `named` (HQ removed it, a row
    /// here still names it), `pending` (HQ removed it or moved it out of this desk's regions while
    /// a change of it made here waits for HQ's answer) or `unique` (another record here holds its
    /// IIN or BIN).
    pub reason: String,
    /// The record it names, or that names it (an entity code), where the reason has one.
    pub other_entity: Option<String>,
    /// That record's id.
    pub other_id: Option<String>,
}

impl HeldView {
    /// The view of a held row, its reason code read (migration `13-held`).
    pub fn of(row: &korpus_store::HeldRow) -> HeldView {
        let mut parts = row.reason.splitn(3, ':');
        let reason = parts.next().unwrap_or_default().to_owned();
        let (other_entity, other_id) = match reason.as_str() {
            "missing" | "named" => (parts.next().map(str::to_owned), parts.next().map(str::to_owned)),
            _ => (None, None),
        };
        HeldView { entity: row.entity.clone(), id: row.id.clone(), reason, other_entity, other_id }
    }

    /// The message key that says why (`sync-held-missing`, `-named`, `-unique`).
    pub fn message_key(&self) -> &'static str {
        match self.reason.as_str() {
            "missing" => "sync-held-missing",
            "named" => "sync-held-named",
            "pending" => "sync-held-pending",
            _ => "sync-held-unique",
        }
    }
}

/// A case HQ sent.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseView {
    /// Its id.
    pub id: String,
    /// `conflict`, `duplicate_iin`, `person_in_two_subprojects` or `host_org_over_limit`.
    pub kind: String,
    /// When HQ opened it, `DD.MM.YYYY HH:MM` in Kazakhstan's time.
    pub opened_at: String,
    /// For a conflict: each field, with HQ's value and this desk's.
    pub fields: Vec<ConflictView>,
    /// For a duplicate: the ids of the records concerned; for a host organisation over its
    /// limit, the applications beyond it.
    pub records: Vec<String>,
    /// For a host organisation over its limit: its name (its id when this desk does not hold
    /// it), the applications it has across the desks, the limit, and the names of those beyond.
    pub host_org: Option<HostOrgOverLimit>,
    /// For a hole in this desk's numbering (`device_seq_gap`) or numbers used twice
    /// (`device_seq_reused`): which numbers.
    pub sequence: Option<SequenceNote>,
    /// For a change of a record that had moved (`moved_row_edit`): the regions (KATO codes) it
    /// moved from and to.
    pub moved: Option<(String, String)>,
}

/// The numbers a sequence case names.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SequenceNote {
    /// The missing numbers (the first 50), or those sent twice.
    #[cfg_attr(feature = "ts", ts(type = "number[]"))]
    pub numbers: Vec<i64>,
    /// How many are missing.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: i64,
    /// The highest number HQ holds of this desk.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub highest: i64,
}

/// What a sequence case names.
fn sequence_note(c: &korpus_store::SyncCase) -> Option<SequenceNote> {
    let list = match c.kind.as_str() {
        "device_seq_gap" => "missing",
        "device_seq_reused" => "seqs",
        _ => return None,
    };
    let numbers: Vec<i64> = serde_json::from_value(c.details[list].clone()).unwrap_or_default();
    let count = c.details["missing_count"].as_i64().unwrap_or(numbers.len() as i64);
    Some(SequenceNote { count, highest: c.details["highest"].as_i64().unwrap_or_default(), numbers })
}

/// A host organisation with more applications than the rulebook allows, counted at HQ.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostOrgOverLimit {
    /// Its name, or its id.
    pub name: String,
    /// Its applications of the cohort, on every desk.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: u64,
    /// The rulebook's limit.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub max: u64,
    /// The applications beyond the limit, by name where this desk holds them.
    pub beyond: Vec<String>,
}

/// One field in conflict.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConflictView {
    /// The kind of record.
    pub entity: String,
    /// Its id.
    pub entity_id: String,
    /// The field.
    pub field: String,
    /// HQ's value, as text.
    pub theirs: String,
    /// This desk's value, as text.
    pub mine: String,
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// What a host-organisation case names, with the names this desk holds.
fn host_org_over_limit(store: &Store, c: &korpus_store::SyncCase) -> Option<HostOrgOverLimit> {
    if c.kind != "host_org_over_limit" {
        return None;
    }
    let org = c.details["host_org"].as_str().unwrap_or_default();
    let name = store.host_org(org).map(|o| o.data.name).unwrap_or_else(|_| org.to_owned());
    let beyond = c
        .records()
        .iter()
        .map(|id| {
            store.application(&id.to_string()).map(|a| a.application.data.name).unwrap_or(id.to_string())
        })
        .collect();
    let number = |key: &str| c.details[key].as_u64().unwrap_or_default();
    Some(HostOrgOverLimit { name, count: number("count"), max: number("max"), beyond })
}

fn case_view(store: &Store, c: korpus_store::SyncCase) -> CaseView {
    CaseView {
        host_org: host_org_over_limit(store, &c),
        sequence: sequence_note(&c),
        moved: (c.kind == "moved_row_edit").then(|| {
            let code = |key: &str| c.details[key].as_str().unwrap_or_default().to_owned();
            (code("from"), code("to"))
        }),
        id: c.id.to_string(),
        opened_at: local_time(&c.opened_at),
        fields: c
            .conflicts()
            .into_iter()
            .map(|f| ConflictView {
                entity: f.entity.code().to_owned(),
                entity_id: f.entity_id.to_string(),
                field: f.field,
                theirs: text(&f.theirs),
                mine: text(&f.mine),
            })
            .collect(),
        records: c.records().iter().map(Uuid::to_string).collect(),
        kind: c.kind,
    }
}

/// The panel as the database of `store` has it.
pub fn panel(store: &Store) -> Result<SyncPanel> {
    let cases = store.sync_cases()?.into_iter().map(|c| case_view(store, c)).collect();
    let held: Vec<HeldView> = store.held_rows()?.iter().map(HeldView::of).collect();
    Ok(match store.sync_state()? {
        Some(s) => SyncPanel {
            enrolled: true,
            server_url: Some(s.server_url),
            account: Some(s.account),
            regions: s.regions,
            last_sync_at: s.last_sync_at.as_deref().map(local_time),
            unsent: s.unsent,
            rejected: s.rejected,
            cases,
            held,
        },
        None => SyncPanel {
            enrolled: false,
            server_url: None,
            account: None,
            regions: Vec::new(),
            last_sync_at: None,
            unsent: store.unsent(usize::MAX >> 1)?.len() as i64,
            rejected: 0,
            cases,
            held,
        },
    })
}

/// Settles conflict `case`: `keep` (`mine` or `theirs`) for every field, unless `fields` names
/// the side for a field. The choice is an envelope of its own, so it travels; returns its id.
pub fn resolve(store: &mut Store, case: Uuid, keep: &str, fields: &BTreeMap<String, String>) -> Result<Uuid> {
    let keep = Keep::parse("keep", keep)?;
    let choices = fields
        .iter()
        .map(|(f, side)| Ok((f.trim().to_owned(), Keep::parse("keep", side)?)))
        .collect::<Result<_, StoreError>>()?;
    Ok(store.resolve_conflict(case, &choices, keep)?)
}
