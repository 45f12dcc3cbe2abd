//! The rule engine of technical screening (PROGRAMME.md, "Applying for a grant", stage 1): every
//! rule of the programme as a small function with a stable code that reads its numbers from the
//! cohort's rulebook and returns an [`Outcome`]: pass, warn or fail, the evidence it read, and
//! its explanation in Kazakh, Russian and English.
//!
//! Rules read facts, never the database: the store gathers what a rule needs (a person's other
//! applications, a host organisation's documents) into the facts of one subject ([`PersonFacts`],
//! [`ApplicationFacts`], [`HostOrgFacts`], [`MentorFacts`]). An [`Evaluation`] keeps those facts as
//! it saw them and the rulebook's version, so anyone can run it again and get the same outcomes.

mod applications;
mod host_orgs;
mod mentors;
mod persons;

pub use applications::ApplicationFacts;
pub use host_orgs::{Competition, HostOrgFacts};
pub use mentors::MentorFacts;
pub use persons::{PersonFacts, is_vulnerable};

use crate::codes::code_enum;
use crate::lang::{Lang, Text};
use crate::messages::{Arg, tr};
use crate::rulebook::Rulebook;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

code_enum! {
    /// The stable code of every rule. A code never changes meaning; a rule that changes meaning gets
    /// a new code. `rule-<CODE>` is the message key of what the rule asks.
    RuleCode, "rule" {
        /// P:17 a beneficiary is 18 to 29 on the cohort's reference date.
        PersonAge = "PERSON_AGE",
        /// P:25 one young person takes part in one sub-project only.
        PersonOneSubproject = "PERSON_ONE_SUBPROJECT",
        /// P:26-33 the vulnerability categories, with the working-poor income threshold.
        Vulnerability = "VULNERABILITY",
        /// P:18 a group has 3 to 5 members.
        GroupSize = "GROUP_SIZE",
        /// P:19 an initiative group applies through one of its members as leader.
        GroupLeader = "GROUP_LEADER",
        /// P:19 one application per initiative group.
        InitiativeOneApplication = "INITIATIVE_ONE_APPLICATION",
        /// P:54-55 the five texts of an application are filled in.
        ApplicationRequiredFields = "APPLICATION_REQUIRED_FIELDS",
        /// P:77 a grant is at most 1,000,000 tenge.
        ApplicationBudgetMax = "APPLICATION_BUDGET_MAX",
        /// P:60-64 the direction is one of the cohort's.
        ApplicationDirection = "APPLICATION_DIRECTION",
        /// P:20 a host organisation submits at most 7 applications.
        HostOrgMaxApplications = "HOST_ORG_MAX_APPLICATIONS",
        /// P:90 every one of the seven criteria holds.
        HostOrgEligible = "HOST_ORG_ELIGIBLE",
        /// P:98-100 only a host organisation selected in the cohort's competition, its memorandum
        /// of cooperation signed, submits applications (rulebooks from `2017-pilot.4`).
        HostOrgSelected = "HOST_ORG_SELECTED",
        /// P:91 registered for at least a year in the region of the sub-project.
        HostOrgRegistered1yInRegion = "HOST_ORG_REGISTERED_1Y_IN_REGION",
        /// P:92 the declared activity matches the charter and the organisation's work.
        HostOrgCharter = "HOST_ORG_CHARTER",
        /// P:93 experience of social projects with young people.
        HostOrgExperience = "HOST_ORG_EXPERIENCE",
        /// P:94 a head and an accountant.
        HostOrgHeadAndAccountant = "HOST_ORG_HEAD_AND_ACCOUNTANT",
        /// P:95 no tax or other debts.
        HostOrgNoDebts = "HOST_ORG_NO_DEBTS",
        /// P:96 not in the register of unscrupulous suppliers.
        HostOrgNotUnscrupulous = "HOST_ORG_NOT_UNSCRUPULOUS",
        /// P:97 every required document present.
        HostOrgDocuments = "HOST_ORG_DOCUMENTS",
        /// P:110 a mentor is older than 21.
        MentorMinAge = "MENTOR_MIN_AGE",
        /// P:110-111 at least 3 years in the social sphere or with young people.
        MentorExperience = "MENTOR_EXPERIENCE",
        /// P:111 specialised secondary or higher education.
        MentorEducation = "MENTOR_EDUCATION",
        /// P:106-108 a mentor lives in one of the programme's regions.
        MentorRegion = "MENTOR_REGION",
        /// P:112-113 the certificates and the recommendation letter.
        MentorDocuments = "MENTOR_DOCUMENTS",
        /// P:111-112 experience of organising projects or events: an advantage, not a requirement.
        MentorProjectExperience = "MENTOR_PROJECT_EXPERIENCE",
        /// P:118 a mentor is certified after completing phase I successfully.
        MentorPhase1Completed = "MENTOR_PHASE1_COMPLETED",
        /// P:118 only a certified mentor trains and accompanies beneficiaries.
        MentorCertified = "MENTOR_CERTIFIED",
        /// P:67-71 groups A and C have a mentor, group B does not.
        ArmHasMentor = "ARM_HAS_MENTOR",
        /// P:121 at most 2 sub-projects per mentor.
        MentorMaxSubprojects = "MENTOR_MAX_SUBPROJECTS",
        /// P:121 at most 10 people per mentor.
        MentorMaxPeople = "MENTOR_MAX_PEOPLE",
        /// P:121-122 at least 2 meetings a month.
        MentorMeetingsPerMonth = "MENTOR_MEETINGS_PER_MONTH",
        /// P:122-123 at least 20 hours of sessions a month.
        MentorHoursPerMonth = "MENTOR_HOURS_PER_MONTH",
        /// P:123-124 a protocol after every session.
        MentorProtocols = "MENTOR_PROTOCOLS",
        /// P:67-71 a certificate goes to a member of a group the lottery assigned.
        CertGroupDrawn = "CERT_GROUP_DRAWN",
        /// P:134, P:141 phase I attended at the rulebook's share of days (arms A and C).
        CertPhase1Attended = "CERT_PHASE1_ATTENDED",
        /// P:137-138, P:141 phase III attended at the rulebook's share of days.
        CertPhase3Attended = "CERT_PHASE3_ATTENDED",
        /// P:139, P:141 the sub-project's reports are in and not returned.
        CertReportsSubmitted = "CERT_REPORTS_SUBMITTED",
        /// A beneficiary who left the programme did not complete it (issue 18: withdrawals).
        CertNotWithdrawn = "CERT_NOT_WITHDRAWN",
    }
}

