//! Supporting documents: vulnerability proofs of persons, the certificates mentors must bring, the
//! competition documents of host organisations; each with an optional scanned file.

use crate::registry::document_kinds::{DocumentKind, DocumentOwner};
use crate::rulebook::Context;
use crate::validation::{Checker, FieldError, ValidationErrors, optional_short, parse_date, past_date};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A document on record. The scanned file, if any, is kept by the store under its SHA-256.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportingDocument {
    /// Whose document it is.
    pub owner: DocumentOwner,
    /// The owner's id.
    pub owner_id: Uuid,
    /// What it proves.
    pub kind: DocumentKind,
    /// When it was issued.
    pub issue_date: NaiveDate,
    /// A note (issuer, number).
    pub note: Option<String>,
    /// SHA-256 of the scanned file, lowercase hex.
    pub file_sha256: Option<String>,
    /// The scanned file's name as it came.
    pub file_name: Option<String>,
    /// Its size in bytes.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub file_size: Option<i64>,
    /// Region (KATO code) of the owner.
    pub region: String,
}

/// A document as typed; the owner is resolved by the caller, the file checked by `scanned_file`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DocumentInput {
    /// Kind code.
    pub kind: String,
    /// Issue date, as typed.
    pub issue_date: String,
    /// Note.
    pub note: Option<String>,
}

/// The largest scanned file the desk keeps: a phone photo or a multi-page PDF scan fits.
pub const SCAN_MAX_BYTES: usize = 20 * 1024 * 1024;
/// File types a scan may have, by extension.
pub const SCAN_EXTENSIONS: [&str; 6] = ["pdf", "jpg", "jpeg", "png", "tif", "tiff"];

impl DocumentInput {
    /// Checks the fields for a document of `owner`; the caller adds owner id, region and file.
    pub fn validate(
        &self,
        owner: DocumentOwner,
        ctx: &Context<'_>,
    ) -> Result<(DocumentKind, NaiveDate, Option<String>), ValidationErrors> {
        let mut check = Checker::new();
        let kind = check.take(DocumentKind::parse("kind", &self.kind));
        if let Some(kind) = kind
            && !kind.owners().contains(&owner)
        {
            check.push(FieldError::new("kind", "error-document-kind-owner").arg("kind", kind.code()));
        }
        let issue_date = match self.issue_date.trim() {
            "" => check.take(Err(FieldError::new("issue_date", "error-required"))),
            text => {
                check.take(parse_date("issue_date", text).and_then(|d| past_date("issue_date", d, ctx.today)))
            }
        };
        let note = check.take(optional_short("note", &self.note));
        check.finish()?;
        match (kind, issue_date, note) {
            (Some(kind), Some(date), Some(note)) => Ok((kind, date, note)),
            _ => Err(ValidationErrors::one(FieldError::new("kind", "error-required"))),
        }
    }
}

/// Checks a scanned file's name and size before the store keeps it.
pub fn scanned_file(name: &str, size: usize) -> Result<(), FieldError> {
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    if !SCAN_EXTENSIONS.contains(&extension.as_str()) {
        return Err(FieldError::new("file", "error-file-type")
            .arg("name", name)
            .arg("allowed", SCAN_EXTENSIONS.join(", ")));
    }
    if size == 0 {
        return Err(FieldError::new("file", "error-file-empty").arg("name", name));
    }
    if size > SCAN_MAX_BYTES {
        return Err(FieldError::new("file", "error-file-too-large")
            .arg("name", name)
            .arg("max_mb", SCAN_MAX_BYTES / (1024 * 1024)));
    }
    Ok(())
}

/// Checks that a scan's bytes are what its name says: a renamed document or a damaged copy is
/// refused before it is kept, since HQ and the commission would find it unreadable. The type is
/// told by the signature every file of it begins with (PDF `%PDF-`, JPEG `FF D8 FF`, PNG's eight
/// bytes, TIFF `II*\0` or `MM\0*`); a four-line table needs no crate.
pub fn scanned_content(name: &str, bytes: &[u8]) -> Result<(), FieldError> {
    scanned_file(name, bytes.len())?;
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let signatures: &[&[u8]] = match extension.as_str() {
        "pdf" => &[b"%PDF-"],
        "jpg" | "jpeg" => &[&[0xFF, 0xD8, 0xFF]],
        "png" => &[&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]],
        _ => &[b"II*\0", b"MM\0*"],
    };
    if signatures.iter().any(|s| bytes.starts_with(s)) {
        Ok(())
    } else {
        Err(FieldError::new("file", "error-file-content")
            .arg("name", name)
            .arg("type", extension.to_uppercase()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::persons::tests::ctx;
    use crate::rulebook::Rulebook;

    #[test]
    fn mentor_certificate_is_not_a_persons_document() {
        let rb = Rulebook::pilot_2017();
        let i =
            DocumentInput { kind: "no_criminal_record".into(), issue_date: "01.03.2017".into(), note: None };
        assert!(i.validate(DocumentOwner::Mentor, &ctx(&rb)).is_ok());
        let err = i.validate(DocumentOwner::Person, &ctx(&rb)).unwrap_err();
        assert_eq!(err.0[0].key, "error-document-kind-owner");
    }

    #[test]
    fn issue_date_after_today_fails() {
        let rb = Rulebook::pilot_2017();
        let i = DocumentInput { kind: "income".into(), issue_date: "02.05.2017".into(), note: None };
        assert!(i.validate(DocumentOwner::Person, &ctx(&rb)).unwrap_err().has("issue_date"));
    }

    #[test]
    fn scan_limits_hold_at_their_boundaries() {
        assert!(scanned_file("скан.PDF", SCAN_MAX_BYTES).is_ok());
        assert_eq!(scanned_file("scan.pdf", SCAN_MAX_BYTES + 1).unwrap_err().key, "error-file-too-large");
        assert_eq!(scanned_file("scan.pdf", 0).unwrap_err().key, "error-file-empty");
        assert_eq!(scanned_file("scan.exe", 10).unwrap_err().key, "error-file-type");
        assert_eq!(scanned_file("noextension", 10).unwrap_err().key, "error-file-type");
    }

    #[test]
    fn a_scan_is_what_its_name_says() {
        assert!(scanned_content("устав.pdf", b"%PDF-1.7\n...").is_ok());
        assert!(scanned_content("photo.JPG", &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]).is_ok());
        assert!(scanned_content("page.png", b"\x89PNG\r\n\x1a\n....").is_ok());
        assert!(scanned_content("page.tif", b"II*\0....").is_ok());
        let renamed = scanned_content("charter.pdf", b"MZ\x90\0 an executable").unwrap_err();
        assert_eq!((renamed.field, renamed.key), ("file", "error-file-content"));
        assert_eq!(scanned_content("photo.png", &[0xFF, 0xD8, 0xFF]).unwrap_err().key, "error-file-content");
        // One byte short of a PDF's signature.
        assert_eq!(scanned_content("short.pdf", b"%PDF").unwrap_err().key, "error-file-content");
    }
}
