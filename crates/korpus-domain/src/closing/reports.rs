//! The sub-projects' reports at the end of the programme (PROGRAMME.md line 139): a programme
//! report on what the group did and a financial report on the grant, submitted by the group or,
//! when a host organisation applied for it, by the organisation (P:104-105), due a number of
//! working days after phase II ends, then accepted or returned for correction by the
//! coordinator. A group of arm C has no grant and so no financial report.

use crate::codes::code_enum;
use crate::delivery::training::{arm_gives_grant, phase2};
use crate::rulebook::{Context, Rulebook};
use crate::selection::lottery::Arm;
use crate::validation::{
    Checker, FieldError, LONG_TEXT_MAX, ValidationErrors, format_date, optional_text, parse_date, past_date,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

code_enum! {
    /// Which report.
    ReportKind, "report-kind" {
        /// What the group did and reached (P:139).
        Programme = "programme",
        /// How the grant was spent (P:104-105).
        Financial = "financial",
    }
}

code_enum! {
    /// Where a submitted report stands.
    ReportStatus, "report-status" {
        /// Submitted, waiting for the coordinator.
        Submitted = "submitted",
        /// Accepted by the coordinator.
        Accepted = "accepted",
        /// Returned for correction, with the reason; submitted again later.
        Returned = "returned",
    }
}

code_enum! {
    /// Who submitted a report.
    Submitter, "report-submitter" {
        /// The group itself.
        Group = "group",
        /// The host organisation that applied on the group's behalf (P:104).
        HostOrg = "host_org",
    }
}

code_enum! {
    /// A report as the coordinator's list shows it: not yet in (before or after its due date) or
    /// where the submitted one stands.
    ReportState, "report-state" {
        /// Not submitted; not due yet.
        Expected = "expected",
        /// Not submitted, and the due date has passed.
        Overdue = "overdue",
        /// Submitted, waiting.
        Submitted = "submitted",
        /// Accepted.
        Accepted = "accepted",
        /// Returned for correction.
        Returned = "returned",
    }
}

/// A sub-project's report as recorded: one of each kind per sub-project (its id is fixed by the
/// two), submitted again after a return.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubprojectReport {
    /// The cohort.
    pub cohort: i32,
    /// The sub-project's region.
    pub region: String,
    /// The sub-project.
    pub application_id: Uuid,
    /// Which report.
    pub kind: ReportKind,
    /// Who submitted it.
    pub submitted_by: Submitter,
    /// When it was (last) submitted.
    pub submitted_on: NaiveDate,
    /// Where it stands.
    pub status: ReportStatus,
    /// When the coordinator accepted or returned it.
    pub reviewed_on: Option<NaiveDate>,
    /// Why it was returned, or a note on acceptance.
    pub review_note: Option<String>,
}

impl SubprojectReport {
    /// Whether the row's dates and note agree with its status: a submitted report is not
    /// reviewed yet; a reviewed one is reviewed on or after its submission; a returned one says why.
    pub fn check(&self) -> Result<(), String> {
        match (self.status, self.reviewed_on) {
            (ReportStatus::Submitted, Some(_)) => Err("a submitted report has no review date yet".into()),
            (ReportStatus::Accepted | ReportStatus::Returned, None) => {
                Err("a reviewed report has its review date".into())
            }
            (_, Some(on)) if on < self.submitted_on => Err("reviewed before it was submitted".into()),
            (ReportStatus::Returned, _) if self.review_note.is_none() => {
                Err("a returned report says why".into())
            }
            _ => Ok(()),
        }
    }

    /// Whether the report counts for a certificate: submitted and not returned.
    pub fn is_in(&self) -> bool {
        matches!(self.status, ReportStatus::Submitted | ReportStatus::Accepted)
    }
}

/// The id of a sub-project's report of `kind`: the same on every desk, so a report submitted on
/// two desks is one row.
pub fn report_id(application_id: Uuid, kind: ReportKind) -> Uuid {
    Uuid::new_v5(&application_id, format!("report/{kind}").as_bytes())
}

/// The reports a group of `arm` submits: both, or for arm C (no grant) the programme report only.
pub fn expected_reports(arm: Arm) -> &'static [ReportKind] {
    if arm_gives_grant(arm) {
        &[ReportKind::Programme, ReportKind::Financial]
    } else {
        &[ReportKind::Programme]
    }
}

/// The day the reports are due: `reports.due_working_days_after_phase2` working days after phase
/// II's last day (30.11.2017 + 10 working days, past 1 December's holiday: 15.12.2017).
pub fn due_on(rulebook: &Rulebook) -> Option<NaiveDate> {
    let (_, end) = phase2(rulebook)?;
    Some(rulebook.calendar.calendar().add_working_days(end, rulebook.reports.due_working_days_after_phase2))
}