code_enum! {
    /// What a rule found. `Warn` is shown and kept, but does not stop the subject.
    Verdict, "verdict" {
        /// The rule holds.
        Pass = "pass",
        /// The rule holds, with something a person should look at.
        Warn = "warn",
        /// The rule does not hold.
        Fail = "fail",
    }
}

code_enum! {
    /// What is evaluated.
    Subject, "subject" {
        /// A person (beneficiary).
        Person = "person",
        /// A sub-project application with its group.
        Application = "application",
        /// A host organisation.
        HostOrg = "host_org",
        /// A mentor.
        Mentor = "mentor",
    }
}

/// What one rule found about one subject (or one of its members).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// The rule.
    pub code: RuleCode,
    /// What it found.
    pub verdict: Verdict,
    /// Whom within the subject the outcome concerns (a member's IIN and name, the host
    /// organisation's BIN and name), when not the subject itself.
    pub about: Option<String>,
    /// The facts and numbers the rule read, as shown (`age` → `30`, `on` → `14.04.2017`).
    pub evidence: BTreeMap<String, String>,
    /// The message key of the explanation.
    pub message: String,
    /// The explanation in the three languages.
    pub text: Text,
}

impl Outcome {
    /// An outcome explained by message `key` with `evidence` as its arguments.
    pub(crate) fn new(code: RuleCode, verdict: Verdict, key: &str, evidence: Vec<Arg>) -> Outcome {
        let text = crate::messages::text(key, &evidence);
        Outcome::with_text(code, verdict, key, evidence, text)
    }

