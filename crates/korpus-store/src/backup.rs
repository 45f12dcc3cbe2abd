//! Backups of the case database: the whole database in one file, encrypted with the database's
//! own key (so the recovery code that opens the database opens its backups too), made through
//! SQLite's online backup API while the desk goes on working, into a folder the coordinator
//! chooses (a USB stick), the newest N of this device kept.
//!
//! A backup is named `korpus-<device>-<UTC instant>-<reason>.kbackup`, so a folder shared by
//! several desks is listed and pruned by device without opening anything. Verifying one opens it
//! read-only and checks every page's authentication code (`PRAGMA cipher_integrity_check`: an
//! edited or cut-short file fails it) and SQLite's own structure (`PRAGMA quick_check`) before
//! anything is read from it; a restore puts a verified backup in place of the database only
//! after the database as it was has itself been backed up.

use crate::{DbKey, Result, Store, StoreError, schema_version};
use chrono::{DateTime, NaiveDateTime, Utc};
use korpus_domain::ValidationErrors;
use korpus_domain::validation::FieldError;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The extension of a backup file.
pub const BACKUP_EXTENSION: &str = "kbackup";
/// The folder beside the database that backups go to until the coordinator chooses one.
const DEFAULT_FOLDER: &str = "backups";
/// How an instant is written in a backup's name: sortable, and valid in a Windows file name.
const NAME_INSTANT: &str = "%Y%m%dT%H%M%S%.3fZ";
/// The most backups one device may keep, and the fewest.
pub const BACKUP_KEEP_RANGE: std::ops::RangeInclusive<u32> = 1..=365;

/// Why a backup was made.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackupReason {
    /// Asked for (the window's button, `korpus backup create`).
    Manual,
    /// The desk's daily backup.
    Daily,
    /// Before this build migrated the database to its schema.
    BeforeMigration,
    /// Before a new release of the desk was installed.
    BeforeUpdate,
    /// Before a backup was restored in the database's place.
    BeforeRestore,
}

impl BackupReason {
    const ALL: [BackupReason; 5] = [
        BackupReason::Manual,
        BackupReason::Daily,
        BackupReason::BeforeMigration,
        BackupReason::BeforeUpdate,
        BackupReason::BeforeRestore,
    ];

    /// The reason's stable code, as stored: `before_migration`.
    pub fn code(self) -> &'static str {
        match self {
            BackupReason::Manual => "manual",
            BackupReason::Daily => "daily",
            BackupReason::BeforeMigration => "before_migration",
            BackupReason::BeforeUpdate => "before_update",
            BackupReason::BeforeRestore => "before_restore",
        }
    }

    fn from_code(code: &str) -> Option<BackupReason> {
        BackupReason::ALL.into_iter().find(|r| r.code() == code)
    }

    /// How the reason is written in a file name: `before-migration`.
    fn slug(self) -> String {
        self.code().replace('_', "-")
    }
}

/// Where this device's backups go and how many are kept.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupSettings {
    /// The folder.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub folder: PathBuf,
    /// Whether the coordinator chose it (else it is the `backups` folder beside the database).
    pub chosen: bool,
    /// How many of this device's backups are kept: the oldest beyond are deleted.
    pub keep: u32,
}

/// A backup file, as its name describes it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupFile {
    /// Where it is.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub path: PathBuf,
    /// The first eight characters of the device id of the database it is a backup of.
    pub device: String,
    /// When it was made (RFC 3339, UTC).
    pub made_at: String,
    /// Why.
    pub reason: BackupReason,
    /// Its size.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes: u64,
}

/// What verifying a backup found in it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupCheck {
    /// The device whose database it is.
    pub device_id: String,
    /// Its schema version.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub schema: usize,
    /// Persons registered in it.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub persons: i64,
    /// Applications in it.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub applications: i64,
    /// Changes it holds that had not reached HQ when it was made.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub unsent: i64,
}

