//! The rules of a mentor's technical screening (PROGRAMME.md, Mentors).

use super::{Named, Outcome, RuleCode, Verdict};
use crate::registry::document_kinds::DocumentKind;
use crate::registry::mentors::{Mentor, MentorEducation};
use crate::rulebook::{Rulebook, age_on};
use crate::validation::format_date;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What the rules of a mentor read. Mentors are screened as their applications arrive (P:115); the
/// facts keep the day of screening, on which rulebooks before `2017-pilot.4` counted a mentor's
/// age; later ones count it on the cohort's reference date, as a beneficiary's is, so that a
/// screening gives the same answer whenever it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MentorFacts {
    /// The mentor's id.
    pub id: Uuid,
    /// The mentor.
    pub mentor: Mentor,
    /// Kinds of the mentor's documents on file, sorted.
    pub documents: Vec<DocumentKind>,
    /// The day of screening.
    pub on: NaiveDate,
}

impl MentorFacts {
    /// Every rule of a mentor.
    pub(crate) fn evaluate(&self, rb: &Rulebook) -> Vec<Outcome> {
        vec![
            min_age(self, rb),
            experience(&self.mentor, rb),
            education(&self.mentor),
            region(&self.mentor, rb),
            documents(self, rb),
            project_experience(&self.mentor),
        ]
    }
}

/// MENTOR_MIN_AGE (P:110, seed line 341 «21 жастан асқан»): older than `age_min_exclusive`, as
/// the rulebook's `age_rule` counts it (from `2017-pilot.4`: on the cohort's reference date, from
/// the day after that birthday).
fn min_age(f: &MentorFacts, rb: &Rulebook) -> Outcome {
    let birth = f.mentor.identity.birth_date;
    let min = rb.mentor.age_min_exclusive;
    let (older, on) = rb.mentor.age_rule.older(birth, min, f.on, rb.reference_date);
    let evidence = vec![
        ("age", age_on(birth, on).to_string()),
        ("on", format_date(on)),
        ("birth_date", format_date(birth)),
        ("min", min.to_string()),
    ];
    if older {
        Outcome::new(RuleCode::MentorMinAge, Verdict::Pass, "rule-mentor-age-older", evidence)
    } else {
        Outcome::new(RuleCode::MentorMinAge, Verdict::Fail, "rule-mentor-age-not-older", evidence)
    }
}

/// MENTOR_EXPERIENCE (P:110-111): at least `experience_years_min` years.
fn experience(m: &Mentor, rb: &Rulebook) -> Outcome {
    let min = rb.mentor.experience_years_min;
    let evidence = vec![("years", m.experience_years.to_string()), ("min", min.to_string())];
    if m.experience_years >= min {
        Outcome::new(RuleCode::MentorExperience, Verdict::Pass, "rule-mentor-experience-enough", evidence)
    } else {
        Outcome::new(RuleCode::MentorExperience, Verdict::Fail, "rule-mentor-experience-short", evidence)
    }
}

/// MENTOR_EDUCATION (P:111): specialised secondary or higher.
fn education(m: &Mentor) -> Outcome {
    let code = RuleCode::MentorEducation;
    let enough = matches!(m.education, MentorEducation::SpecialisedSecondary | MentorEducation::Higher);
    let verdict = if enough { Verdict::Pass } else { Verdict::Fail };
    let key = if enough { "rule-mentor-education-enough" } else { "rule-mentor-education-short" };
    Outcome::naming(
        code,
        verdict,
        key,
        Vec::new(),
        ("education", vec![Named::by_key(m.education.code(), m.education.message_key())]),
    )
}

/// MENTOR_REGION (P:106-108): the mentor lives in one of the cohort's regions.
fn region(m: &Mentor, rb: &Rulebook) -> Outcome {
    let kato = &m.identity.region;
    match rb.region(kato) {
        Some(r) => Outcome::naming(
            RuleCode::MentorRegion,
            Verdict::Pass,
            "rule-mentor-region-within",
            Vec::new(),
            ("region", vec![Named::with_name(kato, &r.name)]),
        ),
        None => Outcome::new(
            RuleCode::MentorRegion,
            Verdict::Fail,
            "rule-mentor-region-outside",
            vec![("region", kato.clone())],
        ),
    }
}

/// MENTOR_DOCUMENTS (P:112-113): every kind the rulebook requires is on file.
fn documents(f: &MentorFacts, rb: &Rulebook) -> Outcome {
    let missing = super::missing_documents(&rb.documents.mentor, &f.documents);
    let evidence = vec![("required", rb.documents.mentor.len().to_string())];
    if missing.is_empty() {
        Outcome::new(RuleCode::MentorDocuments, Verdict::Pass, "rule-documents-present", evidence)
    } else {
        Outcome::naming(
            RuleCode::MentorDocuments,
            Verdict::Fail,
            "rule-documents-missing",
            evidence,
            ("missing", missing),
        )
    }
}

