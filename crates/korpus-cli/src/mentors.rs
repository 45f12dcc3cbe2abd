//! `korpus mentor`: register, change, show, list and search mentors.

use crate::App;
use crate::inputs::{IdentityArgs, set, set_opt, yes_no};
use crate::output::Out;
use crate::persons::{ListArgs, SearchArgs, created, identity_rows, updated};
use clap::{Args, Subcommand};
use korpus_app::Result;
use korpus_domain::validation::format_date;
use korpus_domain::{Mentor, MentorInput, Rulebook};
use korpus_store::Record;

#[derive(Debug, Subcommand)]
pub enum MentorCommand {
    /// Register a mentor (selection stage "applied").
    Add(MentorArgs),
    /// Change a mentor's fields.
    Edit {
        /// Id or IIN.
        mentor: String,
        /// The version the change is based on (default: the current one).
        #[arg(long)]
        version: Option<i64>,
        #[command(flatten)]
        fields: MentorArgs,
    },
    /// Show one mentor.
    Show {
        /// Id or IIN.
        mentor: String,
    },
    /// Remove one registered by mistake, when nothing else names it (what belongs to it goes
    /// with it: its documents).
    Remove {
        /// Id or IIN.
        mentor: String,
    },
    /// List mentors by name.
    List(ListArgs),
    /// Record the telephone interview of a screened candidate.
    Interview {
        /// Id or IIN.
        mentor: String,
        #[command(flatten)]
        args: crate::selection::InterviewArgs,
    },
    /// Record the internal commission's decision on an interviewed candidate.
    Decide {
        /// Id or IIN.
        mentor: String,
        #[command(flatten)]
        args: crate::selection::DecisionArgs,
    },
    /// Search by IIN prefix or names.
    Search(SearchArgs),
    /// Certify a selected mentor who completed phase I as trainer and mentor.
    Certify {
        /// Id or IIN.
        mentor: String,
        /// The day (DD.MM.YYYY; default today).
        #[arg(long)]
        on: Option<String>,
    },
    /// Assign a certified mentor to a sub-project of arm A or C.
    Assign {
        /// Id or IIN.
        mentor: String,
        /// The sub-project's application id.
        #[arg(long)]
        application: String,
        /// From when (DD.MM.YYYY; default today).
        #[arg(long)]
        on: Option<String>,
    },
    /// End an assignment, with the reason.
    Unassign {
        /// The assignment's id.
        assignment: String,
        /// The last day (DD.MM.YYYY; default today).
        #[arg(long)]
        on: Option<String>,
        /// Why it ends.
        #[arg(long)]
        reason: String,
    },
    /// Record a session with a sub-project's group or one member, with its protocol or without.
    Session {
        /// Id or IIN.
        mentor: String,
        #[command(flatten)]
        args: crate::mentoring::SessionArgs,
    },
    /// Write (or correct) the protocol of a session.
    Protocol {
        /// The session's id.
        session: String,
        #[command(flatten)]
        args: crate::mentoring::ProtocolArgs,
    },
    /// A mentor's sub-projects, sessions and monthly compliance.
    Work {
        /// Id or IIN.
        mentor: String,
    },
}

#[derive(Debug, Args, Default)]
pub struct MentorArgs {
    #[command(flatten)]
    identity: IdentityArgs,
    /// Occupation: active_resident, tvet_staff, public_organisation_staff, youth_resource_centre,
    /// social_worker, entrepreneur, other.
    #[arg(long)]
    occupation: Option<String>,
    /// Workplace ("" to clear).
    #[arg(long)]
    workplace: Option<String>,
    /// Years of work in the social sphere or with young people.
    #[arg(long)]
    experience: Option<String>,
    /// Education: general_secondary, specialised_secondary, higher.
    #[arg(long)]
    education: Option<String>,
    /// Has organised projects or events (yes/no).
    #[arg(long, num_args = 0..=1, default_missing_value = "yes")]
    project_experience: Option<String>,
}

impl MentorArgs {
    fn apply(&self, input: &mut MentorInput, rulebook: &Rulebook) -> Result<()> {
        self.identity.apply(&mut input.identity, rulebook);
        set(&mut input.occupation, &self.occupation);
        set_opt(&mut input.workplace, &self.workplace);
        set(&mut input.experience_years, &self.experience);
        set(&mut input.education, &self.education);
        if let Some(p) = &self.project_experience {
            input.project_experience = yes_no("project_experience", p)?;
        }
        Ok(())
    }
}

