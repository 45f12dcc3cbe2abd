//! The rules of a host organisation (PROGRAMME.md, Host organisations): the seven selection
//! criteria, each its own rule, and the limit of applications.

use super::{Named, Outcome, RuleCode, Verdict};
use crate::registry::document_kinds::DocumentKind;
use crate::registry::host_orgs::HostOrg;
use crate::rulebook::Rulebook;
use crate::validation::format_date;
use chrono::Months;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What the rules of a host organisation read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostOrgFacts {
    /// The organisation's id.
    pub id: Uuid,
    /// The organisation, with the coordinator's answers to the criteria.
    pub host_org: HostOrg,
    /// Kinds of its documents on file, sorted.
    pub documents: Vec<DocumentKind>,
    /// Applications of the cohort submitted through it, in id order (the order they were made).
    pub applications: Vec<Uuid>,
    /// The cohort's competition's decision on it, when one is recorded (left out of facts
    /// gathered before rulebook `2017-pilot.4`, which did not read it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub competition: Option<Competition>,
}

/// The competition's decision on a host organisation, as the rules read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Competition {
    /// Selected (else rejected).
    pub selected: bool,
    /// The day of the decision.
    pub decided_on: chrono::NaiveDate,
    /// The memorandum of cooperation's number, once signed.
    pub memorandum_number: Option<String>,
}

impl HostOrgFacts {
    /// "BIN Name": whom an outcome concerns inside an application's evaluation.
    pub(crate) fn label(&self) -> String {
        format!("{} {}", self.host_org.bin, self.host_org.name)
    }

    /// The seven criteria for a sub-project in `region`, then HOST_ORG_ELIGIBLE summing them up.
    pub(crate) fn criteria(&self, region: &str, rb: &Rulebook) -> Vec<Outcome> {
        let c = &self.host_org.criteria;
        let mut outcomes = vec![
            registered_1y_in_region(&self.host_org, region, rb),
            answered(RuleCode::HostOrgCharter, c.charter_matches),
            answered(RuleCode::HostOrgExperience, c.youth_experience),
            head_and_accountant(&self.host_org),
            answered(RuleCode::HostOrgNoDebts, c.no_debts),
            answered(RuleCode::HostOrgNotUnscrupulous, c.not_unscrupulous),
            documents(self, rb),
        ];
        outcomes.push(eligible(&outcomes));
        outcomes
    }

    /// Every rule of the organisation, on its own (its own region).
    pub(crate) fn evaluate(&self, rb: &Rulebook) -> Vec<Outcome> {
        let mut outcomes = self.criteria(&self.host_org.region, rb);
        outcomes.push(max_applications(self, None, rb));
        outcomes
    }
}

/// HOST_ORG_REGISTERED_1Y_IN_REGION (P:91): registered at least `min_registration_years` before
/// the competition's deadline, in the region of the sub-project, and not marked otherwise by
/// the coordinator (who checks the registry).
pub(crate) fn registered_1y_in_region(org: &HostOrg, region: &str, rb: &Rulebook) -> Outcome {
    let years = rb.host_org.min_registration_years;
    let deadline = rb.host_org.application_deadline.date_naive();
    let latest = deadline.checked_sub_months(Months::new(12 * years)).unwrap_or(deadline);
    let evidence = vec![
        ("registered", format_date(org.registration_date)),
        ("latest", format_date(latest)),
        ("deadline", format_date(deadline)),
        ("years", years.to_string()),
        ("region", org.region.clone()),
        ("subproject_region", region.to_owned()),
    ];
    let code = RuleCode::HostOrgRegistered1yInRegion;
    if org.criteria.registered_in_region == Some(false) {
        Outcome::new(code, Verdict::Fail, "rule-criterion-denied", evidence)
    } else if org.region != region {
        Outcome::new(code, Verdict::Fail, "rule-host-org-registered-other-region", evidence)
    } else if org.registration_date > latest {
        Outcome::new(code, Verdict::Fail, "rule-host-org-registered-too-recently", evidence)
    } else {
        Outcome::new(code, Verdict::Pass, "rule-host-org-registered-holds", evidence)
    }
}

