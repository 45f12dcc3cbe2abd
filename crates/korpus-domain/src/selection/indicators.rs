//! Progress against the programme's targets (PROGRAMME.md, Programme targets), by region and in
//! total, from the recorded cases: how many young people applied and how many became
//! beneficiaries (assigned to an arm), and the shares of women, vulnerable youth and people with
//! disabilities among them. A person who left the programme stays a beneficiary of the arm their
//! group was drawn into (the evaluation counts everyone where they were assigned): the indicators
//! show the assigned and, apart, those still active. A person who joined a drawn group after the
//! draw (not in the lottery's record of the group, `korpus-lottery/2`) was never randomised: an
//! applicant, counted apart, never a beneficiary.

use crate::rulebook::Rulebook;
use crate::selection::lottery::Arm;
use serde::{Deserialize, Serialize};

/// Where a person stands in the programme, as indicators count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Reach {
    /// Registered, in no application.
    Registered,
    /// A member of an application.
    Applicant,
    /// A member of a drawn group who joined it after the draw: never randomised.
    AddedAfterDraw,
    /// A member of a group assigned to an arm by a lottery, as the lottery recorded the group.
    Beneficiary,
}

/// One person, as indicators count them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountedPerson {
    /// The person's region (KATO code).
    pub region: String,
    /// How far the person came.
    pub reach: Reach,
    /// A woman (from the IIN).
    pub female: bool,
    /// Counts as vulnerable ([`crate::rules::is_vulnerable`]).
    pub vulnerable: bool,
    /// Has a disability.
    pub disability: bool,
    /// The arm drawn, for a beneficiary.
    pub arm: Option<Arm>,
    /// Left the programme (or their group did).
    pub withdrawn: bool,
}

/// Counts of one group of people.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// People.
    pub people: u32,
    /// Women among them.
    pub women: u32,
    /// Vulnerable among them.
    pub vulnerable: u32,
    /// With a disability among them.
    pub disability: u32,
}

impl Tally {
    fn add(&mut self, p: &CountedPerson) {
        self.people += 1;
        self.women += u32::from(p.female);
        self.vulnerable += u32::from(p.vulnerable);
        self.disability += u32::from(p.disability);
    }

    /// `part` of the people, in percent with one decimal; `None` with no people.
    pub fn percent(&self, part: u32) -> Option<f64> {
        (self.people > 0).then(|| (f64::from(part) * 1000.0 / f64::from(self.people)).round() / 10.0)
    }
}

/// One line of the indicators: a region, or the total.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorLine {
    /// The region (KATO code); `None` for the total.
    pub region: Option<String>,
    /// Persons registered (any reach).
    pub registered: u32,
    /// Members of applications (applicants and beneficiaries).
    pub applicants: Tally,
    /// Members of groups assigned to an arm, as the lottery recorded the groups: the assigned,
    /// those who left since included.
    pub beneficiaries: Tally,
    /// The assigned who have not left the programme.
    pub active: Tally,
    /// The assigned who left.
    pub withdrawn: u32,
    /// Members who joined a drawn group after the draw: never randomised, in no arm.
    pub added_after_draw: u32,
    /// Assigned and active, arm by arm (A, B, C).
    pub arms: Vec<ArmLine>,
}

/// The beneficiaries of one arm.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArmLine {
    /// The arm.
    pub arm: Arm,
    /// Assigned to it.
    pub assigned: u32,
    /// Of them, still active.
    pub active: u32,
}

/// A share target and where the cohort stands against it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareProgress {
    /// What is measured: `women`, `vulnerable`, `disability`.
    pub indicator: String,
    /// The programme's target over the whole component, in percent.
    pub target_percent: u32,
    /// What the brochure expects of this cohort, in percent, where it says.
    pub cohort_percent: Option<u32>,
    /// The share among beneficiaries, or among applicants while nobody is assigned yet.
    pub actual_percent: Option<f64>,
    /// Whether `actual_percent` is of beneficiaries (else of applicants).
    pub of_beneficiaries: bool,
    /// At or above the target.
    pub met: bool,
}

/// The indicators of a cohort.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicators {
    /// The programme year.
    pub cohort: i32,
    /// One line per region of the rulebook, in its order.
    pub regions: Vec<IndicatorLine>,
    /// All regions together.
    pub total: IndicatorLine,
    /// Beneficiaries expected through the three arms in this cohort.
    pub cohort_beneficiaries_target: u32,
    /// Beneficiaries over the whole component.
    pub programme_beneficiaries_target: u32,
    /// The three share targets.
    pub shares: Vec<ShareProgress>,
}

