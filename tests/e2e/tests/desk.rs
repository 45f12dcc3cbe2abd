//! The desk in its real window: driven through tauri-driver and WebKitWebDriver under Xvfb, with
//! its database in a temporary home and its key in the session's real keyring.

// A failed unwrap fails the test, which is what it should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use korpus_app::secrets::{KeyStore, OsKeyring};
use korpus_domain::{Iin, Sex};
use korpus_e2e::{Desk, Home};
use korpus_store::{DbKey, Store, SystemClock};
use std::sync::Arc;

/// One window at a time: two WebKit processes on two cores make every test slow and flaky.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn iin(y: i32, m: u32, d: u32, sex: Sex, serial: u16) -> String {
    let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
    (serial..serial + 100).find_map(|s| Iin::compose(date, sex, s)).unwrap().to_string()
}

/// The desk's own database, opened beside it with the key from the keyring.
fn open_database(home: &Home) -> Store {
    let key: DbKey = OsKeyring.load(&home.database()).unwrap().expect("the desk kept its key in the keyring");
    Store::open(&home.database(), &key, Arc::new(SystemClock)).unwrap()
}

async fn add_person(desk: &Desk, iin: &str, surname: &str, given: &str) {
    desk.click("[data-testid=nav-persons]").await.unwrap();
    desk.click("[data-testid=add]").await.unwrap();
    desk.type_into("#field-iin", iin).await.unwrap();
    desk.type_into("#field-surname", surname).await.unwrap();
    desk.type_into("#field-given_name", given).await.unwrap();
    desk.choose("#field-region", "550000000").await.unwrap();
    desk.type_into("#field-locality", "Ақсу").await.unwrap();
    desk.choose("#field-education", "tvet_student").await.unwrap();
    desk.click("[data-testid=save]").await.unwrap();
    desk.wait_for_text("[data-testid=title]", surname).await.unwrap();
}

#[tokio::test]
async fn person_with_a_valid_iin_is_created_and_found_by_search() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let home = Home::new().unwrap();
    let desk = Desk::launch(&home, &[]).await.unwrap();
    desk.screenshot("home-empty").await.unwrap();
    let valid = iin(1996, 5, 17, Sex::Female, 10);
    desk.click("[data-testid=nav-persons]").await.unwrap();
    desk.click("[data-testid=add]").await.unwrap();
    desk.screenshot("person-form").await.unwrap();
    desk.click("[data-testid=cancel]").await.unwrap();
    add_person(&desk, &valid, "Құрманова", "Іңкәр").await;
    desk.wait_for_text("[data-testid=detail-birth_date]", "17.05.1996").await.unwrap();
    desk.screenshot("person-detail").await.unwrap();

    desk.click("[data-testid=nav-persons]").await.unwrap();
    desk.type_into("[data-testid=search]", "іңкәр ҚҰРМАН").await.unwrap();
    let row = desk.wait_for_text("[data-testid=row]", &valid).await.unwrap();
    assert!(row.contains("Құрманова Іңкәр"), "{row}");
    desk.type_into("[data-testid=search]", &valid[..6]).await.unwrap();
    desk.wait_for_text("[data-testid=row]", "Құрманова").await.unwrap();
    desk.screenshot("persons-search").await.unwrap();
    desk.quit().await.unwrap();
}

#[tokio::test]
async fn wrong_iin_shows_its_error_next_to_the_field_and_writes_nothing() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let home = Home::new().unwrap();
    let desk = Desk::launch(&home, &[]).await.unwrap();
    let valid = iin(1996, 5, 17, Sex::Female, 10);
    let last = valid.as_bytes()[11] - b'0';
    let wrong = format!("{}{}", &valid[..11], (last + 1) % 10);
    desk.click("[data-testid=nav-persons]").await.unwrap();
    desk.click("[data-testid=add]").await.unwrap();
    desk.type_into("#field-iin", &wrong).await.unwrap();
    desk.type_into("#field-surname", "Құрманова").await.unwrap();
    desk.type_into("#field-given_name", "Іңкәр").await.unwrap();
    desk.choose("#field-region", "550000000").await.unwrap();
    desk.type_into("#field-locality", "Ақсу").await.unwrap();
    desk.choose("#field-education", "tvet_student").await.unwrap();
    // Enter in a field saves the form, as the keyboard user expects.
    desk.wait_for("#field-locality").await.unwrap().send_keys("\u{E007}").await.unwrap();
    // Kazakh by default: "the check digit (the 12th) is wrong", under the IIN field.
    let error = desk.wait_for_text("#error-iin", "бақылау").await.unwrap();
    assert!(error.contains("12-ші"), "{error}");
    desk.screenshot("person-form-error").await.unwrap();
    // The form is still open with what was typed, and the database holds nothing.
    desk.wait_for("#field-iin").await.unwrap();
    let store = open_database(&home);
    assert_eq!((store.count_persons().unwrap(), store.outbox_len().unwrap()), (0, 0));
    drop(store);
    // Esc leaves the form for the list, where nothing was added.
    desk.wait_for("#field-surname").await.unwrap().send_keys("\u{E00C}").await.unwrap();
    desk.wait_for("[data-testid=empty]").await.unwrap();
    desk.quit().await.unwrap();
}

#[tokio::test]
async fn switching_to_russian_shows_the_same_screen_in_russian_and_is_remembered() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let home = Home::new().unwrap();
    let desk = Desk::launch(&home, &[]).await.unwrap();
    desk.click("[data-testid=nav-persons]").await.unwrap();
    desk.wait_for_text("h1", "Қатысушылар").await.unwrap();
    desk.click("[data-testid=lang-ru]").await.unwrap();
    desk.wait_for_text("h1", "Участники").await.unwrap();
    desk.wait_for_text("[data-testid=add]", "Добавить").await.unwrap();
    desk.wait_for_text("[data-testid=nav-home]", "Главная").await.unwrap();
    desk.screenshot("persons-ru").await.unwrap();
    desk.quit().await.unwrap();

    let again = Desk::launch(&home, &[]).await.unwrap();
    again.wait_for_text("[data-testid=nav-persons]", "Участники").await.unwrap();
    again.click("[data-testid=lang-en]").await.unwrap();
    again.wait_for_text("[data-testid=nav-persons]", "Persons").await.unwrap();
    again.quit().await.unwrap();
}

#[tokio::test]
async fn application_with_three_members_is_created() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let home = Home::new().unwrap();
    let desk = Desk::launch(&home, &[]).await.unwrap();
    let members = [
        (iin(1997, 1, 2, Sex::Male, 0), "Оспанов", "Айдос"),
        (iin(1998, 3, 4, Sex::Female, 0), "Ахметова", "Дана"),
        (iin(1999, 1, 5, Sex::Male, 0), "Иванов", "Егор"),
    ];
    for (iin, surname, given) in &members {
        add_person(&desk, iin, surname, given).await;
    }
    desk.click("[data-testid=nav-applications]").await.unwrap();
    desk.click("[data-testid=add]").await.unwrap();
    desk.type_into("#field-name", "Жасыл аула").await.unwrap();
    for (iin, _, _) in &members {
        desk.type_into("#field-members", iin).await.unwrap();
        desk.click("[data-testid=pick-member]").await.unwrap();
    }
    desk.type_into("#field-territory", "Ақсу қаласы").await.unwrap();
    desk.choose("#field-region", "550000000").await.unwrap();
    desk.choose("#field-direction", "ecology_landscaping").await.unwrap();
    desk.type_into("#field-budget", "1 000 000").await.unwrap();
    desk.type_into("#field-goal", "Аула көгалдандыру").await.unwrap();
    desk.type_into("#field-target_group", "Ауыл жастары").await.unwrap();
    desk.type_into("#field-description", "Аулада 40 ағаш отырғызылады").await.unwrap();
    desk.screenshot("application-form").await.unwrap();
    desk.click("[data-testid=save]").await.unwrap();
    desk.wait_for_text("[data-testid=title]", "Жасыл аула").await.unwrap();
    desk.wait_for_text("[data-testid=detail-budget]", "1 000 000 ₸").await.unwrap();
    let rows = desk.client.find_all(fantoccini::Locator::Css("[data-testid=member]")).await.unwrap();
    assert_eq!(rows.len(), 3);
    desk.wait_for_text("[data-testid=member]", "көшбасшы").await.unwrap();
    desk.screenshot("application-detail").await.unwrap();
    desk.quit().await.unwrap();
}

#[tokio::test]
async fn desk_restarts_and_shows_the_data_again_with_the_key_from_the_keyring() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let home = Home::new().unwrap();
    let desk = Desk::launch(&home, &[("KORPUS_DEMO_PERSONS", "400")]).await.unwrap();
    desk.wait_for_text("[data-testid=counts]", "Павлодар облысы").await.unwrap();
    desk.screenshot("home").await.unwrap();
    let valid = iin(1995, 3, 8, Sex::Female, 0);
    add_person(&desk, &valid, "Сәрсенбаева", "Әйгерім").await;
    desk.click("[data-testid=nav-persons]").await.unwrap();
    desk.wait_for_text("[data-testid=range]", "401").await.unwrap();
    desk.screenshot("persons").await.unwrap();
    desk.click("[data-testid=nav-host-orgs]").await.unwrap();
    desk.wait_for("[data-testid=row]").await.unwrap();
    desk.screenshot("host-orgs").await.unwrap();
    desk.click("[data-testid=nav-mentors]").await.unwrap();
    desk.wait_for("[data-testid=row]").await.unwrap();
    desk.screenshot("mentors").await.unwrap();
    desk.click("[data-testid=nav-applications]").await.unwrap();
    desk.wait_for("[data-testid=row]").await.unwrap();
    desk.screenshot("applications").await.unwrap();
    desk.quit().await.unwrap();

    assert!(OsKeyring.load(&home.database()).unwrap().is_some(), "the key is in the keyring, not in a file");
    let again = Desk::launch(&home, &[]).await.unwrap();
    again.wait_for("[data-testid=desk]").await.unwrap();
    again.click("[data-testid=nav-persons]").await.unwrap();
    again.type_into("[data-testid=search]", "әйгерім сәрсенбаева").await.unwrap();
    again.wait_for_text("[data-testid=row]", &valid).await.unwrap();
    again.quit().await.unwrap();
}

#[tokio::test]
async fn window_size_and_position_are_remembered() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let home = Home::new().unwrap();
    let desk = Desk::launch(&home, &[]).await.unwrap();
    desk.client.set_window_rect(40, 30, 1000, 700).await.unwrap();
    let set = desk.client.get_window_rect().await.unwrap();
    // The desk writes the state down once the window has settled; quit only after that.
    let state = home.path().join(".config/kz.korpus.desk/.window-state.json");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !std::fs::read_to_string(&state).is_ok_and(|s| s.contains("1000")) {
        assert!(std::time::Instant::now() < deadline, "no window state was written");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    desk.quit().await.unwrap();

    let again = Desk::launch(&home, &[]).await.unwrap();
    let restored = again.client.get_window_rect().await.unwrap();
    again.quit().await.unwrap();
    assert_eq!((restored.2, restored.3), (set.2, set.3), "size");
    assert_eq!((restored.0, restored.1), (set.0, set.1), "position");
}

