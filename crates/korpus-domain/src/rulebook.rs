//! The rulebook of a cohort: every number of the programme (PROGRAMME.md) as data, versioned. Rules
//! read their numbers from here, never from a literal; each decision keeps the version that made it.

use crate::calendar::CalendarRules;
use crate::codes::code_enum;
use crate::lang::Text;
use crate::registry::document_kinds::DocumentKind;
use crate::validation::FieldError;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

const PILOT_2017: &str = include_str!("../rulebooks/pilot-2017.toml");

/// Earlier versions of the built-in rulebooks, kept so that decisions made under them still verify.
const EARLIER: [&str; 2] =
    [include_str!("../rulebooks/2017-pilot.2.toml"), include_str!("../rulebooks/2017-pilot.3.toml")];

/// The rulebook schema this build reads. A rulebook written in a later schema may hold numbers
/// this build has no rule for: it is refused as such ([`RulebookError::NewerSchema`]), never read
/// in part.
pub const RULEBOOK_SCHEMA: u32 = 1;

fn first_schema() -> u32 {
    1
}

/// The numbers of one cohort of the programme.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rulebook {
    /// The schema the rulebook is written in ([`RULEBOOK_SCHEMA`]); 1 when left out, as in the
    /// rulebooks written before it was named.
    #[serde(default = "first_schema")]
    pub schema: u32,
    /// Stable version label, kept with every decision and envelope: a name and a revision after
    /// the last dot (`2017-pilot.4`). A later revision of a cohort's rulebook replaces an earlier
    /// one for new work; the earlier one stays for the decisions it made.
    pub version: String,
    /// The programme year this rulebook governs.
    pub cohort: i32,
    /// The cohort's name.
    pub name: Text,
    /// The day on which beneficiaries' ages are counted.
    pub reference_date: NaiveDate,
    /// Who may be a beneficiary.
    pub beneficiary: BeneficiaryRules,
    /// Youth groups and initiative groups.
    pub group: GroupRules,
    /// Host organisations.
    pub host_org: HostOrgRules,
    /// Grants and scholarships.
    pub money: MoneyRules,
    /// The working-poor threshold.
    pub vulnerability: VulnerabilityRules,
    /// What the programme aims to reach.
    pub targets: Targets,
    /// Shares of the three arms of the random assignment.
    pub arms: ArmShares,
    /// Mentors' criteria and load.
    pub mentor: MentorRules,
    /// The training calendar.
    pub training: TrainingRules,
    /// Deadlines of the grievance mechanism.
    pub grievances: GrievanceRules,
    /// Working days: the weekend, public holidays and the days moved by decree.
    #[serde(default)]
    pub calendar: CalendarRules,
    /// What completes a training for a certificate.
    #[serde(default)]
    pub certification: CertificationRules,
    /// When the sub-projects' reports are due.
    #[serde(default)]
    pub reports: ReportRules,
    /// The documents each kind of applicant must bring.
    #[serde(default)]
    pub documents: RequiredDocuments,
    /// The evaluation commission's criteria.
    #[serde(default)]
    pub commission: CommissionRules,
    /// The random assignment's strata.
    #[serde(default)]
    pub lottery: LotteryRules,
    /// The regions the cohort runs in.
    pub regions: Vec<Region>,
    /// The directions a sub-project may take.
    pub directions: Vec<Direction>,
}

/// Who may be a beneficiary.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeneficiaryRules {
    /// Youngest age, inclusive.
    pub age_min: u32,
    /// Oldest age, inclusive.
    pub age_max: u32,
    /// Sub-projects one young person may take part in.
    pub max_subprojects: u32,
}

/// Youth groups.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupRules {
    /// Fewest members.
    pub size_min: u32,
    /// Most members.
    pub size_max: u32,
    /// Applications one initiative group may submit.
    pub initiative_max_applications: u32,
}

/// Host organisations.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostOrgRules {
    /// Sub-project applications one host organisation may submit.
    pub max_applications: u32,
    /// Years of registration in the region required.
    pub min_registration_years: u32,
    /// Share of the grant contract sum paid for overheads, in percent.
    pub overhead_percent: u32,
    /// When the competition closed.
    pub application_deadline: DateTime<FixedOffset>,
    /// Whether only an organisation selected in the competition, with its memorandum of
    /// cooperation signed, may submit applications (P:98-100): `true` from `2017-pilot.4`;
    /// rulebooks written before said nothing of it.
    #[serde(default)]
    pub only_selected_submit: bool,
}