/// A refusal about a backup, named by the field it concerns (`backup`, `backup_folder`,
/// `backup_keep`): nothing was changed.
fn refuse(field: &'static str, key: &'static str, args: &[(&'static str, String)]) -> StoreError {
    let error = args.iter().fold(FieldError::new(field, key), |e, (name, value)| e.arg(name, value));
    ValidationErrors::one(error).into()
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// The name of a backup of device `device` made at `at` for `reason`.
fn file_name(device: &str, at: DateTime<Utc>, reason: BackupReason) -> String {
    format!("korpus-{}-{}-{}.{BACKUP_EXTENSION}", &device[..8], at.format(NAME_INSTANT), reason.slug())
}

/// A backup file's description from its name, or none for any other file.
fn parse_name(path: &Path) -> Option<(String, DateTime<Utc>, BackupReason)> {
    let stem =
        path.file_name()?.to_str()?.strip_prefix("korpus-")?.strip_suffix(&format!(".{BACKUP_EXTENSION}"))?;
    let (device, rest) = stem.split_once('-')?;
    let (instant, slug) = rest.split_once('-')?;
    let reason = BackupReason::ALL.into_iter().find(|r| r.slug() == slug)?;
    let at = NaiveDateTime::parse_from_str(instant, NAME_INSTANT).ok()?.and_utc();
    (device.len() == 8 && device.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| (device.to_owned(), at, reason))
}

/// The backups in `folder`, newest first; other files are left out. A folder that is not there
/// (a USB stick not plugged in) is refused, named.
pub fn list_backups(folder: &Path) -> Result<Vec<BackupFile>> {
    let entries = std::fs::read_dir(folder).map_err(|e| {
        refuse(
            "backup_folder",
            "error-backup-folder-unreadable",
            &[("path", shown(folder)), ("detail", e.to_string())],
        )
    })?;
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let Some((device, at, reason)) = parse_name(&path) else { continue };
        let meta = entry.metadata()?;
        if meta.is_file() {
            found.push(BackupFile { path, device, made_at: at.to_rfc3339(), reason, bytes: meta.len() });
        }
    }
    found.sort_by(|a, b| b.made_at.cmp(&a.made_at).then_with(|| b.path.cmp(&a.path)));
    Ok(found)
}

/// Copies the database `source` (open with `key`) into a new backup in `folder`, through the
/// online backup API: one consistent snapshot, while other connections go on reading and
/// writing. The file appears under its name only once it is whole and on disk.
fn backup_connection(
    source: &Connection,
    key: &DbKey,
    device: &str,
    folder: &Path,
    reason: BackupReason,
    at: DateTime<Utc>,
) -> Result<BackupFile> {
    std::fs::create_dir_all(folder).map_err(|e| {
        refuse(
            "backup_folder",
            "error-backup-folder-unwritable",
            &[("path", shown(folder)), ("detail", e.to_string())],
        )
    })?;
    // Two backups within one millisecond (or under a clock that stands still) get two names.
    let mut at = at;
    while folder.join(file_name(device, at, reason)).exists() {
        at += chrono::Duration::milliseconds(1);
    }
    let path = folder.join(file_name(device, at, reason));
    let partial = path.with_extension(format!("{BACKUP_EXTENSION}.partial"));
    let made = (|| {
        let mut target = Connection::open(&partial)?;
        target.pragma_update(None, "key", key.secret())?;
        // All pages in one step: a step that sees the source change starts again, and one step
        // holds a read transaction from the first page to the last.
        rusqlite::backup::Backup::new(source, &mut target)?.run_to_completion(
            i32::MAX,
            std::time::Duration::from_millis(50),
            None,
        )?;
        // A backup is one file: opened read-only later, with no write-ahead log beside it.
        target.pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get::<_, String>(0))?;
        target.close().map_err(|(_, e)| e)?;
        std::fs::File::open(&partial)?.sync_all()?;
        std::fs::rename(&partial, &path)?;
        Ok::<_, StoreError>(())
    })();
    if let Err(e) = made {
        let _ = std::fs::remove_file(&partial);
        return Err(match e {
            StoreError::Io(io) => refuse(
                "backup_folder",
                "error-backup-folder-unwritable",
                &[("path", shown(folder)), ("detail", io.to_string())],
            ),
            e => e,
        });
    }
    let bytes = std::fs::metadata(&path)?.len();
    Ok(BackupFile { path, device: device[..8].to_owned(), made_at: at.to_rfc3339(), reason, bytes })
}

/// Opens a backup read-only with `key` and checks it whole: every page's authentication code,
/// SQLite's structure, and that it is a Korpus database this build can read.
fn open_verified(path: &Path, key: &DbKey) -> Result<(Connection, BackupCheck)> {
    let damaged = |detail: String| {
        refuse("backup", "error-backup-damaged", &[("path", shown(path)), ("detail", detail)])
    };
    let meta = std::fs::metadata(path)
        .map_err(|_| refuse("backup", "error-backup-missing", &[("path", shown(path))]))?;
    if !meta.is_file() {
        return Err(refuse("backup", "error-backup-missing", &[("path", shown(path))]));
    }
    if meta.len() == 0 {
        return Err(refuse("backup", "error-backup-empty", &[("path", shown(path))]));
    }
    let mut head = [0u8; 16];
    let plain = std::io::Read::read_exact(&mut std::fs::File::open(path)?, &mut head).is_ok()
        && &head == b"SQLite format 3\0";
    if plain {
        // An unencrypted SQLite file: another program's database, never a Korpus backup.
        return Err(refuse("backup", "error-backup-not-korpus", &[("path", shown(path))]));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.create_collation("kazakh", korpus_domain::alphabet::kazakh_cmp)?;
    conn.pragma_update(None, "key", key.secret())?;
    match conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => {}
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::NotADatabase => {
            // The first page does not decrypt: another key, or not a database at all.
            return Err(refuse("backup", "error-backup-key", &[("path", shown(path))]));
        }
        Err(e) => return Err(damaged(e.to_string())),
    }
    let failures: Vec<String> = {
        let mut statement =
            conn.prepare("PRAGMA cipher_integrity_check").map_err(|e| damaged(e.to_string()))?;
        let rows = statement.query_map([], |r| r.get::<_, String>(0)).map_err(|e| damaged(e.to_string()))?;
        rows.collect::<rusqlite::Result<_>>().map_err(|e| damaged(e.to_string()))?
    };
    if let Some(first) = failures.first() {
        return Err(damaged(format!("{} ({first})", failures.len())));
    }
    let structure: String =
        conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(|e| damaged(e.to_string()))?;
    if structure != "ok" {
        return Err(damaged(structure));
    }
    let schema = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    let device: Option<String> =
        conn.query_row("SELECT device_id FROM device WHERE singleton = 1", [], |r| r.get(0)).ok();
    let Some(device_id) = device.filter(|_| schema > 0) else {
        return Err(refuse("backup", "error-backup-not-korpus", &[("path", shown(path))]));
    };
    if schema > schema_version() {
        return Err(refuse(
            "backup",
            "error-backup-newer",
            &[("found", schema.to_string()), ("supported", schema_version().to_string())],
        ));
    }
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0));
    let check = BackupCheck {
        device_id,
        schema,
        persons: count("SELECT count(*) FROM persons")?,
        applications: count("SELECT count(*) FROM applications")?,
        unsent: count("SELECT count(*) FROM outbox WHERE sent_at IS NULL")?,
    };
    Ok((conn, check))
}

