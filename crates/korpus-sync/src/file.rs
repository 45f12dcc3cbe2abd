//! Sync by file, for villages with no network at all: the desk writes its pending envelopes to
//! one file signed with its Ed25519 key (`korpus sync export`); HQ verifies and applies it with
//! the same receipts as online (`korpus-hq import`) and writes an answer file with the receipts
//! and the changes after the desk's cursor, which the desk reads back (`korpus sync import`).
//!
//! Both files are zstd-compressed JSON, each signed: the export with the device's key, the answer
//! with HQ's (its public key reaches the desk at enrolment). A signature covers the exact bytes of
//! its payload (kept as a string), so no canonical form of JSON is needed to check it. An answer
//! edited on its way back (receipts marked applied for envelopes HQ never saw) does not verify,
//! and the desk keeps its unsent changes.

use crate::protocol::{BlockRequest, Case, NumberBlockGrant, PulledChange, Receipt, SealedEnvelope};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What the export file's `format` says.
pub const EXPORT_FORMAT: &str = "korpus-sync-export";
/// What the answer file's `format` says.
pub const ANSWER_FORMAT: &str = "korpus-sync-answer";
/// The export file's version.
pub const FILE_VERSION: u32 = 1;
/// The answer file's version: 2 is signed by HQ (1 was not, and is refused).
pub const ANSWER_VERSION: u32 = 2;
/// What a rulebook file's `format` says.
pub const RULEBOOK_FORMAT: &str = "korpus-rulebook";
/// The rulebook file's version (of the file; the rulebook names its own schema).
pub const RULEBOOK_FILE_VERSION: u32 = 1;
/// The HTTP header that carries HQ's signature of an answer's body (pull pages, push receipts).
pub const SIGNATURE_HEADER: &str = "x-korpus-signature";
/// The largest file either side reads (decompressed), so a wrong or hostile file cannot exhaust
/// memory.
pub const MAX_FILE_BYTES: usize = 512 * 1024 * 1024;

/// What a desk sends by file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportPayload {
    /// [`EXPORT_FORMAT`].
    pub format: String,
    /// [`FILE_VERSION`].
    pub version: u32,
    /// The device that wrote it.
    pub device: Uuid,
    /// When (RFC 3339).
    pub created_at: String,
    /// The device's pull cursor: the answer carries the changes after it.
    pub cursor: i64,
    /// The envelopes HQ has not answered yet, in device order.
    pub envelopes: Vec<SealedEnvelope>,
    /// A block of certificate numbers the desk asks for, when it runs low (a desk that syncs only
    /// by file gets its numbers this way).
    #[serde(default)]
    pub blocks: Option<BlockRequest>,
}

/// The export file: the payload's JSON text and its signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedExport {
    /// [`ExportPayload`] as JSON text, exactly as signed.
    pub payload: String,
    /// Ed25519 signature of `payload`'s bytes, hex.
    pub signature: String,
}

/// HQ's answer to an imported file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerFile {
    /// [`ANSWER_FORMAT`].
    pub format: String,
    /// [`ANSWER_VERSION`].
    pub version: u32,
    /// The device it answers.
    pub device: Uuid,
    /// One receipt per envelope of the export, in its order.
    pub receipts: Vec<Receipt>,
    /// The changes after the export's cursor that the device may see, oldest first.
    pub changes: Vec<PulledChange>,
    /// The cursor after them (HQ's head when the answer was written).
    pub cursor: i64,
    /// HQ's head.
    pub head: i64,
    /// Open cases of the device's regions.
    pub cases: Vec<Case>,
    /// The blocks of certificate numbers HQ reserved for the device, as the export asked.
    #[serde(default)]
    pub blocks: Vec<NumberBlockGrant>,
    /// The highest `device_seq` HQ holds of the device ([`crate::protocol::PushResponse`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_seq: Option<i64>,
}

/// A rulebook HQ published, as HQ signs it for a desk with no network (`korpus-hq rulebook
/// export`, `korpus rulebook import`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RulebookFile {
    /// [`RULEBOOK_FORMAT`].
    pub format: String,
    /// [`RULEBOOK_FILE_VERSION`].
    pub version: u32,
    /// The rulebook, as a document: the desk reads it and refuses a schema it does not know.
    pub rulebook: serde_json::Value,
}