/// A criterion only the coordinator can judge (from the charter, the tax office, the register):
/// it holds when confirmed; "not yet confirmed" does not hold, since all must hold (P:90).
fn answered(code: RuleCode, answer: Option<bool>) -> Outcome {
    let evidence = vec![("answer", answer.map(super::yes_no).unwrap_or_default())];
    match answer {
        Some(true) => Outcome::new(code, Verdict::Pass, "rule-criterion-confirmed", evidence),
        Some(false) => Outcome::new(code, Verdict::Fail, "rule-criterion-denied", evidence),
        None => Outcome::new(code, Verdict::Fail, "rule-criterion-unconfirmed", evidence),
    }
}

/// HOST_ORG_HEAD_AND_ACCOUNTANT (P:94): both named, and not marked otherwise.
fn head_and_accountant(org: &HostOrg) -> Outcome {
    let code = RuleCode::HostOrgHeadAndAccountant;
    let evidence = vec![
        ("head", org.head_name.clone().unwrap_or_default()),
        ("accountant", org.accountant_name.clone().unwrap_or_default()),
    ];
    let mut missing = Vec::new();
    if org.head_name.is_none() {
        missing.push(Named::by_key("head_name", "field-head_name"));
    }
    if org.accountant_name.is_none() {
        missing.push(Named::by_key("accountant_name", "field-accountant_name"));
    }
    if org.criteria.head_and_accountant == Some(false) {
        Outcome::new(code, Verdict::Fail, "rule-criterion-denied", evidence)
    } else if !missing.is_empty() {
        Outcome::naming(code, Verdict::Fail, "rule-host-org-head-missing", evidence, ("missing", missing))
    } else {
        Outcome::new(code, Verdict::Pass, "rule-host-org-head-named", evidence)
    }
}

/// HOST_ORG_DOCUMENTS (P:97): every kind the rulebook requires is on file, and not marked
/// otherwise. With no kinds listed, the coordinator's confirmation decides.
fn documents(facts: &HostOrgFacts, rb: &Rulebook) -> Outcome {
    let code = RuleCode::HostOrgDocuments;
    let answer = facts.host_org.criteria.documents_complete;
    let missing = super::missing_documents(&rb.documents.host_org, &facts.documents);
    let evidence = vec![("required", rb.documents.host_org.len().to_string())];
    if answer == Some(false) {
        Outcome::new(code, Verdict::Fail, "rule-criterion-denied", evidence)
    } else if !missing.is_empty() {
        Outcome::naming(code, Verdict::Fail, "rule-documents-missing", evidence, ("missing", missing))
    } else if rb.documents.host_org.is_empty() && answer.is_none() {
        Outcome::new(code, Verdict::Fail, "rule-criterion-unconfirmed", evidence)
    } else {
        Outcome::new(code, Verdict::Pass, "rule-documents-present", evidence)
    }
}

/// HOST_ORG_ELIGIBLE (P:90): all seven criteria hold.
fn eligible(criteria: &[Outcome]) -> Outcome {
    let failed: Vec<Named> = criteria
        .iter()
        .filter(|o| o.verdict == Verdict::Fail)
        .map(|o| Named::by_key(o.code.code(), o.code.message_key()))
        .collect();
    let evidence = vec![("criteria", criteria.len().to_string())];
    if failed.is_empty() {
        Outcome::new(RuleCode::HostOrgEligible, Verdict::Pass, "rule-host-org-eligible", evidence)
    } else {
        Outcome::naming(
            RuleCode::HostOrgEligible,
            Verdict::Fail,
            "rule-host-org-not-eligible",
            evidence,
            ("failed", failed),
        )
    }
}

/// HOST_ORG_SELECTED (P:98-100, seed line 245): only an organisation the cohort's competition
/// selected, with the memorandum of cooperation signed, submits applications for groups.
pub(crate) fn selected(facts: &HostOrgFacts) -> Outcome {
    let code = RuleCode::HostOrgSelected;
    let Some(c) = &facts.competition else {
        return Outcome::new(code, Verdict::Fail, "rule-host-org-not-decided", Vec::new());
    };
    let evidence = vec![
        ("decided_on", format_date(c.decided_on)),
        ("memorandum", c.memorandum_number.clone().unwrap_or_default()),
    ];
    match (c.selected, &c.memorandum_number) {
        (false, _) => Outcome::new(code, Verdict::Fail, "rule-host-org-rejected", evidence),
        (true, None) => Outcome::new(code, Verdict::Fail, "rule-host-org-no-memorandum", evidence),
        (true, Some(_)) => Outcome::new(code, Verdict::Pass, "rule-host-org-selected", evidence),
    }
}

