//! The soak: desks of two regions and HQ, random operations and random faults from one seed, and a
//! checker at the end (a Jepsen-style run on real parts: PostgreSQL, a `korpus-hq` process,
//! SQLCipher desks, HTTP, the fault-injecting proxy, the `korpus` command killed with SIGKILL).
//!
//! Operations: persons registered, edited (the same field on two desks of a region, or others),
//! removed; sub-projects registered with three new persons and removed with their group; syncs
//! online, through a link that cuts every connection after a random number of bytes, by file
//! (one desk of each region never goes online), and by the command line killed mid-sync; conflicts
//! settled on a desk mid-run, keeping either side; sub-projects screened (a decision that names
//! its application, while another desk may be removing it); persons moved to the other region by
//! an HQ staff desk (while the old region's desks may still be editing or removing them).
//! Faults: HQ killed with SIGKILL, idle or mid-sync, and restarted; the command line killed with
//! SIGKILL mid-sync and mid-write (registering a person); a desk's database put back
//! from an older copy (what it wrote since and had not sent is gone with it; what it had sent
//! comes back from HQ, and what it writes next is numbered after HQ's highest).
//!
//! The checker, after every fault is healed and every desk synced until quiet (conflicts settled
//! by taking HQ's side, as a coordinator would):
//! - lost: a record a desk acknowledged (and did not remove) that HQ does not hold live once (but
//!   for one written after a copy and never sent before the copy was put back);
//! - doubled: a live record at HQ that no desk made, or one a desk removed (without a conflict
//!   that kept it) still live;
//! - every desk's state hash equals HQ's for its region, nothing waits, nothing is held.

use crate::{Desk, Error, FaultProxy, Hq, Snapshot, binary, person_born, regions};
use korpus_app::sync::{RetryPolicy, SyncOptions};
use korpus_domain::Entity;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;
use uuid::Uuid;

/// How big a run is.
#[derive(Debug, Clone, Copy)]
pub struct SoakConfig {
    /// Reproduces a run exactly (but for timing).
    pub seed: u64,
    /// Operations, faults included.
    pub operations: usize,
    /// Desks of the first region and of the second, at least two each (the last of each region
    /// syncs by file only).
    pub desks: [usize; 2],
}

/// What a run did and what the checker found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SoakReport {
    /// The seed.
    pub seed: u64,
    /// Operations done.
    pub operations: usize,
    /// Records written and acknowledged by a desk.
    pub writes: usize,
    /// Syncs that failed (a cut link, HQ down): retried later.
    pub failed_syncs: usize,
    /// Points at which a process was killed with SIGKILL (HQ, or the command line mid-sync).
    pub kills: usize,
    /// Desks put back from an older copy of their database.
    pub restores: usize,
    /// Persons moved to the other region by HQ staff.
    pub moves: usize,
    /// Sub-projects screened.
    pub decisions: usize,
    /// Changes HQ refused, by code (a removal of a record screened or moved meanwhile, an edit of
    /// a person moved away): each explained, none lost.
    pub refused: BTreeMap<String, usize>,
    /// Conflicts recorded and settled.
    pub conflicts: usize,
    /// Records lost (must be 0).
    pub lost: Vec<String>,
    /// Records doubled or revived (must be 0).
    pub doubled: Vec<String>,
    /// Desks whose state differs from HQ's, or that still wait or hold rows (must be 0).
    pub diverged: Vec<String>,
    /// Edits of the same field of a record, made on two desks from the same version with
    /// different values, that reached HQ.
    pub concurrent_edits: usize,
    /// Of those, edits HQ applied over another without a conflict (must be 0): each such pair is
    /// one conflict recorded, the first applied and the other answered `conflict`.
    pub overwritten: Vec<String>,
    /// Rows, row changes, moves and receipts naming an envelope HQ does not hold, envelopes and
    /// receipts naming a device it does not know (must be 0): what foreign keys asserted before
    /// push's tables gave them up (migration V11).
    pub dangling: Vec<String>,
}

