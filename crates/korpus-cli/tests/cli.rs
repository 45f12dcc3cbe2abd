//! The `korpus` binary as a script or a person uses it: real processes, real encrypted files,
//! exit codes and messages in the chosen language.

// A failed unwrap in a test helper fails that test, which is what it should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assert_cmd::Command;
use chrono::NaiveDate;
use korpus_domain::{Bin, HostOrgCriteria, Iin, Sex};
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn korpus(db: &Path) -> Command {
    let mut cmd = Command::cargo_bin("korpus").unwrap();
    cmd.env("KORPUS_DB_KEY", "cli test key")
        .env_remove("KORPUS_LANG")
        .env_remove("KORPUS_DB")
        .arg("--db")
        .arg(db);
    cmd
}

fn new_db() -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("case.db");
    korpus(&db).args(["init", "--author", "tester"]).assert().success();
    (dir, db)
}

fn iin(y: i32, m: u32, d: u32, sex: Sex, serial: u16) -> String {
    let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
    (serial..serial + 100).find_map(|s| Iin::compose(date, sex, s)).unwrap().to_string()
}

fn json(cmd: &mut Command) -> Value {
    let output = cmd.arg("--json").output().unwrap();
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)))
}

fn outbox_len(db: &Path) -> usize {
    json(korpus(db).args(["outbox", "--limit", "100000"])).as_array().unwrap().len()
}

fn add_person(db: &Path, iin: &str, surname: &str, given: &str) -> Command {
    let mut cmd = korpus(db);
    cmd.args(["person", "add", "--iin", iin, "--surname", surname, "--given-name", given]).args([
        "--region",
        "550000000",
        "--locality",
        "Ақсу",
        "--education",
        "school_leaver",
    ]);
    cmd
}

#[test]
fn check_iin_valid_prints_birth_date_and_sex_and_exits_0() {
    let valid = iin(1995, 3, 8, Sex::Female, 0);
    let dir = TempDir::new().unwrap();
    korpus(&dir.path().join("none.db"))
        .args(["check", "iin", &valid])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("08.03.1995").and(predicate::str::contains("әйел")));
    korpus(&dir.path().join("none.db"))
        .args(["--lang", "en", "check", "iin", &valid])
        .assert()
        .stdout(predicate::str::contains("born 08.03.1995, female"));
}

#[test]
fn check_iin_invalid_exits_1_with_the_reason_in_the_chosen_language() {
    let valid = iin(1995, 3, 8, Sex::Female, 0);
    let last = valid.as_bytes()[11] - b'0';
    let wrong = format!("{}{}", &valid[..11], (last + 1) % 10);
    let db = TempDir::new().unwrap();
    let none = db.path().join("none.db");
    korpus(&none)
        .args(["check", "iin", &wrong])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("ЖСН: бақылау"));
    korpus(&none)
        .args(["--lang", "ru", "check", "iin", &wrong])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("ИИН: неверна контрольная"));
    korpus(&none)
        .args(["--lang", "en", "check", "iin", "12345"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("12 digits, not 5"));
}

#[test]
fn check_bin_names_the_organisations_type() {
    let bin = (0..100).find_map(|s| Bin::compose(10, 4, 4, 1, s)).unwrap().to_string();
    let db = TempDir::new().unwrap();
    let none = db.path().join("none.db");
    korpus(&none)
        .args(["--lang", "en", "check", "bin", &bin])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("legal entity (resident), branch, registered 04.10"));
    let bad = format!("{}9{}", &bin[..4], &bin[5..]);
    korpus(&none)
        .args(["--lang", "en", "check", "bin", &bad])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("5th digit 9"));
}

#[test]
fn person_is_added_found_by_iin_prefix_and_name_and_shown() {
    let (_dir, db) = new_db();
    let id = iin(1996, 5, 17, Sex::Female, 10);
    add_person(&db, &id, "Құрманова", "Іңкәр").assert().success().stdout(predicate::str::contains("Құрылды"));
    korpus(&db)
        .args(["person", "search", &id[..6]])
        .assert()
        .stdout(predicate::str::contains("Құрманова Іңкәр"));
    korpus(&db)
        .args(["person", "search", "ІҢКӘР құрман"])
        .assert()
        .stdout(predicate::str::contains(id.as_str()));
    let shown = json(korpus(&db).args(["person", "show", &id]));
    assert_eq!(shown["iin"], id);
    assert_eq!(shown["sex"], "female");
    assert_eq!(shown["birth_date"], "1996-05-17");
    assert_eq!(shown["version"], 1);
}

#[test]
fn bad_person_names_every_field_in_russian_and_writes_nothing() {
    let (_dir, db) = new_db();
    let before = outbox_len(&db);
    korpus(&db)
        .args([
            "--lang",
            "ru",
            "person",
            "add",
            "--iin",
            "12345678901",
            "--surname",
            "R2D2",
            "--region",
            "750000000",
        ])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("ИИН: должен содержать 12 цифр")
                .and(predicate::str::contains("Фамилия: допускаются только буквы"))
                .and(predicate::str::contains("Имя: обязательное поле"))
                .and(predicate::str::contains("Область: «750000000» не область программы")),
        );
    assert_eq!(outbox_len(&db), before);
    assert_eq!(json(korpus(&db).args(["person", "list"])).as_array().unwrap().len(), 0);
}

#[test]
fn person_aged_30_on_the_reference_date_is_refused() {
    let (_dir, db) = new_db();
    add_person(&db, &iin(1987, 4, 14, Sex::Male, 0), "Ахметов", "Ерлан")
        .args(["--lang", "en"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Date of birth: age 30 on 14.04.2017 is outside 18-29 years"));
    add_person(&db, &iin(1987, 4, 15, Sex::Male, 0), "Ахметов", "Ерлан").assert().success();
}

#[test]
fn json_error_carries_code_field_and_message() {
    let (_dir, db) = new_db();
    let report = json(add_person(&db, "000000000000", "Ахметов", "Ерлан").args(["--lang", "en"]));
    assert_eq!(report["error"]["code"], "validation");
    assert_eq!(report["error"]["fields"][0]["field"], "iin");
    assert_eq!(report["error"]["fields"][0]["code"], "error-iin-century");
}

fn three_members(db: &Path, first: u16) -> Vec<String> {
    (0..3)
        .map(|i| {
            let id = iin(1997, 1, 2 + i as u32, Sex::Male, first);
            add_person(db, &id, "Оспанов", "Айдос").assert().success();
            id
        })
        .collect()
}

fn application(db: &Path, members: &[String]) -> Command {
    application_with_budget(db, members, "1 000 000")
}

fn application_with_budget(db: &Path, members: &[String], budget: &str) -> Command {
    let mut cmd = korpus(db);
    cmd.args(["application", "add", "--path", "initiative_group", "--leader", &members[0]])
        .args(["--name", "Жасыл аула", "--territory", "Ақсу", "--goal", "Аула көгалдандыру"])
        .args(["--target-group", "Жастар", "--description", "Аула жасыл болады"])
        .args(["--direction", "ecology_landscaping", "--budget", budget, "--region", "Павлодар"]);
    for m in members {
        cmd.args(["--member", m]);
    }
    cmd
}

#[test]
fn application_with_three_members_is_recorded_and_found_by_member() {
    let (_dir, db) = new_db();
    let members = three_members(&db, 0);
    let created = json(&mut application(&db, &members));
    assert_eq!(created["members"].as_array().unwrap().len(), 3);
    assert_eq!(created["members"][0]["iin"], members[0], "the leader comes first");
    assert_eq!(created["budget"], 1_000_000);
    korpus(&db)
        .args(["application", "search", "оспанов"])
        .assert()
        .stdout(predicate::str::contains("Жасыл аула"));
    let id = created["id"].as_str().unwrap();
    korpus(&db).args(["application", "show", id]).assert().stdout(predicate::str::contains("1 000 000 ₸"));
}

#[test]
fn a_person_registered_by_mistake_is_removed_and_a_member_is_kept_with_the_reason() {
    let (_dir, db) = new_db();
    let members = three_members(&db, 0);
    let created = json(&mut application(&db, &members));
    // A member: kept, the refusal says what names them, in Kazakh, exit 1.
    korpus(&db)
        .args(["person", "remove", &members[1]])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("(1) тұрғанда жоюға болмайды: топқа мүшелік"));
    // The application goes with its group; then the person, found by IIN.
    let id = created["id"].as_str().unwrap();
    korpus(&db)
        .args(["--lang", "en", "application", "remove", id])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("Removed application {id}")));
    let before = outbox_len(&db);
    korpus(&db)
        .args(["--lang", "ru", "person", "remove", &members[1]])
        .assert()
        .success()
        .stdout(predicate::str::contains("Удалено: участник"));
    assert_eq!(outbox_len(&db), before + 1);
    korpus(&db).args(["person", "show", &members[1]]).assert().code(1);
}