impl RulebookFile {
    /// The file of `rulebook`.
    pub fn new(rulebook: serde_json::Value) -> RulebookFile {
        RulebookFile { format: RULEBOOK_FORMAT.to_owned(), version: RULEBOOK_FILE_VERSION, rulebook }
    }
}

/// A file that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FileError {
    /// Not a zstd-compressed Korpus file, or damaged.
    #[error("not a Korpus sync file ({0})")]
    Unreadable(String),
    /// Another kind or version of file.
    #[error("format: expected {expected} version {FILE_VERSION}, found {found}")]
    WrongFormat {
        /// What was expected.
        expected: &'static str,
        /// What the file says.
        found: String,
    },
    /// The signature does not verify with the device's key: the file was changed or forged.
    #[error("signature: the file was not signed by device {0} or was changed since")]
    BadSignature(Uuid),
    /// The answer's signature does not verify with HQ's key: it was changed or forged.
    #[error("signature: the answer was not signed by HQ or was changed since")]
    BadHqSignature,
}

/// `bytes` signed with `key`: the signature, hex.
pub fn sign(key: &SigningKey, bytes: &[u8]) -> String {
    hex::encode(key.sign(bytes).to_bytes())
}

/// Whether `signature` (hex) is `public_key`'s (hex) signature of `bytes`.
pub fn verifies(public_key: &str, bytes: &[u8], signature: &str) -> bool {
    let key: Option<[u8; 32]> = hex::decode(public_key).ok().and_then(|k| k.try_into().ok());
    let Some(key) = key.and_then(|k| VerifyingKey::from_bytes(&k).ok()) else { return false };
    let signature: Option<[u8; 64]> = hex::decode(signature).ok().and_then(|s| s.try_into().ok());
    signature.is_some_and(|s| key.verify(bytes, &Signature::from_bytes(&s)).is_ok())
}

fn compress(json: &[u8]) -> Result<Vec<u8>, FileError> {
    zstd::encode_all(json, 9).map_err(|e| FileError::Unreadable(e.to_string()))
}

fn decompress(bytes: &[u8]) -> Result<Vec<u8>, FileError> {
    use std::io::Read;
    let decoder = zstd::Decoder::new(bytes).map_err(|e| FileError::Unreadable(e.to_string()))?;
    let mut out = Vec::new();
    decoder
        .take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| FileError::Unreadable(e.to_string()))?;
    if out.len() > MAX_FILE_BYTES {
        return Err(FileError::Unreadable(format!("larger than {MAX_FILE_BYTES} bytes")));
    }
    Ok(out)
}

/// The bytes of an export file of `payload`, signed with `key`.
pub fn write_export(payload: &ExportPayload, key: &SigningKey) -> Result<Vec<u8>, FileError> {
    write_signed(payload, key)
}

fn write_signed<T: Serialize>(payload: &T, key: &SigningKey) -> Result<Vec<u8>, FileError> {
    let text = serde_json::to_string(payload).map_err(|e| FileError::Unreadable(e.to_string()))?;
    let signature = sign(key, text.as_bytes());
    let json = serde_json::to_vec(&SignedExport { payload: text, signature })
        .map_err(|e| FileError::Unreadable(e.to_string()))?;
    compress(&json)
}

/// Reads an export file without checking its signature: the device it names says whose key
/// checks it ([`verify_export`]).
pub fn read_export(bytes: &[u8]) -> Result<(SignedExport, ExportPayload), FileError> {
    let signed: SignedExport =
        serde_json::from_slice(&decompress(bytes)?).map_err(|e| FileError::Unreadable(e.to_string()))?;
    let payload: ExportPayload =
        serde_json::from_str(&signed.payload).map_err(|e| FileError::Unreadable(e.to_string()))?;
    if payload.format != EXPORT_FORMAT || payload.version != FILE_VERSION {
        return Err(FileError::WrongFormat {
            expected: EXPORT_FORMAT,
            found: format!("{} version {}", payload.format, payload.version),
        });
    }
    Ok((signed, payload))
}

/// Checks an export's signature with the device's public key (hex).
pub fn verify_export(signed: &SignedExport, device: Uuid, public_key: &str) -> Result<(), FileError> {
    if verifies(public_key, signed.payload.as_bytes(), &signed.signature) {
        Ok(())
    } else {
        Err(FileError::BadSignature(device))
    }
}