impl std::fmt::Display for SoakReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "seed {}: {} operations, {} writes, {} failed syncs, {} kill -9 points, {} restores from an older copy, {} conflicts settled, {} moves, {} screenings, refused {:?}, {} concurrent same-field edits; lost {}, doubled {}, diverged {}, overwritten {}, dangling {}",
            self.seed,
            self.operations,
            self.writes,
            self.failed_syncs,
            self.kills,
            self.restores,
            self.conflicts,
            self.moves,
            self.decisions,
            self.refused,
            self.concurrent_edits,
            self.lost.len(),
            self.doubled.len(),
            self.diverged.len(),
            self.overwritten.len(),
            self.dangling.len()
        )
    }
}

impl SoakReport {
    /// Every problem the checker found, each on its own line (none when the run is clean).
    pub fn problems(&self) -> Vec<String> {
        let named = [
            ("lost", &self.lost),
            ("doubled", &self.doubled),
            ("diverged", &self.diverged),
            ("overwritten", &self.overwritten),
            ("dangling", &self.dangling),
        ];
        named.iter().flat_map(|(what, found)| found.iter().map(move |f| format!("{what}: {f}"))).collect()
    }
}

/// A desk of the soak.
struct SoakDesk {
    desk: Desk,
    region: String,
    by_file: bool,
    /// HQ staff's desk: every region; it moves persons between them.
    staff: bool,
    /// A copy of its database, with the records made and removed on it since.
    copy: Option<Copy>,
}

/// A copy of a desk's database, and what the desk acknowledged since it was taken.
struct Copy {
    snapshot: Snapshot,
    made: Vec<Uuid>,
    removed: Vec<Uuid>,
}

/// An edit of one field of a person, as a desk made it.
struct Edit {
    desk: usize,
    row: Uuid,
    /// The version the desk edited.
    base: i64,
    field: &'static str,
    value: String,
    envelope: Uuid,
}

/// What the desks acknowledged.
#[derive(Default)]
struct Ledger {
    /// Every edit of a person's field.
    edits: Vec<Edit>,
    /// Records made: entity and region.
    made: HashMap<Uuid, (Entity, String)>,
    /// Records removed by an acknowledged removal, with how many desks removed each (a copy put
    /// back undoes its desk's removal only).
    removed: HashMap<Uuid, usize>,
}

fn retry() -> RetryPolicy {
    RetryPolicy { attempts: 2, base_delay: Duration::from_millis(5), max_delay: Duration::from_millis(20) }
}

/// Syncs `desk` with HQ at `url` (HQ itself, or a proxy before it).
async fn sync_via(desk: &mut Desk, url: &str) -> Result<(), Error> {
    let token = korpus_app::secrets::load_token(desk.store.device_id())?.ok_or("no token")?;
    let key = desk.store.sync_state()?.and_then(|s| s.hq_public_key);
    let client = korpus_app::sync::Client::new(url, Some(token))?.with_hq_key(key);
    let options =
        SyncOptions { batch_envelopes: 50, page_size: 50, retry: retry(), ..SyncOptions::default() };
    korpus_app::sync::sync(&mut desk.store, &client, &options, &mut |_| {}).await?;
    Ok(())
}

/// A round trip by file: the desk's export imported at HQ, HQ's answer imported at the desk.
fn sync_by_file(hq: &Hq, desk: &mut Desk) -> Result<(), Error> {
    let dir = tempfile::TempDir::new()?;
    let (export, answer) = (dir.path().join("desk.korpus"), dir.path().join("desk.answer"));
    std::fs::write(&export, korpus_app::sync::export_file(&desk.store)?.0)?;
    hq.admin(&["import", &export.display().to_string(), "--answer", &answer.display().to_string()])?;
    korpus_app::sync::import_answer(&mut desk.store, &std::fs::read(&answer)?)?;
    Ok(())
}

