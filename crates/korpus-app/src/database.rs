//! Finding, creating and opening the case database with its key: a key given (a passphrase typed,
//! or `KORPUS_DB_KEY` for scripts and tests), or a random key kept in the OS keyring.

use crate::error::{AppError, Result};
use crate::secrets::KeyStore;
use korpus_domain::{FieldError, ValidationErrors};
use korpus_store::{Clock, DbKey, RecoveryCode, Store, StoreError};
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
    match source {
        KeySource::Given(key) => Ok((Store::open(path, &key, clock)?, key)),
        KeySource::Kept(keys) => {
            let kept = keys.load(path)?;
            let opened = match &kept {
                Some(key) => Store::open(path, key, clock.clone()).map(|store| (store, key.clone())),
                None => Err(StoreError::WrongKey),
            };
            match opened {
                Err(StoreError::WrongKey) => open_with_pending(path, keys, clock)?.ok_or(if kept.is_some() {
                    StoreError::WrongKey.into()
                } else {
                    AppError::NoKey
                }),
                opened => Ok(opened?),
            }
        }
    }
}

/// The keyring account a new key waits under while the database is encrypted with it
/// ([`new_recovery_code`]): until the key is kept under the database's own account, one of the
/// two opens it, whenever the work stopped.
fn pending(path: &Path) -> PathBuf {
    let mut account = path.as_os_str().to_owned();
    account.push("#new-key");
    PathBuf::from(account)
}

/// Opens the database with the key kept aside for it, when its own does not (the desk stopped
/// between re-encrypting it and keeping the new key), and keeps that key as its own.
fn open_with_pending(
    path: &Path,
    keys: &dyn KeyStore,
    clock: Arc<dyn Clock>,
) -> Result<Option<(Store, DbKey)>> {
    let Some(key) = keys.load(&pending(path))? else { return Ok(None) };
    match Store::open(path, &key, clock) {
        Ok(store) => {
            keys.save(path, &key)?;
            keys.delete(&pending(path))?;
            Ok(Some((store, key)))
        }
        Err(StoreError::WrongKey) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Gives the database a new recovery code: its key is made from the code
/// ([`RecoveryCode::key`]), the database is encrypted with it, and the keyring keeps it. The code
/// is returned to be shown once: it is kept nowhere, and any earlier code no longer opens the
/// database. Only for a database whose key the keyring keeps: a passphrase is its own recovery.
/// The new key is kept aside first, so a desk stopped or failing in the middle still opens
/// ([`open`]).
pub fn new_recovery_code(store: &mut Store, keys: &dyn KeyStore) -> Result<RecoveryCode> {
    let path = store.path().to_owned();
    if keys.load(&path)?.is_none() {
        let refusal = FieldError::new("recovery_code", "error-recovery-needs-keyring");
        return Err(ValidationErrors::one(refusal).into());
    }
    let code = RecoveryCode::generate();
    let key = code.key();
    keys.save(&pending(&path), &key)?;
    // On failure the new key stays aside: the rekey may have gone through before a later step
    // failed, and then only that key opens the database ([`open`] tries it after its own).
    store.rekey_from_recovery_code(&key)?;
    keys.save(&path, &key)?;
    keys.delete(&pending(&path))?;
    Ok(code)
}

/// Opens a database copied from another computer (or restored from a backup) with its recovery
/// code, and keeps its key in this computer's keyring, so it opens as usual from then on.
pub fn open_with_recovery_code(
    path: &Path,
    code: &RecoveryCode,
    keys: &dyn KeyStore,
    clock: Arc<dyn Clock>,
) -> Result<(Store, DbKey)> {
    let key = code.key();
    let store = Store::open(path, &key, clock).map_err(|e| match e {
        StoreError::WrongKey => AppError::from(ValidationErrors::one(FieldError::new(
            "recovery_code",
            "error-recovery-code-wrong",
        ))),
        e => e.into(),
    })?;
    keys.save(path, &key)?;
    Ok((store, key))
}

/// The key that opens the database at `path` as it is kept (`KORPUS_DB_KEY`, or this computer's
/// keyring), without opening it: to verify or restore a backup made with it.
pub fn kept_key(path: &Path, source: &KeySource<'_>) -> Result<DbKey> {
    match source {
        KeySource::Given(key) => Ok(key.clone()),
        KeySource::Kept(keys) => match keys.load(path)? {
            Some(key) => Ok(key),
            None => keys.load(&pending(path))?.ok_or(AppError::NoKey),
        },
    }
}

/// A backup restored in the database's place.
#[derive(Debug)]
pub struct Restored {
    /// The database as the backup held it, open (migrated, if the backup was older).
    pub store: Store,
    /// The backup of the database it replaced, when there was one.
    pub replaced: Option<korpus_store::BackupFile>,
}

/// Restores the backup at `backup`, opened with `backup_key` (the database's key, or one made
/// from its recovery code), as the database at `path`. A database there is opened with its own
/// key first and backed up, and must be open nowhere else; none there (a new laptop) is fine.
/// With a kept key, the keyring keeps the backup's key for `path` afterwards.
pub fn restore_backup(
    path: &Path,
    backup: &Path,
    backup_key: &DbKey,
    current: KeySource<'_>,
    clock: Arc<dyn Clock>,
) -> Result<Restored> {
    let restored = if path.exists() {
        let (store, _) = open(path, current.clone_ref(), clock)?;
        let (store, replaced) = store.replace_with_backup(backup, backup_key)?;
        Restored { store, replaced: Some(replaced) }
    } else {
        Restored { store: korpus_store::restore_backup(backup, backup_key, path, clock)?, replaced: None }
    };
    if let KeySource::Kept(keys) = current {
        keys.save(path, backup_key)?;
    }
    Ok(restored)
}

impl KeySource<'_> {
    /// The same source again: a given key cloned, the same keyring.
    pub fn clone_ref(&self) -> KeySource<'_> {
        match self {
            KeySource::Given(key) => KeySource::Given(key.clone()),
            KeySource::Kept(keys) => KeySource::Kept(*keys),
        }
    }
}

/// A database just made: the store, its key, and the recovery code its key was made from when
/// the keyring keeps it (to be shown once: it is kept nowhere).
#[derive(Debug)]
pub struct Created {
    /// The open database.
    pub store: Store,
    /// Its key.
    pub key: DbKey,
    /// The code that opens it anywhere; none for a passphrase.
    pub recovery: Option<RecoveryCode>,
}

/// Creates a database at `path` whose changes are signed `author`. With a kept key, a recovery
/// code is made, and the key made from it is kept first; when the database cannot be made, the
/// key is forgotten again, since a key for a database that was never made would only confuse the
/// next try.
pub fn create(path: &Path, source: KeySource<'_>, author: &str, clock: Arc<dyn Clock>) -> Result<Created> {
    if path.exists() {
        return Err(StoreError::DatabaseExists(path.to_owned()).into());
    }
    match source {
        KeySource::Given(key) => {
            Ok(Created { store: Store::create(path, &key, author, clock)?, key, recovery: None })
        }
        KeySource::Kept(keys) => {
            let code = RecoveryCode::generate();
            let key = code.key();
            keys.save(path, &key)?;
            let made = Store::create(path, &key, author, clock).and_then(|mut store| {
                store.set_recovery_made()?;
                Ok(store)
            });
            match made {
                Ok(store) => Ok(Created { store, key, recovery: Some(code) }),
                Err(e) => {
                    let _ = keys.delete(path);
                    Err(e.into())
                }
            }
        }
    }
}
