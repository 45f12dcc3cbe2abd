//! What crosses the IPC boundary besides the domain's own types: errors as `{code, message,
//! details}`, the desk's status, pages of lists, the home screen.

use korpus_domain::validation::FieldReport;
use korpus_domain::{Lang, Rulebook};
use korpus_store::{Attention, RegionCounts, StoreError};
use serde::Serialize;
use ts_rs::TS;

/// An error as the front end gets it: a stable code to branch on, the message in the user's
/// language, and the wrong fields to show next to their inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IpcError {
    /// Stable code: `validation`, `not_found`, `stale_version`, `wrong_key`, `locked`...
    pub code: String,
    /// The message in the user's language.
    pub message: String,
    /// One entry per wrong field, for forms.
    pub details: Vec<FieldReport>,
}

impl IpcError {
    /// The IPC form of a store error, in `lang`.
    pub fn from_store(error: &StoreError, lang: Lang) -> Self {
        IpcError { code: error.code().to_owned(), message: error.message(lang), details: error.fields(lang) }
    }

    /// The database is not open yet: the desk waits for a passphrase.
    pub fn locked(lang: Lang) -> Self {
        IpcError {
            code: "locked".to_owned(),
            message: korpus_domain::messages::tr(lang, "desk-locked", &[]),
            details: Vec::new(),
        }
    }
}

/// Where the desk stands: ready, or waiting for a passphrase (and why).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DeskStatus {
    /// The database is open.
    pub ready: bool,
    /// When waiting: whether the passphrase will create a new database (else it opens one).
    pub creating: bool,
    /// When waiting: why the keyring could not be used, in the user's language.
    pub reason: Option<String>,
    /// The user's language.
    pub lang: Lang,
    /// Where the database file is.
    pub database: String,
}

/// What a list asks for: what the user typed (empty for the plain list), a region, and a page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, TS)]
pub struct ListQuery {
    /// What the user typed; empty lists everything in alphabetical order.
    pub query: String,
    /// Only this region (KATO code), or all.
    pub region: Option<String>,
    /// Records to skip.
    pub offset: usize,
    /// Records to return at most.
    pub limit: usize,
}

/// One page of a list, and how many there are in all (for paging).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Page<T> {
    /// The records of this page.
    pub items: Vec<T>,
    /// How many records match in all; for a search, how many were found.
    #[ts(type = "number")]
    pub total: i64,
}

/// The home screen: counts by region and what needs attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Home {
    /// Records by region.
    pub counts: Vec<RegionCounts>,
    /// What is left to do.
    pub attention: Attention,
}

/// Reference data the forms need: regions, directions, and the numbers of the rulebook.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Reference {
    /// The current cohort's rulebook.
    pub rulebook: Rulebook,
}

/// The sync panel: where the desk stands with HQ, and the cases HQ sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SyncPanel {
    /// Enrolled with an HQ.
    pub enrolled: bool,
    /// HQ's address.
    pub server_url: Option<String>,
    /// The coordinator's login at HQ.
    pub account: Option<String>,
    /// The regions this desk receives.
    pub regions: Vec<String>,
    /// When the last complete sync ended, `DD.MM.YYYY HH:MM` in Kazakhstan's time.
    pub last_sync_at: Option<String>,
    /// Changes HQ has not answered yet.
    #[ts(type = "number")]
    pub unsent: i64,
    /// Changes HQ refused.
    #[ts(type = "number")]
    pub rejected: i64,
    /// Open cases: conflicts to settle, duplicates to look at.
    pub cases: Vec<CaseView>,
}

/// A case HQ sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CaseView {
    /// Its id.
    pub id: String,
    /// `conflict`, `duplicate_iin` or `person_in_two_subprojects`.
    pub kind: String,
    /// When HQ opened it, `DD.MM.YYYY HH:MM` in Kazakhstan's time.
    pub opened_at: String,
    /// For a conflict: each field, with HQ's value and this desk's.
    pub fields: Vec<ConflictView>,
    /// For a duplicate: the ids of the records concerned.
    pub records: Vec<String>,
}

/// One field in conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConflictView {
    /// The kind of record.
    pub entity: String,
    /// Its id.
    pub entity_id: String,
    /// The field.
    pub field: String,
    /// HQ's value, as text.
    pub theirs: String,
    /// This desk's value, as text.
    pub mine: String,
}

/// How far a running sync has come (the `sync-progress` event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SyncProgress {
    /// `push`, `files` or `pull`.
    pub phase: String,
    /// Changes answered so far.
    #[ts(type = "number")]
    pub pushed: u64,
    /// Changes waiting when the sync began.
    #[ts(type = "number")]
    pub to_push: u64,
    /// Changes received.
    #[ts(type = "number")]
    pub pulled: u64,
    /// Where the pull stands, and HQ's head.
    #[ts(type = "number")]
    pub cursor: i64,
    /// HQ's head.
    #[ts(type = "number")]
    pub head: i64,
    /// Bytes sent.
    #[ts(type = "number")]
    pub bytes_up: u64,
    /// Bytes received.
    #[ts(type = "number")]
    pub bytes_down: u64,
    /// Retries after a failed request.
    pub retries: u32,
}

/// A finished sync: what it did, in the user's language, and the panel after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SyncOutcome {
    /// "Sync complete: ...".
    pub message: String,
    /// The figures at the end.
    pub progress: SyncProgress,
    /// The panel after it.
    pub panel: SyncPanel,
}
