//! `korpus-hq import`: a desk's signed export file applied exactly as an online push would be,
//! and the answer file written for the desk (receipts, and the changes after its cursor).

use crate::accounts::{self, DeviceAuth};
use crate::error::{HqError, Result};
use crate::pull;
use crate::push::{self, Via};
use deadpool_postgres::Pool;
use korpus_sync::file::{self, ANSWER_FORMAT, ANSWER_VERSION, AnswerFile};
use korpus_sync::protocol::{OwnChanges, PulledChange, Receipt, codes};

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Envelopes in the file.
    pub envelopes: usize,
    /// Receipts by status: applied, duplicate, conflict, rejected.
    pub by_status: [usize; 4],
    /// Changes in the answer.
    pub changes: usize,
}

/// Imports the export file `bytes`; returns the answer file's bytes and a summary. A file that
/// does not verify with its device's key changes nothing.
pub async fn import(
    pool: &Pool,
    key: &ed25519_dalek::SigningKey,
    bytes: &[u8],
) -> Result<(Vec<u8>, ImportSummary)> {
    let refused = |code: &'static str, message: String| HqError::bad(code, message);
    let (signed, payload) = file::read_export(bytes).map_err(|e| refused(codes::MALFORMED, e.to_string()))?;
    let device: DeviceAuth = accounts::device(pool, payload.device).await?;
    file::verify_export(&signed, payload.device, &device.public_key)
        .map_err(|e| refused(codes::BAD_SIGNATURE, e.to_string()))?;
    let mut receipts = Vec::with_capacity(payload.envelopes.len());
    let mut device_seq = None;
    for chunk in payload.envelopes.chunks(crate::server::MAX_PUSH_ENVELOPES) {
        // After a number used before, the rest of the export follows it unapplied (src/push.rs).
        if receipts.iter().any(|r: &Receipt| r.code.as_deref() == Some(codes::SEQ_REUSED)) {
            receipts.extend(chunk.iter().map(|s| push::follows_reused(&s.envelope)));
            continue;
        }
        let (answered, highest) = push::apply(pool, &device, chunk, Via::File).await?;
        receipts.extend(answered);
        device_seq = highest.or(device_seq);
    }
    let mut summary = ImportSummary { envelopes: payload.envelopes.len(), ..ImportSummary::default() };
    for r in &receipts {
        use korpus_sync::protocol::ReceiptStatus::*;
        summary.by_status[match r.status {
            Applied => 0,
            Duplicate => 1,
            Conflict => 2,
            Rejected => 3,
        }] += 1;
    }
    let mut changes: Vec<PulledChange> = Vec::new();
    let mut cursor = payload.cursor.max(0);
    let (head, cases) = loop {
        let page = pull::page(pool, &device, cursor, crate::server::MAX_PULL_PAGE, OwnChanges::Full).await?;
        changes.extend(page.changes);
        cursor = page.cursor;
        if page.cursor == page.head {
            break (page.head, page.cases);
        }
    };
    summary.changes = changes.len();
    // Numbers for a desk that syncs only by file. A refusal (none left) leaves the desk issuing
    // from its own series, as online; the answer is written all the same.
    let mut blocks = Vec::new();
    if let Some(request) = &payload.blocks {
        match crate::certificates::reserve(pool, &device, request).await {
            Ok(grant) => blocks.push(grant),
            Err(e) => tracing::warn!(device = %device.id, "no block of numbers for the answer: {e}"),
        }
    }
    let answer = AnswerFile {
        format: ANSWER_FORMAT.to_owned(),
        version: ANSWER_VERSION,
        device: payload.device,
        receipts,
        changes,
        cursor,
        head,
        cases,
        blocks,
        device_seq,
    };
    let bytes = file::write_answer(&answer, key).map_err(|e| refused(codes::MALFORMED, e.to_string()))?;
    Ok((bytes, summary))
}
