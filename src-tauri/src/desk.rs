//! The desk's state: where its database is, the key that opens it, and the user's language.
//!
//! On first start the desk creates an encrypted database in the OS's application-data folder
//! with a random key kept in the OS keyring. When the keyring cannot be used (no Secret Service,
//! a locked or missing entry) the desk says so and waits for a passphrase instead.
//!
//! The key the keyring keeps is made from a recovery code (korpus-store `RecoveryCode`): the desk
//! holds a code it has just made until the coordinator has written it down or printed its sheet,
//! then forgets it. A database whose key this computer does not keep (copied from another laptop,
//! put back from a backup) opens with its code.

use crate::ipc::{DeskStatus, Reply};
use crate::settings::Settings;
use korpus_app::AppError;
use korpus_app::database::{self, KeySource};
use korpus_app::secrets::{KeyStore, default_author};
use korpus_app::sync::AutoSync;
use korpus_domain::messages::tr;
use korpus_domain::validation::FieldError;
use korpus_domain::{Lang, ValidationErrors};
use korpus_store::{Clock, DbKey, RecoveryCode, Store, SystemClock};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

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

/// Why the desk waits for a passphrase.
#[derive(Debug, Clone)]
struct Waiting {
    /// The passphrase will create the database (else open the existing one).
    creating: bool,
    /// What went wrong with the keyring, in the language of the moment, as a sentence.
    reason: String,
}

/// Whether the database is open, with which key, or why the desk waits for a passphrase.
struct Access {
    /// The key the store was opened with: sync and bulk printing open connections of their own
    /// with it, so the desk stays usable while they run.
    key: Option<DbKey>,
    waiting: Option<Waiting>,
    /// A recovery code just made, until the coordinator says it is written down: it is kept
    /// nowhere else, and only in this process's memory meanwhile.
    recovery: Option<RecoveryCode>,
}

/// The open database. Behind a lock of its own, which only the commands' blocking threads take:
/// the language, the desk's status and a second connection never wait for a long query.
type OpenStore = Arc<Mutex<Option<Store>>>;

/// The desk, shared by all commands. Commands reach the open database from the async runtime's
/// blocking threads ([`Desk::call`]), never from the window's main thread, so a long query or a
/// print preview cannot freeze the window.
pub struct Desk {
    database: PathBuf,
    config_dir: PathBuf,
    keys: Arc<dyn KeyStore>,
    /// Synthetic persons to add when the desk creates its database (the demo of `scripts/run`).
    demo_persons: Option<usize>,
    lang: RwLock<Lang>,
    access: Mutex<Access>,
    store: OpenStore,
    /// Why the last daily backup failed, in the language of that moment; none once one succeeds.
    daily_error: Mutex<Option<String>>,
    /// One sync at a time: the one asked for in the window and the desk's own wait for each other.
    sync_turn: tauri::async_runtime::Mutex<()>,
    /// How the desk's own syncs went.
    auto_sync: Mutex<AutoSync>,
}

