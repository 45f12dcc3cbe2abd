//! The programme's end on the command line: `korpus money` (grant contracts, scholarship rolls,
//! totals), `korpus report` (the sub-projects' reports), `korpus outreach` and `korpus
//! certificate` (who earned one, and issuing it).

use crate::App;
use crate::inputs::region_code;
use crate::output::Out;
use crate::persons::created;
use clap::{Args, Subcommand};
use korpus_app::Result;
use korpus_domain::closing::certification::Holder;
use korpus_domain::closing::money::GrantContractInput;
use korpus_domain::closing::outreach::{OutreachInput, OutreachTotals};
use korpus_domain::closing::reports::{ReportInput, ReviewInput};
use korpus_domain::rules::Verdict;
use korpus_domain::validation::{format_date, format_tenge};
use korpus_domain::{Rulebook, closing::money::MoneyTotals};
use korpus_store::{CertificateLine, GrantLine, ReportLine, ScholarshipRoll};

#[derive(Debug, Subcommand)]
pub enum MoneyCommand {
    /// Sign a sub-project's grant contract, or amend it with --version.
    Contract {
        /// The sub-project (application id).
        #[arg(long)]
        application: String,
        /// The contract's number.
        #[arg(long)]
        number: String,
        /// The day it was signed (DD.MM.YYYY; default today).
        #[arg(long)]
        signed_on: Option<String>,
        /// The grant, in tenge (at most the rulebook's maximum).
        #[arg(long)]
        sum: String,
        /// The contract's version, to amend it.
        #[arg(long)]
        version: Option<i64>,
    },
    /// The sub-projects that get a grant (arms A and B), with their contracts.
    Grants {
        /// Only this region.
        #[arg(long)]
        region: Option<String>,
    },
    /// A region's scholarship roll for a month; --record writes it.
    Roll {
        /// Region: KATO code or name.
        #[arg(long)]
        region: String,
        /// The month: YYYY-MM or MM.YYYY.
        #[arg(long)]
        month: String,
        /// Record the month for everyone on the roll not yet recorded.
        #[arg(long)]
        record: bool,
    },
    /// Grants, overheads and scholarships by region and for the cohort.
    Totals,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Every report the drawn sub-projects owe, overdue first.
    List {
        /// Only this region.
        #[arg(long)]
        region: Option<String>,
    },
    /// Record a report as submitted (again, after it was returned).
    Submit {
        /// The sub-project (application id).
        #[arg(long)]
        application: String,
        /// programme or financial.
        #[arg(long)]
        kind: String,
        /// The day it came in (DD.MM.YYYY; default today).
        #[arg(long)]
        on: Option<String>,
    },
    /// Accept a submitted report, or return it for correction with --note saying why.
    Review {
        /// The sub-project (application id).
        #[arg(long)]
        application: String,
        /// programme or financial.
        #[arg(long)]
        kind: String,
        /// accept or return.
        decision: String,
        /// The day (DD.MM.YYYY; default today).
        #[arg(long)]
        on: Option<String>,
        /// Why it is returned, or a note.
        #[arg(long)]
        note: Option<String>,
        /// The report's version the review is based on (default: the current one).
        #[arg(long)]
        version: Option<i64>,
    },
}

/// The fields of an outreach activity.
#[derive(Debug, Args)]
pub struct OutreachArgs {
    /// info_meeting, seminar, promotion, consultation, partner_meeting.
    #[arg(long)]
    kind: String,
    /// The day (DD.MM.YYYY; default today).
    #[arg(long)]
    on: Option<String>,
    /// Where.
    #[arg(long)]
    place: String,
    /// The partner organisation (required for a partner meeting).
    #[arg(long)]
    partner: Option<String>,
    /// People reached.
    #[arg(long)]
    reached: String,
    /// Of them women.
    #[arg(long, default_value = "0")]
    women: String,
    /// Of them vulnerable young people.
    #[arg(long, default_value = "0")]
    vulnerable: String,
    /// Anything else.
    #[arg(long)]
    notes: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum OutreachCommand {
    /// Record an activity.
    Add {
        /// Region: KATO code or name.
        #[arg(long)]
        region: String,
        #[command(flatten)]
        fields: OutreachArgs,
    },
    /// Correct an activity: every field again.
    Edit {
        /// The activity's id.
        id: String,
        /// Its version.
        #[arg(long)]
        version: i64,
        #[command(flatten)]
        fields: OutreachArgs,
    },
    /// Activities, newest first.
    List {
        /// Only this region.
        #[arg(long)]
        region: Option<String>,
    },
    /// People reached by region and in all.
    Totals,
}

#[derive(Debug, Subcommand)]
pub enum CertificateCommand {
    /// Who may receive a certificate and why not.
    List {
        /// Only this region.
        #[arg(long)]
        region: Option<String>,
        /// Only those who earned one and have none yet.
        #[arg(long)]
        ready: bool,
    },
    /// Every rule of one person's or mentor's certificate.
    Check {
        #[command(flatten)]
        who: Who,
    },
    /// Issue the certificate of one who earned it.
    Issue {
        #[command(flatten)]
        who: Who,
        /// The day (DD.MM.YYYY; default today).
        #[arg(long)]
        on: Option<String>,
    },
    /// A certificate by its number.
    Show {
        /// The number (2017-1F0C93A2-00001) or id.
        number: String,
    },
}

/// A beneficiary or a mentor.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub(crate) struct Who {
    /// A beneficiary: id or IIN.
    #[arg(long)]
    person: Option<String>,
    /// A mentor: id or IIN.
    #[arg(long)]
    mentor: Option<String>,
}

