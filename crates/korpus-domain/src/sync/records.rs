//! The shape of a record as it travels: the full set of an entity's fields as a JSON object.
//! HQ checks every row an envelope leaves behind with [`check_row`], so that nothing a desk could
//! not have written lands in the programme's database.

use crate::closing::certification::Certificate;
use crate::closing::money::{GrantContract, Scholarship};
use crate::closing::outreach::OutreachEvent;
use crate::closing::reports::SubprojectReport;
use crate::delivery::grievances::{Grievance, GrievanceAction};
use crate::delivery::mentoring::{MentorAssignment, MentorSession};
use crate::delivery::training::{Attendance, TrainingEvent};
use crate::delivery::withdrawals::{Withdrawal, WithdrawalReason};
use crate::rules::Screening;
use crate::selection::commission::{CommissionDecision, CommissionMember, Score};
use crate::selection::decisions::{HostOrgDecision, LotteryRecord, MentorDecision, MentorInterview};
use crate::{ApplicationMember, Entity, HostOrg, Mentor, Person, SubProjectApplication, SupportingDocument};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Why a row is not a valid record of its entity: the field concerned and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct RowError {
    /// The field ("" for the row as a whole).
    pub field: String,
    /// What is wrong, in English (for logs and HQ staff).
    pub problem: String,
}

fn round_trip<T: Serialize + DeserializeOwned>(fields: &Map<String, Value>) -> Result<(), RowError> {
    // Read from the map where it lies (`&Map` is a deserializer): HQ checks every row of a push
    // under its sequence lock, and a copy of each was a fifth of that check's time.
    let parsed = T::deserialize(fields).map_err(|e| {
        let text = e.to_string();
        // serde names the field in backticks: "invalid type: ..., expected ... at `iin`" or
        // "missing field `region`".
        let field = text.split('`').nth(1).unwrap_or_default().to_owned();
        RowError { field, problem: text }
    })?;
    let Ok(Value::Object(back)) = serde_json::to_value(&parsed) else {
        return Err(RowError { field: String::new(), problem: "not an object".to_owned() });
    };
    if let Some(unknown) = fields.keys().find(|k| !back.contains_key(*k)) {
        return Err(RowError { field: unknown.clone(), problem: "no such field".to_owned() });
    }
    if let Some(missing) = back.keys().find(|k| !fields.contains_key(*k)) {
        return Err(RowError { field: missing.clone(), problem: "missing".to_owned() });
    }
    Ok(())
}

