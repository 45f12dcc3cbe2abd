//! `korpus.exe` as a coordinator's Windows laptop runs it: built for `x86_64-pc-windows-gnu`
//! (`scripts/test` builds it before the tests) and run under wine, in a wine prefix of the test's
//! own: its database on drive C:, its key in the Windows credential store (wine's), a search, a
//! group's whole path to a printed certificate, read back with poppler.

// A failed unwrap in a test helper fails that test, which is what it should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use korpus_domain::{Iin, Sex};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};
use tempfile::TempDir;

const TARGET: &str = "x86_64-pc-windows-gnu";

/// The Windows build of `korpus`, next to the workspace's own.
fn exe() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let exe = target.join(TARGET).join("debug/korpus.exe");
    assert!(
        exe.is_file(),
        "{} is missing: `cargo build --target {TARGET} -p korpus-cli` makes it (scripts/test does, before the tests)",
        exe.display()
    );
    exe
}

/// A wine prefix of the test's own (a Windows user's profile and drive C:), stopped afterwards.
struct Wine {
    prefix: TempDir,
    exe: PathBuf,
}

/// Wine has a DLL of its own named so (wine 8.0 has no bcryptprimitives.dll).
fn wine_has(dll: &str) -> bool {
    ["/usr/lib/x86_64-linux-gnu/wine", "/usr/lib/wine", "/usr/lib64/wine", "/opt/wine-stable/lib64/wine"]
        .iter()
        .any(|dir| std::path::Path::new(dir).join("x86_64-windows").join(dll).is_file())
}

impl Wine {
    /// A prefix with korpus.exe copied to `C:\Program Files\Korpus`, as the installer puts it.
    fn new() -> Wine {
        let prefix = TempDir::new().unwrap();
        let folder = prefix.path().join("drive_c/Program Files/Korpus");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::copy(exe(), folder.join("korpus.exe")).unwrap();
        // Windows 10 and 11 have it; Rust's standard library needs it (tests/wine/).
        if !wine_has("bcryptprimitives.dll") {
            let source =
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/wine/bcryptprimitives.c");
            let built = Command::new("x86_64-w64-mingw32-gcc")
                .args(["-shared", "-O2", "-o"])
                .arg(folder.join("bcryptprimitives.dll"))
                .arg(&source)
                .arg("-ladvapi32")
                .status()
                .unwrap();
            assert!(built.success(), "bcryptprimitives.dll for wine (mingw-w64: scripts/setup)");
        }
        Wine { prefix, exe: PathBuf::from(r"C:\Program Files\Korpus\korpus.exe") }
    }

