//! The evaluation commission (PROGRAMME.md, "Applying for a grant", stage 2): members recorded
//! per cohort and region score the applications that passed technical screening on the cohort's
//! criteria; each application's mean leaves out the members who declared a conflict of interest;
//! the applications are ranked and a cut-off chosen; the decision is recorded with who made it.

use crate::codes::code_enum;
use crate::rulebook::{Context, Rulebook, region};
use crate::validation::{
    Checker, FieldError, SHORT_TEXT_MAX, ValidationErrors, optional_short, parse_integer, person_name,
    required_text,
};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use uuid::Uuid;

code_enum! {
    /// A member's role on the commission.
    CommissionRole, "commission-role" {
        /// Chairs the commission and signs its decision.
        Chair = "chair",
        /// Scores applications.
        Member = "member",
        /// Keeps the minutes; does not score.
        Secretary = "secretary",
    }
}

/// A member of a cohort's evaluation commission in one region.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommissionMember {
    /// The programme year.
    pub cohort: i32,
    /// The region (KATO code) the commission sits for.
    pub region: String,
    /// Full name.
    pub full_name: String,
    /// Workplace and position, as the minutes name them.
    pub position: Option<String>,
    /// Role.
    pub role: CommissionRole,
}

/// A commission member as typed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommissionMemberInput {
    /// Region (KATO code).
    pub region: String,
    /// Full name.
    pub full_name: String,
    /// Workplace and position.
    pub position: Option<String>,
    /// Role code.
    pub role: String,
}

impl CommissionMemberInput {
    /// Checks every field; on success, the member.
    pub fn validate(&self, ctx: &Context<'_>) -> Result<CommissionMember, ValidationErrors> {
        let mut check = Checker::new();
        let region = check.take(region("region", &self.region, ctx.rulebook));
        let full_name = check.take(person_name("full_name", &self.full_name));
        let position = check.take(optional_short("position", &self.position));
        let role = check.take(CommissionRole::parse("role", &self.role));
        check.finish()?;
        match (region, full_name, position, role) {
            (Some(region), Some(full_name), Some(position), Some(role)) => {
                Ok(CommissionMember { cohort: ctx.rulebook.cohort, region, full_name, position, role })
            }
            _ => Err(ValidationErrors::one(FieldError::new("full_name", "error-required"))),
        }
    }
}

/// Whether `member` may score an application of `cohort` in `region`: only a member of that
/// cohort's commission in that region, and not its secretary, who keeps the minutes.
pub fn may_score(member: &CommissionMember, cohort: i32, region: &str) -> Result<(), FieldError> {
    if (member.cohort, member.region.as_str()) != (cohort, region) {
        return Err(FieldError::new("member", "error-member-other-region"));
    }
    if member.role == CommissionRole::Secretary {
        return Err(FieldError::new("member", "error-secretary-scores"));
    }
    Ok(())
}

/// One member's score sheet for one application.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// The programme year.
    pub cohort: i32,
    /// The rulebook whose criteria the sheet scores.
    pub rulebook_version: String,
    /// The application scored.
    pub application_id: Uuid,
    /// The member who scored.
    pub member_id: Uuid,
    /// The application's region.
    pub region: String,
    /// Points per criterion code; empty when the member declared a conflict of interest.
    pub points: BTreeMap<String, u32>,
    /// The member declared a conflict of interest and does not score this application.
    pub conflict_of_interest: bool,
}

/// A score sheet as typed: points as text per criterion code.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoreInput {
    /// Points per criterion code, as typed.
    pub points: BTreeMap<String, String>,
    /// A declared conflict of interest.
    pub conflict_of_interest: bool,
}

