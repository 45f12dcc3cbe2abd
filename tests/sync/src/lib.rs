//! A harness for sync on real parts: a database of its own in the PostgreSQL cluster the test
//! command started (`KORPUS_TEST_PG_URL`), real `korpus-hq` processes that can be killed and
//! restarted, and desks with SQLCipher databases that sync through `korpus-sync` over HTTP. Device
//! tokens go to the session's keyring, as on a coordinator's laptop.

/// The randomised soak of desks, HQ and faults.
pub mod soak;

use korpus_app::AppError;
use korpus_app::sync::client::{Client, RetryPolicy};
use korpus_app::sync::{Report, SyncOptions};
use korpus_domain::{IdentityInput, Iin, PersonInput, Rulebook, Sex};
use korpus_store::{DbKey, Store, SystemClock};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tempfile::TempDir;
use uuid::Uuid;

/// Errors of the harness.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The workspace's root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A built binary of the workspace (`korpus-hq`, `korpus`), built now if missing.
pub fn binary(name: &str) -> Result<PathBuf, Error> {
    if name == "korpus-hq"
        && let Some(path) = std::env::var_os("KORPUS_HQ_BIN")
    {
        return Ok(PathBuf::from(path));
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace().join("target"), PathBuf::from);
    let path = target.join("debug").join(name);
    if !path.is_file() {
        let package = if name == "korpus" { "korpus-cli" } else { name };
        let status =
            Command::new(env!("CARGO")).args(["build", "-p", package]).current_dir(workspace()).status()?;
        if !status.success() {
            return Err(format!("cargo build -p {package} failed").into());
        }
    }
    Ok(path)
}

/// Every envelope `store` has not sent yet, sealed as sync sends them.
pub fn unsent_sealed(store: &Store) -> Result<Vec<korpus_sync::protocol::SealedEnvelope>, Error> {
    Ok(store
        .unsent(usize::MAX >> 1)?
        .into_iter()
        .map(|e| korpus_sync::protocol::SealedEnvelope { envelope: e.envelope, hash: e.hash })
        .collect())
}

/// A port nobody listens on now.
pub fn free_port() -> Result<u16, Error> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The two regions tests use, and a third nobody is given.
pub fn regions() -> (String, String, String) {
    let rb = Rulebook::pilot_2017();
    (rb.regions[0].kato.clone(), rb.regions[1].kato.clone(), rb.regions[2].kato.clone())
}

/// A fresh, empty database in the test cluster; its URL.
pub async fn fresh_database() -> Result<String, Error> {
    let admin = std::env::var("KORPUS_TEST_PG_URL").map_err(|_| {
        "KORPUS_TEST_PG_URL is not set: run the tests with scripts/test, which starts a PostgreSQL cluster"
    })?;
    let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls).await?;
    let task = tokio::spawn(connection);
    let name = format!("korpus_{}", Uuid::now_v7().simple());
    client.batch_execute(&format!("CREATE DATABASE {name}")).await?;
    drop(client);
    let _ = task.await;
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    // Plain over loopback unless a test asks for TLS ([`Hq::start_tls`]): the cluster offers TLS
    // with a certificate of its own, which HQ would otherwise try and not trust.
    Ok(format!("{base}/{name}?sslmode=disable"))
}

/// HTTPS for HQ: a certificate for 127.0.0.1 made for the test (openssl), and its key.
struct Tls {
    _dir: TempDir,
    cert: PathBuf,
    key: PathBuf,
}

