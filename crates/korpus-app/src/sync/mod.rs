//! The desk's side of the sync with HQ: the HTTP client, the sync engine over the local database,
//! enrolment, the offline files, and the figures of the sync panel.

mod auto;
pub mod client;
mod engine;
mod panel;

pub use auto::AutoSync;
pub use client::{Client, ClientError, RetryPolicy, Traffic};
pub use engine::{
    NUMBERS_BLOCK, NUMBERS_LOW, Progress, Replayed, Report, SyncOptions, client_for, desk_state_hash, enrol,
    enrol_pinned, export_file, import_answer, replay_backup, sync,
};
pub use panel::{
    CaseView, ConflictView, HeldView, HostOrgOverLimit, SequenceNote, SyncPanel, panel, resolve,
};