/// Verifies the backup at `path` with `key` (the database's key, or one made from its recovery
/// code): refused, named, when the key does not open it, when it is another program's file, or
/// when any page was changed or cut off.
pub fn verify_backup(path: &Path, key: &DbKey) -> Result<BackupCheck> {
    open_verified(path, key).map(|(_, check)| check)
}

/// The envelopes the backup at `path` holds that had not reached HQ when it was made, in
/// `device_seq` order, with the device they are of: what the desk that replaces a lost one
/// replays. The backup is verified first and only read.
pub fn backup_unsent(path: &Path, key: &DbKey) -> Result<(uuid::Uuid, Vec<crate::OutboxEntry>)> {
    let (conn, check) = open_verified(path, key)?;
    let device = uuid::Uuid::parse_str(&check.device_id).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok((device, crate::outbox::read(&conn, 0, usize::MAX, true)?))
}

/// Puts the verified backup at `backup` (opened with `key`) where no database is yet, at
/// `target`, and opens it (migrated to this build's schema, if older). For a database that
/// exists, [`Store::replace_with_backup`].
pub fn restore_backup(
    backup: &Path,
    key: &DbKey,
    target: &Path,
    clock: std::sync::Arc<dyn crate::Clock>,
) -> Result<Store> {
    if target.exists() {
        return Err(StoreError::DatabaseExists(target.to_owned()));
    }
    let (conn, _) = open_verified(backup, key)?;
    drop(conn);
    put_in_place(backup, target)?;
    Store::open(target, key, clock)
}