impl Tls {
    fn make() -> Result<Tls, Error> {
        let dir = TempDir::new()?;
        let (cert, key) = (dir.path().join("hq.crt"), dir.path().join("hq.key"));
        let made = Command::new("openssl")
            .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"])
            .args(["-addext", "subjectAltName=IP:127.0.0.1", "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stderr(Stdio::null())
            .status()?;
        if !made.success() {
            return Err("openssl could not make HQ's certificate".into());
        }
        Ok(Tls { _dir: dir, cert, key })
    }
}

/// A `korpus-hq` server process over its own database.
pub struct Hq {
    /// The database's URL.
    pub database_url: String,
    /// Where it listens.
    pub port: u16,
    /// Its address: loopback, or its end of a veth pair when it runs in a network namespace.
    pub ip: String,
    /// The network namespace it runs in (`ip netns exec`), if any.
    netns: Option<String>,
    process: Option<Child>,
    /// HTTPS, and TLS to PostgreSQL, when started so ([`Hq::start_tls`]).
    tls: Option<Tls>,
}

/// Where a server's log goes: the file `KORPUS_HQ_LOG` names (appended to), or nowhere.
fn log() -> Stdio {
    std::env::var_os("KORPUS_HQ_LOG")
        .and_then(|path| std::fs::OpenOptions::new().create(true).append(true).open(path).ok())
        .map_or_else(Stdio::null, Stdio::from)
}

impl Hq {
    /// Migrates a fresh database and starts a server on it, with a staff account `hq` and
    /// coordinators `north` (first region) and `south` (second region).
    pub async fn start() -> Result<Hq, Error> {
        Hq::start_in(None, "127.0.0.1").await
    }

    /// As [`Hq::start`], the server running in the network namespace `netns` (when given) and
    /// listening on `ip`, its address there. It reaches PostgreSQL by the cluster's Unix socket
    /// (`KORPUS_PG_DIR`), which a network namespace does not hide.
    pub async fn start_in(netns: Option<&str>, ip: &str) -> Result<Hq, Error> {
        let database_url = fresh_database().await?;
        let mut hq = Hq {
            database_url,
            port: free_port()?,
            ip: ip.to_owned(),
            netns: netns.map(str::to_owned),
            process: None,
            tls: None,
        };
        hq.admin(&["migrate"])?;
        let (r1, r2, _) = regions();
        hq.admin(&["staff", "add", "--login", "hq", "--name", "HQ analyst"])?;
        hq.admin(&["coordinator", "add", "--login", "north", "--name", "Айгерім", "--region", &r1])?;
        hq.admin(&["coordinator", "add", "--login", "south", "--name", "Ерлан", "--region", &r2])?;
        hq.restart().await?;
        Ok(hq)
    }

    /// As [`Hq::start`], over TLS end to end: HQ serves HTTPS with a certificate made for the
    /// test (desks enrolled by [`Desk::enrolled`] pin it), and reaches PostgreSQL over TLS
    /// (`sslmode=require`), checking the cluster's certificate (`KORPUS_TEST_PG_CA`).
    pub async fn start_tls() -> Result<Hq, Error> {
        let mut hq = Hq::start().await?;
        hq.kill();
        hq.tls = Some(Tls::make()?);
        hq.restart().await?;
        Ok(hq)
    }

    /// HQ's certificate (PEM), when it serves HTTPS.
    pub fn certificate(&self) -> Option<String> {
        self.tls.as_ref().and_then(|t| std::fs::read_to_string(&t.cert).ok())
    }

    /// Runs `korpus-hq ARGS` against the database; its standard output.
    pub fn admin(&self, args: &[&str]) -> Result<String, Error> {
        let output = Command::new(binary("korpus-hq")?)
            .args(args)
            .env("KORPUS_HQ_DATABASE_URL", &self.database_url)
            .output()?;
        if !output.status.success() {
            return Err(format!("korpus-hq {args:?}: {}", String::from_utf8_lossy(&output.stderr)).into());
        }
        Ok(String::from_utf8(output.stdout)?.trim().to_owned())
    }

    /// A one-time enrolment code for `login`.
    pub fn code(&self, login: &str) -> Result<String, Error> {
        self.admin(&["enrol-code", "--coordinator", login])
    }

    /// HQ's base URL.
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}:{}", self.ip, self.port)
    }