/// Takes a lock even if a command panicked while holding it: SQLite rolls a half-written
/// transaction back, so what the lock guards stays usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Desk {
    /// Starts the desk over the database at `database`: opens it with the key from `keys`, or
    /// creates it, or records why a passphrase is needed.
    pub fn start(
        database: PathBuf,
        config_dir: PathBuf,
        keys: Arc<dyn KeyStore>,
        demo_persons: Option<usize>,
    ) -> Desk {
        let lang = Settings::load(&config_dir).lang;
        let desk = Desk {
            database,
            config_dir,
            keys,
            demo_persons,
            lang: RwLock::new(lang),
            access: Mutex::new(Access { key: None, waiting: None, recovery: None }),
            store: Arc::new(Mutex::new(None)),
            daily_error: Mutex::new(None),
            sync_turn: tauri::async_runtime::Mutex::new(()),
            auto_sync: Mutex::new(AutoSync::default()),
        };
        match desk.open_with_keyring(lang) {
            Ok((store, key)) => desk.opened(store, key),
            Err(waiting) => lock(&desk.access).waiting = Some(waiting),
        }
        desk
    }

    fn opened(&self, store: Store, key: DbKey) {
        *lock(&self.store) = Some(store);
        let mut access = lock(&self.access);
        access.key = Some(key);
        access.waiting = None;
    }

    fn open_with_keyring(&self, lang: Lang) -> Result<(Store, DbKey), Waiting> {
        let waiting = |creating: bool, e: AppError| Waiting {
            creating,
            reason: match e {
                AppError::NoKey => tr(lang, "desk-no-key-in-keyring", &[]),
                e => tr(lang, "unlock-why", &[("reason", e.message(lang))]),
            },
        };
        if self.database.exists() {
            return database::open(&self.database, KeySource::Kept(self.keys.as_ref()), clock())
                .map_err(|e| waiting(false, e));
        }
        self.create(KeySource::Kept(self.keys.as_ref())).map_err(|e| waiting(true, e))
    }

    /// Creates the database; the recovery code of a key the keyring keeps is held to be shown.
    fn create(&self, source: KeySource<'_>) -> korpus_app::Result<(Store, DbKey)> {
        let database::Created { mut store, key, recovery } =
            database::create(&self.database, source, &default_author(), clock())?;
        lock(&self.access).recovery = recovery;
        if let Some(persons) = self.demo_persons {
            korpus_app::demo::demo_data(&mut store, persons, 2017)?;
        }
        Ok((store, key))
    }

    /// Opens (or creates) the database with a passphrase, when the keyring could not be used.
    pub fn unlock(&self, passphrase: &str) -> Reply<DeskStatus> {
        let lang = self.lang();
        let Some(waiting) = lock(&self.access).waiting.clone() else {
            return Ok(self.status());
        };
        if passphrase.trim().is_empty() {
            let error =
                AppError::from(ValidationErrors::one(FieldError::new("passphrase", "error-required")));
            return Err(error.report(lang));
        }
        let given = KeySource::Given(DbKey::passphrase(passphrase));
        let opened = if waiting.creating {
            self.create(given)
        } else {
            database::open(&self.database, given, clock())
        };
        let (store, key) = opened.map_err(|e| e.report(lang))?;
        self.opened(store, key);
        Ok(self.status())
    }

    /// Opens the database with its recovery code, when this computer's keyring has no key for it
    /// (a copy from another laptop, a backup put back), and keeps the key made from the code.
    pub fn unlock_with_recovery_code(&self, code: &str) -> Reply<DeskStatus> {
        let lang = self.lang();
        let Some(waiting) = lock(&self.access).waiting.clone() else {
            return Ok(self.status());
        };
        if waiting.creating {
            // No database yet: there is nothing a code could open.
            let refusal = FieldError::new("recovery_code", "error-recovery-no-database");
            return Err(AppError::from(ValidationErrors::one(refusal)).report(lang));
        }
        let code = RecoveryCode::parse(code).map_err(|e| AppError::from(e).report(lang))?;
        let (store, key) =
            database::open_with_recovery_code(&self.database, &code, self.keys.as_ref(), clock())
                .map_err(|e| e.report(lang))?;
        self.opened(store, key);
        Ok(self.status())
    }

    /// Makes a new recovery code for the open database ([`database::new_recovery_code`]): the
    /// database is encrypted again with a key made from it, and the code is held to be shown.
    /// Refused while another connection is open (a sync, a bulk print): re-encrypting needs the
    /// only one.
    pub async fn new_recovery_code(&self) -> Reply<DeskStatus> {
        let keys = Arc::clone(&self.keys);
        let code = self.call(move |s| database::new_recovery_code(s, keys.as_ref())).await?;
        {
            let mut access = lock(&self.access);
            access.key = Some(code.key());
            access.recovery = Some(code);
        }
        Ok(self.status())
    }

    /// The recovery code just made, while the desk still holds it.
    pub fn recovery_code(&self) -> Reply<RecoveryCode> {
        lock(&self.access).recovery.clone().ok_or_else(|| {
            let gone = FieldError::new("recovery_code", "error-recovery-code-gone");
            AppError::from(ValidationErrors::one(gone)).report(self.lang())
        })
    }

    /// Forgets the recovery code just made: the coordinator has written it down or printed it.
    pub fn forget_recovery_code(&self) -> DeskStatus {
        lock(&self.access).recovery = None;
        self.status()
    }

    /// The desk's time of the moment.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        clock().now()
    }

    /// The key the database is open with (backups are encrypted with it).
    pub fn key(&self) -> Reply<DbKey> {
        lock(&self.access).key.clone().ok_or_else(|| AppError::Locked.report(self.lang()))
    }

    /// The turn every sync takes: one at a time.
    pub fn sync_turn(&self) -> &tauri::async_runtime::Mutex<()> {
        &self.sync_turn
    }

    /// How the last sync went.
    pub fn auto_sync(&self) -> AutoSync {
        lock(&self.auto_sync).clone()
    }

    /// Notes a sync tried now, and why it did not complete if it did not.
    pub fn sync_tried(&self, problem: Option<String>) {
        *lock(&self.auto_sync) = AutoSync { last_attempt: Some(self.now()), problem };
    }

    /// Why the last daily backup failed, if it did.
    pub fn daily_backup_error(&self) -> Option<String> {
        lock(&self.daily_error).clone()
    }

    /// Makes the daily backup when the database is open and its last backup is a day old or more
    /// (or there is none), on a connection of its own, so the desk stays usable meanwhile. A
    /// failure (the folder's USB stick not plugged in) is kept to show, and the backup is tried
    /// again at the next look.
    pub fn daily_backup_if_due(&self) {
        if !self.status().ready {
            return;
        }
        // Asked on the desk's own connection: a second one is opened only for the backup itself,
        // so that a look never stands in the way of work that needs the database alone.
        let made = run(&self.store, self.lang(), |s| s.last_backup()).and_then(|last| {
            if korpus_app::backups::daily_due(last.as_ref(), self.now()) {
                self.second_store()?
                    .backup(korpus_store::BackupReason::Daily)
                    .map_err(|e| AppError::from(e).report(self.lang()))?;
            }
            Ok(())
        });
        *lock(&self.daily_error) = made.err().map(|e| e.message);
    }

    /// Where the desk stands.
    pub fn status(&self) -> DeskStatus {
        let access = lock(&self.access);
        DeskStatus {
            ready: access.key.is_some(),
            creating: access.waiting.as_ref().is_some_and(|w| w.creating),
            reason: access.waiting.as_ref().map(|w| w.reason.clone()),
            lang: self.lang(),
            database: self.database.display().to_string(),
            recovery_code: access.recovery.as_ref().map(ToString::to_string),
        }
    }

    /// Switches the language and remembers the choice.
    pub fn set_lang(&self, lang: Lang) -> Reply<DeskStatus> {
        *self.lang.write().unwrap_or_else(|e| e.into_inner()) = lang;
        let config = Settings::path(&self.config_dir);
        Settings { lang }.save(&self.config_dir).map_err(|e| AppError::file(config, e).report(lang))?;
        Ok(self.status())
    }

    /// The language of the moment.
    pub fn lang(&self) -> Lang {
        *self.lang.read().unwrap_or_else(|e| e.into_inner())
    }

    /// A connection of its own to the open database, for work that runs long (sync, printing in
    /// bulk), so the rest of the desk stays usable meanwhile.
    pub fn second_store(&self) -> Reply<Store> {
        let lang = self.lang();
        let key = lock(&self.access).key.clone().ok_or_else(|| AppError::Locked.report(lang))?;
        database::open(&self.database, KeySource::Given(key), clock())
            .map(|(s, _)| s)
            .map_err(|e| e.report(lang))
    }

    /// Runs `action` on the open database on one of the runtime's blocking threads: what every
    /// command does, so that the window's main thread never waits for the database.
    pub async fn call<T, E>(
        &self,
        action: impl FnOnce(&mut Store) -> Result<T, E> + Send + 'static,
    ) -> Reply<T>
    where
        T: Send + 'static,
        E: Into<AppError>,
    {
        let (store, lang) = (Arc::clone(&self.store), self.lang());
        tauri::async_runtime::spawn_blocking(move || run(&store, lang, action))
            .await
            .unwrap_or_else(|e| Err(AppError::Internal(e.to_string()).report(lang)))
    }
}

