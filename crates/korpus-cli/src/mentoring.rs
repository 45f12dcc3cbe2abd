//! `korpus mentor certify|assign|unassign|session|protocol|work`: a mentor at work: certified
//! after phase I, assigned to sub-projects within the load rules, sessions with protocols, and
//! each month's compliance.

use crate::output::Out;
use crate::persons::{created, updated};
use clap::Args;
use korpus_app::Result;
use korpus_domain::delivery::mentoring::{
    MentorSessionInput, MonthlyCompliance, ProtocolInput, format_minutes,
};
use korpus_domain::rules::Verdict;
use korpus_domain::validation::format_date;
use korpus_store::{MentorWork, Store};

#[derive(Debug, Args)]
pub struct SessionArgs {
    /// The sub-project's application id.
    #[arg(long)]
    application: String,
    /// The day (DD.MM.YYYY; default today).
    #[arg(long)]
    date: Option<String>,
    /// Start, HH:MM.
    #[arg(long)]
    start: String,
    /// Length: minutes (90) or hours:minutes (1:30).
    #[arg(long)]
    length: String,
    /// group or individual.
    #[arg(long, default_value = "group")]
    kind: String,
    /// Ids of the participants who came.
    #[arg(long = "attendee", num_args = 1..)]
    attendees: Vec<String>,
    #[command(flatten)]
    protocol: ProtocolArgs,
}

#[derive(Debug, Args)]
pub struct ProtocolArgs {
    /// Topics discussed (with --next-steps: the protocol; leave both out to write it later).
    #[arg(long)]
    topics: Option<String>,
    /// Problems raised.
    #[arg(long)]
    problems: Option<String>,
    /// Next steps agreed.
    #[arg(long)]
    next_steps: Option<String>,
    /// The mentor's notes.
    #[arg(long)]
    notes: Option<String>,
}

pub fn certify(store: &mut Store, out: Out, mentor: &str, on: Option<String>) -> Result<()> {
    let on = on.unwrap_or_else(|| crate::selection::today(store));
    let mentor = store.certify_mentor(mentor, &on)?;
    out.print(&mentor, || {
        updated(&out, "entity-mentor", &mentor.id.to_string(), &["certified_on".to_owned()])
    });
    Ok(())
}

pub fn assign(
    store: &mut Store,
    out: Out,
    mentor: &str,
    application: &str,
    on: Option<String>,
) -> Result<()> {
    let on = on.unwrap_or_else(|| crate::selection::today(store));
    let assignment = store.assign_mentor(mentor, application, &on)?;
    out.print(&assignment, || created(&out, "entity-mentor_assignment", &assignment.id.to_string()));
    Ok(())
}

pub fn unassign(
    store: &mut Store,
    out: Out,
    assignment: &str,
    on: Option<String>,
    reason: &str,
) -> Result<()> {
    let on = on.unwrap_or_else(|| crate::selection::today(store));
    let a = store.end_assignment(assignment, &on, reason)?;
    out.print(&a, || updated(&out, "entity-mentor_assignment", &a.id.to_string(), &["ended_on".to_owned()]));
    Ok(())
}

pub fn session(store: &mut Store, out: Out, mentor: &str, args: SessionArgs) -> Result<()> {
    let input = MentorSessionInput {
        application_id: args.application,
        held_on: args.date.unwrap_or_else(|| crate::selection::today(store)),
        starts_at: args.start,
        length: args.length,
        kind: args.kind,
        attendees: args.attendees,
        topics: args.protocol.topics,
        problems: args.protocol.problems,
        next_steps: args.protocol.next_steps,
        notes: args.protocol.notes,
    };
    let session = store.record_session(mentor, &input)?;
    out.print(&session, || created(&out, "entity-mentor_session", &session.id.to_string()));
    Ok(())
}

pub fn protocol(store: &mut Store, out: Out, session: &str, args: ProtocolArgs) -> Result<()> {
    let input = ProtocolInput {
        topics: args.topics.unwrap_or_default(),
        problems: args.problems,
        next_steps: args.next_steps.unwrap_or_default(),
        notes: args.notes,
    };
    let s = store.write_protocol(session, &input)?;
    out.print(&s, || updated(&out, "entity-mentor_session", &s.id.to_string(), &["topics".to_owned()]));
    Ok(())
}

pub fn work(store: &Store, out: Out, mentor: &str) -> Result<()> {
    let work = store.mentor_work(mentor)?;
    out.print(&work, || show_work(&out, &work));
    Ok(())
}

/// A month as one line: status, meetings, hours, protocols missing, and each failed rule's reason.
pub fn month_line(out: &Out, m: &MonthlyCompliance) -> String {
    let mut line = format!(
        "{}  {}  {}",
        m.month,
        out.tr(m.status.message_key(), &[]),
        out.tr(
            "cli-compliance-counts",
            &[
                ("meetings", m.meetings.to_string()),
                ("hours", format_minutes(m.minutes)),
                ("missing", m.without_protocol.to_string()),
            ],
        )
    );
    for o in m.outcomes.iter().filter(|o| o.verdict == Verdict::Fail) {
        line.push_str(&format!("\n    ✗ {}  {}", o.code, o.text.get(out.lang)));
    }
    line
}

fn show_work(out: &Out, work: &MentorWork) -> String {
    let m = &work.mentor.data;
    let mut text = vec![format!("{} ({})", m.identity.full_name(), m.identity.iin)];
    match (&work.certification, m.certified_on) {
        (_, Some(on)) => text.push(out.tr("cli-mentor-certified", &[("on", format_date(on))])),
        (Some(o), None) => {
            text.push(format!("{}: {}", out.tr(o.code.message_key(), &[]), o.text.get(out.lang)))
        }
        (None, None) => {}
    }
    for a in &work.assignments {
        let names: Vec<&str> = a.members.iter().map(|(_, n)| n.as_str()).collect();
        let ended = a.assignment.data.ended_on.map(|d| format!(" – {}", format_date(d))).unwrap_or_default();
        text.push(format!(
            "• {} ({}{ended}): {}  [{}]",
            a.application_name,
            format_date(a.assignment.data.assigned_on),
            names.join(", "),
            a.assignment.id
        ));
    }
    for month in &work.compliance {
        text.push(month_line(out, month));
        // Each sub-project's meetings that month, by the name the mentor's page gives it.
        for g in &month.groups {
            let name = work
                .assignments
                .iter()
                .find(|a| a.assignment.data.application_id == g.application_id)
                .map_or_else(|| g.application_id.to_string(), |a| a.application_name.clone());
            let mark = if g.enough { "✓" } else { "✗" };
            let meetings = out.tr("cli-group-meetings", &[("count", g.meetings.to_string())]);
            text.push(format!("    {mark} {name}: {meetings}"));
        }
    }
    for s in &work.sessions {
        let d = &s.data;
        text.push(format!(
            "  {} {}  {}  {}  {}  [{}]",
            format_date(d.held_on),
            d.starts_at.format("%H:%M"),
            format_minutes(d.minutes),
            out.tr(d.kind.message_key(), &[]),
            d.topics.clone().unwrap_or_else(|| out.tr("session-no-protocol", &[])),
            s.id
        ));
    }
    text.join("\n")
}
