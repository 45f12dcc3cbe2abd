//! Sync by file, for villages with no network at all: the desk writes its pending envelopes to
//! one file signed with its Ed25519 key (`korpus sync export`); HQ verifies and applies it with
//! the same receipts as online (`korpus-hq import`) and writes an answer file with the receipts
//! and the changes after the desk's cursor, which the desk reads back (`korpus sync import`).
//!
//! Both files are zstd-compressed JSON. The export's signature covers the exact bytes of its
//! payload (kept as a string), so no canonical form of JSON is needed to check it.

use crate::protocol::{Case, PulledChange, Receipt, SealedEnvelope};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What the export file's `format` says.
pub const EXPORT_FORMAT: &str = "korpus-sync-export";
/// What the answer file's `format` says.
pub const ANSWER_FORMAT: &str = "korpus-sync-answer";
/// The files' version.
pub const FILE_VERSION: u32 = 1;
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
    /// [`FILE_VERSION`].
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
    let text = serde_json::to_string(payload).map_err(|e| FileError::Unreadable(e.to_string()))?;
    let signature = hex::encode(key.sign(text.as_bytes()).to_bytes());
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
    let bad = || FileError::BadSignature(device);
    let key: [u8; 32] = hex::decode(public_key).ok().and_then(|k| k.try_into().ok()).ok_or_else(bad)?;
    let key = VerifyingKey::from_bytes(&key).map_err(|_| bad())?;
    let signature: [u8; 64] =
        hex::decode(&signed.signature).ok().and_then(|s| s.try_into().ok()).ok_or_else(bad)?;
    key.verify(signed.payload.as_bytes(), &Signature::from_bytes(&signature)).map_err(|_| bad())
}

/// The bytes of an answer file.
pub fn write_answer(answer: &AnswerFile) -> Result<Vec<u8>, FileError> {
    compress(&serde_json::to_vec(answer).map_err(|e| FileError::Unreadable(e.to_string()))?)
}

/// Reads an answer file.
pub fn read_answer(bytes: &[u8]) -> Result<AnswerFile, FileError> {
    let answer: AnswerFile =
        serde_json::from_slice(&decompress(bytes)?).map_err(|e| FileError::Unreadable(e.to_string()))?;
    if answer.format != ANSWER_FORMAT || answer.version != FILE_VERSION {
        return Err(FileError::WrongFormat {
            expected: ANSWER_FORMAT,
            found: format!("{} version {}", answer.format, answer.version),
        });
    }
    Ok(answer)
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
        }
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

    #[test]
    fn other_files_are_refused_clearly() {
        assert!(matches!(read_export(b"not zstd"), Err(FileError::Unreadable(_))));
        let answer = write_answer(&AnswerFile {
            format: ANSWER_FORMAT.into(),
            version: FILE_VERSION,
            device: Uuid::from_u128(1),
            receipts: vec![],
            changes: vec![],
            cursor: 0,
            head: 0,
            cases: vec![],
        })
        .unwrap();
        assert!(matches!(read_export(&answer), Err(FileError::Unreadable(_))));
        assert!(read_answer(&answer).is_ok());
    }
}