impl Who {
    pub(crate) fn holder(self) -> (Holder, String) {
        match (self.person, self.mentor) {
            (Some(p), _) => (Holder::Person, p),
            (None, Some(m)) => (Holder::Mentor, m),
            (None, None) => (Holder::Person, String::new()),
        }
    }
}

fn today(store: &korpus_store::Store, typed: Option<String>) -> String {
    typed.unwrap_or_else(|| crate::selection::today(store))
}

pub fn money(app: &App, command: MoneyCommand) -> Result<()> {
    let mut store = app.store()?;
    let out = app.out;
    match command {
        MoneyCommand::Contract { application, number, signed_on, sum, version } => {
            let input = GrantContractInput { number, signed_on: today(&store, signed_on), sum_tenge: sum };
            let c = store.save_contract(&application, version, &input)?;
            out.print(&c, || {
                let rows = [
                    ("number", c.data.number.clone()),
                    ("signed_on", format_date(c.data.signed_on)),
                    ("sum_tenge", format_tenge(c.data.sum_tenge)),
                    ("overhead_tenge", format_tenge(c.data.overhead_tenge)),
                    ("version", c.version.to_string()),
                ];
                format!(
                    "{}\n{}",
                    created(&out, "entity-grant_contract", &c.id.to_string()),
                    out.fields(&rows)
                )
            });
        }
        MoneyCommand::Grants { region } => {
            let region = region.map(|r| region_code(store.rulebook(), &r));
            let lines = store.grants(region.as_deref())?;
            out.print(&lines, || grants_table(&out, &lines));
        }
        MoneyCommand::Roll { region, month, record } => {
            let region = region_code(store.rulebook(), &region);
            let roll = if record {
                store.record_scholarships(&region, &month)?
            } else {
                store.scholarship_roll(&region, &month)?
            };
            out.print(&roll, || roll_table(&out, &roll));
        }
        MoneyCommand::Totals => {
            let totals = store.money_totals()?;
            out.print(&totals, || money_table(&out, store.rulebook(), &totals));
        }
    }
    Ok(())
}

fn grants_table(out: &Out, lines: &[GrantLine]) -> String {
    let rows = lines
        .iter()
        .map(|l| {
            let c = l.contract.as_ref();
            vec![
                l.application_name.clone(),
                l.arm.to_string(),
                l.host_org_name.clone().unwrap_or_default(),
                c.map(|c| c.data.number.clone()).unwrap_or_else(|| "—".into()),
                c.map(|c| format_tenge(c.data.sum_tenge)).unwrap_or_default(),
                c.map(|c| format_tenge(c.data.overhead_tenge)).unwrap_or_default(),
                l.application_id.to_string(),
            ]
        })
        .collect();
    out.table(&["application_id", "arm", "host_org", "number", "sum_tenge", "overhead_tenge", "id"], rows)
}

fn roll_table(out: &Out, roll: &ScholarshipRoll) -> String {
    let rows = roll
        .lines
        .iter()
        .map(|l| {
            vec![
                l.full_name.clone(),
                l.application_name.clone(),
                out.tr(l.education.message_key(), &[]),
                l.amount_tenge.map(format_tenge).unwrap_or_else(|| "—".into()),
                out.yes_no(l.recorded),
            ]
        })
        .collect();
    format!(
        "{}\n{}",
        out.table(&["full_name", "application_id", "education", "amount_tenge", "recorded"], rows),
        out.tr("cli-roll-total", &[("month", roll.month.clone()), ("total", format_tenge(roll.total_tenge))])
    )
}