/// Grants and scholarships, in tenge.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoneyRules {
    /// Largest grant of one sub-project.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub grant_max_tenge: i64,
    /// Scholarship of school leavers and students.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub scholarship_student_tenge: i64,
    /// Scholarship of TVET and university graduates.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub scholarship_graduate_tenge: i64,
    /// The month (1-12) the scholarship months begin with, for `training.programme_months`
    /// months: the programme's first, July, from `2017-pilot.4`. Rulebooks before it said nothing,
    /// and their months end with phase II.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scholarship_first_month: Option<u32>,
}

/// The working-poor threshold.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VulnerabilityRules {
    /// The threshold as a share of the subsistence minimum, in percent.
    pub income_share_percent: u32,
    /// The cohort's subsistence minimum, in tenge a month.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub subsistence_minimum_tenge: i64,
    /// Whether a disability alone makes a person count as vulnerable. The brochure counts people
    /// with disabilities against a target of their own (5 %), apart from the vulnerable (60 %):
    /// `false` from `2017-pilot.4`; rulebooks written before said nothing and counted them
    /// (`true`), and their screenings are checked as they were made.
    #[serde(default = "yes")]
    pub disability_is_vulnerable: bool,
}

fn yes() -> bool {
    true
}

impl VulnerabilityRules {
    /// Monthly income per family member below which a working person counts as poor, in tenge
    /// (rounded down: the threshold is a "below" comparison on whole tenge).
    pub fn income_threshold_tenge(&self) -> i64 {
        self.subsistence_minimum_tenge * i64::from(self.income_share_percent) / 100
    }
}

/// What the programme aims to reach.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// Beneficiaries over the whole component.
    pub beneficiaries: u32,
    /// Vulnerable beneficiaries among them.
    pub vulnerable: u32,
    /// Their share, in percent.
    pub vulnerable_percent: u32,
    /// Share of women, in percent.
    pub women_percent: u32,
    /// Share of people with disabilities, in percent.
    pub disability_percent: u32,
    /// Share of vulnerable expected in this cohort, in percent.
    pub cohort_vulnerable_percent: u32,
    /// Share with disabilities expected in this cohort, in percent.
    pub cohort_disability_percent: u32,
    /// Beneficiaries expected through the three arms in this cohort.
    pub cohort_randomised_beneficiaries: u32,
}

/// Weights of the three arms of the random assignment.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArmShares {
    /// Arm A: training, grant and mentor.
    pub a: u32,
    /// Arm B: grant only.
    pub b: u32,
    /// Arm C: training and mentor, no grant.
    pub c: u32,
}

code_enum! {
    /// How a mentor's "older than" is counted.
    #[derive(Default)]
    MentorAgeRule, "age_rule" {
        /// Full years on the day of screening above the minimum (rulebooks before `2017-pilot.4`,
        /// which said nothing of it).
        #[default]
        FullYearsOnScreeningDay = "full_years_on_screening_day",
        /// Past the birthday of the minimum on the cohort's reference date, from the day after it
        /// (see [`older_than`]): as a beneficiary's age, and as «21 жастан асқан» says.
        DayAfterBirthdayOnReferenceDate = "day_after_birthday_on_reference_date",
    }
}

impl MentorAgeRule {
    /// Whether someone born on `birth` meets "older than `min`", screened on `screened_on`, in a
    /// cohort whose reference date is `reference`; with the day the age is counted on.
    pub fn older(
        self,
        birth: NaiveDate,
        min: u32,
        screened_on: NaiveDate,
        reference: NaiveDate,
    ) -> (bool, NaiveDate) {
        match self {
            MentorAgeRule::FullYearsOnScreeningDay => (age_on(birth, screened_on) > min as i32, screened_on),
            MentorAgeRule::DayAfterBirthdayOnReferenceDate => (older_than(birth, min, reference), reference),
        }
    }
}

