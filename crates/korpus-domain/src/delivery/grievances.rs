//! The feedback and grievance mechanism (PROGRAMME.md lines 147-149): every complaint, question or
//! suggestion, and every violation a mentor reports (P:124), is recorded, acknowledged, assigned,
//! resolved and closed, with its dates and deadlines in working days, so that none is lost. None is
//! ever removed; a closed one can be reopened.

use crate::codes::code_enum;
use crate::rulebook::{Context, Rulebook};
use crate::validation::{
    Checker, FieldError, LONG_TEXT_MAX, SHORT_TEXT_MAX, ValidationErrors, format_date, optional_text,
    parse_date, past_date, person_name, required_text,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

code_enum! {
    /// What the person brings.
    GrievanceKind, "grievance-kind" {
        /// A complaint.
        Complaint = "complaint",
        /// A question.
        Question = "question",
        /// A suggestion.
        Suggestion = "suggestion",
        /// A mentor's report of a violation or a threat to a sub-project (P:124).
        ViolationReport = "violation_report",
    }
}

code_enum! {
    /// How it reached the programme.
    Channel, "channel" {
        /// In person, to the coordinator.
        InPerson = "in_person",
        /// By telephone.
        Phone = "phone",
        /// By e-mail.
        Email = "email",
        /// By letter.
        Letter = "letter",
        /// Through a feedback box.
        Box = "box",
        /// Through the programme's website or social networks.
        Online = "online",
        /// From a mentor.
        Mentor = "mentor",
    }
}

code_enum! {
    /// What it is about.
    GrievanceCategory, "grievance-category" {
        /// Selection: screening, commission, lottery.
        Selection = "selection",
        /// Training and its organisation.
        Training = "training",
        /// Mentors and sessions.
        Mentoring = "mentoring",
        /// Grants and payments.
        Money = "money",
        /// A host organisation.
        HostOrg = "host_org",
        /// Conduct of staff or participants.
        Conduct = "conduct",
        /// Anything else.
        Other = "other",
    }
}

code_enum! {
    /// Where a grievance stands.
    GrievanceStatus, "grievance-status" {
        /// Recorded, not yet acknowledged to the person.
        Received = "received",
        /// The person was told it was received.
        Acknowledged = "acknowledged",
        /// Someone is responsible for it.
        Assigned = "assigned",
        /// A resolution was given.
        Resolved = "resolved",
        /// Closed.
        Closed = "closed",
    }
}

code_enum! {
    /// A step in a grievance's history.
    GrievanceStep, "grievance-step" {
        /// Acknowledged to the person.
        Acknowledge = "acknowledge",
        /// Given to someone responsible.
        Assign = "assign",
        /// Resolved, with the resolution.
        Resolve = "resolve",
        /// Closed.
        Close = "close",
        /// Opened again after it was resolved or closed.
        Reopen = "reopen",
    }
}

/// One grievance, as it stands now. Its history is in [`GrievanceAction`]s.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grievance {
    /// The programme year.
    pub cohort: i32,
    /// The region it concerns.
    pub region: String,
    /// The day it was received.
    pub received_on: NaiveDate,
    /// How.
    pub channel: Channel,
    /// What kind.
    pub kind: GrievanceKind,
    /// About what.
    pub category: GrievanceCategory,
    /// Whether the person did not give their name.
    pub anonymous: bool,
    /// Who, unless anonymous.
    pub from_name: Option<String>,
    /// How to answer them (phone, address), if they gave it.
    pub from_contact: Option<String>,
    /// The sub-project concerned, if one.
    pub application_id: Option<Uuid>,
    /// The mentor who reported it, for a mentor's report.
    pub mentor_id: Option<Uuid>,
    /// What they said.
    pub text: String,
    /// Where it stands.
    pub status: GrievanceStatus,
    /// When it was acknowledged.
    pub acknowledged_on: Option<NaiveDate>,
    /// Who is responsible.
    pub assigned_to: Option<String>,
    /// When it was resolved.
    pub resolved_on: Option<NaiveDate>,
    /// The resolution given.
    pub resolution: Option<String>,
    /// When it was closed.
    pub closed_on: Option<NaiveDate>,
    /// When it was last reopened: the resolution deadline counts from then.
    pub reopened_on: Option<NaiveDate>,
}