fn money_table(out: &Out, rulebook: &Rulebook, totals: &[MoneyTotals]) -> String {
    let rows = totals
        .iter()
        .map(|t| {
            vec![
                t.region.as_deref().map_or_else(|| out.tr("cli-total", &[]), |r| out.region(rulebook, r)),
                t.contracts.to_string(),
                format_tenge(t.grants_tenge),
                format_tenge(t.overheads_tenge),
                t.scholarships.to_string(),
                format_tenge(t.scholarships_tenge),
                format_tenge(t.total_tenge),
            ]
        })
        .collect();
    out.table(
        &[
            "region",
            "contracts",
            "sum_tenge",
            "overhead_tenge",
            "scholarships",
            "amount_tenge",
            "total_tenge",
        ],
        rows,
    )
}

pub fn report(app: &App, command: ReportCommand) -> Result<()> {
    let mut store = app.store()?;
    let out = app.out;
    match command {
        ReportCommand::List { region } => {
            let region = region.map(|r| region_code(store.rulebook(), &r));
            let lines = store.report_lines(region.as_deref())?;
            out.print(&lines, || reports_table(&out, &lines));
        }
        ReportCommand::Submit { application, kind, on } => {
            let input = ReportInput { kind, submitted_on: today(&store, on) };
            let r = store.submit_report(&application, &input)?;
            out.print(&r, || {
                out.tr(
                    "cli-report-submitted",
                    &[
                        ("kind", out.tr(r.data.kind.message_key(), &[])),
                        ("on", format_date(r.data.submitted_on)),
                    ],
                )
            });
        }
        ReportCommand::Review { application, kind, decision, on, note, version } => {
            let version = match version {
                Some(v) => v,
                None => store
                    .report_lines(None)?
                    .into_iter()
                    .find(|l| {
                        l.application_id.to_string() == application.trim() && l.kind.code() == kind.trim()
                    })
                    .and_then(|l| l.report.map(|r| r.version))
                    .unwrap_or(0),
            };
            let input = ReviewInput { decision, reviewed_on: today(&store, on), note };
            let r = store.review_report(&application, &kind, version, &input)?;
            out.print(&r, || {
                format!(
                    "{}: {}",
                    out.tr(r.data.kind.message_key(), &[]),
                    out.tr(r.data.status.message_key(), &[])
                )
            });
        }
    }
    Ok(())
}

fn reports_table(out: &Out, lines: &[ReportLine]) -> String {
    let rows = lines
        .iter()
        .map(|l| {
            vec![
                l.application_name.clone(),
                l.arm.to_string(),
                out.tr(l.kind.message_key(), &[]),
                out.tr(l.submitter.message_key(), &[]),
                out.date(l.due_on),
                out.tr(l.state.message_key(), &[]),
                out.date(l.report.as_ref().map(|r| r.data.submitted_on)),
                l.report.as_ref().and_then(|r| r.data.review_note.clone()).unwrap_or_default(),
                l.application_id.to_string(),
            ]
        })
        .collect();
    out.table(
        &["application_id", "arm", "kind", "submitted_by", "due_on", "status", "submitted_on", "note", "id"],
        rows,
    )
}

fn outreach_input(store: &korpus_store::Store, a: OutreachArgs) -> OutreachInput {
    OutreachInput {
        kind: a.kind,
        held_on: today(store, a.on),
        place: a.place,
        partner: a.partner,
        reached: a.reached,
        women: a.women,
        vulnerable: a.vulnerable,
        notes: a.notes,
    }
}

pub fn outreach(app: &App, command: OutreachCommand) -> Result<()> {
    let mut store = app.store()?;
    let out = app.out;
    match command {
        OutreachCommand::Add { region, fields } => {
            let region = region_code(store.rulebook(), &region);
            let input = outreach_input(&store, fields);
            let e = store.record_outreach(&region, &input)?;
            out.print(&e, || created(&out, "entity-outreach", &e.id.to_string()));
        }
        OutreachCommand::Edit { id, version, fields } => {
            let input = outreach_input(&store, fields);
            let e = store.edit_outreach(&id, version, &input)?;
            out.print(&e, || out.tr("cli-saved-version", &[("version", e.version.to_string())]));
        }
        OutreachCommand::List { region } => {
            let region = region.map(|r| region_code(store.rulebook(), &r));
            let events = store.outreach(region.as_deref())?;
            out.print(&events, || {
                let rows = events
                    .iter()
                    .map(|e| {
                        let d = &e.data;
                        vec![
                            format_date(d.held_on),
                            out.tr(d.kind.message_key(), &[]),
                            d.place.clone(),
                            d.partner.clone().unwrap_or_default(),
                            d.reached.to_string(),
                            d.women.to_string(),
                            d.vulnerable.to_string(),
                            e.id.to_string(),
                        ]
                    })
                    .collect();
                out.table(
                    &["held_on", "kind", "place", "partner", "reached", "women", "vulnerable", "id"],
                    rows,
                )
            });
        }
        OutreachCommand::Totals => {
            let totals = store.outreach_totals()?;
            out.print(&totals, || outreach_table(&out, store.rulebook(), &totals));
        }
    }
    Ok(())
}

