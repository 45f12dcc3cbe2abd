//! The soak, small: a few hundred random operations and faults on two regions' desks and HQ,
//! then the checker (src/soak.rs). `KORPUS_SOAK_SEED` replays a run; `KORPUS_SOAK_OPS` sizes it.
//! The large run is `bench/soak`.

use korpus_sync_tests::Error;
use korpus_sync_tests::soak::{SoakConfig, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desks_hq_and_faults_at_random_lose_nothing_double_nothing_and_converge() -> Result<(), Error> {
    let env =
        |name: &str, default: u64| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let config = SoakConfig {
        seed: env("KORPUS_SOAK_SEED", 19),
        operations: env("KORPUS_SOAK_OPS", 300) as usize,
        desks: [2, 2],
    };
    let report = run(config).await?;
    println!("{report}");
    let problems = report.problems();
    assert!(problems.is_empty(), "{}\n{report}", problems.join("\n"));
    // The run did what it is for: writes, failed syncs, kills.
    assert!(report.writes > 100 && report.kills > 5 && report.failed_syncs > 5, "{report}");
    Ok(())
}
