//! Backups from the desk: the Backups section of Settings (where they go, how many are kept, the
//! last one and its age, the backups in the folder, one verified), a backup on demand, and the
//! daily backup the desk makes by itself. Adapters over korpus-store's backup.rs, which the
//! command line uses too.

use crate::desk::Desk;
use crate::ipc::Reply;
use korpus_app::AppError;
use korpus_store::{BackupCheck, BackupFile, BackupReason, BackupSettings, LastBackup};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;
use tauri::State;
use ts_rs::TS;

/// Days without a backup after which the Backups section warns.
pub const WARN_AFTER_DAYS: i64 = 3;
/// How often the desk looks whether its daily backup is due.
const LOOK_EVERY: Duration = Duration::from_secs(10 * 60);

/// The Backups section of Settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct BackupsPanel {
    /// Where backups go and how many are kept.
    pub settings: BackupSettings,
    /// The last backup made, wherever it went.
    pub last: Option<LastBackup>,
    /// Whole days since it was made.
    #[ts(type = "number | null")]
    pub age_days: Option<i64>,
    /// No backup for more than [`WARN_AFTER_DAYS`] days, or none ever.
    pub warn: bool,
    /// The backups in the folder, newest first.
    pub files: Vec<BackupFile>,
    /// Why the folder could not be listed (a USB stick not plugged in), in the user's language.
    pub folder_error: Option<String>,
    /// Why the last daily backup failed, if it did, in the user's language.
    pub daily_error: Option<String>,
}

/// The Backups section as it stands.
#[tauri::command]
pub async fn backups_panel(desk: State<'_, Desk>) -> Reply<BackupsPanel> {
    let (now, lang, daily_error) = (desk.now(), desk.lang(), desk.daily_backup_error());
    desk.call(move |s| {
        let settings = s.backup_settings()?;
        let last = s.last_backup()?;
        let age_days = last
            .as_ref()
            .and_then(|l| chrono::DateTime::parse_from_rfc3339(&l.made_at).ok())
            .map(|at| (now - at.with_timezone(&chrono::Utc)).num_days());
        let (files, folder_error) = match korpus_store::list_backups(&settings.folder) {
            Ok(files) => (files, None),
            Err(e) => (Vec::new(), Some(AppError::from(e).message(lang))),
        };
        Ok::<_, AppError>(BackupsPanel {
            warn: age_days.is_none_or(|days| days >= WARN_AFTER_DAYS),
            settings,
            last,
            age_days,
            files,
            folder_error,
            daily_error,
        })
    })
    .await
}

/// Backs the database up now.
#[tauri::command]
pub async fn backup_now(desk: State<'_, Desk>) -> Reply<BackupFile> {
    desk.call(|s| s.backup(BackupReason::Manual)).await
}

/// Chooses the backup folder (empty: the folder beside the database) and how many are kept.
#[tauri::command]
pub async fn save_backup_settings(desk: State<'_, Desk>, folder: String, keep: u32) -> Reply<BackupSettings> {
    desk.call(move |s| {
        let folder = Some(folder.trim()).filter(|f| !f.is_empty()).map(PathBuf::from);
        s.set_backup_settings(folder.as_deref(), keep)
    })
    .await
}

/// Verifies a backup with the database's key.
#[tauri::command]
pub async fn verify_backup(desk: State<'_, Desk>, path: String) -> Reply<BackupCheck> {
    let key = desk.key()?;
    let lang = desk.lang();
    tauri::async_runtime::spawn_blocking(move || {
        korpus_store::verify_backup(std::path::Path::new(&path), &key)
            .map_err(|e| AppError::from(e).report(lang))
    })
    .await
    .unwrap_or_else(|e| Err(AppError::Internal(e.to_string()).report(lang)))
}

/// The desk's daily backup, looked for when the desk starts and every ten minutes after
/// ([`Desk::daily_backup_if_due`]); runs on a thread of its own for the desk's whole life.
pub fn keep_daily_backups(app: tauri::AppHandle) {
    use tauri::Manager;
    let every = look_every();
    loop {
        app.state::<Desk>().daily_backup_if_due();
        std::thread::sleep(every);
    }
}

/// Ten minutes; in a debug build, `KORPUS_BACKUP_LOOK_SECONDS` when set, so that window tests
/// see the daily backup without waiting for it (as `KORPUS_CLOCK_FILE` moves the desk's day).
fn look_every() -> Duration {
    #[cfg(debug_assertions)]
    if let Some(seconds) = std::env::var("KORPUS_BACKUP_LOOK_SECONDS").ok().and_then(|s| s.parse().ok()) {
        return Duration::from_secs(seconds);
    }
    LOOK_EVERY
}
