//! Backup and restore of a large database (issue 20): a backup through SQLite's online backup API
//! under 10 s, a restore (verified page by page, put in place, opened) under 20 s, for 100,000
//! persons. Prints the figures and writes them to `bench/results/backup.txt`.
//!
//! `KORPUS_BENCH_DB` names a database to measure (with `KORPUS_BENCH_KEY`, as `bench/run` makes);
//! without it, one of `KORPUS_BENCH_PERSONS` (default 100,000) demo persons is made first.

use korpus_app::database::{self, KeySource};
use korpus_app::demo::demo_data;
use korpus_store::{BackupReason, DbKey, Store, SystemClock};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let work = tempfile::TempDir::new()?;
    let (path, key) = match std::env::var_os("KORPUS_BENCH_DB") {
        Some(given) => {
            // A copy: the measured database gets backups and a restore, the given one is kept.
            let path = work.path().join("bench.db");
            std::fs::copy(&given, &path)?;
            (path, DbKey::passphrase(&std::env::var("KORPUS_BENCH_KEY").unwrap_or_default()))
        }
        None => {
            let path = work.path().join("bench.db");
            let key = DbKey::generate();
            let persons =
                std::env::var("KORPUS_BENCH_PERSONS").ok().and_then(|n| n.parse().ok()).unwrap_or(100_000);
            let mut store = Store::create(&path, &key, "bench", Arc::new(SystemClock))?;
            demo_data(&mut store, persons, 1)?;
            (path, key)
        }
    };
    let mut store = Store::open(&path, &key, Arc::new(SystemClock))?;
    let persons = store.count_persons()?;
    store.set_backup_settings(Some(&work.path().join("usb")), 5)?;

    let started = Instant::now();
    let made = store.backup(BackupReason::Manual)?;
    let backup_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let check = korpus_store::verify_backup(&made.path, &key)?;
    let verify_s = started.elapsed().as_secs_f64();
    assert_eq!(check.persons, persons);

    // A new laptop: verified, put in place, opened.
    let laptop: PathBuf = work.path().join("laptop/korpus.db");
    let started = Instant::now();
    let restored = database::restore_backup(
        &laptop,
        &made.path,
        &key,
        KeySource::Given(key.clone()),
        Arc::new(SystemClock),
    )?;
    let restore_new_s = started.elapsed().as_secs_f64();
    assert_eq!(restored.store.count_persons()?, persons);
    drop(restored);

    // In place: the database as it is backed up first, then replaced.
    drop(store);
    let started = Instant::now();
    let restored = database::restore_backup(
        &path,
        &made.path,
        &key,
        KeySource::Given(key.clone()),
        Arc::new(SystemClock),
    )?;
    let restore_in_place_s = started.elapsed().as_secs_f64();
    assert_eq!(restored.store.count_persons()?, persons);

    let mb = made.bytes as f64 / 1_000_000.0;
    let lines = [
        format!("database of {persons} persons, backup {mb:.1} MB"),
        format!("backup (online backup API): {backup_s:.2} s (target: under 10 s)"),
        format!("verify (every page's HMAC, quick_check): {verify_s:.2} s"),
        format!(
            "restore on a new laptop (verify, put in place, open): {restore_new_s:.2} s (target: under 20 s)"
        ),
        format!(
            "restore in place (back up the database, verify, put in place, open): {restore_in_place_s:.2} s (target: under 20 s)"
        ),
    ];
    let text = lines.join("\n");
    println!("{text}");
    let results = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench/results");
    std::fs::create_dir_all(&results)?;
    std::fs::write(results.join("backup.txt"), format!("{text}\n"))?;
    let met = backup_s < 10.0 && restore_new_s < 20.0 && restore_in_place_s < 20.0;
    if !met {
        return Err("a backup target was missed".into());
    }
    Ok(())
}
