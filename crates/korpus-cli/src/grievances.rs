//! `korpus grievance`: the feedback and grievance log: record, take a step, show, list (overdue
//! first). None can be removed.

use crate::App;
use crate::inputs::region_code;
use crate::output::Out;
use crate::persons::created;
use clap::Subcommand;
use korpus_app::Result;
use korpus_domain::delivery::grievances::{GrievanceInput, GrievanceStepInput};
use korpus_domain::validation::format_date;
use korpus_store::{GrievanceFilter, GrievanceLine, GrievanceView};

#[derive(Debug, Subcommand)]
pub enum GrievanceCommand {
    /// Record a complaint, question or suggestion as received.
    Add {
        /// Region: KATO code or name.
        #[arg(long)]
        region: String,
        /// The day it was received (DD.MM.YYYY; default today).
        #[arg(long)]
        received_on: Option<String>,
        /// Channel: in_person, phone, email, letter, box, online, mentor.
        #[arg(long)]
        channel: String,
        /// Kind: complaint, question, suggestion, violation_report (with --mentor).
        #[arg(long)]
        kind: String,
        /// Category: selection, training, mentoring, money, host_org, conduct, other.
        #[arg(long)]
        category: String,
        /// Who brought it (leave out with --anonymous).
        #[arg(long)]
        from: Option<String>,
        /// The person did not give a name.
        #[arg(long)]
        anonymous: bool,
        /// How to answer them.
        #[arg(long)]
        contact: Option<String>,
        /// What they said.
        #[arg(long)]
        text: String,
        /// The sub-project concerned (application id).
        #[arg(long)]
        application: Option<String>,
        /// The mentor who reports it (id or IIN), for a mentor's report.
        #[arg(long)]
        mentor: Option<String>,
    },
    /// Take a step: acknowledge, assign (--note whom), resolve (--note the resolution), close,
    /// reopen (--note why).
    Step {
        /// The grievance's id.
        grievance: String,
        /// acknowledge, assign, resolve, close, reopen.
        step: String,
        /// The day (DD.MM.YYYY; default today).
        #[arg(long)]
        on: Option<String>,
        /// The assignee, the resolution or why it is reopened.
        #[arg(long)]
        note: Option<String>,
        /// The version the step is based on (default: the current one).
        #[arg(long)]
        version: Option<i64>,
    },
    /// One grievance with its deadlines and history.
    Show {
        /// The grievance's id.
        grievance: String,
    },
    /// The log: overdue first, then open by nearest deadline, then resolved and closed.
    List {
        /// Only this region.
        #[arg(long)]
        region: Option<String>,
        /// Only those not resolved or closed.
        #[arg(long, conflicts_with = "overdue")]
        open: bool,
        /// Only those past a deadline.
        #[arg(long)]
        overdue: bool,
    },
}

pub fn run(app: &App, command: GrievanceCommand) -> Result<()> {
    let mut store = app.store()?;
    let out = app.out;
    match command {
        GrievanceCommand::Add {
            region,
            received_on,
            channel,
            kind,
            category,
            from,
            anonymous,
            contact,
            text,
            application,
            mentor,
        } => {
            let region = region_code(store.rulebook(), &region);
            let input = GrievanceInput {
                received_on: received_on.unwrap_or_else(|| crate::selection::today(&store)),
                channel,
                kind,
                category,
                anonymous,
                from_name: from,
                from_contact: contact,
                text,
            };
            let line = store.record_grievance(&region, &input, application.as_deref(), mentor.as_deref())?;
            out.print(&line, || {
                format!(
                    "{}\n{}",
                    created(&out, "entity-grievance", &line.grievance.id.to_string()),
                    deadlines(&out, &line)
                )
            });
        }
        GrievanceCommand::Step { grievance, step, on, note, version } => {
            let current = store.grievance(&grievance)?;
            let input = GrievanceStepInput {
                step,
                taken_on: on.unwrap_or_else(|| crate::selection::today(&store)),
                note,
            };
            let view = store.grievance_step(
                &grievance,
                version.unwrap_or(current.line.grievance.version),
                &input,
            )?;
            out.print(&view, || show(&out, store.rulebook(), &view));
        }
        GrievanceCommand::Show { grievance } => {
            let view = store.grievance(&grievance)?;
            out.print(&view, || show(&out, store.rulebook(), &view));
        }
        GrievanceCommand::List { region, open, overdue } => {
            let region = region.map(|r| region_code(store.rulebook(), &r));
            let filter = match (open, overdue) {
                (_, true) => GrievanceFilter::Overdue,
                (true, _) => GrievanceFilter::Open,
                _ => GrievanceFilter::All,
            };
            let lines = store.grievances(region.as_deref(), filter)?;
            out.print(&lines, || table(&out, &lines));
        }
    }
    Ok(())
}