/// The `korpus` command run with `args` on `desk`, killed with SIGKILL after `after`.
async fn cli_killed(desk: &Desk, args: &[&str], after: Duration) -> Result<(), Error> {
    let mut child = tokio::process::Command::new(binary("korpus")?)
        .args(args)
        .env("KORPUS_DB", desk.db_path())
        .env("KORPUS_DB_KEY", "test")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    tokio::time::sleep(after).await;
    let _ = child.start_kill();
    let _ = child.wait().await;
    Ok(())
}

/// The `korpus` command registering `person` on `desk`, killed with SIGKILL after `after`.
async fn cli_add_killed(
    desk: &Desk,
    person: &korpus_domain::PersonInput,
    after: Duration,
) -> Result<(), Error> {
    let p = &person.identity;
    let args = ["person", "add", "--iin", &p.iin, "--surname", &p.surname, "--given-name", &p.given_name];
    let more = ["--region", &p.region, "--locality", &p.locality, "--education", &person.education];
    cli_killed(desk, &[&args[..], &more[..]].concat(), after).await
}

/// A person born on a day and serial that no other person of the run has.
fn new_person(k: usize, region: &str) -> korpus_domain::PersonInput {
    let base = chrono::NaiveDate::from_ymd_opt(1992, 1, 1).unwrap_or_default();
    let born = base + chrono::Days::new((k / 60) as u64);
    person_born(((k % 60) * 150 + 1) as u16, "Сейітова", region, born)
}

