//! Finding, creating and opening the case database: its path, its key (from `KORPUS_DB_KEY` for
//! scripts, otherwise the OS keyring), and the clock.

use korpus_store::{
    DbKey, Result, Store, StoreError, SystemClock, delete_from_keyring, load_from_keyring, save_in_keyring,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The environment variable scripts and tests give the key in.
pub const KEY_VARIABLE: &str = "KORPUS_DB_KEY";

/// The database path: `--db`, else `KORPUS_DB`, else `korpus.db` in the OS's data folder for
/// applications (the one the desk uses too).
pub fn path(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(|| {
        directories::ProjectDirs::from("kz", "Korpus", "Korpus")
            .map(|dirs| dirs.data_dir().join("korpus.db"))
            .unwrap_or_else(|| PathBuf::from("korpus.db"))
    })
}

fn env_key() -> Option<DbKey> {
    std::env::var(KEY_VARIABLE).ok().filter(|k| !k.is_empty()).map(|k| DbKey::passphrase(&k))
}

/// Opens the database at `path` with its key.
pub fn open(path: &Path) -> Result<Store> {
    if !path.is_file() {
        return Err(StoreError::NoDatabase(path.to_owned()));
    }
    let key = match env_key() {
        Some(key) => key,
        None => load_from_keyring(path)?.ok_or(StoreError::NoKey)?,
    };
    Store::open(path, &key, Arc::new(SystemClock))
}

/// Creates a database at `path`. Returns it and whether its key went to the keyring.
pub fn create(path: &Path, author: &str) -> Result<(Store, bool)> {
    if path.exists() {
        return Err(StoreError::DatabaseExists(path.to_owned()));
    }
    if let Some(key) = env_key() {
        return Ok((Store::create(path, &key, author, Arc::new(SystemClock))?, false));
    }
    let key = DbKey::generate();
    save_in_keyring(path, &key)?;
    match Store::create(path, &key, author, Arc::new(SystemClock)) {
        Ok(store) => Ok((store, true)),
        Err(e) => {
            // A key for a database that was never made would only confuse the next `init`.
            let _ = delete_from_keyring(path);
            Err(e)
        }
    }
}
