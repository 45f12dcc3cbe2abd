//! Decisions are state transitions that HQ checks, never values it merges: the mentor's
//! selection stage (applied → screened → interviewed → selected, or rejected at any stage), the
//! certification date (set once, and only for a selected mentor), and records that are decisions
//! whole (a screening, a commission decision, a lottery, a mentor's interview and decision, a
//! host organisation's decision): made once, checked when made against the rows they name, never
//! changed nor removed; only a memorandum is added, once, to a host organisation's decision.

use super::{Reference, RowError, parse, references};
use crate::closing::certification::{Certificate, Holder, certificate_id};
use crate::closing::money::{GrantContract, Scholarship, grant_contract_id, scholarship_id};
use crate::closing::reports::{SubprojectReport, report_id};
use crate::delivery::grievances::{Grievance, GrievanceAction, GrievanceStatus, GrievanceStep, step_allowed};
use crate::delivery::mentoring::{MentorAssignment, MentorSession};
use crate::delivery::training::{Attendance, TrainingEvent, attendance_id};
use crate::delivery::withdrawals::{Withdrawal, withdrawal_id};
use crate::rules::Screening;
use crate::selection::commission::{CommissionDecision, CommissionMember, Score, may_score};
use crate::selection::decisions::{
    HostOrgDecision, LotteryRecord, MentorDecision, MentorInterview, SelectionOutcome, decision_id, kinds,
};
use crate::{ApplicationMember, Entity, HostOrg, Mentor, MentorStage, Person, SubProjectApplication};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use uuid::Uuid;

/// Whether every field of `entity` is a decision recorded once: such rows are never updated
/// (but for a memorandum added to a host organisation's decision) nor removed.
pub fn is_record_of_decision(entity: Entity) -> bool {
    matches!(
        entity,
        Entity::Screening
            | Entity::CommissionDecision
            | Entity::Lottery
            | Entity::MentorInterview
            | Entity::MentorDecision
            | Entity::HostOrgDecision
            | Entity::GrievanceAction
            | Entity::Scholarship
            | Entity::Certificate
            | Entity::Withdrawal
    )
}

/// Whether rows of `entity` are never removed: decisions, and what the programme must keep
/// (grievances, so that none is lost; sessions, whose protocols pay the mentor; attendance and
/// assignments, which certificates and pay are decided on; an assignment ends with a date).
pub fn is_never_removed(entity: Entity) -> bool {
    is_record_of_decision(entity)
        || matches!(
            entity,
            Entity::Grievance
                | Entity::MentorSession
                | Entity::Attendance
                | Entity::MentorAssignment
                | Entity::GrantContract
                | Entity::SubprojectReport
        )
}

/// The fields of a memorandum, added once to a host organisation's decision.
const MEMORANDUM: [&str; 2] = ["memorandum_number", "memorandum_date"];

/// What a reference names, as HQ holds it: `None` when there is no such row.
pub type Lookup<'a> = dyn Fn(Entity, Uuid) -> Option<&'a Map<String, Value>> + 'a;

fn named<T: DeserializeOwned>(lookup: &Lookup<'_>, r: Reference) -> Result<T, RowError> {
    let fields = lookup(r.entity, r.id).ok_or_else(|| RowError {
        field: r.field.to_owned(),
        problem: format!("no {} {} at HQ", r.entity, r.id),
    })?;
    parse(fields).map_err(|e| RowError { field: r.field.to_owned(), problem: e.problem })
}

fn optional<T: DeserializeOwned>(
    lookup: &Lookup<'_>,
    refs: &[Reference],
    field: &str,
) -> Result<Option<T>, RowError> {
    refs.iter().find(|r| r.field == field).map(|r| named(lookup, *r)).transpose()
}

fn required<T: DeserializeOwned>(
    lookup: &Lookup<'_>,
    refs: &[Reference],
    field: &str,
) -> Result<T, RowError> {
    optional(lookup, refs, field)?
        .ok_or_else(|| RowError { field: field.to_owned(), problem: "missing".to_owned() })
}

fn expect_id(id: Uuid, expected: Uuid, what: &str) -> Result<(), RowError> {
    if id == expected {
        Ok(())
    } else {
        Err(RowError {
            field: String::new(),
            problem: format!("{what} has the id {expected}; {id} is not it"),
        })
    }
}