/// MENTOR_PROJECT_EXPERIENCE (P:111-112): an advantage the commission weighs, never a condition;
/// its absence is a warning.
fn project_experience(m: &Mentor) -> Outcome {
    let evidence = vec![("answer", super::yes_no(m.project_experience))];
    if m.project_experience {
        Outcome::new(RuleCode::MentorProjectExperience, Verdict::Pass, "rule-mentor-projects-yes", evidence)
    } else {
        Outcome::new(RuleCode::MentorProjectExperience, Verdict::Warn, "rule-mentor-projects-no", evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::mentors::{MentorOccupation, MentorStage};
    use crate::rules::persons::tests::{date, iin};
    use crate::rules::tests::assert_explained;
    use crate::{Identity, Sex};

    fn facts(birth: NaiveDate) -> MentorFacts {
        MentorFacts {
            id: Uuid::now_v7(),
            mentor: Mentor {
                identity: Identity {
                    iin: iin(birth, Sex::Male, 200),
                    surname: "Жұмабеков".into(),
                    given_name: "Ерлан".into(),
                    patronymic: None,
                    sex: Sex::Male,
                    birth_date: birth,
                    phone: None,
                    region: "190000000".into(),
                    locality: "Талдықорған".into(),
                },
                cohort: 2017,
                occupation: MentorOccupation::SocialWorker,
                workplace: None,
                experience_years: 3,
                education: MentorEducation::SpecialisedSecondary,
                project_experience: true,
                stage: MentorStage::Applied,
                certified_on: None,
            },
            documents: Rulebook::pilot_2017().documents.mentor.clone(),
            on: date(2017, 6, 1),
        }
    }

    fn outcome(f: &MentorFacts, code: RuleCode) -> Outcome {
        f.evaluate(&Rulebook::pilot_2017()).into_iter().find(|o| o.code == code).unwrap()
    }

    #[test]
    fn older_than_21_from_the_day_after_the_birthday_on_the_reference_date() {
        // The pilot's reference date is 14.04.2017; the facts' day of screening (01.06.2017) is
        // not the day the age is counted on.
        let o = outcome(&facts(date(1996, 4, 13)), RuleCode::MentorMinAge);
        assert_eq!(
            (o.verdict, o.evidence["age"].as_str(), o.evidence["on"].as_str()),
            (Verdict::Pass, "21", "14.04.2017")
        );
        assert_explained(&o);
        let o = outcome(&facts(date(1996, 4, 14)), RuleCode::MentorMinAge);
        assert_eq!((o.verdict, o.evidence["age"].as_str()), (Verdict::Fail, "21"));
        assert_explained(&o);
        // 21 on the day of screening, but 20 on the reference date.
        let o = outcome(&facts(date(1996, 5, 1)), RuleCode::MentorMinAge);
        assert_eq!((o.verdict, o.evidence["age"].as_str()), (Verdict::Fail, "20"));
    }

    #[test]
    fn under_rulebook_3_the_age_was_full_years_on_the_day_of_screening() {
        let three = Rulebook::built_in("2017-pilot.3").unwrap();
        let outcome = |f: &MentorFacts| {
            f.evaluate(&three).into_iter().find(|o| o.code == RuleCode::MentorMinAge).unwrap()
        };
        // Screened 01.06.2017: born 01.06.1995 is 22, born 02.06.1995 is 21.
        let o = outcome(&facts(date(1995, 6, 1)));
        assert_eq!(
            (o.verdict, o.evidence["age"].as_str(), o.evidence["on"].as_str()),
            (Verdict::Pass, "22", "01.06.2017")
        );
        assert_eq!(outcome(&facts(date(1995, 6, 2))).verdict, Verdict::Fail);
    }

    #[test]
    fn a_mentor_screened_years_later_is_counted_on_the_reference_date() {
        // Born 01.01.1987: 30 on 14.04.2017, and so whenever the screening runs.
        let mut f = facts(date(1987, 1, 1));
        f.on = date(2026, 12, 6);
        let o = outcome(&f, RuleCode::MentorMinAge);
        assert_eq!((o.verdict, o.evidence["age"].as_str()), (Verdict::Pass, "30"));
    }

    #[test]
    fn three_years_pass_two_fail() {
        let mut f = facts(date(1980, 1, 1));
        assert_eq!(outcome(&f, RuleCode::MentorExperience).verdict, Verdict::Pass);
        f.mentor.experience_years = 2;
        let o = outcome(&f, RuleCode::MentorExperience);
        assert_eq!(o.verdict, Verdict::Fail);
        assert_explained(&o);
    }

    #[test]
    fn general_secondary_fails_specialised_passes() {
        let mut f = facts(date(1980, 1, 1));
        assert_eq!(outcome(&f, RuleCode::MentorEducation).verdict, Verdict::Pass);
        f.mentor.education = MentorEducation::GeneralSecondary;
        let o = outcome(&f, RuleCode::MentorEducation);
        assert_eq!(o.verdict, Verdict::Fail);
        assert!(o.text.kk.contains("жалпы орта"), "{}", o.text.kk);
        assert_explained(&o);
    }

    #[test]
    fn a_mentor_outside_the_regions_fails() {
        let mut f = facts(date(1980, 1, 1));
        assert_eq!(outcome(&f, RuleCode::MentorRegion).verdict, Verdict::Pass);
        f.mentor.identity.region = "710000000".into(); // Astana: not a pilot region
        let o = outcome(&f, RuleCode::MentorRegion);
        assert_eq!(o.verdict, Verdict::Fail);
        assert_explained(&o);
    }

    #[test]
    fn a_missing_certificate_fails_documents_and_no_projects_only_warns() {
        let mut f = facts(date(1980, 1, 1));
        f.documents.retain(|k| *k != DocumentKind::NoCriminalRecord);
        f.mentor.project_experience = false;
        let outcomes = f.evaluate(&Rulebook::pilot_2017());
        let docs = outcomes.iter().find(|o| o.code == RuleCode::MentorDocuments).unwrap();
        assert_eq!((docs.verdict, docs.evidence["missing"].as_str()), (Verdict::Fail, "no_criminal_record"));
        assert_explained(docs);
        let projects = outcomes.iter().find(|o| o.code == RuleCode::MentorProjectExperience).unwrap();
        assert_eq!(projects.verdict, Verdict::Warn);
        assert_explained(projects);
        assert_eq!(crate::rules::overall(&outcomes), Verdict::Fail);
    }
}
