//! The training calendar (PROGRAMME.md lines 129-139): orientation seminars, phase I and phase III
//! for mentors and for beneficiaries, as events with their days, place and trainers, and who
//! attended each day. Phase II (learning by doing) is the months between: mentors meet the groups
//! then ([`crate::delivery::mentoring`]).

use crate::calendar::WorkingCalendar;
use crate::codes::code_enum;
use crate::rulebook::{Context, Rulebook};
use crate::selection::lottery::Arm;
use crate::validation::{
    Checker, FieldError, LONG_TEXT_MAX, SHORT_TEXT_MAX, ValidationErrors, optional_text, parse_date,
    parse_integer,
};
use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

code_enum! {
    /// A stage of the training calendar that people attend.
    TrainingStage, "training-stage" {
        /// P:132 the Coordination Agency's seminar for beneficiaries (4 hours).
        OrientationBeneficiaries = "orientation_beneficiaries",
        /// P:132 the seminar for potential mentors (2 hours).
        OrientationMentors = "orientation_mentors",
        /// P:133 trainer-experts train mentors; ends in certification.
        Phase1Mentors = "phase1_mentors",
        /// P:134 certified mentors train beneficiaries: life skills and project management.
        Phase1Beneficiaries = "phase1_beneficiaries",
        /// P:137 review of learning by doing, for mentors.
        Phase3Mentors = "phase3_mentors",
        /// P:138 own role, planning the future, evaluating the sub-project.
        Phase3Beneficiaries = "phase3_beneficiaries",
    }
}

code_enum! {
    /// Who a training is for.
    Audience, "audience" {
        /// Young people of the groups.
        Beneficiaries = "beneficiaries",
        /// Mentors (potential ones at the orientation seminar).
        Mentors = "mentors",
    }
}

impl TrainingStage {
    /// Who attends.
    pub fn audience(self) -> Audience {
        match self {
            TrainingStage::OrientationBeneficiaries
            | TrainingStage::Phase1Beneficiaries
            | TrainingStage::Phase3Beneficiaries => Audience::Beneficiaries,
            TrainingStage::OrientationMentors
            | TrainingStage::Phase1Mentors
            | TrainingStage::Phase3Mentors => Audience::Mentors,
        }
    }

    /// Whether the stage is the orientation seminar, held before selection for anyone interested.
    pub fn is_orientation(self) -> bool {
        matches!(self, TrainingStage::OrientationBeneficiaries | TrainingStage::OrientationMentors)
    }

    /// Days the rulebook gives the stage.
    pub fn days(self, rulebook: &Rulebook) -> u32 {
        let t = &rulebook.training;
        match self {
            TrainingStage::OrientationBeneficiaries | TrainingStage::OrientationMentors => t.orientation_days,
            TrainingStage::Phase1Mentors => t.phase1_mentor_days,
            TrainingStage::Phase1Beneficiaries => t.phase1_beneficiary_days,
            TrainingStage::Phase3Mentors => t.phase3_mentor_days,
            TrainingStage::Phase3Beneficiaries => t.phase3_beneficiary_days,
        }
    }

    /// Hours of one day of the stage: the orientation seminars' own (P:132), a full training day
    /// otherwise.
    pub fn hours_per_day(self, rulebook: &Rulebook) -> u32 {
        let t = &rulebook.training;
        match self {
            TrainingStage::OrientationBeneficiaries => t.orientation_beneficiary_hours,
            TrainingStage::OrientationMentors => t.orientation_mentor_hours,
            _ => t.training_day_hours,
        }
    }
}

/// Whether the arm a group was assigned gives its members the life-skills training (P:67-71):
/// groups A and C are trained, group B is not.
pub fn arm_gives_training(arm: Arm) -> bool {
    matches!(arm, Arm::A | Arm::C)
}

/// Whether the arm gives a grant for the group's own sub-project: A and B, not C.
pub fn arm_gives_grant(arm: Arm) -> bool {
    matches!(arm, Arm::A | Arm::B)
}

/// Whether the arm gives the group a mentor: A and C, not B.
pub fn arm_gives_mentor(arm: Arm) -> bool {
    matches!(arm, Arm::A | Arm::C)
}