/// Mentors' criteria and load.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MentorRules {
    /// A mentor must be older than this many years («21 жастан асқан», seed line 341, P:110),
    /// counted as `age_rule` says.
    pub age_min_exclusive: u32,
    /// How "older than" is counted.
    #[serde(default)]
    pub age_rule: MentorAgeRule,
    /// Years of work in the social sphere or with young people.
    pub experience_years_min: u32,
    /// Sub-projects one mentor may accompany.
    pub max_subprojects: u32,
    /// People one mentor may accompany.
    pub max_people: u32,
    /// Meetings a month at least.
    pub meetings_per_month_min: u32,
    /// Whether the meetings are counted with each sub-project the mentor accompanies (else over
    /// all of them together, as rulebooks before `2017-pilot.4` did).
    #[serde(default)]
    pub meetings_per_subproject: bool,
    /// Hours of sessions a month at least.
    pub hours_per_month_min: u32,
}

/// The training calendar.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingRules {
    /// Length of the whole programme, in months.
    pub programme_months: u32,
    /// Length of the orientation seminar, in days.
    pub orientation_days: u32,
    /// Hours of the orientation seminar for beneficiaries.
    pub orientation_beneficiary_hours: u32,
    /// Hours of the orientation seminar for potential mentors.
    pub orientation_mentor_hours: u32,
    /// How many days before the application deadline the orientation seminars are proposed
    /// (`2017-pilot.4`): the beneficiaries' must be held by the deadline, the potential mentors'
    /// before their selection (P:132). Rulebooks before it proposed them two weeks before phase I.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orientation_days_before_deadline: Option<u32>,
    /// Days of phase I for mentors.
    pub phase1_mentor_days: u32,
    /// Days of phase I for beneficiaries.
    pub phase1_beneficiary_days: u32,
    /// Month of phase I (1-12).
    pub phase1_month: u32,
    /// Months of phase II (learning by doing).
    pub phase2_months: u32,
    /// Days of phase III for mentors.
    pub phase3_mentor_days: u32,
    /// Month of phase III for mentors.
    pub phase3_mentor_month: u32,
    /// Days of phase III for beneficiaries.
    pub phase3_beneficiary_days: u32,
    /// Month of phase III for beneficiaries.
    pub phase3_beneficiary_month: u32,
    /// Hours of one day of a phase I or phase III training.
    #[serde(default = "six_hours")]
    pub training_day_hours: u32,
}

fn six_hours() -> u32 {
    6
}

/// Deadlines of the grievance mechanism, in working days.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrievanceRules {
    /// Days to acknowledge a grievance.
    pub acknowledge_working_days: u32,
    /// Days to resolve it.
    pub resolve_working_days: u32,
}

/// What completes a training, for certification and certificates. Left out of a rulebook (as in
/// those written before delivery was recorded), every day must be attended.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CertificationRules {
    /// Share of a training's days a person must attend, in percent.
    pub attendance_min_percent: u32,
}

impl Default for CertificationRules {
    fn default() -> Self {
        CertificationRules { attendance_min_percent: 100 }
    }
}

/// When the programme and financial reports of a sub-project are due.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportRules {
    /// Working days after the last day of phase II.
    pub due_working_days_after_phase2: u32,
}

impl Default for ReportRules {
    fn default() -> Self {
        ReportRules { due_working_days_after_phase2: 10 }
    }
}

/// The documents the technical screening asks of each kind of applicant. Left out of a rulebook
/// (as in those written before screening existed), nothing is required.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RequiredDocuments {
    /// Kinds a mentor must bring.
    pub mentor: Vec<DocumentKind>,
    /// Kinds a host organisation must bring.
    pub host_org: Vec<DocumentKind>,
}

/// How the evaluation commission scores.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CommissionRules {
    /// The criteria each member scores, in the order of the score sheet.
    pub criteria: Vec<Criterion>,
    /// Fewest members who must score an application (conflicts of interest left out) for its
    /// mean to count.
    pub min_scorers: u32,
}

/// One criterion of the commission's score sheet.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Stable code (`social_impact`).
    pub code: String,
    /// Its name in the three languages.
    pub name: Text,
    /// Most points a member may give (the least is 0).
    pub max: u32,
}

code_enum! {
    /// A characteristic of a group the lottery may stratify by, besides the region.
    Stratum, "stratum" {
        /// The region (KATO code) of the sub-project.
        Region = "region",
        /// How the group applied (host organisation or initiative group).
        Path = "path",
        /// The sub-project's direction.
        Direction = "direction",
    }
}

