//! The individual identification number (ЖСН / ИИН) of a person, and the check digit that IIN and
//! BIN share (Government Resolution No. 406 of 2007, "Rules for forming the IIN and BIN").

use crate::validation::FieldError;
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The sex a person is registered with; the IIN's seventh digit encodes it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// Male (ер).
    Male,
    /// Female (әйел).
    Female,
}

impl Sex {
    /// The stable code used in the database, the CLI and JSON.
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }

    /// Reads a code as typed by a user (`male`/`m`/`ер`/`м`, `female`/`f`/`әйел`/`ж`).
    pub fn parse(field: &'static str, value: &str) -> Result<Sex, FieldError> {
        match value.trim().to_lowercase().as_str() {
            "male" | "m" | "ер" | "м" | "муж" | "мужской" => Ok(Sex::Male),
            "female" | "f" | "әйел" | "ә" | "ж" | "жен" | "женский" => Ok(Sex::Female),
            _ => Err(FieldError::unknown_value(field, value, &["male", "female"])),
        }
    }

    /// The message key of this value's name.
    pub fn message_key(self) -> &'static str {
        match self {
            Sex::Male => "sex-male",
            Sex::Female => "sex-female",
        }
    }
}

/// The check digit of the first eleven digits of an IIN or BIN, or `None` when both passes give
/// 10: such numbers are never issued.
pub(crate) fn check_digit(digits: &[u8; 12]) -> Option<u8> {
    let pass = |first_weight: u32| -> u32 {
        (0..11u32).map(|i| u32::from(digits[i as usize]) * ((first_weight + i - 1) % 11 + 1)).sum::<u32>()
            % 11
    };
    let first = pass(1);
    let sum = if first == 10 { pass(3) } else { first };
    (sum != 10).then_some(sum as u8)
}

/// Twelve ASCII digits, or the field error saying what is wrong with the length or characters.
pub(crate) fn twelve_digits(field: &'static str, value: &str) -> Result<[u8; 12], FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, "error-required"));
    }
    if !value.chars().all(|c| c.is_ascii_digit()) {
        return Err(FieldError::new(field, "error-id-digits"));
    }
    let bytes = value.as_bytes();
    if bytes.len() != 12 {
        return Err(FieldError::new(field, "error-id-length").arg("count", bytes.len()));
    }
    let mut digits = [0u8; 12];
    for (d, b) in digits.iter_mut().zip(bytes) {
        *d = b - b'0';
    }
    Ok(digits)
}

/// A valid IIN: twelve digits whose birth date, century-and-sex digit and check digit all hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Iin([u8; 12]);

impl Iin {
    /// Checks `value` as an IIN, reporting the first rule it breaks under the field name `field`.
    pub fn parse(field: &'static str, value: &str) -> Result<Iin, FieldError> {
        let d = twelve_digits(field, value)?;
        let century = match d[6] {
            1 | 2 => 1800,
            3 | 4 => 1900,
            5 | 6 => 2000,
            other => {
                return Err(FieldError::new(field, "error-iin-century").arg("digit", other));
            }
        };
        let two = |i: usize| u32::from(d[i]) * 10 + u32::from(d[i + 1]);
        let year = century + two(0) as i32;
        if NaiveDate::from_ymd_opt(year, two(2), two(4)).is_none() {
            return Err(FieldError::new(field, "error-iin-date").arg("digits", &value.trim()[..6]));
        }
        if check_digit(&d) != Some(d[11]) {
            return Err(FieldError::new(field, "error-check-digit"));
        }
        Ok(Iin(d))
    }

    /// The birth date encoded in the first six digits and the century digit.
    pub fn birth_date(&self) -> NaiveDate {
        let d = &self.0;
        let century = match d[6] {
            1 | 2 => 1800,
            3 | 4 => 1900,
            _ => 2000,
        };
        let two = |i: usize| u32::from(d[i]) * 10 + u32::from(d[i + 1]);
        // `parse` has proven the date real; the fallback is never taken.
        NaiveDate::from_ymd_opt(century + two(0) as i32, two(2), two(4)).unwrap_or_default()
    }

    /// The sex encoded in the seventh digit: odd is male, even is female.
    pub fn sex(&self) -> Sex {
        if self.0[6] % 2 == 1 { Sex::Male } else { Sex::Female }
    }

    /// Builds a valid IIN from a birth date, sex and a four-digit serial; `None` when that serial
    /// has no check digit (both passes give 10) or the year is outside 1800-2099. Used by the
    /// synthetic demo data and tests.
    pub fn compose(birth_date: NaiveDate, sex: Sex, serial: u16) -> Option<Iin> {
        use chrono::Datelike;
        let year = birth_date.year();
        let century_digit = match (year / 100, sex) {
            (18, Sex::Male) => 1,
            (18, Sex::Female) => 2,
            (19, Sex::Male) => 3,
            (19, Sex::Female) => 4,
            (20, Sex::Male) => 5,
            (20, Sex::Female) => 6,
            _ => return None,
        };
        if serial > 9999 {
            return None;
        }
        let text = format!(
            "{:02}{:02}{:02}{}{:04}0",
            year % 100,
            birth_date.month(),
            birth_date.day(),
            century_digit,
            serial
        );
        let mut digits = [0u8; 12];
        for (d, b) in digits.iter_mut().zip(text.bytes()) {
            *d = b - b'0';
        }
        digits[11] = check_digit(&digits)?;
        Some(Iin(digits))
    }
}

