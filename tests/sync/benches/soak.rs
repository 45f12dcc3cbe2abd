//! `bench/soak`: the soak, large (src/soak.rs): 5 desks (3 of one region, 2 of the other),
//! 20,000 operations by default, printing operations, kill -9 points, faults, lost (must be 0),
//! doubled (must be 0), concurrent same-field edits overwritten without a conflict (must be 0),
//! rows or receipts naming an envelope or device HQ does not hold (must be 0) and the seed, and writing them to `bench/results/soak.txt`.
//! `KORPUS_SOAK_SEED` and `KORPUS_SOAK_OPS` change the run.

use korpus_sync_tests::soak::{SoakConfig, run};

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let env =
        |name: &str, default: u64| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let seed = env("KORPUS_SOAK_SEED", rand::random::<u16>() as u64);
    let config = SoakConfig { seed, operations: env("KORPUS_SOAK_OPS", 20_000) as usize, desks: [3, 2] };
    let started = std::time::Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let report = runtime.block_on(run(config))?;
    let text = format!("{report}; {:.0} s\n", started.elapsed().as_secs_f64());
    print!("{text}");
    let problems = report.problems();
    for line in &problems {
        println!("  {line}");
    }
    let results = korpus_sync_tests::workspace().join("bench/results");
    std::fs::create_dir_all(&results)?;
    std::fs::write(results.join("soak.txt"), &text)?;
    if problems.is_empty() { Ok(()) } else { Err(format!("the soak found problems (seed {seed})").into()) }
}