/// How the random assignment is stratified.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LotteryRules {
    /// Strata in the order they make up a group's stratum key; always begins with `region`.
    pub strata: Vec<Stratum>,
}

impl Default for LotteryRules {
    fn default() -> Self {
        LotteryRules { strata: vec![Stratum::Region] }
    }
}

/// A region (oblast) of the programme, by its KATO code.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// The nine-digit code of the classifier of administrative-territorial objects (KATO).
    pub kato: String,
    /// Its name in the three languages.
    pub name: Text,
}

/// A direction a sub-project may take.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Direction {
    /// Stable code (`education`, `other`).
    pub code: String,
    /// Its name in the three languages.
    pub name: Text,
}

/// A rulebook that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulebookError {
    /// Not a rulebook, or its numbers disagree with each other: what is wrong.
    #[error("the rulebook is not valid: {0}")]
    Invalid(String),
    /// Written in a schema later than this build reads.
    #[error(
        "the rulebook is written in schema {found}; this Korpus reads rulebooks up to schema {supported}"
    )]
    NewerSchema {
        /// The rulebook's schema.
        found: u32,
        /// [`RULEBOOK_SCHEMA`].
        supported: u32,
    },
}

fn invalid(what: impl ToString) -> RulebookError {
    RulebookError::Invalid(what.to_string())
}

/// Refuses a rulebook (as a loose document) written in a later schema, before it is read field by
/// field: a later schema's new numbers would otherwise be reported as unknown fields, and the
/// coordinator told the file is broken rather than that Korpus needs an update.
fn readable_schema(schema: Option<i64>) -> Result<(), RulebookError> {
    match schema {
        None => Ok(()),
        Some(n) if n < 1 => Err(invalid(format!("schema {n} is not a schema number"))),
        Some(n) if n > i64::from(RULEBOOK_SCHEMA) => Err(RulebookError::NewerSchema {
            found: u32::try_from(n).unwrap_or(u32::MAX),
            supported: RULEBOOK_SCHEMA,
        }),
        Some(_) => Ok(()),
    }
}

/// Published rulebooks this process has read from its database (a desk's, HQ's), beside the
/// built-in ones: what [`Rulebook::known`] finds a version in. A version names one rulebook for
/// good (HQ refuses another body under a version it holds), so an entry is never replaced; each is
/// leaked once so that a lookup is `&'static` as for the built-in ones (a few kilobytes a cohort).
static PUBLISHED: std::sync::RwLock<Vec<&'static Rulebook>> = std::sync::RwLock::new(Vec::new());

/// The revision of a version label: the number after its last dot (`2017-pilot.4` is 4).
pub fn revision_of(version: &str) -> Option<u32> {
    let (name, revision) = version.rsplit_once('.')?;
    if name.is_empty() || revision.is_empty() || !revision.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    revision.parse().ok()
}

impl Rulebook {
    /// Reads a rulebook from its TOML text and checks that its numbers agree with each other.
    /// A rulebook of a later schema is refused as such.
    pub fn from_toml(text: &str) -> Result<Rulebook, RulebookError> {
        let loose: toml::Table = toml::from_str(text).map_err(invalid)?;
        readable_schema(loose.get("schema").and_then(toml::Value::as_integer))?;
        let rulebook: Rulebook = loose.try_into().map_err(invalid)?;
        rulebook.check()?;
        Ok(rulebook)
    }

    /// Reads a rulebook from its JSON form, as the database keeps it and HQ publishes it.
    pub fn from_json(text: &str) -> Result<Rulebook, RulebookError> {
        Rulebook::from_value(serde_json::from_str(text).map_err(invalid)?)
    }

    /// [`Rulebook::from_json`] of a parsed document.
    pub fn from_value(value: serde_json::Value) -> Result<Rulebook, RulebookError> {
        if !value.is_object() {
            return Err(invalid("a rulebook is a table of numbers"));
        }
        readable_schema(value.get("schema").and_then(serde_json::Value::as_i64))?;
        let rulebook: Rulebook = serde_json::from_value(value).map_err(invalid)?;
        rulebook.check()?;
        Ok(rulebook)
    }

    /// A rulebook's text as its author wrote it: TOML as the built-in ones, or JSON as HQ
    /// publishes them.
    pub fn from_text(text: &str) -> Result<Rulebook, RulebookError> {
        if text.trim_start().starts_with('{') { Rulebook::from_json(text) } else { Rulebook::from_toml(text) }
    }