/// One training event in a region: its stage, its days, where and by whom.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingEvent {
    /// The programme year.
    pub cohort: i32,
    /// The region (KATO) it is held for.
    pub region: String,
    /// The stage.
    pub stage: TrainingStage,
    /// Its days, in order; attendance is kept per day (day 1 is the first).
    pub dates: Vec<NaiveDate>,
    /// Hours of each day.
    pub hours_per_day: u32,
    /// Where, once known.
    pub venue: Option<String>,
    /// Who trains, once known.
    pub trainers: Option<String>,
    /// Anything else the coordinator notes.
    pub notes: Option<String>,
}

impl TrainingEvent {
    /// The first day.
    pub fn starts_on(&self) -> Option<NaiveDate> {
        self.dates.first().copied()
    }

    /// The date of day `day` (1-based), if the event has it.
    pub fn date_of(&self, day: u32) -> Option<NaiveDate> {
        day.checked_sub(1).and_then(|i| self.dates.get(i as usize)).copied()
    }
}

/// The first Monday of `month` in `year`, or the month's first day if the month does not exist.
fn first_monday(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 1)
}

/// The training calendar of a cohort in a region as the rulebook lays it out, to be edited as the
/// coordinator fixes places and days:
/// - phase I for mentors from the first Monday of the phase I month, on working days;
/// - phase I for beneficiaries from the next working day after it (mentors are certified first);
/// - both orientation seminars on the first working day `orientation_days_before_deadline` before
///   the application deadline (under rulebooks without it, two weeks before phase I);
/// - phase III for mentors and for beneficiaries from the first Monday of their months.
pub fn plan(rulebook: &Rulebook, region: &str) -> Vec<TrainingEvent> {
    let cal = rulebook.calendar.calendar();
    let year = rulebook.cohort;
    let t = &rulebook.training;
    let event = |stage: TrainingStage, from: Option<NaiveDate>, cal: &WorkingCalendar<'_>| {
        from.map(|from| TrainingEvent {
            cohort: year,
            region: region.to_owned(),
            stage,
            dates: cal.working_days_from(from, stage.days(rulebook)),
            hours_per_day: stage.hours_per_day(rulebook),
            venue: None,
            trainers: None,
            notes: None,
        })
    };
    let mentors1 = event(TrainingStage::Phase1Mentors, first_monday(year, t.phase1_month), &cal);
    let after_mentors = mentors1.as_ref().and_then(|e| e.dates.last()).map(|d| cal.add_working_days(*d, 1));
    let beneficiaries1 = event(TrainingStage::Phase1Beneficiaries, after_mentors, &cal);
    let orientation_day = match t.orientation_days_before_deadline {
        Some(days) => {
            Some(rulebook.host_org.application_deadline.date_naive() - chrono::Days::new(days.into()))
        }
        None => mentors1.as_ref().and_then(TrainingEvent::starts_on).map(|d| d - chrono::Days::new(14)),
    };
    [
        event(TrainingStage::OrientationBeneficiaries, orientation_day, &cal),
        event(TrainingStage::OrientationMentors, orientation_day, &cal),
        mentors1,
        beneficiaries1,
        event(TrainingStage::Phase3Mentors, first_monday(year, t.phase3_mentor_month), &cal),
        event(TrainingStage::Phase3Beneficiaries, first_monday(year, t.phase3_beneficiary_month), &cal),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The first and last day of phase II, learning by doing (P:136): from the first day of the phase
/// I month for as many months as the rulebook gives.
pub fn phase2(rulebook: &Rulebook) -> Option<(NaiveDate, NaiveDate)> {
    let t = &rulebook.training;
    let start = NaiveDate::from_ymd_opt(rulebook.cohort, t.phase1_month, 1)?;
    let end = start.checked_add_months(chrono::Months::new(t.phase2_months))?.pred_opt()?;
    Some((start, end))
}

/// P:132 (rulebook `2017-pilot.4`): the orientation seminar for potential mentors is for those
/// who may yet apply, so it ends before the first decision on a mentor of its region
/// (`first_decision`). Other events, and rulebooks before it, are not bound.
pub fn orientation_before_selection(
    rulebook: &Rulebook,
    event: &TrainingEvent,
    first_decision: Option<NaiveDate>,
) -> Result<(), FieldError> {
    if event.stage != TrainingStage::OrientationMentors
        || rulebook.training.orientation_days_before_deadline.is_none()
    {
        return Ok(());
    }
    match (first_decision, event.dates.last()) {
        (Some(first), Some(last)) if *last >= first => {
            Err(FieldError::new("starts_on", "error-orientation-after-mentor-selection")
                .arg("date", crate::validation::format_date(first)))
        }
        _ => Ok(()),
    }
}

/// An event as typed in the form: the stage, the first day and how many working days it runs.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingEventInput {
    /// The stage's code.
    pub stage: String,
    /// The first day, as typed.
    pub starts_on: String,
    /// Working days it runs, as typed.
    pub days: String,
    /// Hours a day, as typed.
    pub hours_per_day: String,
    /// Where.
    pub venue: Option<String>,
    /// Who trains.
    pub trainers: Option<String>,
    /// Notes.
    pub notes: Option<String>,
}

