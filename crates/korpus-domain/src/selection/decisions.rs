//! The records of selection that follow screening, each a decision on record: the commission's
//! decision and the lottery of a cohort and region, the mentor's telephone interview and the
//! internal commission's decision on a mentor (PROGRAMME.md lines 114-118), and the host
//! organisation competition's decision with its memorandum of cooperation (lines 99-105).
//!
//! Each carries what HQ needs to check it as a transition: a commission decision names the score
//! sheets it ranked, so its ranking can be computed again; a lottery names the decision whose
//! selected groups it drew, so its groups can be compared and its draw made again.

use crate::codes::code_enum;
use crate::rulebook::{Context, Rulebook};
use crate::selection::commission::{CommissionDecision, Score, rank, replacement_reason};
use crate::selection::lottery::{self, Draw, LotteryInput};
use crate::validation::{
    Checker, FieldError, LONG_TEXT_MAX, SHORT_TEXT_MAX, ValidationErrors, optional_text, parse_date,
    past_date, person_name, required_text,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// The namespace of the ids of decisions that exist once per cohort and region (or per subject).
const NAMESPACE: Uuid = Uuid::from_u128(0x6b6f_7270_7573_5000_8000_7365_6c65_6374);

/// The id of a decision of `kind` for a cohort and scope (a region, or a subject's id), or of
/// the one that replaces `supersedes`. Two desks that make the first decision of a region
/// offline make the same id, so HQ takes the first and refuses the second as a row that exists;
/// a replacement likewise has one id per decision it replaces.
pub fn decision_id(kind: &str, cohort: i32, scope: &str, supersedes: Option<Uuid>) -> Uuid {
    let name = match supersedes {
        None => format!("korpus/{kind}/{cohort}/{scope}"),
        Some(previous) => format!("korpus/{kind}/after/{previous}"),
    };
    Uuid::new_v5(&NAMESPACE, name.as_bytes())
}

code_enum! {
    /// What the telephone interview found.
    InterviewOutcome, "interview-outcome" {
        /// The candidate goes on to the internal commission.
        Passed = "passed",
        /// The candidate is not selected.
        Failed = "failed",
    }
}

code_enum! {
    /// A competition's decision on a candidate (a mentor, a host organisation).
    SelectionOutcome, "selection-outcome" {
        /// Selected.
        Selected = "selected",
        /// Not selected.
        Rejected = "rejected",
    }
}

/// A mentor candidate's telephone interview (PROGRAMME.md line 116).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentorInterview {
    /// The programme year.
    pub cohort: i32,
    /// The mentor's region.
    pub region: String,
    /// The mentor.
    pub mentor_id: Uuid,
    /// The day of the call.
    pub held_on: NaiveDate,
    /// Who interviewed.
    pub interviewer: String,
    /// What was noted.
    pub notes: Option<String>,
    /// The outcome.
    pub outcome: InterviewOutcome,
}

/// An interview as typed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MentorInterviewInput {
    /// The day, as typed.
    pub held_on: String,
    /// Who interviewed.
    pub interviewer: String,
    /// Notes.
    pub notes: Option<String>,
    /// Outcome code.
    pub outcome: String,
}

impl MentorInterviewInput {
    /// Checks every field; on success, the interview of `mentor_id` in `region`.
    pub fn validate(
        &self,
        ctx: &Context<'_>,
        mentor_id: Uuid,
        region: &str,
    ) -> Result<MentorInterview, ValidationErrors> {
        let mut check = Checker::new();
        let held_on =
            check.take(parse_date("held_on", &self.held_on).and_then(|d| past_date("held_on", d, ctx.today)));
        let interviewer = check.take(person_name("interviewer", &self.interviewer));
        let notes = check.take(optional_text("notes", self.notes.as_deref(), LONG_TEXT_MAX));
        let outcome = check.take(InterviewOutcome::parse("outcome", &self.outcome));
        check.finish()?;
        match (held_on, interviewer, notes, outcome) {
            (Some(held_on), Some(interviewer), Some(notes), Some(outcome)) => Ok(MentorInterview {
                cohort: ctx.rulebook.cohort,
                region: region.to_owned(),
                mentor_id,
                held_on,
                interviewer,
                notes,
                outcome,
            }),
            _ => Err(ValidationErrors::one(FieldError::new("held_on", "error-required"))),
        }
    }
}

