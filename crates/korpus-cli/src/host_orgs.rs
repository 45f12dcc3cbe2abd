//! `korpus host-org`: register, change, show, list and search host organisations.

use crate::App;
use crate::inputs::{region_code, set, set_opt, yes_no};
use crate::output::Out;
use crate::persons::{ListArgs, SearchArgs, created, updated};
use clap::{Args, Subcommand};
use korpus_app::Result;
use korpus_domain::validation::{FieldError, format_date};
use korpus_domain::{HostOrg, HostOrgCriteria, HostOrgInput, Rulebook, ValidationErrors};
use korpus_store::Record;

#[derive(Debug, Subcommand)]
pub enum HostOrgCommand {
    /// Register a host organisation.
    Add(HostOrgArgs),
    /// Change a host organisation's fields.
    Edit {
        /// Id or BIN.
        host_org: String,
        /// The version the change is based on (default: the current one).
        #[arg(long)]
        version: Option<i64>,
        #[command(flatten)]
        fields: HostOrgArgs,
    },
    /// Show one host organisation.
    Show {
        /// Id or BIN.
        host_org: String,
    },
    /// Remove one registered by mistake, when nothing else names it (what belongs to it goes
    /// with it: its documents).
    Remove {
        /// Id or BIN.
        host_org: String,
    },
    /// List host organisations by name.
    List(ListArgs),
    /// Search by BIN prefix or name.
    Search(SearchArgs),
    /// Record the competition's decision on a screened organisation.
    Decide {
        /// Id or BIN.
        host_org: String,
        #[command(flatten)]
        args: crate::selection::DecisionArgs,
    },
    /// Record the memorandum of cooperation signed with a selected organisation.
    Memorandum {
        /// Id or BIN.
        host_org: String,
        /// The memorandum's number.
        #[arg(long)]
        number: String,
        /// Its date (DD.MM.YYYY).
        #[arg(long)]
        date: String,
    },
    /// The public list of a cohort's selected organisations (and, with --csv, as a file).
    Selected {
        /// The programme year.
        #[arg(long)]
        cohort: String,
        /// Write the list as CSV to this file.
        #[arg(long)]
        csv: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Args, Default)]
pub struct HostOrgArgs {
    /// BIN (12 digits).
    #[arg(long)]
    bin: Option<String>,
    /// Registered name.
    #[arg(long)]
    name: Option<String>,
    /// Type: youth_organisation, non_commercial, private_csr.
    #[arg(long = "type")]
    org_type: Option<String>,
    /// Region: KATO code or name.
    #[arg(long)]
    region: Option<String>,
    /// Town or village.
    #[arg(long)]
    locality: Option<String>,
    /// Date of state registration (DD.MM.YYYY).
    #[arg(long)]
    registered: Option<String>,
    /// Head's full name ("" to clear).
    #[arg(long)]
    head: Option<String>,
    /// Accountant's full name ("" to clear).
    #[arg(long)]
    accountant: Option<String>,
    /// Phone ("" to clear).
    #[arg(long)]
    phone: Option<String>,
    /// A selection criterion's answer, NAME=yes|no|unknown; repeatable. Names: registered_in_region,
    /// charter_matches, youth_experience, head_and_accountant, no_debts, not_unscrupulous,
    /// documents_complete.
    #[arg(long = "criterion")]
    criteria: Vec<String>,
}

impl HostOrgArgs {
    fn apply(&self, input: &mut HostOrgInput, rulebook: &Rulebook) -> Result<()> {
        set(&mut input.bin, &self.bin);
        set(&mut input.name, &self.name);
        set(&mut input.org_type, &self.org_type);
        if let Some(r) = &self.region {
            input.region = region_code(rulebook, r);
        }
        set(&mut input.locality, &self.locality);
        set(&mut input.registration_date, &self.registered);
        set_opt(&mut input.head_name, &self.head);
        set_opt(&mut input.accountant_name, &self.accountant);
        set_opt(&mut input.phone, &self.phone);
        for typed in &self.criteria {
            let (name, answer) = typed.split_once('=').unwrap_or((typed, ""));
            let answer = match answer.trim() {
                "unknown" | "" => None,
                a => Some(yes_no("criteria", a)?),
            };
            if !input.criteria.set(name.trim(), answer) {
                return Err(ValidationErrors::one(FieldError::unknown_value(
                    "criteria",
                    name,
                    &HostOrgCriteria::FIELDS,
                ))
                .into());
            }
        }
        Ok(())
    }
}