/// Sets a person's phone in the database of a desk, as an edit on that desk would.
fn set_phone(store: &mut Store, id: uuid::Uuid, phone: &str) {
    let current = store.person(&id.to_string()).unwrap();
    let mut input = korpus_domain::PersonInput::from(&current.data);
    input.identity.phone = Some(phone.into());
    store.edit_person(id, current.version, &input).unwrap();
}

#[tokio::test]
async fn the_sync_panel_enrols_syncs_and_settles_a_conflict() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let hq = korpus_sync_tests::Hq::start().await.unwrap();
    let home = Home::new().unwrap();
    let desk = Desk::launch(&home, &[("KORPUS_DEMO_PERSONS", "30")]).await.unwrap();
    // Synced only when asked here: the desk's own syncs have a test of their own.
    open_database(&home).set_auto_sync_minutes(0).unwrap();

    // Enrol: a wrong address is named next to its field; then the real one.
    desk.click("[data-testid=nav-sync]").await.unwrap();
    desk.type_into("#field-server", "hq.example.kz").await.unwrap();
    desk.type_into("#field-code", "XXXX").await.unwrap();
    desk.type_into("#field-device_name", "Ноутбук").await.unwrap();
    desk.click("[data-testid=enrol]").await.unwrap();
    desk.wait_for("[data-testid=error-server]").await.unwrap();
    desk.type_into("#field-server", &hq.url()).await.unwrap();
    desk.type_into("#field-code", &hq.code("hq").unwrap()).await.unwrap();
    desk.screenshot("sync-enrol").await.unwrap();
    desk.click("[data-testid=enrol]").await.unwrap();
    desk.wait_for("[data-testid=sync-status]").await.unwrap();

    // Sync: everything written goes, and the panel says so in Kazakh.
    desk.click("[data-testid=sync-now]").await.unwrap();
    let done = desk.wait_for_text("[data-testid=sync-done]", "Синхрондау аяқталды").await.unwrap();
    desk.wait_for_text("[data-testid=sync-unsent]", "0").await.unwrap();
    let envelopes = open_database(&home).outbox_len().unwrap();
    assert!(done.contains(&format!("қолданылды {envelopes}")), "{done}");
    assert_eq!(hq.query_i64("SELECT count(*) FROM envelopes").await.unwrap(), envelopes);
    desk.wait_for("[data-testid=sync-progress]").await.unwrap();
    desk.screenshot("sync-done").await.unwrap();

    // Another desk changes a person's phone; this desk changes it too: a conflict to settle here.
    let mut other = korpus_sync_tests::Desk::enrolled(&hq, "hq").await.unwrap();
    other.sync().await.unwrap();
    let person = other
        .store
        .all_rows()
        .unwrap()
        .into_iter()
        .find(|r| r.entity == korpus_domain::Entity::Person)
        .unwrap()
        .id;
    set_phone(&mut other.store, person, "+77011111111");
    other.sync().await.unwrap();
    set_phone(&mut open_database(&home), person, "+77022222222");
    desk.click("[data-testid=sync-now]").await.unwrap();
    desk.wait_for("[data-testid=case]").await.unwrap();
    desk.click("[data-testid=keep-phone-mine]").await.unwrap();
    desk.screenshot("sync-conflict").await.unwrap();
    desk.click("[data-testid=settle]").await.unwrap();
    desk.wait_for_text("[data-testid=sync-unsent]", "1").await.unwrap();
    desk.click("[data-testid=sync-now]").await.unwrap();
    desk.wait_for_text("[data-testid=sync-unsent]", "0").await.unwrap();
    assert_eq!(hq.query_i64("SELECT count(*) FROM cases WHERE status = 'resolved'").await.unwrap(), 1);
    other.sync().await.unwrap();
    let phone = other.store.person(&person.to_string()).unwrap().data.identity.phone;
    assert_eq!(phone.as_deref(), Some("+77022222222"));

    // By file, as from a village with no network: the change goes on a USB stick to HQ, whose
    // answer file brings back its receipt and the other desk's change.
    set_phone(&mut other.store, person, "+77044444444");
    other.sync().await.unwrap();
    let envelopes_before = hq.query_i64("SELECT count(*) FROM envelopes").await.unwrap();
    let mut store = open_database(&home);
    let mut input = korpus_domain::PersonInput::from(&store.person(&person.to_string()).unwrap().data);
    input.identity.locality = "Жаңа ауыл".into();
    let version = store.person(&person.to_string()).unwrap().version;
    store.edit_person(person, version, &input).unwrap();
    drop(store);
    desk.click("[data-testid=nav-home]").await.unwrap();
    desk.click("[data-testid=nav-sync]").await.unwrap();
    desk.wait_for_text("[data-testid=sync-unsent]", "1").await.unwrap();
    desk.click("[data-testid=sync-export]").await.unwrap();
    let said = desk.wait_for_text("[data-testid=sync-exported]", ".korpus").await.unwrap();
    let exported =
        said.split_whitespace().find(|w| w.contains(".korpus")).unwrap().trim_end_matches('.').to_owned();
    assert!(std::path::Path::new(&exported).is_file(), "{said}");
    let answer = home.path().join("north.answer");
    let summary = hq.admin(&["import", &exported, "--answer", answer.to_str().unwrap()]).unwrap();
    assert!(summary.starts_with("1 envelopes: 1 applied"), "{summary}");
    assert_eq!(hq.query_i64("SELECT count(*) FROM envelopes").await.unwrap(), envelopes_before + 1);
    let picker = desk.wait_for("[data-testid=sync-import-file]").await.unwrap();
    picker.send_keys(answer.to_str().unwrap()).await.unwrap();
    desk.wait_for("[data-testid=sync-done]").await.unwrap();
    desk.wait_for_text("[data-testid=sync-unsent]", "0").await.unwrap();
    desk.screenshot("sync-by-file").await.unwrap();

    // A new cohort's rulebook, HQ's signed file on the same stick: taken in Settings, and the
    // forms check by it from then on.
    let toml = home.path().join("2018-cohort.toml");
    std::fs::write(&toml, korpus_sync_tests::rulebook_2018()).unwrap();
    hq.admin(&["rulebook", "publish", toml.to_str().unwrap()]).unwrap();
    let signed = home.path().join("2018-cohort.1.rulebook");
    hq.admin(&["rulebook", "export", "2018-cohort.1", "--out", signed.to_str().unwrap()]).unwrap();
    desk.click("[data-testid=nav-settings]").await.unwrap();
    desk.wait_for_text("[data-testid=rulebook-current]", "2017-pilot.4").await.unwrap();
    desk.wait_for("[data-testid=rulebook-file]")
        .await
        .unwrap()
        .send_keys(signed.to_str().unwrap())
        .await
        .unwrap();
    desk.wait_for_text("[data-testid=rulebook-taken]", "2018-cohort.1").await.unwrap();
    desk.wait_for_text("[data-testid=rulebook-current]", "2018-cohort.1").await.unwrap();
    desk.screenshot("settings-rulebook").await.unwrap();
    desk.quit().await.unwrap();
    let store = open_database(&home);
    assert_eq!(store.rulebook().version, "2018-cohort.1");
    let after = store.person(&person.to_string()).unwrap().data.identity;
    assert_eq!(after.locality, "Жаңа ауыл");
    assert_eq!(after.phone.as_deref(), Some("+77044444444"), "the other desk's change came with the answer");
}

#[tokio::test]
async fn the_sync_page_shows_a_record_moved_away_a_row_held_and_a_refusal() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let (r1, r2, _) = korpus_sync_tests::regions();
    let born = NaiveDate::from_ymd_opt(1999, 4, 5).unwrap();
    let hq = korpus_sync_tests::Hq::start().await.unwrap();
    let home = Home::new().unwrap();
    let desk = Desk::launch(&home, &[]).await.unwrap();
    let mut store = open_database(&home);
    // Synced only when asked here: the desk's own syncs have a test of their own.
    store.set_auto_sync_minutes(0).unwrap();
    korpus_app::sync::enrol(&mut store, &hq.url(), &hq.code("north").unwrap(), "Ноутбук").await.unwrap();
    let mover = store.add_person(&korpus_sync_tests::person_born(500, "Серікова", &r1, born)).unwrap().id;
    desk.click("[data-testid=nav-sync]").await.unwrap();
    desk.click("[data-testid=sync-now]").await.unwrap();
    desk.wait_for("[data-testid=sync-done]").await.unwrap();
    desk.wait_for_text("[data-testid=sync-unsent]", "0").await.unwrap();

    // HQ staff move the person to the other region; this desk, not knowing it, changes the phone.
    let mut staff = korpus_sync_tests::Desk::enrolled(&hq, "hq").await.unwrap();
    staff.sync().await.unwrap();
    let moved = staff.store.person(&mover.to_string()).unwrap();
    let mut input = korpus_domain::PersonInput::from(&moved.data);
    input.identity.region = r2.clone();
    staff.store.edit_person(mover, moved.version, &input).unwrap();
    staff.sync().await.unwrap();
    set_phone(&mut store, mover, "+77015550000");
    // Another desk of the region registers a person; this desk registers one with the same IIN.
    let mut neighbour = korpus_sync_tests::Desk::enrolled(&hq, "north").await.unwrap();
    let theirs =
        neighbour.store.add_person(&korpus_sync_tests::person_born(700, "Бекова", &r1, born)).unwrap().id;
    neighbour.sync().await.unwrap();
    store.add_person(&korpus_sync_tests::person_born(700, "Омарова", &r1, born)).unwrap();
    drop(store);

    // One sync: the edit is refused (the record moved), the person leaves this desk, and the
    // other desk's person waits beside this desk's until the duplicate is settled.
    desk.click("[data-testid=nav-home]").await.unwrap();
    desk.click("[data-testid=nav-sync]").await.unwrap();
    desk.click("[data-testid=sync-now]").await.unwrap();
    desk.wait_for("[data-testid=sync-done]").await.unwrap();
    let rulebook = korpus_domain::Rulebook::pilot_2017();
    let name = |kato: &str| rulebook.regions.iter().find(|r| r.kato == kato).unwrap().name.kk.clone();
    let note = desk.wait_for("[data-testid=moved-note]").await.unwrap().text().await.unwrap();
    assert!(note.contains(&name(&r1)) && note.contains(&name(&r2)), "{note}");
    let held = desk.wait_for("[data-testid=held]").await.unwrap().text().await.unwrap();
    assert!(held.contains(&theirs.to_string()) && held.contains("ЖСН"), "{held}");
    desk.wait_for_text("[data-testid=sync-refused]", "1").await.unwrap();
    desk.wait_for_text("[data-testid=sync-cases]", "Бір ЖСН екі рет тіркелген").await.unwrap();
    desk.screenshot("sync-moved-held").await.unwrap();
    desk.quit().await.unwrap();
    let store = open_database(&home);
    assert!(store.person(&mover.to_string()).is_err(), "the moved person left this desk");
    assert_eq!(store.held_rows().unwrap().len(), 1);
    drop(store);

    // The laptop is put back from a copy of its database taken now, after it has sent more: what
    // it writes next reuses numbers HQ holds. HQ refuses them, the desk numbers them again and
    // sends them in the same sync, and the Sync page names the numbers.
    let copies = |from: &std::path::Path, to: &std::path::Path| {
        for suffix in ["", "-wal"] {
            let (from, to) = (format!("{}{suffix}", from.display()), format!("{}{suffix}", to.display()));
            let _ = std::fs::remove_file(&to);
            if std::path::Path::new(&from).exists() {
                std::fs::copy(&from, &to).unwrap();
            }
        }
        let _ = std::fs::remove_file(format!("{}-shm", to.display()));
    };
    let copy = home.path().join("copy.db");
    copies(&home.database(), &copy);
    let mut store = open_database(&home);
    store.add_person(&korpus_sync_tests::person_born(800, "Ахметов", &r1, born)).unwrap();
    let sent = store.unsent(10).unwrap()[0].envelope.device_seq;
    let client = korpus_app::sync::client_for(&store).unwrap();
    let options = korpus_app::sync::SyncOptions::default();
    korpus_app::sync::sync(&mut store, &client, &options, &mut |_| {}).await.unwrap();
    drop(store);
    copies(&copy, &home.database());
    let desk = Desk::launch(&home, &[]).await.unwrap();
    let mut store = open_database(&home);
    store.add_person(&korpus_sync_tests::person_born(900, "Жұмабаев", &r1, born)).unwrap();
    assert_eq!(store.unsent(10).unwrap()[0].envelope.device_seq, sent, "the restored desk reuses the number");
    drop(store);
    desk.click("[data-testid=nav-sync]").await.unwrap();
    desk.click("[data-testid=sync-now]").await.unwrap();
    desk.wait_for("[data-testid=sync-done]").await.unwrap();
    desk.wait_for_text("[data-testid=sync-unsent]", "0").await.unwrap();
    let note = desk.wait_for("[data-testid=sequence-note]").await.unwrap().text().await.unwrap();
    assert!(note.contains(&format!("№ {sent}")) && note.contains("көшірмесінен"), "{note}");
    desk.screenshot("sync-restored-copy").await.unwrap();
    desk.quit().await.unwrap();
    assert_eq!(
        hq.query_i64("SELECT count(*) FROM rows WHERE entity = 'person' AND NOT deleted").await.unwrap(),
        5
    );
}

