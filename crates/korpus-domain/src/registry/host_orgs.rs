//! Host organisations: the organisations selected by competition that apply on behalf of groups
//! (PROGRAMME.md, Host organisations).

use crate::codes::code_enum;
use crate::registry::bin::{Bin, EntityKind};
use crate::rulebook::{Context, region};
use crate::validation::{
    Checker, FieldError, SHORT_TEXT_MAX, ValidationErrors, optional_short, optional_text, parse_date,
    past_date, phone, required_text,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_enum! {
    /// Who may apply as a host organisation (PROGRAMME.md lines 84-87).
    HostOrgType, "host-org-type" {
        /// A youth organisation under the Law on State Youth Policy.
        YouthOrganisation = "youth_organisation",
        /// A non-commercial organisation whose charter covers youth development.
        NonCommercial = "non_commercial",
        /// A private organisation with a corporate social responsibility programme.
        PrivateCsr = "private_csr",
    }
}

/// The answers to the seven selection criteria (PROGRAMME.md lines 90-97); `None` is not yet
/// answered. The screening rules (HOST_ORG_*) read them.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HostOrgCriteria {
    /// Legally registered for the rulebook's years in the sub-project's region.
    pub registered_in_region: Option<bool>,
    /// Declared activity matches the charter and the organisation's work.
    pub charter_matches: Option<bool>,
    /// Experience of social projects with young people.
    pub youth_experience: Option<bool>,
    /// Has a head and an accountant.
    pub head_and_accountant: Option<bool>,
    /// No tax or other debts.
    pub no_debts: Option<bool>,
    /// Not in the register of unscrupulous suppliers.
    pub not_unscrupulous: Option<bool>,
    /// Every required document present.
    pub documents_complete: Option<bool>,
}

impl HostOrgCriteria {
    /// Every criterion answered `answer`.
    pub fn all(answer: Option<bool>) -> Self {
        HostOrgCriteria {
            registered_in_region: answer,
            charter_matches: answer,
            youth_experience: answer,
            head_and_accountant: answer,
            no_debts: answer,
            not_unscrupulous: answer,
            documents_complete: answer,
        }
    }

    /// Field names of the seven criteria, in the brochure's order.
    pub const FIELDS: [&'static str; 7] = [
        "registered_in_region",
        "charter_matches",
        "youth_experience",
        "head_and_accountant",
        "no_debts",
        "not_unscrupulous",
        "documents_complete",
    ];

    /// Sets criterion `field` to `answer`; `false` when no criterion has that name.
    pub fn set(&mut self, field: &str, answer: Option<bool>) -> bool {
        let slot = match field {
            "registered_in_region" => &mut self.registered_in_region,
            "charter_matches" => &mut self.charter_matches,
            "youth_experience" => &mut self.youth_experience,
            "head_and_accountant" => &mut self.head_and_accountant,
            "no_debts" => &mut self.no_debts,
            "not_unscrupulous" => &mut self.not_unscrupulous,
            "documents_complete" => &mut self.documents_complete,
            _ => return false,
        };
        *slot = answer;
        true
    }
}

/// A host organisation.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostOrg {
    /// Business identification number; unique in the programme.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub bin: Bin,
    /// Registered name.
    pub name: String,
    /// Which kind of applicant it is.
    pub org_type: HostOrgType,
    /// Region (KATO code) where it is registered.
    pub region: String,
    /// Town or village.
    pub locality: String,
    /// Date of state registration.
    pub registration_date: NaiveDate,
    /// Full name of the head.
    pub head_name: Option<String>,
    /// Full name of the accountant.
    pub accountant_name: Option<String>,
    /// Contact phone.
    pub phone: Option<String>,
    /// Answers to the selection criteria.
    pub criteria: HostOrgCriteria,
}

/// A host organisation as typed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HostOrgInput {
    /// BIN.
    pub bin: String,
    /// Name.
    pub name: String,
    /// Type code.
    pub org_type: String,
    /// Region (KATO code).
    pub region: String,
    /// Town or village.
    pub locality: String,
    /// Registration date.
    pub registration_date: String,
    /// Head.
    pub head_name: Option<String>,
    /// Accountant.
    pub accountant_name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Criteria answers.
    pub criteria: HostOrgCriteria,
}

impl From<&HostOrg> for HostOrgInput {
    fn from(h: &HostOrg) -> Self {
        HostOrgInput {
            bin: h.bin.to_string(),
            name: h.name.clone(),
            org_type: h.org_type.code().to_owned(),
            region: h.region.clone(),
            locality: h.locality.clone(),
            registration_date: h.registration_date.to_string(),
            head_name: h.head_name.clone(),
            accountant_name: h.accountant_name.clone(),
            phone: h.phone.clone(),
            criteria: h.criteria.clone(),
        }
    }
}

