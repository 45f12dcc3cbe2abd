//! Who earns a certificate (PROGRAMME.md lines 141-142), each condition a rule with its code:
//!
//! - a beneficiary completed the programme their group's arm gives them (P:67-71): a member of a
//!   group the lottery assigned (`CERT_GROUP_DRAWN`); in arms A and C, phase I and phase III of
//!   the beneficiaries' training attended at the rulebook's share of days
//!   (`CERT_PHASE1_ATTENDED`, `CERT_PHASE3_ATTENDED`); and the sub-project's reports its arm
//!   submits in and not returned (`CERT_REPORTS_SUBMITTED`, P:139);
//! - a mentor completed the trainer-and-mentor training: certified after phase I
//!   (`MENTOR_CERTIFIED`, P:118) and phase III for mentors attended (`CERT_PHASE3_ATTENDED`,
//!   P:137).
//!
//! The certificate itself is a record made once per person and cohort, with its number and date;
//! the PDF is printed from it.

use crate::closing::certificate_number::{NumberOrigin, number_origin};
use crate::closing::reports::{ReportKind, SubprojectReport, expected_reports};
use crate::codes::code_enum;
use crate::delivery::mentoring;
use crate::delivery::training::{AttendanceTally, arm_gives_training};
use crate::messages::Arg;
use crate::rulebook::Rulebook;
use crate::rules::{Outcome, RuleCode, Verdict};
use crate::selection::lottery::Arm;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

code_enum! {
    /// Whose certificate.
    Holder, "holder" {
        /// A beneficiary.
        Person = "person",
        /// A mentor.
        Mentor = "mentor",
    }
}

/// What a beneficiary's certificate reads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BeneficiaryFacts {
    /// Their group's arm, if the lottery assigned it.
    pub arm: Option<Arm>,
    /// Days of the region's phase I for beneficiaries attended, if it is on record.
    pub phase1: Option<AttendanceTally>,
    /// Days of the region's phase III for beneficiaries attended, if it is on record.
    pub phase3: Option<AttendanceTally>,
    /// The sub-project's reports on record.
    pub reports: Vec<SubprojectReport>,
    /// The day they (or their group) left the programme, if they did.
    pub withdrawn_on: Option<NaiveDate>,
}

/// What a mentor's certificate reads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MentorFacts {
    /// The day the mentor was certified after phase I.
    pub certified_on: Option<NaiveDate>,
    /// Days of the region's phase III for mentors attended, if it is on record.
    pub phase3: Option<AttendanceTally>,
}

fn attended(rulebook: &Rulebook, code: RuleCode, tally: Option<&AttendanceTally>) -> Outcome {
    let Some(t) = tally else {
        return Outcome::new(code, Verdict::Fail, "rule-stage-not-held", vec![]);
    };
    let evidence: Vec<Arg> = vec![
        ("present", t.present.to_string()),
        ("days", t.days.to_string()),
        ("percent", rulebook.certification.attendance_min_percent.to_string()),
    ];
    if t.completes(rulebook) {
        Outcome::new(code, Verdict::Pass, "rule-stage-attended", evidence)
    } else {
        Outcome::new(code, Verdict::Fail, "rule-stage-not-attended", evidence)
    }
}

fn kinds(kinds: &[ReportKind]) -> String {
    kinds.iter().map(|k| k.code()).collect::<Vec<_>>().join(", ")
}

