//! `korpus sync`: enrol the desk with HQ, sync, and see where it stands. The work is
//! korpus-app's; this prints its progress in the user's language.

use crate::App;
use crate::output::Out;
use clap::{Args, Subcommand};
use korpus_app::sync::{self, HeldView, Progress, SyncOptions};
use korpus_app::{AppError, Result};
use std::collections::BTreeMap;
use std::io::Write;

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
        /// HQ's certificate (PEM), when HQ gave one with the code: trusted alone for HQ from now on.
        #[arg(long, value_name = "FILE.pem")]
        certificate: Option<std::path::PathBuf>,
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
    /// On the desk that replaces a lost laptop (the same account, enrolled anew): send what the
    /// lost desk's last backup holds and HQ never received, then sync to take it back as rows.
    Replay {
        #[command(flatten)]
        backup: crate::backup::FileArgs,
        /// Then revoke the lost desk at HQ and retire its certificate numbers not used.
        #[arg(long)]
        revoke: bool,
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

fn bytes(n: u64) -> String {
    if n < 10 * 1024 { format!("{n} B") } else { format!("{} KB", n / 1024) }
}

/// A line of a running sync's progress, for standard error.
fn progress_line(out: &Out, p: &Progress) -> String {
    if p.phase == "push" {
        out.tr(
            "sync-phase-push",
            &[("pushed", p.pushed.to_string()), ("total", p.to_push.to_string()), ("up", bytes(p.bytes_up))],
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
    }
}

/// `FIELD=mine` or `FIELD=theirs` each, as the fields' choices.
fn field_choices(typed: &[String]) -> BTreeMap<String, String> {
    typed
        .iter()
        .map(|t| {
            let (field, side) = t.split_once('=').unwrap_or((t, ""));
            (field.trim().to_owned(), side.to_owned())
        })
        .collect()
}

/// Runs `korpus sync ...`.
pub fn run(app: &App, args: SyncArgs) -> Result<()> {
    let out = app.out;
    let mut store = app.store()?;
    match args.command {
        Some(SyncCommand::Enrol { server, code, name, certificate }) => {
            let name = name.unwrap_or_else(korpus_app::secrets::default_author);
            let pem = match &certificate {
                Some(path) => Some(std::fs::read_to_string(path).map_err(|e| AppError::file(path, e))?),
                None => None,
            };
            let e = app.block_on(sync::enrol_pinned(&mut store, &server, &code, &name, pem.as_deref()))?;
            let regions = if e.all_regions { "*".to_owned() } else { e.regions.join(", ") };
            out.print(
                &serde_json::json!({ "server": e.server_url, "account": e.account, "regions": e.regions, "all_regions": e.all_regions }),
                || {
                    out.tr(
                        "sync-enrolled",
                        &[("server", e.server_url.clone()), ("account", e.account.clone()), ("regions", regions)],
                    )
                },
            );
        }
        Some(SyncCommand::Status) => match store.sync_state()? {
            None => out.print(&serde_json::Value::Null, || out.tr("sync-status-none", &[])),
            Some(s) => {
                let held: Vec<HeldView> = store.held_rows()?.iter().map(HeldView::of).collect();
                // The state's fields, and the held rows beside them.
                let mut json = serde_json::to_value(&s).unwrap_or_default();
                json["held"] = serde_json::to_value(&held).unwrap_or_default();
                out.print(&json, || {
                    let mut text = out.tr(
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
                    );
                    if !held.is_empty() {
                        text.push_str(&format!(
                            "\n{}",
                            out.tr("sync-held-title", &[("count", held.len().to_string())])
                        ));
                        for h in &held {
                            text.push_str(&format!("\n  {}", held_text(&out, h)));
                        }
                    }
                    text
                })
            }
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
            let (hash, rows) = sync::desk_state_hash(&store)?;
            out.print(&serde_json::json!({ "state_hash": hash, "rows": rows }), || hash.clone());
        }
        Some(SyncCommand::Export { out: path }) => {
            let (bytes, count) = sync::export_file(&store)?;
            std::fs::write(&path, &bytes).map_err(|e| AppError::file(&path, e))?;
            out.print(&serde_json::json!({ "envelopes": count, "bytes": bytes.len(), "path": path }), || {
                out.tr("sync-exported", &[("count", count.to_string()), ("path", path.display().to_string())])
            });
        }
        Some(SyncCommand::Replay { ref backup, revoke }) => {
            let key = crate::backup::backup_key(app, backup)?;
            let done = app.block_on(sync::replay_backup(&mut store, &backup.file, &key, revoke))?;
            out.print(&done, || {
                let mut text = out.tr(
                    "cli-replayed",
                    &[
                        ("device", done.device.clone()),
                        ("envelopes", done.envelopes.to_string()),
                        ("applied", done.applied.to_string()),
                        ("duplicate", done.duplicate.to_string()),
                        ("conflict", done.conflict.to_string()),
                        ("rejected", done.rejected.to_string()),
                    ],
                );
                if done.revoked {
                    text.push('\n');
                    text.push_str(&out.tr("cli-replay-revoked", &[("retired", done.retired.join(", "))]));
                }
                text
            });
            sync_now(app, &mut store, &args)?;
        }
        Some(SyncCommand::Import { file }) => {
            let bytes = std::fs::read(&file).map_err(|e| AppError::file(&file, e))?;
            let report = sync::import_answer(&mut store, &bytes)?;
            out.print(&report, || report.message(out.lang));
        }
        Some(SyncCommand::Resolve { case, keep, fields }) => {
            let id = sync::resolve(&mut store, case, &keep, &field_choices(&fields))?;
            out.print(&serde_json::json!({ "envelope": id }), || {
                out.tr("cli-resolved", &[("id", id.to_string())])
            });
        }
        None => sync_now(app, &mut store, &args)?,
    }
    Ok(())
}

/// `korpus sync`: the outbox up and HQ's changes down, the progress on standard error.
fn sync_now(app: &App, store: &mut korpus_store::Store, args: &SyncArgs) -> Result<()> {
    let out = app.out;
    let client = sync::client_for(store)?;
    let mut options = SyncOptions { batch_envelopes: args.batch.clamp(1, 1000), ..SyncOptions::default() };
    options.retry.attempts = args.attempts.max(1);
    let show = !out.json;
    let mut progress = move |p: &Progress| {
        if show {
            let _ = writeln!(std::io::stderr(), "{}", progress_line(&out, p));
        }
    };
    let report = app.block_on(sync::sync(store, &client, &options, &mut progress))?;
    out.print(&report, || report.message(out.lang));
    Ok(())
}

/// Why a row HQ sent waits, in the user's language.
fn held_text(out: &Out, h: &HeldView) -> String {
    let entity = |code: &str| out.tr(&format!("entity-{code}"), &[]);
    out.tr(
        h.message_key(),
        &[
            ("entity", entity(&h.entity)),
            ("id", h.id.clone()),
            ("other", h.other_entity.as_deref().map(entity).unwrap_or_default()),
            ("other_id", h.other_id.clone().unwrap_or_default()),
        ],
    )
}
