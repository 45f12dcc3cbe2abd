//! Money of the programme (PROGRAMME.md lines 76-81), in whole tenge: the grant contract of a
//! sub-project within the rulebook's maximum, the host organisation's overhead on it, and the
//! social scholarship a beneficiary's education gives.
//!
//! Who receives a scholarship and for how long the brochure does not say (it gives the amounts
//! only). Korpus pays it, as the programme's public material describes, to every member of a
//! group the lottery assigned, in any arm, monthly for the programme's months
//! (`training.programme_months` from `money.scholarship_first_month`: July to December 2017), by
//! the member's education as recorded when the month's roll is drawn up.

use crate::delivery::training::{arm_gives_grant, phase2};
use crate::registry::persons::EducationStatus;
use crate::rulebook::{Context, Rulebook};
use crate::selection::lottery::Arm;
use crate::validation::{
    Checker, FieldError, SHORT_TEXT_MAX, ValidationErrors, format_tenge, parse_date, parse_integer,
    past_date, required_text,
};
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The host organisation's overhead on a grant contract sum (P:80): the rulebook's share, rounded
/// to the nearest tenge, halves up (15 % of 999,999 is 149,999.85: 150,000).
pub fn overhead_tenge(rulebook: &Rulebook, contract_sum: i64) -> i64 {
    overhead_at(rulebook.host_org.overhead_percent, contract_sum)
}

/// `percent` of `sum`, to the tenge, halves up.
pub fn overhead_at(percent: u32, sum: i64) -> i64 {
    (sum.saturating_mul(i64::from(percent)).saturating_add(50)).div_euclid(100)
}

/// A sub-project's grant contract (P:76-81): its number and day of signing, the sum within the
/// rulebook's maximum and, when a host organisation applied for the sub-project, the
/// organisation's overhead on it at the rulebook's rate. One per sub-project (its id is fixed by
/// the sub-project); an amendment changes the sum and number.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantContract {
    /// The cohort.
    pub cohort: i32,
    /// The sub-project's region.
    pub region: String,
    /// The sub-project.
    pub application_id: Uuid,
    /// The host organisation that receives the overhead, if one applied.
    pub host_org_id: Option<Uuid>,
    /// The contract's number.
    pub number: String,
    /// The day it was signed.
    pub signed_on: NaiveDate,
    /// The grant, in tenge.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub sum_tenge: i64,
    /// The overhead rate it was signed at, in percent (0 without a host organisation).
    pub overhead_percent: u32,
    /// The host organisation's overhead, in tenge.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub overhead_tenge: i64,
}

impl GrantContract {
    /// Whether the sums agree: a positive grant, an overhead only with a host organisation and
    /// exactly the rate's share of the sum.
    pub fn check(&self) -> Result<(), String> {
        if self.sum_tenge <= 0 {
            return Err("the sum is not positive".into());
        }
        if self.host_org_id.is_none() && self.overhead_percent != 0 {
            return Err("an overhead without a host organisation".into());
        }
        if self.overhead_percent > 100 {
            return Err("an overhead rate over 100 %".into());
        }
        let expected = overhead_at(self.overhead_percent, self.sum_tenge);
        if self.overhead_tenge != expected {
            return Err(format!(
                "the overhead of {} is {expected}, not {}",
                self.sum_tenge, self.overhead_tenge
            ));
        }
        Ok(())
    }
}

/// The id of a sub-project's contract: the same on every desk.
pub fn grant_contract_id(application_id: Uuid) -> Uuid {
    Uuid::new_v5(&application_id, b"grant-contract")
}

/// A grant contract as typed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantContractInput {
    /// The contract's number.
    pub number: String,
    /// The day it was signed, as typed.
    pub signed_on: String,
    /// The sum, as typed (`1 000 000`).
    pub sum_tenge: String,
}

/// What a contract reads of its sub-project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractSubject<'a> {
    /// The sub-project.
    pub application_id: Uuid,
    /// Its region.
    pub region: &'a str,
    /// The host organisation that applied for it.
    pub host_org_id: Option<Uuid>,
    /// Its group's arm, if drawn.
    pub arm: Option<Arm>,
}