    /// `korpus.exe ARGS` on the database `C:\korpus\case.db`, its key from the credential store.
    fn korpus(&self, args: &[&str]) -> Output {
        Command::new("wine")
            .arg(&self.exe)
            .args(["--db", r"C:\korpus\case.db", "--author", "tester"])
            .args(args)
            .env("WINEPREFIX", self.prefix.path())
            .env("WINEDEBUG", "-all")
            // No Mono or Gecko: a prefix made without asking to download them.
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env_remove("KORPUS_DB_KEY")
            .env_remove("KORPUS_LANG")
            .env_remove("KORPUS_DB")
            .env_remove("DISPLAY")
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.korpus(args);
        assert!(
            out.status.success(),
            "korpus.exe {args:?}: exit {:?}\n{}{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.ok(&all);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
    }

    /// A path on the prefix's drive C:, as Linux sees it.
    fn drive_c(&self, path: &str) -> PathBuf {
        self.prefix.path().join("drive_c").join(path)
    }
}

impl Drop for Wine {
    fn drop(&mut self) {
        let _ = Command::new("wineserver").arg("-k").env("WINEPREFIX", self.prefix.path()).status();
    }
}

fn iin(y: i32, m: u32, d: u32, sex: Sex, serial: u16) -> String {
    let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
    (serial..serial + 100).find_map(|s| Iin::compose(date, sex, s)).unwrap().to_string()
}

#[test]
fn korpus_exe_keeps_its_key_in_the_windows_store_finds_people_and_prints_a_certificate_under_wine() {
    let wine = Wine::new();

    // A new database on drive C:; its key goes to the Windows credential store, made from the
    // recovery code printed once.
    let init = wine.ok(&["--lang", "en", "init"]);
    assert!(init.contains("Recovery code"), "{init}");
    assert!(wine.drive_c("korpus/case.db").is_file());
    // A key from nowhere else: the next commands open the database with the stored one.
    let summary = wine.json(&["demo-data", "--persons", "120"]);
    assert_eq!(summary["added"]["persons"], 120, "{summary}");
    let found = wine.json(&["person", "search", "а", "--limit", "5"]);
    assert_eq!(found.as_array().unwrap().len(), 5, "{found}");

    // Kazakh letters, Windows paths and the console: a region's whole path to a certificate.
    let mut apps = Vec::new();
    for g in 0..3u16 {
        let members: Vec<String> = (0..3u32)
            .map(|i| {
                let id = iin(1997, 1, 2 + i, Sex::Male, 300 + g * 10);
                wine.ok(&["person", "add", "--iin", &id, "--surname", "Оспанов", "--given-name", "Айдос"]
                    .iter()
                    .copied()
                    .chain(["--region", "550000000", "--locality", "Ақсу", "--education", "school_leaver"])
                    .collect::<Vec<_>>());
                id
            })
            .collect();
        let mut args = vec!["application", "add", "--path", "initiative_group", "--leader", &members[0]];
        args.extend(["--name", "Жасыл аула", "--territory", "Ақсу", "--goal", "Аула көгалдандыру"]);
        args.extend(["--target-group", "Жастар", "--description", "Аула жасыл болады"]);
        args.extend(["--direction", "ecology_landscaping", "--budget", "1 000 000", "--region", "Павлодар"]);
        for m in &members {
            args.extend(["--member", m]);
        }
        apps.push(wine.json(&args)["id"].as_str().unwrap().to_owned());
    }
    wine.ok(&["screen", "--cohort", "2017"]);
    let judges: Vec<String> = ["Ахметова Сәуле", "Ержанов Болат", "Ким Ольга"]
        .iter()
        .map(|name| {
            let m = wine.json(&["commission", "add-member", "--region", "Павлодар", "--name", name]);
            m["id"].as_str().unwrap().to_owned()
        })
        .collect();
    for app in &apps {
        for judge in &judges {
            let mut args = vec!["commission", "score", "--application", app, "--member", judge];
            for points in ["relevance=7", "social_impact=7", "feasibility=7", "budget=7", "participation=7"] {
                args.extend(["--points", points]);
            }
            wine.ok(&args);
        }
    }
    wine.ok(&[
        "commission",
        "decide",
        "--region",
        "Павлодар",
        "--cut-off",
        "top:3",
        "--by",
        "Ахметова Сәуле",
    ]);
    wine.ok(&["lottery", "draw", "--cohort", "2017", "--seed", "11 22 33", "--by", "Сейітов Нұрлан"]);
    let grants = wine.json(&["money", "grants"]);
    let b = grants.as_array().unwrap().iter().find(|g| g["arm"] == "B").expect("a group B")["application_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for kind in ["programme", "financial"] {
        wine.ok(&["report", "submit", "--application", &b, "--kind", kind, "--on", "14.12.2017"]);
    }
    let member = wine.json(&["application", "show", &b])["members"][0]["iin"].as_str().unwrap().to_owned();
    let issued = wine.json(&["certificate", "issue", "--person", &member, "--on", "20.12.2017"]);
    let name = issued["full_name"].as_str().unwrap().to_owned();

    // Printed to a Windows path, with its folder made; the PDF reads back with the name in it.
    wine.ok(&[
        "print",
        "certificate",
        "--person",
        &member,
        "--in",
        "kk+ru",
        "--out",
        r"C:\Users\Public\Documents\Korpus\cert.pdf",
    ]);
    let pdf = wine.drive_c("users/Public/Documents/Korpus/cert.pdf");
    let text = Command::new("pdftotext").arg(&pdf).arg("-").output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains(&name) && text.contains("Настоящий сертификат подтверждает"), "{text}");
    let verified =
        wine.ok(&["--lang", "en", "verify-certificate", r"C:\Users\Public\Documents\Korpus\cert.pdf"]);
    assert!(verified.contains("is genuine"), "{verified}");

    // A wrong field is named in the user's language, with Windows' exit code, and nothing written.
    let wrong = wine.korpus(&[
        "--lang",
        "ru",
        "person",
        "add",
        "--iin",
        "123",
        "--surname",
        "Оспанов",
        "--given-name",
        "Айдос",
        "--region",
        "550000000",
        "--locality",
        "Ақсу",
        "--education",
        "school_leaver",
    ]);
    assert_eq!(wrong.status.code(), Some(1));
    let said = String::from_utf8_lossy(&wrong.stderr);
    assert!(said.contains("ИИН"), "{said}");
}
