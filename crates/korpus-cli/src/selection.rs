//! `korpus commission`, `korpus lottery`, `korpus indicators` and the selection steps of mentors
//! and host organisations: the evaluation commission's members, sheets, ranking and decision; the
//! lottery's draw, verification and balance table; progress against the cohort's targets.

use crate::App;
use crate::inputs::region_code;
use crate::output::Out;
use crate::persons::created;
use clap::{Args, Subcommand};
use korpus_app::Result;
use korpus_domain::ValidationErrors;
use korpus_domain::selection::commission::{CommissionMemberInput, ScoreInput};
use korpus_domain::selection::decisions::{DecisionInput, LotteryRecord, MentorInterviewInput};
use korpus_domain::selection::indicators::Indicators;
use korpus_domain::selection::lottery::Balance;
use korpus_domain::validation::{FieldError, format_date, format_tenge, parse_integer};
use korpus_store::{
    CommissionDecisionInput, LotteryDrawInput, Ranking, Record, SelectedHostOrg, Store, StoreError,
};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum CommissionCommand {
    /// Record a member of the evaluation commission of a region.
    AddMember {
        /// Region: KATO code or name.
        #[arg(long)]
        region: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// Workplace and position.
        #[arg(long)]
        position: Option<String>,
        /// Role: chair, member or secretary.
        #[arg(long, default_value = "member")]
        role: String,
    },
    /// The commission's members (of one region, or all).
    Members {
        /// Region: KATO code or name.
        #[arg(long)]
        region: Option<String>,
    },
    /// Record (or correct, before the decision) a member's score sheet for an application.
    Score {
        /// The application's id.
        #[arg(long)]
        application: String,
        /// The member's id.
        #[arg(long)]
        member: String,
        /// Points of a criterion, as CODE=N; once per criterion of the cohort.
        #[arg(long = "points", value_name = "CODE=N")]
        points: Vec<String>,
        /// The member declares a conflict of interest and gives no points.
        #[arg(long)]
        conflict: bool,
    },
    /// The applications of a region that passed screening, ranked by the sheets so far.
    Ranking {
        /// Region: KATO code or name.
        #[arg(long)]
        region: String,
    },
    /// Record the commission's decision for a region.
    Decide {
        /// Region: KATO code or name.
        #[arg(long)]
        region: String,
        /// top:N (the first N places) or min:X (a mean of at least X).
        #[arg(long = "cut-off")]
        cut_off: String,
        /// Who decided (the chair, as the minutes name them).
        #[arg(long = "by")]
        decided_by: String,
        /// The day (DD.MM.YYYY; default today).
        #[arg(long = "on")]
        decided_on: Option<String>,
        /// Why it replaces the decision on record.
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum LotteryCommand {
    /// Draw the lottery of every region with a commission decision and no lottery yet (or of one
    /// region; a lottery on record is replaced only with --reason).
    Draw {
        /// The programme year.
        #[arg(long)]
        cohort: String,
        /// The seed drawn in public.
        #[arg(long)]
        seed: String,
        /// Only this region: KATO code or name.
        #[arg(long)]
        region: Option<String>,
        /// Who draws.
        #[arg(long = "by")]
        drawn_by: String,
        /// The day (DD.MM.YYYY; default today).
        #[arg(long = "on")]
        drawn_on: Option<String>,
        /// Why it replaces the lottery on record.
        #[arg(long)]
        reason: Option<String>,
    },
    /// The lotteries of a cohort.
    List {
        /// The programme year.
        #[arg(long)]
        cohort: String,
    },
    /// One lottery: seed, hashes and every group's arm.
    Show {
        /// The lottery's id.
        lottery: String,
    },
    /// Draw again from the decision's groups and name every difference from the record.
    Verify {
        /// The lottery's id.
        lottery: String,
    },
    /// The balance table: per arm, women, vulnerable, disability, age, budget.
    Balance {
        /// The lottery's id.
        lottery: String,
    },
}

#[derive(Debug, Args)]
pub struct IndicatorsArgs {
    /// The programme year.
    #[arg(long)]
    cohort: String,
}

/// A mentor's interview, as the CLI takes it.
#[derive(Debug, Args)]
pub struct InterviewArgs {
    /// The day of the call (DD.MM.YYYY; default today).
    #[arg(long = "on")]
    held_on: Option<String>,
    /// Who interviewed.
    #[arg(long)]
    interviewer: String,
    /// passed or failed.
    #[arg(long)]
    outcome: String,
    /// Notes.
    #[arg(long)]
    notes: Option<String>,
}

/// A decision on a mentor or a host organisation, as the CLI takes it.
#[derive(Debug, Args)]
pub struct DecisionArgs {
    /// The day (DD.MM.YYYY; default today).
    #[arg(long = "on")]
    decided_on: Option<String>,
    /// Who decided.
    #[arg(long = "by")]
    decided_by: String,
    /// selected or rejected.
    #[arg(long)]
    outcome: String,
    /// Why.
    #[arg(long)]
    notes: Option<String>,
}

impl DecisionArgs {
    fn input(self, store: &Store) -> DecisionInput {
        DecisionInput {
            decided_on: self.decided_on.unwrap_or_else(|| today(store)),
            decided_by: self.decided_by,
            outcome: self.outcome,
            notes: self.notes,
        }
    }
}

pub(crate) fn today(store: &Store) -> String {
    format_date(store.context().today)
}

/// A cohort as typed, refused by name when it is not a year.
pub fn cohort(typed: &str) -> Result<i32> {
    let bad = || {
        ValidationErrors::one(FieldError::new("cohort", "error-integer-format").arg("value", typed.trim()))
    };
    let n = parse_integer("cohort", typed).map_err(ValidationErrors::one)?;
    Ok(i32::try_from(n).map_err(|_| bad())?)
}

/// `CODE=N` pairs as typed, each criterion once.
fn points(typed: &[String]) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for pair in typed {
        let Some((code, value)) = pair.split_once('=') else {
            return Err(ValidationErrors::one(
                FieldError::new("points", "error-points-pair").arg("value", pair),
            )
            .into());
        };
        out.insert(code.trim().to_owned(), value.trim().to_owned());
    }
    Ok(out)
}

pub fn commission(app: &App, command: CommissionCommand) -> Result<()> {
    let mut store = app.store()?;
    let out = app.out;
    match command {
        CommissionCommand::AddMember { region, name, position, role } => {
            let input = CommissionMemberInput {
                region: region_code(store.rulebook(), &region),
                full_name: name,
                position,
                role,
            };
            let member = store.add_commission_member(&input)?;
            out.print(&member, || created(&out, "entity-commission_member", &member.id.to_string()));
        }
        CommissionCommand::Members { region } => {
            let region = region.map(|r| region_code(store.rulebook(), &r));
            let members = store.commission_members(region.as_deref())?;
            out.print(&members, || {
                let rows = members
                    .iter()
                    .map(|m| {
                        vec![
                            m.data.full_name.clone(),
                            out.tr(m.data.role.message_key(), &[]),
                            out.region(store.rulebook(), &m.data.region),
                            m.id.to_string(),
                        ]
                    })
                    .collect();
                out.table(&["full_name", "role", "region", "id"], rows)
            });
        }
        CommissionCommand::Score { application, member, points: typed, conflict } => {
            let input = ScoreInput { points: points(&typed)?, conflict_of_interest: conflict };
            let score = store.record_score(&application, &member, &input)?;
            out.print(&score, || {
                let total = score.data.total().map(|t| t.to_string()).unwrap_or_else(|| "—".to_owned());
                out.fields(&[
                    ("points", total),
                    ("id", score.id.to_string()),
                    ("version", score.version.to_string()),
                ])
            });
        }
        CommissionCommand::Ranking { region } => {
            let ranking = store.ranking(&region_code(store.rulebook(), &region))?;
            out.print(&ranking, || ranking_table(&out, &ranking));
        }
        CommissionCommand::Decide { region, cut_off, decided_by, decided_on, reason } => {
            let input = CommissionDecisionInput {
                region: region_code(store.rulebook(), &region),
                cut_off,
                decided_on: decided_on.unwrap_or_else(|| today(&store)),
                decided_by,
                reason,
            };
            let decision = store.decide_commission(&input)?;
            out.print(&decision, || {
                out.tr(
                    "cli-decision-recorded",
                    &[
                        ("selected", decision.data.selected.len().to_string()),
                        ("ranked", decision.data.ranking.len().to_string()),
                    ],
                )
            });
        }
    }
    Ok(())
}

fn ranking_table(out: &Out, ranking: &Ranking) -> String {
    let rows = ranking
        .lines
        .iter()
        .map(|l| {
            vec![
                l.ranked.place.map(|p| p.to_string()).unwrap_or_else(|| "—".to_owned()),
                l.name.clone(),
                l.ranked.mean.map(|m| format!("{m:.2}")).unwrap_or_else(|| "—".to_owned()),
                format!("{} (+{})", l.ranked.scorers, l.ranked.conflicts),
                out.yes_no(l.selected),
                l.ranked.application_id.to_string(),
            ]
        })
        .collect();
    out.table(&["place", "name", "mean", "scorers", "selected", "id"], rows)
}

pub fn lottery(app: &App, command: LotteryCommand) -> Result<()> {
    let mut store = app.store()?;
    let out = app.out;
    match command {
        LotteryCommand::Draw { cohort: typed, seed, region, drawn_by, drawn_on, reason } => {
            let input = LotteryDrawInput {
                region: region.map(|r| region_code(store.rulebook(), &r)).unwrap_or_default(),
                seed,
                drawn_on: drawn_on.unwrap_or_else(|| today(&store)),
                drawn_by,
                reason,
            };
            let drawn = korpus_app::selection::draw_lotteries(&mut store, cohort(&typed)?, &input)?;
            out.print(&drawn, || {
                drawn
                    .iter()
                    .map(|l| {
                        let head = out.tr(
                            "cli-lottery-drawn",
                            &[
                                ("region", out.region(store.rulebook(), &l.data.region)),
                                ("groups", l.data.draw.assignments.len().to_string()),
                            ],
                        );
                        format!("{head}\n{}", show_lottery(&out, &store, l))
                    })
                    .collect::<Vec<_>>()
                    .join("\n\n")
            });
        }
        LotteryCommand::List { cohort: typed } => {
            let lotteries = store.lotteries(cohort(&typed)?)?;
            out.print(&lotteries, || {
                let rows = lotteries
                    .iter()
                    .map(|l| {
                        vec![
                            out.region(store.rulebook(), &l.data.region),
                            format_date(l.data.drawn_on),
                            l.data.draw.seed.as_str().to_owned(),
                            l.data.draw.assignments.len().to_string(),
                            l.data.reason.clone().unwrap_or_default(),
                            l.id.to_string(),
                        ]
                    })
                    .collect();
                out.table(&["region", "drawn_on", "seed", "groups", "reason", "id"], rows)
            });
        }
        LotteryCommand::Show { lottery } => {
            let l = store.lottery(&lottery)?;
            out.print(&l, || show_lottery(&out, &store, &l));
        }
        LotteryCommand::Verify { lottery } => {
            // A draw that does not verify fails (exit 1), its differences named in the message.
            let check = korpus_app::selection::verified_lottery(&store, &lottery)?;
            out.print(&check, || out.tr("cli-lottery-verified", &[]));
        }
        LotteryCommand::Balance { lottery } => {
            let balance = store.lottery_balance(&lottery)?;
            out.print(&balance, || balance_table(&out, &balance));
        }
    }
    Ok(())
}

fn show_lottery(out: &Out, store: &Store, l: &Record<LotteryRecord>) -> String {
    let d = &l.data;
    let mut text = out.fields(&[
        ("region", out.region(store.rulebook(), &d.region)),
        ("drawn_on", format_date(d.drawn_on)),
        ("drawn_by", d.drawn_by.clone()),
        ("seed", d.draw.seed.as_str().to_owned()),
        ("algorithm", d.draw.algorithm.clone()),
        ("input_sha256", d.draw.input_sha256.clone()),
        ("output_sha256", d.draw.output_sha256.clone()),
        ("reason", d.reason.clone().unwrap_or_default()),
        ("id", l.id.to_string()),
    ]);
    let rows = d
        .draw
        .assignments
        .iter()
        .map(|a| {
            let name = store.application(&a.application_id.to_string()).map(|v| v.application.data.name);
            vec![a.arm.code().to_owned(), name.unwrap_or_default(), a.application_id.to_string()]
        })
        .collect();
    text.push_str("\n\n");
    text.push_str(&out.table(&["arm", "name", "id"], rows));
    text
}

fn balance_table(out: &Out, b: &Balance) -> String {
    let percent = |share: f64| format!("{:.1} %", share * 100.0);
    let rows = b
        .arms
        .iter()
        .map(|a| {
            vec![
                out.tr(a.arm.message_key(), &[]),
                a.groups.to_string(),
                a.persons.to_string(),
                percent(a.women),
                percent(a.vulnerable),
                percent(a.disability),
                format!("{:.1}", a.mean_age),
                format_tenge(a.mean_budget.round() as i64),
            ]
        })
        .collect();
    let mut text = out.table(
        &["arm", "groups", "persons", "women", "vulnerable", "disability", "mean_age", "mean_budget"],
        rows,
    );
    let rows = b
        .differences
        .iter()
        .map(|d| {
            vec![
                out.tr(d.covariate.message_key(), &[]),
                format!("{}-{}", d.first, d.second),
                d.value.map(|v| format!("{v:+.3}")).unwrap_or_else(|| "—".to_owned()),
            ]
        })
        .collect();
    text.push_str("\n\n");
    text.push_str(&out.table(&["covariate", "arm", "normalised_difference"], rows));
    text
}

pub fn indicators(app: &App, args: IndicatorsArgs) -> Result<()> {
    let store = app.store()?;
    let out = app.out;
    let indicators = store.indicators(cohort(&args.cohort)?)?;
    out.print(&indicators, || indicators_text(&out, &store, &indicators));
    Ok(())
}

fn indicators_text(out: &Out, store: &Store, i: &Indicators) -> String {
    let pct = |part: u32, of: u32| {
        if of == 0 { "—".to_owned() } else { format!("{:.1} %", f64::from(part) * 100.0 / f64::from(of)) }
    };
    // Regions with nobody registered are left out; the total always shows.
    let rows: Vec<Vec<String>> = i
        .regions
        .iter()
        .filter(|l| l.registered > 0)
        .chain(std::iter::once(&i.total))
        .map(|l| {
            let b = &l.beneficiaries;
            vec![
                l.region
                    .as_deref()
                    .map(|r| out.region(store.rulebook(), r))
                    .unwrap_or_else(|| out.tr("cli-total", &[])),
                l.registered.to_string(),
                l.applicants.people.to_string(),
                b.people.to_string(),
                pct(b.women, b.people),
                pct(b.vulnerable, b.people),
                pct(b.disability, b.people),
            ]
        })
        .collect();
    let mut text = out.tr(
        "cli-indicators-beneficiaries",
        &[
            ("people", i.total.beneficiaries.people.to_string()),
            ("target", i.cohort_beneficiaries_target.to_string()),
            ("programme", i.programme_beneficiaries_target.to_string()),
        ],
    );
    text.push('\n');
    let t = &i.total;
    text.push_str(&out.tr(
        "cli-indicators-active",
        &[
            ("active", t.active.people.to_string()),
            ("withdrawn", t.withdrawn.to_string()),
            ("late", t.added_after_draw.to_string()),
        ],
    ));
    text.push('\n');
    for a in &t.arms {
        let arm = [
            ("arm", a.arm.code().to_owned()),
            ("assigned", a.assigned.to_string()),
            ("active", a.active.to_string()),
        ];
        text.push_str(&out.tr("cli-indicators-arm", &arm));
        text.push('\n');
    }
    for s in &i.shares {
        let actual = s.actual_percent.map(|a| format!("{a:.1} %")).unwrap_or_else(|| "—".to_owned());
        let mark = if s.met { "✓" } else { "✗" };
        let line = out.tr(
            "cli-indicator-share",
            &[
                ("indicator", out.tr(&format!("covariate-{}", s.indicator), &[])),
                ("actual", actual),
                ("target", s.target_percent.to_string()),
            ],
        );
        text.push_str(&format!("{mark} {line}\n"));
    }
    text.push('\n');
    text.push_str(&out.table(
        &["region", "registered", "applicants", "beneficiaries", "women", "vulnerable", "disability"],
        rows,
    ));
    text
}

pub fn interview(store: &mut Store, out: Out, mentor: &str, args: InterviewArgs) -> Result<()> {
    let input = MentorInterviewInput {
        held_on: args.held_on.unwrap_or_else(|| today(store)),
        interviewer: args.interviewer,
        notes: args.notes,
        outcome: args.outcome,
    };
    let interview = store.record_interview(mentor, &input)?;
    out.print(&interview, || created(&out, "entity-mentor_interview", &interview.id.to_string()));
    Ok(())
}

pub fn decide_mentor(store: &mut Store, out: Out, mentor: &str, args: DecisionArgs) -> Result<()> {
    let input = args.input(store);
    let decision = store.decide_mentor(mentor, &input)?;
    out.print(&decision, || created(&out, "entity-mentor_decision", &decision.id.to_string()));
    Ok(())
}

pub fn decide_host_org(store: &mut Store, out: Out, host_org: &str, args: DecisionArgs) -> Result<()> {
    let input = args.input(store);
    let decision = store.decide_host_org(host_org, &input)?;
    out.print(&decision, || created(&out, "entity-host_org_decision", &decision.id.to_string()));
    Ok(())
}

pub fn memorandum(store: &mut Store, out: Out, host_org: &str, number: &str, date: &str) -> Result<()> {
    let decision = store.record_memorandum(host_org, number, date)?;
    out.print(&decision, || {
        out.fields(&[
            ("memorandum_number", decision.data.memorandum_number.clone().unwrap_or_default()),
            ("memorandum_date", out.date(decision.data.memorandum_date)),
            ("id", decision.id.to_string()),
        ])
    });
    Ok(())
}

/// The public list of selected host organisations: printed, or written as CSV (UTF-8 with a
/// byte order mark, so that spreadsheet programmes on Windows read the Kazakh letters).
pub fn selected_host_orgs(store: &Store, out: Out, typed_cohort: &str, csv: Option<PathBuf>) -> Result<()> {
    let list = store.selected_host_orgs(cohort(typed_cohort)?)?;
    let header = ["name", "bin", "region", "locality", "decided_on", "memorandum_number", "memorandum_date"];
    let cells = |o: &SelectedHostOrg| {
        vec![
            o.name.clone(),
            o.bin.clone(),
            out.region(store.rulebook(), &o.region),
            o.locality.clone(),
            format_date(o.decided_on),
            o.memorandum_number.clone().unwrap_or_default(),
            o.memorandum_date.map(format_date).unwrap_or_default(),
        ]
    };
    if let Some(path) = csv {
        let mut bytes = "\u{feff}".as_bytes().to_vec();
        {
            let mut writer = ::csv::Writer::from_writer(&mut bytes);
            let labels: Vec<String> =
                header.iter().map(|f| korpus_domain::validation::field_label(out.lang, f)).collect();
            let written = writer
                .write_record(&labels)
                .and_then(|()| list.iter().try_for_each(|o| writer.write_record(cells(o))))
                .and_then(|()| writer.flush().map_err(Into::into));
            written.map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
        }
        std::fs::write(&path, bytes).map_err(|e| korpus_app::AppError::file(&path, e))?;
    }
    out.print(&list, || out.table(&header, list.iter().map(cells).collect()));
    Ok(())
}