/// Runs a soak.
pub async fn run(config: SoakConfig) -> Result<SoakReport, Error> {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let (r1, r2, _) = regions();
    let mut hq = Hq::start().await?;
    let mut desks = Vec::new();
    for (count, (login, region)) in config.desks.into_iter().zip([("north", &r1), ("south", &r2)]) {
        let count = count.max(2);
        for i in 0..count {
            desks.push(SoakDesk {
                desk: Desk::enrolled(&hq, login).await?,
                region: region.clone(),
                by_file: i + 1 == count,
                staff: false,
                copy: None,
            });
        }
    }
    desks.push(SoakDesk {
        desk: Desk::enrolled(&hq, "hq").await?,
        region: r1.clone(),
        by_file: false,
        staff: true,
        copy: None,
    });
    let mut ledger = Ledger::default();
    let mut report = SoakReport { seed: config.seed, ..SoakReport::default() };
    let mut next_person = 0usize;
    let mut hq_down = false;
    let mut conflicted: HashSet<Uuid> = HashSet::new();

    for _ in 0..config.operations {
        report.operations += 1;
        let d = rng.random_range(0..desks.len());
        let roll = rng.random_range(0..100);
        let SoakDesk { desk, region, by_file, staff, copy } = &mut desks[d];
        if *staff {
            match roll {
                // Move a person to the other region (refused on the desk for a group's member).
                0..=29 => {
                    let persons: Vec<_> =
                        desk.store.all_rows()?.into_iter().filter(|r| r.entity == Entity::Person).collect();
                    if persons.is_empty() {
                        continue;
                    }
                    let current =
                        desk.store.person(&persons[rng.random_range(0..persons.len())].id.to_string())?;
                    let mut input = korpus_domain::PersonInput::from(&current.data);
                    let to = if input.identity.region == r1 { r2.clone() } else { r1.clone() };
                    input.identity.region = to.clone();
                    if desk.store.edit_person(current.id, current.version, &input).is_ok() {
                        if let Some(made) = ledger.made.get_mut(&current.id) {
                            made.1 = to;
                        }
                        report.moves += 1;
                        report.writes += 1;
                    }
                }
                30..=69 => {
                    let ok = sync_via(desk, &hq.url()).await.is_ok();
                    report.failed_syncs += usize::from(!ok);
                }
                _ => {}
            }
            continue;
        }
        match roll {
            // Register a person with the command line, killed with SIGKILL at a random moment: the
            // person is there whole, with its envelope, or not at all.
            0..=2 => {
                let input = new_person(next_person, region);
                next_person += 1;
                cli_add_killed(desk, &input, Duration::from_millis(rng.random_range(0..300))).await?;
                report.kills += 1;
                if let Ok(person) = desk.store.person(&input.identity.iin) {
                    ledger.made.insert(person.id, (Entity::Person, region.clone()));
                    copy.iter_mut().for_each(|c| c.made.push(person.id));
                    report.writes += 1;
                }
            }
            // Register a person.
            3..=24 => {
                let id = desk.store.add_person(&new_person(next_person, region))?.id;
                next_person += 1;
                ledger.made.insert(id, (Entity::Person, region.clone()));
                copy.iter_mut().for_each(|c| c.made.push(id));
                report.writes += 1;
            }
            // Edit a person this desk holds: the phone (often the same field as another desk's
            // edit) or the locality.
            25..=44 => {
                let persons: Vec<_> =
                    desk.store.all_rows()?.into_iter().filter(|r| r.entity == Entity::Person).collect();
                if persons.is_empty() {
                    continue;
                }
                // Half the edits go to the region's first few persons: the same record, often
                // the same field, edited on two desks between their syncs.
                let hot = persons.len().min(4);
                let pick = if rng.random_bool(0.5) {
                    &persons[rng.random_range(0..hot)]
                } else {
                    &persons[rng.random_range(0..persons.len())]
                };
                let current = desk.store.person(&pick.id.to_string())?;
                let mut input = korpus_domain::PersonInput::from(&current.data);
                let (field, value) = if rng.random_bool(0.6) {
                    let phone = format!("+7701{:07}", rng.random_range(0..10_000_000));
                    input.identity.phone = Some(phone.clone());
                    ("phone", phone)
                } else {
                    let locality = format!("Ауыл {}", rng.random_range(0..1000));
                    input.identity.locality = locality.clone();
                    ("locality", locality)
                };
                // A value the person already has changes nothing and makes no envelope (seed 30
                // drew one): not an edit.
                if korpus_domain::PersonInput::from(&current.data) == input {
                    continue;
                }
                desk.store.edit_person(current.id, current.version, &input)?;
                let envelope = desk.store.unsent(usize::MAX)?.pop().ok_or("no envelope")?.envelope.id;
                ledger.edits.push(Edit {
                    desk: d,
                    row: current.id,
                    base: current.version,
                    field,
                    value,
                    envelope,
                });
                report.writes += 1;
            }
            // Register a sub-project of three new persons.
            45..=51 => {
                let mut members = Vec::new();
                for _ in 0..3 {
                    let id = desk.store.add_person(&new_person(next_person, region))?.id;
                    next_person += 1;
                    ledger.made.insert(id, (Entity::Person, region.clone()));
                    members.push(id);
                }
                let app = desk.add_application_of(&members, region)?;
                ledger.made.insert(app, (Entity::Application, region.clone()));
                copy.iter_mut().for_each(|c| c.made.extend(members.iter().copied().chain([app])));
                report.writes += 4;
            }
            // Remove a record this desk holds: refused while anything names it.
            52..=55 => {
                let rows: Vec<_> = desk
                    .store
                    .all_rows()?
                    .into_iter()
                    .filter(|r| matches!(r.entity, Entity::Person | Entity::Application))
                    .collect();
                if rows.is_empty() {
                    continue;
                }
                let pick = &rows[rng.random_range(0..rows.len())];
                if desk.store.remove_record(pick.entity, pick.id, pick.version).is_ok() {
                    *ledger.removed.entry(pick.id).or_default() += 1;
                    copy.iter_mut().for_each(|c| c.removed.push(pick.id));
                    report.writes += 1;
                }
            }
            // Settle the conflicts this desk was told of, keeping either side at random (a
            // removal in conflict can only take HQ's).
            56..=57 => {
                for case in desk.store.sync_cases()?.into_iter().filter(|c| c.kind == "conflict") {
                    let keep = if rng.random_bool(0.5) { "mine" } else { "theirs" };
                    conflicted.extend(case.conflicts().iter().map(|f| f.entity_id));
                    if korpus_app::sync::resolve(&mut desk.store, case.id, keep, &BTreeMap::new()).is_ok() {
                        report.conflicts += 1;
                        report.writes += 1;
                    }
                }
            }
            // Screen a sub-project this desk holds: a decision that names it.
            58..=61 => {
                let apps: Vec<_> =
                    desk.store.all_rows()?.into_iter().filter(|r| r.entity == Entity::Application).collect();
                if apps.is_empty() {
                    continue;
                }
                let app = apps[rng.random_range(0..apps.len())].id;
                if desk.store.screen(korpus_domain::rules::Subject::Application, &app.to_string()).is_ok() {
                    report.decisions += 1;
                    report.writes += 1;
                }
            }
            // Sync online, or by file for a desk without a network.
            62..=79 => {
                let ok = if *by_file {
                    !hq_down && sync_by_file(&hq, desk).is_ok()
                } else {
                    sync_via(desk, &hq.url()).await.is_ok()
                };
                report.failed_syncs += usize::from(!ok);
            }
            // Sync through a link that cuts every connection after a few kilobytes.
            80..=86 if !*by_file => {
                let direction = if rng.random_bool(0.5) { "upstream" } else { "downstream" };
                let proxy = FaultProxy::cutting(hq.port, direction, rng.random_range(200..20_000)).await?;
                let ok = sync_via(desk, &proxy.url()).await.is_ok();
                report.failed_syncs += usize::from(!ok);
            }
            // The command line's sync killed with SIGKILL mid-way.
            87..=92 if !*by_file => {
                cli_killed(desk, &["sync"], Duration::from_millis(rng.random_range(0..400))).await?;
                report.kills += 1;
            }
            // A copy of the database taken, or the copy taken before put back (a laptop restored
            // from its backup). What the desk made or removed since and had not sent is gone with
            // it: HQ never held it.
            93..=94 => match copy.take() {
                None => {
                    *copy = Some(Copy { snapshot: desk.snapshot()?, made: Vec::new(), removed: Vec::new() });
                }
                Some(Copy { snapshot, made, removed }) => {
                    desk.restore(&snapshot)?;
                    let at_hq = rows_at_hq(&hq).await?;
                    for id in made.iter().filter(|id| !at_hq.contains_key(id)) {
                        ledger.made.remove(id);
                    }
                    for id in removed.iter().filter(|id| at_hq.get(id) == Some(&false)) {
                        if let Some(n) = ledger.removed.get_mut(id) {
                            *n -= 1;
                            if *n == 0 {
                                ledger.removed.remove(id);
                            }
                        }
                    }
                    report.restores += 1;
                }
            },
            // HQ killed with SIGKILL mid-sync, or restarted after a while down.
            95..=99 => {
                if hq_down {
                    hq.restart().await?;
                    hq_down = false;
                } else if *by_file {
                    hq.kill();
                    hq_down = true;
                    report.kills += 1;
                } else {
                    let after = Duration::from_millis(rng.random_range(0..150));
                    let url = hq.url();
                    let (synced, ()) = tokio::join!(sync_via(desk, &url), async {
                        tokio::time::sleep(after).await;
                        hq.kill();
                    });
                    report.failed_syncs += usize::from(synced.is_err());
                    hq_down = true;
                    report.kills += 1;
                }
            }
            _ => {}
        }
    }

    // Heal, and sync every desk until quiet, settling conflicts by taking HQ's side.
    if hq_down {
        hq.restart().await?;
    }
    for _round in 0..4 {
        for SoakDesk { desk, by_file, .. } in &mut desks {
            if *by_file {
                sync_by_file(&hq, desk)?;
            } else {
                sync_via(desk, &hq.url()).await?;
            }
        }
        let mut settled = 0;
        for SoakDesk { desk, .. } in &mut desks {
            for case in desk.store.sync_cases()?.into_iter().filter(|c| c.kind == "conflict") {
                for field in case.conflicts() {
                    conflicted.insert(field.entity_id);
                }
                if korpus_app::sync::resolve(&mut desk.store, case.id, "theirs", &BTreeMap::new()).is_ok() {
                    settled += 1;
                }
            }
        }
        report.conflicts += settled;
        if settled == 0 {
            break;
        }
    }
    // Until quiet: a pass in which no desk had anything to send (a desk restored from a copy
    // numbers its refused envelopes again and sends them in its next sync).
    for _pass in 0..5 {
        let mut waiting = 0;
        for SoakDesk { desk, by_file, .. } in &mut desks {
            waiting += desk.store.sync_state()?.map_or(0, |s| s.unsent);
            if *by_file {
                sync_by_file(&hq, desk)?;
            } else {
                sync_via(desk, &hq.url()).await?;
            }
        }
        if waiting == 0 {
            break;
        }
    }

    // The checker. A removal HQ refused (the record screened or moved meanwhile) did not happen:
    // its desk was told so.
    for SoakDesk { desk, .. } in &desks {
        for entry in
            desk.store.outbox(0, usize::MAX)?.into_iter().filter(|e| e.receipt.as_deref() == Some("rejected"))
        {
            for op in entry.envelope.ops.iter().filter(|o| o.op == korpus_domain::OpKind::Delete) {
                if let Some(n) = ledger.removed.get_mut(&op.entity_id) {
                    *n -= 1;
                    if *n == 0 {
                        ledger.removed.remove(&op.entity_id);
                    }
                }
            }
        }
    }
    report.refused = refused_at_hq(&hq).await?;
    check_concurrent_edits(&hq, &ledger.edits, &mut report).await?;
    report.dangling = dangling_at_hq(&hq).await?;
    let live = live_rows(&hq).await?;
    for (id, (entity, region)) in &ledger.made {
        let removed = ledger.removed.contains_key(id);
        let count = live.get(id).copied().unwrap_or(0);
        if !removed && count != 1 {
            report.lost.push(format!("{entity} {id} of region {region}: {count} live at HQ"));
        }
        if removed && count > 0 && !conflicted.contains(id) {
            report.doubled.push(format!("{entity} {id} of region {region}: removed, still live at HQ"));
        }
    }
    for id in live.keys() {
        if !ledger.made.contains_key(id) {
            report.doubled.push(format!("{id}: live at HQ, made by no desk"));
        }
    }
    for (i, SoakDesk { desk, region, staff, .. }) in desks.iter().enumerate() {
        let state = desk.store.sync_state()?.ok_or("not enrolled")?;
        let held = desk.store.held_rows()?;
        let hash = desk.state_hash()?;
        let hq_hash = if *staff { hq.state_hash(&[&r1, &r2])? } else { hq.state_hash(&[region])? };
        if hash != hq_hash || state.unsent != 0 || !held.is_empty() {
            let differences = if hash == hq_hash { Vec::new() } else { hq.differences(desk, region).await? };
            report.diverged.push(format!(
                "desk {i} ({region}): state {}, {} unsent, {} held{}",
                if hash == hq_hash { "as HQ's" } else { "differs from HQ's" },
                state.unsent,
                held.len(),
                differences
                    .iter()
                    .cloned()
                    .chain(held.iter().map(|h| format!("held: {} {} ({})", h.entity, h.id, h.reason)))
                    .map(|d| format!("\n  {d}"))
                    .collect::<String>()
            ));
        }
    }
    Ok(report)
}

