//! Subcommands about the programme and the database as a whole: init, check, reference lists,
//! summary, outbox, demo data.

use crate::App;
use clap::{Args, Subcommand};
use korpus_app::Result;
use korpus_app::database::{self, KeySource};
use korpus_app::demo::demo_data;
use korpus_app::secrets::default_author;
use korpus_domain::validation::format_date;
use korpus_domain::{Bin, Iin, ValidationErrors};
use serde_json::json;

#[derive(Debug, Subcommand)]
pub enum CheckCommand {
    /// Check an IIN: exit 0 and print birth date and sex, or exit 1 with the reason.
    Iin {
        /// The IIN.
        value: String,
    },
    /// Check a BIN: exit 0 and print the organisation's type, or exit 1 with the reason.
    Bin {
        /// The BIN.
        value: String,
    },
}

#[derive(Debug, Args)]
pub struct OutboxArgs {
    /// Show envelopes after this device sequence number.
    #[arg(long, default_value_t = 0)]
    after: i64,
    /// At most this many.
    #[arg(long, default_value_t = 50)]
    limit: usize,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many persons to add.
    #[arg(long, default_value_t = 1000)]
    persons: usize,
    /// Seed of the random names and numbers.
    #[arg(long, default_value_t = 2017)]
    seed: u64,
}

/// `korpus init`.
pub fn init(app: &App, sheet: &crate::recovery::SheetArgs) -> Result<()> {
    let author = app.author.clone().unwrap_or_else(default_author);
    let sheet_lang = korpus_app::printing::print_lang(&sheet.sheet_lang)?;
    let source = app.key_source();
    let in_keyring = matches!(source, KeySource::Kept(_));
    if sheet.sheet.is_some() && !in_keyring {
        // A database whose key is a passphrase (KORPUS_DB_KEY) has no recovery code to print:
        // refused before anything is created, not a sheet silently left out.
        let refusal = korpus_domain::FieldError::new("sheet", "error-recovery-needs-keyring");
        return Err(korpus_domain::ValidationErrors::one(refusal).into());
    }
    let created = database::create(&app.db, source, &author, std::sync::Arc::new(korpus_store::SystemClock))?;
    let (store, recovery) = (created.store, created.recovery);
    let out = app.out;
    let report = json!({
        "path": store.path(),
        "device": store.device_id(),
        "key_in_keyring": in_keyring,
        "recovery_code": recovery.as_ref().map(ToString::to_string),
    });
    out.print(&report, || {
        let mut text = out.tr(
            "cli-initialised",
            &[("path", store.path().display().to_string()), ("device", store.device_id().to_string())],
        );
        if in_keyring {
            text.push('\n');
            text.push_str(&out.tr("cli-key-in-keyring", &[]));
        }
        if let Some(code) = &recovery {
            text.push('\n');
            text.push_str(&crate::recovery::code_text(app, code));
        }
        text
    });
    if let (Some(code), Some(path)) = (&recovery, &sheet.sheet) {
        crate::recovery::save_sheet(&store, code, sheet_lang, path)?;
    }
    Ok(())
}

/// `korpus check iin|bin`.
pub fn check(app: &App, command: CheckCommand) -> Result<()> {
    let out = app.out;
    match command {
        CheckCommand::Iin { value } => {
            let iin = Iin::parse("iin", &value).map_err(ValidationErrors::one)?;
            let report =
                json!({ "valid": true, "iin": iin, "birth_date": iin.birth_date(), "sex": iin.sex() });
            out.print(&report, || {
                out.tr(
                    "cli-iin-valid",
                    &[("date", format_date(iin.birth_date())), ("sex", out.tr(iin.sex().message_key(), &[]))],
                )
            });
        }
        CheckCommand::Bin { value } => {
            let bin = Bin::parse("bin", &value).map_err(ValidationErrors::one)?;
            let (year, month) = bin.registration_year_month();
            let report = json!({
                "valid": true, "bin": bin, "kind": bin.kind(), "attribute": bin.attribute(),
                "registered_year_2_digits": year, "registered_month": month,
            });
            out.print(&report, || {
                out.tr(
                    "cli-bin-valid",
                    &[
                        ("kind", out.tr(bin.kind().message_key(), &[])),
                        ("attribute", out.tr(bin.attribute().message_key(), &[])),
                        ("month", format!("{month:02}")),
                        ("year", format!("{year:02}")),
                    ],
                )
            });
        }
    }
    Ok(())
}

/// `korpus regions`.
pub fn regions(app: &App) -> Result<()> {
    let store = app.store()?;
    let out = app.out;
    let regions = &store.rulebook().regions;
    out.print(regions, || {
        out.table(
            &["region", "name"],
            regions.iter().map(|r| vec![r.kato.clone(), r.name.get(out.lang).to_owned()]).collect(),
        )
    });
    Ok(())
}

/// `korpus directions`.
pub fn directions(app: &App) -> Result<()> {
    let store = app.store()?;
    let out = app.out;
    let directions = &store.rulebook().directions;
    out.print(directions, || {
        out.table(
            &["direction", "name"],
            directions.iter().map(|d| vec![d.code.clone(), d.name.get(out.lang).to_owned()]).collect(),
        )
    });
    Ok(())
}

/// `korpus summary`.
pub fn summary(app: &App) -> Result<()> {
    let store = app.store()?;
    let out = app.out;
    let counts = store.counts_by_region()?;
    out.print(&counts, || {
        let rows = counts
            .iter()
            .map(|c| {
                vec![
                    out.region(store.rulebook(), &c.region),
                    c.persons.to_string(),
                    c.host_orgs.to_string(),
                    c.applications.to_string(),
                    c.mentors.to_string(),
                ]
            })
            .collect();
        out.table(&["region", "persons", "host_orgs", "applications", "mentors"], rows)
    });
    Ok(())
}

/// `korpus outbox`.
pub fn outbox(app: &App, args: OutboxArgs) -> Result<()> {
    let store = app.store()?;
    let out = app.out;
    let entries = store.outbox(args.after, args.limit)?;
    out.print(&entries, || {
        let rows = entries
            .iter()
            .map(|e| {
                let ops: Vec<String> = e
                    .envelope
                    .ops
                    .iter()
                    .map(|o| {
                        format!("{} {}", out.tr(o.entity.message_key(), &[]), out.tr(o.op.message_key(), &[]))
                    })
                    .collect();
                vec![
                    e.envelope.device_seq.to_string(),
                    e.envelope.hlc.to_string(),
                    e.envelope.author.clone(),
                    ops.join(", "),
                ]
            })
            .collect();
        out.table(&["seq", "hlc", "author", "ops"], rows)
    });
    Ok(())
}

/// `korpus demo-data`.
pub fn demo(app: &App, args: DemoArgs) -> Result<()> {
    let mut store = app.store()?;
    let started = std::time::Instant::now();
    let summary = demo_data(&mut store, args.persons, args.seed)?;
    let seconds = started.elapsed().as_secs_f64();
    let out = app.out;
    out.print(&json!({ "added": summary, "seconds": seconds }), || {
        out.tr(
            "cli-demo-done",
            &[
                ("persons", summary.persons.to_string()),
                ("host_orgs", summary.host_orgs.to_string()),
                ("applications", summary.applications.to_string()),
                ("mentors", summary.mentors.to_string()),
                ("seconds", format!("{seconds:.1}")),
            ],
        )
    });
    Ok(())
}