/// The bytes of an answer file, signed with HQ's `key`.
pub fn write_answer(answer: &AnswerFile, key: &SigningKey) -> Result<Vec<u8>, FileError> {
    write_signed(answer, key)
}

/// Reads an answer file and checks it with HQ's public key (hex): nothing of an answer that does
/// not verify is used.
pub fn read_answer(bytes: &[u8], hq_public_key: &str) -> Result<AnswerFile, FileError> {
    let value: serde_json::Value =
        serde_json::from_slice(&decompress(bytes)?).map_err(|e| FileError::Unreadable(e.to_string()))?;
    let wrong = |found: String| FileError::WrongFormat { expected: ANSWER_FORMAT, found };
    if value.get("payload").is_none() {
        // An unsigned answer (version 1) names itself at the top.
        let text = |key: &str| {
            value.get(key).map(|v| v.to_string().trim_matches('"').to_owned()).unwrap_or_default()
        };
        return Err(wrong(format!("{} version {}", text("format"), text("version"))));
    }
    let signed: SignedExport =
        serde_json::from_value(value).map_err(|e| FileError::Unreadable(e.to_string()))?;
    if !verifies(hq_public_key, signed.payload.as_bytes(), &signed.signature) {
        return Err(FileError::BadHqSignature);
    }
    let answer: AnswerFile =
        serde_json::from_str(&signed.payload).map_err(|e| FileError::Unreadable(e.to_string()))?;
    if answer.format != ANSWER_FORMAT || answer.version != ANSWER_VERSION {
        return Err(wrong(format!("{} version {}", answer.format, answer.version)));
    }
    Ok(answer)
}

/// The bytes of a rulebook file, signed with HQ's `key`.
pub fn write_rulebook(file: &RulebookFile, key: &SigningKey) -> Result<Vec<u8>, FileError> {
    write_signed(file, key)
}