    /// This rulebook's revision ([`revision_of`] its version).
    pub fn revision(&self) -> u32 {
        revision_of(&self.version).unwrap_or(0)
    }

    /// The rulebook of the 2017 pilot, built in.
    pub fn pilot_2017() -> Rulebook {
        // Compiled in and proven by `pilot_rulebook_is_valid`; a failure here is a build defect.
        #[allow(clippy::expect_used)]
        Rulebook::from_toml(PILOT_2017).expect("the built-in 2017 rulebook is valid")
    }

    /// The rulebook of `version`, if this build carries it: what HQ and any desk check a
    /// recorded decision against.
    pub fn built_in(version: &str) -> Option<Rulebook> {
        Rulebook::built_in_ref(version).cloned()
    }

    /// [`Rulebook::built_in`] without a copy: each built-in rulebook is read once per process (HQ
    /// checks every row of every envelope against its envelope's rulebook).
    pub fn built_in_ref(version: &str) -> Option<&'static Rulebook> {
        static BUILT_IN: std::sync::OnceLock<Vec<Rulebook>> = std::sync::OnceLock::new();
        BUILT_IN
            .get_or_init(|| {
                let earlier = EARLIER.iter().filter_map(|text| Rulebook::from_toml(text).ok());
                std::iter::once(Rulebook::pilot_2017()).chain(earlier).collect()
            })
            .iter()
            .find(|r| r.version == version)
    }

    /// The rulebook of `version`, built in or published and read by this process
    /// ([`Rulebook::register`]): what a recorded decision is checked against.
    pub fn known(version: &str) -> Option<&'static Rulebook> {
        Rulebook::built_in_ref(version).or_else(|| {
            let published = PUBLISHED.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            published.iter().copied().find(|r| r.version == version)
        })
    }

    /// Makes a published rulebook known to this process ([`Rulebook::known`]); a version already
    /// known stays as it is.
    pub fn register(rulebook: &Rulebook) {
        if Rulebook::known(&rulebook.version).is_some() {
            return;
        }
        let mut published = PUBLISHED.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if !published.iter().any(|r| r.version == rulebook.version) {
            published.push(Box::leak(Box::new(rulebook.clone())));
        }
    }

    fn check(&self) -> Result<(), RulebookError> {
        let fail = |what: &str| Err(invalid(what));
        if self.schema != RULEBOOK_SCHEMA {
            // Later schemas are refused before this; 0 and below are not schema numbers.
            return fail("schema must be 1");
        }
        if revision_of(&self.version).is_none() {
            return fail("version must end in a revision number after a dot (2018-cohort.1)");
        }
        if !(2000..=2100).contains(&self.cohort) {
            return fail("cohort must be a programme year");
        }
        if self.beneficiary.age_min > self.beneficiary.age_max {
            return fail("beneficiary.age_min is above age_max");
        }
        if self.group.size_min == 0 || self.group.size_min > self.group.size_max {
            return fail("group.size_min must be at least 1 and at most size_max");
        }
        if self.money.grant_max_tenge <= 0 {
            return fail("money.grant_max_tenge must be positive");
        }
        if self.arms.a + self.arms.b + self.arms.c == 0 {
            return fail("arms: at least one share must be positive");
        }
        if self.lottery.strata.first() != Some(&Stratum::Region) {
            return fail("lottery.strata must begin with region");
        }
        let mut strata = self.lottery.strata.clone();
        strata.sort();
        strata.dedup();
        if strata.len() != self.lottery.strata.len() {
            return fail("lottery.strata names a stratum twice");
        }
        let mut codes: Vec<&str> = self.commission.criteria.iter().map(|c| c.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        if codes.len() != self.commission.criteria.len() {
            return fail("commission.criteria names a criterion twice");
        }
        if self.commission.criteria.iter().any(|c| c.max == 0) {
            return fail("commission.criteria: a criterion's max must be positive");
        }
        if let Some(problem) = self.calendar.problem() {
            return fail(problem);
        }
        if !(1..=100).contains(&self.certification.attendance_min_percent) {
            return fail("certification.attendance_min_percent must be 1 to 100");
        }
        if self.regions.is_empty() || self.directions.is_empty() {
            return fail("regions and directions may not be empty");
        }
        if self.regions.iter().any(|r| r.kato.len() != 9 || !r.kato.bytes().all(|b| b.is_ascii_digit())) {
            return fail("a region's KATO code is not nine digits");
        }
        Ok(())
    }

    /// The region with KATO code `kato`, if the cohort runs there.
    pub fn region(&self, kato: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.kato == kato)
    }

    /// The direction with code `code`, if the cohort has it.
    pub fn direction(&self, code: &str) -> Option<&Direction> {
        self.directions.iter().find(|d| d.code == code)
    }
}

