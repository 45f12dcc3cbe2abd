//! The first stores of a process opened from several threads at once: each gets its key applied.
//! In its own test binary, so that no earlier test has initialised SQLite already.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use korpus_store::{DbKey, FixedClock, Store};
use std::sync::{Arc, Barrier};

#[test]
fn stores_created_by_many_threads_at_the_first_moment_all_open() {
    const THREADS: usize = 12;
    let dir = tempfile::TempDir::new().unwrap();
    let start = Arc::new(Barrier::new(THREADS));
    let clock = Arc::new(FixedClock::new(chrono::Utc::now()));
    let made: Vec<_> = (0..THREADS)
        .map(|n| {
            let (start, clock) = (start.clone(), clock.clone());
            let path = dir.path().join(format!("case-{n}.db"));
            std::thread::spawn(move || {
                start.wait();
                Store::create(&path, &DbKey::passphrase("first open"), "aigerim", clock)
                    .map(|s| s.device_id())
            })
        })
        .collect();
    let results: Vec<_> = made.into_iter().map(|t| t.join().unwrap()).collect();
    let failed: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).map(|e| e.to_string()).collect();
    assert!(failed.is_empty(), "{} of {THREADS} stores failed to open: {failed:?}", failed.len());
}
