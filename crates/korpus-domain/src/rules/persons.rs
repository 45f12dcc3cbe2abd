//! The rules of a beneficiary (PROGRAMME.md, Who takes part).

use super::{Named, Outcome, RuleCode, Verdict};
use crate::registry::persons::{Person, VulnerabilityCategory};
use crate::rulebook::{Rulebook, age_on};
use crate::validation::{format_date, format_tenge};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What the rules of a person read: the person and every application of the programme (as the
/// database knows it) that has the person as a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonFacts {
    /// The person's id.
    pub id: Uuid,
    /// The person.
    pub person: Person,
    /// Applications with the person as a member, in id order (UUIDv7: the order they were made).
    pub applications: Vec<Uuid>,
}

impl PersonFacts {
    /// "IIN Surname Given name": whom a member's outcome concerns.
    pub(crate) fn label(&self) -> String {
        format!(
            "{} {} {}",
            self.person.identity.iin, self.person.identity.surname, self.person.identity.given_name
        )
    }

    /// Every rule of a person, on their own.
    pub(crate) fn evaluate(&self, rb: &Rulebook) -> Vec<Outcome> {
        vec![
            person_age(&self.person, rb),
            person_one_subproject(self, None, rb),
            vulnerability(&self.person, rb),
        ]
    }
}

/// PERSON_AGE (P:17): aged `age_min` to `age_max`, both inclusive, on the cohort's reference date.
pub(crate) fn person_age(p: &Person, rb: &Rulebook) -> Outcome {
    let on = rb.reference_date;
    let age = age_on(p.identity.birth_date, on);
    let (min, max) = (rb.beneficiary.age_min, rb.beneficiary.age_max);
    let within = age >= min as i32 && age <= max as i32;
    let evidence = vec![
        ("age", age.to_string()),
        ("on", format_date(on)),
        ("birth_date", format_date(p.identity.birth_date)),
        ("min", min.to_string()),
        ("max", max.to_string()),
    ];
    if within {
        Outcome::new(RuleCode::PersonAge, Verdict::Pass, "rule-person-age-within", evidence)
    } else {
        Outcome::new(RuleCode::PersonAge, Verdict::Fail, "rule-person-age-outside", evidence)
    }
}

/// PERSON_ONE_SUBPROJECT (P:25): a person is a member of at most `max_subprojects` applications.
/// Judging one application (`within`), it passes when that application is among the person's
/// first `max_subprojects` (by id, which is the order they were made): the later one is the one
/// that breaks the rule.
pub(crate) fn person_one_subproject(facts: &PersonFacts, within: Option<Uuid>, rb: &Rulebook) -> Outcome {
    let max = rb.beneficiary.max_subprojects as usize;
    let mut all = facts.applications.clone();
    all.extend(within);
    all.sort_unstable();
    all.dedup();
    let others: Vec<String> = all.iter().filter(|id| Some(**id) != within).map(ToString::to_string).collect();
    let holds = match within {
        Some(app) => all.iter().position(|id| *id == app).is_some_and(|p| p < max),
        None => all.len() <= max,
    };
    let evidence =
        vec![("count", all.len().to_string()), ("max", max.to_string()), ("others", others.join(", "))];
    let code = RuleCode::PersonOneSubproject;
    if !holds {
        Outcome::new(code, Verdict::Fail, "rule-person-one-subproject-broken", evidence)
    } else if all.len() <= max {
        Outcome::new(code, Verdict::Pass, "rule-person-one-subproject-holds", evidence)
    } else {
        Outcome::new(code, Verdict::Warn, "rule-person-one-subproject-first", evidence)
    }
}

/// Whether the programme counts `p` as vulnerable youth (P:26-33): any recorded category of
/// P:28-31, the working poor only with an income per family member below the threshold (40 % of
/// the subsistence minimum). A disability (P:32) counts too only where the rulebook says so
/// (`disability_is_vulnerable`, before `2017-pilot.4`); the brochure's targets count people with
/// disabilities on their own (P:42).
pub fn is_vulnerable(p: &Person, rb: &Rulebook) -> bool {
    !categories(p, rb).is_empty()
}

