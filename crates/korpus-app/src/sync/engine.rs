//! One sync of a desk with HQ: push the outbox in bounded batches until every envelope has a
//! receipt, then pull pages until the cursor reaches HQ's head. Every batch's receipts and every
//! page commit locally as they arrive, so a sync cut anywhere resumes where it stopped, and a
//! batch sent twice is applied once (HQ answers `duplicate`).

use super::client::{Client, ClientError, RetryPolicy, with_retry};
use crate::error::{AppError, Result, SyncError};
use crate::secrets;
use korpus_domain::ValidationErrors;
use korpus_domain::validation::FieldError;
use korpus_store::{IncomingChange, IncomingRow, ReceiptRecord, Store, SyncCase, SyncEnrolment};
use korpus_sync::file::{self, ExportPayload};
use korpus_sync::protocol::{
    BlockRequest, Case, EnrolRequest, OwnChanges, PulledChange, PushRequest, Receipt, ReceiptStatus,
    ReplayRequest, RowState, SealedEnvelope, codes,
};
use serde::Serialize;
use std::time::Duration;

fn incomplete(what: String) -> AppError {
    SyncError::Incomplete(what).into()
}

/// Limits of one sync.
#[derive(Debug, Clone, Copy)]
pub struct SyncOptions {
    /// Most envelopes in one push.
    pub batch_envelopes: usize,
    /// Most bytes of one push's JSON before compression.
    pub batch_bytes: usize,
    /// Most changes in one pull page.
    pub page_size: usize,
    /// Size of the chunks scanned files travel in.
    pub chunk_bytes: usize,
    /// Retries.
    pub retry: RetryPolicy,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            batch_envelopes: 500,
            batch_bytes: 1024 * 1024,
            page_size: 500,
            chunk_bytes: 256 * 1024,
            retry: RetryPolicy::default(),
        }
    }
}

/// Where a sync is, as it goes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// `push` or `pull`.
    pub phase: &'static str,
    /// Envelopes answered so far in this sync.
    pub pushed: u64,
    /// Envelopes that were waiting when the sync began.
    pub to_push: u64,
    /// Changes pulled so far.
    pub pulled: u64,
    /// HQ's head as last seen, and the cursor.
    pub head: i64,
    /// The cursor.
    pub cursor: i64,
    /// Compressed bytes sent.
    pub bytes_up: u64,
    /// Compressed bytes received.
    pub bytes_down: u64,
    /// Retries so far.
    pub retries: u32,
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The progress at the end.
    pub progress: Progress,
    /// Receipts by status.
    pub applied: u64,
    /// Answered `duplicate` (sent before).
    pub duplicate: u64,
    /// Answered `conflict`.
    pub conflict: u64,
    /// Answered `rejected`.
    pub rejected: u64,
    /// Open cases HQ holds for this desk's regions.
    pub cases: u64,
    /// Scanned files sent whole.
    pub files_up: u64,
    /// Scanned files received whole.
    pub files_down: u64,
    /// Files that could not travel yet (their document is not at HQ, or their desk has not
    /// sent them): the next sync tries again.
    pub files_waiting: u64,
    /// Certificate numbers HQ reserved for this desk in this sync (a block, when few were left).
    pub numbers_reserved: u64,
    /// Pull pages taken again whole: HQ named changes of this desk's own that its database does
    /// not hold (a copy restored from before they were written).
    pub whole_pages: u64,
    /// Envelopes numbered again after HQ's highest: written on a copy restored from before
    /// envelopes HQ holds, under numbers those had.
    pub renumbered: u64,
    /// The rulebooks HQ published that this sync took, or could not read.
    pub rulebooks: crate::rulebooks::Taken,
}

impl Report {
    /// "Sync complete: ..." in `lang`.
    pub fn message(&self, lang: korpus_domain::Lang) -> String {
        let done = korpus_domain::messages::tr(
            lang,
            "sync-done",
            &[
                ("applied", self.applied.to_string()),
                ("duplicate", self.duplicate.to_string()),
                ("conflict", self.conflict.to_string()),
                ("rejected", self.rejected.to_string()),
                ("pulled", self.progress.pulled.to_string()),
                ("cases", self.cases.to_string()),
            ],
        );
        std::iter::once(done).chain(self.rulebooks.lines(lang)).collect::<Vec<_>>().join("\n")
    }
}