impl Grievance {
    /// Whether the dates and fields agree with the status, as the steps leave them: what HQ checks
    /// of every grievance a desk sends.
    pub fn check(&self) -> Result<(), String> {
        use GrievanceStatus as S;
        let resolved = self.resolved_on.is_some() && self.resolution.is_some();
        let problem = if self.anonymous && self.from_name.is_some() {
            Some("an anonymous grievance has no name")
        } else if (self.status >= S::Acknowledged) != self.acknowledged_on.is_some() {
            Some("acknowledged_on does not agree with the status")
        } else if self.status == S::Assigned && self.assigned_to.is_none() {
            Some("an assigned grievance names whom it is assigned to")
        } else if (self.status >= S::Resolved) != resolved
            || (self.status < S::Resolved && (self.resolved_on.is_some() || self.resolution.is_some()))
        {
            Some("resolved_on and resolution do not agree with the status")
        } else if (self.status == S::Closed) != self.closed_on.is_some() {
            Some("closed_on does not agree with the status")
        } else if [self.acknowledged_on, self.resolved_on, self.closed_on, self.reopened_on]
            .into_iter()
            .flatten()
            .any(|d| d < self.received_on)
        {
            Some("a date lies before the day it was received")
        } else {
            None
        };
        problem.map_or(Ok(()), |p| Err(p.to_owned()))
    }
}

/// One step of a grievance's history: recorded once, never changed nor removed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrievanceAction {
    /// The programme year.
    pub cohort: i32,
    /// The grievance's region.
    pub region: String,
    /// The grievance.
    pub grievance_id: Uuid,
    /// What was done.
    pub step: GrievanceStep,
    /// On what day.
    pub taken_on: NaiveDate,
    /// By whom.
    pub taken_by: String,
    /// The person assigned, the resolution, or why it was reopened.
    pub note: Option<String>,
}

/// A grievance as typed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrievanceInput {
    /// The day received, as typed.
    pub received_on: String,
    /// Channel code.
    pub channel: String,
    /// Kind code.
    pub kind: String,
    /// Category code.
    pub category: String,
    /// Anonymous.
    pub anonymous: bool,
    /// Name, unless anonymous.
    pub from_name: Option<String>,
    /// Contact.
    pub from_contact: Option<String>,
    /// What they said.
    pub text: String,
}

impl GrievanceInput {
    /// Checks every field; the grievance starts as received. The region, the sub-project and the
    /// mentor come from where it was recorded.
    pub fn validate(
        &self,
        ctx: &Context<'_>,
        region: &str,
        application_id: Option<Uuid>,
        mentor_id: Option<Uuid>,
    ) -> Result<Grievance, ValidationErrors> {
        let mut check = Checker::new();
        let received_on = check.take(
            parse_date("received_on", &self.received_on).and_then(|d| past_date("received_on", d, ctx.today)),
        );
        let channel = check.take(Channel::parse("channel", &self.channel));
        let kind = check.take(GrievanceKind::parse("kind", &self.kind));
        let category = check.take(GrievanceCategory::parse("category", &self.category));
        let from_name = match (self.anonymous, self.from_name.as_deref().map(str::trim)) {
            (true, Some(n)) if !n.is_empty() => {
                check.push(FieldError::new("from_name", "error-anonymous-named"));
                None
            }
            (true, _) => Some(None),
            (false, None | Some("")) => {
                check.push(FieldError::new("from_name", "error-name-or-anonymous"));
                None
            }
            (false, Some(n)) => check.take(person_name("from_name", n).map(Some)),
        };
        let from_contact =
            check.take(optional_text("from_contact", self.from_contact.as_deref(), SHORT_TEXT_MAX));
        let text = check.take(required_text("text", &self.text, LONG_TEXT_MAX));
        if kind == Some(GrievanceKind::ViolationReport) && mentor_id.is_none() {
            check.push(FieldError::new("kind", "error-violation-from-mentor"));
        }
        check.finish()?;
        match (received_on, channel, kind, category, from_name, from_contact, text) {
            (
                Some(received_on),
                Some(channel),
                Some(kind),
                Some(category),
                Some(from_name),
                Some(from_contact),
                Some(text),
            ) => Ok(Grievance {
                cohort: ctx.rulebook.cohort,
                region: region.to_owned(),
                received_on,
                channel,
                kind,
                category,
                anonymous: self.anonymous,
                from_name,
                from_contact,
                application_id,
                mentor_id,
                text,
                status: GrievanceStatus::Received,
                acknowledged_on: None,
                assigned_to: None,
                resolved_on: None,
                resolution: None,
                closed_on: None,
                reopened_on: None,
            }),
            _ => Err(ValidationErrors::one(FieldError::new("text", "error-required"))),
        }
    }
}

