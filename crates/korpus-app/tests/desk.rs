//! The desk's use cases on real parts: demo data through the store's one write path, and the
//! database key in the real OS keyring (run through `scripts/test`, which unlocks one).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use korpus_app::database::{self, KeySource};
use korpus_app::demo::demo_data;
use korpus_app::secrets::{KeyStore, OsKeyring};
use korpus_app::{AppError, selection};
use korpus_domain::Lang;
use korpus_domain::rules::{Subject, Verdict};
use korpus_store::{DbKey, FixedClock, Store, StoreError};
use std::collections::HashMap;
use std::sync::Arc;
use tempfile::TempDir;

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2017, 5, 2, 6, 0, 0).unwrap()))
}

fn new_store(dir: &TempDir) -> Store {
    Store::create(&dir.path().join("case.db"), &DbKey::passphrase("test key"), "aigerim", clock()).unwrap()
}

#[test]
fn demo_data_is_valid_and_fills_every_region() {
    let dir = TempDir::new().unwrap();
    let mut store = new_store(&dir);
    let summary = demo_data(&mut store, 600, 7).unwrap();
    assert_eq!(summary.persons, 600);
    assert!(summary.applications >= 40, "{summary:?}");
    assert_eq!(store.count_persons().unwrap(), 600);
    let counts = store.counts_by_region().unwrap();
    assert_eq!(counts.len(), 4);
    assert!(counts.iter().all(|c| c.persons > 0 && c.applications > 0 && c.host_orgs > 0));
    let envelopes = summary.persons
        + summary.host_orgs
        + summary.mentors
        + summary.applications
        + summary.documents
        + summary.host_org_decisions;
    assert_eq!(store.outbox_len().unwrap(), envelopes as i64);
    // Screening gives a realistic mix: organisations and mentors that pass and some that do not.
    let lines = store.screen_cohort(2017).unwrap();
    for subject in [Subject::HostOrg, Subject::Mentor] {
        let of: Vec<_> = lines.iter().filter(|l| l.subject == subject).collect();
        let failed = of.iter().filter(|l| l.result == Verdict::Fail).count();
        assert!(failed > 0 && failed < of.len(), "{subject}: {failed} of {} fail", of.len());
    }
    // Only organisations the competition selected, their memorandum signed, submit for groups.
    let applications = store.list_applications(None, 10_000, 0).unwrap();
    let mut through_orgs = 0;
    for a in &applications {
        if let Some(org) = store.application(&a.id.to_string()).unwrap().application.data.host_org_id {
            through_orgs += 1;
            let decision = store.host_org_decision(org).unwrap().expect("a decision").data;
            assert!(decision.memorandum_number.is_some(), "{decision:?}");
        }
    }
    assert!(through_orgs > 0 && summary.host_org_decisions < summary.host_orgs, "{summary:?}");
    // Nobody is in two groups, and each group's size is within the rulebook's.
    assert_eq!(applications.len(), summary.applications);
    let mut groups_of: HashMap<uuid::Uuid, usize> = HashMap::new();
    for a in &applications {
        let view = store.application(&a.id.to_string()).unwrap();
        assert!((3..=5).contains(&view.members.len()), "{} members", view.members.len());
        for m in view.members {
            *groups_of.entry(m.id).or_default() += 1;
        }
    }
    assert_eq!(groups_of.values().max(), Some(&1));
    // Run again on the same database: new people, no clash.
    demo_data(&mut store, 100, 7).unwrap();
    assert_eq!(store.count_persons().unwrap(), 700);
}

