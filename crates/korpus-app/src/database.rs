//! Finding, creating and opening the case database with its key: a key given (a passphrase typed,
//! or `KORPUS_DB_KEY` for scripts and tests), or a random key kept in the OS keyring.

use crate::error::{AppError, Result};
use crate::secrets::KeyStore;
use korpus_store::{Clock, DbKey, Store, StoreError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The environment variable scripts and tests give the key in.
pub const KEY_VARIABLE: &str = "KORPUS_DB_KEY";

/// The desk's identifier: its folder in the OS's application-data folder (Tauri's `identifier`).
pub const DESK_IDENTIFIER: &str = "kz.korpus.desk";

/// The file name of the case database in that folder.
pub const DATABASE_FILE: &str = "korpus.db";

/// Where the desk keeps its database: `korpus.db` in the OS's application-data folder
/// (`~/.local/share/kz.korpus.desk/` on Linux, `%APPDATA%\kz.korpus.desk\` on Windows), so that
/// the command line opens the desk's database when no other is named.
pub fn default_path() -> PathBuf {
    directories::BaseDirs::new()
        .map(|d| d.data_dir().join(DESK_IDENTIFIER).join(DATABASE_FILE))
        .unwrap_or_else(|| PathBuf::from(DATABASE_FILE))
}

/// The key in `KORPUS_DB_KEY`, when set.
pub fn key_from_env() -> Option<DbKey> {
    std::env::var(KEY_VARIABLE).ok().filter(|k| !k.is_empty()).map(|k| DbKey::passphrase(&k))
}

/// Where the key of a database comes from.
pub enum KeySource<'k> {
    /// A key given: a passphrase typed, or `KORPUS_DB_KEY`.
    Given(DbKey),
    /// The key kept for the database's path; a new database gets a random one, kept there.
    Kept(&'k dyn KeyStore),
}

/// Opens the database at `path` with its key; returns the key too (a desk opens second
/// connections with it for long work).
pub fn open(path: &Path, source: KeySource<'_>, clock: Arc<dyn Clock>) -> Result<(Store, DbKey)> {
    if !path.is_file() {
        return Err(StoreError::NoDatabase(path.to_owned()).into());
    }
    let key = match source {
        KeySource::Given(key) => key,
        KeySource::Kept(keys) => keys.load(path)?.ok_or(AppError::NoKey)?,
    };
    Ok((Store::open(path, &key, clock)?, key))
}

/// Creates a database at `path` whose changes are signed `author`. With a kept key, a random key
/// is made and kept first; when the database cannot be made, the key is forgotten again, since a
/// key for a database that was never made would only confuse the next try.
pub fn create(
    path: &Path,
    source: KeySource<'_>,
    author: &str,
    clock: Arc<dyn Clock>,
) -> Result<(Store, DbKey)> {
    if path.exists() {
        return Err(StoreError::DatabaseExists(path.to_owned()).into());
    }
    match source {
        KeySource::Given(key) => Ok((Store::create(path, &key, author, clock)?, key)),
        KeySource::Kept(keys) => {
            let key = DbKey::generate();
            keys.save(path, &key)?;
            match Store::create(path, &key, author, clock) {
                Ok(store) => Ok((store, key)),
                Err(e) => {
                    let _ = keys.delete(path);
                    Err(e.into())
                }
            }
        }
    }
}