fn run<T, E: Into<AppError>>(
    store: &Mutex<Option<Store>>,
    lang: Lang,
    action: impl FnOnce(&mut Store) -> Result<T, E>,
) -> Reply<T> {
    let mut open = lock(store);
    let store = open.as_mut().ok_or_else(|| AppError::Locked.report(lang))?;
    action(store).map_err(|e| e.into().report(lang))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// A keyring that is not there, as on a machine without a Secret Service.
    struct NoKeyring;

    fn no_service() -> AppError {
        AppError::Keyring {
            secret: korpus_app::Secret::DatabaseKey,
            detail: "no Secret Service on the session bus".into(),
        }
    }

    impl KeyStore for NoKeyring {
        fn load(&self, _: &Path) -> korpus_app::Result<Option<DbKey>> {
            Err(no_service())
        }
        fn save(&self, _: &Path, _: &DbKey) -> korpus_app::Result<()> {
            Err(no_service())
        }
        fn delete(&self, _: &Path) -> korpus_app::Result<()> {
            Err(no_service())
        }
    }

    /// A keyring that keeps keys in memory: the real one is exercised by the window tests.
    #[derive(Default)]
    struct MemoryKeyring(Mutex<std::collections::HashMap<PathBuf, DbKey>>);

    impl KeyStore for MemoryKeyring {
        fn load(&self, path: &Path) -> korpus_app::Result<Option<DbKey>> {
            Ok(lock(&self.0).get(path).cloned())
        }
        fn save(&self, path: &Path, key: &DbKey) -> korpus_app::Result<()> {
            lock(&self.0).insert(path.to_owned(), key.clone());
            Ok(())
        }
        fn delete(&self, path: &Path) -> korpus_app::Result<()> {
            lock(&self.0).remove(path);
            Ok(())
        }
    }

    #[test]
    fn a_new_recovery_code_is_held_until_written_down_and_the_desk_goes_on_with_its_key() {
        let dir = tempfile::TempDir::new().unwrap();
        let keys = Arc::new(MemoryKeyring::default());
        let desk = Desk::start(dir.path().join("korpus.db"), dir.path().join("config"), keys.clone(), None);
        let first = desk.status().recovery_code.expect("a code made with the database is shown");
        assert_eq!(desk.recovery_code().unwrap().to_string(), first);
        assert_eq!(desk.forget_recovery_code().recovery_code, None);
        assert_eq!(desk.recovery_code().unwrap_err().details[0].field, "recovery_code");

        // Refused while a second connection (a sync's) is open; nothing changed.
        let sync = desk.second_store().unwrap();
        let refused = tauri::async_runtime::block_on(desk.new_recovery_code()).unwrap_err();
        assert_eq!(refused.code, "database_in_use");
        assert_eq!(desk.status().recovery_code, None);
        drop(sync);
        let status = tauri::async_runtime::block_on(desk.new_recovery_code()).unwrap();
        let second = status.recovery_code.unwrap();
        assert_ne!(second, first);
        // The next sync's connection opens with the new key, which the keyring keeps.
        assert_eq!(desk.second_store().unwrap().count_persons().unwrap(), 0);
        let kept = keys.load(&dir.path().join("korpus.db")).unwrap().unwrap();
        assert_eq!(kept.secret(), RecoveryCode::parse(&second).unwrap().key().secret());
    }

    #[test]
    fn a_copied_database_opens_with_its_recovery_code_and_a_missing_one_is_not_made_by_one() {
        let dir = tempfile::TempDir::new().unwrap();
        let made = Desk::start(
            dir.path().join("a/korpus.db"),
            dir.path().join("a"),
            Arc::new(MemoryKeyring::default()),
            None,
        );
        let code = made.status().recovery_code.unwrap();
        drop(made);
        std::fs::create_dir_all(dir.path().join("b")).unwrap();
        std::fs::copy(dir.path().join("a/korpus.db"), dir.path().join("b/korpus.db")).unwrap();
        let keys = Arc::new(MemoryKeyring::default());
        let copy = Desk::start(dir.path().join("b/korpus.db"), dir.path().join("b"), keys.clone(), None);
        let waiting = copy.status();
        assert!(!waiting.ready && !waiting.creating);
        assert!(waiting.reason.unwrap().contains("қалпына келтіру кодымен ашыңыз"));
        let typo = copy.unlock_with_recovery_code("0000").unwrap_err();
        assert_eq!(typo.details[0].field, "recovery_code");
        assert!(copy.unlock_with_recovery_code(&code.to_lowercase()).unwrap().ready);
        assert!(keys.load(&dir.path().join("b/korpus.db")).unwrap().is_some());

        // No database yet (no keyring either): a code has nothing to open.
        let none = desk(&dir.path().join("c"));
        assert!(none.status().creating);
        let refused = none.unlock_with_recovery_code(&code).unwrap_err();
        assert_eq!(refused.details[0].field, "recovery_code");
        assert!(!dir.path().join("c/data/korpus.db").exists());
    }

    /// The persons the open database holds, as a command would ask.
    fn count(desk: &Desk) -> Reply<i64> {
        tauri::async_runtime::block_on(desk.call(|s| s.count_persons()))
    }

    fn desk(dir: &Path) -> Desk {
        Desk::start(dir.join("data/korpus.db"), dir.join("config"), Arc::new(NoKeyring), None)
    }

    #[test]
    fn without_a_keyring_the_desk_says_so_and_takes_a_passphrase() {
        let dir = tempfile::TempDir::new().unwrap();
        let first = desk(dir.path());
        let status = first.status();
        assert!(!status.ready && status.creating);
        assert!(status.reason.unwrap().contains("no Secret Service"));
        assert_eq!(count(&first).unwrap_err().code, "locked");
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
        assert_eq!(count(&again).unwrap(), 0);
    }

    #[test]
    fn language_is_remembered_and_errors_follow_it() {
        let dir = tempfile::TempDir::new().unwrap();
        let first = desk(dir.path());
        first.set_lang(Lang::Ru).unwrap();
        drop(first);
        let again = desk(dir.path());
        assert_eq!(again.status().lang, Lang::Ru);
        let error = count(&again).unwrap_err();
        assert!(error.message.contains("пароль") || error.message.contains("ключ"), "{}", error.message);
    }
}