/// A step as typed: the day and the note (whom to assign, the resolution, why reopened).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrievanceStepInput {
    /// Step code.
    pub step: String,
    /// The day, as typed.
    pub taken_on: String,
    /// The assignee, the resolution, or the reason to reopen.
    pub note: Option<String>,
}

/// Whether a grievance at `from` may take `step`.
pub fn step_allowed(from: GrievanceStatus, step: GrievanceStep) -> bool {
    use GrievanceStatus as S;
    use GrievanceStep as T;
    matches!(
        (from, step),
        (S::Received, T::Acknowledge)
            | (S::Received | S::Acknowledged | S::Assigned, T::Assign)
            | (S::Acknowledged | S::Assigned, T::Resolve)
            | (S::Resolved, T::Close)
            | (S::Resolved | S::Closed, T::Reopen)
    )
}

impl GrievanceStepInput {
    /// Checks the step against the grievance as it stands and gives the grievance after it and
    /// the history entry, made `by` the author.
    pub fn apply(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        grievance: &Grievance,
        by: &str,
    ) -> Result<(Grievance, GrievanceAction), ValidationErrors> {
        let (step, on) = self.step_on(ctx, grievance)?;
        let note = self.note(step).map_err(ValidationErrors::one)?;
        let next = grievance.after(step, on, note.clone());
        let action = GrievanceAction {
            cohort: grievance.cohort,
            region: grievance.region.clone(),
            grievance_id: id,
            step,
            taken_on: on,
            taken_by: by.to_owned(),
            note,
        };
        Ok((next, action))
    }

