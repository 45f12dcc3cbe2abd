//! What a desk's use case can fail with, whichever part failed: the database, the sync with HQ,
//! printing, the OS keyring, a verification. One type with a stable code and a kk/ru/en message,
//! and the one mapping to the command line's exit codes and to the window's `{code, message,
//! details}` (DESIGN.md, Errors).

use crate::sync::client::ClientError;
use korpus_domain::lang::Text;
use korpus_domain::messages::tr;
use korpus_domain::validation::FieldReport;
use korpus_domain::{Lang, ValidationErrors};
use korpus_print::PrintError;
use korpus_store::StoreError;
use korpus_sync::protocol::codes as protocol_codes;
use serde::Serialize;
use std::path::PathBuf;

/// Which secret the OS keyring failed to keep or give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secret {
    /// The key of the case database.
    DatabaseKey,
    /// The device's HQ token or signing key.
    Device,
}

/// What went wrong talking to HQ.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// HQ could not be reached, refused, or answered what the protocol does not say.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The desk has not enrolled with HQ.
    #[error("this desk is not enrolled with HQ")]
    NotEnrolled,
    /// HQ's answers (or an answer file) do not account for what was sent.
    #[error("HQ's answer is incomplete: {0}")]
    Incomplete(String),
    /// An answer (a page, receipts, an answer file) does not verify with HQ's key: changed on its
    /// way, or not from HQ. Nothing of it is kept.
    #[error("the answer does not carry HQ's signature")]
    NotFromHq,
    /// An answer file came, but the desk has no HQ key to check it with yet.
    #[error("this desk has no HQ key to check an answer file with")]
    NoHqKey,
}