    fn with_text(code: RuleCode, verdict: Verdict, key: &str, evidence: Vec<Arg>, text: Text) -> Outcome {
        Outcome {
            code,
            verdict,
            about: None,
            evidence: evidence.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            message: key.to_owned(),
            text,
        }
    }

    /// An outcome whose message also names things in the user's language (document kinds, rule
    /// codes, directions): argument `list.0` is filled in each language with the names joined by
    /// commas, and kept in the evidence as their codes.
    pub(crate) fn naming(
        code: RuleCode,
        verdict: Verdict,
        key: &str,
        mut evidence: Vec<Arg>,
        list: (&'static str, Vec<Named>),
    ) -> Outcome {
        let (name, items) = list;
        let text_in = |lang: Lang| {
            let mut args = evidence.clone();
            args.push((name, items.iter().map(|n| n.name.get(lang)).collect::<Vec<_>>().join(", ")));
            tr(lang, key, &args)
        };
        let text = Text { kk: text_in(Lang::Kk), ru: text_in(Lang::Ru), en: text_in(Lang::En) };
        evidence.push((name, items.iter().map(|n| n.code.as_str()).collect::<Vec<_>>().join(", ")));
        Outcome::with_text(code, verdict, key, evidence, text)
    }

    /// The same outcome, concerning `about`.
    pub(crate) fn about(mut self, about: String) -> Outcome {
        self.about = Some(about);
        self
    }

    /// What the rule asks, in `lang`.
    pub fn rule_text(&self, lang: Lang) -> String {
        tr(lang, self.code.message_key(), &[])
    }
}

/// Something an outcome names: its code (kept in the evidence) and its name in each language.
#[derive(Debug, Clone)]
pub(crate) struct Named {
    code: String,
    name: Text,
}

impl Named {
    /// A thing whose name is message `key` of the catalogue; its code is `code`.
    pub(crate) fn by_key(code: &str, key: &str) -> Named {
        Named {
            code: code.to_owned(),
            name: Text { kk: tr(Lang::Kk, key, &[]), ru: tr(Lang::Ru, key, &[]), en: tr(Lang::En, key, &[]) },
        }
    }

    /// A thing named in the rulebook (a direction, a region).
    pub(crate) fn with_name(code: &str, name: &Text) -> Named {
        Named { code: code.to_owned(), name: name.clone() }
    }
}

/// The kinds of `required` that are not among `on_file`, named: what the DOCUMENTS rules report.
pub(crate) fn missing_documents(
    required: &[crate::registry::document_kinds::DocumentKind],
    on_file: &[crate::registry::document_kinds::DocumentKind],
) -> Vec<Named> {
    required
        .iter()
        .filter(|k| !on_file.contains(k))
        .map(|k| Named::by_key(k.code(), k.message_key()))
        .collect()
}

/// The outcome of a subject as a whole: the worst of its rules' verdicts.
pub fn overall(outcomes: &[Outcome]) -> Verdict {
    outcomes.iter().map(|o| o.verdict).max().unwrap_or(Verdict::Pass)
}

/// One run of every rule on one subject: what it saw and what it found. Reproducible: the same
/// inputs and the rulebook of `rulebook_version` give the same outcomes ([`Evaluation::check`]).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// What kind of subject.
    pub subject: Subject,
    /// Its id.
    pub subject_id: Uuid,
    /// The rulebook that gave the numbers.
    pub rulebook_version: String,
    /// The facts the rules read (the subject's facts type as JSON).
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub inputs: Value,
    /// Every rule's outcome, in the order of the rules.
    pub outcomes: Vec<Outcome>,
    /// The worst verdict.
    pub result: Verdict,
}