/// Three groups of three in Pavlodar region, each in its own application.
fn three_applications(store: &mut Store, first_serial: u16) -> Vec<uuid::Uuid> {
    (0..3u16)
        .map(|a| {
            let members: Vec<uuid::Uuid> = (0..3u16)
                .map(|i| {
                    let input = korpus_domain::PersonInput {
                        identity: korpus_domain::IdentityInput {
                            iin: iin(1997, 2, 3 + u32::from(i), Sex::Female, first_serial + a * 10),
                            surname: "Жақсыбекова".into(),
                            given_name: "Әсем".into(),
                            patronymic: None,
                            sex: None,
                            birth_date: None,
                            phone: None,
                            region: "550000000".into(),
                            locality: "Ақсу".into(),
                        },
                        education: "tvet_student".into(),
                        vulnerability: vec![],
                        disability: false,
                        income_per_member: None,
                    };
                    store.add_person(&input).unwrap().id
                })
                .collect();
            let input = korpus_domain::ApplicationInput {
                path: "initiative_group".into(),
                leader_id: members.first().copied(),
                members,
                name: format!("Ақсу жастар алаңы {}", a + 1),
                territory: "Ақсу".into(),
                goal: "Аулада спорт алаңын жасау".into(),
                target_group: "Жасөспірімдер".into(),
                description: "Жастар өз ауласын жөндейді".into(),
                direction: "healthy_lifestyle_sport".into(),
                budget: "800000".into(),
                region: "550000000".into(),
                host_org_id: None,
            };
            store.add_application(&input).unwrap().application.id
        })
        .collect()
}

#[tokio::test]
async fn an_application_is_screened_in_the_window_with_every_reason() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let home = Home::new().unwrap();
    Desk::launch(&home, &[]).await.unwrap().quit().await.unwrap();
    let apps = {
        let mut store = open_database(&home);
        three_applications(&mut store, 300)
    };
    let desk = Desk::launch(&home, &[]).await.unwrap();
    desk.click("[data-testid=nav-selection]").await.unwrap();
    desk.click("[data-testid=screen-run]").await.unwrap();
    desk.wait_for_text("[data-testid=screening-summary]", "Тексерілді: 3").await.unwrap();
    desk.click(&format!("[data-testid='screening-{}']", apps[0])).await.unwrap();
    let size = desk
        .wait_for_text("[data-testid=outcome-GROUP_SIZE]", "Топта 3-тен 5-ке дейін мүше бар")
        .await
        .unwrap();
    assert!(size.contains("Мүшелері: 3, 3-5 аралығында."), "{size}");
    desk.wait_for_text("[data-testid=outcome-APPLICATION_BUDGET_MAX]", "800 000 ₸").await.unwrap();
    desk.screenshot("screening-reasons").await.unwrap();
    desk.quit().await.unwrap();
    // The run is on record: one screening per application, as the window showed.
    let store = open_database(&home);
    for app in &apps {
        let s = store.latest_screening(korpus_domain::rules::Subject::Application, *app).unwrap().unwrap();
        assert_eq!(s.data.evaluation.result, korpus_domain::rules::Verdict::Pass);
    }
}

#[tokio::test]
async fn a_lottery_is_drawn_balanced_and_verified_in_the_window() {
    use korpus_domain::selection::commission::{CommissionMemberInput, ScoreInput};
    let _turn = ONE_AT_A_TIME.lock().await;
    let home = Home::new().unwrap();
    Desk::launch(&home, &[]).await.unwrap().quit().await.unwrap();
    {
        let mut store = open_database(&home);
        let apps = three_applications(&mut store, 500);
        store.screen_cohort(2017).unwrap();
        let criteria: Vec<String> =
            store.rulebook().commission.criteria.iter().map(|c| c.code.clone()).collect();
        for (m, name) in ["Ахметова Сәуле", "Ержанов Болат", "Ким Ольга"].iter().enumerate()
        {
            let input = CommissionMemberInput {
                region: "550000000".into(),
                full_name: (*name).into(),
                position: None,
                role: if m == 0 { "chair" } else { "member" }.into(),
            };
            let member = store.add_commission_member(&input).unwrap().id;
            for (a, app) in apps.iter().enumerate() {
                let points = criteria.iter().map(|c| (c.clone(), (4 + a).to_string())).collect();
                let sheet = ScoreInput { points, conflict_of_interest: false };
                store.record_score(&app.to_string(), &member.to_string(), &sheet).unwrap();
            }
        }
        store
            .decide_commission(&korpus_store::CommissionDecisionInput {
                region: "550000000".into(),
                cut_off: "top:2".into(),
                decided_on: "20.05.2017".into(),
                decided_by: "Ахметова Сәуле".into(),
                reason: None,
            })
            .unwrap();
    }
    let desk = Desk::launch(&home, &[]).await.unwrap();
    desk.click("[data-testid=lang-en]").await.unwrap();
    desk.click("[data-testid=nav-selection]").await.unwrap();
    desk.click("[data-testid=tab-lottery]").await.unwrap();
    desk.choose("#field-region", "550000000").await.unwrap();
    // No seed: the field says so, and nothing is drawn.
    desk.type_into("[data-testid=lottery-by]", "Сейітов Нұрлан").await.unwrap();
    desk.click("[data-testid=lottery-draw]").await.unwrap();
    desk.wait_for("[data-testid=error-seed]").await.unwrap();
    desk.type_into("[data-testid=lottery-seed]", "Тираж 2017: 04 11 27").await.unwrap();
    desk.click("[data-testid=lottery-draw]").await.unwrap();
    desk.wait_for_text("[data-testid=lottery-shown-seed]", "Тираж 2017: 04 11 27").await.unwrap();
    let balance = desk.wait_for_text("[data-testid=balance]", "A").await.unwrap();
    assert!(balance.contains("100.0 %"), "every member is a woman: {balance}");
    desk.click("[data-testid=lottery-verify]").await.unwrap();
    desk.wait_for_text("[data-testid=verify-result]", "The draw verifies").await.unwrap();
    desk.screenshot("lottery-drawn").await.unwrap();
    // A second draw of the region without a reason is refused by name.
    desk.type_into("[data-testid=lottery-seed]", "1 2 3").await.unwrap();
    desk.click("[data-testid=lottery-draw]").await.unwrap();
    desk.wait_for_text("[data-testid=error-reason]", "reason").await.unwrap();
    let shown: Vec<String> = {
        let mut out = Vec::new();
        for row in desk.client.find_all(fantoccini::Locator::Css("[data-testid^=arm-]")).await.unwrap() {
            out.push(row.text().await.unwrap());
        }
        out
    };
    // The commission's ranking shows the two groups selected; the dashboard counts six beneficiaries.
    desk.click("[data-testid=tab-commission]").await.unwrap();
    desk.choose("#field-region", "550000000").await.unwrap();
    desk.wait_for_text("[data-testid=decision-on-record]", "2 of 3 applications selected").await.unwrap();
    let ranking = desk.wait_for_text("[data-testid=ranking]", "Ақсу жастар алаңы 3").await.unwrap();
    assert_eq!(ranking.matches('✓').count(), 2, "{ranking}");
    desk.screenshot("commission-ranking").await.unwrap();
    desk.click("[data-testid=tab-indicators]").await.unwrap();
    desk.wait_for_text("[data-testid=beneficiaries]", "6 /").await.unwrap();
    desk.wait_for_text("[data-testid=share-women]", "100.0 %").await.unwrap();
    desk.screenshot("indicators").await.unwrap();
    // A member of a drawn group leaves: without a reason the field says so; with one, the group's
    // page shows the day and reason, and the indicators keep the person in the arm drawn.
    desk.click("[data-testid=nav-applications]").await.unwrap();
    desk.wait_for_text("[data-testid=row]", "алаңы 3").await.unwrap();
    for row in desk.client.find_all(fantoccini::Locator::Css("[data-testid=row]")).await.unwrap() {
        if row.text().await.unwrap().contains("алаңы 3") {
            row.find(fantoccini::Locator::Css("button")).await.unwrap().click().await.unwrap();
            break;
        }
    }
    desk.wait_for_text("[data-testid=title]", "Ақсу жастар алаңы 3").await.unwrap();
    desk.click("[data-testid=withdraw-member]").await.unwrap();
    desk.wait_for("[data-testid=withdrawal-form]").await.unwrap();
    desk.type_into("[data-testid=withdrawal-date]", "01.08.2017").await.unwrap();
    desk.type_into("[data-testid=withdrawal-by]", "Айгерім").await.unwrap();
    desk.click("[data-testid=withdrawal-save]").await.unwrap();
    desk.wait_for_text("[data-testid=error-reason]", "").await.unwrap();
    desk.choose("[data-testid=withdrawal-reason]", "employment").await.unwrap();
    desk.click("[data-testid=withdrawal-save]").await.unwrap();
    desk.wait_for_text("[data-testid=member-left]", "01.08.2017, took up a job").await.unwrap();
    desk.screenshot("application-member-withdrawn").await.unwrap();
    desk.click("[data-testid=nav-selection]").await.unwrap();
    desk.click("[data-testid=tab-indicators]").await.unwrap();
    desk.wait_for_text("[data-testid=beneficiaries]", "6 /").await.unwrap();
    desk.wait_for_text("[data-testid=beneficiaries-active]", "Still active: 5; left the programme: 1")
        .await
        .unwrap();
    desk.quit().await.unwrap();
    // The database holds the one draw the window showed, and it verifies.
    let store = open_database(&home);
    let lotteries = store.lotteries(2017).unwrap();
    assert_eq!(lotteries.len(), 1);
    let l = &lotteries[0];
    assert_eq!(l.data.draw.seed.as_str(), "Тираж 2017: 04 11 27");
    assert_eq!(shown.len(), 2);
    for a in &l.data.draw.assignments {
        assert!(
            shown
                .iter()
                .any(|row| row.starts_with(a.arm.code()) && row.contains(&a.application_id.to_string()))
        );
    }
    assert!(store.verify_lottery(&l.id.to_string()).unwrap().discrepancies.is_empty());
    let total = store.indicators(2017).unwrap().total;
    assert_eq!((total.beneficiaries.people, total.active.people, total.withdrawn), (6, 5, 1));
}