/// Reads a rulebook file and checks it with HQ's public key (hex): a file changed on its way, or
/// signed by another HQ, is refused whole.
pub fn read_rulebook(bytes: &[u8], hq_public_key: &str) -> Result<RulebookFile, FileError> {
    let signed: SignedExport =
        serde_json::from_slice(&decompress(bytes)?).map_err(|e| FileError::Unreadable(e.to_string()))?;
    let loose: serde_json::Value =
        serde_json::from_str(&signed.payload).map_err(|e| FileError::Unreadable(e.to_string()))?;
    let text =
        |key: &str| loose.get(key).map(|v| v.to_string().trim_matches('"').to_owned()).unwrap_or_default();
    if text("format") != RULEBOOK_FORMAT || text("version") != RULEBOOK_FILE_VERSION.to_string() {
        return Err(FileError::WrongFormat {
            expected: RULEBOOK_FORMAT,
            found: format!("{} version {}", text("format"), text("version")),
        });
    }
    if !verifies(hq_public_key, signed.payload.as_bytes(), &signed.signature) {
        return Err(FileError::BadHqSignature);
    }
    serde_json::from_value(loose).map_err(|e| FileError::Unreadable(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload() -> ExportPayload {
        ExportPayload {
            format: EXPORT_FORMAT.into(),
            version: FILE_VERSION,
            device: Uuid::from_u128(1),
            created_at: "2017-05-02T06:00:00Z".into(),
            cursor: 7,
            envelopes: Vec::new(),
            blocks: None,
        }
    }

    #[test]
    fn a_rulebook_file_reads_back_only_with_the_key_that_signed_it_and_unchanged() {
        let hq = SigningKey::from_bytes(&[3; 32]);
        let public = hex::encode(hq.verifying_key().to_bytes());
        let file = RulebookFile::new(serde_json::json!({"version": "2018-cohort.1", "cohort": 2018}));
        let bytes = write_rulebook(&file, &hq).unwrap();
        assert_eq!(read_rulebook(&bytes, &public).unwrap(), file);
        let other = hex::encode(SigningKey::from_bytes(&[4; 32]).verifying_key().to_bytes());
        assert_eq!(read_rulebook(&bytes, &other), Err(FileError::BadHqSignature));
        // One number changed on its way: the signature no longer covers the payload.
        let mut signed: SignedExport = serde_json::from_slice(&decompress(&bytes).unwrap()).unwrap();
        signed.payload = signed.payload.replace("\"cohort\":2018", "\"cohort\":2019");
        assert!(signed.payload.contains("\"cohort\":2019"));
        let edited = compress(&serde_json::to_vec(&signed).unwrap()).unwrap();
        assert_eq!(read_rulebook(&edited, &public), Err(FileError::BadHqSignature));
        // An export file is not a rulebook file; nor is anything else.
        let export = write_export(&payload(), &hq).unwrap();
        assert!(matches!(read_rulebook(&export, &public), Err(FileError::WrongFormat { .. })));
        assert!(matches!(read_rulebook(b"rulebook", &public), Err(FileError::Unreadable(_))));
    }

    #[test]
    fn a_signed_export_reads_back_and_verifies() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let bytes = write_export(&payload(), &key).unwrap();
        let (signed, read) = read_export(&bytes).unwrap();
        assert_eq!(read, payload());
        let public = hex::encode(key.verifying_key().to_bytes());
        assert_eq!(verify_export(&signed, read.device, &public), Ok(()));
    }

    #[test]
    fn a_changed_payload_or_another_key_fails_verification() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let (mut signed, read) = read_export(&write_export(&payload(), &key).unwrap()).unwrap();
        let public = hex::encode(key.verifying_key().to_bytes());
        let other = hex::encode(SigningKey::from_bytes(&[8; 32]).verifying_key().to_bytes());
        assert_eq!(verify_export(&signed, read.device, &other), Err(FileError::BadSignature(read.device)));
        signed.payload = signed.payload.replace("\"cursor\":7", "\"cursor\":0");
        assert_eq!(verify_export(&signed, read.device, &public), Err(FileError::BadSignature(read.device)));
    }

    fn answer() -> AnswerFile {
        AnswerFile {
            format: ANSWER_FORMAT.into(),
            version: ANSWER_VERSION,
            device: Uuid::from_u128(1),
            receipts: vec![],
            changes: vec![],
            cursor: 0,
            head: 0,
            cases: vec![],
            blocks: vec![],
            device_seq: None,
        }
    }

    #[test]
    fn other_files_are_refused_clearly() {
        let hq = SigningKey::from_bytes(&[9; 32]);
        let public = hex::encode(hq.verifying_key().to_bytes());
        assert!(matches!(read_export(b"not zstd"), Err(FileError::Unreadable(_))));
        let bytes = write_answer(&answer(), &hq).unwrap();
        assert!(matches!(
            read_export(&bytes),
            Err(FileError::WrongFormat { .. }) | Err(FileError::Unreadable(_))
        ));
        assert_eq!(read_answer(&bytes, &public), Ok(answer()));
        // An unsigned answer of version 1 names its version.
        let old = compress(&serde_json::to_vec(&AnswerFile { version: 1, ..answer() }).unwrap()).unwrap();
        let Err(FileError::WrongFormat { found, .. }) = read_answer(&old, &public) else { panic!() };
        assert_eq!(found, "korpus-sync-answer version 1");
    }

    #[test]
    fn an_answer_changed_on_its_way_or_signed_by_another_key_is_refused() {
        let hq = SigningKey::from_bytes(&[9; 32]);
        let public = hex::encode(hq.verifying_key().to_bytes());
        let forger = SigningKey::from_bytes(&[10; 32]);
        assert_eq!(
            read_answer(&write_answer(&answer(), &forger).unwrap(), &public),
            Err(FileError::BadHqSignature)
        );
        let bytes = write_answer(&answer(), &hq).unwrap();
        let mut signed: SignedExport = serde_json::from_slice(&decompress(&bytes).unwrap()).unwrap();
        signed.payload = signed.payload.replace("\"cursor\":0", "\"cursor\":5");
        let edited = compress(&serde_json::to_vec(&signed).unwrap()).unwrap();
        assert_eq!(read_answer(&edited, &public), Err(FileError::BadHqSignature));
        assert!(!verifies(&public, b"x", "zz"));
        assert!(verifies(&public, b"x", &sign(&hq, b"x")));
    }
}