/// What HQ's push tables name and HQ does not hold: each as `table: count`.
async fn dangling_at_hq(hq: &Hq) -> Result<Vec<String>, Error> {
    let (client, connection) = tokio_postgres::connect(&hq.database_url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    let checks = [
        ("rows", "rows WHERE NOT EXISTS (SELECT 1 FROM envelopes e WHERE e.server_seq = rows.server_seq)"),
        (
            "row_changes",
            "row_changes c WHERE NOT EXISTS (SELECT 1 FROM envelopes e WHERE e.server_seq = c.server_seq)",
        ),
        (
            "row_moves",
            "row_moves m WHERE NOT EXISTS (SELECT 1 FROM envelopes e WHERE e.server_seq = m.server_seq)",
        ),
        (
            "receipts (server_seq)",
            "receipts r WHERE r.server_seq IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM envelopes e WHERE e.server_seq = r.server_seq)",
        ),
        ("receipts (device)", "receipts r WHERE NOT EXISTS (SELECT 1 FROM devices d WHERE d.id = r.device)"),
        (
            "envelopes (device)",
            "envelopes e WHERE NOT EXISTS (SELECT 1 FROM devices d WHERE d.id = e.device)",
        ),
    ];
    let mut dangling = Vec::new();
    for (table, from) in checks {
        let count: i64 = client.query_one(&format!("SELECT count(*) FROM {from}"), &[]).await?.get(0);
        if count > 0 {
            dangling.push(format!("{table}: {count}"));
        }
    }
    Ok(dangling)
}

/// Every person and application HQ holds a row of, each with whether it is removed. Read while HQ
/// may be down: then from its database.
async fn rows_at_hq(hq: &Hq) -> Result<HashMap<Uuid, bool>, Error> {
    let (client, connection) = tokio_postgres::connect(&hq.database_url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    Ok(client
        .query("SELECT id, deleted FROM rows WHERE entity IN ('person', 'application')", &[])
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
}

/// Every concurrent edit of the same field (two desks, the same version, different values) is a
/// conflict HQ recorded: of such edits that reached HQ, at most one was applied.
async fn check_concurrent_edits(hq: &Hq, edits: &[Edit], report: &mut SoakReport) -> Result<(), Error> {
    let (client, connection) = tokio_postgres::connect(&hq.database_url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    let ids: Vec<Uuid> = edits.iter().map(|e| e.envelope).collect();
    let answered: HashMap<Uuid, String> = client
        .query("SELECT envelope_id, status FROM receipts WHERE envelope_id = ANY($1)", &[&ids])
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let mut groups: BTreeMap<(Uuid, i64, &str), Vec<&Edit>> = BTreeMap::new();
    for edit in edits.iter().filter(|e| answered.contains_key(&e.envelope)) {
        groups.entry((edit.row, edit.base, edit.field)).or_default().push(edit);
    }
    for ((row, base, field), group) in groups {
        let desks: HashSet<usize> = group.iter().map(|e| e.desk).collect();
        let values: HashSet<&str> = group.iter().map(|e| e.value.as_str()).collect();
        if desks.len() < 2 || values.len() < 2 {
            continue;
        }
        report.concurrent_edits += group.len();
        let applied: Vec<&&Edit> = group.iter().filter(|e| answered[&e.envelope] == "applied").collect();
        if applied.len() > 1 {
            report.overwritten.push(format!(
                "person {row} {field} from version {base}: {} edits applied without a conflict ({})",
                applied.len(),
                applied
                    .iter()
                    .map(|e| format!("desk {}: {}", e.desk, e.value))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    Ok(())
}

/// The changes HQ refused and recorded, by code.
async fn refused_at_hq(hq: &Hq) -> Result<BTreeMap<String, usize>, Error> {
    let (client, connection) = tokio_postgres::connect(&hq.database_url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    let rows = client
        .query("SELECT coalesce(code, ''), count(*) FROM receipts WHERE status = 'rejected' GROUP BY 1", &[])
        .await?;
    Ok(rows.iter().map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1) as usize)).collect())
}

/// HQ's live persons and applications, each id with how many live rows it has.
async fn live_rows(hq: &Hq) -> Result<HashMap<Uuid, usize>, Error> {
    let (client, connection) = tokio_postgres::connect(&hq.database_url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    let rows = client
        .query("SELECT id FROM rows WHERE entity IN ('person', 'application') AND NOT deleted", &[])
        .await?;
    let mut out = HashMap::new();
    for r in rows {
        *out.entry(r.get::<_, Uuid>(0)).or_insert(0) += 1;
    }
    Ok(out)
}