/// The inputs of an evaluation are not facts of its subject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the inputs are not the facts of a {subject}: {problem}")]
pub struct InputsError {
    /// The subject the inputs were read for.
    pub subject: Subject,
    /// What serde said.
    pub problem: String,
}

/// Why a recorded evaluation is not what the rules give again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Difference {
    /// It was made with another rulebook than the one given to check it.
    #[error("made with rulebook {recorded}, checked with {given}")]
    Rulebook {
        /// The version recorded.
        recorded: String,
        /// The version given.
        given: String,
    },
    /// Its inputs cannot be read as facts of its subject.
    #[error("{0}")]
    Inputs(String),
    /// A rule's verdict or evidence differs (`None`: the outcome is missing on that side).
    #[error("{code} ({}): recorded {recorded:?}, recomputed {recomputed:?}", about.as_deref().unwrap_or("-"))]
    Outcome {
        /// The rule.
        code: RuleCode,
        /// Whom it concerns.
        about: Option<String>,
        /// What the record says.
        recorded: Option<Verdict>,
        /// What the rules say now.
        recomputed: Option<Verdict>,
    },
    /// The overall result differs though every outcome agrees.
    #[error("result recorded {recorded}, recomputed {recomputed}")]
    Result {
        /// What the record says.
        recorded: Verdict,
        /// What the rules say now.
        recomputed: Verdict,
    },
}

impl Evaluation {
    /// Runs every rule of `subject` on `inputs` (that subject's facts as JSON).
    pub fn run(
        subject: Subject,
        subject_id: Uuid,
        inputs: Value,
        rulebook: &Rulebook,
    ) -> Result<Evaluation, InputsError> {
        let bad = |e: serde_json::Error| InputsError { subject, problem: e.to_string() };
        let outcomes = match subject {
            Subject::Person => {
                serde_json::from_value::<PersonFacts>(inputs.clone()).map_err(bad)?.evaluate(rulebook)
            }
            Subject::Application => {
                serde_json::from_value::<ApplicationFacts>(inputs.clone()).map_err(bad)?.evaluate(rulebook)
            }
            Subject::HostOrg => {
                serde_json::from_value::<HostOrgFacts>(inputs.clone()).map_err(bad)?.evaluate(rulebook)
            }
            Subject::Mentor => {
                serde_json::from_value::<MentorFacts>(inputs.clone()).map_err(bad)?.evaluate(rulebook)
            }
        };
        Ok(Evaluation {
            subject,
            subject_id,
            rulebook_version: rulebook.version.clone(),
            inputs,
            result: overall(&outcomes),
            outcomes,
        })
    }

    /// Runs the rules again on the recorded inputs with `rulebook` (which must be the version
    /// recorded) and names every outcome that differs. Texts are not compared: a corrected
    /// translation does not change a decision.
    pub fn check(&self, rulebook: &Rulebook) -> Result<(), Vec<Difference>> {
        if rulebook.version != self.rulebook_version {
            return Err(vec![Difference::Rulebook {
                recorded: self.rulebook_version.clone(),
                given: rulebook.version.clone(),
            }]);
        }
        let again = Evaluation::run(self.subject, self.subject_id, self.inputs.clone(), rulebook)
            .map_err(|e| vec![Difference::Inputs(e.to_string())])?;
        let key = |o: &Outcome| (o.code, o.about.clone());
        let mut differences = Vec::new();
        for o in &self.outcomes {
            let other = again.outcomes.iter().find(|a| key(a) == key(o));
            if other.map(|a| (a.verdict, &a.evidence)) != Some((o.verdict, &o.evidence)) {
                differences.push(Difference::Outcome {
                    code: o.code,
                    about: o.about.clone(),
                    recorded: Some(o.verdict),
                    recomputed: other.map(|a| a.verdict),
                });
            }
        }
        for a in again.outcomes.iter().filter(|a| !self.outcomes.iter().any(|o| key(o) == key(a))) {
            differences.push(Difference::Outcome {
                code: a.code,
                about: a.about.clone(),
                recorded: None,
                recomputed: Some(a.verdict),
            });
        }
        if differences.is_empty() && self.result != again.result {
            differences.push(Difference::Result { recorded: self.result, recomputed: again.result });
        }
        if differences.is_empty() { Ok(()) } else { Err(differences) }
    }
}

