//! Mentors at work (PROGRAMME.md lines 118-127): certification after phase I, assignment to
//! sub-projects of groups A and C within the load limits, a protocol of every session, and the
//! monthly compliance that decides the mentor's pay.

use crate::codes::code_enum;
use crate::delivery::training::{AttendanceTally, arm_gives_mentor};
use crate::messages::Arg;
use crate::rulebook::{Context, Rulebook};
use crate::rules::{Outcome, RuleCode, Verdict, overall};
use crate::selection::lottery::Arm;
use crate::validation::{
    Checker, FieldError, LONG_TEXT_MAX, ValidationErrors, format_date, optional_text, parse_date, past_date,
    required_text,
};
use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What the certification of a mentor reads (P:118): their stage and phase I attendance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificationFacts {
    /// Selected by the internal commission.
    pub selected: bool,
    /// Days of phase I for mentors attended, of the days held; `None` with no phase I on record.
    pub phase1: Option<AttendanceTally>,
}

/// Whether a mentor completed phase I and may be certified as trainer and mentor (P:118).
pub fn certification(rulebook: &Rulebook, facts: &CertificationFacts) -> Outcome {
    let min = rulebook.certification.attendance_min_percent;
    match (&facts.phase1, facts.selected) {
        (_, false) => {
            Outcome::new(RuleCode::MentorPhase1Completed, Verdict::Fail, "rule-mentor-not-selected", vec![])
        }
        (None, true) => {
            Outcome::new(RuleCode::MentorPhase1Completed, Verdict::Fail, "rule-phase1-not-held", vec![])
        }
        (Some(t), true) => {
            let evidence: Vec<Arg> = vec![
                ("present", t.present.to_string()),
                ("days", t.days.to_string()),
                ("percent", min.to_string()),
            ];
            if t.completes(rulebook) {
                Outcome::new(RuleCode::MentorPhase1Completed, Verdict::Pass, "rule-phase1-attended", evidence)
            } else {
                Outcome::new(
                    RuleCode::MentorPhase1Completed,
                    Verdict::Fail,
                    "rule-phase1-not-attended",
                    evidence,
                )
            }
        }
    }
}

/// A sub-project a mentor accompanies, with its people: what the load rules count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Load {
    /// The application.
    pub application_id: Uuid,
    /// Its group's members.
    pub people: u32,
}

/// What assigning a mentor to a sub-project reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentFacts {
    /// The day the mentor was certified, if they were.
    pub certified_on: Option<NaiveDate>,
    /// The group's arm, if the lottery assigned it.
    pub arm: Option<Arm>,
    /// The sub-projects the mentor already accompanies.
    pub current: Vec<Load>,
    /// The new sub-project's members.
    pub people: u32,
}

/// `MENTOR_CERTIFIED` (P:118): whether the mentor was certified after phase I, and when.
pub fn certified(certified_on: Option<NaiveDate>) -> Outcome {
    match certified_on {
        Some(on) => Outcome::new(
            RuleCode::MentorCertified,
            Verdict::Pass,
            "rule-mentor-certified",
            vec![("on", format_date(on))],
        ),
        None => Outcome::new(RuleCode::MentorCertified, Verdict::Fail, "rule-mentor-not-certified", vec![]),
    }
}

