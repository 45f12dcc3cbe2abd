//! The desk's state: where its database is, the key that opens it, and the user's language.
//!
//! On first start the desk creates an encrypted database in the OS's application-data folder
//! with a random key kept in the OS keyring. When the keyring cannot be used (no Secret Service,
//! a locked or missing entry) the desk says so and waits for a passphrase instead.

use crate::ipc::{DeskStatus, IpcError};
use crate::settings::Settings;
use korpus_domain::messages::tr;
use korpus_domain::validation::FieldError;
use korpus_domain::{Lang, ValidationErrors};
use korpus_store::{
    Clock, DbKey, Result as StoreResult, Store, StoreError, SystemClock, default_author, demo_data,
};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// The desk's clock: the computer's; in a debug build with `KORPUS_CLOCK_FILE` set, the instant
/// written in that file (RFC 3339), read anew each time, so that window tests move the desk's day
/// (a grievance going overdue) without waiting for it. Release builds always use the computer's.
fn clock() -> Arc<dyn Clock> {
    #[cfg(debug_assertions)]
    if let Some(path) = std::env::var_os("KORPUS_CLOCK_FILE") {
        return Arc::new(FileClock(PathBuf::from(path)));
    }
    Arc::new(SystemClock)
}

/// A clock that shows the instant written in a file, or the computer's time when the file cannot
/// be read: the window tests' hand on the desk's clock.
#[cfg(debug_assertions)]
struct FileClock(PathBuf);

#[cfg(debug_assertions)]
impl Clock for FileClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        std::fs::read_to_string(&self.0)
            .ok()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t.trim()).ok())
            .map_or_else(chrono::Utc::now, |t| t.with_timezone(&chrono::Utc))
    }
}

/// Where database keys are kept: the OS keyring in the desk, a stand-in in unit tests of the
/// fallback (the real keyring is exercised by the window tests).
pub trait KeyStore: Send + Sync {
    /// The key kept for the database at `path`, if any.
    fn load(&self, path: &Path) -> StoreResult<Option<DbKey>>;
    /// Keeps `key` for the database at `path`.
    fn save(&self, path: &Path, key: &DbKey) -> StoreResult<()>;
}

/// The OS keyring.
pub struct OsKeyring;

impl KeyStore for OsKeyring {
    fn load(&self, path: &Path) -> StoreResult<Option<DbKey>> {
        korpus_store::load_from_keyring(path)
    }
    fn save(&self, path: &Path, key: &DbKey) -> StoreResult<()> {
        korpus_store::save_in_keyring(path, key)
    }
}

/// Why the desk waits for a passphrase.
#[derive(Debug, Clone)]
struct Waiting {
    /// The passphrase will create the database (else open the existing one).
    creating: bool,
    /// What went wrong with the keyring, in the language of the moment.
    reason: String,
}

struct Inner {
    store: Option<Store>,
    /// The key the store was opened with: sync opens a connection of its own with it, so the
    /// desk stays usable while a sync runs.
    key: Option<DbKey>,
    waiting: Option<Waiting>,
    lang: Lang,
}

/// The desk, shared by all commands.
pub struct Desk {
    database: PathBuf,
    config_dir: PathBuf,
    keys: Box<dyn KeyStore>,
    /// Synthetic persons to add when the desk creates its database (the demo of `scripts/run`).
    demo_persons: Option<usize>,
    inner: Mutex<Inner>,
}

impl Desk {
    /// Starts the desk over the database at `database`: opens it with the key from `keys`, or
    /// creates it, or records why a passphrase is needed.
    pub fn start(
        database: PathBuf,
        config_dir: PathBuf,
        keys: Box<dyn KeyStore>,
        demo_persons: Option<usize>,
    ) -> Desk {
        let lang = Settings::load(&config_dir).lang;
        let desk = Desk {
            database,
            config_dir,
            keys,
            demo_persons,
            inner: Mutex::new(Inner { store: None, key: None, waiting: None, lang }),
        };
        let opened = desk.open_with_keyring(lang);
        let mut inner = desk.lock();
        match opened {
            Ok((store, key)) => {
                inner.store = Some(store);
                inner.key = Some(key);
            }
            Err(waiting) => inner.waiting = Some(waiting),
        }
        drop(inner);
        desk
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A command that panicked cannot leave the store half-written (SQLite rolls back), so
        // the state stays usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn open_with_keyring(&self, lang: Lang) -> Result<(Store, DbKey), Waiting> {
        let waiting = |creating: bool, e: &StoreError| Waiting { creating, reason: e.message(lang) };
        if self.database.exists() {
            return match self.keys.load(&self.database) {
                Ok(Some(key)) => Store::open(&self.database, &key, clock())
                    .map(|s| (s, key))
                    .map_err(|e| waiting(false, &e)),
                Ok(None) => Err(Waiting { creating: false, reason: tr(lang, "desk-no-key-in-keyring", &[]) }),
                Err(e) => Err(waiting(false, &e)),
            };
        }
        let key = DbKey::generate();
        self.keys.save(&self.database, &key).map_err(|e| waiting(true, &e))?;
        self.create(&key).map(|s| (s, key)).map_err(|e| waiting(true, &e))
    }