/// The state hash of the records on the desk of `store` (`crate::state::state_hash`), and how
/// many records it covers: equal to `korpus-hq state-hash` for the desk's regions once synced.
pub fn desk_state_hash(store: &Store) -> Result<(String, usize)> {
    let rows: Vec<RowState> = store
        .all_rows()?
        .into_iter()
        .map(|r| RowState {
            entity: r.entity,
            id: r.id,
            version: r.version,
            deleted: r.deleted,
            fields: r.fields,
        })
        .collect();
    Ok((korpus_sync::state::state_hash(&rows), rows.len()))
}

/// Checks what a coordinator typed to enrol: every field given, the address a web address.
fn check_enrolment(server_url: &str, code: &str, device_name: &str) -> Result<()> {
    let mut errors = Vec::new();
    for (field, value) in [("server", server_url), ("code", code), ("device_name", device_name)] {
        if value.trim().is_empty() {
            errors.push(FieldError::new(field, "error-required"));
        }
    }
    let url = server_url.trim();
    if !(url.is_empty() || url.starts_with("http://") || url.starts_with("https://")) {
        errors.push(FieldError::new("server", "error-server-url"));
    }
    if errors.is_empty() { Ok(()) } else { Err(ValidationErrors(errors).into()) }
}

/// Enrols the desk of `store` with the HQ at `server_url`, using a one-time `code`: the token
/// and a fresh signing key go to the OS keyring, the rest to the database. Bad input is refused,
/// naming its fields, before anything is kept or sent.
pub async fn enrol(
    store: &mut Store,
    server_url: &str,
    code: &str,
    device_name: &str,
) -> Result<SyncEnrolment> {
    enrol_pinned(store, server_url, code, device_name, None).await
}

/// As [`enrol`], for an HQ whose TLS certificate is its own (not issued by a root the system
/// trusts): `certificate` (PEM, given with the enrolment code) is then the only certificate the
/// desk trusts for HQ, from enrolment on.
pub async fn enrol_pinned(
    store: &mut Store,
    server_url: &str,
    code: &str,
    device_name: &str,
    certificate: Option<&str>,
) -> Result<SyncEnrolment> {
    check_enrolment(server_url, code, device_name)?;
    let certificate = certificate.map(str::trim).filter(|c| !c.is_empty());
    if certificate.is_some_and(|pem| reqwest::Certificate::from_pem(pem.as_bytes()).is_err()) {
        let refusal = FieldError::new("certificate", "error-certificate-pem");
        return Err(ValidationErrors::one(refusal).into());
    }
    let (server_url, code, device_name) = (server_url.trim(), code.trim(), device_name.trim());
    let device = store.device_id();
    let key = secrets::device_signing_key(device)?;
    let client = Client::pinned(server_url, None, certificate)?;
    let answer = client
        .enrol(&EnrolRequest {
            code: code.trim().to_owned(),
            device_id: device,
            device_name: device_name.to_owned(),
            public_key: hex::encode(key.verifying_key().to_bytes()),
        })
        .await?;
    secrets::save_token(device, &answer.token)?;
    let enrolment = SyncEnrolment {
        server_url: server_url.trim().trim_end_matches('/').to_owned(),
        account: answer.account,
        regions: answer.regions,
        all_regions: answer.all_regions,
        hq_public_key: answer.hq_public_key,
        hq_certificate: certificate.map(str::to_owned),
    };
    store.set_enrolment(&enrolment)?;
    Ok(enrolment)
}

/// What replaying a lost desk's backup did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Replayed {
    /// The lost desk.
    pub device: String,
    /// Envelopes its backup held that had not reached HQ when it was made.
    pub envelopes: u64,
    /// Applied now.
    pub applied: u64,
    /// HQ held them already (the lost desk sent them after its backup): not applied twice.
    pub duplicate: u64,
    /// Answered as conflicts: cases to settle on the Sync page.
    pub conflict: u64,
    /// Refused.
    pub rejected: u64,
    /// Scanned files of the backup HQ did not hold, now kept here to send with the next sync.
    pub files: u64,
    /// The lost desk is revoked.
    pub revoked: bool,
    /// Its certificate numbers retired, as `cohort: first..=last`.
    pub retired: Vec<String>,
}