impl ScoreInput {
    /// Checks the sheet against the rulebook's criteria: every criterion scored from 0 to its
    /// maximum, no unknown criterion; with a conflict of interest, no points at all.
    pub fn validate(
        &self,
        rb: &Rulebook,
        application_id: Uuid,
        member_id: Uuid,
        region: &str,
    ) -> Result<Score, ValidationErrors> {
        let mut check = Checker::new();
        let mut points = BTreeMap::new();
        let known: Vec<&str> = rb.commission.criteria.iter().map(|c| c.code.as_str()).collect();
        for code in self.points.keys().filter(|k| !known.contains(&k.as_str())) {
            check.push(FieldError::unknown_value("points", code, &known));
        }
        if self.conflict_of_interest {
            if self.points.values().any(|v| !v.trim().is_empty()) {
                check.push(FieldError::new("points", "error-conflict-scored"));
            }
        } else {
            for criterion in &rb.commission.criteria {
                let typed = self.points.get(&criterion.code).map(|s| s.trim()).unwrap_or("");
                if typed.is_empty() {
                    check.push(
                        FieldError::new("points", "error-criterion-unscored")
                            .arg("criterion", &criterion.code),
                    );
                    continue;
                }
                match parse_integer("points", typed) {
                    Ok(n) if (0..=i64::from(criterion.max)).contains(&n) => {
                        points.insert(criterion.code.clone(), n as u32);
                    }
                    Ok(_) => check.push(
                        FieldError::new("points", "error-criterion-range")
                            .arg("criterion", &criterion.code)
                            .arg("max", criterion.max),
                    ),
                    Err(e) => check.push(e),
                }
            }
        }
        check.finish()?;
        Ok(Score {
            cohort: rb.cohort,
            rulebook_version: rb.version.clone(),
            application_id,
            member_id,
            region: region.to_owned(),
            points,
            conflict_of_interest: self.conflict_of_interest,
        })
    }
}

impl Score {
    /// Checks a sheet as HQ receives it: its rulebook is known; with a conflict of interest it
    /// gives no points; otherwise it scores every criterion of the rulebook, each within its
    /// maximum, and nothing else.
    pub fn check(&self) -> Result<(), String> {
        let rb = Rulebook::built_in(&self.rulebook_version)
            .ok_or_else(|| format!("rulebook {} is not known", self.rulebook_version))?;
        if self.conflict_of_interest {
            return if self.points.is_empty() {
                Ok(())
            } else {
                Err("a member with a conflict of interest gives no points".to_owned())
            };
        }
        for criterion in &rb.commission.criteria {
            match self.points.get(&criterion.code) {
                None => return Err(format!("criterion {} is not scored", criterion.code)),
                Some(p) if *p > criterion.max => {
                    return Err(format!("criterion {}: {p} is above {}", criterion.code, criterion.max));
                }
                Some(_) => {}
            }
        }
        if let Some(unknown) =
            self.points.keys().find(|k| !rb.commission.criteria.iter().any(|c| &c.code == *k))
        {
            return Err(format!("criterion {unknown} is not the rulebook's"));
        }
        Ok(())
    }

    /// The sheet's total, or `None` for a declared conflict.
    pub fn total(&self) -> Option<u32> {
        (!self.conflict_of_interest).then(|| self.points.values().sum())
    }
}

/// One application's place in the ranking.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranked {
    /// The application.
    pub application_id: Uuid,
    /// Members whose sheets count (conflicts of interest left out).
    pub scorers: u32,
    /// Members who declared a conflict of interest.
    pub conflicts: u32,
    /// The sum of the counted totals.
    pub points_sum: u32,
    /// The mean total, rounded to two decimals for showing (ranking uses the exact fraction).
    pub mean: Option<f64>,
    /// Place, 1 first; `None` when too few members scored it.
    pub place: Option<u32>,
}

