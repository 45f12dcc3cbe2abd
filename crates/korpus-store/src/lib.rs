//! The desk's case database: SQLCipher-encrypted SQLite, migrated from the top-level `migrations/`
//! folder, written only through [`Store::write`], which appends each action's envelope to the
//! outbox in the same transaction.

mod applications;
mod backup;
mod blocks;
mod certificates;
mod clock;
mod documents;
mod error;
mod grievances;
mod held;
mod history;
mod host_orgs;
mod keys;
mod mentoring;
mod mentors;
mod money;
mod outbox;
mod outreach;
mod persons;
mod printing;
mod reference;
mod removals;
mod reports;
mod screening;
mod search;
mod selection;
mod sync;
mod tables;
mod training;
mod withdrawals;

pub use applications::{ApplicationView, insert_application};
pub use backup::{
    BACKUP_EXTENSION, BACKUP_KEEP_RANGE, BackupCheck, BackupFile, BackupReason, BackupSettings, LastBackup,
    backup_unsent, list_backups, restore_backup, verify_backup,
};
pub use blocks::NumberBlock;
pub use certificates::CertificateLine;
pub use clock::{Clock, FixedClock, SystemClock, local_time};
pub use documents::{DocumentFile, insert_document};
pub use error::{Result, StoreError};
pub use grievances::{GrievanceFilter, GrievanceLine, GrievanceView};
pub use history::HistoryEntry;
pub use host_orgs::insert_host_org;
pub use keys::{DbKey, RECOVERY_CODE_SYMBOLS, RecoveryCode};
pub use mentoring::{AssignmentLine, MentorWork};
pub use mentors::insert_mentor;
pub use money::{GrantLine, RollLine, ScholarshipRoll};
pub use outbox::{Batch, OutboxEntry, Writer, envelope_hash};
pub use persons::insert_person;
pub use printing::{
    ApplicationListView, ApplicationStanding, AttendanceView, LotteryView, ProtocolView, SummaryView,
};
pub use reference::{AdoptedRulebook, Attention, RegionCounts};
pub use removals::REMOVABLE;
pub use reports::ReportLine;
pub use screening::{SCREENING_PROGRESS_STEP, ScreeningLine};
pub use selection::{
    CommissionDecisionInput, LotteryCheck, LotteryDrawInput, MentorSelection, Ranking, RankingLine,
    SelectedHostOrg, insert_host_org_decision,
};
pub use sync::{
    AUTO_SYNC_MAX_MINUTES, ConflictField, HeldRow, IncomingChange, IncomingRow, Keep, ReceiptRecord,
    SyncCase, SyncEnrolment, SyncState,
};
pub use tables::Record;
pub use training::{AttendanceMark, Roster, RosterLine};

use include_dir::{Dir, include_dir};
use korpus_domain::{Context, Rulebook};
use outbox::Stamp;
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};
use rusqlite_migration::Migrations;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use uuid::Uuid;

static MIGRATIONS_DIR: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../migrations");

fn migrations() -> Result<Migrations<'static>> {
    Migrations::from_directory(&MIGRATIONS_DIR).map_err(|e| StoreError::Migration(e.to_string()))
}

/// The newest database schema this build knows: the number of migrations.
pub fn schema_version() -> usize {
    MIGRATIONS_DIR.dirs().count()
}

/// An open case database.
pub struct Store {
    conn: Connection,
    clock: Arc<dyn Clock>,
    rulebook: Rulebook,
    stamp: Stamp,
    device_id: Uuid,
    path: PathBuf,
    /// The key the database is open with: its backups are encrypted with it.
    key: DbKey,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).field("device", &self.device_id).finish()
    }
}

