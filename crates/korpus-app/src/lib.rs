//! The use cases of a Korpus desk, called alike by the desk's window (`src-tauri`) and the command
//! line (`korpus-cli`): opening or creating the case database with its key, the OS keyring, the
//! sync with HQ and its HTTP client, printing from the database, certificates, the draw, demo
//! data. Its adapters parse, call one function here, and show the result or the [`AppError`].
//!
//! Arrows: this crate → `korpus-store`, `korpus-sync`, `korpus-print` → `korpus-domain`.

pub mod backups;
pub mod certificates;
pub mod database;
pub mod demo;
mod error;
pub mod printing;
pub mod rulebooks;
pub mod secrets;
pub mod selection;
pub mod sync;

pub use error::{AppError, ErrorReport, Result, Secret, SyncError};