pub fn run(app: &App, command: HostOrgCommand) -> Result<()> {
    let mut store = app.store()?;
    let out = app.out;
    match command {
        HostOrgCommand::Add(args) => {
            let mut input = HostOrgInput::default();
            args.apply(&mut input, store.rulebook())?;
            let org = store.add_host_org(&input)?;
            out.print(&org, || created(&out, "entity-host_org", &org.id.to_string()));
        }
        HostOrgCommand::Edit { host_org, version, fields } => {
            let current = store.host_org(&host_org)?;
            let mut input = HostOrgInput::from(&current.data);
            fields.apply(&mut input, store.rulebook())?;
            let (org, changed) =
                store.edit_host_org(current.id, version.unwrap_or(current.version), &input)?;
            out.print(&org, || updated(&out, "entity-host_org", &org.id.to_string(), &changed));
        }
        HostOrgCommand::Remove { host_org } => {
            let r = store.host_org(&host_org)?;
            store.remove_record(korpus_domain::Entity::HostOrg, r.id, r.version)?;
            let report = serde_json::json!({ "removed": r.id });
            out.print(&report, || {
                out.tr("cli-removed", &[("what", out.tr("entity-host_org", &[])), ("id", r.id.to_string())])
            });
        }
        HostOrgCommand::Show { host_org } => {
            let org = store.host_org(&host_org)?;
            out.print(&org, || show(&out, store.rulebook(), &org));
        }
        HostOrgCommand::List(args) => {
            let region = args.region.map(|r| region_code(store.rulebook(), &r));
            let orgs = store.list_host_orgs(region.as_deref(), args.limit, args.offset)?;
            out.print(&orgs, || table(&out, store.rulebook(), &orgs));
        }
        HostOrgCommand::Decide { host_org, args } => {
            crate::selection::decide_host_org(&mut store, out, &host_org, args)?;
        }
        HostOrgCommand::Memorandum { host_org, number, date } => {
            crate::selection::memorandum(&mut store, out, &host_org, &number, &date)?;
        }
        HostOrgCommand::Selected { cohort, csv } => {
            crate::selection::selected_host_orgs(&store, out, &cohort, csv)?
        }
        HostOrgCommand::Search(args) => {
            let orgs = store.search_host_orgs(&args.query, args.limit)?;
            out.print(&orgs, || table(&out, store.rulebook(), &orgs));
        }
    }
    Ok(())
}

fn show(out: &Out, rulebook: &Rulebook, r: &Record<HostOrg>) -> String {
    let o = &r.data;
    let c = &o.criteria;
    let answers = [
        c.registered_in_region,
        c.charter_matches,
        c.youth_experience,
        c.head_and_accountant,
        c.no_debts,
        c.not_unscrupulous,
        c.documents_complete,
    ];
    let criteria: Vec<String> = HostOrgCriteria::FIELDS
        .iter()
        .zip(answers)
        .filter_map(|(name, answer)| answer.map(|a| format!("{name}={}", out.yes_no(a))))
        .collect();
    out.fields(&[
        ("bin", o.bin.to_string()),
        ("name", o.name.clone()),
        ("org_type", out.tr(o.org_type.message_key(), &[])),
        ("region", out.region(rulebook, &o.region)),
        ("locality", o.locality.clone()),
        ("registration_date", format_date(o.registration_date)),
        ("head_name", o.head_name.clone().unwrap_or_default()),
        ("accountant_name", o.accountant_name.clone().unwrap_or_default()),
        ("phone", o.phone.clone().unwrap_or_default()),
        ("criteria", criteria.join(", ")),
        ("id", r.id.to_string()),
        ("version", r.version.to_string()),
    ])
}

fn table(out: &Out, rulebook: &Rulebook, orgs: &[Record<HostOrg>]) -> String {
    let rows = orgs
        .iter()
        .map(|r| {
            vec![
                r.data.bin.to_string(),
                r.data.name.clone(),
                out.region(rulebook, &r.data.region),
                r.data.locality.clone(),
            ]
        })
        .collect();
    out.table(&["bin", "name", "region", "locality"], rows)
}