/// Copies `backup` to `target` through a file beside it, so that `target` is either the old
/// database or the whole backup; the old database's write-ahead log goes with it.
fn put_in_place(backup: &Path, target: &Path) -> Result<()> {
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let incoming = PathBuf::from(format!("{}.restoring", target.display()));
    std::fs::copy(backup, &incoming)?;
    std::fs::File::open(&incoming)?.sync_all()?;
    for suffix in ["-wal", "-shm"] {
        match std::fs::remove_file(format!("{}{suffix}", target.display())) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    std::fs::rename(&incoming, target)?;
    Ok(())
}

/// Where backups go for a database at `database` with `chosen` as its folder setting.
fn folder_of(database: &Path, chosen: Option<String>) -> PathBuf {
    chosen.map_or_else(|| database.parent().unwrap_or(Path::new(".")).join(DEFAULT_FOLDER), PathBuf::from)
}

/// Before this build migrates a database, a backup of it as it was: into its chosen folder, or,
/// when that cannot be written (a USB stick not plugged in), into the folder beside it. A
/// database that cannot be backed up is not migrated.
pub(crate) fn before_migration(
    conn: &Connection,
    key: &DbKey,
    database: &Path,
    now: DateTime<Utc>,
) -> Result<BackupFile> {
    let device: String = conn
        .query_row("SELECT device_id FROM device WHERE singleton = 1", [], |r| r.get(0))
        .map_err(|_| StoreError::NotInitialised)?;
    // The setting exists from migration 17 on; an older database has only the default.
    let chosen: Option<String> =
        conn.query_row("SELECT backup_folder FROM device", [], |r| r.get(0)).unwrap_or(None);
    let beside = folder_of(database, None);
    let folder = folder_of(database, chosen);
    backup_connection(conn, key, &device, &folder, BackupReason::BeforeMigration, now).or_else(|e| {
        if folder == beside {
            Err(e)
        } else {
            backup_connection(conn, key, &device, &beside, BackupReason::BeforeMigration, now)
        }
    })
}

/// The last backup this database knows it made.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastBackup {
    /// Where it was made.
    pub file: String,
    /// When (RFC 3339, UTC).
    pub made_at: String,
    /// Why.
    pub reason: BackupReason,
    /// Its size.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes: u64,
}