/// The desk that replaces a lost one (same account, enrolled anew) sends what the lost desk's
/// last backup holds and HQ never received: the backup's unsent envelopes, with their own ids and
/// numbers, so what the lost desk did send after its backup is answered as held and nothing is
/// doubled. With `revoke`, once every envelope has its receipt, HQ revokes the lost desk and
/// retires its certificate numbers not used. The rows come to this desk at its next sync, and
/// the backup's scanned files HQ did not hold go up from this desk once their documents are here.
pub async fn replay_backup(
    store: &mut Store,
    backup: &std::path::Path,
    key: &korpus_store::DbKey,
    revoke: bool,
) -> Result<Replayed> {
    let (device, unsent) = korpus_store::backup_unsent(backup, key)?;
    if device == store.device_id() {
        // This desk's own backup: its envelopes go by a sync, not a replay.
        let refusal = korpus_domain::FieldError::new("backup", "error-replay-own-backup");
        return Err(korpus_domain::ValidationErrors::one(refusal).into());
    }
    let client = client_for(store)?;
    let options = SyncOptions::default();
    let mut done =
        Replayed { device: device.to_string(), envelopes: unsent.len() as u64, ..Replayed::default() };
    let sealed: Vec<SealedEnvelope> =
        unsent.into_iter().map(|e| SealedEnvelope { envelope: e.envelope, hash: e.hash }).collect();
    let batches: Vec<&[SealedEnvelope]> = sealed.chunks(options.batch_envelopes).collect();
    // With no envelope left, the revocation still goes, in one empty request.
    let batches = if batches.is_empty() { vec![&sealed[..0]] } else { batches };
    let last = batches.len() - 1;
    for (i, batch) in batches.into_iter().enumerate() {
        let request = ReplayRequest { device, envelopes: batch.to_vec(), revoke: revoke && i == last };
        let response = with_retry(options.retry, || client.replay(&request), |_, _, _: Duration| {}).await?;
        if response.receipts.len() != batch.len()
            || batch.iter().zip(&response.receipts).any(|(s, r)| s.envelope.id != r.id)
        {
            return Err(incomplete(format!(
                "{} envelopes replayed, {} receipts back",
                batch.len(),
                response.receipts.len()
            )));
        }
        for receipt in &response.receipts {
            match receipt.status {
                ReceiptStatus::Applied => done.applied += 1,
                ReceiptStatus::Duplicate => done.duplicate += 1,
                ReceiptStatus::Conflict => done.conflict += 1,
                ReceiptStatus::Rejected => done.rejected += 1,
            }
        }
        done.revoked |= response.revoked;
        done.retired
            .extend(response.retired.iter().map(|b| format!("{}: {}..={}", b.cohort, b.first, b.last)));
    }
    done.files = store.adopt_unsent_files(backup, key)? as u64;
    Ok(done)
}

/// A client for the HQ the desk of `store` is enrolled with.
pub fn client_for(store: &Store) -> Result<Client> {
    let state = store.sync_state()?.ok_or(SyncError::NotEnrolled)?;
    let token = secrets::load_token(store.device_id())?.ok_or(SyncError::NotEnrolled)?;
    Ok(Client::pinned(&state.server_url, Some(token), state.hq_certificate.as_deref())?
        .with_hq_key(state.hq_public_key))
}

/// Syncs `store` with HQ through `client`, telling `progress` after every batch and page.
/// Succeeds only when every envelope has a receipt and the pull reached HQ's head.
pub async fn sync(
    store: &mut Store,
    client: &Client,
    options: &SyncOptions,
    progress: &mut (dyn FnMut(&Progress) + Send),
) -> Result<Report> {
    let mut state = store.sync_state()?.ok_or(SyncError::NotEnrolled)?;
    if state.hq_public_key.is_none() {
        // Enrolled before HQ had a key: take it once from HQ itself, then hold HQ to it.
        let capabilities =
            with_retry(options.retry, || client.capabilities(), |_, _, _: Duration| {}).await?;
        if let Some(key) = capabilities.hq_public_key {
            store.adopt_hq_public_key(&key)?;
            state = store.sync_state()?.ok_or(SyncError::NotEnrolled)?;
        }
    }
    let client = &client.clone().with_hq_key(state.hq_public_key.clone());
    let mut run = Run {
        store,
        client,
        options,
        tell: progress,
        p: Progress {
            phase: "push",
            to_push: state.unsent as u64,
            cursor: state.cursor,
            ..Progress::default()
        },
        report: Report::default(),
    };
    (run.tell)(&run.p);
    run.push_outbox().await?;
    // Scanned files, each once, after the envelopes of the documents that name them.
    run.upload_files().await?;
    // Before the pull: decisions pulled that were made under a new rulebook verify by it.
    run.take_rulebooks().await?;
    run.pull_pages().await?;
    run.download_files().await?;
    run.top_up_numbers().await?;
    run.store.mark_synced()?;
    run.report.progress = run.p;
    Ok(run.report)
}