/// A mentor of Pavlodar with every document, screened (stage "screened").
fn screened_mentor(store: &mut Store) -> uuid::Uuid {
    let identity = korpus_domain::IdentityInput {
        iin: iin(1983, 4, 12, Sex::Female, 700),
        surname: "Жұмабаева".into(),
        given_name: "Гүлнар".into(),
        region: "550000000".into(),
        locality: "Павлодар".into(),
        ..Default::default()
    };
    let mentor = store
        .add_mentor(&korpus_domain::MentorInput {
            identity,
            occupation: "social_worker".into(),
            workplace: None,
            experience_years: "7".into(),
            education: "higher".into(),
            project_experience: true,
        })
        .unwrap();
    for kind in store.rulebook().documents.mentor.clone() {
        let doc = korpus_domain::DocumentInput {
            kind: kind.code().into(),
            issue_date: "01.04.2017".into(),
            note: None,
        };
        store.add_document(korpus_domain::DocumentOwner::Mentor, mentor.id, &doc, None).unwrap();
    }
    store.screen_cohort(2017).unwrap();
    mentor.id
}

#[tokio::test]
async fn a_screened_mentor_is_interviewed_and_selected_on_the_mentors_page() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let home = Home::new().unwrap();
    Desk::launch(&home, &[]).await.unwrap().quit().await.unwrap();
    {
        let mut store = open_database(&home);
        screened_mentor(&mut store);
    }
    let desk = Desk::launch(&home, &[]).await.unwrap();
    desk.click("[data-testid=lang-en]").await.unwrap();
    desk.click("[data-testid=nav-mentors]").await.unwrap();
    desk.click("[data-testid=row] button").await.unwrap();
    desk.wait_for_text("[data-testid=detail-stage]", "passed screening").await.unwrap();
    // The outcome is left unchosen: the field says so.
    desk.type_into("[data-testid=interviewer]", "Ким Ольга").await.unwrap();
    desk.click("[data-testid=interview-save]").await.unwrap();
    desk.wait_for("[data-testid=error-outcome]").await.unwrap();
    desk.choose("[data-testid=interview-outcome]", "passed").await.unwrap();
    desk.click("[data-testid=interview-save]").await.unwrap();
    desk.wait_for_text("[data-testid=detail-stage]", "interviewed").await.unwrap();
    desk.wait_for_text("[data-testid=interview]", "Ким Ольга · passed").await.unwrap();
    desk.type_into("[data-testid=decision-by]", "Ахметова Сәуле").await.unwrap();
    desk.choose("[data-testid=decision-outcome]", "selected").await.unwrap();
    desk.click("[data-testid=decision-save]").await.unwrap();
    desk.wait_for_text("[data-testid=detail-stage]", "selected").await.unwrap();
    desk.wait_for_text("[data-testid=mentor-decision]", "Ахметова Сәуле").await.unwrap();
    desk.screenshot("mentor-selected").await.unwrap();
    desk.quit().await.unwrap();
    let store = open_database(&home);
    let mentor = store.list_mentors(None, 10, 0).unwrap().pop().unwrap();
    assert_eq!(mentor.data.stage, korpus_domain::MentorStage::Selected);
    let selection = store.mentor_selection(mentor.id).unwrap();
    assert_eq!(
        (selection.interviews.len(), selection.decision.map(|d| d.data.decided_by)),
        (1, Some("Ахметова Сәуле".into()))
    );
}

/// A certified mentor of Pavlodar assigned to the group that the lottery put in arm A (or C):
/// everything before the sessions, made through the store as the desk would.
fn mentor_at_work(store: &mut Store) -> (uuid::Uuid, uuid::Uuid) {
    use korpus_domain::selection::commission::{CommissionMemberInput, ScoreInput};
    use korpus_domain::selection::decisions::{DecisionInput, MentorInterviewInput};
    let apps = three_applications(store, 800);
    store.screen_cohort(2017).unwrap();
    let criteria: Vec<String> = store.rulebook().commission.criteria.iter().map(|c| c.code.clone()).collect();
    for name in ["Ахметова Сәуле", "Ержанов Болат", "Ким Ольга"] {
        let input = CommissionMemberInput {
            region: "550000000".into(),
            full_name: name.into(),
            position: None,
            role: "member".into(),
        };
        let member = store.add_commission_member(&input).unwrap().id;
        for app in &apps {
            let sheet = ScoreInput {
                points: criteria.iter().map(|c| (c.clone(), "6".to_owned())).collect(),
                conflict_of_interest: false,
            };
            store.record_score(&app.to_string(), &member.to_string(), &sheet).unwrap();
        }
    }
    let on = "20.05.2017";
    store
        .decide_commission(&korpus_store::CommissionDecisionInput {
            region: "550000000".into(),
            cut_off: "top:3".into(),
            decided_on: on.into(),
            decided_by: "Ахметова Сәуле".into(),
            reason: None,
        })
        .unwrap();
    store
        .draw_lottery(&korpus_store::LotteryDrawInput {
            region: "550000000".into(),
            seed: "31 05 2017".into(),
            drawn_on: on.into(),
            drawn_by: "Сейітов Нұрлан".into(),
            reason: None,
        })
        .unwrap();
    let arms = store.arms(2017).unwrap();
    let app = *apps.iter().find(|a| arms[*a] == korpus_domain::selection::lottery::Arm::A).unwrap();
    let mentor = screened_mentor(store);
    let key = mentor.to_string();
    let interview = MentorInterviewInput {
        held_on: on.into(),
        interviewer: "Ким Ольга".into(),
        notes: None,
        outcome: "passed".into(),
    };
    store.record_interview(&key, &interview).unwrap();
    let decision = DecisionInput {
        decided_on: on.into(),
        decided_by: "Ахметова Сәуле".into(),
        outcome: "selected".into(),
        notes: None,
    };
    store.decide_mentor(&key, &decision).unwrap();
    let phase1 = store
        .plan_training("550000000")
        .unwrap()
        .into_iter()
        .find(|e| e.data.stage == korpus_domain::delivery::training::TrainingStage::Phase1Mentors)
        .unwrap();
    for day in 1..=6 {
        let mark = korpus_store::AttendanceMark { attendee_id: key.clone(), present: true };
        store.record_attendance(&phase1.id.to_string(), day, &[mark]).unwrap();
    }
    store.certify_mentor(&key, "12.07.2017").unwrap();
    store.assign_mentor(&key, &app.to_string(), "14.07.2017").unwrap();
    (mentor, app)
}

/// Fills the session form on a mentor's page: 10 hours from 15:00 with every member, and its
/// protocol.
async fn record_session(desk: &Desk, app: uuid::Uuid, date: &str) {
    desk.choose("[data-testid=session-application]", &app.to_string()).await.unwrap();
    desk.type_into("[data-testid=session-date]", date).await.unwrap();
    desk.type_into("[data-testid=session-start]", "15:00").await.unwrap();
    desk.type_into("[data-testid=session-length]", "10:00").await.unwrap();
    let boxes = desk
        .client
        .find_all(fantoccini::Locator::Css("[data-testid=session-attendees] input"))
        .await
        .unwrap();
    assert_eq!(boxes.len(), 3);
    for checkbox in boxes {
        checkbox.click().await.unwrap();
    }
    desk.type_into("[data-testid=session-topics]", "Бюджетті түзету").await.unwrap();
    desk.type_into("[data-testid=session-next-steps]", "Үш баға ұсынысын жинау").await.unwrap();
    desk.click("[data-testid=session-save]").await.unwrap();
}

#[tokio::test]
async fn a_mentor_session_recorded_on_the_mentors_page_changes_the_months_compliance() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let home = Home::new().unwrap();
    Desk::launch(&home, &[]).await.unwrap().quit().await.unwrap();
    let (mentor, app) = mentor_at_work(&mut open_database(&home));
    let desk = Desk::launch(&home, &[]).await.unwrap();
    desk.click("[data-testid=lang-en]").await.unwrap();
    desk.click("[data-testid=nav-mentors]").await.unwrap();
    desk.click("[data-testid=row] button").await.unwrap();
    desk.wait_for("[data-testid=mentor-work]").await.unwrap();
    // August 2017 is over and had no session.
    desk.wait_for_text("[data-testid=month-2017-08] [data-testid=compliance-status]", "Conditions not met")
        .await
        .unwrap();
    // Meetings are counted with each sub-project the mentor accompanies.
    desk.wait_for_text(
        "[data-testid=month-2017-08] [data-testid=compliance-reasons]",
        "1 of 1 sub-project(s) had fewer than 2 meetings (the fewest: 0)",
    )
    .await
    .unwrap();
    desk.wait_for_text("[data-testid=month-2017-08] [data-testid=group-meetings]", ": 0").await.unwrap();

    // A length that is not one is named, and nothing is written.
    desk.choose("[data-testid=session-application]", &app.to_string()).await.unwrap();
    desk.type_into("[data-testid=session-length]", "ten hours").await.unwrap();
    desk.click("[data-testid=session-save]").await.unwrap();
    desk.wait_for_text("[data-testid=error-length]", "is not a length").await.unwrap();

    record_session(&desk, app, "01.08.2017").await;
    desk.wait_for_text("[data-testid=month-2017-08] [data-testid=compliance-reasons]", "(the fewest: 1)")
        .await
        .unwrap();
    desk.wait_for_text("[data-testid=month-2017-08] [data-testid=group-meetings]", ": 1").await.unwrap();
    desk.wait_for_text("[data-testid=month-2017-08] [data-testid=compliance-reasons]", "Only 10:00 hours")
        .await
        .unwrap();
    record_session(&desk, app, "08.08.2017").await;
    desk.wait_for_text(
        "[data-testid=month-2017-08] [data-testid=compliance-status]",
        "Conditions met · payable",
    )
    .await
    .unwrap();
    desk.screenshot("mentor-compliance").await.unwrap();
    desk.quit().await.unwrap();

    let store = open_database(&home);
    let sessions = store.sessions(mentor).unwrap();
    assert_eq!(sessions.len(), 2);
    assert!(
        sessions
            .iter()
            .all(|s| s.data.has_protocol() && s.data.minutes == 600 && s.data.attendees.len() == 3)
    );
}