/// The internal commission's decision on a mentor (PROGRAMME.md line 117).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentorDecision {
    /// The programme year.
    pub cohort: i32,
    /// The mentor's region.
    pub region: String,
    /// The mentor.
    pub mentor_id: Uuid,
    /// The day of the decision.
    pub decided_on: NaiveDate,
    /// Who signed it.
    pub decided_by: String,
    /// Selected or not.
    pub outcome: SelectionOutcome,
    /// Why, as the minutes say.
    pub notes: Option<String>,
}

/// A decision as typed: on a mentor, or on a host organisation.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DecisionInput {
    /// The day, as typed.
    pub decided_on: String,
    /// Who signed it.
    pub decided_by: String,
    /// Outcome code.
    pub outcome: String,
    /// Why.
    pub notes: Option<String>,
}

/// The checked fields of a [`DecisionInput`].
struct Decided {
    on: NaiveDate,
    by: String,
    outcome: SelectionOutcome,
    notes: Option<String>,
}

impl DecisionInput {
    fn check(&self, ctx: &Context<'_>) -> Result<Decided, ValidationErrors> {
        let mut check = Checker::new();
        let on = check.take(
            parse_date("decided_on", &self.decided_on).and_then(|d| past_date("decided_on", d, ctx.today)),
        );
        let by = check.take(person_name("decided_by", &self.decided_by));
        let outcome = check.take(SelectionOutcome::parse("outcome", &self.outcome));
        let notes = check.take(optional_text("notes", self.notes.as_deref(), LONG_TEXT_MAX));
        check.finish()?;
        match (on, by, outcome, notes) {
            (Some(on), Some(by), Some(outcome), Some(notes)) => Ok(Decided { on, by, outcome, notes }),
            _ => Err(ValidationErrors::one(FieldError::new("decided_on", "error-required"))),
        }
    }

    /// The decision on mentor `mentor_id` of `region`.
    pub fn for_mentor(
        &self,
        ctx: &Context<'_>,
        mentor_id: Uuid,
        region: &str,
    ) -> Result<MentorDecision, ValidationErrors> {
        let d = self.check(ctx)?;
        Ok(MentorDecision {
            cohort: ctx.rulebook.cohort,
            region: region.to_owned(),
            mentor_id,
            decided_on: d.on,
            decided_by: d.by,
            outcome: d.outcome,
            notes: d.notes,
        })
    }

    /// The competition's decision on host organisation `host_org_id` of `region`.
    pub fn for_host_org(
        &self,
        ctx: &Context<'_>,
        host_org_id: Uuid,
        region: &str,
    ) -> Result<HostOrgDecision, ValidationErrors> {
        let d = self.check(ctx)?;
        Ok(HostOrgDecision {
            cohort: ctx.rulebook.cohort,
            region: region.to_owned(),
            host_org_id,
            decided_on: d.on,
            decided_by: d.by,
            outcome: d.outcome,
            notes: d.notes,
            memorandum_number: None,
            memorandum_date: None,
        })
    }
}

/// The host organisation competition's decision on one organisation for a cohort, and, once
/// signed, its memorandum of cooperation with the programme (PROGRAMME.md line 105).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostOrgDecision {
    /// The programme year.
    pub cohort: i32,
    /// The organisation's region.
    pub region: String,
    /// The organisation.
    pub host_org_id: Uuid,
    /// The day of the decision.
    pub decided_on: NaiveDate,
    /// Who signed it.
    pub decided_by: String,
    /// Selected or not.
    pub outcome: SelectionOutcome,
    /// Why, as the minutes say.
    pub notes: Option<String>,
    /// The memorandum's number, once signed.
    pub memorandum_number: Option<String>,
    /// The memorandum's date, once signed.
    pub memorandum_date: Option<NaiveDate>,
}

impl HostOrgDecision {
    /// The memorandum as typed, checked against this decision: only a selected organisation
    /// signs one, on or after the day of the decision and not in the future.
    pub fn memorandum(
        &self,
        ctx: &Context<'_>,
        number: &str,
        date: &str,
    ) -> Result<(String, NaiveDate), ValidationErrors> {
        let mut check = Checker::new();
        if self.outcome != SelectionOutcome::Selected {
            check.push(FieldError::new("memorandum_number", "error-memorandum-not-selected"));
        }
        let number = check.take(required_text("memorandum_number", number, SHORT_TEXT_MAX));
        let date = check.take(
            parse_date("memorandum_date", date).and_then(|d| past_date("memorandum_date", d, ctx.today)),
        );
        if let Some(date) = date
            && date < self.decided_on
        {
            check.push(
                FieldError::new("memorandum_date", "error-memorandum-before-decision")
                    .arg("date", crate::validation::format_date(self.decided_on)),
            );
        }
        check.finish()?;
        match (number, date) {
            (Some(number), Some(date)) => Ok((number, date)),
            _ => Err(ValidationErrors::one(FieldError::new("memorandum_number", "error-required"))),
        }
    }
}