/// One sync under way: where it stands, told to the caller after each step.
struct Run<'s> {
    store: &'s mut Store,
    client: &'s Client,
    options: &'s SyncOptions,
    tell: &'s mut (dyn FnMut(&Progress) + Send),
    p: Progress,
    report: Report,
}

impl Run<'_> {
    fn retry(&self) -> RetryPolicy {
        self.options.retry
    }

    fn chunk(&self) -> i64 {
        self.options.chunk_bytes.max(1) as i64
    }

    /// Tells the caller where the sync stands, with `retries` more retries.
    fn told(&mut self, retries: u32) {
        self.p.retries += retries;
        (self.tell)(&self.p);
    }

    /// Pushes the outbox in batches bounded in count and bytes until every envelope has a receipt.
    async fn push_outbox(&mut self) -> Result<()> {
        let mut renumberings = 0;
        loop {
            let entries = self.store.unsent(self.options.batch_envelopes.max(1))?;
            if entries.is_empty() {
                return Ok(());
            }
            let mut envelopes = Vec::with_capacity(entries.len());
            let mut size = 0usize;
            for entry in entries {
                let sealed = SealedEnvelope { envelope: entry.envelope, hash: entry.hash };
                let bytes = serde_json::to_vec(&sealed).map(|v| v.len()).unwrap_or(0);
                if !envelopes.is_empty() && size + bytes > self.options.batch_bytes {
                    break;
                }
                size += bytes;
                envelopes.push(sealed);
            }
            let request = PushRequest { envelopes };
            let mut retries = 0;
            let client = self.client;
            let (response, traffic) =
                with_retry(self.retry(), || client.push(&request), |_, _, _: Duration| retries += 1).await?;
            if response.receipts.len() != request.envelopes.len()
                || request.envelopes.iter().zip(&response.receipts).any(|(s, r)| s.envelope.id != r.id)
            {
                return Err(incomplete(format!(
                    "{} envelopes sent, {} receipts back",
                    request.envelopes.len(),
                    response.receipts.len()
                )));
            }
            let records = receipt_records(&response.receipts, &mut self.report);
            self.store.record_receipts(&records)?;
            self.p.pushed += records.len() as u64;
            self.p.bytes_up += traffic.up;
            self.p.bytes_down += traffic.down;
            self.told(retries);
            // Numbers HQ holds already: this database is a copy restored from before some of its
            // envelopes. The refused ones are numbered again after HQ's highest and sent again.
            if response.receipts.iter().any(|r| r.code.as_deref() == Some(codes::SEQ_REUSED)) {
                let Some(highest) = response.device_seq.filter(|_| renumberings < 3) else {
                    return Err(incomplete("HQ refused numbers used before and said no highest".into()));
                };
                renumberings += 1;
                let again = self.store.renumber_reused(highest)? as u64;
                self.report.renumbered += again;
                self.report.rejected -= again.min(self.report.rejected);
                self.p.pushed -= again.min(self.p.pushed);
            }
        }
    }

    /// Sends the scanned files HQ does not hold whole yet, chunk by chunk from where HQ stands.
    async fn upload_files(&mut self) -> Result<()> {
        self.p.phase = "files";
        let client = self.client;
        for (sha256, size) in self.store.blobs_to_upload()? {
            let mut retries = 0;
            let status = match with_retry(
                self.retry(),
                || client.blob_status(&sha256),
                |_, _, _: Duration| retries += 1,
            )
            .await
            {
                Ok(s) => s,
                // No document of HQ names it (its envelope was refused or is still to come): later.
                Err(ClientError::Api { code, .. }) if code == codes::UNKNOWN_BLOB => {
                    self.report.files_waiting += 1;
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let (mut offset, mut present) = (status.received, status.present);
            while !present {
                let bytes = self.store.blob_chunk(&sha256, offset, self.chunk())?;
                if bytes.is_empty() || offset >= size {
                    return Err(incomplete(format!("file {sha256}: HQ holds {offset} of {size} bytes")));
                }
                let sent = bytes.len() as u64;
                match with_retry(
                    self.retry(),
                    || client.upload_chunk(&sha256, offset, bytes.clone()),
                    |_, _, _: Duration| retries += 1,
                )
                .await
                {
                    Ok((s, traffic)) => {
                        (offset, present) = (s.received, s.present);
                        self.p.bytes_up += traffic.up.max(sent);
                        self.p.bytes_down += traffic.down;
                    }
                    // A chunk that arrived although its answer was lost: ask where HQ stands.
                    Err(ClientError::Api { code, .. }) if code == codes::OFFSET_MISMATCH => {
                        let s = with_retry(
                            self.retry(),
                            || client.blob_status(&sha256),
                            |_, _, _: Duration| retries += 1,
                        )
                        .await?;
                        (offset, present) = (s.received, s.present);
                    }
                    Err(e) => return Err(e.into()),
                }
                self.told(std::mem::take(&mut retries));
            }
            self.store.mark_blob_synced(&sha256)?;
            self.report.files_up += 1;
        }
        Ok(())
    }

    /// Pulls pages from the cursor until it reaches HQ's head, each page applied with the cursor.
    async fn pull_pages(&mut self) -> Result<()> {
        self.p.phase = "pull";
        let client = self.client;
        let page_size = self.options.page_size;
        loop {
            let cursor = self.p.cursor;
            let mut retries = 0;
            let pull = |own| client.pull(cursor, page_size, own);
            // This desk's own changes that HQ applied as written come as numbers only, unless the
            // pull reads again what it applied before (a settled conflict sent it back).
            let own = if self.store.replaying()? { OwnChanges::Full } else { OwnChanges::Brief };
            let (mut page, mut traffic) =
                with_retry(self.retry(), || pull(own), |_, _, _: Duration| retries += 1).await?;
            // HQ left out changes of this device's own that this database does not hold (a copy
            // restored from before they were written): the same page again, whole.
            if !self.store.holds_own(&page.own)? {
                let up = traffic.up;
                let down = traffic.down;
                (page, traffic) =
                    with_retry(self.retry(), || pull(OwnChanges::Full), |_, _, _: Duration| retries += 1)
                        .await?;
                traffic.up += up;
                traffic.down += down;
                self.report.whole_pages += 1;
            }
            if page.cursor < cursor || page.cursor > page.head {
                return Err(incomplete(format!("cursor {} after {cursor}, head {}", page.cursor, page.head)));
            }
            let (pulled, cases) = apply_page(self.store, &page.changes, page.cursor, &page.cases)?;
            self.report.cases = cases;
            self.p.pulled += pulled;
            // Where the store put the cursor: back at the start when a conflict turned out settled
            // elsewhere (Store::apply_pull).
            self.p.cursor = self.store.sync_state()?.map_or(page.cursor, |s| s.cursor);
            self.p.head = page.head;
            self.p.bytes_down += traffic.down;
            self.told(retries);
            if self.p.cursor == page.head {
                self.store.finish_replay()?;
                return Ok(());
            }
        }
    }

    /// The rulebooks HQ published since the last sync: taken, or refused by name when written in
    /// a schema this build does not read (the sync completes; the desk works by what it has).
    async fn take_rulebooks(&mut self) -> Result<()> {
        let after = self.store.rulebooks_after()?;
        let client = self.client;
        let mut retries = 0;
        let (published, traffic) =
            with_retry(self.retry(), || client.rulebooks(after), |_, _, _: Duration| retries += 1).await?;
        self.p.bytes_down += traffic.down;
        if published.last < after {
            return Err(incomplete(format!("rulebooks: last {} before {after}", published.last)));
        }
        let (taken, held_up_to) = crate::rulebooks::take_published(self.store, published.rulebooks, after)?;
        self.store.set_rulebooks_after(held_up_to)?;
        self.report.rulebooks = taken;
        self.told(retries);
        Ok(())
    }

    /// Fetches the scanned files the pulled documents name, resuming each where it stopped.
    async fn download_files(&mut self) -> Result<()> {
        self.p.phase = "files";
        let client = self.client;
        let chunk = self.chunk();
        for (sha256, size, staged) in self.store.blobs_to_download()? {
            let mut offset = staged;
            while offset < size {
                let length = chunk.min(size - offset);
                let mut retries = 0;
                let bytes = match with_retry(
                    self.retry(),
                    || client.download_chunk(&sha256, offset, length),
                    |_, _, _: Duration| retries += 1,
                )
                .await
                {
                    Ok(b) if !b.is_empty() => b,
                    Ok(_) => return Err(incomplete(format!("file {sha256}: an empty chunk at {offset}"))),
                    // The desk that has it has not sent it yet: the next sync fetches it.
                    Err(ClientError::Api { code, .. }) if code == codes::UNKNOWN_BLOB => {
                        self.report.files_waiting += 1;
                        break;
                    }
                    Err(e) => return Err(e.into()),
                };
                offset += bytes.len() as i64;
                self.p.bytes_down += bytes.len() as u64;
                if self.store.append_download(&sha256, size, &bytes)? {
                    self.report.files_down += 1;
                }
                self.told(retries);
            }
        }
        Ok(())
    }

    /// Certificate numbers: a new block from HQ when few of the last are left, so the desk can
    /// issue offline until its next sync.
    async fn top_up_numbers(&mut self) -> Result<()> {
        let cohort = self.store.rulebook().cohort;
        if self.store.hq_numbers_left(cohort)? >= NUMBERS_LOW {
            return Ok(());
        }
        let request = BlockRequest { cohort, size: NUMBERS_BLOCK };
        let client = self.client;
        let mut retries = 0;
        // Not a reason to call the sync failed: every envelope has its receipt and the pull is
        // done. Without a new block the desk issues from its own series; the next sync asks again.
        if let Ok(grant) =
            with_retry(self.retry(), || client.reserve_block(&request), |_, _, _: Duration| retries += 1)
                .await
        {
            self.store.add_certificate_block(grant.cohort, grant.first, grant.last)?;
            self.report.numbers_reserved = u64::from(grant.last - grant.first + 1);
        }
        self.p.retries += retries;
        Ok(())
    }
}

/// Below this many certificate numbers of HQ's blocks left, a sync reserves another block.
pub const NUMBERS_LOW: u32 = 20;
/// How many numbers a block a sync reserves holds.
pub const NUMBERS_BLOCK: u32 = 100;

/// HQ's receipts as the store keeps them, counted into `report`.
fn receipt_records(receipts: &[Receipt], report: &mut Report) -> Vec<ReceiptRecord> {
    receipts
        .iter()
        .map(|r| {
            let status = match r.status {
                ReceiptStatus::Applied => {
                    report.applied += 1;
                    "applied"
                }
                ReceiptStatus::Duplicate => {
                    report.duplicate += 1;
                    "duplicate"
                }
                ReceiptStatus::Conflict => {
                    report.conflict += 1;
                    "conflict"
                }
                ReceiptStatus::Rejected => {
                    report.rejected += 1;
                    "rejected"
                }
            };
            ReceiptRecord {
                id: r.id,
                status: status.to_owned(),
                server_seq: r.server_seq,
                code: r.code.clone(),
                message: r.message.clone(),
                put_back: r.rows.iter().map(incoming_row).collect(),
            }
        })
        .collect()
}

/// A row as HQ holds it, as the store takes it.
fn incoming_row(r: &RowState) -> IncomingRow {
    IncomingRow {
        entity: r.entity,
        id: r.id,
        version: r.version,
        deleted: r.deleted,
        fields: r.fields.clone(),
    }
}

/// Applies pulled changes and moves the cursor, in one transaction; returns how many changes
/// and open cases there were.
fn apply_page(
    store: &mut Store,
    changes: &[PulledChange],
    cursor: i64,
    cases: &[Case],
) -> Result<(u64, u64)> {
    let incoming: Vec<IncomingChange> = changes
        .iter()
        .map(|c| IncomingChange {
            server_seq: c.server_seq,
            envelope_id: c.envelope_id,
            device: c.device,
            author: c.author.clone(),
            hlc: c.hlc.clone(),
            rows: c.rows.iter().map(incoming_row).collect(),
        })
        .collect();
    let cases: Vec<SyncCase> = cases
        .iter()
        .map(|c| SyncCase {
            id: c.id,
            kind: c.kind.clone(),
            status: c.status.clone(),
            details: c.details.clone(),
            opened_at: c.opened_at.clone(),
        })
        .collect();
    store.apply_pull(&incoming, cursor, &cases)?;
    Ok((incoming.len() as u64, cases.len() as u64))
}

/// Writes this desk's unanswered envelopes to a signed file for HQ (`korpus-hq import`);
/// returns the file's bytes and how many envelopes it holds. Nothing is marked sent: the answer
/// file, or the next online sync, brings the receipts.
pub fn export_file(store: &Store) -> Result<(Vec<u8>, usize)> {
    let state = store.sync_state()?.ok_or(SyncError::NotEnrolled)?;
    let device = store.device_id();
    let key = secrets::load_signing_key(device)?.ok_or(SyncError::NotEnrolled)?;
    let envelopes: Vec<SealedEnvelope> = store
        .unsent(usize::MAX >> 1)?
        .into_iter()
        .map(|e| SealedEnvelope { envelope: e.envelope, hash: e.hash })
        .collect();
    let count = envelopes.len();
    // Asked for as online: when the desk's numbers from HQ run low.
    let cohort = store.rulebook().cohort;
    let blocks = (store.hq_numbers_left(cohort)? < NUMBERS_LOW)
        .then_some(BlockRequest { cohort, size: NUMBERS_BLOCK });
    let payload = ExportPayload {
        format: file::EXPORT_FORMAT.to_owned(),
        version: file::FILE_VERSION,
        device,
        created_at: store.now().to_rfc3339(),
        cursor: state.cursor,
        envelopes,
        blocks,
    };
    let bytes = file::write_export(&payload, &key).map_err(|e| incomplete(e.to_string()))?;
    Ok((bytes, count))
}

/// Reads HQ's answer file: its receipts and changes are applied as an online sync's would be.
pub fn import_answer(store: &mut Store, bytes: &[u8]) -> Result<Report> {
    let state = store.sync_state()?.ok_or(SyncError::NotEnrolled)?;
    let key = state.hq_public_key.ok_or(SyncError::NoHqKey)?;
    let answer = file::read_answer(bytes, &key).map_err(|e| match e {
        file::FileError::BadHqSignature => SyncError::NotFromHq.into(),
        other => incomplete(other.to_string()),
    })?;
    if answer.device != store.device_id() {
        return Err(incomplete(format!("the answer is for device {}, not this desk", answer.device)));
    }
    let mut report = Report::default();
    let known: Vec<Receipt> =
        answer.receipts.iter().filter(|r| store.outbox_has(r.id).unwrap_or(false)).cloned().collect();
    if known.len() != answer.receipts.len() {
        return Err(incomplete("the answer names envelopes this desk did not write".into()));
    }
    store.record_receipts(&receipt_records(&known, &mut report))?;
    // As online (Run::push_outbox): numbers used before are given again, for the next export.
    if known.iter().any(|r| r.code.as_deref() == Some(codes::SEQ_REUSED))
        && let Some(highest) = answer.device_seq
    {
        let again = store.renumber_reused(highest)? as u64;
        report.renumbered += again;
        report.rejected -= again.min(report.rejected);
    }
    let (pulled, cases) = apply_page(store, &answer.changes, answer.cursor, &answer.cases)?;
    for grant in &answer.blocks {
        store.add_certificate_block(grant.cohort, grant.first, grant.last)?;
        report.numbers_reserved += u64::from(grant.last - grant.first + 1);
    }
    report.cases = cases;
    report.progress.pulled = pulled;
    report.progress.pushed = known.len() as u64;
    // Where the store put the cursor: back at the start when a conflict turned out settled
    // elsewhere, for the next export to ask everything again.
    report.progress.cursor = store.sync_state()?.map_or(answer.cursor, |s| s.cursor);
    report.progress.head = answer.head;
    if report.progress.cursor == answer.head {
        store.finish_replay()?;
    }
    if report.progress.cursor == answer.head && store.sync_state()?.is_some_and(|s| s.unsent == 0) {
        store.mark_synced()?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enrolment_input_is_checked_field_by_field() {
        assert!(check_enrolment("https://hq.korpus.kz", "ABCD-EFGH-JKMN", "Ноутбук").is_ok());
        let Err(AppError::Store(korpus_store::StoreError::Invalid(errors))) =
            check_enrolment("hq.korpus.kz", " ", "")
        else {
            panic!("bad input was taken");
        };
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["code", "device_name", "server"]);
    }
}
