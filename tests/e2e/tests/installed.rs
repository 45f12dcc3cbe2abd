//! The desk as a coordinator's Linux laptop gets it: the `.deb` Tauri's bundler makes
//! (`scripts/package deb`; here the same package from the debug build, `scripts/package deb
//! --debug`, which `scripts/test` runs before the tests), installed with dpkg, started from where
//! it went under Xvfb, and removed. Needs root (or sudo without a password), as dpkg does.

// A failed unwrap fails the test, which is what it should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use korpus_e2e::{Desk, Home, workspace};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PACKAGE: &str = "korpus";

/// The package `scripts/package deb --debug` made for this version.
fn debug_deb() -> PathBuf {
    let version = env!("CARGO_PKG_VERSION");
    let deb = workspace().join(format!("target/debug/bundle/deb/Korpus_{version}_amd64.deb"));
    assert!(
        deb.is_file(),
        "{} is missing: `scripts/package deb --debug` makes it (scripts/test does, before the tests)",
        deb.display()
    );
    deb
}

/// Runs a system command as root: directly when root, else through `sudo -n`.
fn as_root(program: &str, args: &[&str]) -> Output {
    let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let mut command = if root { Command::new(program) } else { Command::new("sudo") };
    if !root {
        command.args(["-n", program]);
    }
    command.args(args).output().unwrap()
}

fn stdout(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn installed() -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", PACKAGE])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

/// Removes the package however the test ends: a failed test leaves no korpus installed.
struct Removed;
impl Drop for Removed {
    fn drop(&mut self) {
        if installed() {
            let _ = as_root("dpkg", &["--remove", PACKAGE]);
        }
    }
}

#[tokio::test]
async fn the_deb_installs_starts_at_its_home_screen_and_is_removed() {
    let deb = debug_deb();
    let deb_arg = deb.to_str().unwrap();

    // What the package says of itself and carries.
    let fields = stdout("dpkg-deb", &["--field", deb_arg, "Package", "Version", "Architecture", "Depends"]);
    assert!(fields.contains(&format!("Package: {PACKAGE}\n")), "{fields}");
    assert!(fields.contains(&format!("Version: {}\n", env!("CARGO_PKG_VERSION"))), "{fields}");
    assert!(fields.contains("Architecture: amd64"), "{fields}");
    assert!(fields.contains("libwebkit2gtk-4.1-0"), "the window's engine is a dependency: {fields}");
    let contents = stdout("dpkg-deb", &["--contents", deb_arg]);
    let paths: Vec<&str> = contents
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .map(|p| p.trim_start_matches("./"))
        .collect();
    for path in [
        "usr/bin/korpus-desk",
        "usr/bin/korpus",
        "usr/share/applications/Korpus.desktop",
        "usr/share/icons/hicolor/128x128/apps/korpus-desk.png",
        "usr/share/doc/korpus/copyright",
        "usr/share/doc/korpus/LICENSE-DejaVu.txt",
    ] {
        assert!(paths.contains(&path), "{path} is not in the package:\n{contents}");
    }

    // A korpus package already here would be someone's own: the test installs and removes only its own.
    assert!(
        !installed(),
        "a `{PACKAGE}` package is already installed on this machine; this test installs and removes its own: \
         remove it first (dpkg --remove {PACKAGE})"
    );
    let _removed = Removed;
    let install = as_root("dpkg", &["--install", deb_arg]);
    assert!(install.status.success(), "dpkg --install: {}", String::from_utf8_lossy(&install.stderr));
    assert!(installed());

    // The menu entry starts the installed desk; its licence is where Debian keeps licences.
    let entry = std::fs::read_to_string("/usr/share/applications/Korpus.desktop").unwrap();
    assert!(entry.contains("Name=Korpus"), "{entry}");
    let exec = entry.lines().find_map(|l| l.strip_prefix("Exec=")).expect("an Exec line");
    let program = exec.split_whitespace().next().unwrap();
    let program =
        if program.starts_with('/') { PathBuf::from(program) } else { Path::new("/usr/bin").join(program) };
    assert_eq!(program, Path::new("/usr/bin/korpus-desk"), "{entry}");
    let copyright = std::fs::read_to_string("/usr/share/doc/korpus/copyright").unwrap();
    assert!(
        copyright.contains("Upstream-Name: Korpus") && copyright.contains("bitstream-vera"),
        "{copyright}"
    );

    // The installed command line works from the PATH.
    let version = stdout("/usr/bin/korpus", &["--version"]);
    assert!(version.contains(env!("CARGO_PKG_VERSION")), "{version}");
    let check = stdout("/usr/bin/korpus", &["--lang", "en", "check", "iin", "950308400008"]);
    assert!(check.contains("08.03.1995"), "{check}");

    // Started from where it went, the desk makes its database and opens at its home screen.
    let home = Home::new().unwrap();
    let desk = Desk::launch_program(&home, &[], &program).await.unwrap();
    desk.wait_for("[data-testid=recovery-dialog]").await.unwrap();
    desk.click("[data-testid=recovery-written]").await.unwrap();
    desk.wait_gone("[data-testid=recovery-dialog]").await.unwrap();
    desk.wait_for_text("[data-testid=desk] h1", "Шолу").await.unwrap();
    desk.wait_for("[data-testid=counts]").await.unwrap();
    desk.screenshot("installed-deb-home").await.unwrap();
    desk.quit().await.unwrap();
    assert!(home.database().is_file(), "the installed desk made its database in the user's data folder");

    // Removed, it leaves no program behind (the user's database stays, as it should).
    let remove = as_root("dpkg", &["--remove", PACKAGE]);
    assert!(remove.status.success(), "dpkg --remove: {}", String::from_utf8_lossy(&remove.stderr));
    assert!(!installed());
    assert!(!Path::new("/usr/bin/korpus-desk").exists() && !Path::new("/usr/bin/korpus").exists());
    assert!(home.database().is_file());
}
