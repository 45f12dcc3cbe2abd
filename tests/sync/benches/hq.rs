//! HQ under load, against a release `korpus-hq` over PostgreSQL (issue 19, Speed). Run by
//! `bench/hq`, which provides the PostgreSQL cluster and a session keyring. Two measures, printed
//! and written to `bench/results/hq.txt`:
//! - **Pushes**: `KORPUS_BENCH_DEVICES` devices (200) push their own envelopes
//!   (`KORPUS_BENCH_ENVELOPES` each, 500) at once, in batches of 500. Envelopes applied a second
//!   (target: at least 10,000) and the latency of a batch, from the first try to its answer,
//!   waits for a busy HQ included (target: p99 under 3 s), and the CPU HQ, PostgreSQL and the
//!   bench's own devices spent meanwhile.
//! - **Restores**: the same number of new devices pull a region of `KORPUS_BENCH_REGION` persons
//!   (25,000) from the start, all at once, as laptops replaced on one day would: pages served a
//!   second, rows a second, and the latency of a page.

use korpus_app::sync::client::Client;
use korpus_sync::protocol::{OwnChanges, PushRequest, ReceiptStatus};
use korpus_sync_tests::{Desk, Error, Hq, person_born, regions, unsent_sealed, workspace};
use std::time::{Duration, Instant};

const BATCH: usize = 500;
const PAGE: usize = 1_000;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|n| n.parse().ok()).unwrap_or(default)
}