#[tokio::test]
async fn a_grievance_goes_overdue_in_the_log_when_the_clock_passes_its_deadline() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let home = Home::new().unwrap();
    let clock = home.path().join("clock");
    // Tuesday 2 May 2017, 11:00 in Almaty.
    std::fs::write(&clock, "2017-05-02T05:00:00Z").unwrap();
    let env = [("KORPUS_CLOCK_FILE", clock.to_str().unwrap())];
    let desk = Desk::launch(&home, &env).await.unwrap();
    desk.click("[data-testid=lang-en]").await.unwrap();
    desk.click("[data-testid=nav-grievances]").await.unwrap();
    desk.click("[data-testid=grievance-add]").await.unwrap();
    desk.choose("#field-region", "550000000").await.unwrap();
    desk.type_into("[data-testid=grievance-received-on]", "02.05.2017").await.unwrap();
    desk.choose("[data-testid=grievance-channel]", "phone").await.unwrap();
    desk.choose("[data-testid=grievance-kind]", "complaint").await.unwrap();
    desk.choose("[data-testid=grievance-category]", "training").await.unwrap();
    desk.type_into("[data-testid=grievance-text]", "Семинар туралы хабарландыру кеш келді").await.unwrap();
    // Neither a name nor "anonymous": the field says which it needs.
    desk.click("[data-testid=grievance-save]").await.unwrap();
    desk.wait_for_text("[data-testid=error-from_name]", "give the name, or mark the grievance anonymous")
        .await
        .unwrap();
    desk.type_into("[data-testid=grievance-from]", "Жақсыбекова Айгүл").await.unwrap();
    desk.click("[data-testid=grievance-save]").await.unwrap();
    // Acknowledge by Friday 5 May: not late yet.
    desk.wait_for_text("[data-testid=grievance-deadlines]", "Acknowledge by: 05.05.2017").await.unwrap();
    desk.wait_for_text("[data-testid=grievance-due]", "05.05.2017").await.unwrap();

    // Wednesday 10 May: the 8th and 9th were days off, the 10th is one working day late.
    std::fs::write(&clock, "2017-05-10T05:00:00Z").unwrap();
    desk.choose("[data-testid=grievance-filter]", "overdue").await.unwrap();
    desk.wait_for_text(
        "[data-testid=grievance-line].overdue [data-testid=grievance-due]",
        "Not acknowledged in time (+1)",
    )
    .await
    .unwrap();
    desk.screenshot("grievance-overdue").await.unwrap();
    // Acknowledged, it leaves the overdue list.
    desk.click("[data-testid=grievance-open]").await.unwrap();
    desk.choose("[data-testid=grievance-step]", "acknowledge").await.unwrap();
    desk.type_into("[data-testid=grievance-step-on]", "10.05.2017").await.unwrap();
    desk.click("[data-testid=grievance-step-save]").await.unwrap();
    desk.wait_for_text("[data-testid=grievance-action]", "Acknowledge").await.unwrap();
    desk.wait_for_text("[data-testid=grievance-log]", "Nothing found").await.unwrap();
    desk.quit().await.unwrap();

    let store = open_database(&home);
    let log = store.grievances(None, korpus_store::GrievanceFilter::All).unwrap();
    assert_eq!(log.len(), 1);
    let g = &log[0].grievance.data;
    assert_eq!(
        (g.status, g.acknowledged_on),
        (
            korpus_domain::delivery::grievances::GrievanceStatus::Acknowledged,
            Some(NaiveDate::from_ymd_opt(2017, 5, 10).unwrap())
        )
    );
    assert_eq!(g.from_name.as_deref(), Some("Жақсыбекова Айгүл"));
}

#[tokio::test]
async fn a_training_days_attendance_sheet_is_filled_in_the_window() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let home = Home::new().unwrap();
    Desk::launch(&home, &[]).await.unwrap().quit().await.unwrap();
    mentor_at_work(&mut open_database(&home));
    let (phase1, trained) = {
        let store = open_database(&home);
        let event = store
            .training_events(Some("550000000"))
            .unwrap()
            .into_iter()
            .find(|e| e.data.stage == korpus_domain::delivery::training::TrainingStage::Phase1Beneficiaries)
            .unwrap();
        let roster = store.roster(&event.id.to_string()).unwrap();
        (event.id, roster.lines.len())
    };
    assert!(trained >= 3, "groups A and C are expected");
    let desk = Desk::launch(&home, &[]).await.unwrap();
    desk.click("[data-testid=lang-en]").await.unwrap();
    desk.click("[data-testid=nav-training]").await.unwrap();
    desk.choose("#field-region", "550000000").await.unwrap();
    desk.click("[data-testid=training-open-phase1_beneficiaries]").await.unwrap();
    desk.wait_for("[data-testid=attendance-sheet]").await.unwrap();
    // Day 2: everyone starts present; the first on the list is marked absent; one save.
    desk.click("[data-testid=sheet-day-2]").await.unwrap();
    let boxes = desk.client.find_all(fantoccini::Locator::Css("[data-testid=roster-present]")).await.unwrap();
    assert_eq!(boxes.len(), trained);
    for b in &boxes {
        assert_eq!(b.prop("checked").await.unwrap().as_deref(), Some("true"));
    }
    boxes[0].click().await.unwrap();
    desk.click("[data-testid=sheet-save]").await.unwrap();
    // The saved day is read back from the store: the first is absent, the rest present.
    desk.click("[data-testid=sheet-day-1]").await.unwrap();
    desk.click("[data-testid=sheet-day-2]").await.unwrap();
    let first = desk.wait_for("[data-testid=roster-present]").await.unwrap();
    assert_eq!(first.prop("checked").await.unwrap().as_deref(), Some("false"));
    desk.screenshot("attendance-sheet").await.unwrap();
    desk.quit().await.unwrap();

    let store = open_database(&home);
    let roster = store.roster(&phase1.to_string()).unwrap();
    let day2: Vec<Option<bool>> = roster.lines.iter().map(|l| l.marks[1]).collect();
    assert_eq!(day2[0], Some(false));
    assert!(day2[1..].iter().all(|m| *m == Some(true)), "{day2:?}");
    assert!(roster.lines.iter().all(|l| l.marks[0].is_none()), "day 1 was not saved");
}

/// [`mentor_at_work`], and the mentor attended every day of phase III: their certificate is earned.
fn mentor_who_completed(store: &mut Store) -> (uuid::Uuid, uuid::Uuid) {
    let (mentor, app) = mentor_at_work(store);
    let phase3 = store
        .training_events(Some("550000000"))
        .unwrap()
        .into_iter()
        .find(|e| e.data.stage == korpus_domain::delivery::training::TrainingStage::Phase3Mentors)
        .unwrap();
    for day in 1..=3 {
        let mark = korpus_store::AttendanceMark { attendee_id: mentor.to_string(), present: true };
        store.record_attendance(&phase3.id.to_string(), day, &[mark]).unwrap();
    }
    (mentor, app)
}

#[tokio::test]
async fn a_mentors_violation_report_goes_to_the_log_and_the_mentors_certificate_is_issued() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let home = Home::new().unwrap();
    Desk::launch(&home, &[]).await.unwrap().quit().await.unwrap();
    let (mentor, app) = mentor_who_completed(&mut open_database(&home));
    let desk = Desk::launch(&home, &[]).await.unwrap();
    desk.click("[data-testid=lang-en]").await.unwrap();
    desk.click("[data-testid=nav-mentors]").await.unwrap();
    desk.click("[data-testid=row] button").await.unwrap();
    desk.wait_for("[data-testid=violation-form]").await.unwrap();
    desk.choose("[data-testid=violation-application]", &app.to_string()).await.unwrap();
    desk.type_into("[data-testid=violation-on]", "15.08.2017").await.unwrap();
    desk.type_into("[data-testid=violation-text]", "Қабылдаушы ұйым сатып алуды кешіктіруде").await.unwrap();
    // No category: named next to its field.
    desk.click("[data-testid=violation-save]").await.unwrap();
    desk.wait_for_text("[data-testid=error-category]", "is not one of").await.unwrap();
    desk.choose("[data-testid=violation-category]", "host_org").await.unwrap();
    desk.click("[data-testid=violation-save]").await.unwrap();
    // Received Tuesday 15 August: acknowledged by Friday the 18th.
    desk.wait_for_text("[data-testid=violation-sent]", "18.08.2017").await.unwrap();

    // The mentor completed phase I and phase III: the certificate is issued on its screen.
    desk.click("[data-testid=nav-certificates]").await.unwrap();
    desk.click("[data-testid=certificates-ready]").await.unwrap();
    desk.wait_for_text("[data-testid=certificate-line]", "Mentor").await.unwrap();
    desk.type_into("[data-testid=certificate-on]", "20.12.2017").await.unwrap();
    desk.click("[data-testid=certificate-issue]").await.unwrap();
    desk.click("[data-testid=certificates-ready]").await.unwrap();
    desk.wait_for_text("[data-testid=certificate-list]", "No. 2017-").await.unwrap();
    desk.screenshot("certificates").await.unwrap();
    desk.quit().await.unwrap();

    let store = open_database(&home);
    let log = store.grievances(None, korpus_store::GrievanceFilter::All).unwrap();
    assert_eq!(log.len(), 1);
    let g = &log[0].grievance.data;
    assert_eq!(g.kind, korpus_domain::delivery::grievances::GrievanceKind::ViolationReport);
    assert_eq!((g.mentor_id, g.application_id), (Some(mentor), Some(app)));
    let line = store
        .certificate_line(korpus_domain::closing::certification::Holder::Mentor, &mentor.to_string())
        .unwrap();
    let issued = line.certificate.expect("issued");
    assert_eq!(issued.data.issued_on, NaiveDate::from_ymd_opt(2017, 12, 20).unwrap());
    assert!(issued.data.number.starts_with("2017-"), "{}", issued.data.number);
}

