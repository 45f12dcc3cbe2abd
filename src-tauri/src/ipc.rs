//! What crosses the IPC boundary besides the domain's and the application's own types: the
//! desk's status, pages of lists, the home screen, a sync's progress.

pub use korpus_app::ErrorReport;
use korpus_app::sync::SyncPanel;
use korpus_domain::{Lang, Rulebook};
use korpus_store::{Attention, RegionCounts};
use serde::Serialize;
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter};
use ts_rs::TS;

/// What a command answers: its value, or the error as the window gets it (`{code, message,
/// details}`, from [`korpus_app::AppError::report`]).
pub type Reply<T> = Result<T, ErrorReport>;

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
    /// A recovery code just made (the database created, or a new code asked for), to be shown
    /// until the coordinator says it is written down; then none.
    pub recovery_code: Option<String>,
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

/// How far long work has come (`print-progress`: documents made; `screening-progress`: subjects
/// screened).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct WorkProgress {
    /// Done so far.
    #[ts(type = "number")]
    pub done: usize,
    /// To do in all.
    #[ts(type = "number")]
    pub total: usize,
}

/// Tells the window, as `event`, how far long work has come ([`WorkProgress`]), at [`Pace`].
pub fn progress_to(app: AppHandle, event: &'static str) -> impl FnMut(usize, usize) {
    let mut pace = Pace::default();
    move |done, total| {
        if pace.due(done, total) {
            let _ = app.emit(event, WorkProgress { done, total });
        }
    }
}

/// When long work tells the window how far it has come: at its first step, then at most every
/// [`Pace::EVERY`], and at its last. Each event is a script the web view runs on its main thread,
/// and a window told more often than it draws only redraws a bar nobody sees move (a bulk print
/// told each of 1,000 certificates, 126 events a second).
#[derive(Debug, Default)]
pub struct Pace {
    last: Option<Instant>,
}

impl Pace {
    /// The least time between two reports.
    pub const EVERY: Duration = Duration::from_millis(100);

    /// Whether `done` of `total` is to be told now.
    pub fn due(&mut self, done: usize, total: usize) -> bool {
        self.due_at(Instant::now(), done, total)
    }

    fn due_at(&mut self, now: Instant, done: usize, total: usize) -> bool {
        let due = done >= total || self.last.is_none_or(|last| now.duration_since(last) >= Pace::EVERY);
        if due {
            self.last = Some(now);
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_told_first_then_at_most_every_tenth_of_a_second_and_last() {
        let mut pace = Pace::default();
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        assert!(pace.due_at(at(0), 1, 1000), "the first step");
        assert!(!pace.due_at(at(99), 2, 1000), "99 ms after the last report");
        assert!(pace.due_at(at(100), 3, 1000), "100 ms after it");
        assert!(!pace.due_at(at(150), 4, 1000));
        assert!(pace.due_at(at(151), 1000, 1000), "the last step, however soon");
    }
}
