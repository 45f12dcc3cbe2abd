//! `korpus backup`: whole, encrypted copies of the database (korpus-store backup.rs) into the
//! folder the coordinator chose, listed, verified page by page, and restored in its place.

use crate::App;
use clap::{Args, Subcommand};
use korpus_app::database::{self, KeySource};
use korpus_app::{AppError, Result};
use korpus_store::{BackupFile, BackupReason, DbKey, RecoveryCode, SystemClock};
use serde_json::json;
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Back the database up now, into the backup folder; the oldest beyond the number kept go.
    Create,
    /// The backups in the backup folder (or another), newest first, and the last one made.
    List {
        /// Another folder than the one set (a USB stick from another desk).
        #[arg(long, value_name = "DIR")]
        folder: Option<PathBuf>,
    },
    /// Check a backup page by page and say what it holds.
    Verify(FileArgs),
    /// Put a backup in the database's place; the database as it was is backed up first.
    Restore(FileArgs),
    /// Where backups go and how many are kept: shown, or set.
    Settings {
        /// The folder backups go to: a full path (a USB stick).
        #[arg(long, value_name = "DIR", conflicts_with = "default_folder")]
        folder: Option<PathBuf>,
        /// Back up into the `backups` folder beside the database again.
        #[arg(long)]
        default_folder: bool,
        /// How many of this device's backups to keep (1 to 365).
        #[arg(long)]
        keep: Option<u32>,
    },
}

/// A backup file, and the key to open it with.
#[derive(Debug, Args)]
pub struct FileArgs {
    /// The backup file (`.kbackup`).
    pub file: PathBuf,
    /// Open it with its recovery code, read from standard input, instead of this database's key
    /// (a new laptop, or a backup made before the code was changed).
    #[arg(long)]
    pub code: bool,
}

pub fn run(app: &App, command: BackupCommand) -> Result<()> {
    let out = app.out;
    match command {
        BackupCommand::Create => {
            let made = app.store()?.backup(BackupReason::Manual)?;
            out.print(&made, || {
                out.tr(
                    "cli-backup-made",
                    &[("path", made.path.display().to_string()), ("size", megabytes(made.bytes))],
                )
            });
        }
        BackupCommand::List { folder } => {
            // The desk's own folder: with the last backup made and its age (the same warning as
            // the desk's Backups page after three days without one).
            let (folder, last, age_days) = match folder {
                Some(folder) => (folder, None, None),
                None => {
                    let store = app.store()?;
                    let last = store.last_backup()?;
                    let age = korpus_app::backups::age_days(last.as_ref(), store.now());
                    (store.backup_settings()?.folder, last, Some(age))
                }
            };
            let warn = age_days.is_some_and(korpus_app::backups::warns);
            let listed = korpus_store::list_backups(&folder)?;
            let shown = json!({
                "folder": folder, "backups": listed, "last": last, "age_days": age_days.flatten(), "warn": warn,
            });
            out.print(&shown, || {
                let mut lines: Vec<String> = listed.iter().map(|b| line(app, b)).collect();
                if lines.is_empty() {
                    lines.push(out.tr("cli-backup-none", &[("folder", folder.display().to_string())]));
                }
                if let Some(last) = &last {
                    lines.push(out.tr(
                        "cli-backup-last",
                        &[("date", local(&last.made_at)), ("path", last.file.clone())],
                    ));
                }
                if warn {
                    lines.push(match age_days.flatten() {
                        Some(days) => out.tr("backups-warn-old", &[("days", days.to_string())]),
                        None => out.tr("backups-warn-none", &[]),
                    });
                }
                lines.join("\n")
            });
        }
        BackupCommand::Verify(file) => {
            let key = backup_key(app, &file)?;
            let check = korpus_store::verify_backup(&file.file, &key)?;
            out.print(&check, || {
                out.tr(
                    "cli-backup-verified",
                    &[
                        ("path", file.file.display().to_string()),
                        ("device", check.device_id.clone()),
                        ("persons", check.persons.to_string()),
                        ("applications", check.applications.to_string()),
                        ("unsent", check.unsent.to_string()),
                    ],
                )
            });
        }
        BackupCommand::Restore(file) => {
            let key = backup_key(app, &file)?;
            let restored = database::restore_backup(
                app.db(),
                &file.file,
                &key,
                app.key_source(),
                Arc::new(SystemClock),
            )?;
            let replaced = restored.replaced.as_ref().map(|b| b.path.display().to_string());
            let report = json!({
                "path": app.db(),
                "backup": file.file,
                "device": restored.store.device_id(),
                "persons": restored.store.count_persons()?,
                "replaced_kept_in": replaced,
            });
            out.print(&report, || {
                let mut text = out.tr(
                    "cli-backup-restored",
                    &[("path", app.db().display().to_string()), ("backup", file.file.display().to_string())],
                );
                if let Some(kept) = &replaced {
                    text.push('\n');
                    text.push_str(&out.tr("cli-backup-replaced-kept", &[("path", kept.clone())]));
                }
                text
            });
        }
        BackupCommand::Settings { folder, default_folder, keep } => {
            let mut store = app.store()?;
            let mut settings = store.backup_settings()?;
            if folder.is_some() || default_folder || keep.is_some() {
                let chosen = match (&folder, default_folder) {
                    (Some(folder), _) => Some(folder.clone()),
                    (None, true) => None,
                    (None, false) => settings.chosen.then(|| settings.folder.clone()),
                };
                settings = store.set_backup_settings(chosen.as_deref(), keep.unwrap_or(settings.keep))?;
            }
            out.print(&settings, || {
                out.tr(
                    "cli-backup-settings",
                    &[("folder", settings.folder.display().to_string()), ("keep", settings.keep.to_string())],
                )
            });
        }
    }
    Ok(())
}

/// The key a backup opens with: its recovery code from standard input, or this database's key.
pub(crate) fn backup_key(app: &App, file: &FileArgs) -> Result<DbKey> {
    if file.code {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| AppError::file("-", e))?;
        return Ok(RecoveryCode::parse(&line)?.key());
    }
    let source: KeySource<'_> = app.key_source();
    database::kept_key(app.db(), &source)
}

/// One backup as a line: when (local time), why, how big, where.
fn line(app: &App, backup: &BackupFile) -> String {
    format!(
        "{}  {:<24} {:>9}  {}",
        local(&backup.made_at),
        app.out.tr(&format!("backup-reason-{}", backup.reason.code()), &[]),
        megabytes(backup.bytes),
        backup.path.display()
    )
}

fn local(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.with_timezone(&chrono::Local).format("%d.%m.%Y %H:%M").to_string())
        .unwrap_or_else(|_| rfc3339.to_owned())
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}
