//! `korpus training`: the training calendar of a region, its events and the attendance sheets.

use crate::App;
use crate::inputs::region_code;
use crate::output::Out;
use crate::persons::{created, updated};
use clap::{Args, Subcommand};
use korpus_app::Result;
use korpus_domain::delivery::training::{TrainingEvent, TrainingEventInput};
use korpus_domain::validation::format_date;
use korpus_store::{AttendanceMark, Record, Roster};

#[derive(Debug, Subcommand)]
pub enum TrainingCommand {
    /// Lay out a region's calendar from the rulebook (every stage it does not have yet).
    Plan {
        /// Region: KATO code or name.
        #[arg(long)]
        region: String,
    },
    /// The calendar: events by first day.
    List {
        /// Only this region.
        #[arg(long)]
        region: Option<String>,
    },
    /// Add an event (a second group of phase I, say).
    Add {
        /// Region: KATO code or name.
        #[arg(long)]
        region: String,
        #[command(flatten)]
        fields: EventArgs,
    },
    /// Change an event's days, hours, venue, trainers or notes.
    Edit {
        /// The event's id.
        event: String,
        /// The version the change is based on (default: the current one).
        #[arg(long)]
        version: Option<i64>,
        #[command(flatten)]
        fields: EventArgs,
    },
    /// Who is expected at an event, with their marks by day.
    Roster {
        /// The event's id.
        event: String,
    },
    /// Record the sheet of one day: who was present and who was absent.
    Attend {
        /// The event's id.
        event: String,
        /// The day of the event (1 is the first).
        #[arg(long)]
        day: u32,
        /// Ids of those present.
        #[arg(long, num_args = 1..)]
        present: Vec<String>,
        /// Ids of those absent.
        #[arg(long, num_args = 1..)]
        absent: Vec<String>,
    },
}

#[derive(Debug, Args, Default)]
pub struct EventArgs {
    /// Stage: orientation_beneficiaries, orientation_mentors, phase1_mentors,
    /// phase1_beneficiaries, phase3_mentors, phase3_beneficiaries.
    #[arg(long)]
    stage: Option<String>,
    /// First day (DD.MM.YYYY), a working day.
    #[arg(long)]
    starts_on: Option<String>,
    /// Working days it runs.
    #[arg(long)]
    days: Option<String>,
    /// Hours a day.
    #[arg(long)]
    hours: Option<String>,
    /// Venue ("" to clear).
    #[arg(long)]
    venue: Option<String>,
    /// Trainers ("" to clear).
    #[arg(long)]
    trainers: Option<String>,
    /// Notes ("" to clear).
    #[arg(long)]
    notes: Option<String>,
}

impl EventArgs {
    fn apply(self, input: &mut TrainingEventInput) {
        crate::inputs::set(&mut input.stage, &self.stage);
        crate::inputs::set(&mut input.starts_on, &self.starts_on);
        crate::inputs::set(&mut input.days, &self.days);
        crate::inputs::set(&mut input.hours_per_day, &self.hours);
        crate::inputs::set_opt(&mut input.venue, &self.venue);
        crate::inputs::set_opt(&mut input.trainers, &self.trainers);
        crate::inputs::set_opt(&mut input.notes, &self.notes);
    }
}

pub fn run(app: &App, command: TrainingCommand) -> Result<()> {
    let mut store = app.store()?;
    let out = app.out;
    match command {
        TrainingCommand::Plan { region } => {
            let region = region_code(store.rulebook(), &region);
            let events = store.plan_training(&region)?;
            out.print(&events, || calendar(&out, store.rulebook(), &events));
        }
        TrainingCommand::List { region } => {
            let region = region.map(|r| region_code(store.rulebook(), &r));
            let events = store.training_events(region.as_deref())?;
            out.print(&events, || calendar(&out, store.rulebook(), &events));
        }
        TrainingCommand::Add { region, fields } => {
            let region = region_code(store.rulebook(), &region);
            let stage = korpus_domain::delivery::training::TrainingStage::parse(
                "stage",
                fields.stage.as_deref().unwrap_or(""),
            )
            .map_err(korpus_domain::ValidationErrors::one)?;
            let mut input = TrainingEventInput {
                stage: stage.code().to_owned(),
                days: stage.days(store.rulebook()).to_string(),
                hours_per_day: stage.hours_per_day(store.rulebook()).to_string(),
                ..TrainingEventInput::default()
            };
            fields.apply(&mut input);
            let event = store.add_training_event(&region, &input)?;
            out.print(&event, || created(&out, "entity-training_event", &event.id.to_string()));
        }
        TrainingCommand::Edit { event, version, fields } => {
            let current = store.training_event(&event)?;
            let mut input = TrainingEventInput::of(&current.data);
            fields.apply(&mut input);
            let (edited, changed) =
                store.edit_training_event(&event, version.unwrap_or(current.version), &input)?;
            out.print(&edited, || updated(&out, "entity-training_event", &edited.id.to_string(), &changed));
        }
        TrainingCommand::Roster { event } => {
            let roster = store.roster(&event)?;
            out.print(&roster, || roster_table(&out, &roster));
        }
        TrainingCommand::Attend { event, day, present, absent } => {
            let marks: Vec<AttendanceMark> = present
                .into_iter()
                .map(|id| AttendanceMark { attendee_id: id, present: true })
                .chain(absent.into_iter().map(|id| AttendanceMark { attendee_id: id, present: false }))
                .collect();
            let changed = store.record_attendance(&event, day, &marks)?;
            let roster = store.roster(&event)?;
            out.print(&serde_json::json!({ "changed": changed, "roster": roster }), || {
                format!(
                    "{}\n{}",
                    out.tr("cli-attendance-saved", &[("count", changed.to_string())]),
                    roster_table(&out, &roster)
                )
            });
        }
    }
    Ok(())
}

fn calendar(out: &Out, rulebook: &korpus_domain::Rulebook, events: &[Record<TrainingEvent>]) -> String {
    let rows = events
        .iter()
        .map(|e| {
            let d = &e.data;
            vec![
                d.starts_on().map(format_date).unwrap_or_default(),
                d.dates.last().copied().map(format_date).unwrap_or_default(),
                d.dates.len().to_string(),
                out.tr(d.stage.message_key(), &[]),
                out.region(rulebook, &d.region),
                d.venue.clone().unwrap_or_default(),
                e.id.to_string(),
            ]
        })
        .collect();
    out.table(&["starts_on", "ended_on", "days", "stage", "region", "venue", "id"], rows)
}

fn roster_table(out: &Out, roster: &Roster) -> String {
    let days = roster.event.data.dates.len();
    let label = |f: &str| korpus_domain::validation::field_label(out.lang, f);
    let mut header: Vec<String> = vec![label("full_name"), label("iin"), label("application")];
    header.extend((1..=days).map(|d| d.to_string()));
    header.push(label("id"));
    let rows = roster
        .lines
        .iter()
        .map(|l| {
            let mut row = vec![l.name.clone(), l.iin.clone(), l.group.clone().unwrap_or_default()];
            row.extend(l.marks.iter().map(|m| match m {
                Some(true) => "+".to_owned(),
                Some(false) => "–".to_owned(),
                None => "·".to_owned(),
            }));
            row.push(l.attendee_id.to_string());
            row
        })
        .collect();
    out.table_with(header, rows)
}