impl Store {
    /// Where this device's backups go and how many are kept.
    pub fn backup_settings(&self) -> Result<BackupSettings> {
        let (chosen, keep): (Option<String>, u32) = self.conn.query_row(
            "SELECT backup_folder, backup_keep FROM device WHERE singleton = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(BackupSettings { chosen: chosen.is_some(), folder: folder_of(&self.path, chosen), keep })
    }

    /// Chooses the folder backups go to (none: the `backups` folder beside the database) and how
    /// many are kept. The folder must be a full path that can be written (it is made if missing):
    /// refused, named, otherwise, and nothing changes.
    pub fn set_backup_settings(&mut self, folder: Option<&Path>, keep: u32) -> Result<BackupSettings> {
        if !BACKUP_KEEP_RANGE.contains(&keep) {
            return Err(refuse(
                "backup_keep",
                "error-out-of-range",
                &[
                    ("min", BACKUP_KEEP_RANGE.start().to_string()),
                    ("max", BACKUP_KEEP_RANGE.end().to_string()),
                ],
            ));
        }
        if let Some(folder) = folder {
            if !folder.is_absolute() {
                return Err(refuse(
                    "backup_folder",
                    "error-backup-folder-relative",
                    &[("path", shown(folder))],
                ));
            }
            let probe = folder.join(".korpus-write-test");
            std::fs::create_dir_all(folder)
                .and_then(|()| std::fs::write(&probe, b"korpus"))
                .and_then(|()| std::fs::remove_file(&probe))
                .map_err(|e| {
                    refuse(
                        "backup_folder",
                        "error-backup-folder-unwritable",
                        &[("path", shown(folder)), ("detail", e.to_string())],
                    )
                })?;
        }
        let folder = folder.map(|f| f.display().to_string());
        self.conn.execute(
            "UPDATE device SET backup_folder = ?1, backup_keep = ?2 WHERE singleton = 1",
            (folder, keep),
        )?;
        self.backup_settings()
    }

    /// Makes a backup of the database now, into the folder of its settings, and deletes this
    /// device's oldest backups there beyond the number kept.
    pub fn backup(&mut self, reason: BackupReason) -> Result<BackupFile> {
        let settings = self.backup_settings()?;
        let made = backup_connection(
            &self.conn,
            &self.key,
            &self.device_id.to_string(),
            &settings.folder,
            reason,
            self.clock.now(),
        )?;
        self.record_backup(&made)?;
        let mine: Vec<BackupFile> =
            list_backups(&settings.folder)?.into_iter().filter(|b| b.device == made.device).collect();
        for old in mine.iter().skip(settings.keep as usize) {
            std::fs::remove_file(&old.path)?;
        }
        Ok(made)
    }

    pub(crate) fn record_backup(&mut self, made: &BackupFile) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO backups (file, made_at, reason, bytes) VALUES (?1, ?2, ?3, ?4)",
            (shown(&made.path), &made.made_at, made.reason.code(), made.bytes as i64),
        )?;
        Ok(())
    }

    /// The last backup this database made, wherever it went.
    pub fn last_backup(&self) -> Result<Option<LastBackup>> {
        let mut statement = self
            .conn
            .prepare("SELECT file, made_at, reason, bytes FROM backups ORDER BY made_at DESC LIMIT 1")?;
        let mut rows = statement.query([])?;
        let Some(row) = rows.next()? else { return Ok(None) };
        let reason: String = row.get(2)?;
        Ok(Some(LastBackup {
            file: row.get(0)?,
            made_at: row.get(1)?,
            reason: BackupReason::from_code(&reason).ok_or_else(|| StoreError::Corrupt(reason.clone()))?,
            bytes: row.get::<_, i64>(3)? as u64,
        }))
    }

    /// Takes from the backup at `backup` (another desk's, opened with `key`) the scanned files it
    /// held that had not reached HQ, to send as this desk's own once HQ holds their documents (a
    /// lost desk's envelopes replayed). Returns how many were new here.
    pub fn adopt_unsent_files(&mut self, backup: &Path, key: &DbKey) -> Result<usize> {
        let (conn, _) = open_verified(backup, key)?;
        let mut statement =
            conn.prepare("SELECT sha256, size, data, created_at FROM blobs WHERE synced = 0")?;
        let files = statement.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, Vec<u8>>(2)?, r.get::<_, String>(3)?))
        })?;
        let tx = self.conn.transaction()?;
        let mut adopted = 0;
        for file in files {
            let (sha256, size, data, created_at) = file?;
            adopted += tx.execute(
                "INSERT OR IGNORE INTO blobs (sha256, size, data, created_at, synced) VALUES (?1, ?2, ?3, ?4, 0)",
                (sha256, size, data, created_at),
            )?;
        }
        tx.commit()?;
        Ok(adopted)
    }

    /// Puts the backup at `backup` (opened with `key`) in this database's place: the backup is
    /// verified first, the database as it is now is backed up (`before_restore`), and the
    /// database must be open nowhere else (else refused as in use, nothing changed). Returns the
    /// restored database, open, and the backup of what it replaced.
    pub fn replace_with_backup(mut self, backup: &Path, key: &DbKey) -> Result<(Store, BackupFile)> {
        let (conn, _) = open_verified(backup, key)?;
        drop(conn);
        let kept = self.backup(BackupReason::BeforeRestore)?;
        self.take_alone()?;
        let (path, clock) = (self.path.clone(), std::sync::Arc::clone(&self.clock));
        drop(self);
        put_in_place(backup, &path)?;
        Ok((Store::open(&path, key, clock)?, kept))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{database_at_schema_one, new_store, person};
    use crate::{FixedClock, SystemClock};
    use std::sync::Arc;

    fn field_and_key(e: &StoreError) -> (String, String) {
        match e {
            StoreError::Invalid(errors) => (errors.0[0].field.to_owned(), errors.0[0].key.to_owned()),
            e => panic!("not a refusal: {e:?}"),
        }
    }

    #[test]
    fn a_backup_holds_the_database_encrypted_with_its_key_and_restores_where_none_is() {
        let (dir, mut store, clock) = new_store();
        store.add_person(&person(1, "Құрманова", "Іңкәр")).unwrap();
        let settings = store.backup_settings().unwrap();
        assert_eq!(
            (settings.folder.clone(), settings.chosen, settings.keep),
            (dir.path().join("backups"), false, 14)
        );
        let made = store.backup(BackupReason::Manual).unwrap();
        // Written while the store stays open, and while a second connection reads.
        let _other = Store::open(store.path(), &DbKey::passphrase("test key"), clock.clone()).unwrap();
        assert!(made.path.starts_with(dir.path().join("backups")));
        let name = made.path.file_name().unwrap().to_str().unwrap().to_owned();
        assert!(
            name.starts_with(&format!(
                "korpus-{}-20170502T060000.000Z-manual",
                &store.device_id().to_string()[..8]
            )),
            "{name}"
        );
        assert_eq!(store.last_backup().unwrap().unwrap().file, made.path.display().to_string());
        let bytes = std::fs::read(&made.path).unwrap();
        assert_ne!(&bytes[..16], b"SQLite format 3\0", "encrypted");
        assert!(!bytes.windows("Құрманова".len()).any(|w| w == "Құрманова".as_bytes()));

        let check = verify_backup(&made.path, &DbKey::passphrase("test key")).unwrap();
        assert_eq!(
            (check.persons, check.unsent, check.device_id.clone()),
            (1, 1, store.device_id().to_string())
        );
        let wrong = verify_backup(&made.path, &DbKey::passphrase("another")).unwrap_err();
        assert_eq!(field_and_key(&wrong), ("backup".into(), "error-backup-key".into()));

        // A new laptop: no database yet; the backup becomes one, and opens.
        let target = dir.path().join("new-laptop/korpus.db");
        let restored = restore_backup(&made.path, &DbKey::passphrase("test key"), &target, clock).unwrap();
        assert_eq!(restored.count_persons().unwrap(), 1);
        assert_eq!(restored.device_id(), store.device_id());
        assert!(matches!(
            restore_backup(&made.path, &DbKey::passphrase("test key"), &target, Arc::new(SystemClock)),
            Err(StoreError::DatabaseExists(_))
        ));
    }

    #[test]
    fn an_edited_a_cut_short_an_empty_and_another_programs_file_are_refused_by_name() {
        let (dir, mut store, _) = new_store();
        for n in 0..30 {
            store.add_person(&person(n * 100 + 1, "Сәрсенбаева", "Әйгерім")).unwrap();
        }
        let made = store.backup(BackupReason::Manual).unwrap();
        let key = DbKey::passphrase("test key");
        let bytes = std::fs::read(&made.path).unwrap();
        let refused = |name: &str, content: &[u8]| {
            let path = dir.path().join(name);
            std::fs::write(&path, content).unwrap();
            field_and_key(&verify_backup(&path, &key).unwrap_err())
        };
        let damaged = ("backup".to_owned(), "error-backup-damaged".to_owned());
        // One byte changed in the middle of a page.
        let mut edited = bytes.clone();
        edited[bytes.len() / 2] ^= 0x01;
        assert_eq!(refused("edited.kbackup", &edited), damaged);
        // Cut at a page's end, and in the middle of one.
        assert_eq!(refused("short.kbackup", &bytes[..bytes.len() - 4096]), damaged);
        assert_eq!(refused("torn.kbackup", &bytes[..bytes.len() - 1000]), damaged);
        assert_eq!(refused("empty.kbackup", b""), ("backup".into(), "error-backup-empty".into()));
        // Another program's SQLite database, and a file that is no database at all.
        let plain = dir.path().join("other.sqlite");
        rusqlite::Connection::open(&plain)
            .unwrap()
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        assert_eq!(field_and_key(&verify_backup(&plain, &key).unwrap_err()).1, "error-backup-not-korpus");
        assert_eq!(refused("notes.kbackup", &[7u8; 8192]).1, "error-backup-key");
        assert_eq!(
            field_and_key(&verify_backup(&dir.path().join("none.kbackup"), &key).unwrap_err()).1,
            "error-backup-missing"
        );
        // Nothing of it reached a database.
        let target = dir.path().join("restored.db");
        std::fs::write(dir.path().join("edited.kbackup"), &edited).unwrap();
        assert!(
            restore_backup(&dir.path().join("edited.kbackup"), &key, &target, Arc::new(SystemClock)).is_err()
        );
        assert!(!target.exists());
    }

    #[test]
    fn only_this_devices_newest_backups_are_kept_and_the_folder_is_checked() {
        let (dir, mut store, clock) = new_store();
        let usb = dir.path().join("usb");
        let wrong = store.set_backup_settings(Some(Path::new("relative/folder")), 3).unwrap_err();
        assert_eq!(field_and_key(&wrong), ("backup_folder".into(), "error-backup-folder-relative".into()));
        let wrong = store.set_backup_settings(Some(&usb), 0).unwrap_err();
        assert_eq!(field_and_key(&wrong), ("backup_keep".into(), "error-out-of-range".into()));
        let blocked = dir.path().join("a-file");
        std::fs::write(&blocked, b"x").unwrap();
        let wrong = store.set_backup_settings(Some(&blocked.join("inside")), 3).unwrap_err();
        assert_eq!(field_and_key(&wrong).1, "error-backup-folder-unwritable");
        assert!(!store.backup_settings().unwrap().chosen, "nothing changed");
        store.set_backup_settings(Some(&usb), 3).unwrap();
        // Another desk's backup in the same folder, and a file of the coordinator's.
        std::fs::create_dir_all(&usb).unwrap();
        let stranger = usb.join("korpus-0123abcd-20170101T000000.000Z-daily.kbackup");
        std::fs::write(&stranger, b"someone else's").unwrap();
        std::fs::write(usb.join("photo.jpg"), b"jpeg").unwrap();
        for day in 0..5 {
            clock.set(Utc.with_ymd_and_hms(2017, 5, 2 + day, 6, 0, 0).unwrap());
            store.backup(BackupReason::Daily).unwrap();
        }
        let listed = list_backups(&usb).unwrap();
        let mine: Vec<&BackupFile> = listed.iter().filter(|b| b.device != "0123abcd").collect();
        assert_eq!(mine.len(), 3);
        assert_eq!(mine[0].made_at, "2017-05-06T06:00:00+00:00", "newest first");
        assert!(stranger.exists() && usb.join("photo.jpg").exists());
        assert_eq!(store.last_backup().unwrap().unwrap().made_at, "2017-05-06T06:00:00+00:00");
        let gone = list_backups(&dir.path().join("unplugged")).unwrap_err();
        assert_eq!(field_and_key(&gone).1, "error-backup-folder-unreadable");
    }

    use chrono::TimeZone;

    #[test]
    fn a_restore_in_place_keeps_the_replaced_database_and_is_refused_while_it_is_open_elsewhere() {
        let (dir, mut store, clock) = new_store();
        let key = DbKey::passphrase("test key");
        store.add_person(&person(1, "Құрманова", "Іңкәр")).unwrap();
        let earlier = store.backup(BackupReason::Manual).unwrap();
        store.add_person(&person(201, "Бекұлы", "Арман")).unwrap();
        clock.set(Utc.with_ymd_and_hms(2017, 5, 3, 6, 0, 0).unwrap());
        let path = store.path().to_owned();
        let other = Store::open(&path, &key, clock.clone()).unwrap();
        let mut store = match store.replace_with_backup(&earlier.path, &key) {
            Err(StoreError::InUse) => Store::open(&path, &key, clock.clone()).unwrap(),
            other => panic!("restored while open elsewhere: {other:?}"),
        };
        drop(other);
        assert_eq!(store.count_persons().unwrap(), 2, "nothing changed");
        store.add_person(&person(401, "Өтемісов", "Ұлан")).unwrap();
        let (restored, kept) = store.replace_with_backup(&earlier.path, &key).unwrap();
        assert_eq!(restored.count_persons().unwrap(), 1);
        assert_eq!(kept.reason, BackupReason::BeforeRestore);
        assert_eq!(verify_backup(&kept.path, &key).unwrap().persons, 3, "what was replaced is kept");
        assert!(!dir.path().join("case.db.restoring").exists());
    }

    #[test]
    fn a_database_of_an_older_schema_is_backed_up_before_it_is_migrated() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("old.db");
        let key = DbKey::passphrase("old key");
        database_at_schema_one(&path, &key, |_| {});
        let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2017, 6, 1, 9, 0, 0).unwrap()));
        let store = Store::open(&path, &key, clock).unwrap();
        let listed = list_backups(&dir.path().join("backups")).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].reason, BackupReason::BeforeMigration);
        assert_eq!(verify_backup(&listed[0].path, &key).unwrap().schema, 1);
        assert_eq!(store.last_backup().unwrap().unwrap().reason, BackupReason::BeforeMigration);
        drop(store);
        // Opened again at the newest schema: no second backup.
        Store::open(&path, &key, Arc::new(SystemClock)).unwrap();
        assert_eq!(list_backups(&dir.path().join("backups")).unwrap().len(), 1);
    }
}
