//! The code a certificate's QR carries: the certificate as one line of text, signed with the
//! issuing device's Ed25519 key (the one HQ recorded when the device enrolled):
//!
//! ```text
//! KORPUS1|2017-000501|P|Бөкейханова Әсем Қанатқызы|2017-11-30|2017-12-20|KZ-PAV|0195f3c2…|<signature>
//! ```
//!
//! Anyone who scans the QR reads who holds it and its number; anyone holding the device's public
//! key can tell it was signed by that device, and that not one letter changed since.

use crate::closing::certificate_number::number_origin;
use crate::closing::certification::{Certificate, Holder};
use crate::validation::FieldError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::Serialize;
use uuid::Uuid;

/// The first field of every code, naming its layout.
pub const CODE_TAG: &str = "KORPUS1";

/// Signs `certificate` with the issuing device's key: the signature its record keeps.
pub fn sign(certificate: &Certificate, key: &SigningKey) -> String {
    URL_SAFE_NO_PAD.encode(key.sign(CertificateCode::of(certificate).signed_text().as_bytes()).to_bytes())
}

/// A certificate's code, as its QR carries it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateCode {
    /// The number.
    pub number: String,
    /// A beneficiary or a mentor.
    pub holder: Holder,
    /// The name, as printed.
    pub full_name: String,
    /// The day the programme was completed.
    pub completed_on: NaiveDate,
    /// The day it was issued.
    pub issued_on: NaiveDate,
    /// The holder's region.
    pub region: String,
    /// The device that issued and signed it.
    pub device_id: Uuid,
    /// The signature, base64url.
    pub signature: String,
}

impl CertificateCode {
    /// The code of an issued certificate.
    pub fn of(certificate: &Certificate) -> CertificateCode {
        CertificateCode {
            number: certificate.number.clone(),
            holder: certificate.holder,
            full_name: certificate.full_name.clone(),
            completed_on: certificate.completed_on,
            issued_on: certificate.issued_on,
            region: certificate.region.clone(),
            device_id: certificate.device_id,
            signature: certificate.signature.clone(),
        }
    }

    /// The text the signature covers.
    pub fn signed_text(&self) -> String {
        let holder = match self.holder {
            Holder::Person => "P",
            Holder::Mentor => "M",
        };
        [
            CODE_TAG,
            &self.number,
            holder,
            &self.full_name,
            &self.completed_on.format("%Y-%m-%d").to_string(),
            &self.issued_on.format("%Y-%m-%d").to_string(),
            &self.region,
            &self.device_id.simple().to_string(),
        ]
        .join("|")
    }

    /// The whole code: what the QR holds.
    pub fn text(&self) -> String {
        format!("{}|{}", self.signed_text(), self.signature)
    }

    /// Reads a code as scanned or typed. A name may hold any character, `|` too: the fields
    /// before it and after it are counted from each end.
    pub fn parse(text: &str) -> Result<CertificateCode, FieldError> {
        let not_a_code = || FieldError::new("certificate_code", "error-not-a-certificate-code");
        let text = text.trim();
        let mut head = text.splitn(4, '|');
        let (Some(CODE_TAG), Some(number), Some(holder), Some(rest)) =
            (head.next(), head.next(), head.next(), head.next())
        else {
            return Err(not_a_code());
        };
        let mut tail = rest.rsplitn(6, '|');
        let (Some(signature), Some(device), Some(region), Some(issued), Some(completed), Some(name)) =
            (tail.next(), tail.next(), tail.next(), tail.next(), tail.next(), tail.next())
        else {
            return Err(not_a_code());
        };
        let holder = match holder {
            "P" => Holder::Person,
            "M" => Holder::Mentor,
            _ => return Err(not_a_code()),
        };
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| not_a_code());
        let device_id = Uuid::try_parse(device).ok().filter(|_| device.len() == 32).ok_or_else(not_a_code)?;
        if number_origin(number).is_none() || name.trim().is_empty() || region.is_empty() {
            return Err(not_a_code());
        }
        Ok(CertificateCode {
            number: number.to_owned(),
            holder,
            full_name: name.to_owned(),
            completed_on: date(completed)?,
            issued_on: date(issued)?,
            region: region.to_owned(),
            device_id,
            signature: signature.to_owned(),
        })
    }

    /// Whether the signature is the device's, over exactly these fields.
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), FieldError> {
        let forged = || FieldError::new("certificate_code", "error-certificate-signature");
        let bytes: [u8; 64] = URL_SAFE_NO_PAD
            .decode(&self.signature)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(forged)?;
        key.verify(self.signed_text().as_bytes(), &Signature::from_bytes(&bytes)).map_err(|_| forged())
    }
}