impl GrantContractInput {
    /// Checks every field: only a group of arm A or B gets a contract, for at most the maximum.
    pub fn validate(
        &self,
        ctx: &Context<'_>,
        subject: &ContractSubject<'_>,
    ) -> Result<GrantContract, ValidationErrors> {
        let mut check = Checker::new();
        let number = check.take(required_text("number", &self.number, SHORT_TEXT_MAX));
        let signed_on = check.take(
            parse_date("signed_on", &self.signed_on).and_then(|d| past_date("signed_on", d, ctx.today)),
        );
        let sum = check.take(
            parse_integer("sum_tenge", &self.sum_tenge)
                .and_then(|sum| check_grant_sum(ctx.rulebook, subject.arm, sum))
                .map_err(|e| if e.field == "sum" { FieldError { field: "sum_tenge", ..e } } else { e }),
        );
        check.finish()?;
        match (number, signed_on, sum) {
            (Some(number), Some(signed_on), Some(sum_tenge)) => {
                let overhead_percent = match subject.host_org_id {
                    Some(_) => ctx.rulebook.host_org.overhead_percent,
                    None => 0,
                };
                Ok(GrantContract {
                    cohort: ctx.rulebook.cohort,
                    region: subject.region.to_owned(),
                    application_id: subject.application_id,
                    host_org_id: subject.host_org_id,
                    number,
                    signed_on,
                    sum_tenge,
                    overhead_percent,
                    overhead_tenge: overhead_at(overhead_percent, sum_tenge),
                })
            }
            _ => Err(ValidationErrors::one(FieldError::new("number", "error-required"))),
        }
    }
}

/// A month of the programme, `2017-07`.
pub fn month_code(date: NaiveDate) -> String {
    format!("{:04}-{:02}", date.year(), date.month())
}

/// The months scholarships are paid for: `training.programme_months` months from the rulebook's
/// `money.scholarship_first_month` (July to December 2017); under a rulebook without it, the
/// months ending with phase II's last (June to November 2017).
pub fn scholarship_months(rulebook: &Rulebook) -> Vec<String> {
    let months = rulebook.training.programme_months;
    let first = match rulebook.money.scholarship_first_month {
        Some(month) => NaiveDate::from_ymd_opt(rulebook.cohort, month, 1),
        None => phase2(rulebook)
            .and_then(|(_, end)| end.with_day(1)?.checked_sub_months(Months::new(months.saturating_sub(1)))),
    };
    let Some(first) = first else { return Vec::new() };
    (0..months).filter_map(|n| first.checked_add_months(Months::new(n))).map(month_code).collect()
}

/// Reads a month as typed, `2017-07` or `07.2017`, as its code `2017-07`; the field is `month`.
pub fn parse_month(value: &str) -> Result<String, FieldError> {
    let typed = value.trim();
    NaiveDate::parse_from_str(&format!("{typed}-01"), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&format!("01.{typed}"), "%d.%m.%Y"))
        .map(month_code)
        .map_err(|_| FieldError::new("month", "error-month-format").arg("value", typed))
}

/// Reads a month as typed (`2017-07` or `07.2017`) and checks it is one of the cohort's
/// scholarship months.
pub fn scholarship_month(rulebook: &Rulebook, value: &str) -> Result<String, FieldError> {
    let typed = value.trim();
    let code = parse_month(typed)?;
    let months = scholarship_months(rulebook);
    if !months.contains(&code) {
        let first = months.first().cloned().unwrap_or_default();
        let last = months.last().cloned().unwrap_or_default();
        return Err(FieldError::new("month", "error-not-scholarship-month")
            .arg("value", typed)
            .arg("first", first)
            .arg("last", last));
    }
    Ok(code)
}

/// One beneficiary's scholarship for one month, as the month's roll records it. Its id is fixed
/// by the person and the month, so a month is never paid twice.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scholarship {
    /// The cohort.
    pub cohort: i32,
    /// The region.
    pub region: String,
    /// The beneficiary.
    pub person_id: Uuid,
    /// Their group's sub-project.
    pub application_id: Uuid,
    /// The month, `2017-07`.
    pub month: String,
    /// The education the amount was decided by.
    pub education: EducationStatus,
    /// The amount, in tenge.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub amount_tenge: i64,
}