#[test]
fn a_database_is_made_and_opened_with_its_key_in_the_os_keyring() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("desk.db");
    let created = database::create(&path, KeySource::Kept(&OsKeyring), "desk", clock())
        .expect("a Secret Service on the session bus (run through scripts/test)");
    let (store, key) = (created.store, created.key);
    // The key kept is the one the recovery code makes.
    assert_eq!(created.recovery.map(|c| c.key()), Some(key.clone()));
    assert!(store.recovery_made_at().unwrap().is_some());
    let device = store.device_id();
    drop(store);
    assert_eq!(OsKeyring.load(&path).unwrap(), Some(key));
    let (again, _) = database::open(&path, KeySource::Kept(&OsKeyring), clock()).unwrap();
    assert_eq!(again.device_id(), device);
    drop(again);
    // A second database over the first is refused, and the first one's key is left alone.
    let twice = database::create(&path, KeySource::Kept(&OsKeyring), "desk", clock()).unwrap_err();
    assert!(matches!(twice, AppError::Store(StoreError::DatabaseExists(_))), "{twice:?}");
    assert_eq!(twice.exit_code(), 3);
    // Without its key the database is not opened, and says why.
    OsKeyring.delete(&path).unwrap();
    assert_eq!(OsKeyring.load(&path).unwrap(), None);
    let locked = database::open(&path, KeySource::Kept(&OsKeyring), clock()).unwrap_err();
    assert_eq!((locked.code(), locked.exit_code()), ("no_key", 3));
    let wrong = database::open(&path, KeySource::Given(DbKey::passphrase("guess")), clock()).unwrap_err();
    assert_eq!(wrong.code(), "wrong_key");
}

#[test]
fn a_database_copied_to_another_computer_opens_with_its_recovery_code_and_only_with_the_newest() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("desk.db");
    let created = database::create(&path, KeySource::Kept(&OsKeyring), "desk", clock()).unwrap();
    let (mut store, first) = (created.store, created.recovery.unwrap());
    demo_data(&mut store, 20, 5).unwrap();
    drop(store);

    // Another computer: the file elsewhere, no key kept for it.
    let copy = dir.path().join("elsewhere/korpus.db");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::copy(&path, &copy).unwrap();
    let locked = database::open(&copy, KeySource::Kept(&OsKeyring), clock()).unwrap_err();
    assert_eq!(locked.code(), "no_key");
    // A code mistyped, or another database's, opens nothing and names the field.
    let other = korpus_store::RecoveryCode::generate();
    let refused = database::open_with_recovery_code(&copy, &other, &OsKeyring, clock()).unwrap_err();
    assert_eq!(refused.fields(Lang::En)[0].field, "recovery_code");
    assert_eq!(refused.fields(Lang::En)[0].code, "error-recovery-code-wrong");
    assert_eq!(OsKeyring.load(&copy).unwrap(), None);
    // The code as the sheet shows it opens the copy, and the key is kept from then on.
    let typed = korpus_store::RecoveryCode::parse(&first.to_string().to_lowercase()).unwrap();
    let (opened, _) = database::open_with_recovery_code(&copy, &typed, &OsKeyring, clock()).unwrap();
    assert_eq!(opened.count_persons().unwrap(), 20);
    drop(opened);
    let (again, _) = database::open(&copy, KeySource::Kept(&OsKeyring), clock()).unwrap();
    drop(again);

    // A new code on the first computer: the database is encrypted again, the old code and the
    // old key no longer open it, the new code does, and the keyring keeps the new key.
    let (mut store, old_key) = database::open(&path, KeySource::Kept(&OsKeyring), clock()).unwrap();
    let second = database::new_recovery_code(&mut store, &OsKeyring).unwrap();
    assert_ne!(second, first);
    assert_eq!(store.count_persons().unwrap(), 20, "the open database goes on");
    drop(store);
    assert_eq!(OsKeyring.load(&path).unwrap(), Some(second.key()));
    let stale = database::open(&path, KeySource::Given(old_key), clock()).unwrap_err();
    assert_eq!(stale.code(), "wrong_key");
    let moved = dir.path().join("second/korpus.db");
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    std::fs::copy(&path, &moved).unwrap();
    assert!(database::open_with_recovery_code(&moved, &first, &OsKeyring, clock()).is_err());
    assert!(database::open_with_recovery_code(&moved, &second, &OsKeyring, clock()).is_ok());

    // While another connection has it open, no new code is made and nothing changes.
    let (mut one, key) = database::open(&path, KeySource::Kept(&OsKeyring), clock()).unwrap();
    let (two, _) = database::open(&path, KeySource::Given(key.clone()), clock()).unwrap();
    let busy = database::new_recovery_code(&mut one, &OsKeyring).unwrap_err();
    assert_eq!(busy.code(), "database_in_use", "{busy:?}");
    drop((one, two));
    assert_eq!(OsKeyring.load(&path).unwrap(), Some(key.clone()));
    assert!(database::open(&path, KeySource::Kept(&OsKeyring), clock()).is_ok());

    // A desk stopped after the database took its new key and before the keyring kept it: the
    // key kept aside opens it, and becomes its own.
    let (mut store, _) = database::open(&path, KeySource::Kept(&OsKeyring), clock()).unwrap();
    let third = database::new_recovery_code(&mut store, &OsKeyring).unwrap();
    drop(store);
    OsKeyring.save(&path, &key).unwrap();
    let mut aside = path.as_os_str().to_owned();
    aside.push("#new-key");
    OsKeyring.save(std::path::Path::new(&aside), &third.key()).unwrap();
    let (store, opened_with) = database::open(&path, KeySource::Kept(&OsKeyring), clock()).unwrap();
    assert_eq!(opened_with, third.key());
    assert_eq!(OsKeyring.load(&path).unwrap(), Some(third.key()));
    assert_eq!(OsKeyring.load(std::path::Path::new(&aside)).unwrap(), None);
    drop(store);

    // A database opened with a passphrase gets no code: the passphrase is its recovery.
    let given = dir.path().join("passphrase.db");
    let created =
        database::create(&given, KeySource::Given(DbKey::passphrase("cheese")), "desk", clock()).unwrap();
    assert!(created.recovery.is_none());
    let mut store = created.store;
    let refused = database::new_recovery_code(&mut store, &OsKeyring).unwrap_err();
    assert_eq!(refused.fields(Lang::Kk)[0].code, "error-recovery-needs-keyring");
    for p in [&path, &copy, &moved] {
        OsKeyring.delete(p).unwrap();
    }
}

