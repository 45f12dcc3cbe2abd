//! Money in the case database: each grant sub-project's contract with the host organisation's
//! overhead, the monthly scholarship rolls, and totals by region and for the cohort, all in whole
//! tenge. The rules are the domain's ([`korpus_domain::closing::money`]).

use crate::Store;
use crate::error::{Result, StoreError};
use crate::tables::{Record, find_by_id, read_records, select_columns};
use korpus_domain::closing::money::{
    ContractSubject, GrantContract, GrantContractInput, MoneyTotals, Scholarship, grant_contract_id,
    scholarship_id, scholarship_month, scholarship_tenge,
};
use korpus_domain::delivery::training::arm_gives_grant;
use korpus_domain::selection::lottery::Arm;
use korpus_domain::validation::FieldError;
use korpus_domain::{EducationStatus, Entity, Person, ValidationErrors};
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// A sub-project with a grant (arms A and B) and its contract, once signed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrantLine {
    /// The sub-project.
    pub application_id: Uuid,
    /// Its name.
    pub application_name: String,
    /// Its region.
    pub region: String,
    /// Its group's arm.
    pub arm: Arm,
    /// The budget it applied with, in tenge.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub budget: i64,
    /// The host organisation that applied for it, by name.
    pub host_org_name: Option<String>,
    /// The contract, once signed.
    pub contract: Option<Record<GrantContract>>,
}

/// One beneficiary on a month's scholarship roll.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollLine {
    /// The beneficiary.
    pub person_id: Uuid,
    /// Their full name.
    pub full_name: String,
    /// Their group's sub-project.
    pub application_id: Uuid,
    /// Its name.
    pub application_name: String,
    /// Their education as recorded (or as it was when the month was recorded).
    pub education: EducationStatus,
    /// The month's amount; `None` when their education gives none.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub amount_tenge: Option<i64>,
    /// Whether this month is on record for them.
    pub recorded: bool,
}

/// A region's scholarship roll for one month.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScholarshipRoll {
    /// The region.
    pub region: String,
    /// The month, `2017-07`.
    pub month: String,
    /// Every member of a drawn group, by sub-project and name.
    pub lines: Vec<RollLine>,
    /// The month's total, in tenge.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total_tenge: i64,
}

impl Store {
    /// The sub-projects of a region (or all) that get a grant, with their contracts.
    pub fn grants(&self, region: Option<&str>) -> Result<Vec<GrantLine>> {
        let mut out = Vec::new();
        for d in self.drawn(region)?.into_iter().filter(|d| arm_gives_grant(d.arm)) {
            let app = &d.application;
            let host_org_name = match app.data.host_org_id {
                Some(id) => Some(self.host_org(&id.to_string())?.data.name),
                None => None,
            };
            out.push(GrantLine {
                application_id: app.id,
                application_name: app.data.name.clone(),
                region: app.data.region.clone(),
                arm: d.arm,
                budget: app.data.budget,
                host_org_name,
                contract: find_by_id(&self.conn, Entity::GrantContract, grant_contract_id(app.id))?,
            });
        }
        Ok(out)
    }

    /// Signs a sub-project's grant contract, or amends the one read at `base_version`.
    pub fn save_contract(
        &mut self,
        application: &str,
        base_version: Option<i64>,
        input: &GrantContractInput,
    ) -> Result<Record<GrantContract>> {
        let (app, arm) = self.drawn_one(application)?;
        let subject = ContractSubject {
            application_id: app.id,
            region: &app.data.region,
            host_org_id: app.data.host_org_id,
            arm,
        };
        let contract = input.validate(&self.context(), &subject)?;
        let id = grant_contract_id(app.id);
        let existing: Option<Record<GrantContract>> = find_by_id(&self.conn, Entity::GrantContract, id)?;
        match (existing, base_version) {
            (None, _) => {
                self.write(|w| w.insert(Entity::GrantContract, id, &contract))?;
                Ok(Record { id, version: 1, data: contract })
            }
            (Some(old), Some(base)) if old.version == base => {
                self.write(|w| w.update(Entity::GrantContract, id, old.version, &old.data, &contract))?;
                Ok(Record { id, version: old.version + 1, data: contract })
            }
            (Some(old), Some(base)) => Err(StoreError::Stale {
                entity: Entity::GrantContract,
                id,
                found: old.version,
                expected: base,
            }),
            (Some(old), None) => Err(ValidationErrors::one(
                FieldError::new("number", "error-contract-exists").arg("number", old.data.number),
            )
            .into()),
        }
    }

