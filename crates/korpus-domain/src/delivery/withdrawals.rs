//! Leaving the programme. The brochure sets no rule for it; the impact evaluation needs one: a
//! person, or a whole group, leaves with a date and a reason, as a record made once that travels
//! to HQ, which checks it against the group it names. A person who leaves keeps the arm the
//! lottery drew their group into: the evaluation counts everyone where they were assigned
//! ("intention to treat"), and the indicators show who was assigned and who is still active.

use crate::codes::code_enum;
use crate::rulebook::Context;
use crate::validation::{
    Checker, FieldError, LONG_TEXT_MAX, SHORT_TEXT_MAX, ValidationErrors, optional_text, parse_date,
    past_date, required_text,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

code_enum! {
    /// Why a person or group left.
    WithdrawalReason, "withdrawal-reason" {
        /// Moved away from the region.
        MovedAway = "moved_away",
        /// Took up a job.
        Employment = "employment",
        /// Went on to study.
        Studies = "studies",
        /// Health.
        Health = "health",
        /// Family reasons.
        Family = "family",
        /// Stopped taking part (missed trainings and meetings).
        StoppedTakingPart = "stopped_taking_part",
        /// Another reason, which the notes say.
        Other = "other",
    }
}

/// A person or a whole group leaving the programme: made once, never changed nor removed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Withdrawal {
    /// The cohort.
    pub cohort: i32,
    /// The group's region.
    pub region: String,
    /// The group (its application).
    pub application_id: Uuid,
    /// The person who leaves; `None` when the whole group leaves.
    pub person_id: Option<Uuid>,
    /// The person's membership row in the group (HQ checks the two belong together).
    pub member_id: Option<Uuid>,
    /// The day they left.
    pub left_on: NaiveDate,
    /// Why.
    pub reason: WithdrawalReason,
    /// What the coordinator noted (required for "other").
    pub notes: Option<String>,
    /// Who recorded it.
    pub recorded_by: String,
}

impl Withdrawal {
    /// Whether `person` left by it: theirs, or their whole group's.
    pub fn concerns(&self, person: Uuid) -> bool {
        self.person_id.is_none_or(|p| p == person)
    }
}

/// The id of a person's withdrawal from a group, or of the group's own (`person` `None`): the
/// same on every desk, so that one cannot be recorded twice.
pub fn withdrawal_id(application_id: Uuid, person: Option<Uuid>) -> Uuid {
    match person {
        Some(p) => Uuid::new_v5(&application_id, format!("withdrawal/{p}").as_bytes()),
        None => Uuid::new_v5(&application_id, b"withdrawal/group"),
    }
}

/// A withdrawal as typed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawalInput {
    /// The day they left, as typed.
    pub left_on: String,
    /// The reason's code.
    pub reason: String,
    /// Notes.
    pub notes: Option<String>,
    /// Who records it.
    pub recorded_by: String,
}

/// What a withdrawal names: the group, and the person and membership when one person leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leaving<'a> {
    /// The group.
    pub application_id: Uuid,
    /// Its region.
    pub region: &'a str,
    /// The person and their membership row, or `None` for the whole group.
    pub person: Option<(Uuid, Uuid)>,
}

impl WithdrawalInput {
    /// Checks every field: a day not in the future, a reason from the list, notes for "other".
    pub fn validate(&self, ctx: &Context<'_>, leaving: Leaving<'_>) -> Result<Withdrawal, ValidationErrors> {
        let mut check = Checker::new();
        let left_on =
            check.take(parse_date("left_on", &self.left_on).and_then(|d| past_date("left_on", d, ctx.today)));
        let reason = check.take(WithdrawalReason::parse("reason", &self.reason));
        let notes = check.take(optional_text("notes", self.notes.as_deref(), LONG_TEXT_MAX)).flatten();
        let recorded_by = check.take(required_text("recorded_by", &self.recorded_by, SHORT_TEXT_MAX));
        if reason == Some(WithdrawalReason::Other) && notes.is_none() {
            check.push(FieldError::new("notes", "error-withdrawal-other-needs-notes"));
        }
        check.finish()?;
        match (left_on, reason, recorded_by) {
            (Some(left_on), Some(reason), Some(recorded_by)) => Ok(Withdrawal {
                cohort: ctx.rulebook.cohort,
                region: leaving.region.to_owned(),
                application_id: leaving.application_id,
                person_id: leaving.person.map(|(p, _)| p),
                member_id: leaving.person.map(|(_, m)| m),
                left_on,
                reason,
                notes,
                recorded_by,
            }),
            _ => Err(ValidationErrors::one(FieldError::new("left_on", "error-required"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Rulebook;

    fn input(left_on: &str, reason: &str, notes: Option<&str>) -> WithdrawalInput {
        WithdrawalInput {
            left_on: left_on.into(),
            reason: reason.into(),
            notes: notes.map(str::to_owned),
            recorded_by: "Айгерім".into(),
        }
    }

    #[test]
    fn a_withdrawal_needs_a_past_day_a_listed_reason_and_notes_for_other() {
        let rb = Rulebook::pilot_2017();
        let today = NaiveDate::from_ymd_opt(2017, 9, 1).unwrap();
        let ctx = Context { rulebook: &rb, today };
        let leaving = Leaving { application_id: Uuid::from_u128(1), region: "550000000", person: None };
        let ok = input("01.09.2017", "moved_away", None).validate(&ctx, leaving).unwrap();
        assert_eq!((ok.person_id, ok.reason), (None, WithdrawalReason::MovedAway));
        let errors = input("02.09.2017", "moved_away", None).validate(&ctx, leaving).unwrap_err();
        assert_eq!(errors.0[0].field, "left_on", "the day after today is refused");
        let errors = input("01.09.2017", "bored", None).validate(&ctx, leaving).unwrap_err();
        assert_eq!(errors.0[0].field, "reason");
        let errors = input("01.09.2017", "other", Some("  ")).validate(&ctx, leaving).unwrap_err();
        assert_eq!((errors.0[0].field, errors.0[0].key), ("notes", "error-withdrawal-other-needs-notes"));
        assert!(input("01.09.2017", "other", Some("уехала")).validate(&ctx, leaving).is_ok());
    }

    #[test]
    fn a_person_and_a_group_withdraw_under_ids_of_their_own() {
        let (app, person) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert_eq!(withdrawal_id(app, Some(person)), withdrawal_id(app, Some(person)));
        assert_ne!(withdrawal_id(app, Some(person)), withdrawal_id(app, None));
        assert_ne!(withdrawal_id(app, None), withdrawal_id(Uuid::from_u128(3), None));
    }
}