/// Counts `people` by region and in total and sets them against the rulebook's targets.
pub fn indicators(people: &[CountedPerson], rb: &Rulebook) -> Indicators {
    let line = |region: Option<&str>| {
        let mut l = IndicatorLine {
            region: region.map(str::to_owned),
            registered: 0,
            applicants: Tally::default(),
            beneficiaries: Tally::default(),
            active: Tally::default(),
            withdrawn: 0,
            added_after_draw: 0,
            arms: Arm::ALL.iter().map(|&arm| ArmLine { arm, assigned: 0, active: 0 }).collect(),
        };
        for p in people.iter().filter(|p| region.is_none_or(|r| p.region == r)) {
            l.registered += 1;
            if p.reach >= Reach::Applicant {
                l.applicants.add(p);
            }
            if p.reach == Reach::AddedAfterDraw {
                l.added_after_draw += 1;
            }
            if p.reach == Reach::Beneficiary {
                l.beneficiaries.add(p);
                if p.withdrawn {
                    l.withdrawn += 1;
                } else {
                    l.active.add(p);
                }
                if let Some(line) = l.arms.iter_mut().find(|a| Some(a.arm) == p.arm) {
                    line.assigned += 1;
                    line.active += u32::from(!p.withdrawn);
                }
            }
        }
        l
    };
    let total = line(None);
    let t = &rb.targets;
    let of_beneficiaries = total.beneficiaries.people > 0;
    let base = if of_beneficiaries { &total.beneficiaries } else { &total.applicants };
    let share = |indicator: &str, part: u32, target: u32, cohort: Option<u32>| {
        let actual = base.percent(part);
        ShareProgress {
            indicator: indicator.to_owned(),
            target_percent: target,
            cohort_percent: cohort,
            actual_percent: actual,
            of_beneficiaries,
            met: actual.is_some_and(|a| a >= f64::from(target)),
        }
    };
    let shares = vec![
        share("women", base.women, t.women_percent, None),
        share("vulnerable", base.vulnerable, t.vulnerable_percent, Some(t.cohort_vulnerable_percent)),
        share("disability", base.disability, t.disability_percent, Some(t.cohort_disability_percent)),
    ];
    Indicators {
        cohort: rb.cohort,
        regions: rb.regions.iter().map(|r| line(Some(&r.kato))).collect(),
        total,
        cohort_beneficiaries_target: t.cohort_randomised_beneficiaries,
        programme_beneficiaries_target: t.beneficiaries,
        shares,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(region: &str, reach: Reach, female: bool, vulnerable: bool, disability: bool) -> CountedPerson {
        let arm = (reach == Reach::Beneficiary).then_some(Arm::A);
        CountedPerson { region: region.into(), reach, female, vulnerable, disability, arm, withdrawn: false }
    }

    #[test]
    fn who_left_stays_assigned_to_their_arm_and_who_joined_late_is_never_a_beneficiary() {
        let rb = Rulebook::pilot_2017();
        let drawn = |arm: Arm, withdrawn: bool| CountedPerson {
            arm: Some(arm),
            withdrawn,
            ..person("550000000", Reach::Beneficiary, true, false, false)
        };
        let people = [
            drawn(Arm::A, false),
            drawn(Arm::A, true),
            drawn(Arm::C, true),
            drawn(Arm::B, false),
            person("550000000", Reach::AddedAfterDraw, false, false, false),
        ];
        let total = indicators(&people, &rb).total;
        assert_eq!((total.beneficiaries.people, total.active.people, total.withdrawn), (4, 2, 2));
        assert_eq!((total.applicants.people, total.added_after_draw), (5, 1));
        let arm = |a: Arm| total.arms.iter().find(|l| l.arm == a).map(|l| (l.assigned, l.active));
        assert_eq!((arm(Arm::A), arm(Arm::B), arm(Arm::C)), (Some((2, 1)), Some((1, 1)), Some((1, 0))));
    }

    #[test]
    fn people_are_counted_by_region_and_reach_against_the_targets() {
        let rb = Rulebook::pilot_2017();
        let people = [
            person("550000000", Reach::Beneficiary, true, true, false),
            person("550000000", Reach::Beneficiary, false, true, true),
            person("550000000", Reach::Applicant, true, false, false),
            person("190000000", Reach::Registered, true, true, false),
            person("190000000", Reach::Beneficiary, true, false, false),
        ];
        let ind = indicators(&people, &rb);
        assert_eq!(ind.regions.len(), 4);
        let pavlodar = ind.regions.iter().find(|l| l.region.as_deref() == Some("550000000")).unwrap();
        assert_eq!(
            (pavlodar.registered, pavlodar.applicants.people, pavlodar.beneficiaries.people),
            (3, 3, 2)
        );
        assert_eq!(pavlodar.beneficiaries.vulnerable, 2);
        assert_eq!((ind.total.registered, ind.total.beneficiaries.people), (5, 3));
        // Shares of beneficiaries: women 2 of 3, vulnerable 2 of 3, disability 1 of 3.
        let share = |name: &str| ind.shares.iter().find(|s| s.indicator == name).unwrap().clone();
        assert_eq!(share("women").actual_percent, Some(66.7));
        assert!(share("women").met, "66.7 % against 55 %");
        assert_eq!(share("vulnerable").actual_percent, Some(66.7));
        assert!(share("vulnerable").met, "66.7 % against 60 %");
        assert_eq!(share("disability").actual_percent, Some(33.3));
        assert_eq!(ind.cohort_beneficiaries_target, 3_000);
    }

    #[test]
    fn before_any_lottery_shares_are_of_applicants_and_the_womens_target_is_met_from_55_percent() {
        let rb = Rulebook::pilot_2017();
        let mut people: Vec<CountedPerson> =
            (0..54).map(|_| person("350000000", Reach::Applicant, true, false, false)).collect();
        people.extend((0..46).map(|_| person("350000000", Reach::Applicant, false, false, false)));
        let ind = indicators(&people, &rb);
        let women = ind.shares.iter().find(|s| s.indicator == "women").unwrap();
        assert_eq!((women.actual_percent, women.of_beneficiaries, women.met), (Some(54.0), false, false));
        people.extend((0..2).map(|_| person("350000000", Reach::Applicant, true, false, false)));
        let women = indicators(&people, &rb).shares.into_iter().find(|s| s.indicator == "women").unwrap();
        assert!(!women.met, "56 of 102 is 54.9 %: {women:?}");
        people.push(person("350000000", Reach::Applicant, true, false, false));
        let women = indicators(&people, &rb).shares.into_iter().find(|s| s.indicator == "women").unwrap();
        assert_eq!((women.actual_percent, women.met), (Some(55.3), true), "57 of 103");
    }
}
