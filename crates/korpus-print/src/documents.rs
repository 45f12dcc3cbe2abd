//! The working documents: a mentor session's protocol (A4 portrait, one page per session, with a
//! signature line for every attendee), a mentor's monthly summary with the compliance status, a
//! training day's attendance sheet with signature columns, a host organisation's list of
//! applications, and a lottery's result with its seed and hashes.

use crate::canvas::{Align, Style};
use crate::flow::{Column, Flow, LANDSCAPE, PORTRAIT};
use crate::{PrintError, PrintLang, Printed, Printer};
use korpus_domain::delivery::mentoring::{MentorSession, MonthlyCompliance, format_minutes};
use korpus_domain::delivery::training::TrainingEvent;
use korpus_domain::lang::Text;
use korpus_domain::messages::tr;
use korpus_domain::rules::Verdict;
use korpus_domain::selection::decisions::LotteryRecord;
use korpus_domain::selection::lottery::Arm;
use korpus_domain::validation::{format_date, format_tenge};

/// A mentor session's protocol.
#[derive(Debug, Clone, Copy)]
pub struct ProtocolSheet<'a> {
    /// The session and its protocol.
    pub session: &'a MentorSession,
    /// The mentor's full name.
    pub mentor: &'a str,
    /// The sub-project's name.
    pub subproject: &'a str,
    /// The region's name.
    pub region: &'a Text,
    /// The full names of those who came.
    pub attendees: &'a [String],
    /// The language.
    pub lang: PrintLang,
}

/// One mentor's month: every session and the compliance status.
#[derive(Debug, Clone, Copy)]
pub struct MonthlySummarySheet<'a> {
    /// The mentor's full name.
    pub mentor: &'a str,
    /// The region's name.
    pub region: &'a Text,
    /// The month's compliance.
    pub month: &'a MonthlyCompliance,
    /// The month's sessions, each with its sub-project's name.
    pub sessions: &'a [(MentorSession, String)],
    /// The language.
    pub lang: PrintLang,
}

/// Someone expected on a training day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// Full name.
    pub name: String,
    /// IIN.
    pub iin: String,
    /// Their group's sub-project, if in one.
    pub group: Option<String>,
}

/// The attendance sheet of one day of a training event.
#[derive(Debug, Clone, Copy)]
pub struct AttendanceSheet<'a> {
    /// The event.
    pub event: &'a TrainingEvent,
    /// The region's name.
    pub region: &'a Text,
    /// The day (1 is the first).
    pub day: u32,
    /// Who is expected.
    pub people: &'a [Expected],
    /// The language.
    pub lang: PrintLang,
}

/// One application of a host organisation's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedApplication {
    /// The sub-project's name.
    pub name: String,
    /// Its direction, in the document's language(s).
    pub direction: String,
    /// The group's leader.
    pub leader: String,
    /// How many members.
    pub members: usize,
    /// The budget asked for.
    pub budget_tenge: i64,
    /// Where it stands (screening, commission, arm), in the document's language(s).
    pub status: String,
}

/// A host organisation's applications.
#[derive(Debug, Clone, Copy)]
pub struct ApplicationListSheet<'a> {
    /// The organisation's name.
    pub host_org: &'a str,
    /// Its BIN.
    pub bin: &'a str,
    /// The region's name.
    pub region: &'a Text,
    /// The programme year.
    pub cohort: i32,
    /// Its applications.
    pub applications: &'a [ListedApplication],
    /// The language.
    pub lang: PrintLang,
}

/// A lottery's result.
#[derive(Debug, Clone, Copy)]
pub struct LotterySheet<'a> {
    /// The record.
    pub lottery: &'a LotteryRecord,
    /// The region's name.
    pub region: &'a Text,
    /// Each drawn group's sub-project name, in the draw's order.
    pub names: &'a [String],
    /// The language.
    pub lang: PrintLang,
}

fn region_name(lang: PrintLang, region: &Text) -> String {
    lang.each(|l| region.get(l).to_owned())
}

fn arm_name(lang: PrintLang, arm: Arm) -> String {
    lang.each(|l| tr(l, arm.message_key(), &[]))
}