/// Reads a public key as HQ keeps it (64 hex digits).
pub fn verifying_key(hex_key: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = hex::decode(hex_key.trim()).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::closing::certificate_number::{BlockSource, certificate_number};
    use crate::rules::{Outcome, RuleCode, Verdict};

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn certificate(name: &str) -> Certificate {
        let device = Uuid::parse_str("0195f3c2-a1b2-7c8e-9d0a-1b2c3d4e5f60").unwrap_or_default();
        let mut c = Certificate {
            cohort: 2017,
            region: "KZ-PAV".into(),
            holder: Holder::Person,
            holder_id: Uuid::nil(),
            full_name: name.into(),
            arm: None,
            completed_on: NaiveDate::from_ymd_opt(2017, 11, 30).unwrap_or_default(),
            number: certificate_number(2017, BlockSource::Hq, device, 501),
            issued_on: NaiveDate::from_ymd_opt(2017, 12, 20).unwrap_or_default(),
            device_id: device,
            rulebook_version: "2017.1".into(),
            outcomes: vec![Outcome::new(RuleCode::CertGroupDrawn, Verdict::Pass, "rule-group-drawn", vec![])],
            signature: String::new(),
        };
        c.signature = sign(&c, &key(7));
        c
    }

    #[test]
    fn a_code_reads_back_and_verifies_with_the_devices_key_only() {
        let c = certificate("Бөкейханова Әсем Қанатқызы");
        let text = CertificateCode::of(&c).text();
        assert!(
            text.starts_with(
                "KORPUS1|2017-000501|P|Бөкейханова Әсем Қанатқызы|2017-11-30|2017-12-20|KZ-PAV|"
            )
        );
        let code = CertificateCode::parse(&text).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(code, CertificateCode::of(&c));
        assert!(code.verify(&key(7).verifying_key()).is_ok());
        assert_eq!(
            code.verify(&key(8).verifying_key()).map_err(|e| e.key),
            Err("error-certificate-signature")
        );
    }

    #[test]
    fn one_changed_letter_of_the_name_or_a_date_fails() {
        let text = CertificateCode::of(&certificate("Бөкейханова Әсем")).text();
        let public = key(7).verifying_key();
        for edited in [text.replace("Әсем", "Асем"), text.replace("2017-12-20", "2017-12-21")] {
            let code = CertificateCode::parse(&edited).unwrap_or_else(|e| panic!("{e:?}"));
            assert!(code.verify(&public).is_err(), "{edited}");
        }
    }

    #[test]
    fn a_name_with_bars_is_read_whole() {
        let c = certificate("O|Brien | Mary");
        let code =
            CertificateCode::parse(&CertificateCode::of(&c).text()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(code.full_name, "O|Brien | Mary");
        assert!(code.verify(&key(7).verifying_key()).is_ok());
    }

    #[test]
    fn what_is_not_a_code_is_named() {
        for text in ["", "hello", "KORPUS1|2017-000501|X|A|2017-11-30|2017-12-20|KZ|00|sig", "KORPUS2|a|b|c"]
        {
            assert_eq!(
                CertificateCode::parse(text).map_err(|e| (e.field, e.key)),
                Err(("certificate_code", "error-not-a-certificate-code"))
            );
        }
    }
}
