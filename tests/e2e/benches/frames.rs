//! Whether the desk's window keeps drawing while long work runs, over a database of 100,000
//! persons (`KORPUS_BENCH_PERSONS`): the longest gap between two `requestAnimationFrame`
//! callbacks in the real window (target: none over 100 ms) while
//!
//! - (a) the cohort is screened (every application, host organisation and mentor),
//! - (b) every issued certificate of a region is printed (1,000, `KORPUS_BENCH_CERTIFICATES`),
//! - (c) 10,000 envelopes are synced with a local HQ (a release `korpus-hq` over PostgreSQL),
//! - (d) the indicators are opened.
//!
//! `KORPUS_BENCH_SCENARIOS` picks some of them (for example `db`; all by default).
//!
//! Prints the figures and writes them to `bench/results/frames-LABEL.txt` (`KORPUS_BENCH_LABEL`,
//! default `desk`), so that two builds of the desk can be compared. Run by `bench/desk`.

use chrono::Utc;
use korpus_app::demo::demo_data;
use korpus_domain::closing::certification::Holder;
use korpus_domain::closing::reports::ReportInput;
use korpus_domain::selection::commission::{CommissionMemberInput, ScoreInput};
use korpus_domain::selection::lottery::Arm;
use korpus_e2e::measure::{longest_frame_gap, watch_frames};
use korpus_e2e::{Desk, Error, Home, workspace};
use korpus_store::{CommissionDecisionInput, DbKey, LotteryDrawInput, Store, SystemClock};
use korpus_sync_tests::Hq;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The longest any one piece of work may take here.
const PATIENCE: Duration = Duration::from_secs(900);

/// One piece of work watched: what it was, how long it took, the longest frame gap, frames drawn.
struct Watched {
    what: String,
    took: Duration,
    longest_gap_ms: f64,
    frames: u64,
}

