//! The desk's secrets, kept in the OS keyring only (Secret Service, Windows Credential Manager,
//! macOS Keychain; DESIGN.md, Sync: never in a file or the database): the key of the case
//! database, the device's HQ token, and the Ed25519 key that signs its files and certificates.

use crate::error::{AppError, Result, Secret};
use ed25519_dalek::SigningKey;
use korpus_store::DbKey;
use std::path::Path;
use uuid::Uuid;

/// The keyring service all Korpus database keys are kept under (account: the database's path).
const DATABASE_SERVICE: &str = "kz.korpus.desk";
/// The keyring service of sync secrets (account: the device id and what it is).
const SYNC_SERVICE: &str = "kz.korpus.sync";

/// One OS keyring call at a time in this process, tried again when the keyring service itself
/// failed. A desk makes a handful of calls, so nothing waits; but many at once (tests run devices
/// in parallel threads) each open their own Secret Service session, and gnome-keyring-daemon was
/// seen to drop off the bus under that load. It also aborts now and then when clients come and go
/// quickly (GNOME/gnome-keyring#196), and the session starts it again: a call that met the
/// moment between is tried up to three times more, 100, 300 and 900 ms later. An answer of the
/// keyring itself (no such entry, a bad value) is never tried again.
fn one_call_at_a_time<T>(call: impl Fn() -> keyring::Result<T>) -> keyring::Result<T> {
    static KEYRING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = KEYRING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut delay = std::time::Duration::from_millis(100);
    for _ in 0..3 {
        match call() {
            Err(keyring::Error::PlatformFailure(_) | keyring::Error::NoStorageAccess(_)) => {
                std::thread::sleep(delay);
                delay *= 3;
            }
            answer => return answer,
        }
    }
    call()
}

fn failed(secret: Secret) -> impl Fn(keyring::Error) -> AppError {
    move |e| AppError::Keyring { secret, detail: e.to_string() }
}

fn load(secret: Secret, service: &str, account: &str) -> Result<Option<String>> {
    let entry = keyring::Entry::new(service, account).map_err(failed(secret))?;
    match one_call_at_a_time(|| entry.get_password()) {
        Ok(s) => Ok(Some(s)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(failed(secret)(e)),
    }
}

fn save(secret: Secret, service: &str, account: &str, value: &str) -> Result<()> {
    let entry = keyring::Entry::new(service, account).map_err(failed(secret))?;
    one_call_at_a_time(|| entry.set_password(value)).map_err(failed(secret))
}

fn database_account(database: &Path) -> Result<String> {
    let path = std::path::absolute(database).map_err(|e| AppError::file(database, e))?;
    Ok(path.display().to_string())
}

/// Where database keys are kept: the OS keyring on a desk; a stand-in in the unit tests of the
/// desk's fallback to a passphrase (the real keyring is exercised by the window tests).
pub trait KeyStore: Send + Sync {
    /// The key kept for the database at `path`, if any.
    fn load(&self, path: &Path) -> Result<Option<DbKey>>;
    /// Keeps `key` for the database at `path`.
    fn save(&self, path: &Path, key: &DbKey) -> Result<()>;
    /// Forgets the key of the database at `path`.
    fn delete(&self, path: &Path) -> Result<()>;
}

/// The OS keyring.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsKeyring;

impl KeyStore for OsKeyring {
    fn load(&self, path: &Path) -> Result<Option<DbKey>> {
        Ok(load(Secret::DatabaseKey, DATABASE_SERVICE, &database_account(path)?)?.map(DbKey::from_secret))
    }

    fn save(&self, path: &Path, key: &DbKey) -> Result<()> {
        save(Secret::DatabaseKey, DATABASE_SERVICE, &database_account(path)?, key.secret())
    }

    fn delete(&self, path: &Path) -> Result<()> {
        let secret = Secret::DatabaseKey;
        let entry =
            keyring::Entry::new(DATABASE_SERVICE, &database_account(path)?).map_err(failed(secret))?;
        match one_call_at_a_time(|| entry.delete_credential()) {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(failed(secret)(e)),
        }
    }
}

fn device_account(device: Uuid, what: &str) -> String {
    format!("{device}/{what}")
}

/// Keeps the device's HQ token.
pub fn save_token(device: Uuid, token: &str) -> Result<()> {
    save(Secret::Device, SYNC_SERVICE, &device_account(device, "token"), token)
}

/// The device's HQ token, once enrolled.
pub fn load_token(device: Uuid) -> Result<Option<String>> {
    load(Secret::Device, SYNC_SERVICE, &device_account(device, "token"))
}

/// Keeps the device's signing key.
pub fn save_signing_key(device: Uuid, key: &SigningKey) -> Result<()> {
    save(Secret::Device, SYNC_SERVICE, &device_account(device, "signing-key"), &hex::encode(key.to_bytes()))
}

/// The device's signing key, once made.
pub fn load_signing_key(device: Uuid) -> Result<Option<SigningKey>> {
    let Some(text) = load(Secret::Device, SYNC_SERVICE, &device_account(device, "signing-key"))? else {
        return Ok(None);
    };
    let bytes: [u8; 32] =
        hex::decode(text.trim()).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| AppError::Keyring {
            secret: Secret::Device,
            detail: "the signing key kept there is not 32 bytes of hex".into(),
        })?;
    Ok(Some(SigningKey::from_bytes(&bytes)))
}

/// The device's signing key: the one kept, or a new one made and kept now. It signs the files the
/// device exports and the certificates it issues; HQ learns its public half at enrolment.
pub fn device_signing_key(device: Uuid) -> Result<SigningKey> {
    if let Some(key) = load_signing_key(device)? {
        return Ok(key);
    }
    let mut seed = [0u8; 32];
    rand::Rng::fill_bytes(&mut rand::rng(), &mut seed);
    let key = SigningKey::from_bytes(&seed);
    save_signing_key(device, &key)?;
    Ok(key)
}

/// Who signs a session's changes when nobody said: the operating system's user name.
pub fn default_author() -> String {
    ["USER", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "coordinator".to_owned())
}