fn same(field: &str, ours: (i32, &str), theirs: (i32, &str)) -> Result<(), RowError> {
    if ours == theirs {
        Ok(())
    } else {
        Err(RowError {
            field: field.to_owned(),
            problem: format!(
                "names a row of cohort {} region {}, not {} {}",
                theirs.0, theirs.1, ours.0, ours.1
            ),
        })
    }
}

/// Checks a new record of `entity` against the rows it names, as HQ holds them: a score
/// sheet's application and commission member (who sits for the same cohort and region and
/// is not its secretary); a commission decision's sheets and the decision it replaces (one
/// decision per cohort and region: its id says which); a lottery's decision and the lottery it
/// replaces, drawn again; the mentor or host organisation a decision is about.
pub fn check_references(
    entity: Entity,
    id: Uuid,
    fields: &Map<String, Value>,
    lookup: &Lookup<'_>,
) -> Result<(), RowError> {
    let refs = references(entity, fields);
    match entity {
        Entity::Score
        | Entity::CommissionDecision
        | Entity::Lottery
        | Entity::MentorInterview
        | Entity::MentorDecision
        | Entity::HostOrgDecision => selection_references(entity, id, fields, &refs, lookup),
        Entity::Attendance | Entity::MentorAssignment | Entity::MentorSession | Entity::GrievanceAction => {
            delivery_references(entity, id, fields, &refs, lookup)
        }
        Entity::GrantContract
        | Entity::Scholarship
        | Entity::SubprojectReport
        | Entity::Certificate
        | Entity::Withdrawal => closing_references(entity, id, fields, &refs, lookup),
        _ => Ok(()),
    }
}

/// The selection's records: score sheets, commission decisions, lotteries, mentors' and host
/// organisations' decisions.
fn selection_references(
    entity: Entity,
    id: Uuid,
    fields: &Map<String, Value>,
    refs: &[Reference],
    lookup: &Lookup<'_>,
) -> Result<(), RowError> {
    let whole = |problem: String| RowError { field: String::new(), problem };
    match entity {
        Entity::Score => {
            let score: Score = parse(fields)?;
            let app: SubProjectApplication = required(lookup, refs, "application_id")?;
            same("application_id", (score.cohort, &score.region), (app.cohort, &app.region))?;
            let member: CommissionMember = required(lookup, refs, "member_id")?;
            may_score(&member, score.cohort, &score.region)
                .map_err(|e| RowError { field: "member_id".to_owned(), problem: e.message(crate::Lang::En) })
        }
        Entity::CommissionDecision => {
            let d: CommissionDecision = parse(fields)?;
            expect_id(
                id,
                decision_id(kinds::COMMISSION, d.cohort, &d.region, d.supersedes),
                "this cohort and region's decision",
            )?;
            let replaced: Option<CommissionDecision> = optional(lookup, refs, "supersedes")?;
            let mut sheets = Vec::new();
            for r in refs.iter().filter(|r| r.field == "scores") {
                sheets.push(named::<Score>(lookup, *r)?);
            }
            if sheets.len() != d.scores.len() {
                return Err(RowError {
                    field: "scores".to_owned(),
                    problem: "a sheet is named twice".to_owned(),
                });
            }
            d.check(&sheets, replaced.as_ref()).map_err(whole)
        }
        Entity::Lottery => {
            let l: LotteryRecord = parse(fields)?;
            expect_id(
                id,
                decision_id(kinds::LOTTERY, l.cohort, &l.region, l.supersedes),
                "this cohort and region's lottery",
            )?;
            let decision: CommissionDecision = required(lookup, refs, "decision_id")?;
            let replaced: Option<LotteryRecord> = optional(lookup, refs, "supersedes")?;
            l.check(&decision, replaced.as_ref()).map_err(whole)
        }
        Entity::MentorInterview => {
            let i: MentorInterview = parse(fields)?;
            let mentor: Mentor = required(lookup, refs, "mentor_id")?;
            same("mentor_id", (i.cohort, &i.region), (mentor.cohort, &mentor.identity.region))
        }
        Entity::MentorDecision => {
            let d: MentorDecision = parse(fields)?;
            expect_id(
                id,
                decision_id(kinds::MENTOR, d.cohort, &d.mentor_id.to_string(), None),
                "this mentor's decision",
            )?;
            let mentor: Mentor = required(lookup, refs, "mentor_id")?;
            same("mentor_id", (d.cohort, &d.region), (mentor.cohort, &mentor.identity.region))
        }
        Entity::HostOrgDecision => {
            let d: HostOrgDecision = parse(fields)?;
            expect_id(
                id,
                decision_id(kinds::HOST_ORG, d.cohort, &d.host_org_id.to_string(), None),
                "this organisation's decision",
            )?;
            let org: HostOrg = required(lookup, refs, "host_org_id")?;
            same("host_org_id", (d.cohort, &d.region), (d.cohort, &org.region))
        }
        _ => Ok(()),
    }
}

