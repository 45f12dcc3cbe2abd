//! How fast the desk becomes usable, and how much memory it holds, over a database of 100,000
//! persons (`KORPUS_BENCH_PERSONS`). Prints the figures and writes them to
//! `bench/results/desk.txt`. Run by `bench/desk`, which provides Xvfb and a session keyring.
//!
//! "Interactive" is measured from the request that starts the desk (through WebKitWebDriver, whose
//! own start is therefore included: an upper bound) to the first list on screen: the home
//! screen's table of counts by region. The persons list is timed from the click that opens it.

use korpus_e2e::measure::{Memory, desk_pid, memory, process_tree};
use korpus_e2e::{Desk, Error, Home, workspace};
use std::time::{Duration, Instant};

/// Launches measured.
const LAUNCHES: usize = 5;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// What launches of the desk over one database measured.
#[derive(Default)]
struct Launches {
    interactive: Vec<Duration>,
    persons_list: Vec<Duration>,
    /// Per process of the desk's tree (by name), the most of any launch.
    memory: Vec<Memory>,
    /// The most PSS of the whole tree at once.
    tree_pss: f64,
}

impl Launches {
    fn keep(&mut self, tree: Vec<Memory>) {
        self.tree_pss = self.tree_pss.max(tree.iter().map(|m| m.pss).sum());
        for m in tree {
            match self.memory.iter_mut().find(|k| k.name == m.name) {
                Some(k) => {
                    k.rss = k.rss.max(m.rss);
                    k.pss = k.pss.max(m.pss);
                    k.anonymous = k.anonymous.max(m.anonymous);
                }
                None => self.memory.push(m),
            }
        }
    }

    fn of(&self, name: &str) -> Memory {
        self.memory.iter().find(|m| m.name == name).cloned().unwrap_or_default()
    }
}

/// Launches the desk `times` over `home`: the first list on screen, the persons list, memory.
async fn launch(home: &Home, times: usize) -> Result<Launches, Error> {
    let mut out = Launches::default();
    for _ in 0..times {
        let started = Instant::now();
        let desk = Desk::launch(home, &[]).await?;
        desk.wait_for("[data-testid=counts] tbody tr").await?;
        out.interactive.push(started.elapsed());
        let clicked = Instant::now();
        desk.click("[data-testid=nav-persons]").await?;
        desk.wait_for("[data-testid=row]").await?;
        out.persons_list.push(clicked.elapsed());
        tokio::time::sleep(Duration::from_millis(500)).await;
        if let Some(pid) = desk_pid("korpus-desk") {
            out.keep(process_tree(pid).into_iter().map(memory).collect());
        }
        desk.quit().await?;
    }
    Ok(out)
}

fn main() -> Result<(), Error> {
    let persons: usize =
        std::env::var("KORPUS_BENCH_PERSONS").ok().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let ((small, _), (large, _)) = (Home::with_demo(50)?, Home::with_demo(persons)?);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (few, many) = runtime
        .block_on(async { Ok::<_, Error>((launch(&small, 2).await?, launch(&large, LAUNCHES).await?)) })?;

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let worst = |v: &[Duration]| v.iter().max().copied().unwrap_or_default();
    let mut report = format!(
        "desk over {persons} persons, {LAUNCHES} launches\n\
         launch to first list on screen: median {:.0} ms, worst {:.0} ms (target: within 1000 ms)\n\
         persons list after the click:   median {:.0} ms, worst {:.0} ms\n\
         memory in MB, the most of any launch (from /proc/PID/smaps_rollup):\n\
         {:<22} {:>28} {:>28}\n",
        ms(median(many.interactive.clone())),
        ms(worst(&many.interactive)),
        ms(median(many.persons_list.clone())),
        ms(worst(&many.persons_list)),
        "process",
        "50 persons: RSS / private / PSS",
        format!("{persons} persons: RSS / private / PSS"),
    );
    let mut names: Vec<String> = many.memory.iter().map(|m| m.name.clone()).collect();
    names
        .extend(few.memory.iter().map(|m| m.name.clone()).filter(|n| !names.contains(n)).collect::<Vec<_>>());
    for name in &names {
        let (a, b) = (few.of(name), many.of(name));
        report.push_str(&format!(
            "{name:<22} {:>12.1} / {:>5.1} / {:>5.1} {:>12.1} / {:>5.1} / {:>5.1}\n",
            a.rss, a.anonymous, a.pss, b.rss, b.anonymous, b.pss
        ));
    }
    let (own_few, own_many) = (few.of("korpus-desk").anonymous, many.of("korpus-desk").anonymous);
    let growth = if own_few > 0.0 { (own_many - own_few) / own_few * 100.0 } else { 0.0 };
    report.push_str(&format!(
        "the desk's own private memory: {own_few:.1} MB over 50 persons, {own_many:.1} MB over {persons} \
         ({growth:+.1} %) (target: at most 40 MB, within 10 %)\n\
         PSS of the whole desk process tree: {:.1} MB over 50 persons, {:.1} MB over {persons} \
         (target: at most 250 MB)\n",
        few.tree_pss, many.tree_pss
    ));
    print!("{report}");
    let results = workspace().join("bench/results");
    std::fs::create_dir_all(&results)?;
    std::fs::write(results.join("desk.txt"), report)?;
    Ok(())
}