/// The longest organisation name the desk takes, in characters.
const ORG_NAME_MAX: usize = 300;

impl HostOrgInput {
    /// Checks every field; on success, the organisation to store.
    pub fn validate(&self, ctx: &Context<'_>) -> Result<HostOrg, ValidationErrors> {
        let mut check = Checker::new();
        let bin = check.take(Bin::parse("bin", &self.bin));
        if let Some(bin) = bin
            && bin.kind() != EntityKind::ResidentLegalEntity
        {
            check.push(FieldError::new("bin", "error-bin-not-resident-legal-entity"));
        }
        let name = check.take(required_text("name", &self.name, ORG_NAME_MAX));
        let org_type = check.take(HostOrgType::parse("org_type", &self.org_type));
        let region = check.take(region("region", &self.region, ctx.rulebook));
        let locality = check.take(required_text("locality", &self.locality, SHORT_TEXT_MAX));
        let registration_date = match self.registration_date.trim() {
            "" => check.take(Err(FieldError::new("registration_date", "error-required"))),
            text => check.take(
                parse_date("registration_date", text)
                    .and_then(|d| past_date("registration_date", d, ctx.today)),
            ),
        };
        let head_name = check.take(optional_short("head_name", &self.head_name));
        let accountant_name = check.take(optional_short("accountant_name", &self.accountant_name));
        let phone = match optional_text("phone", self.phone.as_deref(), SHORT_TEXT_MAX) {
            Ok(None) => Some(None),
            Ok(Some(p)) => check.take(phone("phone", &p)).map(Some),
            Err(e) => check.take(Err(e)),
        };
        check.finish()?;
        let build = || {
            Some(HostOrg {
                bin: bin?,
                name: name?,
                org_type: org_type?,
                region: region?,
                locality: locality?,
                registration_date: registration_date?,
                head_name: head_name?,
                accountant_name: accountant_name?,
                phone: phone?,
                criteria: self.criteria.clone(),
            })
        };
        // Every field passed, so every value is present.
        build().ok_or_else(|| ValidationErrors::one(FieldError::new("bin", "error-required")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::persons::tests::{ctx, date};
    use crate::rulebook::Rulebook;

    pub(crate) fn bin(kind: u8) -> String {
        (0..100).find_map(|s| Bin::compose(12, 3, kind, 0, s)).unwrap().to_string()
    }

    fn input() -> HostOrgInput {
        HostOrgInput {
            bin: bin(4),
            name: "«Жастар ордасы» қоғамдық бірлестігі".into(),
            org_type: "non_commercial".into(),
            region: "350000000".into(),
            locality: "Қарағанды".into(),
            registration_date: "15.03.2012".into(),
            head_name: Some("Серікбаев Нұрлан".into()),
            accountant_name: None,
            phone: Some("+7 7212 41 00 00".into()),
            criteria: HostOrgCriteria::default(),
        }
    }

    #[test]
    fn valid_host_org_passes() {
        let rb = Rulebook::pilot_2017();
        let org = input().validate(&ctx(&rb)).unwrap();
        assert_eq!(org.phone.as_deref(), Some("+77212410000"));
        assert_eq!(org.registration_date, date(2012, 3, 15));
    }

    #[test]
    fn individual_entrepreneurs_bin_is_not_a_host_org() {
        let rb = Rulebook::pilot_2017();
        let mut i = input();
        i.bin = bin(6);
        let err = i.validate(&ctx(&rb)).unwrap_err();
        assert_eq!(err.0[0].key, "error-bin-not-resident-legal-entity");
    }

    #[test]
    fn registration_in_the_future_and_missing_fields_fail() {
        let rb = Rulebook::pilot_2017();
        let mut i = input();
        i.registration_date = "02.05.2017".into(); // the context's today is 01.05.2017
        i.name = " ".into();
        i.org_type = "company".into();
        let err = i.validate(&ctx(&rb)).unwrap_err();
        for field in ["registration_date", "name", "org_type"] {
            assert!(err.has(field), "{field}: {err}");
        }
    }

    #[test]
    fn criteria_are_set_by_name() {
        let mut c = HostOrgCriteria::default();
        for field in HostOrgCriteria::FIELDS {
            assert!(c.set(field, Some(true)));
        }
        assert!(!c.set("no_such_criterion", Some(true)));
        assert_eq!(c.no_debts, Some(true));
    }
}
