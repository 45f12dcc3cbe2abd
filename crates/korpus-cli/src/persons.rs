//! `korpus person`: register, change, show, list and search persons.

use crate::App;
use crate::inputs::{IdentityArgs, yes_no};
use crate::output::Out;
use clap::{Args, Subcommand};
use korpus_app::Result;
use korpus_domain::validation::{format_date, format_tenge};
use korpus_domain::{Identity, Person, PersonInput, Rulebook};
use korpus_store::Record;

#[derive(Debug, Subcommand)]
pub enum PersonCommand {
    /// Register a person.
    Add(PersonArgs),
    /// Change a person's fields.
    Edit {
        /// Id or IIN.
        person: String,
        /// The version the change is based on (default: the current one).
        #[arg(long)]
        version: Option<i64>,
        #[command(flatten)]
        fields: PersonArgs,
    },
    /// Show one person.
    Show {
        /// Id or IIN.
        person: String,
    },
    /// Remove one registered by mistake, when nothing else names it (what belongs to it goes
    /// with it: its documents).
    Remove {
        /// Id or IIN.
        person: String,
    },
    /// List persons by name.
    List(ListArgs),
    /// Search by IIN prefix or names, in any order.
    Search(SearchArgs),
}

/// Paging of lists.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this region (KATO code or name).
    #[arg(long)]
    pub region: Option<String>,
    /// At most this many.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Skip this many.
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
}

/// A search.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for.
    pub query: String,
    /// At most this many.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
}

#[derive(Debug, Args, Default)]
pub struct PersonArgs {
    #[command(flatten)]
    identity: IdentityArgs,
    /// Education: school_leaver, tvet_student, university_student, tvet_graduate, university_graduate, other.
    #[arg(long)]
    education: Option<String>,
    /// Vulnerability categories, comma-separated: neet, registered_unemployed,
    /// unproductively_self_employed, working_poor ("" for none).
    #[arg(long, value_delimiter = ',')]
    vulnerability: Option<Vec<String>>,
    /// Has a disability (yes/no).
    #[arg(long, num_args = 0..=1, default_missing_value = "yes")]
    disability: Option<String>,
    /// Monthly income per family member, tenge ("" to clear).
    #[arg(long)]
    income: Option<String>,
}

impl PersonArgs {
    fn apply(&self, input: &mut PersonInput, rulebook: &Rulebook) -> Result<()> {
        self.identity.apply(&mut input.identity, rulebook);
        crate::inputs::set(&mut input.education, &self.education);
        if let Some(v) = &self.vulnerability {
            input.vulnerability = v.iter().map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect();
        }
        if let Some(d) = &self.disability {
            input.disability = yes_no("disability", d)?;
        }
        crate::inputs::set_opt(&mut input.income_per_member, &self.income);
        Ok(())
    }
}

pub fn run(app: &App, command: PersonCommand) -> Result<()> {
    let mut store = app.store()?;
    let out = app.out;
    match command {
        PersonCommand::Add(args) => {
            let mut input = PersonInput::default();
            args.apply(&mut input, store.rulebook())?;
            let person = store.add_person(&input)?;
            out.print(&person, || created(&out, "entity-person", &person.id.to_string()));
        }
        PersonCommand::Edit { person, version, fields } => {
            let current = store.person(&person)?;
            let mut input = PersonInput::from(&current.data);
            fields.apply(&mut input, store.rulebook())?;
            let (person, changed) =
                store.edit_person(current.id, version.unwrap_or(current.version), &input)?;
            out.print(&person, || updated(&out, "entity-person", &person.id.to_string(), &changed));
        }
        PersonCommand::Remove { person } => {
            let r = store.person(&person)?;
            store.remove_record(korpus_domain::Entity::Person, r.id, r.version)?;
            let report = serde_json::json!({ "removed": r.id });
            out.print(&report, || {
                out.tr("cli-removed", &[("what", out.tr("entity-person", &[])), ("id", r.id.to_string())])
            });
        }
        PersonCommand::Show { person } => {
            let person = store.person(&person)?;
            out.print(&person, || show(&out, store.rulebook(), &person));
        }
        PersonCommand::List(args) => {
            let region = args.region.map(|r| crate::inputs::region_code(store.rulebook(), &r));
            let persons = store.list_persons(region.as_deref(), args.limit, args.offset)?;
            out.print(&persons, || table(&out, store.rulebook(), &persons));
        }
        PersonCommand::Search(args) => {
            let persons = store.search_persons(&args.query, args.limit)?;
            out.print(&persons, || table(&out, store.rulebook(), &persons));
        }
    }
    Ok(())
}

/// "Created <entity> <id>." in the user's language.
pub fn created(out: &Out, entity_key: &str, id: &str) -> String {
    out.tr("cli-created", &[("entity", out.tr(entity_key, &[])), ("id", id.to_owned())])
}

/// "Changed <entity> <id>: <fields>." or "Nothing to change."
pub fn updated(out: &Out, entity_key: &str, id: &str, changed: &[String]) -> String {
    if changed.is_empty() {
        return out.tr("cli-unchanged", &[]);
    }
    let fields: Vec<String> =
        changed.iter().map(|f| korpus_domain::validation::field_label(out.lang, f)).collect();
    out.tr(
        "cli-updated",
        &[("entity", out.tr(entity_key, &[])), ("id", id.to_owned()), ("fields", fields.join(", "))],
    )
}

/// The rows every person-like record shows first.
pub fn identity_rows(out: &Out, rulebook: &Rulebook, p: &Identity) -> Vec<(&'static str, String)> {
    vec![
        ("iin", p.iin.to_string()),
        ("full_name", p.full_name()),
        ("birth_date", format_date(p.birth_date)),
        ("sex", out.tr(p.sex.message_key(), &[])),
        ("phone", p.phone.clone().unwrap_or_default()),
        ("region", out.region(rulebook, &p.region)),
        ("locality", p.locality.clone()),
    ]
}

fn show(out: &Out, rulebook: &Rulebook, r: &Record<Person>) -> String {
    let p = &r.data;
    let mut rows = identity_rows(out, rulebook, &p.identity);
    let categories: Vec<String> = p.vulnerability.iter().map(|v| out.tr(v.message_key(), &[])).collect();
    rows.extend([
        ("education", out.tr(p.education.message_key(), &[])),
        ("vulnerability", categories.join(", ")),
        ("disability", out.yes_no(p.disability)),
        ("income_per_member", p.income_per_member.map(format_tenge).unwrap_or_default()),
        ("cohort", p.cohort.to_string()),
        ("id", r.id.to_string()),
        ("version", r.version.to_string()),
    ]);
    out.fields(&rows)
}

fn table(out: &Out, rulebook: &Rulebook, persons: &[Record<Person>]) -> String {
    let rows = persons
        .iter()
        .map(|r| {
            let p = &r.data.identity;
            vec![
                p.iin.to_string(),
                p.full_name(),
                format_date(p.birth_date),
                out.region(rulebook, &p.region),
                p.locality.clone(),
            ]
        })
        .collect();
    out.table(&["iin", "full_name", "birth_date", "region", "locality"], rows)
}
