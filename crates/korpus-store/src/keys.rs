//! The database key: made at random when a database is created, kept in the OS keyring (Secret
//! Service, Windows Credential Manager, macOS Keychain), never in a file. Scripts and tests may
//! give a passphrase instead.

use crate::error::{Result, StoreError};
use rand::Rng;
use std::path::Path;

/// The keyring service all Korpus database keys are kept under.
const KEYRING_SERVICE: &str = "kz.korpus.desk";

/// A key that opens a database: a raw 256-bit key, or a passphrase SQLCipher derives one from.
#[derive(Clone, PartialEq, Eq)]
pub struct DbKey(String);

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(..)")
    }
}

impl DbKey {
    /// A passphrase typed by a person or set in `KORPUS_DB_KEY`.
    pub fn passphrase(text: &str) -> DbKey {
        DbKey(text.to_owned())
    }

    /// A fresh random 256-bit key, for a new database.
    pub fn generate() -> DbKey {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        // SQLCipher's raw-key form: used as the key itself, with no slow derivation on every open.
        DbKey(format!("x'{}'", hex::encode(bytes)))
    }

    /// The value of `PRAGMA key`.
    pub(crate) fn pragma_value(&self) -> &str {
        &self.0
    }
}

/// One OS keyring call at a time in this process. A desk makes a handful of calls, so nothing
/// waits; but many at once (tests run devices in parallel threads) each open their own Secret
/// Service session, and gnome-keyring-daemon was seen to drop off the bus under that load, after
/// which every secret was gone for the rest of the session.
pub fn one_keyring_call_at_a_time<T>(call: impl FnOnce() -> T) -> T {
    static KEYRING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = KEYRING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    call()
}

fn entry(database: &Path) -> Result<keyring::Entry> {
    let account = std::path::absolute(database)?.display().to_string();
    keyring::Entry::new(KEYRING_SERVICE, &account).map_err(|e| StoreError::Keyring(e.to_string()))
}

/// Keeps `key` in the OS keyring for the database at `database`.
pub fn save_in_keyring(database: &Path, key: &DbKey) -> Result<()> {
    let entry = entry(database)?;
    one_keyring_call_at_a_time(|| entry.set_password(&key.0)).map_err(|e| StoreError::Keyring(e.to_string()))
}

/// The key kept in the OS keyring for the database at `database`, if any.
pub fn load_from_keyring(database: &Path) -> Result<Option<DbKey>> {
    let entry = entry(database)?;
    match one_keyring_call_at_a_time(|| entry.get_password()) {
        Ok(secret) => Ok(Some(DbKey(secret))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(StoreError::Keyring(e.to_string())),
    }
}

/// Forgets the key of the database at `database` (when the database itself is removed).
pub fn delete_from_keyring(database: &Path) -> Result<()> {
    let entry = entry(database)?;
    match one_keyring_call_at_a_time(|| entry.delete_credential()) {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(StoreError::Keyring(e.to_string())),
    }
}

/// Who signs a session's changes when nobody said: the operating system's user name.
pub fn default_author() -> String {
    ["USER", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "coordinator".to_owned())
}