/// The most days an event may run: a month of working days.
pub const EVENT_DAYS_MAX: i64 = 23;

impl TrainingEventInput {
    /// The form of an event, to edit it.
    pub fn of(event: &TrainingEvent) -> TrainingEventInput {
        TrainingEventInput {
            stage: event.stage.code().to_owned(),
            starts_on: event.starts_on().map(crate::validation::format_date).unwrap_or_default(),
            days: event.dates.len().to_string(),
            hours_per_day: event.hours_per_day.to_string(),
            venue: event.venue.clone(),
            trainers: event.trainers.clone(),
            notes: event.notes.clone(),
        }
    }

    /// Checks every field; the event runs on the working days from its first day.
    pub fn validate(&self, ctx: &Context<'_>, region: &str) -> Result<TrainingEvent, ValidationErrors> {
        let mut check = Checker::new();
        let stage = check.take(TrainingStage::parse("stage", &self.stage));
        let starts_on = check.take(parse_date("starts_on", &self.starts_on).and_then(|d| {
            let year = ctx.rulebook.cohort;
            if (year - 1..=year + 1).contains(&d.year()) {
                Ok(d)
            } else {
                Err(FieldError::new("starts_on", "error-training-year").arg("cohort", year))
            }
        }));
        let days = check.take(parse_integer("days", &self.days).and_then(|n| {
            if (1..=EVENT_DAYS_MAX).contains(&n) {
                Ok(n as u32)
            } else {
                Err(FieldError::new("days", "error-out-of-range").arg("min", 1).arg("max", EVENT_DAYS_MAX))
            }
        }));
        let hours = check.take(parse_integer("hours_per_day", &self.hours_per_day).and_then(|n| {
            if (1..=12).contains(&n) {
                Ok(n as u32)
            } else {
                Err(FieldError::new("hours_per_day", "error-out-of-range").arg("min", 1).arg("max", 12))
            }
        }));
        let venue = check.take(optional_text("venue", self.venue.as_deref(), SHORT_TEXT_MAX));
        let trainers = check.take(optional_text("trainers", self.trainers.as_deref(), SHORT_TEXT_MAX));
        let notes = check.take(optional_text("notes", self.notes.as_deref(), LONG_TEXT_MAX));
        if let Some(d) = starts_on
            && !ctx.rulebook.calendar.calendar().is_working_day(d)
        {
            check.push(
                FieldError::new("starts_on", "error-not-working-day")
                    .arg("date", crate::validation::format_date(d)),
            );
        }
        // P:132: the beneficiaries' orientation teaches writing a sub-project, by the deadline.
        let deadline = ctx.rulebook.host_org.application_deadline.date_naive();
        if let (Some(TrainingStage::OrientationBeneficiaries), Some(from), Some(days), Some(_)) =
            (stage, starts_on, days, ctx.rulebook.training.orientation_days_before_deadline)
            && ctx
                .rulebook
                .calendar
                .calendar()
                .working_days_from(from, days)
                .last()
                .is_some_and(|d| *d > deadline)
        {
            check.push(
                FieldError::new("starts_on", "error-orientation-after-deadline")
                    .arg("date", crate::validation::format_date(deadline)),
            );
        }
        check.finish()?;
        match (stage, starts_on, days, hours, venue, trainers, notes) {
            (
                Some(stage),
                Some(from),
                Some(days),
                Some(hours_per_day),
                Some(venue),
                Some(trainers),
                Some(notes),
            ) => Ok(TrainingEvent {
                cohort: ctx.rulebook.cohort,
                region: region.to_owned(),
                stage,
                dates: ctx.rulebook.calendar.calendar().working_days_from(from, days),
                hours_per_day,
                venue,
                trainers,
                notes,
            }),
            _ => Err(ValidationErrors::one(FieldError::new("stage", "error-required"))),
        }
    }
}