/// Every rule of an assignment (P:118, P:67-71, P:121): the mentor is certified, the group's arm
/// has a mentor, and the mentor stays within 2 sub-projects and 10 people.
pub fn assignment(rulebook: &Rulebook, facts: &AssignmentFacts) -> Vec<Outcome> {
    let m = &rulebook.mentor;
    let certified = certified(facts.certified_on);
    let arm = match facts.arm {
        Some(arm) if arm_gives_mentor(arm) => Outcome::new(
            RuleCode::ArmHasMentor,
            Verdict::Pass,
            "rule-arm-has-mentor",
            vec![("arm", arm.to_string())],
        ),
        Some(arm) => Outcome::new(
            RuleCode::ArmHasMentor,
            Verdict::Fail,
            "rule-arm-no-mentor",
            vec![("arm", arm.to_string())],
        ),
        None => Outcome::new(RuleCode::ArmHasMentor, Verdict::Fail, "rule-arm-not-drawn", vec![]),
    };
    let count = facts.current.len() as u32 + 1;
    let subprojects = Outcome::new(
        RuleCode::MentorMaxSubprojects,
        if count <= m.max_subprojects { Verdict::Pass } else { Verdict::Fail },
        if count <= m.max_subprojects {
            "rule-mentor-subprojects-within"
        } else {
            "rule-mentor-subprojects-over"
        },
        vec![("count", count.to_string()), ("max", m.max_subprojects.to_string())],
    );
    let people = facts.current.iter().map(|l| l.people).sum::<u32>() + facts.people;
    let people = Outcome::new(
        RuleCode::MentorMaxPeople,
        if people <= m.max_people { Verdict::Pass } else { Verdict::Fail },
        if people <= m.max_people { "rule-mentor-people-within" } else { "rule-mentor-people-over" },
        vec![("count", people.to_string()), ("max", m.max_people.to_string())],
    );
    vec![certified, arm, subprojects, people]
}

/// A mentor accompanying a sub-project, from a day until, perhaps, a day.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentorAssignment {
    /// The programme year.
    pub cohort: i32,
    /// The region of the sub-project and the mentor.
    pub region: String,
    /// The mentor.
    pub mentor_id: Uuid,
    /// The sub-project's application.
    pub application_id: Uuid,
    /// From when.
    pub assigned_on: NaiveDate,
    /// Until when, once it ended.
    pub ended_on: Option<NaiveDate>,
    /// Why it ended.
    pub end_reason: Option<String>,
}

code_enum! {
    /// Whether a session was with the group or one of its members.
    SessionKind, "session-kind" {
        /// With the group.
        Group = "group",
        /// With one participant.
        Individual = "individual",
    }
}

/// A session of a mentor with a group or one of its members, and its protocol (P:123-124). The
/// session may be recorded first and its protocol written after; until then it has none.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentorSession {
    /// The programme year.
    pub cohort: i32,
    /// The region.
    pub region: String,
    /// The mentor.
    pub mentor_id: Uuid,
    /// The sub-project.
    pub application_id: Uuid,
    /// The day.
    pub held_on: NaiveDate,
    /// When it started (local time).
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub starts_at: NaiveTime,
    /// How long, in minutes.
    pub minutes: u32,
    /// Group or individual.
    pub kind: SessionKind,
    /// The participants who came.
    pub attendees: Vec<Uuid>,
    /// Topics discussed (the protocol).
    pub topics: Option<String>,
    /// Problems raised.
    pub problems: Option<String>,
    /// Next steps agreed.
    pub next_steps: Option<String>,
    /// The mentor's own notes.
    pub notes: Option<String>,
    /// The day the protocol was written; none until it is.
    pub protocol_on: Option<NaiveDate>,
}

impl MentorSession {
    /// Whether the session's protocol is written.
    pub fn has_protocol(&self) -> bool {
        self.protocol_on.is_some()
    }
}

/// A session as typed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentorSessionInput {
    /// The sub-project's application id.
    pub application_id: String,
    /// The day, as typed.
    pub held_on: String,
    /// The start, `HH:MM`.
    pub starts_at: String,
    /// Length: minutes, or hours and minutes `H:MM`.
    pub length: String,
    /// `group` or `individual`.
    pub kind: String,
    /// Ids of the participants who came.
    pub attendees: Vec<String>,
    /// Topics (the protocol; empty when it is written later).
    pub topics: Option<String>,
    /// Problems raised.
    pub problems: Option<String>,
    /// Next steps agreed.
    pub next_steps: Option<String>,
    /// Notes.
    pub notes: Option<String>,
}

