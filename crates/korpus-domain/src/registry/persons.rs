//! Persons: the young people who apply (beneficiaries), and the person data they share with mentors.

use crate::codes::code_enum;
use crate::registry::iin::{Iin, Sex};
use crate::rulebook::{Context, Rulebook, age_on, region};
use crate::validation::{
    Checker, FieldError, SHORT_TEXT_MAX, ValidationErrors, format_date, parse_date, parse_integer,
    person_name, phone, required_text,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

code_enum! {
    /// A beneficiary's education, which decides the social scholarship (PROGRAMME.md, Money).
    EducationStatus, "education" {
        /// Finished general secondary school.
        SchoolLeaver = "school_leaver",
        /// Student of a TVET college (ТжКБ).
        TvetStudent = "tvet_student",
        /// Student of a university (ЖОО).
        UniversityStudent = "university_student",
        /// Graduate of a TVET college.
        TvetGraduate = "tvet_graduate",
        /// Graduate of a university.
        UniversityGraduate = "university_graduate",
        /// None of the above (incomplete secondary, for example).
        Other = "other",
    }
}

code_enum! {
    /// The categories of vulnerable youth the programme records (PROGRAMME.md lines 28-33).
    /// Disability is recorded in its own field.
    VulnerabilityCategory, "vulnerability" {
        /// Not in education, employment or training.
        Neet = "neet",
        /// Registered as unemployed.
        RegisteredUnemployed = "registered_unemployed",
        /// Unproductively self-employed.
        UnproductivelySelfEmployed = "unproductively_self_employed",
        /// Working, with income per family member below the threshold.
        WorkingPoor = "working_poor",
    }
}

/// The person data that beneficiaries and mentors share.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// Individual identification number; unique in the whole programme.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub iin: Iin,
    /// Surname (тегі).
    pub surname: String,
    /// Given name (аты).
    pub given_name: String,
    /// Patronymic (әкесінің аты), where the person has one.
    pub patronymic: Option<String>,
    /// Sex, as the IIN encodes it.
    pub sex: Sex,
    /// Birth date, as the IIN encodes it.
    pub birth_date: NaiveDate,
    /// Phone, normalised to `+77XXXXXXXXX`.
    pub phone: Option<String>,
    /// Region (KATO code) the person lives in.
    pub region: String,
    /// Town or village.
    pub locality: String,
}

impl Identity {
    /// "Surname Given Patronymic", as documents print it.
    pub fn full_name(&self) -> String {
        let mut name = format!("{} {}", self.surname, self.given_name);
        if let Some(p) = &self.patronymic {
            name.push(' ');
            name.push_str(p);
        }
        name
    }
}

/// The person data as typed into a form or the CLI, before it is checked.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IdentityInput {
    /// IIN.
    pub iin: String,
    /// Surname.
    pub surname: String,
    /// Given name.
    pub given_name: String,
    /// Patronymic.
    pub patronymic: Option<String>,
    /// Sex; when empty it is taken from the IIN, when given it must agree with it.
    pub sex: Option<String>,
    /// Birth date; when empty it is taken from the IIN, when given it must agree with it.
    pub birth_date: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Region (KATO code).
    pub region: String,
    /// Town or village.
    pub locality: String,
}

impl From<&Identity> for IdentityInput {
    fn from(p: &Identity) -> Self {
        IdentityInput {
            iin: p.iin.to_string(),
            surname: p.surname.clone(),
            given_name: p.given_name.clone(),
            patronymic: p.patronymic.clone(),
            sex: Some(p.sex.code().to_owned()),
            birth_date: Some(p.birth_date.to_string()),
            phone: p.phone.clone(),
            region: p.region.clone(),
            locality: p.locality.clone(),
        }
    }
}

impl IdentityInput {
    /// Checks every field, adding what is wrong to `check`. The birth date and sex come from the IIN;
    /// a stated one that disagrees is an error.
    pub(crate) fn check(&self, ctx: &Context<'_>, check: &mut Checker) -> Option<Identity> {
        let iin = check.take(Iin::parse("iin", &self.iin));
        let surname = check.take(person_name("surname", &self.surname));
        let given_name = check.take(person_name("given_name", &self.given_name));
        let patronymic = match self.patronymic.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(p) => check.take(person_name("patronymic", p)).map(Some),
        };
        let stated_sex = match self.sex.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(s) => check.take(Sex::parse("sex", s)).map(Some),
        };
        let stated_birth = match self.birth_date.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(d) => check.take(parse_date("birth_date", d)).map(Some),
        };
        let phone = match self.phone.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(p) => check.take(phone("phone", p)).map(Some),
        };
        let region = check.take(region("region", &self.region, ctx.rulebook));
        let locality = check.take(required_text("locality", &self.locality, SHORT_TEXT_MAX));

        let iin = iin?;
        if let Some(Some(stated)) = stated_birth
            && stated != iin.birth_date()
        {
            check.push(
                FieldError::new("birth_date", "error-iin-birth-date-mismatch")
                    .arg("stated", format_date(stated))
                    .arg("iin_date", format_date(iin.birth_date())),
            );
        }
        if let Some(Some(stated)) = stated_sex
            && stated != iin.sex()
        {
            check.push(FieldError::new("sex", "error-iin-sex-mismatch"));
        }
        Some(Identity {
            iin,
            surname: surname?,
            given_name: given_name?,
            patronymic: patronymic?,
            sex: iin.sex(),
            birth_date: iin.birth_date(),
            phone: phone?,
            region: region?,
            locality: locality?,
        })
    }
}