#[tokio::test]
async fn a_contract_a_scholarship_roll_a_report_and_outreach_are_recorded_on_their_screens() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let home = Home::new().unwrap();
    Desk::launch(&home, &[]).await.unwrap().quit().await.unwrap();
    mentor_at_work(&mut open_database(&home));
    let desk = Desk::launch(&home, &[]).await.unwrap();
    desk.click("[data-testid=lang-en]").await.unwrap();

    // Money: a sum over the maximum is named; the group applied on its own, so no overhead.
    desk.click("[data-testid=nav-money]").await.unwrap();
    desk.choose("#field-region", "550000000").await.unwrap();
    desk.click("[data-testid=grant-sign]").await.unwrap();
    desk.type_into("[data-testid=contract-number]", "ГК-17/001").await.unwrap();
    desk.type_into("[data-testid=contract-signed-on]", "26.06.2017").await.unwrap();
    desk.type_into("[data-testid=contract-sum]", "1 000 001").await.unwrap();
    desk.click("[data-testid=contract-save]").await.unwrap();
    desk.wait_for_text("[data-testid=error-sum_tenge]", "over the limit of 1 000 000").await.unwrap();
    desk.type_into("[data-testid=contract-sum]", "999 999").await.unwrap();
    desk.click("[data-testid=contract-save]").await.unwrap();
    desk.wait_for_text("[data-testid=grant-sum]", "999 999 ₸").await.unwrap();
    desk.wait_for_text("[data-testid=grant-overhead]", "0 ₸").await.unwrap();
    // July's roll: nine TVET students at 26,000.
    desk.type_into("[data-testid=roll-month]", "2018-01").await.unwrap();
    desk.click("[data-testid=roll-show]").await.unwrap();
    desk.wait_for_text("[data-testid=error-month]", "not a scholarship month").await.unwrap();
    desk.type_into("[data-testid=roll-month]", "2017-07").await.unwrap();
    desk.click("[data-testid=roll-record]").await.unwrap();
    desk.wait_for_text("[data-testid=roll-total]", "234 000 ₸").await.unwrap();
    desk.wait_for_text("[data-testid=money-totals]", "1 233 999 ₸").await.unwrap();

    // Reports: overdue after 15.12.2017; a return needs its reason; then accepted.
    desk.click("[data-testid=nav-reports]").await.unwrap();
    desk.wait_for_text("[data-testid=report-state]", "Overdue").await.unwrap();
    desk.click("[data-testid=report-open]").await.unwrap();
    desk.type_into("[data-testid=report-on]", "14.12.2017").await.unwrap();
    desk.click("[data-testid=report-submit]").await.unwrap();
    desk.wait_for_text("[data-testid=report-list]", "Submitted").await.unwrap();
    desk.click("[data-testid=report-line]:not(.overdue) [data-testid=report-open]").await.unwrap();
    desk.type_into("[data-testid=report-on]", "15.12.2017").await.unwrap();
    desk.click("[data-testid=report-return]").await.unwrap();
    desk.wait_for_text("[data-testid=error-note]", "say why the report is returned").await.unwrap();
    desk.click("[data-testid=report-accept]").await.unwrap();
    desk.wait_for_text("[data-testid=report-list]", "Accepted").await.unwrap();

    // Outreach: more women than people reached is named; then the region's totals.
    desk.click("[data-testid=nav-outreach]").await.unwrap();
    desk.click("[data-testid=outreach-add]").await.unwrap();
    desk.choose("#field-region", "550000000").await.unwrap();
    desk.choose("[data-testid=outreach-kind]", "seminar").await.unwrap();
    desk.type_into("[data-testid=outreach-on]", "12.04.2017").await.unwrap();
    desk.type_into("[data-testid=outreach-place]", "Ақсу колледжі").await.unwrap();
    desk.type_into("[data-testid=outreach-reached]", "30").await.unwrap();
    desk.type_into("[data-testid=outreach-women]", "31").await.unwrap();
    desk.click("[data-testid=outreach-save]").await.unwrap();
    desk.wait_for_text("[data-testid=error-women]", "more than the 30 people reached").await.unwrap();
    desk.type_into("[data-testid=outreach-women]", "17").await.unwrap();
    desk.type_into("[data-testid=outreach-vulnerable]", "20").await.unwrap();
    desk.click("[data-testid=outreach-save]").await.unwrap();
    desk.wait_for_text("[data-testid=outreach-totals]", "17 (56.7 %)").await.unwrap();
    desk.screenshot("outreach").await.unwrap();
    desk.quit().await.unwrap();

    let store = open_database(&home);
    let totals = store.money_totals().unwrap();
    let all = totals.last().unwrap();
    assert_eq!((all.contracts, all.grants_tenge, all.scholarships_tenge), (1, 999_999, 234_000));
    let reports = store.report_lines(Some("550000000")).unwrap();
    let states: Vec<_> = reports.iter().filter_map(|l| l.report.as_ref().map(|r| r.data.status)).collect();
    assert_eq!(states, [korpus_domain::closing::reports::ReportStatus::Accepted]);
    let outreach = store.outreach(None).unwrap();
    assert_eq!((outreach.len(), outreach[0].data.women, outreach[0].data.vulnerable), (1, 17, 20));
}

/// A stand-in for the system's PDF viewer: `xdg-open` first on the desk's PATH, writing down what
/// it was asked to open (the desk's side of opening a file is real: it runs `xdg-open`).
fn viewer(home: &Home) -> (String, std::path::PathBuf) {
    let bin = home.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let opened = home.path().join("opened.txt");
    let script = bin.join("xdg-open");
    std::fs::write(&script, format!("#!/bin/sh\necho \"$1\" >> '{}'\n", opened.display())).unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    (path, opened)
}

