//! `korpus application`: record, change, show, list and search sub-project applications with
//! their groups. Members, leader and host organisation are named by IIN and BIN.

use crate::App;
use crate::inputs::{region_code, set};
use crate::output::Out;
use crate::persons::{ListArgs, SearchArgs, created, updated};
use clap::{Args, Subcommand};
use korpus_app::Result;
use korpus_domain::delivery::withdrawals::WithdrawalInput;
use korpus_domain::validation::{format_date, format_tenge};
use korpus_domain::{ApplicationInput, SubProjectApplication};
use korpus_store::{ApplicationView, Record, Store};
use uuid::Uuid;

#[derive(Debug, Subcommand)]
pub enum ApplicationCommand {
    /// Record an application with its group.
    Add(ApplicationArgs),
    /// Change an application's fields or group.
    Edit {
        /// Id.
        application: String,
        /// The version the change is based on (default: the current one).
        #[arg(long)]
        version: Option<i64>,
        #[command(flatten)]
        fields: ApplicationArgs,
        /// Add a member (IIN); repeatable.
        #[arg(long)]
        add_member: Vec<String>,
        /// Remove a member (IIN); repeatable.
        #[arg(long)]
        remove_member: Vec<String>,
    },
    /// Record that a member, or the whole group, left the programme (after the draw they keep
    /// their arm).
    Withdraw {
        /// Id.
        application: String,
        /// IIN or id of the member who leaves (none: the whole group leaves).
        #[arg(long)]
        person: Option<String>,
        /// The day they left (DD.MM.YYYY).
        #[arg(long = "on")]
        left_on: String,
        /// moved_away, employment, studies, health, family, stopped_taking_part or other.
        #[arg(long)]
        reason: String,
        /// Notes (required for "other").
        #[arg(long)]
        notes: Option<String>,
        /// Who records it (default: this session's author).
        #[arg(long = "by")]
        recorded_by: Option<String>,
    },
    /// Show one application with its group.
    Show {
        /// Id.
        application: String,
    },
    /// Remove one registered by mistake, when nothing else names it (what belongs to it goes
    /// with it: its members).
    Remove {
        /// Id.
        application: String,
    },
    /// List applications by name.
    List(ListArgs),
    /// Search by name, or by a member's name or IIN prefix.
    Search(SearchArgs),
}

#[derive(Debug, Args, Default)]
pub struct ApplicationArgs {
    /// How the group applies: host_org or initiative_group.
    #[arg(long)]
    path: Option<String>,
    /// BIN of the host organisation that submits it ("" to clear).
    #[arg(long)]
    host_org: Option<String>,
    /// IIN of the group's leader, one of the members ("" to clear).
    #[arg(long)]
    leader: Option<String>,
    /// IIN of a member; repeat for each (replaces the group when editing).
    #[arg(long = "member")]
    members: Vec<String>,
    /// Sub-project name.
    #[arg(long)]
    name: Option<String>,
    /// Territory of implementation.
    #[arg(long)]
    territory: Option<String>,
    /// Goal.
    #[arg(long)]
    goal: Option<String>,
    /// Target group.
    #[arg(long)]
    target_group: Option<String>,
    /// Short description and social impact.
    #[arg(long)]
    description: Option<String>,
    /// Direction (see `korpus directions`).
    #[arg(long)]
    direction: Option<String>,
    /// Budget in tenge.
    #[arg(long)]
    budget: Option<String>,
    /// Region: KATO code or name.
    #[arg(long)]
    region: Option<String>,
}

impl ApplicationArgs {
    fn apply(&self, input: &mut ApplicationInput, store: &Store) -> Result<()> {
        set(&mut input.path, &self.path);
        if let Some(bin) = &self.host_org {
            input.host_org_id = match bin.trim() {
                "" => None,
                bin => Some(store.host_org_id_by_bin("host_org", bin)?),
            };
        }
        if let Some(iin) = &self.leader {
            input.leader_id = match iin.trim() {
                "" => None,
                iin => store.person_ids_by_iin("leader", &[iin.to_owned()])?.pop(),
            };
        }
        if !self.members.is_empty() {
            input.members = store.person_ids_by_iin("members", &self.members)?;
        }
        set(&mut input.name, &self.name);
        set(&mut input.territory, &self.territory);
        set(&mut input.goal, &self.goal);
        set(&mut input.target_group, &self.target_group);
        set(&mut input.description, &self.description);
        set(&mut input.direction, &self.direction);
        set(&mut input.budget, &self.budget);
        if let Some(r) = &self.region {
            input.region = region_code(store.rulebook(), r);
        }
        Ok(())
    }
}

