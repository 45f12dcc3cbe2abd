//! Money of the programme (PROGRAMME.md lines 76-81), in whole tenge: the grant contract of a
//! sub-project within the rulebook's maximum, the host organisation's overhead on it, and the
//! social scholarship a beneficiary's education gives.

use crate::lottery::Arm;
use crate::persons::EducationStatus;
use crate::rulebook::Rulebook;
use crate::training::arm_gives_grant;
use crate::validation::{FieldError, format_tenge};

/// The host organisation's overhead on a grant contract sum (P:80): the rulebook's share, rounded
/// to the nearest tenge, halves up (15 % of 999,999 is 149,999.85: 150,000).
pub fn overhead_tenge(rulebook: &Rulebook, contract_sum: i64) -> i64 {
    let percent = i64::from(rulebook.host_org.overhead_percent);
    (contract_sum * percent + 50).div_euclid(100)
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
}
