//! Mentors: certified adults who train and accompany the groups (PROGRAMME.md, Mentors).

use crate::codes::code_enum;
use crate::registry::persons::{Identity, IdentityInput};
use crate::rulebook::{Context, age_on};
use crate::validation::{Checker, FieldError, ValidationErrors, format_date, optional_short, parse_integer};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_enum! {
    /// Who may become a mentor (PROGRAMME.md line 107-108).
    MentorOccupation, "occupation" {
        /// An active resident.
        ActiveResident = "active_resident",
        /// Staff of a TVET college.
        TvetStaff = "tvet_staff",
        /// Staff of a public organisation.
        PublicOrganisationStaff = "public_organisation_staff",
        /// Staff of a youth resource centre.
        YouthResourceCentre = "youth_resource_centre",
        /// A social worker.
        SocialWorker = "social_worker",
        /// An entrepreneur.
        Entrepreneur = "entrepreneur",
        /// Anything else.
        Other = "other",
    }
}

code_enum! {
    /// A mentor's education; the criteria ask for specialised secondary or higher.
    MentorEducation, "mentor-education" {
        /// General secondary school.
        GeneralSecondary = "general_secondary",
        /// Specialised secondary (TVET).
        SpecialisedSecondary = "specialised_secondary",
        /// Higher education.
        Higher = "higher",
    }
}

code_enum! {
    /// Where a mentor stands in selection (PROGRAMME.md lines 115-117); transitions are decisions of
    /// the selection stages.
    MentorStage, "mentor-stage" {
        /// The questionnaire has come in.
        Applied = "applied",
        /// Passed technical screening.
        Screened = "screened",
        /// Passed the telephone interview.
        Interviewed = "interviewed",
        /// Selected by the internal commission.
        Selected = "selected",
        /// Not selected, at any stage.
        Rejected = "rejected",
    }
}

/// A mentor or a candidate for mentor.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mentor {
    /// Who the mentor is.
    #[serde(flatten)]
    pub identity: Identity,
    /// The programme year.
    pub cohort: i32,
    /// Occupation.
    pub occupation: MentorOccupation,
    /// Workplace, where there is one.
    pub workplace: Option<String>,
    /// Years of work in the social sphere or with young people.
    pub experience_years: u32,
    /// Education.
    pub education: MentorEducation,
    /// Experience of organising projects or events (an advantage, scored).
    pub project_experience: bool,
    /// Where the mentor stands in selection.
    pub stage: MentorStage,
    /// The day the mentor was certified as trainer and mentor, after phase I.
    pub certified_on: Option<NaiveDate>,
}

/// A mentor as typed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MentorInput {
    /// The person data.
    #[serde(flatten)]
    pub identity: IdentityInput,
    /// Occupation code.
    pub occupation: String,
    /// Workplace.
    pub workplace: Option<String>,
    /// Years of experience, as typed.
    pub experience_years: String,
    /// Education code.
    pub education: String,
    /// Experience of organising projects or events.
    pub project_experience: bool,
}

impl MentorInput {
    /// The input that reproduces `m`.
    pub fn from_mentor(m: &Mentor) -> Self {
        MentorInput {
            identity: IdentityInput::from(&m.identity),
            occupation: m.occupation.code().to_owned(),
            workplace: m.workplace.clone(),
            experience_years: m.experience_years.to_string(),
            education: m.education.code().to_owned(),
            project_experience: m.project_experience,
        }
    }

    /// Checks every field; on success, the mentor's data. Selection stage and certification are
    /// carried over from `previous` (they change only through the selection's decisions).
    pub fn validate(&self, ctx: &Context<'_>, previous: Option<&Mentor>) -> Result<Mentor, ValidationErrors> {
        let mut check = Checker::new();
        let identity = self.identity.check(ctx, &mut check);
        if let Some(identity) = &identity
            && !check.failed("birth_date")
        {
            check.take(mentor_age(identity.birth_date, ctx));
        }
        let occupation = check.take(MentorOccupation::parse("occupation", &self.occupation));
        let workplace = check.take(optional_short("workplace", &self.workplace));
        let experience_years = check.take(experience(&self.experience_years));
        let education = check.take(MentorEducation::parse("education", &self.education));
        check.finish()?;
        let build = || {
            Some(Mentor {
                identity: identity?,
                cohort: ctx.rulebook.cohort,
                occupation: occupation?,
                workplace: workplace?,
                experience_years: experience_years?,
                education: education?,
                project_experience: self.project_experience,
                stage: previous.map_or(MentorStage::Applied, |p| p.stage),
                certified_on: previous.and_then(|p| p.certified_on),
            })
        };
        // Every field passed, so every value is present.
        build().ok_or_else(|| ValidationErrors::one(FieldError::new("iin", "error-required")))
    }
}