#[test]
fn a_cohort_without_a_commission_decision_has_nothing_to_draw() {
    let dir = TempDir::new().unwrap();
    let mut store = new_store(&dir);
    demo_data(&mut store, 200, 3).unwrap();
    assert_eq!(selection::undrawn_regions(&store, 2017).unwrap(), Vec::<String>::new());
    let input = korpus_store::LotteryDrawInput {
        seed: "04 11 27 33".into(),
        drawn_on: "20.05.2017".into(),
        drawn_by: "Сейітов Нұрлан".into(),
        ..Default::default()
    };
    let refused = selection::draw_lotteries(&mut store, 2017, &input).unwrap_err();
    assert_eq!(refused.report(korpus_domain::Lang::En).details[0].field, "region");
    assert_eq!(refused.exit_code(), 1);
    assert!(store.lotteries(2017).unwrap().is_empty());
}

#[test]
fn a_screening_tells_how_far_it_has_come() {
    let dir = TempDir::new().unwrap();
    let mut store = new_store(&dir);
    demo_data(&mut store, 3_000, 5).unwrap();
    let mut told = Vec::new();
    let lines = store.screen_cohort_telling(2017, &mut |done, total| told.push((done, total))).unwrap();
    let total = lines.len();
    assert!(total > 200, "{total} subjects");
    let step = korpus_store::SCREENING_PROGRESS_STEP;
    let expected: Vec<(usize, usize)> =
        (0..total).step_by(step).map(|done| (done, total)).chain([(total, total)]).collect();
    assert_eq!(told, expected);
}
