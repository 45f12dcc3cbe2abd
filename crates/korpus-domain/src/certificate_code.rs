//! Certificate numbers and the code a certificate's QR carries.
//!
//! **Numbers** are unique in the whole programme yet made offline. A device draws them from
//! blocks: a block HQ reserved for it (`2017-000501`: HQ hands out each range once), or, before
//! it has one, its own series, named by its whole device id (`2017-L0195F3C2…-0001`), which no
//! other device has. A number is never drawn twice: the device keeps how far each block went.
//!
//! **The code** is the certificate as one line of text, signed with the issuing device's Ed25519
//! key (the one HQ recorded when the device enrolled):
//!
//! ```text
//! KORPUS1|2017-000501|P|Бөкейханова Әсем Қанатқызы|2017-11-30|2017-12-20|KZ-PAV|0195f3c2…|<signature>
//! ```
//!
//! Anyone who scans the QR reads who holds it and its number; anyone holding the device's public
//! key can tell it was signed by that device, and that not one letter changed since.

use crate::certification::{Certificate, Holder};
use crate::validation::FieldError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The first field of every code, naming its layout.
pub const CODE_TAG: &str = "KORPUS1";

/// Most numbers one HQ block may hold, and the width they are written in.
pub const MAX_HQ_NUMBER: u32 = 999_999;

/// Most numbers of a device's own series.
pub const MAX_LOCAL_NUMBER: u32 = 9_999;

/// Where a block of certificate numbers came from.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockSource {
    /// Reserved for this device by HQ.
    Hq,
    /// The device's own series, used before HQ reserved a block for it.
    Local,
}

impl BlockSource {
    /// The code kept in the database.
    pub fn code(self) -> &'static str {
        match self {
            BlockSource::Hq => "hq",
            BlockSource::Local => "local",
        }
    }

    /// Reads a stored code.
    pub fn from_code(code: &str) -> Option<BlockSource> {
        match code {
            "hq" => Some(BlockSource::Hq),
            "local" => Some(BlockSource::Local),
            _ => None,
        }
    }
}

/// Number `n` of a block of `source`, for `cohort`, issued on `device`.
pub fn certificate_number(cohort: i32, source: BlockSource, device: Uuid, n: u32) -> String {
    match source {
        BlockSource::Hq => format!("{cohort}-{n:06}"),
        BlockSource::Local => format!("{cohort}-L{}-{n:04}", device.simple().to_string().to_uppercase()),
    }
}

/// What a number says of where it came from: HQ's range and its place there, or the device
/// whose own series it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberOrigin {
    /// Number `n` of HQ's series of the cohort.
    Hq {
        /// The cohort.
        cohort: i32,
        /// The number within HQ's series.
        n: u32,
    },
    /// Number `n` of `device`'s own series.
    Local {
        /// The cohort.
        cohort: i32,
        /// The device.
        device: Uuid,
        /// The number within its series.
        n: u32,
    },
}

/// Reads a certificate number, or `None` if it is none Korpus makes.
pub fn number_origin(number: &str) -> Option<NumberOrigin> {
    let (cohort, rest) = number.split_once('-')?;
    let cohort: i32 = cohort.parse().ok().filter(|c| (2000..=2100).contains(c))?;
    let digits = |s: &str, width: usize| {
        (s.len() == width && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<u32>().ok()).flatten()
    };
    if let Some(local) = rest.strip_prefix('L') {
        let (device, n) = local.split_once('-')?;
        let device = Uuid::try_parse(device).ok().filter(|_| device.len() == 32)?;
        let n = digits(n, 4).filter(|n| *n >= 1)?;
        return (certificate_number(cohort, BlockSource::Local, device, n) == number)
            .then_some(NumberOrigin::Local { cohort, device, n });
    }
    let n = digits(rest, 6).filter(|n| *n >= 1)?;
    Some(NumberOrigin::Hq { cohort, n })
}

/// Signs `certificate` with the issuing device's key: the signature its record keeps.
pub fn sign(certificate: &Certificate, key: &SigningKey) -> String {
    URL_SAFE_NO_PAD.encode(key.sign(CertificateCode::of(certificate).signed_text().as_bytes()).to_bytes())
}

/// A certificate's code, as its QR carries it.
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

    #[test]
    fn numbers_of_hq_blocks_and_of_a_devices_series_are_told_apart() {
        let device = Uuid::parse_str("0195f3c2-a1b2-7c8e-9d0a-1b2c3d4e5f60").unwrap_or_default();
        assert_eq!(certificate_number(2017, BlockSource::Hq, device, 501), "2017-000501");
        let local = certificate_number(2017, BlockSource::Local, device, 3);
        assert_eq!(local, "2017-L0195F3C2A1B27C8E9D0A1B2C3D4E5F60-0003");
        assert_eq!(number_origin("2017-000501"), Some(NumberOrigin::Hq { cohort: 2017, n: 501 }));
        assert_eq!(number_origin(&local), Some(NumberOrigin::Local { cohort: 2017, device, n: 3 }));
        for bad in ["2017-00501", "2017-000000", "2017-L0195-0001", "17-000501", "2017-0195F3C2-00001"] {
            assert_eq!(number_origin(bad), None, "{bad}");
        }
    }
}
