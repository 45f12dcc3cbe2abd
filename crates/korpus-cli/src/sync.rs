//! `korpus sync`: enrol the desk with HQ, sync, and see where it stands. The work is
//! korpus-sync's; this prints its progress and errors in the user's language.

use crate::App;
use crate::output::Out;
use clap::{Args, Subcommand};
use korpus_store::{Keep, StoreError};
use korpus_sync::client::ClientError;
use korpus_sync::{SyncError, SyncOptions};
use std::io::Write;
use std::process::ExitCode;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SyncArgs {
    #[command(subcommand)]
    command: Option<SyncCommand>,
    /// Most envelopes in one push.
    #[arg(long, default_value_t = 500)]
    batch: usize,
    /// Attempts for each request before giving up (the first included).
    #[arg(long, default_value_t = 8)]
    attempts: u32,
}

#[derive(Debug, Subcommand)]
enum SyncCommand {
    /// Enrol this desk with HQ, with the one-time code HQ gave.
    Enrol {
        /// HQ's address, e.g. https://hq.korpus.kz
        #[arg(long)]
        server: String,
        /// The one-time code.
        #[arg(long)]
        code: String,
        /// A name HQ staff will recognise this desk by (default: the computer's user name).
        #[arg(long)]
        name: Option<String>,
    },
    /// Where this desk stands with HQ.
    Status,
    /// The open cases HQ sent (conflicts, duplicates).
    Cases,
    /// A fingerprint of the records on this desk, to compare with `korpus-hq state-hash`.
    StateHash,
    /// Write the changes HQ has not answered to one signed file, for HQ's `korpus-hq import`.
    Export {
        /// The file to write.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Read HQ's answer file (receipts and changes), as an online sync would.
    Import {
        /// The answer file HQ wrote.
        file: std::path::PathBuf,
    },
    /// Settle a conflict HQ sent: keep this desk's values (mine) or HQ's (theirs).
    Resolve {
        /// The case's id (`korpus sync cases`).
        case: uuid::Uuid,
        /// The side kept for every field not named with --field: mine or theirs.
        #[arg(long, default_value = "theirs")]
        keep: String,
        /// A field's own choice, as FIELD=mine or FIELD=theirs; repeat for more.
        #[arg(long = "field")]
        fields: Vec<String>,
    },
}

/// `FIELD=mine` or `FIELD=theirs`, checked in the user's language.
fn field_choice(text: &str) -> Result<(String, Keep), StoreError> {
    let (field, side) = text.split_once('=').unwrap_or((text, ""));
    Ok((field.trim().to_owned(), Keep::parse("keep", side)?))
}

fn bytes(n: u64) -> String {
    if n < 10 * 1024 { format!("{n} B") } else { format!("{} KB", n / 1024) }
}

fn done(out: &Out, report: &korpus_sync::Report) -> String {
    report.message(out.lang)
}

fn exit(e: &SyncError) -> u8 {
    match e {
        SyncError::Client(ClientError::Transport(_)) => 5,
        SyncError::Client(ClientError::Api { status, .. }) if *status == 401 || *status == 403 => 3,
        SyncError::Client(_) | SyncError::Incomplete(_) => 5,
        SyncError::NotEnrolled | SyncError::Keyring(_) => 3,
        SyncError::Store(s) => crate::exit_code(s),
    }
}

/// Runs `korpus sync ...`, printing its own errors.
pub fn run(app: &App, args: SyncArgs) -> ExitCode {
    let out = app.out;
    let result = (|| -> Result<(), SyncError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| SyncError::Store(StoreError::Io(e)))?;
        let mut store = app.store()?;
        match args.command {
            Some(SyncCommand::Enrol { server, code, name }) => {
                let name = name.unwrap_or_else(korpus_store::default_author);
                let e = runtime.block_on(korpus_sync::enrol(&mut store, &server, &code, &name))?;
                out.print(&serde_json::json!({ "server": e.server_url, "account": e.account, "regions": e.regions, "all_regions": e.all_regions }), || {
                    let regions = if e.all_regions { "*".to_owned() } else { e.regions.join(", ") };
                    out.tr("sync-enrolled", &[("server", e.server_url.clone()), ("account", e.account.clone()), ("regions", regions)])
                });
            }
            Some(SyncCommand::Status) => match store.sync_state()? {
                None => out.print(&serde_json::Value::Null, || out.tr("sync-status-none", &[])),
                Some(s) => out.print(&s, || {
                    out.tr(
                        "sync-status",
                        &[
                            ("server", s.server_url.clone()),
                            ("account", s.account.clone()),
                            ("last", s.last_sync_at.clone().unwrap_or_else(|| out.tr("sync-never", &[]))),
                            ("unsent", s.unsent.to_string()),
                            ("conflicts", s.conflicts.to_string()),
                            ("rejected", s.rejected.to_string()),
                            ("cases", s.cases.to_string()),
                        ],
                    )
                }),
            },
            Some(SyncCommand::Cases) => {
                let cases = store.sync_cases()?;
                out.print(&cases, || {
                    cases
                        .iter()
                        .map(|c| format!("{}\t{}\t{}", c.id, c.kind, c.details))
                        .collect::<Vec<_>>()
                        .join("\n")
                });
            }
            Some(SyncCommand::StateHash) => {
                let (hash, rows) = korpus_sync::desk_state_hash(&store)?;
                out.print(&serde_json::json!({ "state_hash": hash, "rows": rows }), || hash.clone());
            }
            Some(SyncCommand::Export { out: path }) => {
                let (bytes, count) = korpus_sync::export_file(&store)?;
                std::fs::write(&path, &bytes).map_err(|e| SyncError::Store(StoreError::Io(e)))?;
                out.print(
                    &serde_json::json!({ "envelopes": count, "bytes": bytes.len(), "path": path }),
                    || {
                        out.tr(
                            "sync-exported",
                            &[("count", count.to_string()), ("path", path.display().to_string())],
                        )
                    },
                );
            }
            Some(SyncCommand::Import { file }) => {
                let bytes = std::fs::read(&file).map_err(|e| SyncError::Store(StoreError::Io(e)))?;
                let report = korpus_sync::import_answer(&mut store, &bytes)?;
                out.print(&report, || done(&out, &report));
            }
            Some(SyncCommand::Resolve { case, keep, fields }) => {
                let keep = Keep::parse("keep", &keep)?;
                let choices = fields.iter().map(|f| field_choice(f)).collect::<Result<_, StoreError>>()?;
                let id = store.resolve_conflict(case, &choices, keep)?;
                out.print(&serde_json::json!({ "envelope": id }), || {
                    out.tr("cli-resolved", &[("id", id.to_string())])
                });
            }
            None => {
                let client = korpus_sync::client_for(&store)?;
                let mut options =
                    SyncOptions { batch_envelopes: args.batch.clamp(1, 1000), ..SyncOptions::default() };
                options.retry.attempts = args.attempts.max(1);
                let show = !out.json;
                let mut progress = move |p: &korpus_sync::Progress| {
                    if !show {
                        return;
                    }
                    let line = if p.phase == "push" {
                        out.tr(
                            "sync-phase-push",
                            &[
                                ("pushed", p.pushed.to_string()),
                                ("total", p.to_push.to_string()),
                                ("up", bytes(p.bytes_up)),
                            ],
                        )
                    } else {
                        out.tr(
                            "sync-phase-pull",
                            &[
                                ("pulled", p.pulled.to_string()),
                                ("cursor", p.cursor.to_string()),
                                ("head", p.head.to_string()),
                                ("down", bytes(p.bytes_down)),
                            ],
                        )
                    };
                    let mut err = std::io::stderr();
                    let _ = writeln!(err, "{line}");
                };
                let report =
                    runtime.block_on(korpus_sync::sync(&mut store, &client, &options, &mut progress))?;
                out.print(&report, || {
                    out.tr(
                        "sync-done",
                        &[
                            ("applied", report.applied.to_string()),
                            ("duplicate", report.duplicate.to_string()),
                            ("conflict", report.conflict.to_string()),
                            ("rejected", report.rejected.to_string()),
                            ("pulled", report.progress.pulled.to_string()),
                            ("cases", report.cases.to_string()),
                        ],
                    )
                });
            }
        }
        Ok(())
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if out.json {
                println!(
                    "{:#}",
                    serde_json::json!({ "error": { "code": e.code(), "message": e.message(out.lang) } })
                );
            } else {
                eprintln!("{}: {}", out.tr("cli-error", &[]), e.message(out.lang));
            }
            ExitCode::from(exit(&e))
        }
    }
}