impl Printer {
    /// A mentor session's protocol: one A4 portrait page (more only if its texts are long).
    pub fn protocol(&self, sheet: &ProtocolSheet<'_>) -> Result<Printed<'_>, PrintError> {
        let (s, lang) = (sheet.session, sheet.lang);
        let title = lang.label("print-protocol-title", &[]);
        let mut flow =
            Flow::new(&self.fonts, &format!("{title} {}", format_date(s.held_on)), PORTRAIT, title.clone());
        flow.line(&lang.label("print-programme", &[]), Style::caption(9.0), Align::Centre);
        flow.line(&title, Style::bold(15.0), Align::Centre);
        flow.gap(3.0);
        flow.field(&lang.label("print-mentor", &[]), sheet.mentor);
        flow.field(&lang.label("print-subproject", &[]), sheet.subproject);
        flow.field(&lang.label("print-region", &[]), &region_name(lang, sheet.region));
        flow.field(&lang.label("print-date", &[]), &format_date(s.held_on));
        flow.field(
            &lang.label("print-session-time", &[]),
            &lang.label(
                "print-session-time-value",
                &[("start", s.starts_at.format("%H:%M").to_string()), ("length", format_minutes(s.minutes))],
            ),
        );
        flow.field(&lang.label("print-session-kind", &[]), &lang.each(|l| tr(l, s.kind.message_key(), &[])));
        flow.block(&lang.label("print-topics", &[]), s.topics.as_deref(), 3);
        flow.block(&lang.label("print-problems", &[]), s.problems.as_deref(), 3);
        flow.block(&lang.label("print-next-steps", &[]), s.next_steps.as_deref(), 3);
        flow.block(&lang.label("print-notes", &[]), s.notes.as_deref(), 2);
        flow.gap(2.0);
        flow.line(
            &lang.label("print-attendees", &[("count", sheet.attendees.len().to_string())]),
            Style::bold(10.5),
            Align::Left,
        );
        let columns = [
            Column::centred("№".into(), 0.6),
            Column::new(lang.label("print-full-name", &[]), 5.0),
            Column::new(lang.label("print-signature", &[]), 3.4),
        ];
        let rows: Vec<Vec<String>> = sheet
            .attendees
            .iter()
            .enumerate()
            .map(|(i, n)| vec![(i + 1).to_string(), n.clone(), String::new()])
            .collect();
        flow.table(&columns, &rows, 9.0);
        flow.gap(8.0);
        flow.line(
            &format!(
                "{}: ____________________   {}",
                lang.label("print-signature-mentor", &[]),
                sheet.mentor
            ),
            Style::regular(10.0),
            Align::Left,
        );
        let written = s.protocol_on.map(format_date).unwrap_or_else(|| "—".into());
        flow.line(
            &lang.label("print-protocol-written", &[("date", written)]),
            Style::caption(9.0),
            Align::Left,
        );
        Ok(flow.finish())
    }

    /// A mentor's monthly summary: the sessions of the month, the totals against the rules, and
    /// the compliance status that decides the month's pay.
    pub fn monthly_summary(&self, sheet: &MonthlySummarySheet<'_>) -> Result<Printed<'_>, PrintError> {
        let (m, lang) = (sheet.month, sheet.lang);
        let title = lang.label("print-summary-title", &[("month", m.month.clone())]);
        let mut flow = Flow::new(&self.fonts, &title, PORTRAIT, title.clone());
        flow.line(&lang.label("print-programme", &[]), Style::caption(9.0), Align::Centre);
        flow.line(&title, Style::bold(14.0), Align::Centre);
        flow.gap(3.0);
        flow.field(&lang.label("print-mentor", &[]), sheet.mentor);
        flow.field(&lang.label("print-region", &[]), &region_name(lang, sheet.region));
        flow.gap(2.0);
        let columns = [
            Column::new(lang.label("print-date", &[]), 1.6),
            Column::new(lang.label("print-subproject", &[]), 3.6),
            Column::new(lang.label("print-session-kind", &[]), 1.8),
            Column::centred(lang.label("print-length", &[]), 1.2),
            Column::centred(lang.label("print-attended", &[]), 1.2),
            Column::centred(lang.label("print-protocol", &[]), 1.4),
        ];
        let rows: Vec<Vec<String>> = sheet
            .sessions
            .iter()
            .map(|(s, subproject)| {
                vec![
                    format!("{} {}", format_date(s.held_on), s.starts_at.format("%H:%M")),
                    subproject.clone(),
                    lang.each(|l| tr(l, s.kind.message_key(), &[])),
                    format_minutes(s.minutes),
                    s.attendees.len().to_string(),
                    s.protocol_on.map(format_date).unwrap_or_else(|| lang.label("print-no-protocol", &[])),
                ]
            })
            .collect();
        flow.table(&columns, &rows, 0.0);
        flow.gap(3.0);
        flow.field(&lang.label("print-meetings", &[]), &m.meetings.to_string());
        flow.field(&lang.label("print-hours", &[]), &format_minutes(m.minutes));
        flow.field(&lang.label("print-without-protocol", &[]), &m.without_protocol.to_string());
        flow.gap(2.0);
        for o in &m.outcomes {
            let mark = match o.verdict {
                Verdict::Pass => "✓",
                Verdict::Warn => "!",
                Verdict::Fail => "✗",
            };
            flow.line(
                &format!("{mark} {}", lang.each(|l| o.text.get(l).to_owned())),
                Style::regular(10.0),
                Align::Left,
            );
        }
        flow.gap(2.0);
        flow.field(&lang.label("print-status", &[]), &lang.each(|l| tr(l, m.status.message_key(), &[])));
        flow.field(
            &lang.label("print-payable", &[]),
            &lang.label(if m.payable { "print-yes" } else { "print-no" }, &[]),
        );
        flow.gap(10.0);
        flow.line(
            &format!("{}: ____________________", lang.label("print-signature-coordinator", &[])),
            Style::regular(10.0),
            Align::Left,
        );
        Ok(flow.finish())
    }

    /// The attendance sheet of one training day, A4 portrait, with a column to sign in.
    pub fn attendance_sheet(&self, sheet: &AttendanceSheet<'_>) -> Result<Printed<'_>, PrintError> {
        let (e, lang) = (sheet.event, sheet.lang);
        let stage = lang.each(|l| tr(l, e.stage.message_key(), &[]));
        let date = e.date_of(sheet.day).map(format_date).unwrap_or_default();
        let title = lang.label("print-attendance-title", &[]);
        let mut flow = Flow::new(&self.fonts, &format!("{title} {stage} {date}"), PORTRAIT, title.clone());
        flow.line(&lang.label("print-programme", &[]), Style::caption(9.0), Align::Centre);
        flow.line(&title, Style::bold(14.0), Align::Centre);
        flow.line(&stage, Style::bold(11.0), Align::Centre);
        flow.gap(3.0);
        flow.field(&lang.label("print-region", &[]), &region_name(lang, sheet.region));
        flow.field(
            &lang.label("print-day", &[]),
            &lang.label(
                "print-day-value",
                &[("day", sheet.day.to_string()), ("days", e.dates.len().to_string()), ("date", date)],
            ),
        );
        flow.field(&lang.label("print-venue", &[]), e.venue.as_deref().unwrap_or_default());
        flow.field(&lang.label("print-trainers", &[]), e.trainers.as_deref().unwrap_or_default());
        flow.field(&lang.label("print-hours-day", &[]), &e.hours_per_day.to_string());
        flow.gap(2.0);
        let columns = [
            Column::centred("№".into(), 0.6),
            Column::new(lang.label("print-full-name", &[]), 3.8),
            Column::new(lang.label("print-iin", &[]), 1.9),
            Column::new(lang.label("print-subproject", &[]), 2.6),
            Column::new(lang.label("print-signature", &[]), 2.2),
        ];
        let rows: Vec<Vec<String>> = sheet
            .people
            .iter()
            .enumerate()
            .map(|(i, p)| {
                vec![
                    (i + 1).to_string(),
                    p.name.clone(),
                    p.iin.clone(),
                    p.group.clone().unwrap_or_default(),
                    String::new(),
                ]
            })
            .collect();
        flow.table(&columns, &rows, 9.0);
        flow.gap(8.0);
        flow.line(
            &format!("{}: ____________________", lang.label("print-signature-trainer", &[])),
            Style::regular(10.0),
            Align::Left,
        );
        Ok(flow.finish())
    }

    /// A host organisation's applications, A4 landscape.
    pub fn application_list(&self, sheet: &ApplicationListSheet<'_>) -> Result<Printed<'_>, PrintError> {
        let lang = sheet.lang;
        let title = lang.label("print-applications-title", &[("cohort", sheet.cohort.to_string())]);
        let mut flow = Flow::new(&self.fonts, &title, LANDSCAPE, title.clone());
        flow.line(&lang.label("print-programme", &[]), Style::caption(9.0), Align::Centre);
        flow.line(&title, Style::bold(14.0), Align::Centre);
        flow.gap(3.0);
        flow.field(
            &lang.label("print-host-org", &[]),
            &format!("{} ({} {})", sheet.host_org, lang.label("print-bin", &[]), sheet.bin),
        );
        flow.field(&lang.label("print-region", &[]), &region_name(lang, sheet.region));
        flow.gap(2.0);
        let columns = [
            Column::centred("№".into(), 0.5),
            Column::new(lang.label("print-subproject", &[]), 3.6),
            Column::new(lang.label("print-direction", &[]), 2.2),
            Column::new(lang.label("print-leader", &[]), 2.6),
            Column::centred(lang.label("print-members", &[]), 1.0),
            Column::centred(lang.label("print-budget", &[]), 1.5),
            Column::new(lang.label("print-status", &[]), 2.4),
        ];
        let rows: Vec<Vec<String>> = sheet
            .applications
            .iter()
            .enumerate()
            .map(|(i, a)| {
                vec![
                    (i + 1).to_string(),
                    a.name.clone(),
                    a.direction.clone(),
                    a.leader.clone(),
                    a.members.to_string(),
                    format_tenge(a.budget_tenge),
                    a.status.clone(),
                ]
            })
            .collect();
        flow.table(&columns, &rows, 0.0);
        flow.gap(3.0);
        let total: i64 = sheet.applications.iter().map(|a| a.budget_tenge).sum();
        flow.field(
            &lang.label("print-total", &[]),
            &lang.label(
                "print-applications-total",
                &[("count", sheet.applications.len().to_string()), ("sum", format_tenge(total))],
            ),
        );
        Ok(flow.finish())
    }

    /// A lottery's result: who drew it and when, the seed, the algorithm, the hashes of the
    /// input and the output, and every group's arm.
    pub fn lottery_result(&self, sheet: &LotterySheet<'_>) -> Result<Printed<'_>, PrintError> {
        let (l, lang) = (sheet.lottery, sheet.lang);
        let title = lang.label("print-lottery-title", &[("cohort", l.cohort.to_string())]);
        let mut flow = Flow::new(&self.fonts, &title, PORTRAIT, title.clone());
        flow.line(&lang.label("print-programme", &[]), Style::caption(9.0), Align::Centre);
        flow.line(&title, Style::bold(14.0), Align::Centre);
        flow.gap(3.0);
        flow.field(&lang.label("print-region", &[]), &region_name(lang, sheet.region));
        flow.field(&lang.label("print-drawn", &[]), &format!("{}, {}", format_date(l.drawn_on), l.drawn_by));
        flow.field(&lang.label("print-seed", &[]), l.draw.seed.as_str());
        flow.field(&lang.label("print-algorithm", &[]), &l.draw.algorithm);
        flow.field(&lang.label("print-input-hash", &[]), &l.draw.input_sha256);
        flow.field(&lang.label("print-output-hash", &[]), &l.draw.output_sha256);
        flow.field(&lang.label("print-rulebook", &[]), &l.rulebook_version);
        if let Some(reason) = &l.reason {
            flow.field(&lang.label("print-redraw-reason", &[]), reason);
        }
        flow.gap(2.0);
        let columns = [
            Column::centred("№".into(), 0.6),
            Column::new(lang.label("print-subproject", &[]), 5.0),
            Column::centred(lang.label("print-arm", &[]), 2.4),
        ];
        let rows: Vec<Vec<String>> = l
            .draw
            .assignments
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let name = sheet.names.get(i).cloned().unwrap_or_else(|| a.application_id.to_string());
                vec![(i + 1).to_string(), name, arm_name(lang, a.arm)]
            })
            .collect();
        flow.table(&columns, &rows, 0.0);
        flow.gap(3.0);
        let count = |arm: Arm| l.draw.assignments.iter().filter(|a| a.arm == arm).count().to_string();
        flow.field(
            &lang.label("print-total", &[]),
            &lang.label(
                "print-lottery-total",
                &[("a", count(Arm::A)), ("b", count(Arm::B)), ("c", count(Arm::C))],
            ),
        );
        flow.gap(2.0);
        flow.line(&lang.label("print-lottery-verify", &[]), Style::caption(8.5), Align::Left);
        flow.gap(8.0);
        flow.line(
            &format!("{}: ____________________", lang.label("print-signature-coordinator", &[])),
            Style::regular(10.0),
            Align::Left,
        );
        Ok(flow.finish())
    }
}