/// A lottery on record: the draw of one cohort and region, from the groups a commission
/// decision selected. Recorded once; a new draw is a new record that names the one it replaces
/// and why.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotteryRecord {
    /// The programme year.
    pub cohort: i32,
    /// The region (KATO code).
    pub region: String,
    /// The rulebook that gave the arms' shares and the strata.
    pub rulebook_version: String,
    /// The commission decision whose selected groups were drawn.
    pub decision_id: Uuid,
    /// The day of the draw.
    pub drawn_on: NaiveDate,
    /// Who drew (the coordinator's name).
    pub drawn_by: String,
    /// The lottery it replaces.
    pub supersedes: Option<Uuid>,
    /// Why it replaces one.
    pub reason: Option<String>,
    /// What was drawn from, in canonical order.
    pub input: LotteryInput,
    /// The draw.
    pub draw: Draw,
}

/// The kind names [`decision_id`] uses.
pub mod kinds {
    /// A commission decision, per cohort and region.
    pub const COMMISSION: &str = "commission-decision";
    /// A lottery, per cohort and region.
    pub const LOTTERY: &str = "lottery";
    /// A host organisation decision, per cohort and organisation.
    pub const HOST_ORG: &str = "host-org-decision";
    /// A mentor decision, per cohort and mentor.
    pub const MENTOR: &str = "mentor-decision";
}

fn same_place(kind: &str, cohort: i32, region: &str, other: (i32, &str)) -> Result<(), String> {
    if other != (cohort, region) {
        return Err(format!(
            "the {kind} it replaces is of cohort {} region {}, not {cohort} {region}",
            other.0, other.1
        ));
    }
    Ok(())
}

fn reason_rule(supersedes: Option<Uuid>, reason: Option<&str>) -> Result<(), String> {
    replacement_reason(supersedes, reason).map(|_| ()).map_err(|e| format!("reason: {}", e.key))
}

impl CommissionDecision {
    /// Checks the decision as HQ does: its rulebook is known, a replacement says why and
    /// replaces one of the same cohort and region, the ranking is what `scores` (the sheets it
    /// names) give, and the selected applications are what its cut-off takes from that ranking.
    pub fn check(&self, scores: &[Score], replaced: Option<&CommissionDecision>) -> Result<(), String> {
        let rb = Rulebook::built_in(&self.rulebook_version)
            .ok_or_else(|| format!("rulebook {} is not known", self.rulebook_version))?;
        reason_rule(self.supersedes, self.reason.as_deref())?;
        if let Some(old) = replaced {
            same_place("decision", self.cohort, &self.region, (old.cohort, &old.region))?;
        }
        let applications: Vec<Uuid> = self.ranking.iter().map(|r| r.application_id).collect();
        let mut seen = BTreeSet::new();
        for s in scores {
            if (s.cohort, s.region.as_str()) != (self.cohort, self.region.as_str()) {
                return Err(format!("score sheet of member {} is of another cohort or region", s.member_id));
            }
            if !applications.contains(&s.application_id) {
                return Err(format!(
                    "a score sheet is for application {}, which is not ranked",
                    s.application_id
                ));
            }
            if !seen.insert((s.application_id, s.member_id)) {
                return Err(format!("member {} scored application {} twice", s.member_id, s.application_id));
            }
        }
        if rank(&applications, scores, &rb) != self.ranking {
            return Err("the ranking is not what the score sheets give".to_owned());
        }
        if self.cut_off.select(&self.ranking) != self.selected {
            return Err("the selected applications are not what the cut-off takes".to_owned());
        }
        Ok(())
    }
}