/// Every rule of a beneficiary's certificate, for what their arm gives them.
pub fn beneficiary(rulebook: &Rulebook, facts: &BeneficiaryFacts) -> Vec<Outcome> {
    let Some(arm) = facts.arm else {
        return vec![Outcome::new(RuleCode::CertGroupDrawn, Verdict::Fail, "rule-group-not-drawn", vec![])];
    };
    let mut out = vec![Outcome::new(
        RuleCode::CertGroupDrawn,
        Verdict::Pass,
        "rule-group-drawn",
        vec![("arm", arm.to_string())],
    )];
    out.push(match facts.withdrawn_on {
        None => Outcome::new(RuleCode::CertNotWithdrawn, Verdict::Pass, "rule-not-withdrawn", vec![]),
        Some(on) => Outcome::new(
            RuleCode::CertNotWithdrawn,
            Verdict::Fail,
            "rule-withdrawn",
            vec![("date", crate::validation::format_date(on))],
        ),
    });
    if arm_gives_training(arm) {
        out.push(attended(rulebook, RuleCode::CertPhase1Attended, facts.phase1.as_ref()));
        out.push(attended(rulebook, RuleCode::CertPhase3Attended, facts.phase3.as_ref()));
    }
    let expected = expected_reports(arm);
    let missing: Vec<ReportKind> = expected
        .iter()
        .copied()
        .filter(|kind| !facts.reports.iter().any(|r| r.kind == *kind && r.is_in()))
        .collect();
    out.push(if missing.is_empty() {
        Outcome::new(
            RuleCode::CertReportsSubmitted,
            Verdict::Pass,
            "rule-reports-in",
            vec![("reports", kinds(expected))],
        )
    } else {
        let key = match missing.as_slice() {
            [ReportKind::Programme] => "rule-reports-missing-programme",
            [ReportKind::Financial] => "rule-reports-missing-financial",
            _ => "rule-reports-missing-both",
        };
        Outcome::new(RuleCode::CertReportsSubmitted, Verdict::Fail, key, vec![("reports", kinds(&missing))])
    });
    out
}

/// Every rule of a mentor's certificate: certified after phase I, and phase III attended.
pub fn mentor(rulebook: &Rulebook, facts: &MentorFacts) -> Vec<Outcome> {
    vec![
        mentoring::certified(facts.certified_on),
        attended(rulebook, RuleCode::CertPhase3Attended, facts.phase3.as_ref()),
    ]
}

/// A certificate as recorded: made once per person and cohort, never changed nor removed. It keeps
/// the name as printed and the rules' outcomes it was issued on.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    /// The cohort.
    pub cohort: i32,
    /// The holder's region.
    pub region: String,
    /// A beneficiary or a mentor.
    pub holder: Holder,
    /// The person's or mentor's id.
    pub holder_id: Uuid,
    /// The full name as it is printed.
    pub full_name: String,
    /// A beneficiary's arm.
    pub arm: Option<Arm>,
    /// The day the last condition was met (the last day of phase III, or the last report in).
    pub completed_on: NaiveDate,
    /// The certificate's number, unique in the programme.
    pub number: String,
    /// The day it was issued.
    pub issued_on: NaiveDate,
    /// The device that issued it.
    pub device_id: Uuid,
    /// The rulebook it was decided by.
    pub rulebook_version: String,
    /// Every rule's outcome when it was issued.
    pub outcomes: Vec<Outcome>,
    /// The issuing device's Ed25519 signature of the certificate's code (base64url): what its QR
    /// carries, and what tells it from an edited or forged one ([`crate::closing::certificate_code`]).
    pub signature: String,
}

impl Certificate {
    /// Whether the record holds together: issued only on passing outcomes, not before it was
    /// earned, under a number of its cohort.
    pub fn check(&self) -> Result<(), String> {
        if self.outcomes.is_empty() || self.outcomes.iter().any(|o| o.verdict == Verdict::Fail) {
            return Err("a certificate is issued only when every rule passes".into());
        }
        if self.issued_on < self.completed_on {
            return Err("issued before the programme was completed".into());
        }
        // What the arm gave (P:67-71): training is certified in A and C, never in B; a mentor's
        // certificate names no arm.
        match (self.holder, self.arm) {
            (Holder::Person, None) => return Err("a beneficiary's certificate names the arm drawn".into()),
            (Holder::Mentor, Some(_)) => return Err("a mentor's certificate names no arm".into()),
            (Holder::Person, Some(arm)) => {
                let trained = self
                    .outcomes
                    .iter()
                    .any(|o| matches!(o.code, RuleCode::CertPhase1Attended | RuleCode::CertPhase3Attended));
                if trained != arm_gives_training(arm) {
                    let what = if trained { "claims a training" } else { "leaves out the training" };
                    return Err(format!("group {arm}'s certificate {what} its arm gives"));
                }
                if self
                    .outcomes
                    .iter()
                    .any(|o| o.code == RuleCode::CertNotWithdrawn && o.verdict != Verdict::Pass)
                {
                    return Err("a beneficiary who left the programme did not complete it".into());
                }
            }
            (Holder::Mentor, None) => {}
        }
        match number_origin(&self.number) {
            Some(NumberOrigin::Hq { cohort, .. }) if cohort == self.cohort => {}
            Some(NumberOrigin::Local { cohort, device, .. })
                if cohort == self.cohort && device == self.device_id => {}
            _ => {
                return Err(format!(
                    "the number {} is not one of cohort {} from this device",
                    self.number, self.cohort
                ));
            }
        }
        if self.signature.is_empty() {
            return Err("a certificate is signed by the device that issues it".into());
        }
        Ok(())
    }
}