/// Opens the file and applies the key, telling a wrong key from other failures.
fn connect(path: &Path, key: &DbKey, create: bool) -> Result<Connection> {
    // SQLite marks itself initialised before it runs SQLCipher's own initialisation
    // (`sqlite3_initialize` sets `isInit`, leaves its mutex, then calls `sqlcipher_extra_init`).
    // A second thread opening its first connection in that gap finds SQLCipher not ready, and its
    // `PRAGMA key` fails with "An error occurred with PRAGMA key or rekey" (seen once in CI, two
    // tests opening their first stores at once). Opening one throw-away connection under a `Once`
    // makes every other thread wait until the whole initialisation has finished.
    static SQLITE_READY: std::sync::Once = std::sync::Once::new();
    SQLITE_READY.call_once(|| {
        // Its error, if any, is the same one the real open below reports with its path.
        let _ = Connection::open_in_memory();
    });
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags)?;
    // The indexes of names use it (migration 01): it must exist before any statement runs.
    conn.create_collation("kazakh", korpus_domain::alphabet::kazakh_cmp)?;
    conn.pragma_update(None, "key", key.secret())?;
    match conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => {}
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::NotADatabase => {
            return Err(StoreError::WrongKey);
        }
        Err(e) => return Err(e.into()),
    }
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(conn)
}

fn user_version(conn: &Connection) -> Result<usize> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize)
}

