//! `korpus rules explain` and `korpus screen`: every rule of a subject with its outcome, and the
//! technical screening of a whole cohort.

use crate::App;
use crate::output::Out;
use clap::{Args, Subcommand};
use korpus_app::Result;
use korpus_domain::ValidationErrors;
use korpus_domain::rules::{Evaluation, Subject, Verdict};
use korpus_store::ScreeningLine;

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Every rule of one subject with its outcome and evidence, recording nothing.
    Explain {
        /// What to explain: application, person, host-org or mentor.
        subject: String,
        /// Its id (or IIN for a person or mentor, BIN for a host organisation).
        id: String,
    },
}

#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// The programme year (cohort) to screen.
    #[arg(long)]
    cohort: String,
}

/// Reads a subject as typed (`host-org` and `host_org` alike).
fn subject(typed: &str) -> Result<Subject> {
    Ok(Subject::parse("subject", &typed.trim().replace('-', "_")).map_err(ValidationErrors::one)?)
}

fn mark(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "✓",
        Verdict::Warn => "!",
        Verdict::Fail => "✗",
    }
}

/// An evaluation as lines for people: one rule a paragraph, the result last.
pub fn explained(out: &Out, e: &Evaluation) -> String {
    let mut lines = vec![format!("{} {}", out.tr(e.subject.message_key(), &[]), e.subject_id)];
    for o in &e.outcomes {
        lines.push(format!("{} {}  {}", mark(o.verdict), o.code, o.rule_text(out.lang)));
        let about = o.about.as_deref().map(|a| format!("{a}: ")).unwrap_or_default();
        lines.push(format!("    {about}{}", o.text.get(out.lang)));
    }
    lines.push(out.tr(
        "cli-screening-result",
        &[("result", out.tr(e.result.message_key(), &[])), ("rulebook", e.rulebook_version.clone())],
    ));
    lines.join("\n")
}

pub fn rules(app: &App, command: RulesCommand) -> Result<()> {
    let RulesCommand::Explain { subject: typed, id } = command;
    let subject = subject(&typed)?;
    let store = app.store()?;
    let evaluation = store.explain(subject, &id)?;
    app.out.print(&evaluation, || explained(&app.out, &evaluation));
    Ok(())
}

pub fn screen(app: &App, args: ScreenArgs) -> Result<()> {
    let cohort = crate::selection::cohort(&args.cohort)?;
    let mut store = app.store()?;
    let lines = store.screen_cohort(cohort)?;
    let out = app.out;
    out.print(&lines, || table(&out, &lines, store.rulebook()));
    Ok(())
}

fn table(out: &Out, lines: &[ScreeningLine], rulebook: &korpus_domain::Rulebook) -> String {
    let rows = lines
        .iter()
        .map(|l| {
            vec![
                out.tr(l.subject.message_key(), &[]),
                l.label.clone(),
                out.region(rulebook, &l.region),
                format!("{} {}", mark(l.result), out.tr(l.result.message_key(), &[])),
                l.failed.join(", "),
                out.yes_no(l.new),
            ]
        })
        .collect();
    out.table(&["subject", "name", "region", "result", "rules_failed", "screened_now"], rows)
}