pub fn run(app: &App, command: ApplicationCommand) -> Result<()> {
    let mut store = app.store()?;
    let out = app.out;
    match command {
        ApplicationCommand::Add(args) => {
            let mut input = ApplicationInput::default();
            args.apply(&mut input, &store)?;
            let view = store.add_application(&input)?;
            out.print(&view, || created(&out, "entity-application", &view.application.id.to_string()));
        }
        ApplicationCommand::Edit { application, version, fields, add_member, remove_member } => {
            let current = store.application(&application)?;
            let members = current.members.iter().map(|m| m.id).collect();
            let mut input = ApplicationInput::from_application(&current.application.data, members);
            fields.apply(&mut input, &store)?;
            input.members.extend(store.person_ids_by_iin("members", &add_member)?);
            let removed = store.person_ids_by_iin("members", &remove_member)?;
            input.members.retain(|m| !removed.contains(m));
            let id = current.application.id;
            let (view, changed) =
                store.edit_application(id, version.unwrap_or(current.application.version), &input)?;
            out.print(&view, || updated(&out, "entity-application", &id.to_string(), &changed));
        }
        ApplicationCommand::Withdraw { application, person, left_on, reason, notes, recorded_by } => {
            let input = WithdrawalInput {
                left_on,
                reason,
                notes,
                recorded_by: recorded_by.unwrap_or_else(|| store.author().to_owned()),
            };
            let w = store.withdraw(&application, person.as_deref(), &input)?;
            out.print(&w, || created(&out, "entity-withdrawal", &w.id.to_string()));
        }
        ApplicationCommand::Remove { application } => {
            let r = store.application(&application)?.application;
            store.remove_record(korpus_domain::Entity::Application, r.id, r.version)?;
            let report = serde_json::json!({ "removed": r.id });
            out.print(&report, || {
                out.tr(
                    "cli-removed",
                    &[("what", out.tr("entity-application", &[])), ("id", r.id.to_string())],
                )
            });
        }
        ApplicationCommand::Show { application } => {
            let view = store.application(&application)?;
            out.print(&view, || show(&out, &store, &view));
        }
        ApplicationCommand::List(args) => {
            let region = args.region.map(|r| region_code(store.rulebook(), &r));
            let applications = store.list_applications(region.as_deref(), args.limit, args.offset)?;
            out.print(&applications, || table(&out, &store, &applications));
        }
        ApplicationCommand::Search(args) => {
            let applications = store.search_applications(&args.query, args.limit)?;
            out.print(&applications, || table(&out, &store, &applications));
        }
    }
    Ok(())
}

fn show(out: &Out, store: &Store, view: &ApplicationView) -> String {
    let a = &view.application.data;
    let rulebook = store.rulebook();
    let fields = out.fields(&[
        ("name", a.name.clone()),
        ("path", out.tr(a.path.message_key(), &[])),
        (
            "host_org",
            view.host_org.as_ref().map(|o| format!("{} ({})", o.data.name, o.data.bin)).unwrap_or_default(),
        ),
        ("direction", out.direction(rulebook, &a.direction)),
        ("budget", format_tenge(a.budget)),
        ("region", out.region(rulebook, &a.region)),
        ("territory", a.territory.clone()),
        ("goal", a.goal.clone()),
        ("target_group", a.target_group.clone()),
        ("description", a.description.clone()),
        ("cohort", a.cohort.to_string()),
        ("id", view.application.id.to_string()),
        ("version", view.application.version.to_string()),
    ]);
    let left = |person: Uuid| {
        let w = view.withdrawals.iter().find(|w| w.data.concerns(person));
        w.map(|w| format!("{} ({})", format_date(w.data.left_on), out.tr(w.data.reason.message_key(), &[])))
    };
    let members = view
        .members
        .iter()
        .map(|m| {
            let leader = if Some(m.id) == a.leader_id { "★" } else { "" };
            vec![
                leader.to_owned(),
                m.data.identity.iin.to_string(),
                m.data.identity.full_name(),
                format_date(m.data.identity.birth_date),
                left(m.id).unwrap_or_default(),
            ]
        })
        .collect();
    let mut text = format!(
        "{fields}\n\n{}",
        out.table(&["leader", "iin", "full_name", "birth_date", "left_on"], members)
    );
    if let Some(group) = view.withdrawals.iter().find(|w| w.data.person_id.is_none()) {
        let reason = out.tr(group.data.reason.message_key(), &[]);
        text.push_str(&format!(
            "\n\n{}",
            out.tr("cli-group-withdrawn", &[("date", format_date(group.data.left_on)), ("reason", reason),])
        ));
    }
    text
}

fn table(out: &Out, store: &Store, applications: &[Record<SubProjectApplication>]) -> String {
    let rows = applications
        .iter()
        .map(|r| {
            let a = &r.data;
            vec![
                r.id.to_string(),
                a.name.clone(),
                out.direction(store.rulebook(), &a.direction),
                format_tenge(a.budget),
                out.region(store.rulebook(), &a.region),
            ]
        })
        .collect();
    out.table(&["id", "name", "direction", "budget", "region"], rows)
}