/// Checks that `fields` are exactly the fields of a record of `entity`, each a valid value of
/// its type (IINs and BINs with their check digits, codes from their lists, dates as dates).
pub fn check_row(entity: Entity, fields: &Map<String, Value>) -> Result<(), RowError> {
    match entity {
        Entity::Person => round_trip::<Person>(fields),
        Entity::HostOrg => round_trip::<HostOrg>(fields),
        Entity::Application => round_trip::<SubProjectApplication>(fields),
        Entity::ApplicationMember => round_trip::<ApplicationMember>(fields),
        Entity::Mentor => round_trip::<Mentor>(fields),
        Entity::Document => round_trip::<SupportingDocument>(fields),
        Entity::Screening => round_trip::<Screening>(fields),
        Entity::CommissionMember => round_trip::<CommissionMember>(fields),
        Entity::Score => {
            round_trip::<Score>(fields)?;
            let score: Score = parse(fields)?;
            score.check().map_err(|problem| RowError { field: "points".to_owned(), problem })
        }
        Entity::CommissionDecision => round_trip::<CommissionDecision>(fields),
        Entity::Lottery => round_trip::<LotteryRecord>(fields),
        Entity::MentorInterview => round_trip::<MentorInterview>(fields),
        Entity::MentorDecision => round_trip::<MentorDecision>(fields),
        Entity::HostOrgDecision => round_trip::<HostOrgDecision>(fields),
        Entity::TrainingEvent => {
            round_trip::<TrainingEvent>(fields)?;
            let event: TrainingEvent = parse(fields)?;
            if event.dates.is_empty() || !event.dates.is_sorted_by(|a, b| a < b) {
                return Err(RowError { field: "dates".to_owned(), problem: "not days in order".to_owned() });
            }
            Ok(())
        }
        Entity::Attendance => {
            round_trip::<Attendance>(fields)?;
            let mark: Attendance = parse(fields)?;
            if mark.day == 0 {
                return Err(RowError { field: "day".to_owned(), problem: "days count from 1".to_owned() });
            }
            Ok(())
        }
        Entity::MentorAssignment => round_trip::<MentorAssignment>(fields),
        Entity::MentorSession => round_trip::<MentorSession>(fields),
        Entity::Grievance => {
            round_trip::<Grievance>(fields)?;
            let grievance: Grievance = parse(fields)?;
            grievance.check().map_err(|problem| RowError { field: "status".to_owned(), problem })
        }
        Entity::GrievanceAction => round_trip::<GrievanceAction>(fields),
        Entity::GrantContract => {
            round_trip::<GrantContract>(fields)?;
            let c: GrantContract = parse(fields)?;
            c.check().map_err(|problem| RowError { field: "overhead_tenge".to_owned(), problem })
        }
        Entity::Scholarship => {
            round_trip::<Scholarship>(fields)?;
            let s: Scholarship = parse(fields)?;
            if s.amount_tenge <= 0 {
                return Err(RowError {
                    field: "amount_tenge".to_owned(),
                    problem: "not positive".to_owned(),
                });
            }
            Ok(())
        }
        Entity::SubprojectReport => {
            round_trip::<SubprojectReport>(fields)?;
            let r: SubprojectReport = parse(fields)?;
            r.check().map_err(|problem| RowError { field: "status".to_owned(), problem })
        }
        Entity::Outreach => {
            round_trip::<OutreachEvent>(fields)?;
            let o: OutreachEvent = parse(fields)?;
            o.check().map_err(|e| RowError { field: e.field.to_owned(), problem: e.message(crate::Lang::En) })
        }
        Entity::Certificate => {
            round_trip::<Certificate>(fields)?;
            let c: Certificate = parse(fields)?;
            c.check().map_err(|problem| RowError { field: "outcomes".to_owned(), problem })
        }
        Entity::Withdrawal => {
            round_trip::<Withdrawal>(fields)?;
            let w: Withdrawal = parse(fields)?;
            if w.person_id.is_some() != w.member_id.is_some() {
                let problem = "a person leaves with their membership, a group with neither".to_owned();
                return Err(RowError { field: "member_id".to_owned(), problem });
            }
            if w.reason == WithdrawalReason::Other && w.notes.is_none() {
                return Err(RowError {
                    field: "notes".to_owned(),
                    problem: "missing for reason other".to_owned(),
                });
            }
            Ok(())
        }
    }
}

/// The record `fields` hold, once [`check_row`] passed.
fn parse<T: DeserializeOwned>(fields: &Map<String, Value>) -> Result<T, RowError> {
    serde_json::from_value(Value::Object(fields.clone()))
        .map_err(|e| RowError { field: String::new(), problem: e.to_string() })
}

/// A row another row names by id, through `field`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    /// The field that names it.
    pub field: &'static str,
    /// What it is.
    pub entity: Entity,
    /// Its id.
    pub id: uuid::Uuid,
}

/// Which entities name rows of `target` by id, and through which field: every row HQ must look at
/// before `target` is removed, lest a desk be left holding a row that names nothing. The inverse
/// of [`references`] (a test proves they agree).
pub fn referrers(target: Entity) -> Vec<(Entity, &'static str)> {
    LINKS.iter().filter(|(_, _, to)| *to == target).map(|(from, field, _)| (*from, *field)).collect()
}

/// Whether rows of `from` that name a record of `target` through `field` belong to it, and go
/// with it when it is removed (an application's member rows, a record's supporting documents);
/// any other row that names a record keeps it.
pub fn belongs_to(target: Entity, from: Entity, field: &str) -> bool {
    matches!((target, from, field), (Entity::Application, Entity::ApplicationMember, "application_id"))
        || (from == Entity::Document && field == "owner_id")
}