#[test]
fn group_of_two_budget_over_limit_and_taken_member_are_refused() {
    let (_dir, db) = new_db();
    let members = three_members(&db, 0);
    application(&db, &members).assert().success();
    let before = outbox_len(&db);
    let others = three_members(&db, 2000);
    application(&db, &others[..2])
        .args(["--lang", "en"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Group members: a group has 3 to 5 members, this one has 2"));
    application_with_budget(&db, &others, "1000001")
        .args(["--lang", "en"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Budget: 1 000 001 ₸ is over the limit of 1 000 000 ₸"));
    let mut mixed = others.clone();
    mixed[2] = members[1].clone();
    application(&db, &mixed)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("«Жасыл аула» өтініміне қатысады"));
    assert_eq!(outbox_len(&db), before + 3, "only the three new persons were written");
}

#[test]
fn group_of_six_is_refused() {
    let (_dir, db) = new_db();
    let mut six = three_members(&db, 0);
    six.extend(three_members(&db, 3000));
    application(&db, &six)
        .args(["--lang", "en"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("this one has 6"));
}

#[test]
fn application_edit_adds_a_member() {
    let (_dir, db) = new_db();
    let members = three_members(&db, 0);
    let created = json(&mut application(&db, &members));
    let fourth = iin(1998, 6, 1, Sex::Female, 0);
    add_person(&db, &fourth, "Ахметова", "Дана").assert().success();
    let id = created["id"].as_str().unwrap();
    let edited = json(korpus(&db).args(["application", "edit", id, "--add-member", &fourth]));
    assert_eq!(edited["members"].as_array().unwrap().len(), 4);
    assert_eq!(edited["version"], 1, "the application's own fields did not change");
}

fn add_host_org(db: &Path, bin: &str, name: &str) -> Command {
    let mut cmd = korpus(db);
    cmd.args(["host-org", "add", "--bin", bin, "--name", name, "--type", "non_commercial"]).args([
        "--region",
        "350000000",
        "--locality",
        "Қарағанды",
        "--registered",
        "15.03.2012",
    ]);
    cmd
}

/// A host organisation that meets every criterion, brought every document, passed screening and
/// was selected with a memorandum: one that may submit applications for groups.
fn selected_host_org(db: &Path, bin: &str, name: &str) {
    let mut add = add_host_org(db, bin, name);
    add.args(["--head", "Серікбаев Нұрлан", "--accountant", "Ким Ольга"]);
    for c in HostOrgCriteria::FIELDS {
        add.args(["--criterion", &format!("{c}=yes")]);
    }
    add.assert().success();
    for kind in ["state_registration", "charter", "no_tax_debts", "head_and_accountant"] {
        korpus(db)
            .args([
                "document",
                "add",
                "--owner",
                "host_org",
                "--of",
                bin,
                "--kind",
                kind,
                "--issued",
                "01.03.2017",
            ])
            .assert()
            .success();
    }
    korpus(db).args(["screen", "--cohort", "2017"]).assert().success();
    korpus(db)
        .args([
            "host-org",
            "decide",
            bin,
            "--on",
            "20.04.2017",
            "--by",
            "Ахметова Сәуле",
            "--outcome",
            "selected",
        ])
        .assert()
        .success();
    korpus(db)
        .args(["host-org", "memorandum", bin, "--number", "7-М", "--date", "21.04.2017"])
        .assert()
        .success();
}

#[test]
fn host_org_is_found_by_bin_prefix_and_name() {
    let (_dir, db) = new_db();
    let bin = (0..100).find_map(|s| Bin::compose(12, 3, 4, 0, s)).unwrap().to_string();
    add_host_org(&db, &bin, "«Жастар ордасы» қоғамдық бірлестігі")
        .args(["--criterion", "no_debts=yes"])
        .assert()
        .success();
    korpus(&db)
        .args(["host-org", "search", &bin[..5]])
        .assert()
        .stdout(predicate::str::contains("Жастар ордасы"));
    korpus(&db)
        .args(["host-org", "search", "ОРДАСЫ"])
        .assert()
        .stdout(predicate::str::contains(bin.as_str()));
    let shown = json(korpus(&db).args(["host-org", "show", &bin]));
    assert_eq!(shown["criteria"]["no_debts"], true);
    add_host_org(&db, &bin, "Копия")
        .args(["--lang", "en"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("BIN: an organisation with this BIN is already registered"));
}

#[test]
fn mentor_of_21_is_refused_and_an_older_one_registered() {
    let (_dir, db) = new_db();
    // Counted on the cohort's reference date (14.04.2017), whatever today is: born 14.04.1996 turns
    // 21 that day and is not older than 21; born a day earlier is.
    let mentor = |iin: &str| {
        let mut cmd = korpus(&db);
        cmd.args([
            "--lang",
            "en",
            "mentor",
            "add",
            "--iin",
            iin,
            "--surname",
            "Жұмабеков",
            "--given-name",
            "Ерлан",
        ])
        .args(["--region", "190000000", "--locality", "Талдықорған", "--occupation", "social_worker"])
        .args(["--experience", "5", "--education", "higher"]);
        cmd
    };
    mentor(&iin(1996, 4, 14, Sex::Male, 0))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("age 21 on 14.04.2017: a mentor must be older than 21"));
    let just = json(&mut mentor(&iin(1996, 4, 13, Sex::Male, 0)));
    assert_eq!(just["stage"], "applied");
    let older = iin(1980, 1, 1, Sex::Male, 0);
    let shown = json(&mut mentor(&older));
    assert_eq!(shown["stage"], "applied");
    korpus(&db).args(["mentor", "search", "ерлан"]).assert().stdout(predicate::str::contains(older.as_str()));
}

#[test]
fn scanned_document_goes_in_encrypted_and_comes_back_whole() {
    let (dir, db) = new_db();
    let person = iin(1996, 5, 17, Sex::Female, 10);
    add_person(&db, &person, "Құрманова", "Іңкәр").assert().success();
    let scan = dir.path().join("status.pdf");
    let content: Vec<u8> =
        b"%PDF-1.4\n".iter().copied().chain((0..50_000u32).map(|i| (i % 251) as u8)).collect();
    std::fs::write(&scan, &content).unwrap();
    korpus(&db)
        .args(["document", "add", "--owner", "person", "--of", &person, "--kind", "unemployment_status"])
        .args(["--issued", "01.03.2017", "--file"])
        .arg(&scan)
        .assert()
        .success();
    let listed = json(korpus(&db).args(["document", "list", "--owner", "person", "--of", &person]));
    let sha = listed[0]["file_sha256"].as_str().unwrap().to_owned();
    let back = dir.path().join("back.pdf");
    korpus(&db).args(["document", "file", &sha, "--out"]).arg(&back).assert().success();
    assert_eq!(std::fs::read(&back).unwrap(), content);
    let exe = dir.path().join("virus.exe");
    std::fs::write(&exe, b"MZ").unwrap();
    korpus(&db)
        .args([
            "--lang",
            "en",
            "document",
            "add",
            "--owner",
            "person",
            "--of",
            &person,
            "--kind",
            "income",
            "--issued",
            "01.03.2017",
            "--file",
        ])
        .arg(&exe)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Scanned file: virus.exe is not a scan"));
    korpus(&db)
        .args(["--lang", "en", "document", "add", "--owner", "person", "--of", &person, "--kind", "income"])
        .args(["--issued", "01.03.2017", "--file"])
        .arg(dir.path().join("missing.pdf"))
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("Scanned file: cannot read")
                .and(predicate::str::contains("missing.pdf")),
        );
    // Recorded by mistake: removed, and the list is empty again.
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    korpus(&db)
        .args(["--lang", "en", "document", "remove", &id])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("Removed document {id}")));
    let listed = json(korpus(&db).args(["document", "list", "--owner", "person", "--of", &person]));
    assert_eq!(listed.as_array().map(Vec::len), Some(0));
    korpus(&db).args(["document", "remove", &id]).assert().code(1);
}

#[test]
fn wrong_key_exits_3_with_a_clear_message() {
    let (_dir, db) = new_db();
    korpus(&db)
        .env("KORPUS_DB_KEY", "not the key")
        .args(["--lang", "en", "person", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("Database key: the key does not open this database"));
}

#[test]
fn init_refuses_to_overwrite_and_missing_database_is_named() {
    let (dir, db) = new_db();
    korpus(&db).arg("init").assert().code(3);
    let missing = dir.path().join("missing.db");
    korpus(&missing)
        .args(["--lang", "ru", "person", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("не существует: создайте базу командой «korpus init»"));
}

#[test]
fn key_kept_in_the_system_keyring_opens_the_database_later() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("desk.db");
    let keyless = || {
        let mut cmd = Command::cargo_bin("korpus").unwrap();
        cmd.env_remove("KORPUS_DB_KEY").env_remove("KORPUS_LANG").arg("--db").arg(&db);
        cmd
    };
    let made = json(keyless().arg("init"));
    assert_eq!(
        made["key_in_keyring"], true,
        "run the tests through scripts/test, which provides a keyring: {made}"
    );
    add_person(&db, &iin(1996, 5, 17, Sex::Female, 10), "Құрманова", "Іңкәр")
        .env_remove("KORPUS_DB_KEY")
        .assert()
        .success();
    let listed = json(keyless().args(["person", "list"]));
    assert_eq!(listed.as_array().unwrap().len(), 1);
    // The passphrase of scripts is not the keyring's random key.
    korpus(&db).args(["person", "list"]).assert().code(3);
}

#[test]
fn the_recovery_code_init_prints_opens_a_copy_of_the_database_on_another_computer() {
    let dir = TempDir::new().unwrap();
    let keyless = |db: &Path| {
        let mut cmd = Command::cargo_bin("korpus").unwrap();
        cmd.env_remove("KORPUS_DB_KEY").env_remove("KORPUS_LANG").arg("--db").arg(db);
        cmd
    };
    let db = dir.path().join("desk.db");
    // Shown once, in words, with what to do with it.
    let made = keyless(&db).args(["--lang", "en", "init"]).output().unwrap();
    let text = String::from_utf8_lossy(&made.stdout).to_string();
    let code = text
        .lines()
        .find_map(|l| l.strip_prefix("Recovery code: "))
        .unwrap_or_else(|| panic!("no recovery code in: {text}"))
        .to_owned();
    assert!(text.contains("It is shown only now"), "{text}");
    add_person(&db, &iin(1996, 5, 17, Sex::Female, 10), "Құрманова", "Іңкәр")
        .env_remove("KORPUS_DB_KEY")
        .assert()
        .success();
    assert!(json(keyless(&db).args(["recovery", "status"]))["recovery_made_at"].is_string());

    let copy = dir.path().join("other-laptop/korpus.db");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::copy(&db, &copy).unwrap();
    keyless(&copy).args(["person", "list"]).assert().code(3);
    // A letter mistyped: refused by the field, in the chosen language, nothing kept.
    let mut typo = code.clone().into_bytes();
    typo[0] = if typo[0] == b'7' { b'8' } else { b'7' };
    let typo = String::from_utf8(typo).unwrap();
    keyless(&copy)
        .args(["--lang", "ru", "recovery", "open"])
        .write_stdin(format!("{typo}\n"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Код восстановления:"));
    keyless(&copy).args(["person", "list"]).assert().code(3);
    // The code as written down (small letters, spaces): the copy opens, and stays open.
    keyless(&copy)
        .args(["recovery", "open"])
        .write_stdin(format!("{}\n", code.replace('-', " ").to_lowercase()))
        .assert()
        .success();
    let listed = json(keyless(&copy).args(["person", "list"]));
    assert_eq!(listed.as_array().unwrap().len(), 1);

    // A new code: printed once; the old one no longer opens a later copy.
    let sheet = dir.path().join("sheets/recovery.pdf");
    let renewed = json(keyless(&db).args(["recovery", "new", "--sheet-lang", "en", "--sheet"]).arg(&sheet));
    let second = renewed["recovery_code"].as_str().unwrap().to_owned();
    assert_ne!(second, code);
    // The sheet, read back: the new code, whole, and what it is for.
    let read = std::process::Command::new("pdftotext").arg(&sheet).arg("-").output().unwrap();
    let printed = String::from_utf8_lossy(&read.stdout);
    assert!(printed.contains(&second), "{printed}");
    assert!(printed.contains("Recovery sheet of the case database"), "{printed}");
    assert!(!printed.contains(&code), "{printed}");
    let later = dir.path().join("third-laptop/korpus.db");
    std::fs::create_dir_all(later.parent().unwrap()).unwrap();
    std::fs::copy(&db, &later).unwrap();
    keyless(&later)
        .args(["--lang", "en", "recovery", "open"])
        .write_stdin(format!("{code}\n"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does not open this database"));
    keyless(&later).args(["recovery", "open"]).write_stdin(format!("{second}\n")).assert().success();
    assert_eq!(json(keyless(&later).args(["person", "list"])).as_array().unwrap().len(), 1);
    // A database with a passphrase makes no code.
    korpus(&dir.path().join("scripted.db")).arg("init").assert().success();
    korpus(&dir.path().join("scripted.db"))
        .args(["--lang", "en", "recovery", "new"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("opens with a passphrase"));
    // Asked for a sheet it cannot make, init refuses before it creates anything.
    let unsheeted = dir.path().join("unsheeted.db");
    korpus(&unsheeted)
        .args(["--lang", "en", "init", "--sheet"])
        .arg(dir.path().join("never.pdf"))
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("Recovery sheet:")
                .and(predicate::str::contains("opens with a passphrase")),
        );
    assert!(!unsheeted.exists() && !dir.path().join("never.pdf").exists());
}

#[test]
fn a_backup_is_made_listed_verified_and_restored_in_place_and_on_a_new_laptop_with_the_code() {
    let dir = TempDir::new().unwrap();
    let keyless = |db: &Path| {
        let mut cmd = Command::cargo_bin("korpus").unwrap();
        cmd.env_remove("KORPUS_DB_KEY").env_remove("KORPUS_LANG").arg("--db").arg(db);
        cmd
    };
    let db = dir.path().join("desk/korpus.db");
    let code = json(keyless(&db).args(["--json", "init"]))["recovery_code"].as_str().unwrap().to_owned();
    add_person(&db, &iin(1996, 5, 17, Sex::Female, 10), "Құрманова", "Іңкәр")
        .env_remove("KORPUS_DB_KEY")
        .assert()
        .success();
    // The folder: a full path, written to; a relative one is refused by the field.
    keyless(&db)
        .args(["--lang", "en", "backup", "settings", "--folder", "usb"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Backup folder: give the folder's full path"));
    let usb = dir.path().join("usb");
    let settings =
        json(keyless(&db).args(["--json", "backup", "settings", "--keep", "5", "--folder"]).arg(&usb));
    assert_eq!((settings["keep"].as_u64(), settings["chosen"].as_bool()), (Some(5), Some(true)));
    // Never backed up: the list says so, as the desk's Backups page does.
    keyless(&db)
        .args(["--lang", "en", "backup", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("This database has never been backed up: back up now."));
    let made = json(keyless(&db).args(["--json", "backup", "create"]));
    let first = PathBuf::from(made["path"].as_str().unwrap());
    assert!(first.starts_with(&usb) && made["reason"] == "manual");
    add_person(&db, &iin(1997, 2, 3, Sex::Male, 20), "Бекұлы", "Арман")
        .env_remove("KORPUS_DB_KEY")
        .assert()
        .success();
    keyless(&db).args(["--lang", "en", "backup", "list"]).assert().success().stdout(
        predicate::str::contains("made by hand")
            .and(predicate::str::contains("Last backup made:"))
            .and(predicate::str::contains("back up now").not()),
    );
    let check = json(keyless(&db).args(["--json", "backup", "verify"]).arg(&first));
    assert_eq!((check["persons"].as_i64(), check["unsent"].as_i64()), (Some(1), Some(1)));

    // An edited copy: refused by name, in the chosen language, and restoring it changes nothing.
    let mut bytes = std::fs::read(&first).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x20;
    let edited = dir.path().join("edited.kbackup");
    std::fs::write(&edited, &bytes).unwrap();
    keyless(&db)
        .args(["--lang", "ru", "backup", "restore"])
        .arg(&edited)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Резервная копия:").and(predicate::str::contains("повреждена")));
    assert_eq!(json(keyless(&db).args(["person", "list"])).as_array().unwrap().len(), 2);

    // Restored in place: one person again; the two-person database was backed up first.
    let restored = json(keyless(&db).args(["--json", "backup", "restore"]).arg(&first));
    assert_eq!(restored["persons"], 1);
    let kept = PathBuf::from(restored["replaced_kept_in"].as_str().unwrap());
    assert!(kept.file_name().unwrap().to_str().unwrap().ends_with("-before-restore.kbackup"));
    assert_eq!(json(keyless(&db).args(["--json", "backup", "verify"]).arg(&kept))["persons"], 2);
    assert_eq!(json(keyless(&db).args(["person", "list"])).as_array().unwrap().len(), 1);

    // A new laptop: no database, no key; the backup and its recovery code make it whole.
    let laptop = dir.path().join("new-laptop/korpus.db");
    keyless(&laptop).args(["--lang", "en", "backup", "verify"]).arg(&kept).assert().code(3);
    keyless(&laptop)
        .args(["--lang", "en", "backup", "restore", "--code"])
        .arg(&kept)
        .write_stdin(format!("{code}\n"))
        .assert()
        .success()
        .stdout(predicate::str::contains("restored from"));
    assert_eq!(json(keyless(&laptop).args(["person", "list"])).as_array().unwrap().len(), 2);
}

#[test]
fn demo_data_fills_every_region() {
    let (_dir, db) = new_db();
    let report = json(korpus(&db).args(["demo-data", "--persons", "400"]));
    assert_eq!(report["added"]["persons"], 400);
    let summary = json(korpus(&db).arg("summary"));
    let regions = summary.as_array().unwrap();
    assert_eq!(regions.len(), 4);
    assert!(
        regions.iter().all(|r| r["persons"].as_i64().unwrap() > 0 && r["applications"].as_i64().unwrap() > 0)
    );
    korpus(&db).arg("regions").assert().stdout(predicate::str::contains("Оңтүстік Қазақстан облысы"));
}

#[test]
fn unknown_language_is_refused_with_the_ones_there_are() {
    let dir = TempDir::new().unwrap();
    korpus(&dir.path().join("none.db"))
        .args(["--lang", "de", "check", "iin", "950308400008"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("use kk, ru or en"));
}

#[test]
fn rules_explain_names_every_rule_and_screen_records_once() {
    let (_dir, db) = new_db();
    let members = three_members(&db, 40);
    let created = json(&mut application(&db, &members));
    let id = created["id"].as_str().unwrap();

    korpus(&db).args(["rules", "explain", "application", id]).assert().success().stdout(
        predicate::str::contains("✓ GROUP_SIZE  Топта 3-тен 5-ке дейін мүше бар")
            .and(predicate::str::contains("Мүшелері: 3, 3-5 аралығында."))
            .and(predicate::str::contains("Нәтиже: сәйкес (ережелер жинағы 2017-pilot.4).")),
    );
    let explained = json(korpus(&db).args(["rules", "explain", "application", id]));
    assert_eq!(explained["result"], "pass");
    assert_eq!(explained["rulebook_version"], "2017-pilot.4");
    let budget = explained["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["code"] == "APPLICATION_BUDGET_MAX")
        .unwrap();
    assert_eq!(budget["evidence"]["budget"], "1 000 000 ₸");
    korpus(&db)
        .args(["--lang", "en", "rules", "explain", "person", &members[1]])
        .assert()
        .stdout(predicate::str::contains("Age 20 on 14.04.2017: within 18-29."));
    let before = outbox_len(&db);
    assert_eq!(before, 4, "three persons and one application");

    let lines = json(korpus(&db).args(["screen", "--cohort", "2017"]));
    assert_eq!(lines.as_array().unwrap().len(), 1);
    assert_eq!((lines[0]["result"].as_str(), lines[0]["new"].as_bool()), (Some("pass"), Some(true)));
    assert_eq!(outbox_len(&db), before + 1, "one screening, one envelope");
    let again = json(korpus(&db).args(["screen", "--cohort", "2017"]));
    assert_eq!(again[0]["new"], false);
    assert_eq!(outbox_len(&db), before + 1, "nothing changed, nothing recorded");
}

#[test]
fn a_host_orgs_unconfirmed_criteria_fail_by_their_own_codes() {
    let (_dir, db) = new_db();
    let bin = (0..100).find_map(|s| Bin::compose(12, 3, 4, 0, s)).unwrap().to_string();
    add_person(&db, &iin(1996, 1, 1, Sex::Female, 0), "Ахметова", "Дана").assert().success();
    add_host_org(&db, &bin, "«Жастар» ҚБ").assert().success();
    let out = korpus(&db).args(["rules", "explain", "host-org", &bin]).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("✓ HOST_ORG_REGISTERED_1Y_IN_REGION"), "{text}");
    assert!(text.contains("✗ HOST_ORG_CHARTER") && text.contains("Әлі расталмаған"), "{text}");
    assert!(text.contains("✗ HOST_ORG_ELIGIBLE"), "{text}");
    korpus(&db)
        .args(["--lang", "ru", "rules", "explain", "organisation", &bin])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Что").and(predicate::str::contains("host_org")));
    korpus(&db)
        .args(["screen", "--cohort", "2018"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Іріктеу жылы: «2018»"));
}

#[test]
fn the_commission_decides_and_the_lottery_is_drawn_verified_and_balanced() {
    let (dir, db) = new_db();
    let apps: Vec<String> = (0..3)
        .map(|i| {
            let members = three_members(&db, 100 + i * 10);
            json(&mut application(&db, &members))["id"].as_str().unwrap().to_owned()
        })
        .collect();
    korpus(&db).args(["screen", "--cohort", "2017"]).assert().success();
    let members: Vec<String> = ["Ахметова Сәуле", "Ержанов Болат", "Ким Ольга"]
        .iter()
        .map(|name| {
            let m =
                json(korpus(&db).args(["commission", "add-member", "--region", "Павлодар", "--name", name]));
            m["id"].as_str().unwrap().to_owned()
        })
        .collect();
    // Application i gets 3 + 2i points on every criterion from every member.
    let criteria = ["relevance", "social_impact", "feasibility", "budget", "participation"];
    for (i, app) in apps.iter().enumerate() {
        for m in &members {
            let mut cmd = korpus(&db);
            cmd.args(["commission", "score", "--application", app, "--member", m]);
            for c in criteria {
                cmd.args(["--points", &format!("{c}={}", 3 + 2 * i)]);
            }
            cmd.assert().success();
        }
    }
    korpus(&db)
        .args([
            "commission",
            "score",
            "--application",
            &apps[0],
            "--member",
            &members[0],
            "--points",
            "budget=11",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("budget"));
    let ranking = json(korpus(&db).args(["commission", "ranking", "--region", "550000000"]));
    assert_eq!(ranking["lines"][0]["application_id"], apps[2].as_str());
    assert_eq!(ranking["lines"][0]["mean"], 35.0);

    korpus(&db)
        .args(["--lang", "en", "commission", "decide", "--region", "Павлодар", "--cut-off", "best:2"])
        .args(["--by", "Ахметова Сәуле"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Cut-off").and(predicate::str::contains("top:N")));
    korpus(&db)
        .args(["--lang", "en", "commission", "decide", "--region", "Павлодар", "--cut-off", "top:2"])
        .args(["--by", "Ахметова Сәуле"])
        .assert()
        .success()
        .stdout(predicate::str::contains("2 of 3 applications selected"));

    korpus(&db)
        .args(["lottery", "draw", "--cohort", "2017", "--seed", "  ", "--by", "Сейітов Нұрлан"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Ашық тираждың саны"));
    let drawn = json(
        korpus(&db)
            .args(["lottery", "draw", "--cohort", "2017", "--seed", "07 19 23 41"])
            .args(["--by", "Сейітов Нұрлан"]),
    );
    let lottery = drawn[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(drawn[0]["draw"]["assignments"].as_array().unwrap().len(), 2);
    assert_eq!(drawn[0]["draw"]["algorithm"], "korpus-lottery/2");
    korpus(&db)
        .args(["--lang", "en", "lottery", "verify", &lottery])
        .assert()
        .success()
        .stdout(predicate::str::contains("The draw verifies"));
    let balance = json(korpus(&db).args(["lottery", "balance", &lottery]));
    let persons: u64 =
        balance["arms"].as_array().unwrap().iter().map(|a| a["persons"].as_u64().unwrap()).sum();
    assert_eq!(persons, 6);
    // Once drawn, every region with a decision has its lottery: a second draw must name one and say why.
    korpus(&db)
        .args([
            "--lang",
            "en",
            "lottery",
            "draw",
            "--cohort",
            "2017",
            "--seed",
            "1",
            "--by",
            "Сейітов Нұрлан",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no decision on record"));
    korpus(&db)
        .args(["--lang", "en", "lottery", "draw", "--cohort", "2017", "--seed", "1", "--region", "Павлодар"])
        .args(["--by", "Сейітов Нұрлан"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Reason"));

    // A member of a drawn group leaves: refused without a reason, recorded with one, shown on the
    // group, and still counted in the arm drawn.
    let drawn_app = drawn[0]["draw"]["assignments"][0]["application_id"].as_str().unwrap().to_owned();
    let shown = json(korpus(&db).args(["application", "show", &drawn_app]));
    let leaver = shown["members"][1]["iin"].as_str().unwrap().to_owned();
    korpus(&db)
        .args([
            "--lang",
            "en",
            "application",
            "withdraw",
            &drawn_app,
            "--person",
            &leaver,
            "--on",
            "01.08.2017",
        ])
        .args(["--reason", "bored"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Reason"));
    korpus(&db)
        .args(["application", "withdraw", &drawn_app, "--person", &leaver, "--on", "01.08.2017"])
        .args(["--reason", "employment", "--by", "Айгерім"])
        .assert()
        .success();
    korpus(&db)
        .args(["--lang", "en", "application", "show", &drawn_app])
        .assert()
        .success()
        .stdout(predicate::str::contains("01.08.2017 (took up a job)"));

    let indicators = json(korpus(&db).args(["indicators", "--cohort", "2017"]));
    assert_eq!(indicators["total"]["applicants"]["people"], 9);
    assert_eq!(indicators["total"]["beneficiaries"]["people"], 6);
    assert_eq!(indicators["total"]["active"]["people"], 5);
    assert_eq!(indicators["total"]["withdrawn"], 1);
    korpus(&db)
        .args(["--lang", "en", "indicators", "--cohort", "2017"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Still active: 5; left the programme: 1"));
    korpus(&db)
        .args(["--lang", "ru", "indicators", "--cohort", "2017"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Благополучателей: 6 из"));

    // The public list of host organisations is empty and still a valid CSV with its header.
    let csv = dir.path().join("selected.csv");
    korpus(&db)
        .args(["--lang", "en", "host-org", "selected", "--cohort", "2017", "--csv"])
        .arg(&csv)
        .assert()
        .success();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("\u{feff}Name,BIN,Region"), "{text}");
}

#[test]
fn a_mentor_and_a_host_org_go_through_their_selection_and_the_public_list_is_exported() {
    let (dir, db) = new_db();
    let mentor = iin(1982, 6, 1, Sex::Female, 0);
    korpus(&db)
        .args(["mentor", "add", "--iin", &mentor, "--surname", "Жұмабаева", "--given-name", "Гүлнар"])
        .args(["--region", "550000000", "--locality", "Павлодар", "--occupation", "social_worker"])
        .args(["--experience", "6", "--education", "higher"])
        .assert()
        .success();
    let interview = |outcome: &str| {
        let mut cmd = korpus(&db);
        cmd.args(["--lang", "en", "mentor", "interview", &mentor, "--interviewer", "Ким Ольга"])
            .args(["--outcome", outcome]);
        cmd
    };
    // Not screened yet: the interview waits, and the message says why.
    interview("passed")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("follows a passed technical screening"));
    for kind in [
        "address_certificate",
        "no_criminal_record",
        "psychiatric_dispensary",
        "narcological_dispensary",
        "employer_recommendation",
    ] {
        korpus(&db)
            .args([
                "document",
                "add",
                "--owner",
                "mentor",
                "--of",
                &mentor,
                "--kind",
                kind,
                "--issued",
                "01.03.2017",
            ])
            .assert()
            .success();
    }
    korpus(&db).args(["screen", "--cohort", "2017"]).assert().success();
    interview("maybe").assert().code(1).stderr(predicate::str::contains("Outcome"));
    interview("passed").assert().success();
    korpus(&db)
        .args(["mentor", "decide", &mentor, "--by", "Ахметова Сәуле", "--outcome", "selected"])
        .assert()
        .success();
    assert_eq!(json(korpus(&db).args(["mentor", "show", &mentor]))["stage"], "selected");

    let bin = (0..100).find_map(|s| Bin::compose(12, 3, 4, 0, s)).unwrap().to_string();
    let mut add = add_host_org(&db, &bin, "«Жастар ордасы» ҚБ");
    add.args(["--head", "Серікбаев Нұрлан", "--accountant", "Ким Ольга"]);
    for c in [
        "registered_in_region",
        "charter_matches",
        "youth_experience",
        "head_and_accountant",
        "no_debts",
        "not_unscrupulous",
        "documents_complete",
    ] {
        add.args(["--criterion", &format!("{c}=yes")]);
    }
    add.assert().success();
    for kind in ["state_registration", "charter", "no_tax_debts", "head_and_accountant"] {
        korpus(&db)
            .args([
                "document",
                "add",
                "--owner",
                "host_org",
                "--of",
                &bin,
                "--kind",
                kind,
                "--issued",
                "01.03.2017",
            ])
            .assert()
            .success();
    }
    korpus(&db).args(["screen", "--cohort", "2017"]).assert().success();
    korpus(&db)
        .args([
            "host-org",
            "decide",
            &bin,
            "--on",
            "02.05.2017",
            "--by",
            "Ахметова Сәуле",
            "--outcome",
            "selected",
        ])
        .assert()
        .success();
    // No memorandum yet: nothing to print, and nothing written.
    korpus(&db)
        .args(["--lang", "en", "print", "memorandum", "--host-org", &bin, "--out"])
        .arg(dir.path().join("memorandum.pdf"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("has no memorandum on record"));
    assert!(!dir.path().join("memorandum.pdf").exists());
    korpus(&db)
        .args(["--lang", "ru", "host-org", "memorandum", &bin, "--number", "14-М", "--date", "01.05.2017"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Дата меморандума").and(predicate::str::contains("02.05.2017")));
    korpus(&db)
        .args(["host-org", "memorandum", &bin, "--number", "14-М", "--date", "03.05.2017"])
        .assert()
        .success();
    korpus(&db)
        .args(["print", "memorandum", "--host-org", &bin, "--in", "kk+ru", "--out"])
        .arg(dir.path().join("memorandum.pdf"))
        .assert()
        .success();
    let memorandum =
        pdf_text(&dir.path().join("memorandum.pdf")).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        memorandum.contains("№ 14-М ынтымақтастық туралы меморандум / Меморандум о сотрудничестве № 14-М")
            && memorandum.contains("«Жастар ордасы» ҚБ")
            && memorandum.contains("03.05.2017"),
        "{memorandum}"
    );
    let csv = dir.path().join("selected.csv");
    korpus(&db)
        .args(["--lang", "ru", "host-org", "selected", "--cohort", "2017", "--csv"])
        .arg(&csv)
        .assert()
        .success();
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[1].contains("«Жастар ордасы» ҚБ") && lines[1].contains(&bin), "{text}");
    assert!(lines[1].ends_with("14-М,03.05.2017"), "{text}");
}

#[test]
fn a_grievance_is_logged_goes_overdue_and_is_reopened_with_its_history() {
    let (_dir, db) = new_db();
    // Refused by field in the chosen language, and nothing written.
    korpus(&db)
        .args(["--lang", "ru", "grievance", "add", "--region", "Павлодар", "--channel", "fax"])
        .args(["--kind", "complaint", "--category", "training", "--text", "Поздно сообщили"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("Канал поступления")
                .and(predicate::str::contains("«fax»").or(predicate::str::contains("\"fax\""))),
        )
        .stderr(predicate::str::contains("От кого: укажите имя или отметьте обращение как анонимное"));
    assert_eq!(outbox_len(&db), 0);

    let added = json(
        korpus(&db)
            .args(["grievance", "add", "--region", "550000000", "--received-on", "04.08.2017"])
            .args(["--channel", "phone", "--kind", "complaint", "--category", "training", "--anonymous"])
            .args(["--text", "Тренинг орны алыс, жол ақысы төленбейді"]),
    );
    let id = added["grievance"]["id"].as_str().unwrap().to_owned();
    // Received Friday 4 August 2017: acknowledged by Wednesday the 9th, resolved by the 25th.
    assert_eq!(added["deadlines"]["acknowledge_by"], "2017-08-09");
    assert_eq!(added["deadlines"]["resolve_by"], "2017-08-25");
    assert_eq!(added["deadlines"]["overdue"], "acknowledgement");

    let overdue = json(korpus(&db).args(["grievance", "list", "--overdue"]));
    assert_eq!(overdue.as_array().unwrap().len(), 1);
    korpus(&db)
        .args(["grievance", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Алынғаны мерзімінде хабарланбады"));

    // Steps in order; one out of order is named.
    korpus(&db)
        .args(["--lang", "en", "grievance", "step", &id, "close", "--on", "10.08.2017"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Step: cannot be taken as the grievance stands (received)"));
    korpus(&db)
        .args(["grievance", "step", &id, "assign", "--on", "10.08.2017", "--note", "Серікова А."])
        .assert()
        .success();
    korpus(&db)
        .args(["grievance", "step", &id, "resolve", "--on", "11.08.2017", "--note", "Жол ақысы өтелді"])
        .assert()
        .success();
    korpus(&db).args(["grievance", "step", &id, "close", "--on", "11.08.2017"]).assert().success();
    let reopened = json(korpus(&db).args([
        "grievance",
        "step",
        &id,
        "reopen",
        "--on",
        "04.09.2017",
        "--note",
        "Өтемақы түспеді",
    ]));
    assert_eq!(reopened["grievance"]["status"], "assigned");
    assert_eq!(reopened["history"].as_array().unwrap().len(), 4);
    assert_eq!(reopened["history"][0]["taken_by"], "tester");
    korpus(&db)
        .args(["--lang", "en", "grievance", "show", &id])
        .assert()
        .success()
        .stdout(predicate::str::contains("reopen").or(predicate::str::contains("Reopen")))
        .stdout(predicate::str::contains("resolve by 25.09.2017"));
}

#[test]
fn a_regions_training_calendar_is_planned_on_working_days_and_an_uncertified_mentor_is_not_assigned() {
    let (_dir, db) = new_db();
    let plan = json(korpus(&db).args(["training", "plan", "--region", "Павлодар"]));
    let events = plan.as_array().unwrap();
    assert_eq!(events.len(), 6);
    let phase1 = events.iter().find(|e| e["stage"] == "phase1_mentors").unwrap();
    // 3 July 2017 on, skipping Capital Day and the Friday moved after it.
    assert_eq!(
        phase1["dates"],
        serde_json::json!([
            "2017-07-03",
            "2017-07-04",
            "2017-07-05",
            "2017-07-10",
            "2017-07-11",
            "2017-07-12"
        ])
    );
    assert_eq!(
        json(korpus(&db).args(["training", "plan", "--region", "Павлодар"])).as_array().unwrap().len(),
        0
    );
    let id = phase1["id"].as_str().unwrap();
    korpus(&db)
        .args(["--lang", "en", "training", "edit", id, "--starts-on", "06.07.2017"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("First day: 06.07.2017 is not a working day"));
    korpus(&db)
        .args(["--lang", "en", "training", "edit", id, "--venue", "Pavlodar, youth centre"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Venue"));
    korpus(&db)
        .args(["training", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Pavlodar, youth centre"));

    let mentor = json(
        korpus(&db)
            .args(["mentor", "add", "--iin", &iin(1985, 3, 9, Sex::Male, 10), "--surname", "Серікбаев"])
            .args(["--given-name", "Дәурен", "--region", "550000000", "--locality", "Павлодар"])
            .args(["--occupation", "social_worker", "--experience", "5", "--education", "higher"]),
    );
    let key = mentor["id"].as_str().unwrap();
    let refused = json(korpus(&db).args(["--lang", "en", "mentor", "certify", key, "--on", "12.07.2017"]));
    assert_eq!(refused["error"]["code"], "rule_failed");
    assert_eq!(refused["error"]["fields"][0]["code"], "MENTOR_PHASE1_COMPLETED");
    assert!(refused["error"]["message"].as_str().unwrap().contains("not selected"), "{refused}");
    let work = json(korpus(&db).args(["mentor", "work", key]));
    assert_eq!(work["certification"]["verdict"], "fail");
    assert_eq!(work["assignments"].as_array().unwrap().len(), 0);
}

/// Three applications of Pavlodar, all selected by the commission and drawn: their ids.
fn drawn_region(db: &Path) -> Vec<String> {
    let apps: Vec<String> = (0..3)
        .map(|i| {
            let members = three_members(db, 300 + i * 10);
            json(&mut application(db, &members))["id"].as_str().unwrap().to_owned()
        })
        .collect();
    korpus(db).args(["screen", "--cohort", "2017"]).assert().success();
    let members: Vec<String> = ["Ахметова Сәуле", "Ержанов Болат", "Ким Ольга"]
        .iter()
        .map(|name| {
            let m =
                json(korpus(db).args(["commission", "add-member", "--region", "Павлодар", "--name", name]));
            m["id"].as_str().unwrap().to_owned()
        })
        .collect();
    for app in &apps {
        for m in &members {
            let mut cmd = korpus(db);
            cmd.args(["commission", "score", "--application", app, "--member", m]);
            for c in ["relevance", "social_impact", "feasibility", "budget", "participation"] {
                cmd.args(["--points", &format!("{c}=7")]);
            }
            cmd.assert().success();
        }
    }
    korpus(db)
        .args([
            "commission",
            "decide",
            "--region",
            "Павлодар",
            "--cut-off",
            "top:3",
            "--by",
            "Ахметова Сәуле",
        ])
        .assert()
        .success();
    korpus(db)
        .args(["lottery", "draw", "--cohort", "2017", "--seed", "11 22 33", "--by", "Сейітов Нұрлан"])
        .assert()
        .success();
    apps
}

#[test]
fn contracts_rolls_reports_certificates_and_outreach_on_the_command_line() {
    let (dir, db) = new_db();
    drawn_region(&db);
    let reports = json(korpus(&db).args(["report", "list", "--region", "Павлодар"]));
    let lines = reports.as_array().unwrap();
    // 15.12.2017 has passed: every report is overdue.
    assert!(lines.iter().all(|l| l["state"] == "overdue" && l["due_on"] == "2017-12-15"), "{reports}");

    // A contract over the maximum is named by its field; one within it has no overhead (no host
    // organisation applied).
    let grants = json(korpus(&db).args(["money", "grants"]));
    let grant = grants[0]["application_id"].as_str().unwrap().to_owned();
    korpus(&db)
        .args(["--lang", "ru", "money", "contract", "--application", &grant, "--number", "ГК-17/001"])
        .args(["--signed-on", "26.06.2017", "--sum", "1 000 001"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Сумма, тенге").and(predicate::str::contains("1 000 000")));
    let contract = json(
        korpus(&db).args(["money", "contract", "--application", &grant, "--number", "ГК-17/001"]).args([
            "--signed-on",
            "26.06.2017",
            "--sum",
            "999 999",
        ]),
    );
    assert_eq!(
        (contract["sum_tenge"].as_i64(), contract["overhead_tenge"].as_i64()),
        (Some(999_999), Some(0))
    );

    // July's roll: nine school leavers at 26,000.
    let roll =
        json(korpus(&db).args(["money", "roll", "--region", "Павлодар", "--month", "07.2017", "--record"]));
    assert_eq!((roll["lines"].as_array().unwrap().len(), roll["total_tenge"].as_i64()), (9, Some(234_000)));
    let totals = json(korpus(&db).args(["money", "totals"]));
    let all = totals.as_array().unwrap().last().unwrap().clone();
    assert_eq!(all["total_tenge"].as_i64(), Some(999_999 + 234_000));
    korpus(&db)
        .args(["--lang", "en", "money", "roll", "--region", "Павлодар", "--month", "2018-01"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not a scholarship month: 2017-07 to 2017-12"));

    // The papers: the contract, July's roll and the commission's protocol, each read back.
    let print = |args: &[&str], name: &str| -> String {
        let pdf = dir.path().join(name);
        korpus(&db).args(["print"]).args(args).arg("--out").arg(&pdf).assert().success();
        pdf_text(&pdf).split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let contract = print(&["contract", "--application", &grant, "--in", "ru"], "contract.pdf");
    assert!(
        contract.contains("Договор гранта № ГК-17/001")
            && contract.contains("Грант: 999 999")
            && !contract.contains("Накладные"),
        "{contract}"
    );
    let roll =
        print(&["scholarships", "--region", "Павлодар", "--month", "07.2017", "--in", "kk"], "roll.pdf");
    assert!(
        roll.contains("Әлеуметтік шәкіртақы төлеу ведомосы, 2017-07") && roll.contains("234 000"),
        "{roll}"
    );
    let protocol = print(&["commission", "--region", "550000000", "--in", "en"], "commission.pdf");
    for name in ["Ахметова Сәуле", "Ержанов Болат", "Ким Ольга"] {
        // Present, and on a signature line of their own (the chair also signed the decision).
        assert!(protocol.matches(name).count() >= 2, "{name} in {protocol}");
    }
    assert!(
        protocol.contains("35 35 35")
            && protocol.contains("35.00")
            && protocol.contains("the first 3 places"),
        "{protocol}"
    );
    korpus(&db)
        .args(["--lang", "en", "print", "contract", "--application", &apps_without_contract(&db, &grant)])
        .arg("--out")
        .arg(dir.path().join("none.pdf"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("has no grant contract on record"));
    assert!(!dir.path().join("none.pdf").exists());

    // The grant sub-project's programme report comes in; returning it needs a reason.
    korpus(&db)
        .args(["report", "submit", "--application", &grant, "--kind", "programme", "--on", "14.12.2017"])
        .assert()
        .success();
    korpus(&db)
        .args(["--lang", "en", "report", "review", "--application", &grant, "--kind", "programme", "return"])
        .args(["--on", "15.12.2017"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("say why the report is returned"));
    let accepted = json(
        korpus(&db)
            .args(["report", "review", "--application", &grant, "--kind", "programme", "accept"])
            .args(["--on", "15.12.2017"]),
    );
    assert_eq!(accepted["status"], "accepted");

    // A member of that group has no certificate yet: the rules say why, and issuing is refused.
    let member = json(korpus(&db).args(["application", "show", &grant]))["members"][0]["iin"]
        .as_str()
        .unwrap()
        .to_owned();
    let check = json(korpus(&db).args(["certificate", "check", "--person", &member]));
    assert_eq!(check["eligible"], false);
    let failed: Vec<&str> = check["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["verdict"] == "fail")
        .map(|o| o["code"].as_str().unwrap())
        .collect();
    assert!(failed.contains(&"CERT_REPORTS_SUBMITTED"), "{check}");
    korpus(&db)
        .args(["--lang", "en", "certificate", "issue", "--person", &member, "--on", "20.12.2017"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("The sub-project's reports are in"));
    assert_eq!(json(korpus(&db).args(["certificate", "list", "--ready"])).as_array().unwrap().len(), 0);

    // Outreach: more women than people reached is named; totals by region.
    korpus(&db)
        .args(["--lang", "ru", "outreach", "add", "--region", "Павлодар", "--kind", "seminar"])
        .args(["--on", "12.04.2017", "--place", "Ақсу колледжі", "--reached", "30", "--women", "31"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Женщины"));
    korpus(&db)
        .args(["outreach", "add", "--region", "Павлодар", "--kind", "seminar", "--on", "12.04.2017"])
        .args(["--place", "Ақсу колледжі", "--reached", "30", "--women", "17", "--vulnerable", "20"])
        .assert()
        .success();
    korpus(&db)
        .args(["--lang", "en", "outreach", "totals"])
        .assert()
        .success()
        .stdout(predicate::str::contains("17 (57 %)").and(predicate::str::contains("20 (67 %)")));
}

/// A drawn sub-project with a grant other than `signed`, whose contract is not signed yet.
fn apps_without_contract(db: &Path, signed: &str) -> String {
    let grants = json(korpus(db).args(["money", "grants"]));
    grants
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["application_id"].as_str().unwrap().to_owned())
        .find(|id| id != signed)
        .expect("a second sub-project with a grant")
}

/// Text of a PDF as poppler's `pdftotext` extracts it.
fn pdf_text(pdf: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_certificate_is_printed_verified_and_an_edited_one_is_not() {
    let (dir, db) = new_db();
    drawn_region(&db);
    // Group B has no training: its two reports in, its members have earned their certificates.
    let grants = json(korpus(&db).args(["money", "grants"]));
    let b = grants.as_array().unwrap().iter().find(|g| g["arm"] == "B").expect("a group B")["application_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for kind in ["programme", "financial"] {
        korpus(&db)
            .args(["report", "submit", "--application", &b, "--kind", kind, "--on", "14.12.2017"])
            .assert()
            .success();
    }
    let members = json(korpus(&db).args(["application", "show", &b]))["members"].clone();
    let member = members[0]["iin"].as_str().unwrap().to_owned();
    korpus(&db)
        .args(["print", "certificate", "--person", &member, "--out"])
        .arg(dir.path().join("none.pdf"))
        .args(["--lang", "en"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no certificate has been issued"));
    let issued = json(korpus(&db).args(["certificate", "issue", "--person", &member, "--on", "20.12.2017"]));
    let name = issued["full_name"].as_str().unwrap().to_owned();
    let number = issued["number"].as_str().unwrap().to_owned();
    assert!(number.starts_with("2017-L"), "no HQ block yet: the device's own series, {number}");

    // One certificate, in Russian and Kazakh: the name is there as text.
    let pdf = dir.path().join("out").join("one.pdf");
    korpus(&db)
        .args(["print", "certificate", "--person", &member, "--in", "kk+ru", "--out"])
        .arg(&pdf)
        .assert()
        .success();
    let text = pdf_text(&pdf);
    assert!(text.contains(&name) && text.contains("Настоящий сертификат подтверждает"), "{text}");
    korpus(&db)
        .args(["--lang", "ru", "print", "certificate", "--person", &member, "--in", "de", "--out"])
        .arg(&pdf)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Язык документа").and(predicate::str::contains("kk+ru")));

    // The file verifies; so does its code; the code with one letter of the name changed does not.
    korpus(&db)
        .args(["--lang", "en", "verify-certificate"])
        .arg(&pdf)
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("Certificate No. {number} is genuine")))
        .stdout(predicate::str::contains("The record in this database matches the code."))
        .stdout(predicate::str::contains("Device: "))
        .stdout(predicate::str::contains("field-").not());
    let code = json(korpus(&db).arg("verify-certificate").arg(&pdf))["code"].clone();
    let signed = format!(
        "KORPUS1|{number}|P|{name}|{}|{}|{}|{}|{}",
        code["completed_on"].as_str().unwrap(),
        code["issued_on"].as_str().unwrap(),
        code["region"].as_str().unwrap(),
        code["device_id"].as_str().unwrap().replace('-', ""),
        code["signature"].as_str().unwrap()
    );
    korpus(&db).args(["verify-certificate", &signed]).assert().success();
    let first = name.chars().next().unwrap();
    let other = if first == 'А' { 'Ә' } else { 'А' };
    let edited = signed.replacen(&name, &format!("{other}{}", &name[first.len_utf8()..]), 1);
    korpus(&db).args(["--lang", "en", "verify-certificate", &edited]).assert().code(1).stdout(
        predicate::str::contains("is NOT genuine").and(predicate::str::contains("altered or forged")),
    );
    korpus(&db)
        .args(["--lang", "en", "verify-certificate", "hello"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Certificate code: this is not a Korpus certificate code"));

    // The whole cohort: every member of group B, one file each, named by number.
    for m in members.as_array().unwrap().iter().skip(1) {
        korpus(&db)
            .args(["certificate", "issue", "--person", m["iin"].as_str().unwrap(), "--on", "20.12.2017"])
            .assert()
            .success();
    }
    let bulk = dir.path().join("bulk");
    let printed = json(korpus(&db).args(["print", "certificates", "--cohort", "2017", "--out"]).arg(&bulk));
    let files = printed["files"].as_array().unwrap();
    assert_eq!(files.len(), members.as_array().unwrap().len());
    assert!(bulk.join(format!("{number}.pdf")).is_file());
    assert!(printed["bytes"].as_u64().unwrap() < 40 * 1024 * files.len() as u64, "{printed}");
}

#[test]
fn a_lottery_a_training_day_and_a_host_orgs_applications_print_as_lists() {
    let (dir, db) = new_db();
    let apps = drawn_region(&db);
    // The lottery in force: its seed, its hashes, every group with its arm.
    let pdf = dir.path().join("lottery.pdf");
    korpus(&db)
        .args(["print", "lottery", "--region", "Павлодар", "--in", "ru", "--out"])
        .arg(&pdf)
        .assert()
        .success();
    let text = pdf_text(&pdf);
    let lottery = json(korpus(&db).args(["lottery", "list", "--cohort", "2017"]))[0].clone();
    for expected in [
        "Результат случайного отбора, 2017",
        "11 22 33",
        lottery["draw"]["input_sha256"].as_str().unwrap(),
        lottery["draw"]["output_sha256"].as_str().unwrap(),
        "Жасыл аула",
        "Сейітов Нұрлан",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }
    assert_eq!(apps.len(), 3);

    // Day 2 of phase I for beneficiaries: the drawn groups of arms A and C, each with a line to sign.
    let plan = json(korpus(&db).args(["training", "plan", "--region", "Павлодар"]));
    let event =
        plan.as_array().unwrap().iter().find(|e| e["stage"] == "phase1_beneficiaries").unwrap().clone();
    let id = event["id"].as_str().unwrap();
    let sheet = dir.path().join("day2.pdf");
    korpus(&db)
        .args(["print", "attendance", "--event", id, "--day", "2", "--out"])
        .arg(&sheet)
        .assert()
        .success();
    let text = pdf_text(&sheet);
    let day2 = event["dates"][1].as_str().unwrap();
    let shown = format!("{}.{}.{}", &day2[8..10], &day2[5..7], &day2[..4]);
    assert!(
        text.contains("Қатысу парағы") && text.contains(&shown) && text.contains("Оспанов Айдос"),
        "{text}"
    );
    korpus(&db)
        .args(["--lang", "en", "print", "attendance", "--event", id, "--day", "7", "--out"])
        .arg(&sheet)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Day: \"7\" is not a day of the event: it has 6 day(s)"));

    // A host organisation's applications: both of its groups, with budget and standing.
    let bin = (0..100).find_map(|s| Bin::compose(12, 3, 4, 0, s)).unwrap().to_string();
    add_host_org(&db, &bin, "«Жігер» қоғамдық бірлестігі").assert().success();
    // Not selected in the competition: it may not submit for a group.
    let members = three_members(&db, 570);
    let mut refused = korpus(&db);
    refused
        .args([
            "--lang",
            "en",
            "application",
            "add",
            "--path",
            "host_org",
            "--host-org",
            &bin,
            "--leader",
            &members[0],
        ])
        .args(["--name", "Ерте", "--territory", "Ақсу", "--goal", "Жастарды біріктіру"])
        .args(["--target-group", "Жастар", "--description", "Жастарға арналған орын"])
        .args(["--direction", "ecology_landscaping", "--budget", "750 000", "--region", "Павлодар"]);
    for m in &members {
        refused.args(["--member", m]);
    }
    refused
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Host organisation: «Жігер» қоғамдық бірлестігі is not selected"));
    let bin = (0..100).filter_map(|s| Bin::compose(12, 3, 4, 0, s)).nth(1).unwrap().to_string();
    selected_host_org(&db, &bin, "«Жігер» қоғамдық бірлестігі (Ақсу)");
    for (i, name) in ["Кітап үйі", "Спорт алаңы"].iter().enumerate() {
        let members = three_members(&db, 600 + i as u16 * 10);
        let mut cmd = korpus(&db);
        cmd.args(["application", "add", "--path", "host_org", "--host-org", &bin, "--leader", &members[0]])
            .args(["--name", name, "--territory", "Ақсу", "--goal", "Жастарды біріктіру"])
            .args(["--target-group", "Жастар", "--description", "Жастарға арналған орын"])
            .args(["--direction", "ecology_landscaping", "--budget", "750 000", "--region", "Павлодар"]);
        for m in &members {
            cmd.args(["--member", m]);
        }
        cmd.assert().success();
    }
    let list = dir.path().join("applications.pdf");
    korpus(&db)
        .args(["print", "applications", "--host-org", &bin, "--in", "en", "--out"])
        .arg(&list)
        .assert()
        .success();
    let text = pdf_text(&list);
    for expected in [
        "«Жігер» қоғамдық бірлестігі",
        "Кітап үйі",
        "Спорт алаңы",
        "750 000",
        "registered",
        "2 application(s), 1 500 000",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }
}

#[test]
fn history_names_who_changed_a_record_and_what() {
    let (dir, db) = new_db();
    let person = iin(1996, 5, 17, Sex::Female, 10);
    add_person(&db, &person, "Құрманова", "Іңкәр").assert().success();
    let scan = dir.path().join("income.png");
    std::fs::write(&scan, b"\x89PNG\r\n\x1a\n a photographed page").unwrap();
    korpus(&db)
        .args(["document", "add", "--owner", "person", "--of", &person, "--kind", "income"])
        .args(["--issued", "01.03.2017", "--file"])
        .arg(&scan)
        .assert()
        .success();
    let history = json(korpus(&db).args(["history", "person", &person]));
    let entries = history.as_array().unwrap();
    assert_eq!(entries.len(), 2, "{history}");
    // Newest first: the document, then the person as registered.
    assert_eq!(
        (entries[0]["entity"].as_str(), entries[0]["op"].as_str()),
        (Some("document"), Some("insert"))
    );
    assert_eq!(entries[0]["fields"]["file_name"], "income.png");
    assert_eq!(
        (entries[1]["entity"].as_str(), entries[1]["author"].as_str()),
        (Some("person"), Some("tester"))
    );
    assert_eq!(entries[1]["fields"]["surname"], "Құрманова");
    korpus(&db)
        .args(["--lang", "kk", "history", "person", &person])
        .assert()
        .success()
        .stdout(predicate::str::contains("tester").and(predicate::str::contains("Тегі: Құрманова")));
    korpus(&db).args(["--lang", "en", "history", "grant", &person]).assert().code(1).stderr(
        predicate::str::contains("Kind: \"grant\" is not one of: person, application, host_org, mentor"),
    );
}