/// A young person registered with the programme: a beneficiary or a candidate for one.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Who the person is.
    #[serde(flatten)]
    pub identity: Identity,
    /// The programme year (cohort) the person applies in.
    pub cohort: i32,
    /// Education, which decides the scholarship.
    pub education: EducationStatus,
    /// The vulnerability categories that apply.
    pub vulnerability: BTreeSet<VulnerabilityCategory>,
    /// Whether the person has a disability.
    pub disability: bool,
    /// Monthly income per family member, in tenge, where known.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub income_per_member: Option<i64>,
}

/// A person as typed, before it is checked.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonInput {
    /// The person data.
    #[serde(flatten)]
    pub identity: IdentityInput,
    /// Education status code.
    pub education: String,
    /// Vulnerability category codes.
    pub vulnerability: Vec<String>,
    /// Disability.
    pub disability: bool,
    /// Income per family member, in tenge.
    pub income_per_member: Option<String>,
}

impl From<&Person> for PersonInput {
    fn from(p: &Person) -> Self {
        PersonInput {
            identity: IdentityInput::from(&p.identity),
            education: p.education.code().to_owned(),
            vulnerability: p.vulnerability.iter().map(|v| v.code().to_owned()).collect(),
            disability: p.disability,
            income_per_member: p.income_per_member.map(|i| i.to_string()),
        }
    }
}

/// The largest monthly income per family member the desk takes, in tenge: anything above is a typo.
const INCOME_MAX_TENGE: i64 = 100_000_000;

impl PersonInput {
    /// Checks every field against the cohort's rulebook; on success, the person to store.
    pub fn validate(&self, ctx: &Context<'_>) -> Result<Person, ValidationErrors> {
        let mut check = Checker::new();
        let identity = self.identity.check(ctx, &mut check);
        if let Some(identity) = &identity
            && !check.failed("birth_date")
        {
            check.take(beneficiary_age(identity.birth_date, ctx.rulebook));
        }
        let education = check.take(EducationStatus::parse("education", &self.education));
        let mut vulnerability = BTreeSet::new();
        for code in &self.vulnerability {
            if let Some(v) = check.take(VulnerabilityCategory::parse("vulnerability", code)) {
                vulnerability.insert(v);
            }
        }
        let working = [VulnerabilityCategory::WorkingPoor, VulnerabilityCategory::UnproductivelySelfEmployed];
        if vulnerability.contains(&VulnerabilityCategory::Neet)
            && working.iter().any(|w| vulnerability.contains(w))
        {
            check.push(FieldError::new("vulnerability", "error-neet-and-working"));
        }
        let income = match self.income_per_member.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => check.take(income(text)),
        };
        if vulnerability.contains(&VulnerabilityCategory::WorkingPoor)
            && income.is_none()
            && !check.failed("income_per_member")
        {
            check.push(FieldError::new("income_per_member", "error-income-required"));
        }
        check.finish()?;
        let build = || {
            Some(Person {
                identity: identity?,
                cohort: ctx.rulebook.cohort,
                education: education?,
                vulnerability,
                disability: self.disability,
                income_per_member: income,
            })
        };
        // Every field passed, so every value is present.
        build().ok_or_else(|| ValidationErrors::one(FieldError::new("iin", "error-required")))
    }
}

fn income(text: &str) -> Result<i64, FieldError> {
    let value = parse_integer("income_per_member", text)?;
    if !(0..=INCOME_MAX_TENGE).contains(&value) {
        return Err(FieldError::new("income_per_member", "error-out-of-range")
            .arg("min", 0)
            .arg("max", INCOME_MAX_TENGE));
    }
    Ok(value)
}