/// Every field that names another row by id: (the row's entity, the field, what it names). A
/// certificate's holder and a document's owner name a person or a mentor (and a host
/// organisation) as their other field says; both are listed.
const LINKS: [(Entity, &str, Entity); 32] = [
    (Entity::Application, "host_org_id", Entity::HostOrg),
    (Entity::Application, "leader_id", Entity::Person),
    (Entity::ApplicationMember, "application_id", Entity::Application),
    (Entity::ApplicationMember, "person_id", Entity::Person),
    (Entity::Document, "owner_id", Entity::Person),
    (Entity::Document, "owner_id", Entity::Mentor),
    (Entity::Document, "owner_id", Entity::HostOrg),
    (Entity::Score, "application_id", Entity::Application),
    (Entity::Score, "member_id", Entity::CommissionMember),
    (Entity::CommissionDecision, "supersedes", Entity::CommissionDecision),
    (Entity::CommissionDecision, "scores", Entity::Score),
    (Entity::Lottery, "decision_id", Entity::CommissionDecision),
    (Entity::Lottery, "supersedes", Entity::Lottery),
    (Entity::MentorInterview, "mentor_id", Entity::Mentor),
    (Entity::MentorDecision, "mentor_id", Entity::Mentor),
    (Entity::HostOrgDecision, "host_org_id", Entity::HostOrg),
    (Entity::Attendance, "event_id", Entity::TrainingEvent),
    (Entity::MentorAssignment, "mentor_id", Entity::Mentor),
    (Entity::MentorAssignment, "application_id", Entity::Application),
    (Entity::MentorSession, "mentor_id", Entity::Mentor),
    (Entity::MentorSession, "application_id", Entity::Application),
    (Entity::GrievanceAction, "grievance_id", Entity::Grievance),
    (Entity::GrantContract, "application_id", Entity::Application),
    (Entity::GrantContract, "host_org_id", Entity::HostOrg),
    (Entity::Scholarship, "person_id", Entity::Person),
    (Entity::Scholarship, "application_id", Entity::Application),
    (Entity::SubprojectReport, "application_id", Entity::Application),
    (Entity::Withdrawal, "application_id", Entity::Application),
    (Entity::Withdrawal, "person_id", Entity::Person),
    (Entity::Withdrawal, "member_id", Entity::ApplicationMember),
    (Entity::Certificate, "holder_id", Entity::Person),
    (Entity::Certificate, "holder_id", Entity::Mentor),
];

/// The rows a record of `entity` names by id: what HQ checks it against
/// ([`decisions::check_references`]) and what must stand while it does.
pub fn references(entity: Entity, fields: &Map<String, Value>) -> Vec<Reference> {
    let one = |field: &'static str, to: Entity| {
        fields
            .get(field)
            .and_then(Value::as_str)
            .and_then(|s| uuid::Uuid::parse_str(s).ok())
            .map(|id| Reference { field, entity: to, id })
    };
    let mut out: Vec<Reference> = match entity {
        Entity::Application => [one("host_org_id", Entity::HostOrg), one("leader_id", Entity::Person)].into(),
        Entity::ApplicationMember => {
            [one("application_id", Entity::Application), one("person_id", Entity::Person)].into()
        }
        Entity::Document => {
            let to = match fields.get("owner").and_then(Value::as_str) {
                Some("mentor") => Entity::Mentor,
                Some("host_org") => Entity::HostOrg,
                _ => Entity::Person,
            };
            [one("owner_id", to)].into()
        }
        Entity::Score => {
            [one("application_id", Entity::Application), one("member_id", Entity::CommissionMember)].into()
        }
        Entity::CommissionDecision => {
            let mut out = vec![one("supersedes", Entity::CommissionDecision)];
            let sheets =
                fields.get("scores").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            out.extend(sheets.iter().map(|v| {
                v.as_str().and_then(|s| uuid::Uuid::parse_str(s).ok()).map(|id| Reference {
                    field: "scores",
                    entity: Entity::Score,
                    id,
                })
            }));
            out
        }
        Entity::Lottery => {
            [one("decision_id", Entity::CommissionDecision), one("supersedes", Entity::Lottery)].into()
        }
        Entity::MentorInterview | Entity::MentorDecision => [one("mentor_id", Entity::Mentor)].into(),
        Entity::HostOrgDecision => [one("host_org_id", Entity::HostOrg)].into(),
        Entity::Attendance => [one("event_id", Entity::TrainingEvent)].into(),
        Entity::MentorAssignment | Entity::MentorSession => {
            [one("mentor_id", Entity::Mentor), one("application_id", Entity::Application)].into()
        }
        Entity::GrievanceAction => [one("grievance_id", Entity::Grievance)].into(),
        Entity::GrantContract => {
            [one("application_id", Entity::Application), one("host_org_id", Entity::HostOrg)].into()
        }
        Entity::Scholarship => {
            [one("person_id", Entity::Person), one("application_id", Entity::Application)].into()
        }
        Entity::SubprojectReport => [one("application_id", Entity::Application)].into(),
        Entity::Withdrawal => [
            one("application_id", Entity::Application),
            one("person_id", Entity::Person),
            one("member_id", Entity::ApplicationMember),
        ]
        .into(),
        Entity::Certificate => {
            let to = match fields.get("holder").and_then(Value::as_str) {
                Some("mentor") => Entity::Mentor,
                _ => Entity::Person,
            };
            [one("holder_id", to)].into()
        }
        _ => Vec::new(),
    }
    .into_iter()
    .flatten()
    .collect();
    out.dedup();
    out
}

