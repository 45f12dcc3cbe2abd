//! Backups from the desk: the Backups section of Settings (where they go, how many are kept, the
//! last one and its age, the backups in the folder, one verified), a backup on demand, and the
//! daily backup the desk makes by itself. Adapters over korpus-store's backup.rs, which the
//! command line uses too.

use crate::desk::Desk;
use crate::ipc::Reply;
use korpus_app::AppError;
use korpus_app::backups::{self, BackupsPanel};
use korpus_store::{BackupCheck, BackupFile, BackupReason, BackupSettings};
use std::path::PathBuf;
use std::time::Duration;
use tauri::State;

/// How often the desk looks whether its daily backup is due.
const LOOK_EVERY: Duration = Duration::from_secs(10 * 60);

/// The Backups section as it stands.
#[tauri::command]
pub async fn backups_panel(desk: State<'_, Desk>) -> Reply<BackupsPanel> {
    let (now, lang, daily_error) = (desk.now(), desk.lang(), desk.daily_backup_error());
    desk.call(move |s| backups::panel(s, now, lang, daily_error)).await
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