/// The id of `person_id`'s scholarship for `month`.
pub fn scholarship_id(person_id: Uuid, month: &str) -> Uuid {
    Uuid::new_v5(&person_id, format!("scholarship/{month}").as_bytes())
}

/// Money of a region (or all regions) of a cohort, in tenge.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MoneyTotals {
    /// The region, or `None` for the cohort.
    pub region: Option<String>,
    /// Contracts signed.
    pub contracts: u32,
    /// Their grants.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub grants_tenge: i64,
    /// Host organisations' overheads on them.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub overheads_tenge: i64,
    /// Monthly scholarships on the rolls.
    pub scholarships: u32,
    /// Their amounts.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub scholarships_tenge: i64,
    /// Everything.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total_tenge: i64,
}

impl MoneyTotals {
    /// Adds a contract.
    pub fn add_contract(&mut self, c: &GrantContract) {
        self.contracts += 1;
        self.grants_tenge += c.sum_tenge;
        self.overheads_tenge += c.overhead_tenge;
        self.total_tenge += c.sum_tenge + c.overhead_tenge;
    }

    /// Adds a month's scholarship.
    pub fn add_scholarship(&mut self, s: &Scholarship) {
        self.scholarships += 1;
        self.scholarships_tenge += s.amount_tenge;
        self.total_tenge += s.amount_tenge;
    }
}

/// The social scholarship of a beneficiary by education (P:78-79): school leavers and students
/// of TVET colleges and universities get the student amount, their graduates the graduate amount;
/// anyone else none.
pub fn scholarship_tenge(rulebook: &Rulebook, education: EducationStatus) -> Option<i64> {
    match education {
        EducationStatus::SchoolLeaver | EducationStatus::TvetStudent | EducationStatus::UniversityStudent => {
            Some(rulebook.money.scholarship_student_tenge)
        }
        EducationStatus::TvetGraduate | EducationStatus::UniversityGraduate => {
            Some(rulebook.money.scholarship_graduate_tenge)
        }
        EducationStatus::Other => None,
    }
}

