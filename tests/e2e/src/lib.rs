//! Driving the built desk in a real window: each launch starts `tauri-driver` (which starts
//! WebKitWebDriver, which starts the desk) with its own HOME, so the desk's database, settings
//! and window state live in a folder the test owns. Run under a session bus with an unlocked
//! keyring and an X server (`scripts/test` provides both).

pub mod measure;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What can go wrong while driving the desk; tests unwrap it.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// How long a screen may take to show what a test waits for.
const PATIENCE: Duration = Duration::from_secs(20);

/// The workspace's root folder.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The desk binary: `KORPUS_DESK_BIN`, else the workspace's debug build.
fn desk_binary() -> PathBuf {
    std::env::var_os("KORPUS_DESK_BIN").map(PathBuf::from).unwrap_or_else(|| {
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace().join("target"));
        target.join("debug/korpus-desk")
    })
}

/// Where the tests save screenshots of the main screens (named in the README).
pub fn screenshot_dir() -> PathBuf {
    workspace().join("target/screenshots")
}

fn free_port() -> Result<u16, Error> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Starts `tauri-driver` for a desk in `home`, on free ports; returns it and its address.
fn start_driver(home: &Home, env: &[(&str, &str)]) -> Result<(Child, String), Error> {
    let (port, native_port) = (free_port()?, free_port()?);
    let h = home.path();
    let mut command = Command::new("tauri-driver");
    command
        .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
        .env("HOME", h)
        .env("XDG_DATA_HOME", h.join(".local/share"))
        .env("XDG_CONFIG_HOME", h.join(".config"))
        .env("XDG_CACHE_HOME", h.join(".cache"))
        .env_remove("KORPUS_DB_KEY")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    let driver = command.spawn().map_err(|e| format!("tauri-driver: {e} (cargo install tauri-driver)"))?;
    Ok((driver, format!("http://127.0.0.1:{port}")))
}

/// A desk's home folder: its database, keyring account and settings live below it.
pub struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    /// A fresh, empty home.
    pub fn new() -> Result<Home, Error> {
        Ok(Home { dir: tempfile::TempDir::new()? })
    }

    /// A home whose desk database holds `persons` demo persons (benchmarks), its key kept in the
    /// OS keyring as the desk keeps it, and returned for opening the database beside the desk.
    pub fn with_demo(persons: usize) -> Result<(Home, korpus_store::DbKey), Error> {
        use korpus_app::secrets::KeyStore;
        let home = Home::new()?;
        let path = home.database();
        std::fs::create_dir_all(path.parent().ok_or("no parent")?)?;
        let key = korpus_store::DbKey::generate();
        korpus_app::secrets::OsKeyring.save(&path, &key)?;
        let clock = std::sync::Arc::new(korpus_store::SystemClock);
        let mut store = korpus_store::Store::create(&path, &key, "bench", clock)?;
        let started = Instant::now();
        korpus_app::demo::demo_data(&mut store, persons, 1)?;
        println!("database of {persons} persons made in {:.1} s", started.elapsed().as_secs_f64());
        Ok((home, key))
    }

    /// Where the desk keeps its database under this home (the OS's application-data folder).
    pub fn database(&self) -> PathBuf {
        self.dir.path().join(".local/share/kz.korpus.desk/korpus.db")
    }

    /// The home folder itself.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// A running desk and the WebDriver session on it.
pub struct Desk {
    driver: Child,
    /// Already stopped (by `quit`).
    stopped: bool,
    /// The WebDriver session.
    pub client: Client,
}

impl Desk {
    /// Starts the desk in `home` with extra environment variables. The recovery code a desk shows
    /// once after making its database is taken as written down (its own test looks at it:
    /// [`Desk::launch_as_is`]).
    pub async fn launch(home: &Home, env: &[(&str, &str)]) -> Result<Desk, Error> {
        let desk = Desk::launch_as_is(home, env).await?;
        // The dialog comes with the desk's first screen, in the same update, or not at all.
        if desk.client.find(Locator::Css("[data-testid=recovery-dialog]")).await.is_ok() {
            desk.click("[data-testid=recovery-written]").await?;
            desk.wait_gone("[data-testid=recovery-dialog]").await?;
        }
        Ok(desk)
    }

    /// Starts the desk in `home` with extra environment variables, and leaves its first screen
    /// as it comes.
    pub async fn launch_as_is(home: &Home, env: &[(&str, &str)]) -> Result<Desk, Error> {
        Desk::launch_program(home, env, &desk_binary()).await
    }