/// Delivery's records: attendance marks, mentors' assignments and sessions, grievance steps.
fn delivery_references(
    entity: Entity,
    id: Uuid,
    fields: &Map<String, Value>,
    refs: &[Reference],
    lookup: &Lookup<'_>,
) -> Result<(), RowError> {
    match entity {
        Entity::Attendance => {
            let mark: Attendance = parse(fields)?;
            let event: TrainingEvent = required(lookup, refs, "event_id")?;
            same("event_id", (mark.cohort, &mark.region), (event.cohort, &event.region))?;
            if event.date_of(mark.day).is_none() {
                return Err(RowError {
                    field: "day".to_owned(),
                    problem: format!("the event has {} day(s)", event.dates.len()),
                });
            }
            expect_id(id, attendance_id(mark.event_id, mark.attendee_id, mark.day), "this day's mark")
        }
        Entity::MentorAssignment | Entity::MentorSession => {
            let (cohort, region) = match entity {
                Entity::MentorAssignment => {
                    let a: MentorAssignment = parse(fields)?;
                    (a.cohort, a.region)
                }
                _ => {
                    let s: MentorSession = parse(fields)?;
                    (s.cohort, s.region)
                }
            };
            let mentor: Mentor = required(lookup, refs, "mentor_id")?;
            same("mentor_id", (cohort, &region), (mentor.cohort, &mentor.identity.region))?;
            let app: SubProjectApplication = required(lookup, refs, "application_id")?;
            same("application_id", (cohort, &region), (app.cohort, &app.region))
        }
        Entity::GrievanceAction => {
            let action: GrievanceAction = parse(fields)?;
            let grievance: Grievance = required(lookup, refs, "grievance_id")?;
            same("grievance_id", (action.cohort, &action.region), (grievance.cohort, &grievance.region))
        }
        _ => Ok(()),
    }
}