fn share(part: u32, of: u32) -> String {
    if of == 0 {
        "—".into()
    } else {
        format!("{} %", (u64::from(part) * 100 + u64::from(of) / 2) / u64::from(of))
    }
}

fn outreach_table(out: &Out, rulebook: &Rulebook, totals: &[OutreachTotals]) -> String {
    let rows = totals
        .iter()
        .map(|t| {
            vec![
                t.region.as_deref().map_or_else(|| out.tr("cli-total", &[]), |r| out.region(rulebook, r)),
                t.events.to_string(),
                t.reached.to_string(),
                format!("{} ({})", t.women, share(t.women, t.reached)),
                format!("{} ({})", t.vulnerable, share(t.vulnerable, t.reached)),
            ]
        })
        .collect();
    out.table(&["region", "events", "reached", "women", "vulnerable"], rows)
}

pub fn certificate(app: &App, command: CertificateCommand) -> Result<()> {
    let mut store = app.store()?;
    let out = app.out;
    match command {
        CertificateCommand::List { region, ready } => {
            let region = region.map(|r| region_code(store.rulebook(), &r));
            let lines: Vec<CertificateLine> = store
                .certificate_lines(region.as_deref())?
                .into_iter()
                .filter(|l| !ready || (l.eligible && l.certificate.is_none()))
                .collect();
            out.print(&lines, || certificates_table(&out, &lines));
        }
        CertificateCommand::Check { who } => {
            let (holder, id) = who.holder();
            let line = store.certificate_line(holder, &id)?;
            out.print(&line, || explained(&out, &line));
        }
        CertificateCommand::Issue { who, on } => {
            let (holder, id) = who.holder();
            let on = today(&store, on);
            let c = korpus_app::certificates::issue_certificate(&mut store, holder, &id, &on)?;
            out.print(&c, || {
                out.tr(
                    "cli-certificate-issued",
                    &[("number", c.data.number.clone()), ("name", c.data.full_name.clone())],
                )
            });
        }
        CertificateCommand::Show { number } => {
            let c = store.certificate(&number)?;
            out.print(&c, || {
                let d = &c.data;
                out.fields(&[
                    ("number", d.number.clone()),
                    ("holder_id", format!("{} ({})", d.full_name, out.tr(d.holder.message_key(), &[]))),
                    ("region", out.region(store.rulebook(), &d.region)),
                    ("completed_on", format_date(d.completed_on)),
                    ("issued_on", format_date(d.issued_on)),
                    ("rulebook_version", d.rulebook_version.clone()),
                ])
            });
        }
    }
    Ok(())
}

fn mark(verdict: Verdict) -> &'static str {
    if verdict == Verdict::Fail { "✗" } else { "✓" }
}

fn explained(out: &Out, line: &CertificateLine) -> String {
    let mut lines = vec![format!("{} · {}", line.full_name, out.tr(line.holder.message_key(), &[]))];
    for o in &line.outcomes {
        lines.push(format!("{} {}  {}", mark(o.verdict), o.code, o.rule_text(out.lang)));
        lines.push(format!("    {}", o.text.get(out.lang)));
    }
    lines.push(match &line.certificate {
        Some(c) => out.tr(
            "cli-certificate-issued",
            &[("number", c.data.number.clone()), ("name", line.full_name.clone())],
        ),
        None if line.eligible => out.tr("cli-certificate-ready", &[]),
        None => out.tr("cli-certificate-not-earned", &[]),
    });
    lines.join("\n")
}

fn certificates_table(out: &Out, lines: &[CertificateLine]) -> String {
    let rows = lines
        .iter()
        .map(|l| {
            let status = match (&l.certificate, l.eligible) {
                (Some(c), _) => c.data.number.clone(),
                (None, true) => out.tr("cli-certificate-ready", &[]),
                (None, false) => l
                    .outcomes
                    .iter()
                    .filter(|o| o.verdict == Verdict::Fail)
                    .map(|o| o.code.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            vec![
                l.full_name.clone(),
                out.tr(l.holder.message_key(), &[]),
                l.application_name.clone().unwrap_or_default(),
                l.arm.map(|a| a.to_string()).unwrap_or_default(),
                status,
                l.holder_id.to_string(),
            ]
        })
        .collect();
    out.table(&["full_name", "holder", "application_id", "arm", "status", "id"], rows)
}
