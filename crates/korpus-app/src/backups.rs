//! A desk's backups as the coordinator meets them: when the daily one is due, when the lack of one
//! warns, and the Backups panel (the window's Settings; the command line's `backup list` warns
//! alike). The copies themselves are korpus-store's (`backup.rs`).

use crate::AppError;
use chrono::{DateTime, Duration, Utc};
use korpus_domain::Lang;
use korpus_store::{BackupFile, BackupSettings, LastBackup, Store};
use serde::Serialize;

/// Days without a backup after which the desk warns.
pub const WARN_AFTER_DAYS: i64 = 3;

/// Whole days since the last backup was made; none when there was none (or its time is unreadable).
pub fn age_days(last: Option<&LastBackup>, now: DateTime<Utc>) -> Option<i64> {
    made_at(last).map(|at| (now - at).num_days())
}

/// The daily backup is due: the last one is a day old or more, or there is none.
pub fn daily_due(last: Option<&LastBackup>, now: DateTime<Utc>) -> bool {
    made_at(last).is_none_or(|at| now - at >= Duration::days(1))
}

/// No backup for [`WARN_AFTER_DAYS`] days or more, or none ever.
pub fn warns(age_days: Option<i64>) -> bool {
    age_days.is_none_or(|days| days >= WARN_AFTER_DAYS)
}

fn made_at(last: Option<&LastBackup>) -> Option<DateTime<Utc>> {
    last.and_then(|l| DateTime::parse_from_rfc3339(&l.made_at).ok()).map(|at| at.with_timezone(&Utc))
}

/// The Backups section of Settings.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupsPanel {
    /// Where backups go and how many are kept.
    pub settings: BackupSettings,
    /// The last backup made, wherever it went.
    pub last: Option<LastBackup>,
    /// Whole days since it was made.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
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

/// The Backups panel as it stands at `now`; `daily_error` is the desk's last daily failure.
pub fn panel(
    store: &Store,
    now: DateTime<Utc>,
    lang: Lang,
    daily_error: Option<String>,
) -> Result<BackupsPanel, AppError> {
    let settings = store.backup_settings()?;
    let last = store.last_backup()?;
    let age_days = age_days(last.as_ref(), now);
    let (files, folder_error) = match korpus_store::list_backups(&settings.folder) {
        Ok(files) => (files, None),
        Err(e) => (Vec::new(), Some(AppError::from(e).message(lang))),
    };
    Ok(BackupsPanel { warn: warns(age_days), settings, last, age_days, files, folder_error, daily_error })
}

#[cfg(test)]
mod tests {
    use super::*;
    use korpus_store::BackupReason;

    fn made(at: &str) -> LastBackup {
        LastBackup { file: "k.kbackup".into(), made_at: at.into(), reason: BackupReason::Daily, bytes: 1 }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_daily_backup_is_due_a_day_after_the_last_or_when_there_was_none() {
        let last = made("2017-11-06T09:00:00Z");
        assert!(!daily_due(Some(&last), at("2017-11-07T08:59:59Z")));
        assert!(daily_due(Some(&last), at("2017-11-07T09:00:00Z")));
        assert!(daily_due(None, at("2017-11-07T09:00:00Z")));
        // A time the desk cannot read is no backup to rely on.
        assert!(daily_due(Some(&made("yesterday")), at("2017-11-07T09:00:00Z")));
    }

    #[test]
    fn three_whole_days_without_a_backup_warn_and_two_do_not() {
        let last = made("2017-11-04T09:00:00+06:00");
        assert_eq!(age_days(Some(&last), at("2017-11-07T02:59:59Z")), Some(2));
        assert!(!warns(age_days(Some(&last), at("2017-11-07T02:59:59Z"))));
        assert_eq!(age_days(Some(&last), at("2017-11-07T03:00:00Z")), Some(3));
        assert!(warns(age_days(Some(&last), at("2017-11-07T03:00:00Z"))));
        assert!(warns(None), "never backed up");
    }
}
