//! The business identification number (БСН / БИН) of an organisation (Government Resolution
//! No. 406 of 2007): registration year and month, the kind of entity, its attribute, a serial and
//! the check digit shared with the IIN.

use crate::registry::iin::{check_digit, twelve_digits};
use crate::validation::FieldError;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The fifth digit of a BIN: what kind of registrant it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// 4: a legal entity resident in Kazakhstan.
    ResidentLegalEntity,
    /// 5: a non-resident legal entity.
    NonResidentLegalEntity,
    /// 6: individual entrepreneurs in joint business (ИП(С)).
    JointEntrepreneurship,
}

/// The sixth digit of a BIN: which part of the registrant it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityAttribute {
    /// 0: the head organisation.
    HeadOffice,
    /// 1: a branch.
    Branch,
    /// 2: a representative office.
    Representation,
    /// 3: a peasant (farm) enterprise in joint business.
    PeasantFarm,
}

impl EntityKind {
    /// The message key of this kind's name.
    pub fn message_key(self) -> &'static str {
        match self {
            EntityKind::ResidentLegalEntity => "bin-kind-resident",
            EntityKind::NonResidentLegalEntity => "bin-kind-non-resident",
            EntityKind::JointEntrepreneurship => "bin-kind-joint-entrepreneurship",
        }
    }
}

impl EntityAttribute {
    /// The message key of this attribute's name.
    pub fn message_key(self) -> &'static str {
        match self {
            EntityAttribute::HeadOffice => "bin-attribute-head-office",
            EntityAttribute::Branch => "bin-attribute-branch",
            EntityAttribute::Representation => "bin-attribute-representation",
            EntityAttribute::PeasantFarm => "bin-attribute-peasant-farm",
        }
    }
}

/// A valid BIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bin([u8; 12]);

impl Bin {
    /// Checks `value` as a BIN, reporting the first rule it breaks under the field name `field`.
    pub fn parse(field: &'static str, value: &str) -> Result<Bin, FieldError> {
        let d = twelve_digits(field, value)?;
        let month = d[2] * 10 + d[3];
        if !(1..=12).contains(&month) {
            return Err(FieldError::new(field, "error-bin-month").arg("month", format!("{month:02}")));
        }
        if !(4..=6).contains(&d[4]) {
            return Err(FieldError::new(field, "error-bin-kind").arg("digit", d[4]));
        }
        if d[5] > 3 {
            return Err(FieldError::new(field, "error-bin-attribute").arg("digit", d[5]));
        }
        if check_digit(&d) != Some(d[11]) {
            return Err(FieldError::new(field, "error-check-digit"));
        }
        Ok(Bin(d))
    }

    /// The kind of registrant (fifth digit).
    pub fn kind(&self) -> EntityKind {
        match self.0[4] {
            4 => EntityKind::ResidentLegalEntity,
            5 => EntityKind::NonResidentLegalEntity,
            _ => EntityKind::JointEntrepreneurship,
        }
    }

    /// The part of the registrant (sixth digit).
    pub fn attribute(&self) -> EntityAttribute {
        match self.0[5] {
            0 => EntityAttribute::HeadOffice,
            1 => EntityAttribute::Branch,
            2 => EntityAttribute::Representation,
            _ => EntityAttribute::PeasantFarm,
        }
    }

    /// Year (two digits) and month of registration, as encoded in the first four digits.
    pub fn registration_year_month(&self) -> (u8, u8) {
        (self.0[0] * 10 + self.0[1], self.0[2] * 10 + self.0[3])
    }

    /// Builds a valid BIN from its parts; `None` when the serial has no check digit or a part is
    /// out of range. Used by the synthetic demo data and tests.
    pub fn compose(year: u8, month: u8, kind: u8, attribute: u8, serial: u32) -> Option<Bin> {
        if year > 99 || !(1..=12).contains(&month) || !(4..=6).contains(&kind) || attribute > 3 {
            return None;
        }
        if serial > 99_999 {
            return None;
        }
        let text = format!("{year:02}{month:02}{kind}{attribute}{serial:05}0");
        let mut digits = [0u8; 12];
        for (d, b) in digits.iter_mut().zip(text.bytes()) {
            *d = b - b'0';
        }
        digits[11] = check_digit(&digits)?;
        Some(Bin(digits))
    }
}

impl fmt::Display for Bin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.0 {
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl Serialize for Bin {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Bin {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Bin::parse("bin", &text).map_err(|e| serde::de::Error::custom(e.key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some_bin() -> Bin {
        (0..100).find_map(|s| Bin::compose(10, 4, 4, 0, s)).unwrap()
    }

    #[test]
    fn valid_bin_names_its_kind_and_attribute() {
        let bin = Bin::parse("bin", &some_bin().to_string()).unwrap();
        assert_eq!(bin.kind(), EntityKind::ResidentLegalEntity);
        assert_eq!(bin.attribute(), EntityAttribute::HeadOffice);
        assert_eq!(bin.registration_year_month(), (10, 4));
    }

    #[test]
    fn month_zero_and_thirteen_fail_month_one_and_twelve_pass() {
        for (month, ok) in [(0u8, false), (1, true), (12, true), (13, false)] {
            let mut text: Vec<u8> = some_bin().to_string().into_bytes();
            text[2] = b'0' + month / 10;
            text[3] = b'0' + month % 10;
            let mut d = [0u8; 12];
            for (x, b) in d.iter_mut().zip(&text) {
                *x = b - b'0';
            }
            if let Some(c) = check_digit(&d) {
                text[11] = b'0' + c;
            }
            let text = String::from_utf8(text).unwrap();
            let result = Bin::parse("bin", &text);
            if ok {
                assert!(result.is_ok() || result.unwrap_err().key == "error-check-digit");
            } else {
                assert_eq!(result.unwrap_err().key, "error-bin-month");
            }
        }
    }

    #[test]
    fn kind_digits_three_and_seven_fail() {
        let text = some_bin().to_string();
        for digit in ['3', '7'] {
            let bad = format!("{}{}{}", &text[..4], digit, &text[5..]);
            assert_eq!(Bin::parse("bin", &bad).unwrap_err().key, "error-bin-kind");
        }
    }

    #[test]
    fn attribute_digit_four_fails() {
        let text = some_bin().to_string();
        let bad = format!("{}4{}", &text[..5], &text[6..]);
        assert_eq!(Bin::parse("bin", &bad).unwrap_err().key, "error-bin-attribute");
    }

    #[test]
    fn wrong_check_digit_fails() {
        let text = some_bin().to_string();
        let last = text.as_bytes()[11] - b'0';
        let bad = format!("{}{}", &text[..11], (last + 1) % 10);
        assert_eq!(Bin::parse("bin", &bad).unwrap_err().key, "error-check-digit");
    }

    #[test]
    fn every_kind_and_attribute_round_trips() {
        for kind in 4..=6 {
            for attribute in 0..=3 {
                let bin = (0..100).find_map(|s| Bin::compose(17, 12, kind, attribute, s)).unwrap();
                let back = Bin::parse("bin", &bin.to_string()).unwrap();
                assert_eq!(back, bin);
            }
        }
    }
}