/// Starts `start` in the window, waits until `done` shows `text`, and reads the frame gaps. The
/// click and the waiting are the page's own JavaScript, run by small WebDriver calls, so that
/// WebDriver's own work in the page (its click waits for the page to settle) is not counted.
async fn watch(desk: &Desk, what: &str, start: &str, done: &str, text: &str) -> Result<Watched, Error> {
    watch_frames(desk).await?;
    let started = Instant::now();
    let click = format!("document.querySelector({start:?}).click();");
    desk.client.execute(&click, vec![]).await?;
    let shown = format!(
        "const e = document.querySelector({done:?}); return !!e && e.textContent.includes({text:?});"
    );
    loop {
        if desk.client.execute(&shown, vec![]).await?.as_bool() == Some(true) {
            break;
        }
        if started.elapsed() > PATIENCE {
            return Err(format!("{what}: {done} never showed {text:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let took = started.elapsed();
    let (longest_gap_ms, frames) = longest_frame_gap(desk).await?;
    println!(
        "{what}: {:.1} s, longest frame gap {longest_gap_ms:.0} ms, {frames} frames",
        took.as_secs_f64()
    );
    Ok(Watched { what: what.to_owned(), took, longest_gap_ms, frames })
}

fn open(home: &Home, key: &DbKey) -> Result<Store, Error> {
    Ok(Store::open(&home.database(), key, Arc::new(SystemClock))?)
}

/// A commission of three in `region` scores its first `groups` screened applications alike, selects
/// them, and the lottery draws them; arm B's groups then hand in both reports, and their members get
/// certificates until `wanted` are issued. Returns how many were.
fn issue_certificates(store: &mut Store, region: &str, groups: usize, wanted: usize) -> Result<usize, Error> {
    store.screen_cohort(2017)?;
    let applications: Vec<String> = store
        .ranking(region)?
        .lines
        .iter()
        .take(groups)
        .map(|l| l.ranked.application_id.to_string())
        .collect();
    let criteria: Vec<String> = store.rulebook().commission.criteria.iter().map(|c| c.code.clone()).collect();
    for name in ["Ахметова Сәуле", "Ержанов Болат", "Ким Ольга"] {
        let input = CommissionMemberInput {
            region: region.into(),
            full_name: name.into(),
            position: None,
            role: "member".into(),
        };
        let member = store.add_commission_member(&input)?.id.to_string();
        for app in &applications {
            let sheet = ScoreInput {
                points: criteria.iter().map(|c| (c.clone(), "6".to_owned())).collect(),
                conflict_of_interest: false,
            };
            store.record_score(app, &member, &sheet)?;
        }
    }
    store.decide_commission(&CommissionDecisionInput {
        region: region.into(),
        cut_off: format!("top:{}", applications.len()),
        decided_on: "20.05.2017".into(),
        decided_by: "Ахметова Сәуле".into(),
        reason: None,
    })?;
    store.draw_lottery(&LotteryDrawInput {
        region: region.into(),
        seed: "31 05 2017".into(),
        drawn_on: "20.05.2017".into(),
        drawn_by: "Сейітов Нұрлан".into(),
        reason: None,
    })?;
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let mut issued = 0;
    for (app, arm) in store.arms(2017)? {
        if arm != Arm::B || issued >= wanted {
            continue;
        }
        for kind in ["programme", "financial"] {
            store.submit_report(
                &app.to_string(),
                &ReportInput { kind: kind.into(), submitted_on: "13.12.2017".into() },
            )?;
        }
        for member in store.application(&app.to_string())?.members {
            if issued < wanted {
                store.issue_certificate(Holder::Person, &member.id.to_string(), "16.12.2017", &key)?;
                issued += 1;
            }
        }
    }
    Ok(issued)
}

fn main() -> Result<(), Error> {
    let number =
        |name: &str, default: usize| std::env::var(name).ok().and_then(|n| n.parse().ok()).unwrap_or(default);
    let persons = number("KORPUS_BENCH_PERSONS", 100_000);
    let envelopes = number("KORPUS_BENCH_ENVELOPES", 10_000);
    let certificates = number("KORPUS_BENCH_CERTIFICATES", 1_000);
    let label = std::env::var("KORPUS_BENCH_LABEL").unwrap_or_else(|_| "desk".to_owned());
    let scenarios = std::env::var("KORPUS_BENCH_SCENARIOS").unwrap_or_else(|_| "abcd".to_owned());
    let wanted = |scenario: char| scenarios.contains(scenario);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (home, key) = Home::with_demo(persons)?;
    let mut store = open(&home, &key)?;

    // Enrolled with a local HQ and synced; then about `envelopes` new changes wait for the window.
    // (Without scenario (c), none of this: the database stays as made.)
    let _hq = if wanted('c') {
        let hq = runtime.block_on(Hq::start())?;
        let started = Instant::now();
        runtime.block_on(async {
            korpus_app::sync::enrol(&mut store, &hq.url(), &hq.code("hq")?, "bench laptop").await?;
            let client = korpus_app::sync::client_for(&store)?;
            korpus_app::sync::sync(&mut store, &client, &Default::default(), &mut |_| {}).await?;
            Ok::<_, Error>(())
        })?;
        println!("first sync of the whole database: {:.1} s", started.elapsed().as_secs_f64());
        demo_data(&mut store, envelopes * 9 / 10, 2)?;
        Some(hq)
    } else {
        None
    };
    let waiting = store.sync_state()?.map_or(0, |s| s.unsent);
    drop(store);

    let mut watched = Vec::new();
    runtime.block_on(async {
        if !(wanted('a') || wanted('c') || wanted('d')) {
            return Ok(());
        }
        let desk = Desk::launch(&home, &[]).await?;
        desk.click("[data-testid=lang-en]").await?;
        desk.click("[data-testid=nav-selection]").await?;
        desk.wait_for("[data-testid=tab-indicators]").await?;
        if wanted('d') {
            watched.push(
                watch(
                    &desk,
                    "(d) the indicators opened",
                    "[data-testid=tab-indicators]",
                    "[data-testid=indicator-regions]",
                    "",
                )
                .await?,
            );
        }
        desk.click("[data-testid=tab-screening]").await?;
        if wanted('a') {
            watched.push(
                watch(
                    &desk,
                    "(a) the cohort screened",
                    "[data-testid=screen-run]",
                    "[data-testid=screening-summary]",
                    "checked",
                )
                .await?,
            );
        }
        if wanted('c') {
            desk.click("[data-testid=nav-sync]").await?;
            desk.wait_for("[data-testid=sync-now]").await?;
            let what = format!("(c) {waiting} envelopes synced with a local HQ");
            watched.push(watch(&desk, &what, "[data-testid=sync-now]", "[data-testid=sync-done]", "").await?);
        }
        desk.quit().await?;
        Ok::<_, Error>(())
    })?;

    if !wanted('b') {
        return report(&label, persons, &watched);
    }
    let mut store = open(&home, &key)?;
    let region = store.rulebook().regions[0].kato.clone();
    // About a third of the groups selected are drawn into arm B, of three to five members each.
    let issued = issue_certificates(&mut store, &region, certificates, certificates)?;
    drop(store);
    runtime.block_on(async {
        let desk = Desk::launch(&home, &[]).await?;
        desk.click("[data-testid=nav-certificates]").await?;
        desk.wait_for_text("[data-testid=print-all]", &format!("({issued})")).await?;
        let what = format!("(b) {issued} certificates printed at once");
        watched
            .push(watch(&desk, &what, "[data-testid=print-all]", "[data-testid=batch-done]", "saved").await?);
        desk.quit().await?;
        Ok::<_, Error>(())
    })?;
    report(&label, persons, &watched)
}

/// Prints the figures and writes them to `bench/results/frames-LABEL.txt`.
fn report(label: &str, persons: usize, watched: &[Watched]) -> Result<(), Error> {
    let mut report = format!(
        "frame gaps of the desk ({label}) over {persons} persons, {}\n",
        Utc::now().format("%Y-%m-%d %H:%M UTC")
    );
    for w in watched {
        report.push_str(&format!(
            "{:<52} {:>7.1} s  longest frame gap {:>6.0} ms  ({} frames){}\n",
            w.what,
            w.took.as_secs_f64(),
            w.longest_gap_ms,
            w.frames,
            if w.longest_gap_ms > 100.0 { "  OVER the 100 ms target" } else { "" }
        ));
    }
    print!("{report}");
    let results = workspace().join("bench/results");
    std::fs::create_dir_all(&results)?;
    std::fs::write(results.join(format!("frames-{label}.txt")), report)?;
    Ok(())
}