impl Store {
    /// Creates a new encrypted database at `path` for a device whose writes are signed `author`.
    /// Fails if a file is already there.
    pub fn create(path: &Path, key: &DbKey, author: &str, clock: Arc<dyn Clock>) -> Result<Store> {
        if path.exists() {
            return Err(StoreError::DatabaseExists(path.to_owned()));
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let made = (|| {
            let mut conn = connect(path, key, true)?;
            migrations()?.to_latest(&mut conn).map_err(|e| StoreError::Migration(e.to_string()))?;
            let tx = conn.transaction()?;
            reference::seed(&tx, &Rulebook::pilot_2017(), true)?;
            tx.execute(
                "INSERT INTO device (singleton, device_id, author, last_seq, hlc, created_at)
                 VALUES (1, ?1, ?2, 0, ?3, ?4)",
                (
                    Uuid::now_v7().to_string(),
                    author,
                    korpus_domain::Hlc::default().to_string(),
                    clock.now().to_rfc3339(),
                ),
            )?;
            tx.commit()?;
            Ok::<_, StoreError>(conn)
        })();
        match made {
            Ok(conn) => Store::from_connection(conn, path, key, clock),
            Err(e) => {
                // Leave no half-made file behind: the next `init` must be able to start over.
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.as_os_str().to_owned();
                    file.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(file));
                }
                Err(e)
            }
        }
    }

    /// Opens the database at `path`, migrating it to this build's schema. Refuses a database
    /// written by a newer build.
    pub fn open(path: &Path, key: &DbKey, clock: Arc<dyn Clock>) -> Result<Store> {
        if !path.is_file() {
            return Err(StoreError::NoDatabase(path.to_owned()));
        }
        let mut conn = connect(path, key, false)?;
        let found = user_version(&conn)?;
        if found == 0 {
            return Err(StoreError::NotInitialised);
        }
        if found > schema_version() {
            return Err(StoreError::NewerDatabase { found, supported: schema_version() });
        }
        // A database an older build wrote is backed up as it was before this build migrates it.
        let before = (found < schema_version())
            .then(|| backup::before_migration(&conn, key, path, clock.now()))
            .transpose()?;
        migrations()?.to_latest(&mut conn).map_err(|e| StoreError::Migration(e.to_string()))?;
        let tx = conn.transaction()?;
        reference::seed(&tx, &Rulebook::pilot_2017(), false)?;
        tx.commit()?;
        reference::register_kept(&conn)?;
        let mut store = Store::from_connection(conn, path, key, clock)?;
        if let Some(made) = before {
            store.record_backup(&made)?;
        }
        Ok(store)
    }

    fn from_connection(conn: Connection, path: &Path, key: &DbKey, clock: Arc<dyn Clock>) -> Result<Store> {
        let (device_id, author): (String, String) = conn
            .query_row("SELECT device_id, author FROM device WHERE singleton = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(|_| StoreError::NotInitialised)?;
        let rulebook = reference::current_rulebook(&conn)?;
        Ok(Store {
            stamp: Stamp {
                author,
                schema_version: user_version(&conn)? as i64,
                rulebook_version: rulebook.version.clone(),
            },
            device_id: Uuid::parse_str(&device_id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            rulebook,
            conn,
            clock,
            path: path.to_owned(),
            key: key.clone(),
        })
    }

    /// Where the database file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This device's id, made when the database was created.
    pub fn device_id(&self) -> Uuid {
        self.device_id
    }

    /// Encrypts the database with `key` from now on, and records that it was made from a recovery
    /// code now (`device.recovery_made_at`). SQLCipher's `PRAGMA rekey` rewrites every page in
    /// one transaction: interrupted, the database keeps its old key. It needs the only connection
    /// to the database, out of WAL mode (the write-ahead log is emptied into the file first, and
    /// WAL is turned back on after): a second connection open meanwhile makes it fail, unchanged.
    pub fn rekey_from_recovery_code(&mut self, key: &DbKey) -> Result<()> {
        self.take_alone()?;
        let rekeyed = self.conn.pragma_update(None, "rekey", key.secret());
        self.conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))?;
        rekeyed?;
        self.key = key.clone();
        self.set_recovery_made()
    }

    /// Makes sure this is the only connection to the database: the write-ahead log is emptied
    /// into the file and the database leaves WAL mode (the caller turns it back on, or closes).
    /// Refused as [`StoreError::InUse`] while another connection is open, nothing changed.
    fn take_alone(&mut self) -> Result<()> {
        // Another connection holding the log open makes leaving WAL mode fail at once ("database
        // is locked"), or leaves the mode as it was: nothing was changed either way.
        let busy = |e: rusqlite::Error| match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::InUse,
            _ => e.into(),
        };
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(busy)?;
        let mode = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get::<_, String>(0))
            .map_err(busy)?;
        if !mode.eq_ignore_ascii_case("delete") {
            self.conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))?;
            return Err(StoreError::InUse);
        }
        Ok(())
    }

    /// Records that the key the database was created with was made from a recovery code.
    pub fn set_recovery_made(&mut self) -> Result<()> {
        self.conn.execute(
            "UPDATE device SET recovery_made_at = ?1 WHERE singleton = 1",
            [self.clock.now().to_rfc3339()],
        )?;
        Ok(())
    }

    /// When the database's key was last made from a recovery code; none for a key made at random
    /// or a passphrase.
    pub fn recovery_made_at(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT recovery_made_at FROM device WHERE singleton = 1", [], |r| r.get(0))?)
    }

    /// Who this session's envelopes are signed by.
    pub fn author(&self) -> &str {
        &self.stamp.author
    }

    /// Signs this session's envelopes by `author` (a coordinator logging in at a shared desk).
    pub fn set_author(&mut self, author: &str) {
        author.clone_into(&mut self.stamp.author);
    }

    /// The rulebook of the current cohort.
    pub fn rulebook(&self) -> &Rulebook {
        &self.rulebook
    }

    /// What field checks need: the current rulebook and today's date in Kazakhstan.
    pub fn context(&self) -> Context<'_> {
        Context { rulebook: &self.rulebook, today: self.clock.today() }
    }

    /// Records one user action: `action` makes its changes through the writer, and they commit
    /// together with their envelope, or not at all.
    pub fn write<T>(&mut self, action: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        self.write_batch(|batch| batch.record(action))
    }

    /// Records many user actions in one transaction (bulk imports, demo data), one envelope each.
    /// If any fails, none is kept.
    pub fn write_batch<T>(&mut self, actions: impl FnOnce(&mut Batch<'_>) -> Result<T>) -> Result<T> {
        let now = self.clock.now();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut batch = Batch::new(&tx, &self.stamp, now)?;
        let out = actions(&mut batch)?;
        batch.finish()?;
        tx.commit()?;
        Ok(out)
    }

    /// The envelopes after device sequence `after_seq`, oldest first, at most `limit`.
    pub fn outbox(&self, after_seq: i64, limit: usize) -> Result<Vec<OutboxEntry>> {
        outbox::read(&self.conn, after_seq, limit, false)
    }

    /// The envelopes HQ has not answered yet, oldest first, at most `limit`: what sync pushes next.
    pub fn unsent(&self, limit: usize) -> Result<Vec<OutboxEntry>> {
        outbox::read(&self.conn, 0, limit, true)
    }

    /// How many envelopes the outbox holds.
    pub fn outbox_len(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))?)
    }
}

#[cfg(test)]
mod closing_tests;
#[cfg(test)]
mod delivery_tests;
#[cfg(test)]
mod tests;