/// The region (KATO code) a row belongs to: every entity has the field `region`.
pub fn row_region(fields: &Map<String, Value>) -> Option<&str> {
    fields.get("region").and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn member() -> Map<String, Value> {
        let Value::Object(m) = json!({
            "application_id": "01890a5d-ac96-774b-bcce-b302099a8057",
            "person_id": "01890a5d-ac96-774b-bcce-b302099a8058",
            "region": "431010000",
        }) else {
            unreachable!()
        };
        m
    }

    #[test]
    fn every_link_is_a_reference_and_every_reference_a_link() {
        let id = uuid::Uuid::from_u128(7);
        for (from, field, to) in LINKS {
            let value = if field == "scores" { json!([id.to_string()]) } else { json!(id.to_string()) };
            let mut fields = Map::from_iter([(field.to_owned(), value)]);
            let owner = match to {
                Entity::Mentor => "mentor",
                Entity::HostOrg => "host_org",
                _ => "person",
            };
            fields.insert("holder".into(), json!(owner));
            fields.insert("owner".into(), json!(owner));
            let found = references(from, &fields);
            assert!(found.contains(&Reference { field, entity: to, id }), "{from} {field} {to}: {found:?}");
            assert!(referrers(to).contains(&(from, field)));
        }
        for entity in Entity::ALL.iter().copied() {
            let fields: Map<String, Value> = LINKS
                .iter()
                .filter(|(from, _, _)| *from == entity)
                .map(|(_, field, _)| ((*field).to_owned(), json!(id.to_string())))
                .collect();
            for r in references(entity, &fields) {
                assert!(LINKS.contains(&(entity, r.field, r.entity)), "{entity} {} is not a link", r.field);
            }
        }
    }

    #[test]
    fn a_whole_valid_row_passes() {
        assert_eq!(check_row(Entity::ApplicationMember, &member()), Ok(()));
        assert_eq!(row_region(&member()), Some("431010000"));
    }

    #[test]
    fn an_unknown_field_is_named() {
        let mut m = member();
        m.insert("salary".into(), json!(5));
        assert_eq!(check_row(Entity::ApplicationMember, &m).map_err(|e| e.field), Err("salary".to_owned()));
    }

    #[test]
    fn a_missing_or_mistyped_field_is_named() {
        let mut m = member();
        m.remove("region");
        assert_eq!(check_row(Entity::ApplicationMember, &m).map_err(|e| e.field), Err("region".to_owned()));
        let mut m = member();
        m.insert("person_id".into(), json!("not a uuid"));
        let err = check_row(Entity::ApplicationMember, &m).unwrap_err();
        assert!(err.problem.contains("UUID") || err.problem.contains("uuid"), "{err}");
    }
}

/// Decisions: state transitions HQ checks when they are made, never values it merges.
pub mod decisions;

/// Rows checked as the desk's forms check them.
pub mod typed;
pub use typed::check_as_typed;