    fn recorded_scholarships(
        &self,
        region: &str,
        month: &str,
    ) -> Result<BTreeMap<Uuid, Record<Scholarship>>> {
        let sql = format!(
            "SELECT {} FROM scholarships WHERE cohort = ?1 AND region = ?2 AND month = ?3",
            select_columns(Entity::Scholarship)
        );
        Ok(read_records::<Scholarship>(
            &self.conn,
            Entity::Scholarship,
            &sql,
            (self.rulebook.cohort, region, month),
        )?
        .into_iter()
        .map(|s| (s.data.person_id, s))
        .collect())
    }

    /// A region's scholarship roll for `month`: every member of a group the lottery assigned,
    /// with the amount their education gives, and whether the month is recorded for them.
    pub fn scholarship_roll(&self, region: &str, month: &str) -> Result<ScholarshipRoll> {
        let region = korpus_domain::rulebook::region("region", region, &self.rulebook)
            .map_err(ValidationErrors::one)?;
        let month = scholarship_month(&self.rulebook, month).map_err(ValidationErrors::one)?;
        let recorded = self.recorded_scholarships(&region, &month)?;
        let mut lines = Vec::new();
        // Who left before the month began is not on its roll; who leaves during it is, once more.
        let first_day = chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        for d in self.drawn(Some(&region))? {
            let withdrawals = self.withdrawals(d.application.id)?;
            let left_before = |person: Uuid| {
                withdrawals.iter().any(|w| w.data.concerns(person) && w.data.left_on < first_day)
            };
            for (person_id, _) in self.members_named(d.application.id)? {
                if left_before(person_id) {
                    continue;
                }
                let person: Record<Person> = self.person(&person_id.to_string())?;
                let on_record = recorded.get(&person_id);
                let education = on_record.map_or(person.data.education, |s| s.data.education);
                lines.push(RollLine {
                    person_id,
                    full_name: person.data.identity.full_name(),
                    application_id: d.application.id,
                    application_name: d.application.data.name.clone(),
                    education,
                    amount_tenge: on_record
                        .map(|s| s.data.amount_tenge)
                        .or_else(|| scholarship_tenge(&self.rulebook, education)),
                    recorded: on_record.is_some(),
                });
            }
        }
        let total_tenge = lines.iter().filter_map(|l| l.amount_tenge).sum();
        Ok(ScholarshipRoll { region, month, lines, total_tenge })
    }

    /// Records a region's roll for `month`: one scholarship per member not yet recorded whose
    /// education gives one, all in one envelope. Recording a month again adds only the members
    /// who joined since.
    pub fn record_scholarships(&mut self, region: &str, month: &str) -> Result<ScholarshipRoll> {
        let roll = self.scholarship_roll(region, month)?;
        let new: Vec<(Uuid, Scholarship)> = roll
            .lines
            .iter()
            .filter(|l| !l.recorded)
            .filter_map(|l| {
                l.amount_tenge.map(|amount_tenge| {
                    (
                        scholarship_id(l.person_id, &roll.month),
                        Scholarship {
                            cohort: self.rulebook.cohort,
                            region: roll.region.clone(),
                            person_id: l.person_id,
                            application_id: l.application_id,
                            month: roll.month.clone(),
                            education: l.education,
                            amount_tenge,
                        },
                    )
                })
            })
            .collect();
        if new.is_empty() {
            return Err(ValidationErrors::one(FieldError::new("month", "error-roll-nothing-new")).into());
        }
        self.write(|w| {
            for (id, s) in &new {
                w.insert(Entity::Scholarship, *id, s)?;
            }
            Ok(())
        })?;
        self.scholarship_roll(&roll.region, &roll.month)
    }

    /// Money by region, then the cohort's total (region `None`).
    pub fn money_totals(&self) -> Result<Vec<MoneyTotals>> {
        let cohort = self.rulebook.cohort;
        let mut by_region: BTreeMap<String, MoneyTotals> = BTreeMap::new();
        let mut all = MoneyTotals::default();
        let contracts = format!(
            "SELECT {} FROM grant_contracts WHERE cohort = ?1",
            select_columns(Entity::GrantContract)
        );
        for c in read_records::<GrantContract>(&self.conn, Entity::GrantContract, &contracts, [cohort])? {
            let region = c.data.region.clone();
            by_region
                .entry(region.clone())
                .or_insert_with(|| MoneyTotals { region: Some(region), ..Default::default() })
                .add_contract(&c.data);
            all.add_contract(&c.data);
        }
        let scholarships =
            format!("SELECT {} FROM scholarships WHERE cohort = ?1", select_columns(Entity::Scholarship));
        for s in read_records::<Scholarship>(&self.conn, Entity::Scholarship, &scholarships, [cohort])? {
            let region = s.data.region.clone();
            by_region
                .entry(region.clone())
                .or_insert_with(|| MoneyTotals { region: Some(region), ..Default::default() })
                .add_scholarship(&s.data);
            all.add_scholarship(&s.data);
        }
        let mut out: Vec<MoneyTotals> = by_region.into_values().collect();
        out.push(all);
        Ok(out)
    }
}