/// The closing's records: grant contracts, scholarships, reports, certificates.
fn closing_references(
    entity: Entity,
    id: Uuid,
    fields: &Map<String, Value>,
    refs: &[Reference],
    lookup: &Lookup<'_>,
) -> Result<(), RowError> {
    match entity {
        Entity::GrantContract => {
            let c: GrantContract = parse(fields)?;
            expect_id(id, grant_contract_id(c.application_id), "this sub-project's contract")?;
            let app: SubProjectApplication = required(lookup, refs, "application_id")?;
            same("application_id", (c.cohort, &c.region), (app.cohort, &app.region))?;
            if c.host_org_id != app.host_org_id {
                return Err(RowError {
                    field: "host_org_id".to_owned(),
                    problem: "is not the organisation that applied for the sub-project".to_owned(),
                });
            }
            Ok(())
        }
        Entity::Scholarship => {
            let s: Scholarship = parse(fields)?;
            expect_id(id, scholarship_id(s.person_id, &s.month), "this person's month")?;
            let person: Person = required(lookup, refs, "person_id")?;
            same("person_id", (s.cohort, &s.region), (person.cohort, &person.identity.region))?;
            let app: SubProjectApplication = required(lookup, refs, "application_id")?;
            same("application_id", (s.cohort, &s.region), (app.cohort, &app.region))
        }
        Entity::Withdrawal => {
            let w: Withdrawal = parse(fields)?;
            expect_id(id, withdrawal_id(w.application_id, w.person_id), "this withdrawal")?;
            let app: SubProjectApplication = required(lookup, refs, "application_id")?;
            same("application_id", (w.cohort, &w.region), (app.cohort, &app.region))?;
            if let Some(person) = w.person_id {
                let _: Person = required(lookup, refs, "person_id")?;
                let member: ApplicationMember = required(lookup, refs, "member_id")?;
                if (member.application_id, member.person_id) != (w.application_id, person) {
                    return Err(RowError {
                        field: "member_id".to_owned(),
                        problem: "is not this person's membership of this group".to_owned(),
                    });
                }
            }
            Ok(())
        }
        Entity::SubprojectReport => {
            let r: SubprojectReport = parse(fields)?;
            expect_id(id, report_id(r.application_id, r.kind), "this sub-project's report")?;
            let app: SubProjectApplication = required(lookup, refs, "application_id")?;
            same("application_id", (r.cohort, &r.region), (app.cohort, &app.region))
        }
        Entity::Certificate => {
            let c: Certificate = parse(fields)?;
            expect_id(id, certificate_id(c.cohort, c.holder_id), "this holder's certificate")?;
            let (cohort, region, name) = match c.holder {
                Holder::Person => {
                    let p: Person = required(lookup, refs, "holder_id")?;
                    (p.cohort, p.identity.region.clone(), p.identity.full_name())
                }
                Holder::Mentor => {
                    let m: Mentor = required(lookup, refs, "holder_id")?;
                    (m.cohort, m.identity.region.clone(), m.identity.full_name())
                }
            };
            same("holder_id", (c.cohort, &c.region), (cohort, &region))?;
            if name != c.full_name {
                return Err(RowError {
                    field: "full_name".to_owned(),
                    problem: format!("the holder is {name}"),
                });
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn stage(v: &Value) -> Option<MentorStage> {
    serde_json::from_value(v.clone()).ok()
}

/// Whether a mentor may move from `from` to `to`.
pub fn mentor_stage_allows(from: MentorStage, to: MentorStage) -> bool {
    use MentorStage::*;
    from == to
        || matches!(
            (from, to),
            (Applied, Screened)
                | (Screened, Interviewed)
                | (Interviewed, Selected)
                | (Applied | Screened | Interviewed, Rejected)
        )
}

/// The fields that say whose sheet a score is and for what: corrected points keep them.
const SCORE_SUBJECT: [&str; 5] = ["cohort", "rulebook_version", "application_id", "member_id", "region"];

/// Whether `field` of `entity` is a decision.
pub fn is_decision(entity: Entity, field: &str) -> bool {
    is_record_of_decision(entity)
        || (entity == Entity::Mentor && matches!(field, "stage" | "certified_on"))
        || (entity == Entity::Score && SCORE_SUBJECT.contains(&field))
        || (entity == Entity::Grievance && field == "status")
}

/// Whether a grievance may go from `from` to `to` by one step.
fn grievance_step_exists(from: GrievanceStatus, to: GrievanceStatus) -> bool {
    use GrievanceStatus as S;
    let to_of = |step: GrievanceStep| match step {
        GrievanceStep::Acknowledge => vec![S::Acknowledged],
        GrievanceStep::Assign => vec![S::Assigned],
        GrievanceStep::Resolve => vec![S::Resolved],
        GrievanceStep::Close => vec![S::Closed],
        GrievanceStep::Reopen => vec![S::Acknowledged, S::Assigned],
    };
    from == to
        || GrievanceStep::ALL.iter().any(|step| step_allowed(from, *step) && to_of(*step).contains(&to))
}

/// A memorandum is signed only with a selected organisation, with its number and date
/// together, not before the decision.
fn memorandum_fits(d: &HostOrgDecision) -> Result<(), RowError> {
    let refuse = |problem: &str| Err(RowError { field: "memorandum_number".into(), problem: problem.into() });
    match (&d.memorandum_number, d.memorandum_date) {
        (None, None) => Ok(()),
        (Some(_), Some(_)) if d.outcome != SelectionOutcome::Selected => {
            refuse("only a selected organisation signs a memorandum")
        }
        (Some(_), Some(date)) if date < d.decided_on => {
            refuse("a memorandum is not dated before the decision")
        }
        (Some(_), Some(_)) => Ok(()),
        _ => refuse("a memorandum has both its number and its date"),
    }
}

/// Checks a new row's decisions: a mentor starts as `applied`, not certified; a screening
/// gives again, from its inputs, the outcomes it records; a grievance starts as received.
pub fn check_new(entity: Entity, fields: &Map<String, Value>) -> Result<(), RowError> {
    if entity == Entity::Grievance {
        let g: Grievance = parse(fields)?;
        if g.status != GrievanceStatus::Received {
            return Err(RowError {
                field: "status".into(),
                problem: "a new grievance starts as received".into(),
            });
        }
        return Ok(());
    }
    if entity == Entity::Screening {
        let screening: Screening = parse(fields)?;
        return screening.check().map_err(|problem| RowError { field: "outcomes".into(), problem });
    }
    if entity == Entity::HostOrgDecision {
        let d: HostOrgDecision = parse(fields)?;
        return memorandum_fits(&d);
    }
    if entity != Entity::Mentor {
        return Ok(());
    }
    if fields.get("stage").and_then(stage) != Some(MentorStage::Applied) {
        return Err(RowError { field: "stage".into(), problem: "a new mentor starts as applied".into() });
    }
    if !fields.get("certified_on").is_none_or(Value::is_null) {
        return Err(RowError {
            field: "certified_on".into(),
            problem: "a new mentor is not certified".into(),
        });
    }
    Ok(())
}

/// Checks the change of decision `field` from `from` to `to`, with the row as it will be.
pub fn check_change(
    entity: Entity,
    field: &str,
    from: &Value,
    to: &Value,
    row: &Map<String, Value>,
) -> Result<(), RowError> {
    let refuse = |problem: String| Err(RowError { field: field.to_owned(), problem });
    if entity == Entity::HostOrgDecision && MEMORANDUM.contains(&field) {
        if !from.is_null() && from != to {
            return refuse("a memorandum, once recorded, is not changed".into());
        }
        return memorandum_fits(&parse(row)?);
    }
    if entity == Entity::Score && SCORE_SUBJECT.contains(&field) && from != to {
        return refuse("a sheet stays the sheet of its member and application".into());
    }
    if is_record_of_decision(entity) {
        return if from == to {
            Ok(())
        } else {
            refuse(format!("a {entity} is recorded once, never changed"))
        };
    }
    match (entity, field) {
        (Entity::Grievance, "status") => {
            let status = |v: &Value| serde_json::from_value::<GrievanceStatus>(v.clone()).ok();
            match (status(from), status(to)) {
                (Some(a), Some(b)) if grievance_step_exists(a, b) => Ok(()),
                (Some(a), Some(b)) => refuse(format!("a grievance cannot go from {a} to {b}")),
                _ => refuse("not a status".into()),
            }
        }
        (Entity::Mentor, "stage") => match (stage(from), stage(to)) {
            (Some(a), Some(b)) if mentor_stage_allows(a, b) => Ok(()),
            (Some(a), Some(b)) => refuse(format!("a mentor cannot go from {a} to {b}")),
            _ => refuse("not a stage".into()),
        },
        (Entity::Mentor, "certified_on") => {
            if !from.is_null() && from != to {
                return refuse("a certification date, once set, is not changed".into());
            }
            if !to.is_null() && row.get("stage").and_then(stage) != Some(MentorStage::Selected) {
                return refuse("only a selected mentor is certified".into());
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_mentor_moves_forward_or_out_never_back() {
        use MentorStage::*;
        assert!(mentor_stage_allows(Applied, Screened));
        assert!(mentor_stage_allows(Interviewed, Selected));
        assert!(mentor_stage_allows(Screened, Rejected));
        assert!(!mentor_stage_allows(Applied, Selected));
        assert!(!mentor_stage_allows(Selected, Applied));
        assert!(!mentor_stage_allows(Rejected, Screened));
        assert!(!mentor_stage_allows(Selected, Rejected));
    }

    #[test]
    fn certification_is_once_and_for_the_selected() {
        let row = |stage: &str| Map::from_iter([("stage".to_owned(), json!(stage))]);
        let date = json!("2017-09-01");
        assert!(check_change(Entity::Mentor, "certified_on", &Value::Null, &date, &row("selected")).is_ok());
        assert!(check_change(Entity::Mentor, "certified_on", &Value::Null, &date, &row("screened")).is_err());
        let other = json!("2017-10-01");
        assert!(check_change(Entity::Mentor, "certified_on", &date, &other, &row("selected")).is_err());
        assert!(check_new(Entity::Mentor, &row("selected")).is_err());
        assert!(check_new(Entity::Mentor, &row("applied")).is_ok());
    }
}