/// The most years of experience the desk takes: more is a typo.
const EXPERIENCE_MAX_YEARS: i64 = 70;

fn experience(text: &str) -> Result<u32, FieldError> {
    if text.trim().is_empty() {
        return Err(FieldError::new("experience_years", "error-required"));
    }
    let years = parse_integer("experience_years", text)?;
    if !(0..=EXPERIENCE_MAX_YEARS).contains(&years) {
        return Err(FieldError::new("experience_years", "error-out-of-range")
            .arg("min", 0)
            .arg("max", EXPERIENCE_MAX_YEARS));
    }
    Ok(years as u32)
}

/// A mentor must be older than the rulebook's age (P:110, «21 жастан асқан»), counted as its
/// `age_rule` says: from `2017-pilot.4`, on the cohort's reference date, from the day after that
/// birthday, as a beneficiary's age is counted.
pub fn mentor_age(birth_date: NaiveDate, ctx: &Context<'_>) -> Result<(), FieldError> {
    let rb = ctx.rulebook;
    let min = rb.mentor.age_min_exclusive;
    let (older, on) = rb.mentor.age_rule.older(birth_date, min, ctx.today, rb.reference_date);
    if !older {
        return Err(FieldError::new("birth_date", "error-mentor-age")
            .arg("age", age_on(birth_date, on))
            .arg("date", format_date(on))
            .arg("min", min));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::iin::Sex;
    use crate::registry::persons::tests::{date, iin_born};
    use crate::rulebook::Rulebook;

    fn input(birth: NaiveDate) -> MentorInput {
        MentorInput {
            identity: IdentityInput {
                iin: iin_born(birth, Sex::Male),
                surname: "Жұмабеков".into(),
                given_name: "Ерлан".into(),
                patronymic: None,
                sex: None,
                birth_date: None,
                phone: None,
                region: "190000000".into(),
                locality: "Талдықорған".into(),
            },
            occupation: "social_worker".into(),
            workplace: Some("Жастар ресурстық орталығы".into()),
            experience_years: "5".into(),
            education: "higher".into(),
            project_experience: true,
        }
    }

    fn ctx(rb: &Rulebook) -> Context<'_> {
        Context { rulebook: rb, today: date(2017, 6, 1) }
    }

    #[test]
    fn a_mentor_must_be_past_the_21st_birthday_on_the_reference_date() {
        let rb = Rulebook::pilot_2017();
        // The reference date is 14.04.2017: born 13.04.1996 is older than 21 (a day past the
        // birthday), born 14.04.1996 turns 21 that day and is not older.
        let m = input(date(1996, 4, 13)).validate(&ctx(&rb), None).unwrap();
        assert_eq!(m.stage, MentorStage::Applied);
        let err = input(date(1996, 4, 14)).validate(&ctx(&rb), None).unwrap_err();
        assert_eq!(err.0[0].key, "error-mentor-age");
        assert!(err.0[0].args.contains(&("date", "14.04.2017".into())), "{:?}", err.0[0].args);
    }

    #[test]
    fn experience_must_be_a_sane_whole_number() {
        let rb = Rulebook::pilot_2017();
        let mut i = input(date(1980, 1, 1));
        for bad in ["", "-1", "71", "three"] {
            i.experience_years = bad.into();
            assert!(i.validate(&ctx(&rb), None).unwrap_err().has("experience_years"), "{bad}");
        }
    }

    #[test]
    fn edit_keeps_stage_and_certification() {
        let rb = Rulebook::pilot_2017();
        let mut m = input(date(1980, 1, 1)).validate(&ctx(&rb), None).unwrap();
        m.stage = MentorStage::Selected;
        m.certified_on = Some(date(2017, 7, 20));
        let mut i = MentorInput::from_mentor(&m);
        i.experience_years = "6".into();
        let edited = i.validate(&ctx(&rb), Some(&m)).unwrap();
        assert_eq!((edited.stage, edited.certified_on), (MentorStage::Selected, m.certified_on));
        assert_eq!(edited.experience_years, 6);
    }
}