/// Ranks applications by their mean total over the members who scored them without a conflict
/// of interest. Means are compared exactly (as fractions); equal means keep the order of the
/// applications' ids (the order they were made). An application scored by fewer than the
/// rulebook's `min_scorers` is listed last, without a place.
pub fn rank(applications: &[Uuid], scores: &[Score], rb: &Rulebook) -> Vec<Ranked> {
    let mut ranked: Vec<Ranked> = applications
        .iter()
        .map(|id| {
            let sheets: Vec<&Score> = scores.iter().filter(|s| s.application_id == *id).collect();
            let totals: Vec<u32> = sheets.iter().filter_map(|s| s.total()).collect();
            let scorers = totals.len() as u32;
            let points_sum: u32 = totals.iter().sum();
            Ranked {
                application_id: *id,
                scorers,
                conflicts: sheets.iter().filter(|s| s.conflict_of_interest).count() as u32,
                points_sum,
                mean: (scorers > 0)
                    .then(|| (f64::from(points_sum) / f64::from(scorers) * 100.0).round() / 100.0),
                place: None,
            }
        })
        .collect();
    let counts = |r: &Ranked| r.scorers >= rb.commission.min_scorers.max(1);
    ranked.sort_by(|x, y| match (counts(x), counts(y)) {
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => {
            // x.mean > y.mean  ⇔  x.sum × y.n > y.sum × x.n (exact, no rounding).
            let left = u64::from(x.points_sum) * u64::from(y.scorers.max(1));
            let right = u64::from(y.points_sum) * u64::from(x.scorers.max(1));
            right.cmp(&left).then(x.application_id.cmp(&y.application_id))
        }
    });
    let mut place = 0;
    for r in ranked.iter_mut().filter(|r| counts(r)) {
        place += 1;
        r.place = Some(place);
    }
    ranked
}

/// Where the commission draws the line.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CutOff {
    /// The first `count` places are selected.
    Top {
        /// How many.
        count: u32,
    },
    /// Every placed application whose mean is at least `min_mean` is selected.
    MinMean {
        /// The lowest mean selected.
        min_mean: f64,
    },
}

impl CutOff {
    /// Reads a cut-off as typed: `top:N` or `min:X` (X may have a decimal point or comma).
    pub fn parse(field: &'static str, typed: &str) -> Result<CutOff, FieldError> {
        let bad = || FieldError::new(field, "error-cut-off").arg("value", typed.trim());
        let (kind, value) = typed.trim().split_once(':').ok_or_else(bad)?;
        match kind.trim() {
            "top" => {
                let count = value.trim().parse::<u32>().map_err(|_| bad())?;
                if count == 0 {
                    return Err(bad());
                }
                Ok(CutOff::Top { count })
            }
            "min" => {
                let min_mean = value.trim().replace(',', ".").parse::<f64>().map_err(|_| bad())?;
                if !min_mean.is_finite() || min_mean < 0.0 {
                    return Err(bad());
                }
                Ok(CutOff::MinMean { min_mean })
            }
            _ => Err(bad()),
        }
    }

    /// The applications of `ranking` this cut-off selects, in ranking order.
    pub fn select(&self, ranking: &[Ranked]) -> Vec<Uuid> {
        ranking
            .iter()
            .filter(|r| match (*self, r.place) {
                (_, None) => false,
                (CutOff::Top { count }, Some(place)) => place <= count,
                (CutOff::MinMean { min_mean }, Some(_)) => {
                    // Compared exactly: sum ≥ min × n, with the minimum taken to two decimals.
                    let min_hundredths = (min_mean * 100.0).round() as u64;
                    u64::from(r.points_sum) * 100 >= min_hundredths * u64::from(r.scorers)
                }
            })
            .map(|r| r.application_id)
            .collect()
    }
}

/// The commission's decision for a cohort and region: the ranking as it stood, the cut-off and
/// the applications selected for the lottery. Recorded once; a new decision names the one it
/// replaces and why.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommissionDecision {
    /// The programme year.
    pub cohort: i32,
    /// The region (KATO code).
    pub region: String,
    /// The rulebook that gave the criteria.
    pub rulebook_version: String,
    /// The ranking at the moment of the decision.
    pub ranking: Vec<Ranked>,
    /// The cut-off.
    pub cut_off: CutOff,
    /// The applications selected, in ranking order.
    pub selected: Vec<Uuid>,
    /// The score sheets ranked.
    pub scores: Vec<Uuid>,
    /// The members present.
    pub members_present: Vec<Uuid>,
    /// The day of the decision.
    pub decided_on: chrono::NaiveDate,
    /// Who recorded it (the chair's name as in the minutes).
    pub decided_by: String,
    /// The decision it replaces.
    pub supersedes: Option<Uuid>,
    /// Why it replaces one (required when it does).
    pub reason: Option<String>,
}