/// Reads a length as typed: minutes (`90`) or hours and minutes (`1:30`, `2ч`, `2h`).
pub fn parse_minutes(field: &'static str, value: &str) -> Result<u32, FieldError> {
    let typed = value.trim();
    let bad = || FieldError::new(field, "error-length-format").arg("value", typed);
    let minutes = if let Some((h, m)) = typed.split_once(':') {
        let h: u32 = h.trim().parse().map_err(|_| bad())?;
        let m: u32 = m.trim().parse().map_err(|_| bad())?;
        if m >= 60 {
            return Err(bad());
        }
        h * 60 + m
    } else if let Some(h) = typed.strip_suffix(['h', 'ч', 'с']) {
        h.trim().parse::<u32>().map_err(|_| bad())? * 60
    } else {
        typed.parse::<u32>().map_err(|_| bad())?
    };
    if (1..=12 * 60).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(FieldError::new(field, "error-session-length").arg("max", 12))
    }
}

/// The members of a sub-project's group a session may name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSubject {
    /// The application.
    pub application_id: Uuid,
    /// Its region.
    pub region: String,
    /// Its members' person ids.
    pub members: Vec<Uuid>,
}

impl MentorSessionInput {
    /// Checks every field against the sub-project the mentor accompanies; the protocol is written
    /// when topics and next steps are given.
    pub fn validate(
        &self,
        ctx: &Context<'_>,
        mentor_id: Uuid,
        subject: &SessionSubject,
    ) -> Result<MentorSession, ValidationErrors> {
        let mut check = Checker::new();
        let held_on =
            check.take(parse_date("held_on", &self.held_on).and_then(|d| past_date("held_on", d, ctx.today)));
        let starts_at = check.take(NaiveTime::parse_from_str(self.starts_at.trim(), "%H:%M").map_err(|_| {
            FieldError::new("starts_at", "error-time-format").arg("value", self.starts_at.trim())
        }));
        let minutes = check.take(parse_minutes("length", &self.length));
        let kind = check.take(SessionKind::parse("kind", &self.kind));
        let mut attendees = Vec::new();
        for typed in &self.attendees {
            match Uuid::parse_str(typed.trim()) {
                Ok(id) if subject.members.contains(&id) => {
                    if !attendees.contains(&id) {
                        attendees.push(id);
                    }
                }
                _ => check.push(
                    FieldError::new("attendees", "error-attendee-not-member").arg("value", typed.trim()),
                ),
            }
        }
        if attendees.is_empty() && !check.failed("attendees") {
            check.push(FieldError::new("attendees", "error-required"));
        }
        if kind == Some(SessionKind::Individual) && attendees.len() > 1 {
            check.push(FieldError::new("attendees", "error-individual-one"));
        }
        let topics = check.take(optional_text("topics", self.topics.as_deref(), LONG_TEXT_MAX));
        let problems = check.take(optional_text("problems", self.problems.as_deref(), LONG_TEXT_MAX));
        let next_steps = check.take(optional_text("next_steps", self.next_steps.as_deref(), LONG_TEXT_MAX));
        let notes = check.take(optional_text("notes", self.notes.as_deref(), LONG_TEXT_MAX));
        // A protocol names at least what was discussed and what was agreed (P:123-124).
        let protocol = match (&topics, &next_steps) {
            (Some(Some(_)), Some(Some(_))) => true,
            (Some(None), Some(None)) => false,
            (Some(None), Some(Some(_))) => {
                check.push(FieldError::new("topics", "error-protocol-incomplete"));
                false
            }
            (Some(Some(_)), Some(None)) => {
                check.push(FieldError::new("next_steps", "error-protocol-incomplete"));
                false
            }
            _ => false,
        };
        check.finish()?;
        match (held_on, starts_at, minutes, kind, topics, problems, next_steps, notes) {
            (
                Some(held_on),
                Some(starts_at),
                Some(minutes),
                Some(kind),
                Some(topics),
                Some(problems),
                Some(next_steps),
                Some(notes),
            ) => Ok(MentorSession {
                cohort: ctx.rulebook.cohort,
                region: subject.region.clone(),
                mentor_id,
                application_id: subject.application_id,
                held_on,
                starts_at,
                minutes,
                kind,
                attendees,
                topics,
                problems,
                next_steps,
                notes,
                protocol_on: protocol.then_some(ctx.today),
            }),
            _ => Err(ValidationErrors::one(FieldError::new("held_on", "error-required"))),
        }
    }
}