/// The `q` quantile of sorted `latencies`, in milliseconds.
fn quantile(latencies: &[Duration], q: f64) -> f64 {
    let at = ((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1);
    latencies.get(at).map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

/// CPU seconds spent so far by the processes named `korpus-hq` and `postgres`, and by this
/// bench (its clients), read from `/proc`: where a 2-core machine's time goes during a measure.
fn cpu_seconds() -> [f64; 3] {
    // utime + stime, fields 14 and 15 of /proc/PID/stat (after the parenthesised name), in ticks
    // of 1/100 s on Linux.
    fn of(stat: &str) -> f64 {
        let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<&str> = after.split_whitespace().collect();
        let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
        (ticks(11) + ticks(12)) / 100.0
    }
    let mut spent = [0.0; 3];
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
        let slot = match comm.trim() {
            "korpus-hq" => 0,
            "postgres" => 1,
            _ => continue,
        };
        spent[slot] += of(&std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default());
    }
    spent[2] = of(&std::fs::read_to_string("/proc/self/stat").unwrap_or_default());
    spent
}

/// A desk of `login` holding `count` persons of `region` born from the `day`th day of 1990, a
/// thousand a day (days apart per device keep their IINs apart), sealed as push requests.
async fn device_with(
    hq: &Hq,
    login: &str,
    region: &str,
    day: u64,
    count: usize,
) -> Result<(Client, Vec<PushRequest>), Error> {
    let mut desk = Desk::enrolled(hq, login).await?;
    let first = chrono::NaiveDate::from_ymd_opt(1990, 1, 1).ok_or("date")? + chrono::Days::new(day);
    for i in 0..count {
        let born = first + chrono::Days::new((i / 1_000) as u64);
        desk.store.add_person(&person_born((i % 1_000 * 5) as u16, "Бенчмарк", region, born))?;
    }
    let sealed = unsent_sealed(&desk.store)?;
    let requests = sealed.chunks(BATCH).map(|c| PushRequest { envelopes: c.to_vec() }).collect();
    Ok((desk.client.clone().ok_or("not enrolled")?, requests))
}

fn main() -> Result<(), Error> {
    let devices = env("KORPUS_BENCH_DEVICES", 200);
    let per_device = env("KORPUS_BENCH_ENVELOPES", 500);
    let region_size = env("KORPUS_BENCH_REGION", 25_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let (r1, r2, _) = regions();
        let hq = Hq::start().await?;

        // Pushes: every device its own persons.
        let prepared = Instant::now();
        let mut pushers = Vec::new();
        for d in 0..devices {
            pushers.push(device_with(&hq, "hq", &r1, d as u64 * (per_device as u64 / 1_000 + 1), per_device).await?);
        }
        println!("{devices} devices with {per_device} envelopes each made in {:.1} s", prepared.elapsed().as_secs_f64());
        let cpu_before = cpu_seconds();
        let started = Instant::now();
        let tasks: Vec<_> = pushers
            .into_iter()
            .map(|(client, requests)| {
                tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    for request in requests {
                        let sent = Instant::now();
                        let (answer, _) = client.push(&request).await.map_err(|e| e.to_string())?;
                        latencies.push(sent.elapsed());
                        if answer.receipts.iter().any(|r| r.status != ReceiptStatus::Applied) {
                            return Err("an envelope was not applied".to_owned());
                        }
                    }
                    Ok::<_, String>(latencies)
                })
            })
            .collect();
        let mut latencies: Vec<Duration> = Vec::new();
        for task in tasks {
            latencies.extend(task.await??);
        }
        let pushed_in = started.elapsed();
        let cpu: Vec<f64> = cpu_seconds().iter().zip(cpu_before).map(|(after, before)| after - before).collect();
        let total = devices * per_device;
        let applied = hq.query_i64("SELECT count(*) FROM envelopes").await?;
        if applied != total as i64 {
            return Err(format!("{applied} envelopes at HQ, {total} pushed").into());
        }
        latencies.sort();

        let pushes = format!(
            "HQ: {devices} devices pushing {total} envelopes at once, batches of {BATCH}\n\
             applied: {total} in {:.1} s = {:.0} envelopes/s (target: at least 10000)\n\
             latency of a {BATCH}-envelope batch, waits included: p50 {:.0} ms, p99 {:.0} ms (target: p99 under 3000)\n\
             CPU meanwhile: HQ {:.1} s, PostgreSQL {:.1} s, the devices (this bench) {:.1} s, of {:.1} s of {} cores\n",
            pushed_in.as_secs_f64(),
            total as f64 / pushed_in.as_secs_f64(),
            quantile(&latencies, 0.50),
            quantile(&latencies, 0.99),
            cpu[0],
            cpu[1],
            cpu[2],
            pushed_in.as_secs_f64() * std::thread::available_parallelism().map_or(1, |n| n.get()) as f64,
            std::thread::available_parallelism().map_or(1, |n| n.get()),
        );
        print!("{pushes}");
        if region_size == 0 {
            return Ok(());
        }

        // Restores: a region of `region_size` persons, pushed by ten desks, then pulled whole by
        // as many new devices at once.
        let seeding = Instant::now();
        let writers = 10;
        for w in 0..writers {
            let (client, requests) =
                device_with(&hq, "south", &r2, 1_000 + w as u64 * 40, region_size.div_ceil(writers)).await?;
            for request in requests {
                client.push(&request).await?;
            }
        }
        let in_region = hq.query_i64(&format!("SELECT count(*) FROM rows WHERE region = '{r2}'")).await?;
        println!("region {r2}: {in_region} persons at HQ in {:.1} s", seeding.elapsed().as_secs_f64());
        let mut pullers = Vec::new();
        for _ in 0..devices {
            pullers.push(Desk::enrolled(&hq, "south").await?.client.ok_or("not enrolled")?);
        }
        let started = Instant::now();
        let tasks: Vec<_> = pullers
            .into_iter()
            .map(|client| {
                tokio::spawn(async move {
                    let (mut cursor, mut rows, mut bytes) = (0, 0usize, 0u64);
                    let mut latencies = Vec::new();
                    loop {
                        let asked = Instant::now();
                        let (page, traffic) =
                            client.pull(cursor, PAGE, OwnChanges::Brief).await.map_err(|e| e.to_string())?;
                        latencies.push(asked.elapsed());
                        rows += page.changes.iter().map(|c| c.rows.len()).sum::<usize>();
                        bytes += traffic.down;
                        cursor = page.cursor;
                        if page.cursor == page.head {
                            return Ok::<_, String>((rows, bytes, latencies));
                        }
                    }
                })
            })
            .collect();
        let (mut pages, mut rows_served, mut bytes) = (Vec::new(), 0usize, 0u64);
        for task in tasks {
            let (rows, b, l) = task.await??;
            if rows as i64 != in_region {
                return Err(format!("a device restored {rows} rows of {in_region}").into());
            }
            rows_served += rows;
            bytes += b;
            pages.extend(l);
        }
        let restored_in = started.elapsed();
        pages.sort();

        let restores = format!(
            "restore: {devices} new devices pulling a region of {in_region} persons at once, pages of {PAGE}\n\
             served: {} pages ({rows_served} rows, {:.1} MB compressed) in {:.1} s = {:.0} pages/s, {:.0} rows/s\n\
             latency of a page: p50 {:.0} ms, p99 {:.0} ms\n",
            pages.len(),
            bytes as f64 / 1e6,
            restored_in.as_secs_f64(),
            pages.len() as f64 / restored_in.as_secs_f64(),
            rows_served as f64 / restored_in.as_secs_f64(),
            quantile(&pages, 0.50),
            quantile(&pages, 0.99),
        );
        print!("{restores}");
        let results = workspace().join("bench/results");
        std::fs::create_dir_all(&results)?;
        std::fs::write(results.join("hq.txt"), pushes + &restores)?;
        Ok(())
    })
}