code_enum! {
    /// Who a mark of attendance is about.
    Attendee, "attendee" {
        /// A beneficiary (a person).
        Person = "person",
        /// A mentor.
        Mentor = "mentor",
    }
}

/// Whether one person was at one day of a training.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    /// The programme year.
    pub cohort: i32,
    /// The event's region.
    pub region: String,
    /// The event.
    pub event_id: Uuid,
    /// A beneficiary or a mentor.
    pub attendee: Attendee,
    /// The person's or mentor's id.
    pub attendee_id: Uuid,
    /// The day of the event (1 is the first).
    pub day: u32,
    /// Present or absent.
    pub present: bool,
}

/// The id of the one mark of `attendee_id` on `day` of `event_id`: the same on every desk, so a
/// second sheet for the same day changes the mark instead of adding another.
pub fn attendance_id(event_id: Uuid, attendee_id: Uuid, day: u32) -> Uuid {
    Uuid::new_v5(&event_id, format!("attendance/{attendee_id}/{day}").as_bytes())
}

/// How much of an event one person attended, for certification.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceTally {
    /// Days marked present.
    pub present: u32,
    /// Days of the event.
    pub days: u32,
}

impl AttendanceTally {
    /// Whether the days attended reach the rulebook's share (80 % of 6 days is 4.8: 5 days).
    pub fn completes(&self, rulebook: &Rulebook) -> bool {
        self.days > 0
            && u64::from(self.present) * 100
                >= u64::from(self.days) * u64::from(rulebook.certification.attendance_min_percent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_pilot_plan_follows_the_brochure_and_the_holidays() {
        let rulebook = Rulebook::pilot_2017();
        let events = plan(&rulebook, "190000000");
        let stages: Vec<TrainingStage> = events.iter().map(|e| e.stage).collect();
        assert_eq!(stages, TrainingStage::ALL);
        let of = |s: TrainingStage| events.iter().find(|e| e.stage == s).unwrap();
        // Phase I for mentors: Monday 3 July 2017, six working days (Capital Day and the 7th off).
        let m1 = of(TrainingStage::Phase1Mentors);
        assert_eq!(m1.dates.first(), Some(&d(2017, 7, 3)));
        assert_eq!(m1.dates.last(), Some(&d(2017, 7, 12)));
        assert_eq!(m1.hours_per_day, 6);
        // Beneficiaries from the next working day, 13 July, for six days.
        let b1 = of(TrainingStage::Phase1Beneficiaries);
        assert_eq!(b1.dates.first(), Some(&d(2017, 7, 13)));
        assert_eq!(b1.dates.len(), 6);
        // Orientation two weeks before the application deadline of 14 April: Friday 31 March, 4
        // hours and 2 hours (rulebook 2017-pilot.3 put it two weeks before phase I, 19 June).
        assert_eq!(of(TrainingStage::OrientationBeneficiaries).dates, vec![d(2017, 3, 31)]);
        assert_eq!(of(TrainingStage::OrientationMentors).dates, vec![d(2017, 3, 31)]);
        let three = plan(&Rulebook::built_in("2017-pilot.3").unwrap(), "550000000");
        let old = three.iter().find(|e| e.stage == TrainingStage::OrientationBeneficiaries).unwrap();
        assert_eq!(old.dates, vec![d(2017, 6, 19)]);
        assert_eq!(of(TrainingStage::OrientationBeneficiaries).hours_per_day, 4);
        assert_eq!(of(TrainingStage::OrientationMentors).hours_per_day, 2);
        // Phase III: October for mentors (3 days), November for beneficiaries (6 days).
        assert_eq!(
            of(TrainingStage::Phase3Mentors).dates,
            vec![d(2017, 10, 2), d(2017, 10, 3), d(2017, 10, 4)]
        );
        assert_eq!(of(TrainingStage::Phase3Beneficiaries).dates.first(), Some(&d(2017, 11, 6)));
        assert_eq!(phase2(&rulebook), Some((d(2017, 7, 1), d(2017, 11, 30))));
    }

    #[test]
    fn the_arm_decides_training_grant_and_mentor() {
        assert!(arm_gives_training(Arm::A) && arm_gives_grant(Arm::A) && arm_gives_mentor(Arm::A));
        assert!(!arm_gives_training(Arm::B) && arm_gives_grant(Arm::B) && !arm_gives_mentor(Arm::B));
        assert!(arm_gives_training(Arm::C) && !arm_gives_grant(Arm::C) && arm_gives_mentor(Arm::C));
    }

    #[test]
    fn an_event_is_typed_on_working_days() {
        let rulebook = Rulebook::pilot_2017();
        let ctx = Context { rulebook: &rulebook, today: d(2017, 6, 1) };
        let input = TrainingEventInput {
            stage: "phase1_mentors".into(),
            starts_on: "05.07.2017".into(),
            days: "3".into(),
            hours_per_day: "6".into(),
            venue: Some("Талдықорған, жастар орталығы".into()),
            trainers: None,
            notes: None,
        };
        let event = input.validate(&ctx, "190000000").unwrap();
        assert_eq!(event.dates, vec![d(2017, 7, 5), d(2017, 7, 10), d(2017, 7, 11)]);
        assert_eq!(event.date_of(2), Some(d(2017, 7, 10)));
        assert_eq!(event.date_of(0), None);
        assert_eq!(TrainingEventInput::of(&event).starts_on, "05.07.2017");
        let bad = TrainingEventInput {
            stage: "phase9".into(),
            starts_on: "06.07.2017".into(),
            days: "0".into(),
            hours_per_day: "13".into(),
            ..input
        };
        let err = bad.validate(&ctx, "190000000").unwrap_err();
        for field in ["stage", "starts_on", "days", "hours_per_day"] {
            assert!(err.has(field), "{field}: {err}");
        }
    }

    #[test]
    fn the_beneficiaries_orientation_is_held_by_the_application_deadline() {
        let rulebook = Rulebook::pilot_2017();
        let ctx = Context { rulebook: &rulebook, today: d(2017, 3, 1) };
        let on = |stage: &str, day: &str| TrainingEventInput {
            stage: stage.into(),
            starts_on: day.into(),
            days: "1".into(),
            hours_per_day: "4".into(),
            ..TrainingEventInput::default()
        };
        // Friday 14 April, the deadline, is the last day it may be held; Monday 17 April is late.
        assert!(on("orientation_beneficiaries", "14.04.2017").validate(&ctx, "190000000").is_ok());
        let late = on("orientation_beneficiaries", "17.04.2017").validate(&ctx, "190000000").unwrap_err();
        assert_eq!((late.0[0].field, late.0[0].key), ("starts_on", "error-orientation-after-deadline"));
        // Two days from Friday 14 April run into Monday 17 April: late too.
        let two = TrainingEventInput { days: "2".into(), ..on("orientation_beneficiaries", "14.04.2017") };
        assert!(two.validate(&ctx, "190000000").is_err());
        // The mentors' seminar is bound to their selection, which the store checks.
        assert!(on("orientation_mentors", "17.04.2017").validate(&ctx, "190000000").is_ok());
        // Rulebook 2017-pilot.3 did not bind it.
        let three = Rulebook::built_in("2017-pilot.3").unwrap();
        let ctx3 = Context { rulebook: &three, today: d(2017, 3, 1) };
        assert!(on("orientation_beneficiaries", "19.06.2017").validate(&ctx3, "190000000").is_ok());
    }

    #[test]
    fn eighty_percent_of_six_days_is_five() {
        let rulebook = Rulebook::pilot_2017();
        assert!(AttendanceTally { present: 5, days: 6 }.completes(&rulebook));
        assert!(!AttendanceTally { present: 4, days: 6 }.completes(&rulebook));
        assert!(AttendanceTally { present: 1, days: 1 }.completes(&rulebook));
        assert!(!AttendanceTally { present: 0, days: 0 }.completes(&rulebook));
    }

    #[test]
    fn a_mark_has_one_id_on_every_desk() {
        let (e, p) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(attendance_id(e, p, 2), attendance_id(e, p, 2));
        assert_ne!(attendance_id(e, p, 2), attendance_id(e, p, 3));
    }
}