    /// The database's address for the server: by Unix socket when it runs in a namespace; over
    /// TLS when HQ serves HTTPS.
    fn server_database_url(&self) -> Result<String, Error> {
        if self.tls.is_some() {
            return Ok(self.database_url.replace("sslmode=disable", "sslmode=require"));
        }
        if self.netns.is_none() {
            return Ok(self.database_url.clone());
        }
        let socket_dir = std::env::var("KORPUS_PG_DIR").map_err(|_| "KORPUS_PG_DIR is not set")?;
        let config: tokio_postgres::Config = self.database_url.parse()?;
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let dbname = config.get_dbname().ok_or("the database URL names no database")?;
        Ok(format!("host={socket_dir} port={port} user=postgres dbname={dbname}"))
    }

    /// Kills the server at once (SIGKILL: no graceful shutdown), as a power cut would.
    pub fn kill(&mut self) {
        if let Some(mut p) = self.process.take() {
            let _ = p.kill();
            let _ = p.wait();
        }
    }

    /// (Re)starts the server on the same port and waits until it answers.
    pub async fn restart(&mut self) -> Result<(), Error> {
        self.kill();
        let mut command = match &self.netns {
            // `ip netns exec` execs the server itself, so killing the child kills the server.
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns]).arg(binary("korpus-hq")?);
                c
            }
            None => Command::new(binary("korpus-hq")?),
        };
        let child = command
            .args(["serve", "--listen", &format!("{}:{}", self.ip, self.port)])
            .env("KORPUS_HQ_DATABASE_URL", self.server_database_url()?)
            .envs(
                self.tls
                    .as_ref()
                    .map(|t| [("KORPUS_HQ_TLS_CERT", t.cert.clone()), ("KORPUS_HQ_TLS_KEY", t.key.clone())])
                    .into_iter()
                    .flatten(),
            )
            .envs(
                self.tls
                    .as_ref()
                    .and_then(|_| std::env::var_os("KORPUS_TEST_PG_CA"))
                    .map(|ca| ("KORPUS_HQ_DATABASE_CA", PathBuf::from(ca))),
            )
            .stdout(Stdio::null())
            .stderr(log())
            .spawn()?;
        self.process = Some(child);
        let client = Client::pinned(&self.url(), None, self.certificate().as_deref())?;
        let started = Instant::now();
        while client.capabilities().await.is_err() {
            if started.elapsed() > Duration::from_secs(30) {
                return Err("korpus-hq did not answer within 30 s".into());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }

    /// A query on HQ's database.
    pub async fn query_i64(&self, sql: &str) -> Result<i64, Error> {
        let (client, connection) = tokio_postgres::connect(&self.database_url, tokio_postgres::NoTls).await?;
        tokio::spawn(connection);
        Ok(client.query_one(sql, &[]).await?.get(0))
    }

    /// What differs between `desk` and HQ's live rows of `region`: a line per row, for a message
    /// that says where two states parted.
    pub async fn differences(&self, desk: &Desk, region: &str) -> Result<Vec<String>, Error> {
        let (client, connection) = tokio_postgres::connect(&self.database_url, tokio_postgres::NoTls).await?;
        tokio::spawn(connection);
        let mut theirs: std::collections::BTreeMap<(String, Uuid), (i64, serde_json::Value)> = client
            .query(
                "SELECT entity, id, version, fields FROM rows WHERE region = $1 AND NOT deleted",
                &[&region],
            )
            .await?
            .iter()
            .map(|r| ((r.get(0), r.get(1)), (r.get(2), r.get(3))))
            .collect();
        let mut out = Vec::new();
        for row in desk.store.all_rows()? {
            let key = (row.entity.code().to_owned(), row.id);
            let mine = serde_json::Value::Object(row.fields);
            match theirs.remove(&key) {
                None => out.push(format!("{} {}: here only, version {}", key.0, key.1, row.version)),
                Some((version, fields)) if version != row.version || fields != mine => {
                    let changed: Vec<String> = fields
                        .as_object()
                        .into_iter()
                        .flatten()
                        .filter(|(k, v)| mine.get(k.as_str()) != Some(*v))
                        .map(|(k, v)| {
                            format!(
                                "{k}: HQ {v}, here {}",
                                mine.get(k.as_str()).unwrap_or(&serde_json::Value::Null)
                            )
                        })
                        .collect();
                    out.push(format!(
                        "{} {}: HQ version {version}, here {}; {}",
                        key.0,
                        key.1,
                        row.version,
                        changed.join("; ")
                    ));
                }
                Some(_) => {}
            }
        }
        out.extend(theirs.into_iter().map(|((e, id), (v, _))| format!("{e} {id}: at HQ only, version {v}")));
        Ok(out)
    }

    /// HQ's state hash for `regions` (all when empty).
    pub fn state_hash(&self, regions: &[&str]) -> Result<String, Error> {
        let mut args = vec!["state-hash"];
        for r in regions {
            args.extend(["--region", r]);
        }
        self.admin(&args)
    }
}