    /// The step and its day: a step the grievance's status allows, not before its latest step.
    fn step_on(
        &self,
        ctx: &Context<'_>,
        grievance: &Grievance,
    ) -> Result<(GrievanceStep, NaiveDate), ValidationErrors> {
        let mut check = Checker::new();
        let step = check.take(GrievanceStep::parse("step", &self.step));
        let on = check
            .take(parse_date("taken_on", &self.taken_on).and_then(|d| past_date("taken_on", d, ctx.today)));
        check.finish()?;
        let (Some(step), Some(on)) = (step, on) else {
            return Err(ValidationErrors::one(FieldError::new("step", "error-required")));
        };
        if !step_allowed(grievance.status, step) {
            return Err(ValidationErrors::one(
                FieldError::new("step", "error-grievance-step")
                    .arg("status", grievance.status)
                    .arg("step", step),
            ));
        }
        let latest = [
            Some(grievance.received_on),
            grievance.acknowledged_on,
            grievance.resolved_on,
            grievance.closed_on,
            grievance.reopened_on,
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(grievance.received_on);
        if on < latest {
            return Err(ValidationErrors::one(
                FieldError::new("taken_on", "error-step-before").arg("date", format_date(latest)),
            ));
        }
        Ok((step, on))
    }

    /// The step's note: to whom it is assigned, how it was resolved or why it is reopened (each
    /// required), or a remark.
    fn note(&self, step: GrievanceStep) -> Result<Option<String>, FieldError> {
        match step {
            GrievanceStep::Assign => {
                required_text("note", self.note.as_deref().unwrap_or(""), SHORT_TEXT_MAX).map(Some)
            }
            GrievanceStep::Resolve | GrievanceStep::Reopen => {
                required_text("note", self.note.as_deref().unwrap_or(""), LONG_TEXT_MAX).map(Some)
            }
            GrievanceStep::Acknowledge | GrievanceStep::Close => {
                optional_text("note", self.note.as_deref(), LONG_TEXT_MAX)
            }
        }
    }
}

impl Grievance {
    /// The grievance after `step` taken `on`, with its note.
    fn after(&self, step: GrievanceStep, on: NaiveDate, note: Option<String>) -> Grievance {
        let mut next = self.clone();
        match step {
            GrievanceStep::Acknowledge => {
                next.status = GrievanceStatus::Acknowledged;
                next.acknowledged_on = Some(on);
            }
            GrievanceStep::Assign => {
                next.status = GrievanceStatus::Assigned;
                // Giving it to someone tells the person it was received, if nobody had yet.
                next.acknowledged_on = next.acknowledged_on.or(Some(on));
                next.assigned_to = note;
            }
            GrievanceStep::Resolve => {
                next.status = GrievanceStatus::Resolved;
                next.resolved_on = Some(on);
                next.resolution = note;
            }
            GrievanceStep::Close => {
                next.status = GrievanceStatus::Closed;
                next.closed_on = Some(on);
            }
            GrievanceStep::Reopen => {
                next.status = if next.assigned_to.is_some() {
                    GrievanceStatus::Assigned
                } else {
                    GrievanceStatus::Acknowledged
                };
                next.reopened_on = Some(on);
                next.resolved_on = None;
                next.resolution = None;
                next.closed_on = None;
            }
        }
        next
    }
}

code_enum! {
    /// Which deadline a grievance is past.
    Overdue, "overdue" {
        /// Not acknowledged in time.
        Acknowledgement = "acknowledgement",
        /// Not resolved in time.
        Resolution = "resolution",
    }
}

/// A grievance's deadlines and whether it is late, on a given day.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    /// The last day to acknowledge it (3 working days after it was received).
    pub acknowledge_by: NaiveDate,
    /// The last day to resolve it (15 working days after it was received or reopened).
    pub resolve_by: NaiveDate,
    /// The deadline it is past by at least one working day, if any (the acknowledgement's first).
    pub overdue: Option<Overdue>,
    /// Working days it is late, or 0.
    pub days_late: u32,
}

/// The deadlines of `g` and where it stands against them on `today`.
pub fn deadlines(rulebook: &Rulebook, g: &Grievance, today: NaiveDate) -> Deadlines {
    let cal = rulebook.calendar.calendar();
    let acknowledge_by = cal.add_working_days(g.received_on, rulebook.grievances.acknowledge_working_days);
    let resolve_by = cal
        .add_working_days(g.reopened_on.unwrap_or(g.received_on), rulebook.grievances.resolve_working_days);
    let open = !matches!(g.status, GrievanceStatus::Resolved | GrievanceStatus::Closed);
    // Late once a working day has passed after the deadline: a deadline on Friday is missed on
    // Monday, not over the weekend when nobody could have answered.
    let late = |deadline: NaiveDate| cal.working_days_between(deadline, today);
    let (overdue, days_late) = if g.status == GrievanceStatus::Received && late(acknowledge_by) > 0 {
        (Some(Overdue::Acknowledgement), late(acknowledge_by))
    } else if open && late(resolve_by) > 0 {
        (Some(Overdue::Resolution), late(resolve_by))
    } else {
        (None, 0)
    };
    Deadlines { acknowledge_by, resolve_by, overdue, days_late }
}