/// The protocol of a session written after it, as typed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtocolInput {
    /// Topics discussed.
    pub topics: String,
    /// Problems raised.
    pub problems: Option<String>,
    /// Next steps agreed.
    pub next_steps: String,
    /// The mentor's notes.
    pub notes: Option<String>,
}

impl ProtocolInput {
    /// `session` with this protocol, written `today` (a correction keeps the first day).
    pub fn apply(
        &self,
        session: &MentorSession,
        today: NaiveDate,
    ) -> Result<MentorSession, ValidationErrors> {
        let mut check = Checker::new();
        let topics = check.take(required_text("topics", &self.topics, LONG_TEXT_MAX));
        let problems = check.take(optional_text("problems", self.problems.as_deref(), LONG_TEXT_MAX));
        let next_steps = check.take(required_text("next_steps", &self.next_steps, LONG_TEXT_MAX));
        let notes = check.take(optional_text("notes", self.notes.as_deref(), LONG_TEXT_MAX));
        check.finish()?;
        Ok(MentorSession {
            topics,
            problems: problems.flatten(),
            next_steps,
            notes: notes.flatten(),
            protocol_on: Some(session.protocol_on.unwrap_or(today)),
            ..session.clone()
        })
    }
}

code_enum! {
    /// Where a mentor's month stands.
    ComplianceStatus, "compliance" {
        /// Every condition holds: the month is paid.
        Compliant = "compliant",
        /// The month is not over and a condition does not hold yet.
        InProgress = "in_progress",
        /// The month is over and a condition does not hold: not paid.
        NotCompliant = "not_compliant",
    }
}

/// A mentor's month against the contract's conditions (P:121-127).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyCompliance {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// Sessions held.
    pub meetings: u32,
    /// Minutes of sessions.
    pub minutes: u32,
    /// Sessions without a protocol.
    pub without_protocol: u32,
    /// Each sub-project the mentor accompanied that month, with its meetings.
    pub groups: Vec<GroupMonth>,
    /// Each condition's outcome.
    pub outcomes: Vec<Outcome>,
    /// Where the month stands.
    pub status: ComplianceStatus,
    /// Whether the month's pay is due: the month is over and compliant.
    pub payable: bool,
}

/// One sub-project's month with its mentor.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMonth {
    /// The sub-project.
    pub application_id: Uuid,
    /// The mentor's sessions with it (with the group or one of its members).
    pub meetings: u32,
    /// At least the rulebook's meetings a month.
    pub enough: bool,
}

/// Hours and minutes as people read them: `19:30`.
pub fn format_minutes(minutes: u32) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

