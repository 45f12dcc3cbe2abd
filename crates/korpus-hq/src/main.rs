//! `korpus-hq`: run the HQ server and administer it.

use chrono::Utc;
use clap::{Parser, Subcommand};
use korpus_hq::plan::Regions;
use korpus_hq::server::{AppState, router};
use korpus_hq::{HqError, accounts, db, pull, rulebooks};
use std::net::SocketAddr;
use std::process::ExitCode;
use uuid::Uuid;

#[derive(Parser)]
#[command(name = "korpus-hq", version, about = "Korpus HQ: the central server of the Youth Corps case desks")]
struct Cli {
    /// PostgreSQL connection URL; `sslmode=require` in it makes every connection TLS.
    #[arg(long, env = "KORPUS_HQ_DATABASE_URL", global = true, default_value = "")]
    database_url: String,
    /// The certificate (PEM) the database's is checked against, when it is not issued by a root
    /// the system trusts.
    #[arg(long, env = "KORPUS_HQ_DATABASE_CA", global = true)]
    database_ca: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Brings the database schema to this version.
    Migrate,
    /// Serves the sync API.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Database connections to keep.
        #[arg(long, default_value_t = 16)]
        connections: usize,
        /// Serve HTTPS with this certificate chain (PEM); with --tls-key.
        #[arg(long, env = "KORPUS_HQ_TLS_CERT", requires = "tls_key")]
        tls_cert: Option<std::path::PathBuf>,
        /// The certificate's private key (PEM).
        #[arg(long, env = "KORPUS_HQ_TLS_KEY", requires = "tls_cert")]
        tls_key: Option<std::path::PathBuf>,
    },
    /// Coordinators: regional staff with their regions.
    #[command(subcommand)]
    Coordinator(CoordinatorCommand),
    /// HQ staff: see every region.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// Makes a one-time code that enrols one device for an account.
    EnrolCode {
        /// The account's login.
        #[arg(long)]
        coordinator: String,
        /// Hours the code stays valid.
        #[arg(long, default_value_t = 72)]
        valid_hours: i64,
    },
    /// Devices.
    #[command(subcommand)]
    Device(DeviceCommand),
    /// Applies a desk's signed export file (`korpus sync export`) and writes the answer file the
    /// desk reads back (`korpus sync import`).
    Import {
        /// The export file.
        file: std::path::PathBuf,
        /// Where to write the answer file.
        #[arg(long)]
        answer: std::path::PathBuf,
    },
    /// Rulebooks: a cohort's numbers, published to every desk.
    #[command(subcommand)]
    Rulebook(RulebookCommand),
    /// Prints the state hash of the rows some regions see (all when none given).
    StateHash {
        /// KATO codes.
        #[arg(long = "region")]
        regions: Vec<String>,
    },
}