/// A recorded technical screening: one evaluation of one subject, kept as a decision. Never
/// changed nor removed: screening again after an edit records a new one, and the newest counts.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Screening {
    /// The programme year.
    pub cohort: i32,
    /// The subject's region (KATO code).
    pub region: String,
    /// When it was made (UTC).
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub screened_at: chrono::DateTime<chrono::Utc>,
    /// The evaluation.
    #[serde(flatten)]
    pub evaluation: Evaluation,
}

impl Screening {
    /// Checks a screening as HQ receives it: made with a rulebook HQ knows, about the subject its
    /// inputs describe, in that subject's region, and giving again exactly the outcomes recorded.
    pub fn check(&self) -> Result<(), String> {
        let e = &self.evaluation;
        let rulebook = Rulebook::known(&e.rulebook_version)
            .ok_or_else(|| format!("rulebook {} is not known here", e.rulebook_version))?;
        if e.inputs.get("id").and_then(Value::as_str) != Some(e.subject_id.to_string().as_str()) {
            return Err("the inputs describe another subject".to_owned());
        }
        let region = match e.subject {
            Subject::Person => e.inputs.pointer("/person/region"),
            Subject::Application => e.inputs.pointer("/application/region"),
            Subject::HostOrg => e.inputs.pointer("/host_org/region"),
            Subject::Mentor => e.inputs.pointer("/mentor/region"),
        };
        if region.and_then(Value::as_str) != Some(self.region.as_str()) {
            return Err(format!("the subject is not in region {}", self.region));
        }
        if rulebook.cohort != self.cohort {
            return Err(format!("rulebook {} is not of cohort {}", rulebook.version, self.cohort));
        }
        e.check(rulebook).map_err(|differences| {
            let list: Vec<String> = differences.iter().map(ToString::to_string).collect();
            format!("the rules give another outcome: {}", list.join("; "))
        })
    }
}

/// A yes/no evidence value as shown.
pub(crate) fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::messages::keys;

    /// Every rule code has its question in every language, and every outcome key a rule uses is
    /// in the catalogue (a missing key would show as the key itself).
    #[test]
    fn every_rule_has_its_question_in_three_languages() {
        let kk = keys(Lang::Kk);
        for code in RuleCode::ALL {
            assert!(kk.iter().any(|k| k == code.message_key()), "{code} lacks its question");
        }
    }

    /// Checks that an outcome's texts are real messages, not a missing key echoed back.
    pub(crate) fn assert_explained(o: &Outcome) {
        for lang in Lang::ALL {
            let text = o.text.get(lang);
            assert_ne!(text, o.message, "{} has no {lang} text", o.message);
            assert!(!text.contains("{ $") && !text.contains("Unknown variable"), "{lang}: {text}");
        }
    }

    #[test]
    fn the_worst_verdict_is_the_result() {
        let o = |v| Outcome::new(RuleCode::GroupSize, v, "rule-group-size-within", vec![]);
        assert_eq!(overall(&[]), Verdict::Pass);
        assert_eq!(overall(&[o(Verdict::Pass), o(Verdict::Warn)]), Verdict::Warn);
        assert_eq!(overall(&[o(Verdict::Fail), o(Verdict::Warn)]), Verdict::Fail);
    }
}
