//! What can go wrong with the case database, as values with stable codes and kk/ru/en messages.

use korpus_domain::messages::tr;
use korpus_domain::rules::{Outcome, Verdict};
use korpus_domain::validation::FieldReport;
use korpus_domain::validation::field_label;
use korpus_domain::{Entity, Lang, ValidationErrors};
use std::path::PathBuf;

/// An error of the case database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Some fields are wrong; nothing was written.
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    /// A rule of the programme refuses the action; nothing was written. Each failed outcome
    /// explains itself in the three languages.
    #[error("refused by {}", .outcomes.iter().filter(|o| o.verdict == Verdict::Fail).map(|o| o.code.code()).collect::<Vec<_>>().join(", "))]
    Refused {
        /// The field of the action the rules concern (`mentor`, `application_id`, `attendee`).
        field: &'static str,
        /// Every rule's outcome, passed ones too.
        outcomes: Vec<Outcome>,
    },
    /// The key does not open the database.
    #[error("the key does not open this database")]
    WrongKey,
    /// The database was written by a newer Korpus.
    #[error("the database has schema {found}, this Korpus knows up to {supported}")]
    NewerDatabase {
        /// The database's schema version.
        found: usize,
        /// The newest schema this build knows.
        supported: usize,
    },
    /// The file opens but holds no Korpus database.
    #[error("not a Korpus database")]
    NotInitialised,
    /// No database at that path.
    #[error("no database at {0}")]
    NoDatabase(PathBuf),
    /// The database is open in another program (the desk, a second command) and the action needs
    /// it alone: nothing was changed.
    #[error("the database is open elsewhere")]
    InUse,
    /// A database already exists where a new one was to be made.
    #[error("a database already exists at {0}")]
    DatabaseExists(PathBuf),
    /// No record matches what was asked for.
    #[error("no {entity} matches {query:?}")]
    NotFound {
        /// What was looked for.
        entity: Entity,
        /// How it was named (id, IIN, BIN).
        query: String,
    },
    /// The record changed since the caller read it.
    #[error("{entity} {id} has version {found}, the change was based on {expected}")]
    Stale {
        /// What kind of record.
        entity: Entity,
        /// Its id.
        id: uuid::Uuid,
        /// Its version now.
        found: i64,
        /// The version the change was based on.
        expected: i64,
    },
    /// A file could not be read or written.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// SQLite failed.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// A migration failed.
    #[error("migration: {0}")]
    Migration(String),
    /// A stored row or envelope does not read back: the database was changed by other means.
    #[error("corrupt record: {0}")]
    Corrupt(String),
}

/// The result of the store's functions.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    /// A stable code for front ends and scripts (`validation`, `wrong_key`, `not_found`...).
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Invalid(_) => "validation",
            StoreError::Refused { .. } => "rule_failed",
            StoreError::WrongKey => "wrong_key",
            StoreError::NewerDatabase { .. } => "newer_database",
            StoreError::NotInitialised => "not_initialised",
            StoreError::NoDatabase(_) => "no_database",
            StoreError::DatabaseExists(_) => "database_exists",
            StoreError::InUse => "database_in_use",
            StoreError::NotFound { .. } => "not_found",
            StoreError::Stale { .. } => "stale_version",
            StoreError::Io(_) => "io",
            StoreError::Sqlite(_) => "database",
            StoreError::Migration(_) => "migration",
            StoreError::Corrupt(_) => "corrupt",
        }
    }

    /// The message for the user, in `lang`; for invalid input, one line per wrong field.
    pub fn message(&self, lang: Lang) -> String {
        let database = || tr(lang, "field-database", &[]);
        match self {
            StoreError::Invalid(errors) => errors.render(lang),
            StoreError::Refused { .. } => {
                self.fields(lang).into_iter().map(|f| f.message).collect::<Vec<_>>().join("\n")
            }
            StoreError::WrongKey => {
                format!("{}: {}", tr(lang, "field-key", &[]), tr(lang, "error-wrong-key", &[]))
            }
            StoreError::NewerDatabase { found, supported } => format!(
                "{}: {}",
                database(),
                tr(
                    lang,
                    "error-newer-database",
                    &[("found", found.to_string()), ("supported", supported.to_string())]
                )
            ),
            StoreError::NotInitialised => {
                format!("{}: {}", database(), tr(lang, "error-not-initialised", &[]))
            }
            StoreError::NoDatabase(path) => {
                format!(
                    "{}: {}",
                    database(),
                    tr(lang, "error-no-database", &[("path", path.display().to_string())])
                )
            }
            StoreError::DatabaseExists(path) => format!(
                "{}: {}",
                database(),
                tr(lang, "error-database-exists", &[("path", path.display().to_string())])
            ),
            StoreError::InUse => format!("{}: {}", database(), tr(lang, "error-database-in-use", &[])),
            StoreError::NotFound { entity, query } => format!(
                "{}: {}",
                tr(lang, entity.message_key(), &[]),
                tr(lang, "error-not-found", &[("value", query.clone())])
            ),
            StoreError::Stale { entity, found, expected, .. } => format!(
                "{}: {}",
                tr(lang, entity.message_key(), &[]),
                tr(
                    lang,
                    "error-stale-version",
                    &[("found", found.to_string()), ("expected", expected.to_string())]
                )
            ),
            StoreError::Io(e) => tr(lang, "error-io", &[("detail", e.to_string())]),
            StoreError::Sqlite(e) => tr(lang, "error-database", &[("detail", e.to_string())]),
            StoreError::Migration(e) | StoreError::Corrupt(e) => {
                tr(lang, "error-database", &[("detail", e.clone())])
            }
        }
    }

    /// The wrong fields, for forms that show each error next to its field.
    pub fn fields(&self, lang: Lang) -> Vec<FieldReport> {
        match self {
            StoreError::Invalid(errors) => errors.0.iter().map(|e| e.report(lang)).collect(),
            StoreError::Refused { field, outcomes } => outcomes
                .iter()
                .filter(|o| o.verdict == Verdict::Fail)
                .map(|o| {
                    let text = format!("{} — {}", o.rule_text(lang), o.text.get(lang));
                    FieldReport {
                        field: (*field).to_owned(),
                        code: o.code.code().to_owned(),
                        message: format!("{}: {text}", field_label(lang, field)),
                        text,
                    }
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}