/// Orders a log: overdue first (most late first), then open ones by their nearest deadline, then
/// the resolved and closed, newest first.
pub fn log_order(a: (&Grievance, &Deadlines), b: (&Grievance, &Deadlines)) -> std::cmp::Ordering {
    let open = |g: &Grievance| !matches!(g.status, GrievanceStatus::Resolved | GrievanceStatus::Closed);
    let next = |g: &Grievance, d: &Deadlines| {
        if g.status == GrievanceStatus::Received { d.acknowledge_by.min(d.resolve_by) } else { d.resolve_by }
    };
    let key =
        |(g, d): (&Grievance, &Deadlines)| (d.overdue.is_none(), std::cmp::Reverse(d.days_late), !open(g));
    key(a).cmp(&key(b)).then_with(|| {
        if open(a.0) && open(b.0) {
            next(a.0, a.1).cmp(&next(b.0, b.1))
        } else {
            b.0.received_on.cmp(&a.0.received_on)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn received(on: NaiveDate) -> Grievance {
        let rulebook = Rulebook::pilot_2017();
        let ctx = Context { rulebook: &rulebook, today: on };
        GrievanceInput {
            received_on: format_date(on),
            channel: "phone".into(),
            kind: "complaint".into(),
            category: "training".into(),
            anonymous: true,
            from_name: None,
            from_contact: None,
            text: "Тренинг орны алыс, жол ақысы төленбейді".into(),
        }
        .validate(&ctx, "190000000", None, None)
        .unwrap()
    }

    fn step(
        g: &Grievance,
        step: &str,
        on: NaiveDate,
        note: Option<&str>,
    ) -> Result<Grievance, ValidationErrors> {
        let rulebook = Rulebook::pilot_2017();
        let ctx = Context { rulebook: &rulebook, today: d(2018, 1, 1) };
        let input =
            GrievanceStepInput { step: step.into(), taken_on: format_date(on), note: note.map(Into::into) };
        input.apply(&ctx, Uuid::nil(), g, "Coordinator").map(|(g, _)| g)
    }

    #[test]
    fn acknowledgement_is_due_three_working_days_later_across_a_weekend() {
        let r = Rulebook::pilot_2017();
        // Received Friday 4 August 2017: due Wednesday the 9th; overdue on Thursday the 10th.
        let g = received(d(2017, 8, 4));
        assert_eq!(deadlines(&r, &g, d(2017, 8, 9)).acknowledge_by, d(2017, 8, 9));
        assert_eq!(deadlines(&r, &g, d(2017, 8, 9)).overdue, None);
        let late = deadlines(&r, &g, d(2017, 8, 10));
        assert_eq!((late.overdue, late.days_late), (Some(Overdue::Acknowledgement), 1));
        // Late by working days: Thursday and Friday, and no more over the weekend.
        assert_eq!(deadlines(&r, &g, d(2017, 8, 12)).days_late, 2);
        assert_eq!(deadlines(&r, &g, d(2017, 8, 13)).days_late, 2);
    }

    #[test]
    fn deadlines_skip_public_holidays() {
        let r = Rulebook::pilot_2017();
        // Received Thursday 4 May 2017: Friday 5th, then 8th and 9th are off, so the 10th and 11th.
        let g = received(d(2017, 5, 4));
        assert_eq!(deadlines(&r, &g, d(2017, 5, 4)).acknowledge_by, d(2017, 5, 11));
    }

    #[test]
    fn resolution_is_due_fifteen_working_days_later_and_counts_again_from_a_reopening() {
        let r = Rulebook::pilot_2017();
        let g = received(d(2017, 8, 1));
        let g = step(&g, "acknowledge", d(2017, 8, 2), None).unwrap();
        // 15 working days after Tuesday 1 August: 22 August (30 August is after).
        assert_eq!(deadlines(&r, &g, d(2017, 8, 2)).resolve_by, d(2017, 8, 22));
        assert_eq!(deadlines(&r, &g, d(2017, 8, 23)).overdue, Some(Overdue::Resolution));
        let g = step(&g, "assign", d(2017, 8, 3), Some("Серікова А.")).unwrap();
        let g = step(&g, "resolve", d(2017, 8, 10), Some("Жол ақысы өтелді")).unwrap();
        assert_eq!(deadlines(&r, &g, d(2017, 9, 30)).overdue, None);
        let g = step(&g, "close", d(2017, 8, 11), None).unwrap();
        let g = step(&g, "reopen", d(2017, 9, 4), Some("Өтемақы түспеді")).unwrap();
        assert_eq!(g.status, GrievanceStatus::Assigned);
        assert_eq!((g.resolved_on, g.closed_on), (None, None));
        // From Monday 4 September: 15 working days end on Monday 25 September.
        assert_eq!(deadlines(&r, &g, d(2017, 9, 4)).resolve_by, d(2017, 9, 25));
    }

    #[test]
    fn steps_follow_the_order_and_never_go_back_in_time() {
        let g = received(d(2017, 8, 1));
        assert_eq!(step(&g, "close", d(2017, 8, 2), None).unwrap_err().0[0].key, "error-grievance-step");
        assert_eq!(
            step(&g, "resolve", d(2017, 8, 2), Some("x")).unwrap_err().0[0].key,
            "error-grievance-step"
        );
        assert_eq!(step(&g, "acknowledge", d(2017, 7, 31), None).unwrap_err().0[0].key, "error-step-before");
        assert!(step(&g, "assign", d(2017, 8, 1), None).unwrap_err().has("note"));
        let assigned = step(&g, "assign", d(2017, 8, 1), Some("Серікова А.")).unwrap();
        assert_eq!(assigned.acknowledged_on, Some(d(2017, 8, 1)));
        assert_eq!(
            step(&assigned, "reopen", d(2017, 8, 2), Some("x")).unwrap_err().0[0].key,
            "error-grievance-step"
        );
    }

    #[test]
    fn a_named_grievance_needs_a_name_and_an_anonymous_one_none() {
        let rulebook = Rulebook::pilot_2017();
        let ctx = Context { rulebook: &rulebook, today: d(2017, 8, 1) };
        let input = GrievanceInput {
            received_on: "01.08.2017".into(),
            channel: "letter".into(),
            kind: "question".into(),
            category: "money".into(),
            anonymous: false,
            from_name: None,
            from_contact: None,
            text: "Шәкіртақы қашан?".into(),
        };
        assert!(input.validate(&ctx, "190000000", None, None).unwrap_err().has("from_name"));
        let anonymous_named =
            GrievanceInput { anonymous: true, from_name: Some("Ким".into()), ..input.clone() };
        assert!(anonymous_named.validate(&ctx, "190000000", None, None).unwrap_err().has("from_name"));
        let report =
            GrievanceInput { kind: "violation_report".into(), from_name: Some("Ким".into()), ..input };
        assert!(report.validate(&ctx, "190000000", None, None).unwrap_err().has("kind"));
        assert!(report.validate(&ctx, "190000000", None, Some(Uuid::nil())).is_ok());
    }

    #[test]
    fn every_step_leaves_a_consistent_grievance_and_a_forged_one_is_named() {
        let g = received(d(2017, 8, 1));
        assert_eq!(g.check(), Ok(()));
        let a = step(&g, "acknowledge", d(2017, 8, 1), None).unwrap();
        let b = step(&a, "assign", d(2017, 8, 2), Some("A")).unwrap();
        let c = step(&b, "resolve", d(2017, 8, 3), Some("B")).unwrap();
        let e = step(&c, "close", d(2017, 8, 4), None).unwrap();
        let f = step(&e, "reopen", d(2017, 8, 5), Some("C")).unwrap();
        for g in [&a, &b, &c, &e, &f] {
            assert_eq!(g.check(), Ok(()), "{:?}", g.status);
        }
        let forged = Grievance { status: GrievanceStatus::Closed, ..a };
        assert!(forged.check().is_err());
        let early = Grievance { acknowledged_on: Some(d(2017, 7, 1)), ..b };
        assert!(early.check().is_err());
    }

    #[test]
    fn the_log_puts_overdue_first() {
        let r = Rulebook::pilot_2017();
        let today = d(2017, 8, 21);
        let late = received(d(2017, 8, 1));
        let fresh = received(d(2017, 8, 18));
        let done = step(
            &step(&received(d(2017, 8, 2)), "assign", d(2017, 8, 2), Some("A")).unwrap(),
            "resolve",
            d(2017, 8, 3),
            Some("B"),
        )
        .unwrap();
        let mut log: Vec<(Grievance, Deadlines)> = [done, fresh, late]
            .into_iter()
            .map(|g| {
                let dl = deadlines(&r, &g, today);
                (g, dl)
            })
            .collect();
        log.sort_by(|a, b| log_order((&a.0, &a.1), (&b.0, &b.1)));
        let order: Vec<NaiveDate> = log.iter().map(|(g, _)| g.received_on).collect();
        assert_eq!(order, vec![d(2017, 8, 1), d(2017, 8, 18), d(2017, 8, 2)]);
    }
}