/// Checks a grant contract's sum for a group of `arm` (P:67-71, P:77): only arms A and B get a
/// grant, of more than 0 and at most the rulebook's maximum.
pub fn check_grant_sum(rulebook: &Rulebook, arm: Option<Arm>, sum: i64) -> Result<i64, FieldError> {
    match arm {
        Some(arm) if !arm_gives_grant(arm) => {
            return Err(FieldError::new("application_id", "error-arm-no-grant").arg("arm", arm));
        }
        None => return Err(FieldError::new("application_id", "error-arm-not-drawn")),
        Some(_) => {}
    }
    if sum <= 0 {
        return Err(FieldError::new("sum", "error-budget-not-positive"));
    }
    let max = rulebook.money.grant_max_tenge;
    if sum > max {
        return Err(FieldError::new("sum", "error-budget-over-limit")
            .arg("budget", format_tenge(sum))
            .arg("max", format_tenge(max)));
    }
    Ok(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overhead_is_fifteen_percent_to_the_tenge() {
        let r = Rulebook::pilot_2017();
        assert_eq!(overhead_tenge(&r, 1_000_000), 150_000);
        assert_eq!(overhead_tenge(&r, 999_999), 150_000);
        assert_eq!(overhead_tenge(&r, 999_996), 149_999);
        // 15 % of 10 tenge is 1.5: halves go up.
        assert_eq!(overhead_tenge(&r, 10), 2);
        assert_eq!(overhead_tenge(&r, 3), 0);
    }

    #[test]
    fn scholarships_follow_education() {
        let r = Rulebook::pilot_2017();
        assert_eq!(scholarship_tenge(&r, EducationStatus::SchoolLeaver), Some(26_000));
        assert_eq!(scholarship_tenge(&r, EducationStatus::UniversityStudent), Some(26_000));
        assert_eq!(scholarship_tenge(&r, EducationStatus::TvetGraduate), Some(61_000));
        assert_eq!(scholarship_tenge(&r, EducationStatus::Other), None);
    }

    #[test]
    fn a_grant_is_for_arms_a_and_b_up_to_one_million() {
        let r = Rulebook::pilot_2017();
        assert_eq!(check_grant_sum(&r, Some(Arm::A), 1_000_000), Ok(1_000_000));
        assert_eq!(check_grant_sum(&r, Some(Arm::B), 1_000_001).unwrap_err().key, "error-budget-over-limit");
        assert_eq!(check_grant_sum(&r, Some(Arm::A), 0).unwrap_err().key, "error-budget-not-positive");
        assert_eq!(check_grant_sum(&r, Some(Arm::C), 500_000).unwrap_err().key, "error-arm-no-grant");
        assert_eq!(check_grant_sum(&r, None, 500_000).unwrap_err().key, "error-arm-not-drawn");
    }

    fn subject(arm: Option<Arm>, host: bool) -> ContractSubject<'static> {
        ContractSubject {
            application_id: Uuid::nil(),
            region: "431010000",
            host_org_id: host.then(|| Uuid::from_u128(7)),
            arm,
        }
    }

    #[test]
    fn a_contract_carries_the_overhead_only_with_a_host_organisation() {
        let r = Rulebook::pilot_2017();
        let ctx = Context { rulebook: &r, today: NaiveDate::from_ymd_opt(2017, 7, 1).unwrap() };
        let input = GrantContractInput {
            number: "ГК-17/042".into(),
            signed_on: "26.06.2017".into(),
            sum_tenge: "999 999".into(),
        };
        let c = input.validate(&ctx, &subject(Some(Arm::A), true)).unwrap();
        assert_eq!((c.sum_tenge, c.overhead_percent, c.overhead_tenge), (999_999, 15, 150_000));
        assert_eq!(c.check(), Ok(()));
        let own = input.validate(&ctx, &subject(Some(Arm::B), false)).unwrap();
        assert_eq!((own.overhead_percent, own.overhead_tenge), (0, 0));
        let over = GrantContractInput { sum_tenge: "1 000 001".into(), ..input.clone() };
        assert!(over.validate(&ctx, &subject(Some(Arm::A), true)).unwrap_err().has("sum_tenge"));
        assert!(input.validate(&ctx, &subject(Some(Arm::C), true)).unwrap_err().has("application_id"));
        let future = GrantContractInput { signed_on: "02.07.2017".into(), ..input.clone() };
        assert!(future.validate(&ctx, &subject(Some(Arm::A), true)).unwrap_err().has("signed_on"));
        let forged = GrantContract { overhead_tenge: 149_999, ..c.clone() };
        assert!(forged.check().is_err());
        let no_host = GrantContract { host_org_id: None, ..c };
        assert!(no_host.check().is_err());
    }

    #[test]
    fn scholarships_run_for_the_programmes_six_months_from_july() {
        let r = Rulebook::pilot_2017();
        assert_eq!(r.money.scholarship_first_month, Some(7));
        assert_eq!(
            scholarship_months(&r),
            ["2017-07", "2017-08", "2017-09", "2017-10", "2017-11", "2017-12"].map(String::from)
        );
        assert_eq!(scholarship_month(&r, "07.2017"), Ok("2017-07".to_owned()));
        assert_eq!(scholarship_month(&r, "2018-01").unwrap_err().key, "error-not-scholarship-month");
        assert_eq!(scholarship_month(&r, "2017-06").unwrap_err().key, "error-not-scholarship-month");
        // Rulebook 2017-pilot.3 ran them for the six months ending with phase II.
        let three = Rulebook::built_in("2017-pilot.3").unwrap();
        assert_eq!(scholarship_months(&three).first().map(String::as_str), Some("2017-06"));
        assert_eq!(scholarship_months(&three).last().map(String::as_str), Some("2017-11"));
        assert_eq!(scholarship_month(&r, "July").unwrap_err().key, "error-month-format");
        assert_ne!(scholarship_id(Uuid::nil(), "2017-07"), scholarship_id(Uuid::nil(), "2017-08"));
    }
}