/// An error of a desk's use case.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The case database: bad input, a rule refused, not found, a wrong key, SQLite.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The sync with HQ.
    #[error(transparent)]
    Sync(#[from] SyncError),
    /// A document could not be made (a broken build: the embedded font, the QR library).
    #[error(transparent)]
    Print(#[from] PrintError),
    /// The OS keyring failed.
    #[error("the OS keyring: {detail}")]
    Keyring {
        /// What was to be kept or read.
        secret: Secret,
        /// The keyring's own words.
        detail: String,
    },
    /// No key was given and none is kept for this database.
    #[error("no database key")]
    NoKey,
    /// The database is not open: the desk waits for a passphrase.
    #[error("the database is locked")]
    Locked,
    /// A lottery drawn again does not give the record: each difference, in kk/ru/en.
    #[error("lottery {lottery} does not verify")]
    LotteryDiffers {
        /// The lottery's id.
        lottery: String,
        /// What differs.
        differences: Vec<Text>,
    },
    /// A task stopped before it answered (a panic in a worker): a defect, never the data's fault.
    #[error("internal: {0}")]
    Internal(String),
    /// A file outside the database (a printed document, a sync file) could not be read or written.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The result of a use case.
pub type Result<T, E = AppError> = std::result::Result<T, E>;

impl From<ClientError> for AppError {
    fn from(e: ClientError) -> Self {
        AppError::Sync(SyncError::Client(e))
    }
}

impl From<ValidationErrors> for AppError {
    fn from(e: ValidationErrors) -> Self {
        AppError::Store(StoreError::Invalid(e))
    }
}

impl AppError {
    /// A file error of `path`.
    pub fn file(path: impl Into<PathBuf>, source: std::io::Error) -> AppError {
        AppError::File { path: path.into(), source }
    }

    /// A stable code to branch on: the store's (`validation`, `wrong_key`, `not_found`...), HQ's
    /// (`SYNC_OFFLINE`, `DEVICE_REVOKED`...), or this layer's (`keyring`, `print`, `locked`...).
    pub fn code(&self) -> &str {
        match self {
            AppError::Store(e) => e.code(),
            AppError::Sync(SyncError::Client(ClientError::Transport(_))) => "SYNC_OFFLINE",
            AppError::Sync(SyncError::Client(ClientError::Api { code, .. })) => code,
            AppError::Sync(SyncError::Client(ClientError::Protocol(_)) | SyncError::Incomplete(_)) => {
                "SYNC_PROTOCOL"
            }
            AppError::Sync(SyncError::NotEnrolled) => "SYNC_NOT_ENROLLED",
            AppError::Sync(SyncError::Client(ClientError::NotFromHq) | SyncError::NotFromHq) => {
                "SYNC_NOT_FROM_HQ"
            }
            AppError::Sync(SyncError::NoHqKey) => "SYNC_NO_HQ_KEY",
            AppError::Sync(SyncError::Client(ClientError::Certificate(_))) => "SYNC_CERTIFICATE",
            AppError::Print(_) => "print",
            AppError::Keyring { .. } => "keyring",
            AppError::NoKey => "no_key",
            AppError::Locked => "locked",
            AppError::LotteryDiffers { .. } => "lottery_differs",
            AppError::File { .. } => "io",
            AppError::Internal(_) => "internal",
        }
    }

    /// What went wrong, for the user, in `lang`; for invalid input, one line per wrong field.
    pub fn message(&self, lang: Lang) -> String {
        let key = || tr(lang, "field-key", &[]);
        match self {
            AppError::Store(e) => e.message(lang),
            AppError::Sync(e) => sync_message(e, lang),
            AppError::Print(e) => tr(lang, "error-print", &[("detail", e.to_string())]),
            AppError::Keyring { secret: Secret::DatabaseKey, detail } => {
                format!("{}: {}", key(), tr(lang, "error-keyring", &[("detail", detail.clone())]))
            }
            AppError::Keyring { secret: Secret::Device, detail } => {
                tr(lang, "sync-error-keyring", &[("detail", detail.clone())])
            }
            AppError::NoKey => format!("{}: {}", key(), tr(lang, "error-no-key", &[])),
            AppError::Locked => tr(lang, "desk-locked", &[]),
            AppError::LotteryDiffers { differences, .. } => {
                let mut lines =
                    vec![tr(lang, "cli-lottery-differs", &[("count", differences.len().to_string())])];
                lines.extend(differences.iter().map(|d| format!("  {}", d.get(lang))));
                lines.join("\n")
            }
            AppError::Internal(detail) => tr(lang, "error-internal", &[("detail", detail.clone())]),
            AppError::File { path, source } => {
                tr(lang, "error-io", &[("detail", format!("{}: {source}", path.display()))])
            }
        }
    }

    /// The wrong fields, for forms that show each error next to its field.
    pub fn fields(&self, lang: Lang) -> Vec<FieldReport> {
        match self {
            AppError::Store(e) => e.fields(lang),
            _ => Vec::new(),
        }
    }

    /// The error as a front end gets it, in `lang`.
    pub fn report(&self, lang: Lang) -> ErrorReport {
        ErrorReport { code: self.code().to_owned(), message: self.message(lang), details: self.fields(lang) }
    }

    /// The command line's exit code: 1 bad input, not found, refused or not verified; 3 the
    /// database, its key or the desk's enrolment; 4 input/output or internal failures; 5 HQ could
    /// not be reached or its answer was not understood (nothing is lost).
    pub fn exit_code(&self) -> u8 {
        match self {
            AppError::Store(e) => match e {
                StoreError::Invalid(_)
                | StoreError::Refused { .. }
                | StoreError::NotFound { .. }
                | StoreError::Stale { .. } => 1,
                StoreError::WrongKey
                | StoreError::NoDatabase(_)
                | StoreError::DatabaseExists(_)
                | StoreError::InUse
                | StoreError::NewerDatabase { .. }
                | StoreError::NotInitialised => 3,
                StoreError::Io(_)
                | StoreError::Sqlite(_)
                | StoreError::Migration(_)
                | StoreError::Corrupt(_) => 4,
            },
            AppError::Sync(SyncError::Client(ClientError::Api { status, .. }))
                if *status == 401 || *status == 403 =>
            {
                3
            }
            AppError::Sync(SyncError::NotEnrolled) => 3,
            AppError::Sync(_) => 5,
            AppError::LotteryDiffers { .. } => 1,
            AppError::Keyring { .. } | AppError::NoKey | AppError::Locked => 3,
            AppError::Print(_) | AppError::File { .. } | AppError::Internal(_) => 4,
        }
    }
}

fn sync_message(e: &SyncError, lang: Lang) -> String {
    let detail = |d: &str| vec![("detail", d.to_owned())];
    match e {
        SyncError::Client(ClientError::Transport(d)) => tr(lang, "sync-error-offline", &detail(d)),
        SyncError::Client(ClientError::Api { code, message, .. }) => match code.as_str() {
            protocol_codes::UNAUTHORISED => tr(lang, "sync-error-unauthorised", &[]),
            protocol_codes::DEVICE_REVOKED => tr(lang, "sync-error-revoked", &[]),
            protocol_codes::ENROL_CODE_INVALID => tr(lang, "sync-error-enrol-code", &[]),
            protocol_codes::DEVICE_ALREADY_ENROLLED => tr(lang, "sync-error-already-enrolled", &[]),
            protocol_codes::NOT_YOUR_DEVICE => tr(lang, "sync-error-not-your-device", &[]),
            _ => tr(lang, "sync-error-refused", &[("code", code.clone()), ("detail", message.clone())]),
        },
        SyncError::Client(ClientError::Protocol(d)) | SyncError::Incomplete(d) => {
            tr(lang, "sync-error-protocol", &detail(d))
        }
        SyncError::NotEnrolled => tr(lang, "sync-error-not-enrolled", &[]),
        SyncError::Client(ClientError::NotFromHq) | SyncError::NotFromHq => {
            tr(lang, "sync-error-not-from-hq", &[])
        }
        SyncError::NoHqKey => tr(lang, "sync-error-no-hq-key", &[]),
        SyncError::Client(ClientError::Certificate(d)) => tr(lang, "sync-error-certificate", &detail(d)),
    }
}

/// An error as a front end gets it: a stable code to branch on, the message in the user's
/// language, and the wrong fields to show next to their inputs.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorReport {
    /// Stable code: `validation`, `not_found`, `stale_version`, `wrong_key`, `locked`...
    pub code: String,
    /// The message in the user's language.
    pub message: String,
    /// One entry per wrong field, for forms.
    pub details: Vec<FieldReport>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use korpus_domain::validation::FieldError;

    #[test]
    fn each_part_that_fails_has_its_code_exit_and_words() {
        let invalid = AppError::from(ValidationErrors::one(FieldError::new("iin", "error-required")));
        assert_eq!((invalid.code(), invalid.exit_code()), ("validation", 1));
        assert_eq!(invalid.report(Lang::En).details[0].field, "iin");

        let offline = AppError::from(ClientError::Transport("connection refused".into()));
        assert_eq!((offline.code(), offline.exit_code()), ("SYNC_OFFLINE", 5));
        assert!(offline.message(Lang::En).contains("Nothing is lost"));
        let revoked = AppError::from(ClientError::Api {
            status: 403,
            code: protocol_codes::DEVICE_REVOKED.into(),
            message: String::new(),
        });
        assert_eq!((revoked.code(), revoked.exit_code()), (protocol_codes::DEVICE_REVOKED, 3));

        let print = AppError::from(PrintError::Font("DejaVuSans".into()));
        assert_eq!((print.code(), print.exit_code()), ("print", 4));
        assert!(print.message(Lang::Kk).contains("DejaVuSans"));

        let keyring = AppError::Keyring { secret: Secret::DatabaseKey, detail: "no Secret Service".into() };
        assert_eq!((keyring.code(), keyring.exit_code()), ("keyring", 3));
        assert!(keyring.message(Lang::Ru).contains("no Secret Service"));

        let differs = AppError::LotteryDiffers {
            lottery: "l1".into(),
            differences: vec![Text {
                kk: "2-топ: A → B".into(),
                ru: "группа 2: A → B".into(),
                en: "group 2: A → B".into(),
            }],
        };
        assert_eq!((differs.code(), differs.exit_code()), ("lottery_differs", 1));
        let message = differs.message(Lang::En);
        assert!(message.contains("1 differences") && message.contains("group 2: A → B"), "{message}");

        let file =
            AppError::file("/nowhere/c.pdf", std::io::Error::from(std::io::ErrorKind::PermissionDenied));
        assert_eq!((file.code(), file.exit_code()), ("io", 4));
        assert!(file.message(Lang::En).contains("/nowhere/c.pdf"));
    }
}
