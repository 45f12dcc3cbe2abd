//! HQ under load: 50 devices pushing at once, each its own envelopes in batches of 500, against a
//! release `korpus-hq` over PostgreSQL. Prints envelopes applied per second (target: at least
//! 5,000) and the p99 latency of a 500-envelope batch, and writes them to `bench/results/hq.txt`.
//! Run by `bench/hq`, which provides the PostgreSQL cluster and a session keyring.

use korpus_sync::protocol::{PushRequest, ReceiptStatus};
use korpus_sync_tests::{Desk, Error, Hq, person_born, regions, unsent_sealed, workspace};
use std::time::{Duration, Instant};

const DEVICES: usize = 50;
const BATCH: usize = 500;

fn main() -> Result<(), Error> {
    let per_device: usize =
        std::env::var("KORPUS_BENCH_ENVELOPES").ok().and_then(|n| n.parse().ok()).unwrap_or(1_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let (r1, _, _) = regions();
        let hq = Hq::start().await?;
        // Every device writes its own persons (distinct IINs: one birth date per device).
        let mut batches: Vec<(korpus_app::sync::client::Client, Vec<PushRequest>)> = Vec::new();
        let prepared = Instant::now();
        for d in 0..DEVICES {
            let mut desk = Desk::enrolled(&hq, "hq").await?;
            let born =
                chrono::NaiveDate::from_ymd_opt(1995, 1, 1).ok_or("date")? + chrono::Days::new(d as u64 * 3);
            for i in 0..per_device {
                desk.store.add_person(&person_born((i * 5) as u16, "Бенчмарк", &r1, born))?;
            }
            let sealed = unsent_sealed(&desk.store)?;
            let requests = sealed.chunks(BATCH).map(|c| PushRequest { envelopes: c.to_vec() }).collect();
            batches.push((desk.client.clone().ok_or("not enrolled")?, requests));
        }
        println!(
            "{DEVICES} devices with {per_device} envelopes each made in {:.1} s",
            prepared.elapsed().as_secs_f64()
        );

        let started = Instant::now();
        let tasks: Vec<_> = batches
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
        let elapsed = started.elapsed();
        let total = DEVICES * per_device;
        let applied = hq.query_i64("SELECT count(*) FROM envelopes").await?;
        if applied != total as i64 {
            return Err(format!("{applied} envelopes at HQ, {total} pushed").into());
        }
        latencies.sort();
        let p = |q: f64| latencies[((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1)];
        let report = format!(
            "HQ: {DEVICES} devices pushing {total} envelopes at once, batches of {BATCH}\n\
             applied: {total} in {:.1} s = {:.0} envelopes/s (target: at least 5000)\n\
             latency of a {BATCH}-envelope batch: p50 {:.0} ms, p99 {:.0} ms\n",
            elapsed.as_secs_f64(),
            total as f64 / elapsed.as_secs_f64(),
            p(0.50).as_secs_f64() * 1e3,
            p(0.99).as_secs_f64() * 1e3,
        );
        print!("{report}");
        let results = workspace().join("bench/results");
        std::fs::create_dir_all(&results)?;
        std::fs::write(results.join("hq.txt"), report)?;
        Ok(())
    })
}