/// Full years between `birth` and `on`: a person born on 15 April 1999 is 17 on 14 April 2017 and
/// 18 the next day. Born on 29 February, one turns a year older on 1 March of common years.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// Whether someone born on `birth` is older than `years` on `on`: from the day after the
/// birthday on which they turn `years` («21 жастан асқан», older than 21, holds from the day after
/// the 21st birthday; on the birthday itself one is 21, not older). Birthdays follow [`age_on`].
pub fn older_than(birth: NaiveDate, years: u32, on: NaiveDate) -> bool {
    on.pred_opt().is_some_and(|eve| age_on(birth, eve) >= years as i32)
}

/// What a field check needs to know besides the input: the cohort's rulebook and today's date
/// (the domain reads no clock; the caller passes it).
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The rulebook of the cohort the record belongs to.
    pub rulebook: &'a Rulebook,
    /// Today, in Asia/Almaty.
    pub today: NaiveDate,
}

/// A region code that the cohort runs in.
pub fn region(field: &'static str, value: &str, rulebook: &Rulebook) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, "error-required"));
    }
    match rulebook.region(value) {
        Some(r) => Ok(r.kato.clone()),
        None => {
            let known: Vec<&str> = rulebook.regions.iter().map(|r| r.kato.as_str()).collect();
            Err(FieldError::new(field, "error-unknown-region")
                .arg("value", value)
                .arg("allowed", known.join(", ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pilot_rulebook_is_valid() {
        let r = Rulebook::pilot_2017();
        assert_eq!(r.cohort, 2017);
        assert_eq!((r.beneficiary.age_min, r.beneficiary.age_max), (18, 29));
        assert_eq!((r.group.size_min, r.group.size_max), (3, 5));
        assert_eq!(r.host_org.max_applications, 7);
        assert_eq!(r.money.grant_max_tenge, 1_000_000);
        assert_eq!(r.regions.len(), 4);
        assert_eq!(r.directions.len(), 11);
        assert!(r.direction("other").is_some());
    }

    #[test]
    fn earlier_versions_stay_built_in() {
        let current = Rulebook::pilot_2017();
        assert_eq!(current.version, "2017-pilot.4");
        let earlier = Rulebook::built_in("2017-pilot.2").unwrap();
        assert_eq!(earlier.cohort, 2017);
        assert_eq!(earlier.commission, current.commission);
        // Written before the calendar was kept: weekends only.
        assert!(earlier.calendar.holidays.is_empty());
        assert_eq!(Rulebook::built_in("2017-pilot.4"), Some(current.clone()));
        // Version 3 counted a disability as vulnerable and a mentor's age on the day of screening;
        // its records are checked that way still.
        let three = Rulebook::built_in("2017-pilot.3").unwrap();
        assert!(
            three.vulnerability.disability_is_vulnerable && !current.vulnerability.disability_is_vulnerable
        );
        assert_eq!(three.mentor.age_rule, MentorAgeRule::FullYearsOnScreeningDay);
        assert_eq!(current.mentor.age_rule, MentorAgeRule::DayAfterBirthdayOnReferenceDate);
        assert!(current.mentor.meetings_per_subproject && !three.mentor.meetings_per_subproject);
        assert_eq!(Rulebook::built_in("2017-pilot.9"), None);
    }

    #[test]
    fn pilot_income_threshold_is_the_brochures_nine_thousand() {
        assert_eq!(Rulebook::pilot_2017().vulnerability.income_threshold_tenge(), 9_000);
    }

    #[test]
    fn rulebook_survives_json_round_trip() {
        let r = Rulebook::pilot_2017();
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(Rulebook::from_json(&json).unwrap(), r);
    }

    #[test]
    fn inverted_group_sizes_are_refused() {
        let text = PILOT_2017.replace("size_min = 3", "size_min = 6");
        assert!(Rulebook::from_toml(&text).is_err());
    }

    #[test]
    fn unknown_number_is_refused() {
        let text = PILOT_2017.replace("[group]", "[group]\nsize_typo = 4");
        assert!(Rulebook::from_toml(&text).is_err());
    }

    #[test]
    fn a_later_schema_is_refused_as_such_even_with_numbers_this_build_does_not_know() {
        let later = PILOT_2017.replace("schema = 1 ", "schema = 2 ").replace("[group]", "[group]\nquota = 4");
        let newer = RulebookError::NewerSchema { found: 2, supported: 1 };
        assert_eq!(Rulebook::from_toml(&later).unwrap_err(), newer);
        let mut json = serde_json::to_value(Rulebook::pilot_2017()).unwrap();
        json["schema"] = 7.into();
        json["group"]["quota"] = 4.into();
        assert_eq!(
            Rulebook::from_json(&json.to_string()).unwrap_err(),
            RulebookError::NewerSchema { found: 7, supported: 1 }
        );
        // The schema this build reads, and none named (the rulebooks before it was named).
        assert_eq!(Rulebook::from_text(PILOT_2017).unwrap().schema, 1);
        assert_eq!(Rulebook::built_in("2017-pilot.2").unwrap().schema, 1);
        let zero = PILOT_2017.replace("schema = 1 ", "schema = 0 ");
        assert!(matches!(Rulebook::from_toml(&zero), Err(RulebookError::Invalid(_))));
    }

    #[test]
    fn a_version_ends_in_its_revision() {
        assert_eq!(revision_of("2017-pilot.4"), Some(4));
        assert_eq!(revision_of("2018-cohort.12"), Some(12));
        for label in ["2018", "2018-cohort.", ".3", "2018-cohort.1a", "2018.-1"] {
            assert_eq!(revision_of(label), None, "{label}");
        }
        let unnumbered = PILOT_2017.replace("\"2017-pilot.4\"", "\"2018-cohort\"");
        assert!(
            matches!(Rulebook::from_toml(&unnumbered), Err(RulebookError::Invalid(m)) if m.contains("revision"))
        );
    }

    #[test]
    fn a_published_rulebook_is_known_by_its_version_once_registered() {
        let mut next = Rulebook::pilot_2017();
        next.version = "2031-registered.1".into();
        next.cohort = 2031;
        assert!(Rulebook::known("2031-registered.1").is_none());
        Rulebook::register(&next);
        assert_eq!(Rulebook::known("2031-registered.1"), Some(&next));
        // A version names one rulebook for good: another body under it changes nothing.
        let mut other = next.clone();
        other.beneficiary.age_max = 35;
        Rulebook::register(&other);
        assert_eq!(Rulebook::known("2031-registered.1").unwrap().beneficiary.age_max, 29);
        // Built-in versions are found without registering.
        assert_eq!(Rulebook::known("2017-pilot.3").unwrap().version, "2017-pilot.3");
    }

    #[test]
    fn age_turns_on_the_birthday() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(age_on(d(1999, 4, 15), d(2017, 4, 14)), 17);
        assert_eq!(age_on(d(1999, 4, 14), d(2017, 4, 14)), 18);
        assert_eq!(age_on(d(2000, 2, 29), d(2018, 2, 28)), 17);
        assert_eq!(age_on(d(2000, 2, 29), d(2018, 3, 1)), 18);
    }

    #[test]
    fn older_than_holds_from_the_day_after_the_birthday() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        // Born 14.04.1996: 21 on 14.04.2017, older than 21 from 15.04.2017.
        assert!(!older_than(d(1996, 4, 14), 21, d(2017, 4, 13)));
        assert!(!older_than(d(1996, 4, 14), 21, d(2017, 4, 14)));
        assert!(older_than(d(1996, 4, 14), 21, d(2017, 4, 15)));
        // Born 29.02.1996: 21 on 01.03.2017 (a common year), older than 21 from 02.03.2017.
        assert!(!older_than(d(1996, 2, 29), 21, d(2017, 3, 1)));
        assert!(older_than(d(1996, 2, 29), 21, d(2017, 3, 2)));
    }
}