/// Where a sub-project's report of one kind stands on `today`.
pub fn state(report: Option<&SubprojectReport>, due: Option<NaiveDate>, today: NaiveDate) -> ReportState {
    match report.map(|r| r.status) {
        Some(ReportStatus::Submitted) => ReportState::Submitted,
        Some(ReportStatus::Accepted) => ReportState::Accepted,
        Some(ReportStatus::Returned) => ReportState::Returned,
        None if due.is_some_and(|d| today > d) => ReportState::Overdue,
        None => ReportState::Expected,
    }
}

/// A report's submission as typed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportInput {
    /// The kind's code.
    pub kind: String,
    /// The day it came in, as typed.
    pub submitted_on: String,
}

/// What a submission reads of its sub-project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSubject<'a> {
    /// The sub-project.
    pub application_id: Uuid,
    /// Its region.
    pub region: &'a str,
    /// Whether a host organisation applied for it.
    pub has_host_org: bool,
    /// Its group's arm, if drawn.
    pub arm: Option<Arm>,
}

impl ReportInput {
    /// Checks a submission against the sub-project and the report already on record: only a
    /// drawn group's expected kinds, not twice unless it was returned.
    pub fn validate(
        &self,
        ctx: &Context<'_>,
        subject: &ReportSubject<'_>,
        existing: Option<&SubprojectReport>,
    ) -> Result<SubprojectReport, ValidationErrors> {
        let mut check = Checker::new();
        let kind = check.take(ReportKind::parse("kind", &self.kind));
        let submitted_on = check.take(
            parse_date("submitted_on", &self.submitted_on)
                .and_then(|d| past_date("submitted_on", d, ctx.today)),
        );
        match (subject.arm, kind) {
            (None, _) => check.push(FieldError::new("application_id", "error-arm-not-drawn")),
            (Some(arm), Some(kind)) if !expected_reports(arm).contains(&kind) => {
                check.push(FieldError::new("kind", "error-report-not-expected").arg("arm", arm));
            }
            _ => {}
        }
        if let Some(existing) = existing {
            match existing.status {
                ReportStatus::Returned => {
                    if let (Some(on), Some(back)) = (submitted_on, existing.reviewed_on)
                        && on < back
                    {
                        check.push(
                            FieldError::new("submitted_on", "error-before-return")
                                .arg("date", format_date(back)),
                        );
                    }
                }
                status => {
                    check.push(FieldError::new("kind", "error-report-already-in").arg("status", status))
                }
            }
        }
        check.finish()?;
        match (kind, submitted_on) {
            (Some(kind), Some(submitted_on)) => Ok(SubprojectReport {
                cohort: ctx.rulebook.cohort,
                region: subject.region.to_owned(),
                application_id: subject.application_id,
                kind,
                submitted_by: if subject.has_host_org { Submitter::HostOrg } else { Submitter::Group },
                submitted_on,
                status: ReportStatus::Submitted,
                reviewed_on: None,
                review_note: None,
            }),
            _ => Err(ValidationErrors::one(FieldError::new("kind", "error-required"))),
        }
    }
}

/// The coordinator's review of a submitted report, as typed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewInput {
    /// `accept` or `return`.
    pub decision: String,
    /// The day of the review, as typed.
    pub reviewed_on: String,
    /// Why it is returned (required then), or a note.
    pub note: Option<String>,
}