impl LotteryRecord {
    /// Checks the lottery as HQ does: a replacement says why and replaces one of the same cohort
    /// and region; the weights and strata are the rulebook's; the groups are exactly those
    /// `decision` selected; and drawing again from the input with the seed gives the record.
    pub fn check(
        &self,
        decision: &CommissionDecision,
        replaced: Option<&LotteryRecord>,
    ) -> Result<(), String> {
        let rb = Rulebook::built_in(&self.rulebook_version)
            .ok_or_else(|| format!("rulebook {} is not known", self.rulebook_version))?;
        reason_rule(self.supersedes, self.reason.as_deref())?;
        if let Some(old) = replaced {
            same_place("lottery", self.cohort, &self.region, (old.cohort, &old.region))?;
        }
        same_place("decision", self.cohort, &self.region, (decision.cohort, &decision.region))
            .map_err(|_| "the decision drawn from is of another cohort or region".to_owned())?;
        if (self.input.cohort, self.input.region.as_str()) != (self.cohort, self.region.as_str()) {
            return Err("the input is of another cohort or region".to_owned());
        }
        if self.input.weights != rb.arms || self.input.strata != rb.lottery.strata {
            return Err("the weights or strata are not the rulebook's".to_owned());
        }
        let drawn: BTreeSet<Uuid> = self.input.units.iter().map(|u| u.application_id).collect();
        let selected: BTreeSet<Uuid> = decision.selected.iter().copied().collect();
        if drawn != selected || drawn.len() != self.input.units.len() {
            return Err("the groups drawn are not the decision's selected applications".to_owned());
        }
        let found = lottery::verify(&self.draw, &self.input, self.input.clone());
        if let Some(first) = found.first() {
            return Err(format!("the draw does not verify: {first}"));
        }
        Ok(())
    }