    fn create(&self, key: &DbKey) -> StoreResult<Store> {
        let mut store = Store::create(&self.database, key, &default_author(), clock())?;
        if let Some(persons) = self.demo_persons {
            demo_data(&mut store, persons, 2017)?;
        }
        Ok(store)
    }

    /// Opens (or creates) the database with a passphrase, when the keyring could not be used.
    pub fn unlock(&self, passphrase: &str) -> Result<DeskStatus, IpcError> {
        let mut inner = self.lock();
        let lang = inner.lang;
        let Some(waiting) = inner.waiting.clone() else {
            return Ok(self.status_of(&inner));
        };
        if passphrase.trim().is_empty() {
            let error =
                StoreError::from(ValidationErrors::one(FieldError::new("passphrase", "error-required")));
            return Err(IpcError::from_store(&error, lang));
        }
        let key = DbKey::passphrase(passphrase);
        let store =
            if waiting.creating { self.create(&key) } else { Store::open(&self.database, &key, clock()) };
        inner.store = Some(store.map_err(|e| IpcError::from_store(&e, lang))?);
        inner.key = Some(key);
        inner.waiting = None;
        Ok(self.status_of(&inner))
    }

    /// Where the desk stands.
    pub fn status(&self) -> DeskStatus {
        self.status_of(&self.lock())
    }

    fn status_of(&self, inner: &Inner) -> DeskStatus {
        DeskStatus {
            ready: inner.store.is_some(),
            creating: inner.waiting.as_ref().is_some_and(|w| w.creating),
            reason: inner.waiting.as_ref().map(|w| w.reason.clone()),
            lang: inner.lang,
            database: self.database.display().to_string(),
        }
    }

    /// Switches the language and remembers the choice.
    pub fn set_lang(&self, lang: Lang) -> Result<DeskStatus, IpcError> {
        let mut inner = self.lock();
        inner.lang = lang;
        Settings { lang }
            .save(&self.config_dir)
            .map_err(|e| IpcError::from_store(&StoreError::Io(e), lang))?;
        Ok(self.status_of(&inner))
    }

    /// The language of the moment.
    pub fn lang(&self) -> Lang {
        self.lock().lang
    }

    /// A connection of its own to the open database, for work that runs long (sync).
    pub fn second_store(&self) -> Result<Store, IpcError> {
        let inner = self.lock();
        let key = inner.key.clone().ok_or_else(|| IpcError::locked(inner.lang))?;
        let lang = inner.lang;
        drop(inner);
        Store::open(&self.database, &key, clock()).map_err(|e| IpcError::from_store(&e, lang))
    }

    /// Runs `action` on the open database, turning its error into the IPC form in the user's language.
    pub fn with_store<T>(&self, action: impl FnOnce(&mut Store) -> StoreResult<T>) -> Result<T, IpcError> {
        let mut inner = self.lock();
        let lang = inner.lang;
        let store = inner.store.as_mut().ok_or_else(|| IpcError::locked(lang))?;
        action(store).map_err(|e| IpcError::from_store(&e, lang))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A keyring that is not there, as on a machine without a Secret Service.
    struct NoKeyring;

    impl KeyStore for NoKeyring {
        fn load(&self, _: &Path) -> StoreResult<Option<DbKey>> {
            Err(StoreError::Keyring("no Secret Service on the session bus".into()))
        }
        fn save(&self, _: &Path, _: &DbKey) -> StoreResult<()> {
            Err(StoreError::Keyring("no Secret Service on the session bus".into()))
        }
    }

    fn desk(dir: &Path) -> Desk {
        Desk::start(dir.join("data/korpus.db"), dir.join("config"), Box::new(NoKeyring), None)
    }

    #[test]
    fn without_a_keyring_the_desk_says_so_and_takes_a_passphrase() {
        let dir = tempfile::TempDir::new().unwrap();
        let first = desk(dir.path());
        let status = first.status();
        assert!(!status.ready && status.creating);
        assert!(status.reason.unwrap().contains("no Secret Service"));
        assert_eq!(first.with_store(|s| s.count_persons()).unwrap_err().code, "locked");
        let empty = first.unlock(" ").unwrap_err();
        assert_eq!((empty.code.as_str(), empty.details[0].field.as_str()), ("validation", "passphrase"));
        assert!(first.unlock("ауыл 2017").unwrap().ready);
        drop(first);

        let again = desk(dir.path());
        assert!(
            !again.status().ready && !again.status().creating,
            "an existing database is opened, not made anew"
        );
        assert_eq!(again.unlock("wrong").unwrap_err().code, "wrong_key");
        assert!(again.unlock("ауыл 2017").unwrap().ready);
        assert_eq!(again.with_store(|s| s.count_persons()).unwrap(), 0);
    }

    #[test]
    fn language_is_remembered_and_errors_follow_it() {
        let dir = tempfile::TempDir::new().unwrap();
        let first = desk(dir.path());
        first.set_lang(Lang::Ru).unwrap();
        drop(first);
        let again = desk(dir.path());
        assert_eq!(again.status().lang, Lang::Ru);
        let error = again.with_store(|s| s.count_persons()).unwrap_err();
        assert!(error.message.contains("пароль") || error.message.contains("ключ"), "{}", error.message);
    }
}