/// "Acknowledge by …, resolve by …", and how late it is.
fn deadlines(out: &Out, line: &GrievanceLine) -> String {
    let d = &line.deadlines;
    let mut text = out.tr(
        "cli-grievance-deadlines",
        &[("acknowledge_by", format_date(d.acknowledge_by)), ("resolve_by", format_date(d.resolve_by))],
    );
    if let Some(overdue) = d.overdue {
        text.push_str(&format!(
            "\n{}",
            out.tr(
                "cli-grievance-overdue",
                &[("what", out.tr(overdue.message_key(), &[])), ("days", d.days_late.to_string())]
            )
        ));
    }
    text
}

fn show(out: &Out, rulebook: &korpus_domain::Rulebook, view: &GrievanceView) -> String {
    let g = &view.line.grievance.data;
    let rows = [
        ("id", view.line.grievance.id.to_string()),
        ("region", out.region(rulebook, &g.region)),
        ("received_on", format_date(g.received_on)),
        ("channel", out.tr(g.channel.message_key(), &[])),
        ("kind", out.tr(g.kind.message_key(), &[])),
        ("category", out.tr(g.category.message_key(), &[])),
        ("from_name", g.from_name.clone().unwrap_or_else(|| out.tr("grievance-anonymous", &[]))),
        ("from_contact", g.from_contact.clone().unwrap_or_default()),
        ("application", view.application_name.clone().unwrap_or_default()),
        ("mentor", view.mentor_name.clone().unwrap_or_default()),
        ("text", g.text.clone()),
        ("status", out.tr(g.status.message_key(), &[])),
        ("assigned_to", g.assigned_to.clone().unwrap_or_default()),
        ("resolution", g.resolution.clone().unwrap_or_default()),
        ("version", view.line.grievance.version.to_string()),
    ];
    let history = view
        .history
        .iter()
        .map(|a| {
            let d = &a.data;
            format!(
                "  {}  {}  {}{}",
                format_date(d.taken_on),
                out.tr(d.step.message_key(), &[]),
                d.taken_by,
                d.note.as_ref().map(|n| format!(": {n}")).unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut text = format!("{}\n{}", out.fields(&rows), deadlines(out, &view.line));
    if !history.is_empty() {
        text.push_str(&format!("\n{}:\n{history}", out.tr("grievance-history", &[])));
    }
    text
}

fn table(out: &Out, lines: &[GrievanceLine]) -> String {
    let rows = lines
        .iter()
        .map(|l| {
            let g = &l.grievance.data;
            let due = match l.deadlines.overdue {
                Some(o) => format!("{} (+{})", out.tr(o.message_key(), &[]), l.deadlines.days_late),
                None => format_date(l.deadlines.resolve_by),
            };
            vec![
                format_date(g.received_on),
                out.tr(g.kind.message_key(), &[]),
                out.tr(g.status.message_key(), &[]),
                due,
                g.text.chars().take(40).collect(),
                l.grievance.id.to_string(),
            ]
        })
        .collect();
    out.table(&["received_on", "kind", "status", "resolve_by", "text", "id"], rows)
}
