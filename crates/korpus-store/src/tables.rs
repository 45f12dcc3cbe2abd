//! How each kind of record lies in its table: the columns and how a JSON field maps to SQL.
//! Entities cross into SQL through their serde form, so one insert, update and read serves all
//! of them, and the fields an envelope carries are exactly the columns written.

use crate::error::{Result, StoreError};
use korpus_domain::Entity;
use rusqlite::types::{Value as Sql, ValueRef};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use uuid::Uuid;

/// How a column holds its JSON field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A string (text, codes, dates, ids).
    Text,
    /// A whole number.
    Int,
    /// true/false as 1/0.
    Bool,
    /// Any JSON (lists, nested objects), as its text.
    Json,
}

/// A table of records of one entity.
#[derive(Debug)]
pub(crate) struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Kind)],
}

use Kind::{Bool, Int, Json, Text};

const IDENTITY: [(&str, Kind); 9] = [
    ("iin", Text),
    ("surname", Text),
    ("given_name", Text),
    ("patronymic", Text),
    ("sex", Text),
    ("birth_date", Text),
    ("phone", Text),
    ("region", Text),
    ("locality", Text),
];

const fn concat<const N: usize>(
    a: [(&'static str, Kind); 9],
    b: &[(&'static str, Kind)],
) -> [(&'static str, Kind); N] {
    let mut out = [("", Text); N];
    let mut i = 0;
    while i < 9 {
        out[i] = a[i];
        i += 1;
    }
    let mut j = 0;
    while j < b.len() {
        out[9 + j] = b[j];
        j += 1;
    }
    out
}

const PERSON_COLUMNS: [(&str, Kind); 14] = concat(
    IDENTITY,
    &[
        ("cohort", Int),
        ("education", Text),
        ("vulnerability", Json),
        ("disability", Bool),
        ("income_per_member", Int),
    ],
);

const MENTOR_COLUMNS: [(&str, Kind); 17] = concat(
    IDENTITY,
    &[
        ("cohort", Int),
        ("occupation", Text),
        ("workplace", Text),
        ("experience_years", Int),
        ("education", Text),
        ("project_experience", Bool),
        ("stage", Text),
        ("certified_on", Text),
    ],
);

static PERSONS: Table = Table { name: "persons", columns: &PERSON_COLUMNS };
static MENTORS: Table = Table { name: "mentors", columns: &MENTOR_COLUMNS };
static HOST_ORGS: Table = Table {
    name: "host_orgs",
    columns: &[
        ("bin", Text),
        ("name", Text),
        ("org_type", Text),
        ("region", Text),
        ("locality", Text),
        ("registration_date", Text),
        ("head_name", Text),
        ("accountant_name", Text),
        ("phone", Text),
        ("criteria", Json),
    ],
};
static APPLICATIONS: Table = Table {
    name: "applications",
    columns: &[
        ("cohort", Int),
        ("path", Text),
        ("host_org_id", Text),
        ("leader_id", Text),
        ("name", Text),
        ("territory", Text),
        ("goal", Text),
        ("target_group", Text),
        ("description", Text),
        ("direction", Text),
        ("budget", Int),
        ("region", Text),
    ],
};
static APPLICATION_MEMBERS: Table = Table {
    name: "application_members",
    columns: &[("application_id", Text), ("person_id", Text), ("region", Text)],
};
static DOCUMENTS: Table = Table {
    name: "documents",
    columns: &[
        ("owner", Text),
        ("owner_id", Text),
        ("kind", Text),
        ("issue_date", Text),
        ("note", Text),
        ("file_sha256", Text),
        ("file_name", Text),
        ("file_size", Int),
        ("region", Text),
    ],
};

static SCREENINGS: Table = Table {
    name: "screenings",
    columns: &[
        ("cohort", Int),
        ("region", Text),
        ("screened_at", Text),
        ("subject", Text),
        ("subject_id", Text),
        ("rulebook_version", Text),
        ("inputs", Json),
        ("outcomes", Json),
        ("result", Text),
    ],
};

static COMMISSION_MEMBERS: Table = Table {
    name: "commission_members",
    columns: &[("cohort", Int), ("region", Text), ("full_name", Text), ("position", Text), ("role", Text)],
};
static SCORES: Table = Table {
    name: "scores",
    columns: &[
        ("cohort", Int),
        ("rulebook_version", Text),
        ("application_id", Text),
        ("member_id", Text),
        ("region", Text),
        ("points", Json),
        ("conflict_of_interest", Bool),
    ],
};
static COMMISSION_DECISIONS: Table = Table {
    name: "commission_decisions",
    columns: &[
        ("cohort", Int),
        ("region", Text),
        ("rulebook_version", Text),
        ("ranking", Json),
        ("cut_off", Json),
        ("selected", Json),
        ("scores", Json),
        ("members_present", Json),
        ("decided_on", Text),
        ("decided_by", Text),
        ("supersedes", Text),
        ("reason", Text),
    ],
};
static LOTTERIES: Table = Table {
    name: "lotteries",
    columns: &[
        ("cohort", Int),
        ("region", Text),
        ("rulebook_version", Text),
        ("decision_id", Text),
        ("drawn_on", Text),
        ("drawn_by", Text),
        ("supersedes", Text),
        ("reason", Text),
        ("input", Json),
        ("draw", Json),
    ],
};
static MENTOR_INTERVIEWS: Table = Table {
    name: "mentor_interviews",
    columns: &[
        ("cohort", Int),
        ("region", Text),
        ("mentor_id", Text),
        ("held_on", Text),
        ("interviewer", Text),
        ("notes", Text),
        ("outcome", Text),
    ],
};
static MENTOR_DECISIONS: Table = Table {
    name: "mentor_decisions",
    columns: &[
        ("cohort", Int),
        ("region", Text),
        ("mentor_id", Text),
        ("decided_on", Text),
        ("decided_by", Text),
        ("outcome", Text),
        ("notes", Text),
    ],
};
static HOST_ORG_DECISIONS: Table = Table {
    name: "host_org_decisions",
    columns: &[
        ("cohort", Int),
        ("region", Text),
        ("host_org_id", Text),
        ("decided_on", Text),
        ("decided_by", Text),
        ("outcome", Text),
        ("notes", Text),
        ("memorandum_number", Text),
        ("memorandum_date", Text),
    ],
};

static TRAINING_EVENTS: Table = Table {
    name: "training_events",
    columns: &[
        ("cohort", Int),
        ("region", Text),
        ("stage", Text),
        ("dates", Json),
        ("hours_per_day", Int),
        ("venue", Text),
        ("trainers", Text),
        ("notes", Text),
    ],
};
static ATTENDANCE: Table = Table {
    name: "attendance",
    columns: &[
        ("cohort", Int),
        ("region", Text),
        ("event_id", Text),
        ("attendee", Text),
        ("attendee_id", Text),
        ("day", Int),
        ("present", Bool),
    ],
};
static MENTOR_ASSIGNMENTS: Table = Table {
    name: "mentor_assignments",
    columns: &[
        ("cohort", Int),
        ("region", Text),
        ("mentor_id", Text),
        ("application_id", Text),
        ("assigned_on", Text),
        ("ended_on", Text),
        ("end_reason", Text),
    ],
};
static MENTOR_SESSIONS: Table = Table {
    name: "mentor_sessions",
    columns: &[
        ("cohort", Int),
        ("region", Text),
        ("mentor_id", Text),
        ("application_id", Text),
        ("held_on", Text),
        ("starts_at", Text),
        ("minutes", Int),
        ("kind", Text),
        ("attendees", Json),
        ("topics", Text),
        ("problems", Text),
        ("next_steps", Text),
        ("notes", Text),
        ("protocol_on", Text),
    ],
};
static GRIEVANCES: Table = Table {
    name: "grievances",
    columns: &[
        ("cohort", Int),
        ("region", Text),
        ("received_on", Text),
        ("channel", Text),
        ("kind", Text),
        ("category", Text),
        ("anonymous", Bool),
        ("from_name", Text),
        ("from_contact", Text),
        ("application_id", Text),
        ("mentor_id", Text),
        ("text", Text),
        ("status", Text),
        ("acknowledged_on", Text),
        ("assigned_to", Text),
        ("resolved_on", Text),
        ("resolution", Text),
        ("closed_on", Text),
        ("reopened_on", Text),
    ],
};
static GRIEVANCE_ACTIONS: Table = Table {
    name: "grievance_actions",
    columns: &[
        ("cohort", Int),
        ("region", Text),
        ("grievance_id", Text),
        ("step", Text),
        ("taken_on", Text),
        ("taken_by", Text),
        ("note", Text),
    ],
};

static GRANT_CONTRACTS: Table = Table {
    name: "grant_contracts",
    columns: &[
        ("cohort", Int),
        ("region", Text),
        ("application_id", Text),
        ("host_org_id", Text),
        ("number", Text),
        ("signed_on", Text),
        ("sum_tenge", Int),
        ("overhead_percent", Int),
        ("overhead_tenge", Int),
    ],
};
static SCHOLARSHIPS: Table = Table {
    name: "scholarships",
    columns: &[
        ("cohort", Int),
        ("region", Text),
        ("person_id", Text),
        ("application_id", Text),
        ("month", Text),
        ("education", Text),
        ("amount_tenge", Int),
    ],
};
static SUBPROJECT_REPORTS: Table = Table {
    name: "subproject_reports",
    columns: &[
        ("cohort", Int),
        ("region", Text),
        ("application_id", Text),
        ("kind", Text),
        ("submitted_by", Text),
        ("submitted_on", Text),
        ("status", Text),
        ("reviewed_on", Text),
        ("review_note", Text),
    ],
};
static OUTREACH: Table = Table {
    name: "outreach",
    columns: &[
        ("cohort", Int),
        ("region", Text),
        ("kind", Text),
        ("held_on", Text),
        ("place", Text),
        ("partner", Text),
        ("reached", Int),
        ("women", Int),
        ("vulnerable", Int),
        ("notes", Text),
    ],
};
static CERTIFICATES: Table = Table {
    name: "certificates",
    columns: &[
        ("cohort", Int),
        ("region", Text),
        ("holder", Text),
        ("holder_id", Text),
        ("full_name", Text),
        ("arm", Text),
        ("completed_on", Text),
        ("number", Text),
        ("issued_on", Text),
        ("device_id", Text),
        ("rulebook_version", Text),
        ("outcomes", Json),
        ("signature", Text),
    ],
};

static WITHDRAWALS: Table = Table {
    name: "withdrawals",
    columns: &[
        ("cohort", Int),
        ("region", Text),
        ("application_id", Text),
        ("person_id", Text),
        ("member_id", Text),
        ("left_on", Text),
        ("reason", Text),
        ("notes", Text),
        ("recorded_by", Text),
    ],
};

/// The table of `entity`.
pub(crate) fn table(entity: Entity) -> &'static Table {
    match entity {
        Entity::Person => &PERSONS,
        Entity::HostOrg => &HOST_ORGS,
        Entity::Application => &APPLICATIONS,
        Entity::ApplicationMember => &APPLICATION_MEMBERS,
        Entity::Mentor => &MENTORS,
        Entity::Document => &DOCUMENTS,
        Entity::Screening => &SCREENINGS,
        Entity::CommissionMember => &COMMISSION_MEMBERS,
        Entity::Score => &SCORES,
        Entity::CommissionDecision => &COMMISSION_DECISIONS,
        Entity::Lottery => &LOTTERIES,
        Entity::MentorInterview => &MENTOR_INTERVIEWS,
        Entity::MentorDecision => &MENTOR_DECISIONS,
        Entity::HostOrgDecision => &HOST_ORG_DECISIONS,
        Entity::TrainingEvent => &TRAINING_EVENTS,
        Entity::Attendance => &ATTENDANCE,
        Entity::MentorAssignment => &MENTOR_ASSIGNMENTS,
        Entity::MentorSession => &MENTOR_SESSIONS,
        Entity::Grievance => &GRIEVANCES,
        Entity::GrievanceAction => &GRIEVANCE_ACTIONS,
        Entity::GrantContract => &GRANT_CONTRACTS,
        Entity::Scholarship => &SCHOLARSHIPS,
        Entity::SubprojectReport => &SUBPROJECT_REPORTS,
        Entity::Outreach => &OUTREACH,
        Entity::Certificate => &CERTIFICATES,
        Entity::Withdrawal => &WITHDRAWALS,
    }
}

/// A record as stored: its id and version, and the entity's data.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record<T> {
    /// The row's id.
    pub id: Uuid,
    /// The row's version: 1 when created, +1 on every change.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub version: i64,
    /// The data.
    #[serde(flatten)]
    pub data: T,
}

/// The serde form of `data` as a JSON object whose keys are exactly the table's columns.
pub(crate) fn fields<T: Serialize>(entity: Entity, data: &T) -> Result<Map<String, Value>> {
    let Value::Object(mut object) =
        serde_json::to_value(data).map_err(|e| StoreError::Corrupt(e.to_string()))?
    else {
        return Err(StoreError::Corrupt(format!("{entity} is not an object")));
    };
    let mut out = Map::new();
    for (column, _) in table(entity).columns {
        out.insert((*column).to_owned(), object.remove(*column).unwrap_or(Value::Null));
    }
    if let Some(extra) = object.keys().next() {
        return Err(StoreError::Corrupt(format!("{entity} has field {extra} with no column")));
    }
    Ok(out)
}

/// The SQL value of a JSON field in a column of `kind`.
pub(crate) fn to_sql(kind: Kind, value: &Value) -> Result<Sql> {
    Ok(match (kind, value) {
        (_, Value::Null) => Sql::Null,
        (Kind::Text, Value::String(s)) => Sql::Text(s.clone()),
        (Kind::Int, Value::Number(n)) => {
            Sql::Integer(n.as_i64().ok_or_else(|| StoreError::Corrupt(format!("{n} is not an integer")))?)
        }
        (Kind::Bool, Value::Bool(b)) => Sql::Integer(i64::from(*b)),
        (Kind::Json, v) => Sql::Text(v.to_string()),
        (kind, v) => {
            return Err(StoreError::Corrupt(format!("{v} does not fit a {kind:?} column")));
        }
    })
}

fn from_sql(kind: Kind, value: ValueRef<'_>) -> Result<Value> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("a {kind:?} column holds {what}"));
    Ok(match (kind, value) {
        (_, ValueRef::Null) => Value::Null,
        (Kind::Text, ValueRef::Text(t)) => Value::String(String::from_utf8_lossy(t).into_owned()),
        (Kind::Int, ValueRef::Integer(i)) => Value::from(i),
        (Kind::Bool, ValueRef::Integer(i)) => Value::Bool(i != 0),
        (Kind::Json, ValueRef::Text(t)) => serde_json::from_slice(t).map_err(|e| corrupt(&e.to_string()))?,
        _ => return Err(corrupt("a value of another type")),
    })
}

/// The columns `read_records` expects, qualified by table name: `persons.id, persons.version, ...`.
pub(crate) fn select_columns(entity: Entity) -> String {
    let t = table(entity);
    let mut columns = vec![format!("{}.id", t.name), format!("{}.version", t.name)];
    columns.extend(t.columns.iter().map(|(c, _)| format!("{}.{c}", t.name)));
    columns.join(", ")
}

/// Reads the records of `entity` that `sql` returns; it selects `select_columns(entity)`.
pub(crate) fn read_records<T: DeserializeOwned>(
    conn: &rusqlite::Connection,
    entity: Entity,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Record<T>>> {
    let columns = table(entity).columns;
    let mut statement = conn.prepare_cached(sql)?;
    let mut rows = statement.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let id = Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let version: i64 = row.get(1)?;
        let mut object = Map::new();
        for (i, (column, kind)) in columns.iter().enumerate() {
            object.insert((*column).to_owned(), from_sql(*kind, row.get_ref(i + 2)?)?);
        }
        let data = serde_json::from_value(Value::Object(object))
            .map_err(|e| StoreError::Corrupt(format!("{entity} {id}: {e}")))?;
        out.push(Record { id, version, data });
    }
    Ok(out)
}

/// The one record of `entity` with id `id`.
pub(crate) fn read_by_id<T: DeserializeOwned>(
    conn: &rusqlite::Connection,
    entity: Entity,
    id: Uuid,
) -> Result<Record<T>> {
    let sql = format!("SELECT {} FROM {} WHERE id = ?1", select_columns(entity), table(entity).name);
    read_records(conn, entity, &sql, [id.to_string()])?
        .pop()
        .ok_or_else(|| StoreError::NotFound { entity, query: id.to_string() })
}

/// Whether a record read at `expected` is still at that version: a change made on an older read
/// would overwrite what the reader never saw.
pub(crate) fn expect_version<T>(entity: Entity, record: &Record<T>, expected: i64) -> Result<()> {
    if record.version == expected {
        Ok(())
    } else {
        Err(StoreError::Stale { entity, id: record.id, found: record.version, expected })
    }
}

/// The record of `entity` with id `id`, if there is one.
pub(crate) fn find_by_id<T: DeserializeOwned>(
    conn: &rusqlite::Connection,
    entity: Entity,
    id: Uuid,
) -> Result<Option<Record<T>>> {
    let sql = format!("SELECT {} FROM {} WHERE id = ?1", select_columns(entity), table(entity).name);
    Ok(read_records(conn, entity, &sql, [id.to_string()])?.pop())
}