impl Drop for Hq {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A coordinator's desk: an encrypted case database, enrolled with HQ.
pub struct Desk {
    _dir: TempDir,
    /// Its database file.
    db: PathBuf,
    /// Its database.
    pub store: Store,
    /// Its client, once enrolled.
    pub client: Option<Client>,
}

/// A copy of a desk's database as it stood: its file and its write-ahead log, taken between
/// writes (a laptop's backup).
pub struct Snapshot {
    dir: TempDir,
}

impl Desk {
    /// A new desk (not enrolled).
    pub fn new(author: &str) -> Result<Desk, Error> {
        let dir = TempDir::new()?;
        let store = Store::create(
            &dir.path().join("korpus.db"),
            &DbKey::passphrase("test"),
            author,
            Arc::new(SystemClock),
        )?;
        let db = dir.path().join("korpus.db");
        Ok(Desk { _dir: dir, db, store, client: None })
    }

    /// Its database file (its key is the passphrase `test`: `KORPUS_DB_KEY=test`).
    pub fn db_path(&self) -> PathBuf {
        self.db.clone()
    }

    /// Copies the database as it stands now.
    pub fn snapshot(&self) -> Result<Snapshot, Error> {
        let dir = TempDir::new()?;
        copy_database(&self.db, &dir.path().join("korpus.db"))?;
        Ok(Snapshot { dir })
    }

    /// Puts back the database of `snapshot`, as a coordinator restores an older copy: the desk
    /// goes on from there, as the same device.
    pub fn restore(&mut self, snapshot: &Snapshot) -> Result<(), Error> {
        let restored = self._dir.path().join(format!("restored-{}.db", Uuid::new_v4()));
        copy_database(&snapshot.dir.path().join("korpus.db"), &restored)?;
        self.store = Store::open(&restored, &DbKey::passphrase("test"), Arc::new(SystemClock))?;
        self.db = restored;
        Ok(())
    }

    /// A new desk enrolled with `hq` for the account `login`.
    pub async fn enrolled(hq: &Hq, login: &str) -> Result<Desk, Error> {
        let mut desk = Desk::new(login)?;
        let code = hq.code(login)?;
        let name = format!("{login} laptop");
        korpus_app::sync::enrol_pinned(&mut desk.store, &hq.url(), &code, &name, hq.certificate().as_deref())
            .await?;
        desk.client = Some(korpus_app::sync::client_for(&desk.store)?);
        Ok(desk)
    }

    /// Syncs with HQ (quick retries: tests do not wait 30 s).
    pub async fn sync(&mut self) -> Result<Report, AppError> {
        let client = self.client.clone().ok_or(korpus_app::SyncError::NotEnrolled)?;
        let options = SyncOptions {
            retry: RetryPolicy {
                attempts: 3,
                base_delay: Duration::from_millis(50),
                max_delay: Duration::from_millis(200),
            },
            ..SyncOptions::default()
        };
        korpus_app::sync::sync(&mut self.store, &client, &options, &mut |_| {}).await
    }