/// The conditions of one mentor's month: at least 2 meetings (with each sub-project accompanied
/// that month, `groups`, where the rulebook counts them so, P:121-122), at least 20 hours, a
/// protocol of every session. `sessions` are the mentor's sessions of that month; a month that is
/// not over on `today` is in progress while a condition does not hold yet.
pub fn monthly_compliance(
    rulebook: &Rulebook,
    year: i32,
    month: u32,
    sessions: &[&MentorSession],
    groups: &[Uuid],
    today: NaiveDate,
) -> MonthlyCompliance {
    let m = &rulebook.mentor;
    let meetings = sessions.len() as u32;
    let minutes: u32 = sessions.iter().map(|s| s.minutes).sum();
    let without_protocol = sessions.iter().filter(|s| !s.has_protocol()).count() as u32;
    let verdict = |holds: bool| if holds { Verdict::Pass } else { Verdict::Fail };
    let groups: Vec<GroupMonth> = groups
        .iter()
        .map(|&application_id| {
            let meetings = sessions.iter().filter(|s| s.application_id == application_id).count() as u32;
            GroupMonth { application_id, meetings, enough: meetings >= m.meetings_per_month_min }
        })
        .collect();
    let meetings_outcome = if m.meetings_per_subproject && !groups.is_empty() {
        let short = groups.iter().filter(|g| !g.enough).count();
        let fewest = groups.iter().map(|g| g.meetings).min().unwrap_or_default();
        Outcome::new(
            RuleCode::MentorMeetingsPerMonth,
            verdict(short == 0),
            if short == 0 { "rule-meetings-each-enough" } else { "rule-meetings-each-short" },
            vec![
                ("groups", groups.len().to_string()),
                ("short", short.to_string()),
                ("fewest", fewest.to_string()),
                ("min", m.meetings_per_month_min.to_string()),
            ],
        )
    } else {
        Outcome::new(
            RuleCode::MentorMeetingsPerMonth,
            verdict(meetings >= m.meetings_per_month_min),
            if meetings >= m.meetings_per_month_min { "rule-meetings-enough" } else { "rule-meetings-short" },
            vec![("count", meetings.to_string()), ("min", m.meetings_per_month_min.to_string())],
        )
    };
    let outcomes = vec![
        meetings_outcome,
        Outcome::new(
            RuleCode::MentorHoursPerMonth,
            verdict(minutes >= m.hours_per_month_min * 60),
            if minutes >= m.hours_per_month_min * 60 { "rule-hours-enough" } else { "rule-hours-short" },
            vec![("hours", format_minutes(minutes)), ("min", m.hours_per_month_min.to_string())],
        ),
        Outcome::new(
            RuleCode::MentorProtocols,
            verdict(without_protocol == 0),
            if without_protocol == 0 { "rule-protocols-all" } else { "rule-protocols-missing" },
            vec![("count", without_protocol.to_string()), ("sessions", meetings.to_string())],
        ),
    ];
    let holds = overall(&outcomes) != Verdict::Fail;
    let last_day = NaiveDate::from_ymd_opt(year, month, 1)
        .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
        .and_then(|d| d.pred_opt());
    let over = last_day.is_some_and(|last| today > last);
    let status = match (holds, over) {
        (true, _) => ComplianceStatus::Compliant,
        (false, false) => ComplianceStatus::InProgress,
        (false, true) => ComplianceStatus::NotCompliant,
    };
    MonthlyCompliance {
        month: format!("{year:04}-{month:02}"),
        meetings,
        minutes,
        without_protocol,
        groups,
        outcomes,
        status,
        payable: holds && over,
    }
}

/// The months a mentor's compliance is shown for: every month of phase II that has begun by
/// `today`, and any other month with a session, in order.
pub fn compliance_months(
    rulebook: &Rulebook,
    sessions: &[MentorSession],
    today: NaiveDate,
) -> Vec<(i32, u32)> {
    let mut months: Vec<(i32, u32)> =
        sessions.iter().map(|s| (s.held_on.year(), s.held_on.month())).collect();
    if let Some((start, end)) = crate::delivery::training::phase2(rulebook) {
        let mut day = start;
        while day <= end && day <= today {
            months.push((day.year(), day.month()));
            match day.checked_add_months(chrono::Months::new(1)) {
                Some(next) => day = next,
                None => break,
            }
        }
    }
    months.sort_unstable();
    months.dedup();
    months
}