    /// Starts the desk `program` (an installed one: `/usr/bin/korpus-desk`) in `home`, and leaves
    /// its first screen as it comes.
    pub async fn launch_program(home: &Home, env: &[(&str, &str)], program: &Path) -> Result<Desk, Error> {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": program.display().to_string() }),
        );
        let started = Instant::now();
        let (mut driver, mut url) = start_driver(home, env)?;
        let client = loop {
            // A session whose desk never comes up is never answered: bound each attempt.
            let mut builder = ClientBuilder::native();
            builder.capabilities(capabilities.clone());
            let Ok(answer) = tokio::time::timeout(PATIENCE, builder.connect(&url)).await else {
                let _ = driver.kill();
                return Err(format!("no WebDriver session on {url}: the desk did not come up").into());
            };
            match answer {
                Ok(client) => break client,
                Err(e) if started.elapsed() < PATIENCE => {
                    let _ = e;
                    // The ports were free when chosen, but something may have taken one since:
                    // a driver that could not listen has stopped, and starts again on others.
                    if driver.try_wait()?.is_some() {
                        (driver, url) = start_driver(home, env)?;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => {
                    let _ = driver.kill();
                    return Err(format!("no WebDriver session on {url}: {e}").into());
                }
            }
        };
        let desk = Desk { driver, client, stopped: false };
        desk.wait_for("[data-testid=desk], .unlock").await?;
        Ok(desk)
    }

    /// Closes the window and stops the driver.
    ///
    /// Waits until the desk and WebKitWebDriver are gone too: the desk is a single instance on the
    /// session bus, so a desk still closing when the next test starts one would take the new one's
    /// place and the new one would exit, leaving its WebDriver session waiting for ever.
    pub async fn quit(mut self) -> Result<(), Error> {
        let closed = self.client.clone().close().await;
        self.stop();
        closed.map_err(Into::into)
    }

    /// Stops the driver, WebKitWebDriver and the desk (TERM, then KILL), and waits until they are
    /// gone. Also when a test fails half-way (on drop): a desk left running would take the next
    /// test's place as the single instance.
    fn stop(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        let family = descendants(self.driver.id());
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        for signal in ["-TERM", "-KILL"] {
            let alive: Vec<u32> = family.iter().copied().filter(|pid| is_running(*pid)).collect();
            if alive.is_empty() {
                break;
            }
            let _ = Command::new("kill")
                .arg(signal)
                .args(alive.iter().map(u32::to_string))
                .stderr(Stdio::null())
                .status();
            let started = Instant::now();
            while family.iter().any(|pid| is_running(*pid)) && started.elapsed() < PATIENCE {
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }

    /// The first element matching `css`, once it is there.
    pub async fn wait_for(&self, css: &str) -> Result<Element, Error> {
        // Poll often: the benchmark times screens by this wait.
        Ok(self
            .client
            .wait()
            .at_most(PATIENCE)
            .every(Duration::from_millis(10))
            .for_element(Locator::Css(css))
            .await?)
    }

    /// Waits until no element matches `css`.
    pub async fn wait_gone(&self, css: &str) -> Result<(), Error> {
        let started = Instant::now();
        while !self.client.find_all(Locator::Css(css)).await?.is_empty() {
            if started.elapsed() > PATIENCE {
                return Err(format!("{css} is still there").into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(())
    }

    /// Waits until the element matching `css` shows text containing `text`; returns its text.
    pub async fn wait_for_text(&self, css: &str, text: &str) -> Result<String, Error> {
        self.wait_for_text_within(css, text, PATIENCE).await
    }

    /// As [`Desk::wait_for_text`], for work that takes longer than a screen (a benchmark's).
    pub async fn wait_for_text_within(
        &self,
        css: &str,
        text: &str,
        patience: Duration,
    ) -> Result<String, Error> {
        let started = Instant::now();
        loop {
            let mut seen = String::new();
            for element in self.client.find_all(Locator::Css(css)).await? {
                let t = element.text().await.unwrap_or_default();
                if t.contains(text) {
                    return Ok(t);
                }
                seen.push_str(&t);
                seen.push('|');
            }
            if started.elapsed() > patience {
                return Err(format!("{css} never showed {text:?}; it showed {seen:?}").into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the element matching `css`.
    pub async fn click(&self, css: &str) -> Result<(), Error> {
        self.wait_for(css).await?.click().await?;
        Ok(())
    }

    /// Types `text` into the field matching `css`, after clearing it.
    pub async fn type_into(&self, css: &str, text: &str) -> Result<(), Error> {
        let field = self.wait_for(css).await?;
        field.clear().await?;
        field.send_keys(text).await?;
        Ok(())
    }

    /// Picks the option with value `value` of the select matching `css`.
    pub async fn choose(&self, css: &str, value: &str) -> Result<(), Error> {
        self.click(&format!("{css} option[value='{value}']")).await
    }

    /// Saves a screenshot of the window as `target/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf, Error> {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        // Let WebKit paint what the DOM already holds: a window that has just appeared may not
        // have drawn its first frame yet.
        self.client
            .execute_async("requestAnimationFrame(() => requestAnimationFrame(arguments[0]))", vec![])
            .await?;
        // WebKit answers a screenshot after its next paint, and a page drawn without compositing
        // (as the desk draws it) paints again only where something changed: a still page would
        // never answer. One nearly transparent pixel in the corner changes on every frame until
        // the screenshot is taken.
        self.client
            .execute(
                "const d = document.createElement('div'); window.__shot = d; \
                 d.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;opacity:0.01'; \
                 document.body.appendChild(d); let n = 0; \
                 const tick = () => { if (!d.isConnected) return; \
                   d.style.background = ++n % 2 ? '#fff' : '#000'; requestAnimationFrame(tick); }; \
                 requestAnimationFrame(tick);",
                vec![],
            )
            .await?;
        let png = self.client.screenshot().await;
        self.client.execute("window.__shot.remove();", vec![]).await?;
        std::fs::write(&path, png?)?;
        Ok(path)
    }
}

impl Drop for Desk {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The parent of process `pid`, from `/proc/PID/stat` (the field after the command's name).
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

/// Whether process `pid` exists and is not a zombie.
fn is_running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next())
            .is_some_and(|state| state != "Z")
    })
}

/// Every process started, directly or not, by `root`: the test harness runs on Linux only, so it
/// reads the process tree from `/proc`.
fn descendants(root: u32) -> Vec<u32> {
    let pids: Vec<u32> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse().ok()))
        .collect();
    let mut family = vec![root];
    let mut i = 0;
    while i < family.len() {
        let parent = family[i];
        family.extend(pids.iter().copied().filter(|pid| parent_of(*pid) == Some(parent)));
        i += 1;
    }
    family.remove(0);
    family
}