/// HOST_ORG_MAX_APPLICATIONS (P:20): at most `max_applications` applications of the cohort.
/// Judging one application (`within`), the ones beyond the limit, in the order they were made,
/// break it.
pub(crate) fn max_applications(facts: &HostOrgFacts, within: Option<Uuid>, rb: &Rulebook) -> Outcome {
    let max = rb.host_org.max_applications as usize;
    let mut all = facts.applications.clone();
    all.extend(within);
    all.sort_unstable();
    all.dedup();
    let position = within.and_then(|app| all.iter().position(|id| *id == app)).map(|p| p + 1);
    let holds = match position {
        Some(p) => p <= max,
        None => all.len() <= max,
    };
    let evidence = vec![
        ("count", all.len().to_string()),
        ("max", max.to_string()),
        ("position", position.map(|p| p.to_string()).unwrap_or_default()),
    ];
    let code = RuleCode::HostOrgMaxApplications;
    match (holds, position) {
        (true, _) => Outcome::new(code, Verdict::Pass, "rule-host-org-applications-within", evidence),
        (false, None) => Outcome::new(code, Verdict::Fail, "rule-host-org-applications-over", evidence),
        (false, Some(_)) => Outcome::new(code, Verdict::Fail, "rule-host-org-application-beyond", evidence),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::Bin;
    use crate::registry::host_orgs::{HostOrgCriteria, HostOrgType};
    use crate::rules::persons::tests::date;
    use crate::rules::tests::assert_explained;

    pub(crate) fn facts(registered: chrono::NaiveDate) -> HostOrgFacts {
        let bin = (0..100).find_map(|s| Bin::compose(12, 3, 4, 0, s)).unwrap();
        let criteria = HostOrgCriteria {
            registered_in_region: Some(true),
            charter_matches: Some(true),
            youth_experience: Some(true),
            head_and_accountant: Some(true),
            no_debts: Some(true),
            not_unscrupulous: Some(true),
            documents_complete: Some(true),
        };
        HostOrgFacts {
            competition: None,
            id: Uuid::now_v7(),
            host_org: HostOrg {
                bin,
                name: "«Жастар ордасы» ҚБ".into(),
                org_type: HostOrgType::NonCommercial,
                region: "550000000".into(),
                locality: "Павлодар".into(),
                registration_date: registered,
                head_name: Some("Серікбаев Нұрлан".into()),
                accountant_name: Some("Омарова Гүлнар".into()),
                phone: None,
                criteria,
            },
            documents: Rulebook::pilot_2017().documents.host_org.clone(),
            applications: Vec::new(),
        }
    }

    #[test]
    fn a_year_before_the_deadline_passes_a_day_later_fails() {
        let rb = Rulebook::pilot_2017(); // deadline 14.04.2017
        let f = facts(date(2016, 4, 14));
        let o = registered_1y_in_region(&f.host_org, "550000000", &rb);
        assert_eq!(o.verdict, Verdict::Pass);
        assert_explained(&o);
        let f = facts(date(2016, 4, 15));
        let o = registered_1y_in_region(&f.host_org, "550000000", &rb);
        assert_eq!((o.verdict, o.message.as_str()), (Verdict::Fail, "rule-host-org-registered-too-recently"));
        assert!(o.text.kk.contains("14.04.2016"), "{}", o.text.kk);
        assert_explained(&o);
    }

    #[test]
    fn registration_in_another_region_fails_for_that_subproject() {
        let rb = Rulebook::pilot_2017();
        let f = facts(date(2010, 1, 1));
        let o = registered_1y_in_region(&f.host_org, "190000000", &rb);
        assert_eq!((o.verdict, o.message.as_str()), (Verdict::Fail, "rule-host-org-registered-other-region"));
        assert_explained(&o);
    }

    #[test]
    fn all_seven_criteria_confirmed_make_it_eligible() {
        let rb = Rulebook::pilot_2017();
        let outcomes = facts(date(2010, 1, 1)).evaluate(&rb);
        let codes: Vec<&str> = outcomes.iter().map(|o| o.code.code()).collect();
        assert_eq!(
            codes,
            [
                "HOST_ORG_REGISTERED_1Y_IN_REGION",
                "HOST_ORG_CHARTER",
                "HOST_ORG_EXPERIENCE",
                "HOST_ORG_HEAD_AND_ACCOUNTANT",
                "HOST_ORG_NO_DEBTS",
                "HOST_ORG_NOT_UNSCRUPULOUS",
                "HOST_ORG_DOCUMENTS",
                "HOST_ORG_ELIGIBLE",
                "HOST_ORG_MAX_APPLICATIONS",
            ]
        );
        assert!(outcomes.iter().all(|o| o.verdict == Verdict::Pass), "{outcomes:#?}");
    }

    #[test]
    fn each_criterion_denied_or_unconfirmed_fails_by_its_own_code() {
        let rb = Rulebook::pilot_2017();
        for (field, code) in [
            ("charter_matches", RuleCode::HostOrgCharter),
            ("youth_experience", RuleCode::HostOrgExperience),
            ("no_debts", RuleCode::HostOrgNoDebts),
            ("not_unscrupulous", RuleCode::HostOrgNotUnscrupulous),
            ("head_and_accountant", RuleCode::HostOrgHeadAndAccountant),
            ("documents_complete", RuleCode::HostOrgDocuments),
            ("registered_in_region", RuleCode::HostOrgRegistered1yInRegion),
        ] {
            for answer in [Some(false), None] {
                let mut f = facts(date(2010, 1, 1));
                f.host_org.criteria.set(field, answer);
                let outcomes = f.evaluate(&rb);
                let failed: Vec<RuleCode> =
                    outcomes.iter().filter(|o| o.verdict == Verdict::Fail).map(|o| o.code).collect();
                // Unconfirmed is a failure where only the coordinator can judge; the computed
                // criteria (registration, names, documents on file) still speak for themselves.
                let computed = matches!(
                    code,
                    RuleCode::HostOrgRegistered1yInRegion
                        | RuleCode::HostOrgHeadAndAccountant
                        | RuleCode::HostOrgDocuments
                );
                if answer.is_none() && computed {
                    assert!(failed.is_empty(), "{field} unanswered: {failed:?}");
                } else {
                    assert_eq!(failed, [code, RuleCode::HostOrgEligible], "{field} = {answer:?}");
                    let eligible = outcomes.iter().find(|o| o.code == RuleCode::HostOrgEligible).unwrap();
                    assert_eq!(eligible.evidence["failed"], code.code());
                    assert_explained(eligible);
                }
            }
        }
    }

    #[test]
    fn a_missing_accountant_or_document_is_named() {
        let rb = Rulebook::pilot_2017();
        let mut f = facts(date(2010, 1, 1));
        f.host_org.accountant_name = None;
        f.documents.retain(|k| *k != DocumentKind::Charter);
        let outcomes = f.evaluate(&rb);
        let head = outcomes.iter().find(|o| o.code == RuleCode::HostOrgHeadAndAccountant).unwrap();
        assert_eq!(head.verdict, Verdict::Fail);
        assert!(head.text.en.contains("Accountant"), "{}", head.text.en);
        let docs = outcomes.iter().find(|o| o.code == RuleCode::HostOrgDocuments).unwrap();
        assert_eq!(docs.evidence["missing"], "charter");
        assert!(docs.text.kk.contains("жарғы"), "{}", docs.text.kk);
        assert_explained(docs);
    }

    #[test]
    fn seven_applications_pass_the_eighth_is_beyond_the_limit() {
        let rb = Rulebook::pilot_2017();
        let mut f = facts(date(2010, 1, 1));
        f.applications = (0..8).map(|_| Uuid::now_v7()).collect();
        let o = max_applications(&f, Some(f.applications[6]), &rb);
        assert_eq!((o.verdict, o.evidence["position"].as_str()), (Verdict::Pass, "7"));
        let o = max_applications(&f, Some(f.applications[7]), &rb);
        assert_eq!((o.verdict, o.evidence["position"].as_str()), (Verdict::Fail, "8"));
        assert_explained(&o);
        let o = max_applications(&f, None, &rb);
        assert_eq!((o.verdict, o.evidence["count"].as_str()), (Verdict::Fail, "8"));
        assert_explained(&o);
        f.applications.pop();
        assert_eq!(max_applications(&f, None, &rb).verdict, Verdict::Pass);
    }
}
