//! How fast the desk becomes usable, and how much memory it holds, over a database of 100,000
//! persons (`KORPUS_BENCH_PERSONS`). Prints the figures and writes them to
//! `bench/results/desk.txt`. Run by `bench/desk`, which provides Xvfb and a session keyring.
//!
//! "Interactive" is measured from the request that starts the desk (through WebKitWebDriver, whose
//! own start is therefore included: an upper bound) to the first list on screen: the home
//! screen's table of counts by region. The persons list is timed from the click that opens it.

use korpus_app::demo::demo_data;
use korpus_app::secrets::{KeyStore, OsKeyring};
use korpus_e2e::{Desk, Error, Home, workspace};
use korpus_store::{DbKey, Store, SystemClock};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Launches measured.
const LAUNCHES: usize = 5;

/// A line of `/proc/<pid>/status` (`VmRSS`, `RssAnon`...), in MB.
fn status_mb(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .unwrap_or(0.0)
        / 1024.0
}

/// Resident memory of process `pid`, the part of it that is its own (anonymous: not pages of
/// shared libraries), and the resident memory of it with all its descendants, in MB.
fn resident_mb(pid: u32) -> (f64, f64, f64) {
    let rss = |pid: u32| status_mb(pid, "VmRSS:");
    let children = |pid: u32| -> Vec<u32> {
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|c| c.parse().ok())
            .collect()
    };
    let mut total = 0.0;
    let mut queue = vec![pid];
    while let Some(p) = queue.pop() {
        total += rss(p);
        queue.extend(children(p));
    }
    (rss(pid), status_mb(pid, "RssAnon:"), total)
}

/// The desk's process (one runs at a time here): the one running the binary named `binary_name`.
fn desk_pid(binary_name: &str) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|entry| {
        let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok()?;
        (exe.file_name()?.to_str()? == binary_name).then_some(pid)
    })
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() -> Result<(), Error> {
    let persons: usize =
        std::env::var("KORPUS_BENCH_PERSONS").ok().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let home = Home::new()?;
    let path = home.database();
    std::fs::create_dir_all(path.parent().ok_or("no parent")?)?;
    let key = DbKey::generate();
    OsKeyring.save(&path, &key)?;
    let mut store = Store::create(&path, &key, "bench", Arc::new(SystemClock))?;
    let started = Instant::now();
    demo_data(&mut store, persons, 1)?;
    drop(store);
    println!("database of {persons} persons made in {:.1} s", started.elapsed().as_secs_f64());

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (mut interactive, mut persons_list, mut memory) = (Vec::new(), Vec::new(), Vec::new());
    runtime.block_on(async {
        for _ in 0..LAUNCHES {
            let started = Instant::now();
            let desk = Desk::launch(&home, &[]).await?;
            desk.wait_for("[data-testid=counts] tbody tr").await?;
            interactive.push(started.elapsed());
            let clicked = Instant::now();
            desk.click("[data-testid=nav-persons]").await?;
            desk.wait_for("[data-testid=row]").await?;
            persons_list.push(clicked.elapsed());
            tokio::time::sleep(Duration::from_millis(500)).await;
            if let Some(pid) = desk_pid("korpus-desk") {
                memory.push(resident_mb(pid));
            }
            desk.quit().await?;
        }
        Ok::<_, Error>(())
    })?;

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let worst = |v: &[Duration]| v.iter().max().copied().unwrap_or_default();
    let desk_mb = memory.iter().map(|m| m.0).fold(0.0, f64::max);
    let own_mb = memory.iter().map(|m| m.1).fold(0.0, f64::max);
    let all_mb = memory.iter().map(|m| m.2).fold(0.0, f64::max);
    let report = format!(
        "desk over {persons} persons, {LAUNCHES} launches\n\
         launch to first list on screen: median {:.0} ms, worst {:.0} ms (target: within 1000 ms)\n\
         persons list after the click:   median {:.0} ms, worst {:.0} ms\n\
         resident memory, desk process:  {desk_mb:.0} MB at most (target: under 150 MB)\n\
         of which its own (anonymous):   {own_mb:.0} MB; the rest are pages of shared libraries\n\
         resident memory, with WebKit's web and network processes: {all_mb:.0} MB at most\n",
        ms(median(interactive.clone())),
        ms(worst(&interactive)),
        ms(median(persons_list.clone())),
        ms(worst(&persons_list)),
    );
    print!("{report}");
    let results = workspace().join("bench/results");
    std::fs::create_dir_all(&results)?;
    std::fs::write(results.join("desk.txt"), report)?;
    Ok(())
}