/// The id of a holder's certificate of a cohort: one per person, the same on every desk, so two
/// desks issuing it offline meet at HQ as one row.
pub fn certificate_id(cohort: i32, holder_id: Uuid) -> Uuid {
    Uuid::new_v5(&holder_id, format!("certificate/{cohort}").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::closing::reports::{ReportStatus, Submitter};

    fn tally(present: u32, days: u32) -> Option<AttendanceTally> {
        Some(AttendanceTally { present, days })
    }

    fn report(kind: ReportKind, status: ReportStatus) -> SubprojectReport {
        let on = NaiveDate::from_ymd_opt(2017, 12, 14).unwrap();
        SubprojectReport {
            cohort: 2017,
            region: "431010000".into(),
            application_id: Uuid::nil(),
            kind,
            submitted_by: Submitter::Group,
            submitted_on: on,
            status,
            reviewed_on: (status != ReportStatus::Submitted).then_some(on),
            review_note: (status == ReportStatus::Returned).then(|| "receipts".into()),
        }
    }

    fn failed(outcomes: &[Outcome]) -> Vec<RuleCode> {
        outcomes.iter().filter(|o| o.verdict == Verdict::Fail).map(|o| o.code).collect()
    }

    #[test]
    fn arm_a_needs_both_phases_at_five_of_six_days_and_both_reports() {
        let r = Rulebook::pilot_2017();
        let both = vec![
            report(ReportKind::Programme, ReportStatus::Accepted),
            report(ReportKind::Financial, ReportStatus::Submitted),
        ];
        let facts = BeneficiaryFacts {
            arm: Some(Arm::A),
            phase1: tally(5, 6),
            phase3: tally(5, 6),
            reports: both,
            withdrawn_on: None,
        };
        assert!(failed(&beneficiary(&r, &facts)).is_empty());
        let four = BeneficiaryFacts { phase3: tally(4, 6), ..facts.clone() };
        assert_eq!(failed(&beneficiary(&r, &four)), [RuleCode::CertPhase3Attended]);
        let not_held = BeneficiaryFacts { phase1: None, ..facts.clone() };
        assert_eq!(failed(&beneficiary(&r, &not_held)), [RuleCode::CertPhase1Attended]);
        let returned = BeneficiaryFacts {
            reports: vec![
                report(ReportKind::Programme, ReportStatus::Accepted),
                report(ReportKind::Financial, ReportStatus::Returned),
            ],
            ..facts
        };
        let outcomes = beneficiary(&r, &returned);
        assert_eq!(failed(&outcomes), [RuleCode::CertReportsSubmitted]);
        let missing = outcomes.iter().find(|o| o.code == RuleCode::CertReportsSubmitted).unwrap();
        assert_eq!(missing.evidence.get("reports").map(String::as_str), Some("financial"));
    }

    #[test]
    fn arm_b_is_certified_by_its_reports_and_arm_c_without_a_financial_one() {
        let r = Rulebook::pilot_2017();
        let programme = vec![report(ReportKind::Programme, ReportStatus::Submitted)];
        let b = BeneficiaryFacts { arm: Some(Arm::B), reports: programme.clone(), ..Default::default() };
        assert_eq!(failed(&beneficiary(&r, &b)), [RuleCode::CertReportsSubmitted]);
        let b = BeneficiaryFacts {
            reports: vec![programme[0].clone(), report(ReportKind::Financial, ReportStatus::Submitted)],
            ..b
        };
        let outcomes = beneficiary(&r, &b);
        assert!(failed(&outcomes).is_empty());
        assert!(!outcomes.iter().any(|o| o.code == RuleCode::CertPhase1Attended));
        let c = BeneficiaryFacts {
            arm: Some(Arm::C),
            phase1: tally(6, 6),
            phase3: tally(6, 6),
            reports: programme,
            withdrawn_on: None,
        };
        assert!(failed(&beneficiary(&r, &c)).is_empty());
        assert_eq!(failed(&beneficiary(&r, &BeneficiaryFacts::default())), [RuleCode::CertGroupDrawn]);
    }

    #[test]
    fn who_left_the_programme_did_not_complete_it() {
        let r = Rulebook::pilot_2017();
        let programme = vec![
            report(ReportKind::Programme, ReportStatus::Submitted),
            report(ReportKind::Financial, ReportStatus::Submitted),
        ];
        let b = BeneficiaryFacts { arm: Some(Arm::B), reports: programme, ..Default::default() };
        assert!(failed(&beneficiary(&r, &b)).is_empty());
        let left = BeneficiaryFacts { withdrawn_on: NaiveDate::from_ymd_opt(2017, 9, 1), ..b };
        let outcomes = beneficiary(&r, &left);
        assert_eq!(failed(&outcomes), [RuleCode::CertNotWithdrawn]);
        let o = outcomes.iter().find(|o| o.code == RuleCode::CertNotWithdrawn).unwrap();
        assert!(o.text.en.contains("01.09.2017"), "{}", o.text.en);
    }

    #[test]
    fn a_certificate_that_claims_what_its_arm_did_not_give_is_refused() {
        let r = Rulebook::pilot_2017();
        let programme = vec![
            report(ReportKind::Programme, ReportStatus::Submitted),
            report(ReportKind::Financial, ReportStatus::Submitted),
        ];
        let trained = BeneficiaryFacts {
            arm: Some(Arm::A),
            phase1: tally(6, 6),
            phase3: tally(6, 6),
            reports: programme.clone(),
            withdrawn_on: None,
        };
        let device = Uuid::from_u128(7);
        let issued = |arm: Arm, outcomes: Vec<Outcome>| Certificate {
            cohort: 2017,
            region: "550000000".into(),
            holder: Holder::Person,
            holder_id: Uuid::nil(),
            full_name: "Сәрсенова Әйгерім".into(),
            arm: Some(arm),
            completed_on: NaiveDate::from_ymd_opt(2017, 11, 30).unwrap(),
            number: crate::closing::certificate_number::certificate_number(
                2017,
                crate::closing::certificate_number::BlockSource::Hq,
                device,
                501,
            ),
            issued_on: NaiveDate::from_ymd_opt(2017, 12, 20).unwrap(),
            device_id: device,
            rulebook_version: "2017-pilot.4".into(),
            outcomes,
            signature: "signed".into(),
        };
        assert_eq!(issued(Arm::A, beneficiary(&r, &trained)).check(), Ok(()));
        // Group B was given no training: its certificate may not say it attended one.
        let err = issued(Arm::B, beneficiary(&r, &trained)).check().unwrap_err();
        assert!(err.contains("claims a training"), "{err}");
        let untrained = BeneficiaryFacts { arm: Some(Arm::B), reports: programme, ..Default::default() };
        assert_eq!(issued(Arm::B, beneficiary(&r, &untrained)).check(), Ok(()));
        // Group C was: a certificate without it leaves it out.
        let err = issued(Arm::C, beneficiary(&r, &untrained)).check().unwrap_err();
        assert!(err.contains("leaves out the training"), "{err}");
    }

    #[test]
    fn a_mentor_needs_certification_and_phase_three() {
        let r = Rulebook::pilot_2017();
        let on = NaiveDate::from_ymd_opt(2017, 7, 12);
        assert!(failed(&mentor(&r, &MentorFacts { certified_on: on, phase3: tally(3, 3) })).is_empty());
        // 80 % of 3 days is 2.4: 2 days are not enough.
        assert_eq!(
            failed(&mentor(&r, &MentorFacts { certified_on: on, phase3: tally(2, 3) })),
            [RuleCode::CertPhase3Attended]
        );
        assert_eq!(
            failed(&mentor(&r, &MentorFacts { certified_on: None, phase3: tally(3, 3) })),
            [RuleCode::MentorCertified]
        );
    }

    #[test]
    fn one_certificate_id_per_holder_and_cohort() {
        let device = Uuid::parse_str("1f0c93a2-0000-7000-8000-000000000000").unwrap();
        assert_eq!(certificate_id(2017, device), certificate_id(2017, device));
        assert_ne!(certificate_id(2017, device), certificate_id(2018, device));
    }
}