pub fn run(app: &App, command: MentorCommand) -> Result<()> {
    let mut store = app.store()?;
    let out = app.out;
    match command {
        MentorCommand::Add(args) => {
            let mut input = MentorInput::default();
            args.apply(&mut input, store.rulebook())?;
            let mentor = store.add_mentor(&input)?;
            out.print(&mentor, || created(&out, "entity-mentor", &mentor.id.to_string()));
        }
        MentorCommand::Edit { mentor, version, fields } => {
            let current = store.mentor(&mentor)?;
            let mut input = MentorInput::from_mentor(&current.data);
            fields.apply(&mut input, store.rulebook())?;
            let (mentor, changed) =
                store.edit_mentor(current.id, version.unwrap_or(current.version), &input)?;
            out.print(&mentor, || updated(&out, "entity-mentor", &mentor.id.to_string(), &changed));
        }
        MentorCommand::Remove { mentor } => {
            let r = store.mentor(&mentor)?;
            store.remove_record(korpus_domain::Entity::Mentor, r.id, r.version)?;
            let report = serde_json::json!({ "removed": r.id });
            out.print(&report, || {
                out.tr("cli-removed", &[("what", out.tr("entity-mentor", &[])), ("id", r.id.to_string())])
            });
        }
        MentorCommand::Show { mentor } => {
            let mentor = store.mentor(&mentor)?;
            out.print(&mentor, || show(&out, store.rulebook(), &mentor));
        }
        MentorCommand::List(args) => {
            let region = args.region.map(|r| crate::inputs::region_code(store.rulebook(), &r));
            let mentors = store.list_mentors(region.as_deref(), args.limit, args.offset)?;
            out.print(&mentors, || table(&out, store.rulebook(), &mentors));
        }
        MentorCommand::Interview { mentor, args } => {
            crate::selection::interview(&mut store, out, &mentor, args)?
        }
        MentorCommand::Decide { mentor, args } => {
            crate::selection::decide_mentor(&mut store, out, &mentor, args)?
        }
        MentorCommand::Certify { mentor, on } => crate::mentoring::certify(&mut store, out, &mentor, on)?,
        MentorCommand::Assign { mentor, application, on } => {
            crate::mentoring::assign(&mut store, out, &mentor, &application, on)?
        }
        MentorCommand::Unassign { assignment, on, reason } => {
            crate::mentoring::unassign(&mut store, out, &assignment, on, &reason)?
        }
        MentorCommand::Session { mentor, args } => crate::mentoring::session(&mut store, out, &mentor, args)?,
        MentorCommand::Protocol { session, args } => {
            crate::mentoring::protocol(&mut store, out, &session, args)?
        }
        MentorCommand::Work { mentor } => crate::mentoring::work(&store, out, &mentor)?,
        MentorCommand::Search(args) => {
            let mentors = store.search_mentors(&args.query, args.limit)?;
            out.print(&mentors, || table(&out, store.rulebook(), &mentors));
        }
    }
    Ok(())
}

fn show(out: &Out, rulebook: &Rulebook, r: &Record<Mentor>) -> String {
    let m = &r.data;
    let mut rows = identity_rows(out, rulebook, &m.identity);
    rows.extend([
        ("occupation", out.tr(m.occupation.message_key(), &[])),
        ("workplace", m.workplace.clone().unwrap_or_default()),
        ("experience_years", m.experience_years.to_string()),
        ("education", out.tr(m.education.message_key(), &[])),
        ("project_experience", out.yes_no(m.project_experience)),
        ("stage", out.tr(m.stage.message_key(), &[])),
        ("certified_on", out.date(m.certified_on)),
        ("cohort", m.cohort.to_string()),
        ("id", r.id.to_string()),
        ("version", r.version.to_string()),
    ]);
    out.fields(&rows)
}

fn table(out: &Out, rulebook: &Rulebook, mentors: &[Record<Mentor>]) -> String {
    let rows = mentors
        .iter()
        .map(|r| {
            let m = &r.data;
            vec![
                m.identity.iin.to_string(),
                m.identity.full_name(),
                format_date(m.identity.birth_date),
                out.region(rulebook, &m.identity.region),
                out.tr(m.stage.message_key(), &[]),
            ]
        })
        .collect();
    out.table(&["iin", "full_name", "birth_date", "region", "stage"], rows)
}