/// A beneficiary's age on the cohort's reference date lies within the rulebook's range.
pub fn beneficiary_age(birth_date: NaiveDate, rulebook: &Rulebook) -> Result<(), FieldError> {
    let on = rulebook.reference_date;
    let age = age_on(birth_date, on);
    let (min, max) = (rulebook.beneficiary.age_min, rulebook.beneficiary.age_max);
    if age < min as i32 || age > max as i32 {
        return Err(FieldError::new("birth_date", "error-age-range")
            .arg("age", age)
            .arg("date", format_date(on))
            .arg("min", min)
            .arg("max", max));
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    pub(crate) fn iin_born(birth: NaiveDate, sex: Sex) -> String {
        (0..100).find_map(|s| Iin::compose(birth, sex, s)).unwrap().to_string()
    }

    pub(crate) fn input(birth: NaiveDate) -> PersonInput {
        PersonInput {
            identity: IdentityInput {
                iin: iin_born(birth, Sex::Female),
                surname: "Сәрсенбаева".into(),
                given_name: "Әйгерім".into(),
                patronymic: Some("Қанатқызы".into()),
                sex: None,
                birth_date: None,
                phone: Some("8 701 234 56 78".into()),
                region: "550000000".into(),
                locality: "Ақсу".into(),
            },
            education: "tvet_graduate".into(),
            vulnerability: vec!["neet".into()],
            disability: false,
            income_per_member: None,
        }
    }

    pub(crate) fn ctx(rulebook: &Rulebook) -> Context<'_> {
        Context { rulebook, today: date(2017, 5, 1) }
    }

    #[test]
    fn valid_person_takes_sex_and_birth_date_from_iin() {
        let rb = Rulebook::pilot_2017();
        let p = input(date(1995, 3, 8)).validate(&ctx(&rb)).unwrap();
        assert_eq!(p.identity.sex, Sex::Female);
        assert_eq!(p.identity.birth_date, date(1995, 3, 8));
        assert_eq!(p.identity.phone.as_deref(), Some("+77012345678"));
        assert_eq!(p.cohort, 2017);
    }

    #[test]
    fn age_18_on_reference_date_passes_17_fails() {
        let rb = Rulebook::pilot_2017();
        // Reference date 14.04.2017: born 14.04.1999 is 18 that day, born 15.04.1999 is 17.
        assert!(input(date(1999, 4, 14)).validate(&ctx(&rb)).is_ok());
        let err = input(date(1999, 4, 15)).validate(&ctx(&rb)).unwrap_err();
        assert_eq!(err.0[0].key, "error-age-range");
        assert_eq!(err.0[0].field, "birth_date");
    }

    #[test]
    fn age_29_on_reference_date_passes_30_fails() {
        let rb = Rulebook::pilot_2017();
        // Born 15.04.1987 is 29 on 14.04.2017; born 14.04.1987 turned 30 that day.
        assert!(input(date(1987, 4, 15)).validate(&ctx(&rb)).is_ok());
        let err = input(date(1987, 4, 14)).validate(&ctx(&rb)).unwrap_err();
        assert!(err.0[0].text(crate::Lang::En).contains("30"), "{err}");
    }

    #[test]
    fn stated_birth_date_or_sex_disagreeing_with_iin_fails() {
        let rb = Rulebook::pilot_2017();
        let mut i = input(date(1995, 3, 8));
        i.identity.birth_date = Some("09.03.1995".into());
        i.identity.sex = Some("male".into());
        let err = i.validate(&ctx(&rb)).unwrap_err();
        assert!(err.has("birth_date") && err.has("sex"), "{err}");
        let mut agreeing = input(date(1995, 3, 8));
        agreeing.identity.birth_date = Some("08.03.1995".into());
        agreeing.identity.sex = Some("female".into());
        assert!(agreeing.validate(&ctx(&rb)).is_ok());
    }

    #[test]
    fn every_wrong_field_is_reported_at_once() {
        let rb = Rulebook::pilot_2017();
        let mut i = input(date(1995, 3, 8));
        i.identity.iin = "123".into();
        i.identity.surname = "".into();
        i.identity.region = "750000000".into();
        i.education = "phd".into();
        let err = i.validate(&ctx(&rb)).unwrap_err();
        for field in ["iin", "surname", "region", "education"] {
            assert!(err.has(field), "{field} missing in {err}");
        }
    }

    #[test]
    fn working_poor_needs_income_and_excludes_neet() {
        let rb = Rulebook::pilot_2017();
        let mut i = input(date(1995, 3, 8));
        i.vulnerability = vec!["working_poor".into()];
        assert!(i.validate(&ctx(&rb)).unwrap_err().has("income_per_member"));
        i.income_per_member = Some("8 500".into());
        assert_eq!(i.validate(&ctx(&rb)).unwrap().income_per_member, Some(8_500));
        i.vulnerability.push("neet".into());
        assert!(i.validate(&ctx(&rb)).unwrap_err().has("vulnerability"));
    }

    #[test]
    fn negative_income_fails() {
        let rb = Rulebook::pilot_2017();
        let mut i = input(date(1995, 3, 8));
        i.income_per_member = Some("-1".into());
        assert!(i.validate(&ctx(&rb)).unwrap_err().has("income_per_member"));
        i.income_per_member = Some("0".into());
        assert!(i.validate(&ctx(&rb)).is_ok());
    }

    #[test]
    fn person_round_trips_through_its_input() {
        let rb = Rulebook::pilot_2017();
        let p = input(date(1995, 3, 8)).validate(&ctx(&rb)).unwrap();
        assert_eq!(PersonInput::from(&p).validate(&ctx(&rb)).unwrap(), p);
    }
}