/// Every month of a mentor: the compliance of each month [`compliance_months`] lists, with the
/// sub-projects the mentor accompanied in it (an assignment that covers a day of the month, or a
/// session with the sub-project that month).
pub fn compliance(
    rulebook: &Rulebook,
    sessions: &[MentorSession],
    assignments: &[MentorAssignment],
    today: NaiveDate,
) -> Vec<MonthlyCompliance> {
    compliance_months(rulebook, sessions, today)
        .into_iter()
        .map(|(year, month)| {
            let of_month: Vec<&MentorSession> =
                sessions.iter().filter(|s| s.held_on.year() == year && s.held_on.month() == month).collect();
            let first = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(today);
            let last =
                first.checked_add_months(chrono::Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(first);
            let mut groups: Vec<Uuid> = assignments
                .iter()
                .filter(|a| a.assigned_on <= last && a.ended_on.is_none_or(|end| end >= first))
                .map(|a| a.application_id)
                .chain(of_month.iter().map(|s| s.application_id))
                .collect();
            groups.sort_unstable();
            groups.dedup();
            monthly_compliance(rulebook, year, month, &of_month, &groups, today)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn session(day: u32, minutes: u32, protocol: bool) -> MentorSession {
        MentorSession {
            cohort: 2017,
            region: "190000000".into(),
            mentor_id: Uuid::nil(),
            application_id: Uuid::nil(),
            held_on: d(2017, 8, day),
            starts_at: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            minutes,
            kind: SessionKind::Group,
            attendees: vec![Uuid::nil()],
            topics: protocol.then(|| "Бюджет".to_owned()),
            problems: None,
            next_steps: protocol.then(|| "Есеп".to_owned()),
            notes: None,
            protocol_on: protocol.then(|| d(2017, 8, day)),
        }
    }

    fn august(sessions: &[MentorSession], today: NaiveDate) -> MonthlyCompliance {
        let refs: Vec<&MentorSession> = sessions.iter().collect();
        monthly_compliance(&Rulebook::pilot_2017(), 2017, 8, &refs, &[], today)
    }

    fn verdict(c: &MonthlyCompliance, code: RuleCode) -> Verdict {
        c.outcomes.iter().find(|o| o.code == code).unwrap().verdict
    }

    #[test]
    fn one_meeting_is_short_two_are_enough() {
        let one = august(&[session(3, 1200, true)], d(2017, 9, 1));
        assert_eq!(verdict(&one, RuleCode::MentorMeetingsPerMonth), Verdict::Fail);
        assert_eq!(one.status, ComplianceStatus::NotCompliant);
        assert!(!one.payable);
        let two = august(&[session(3, 600, true), session(17, 600, true)], d(2017, 9, 1));
        assert_eq!(verdict(&two, RuleCode::MentorMeetingsPerMonth), Verdict::Pass);
        assert_eq!(two.status, ComplianceStatus::Compliant);
        assert!(two.payable);
    }

    #[test]
    fn nineteen_and_a_half_hours_are_short_twenty_are_enough() {
        let short = august(&[session(3, 600, true), session(17, 570, true)], d(2017, 9, 1));
        assert_eq!(verdict(&short, RuleCode::MentorHoursPerMonth), Verdict::Fail);
        assert_eq!(short.outcomes[1].evidence["hours"], "19:30");
        assert!(short.outcomes[1].text.en.contains("19:30"), "{}", short.outcomes[1].text.en);
        let enough = august(&[session(3, 600, true), session(17, 600, true)], d(2017, 9, 1));
        assert_eq!(verdict(&enough, RuleCode::MentorHoursPerMonth), Verdict::Pass);
    }

    #[test]
    fn two_meetings_with_each_sub_project_not_two_in_all() {
        let (first, second) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let with = |day: u32, app: Uuid| MentorSession { application_id: app, ..session(day, 600, true) };
        let month = |sessions: &[MentorSession], rb: &Rulebook| {
            let refs: Vec<&MentorSession> = sessions.iter().collect();
            monthly_compliance(rb, 2017, 8, &refs, &[first, second], d(2017, 9, 1))
        };
        let rb = Rulebook::pilot_2017();
        // Two meetings in all, both with the first group: the second had none.
        let lopsided = month(&[with(3, first), with(17, first)], &rb);
        assert_eq!(verdict(&lopsided, RuleCode::MentorMeetingsPerMonth), Verdict::Fail);
        assert_eq!(
            lopsided.groups.iter().map(|g| (g.meetings, g.enough)).collect::<Vec<_>>(),
            [(2, true), (0, false)]
        );
        assert_eq!(lopsided.outcomes[0].message, "rule-meetings-each-short");
        assert!(lopsided.outcomes[0].text.en.contains("1 of 2"), "{}", lopsided.outcomes[0].text.en);
        // One more with the second group is still short; two with each are enough.
        let short = month(&[with(3, first), with(17, first), with(5, second)], &rb);
        assert_eq!(verdict(&short, RuleCode::MentorMeetingsPerMonth), Verdict::Fail);
        let even = month(&[with(3, first), with(17, first), with(5, second), with(19, second)], &rb);
        assert_eq!(verdict(&even, RuleCode::MentorMeetingsPerMonth), Verdict::Pass);
        // Rulebook 2017-pilot.3 counted them together.
        let three = Rulebook::built_in("2017-pilot.3").unwrap();
        assert_eq!(
            verdict(&month(&[with(3, first), with(17, first)], &three), RuleCode::MentorMeetingsPerMonth),
            Verdict::Pass
        );
    }

    #[test]
    fn a_session_without_protocol_fails_the_month() {
        let c = august(&[session(3, 600, true), session(17, 600, false)], d(2017, 9, 1));
        assert_eq!(verdict(&c, RuleCode::MentorProtocols), Verdict::Fail);
        assert_eq!(c.without_protocol, 1);
        assert_eq!(c.status, ComplianceStatus::NotCompliant);
    }

    #[test]
    fn a_month_not_over_is_in_progress_until_it_holds() {
        let c = august(&[session(3, 600, true)], d(2017, 8, 31));
        assert_eq!(c.status, ComplianceStatus::InProgress);
        assert!(!c.payable);
        let c = august(&[session(3, 600, true), session(10, 600, true)], d(2017, 8, 31));
        assert_eq!(c.status, ComplianceStatus::Compliant);
        // Compliant so far, paid once the month is over.
        assert!(!c.payable);
    }

    #[test]
    fn phase_two_months_are_listed_as_they_begin() {
        let r = Rulebook::pilot_2017();
        assert_eq!(compliance_months(&r, &[], d(2017, 6, 30)), vec![]);
        assert_eq!(compliance_months(&r, &[], d(2017, 8, 1)), vec![(2017, 7), (2017, 8)]);
        assert_eq!(compliance_months(&r, &[], d(2018, 3, 1)).len(), 5);
        assert_eq!(
            compliance_months(&r, &[session(3, 60, true)], d(2017, 7, 15)),
            vec![(2017, 7), (2017, 8)]
        );
    }

    fn facts(current: &[u32], people: u32) -> AssignmentFacts {
        AssignmentFacts {
            certified_on: Some(d(2017, 7, 12)),
            arm: Some(Arm::A),
            current: current.iter().map(|p| Load { application_id: Uuid::now_v7(), people: *p }).collect(),
            people,
        }
    }

    fn assignment_verdict(facts: &AssignmentFacts, code: RuleCode) -> Verdict {
        assignment(&Rulebook::pilot_2017(), facts).into_iter().find(|o| o.code == code).unwrap().verdict
    }

    #[test]
    fn a_second_sub_project_is_allowed_a_third_refused() {
        assert_eq!(assignment_verdict(&facts(&[3], 3), RuleCode::MentorMaxSubprojects), Verdict::Pass);
        assert_eq!(assignment_verdict(&facts(&[3, 3], 3), RuleCode::MentorMaxSubprojects), Verdict::Fail);
    }

    #[test]
    fn ten_people_are_allowed_eleven_refused() {
        assert_eq!(assignment_verdict(&facts(&[5], 5), RuleCode::MentorMaxPeople), Verdict::Pass);
        assert_eq!(assignment_verdict(&facts(&[5], 6), RuleCode::MentorMaxPeople), Verdict::Fail);
        let over = assignment(&Rulebook::pilot_2017(), &facts(&[5], 6));
        assert!(over[3].text.en.contains("11"), "{}", over[3].text.en);
    }

    #[test]
    fn group_b_has_no_mentor_and_an_uncertified_mentor_none_to_give() {
        let b = AssignmentFacts { arm: Some(Arm::B), ..facts(&[], 3) };
        assert_eq!(assignment_verdict(&b, RuleCode::ArmHasMentor), Verdict::Fail);
        let c = AssignmentFacts { arm: Some(Arm::C), ..facts(&[], 3) };
        assert_eq!(assignment_verdict(&c, RuleCode::ArmHasMentor), Verdict::Pass);
        let none = AssignmentFacts { certified_on: None, ..facts(&[], 3) };
        assert_eq!(assignment_verdict(&none, RuleCode::MentorCertified), Verdict::Fail);
    }

    #[test]
    fn phase_one_completes_at_eighty_percent() {
        let r = Rulebook::pilot_2017();
        let f = |present, selected| CertificationFacts {
            selected,
            phase1: Some(AttendanceTally { present, days: 6 }),
        };
        assert_eq!(certification(&r, &f(5, true)).verdict, Verdict::Pass);
        assert_eq!(certification(&r, &f(4, true)).verdict, Verdict::Fail);
        assert_eq!(certification(&r, &f(6, false)).verdict, Verdict::Fail);
        assert_eq!(
            certification(&r, &CertificationFacts { selected: true, phase1: None }).verdict,
            Verdict::Fail
        );
    }

    #[test]
    fn lengths_read_as_minutes_or_hours() {
        assert_eq!(parse_minutes("length", "90"), Ok(90));
        assert_eq!(parse_minutes("length", "1:30"), Ok(90));
        assert_eq!(parse_minutes("length", "2ч"), Ok(120));
        assert_eq!(parse_minutes("length", "1:75").unwrap_err().key, "error-length-format");
        assert_eq!(parse_minutes("length", "0").unwrap_err().key, "error-session-length");
        assert_eq!(parse_minutes("length", "13:00").unwrap_err().key, "error-session-length");
    }

    #[test]
    fn a_session_names_members_only_and_a_protocol_both_topics_and_steps() {
        let rulebook = Rulebook::pilot_2017();
        let ctx = Context { rulebook: &rulebook, today: d(2017, 8, 20) };
        let member = Uuid::now_v7();
        let subject = SessionSubject {
            application_id: Uuid::now_v7(),
            region: "190000000".into(),
            members: vec![member],
        };
        let input = MentorSessionInput {
            application_id: subject.application_id.to_string(),
            held_on: "18.08.2017".into(),
            starts_at: "15:00".into(),
            length: "2:30".into(),
            kind: "group".into(),
            attendees: vec![member.to_string()],
            topics: Some("Бюджетті түзету".into()),
            problems: None,
            next_steps: Some("Сатып алу тізімі".into()),
            notes: None,
        };
        let s = input.validate(&ctx, Uuid::now_v7(), &subject).unwrap();
        assert_eq!((s.minutes, s.protocol_on), (150, Some(d(2017, 8, 20))));
        let later = MentorSessionInput { topics: None, next_steps: None, ..input.clone() }
            .validate(&ctx, Uuid::now_v7(), &subject)
            .unwrap();
        assert!(!later.has_protocol());
        let written =
            ProtocolInput {
                topics: "Бюджет".into(), next_steps: "Есеп".into(), ..Default::default()
            }
            .apply(&later, d(2017, 8, 21))
            .unwrap();
        assert_eq!(written.protocol_on, Some(d(2017, 8, 21)));
        let bad = MentorSessionInput {
            held_on: "21.08.2017".into(),
            starts_at: "25:00".into(),
            attendees: vec![Uuid::now_v7().to_string()],
            next_steps: None,
            ..input
        };
        let err = bad.validate(&ctx, Uuid::now_v7(), &subject).unwrap_err();
        for field in ["held_on", "starts_at", "attendees", "next_steps"] {
            assert!(err.has(field), "{field}: {err}");
        }
    }
}