    /// The desk's state hash.
    pub fn state_hash(&self) -> Result<String, Error> {
        Ok(korpus_app::sync::desk_state_hash(&self.store)?.0)
    }

    /// Registers an initiative group's sub-project of `members` (the first leads) in `region`;
    /// its id.
    pub fn add_application_of(&mut self, members: &[Uuid], region: &str) -> Result<Uuid, Error> {
        let input = korpus_domain::ApplicationInput {
            path: "initiative_group".into(),
            leader_id: members.first().copied(),
            members: members.to_vec(),
            name: "Жасыл аула".into(),
            territory: "Ауыл".into(),
            goal: "Аула көгалдандыру".into(),
            target_group: "Жастар".into(),
            description: "Аула жасыл болады".into(),
            direction: "ecology_landscaping".into(),
            budget: "500000".into(),
            region: region.into(),
            host_org_id: None,
        };
        Ok(self.store.add_application(&input)?.application.id)
    }

    /// Registers a person of `region` with an IIN made from `serial`; the person's id.
    pub fn add_person(&mut self, serial: u16, surname: &str, region: &str) -> Result<Uuid, Error> {
        Ok(self.store.add_person(&person(serial, surname, region))?.id)
    }
}

/// The 2018 cohort's rulebook as HQ would write it: the pilot's numbers, with young people of 30
/// admitted (the pilot stopped at 29).
pub fn rulebook_2018() -> String {
    include_str!("../../../crates/korpus-domain/rulebooks/pilot-2017.toml")
        .replace("version = \"2017-pilot.4\"", "version = \"2018-cohort.1\"")
        .replace("cohort = 2017", "cohort = 2018")
        .replace("age_max = 29 ", "age_max = 30 ")
}

/// Runs `korpus ARGS` on the database `db` with the key `key`, speaking Kazakh unless `--lang`
/// says otherwise: what a coordinator's command line does.
pub fn korpus_cli(db: &Path, key: &str, args: &[&str]) -> Result<std::process::Output, Error> {
    Ok(Command::new(binary("korpus")?)
        .args(args)
        .env("KORPUS_DB", db)
        .env("KORPUS_DB_KEY", key)
        .env("KORPUS_LANG", "kk")
        .output()?)
}

/// Copies a database file that no one is writing, and its write-ahead log when it has one.
fn copy_database(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::copy(from, to)?;
    let wal = |p: &Path| PathBuf::from(format!("{}-wal", p.display()));
    if wal(from).exists() {
        std::fs::copy(wal(from), wal(to))?;
    }
    Ok(())
}

/// A valid person of `region` (aged 20 on the 2017 reference date) whose IIN comes from `serial`.
pub fn person(serial: u16, surname: &str, region: &str) -> PersonInput {
    let born = korpus_domain::validation::parse_date("birth_date", "17.05.1996").unwrap_or_default();
    person_born(serial, surname, region, born)
}

/// A valid person of `region` born on `born`, whose IIN comes from `serial`.
pub fn person_born(serial: u16, surname: &str, region: &str, born: chrono::NaiveDate) -> PersonInput {
    let iin = (serial..serial + 100)
        .find_map(|s| Iin::compose(born, Sex::Female, s))
        .map(|i| i.to_string())
        .unwrap_or_default();
    PersonInput {
        identity: IdentityInput {
            iin,
            surname: surname.into(),
            given_name: "Аружан".into(),
            patronymic: None,
            sex: None,
            birth_date: None,
            phone: None,
            region: region.into(),
            locality: "Ауыл".into(),
        },
        education: "tvet_student".into(),
        vulnerability: vec![],
        disability: false,
        income_per_member: None,
    }
}

/// A fault-injecting TCP proxy in front of HQ (noxious, a Rust port of Toxiproxy): every
/// connection through it is cut after a number of bytes in one direction, as a weak rural link
/// drops, until [`FaultProxy::heal`].
pub struct FaultProxy {
    /// Where it listens.
    pub port: u16,
    name: String,
    events: bmrng::RequestSender<noxious::toxic::ToxicEvent, noxious::toxic::ToxicEventResult>,
    stopper: Option<noxious::signal::Stopper>,
}

impl FaultProxy {
    /// A proxy to `upstream_port` that cuts each connection after `bytes` sent by the client
    /// (`upstream`) or by HQ (`downstream`).
    pub async fn cutting(upstream_port: u16, direction: &str, bytes: u64) -> Result<FaultProxy, Error> {
        use noxious::proxy::{ProxyConfig, ProxyRunner, Runner, Toxics};
        use noxious::toxic::{StreamDirection, Toxic, ToxicKind};
        let port = free_port()?;
        let name = format!("hq-{port}");
        let config = ProxyConfig {
            name: name.clone(),
            listen: format!("127.0.0.1:{port}"),
            upstream: format!("127.0.0.1:{upstream_port}"),
            enabled: true,
            rand_seed: Some(7),
        };
        let toxic = Toxic {
            kind: ToxicKind::LimitData { bytes },
            name: "cut".into(),
            toxicity: 1.0,
            direction: if direction == "upstream" {
                StreamDirection::Upstream
            } else {
                StreamDirection::Downstream
            },
        };
        let toxics = if direction == "upstream" {
            Toxics { upstream: vec![toxic], downstream: vec![] }
        } else {
            Toxics { upstream: vec![], downstream: vec![toxic] }
        };
        let (listener, info) =
            ProxyRunner::initialize_proxy::<noxious::socket::TcpListener>(config, toxics).await?;
        let (events, receiver) = bmrng::channel(4);
        let (stop, stopper) = noxious::signal::Stop::new();
        let (_close, closer) = noxious::signal::Close::new();
        tokio::spawn(ProxyRunner::run_proxy(listener, info, receiver, stop, closer));
        Ok(FaultProxy { port, name, events, stopper: Some(stopper) })
    }

