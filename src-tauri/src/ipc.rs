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