/// What the stand-in viewer was asked to open, once it has been asked `n` times (it runs on its
/// own, after the desk's call returns), or what it has after 20 s.
async fn opened_lines(opened: &std::path::Path, n: usize) -> Vec<String> {
    let started = std::time::Instant::now();
    loop {
        let lines: Vec<String> =
            std::fs::read_to_string(opened).unwrap_or_default().lines().map(str::to_owned).collect();
        if lines.len() >= n || started.elapsed() > std::time::Duration::from_secs(20) {
            return lines;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

fn pdf_text(pdf: &std::path::Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn a_certificate_is_previewed_saved_and_opened_and_every_one_is_printed_at_once() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let home = Home::new().unwrap();
    Desk::launch(&home, &[]).await.unwrap().quit().await.unwrap();
    let (mentor, _) = mentor_who_completed(&mut open_database(&home));
    let (path, opened) = viewer(&home);
    // The user's Documents folder, as a desktop session names it.
    let documents = home.path().join("Documents");
    std::fs::create_dir_all(home.path().join(".config")).unwrap();
    std::fs::write(home.path().join(".config/user-dirs.dirs"), "XDG_DOCUMENTS_DIR=\"$HOME/Documents\"\n")
        .unwrap();
    let desk = Desk::launch(&home, &[("PATH", &path)]).await.unwrap();
    desk.click("[data-testid=lang-en]").await.unwrap();
    desk.click("[data-testid=nav-certificates]").await.unwrap();
    desk.click("[data-testid=certificates-ready]").await.unwrap();
    desk.wait_for_text("[data-testid=certificate-line]", "Mentor").await.unwrap();
    desk.type_into("[data-testid=certificate-on]", "20.12.2017").await.unwrap();
    desk.click("[data-testid=certificate-issue]").await.unwrap();
    desk.click("[data-testid=certificates-ready]").await.unwrap();
    desk.wait_for_text("[data-testid=certificate-list]", "No. 2017-").await.unwrap();

    // The preview: the page as it will print, Kazakh first, then Kazakh and Russian.
    desk.click("[data-testid=certificate-print]").await.unwrap();
    desk.wait_for("[data-testid=print-preview]").await.unwrap();
    desk.wait_for_text("[data-testid=print-pages]", "Pages: 1").await.unwrap();
    desk.choose("[data-testid=print-lang]", "kk+ru").await.unwrap();
    desk.wait_for("[data-testid=print-preview]").await.unwrap();
    let width = desk
        .client
        .execute(
            "const img = document.querySelector('[data-testid=print-preview]'); \
             return img.complete ? img.naturalWidth : -1;",
            vec![],
        )
        .await
        .unwrap();
    assert!(width.as_f64().unwrap_or(0.0) > 100.0, "the preview is drawn: {width}");
    desk.screenshot("print-preview").await.unwrap();
    // Saved in Documents/Korpus and handed to the system's viewer.
    desk.click("[data-testid=print-save]").await.unwrap();
    let saved = desk.wait_for_text("[data-testid=print-saved]", "Korpus").await.unwrap();
    let file = std::path::PathBuf::from(saved.trim_start_matches("Saved: ").trim());
    assert!(file.starts_with(documents.join("Korpus")), "{}", file.display());
    let text = pdf_text(&file);
    assert!(text.contains("СЕРТИФИКАТ") && text.contains("Настоящий сертификат подтверждает"), "{text}");
    let store = open_database(&home);
    let issued = store
        .certificate_line(korpus_domain::closing::certification::Holder::Mentor, &mentor.to_string())
        .unwrap()
        .certificate
        .unwrap();
    assert!(text.contains(&issued.data.full_name), "{text}");
    let asked = opened_lines(&opened, 1).await;
    assert_eq!(asked, [file.display().to_string()]);
    desk.click("[data-testid=print-close]").await.unwrap();

    // Every issued certificate at once: the folder, then opened.
    desk.choose("[data-testid=batch-lang]", "ru").await.unwrap();
    desk.click("[data-testid=print-all]").await.unwrap();
    let done = desk.wait_for_text("[data-testid=batch-done]", "1 certificate(s) saved").await.unwrap();
    let folder = documents.join("Korpus").join("certificates-2017");
    assert!(done.contains(&folder.display().to_string()), "{done}");
    let batch = folder.join(format!("{}.pdf", issued.data.number));
    assert!(pdf_text(&batch).contains("Региональный координатор"), "the batch is in Russian");
    desk.click("[data-testid=batch-open]").await.unwrap();
    let asked = opened_lines(&opened, 2).await;
    assert_eq!(asked.last(), Some(&folder.display().to_string()));

    // Is it genuine? Its code pasted: yes; the same code with another name: no, and why; its PDF
    // opened: yes.
    let code = korpus_domain::closing::certificate_code::CertificateCode::of(&issued.data).text();
    desk.type_into("[data-testid=verify-code]", &code).await.unwrap();
    desk.click("[data-testid=verify-check]").await.unwrap();
    let said = desk.wait_for_text("[data-testid=verify-result]", "Genuine").await.unwrap();
    assert!(said.contains(&issued.data.number) && said.contains(&issued.data.full_name), "{said}");
    let forged = code.replace(&issued.data.full_name, "Бөтенов Бөтен");
    desk.type_into("[data-testid=verify-code]", &forged).await.unwrap();
    desk.click("[data-testid=verify-check]").await.unwrap();
    desk.wait_for_text("[data-testid=verify-result]", "Not genuine").await.unwrap();
    desk.type_into("[data-testid=verify-code]", "not a code").await.unwrap();
    desk.click("[data-testid=verify-check]").await.unwrap();
    desk.wait_for("[data-testid=error-certificate_code]").await.unwrap();
    let picker = desk.wait_for("[data-testid=verify-file]").await.unwrap();
    picker.send_keys(&file.display().to_string()).await.unwrap();
    let said = desk.wait_for_text("[data-testid=verify-result]", "Genuine").await.unwrap();
    assert!(!said.contains("Not genuine"), "{said}");
    desk.screenshot("certificate-verified").await.unwrap();

    // A training day's sheet prints where it is filled: phase III for mentors, day 2.
    desk.click("[data-testid=nav-training]").await.unwrap();
    desk.choose("#field-region", "550000000").await.unwrap();
    desk.click("[data-testid=training-open-phase3_mentors]").await.unwrap();
    desk.click("[data-testid=sheet-day-2]").await.unwrap();
    desk.click("[data-testid=print-attendance]").await.unwrap();
    desk.wait_for_text("[data-testid=print-pages]", "Pages: 1").await.unwrap();
    desk.click("[data-testid=print-save]").await.unwrap();
    let saved = desk.wait_for_text("[data-testid=print-saved]", "attendance-phase3_mentors").await.unwrap();
    let sheet = std::path::PathBuf::from(saved.trim_start_matches("Saved: ").trim());
    let text = pdf_text(&sheet);
    assert!(text.contains("Қатысу парағы") && text.contains(&issued.data.full_name), "{text}");
    desk.quit().await.unwrap();
}

/// A PNG of `width` × 1 grey pixels: a scan the window can show.
fn png(width: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, 1);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.write_header().unwrap().write_image_data(&vec![128u8; width as usize]).unwrap();
    bytes
}

#[tokio::test]
async fn a_scan_is_attached_to_a_mentor_shown_opened_and_one_attached_by_mistake_removed() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let home = Home::new().unwrap();
    Desk::launch(&home, &[]).await.unwrap().quit().await.unwrap();
    let mentor = {
        let mut store = open_database(&home);
        let mentor = screened_mentor(&mut store);
        // The screened mentor brought every document: start from none.
        for d in store.documents_of(korpus_domain::DocumentOwner::Mentor, mentor).unwrap() {
            store.remove_document(d.id, d.version).unwrap();
        }
        mentor
    };
    let scans = home.path().join("scans");
    std::fs::create_dir_all(&scans).unwrap();
    let (page, wrong, big, mistake) = (
        scans.join("справка.png"),
        scans.join("справка.pdf"),
        scans.join("big.pdf"),
        scans.join("charter.pdf"),
    );
    std::fs::write(&page, png(320)).unwrap();
    std::fs::write(&wrong, b"MZ\x90\0 a program, renamed").unwrap();
    let mut large = b"%PDF-1.4\n".to_vec();
    large.resize(20 * 1024 * 1024 + 1, b' ');
    std::fs::write(&big, &large).unwrap();
    std::fs::write(&mistake, b"%PDF-1.4\n% a page scanned for someone else\n").unwrap();
    let (path, opened) = viewer(&home);
    let desk = Desk::launch(&home, &[("PATH", &path)]).await.unwrap();
    desk.click("[data-testid=lang-en]").await.unwrap();
    desk.click("[data-testid=nav-mentors]").await.unwrap();
    desk.click("[data-testid=row] button").await.unwrap();
    desk.wait_for_text("[data-testid=documents-none]", "No documents").await.unwrap();
    let attach = |file: std::path::PathBuf, kind: &'static str| {
        let desk = &desk;
        async move {
            desk.choose("[data-testid=document-kind]", kind).await.unwrap();
            desk.type_into("[data-testid=document-issued]", "01.04.2017").await.unwrap();
            let picker = desk.wait_for("[data-testid=document-file-input]").await.unwrap();
            picker.send_keys(&file.display().to_string()).await.unwrap();
            desk.wait_for_text("[data-testid=document-chosen]", &file.file_name().unwrap().to_string_lossy())
                .await
                .unwrap();
            desk.click("[data-testid=document-attach]").await.unwrap();
        }
    };
    // A program renamed to .pdf, and a file over the limit: each named next to the field.
    attach(wrong.clone(), "no_criminal_record").await;
    desk.wait_for_text("[data-testid=error-file]", "справка.pdf is not a PDF file").await.unwrap();
    attach(big.clone(), "no_criminal_record").await;
    desk.wait_for_text("[data-testid=error-file]", "big.pdf is larger than 20 MB").await.unwrap();
    {
        let store = open_database(&home);
        assert!(store.documents_of(korpus_domain::DocumentOwner::Mentor, mentor).unwrap().is_empty());
    }
    // The photographed certificate goes in and is shown on the page.
    attach(page.clone(), "no_criminal_record").await;
    desk.wait_for_text("[data-testid=documents-message]", "Attached: no criminal record").await.unwrap();
    desk.wait_for_text("[data-testid=document-file]", "справка.png").await.unwrap();
    desk.click("[data-testid=document-show]").await.unwrap();
    desk.wait_for("[data-testid=document-image]").await.unwrap();
    let mut width = serde_json::Value::Null;
    for _ in 0..50 {
        width = desk
            .client
            .execute(
                "const img = document.querySelector('[data-testid=document-image]'); \
                 return img.complete ? img.naturalWidth : null;",
                vec![],
            )
            .await
            .unwrap();
        if !width.is_null() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(width.as_u64(), Some(320), "the scan is shown as the image it is");
    desk.click("[data-testid=document-open]").await.unwrap();
    let lines = opened_lines(&opened, 1).await;
    assert_eq!(std::fs::read(&lines[0]).unwrap(), png(320), "the viewer got the scan itself");
    // A charter is no mentor's document: the kind list does not offer it; "other" is, by mistake.
    // The second is dropped on the page, as a file dragged from the file manager arrives.
    desk.choose("[data-testid=document-kind]", "other").await.unwrap();
    desk.type_into("[data-testid=document-issued]", "01.04.2017").await.unwrap();
    desk.client
        .execute(
            "const file = new File([arguments[0]], 'charter.pdf', { type: 'application/pdf' }); \
             const data = new DataTransfer(); data.items.add(file); \
             document.querySelector('[data-testid=documents-drop]') \
               .dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));",
            vec![serde_json::json!(String::from_utf8(std::fs::read(&mistake).unwrap()).unwrap())],
        )
        .await
        .unwrap();
    desk.wait_for_text("[data-testid=document-chosen]", "charter.pdf").await.unwrap();
    desk.click("[data-testid=document-attach]").await.unwrap();
    desk.wait_for_text("[data-testid=documents-message]", "Attached: other").await.unwrap();
    desk.screenshot("mentor-documents").await.unwrap();
    let rows = desk.client.find_all(fantoccini::Locator::Css("[data-testid=document-row]")).await.unwrap();
    assert_eq!(rows.len(), 2);
    rows[1]
        .find(fantoccini::Locator::Css("[data-testid=document-remove]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    desk.click("[data-testid=document-remove-yes]").await.unwrap();
    desk.wait_for_text("[data-testid=documents-message]", "Removed: other").await.unwrap();
    // The mentor's history names each of it, newest first: the removal on top.
    desk.click("[data-testid=history] summary").await.unwrap();
    desk.wait_for_text("[data-testid=history-entry]", "document removed").await.unwrap();
    let entries =
        desk.client.find_all(fantoccini::Locator::Css("[data-testid=history-entry]")).await.unwrap();
    let mut texts = Vec::new();
    for e in &entries {
        texts.push(e.text().await.unwrap());
    }
    // Removed, attached by mistake, attached, and the mentor and the four documents as the store
    // wrote them before the desk started (their removal too).
    assert!(texts[1].contains("document created") && texts[1].contains("charter.pdf"), "{texts:?}");
    assert!(texts[2].contains("document created") && texts[2].contains("справка.png"), "{texts:?}");
    assert!(texts.last().unwrap().contains("mentor created") && texts.last().unwrap().contains("Жұмабаева"));
    desk.quit().await.unwrap();
    let store = open_database(&home);
    let left = store.documents_of(korpus_domain::DocumentOwner::Mentor, mentor).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(
        (left[0].data.kind, left[0].data.file_name.as_deref(), left[0].data.file_size),
        (korpus_domain::DocumentKind::NoCriminalRecord, Some("справка.png"), Some(png(320).len() as i64))
    );
}

#[tokio::test]
async fn a_record_registered_by_mistake_is_removed_and_one_still_named_is_kept_with_the_reason() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let home = Home::new().unwrap();
    Desk::launch(&home, &[]).await.unwrap().quit().await.unwrap();
    {
        let mut store = open_database(&home);
        three_applications(&mut store, 700);
    }
    let desk = Desk::launch(&home, &[]).await.unwrap();
    desk.click("[data-testid=lang-en]").await.unwrap();
    desk.click("[data-testid=nav-applications]").await.unwrap();
    desk.click("[data-testid=row] button").await.unwrap();
    // The group's leader: kept, and the page says what still names them (the application).
    desk.click("[data-testid=member] button.link").await.unwrap();
    desk.click("[data-testid=remove]").await.unwrap();
    desk.click("[data-testid=remove-yes]").await.unwrap();
    desk.wait_for_text(
        "[data-testid=remove-error]",
        "cannot be removed while other records name it: applications (1)",
    )
    .await
    .unwrap();
    // The application goes, with its group, after a yes.
    desk.click("[data-testid=nav-applications]").await.unwrap();
    desk.click("[data-testid=row] button").await.unwrap();
    desk.wait_for("[data-testid=member]").await.unwrap();
    desk.click("[data-testid=remove]").await.unwrap();
    desk.wait_for_text("[role=group]", "Remove this application, registered by mistake, with its group?")
        .await
        .unwrap();
    desk.click("[data-testid=remove-yes]").await.unwrap();
    desk.wait_for("[data-testid=add]").await.unwrap();
    desk.quit().await.unwrap();
    let store = open_database(&home);
    let rows = store.all_rows().unwrap();
    let count = |entity: korpus_domain::Entity| rows.iter().filter(|r| r.entity == entity).count();
    assert_eq!(count(korpus_domain::Entity::Application), 2);
    assert_eq!(count(korpus_domain::Entity::ApplicationMember), 6);
    assert_eq!(count(korpus_domain::Entity::Person), 9);
    // One envelope removed the group and the application.
    let last = store.unsent(1000).unwrap().pop().unwrap().envelope;
    assert_eq!(last.ops.len(), 4);
    assert!(last.ops.iter().all(|o| o.op == korpus_domain::OpKind::Delete));
}

#[tokio::test]
async fn the_recovery_code_is_shown_once_printed_and_opens_the_database_on_another_laptop() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let home = Home::new().unwrap();
    let (path, opened) = viewer(&home);
    std::fs::create_dir_all(home.path().join(".config")).unwrap();
    std::fs::write(home.path().join(".config/user-dirs.dirs"), "XDG_DOCUMENTS_DIR=\"$HOME/Documents\"\n")
        .unwrap();
    // The desk makes its database: the code comes over the first screen, once.
    let desk = Desk::launch_as_is(&home, &[("PATH", &path)]).await.unwrap();
    let code = desk.wait_for("[data-testid=recovery-code]").await.unwrap().text().await.unwrap();
    let parsed = korpus_store::RecoveryCode::parse(&code).unwrap();
    assert_eq!(parsed.to_string(), code, "five groups of five: {code}");
    desk.click("[data-testid=recovery-lang-en]").await.unwrap();
    desk.wait_for_text("[data-testid=recovery-dialog]", "It is shown only now").await.unwrap();
    desk.screenshot("recovery-code").await.unwrap();
    // Its sheet: previewed, saved in Documents/Korpus, the code on it whole.
    desk.click("[data-testid=recovery-print]").await.unwrap();
    desk.wait_for("[data-testid=print-preview]").await.unwrap();
    desk.choose("[data-testid=print-lang]", "en").await.unwrap();
    desk.wait_for("[data-testid=print-preview]").await.unwrap();
    desk.click("[data-testid=print-save]").await.unwrap();
    let saved = desk.wait_for_text("[data-testid=print-saved]", "Korpus").await.unwrap();
    let sheet = std::path::PathBuf::from(saved.trim_start_matches("Saved: ").trim());
    assert!(sheet.starts_with(home.path().join("Documents/Korpus")), "{}", sheet.display());
    let printed = pdf_text(&sheet);
    assert!(printed.contains("Recovery sheet of the case database") && printed.contains(&code), "{printed}");
    assert_eq!(opened_lines(&opened, 1).await, [sheet.display().to_string()]);
    desk.click("[data-testid=print-close]").await.unwrap();
    desk.click("[data-testid=recovery-written]").await.unwrap();
    desk.wait_gone("[data-testid=recovery-dialog]").await.unwrap();
    let valid = iin(1996, 5, 17, Sex::Female, 10);
    add_person(&desk, &valid, "Құрманова", "Іңкәр").await;
    desk.quit().await.unwrap();
    // Started again, the desk does not show the code a second time.
    let again = Desk::launch_as_is(&home, &[]).await.unwrap();
    again.wait_for("[data-testid=desk]").await.unwrap();
    assert!(again.client.find(fantoccini::Locator::Css("[data-testid=recovery-dialog]")).await.is_err());
    again.quit().await.unwrap();

    // The database's folder copied to another laptop (the file and its write-ahead log): no key
    // in its keyring, so the desk asks.
    let other = Home::new().unwrap();
    std::fs::create_dir_all(other.database().parent().unwrap()).unwrap();
    for suffix in ["", "-wal"] {
        let file = |home: &Home| std::path::PathBuf::from(format!("{}{suffix}", home.database().display()));
        if file(&home).exists() {
            std::fs::copy(file(&home), file(&other)).unwrap();
        }
    }
    std::fs::create_dir_all(other.path().join(".config/kz.korpus.desk")).unwrap();
    std::fs::write(other.path().join(".config/kz.korpus.desk/settings.json"), r#"{"lang":"en"}"#).unwrap();
    let desk = Desk::launch_as_is(&other, &[]).await.unwrap();
    desk.wait_for_text("[data-testid=unlock-reason]", "holds no key for this database").await.unwrap();
    // A mistyped symbol is caught by the check symbols, under the field; nothing opens.
    let mut typo = code.clone().into_bytes();
    typo[0] = if typo[0] == b'7' { b'8' } else { b'7' };
    desk.type_into("#field-recovery_code", std::str::from_utf8(&typo).unwrap()).await.unwrap();
    desk.click("[data-testid=unlock-recovery] [data-testid=save]").await.unwrap();
    desk.wait_for_text("[data-testid=unlock-recovery] .field-error", "mistyped").await.unwrap();
    desk.screenshot("unlock-recovery-code").await.unwrap();
    // As written down by hand: small letters and spaces.
    desk.type_into("#field-recovery_code", &code.replace('-', " ").to_lowercase()).await.unwrap();
    desk.click("[data-testid=unlock-recovery] [data-testid=save]").await.unwrap();
    desk.wait_for("[data-testid=desk]").await.unwrap();
    desk.click("[data-testid=nav-persons]").await.unwrap();
    desk.wait_for_text("[data-testid=row]", &valid).await.unwrap();

    // A new code from Settings: refused while another program holds the database open...
    desk.click("[data-testid=nav-settings]").await.unwrap();
    desk.wait_for_text("[data-testid=recovery-made]", "The recovery code was made on").await.unwrap();
    let beside = open_database(&other);
    desk.click("[data-testid=recovery-new]").await.unwrap();
    desk.click("[data-testid=recovery-confirm]").await.unwrap();
    desk.wait_for_text("[data-testid=recovery-error]", "open in another program").await.unwrap();
    drop(beside);
    // ...and made once it is closed: shown once, and the database opens with it alone.
    desk.click("[data-testid=recovery-confirm]").await.unwrap();
    let second = desk.wait_for("[data-testid=recovery-code]").await.unwrap().text().await.unwrap();
    assert_ne!(second, code);
    desk.screenshot("settings-recovery").await.unwrap();
    desk.click("[data-testid=recovery-written]").await.unwrap();
    desk.wait_gone("[data-testid=recovery-dialog]").await.unwrap();
    // The desk goes on with the new key.
    add_person(&desk, &iin(1997, 2, 3, Sex::Male, 20), "Бекұлы", "Арман").await;
    desk.quit().await.unwrap();
    let key = korpus_store::RecoveryCode::parse(&second).unwrap().key();
    let reopened = Store::open(&other.database(), &key, Arc::new(SystemClock)).unwrap();
    assert_eq!(reopened.count_persons().unwrap(), 2);
    let old = korpus_store::RecoveryCode::parse(&code).unwrap().key();
    assert!(
        Store::open(&other.database(), &old, Arc::new(SystemClock)).is_err(),
        "the old code opens nothing"
    );
}

#[tokio::test]
async fn the_desk_backs_up_daily_into_the_chosen_folder_and_warns_when_backups_stop() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let home = Home::new().unwrap();
    let clock = home.path().join("clock");
    std::fs::write(&clock, "2017-05-02T05:00:00Z").unwrap();
    let env = [("KORPUS_CLOCK_FILE", clock.to_str().unwrap()), ("KORPUS_BACKUP_LOOK_SECONDS", "1")];
    let desk = Desk::launch(&home, &env).await.unwrap();
    desk.click("[data-testid=lang-en]").await.unwrap();
    add_person(&desk, &iin(1996, 5, 17, Sex::Female, 10), "Құрманова", "Іңкәр").await;
    // The first daily backup: made by the desk itself, beside the database.
    let beside = home.database().parent().unwrap().join("backups");
    let started = std::time::Instant::now();
    while korpus_store::list_backups(&beside).map_or(true, |b| b.is_empty()) {
        assert!(started.elapsed().as_secs() < 30, "no daily backup in {}", beside.display());
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    desk.click("[data-testid=nav-settings]").await.unwrap();
    desk.wait_for_text("[data-testid=backup-last]", "(today), daily").await.unwrap();
    desk.click("[data-testid=backup-verify]").await.unwrap();
    desk.wait_for_text("[data-testid=backup-check]", "Whole:").await.unwrap();

    // A folder of the coordinator's choosing: a relative one is refused under the field.
    desk.type_into("#field-backup_folder", "usb").await.unwrap();
    desk.click("[data-testid=backup-settings-save]").await.unwrap();
    desk.wait_for_text("[data-testid=error-backup_folder]", "full path").await.unwrap();
    let usb = home.path().join("usb");
    desk.type_into("#field-backup_folder", usb.to_str().unwrap()).await.unwrap();
    desk.type_into("#field-backup_keep", "2").await.unwrap();
    desk.click("[data-testid=backup-settings-save]").await.unwrap();
    desk.wait_for_text("[data-testid=settings-backups] h3", usb.to_str().unwrap()).await.unwrap();
    for _ in 0..3 {
        desk.click("[data-testid=backup-now]").await.unwrap();
        desk.wait_for_text("[data-testid=backup-made]", usb.to_str().unwrap()).await.unwrap();
    }
    desk.wait_for_text("[data-testid=backup-files]", "made by hand").await.unwrap();
    let files = korpus_store::list_backups(&usb).unwrap();
    assert_eq!(files.len(), 2, "the newest two are kept: {files:?}");
    let key = OsKeyring.load(&home.database()).unwrap().unwrap();
    assert_eq!(korpus_store::verify_backup(&files[0].path, &key).unwrap().persons, 1);
    desk.screenshot("settings-backups").await.unwrap();

    // The USB stick pulled out, four days on: the daily backup fails, and the page says so.
    std::fs::remove_dir_all(&usb).unwrap();
    std::fs::write(&usb, b"not a folder").unwrap();
    std::fs::write(&clock, "2017-05-06T06:00:00Z").unwrap();
    let started = std::time::Instant::now();
    loop {
        desk.click("[data-testid=nav-home]").await.unwrap();
        desk.click("[data-testid=nav-settings]").await.unwrap();
        desk.wait_for("[data-testid=backup-last]").await.unwrap();
        if !desk
            .client
            .find_all(fantoccini::Locator::Css("[data-testid=backup-daily-error]"))
            .await
            .unwrap()
            .is_empty()
        {
            break;
        }
        assert!(started.elapsed().as_secs() < 30, "the failed daily backup is never shown");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    desk.wait_for_text("[data-testid=backup-warning]", "No backup for 4 days").await.unwrap();
    desk.wait_for_text("[data-testid=backup-daily-error]", "Backup folder: cannot write").await.unwrap();
    desk.wait_for_text("[data-testid=backup-folder-error]", "is the USB stick plugged in?").await.unwrap();
    desk.screenshot("settings-backups-warning").await.unwrap();
    desk.quit().await.unwrap();
}

#[tokio::test]
async fn the_desk_syncs_by_itself_and_as_soon_as_hq_is_back_and_shows_what_waits() {
    let _turn = ONE_AT_A_TIME.lock().await;
    // Over HTTPS, HQ's certificate its own: given at enrolment in the window, and pinned.
    let mut hq = korpus_sync_tests::Hq::start_tls().await.unwrap();
    let home = Home::new().unwrap();
    let clock = home.path().join("clock");
    std::fs::write(&clock, "2017-05-02T05:00:00Z").unwrap();
    let env = [("KORPUS_CLOCK_FILE", clock.to_str().unwrap()), ("KORPUS_SYNC_LOOK_SECONDS", "1")];
    let desk = Desk::launch(&home, &env).await.unwrap();
    desk.click("[data-testid=lang-en]").await.unwrap();
    desk.click("[data-testid=nav-sync]").await.unwrap();
    desk.type_into("#field-server", &hq.url()).await.unwrap();
    desk.type_into("#field-code", &hq.code("hq").unwrap()).await.unwrap();
    desk.type_into("#field-device_name", "Ноутбук").await.unwrap();
    let pem = home.path().join("hq.pem");
    std::fs::write(&pem, hq.certificate().unwrap()).unwrap();
    desk.wait_for("[data-testid=enrol-certificate]")
        .await
        .unwrap()
        .send_keys(pem.to_str().unwrap())
        .await
        .unwrap();
    desk.wait_for_text("[data-testid=enrol-certificate-read]", "hq.pem").await.unwrap();
    desk.click("[data-testid=enrol]").await.unwrap();
    desk.wait_for("[data-testid=sync-status]").await.unwrap();
    let given = hq.certificate().map(|c| c.trim().to_owned());
    assert_eq!(open_database(&home).sync_state().unwrap().and_then(|s| s.hq_certificate), given);
    // No click on "sync now": the desk syncs by itself once enrolled, and the sidebar says so.
    desk.wait_for_text("[data-testid=sync-glance-last]", "Synced 02.05.2017").await.unwrap();
    desk.wait_for_text("[data-testid=sync-glance-unsent]", "nothing waits").await.unwrap();

    // How often: a day at most, named under the field; ten minutes kept.
    desk.click("[data-testid=nav-settings]").await.unwrap();
    desk.type_into("#field-auto_sync_minutes", "5000").await.unwrap();
    desk.click("[data-testid=auto-sync-save]").await.unwrap();
    desk.wait_for_text("[data-testid=error-auto_sync_minutes]", "between 0 and 1440").await.unwrap();
    desk.type_into("#field-auto_sync_minutes", "10").await.unwrap();
    desk.click("[data-testid=auto-sync-save]").await.unwrap();
    desk.wait_for("[data-testid=auto-sync-saved]").await.unwrap();
    assert_eq!(open_database(&home).auto_sync_minutes().unwrap(), 10);

    // HQ goes away; a person is registered: it waits. Ten minutes on, the desk finds HQ away,
    // and the sidebar says so.
    hq.kill();
    let valid = iin(1996, 5, 17, Sex::Female, 10);
    add_person(&desk, &valid, "Құрманова", "Іңкәр").await;
    desk.wait_for_text("[data-testid=sync-glance-unsent]", "1 change waits").await.unwrap();
    std::fs::write(&clock, "2017-05-02T05:11:00Z").unwrap();
    desk.wait_for_text("[data-testid=sync-glance-problem]", "HQ unreachable").await.unwrap();
    desk.screenshot("sync-glance-away").await.unwrap();
    // HQ back: the desk syncs at its next look, with no click, and nothing waits.
    hq.restart().await.unwrap();
    desk.wait_for_text("[data-testid=sync-glance-unsent]", "nothing waits").await.unwrap();
    desk.wait_for_text("[data-testid=sync-glance-last]", "Synced 02.05.2017 11:11").await.unwrap();
    assert!(
        desk.client
            .find_all(fantoccini::Locator::Css("[data-testid=sync-glance-problem]"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(hq.query_i64("SELECT count(*) FROM rows WHERE entity = 'person'").await.unwrap(), 1);
    desk.quit().await.unwrap();
}