    /// The proxy's URL, to enrol a desk with.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops cutting connections.
    pub async fn heal(&self) -> Result<(), Error> {
        let event = noxious::toxic::ToxicEvent::new(
            self.name.clone(),
            noxious::toxic::ToxicEventKind::RemoveAllToxics,
        );
        self.events.send_receive(event).await.map_err(|e| format!("{e:?}"))?.map_err(|e| format!("{e:?}"))?;
        Ok(())
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(s) = self.stopper.take() {
            s.stop();
        }
    }
}

impl Desk {
    /// A new desk enrolled for `login` through `url` (a proxy in front of `hq`).
    pub async fn enrolled_via(hq: &Hq, login: &str, url: &str) -> Result<Desk, Error> {
        let mut desk = Desk::new(login)?;
        let code = hq.code(login)?;
        korpus_app::sync::enrol(&mut desk.store, url, &code, &format!("{login} laptop")).await?;
        desk.client = Some(korpus_app::sync::client_for(&desk.store)?);
        Ok(desk)
    }

    /// Syncs with small batches and pages, retrying often: for links that keep failing.
    pub async fn sync_small(&mut self, batch: usize, page: usize) -> Result<Report, AppError> {
        let client = self.client.clone().ok_or(korpus_app::SyncError::NotEnrolled)?;
        let options = SyncOptions {
            batch_envelopes: batch,
            page_size: page,
            retry: RetryPolicy {
                attempts: 20,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_millis(50),
            },
            ..SyncOptions::default()
        };
        korpus_app::sync::sync(&mut self.store, &client, &options, &mut |_| {}).await
    }
}