/// The categories that count: the recorded ones, the working poor only below the threshold.
fn categories(p: &Person, rb: &Rulebook) -> Vec<Named> {
    let threshold = rb.vulnerability.income_threshold_tenge();
    let mut counted: Vec<Named> = p
        .vulnerability
        .iter()
        .filter(|c| {
            **c != VulnerabilityCategory::WorkingPoor || p.income_per_member.is_some_and(|i| i < threshold)
        })
        .map(|c| Named::by_key(c.code(), c.message_key()))
        .collect();
    if p.disability && rb.vulnerability.disability_is_vulnerable {
        counted.push(Named::by_key("disability", "field-disability"));
    }
    counted
}

/// VULNERABILITY (P:26-33): how the person is classified. Never a failure (vulnerable youth are
/// a priority, not a condition); a warning when the record and the income disagree.
pub(crate) fn vulnerability(p: &Person, rb: &Rulebook) -> Outcome {
    let threshold = rb.vulnerability.income_threshold_tenge();
    let counted = categories(p, rb);
    let income = p.income_per_member.map(format_tenge).unwrap_or_default();
    let vulnerable = !counted.is_empty();
    let evidence = vec![
        ("income", income),
        ("threshold", format_tenge(threshold)),
        ("percent", rb.vulnerability.income_share_percent.to_string()),
        ("vulnerable", super::yes_no(vulnerable)),
    ];
    let claims_poor = p.vulnerability.contains(&VulnerabilityCategory::WorkingPoor);
    let below = p.income_per_member.is_some_and(|i| i < threshold);
    let key = match (claims_poor, below) {
        (true, false) => "rule-vulnerability-income-not-below",
        (false, true) if p.vulnerability.is_empty() => "rule-vulnerability-income-below-unrecorded",
        _ if !vulnerable => "rule-vulnerability-not-vulnerable",
        _ => "rule-vulnerability-vulnerable",
    };
    let verdict = match key {
        "rule-vulnerability-income-not-below" | "rule-vulnerability-income-below-unrecorded" => Verdict::Warn,
        _ => Verdict::Pass,
    };
    Outcome::naming(RuleCode::Vulnerability, verdict, key, evidence, ("categories", counted))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::rules::tests::assert_explained;
    use crate::{EducationStatus, Identity, Iin};
    use chrono::{Datelike, NaiveDate};
    use std::collections::BTreeSet;

    pub(crate) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// A valid IIN for someone born on `birth`.
    pub(crate) fn iin(birth: NaiveDate, sex: crate::Sex, serial: u16) -> Iin {
        (serial..serial + 50).find_map(|s| Iin::compose(birth, sex, s)).unwrap()
    }

    pub(crate) fn person(birth: NaiveDate) -> Person {
        Person {
            identity: Identity {
                iin: iin(birth, crate::Sex::Female, 100),
                surname: "Сейітова".into(),
                given_name: "Әйгерім".into(),
                patronymic: None,
                sex: crate::Sex::Female,
                birth_date: birth,
                phone: None,
                region: "550000000".into(),
                locality: "Ақсу".into(),
            },
            cohort: 2017,
            education: EducationStatus::SchoolLeaver,
            vulnerability: BTreeSet::new(),
            disability: false,
            income_per_member: None,
        }
    }

    pub(crate) fn facts(birth: NaiveDate, applications: Vec<Uuid>) -> PersonFacts {
        PersonFacts { id: Uuid::now_v7(), person: person(birth), applications }
    }

    #[test]
    fn twenty_nine_on_the_reference_date_passes_thirty_fails() {
        let rb = Rulebook::pilot_2017(); // reference date 14.04.2017
        let o = person_age(&person(date(1987, 4, 15)), &rb);
        assert_eq!((o.verdict, o.evidence["age"].as_str()), (Verdict::Pass, "29"));
        assert_explained(&o);
        let o = person_age(&person(date(1987, 4, 14)), &rb);
        assert_eq!((o.verdict, o.evidence["age"].as_str()), (Verdict::Fail, "30"));
        assert!(o.text.en.contains("30") && o.text.en.contains("14.04.2017"), "{}", o.text.en);
        assert_explained(&o);
    }

    #[test]
    fn eighteen_on_the_reference_date_passes_seventeen_fails() {
        let rb = Rulebook::pilot_2017();
        assert_eq!(person_age(&person(date(1999, 4, 14)), &rb).verdict, Verdict::Pass);
        let o = person_age(&person(date(1999, 4, 15)), &rb);
        assert_eq!((o.verdict, o.evidence["age"].as_str()), (Verdict::Fail, "17"));
    }

    proptest::proptest! {
        /// PERSON_AGE in other words: born no later than 18 years before the reference date,
        /// and later than 30 years before it.
        #[test]
        fn person_age_passes_exactly_for_births_in_the_window(days in 0i64..20_000) {
            let rb = Rulebook::pilot_2017();
            let birth = date(1970, 1, 1) + chrono::Days::new(days as u64);
            let on = rb.reference_date;
            let youngest = on.with_year(on.year() - 18).unwrap();
            let oldest_excluded = on.with_year(on.year() - 30).unwrap();
            let inside = birth <= youngest && birth > oldest_excluded;
            let verdict = person_age(&person(birth), &rb).verdict;
            proptest::prop_assert_eq!(verdict == Verdict::Pass, inside, "born {}", birth);
        }
    }

    #[test]
    fn one_application_passes_the_second_breaks_one_subproject() {
        let rb = Rulebook::pilot_2017();
        let (first, second) = (Uuid::now_v7(), Uuid::now_v7());
        let one = facts(date(2000, 1, 1), vec![first]);
        assert_eq!(person_one_subproject(&one, None, &rb).verdict, Verdict::Pass);
        assert_eq!(person_one_subproject(&one, Some(first), &rb).verdict, Verdict::Pass);
        let two = facts(date(2000, 1, 1), vec![first, second]);
        let o = person_one_subproject(&two, None, &rb);
        assert_eq!((o.verdict, o.evidence["count"].as_str()), (Verdict::Fail, "2"));
        assert_explained(&o);
        // Within an application: the later one breaks the rule, the first is only flagged.
        let o = person_one_subproject(&two, Some(second), &rb);
        assert_eq!(o.verdict, Verdict::Fail);
        assert_eq!(o.evidence["others"], first.to_string());
        let o = person_one_subproject(&two, Some(first), &rb);
        assert_eq!(o.verdict, Verdict::Warn);
        assert_explained(&o);
    }

    #[test]
    fn working_poor_counts_below_forty_percent_of_the_minimum_only() {
        let rb = Rulebook::pilot_2017(); // threshold 9,000 tenge
        let mut p = person(date(2000, 1, 1));
        p.vulnerability.insert(VulnerabilityCategory::WorkingPoor);
        p.income_per_member = Some(8_999);
        let o = vulnerability(&p, &rb);
        assert_eq!((o.verdict, o.evidence["vulnerable"].as_str()), (Verdict::Pass, "yes"));
        assert!(is_vulnerable(&p, &rb));
        p.income_per_member = Some(9_000);
        let o = vulnerability(&p, &rb);
        assert_eq!((o.verdict, o.evidence["vulnerable"].as_str()), (Verdict::Warn, "no"));
        assert!(o.text.ru.contains("9 000 ₸"), "{}", o.text.ru);
        assert!(!is_vulnerable(&p, &rb));
        assert_explained(&o);
    }

    #[test]
    fn neet_is_vulnerable_a_disability_alone_no_longer_and_income_below_unrecorded_is_flagged() {
        let rb = Rulebook::pilot_2017();
        let mut p = person(date(2000, 1, 1));
        assert_eq!(vulnerability(&p, &rb).message, "rule-vulnerability-not-vulnerable");
        // A disability is its own target (P:42), not one of the vulnerability categories; the
        // rulebook before 2017-pilot.4 counted it, and its screenings still check that way.
        p.disability = true;
        assert!(!is_vulnerable(&p, &rb));
        assert_eq!(vulnerability(&p, &rb).evidence["vulnerable"], "no");
        let three = Rulebook::built_in("2017-pilot.3").unwrap();
        assert!(is_vulnerable(&p, &three));
        assert_eq!(vulnerability(&p, &three).evidence["categories"], "disability");
        p.disability = false;
        p.vulnerability.insert(VulnerabilityCategory::Neet);
        assert_eq!(vulnerability(&p, &rb).evidence["categories"], "neet");
        p.vulnerability.clear();
        p.income_per_member = Some(5_000);
        let o = vulnerability(&p, &rb);
        assert_eq!(
            (o.verdict, o.message.as_str()),
            (Verdict::Warn, "rule-vulnerability-income-below-unrecorded")
        );
        assert_explained(&o);
    }
}