#[derive(Subcommand)]
enum RulebookCommand {
    /// Publishes a rulebook (TOML as the built-in ones are written, or JSON), checked as a
    /// built-in one is: desks take it at their next sync, and HQ checks their envelopes made
    /// under it by its numbers.
    Publish {
        /// The rulebook file.
        file: std::path::PathBuf,
    },
    /// Lists the published rulebooks.
    List,
    /// Writes HQ's signed file of a rulebook, for a desk with no network (`korpus rulebook import`).
    Export {
        /// Its version.
        version: String,
        /// Where to write the file.
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum CoordinatorCommand {
    /// Adds a coordinator.
    Add {
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        /// A region (KATO code) the coordinator works in; repeat for more.
        #[arg(long = "region", required = true)]
        regions: Vec<String>,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Adds an HQ staff member.
    Add {
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum DeviceCommand {
    /// Lists devices.
    List,
    /// Revokes a device: its token is refused from now on, and its certificate numbers not used
    /// are retired.
    Revoke {
        /// The device's id.
        id: Uuid,
    },
}

/// Serves `app` over HTTPS (rustls) with the certificate chain and key in `cert` and `private`
/// (PEM), until Ctrl-C; requests under way are given ten seconds to finish.
async fn serve_tls(
    listen: SocketAddr,
    cert: &std::path::Path,
    private: &std::path::Path,
    app: axum::Router,
) -> Result<(), HqError> {
    // One crypto provider for the process: ring (rustls picks none by itself when a dependency
    // enables another).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, private).await.map_err(|e| {
        HqError::Config(format!("--tls-cert {} / --tls-key {}: {e}", cert.display(), private.display()))
    })?;
    let handle = axum_server::Handle::new();
    let stop = handle.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        stop.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
    });
    eprintln!("korpus-hq listening on https://{listen}");
    axum_server::bind_rustls(listen, config).handle(handle).serve(app.into_make_service()).await?;
    Ok(())
}

async fn run(cli: Cli) -> Result<(), HqError> {
    if cli.database_url.is_empty() {
        return Err(HqError::Config("--database-url (or KORPUS_HQ_DATABASE_URL): required".into()));
    }
    let size = match &cli.command {
        Command::Serve { connections, .. } => *connections,
        _ => 2,
    };
    let pool = db::pool(&cli.database_url, size, cli.database_ca.as_deref())?;
    match cli.command {
        Command::Migrate => {
            let applied = db::migrate(&pool).await?;
            db::signing_key(&pool).await?;
            println!("{} migration(s) applied", applied.len());
        }
        Command::Serve { listen, tls_cert, tls_key, .. } => {
            db::check_schema(&pool).await?;
            let key = std::sync::Arc::new(db::signing_key(&pool).await?);
            let app = router(AppState { pool, key });
            match (tls_cert, tls_key) {
                (Some(cert), Some(private)) => serve_tls(listen, &cert, &private, app).await?,
                _ => {
                    let listener = tokio::net::TcpListener::bind(listen).await?;
                    eprintln!("korpus-hq listening on http://{}", listener.local_addr()?);
                    axum::serve(listener, app)
                        .with_graceful_shutdown(async {
                            let _ = tokio::signal::ctrl_c().await;
                        })
                        .await?;
                }
            }
        }
        Command::Coordinator(CoordinatorCommand::Add { login, name, regions }) => {
            let id = accounts::add_coordinator(&pool, &login, &name, &regions).await?;
            println!("{id}");
        }
        Command::Staff(StaffCommand::Add { login, name }) => {
            let id = accounts::add_staff(&pool, &login, &name).await?;
            println!("{id}");
        }
        Command::EnrolCode { coordinator, valid_hours } => {
            let (code, expires) = accounts::enrol_code(&pool, &coordinator, valid_hours, Utc::now()).await?;
            println!("{code}");
            eprintln!("valid until {}", expires.to_rfc3339());
        }
        Command::Device(DeviceCommand::List) => {
            for d in accounts::devices(&pool).await? {
                let revoked =
                    d.revoked_at.map(|t| format!(" revoked {}", t.to_rfc3339())).unwrap_or_default();
                println!("{}\t{}\t{}\t{}{revoked}", d.id, d.account, d.name, d.enrolled_at.to_rfc3339());
            }
        }
        Command::Device(DeviceCommand::Revoke { id }) => {
            let retired = accounts::revoke(&pool, id, Utc::now()).await?;
            println!("revoked {id}");
            for block in retired {
                println!(
                    "retired certificate numbers {}..={} of cohort {}",
                    block.first, block.last, block.cohort
                );
            }
        }
        Command::Import { file, answer } => {
            let bytes = std::fs::read(&file)?;
            let key = db::signing_key(&pool).await?;
            let (out, s) = korpus_hq::import::import(&pool, &key, &bytes).await?;
            std::fs::write(&answer, out)?;
            println!(
                "{} envelopes: {} applied, {} duplicate, {} conflict, {} rejected; {} changes in {}",
                s.envelopes,
                s.by_status[0],
                s.by_status[1],
                s.by_status[2],
                s.by_status[3],
                s.changes,
                answer.display()
            );
        }
        Command::Rulebook(RulebookCommand::Publish { file }) => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| HqError::Config(format!("{}: {e}", file.display())))?;
            match rulebooks::publish(&pool, &text).await? {
                (r, rulebooks::Publication::New(seq)) => {
                    println!("published rulebook {} of cohort {} (publication {seq})", r.version, r.cohort)
                }
                (r, rulebooks::Publication::Already) => {
                    println!("rulebook {} of cohort {} was already published", r.version, r.cohort)
                }
            }
        }
        Command::Rulebook(RulebookCommand::List) => {
            for r in rulebooks::list(&pool).await? {
                println!("{}\t{}\t{}\t{}", r.seq, r.version, r.cohort, r.published_at.to_rfc3339());
            }
        }
        Command::Rulebook(RulebookCommand::Export { version, out }) => {
            let key = db::signing_key(&pool).await?;
            let bytes = rulebooks::export(&pool, &key, &version).await?;
            std::fs::write(&out, bytes).map_err(|e| HqError::Config(format!("{}: {e}", out.display())))?;
            println!("rulebook {version} written to {}", out.display());
        }
        Command::StateHash { regions } => {
            let scope = if regions.is_empty() { Regions::All } else { Regions::Only(regions) };
            let rows = pull::rows(&pool, &scope).await?;
            println!("{}", korpus_sync::state::state_hash(&rows));
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("korpus-hq: {e}");
            return ExitCode::from(4);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("korpus-hq: {e}");
            ExitCode::from(match e {
                HqError::Config(_) | HqError::Api { .. } => 1,
                HqError::Io(_) => 4,
                _ => 3,
            })
        }
    }
}