impl fmt::Display for Iin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.0 {
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl Serialize for Iin {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Iin {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Iin::parse("iin", &text).map_err(|e| serde::de::Error::custom(e.key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn valid_iin_yields_birth_date_and_sex() {
        // 1 Jan 1990, male born in the 20th century (digit 3), serial 0123.
        let iin = Iin::compose(date(1990, 1, 1), Sex::Male, 123).unwrap();
        let parsed = Iin::parse("iin", &iin.to_string()).unwrap();
        assert_eq!(parsed.birth_date(), date(1990, 1, 1));
        assert_eq!(parsed.sex(), Sex::Male);
        assert!(iin.to_string().starts_with("9001013"));
    }

    #[test]
    fn century_digits_map_to_centuries_and_sexes() {
        for (year, sex, digit) in [
            (1899, Sex::Male, '1'),
            (1899, Sex::Female, '2'),
            (1999, Sex::Male, '3'),
            (1999, Sex::Female, '4'),
            (2001, Sex::Male, '5'),
            (2001, Sex::Female, '6'),
        ] {
            let iin = (0..100).find_map(|s| Iin::compose(date(year, 12, 31), sex, s)).unwrap();
            assert_eq!(iin.to_string().chars().nth(6), Some(digit));
            let back = Iin::parse("iin", &iin.to_string()).unwrap();
            assert_eq!((back.birth_date(), back.sex()), (date(year, 12, 31), sex));
        }
    }

    #[test]
    fn check_digit_takes_second_pass_when_first_gives_ten() {
        let digits_of = |text: &str| {
            let mut d = [0u8; 12];
            for (x, b) in d.iter_mut().zip(text.bytes()) {
                *x = b - b'0';
            }
            d
        };
        let weighted = |d: &[u8; 12], weights: [u32; 11]| -> u32 {
            weights.iter().zip(d).map(|(w, x)| w * u32::from(*x)).sum::<u32>() % 11
        };
        let first_weights = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
        let second_weights = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
        let mut second_pass_seen = 0;
        for serial in 0..10000u16 {
            let d = digits_of(&format!("900101300{serial:04}0")[1..]);
            let d = {
                let mut full = [0u8; 12];
                full[0] = 9;
                full[1..].copy_from_slice(&d[..11]);
                full
            };
            if weighted(&d, first_weights) == 10 {
                second_pass_seen += 1;
                let second = weighted(&d, second_weights);
                assert_eq!(check_digit(&d), (second != 10).then_some(second as u8));
            } else {
                assert_eq!(check_digit(&d), Some(weighted(&d, first_weights) as u8));
            }
        }
        assert!(second_pass_seen > 0);
    }

    #[test]
    fn wrong_check_digit_fails() {
        let iin = Iin::compose(date(1995, 6, 15), Sex::Female, 42).unwrap().to_string();
        let last = iin.as_bytes()[11] - b'0';
        let wrong = format!("{}{}", &iin[..11], (last + 1) % 10);
        let err = Iin::parse("iin", &wrong).unwrap_err();
        assert_eq!(err.key, "error-check-digit");
    }

    #[test]
    fn eleven_and_thirteen_digits_fail_length() {
        assert_eq!(Iin::parse("iin", "90010130012").unwrap_err().key, "error-id-length");
        assert_eq!(Iin::parse("iin", "9001013001234").unwrap_err().key, "error-id-length");
    }

    #[test]
    fn letters_and_empty_fail() {
        assert_eq!(Iin::parse("iin", "90010130012a").unwrap_err().key, "error-id-digits");
        assert_eq!(Iin::parse("iin", "  ").unwrap_err().key, "error-required");
        assert_eq!(Iin::parse("iin", "９００１０１３００１２３").unwrap_err().key, "error-id-digits");
    }

    #[test]
    fn century_digit_zero_and_seven_fail() {
        for digit in ['0', '7', '9'] {
            let text = format!("900101{digit}00123");
            assert_eq!(Iin::parse("iin", &text).unwrap_err().key, "error-iin-century");
        }
    }

    #[test]
    fn impossible_dates_fail() {
        // 30 February, month 13, and 29 February of a non-leap year.
        for prefix in ["900230", "901301", "890229"] {
            let text = format!("{prefix}300123");
            assert_eq!(Iin::parse("iin", &text).unwrap_err().key, "error-iin-date");
        }
        // 29 February 2000 is real (leap year), in the 2000s with digit 5.
        let leap = Iin::compose(date(2000, 2, 29), Sex::Male, 7).unwrap();
        assert_eq!(Iin::parse("iin", &leap.to_string()).unwrap().birth_date(), date(2000, 2, 29));
    }

    #[test]
    fn serial_without_check_digit_is_not_composed() {
        let none = (0..10000u16).filter(|&s| Iin::compose(date(1990, 1, 1), Sex::Male, s).is_none()).count();
        assert!(none > 0 && none < 2000, "about 1 in 121 serials have no check digit: {none}");
    }
}
