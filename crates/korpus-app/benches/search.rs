//! Search latency among many persons, as a coordinator types: IIN prefixes, one-letter and
//! three-letter name prefixes, two names in reversed order, full names. Prints p50, p95 and max
//! per kind of query and writes them to `bench/results/search.txt`.
//!
//! `KORPUS_BENCH_DB` names a database to measure (with `KORPUS_BENCH_KEY`, as `bench/run` makes);
//! without it, one of `KORPUS_BENCH_PERSONS` (default 100,000) demo persons is made first.

use korpus_app::demo::demo_data;
use korpus_domain::Person;
use korpus_store::{DbKey, Record, Store, SystemClock};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Queries of each kind measured.
const QUERIES: usize = 400;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn prefix(word: &str, chars: usize) -> String {
    word.chars().take(chars).collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _dir;
    let (path, key) = match std::env::var_os("KORPUS_BENCH_DB") {
        Some(path) => {
            (PathBuf::from(path), DbKey::passphrase(&std::env::var("KORPUS_BENCH_KEY").unwrap_or_default()))
        }
        None => {
            _dir = tempfile::TempDir::new()?;
            let path = _dir.path().join("bench.db");
            let key = DbKey::generate();
            let persons =
                std::env::var("KORPUS_BENCH_PERSONS").ok().and_then(|n| n.parse().ok()).unwrap_or(100_000);
            let mut store = Store::create(&path, &key, "bench", Arc::new(SystemClock))?;
            let started = Instant::now();
            demo_data(&mut store, persons, 1)?;
            println!("demo data: {persons} persons in {:.1} s", started.elapsed().as_secs_f64());
            (path, key)
        }
    };
    let store = Store::open(&path, &key, Arc::new(SystemClock))?;
    let total = store.count_persons()?;
    let mut rng = StdRng::seed_from_u64(42);
    let mut sample: Vec<Record<Person>> = Vec::new();
    for _ in 0..QUERIES {
        sample.extend(store.list_persons(None, 1, rng.random_range(0..total as usize))?);
    }

    let kinds: Vec<(&str, Vec<String>)> = vec![
        ("IIN, 6 digits", sample.iter().map(|p| p.data.identity.iin.to_string()[..6].to_owned()).collect()),
        ("IIN, 10 digits", sample.iter().map(|p| p.data.identity.iin.to_string()[..10].to_owned()).collect()),
        (
            "name, 1 letter",
            sample.iter().map(|p| prefix(&p.data.identity.surname, 1).to_lowercase()).collect(),
        ),
        (
            "name, 3 letters",
            sample.iter().map(|p| prefix(&p.data.identity.given_name, 3).to_lowercase()).collect(),
        ),
        (
            "given + surname prefixes",
            sample
                .iter()
                .map(|p| {
                    format!(
                        "{} {}",
                        prefix(&p.data.identity.given_name, 4),
                        prefix(&p.data.identity.surname, 4).to_uppercase()
                    )
                })
                .collect(),
        ),
        ("full name", sample.iter().map(|p| p.data.identity.full_name()).collect()),
    ];

    let mut report =
        format!("search among {total} persons, {QUERIES} queries of each kind, 20 results at most\n");
    let mut all = Vec::new();
    for (kind, queries) in &kinds {
        let mut times = Vec::with_capacity(queries.len());
        let mut found = 0;
        for q in queries {
            let started = Instant::now();
            found += store.search_persons(q, 20)?.len();
            times.push(started.elapsed());
        }
        times.sort();
        all.extend(times.iter().copied());
        report.push_str(&format!(
            "{kind:<26} p50 {:>7.3} ms  p95 {:>7.3} ms  max {:>7.3} ms  ({:.1} results on average)\n",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.95).as_secs_f64() * 1e3,
            times.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
            found as f64 / queries.len() as f64,
        ));
    }
    all.sort();
    report.push_str(&format!(
        "all queries                p95 {:>7.3} ms (target: under 10 ms)\n",
        percentile(&all, 0.95).as_secs_f64() * 1e3
    ));
    print!("{report}");
    let results = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench/results");
    std::fs::create_dir_all(&results)?;
    std::fs::write(results.join("search.txt"), report)?;
    Ok(())
}