/// Checks why a decision replaces another: required when it does, a short free text.
pub fn replacement_reason(
    supersedes: Option<Uuid>,
    reason: Option<&str>,
) -> Result<Option<String>, FieldError> {
    match (supersedes, reason.map(str::trim).filter(|r| !r.is_empty())) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(FieldError::new("reason", "error-reason-without-replacement")),
        (Some(_), None) => Err(FieldError::new("reason", "error-reason-required")),
        (Some(_), Some(r)) => required_text("reason", r, SHORT_TEXT_MAX * 5).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::persons::tests::ctx;

    fn sheet(app: Uuid, member: Uuid, each: u32) -> Score {
        let rb = Rulebook::pilot_2017();
        Score {
            cohort: 2017,
            rulebook_version: rb.version.clone(),
            application_id: app,
            member_id: member,
            region: "550000000".into(),
            points: rb.commission.criteria.iter().map(|c| (c.code.clone(), each)).collect(),
            conflict_of_interest: false,
        }
    }

    fn conflict(app: Uuid, member: Uuid) -> Score {
        Score { points: BTreeMap::new(), conflict_of_interest: true, ..sheet(app, member, 0) }
    }

    #[test]
    fn every_criterion_is_scored_from_zero_to_its_maximum() {
        let rb = Rulebook::pilot_2017();
        let (app, member) = (Uuid::now_v7(), Uuid::now_v7());
        let mut input = ScoreInput {
            points: rb.commission.criteria.iter().map(|c| (c.code.clone(), "10".to_owned())).collect(),
            conflict_of_interest: false,
        };
        let score = input.validate(&rb, app, member, "550000000").unwrap();
        assert_eq!(score.total(), Some(50));
        assert_eq!(score.check(), Ok(()));
        let mut above = score.clone();
        above.points.insert("budget".into(), 11);
        assert!(above.check().unwrap_err().contains("above 10"), "{:?}", above.check());
        let mut short = score.clone();
        short.points.remove("budget");
        assert!(short.check().unwrap_err().contains("not scored"));
        input.points.insert("budget".into(), "11".into());
        input.points.insert("beauty".into(), "3".into());
        input.points.remove("feasibility");
        let err = input.validate(&rb, app, member, "550000000").unwrap_err();
        let keys: Vec<&str> = err.0.iter().map(|e| e.key).collect();
        assert!(keys.contains(&"error-criterion-range"), "{keys:?}");
        assert!(keys.contains(&"error-criterion-unscored"), "{keys:?}");
        assert!(keys.contains(&"error-unknown-value"), "{keys:?}");
    }

    #[test]
    fn a_conflicted_member_gives_no_points() {
        let rb = Rulebook::pilot_2017();
        let input = ScoreInput { points: BTreeMap::new(), conflict_of_interest: true };
        let score = input.validate(&rb, Uuid::now_v7(), Uuid::now_v7(), "550000000").unwrap();
        assert_eq!(score.total(), None);
        let input = ScoreInput {
            points: BTreeMap::from([("budget".to_owned(), "5".to_owned())]),
            conflict_of_interest: true,
        };
        let err = input.validate(&rb, Uuid::now_v7(), Uuid::now_v7(), "550000000").unwrap_err();
        assert_eq!(err.0[0].key, "error-conflict-scored");
    }

    #[test]
    fn the_mean_leaves_out_a_conflict_of_interest_and_ranks_exactly() {
        let rb = Rulebook::pilot_2017(); // three scorers needed
        let apps: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let members: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
        let mut scores = vec![
            // App 0: 8, 8, 8 and a conflict → mean 40.
            sheet(apps[0], members[0], 8),
            sheet(apps[0], members[1], 8),
            sheet(apps[0], members[2], 8),
            conflict(apps[0], members[3]),
            // App 1: 9, 9, 6, 8 → mean 40 as well: a tie, kept in id order (app 0 first).
            sheet(apps[1], members[0], 9),
            sheet(apps[1], members[1], 9),
            sheet(apps[1], members[2], 6),
            sheet(apps[1], members[3], 8),
            // App 2: only two scorers → no place.
            sheet(apps[2], members[0], 10),
            sheet(apps[2], members[1], 10),
        ];
        let ranking = rank(&apps, &scores, &rb);
        let order: Vec<(Uuid, Option<u32>)> = ranking.iter().map(|r| (r.application_id, r.place)).collect();
        assert_eq!(order, [(apps[0], Some(1)), (apps[1], Some(2)), (apps[2], None)]);
        assert_eq!((ranking[0].scorers, ranking[0].conflicts, ranking[0].mean), (3, 1, Some(40.0)));
        // Were the conflicted member counted with 0 points, app 0 would fall to 30 and second place.
        scores[3] = sheet(apps[0], members[3], 0);
        assert_eq!(rank(&apps, &scores, &rb)[0].application_id, apps[1]);
    }

    #[test]
    fn cut_offs_select_by_place_or_by_mean() {
        let rb = Rulebook::pilot_2017();
        let apps: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let members: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let scores: Vec<Score> = apps
            .iter()
            .enumerate()
            .flat_map(|(i, a)| members.iter().map(move |m| sheet(*a, *m, 5 + i as u32)))
            .collect();
        let ranking = rank(&apps, &scores, &rb); // means 35, 30, 25 → apps 2, 1, 0
        assert_eq!(CutOff::parse("cut_off", "top:2").unwrap().select(&ranking), [apps[2], apps[1]]);
        assert_eq!(CutOff::parse("cut_off", "min:30").unwrap().select(&ranking), [apps[2], apps[1]]);
        assert_eq!(CutOff::parse("cut_off", "min:30,01").unwrap().select(&ranking), [apps[2]]);
        for bad in ["", "top:0", "top:-1", "min:x", "best:3", "min:NaN"] {
            assert_eq!(CutOff::parse("cut_off", bad).unwrap_err().key, "error-cut-off", "{bad}");
        }
    }

    #[test]
    fn only_a_scoring_member_of_the_same_cohort_and_region_scores() {
        let member = |role| CommissionMember {
            cohort: 2017,
            region: "550000000".into(),
            full_name: "Ким Ольга".into(),
            position: None,
            role,
        };
        assert_eq!(may_score(&member(CommissionRole::Member), 2017, "550000000"), Ok(()));
        assert_eq!(may_score(&member(CommissionRole::Chair), 2017, "550000000"), Ok(()));
        let key = |r: Result<(), FieldError>| r.unwrap_err().key;
        assert_eq!(
            key(may_score(&member(CommissionRole::Secretary), 2017, "550000000")),
            "error-secretary-scores"
        );
        assert_eq!(
            key(may_score(&member(CommissionRole::Member), 2017, "470000000")),
            "error-member-other-region"
        );
        assert_eq!(
            key(may_score(&member(CommissionRole::Member), 2018, "550000000")),
            "error-member-other-region"
        );
    }

    #[test]
    fn members_are_checked_and_a_replacement_needs_its_reason() {
        let rb = Rulebook::pilot_2017();
        let input = CommissionMemberInput {
            region: "550000000".into(),
            full_name: "Ахметова Сәуле Қайратқызы".into(),
            position: Some("Павлодар облысы жастар ресурстық орталығы".into()),
            role: "chair".into(),
        };
        assert_eq!(input.validate(&ctx(&rb)).unwrap().role, CommissionRole::Chair);
        let bad = CommissionMemberInput { role: "king".into(), region: "1".into(), ..input };
        let err = bad.validate(&ctx(&rb)).unwrap_err();
        assert!(err.has("role") && err.has("region"), "{err}");
        let old = Some(Uuid::now_v7());
        assert_eq!(replacement_reason(None, Some(" ")), Ok(None));
        assert_eq!(replacement_reason(old, None).unwrap_err().key, "error-reason-required");
        assert_eq!(replacement_reason(None, Some("x")).unwrap_err().key, "error-reason-without-replacement");
        assert_eq!(
            replacement_reason(old, Some(" a member was absent ")),
            Ok(Some("a member was absent".into()))
        );
    }
}