    /// The arm of each group drawn.
    pub fn arms(&self) -> BTreeMap<Uuid, lottery::Arm> {
        self.draw.assignments.iter().map(|a| (a.application_id, a.arm)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::persons::tests::ctx;
    use crate::selection::commission::{CutOff, ScoreInput};
    use crate::selection::lottery::{Seed, Unit, draw};

    const REGION: &str = "550000000";

    fn sheets(rb: &Rulebook, apps: &[Uuid], members: &[Uuid]) -> Vec<Score> {
        let mut out = Vec::new();
        for (i, app) in apps.iter().enumerate() {
            for member in members {
                let points =
                    rb.commission.criteria.iter().map(|c| (c.code.clone(), (i % 10).to_string())).collect();
                let input = ScoreInput { points, conflict_of_interest: false };
                out.push(input.validate(rb, *app, *member, REGION).unwrap());
            }
        }
        out
    }

    fn decision(rb: &Rulebook, apps: &[Uuid], scores: &[Score], cut_off: &str) -> CommissionDecision {
        let ranking = rank(apps, scores, rb);
        let cut_off = CutOff::parse("cut_off", cut_off).unwrap();
        CommissionDecision {
            cohort: rb.cohort,
            region: REGION.into(),
            rulebook_version: rb.version.clone(),
            selected: cut_off.select(&ranking),
            ranking,
            cut_off,
            scores: Vec::new(),
            members_present: Vec::new(),
            decided_on: NaiveDate::from_ymd_opt(2017, 5, 20).unwrap(),
            decided_by: "Ахметова Сәуле".into(),
            supersedes: None,
            reason: None,
        }
    }

    fn lottery(rb: &Rulebook, d: &CommissionDecision, seed: &str) -> LotteryRecord {
        let input = LotteryInput {
            cohort: rb.cohort,
            region: REGION.into(),
            weights: rb.arms.clone(),
            strata: rb.lottery.strata.clone(),
            units: d
                .selected
                .iter()
                .enumerate()
                .map(|(i, id)| Unit {
                    stratum: vec![REGION.into()],
                    application_id: *id,
                    members: (0..3).map(|k| format!("{:012}", i * 10 + k)).collect(),
                })
                .collect(),
        }
        .canonical()
        .unwrap();
        let draw = draw(input.clone(), &Seed::parse("seed", seed).unwrap()).unwrap();
        LotteryRecord {
            cohort: rb.cohort,
            region: REGION.into(),
            rulebook_version: rb.version.clone(),
            decision_id: Uuid::now_v7(),
            drawn_on: NaiveDate::from_ymd_opt(2017, 5, 25).unwrap(),
            drawn_by: "Сейітов Нұрлан".into(),
            supersedes: None,
            reason: None,
            input,
            draw,
        }
    }

    #[test]
    fn the_first_decision_of_a_region_has_one_id_and_each_replacement_its_own() {
        let first = decision_id(kinds::LOTTERY, 2017, REGION, None);
        assert_eq!(first, decision_id(kinds::LOTTERY, 2017, REGION, None));
        assert_ne!(first, decision_id(kinds::LOTTERY, 2017, "470000000", None));
        assert_ne!(first, decision_id(kinds::COMMISSION, 2017, REGION, None));
        let second = decision_id(kinds::LOTTERY, 2017, REGION, Some(first));
        assert_ne!(first, second);
        assert_eq!(second, decision_id(kinds::LOTTERY, 2018, "x", Some(first)));
    }

    #[test]
    fn a_decision_is_checked_against_the_sheets_it_names() {
        let rb = Rulebook::pilot_2017();
        let apps: Vec<Uuid> = (0..5).map(|_| Uuid::now_v7()).collect();
        let members: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let scores = sheets(&rb, &apps, &members);
        let d = decision(&rb, &apps, &scores, "top:3");
        assert_eq!(d.check(&scores, None), Ok(()));
        // A sheet left out changes the ranking: one application has two scorers only.
        assert!(d.check(&scores[1..], None).unwrap_err().contains("ranking"));
        // A selection the cut-off does not give.
        let mut forged = d.clone();
        forged.selected.reverse();
        assert!(forged.check(&scores, None).unwrap_err().contains("cut-off"));
        // A replacement needs its reason, and the region of the one it replaces.
        let mut second = d.clone();
        second.supersedes = Some(Uuid::now_v7());
        assert!(second.check(&scores, Some(&d)).unwrap_err().contains("error-reason-required"));
        second.reason = Some("a member's sheet was lost and scored again".into());
        assert_eq!(second.check(&scores, Some(&d)), Ok(()));
        let mut elsewhere = d.clone();
        elsewhere.region = "470000000".into();
        assert!(second.check(&scores, Some(&elsewhere)).is_err());
    }

    #[test]
    fn a_lottery_is_checked_against_its_decision_and_drawn_again() {
        let rb = Rulebook::pilot_2017();
        let apps: Vec<Uuid> = (0..9).map(|_| Uuid::now_v7()).collect();
        let members: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let scores = sheets(&rb, &apps, &members);
        let d = decision(&rb, &apps, &scores, "top:6");
        let l = lottery(&rb, &d, "Қостанай 2017 тиражы 17 04 33");
        assert_eq!(l.check(&d, None), Ok(()));
        assert_eq!(l.arms().len(), 6);
        // Another arm written in for one group.
        let mut forged = l.clone();
        let first = &mut forged.draw.assignments[0];
        first.arm = if first.arm == lottery::Arm::A { lottery::Arm::B } else { lottery::Arm::A };
        assert!(forged.check(&d, None).unwrap_err().contains("does not verify"));
        // A group the commission did not select.
        let mut wider = d.clone();
        wider.selected.pop();
        assert!(l.check(&wider, None).unwrap_err().contains("selected"));
        // Weights that are not the rulebook's.
        let mut skewed = l.clone();
        skewed.input.weights.a += 1;
        assert!(skewed.check(&d, None).unwrap_err().contains("rulebook"));
    }

    #[test]
    fn an_interview_a_decision_and_a_memorandum_are_checked_by_field() {
        let rb = Rulebook::pilot_2017();
        let ctx = ctx(&rb);
        let mentor = Uuid::now_v7();
        let interview = MentorInterviewInput {
            held_on: "20.04.2017".into(),
            interviewer: "Жұмабаева Гүлнар".into(),
            notes: Some("Жастармен жұмыс тәжірибесі бар".into()),
            outcome: "passed".into(),
        };
        assert_eq!(interview.validate(&ctx, mentor, REGION).unwrap().outcome, InterviewOutcome::Passed);
        let bad = MentorInterviewInput { held_on: "31.02.2017".into(), outcome: "maybe".into(), ..interview };
        let err = bad.validate(&ctx, mentor, REGION).unwrap_err();
        assert!(err.has("held_on") && err.has("outcome"), "{err}");

        let input = DecisionInput {
            decided_on: "25.04.2017".into(),
            decided_by: "Ахметова Сәуле".into(),
            outcome: "selected".into(),
            notes: None,
        };
        let decision = input.for_host_org(&ctx, Uuid::now_v7(), REGION).unwrap();
        assert_eq!(decision.memorandum(&ctx, " № 14-М ", "28.04.2017").unwrap().0, "№ 14-М");
        let err = decision.memorandum(&ctx, "", "24.04.2017").unwrap_err();
        assert!(err.has("memorandum_number") && err.has("memorandum_date"), "{err}");
        let rejected =
            DecisionInput { outcome: "rejected".into(), ..input }.for_host_org(&ctx, Uuid::now_v7(), REGION);
        let err = rejected.unwrap().memorandum(&ctx, "15", "28.04.2017").unwrap_err();
        assert_eq!(err.0[0].key, "error-memorandum-not-selected");
    }
}