impl ReviewInput {
    /// Accepts or returns a submitted report, on or after its submission.
    pub fn apply(
        &self,
        ctx: &Context<'_>,
        report: &SubprojectReport,
    ) -> Result<SubprojectReport, ValidationErrors> {
        let mut check = Checker::new();
        let status = match self.decision.trim() {
            "accept" => Some(ReportStatus::Accepted),
            "return" => Some(ReportStatus::Returned),
            other => {
                check.push(FieldError::unknown_value("decision", other, &["accept", "return"]));
                None
            }
        };
        let reviewed_on = check.take(
            parse_date("reviewed_on", &self.reviewed_on).and_then(|d| past_date("reviewed_on", d, ctx.today)),
        );
        if let Some(on) = reviewed_on
            && on < report.submitted_on
        {
            check.push(
                FieldError::new("reviewed_on", "error-before-submission")
                    .arg("date", format_date(report.submitted_on)),
            );
        }
        let note = check.take(optional_text("note", self.note.as_deref(), LONG_TEXT_MAX));
        if status == Some(ReportStatus::Returned) && matches!(note, Some(None)) {
            check.push(FieldError::new("note", "error-return-reason"));
        }
        if report.status != ReportStatus::Submitted {
            check
                .push(FieldError::new("decision", "error-report-not-submitted").arg("status", report.status));
        }
        check.finish()?;
        match (status, reviewed_on, note) {
            (Some(status), Some(reviewed_on), Some(review_note)) => {
                Ok(SubprojectReport { status, reviewed_on: Some(reviewed_on), review_note, ..report.clone() })
            }
            _ => Err(ValidationErrors::one(FieldError::new("decision", "error-required"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn subject(arm: Option<Arm>) -> ReportSubject<'static> {
        ReportSubject { application_id: Uuid::nil(), region: "431010000", has_host_org: true, arm }
    }

    fn input(kind: &str, on: &str) -> ReportInput {
        ReportInput { kind: kind.into(), submitted_on: on.into() }
    }

    #[test]
    fn reports_are_due_ten_working_days_after_phase_two_past_the_first_of_december() {
        let r = Rulebook::pilot_2017();
        // Phase II ends on Thursday 30.11.2017; Friday 1 December is First President Day.
        assert_eq!(due_on(&r), Some(d(2017, 12, 15)));
        assert_eq!(state(None, due_on(&r), d(2017, 12, 15)), ReportState::Expected);
        assert_eq!(state(None, due_on(&r), d(2017, 12, 16)), ReportState::Overdue);
    }

    #[test]
    fn arm_c_has_no_financial_report_and_an_undrawn_group_none() {
        let r = Rulebook::pilot_2017();
        let ctx = Context { rulebook: &r, today: d(2017, 12, 20) };
        let report = input("financial", "14.12.2017").validate(&ctx, &subject(Some(Arm::A)), None).unwrap();
        assert_eq!(report.submitted_by, Submitter::HostOrg);
        assert_eq!(report.status, ReportStatus::Submitted);
        let err = input("financial", "14.12.2017").validate(&ctx, &subject(Some(Arm::C)), None).unwrap_err();
        assert!(err.has("kind"));
        assert!(input("programme", "14.12.2017").validate(&ctx, &subject(Some(Arm::C)), None).is_ok());
        let err = input("programme", "14.12.2017").validate(&ctx, &subject(None), None).unwrap_err();
        assert!(err.has("application_id"));
        let err = input("programme", "21.12.2017").validate(&ctx, &subject(Some(Arm::B)), None).unwrap_err();
        assert!(err.has("submitted_on"));
    }

    #[test]
    fn a_report_is_reviewed_once_and_submitted_again_only_after_a_return() {
        let r = Rulebook::pilot_2017();
        let ctx = Context { rulebook: &r, today: d(2017, 12, 20) };
        let report = input("programme", "14.12.2017").validate(&ctx, &subject(Some(Arm::A)), None).unwrap();
        assert!(report.is_in());
        // Twice while submitted: refused.
        assert!(
            input("programme", "15.12.2017").validate(&ctx, &subject(Some(Arm::A)), Some(&report)).is_err()
        );
        let review = |decision: &str, on: &str, note: Option<&str>| ReviewInput {
            decision: decision.into(),
            reviewed_on: on.into(),
            note: note.map(Into::into),
        };
        assert!(review("return", "15.12.2017", None).apply(&ctx, &report).unwrap_err().has("note"));
        assert!(review("accept", "13.12.2017", None).apply(&ctx, &report).unwrap_err().has("reviewed_on"));
        let returned = review("return", "15.12.2017", Some("no receipts")).apply(&ctx, &report).unwrap();
        assert_eq!(returned.check(), Ok(()));
        assert!(!returned.is_in());
        assert!(review("accept", "16.12.2017", None).apply(&ctx, &returned).unwrap_err().has("decision"));
        let again =
            input("programme", "18.12.2017").validate(&ctx, &subject(Some(Arm::A)), Some(&returned)).unwrap();
        let accepted = review("accept", "19.12.2017", None).apply(&ctx, &again).unwrap();
        assert_eq!(accepted.status, ReportStatus::Accepted);
        assert_eq!(accepted.check(), Ok(()));
        assert!(
            input("programme", "19.12.2017").validate(&ctx, &subject(Some(Arm::A)), Some(&accepted)).is_err()
        );
    }

    #[test]
    fn a_forged_row_is_named() {
        let r = Rulebook::pilot_2017();
        let ctx = Context { rulebook: &r, today: d(2017, 12, 20) };
        let report = input("programme", "14.12.2017").validate(&ctx, &subject(Some(Arm::A)), None).unwrap();
        let forged = SubprojectReport { status: ReportStatus::Accepted, ..report.clone() };
        assert!(forged.check().is_err());
        let early =
            SubprojectReport { status: ReportStatus::Accepted, reviewed_on: Some(d(2017, 12, 1)), ..report };
        assert!(early.check().is_err());
    }
}
