//! The training calendar in the case database: events planned from the rulebook and edited, who
//! is expected at each (only the groups whose arm gives training), and attendance by day, a whole
//! sheet in one envelope.

use crate::Store;
use crate::error::{Result, StoreError};
use crate::tables::{Record, read_by_id, read_records, select_columns};
use korpus_domain::delivery::training::{
    self, Attendance, AttendanceTally, Attendee, Audience, TrainingEvent, TrainingEventInput, TrainingStage,
    arm_gives_training, attendance_id,
};
use korpus_domain::selection::lottery::Arm;
use korpus_domain::validation::{Checker, FieldError, ValidationErrors, format_date};
use korpus_domain::{Entity, Mentor, Person, SubProjectApplication};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// One person expected at an event, with their marks.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RosterLine {
    /// A beneficiary or a mentor.
    pub attendee: Attendee,
    /// Their id.
    pub attendee_id: Uuid,
    /// Full name.
    pub name: String,
    /// IIN.
    pub iin: String,
    /// The group's sub-project, for a beneficiary in one.
    pub group: Option<String>,
    /// The group's arm, once drawn.
    pub arm: Option<Arm>,
    /// Their mark of each day: present, absent, or not marked.
    pub marks: Vec<Option<bool>>,
}

/// An event with who is expected and their marks.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Roster {
    /// The event.
    pub event: Record<TrainingEvent>,
    /// Who is expected, by group and name.
    pub lines: Vec<RosterLine>,
}

/// One mark of a sheet, as sent.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceMark {
    /// The person's or mentor's id.
    pub attendee_id: String,
    /// Present.
    pub present: bool,
}

/// A group whose arm gives training: its sub-project's name, its arm and its members.
type TrainedGroup = (String, Arm, Vec<Record<Person>>);

fn event_id(id: &str) -> Result<Uuid> {
    Uuid::parse_str(id.trim())
        .map_err(|_| StoreError::NotFound { entity: Entity::TrainingEvent, query: id.to_owned() })
}

impl Store {
    /// The training events of a region (or all), by first day.
    pub fn training_events(&self, region: Option<&str>) -> Result<Vec<Record<TrainingEvent>>> {
        let sql = format!(
            "SELECT {} FROM training_events WHERE cohort = ?1 AND (?2 IS NULL OR region = ?2)
             ORDER BY json_extract(dates, '$[0]'), region, stage",
            select_columns(Entity::TrainingEvent)
        );
        read_records(&self.conn, Entity::TrainingEvent, &sql, (self.rulebook.cohort, region))
    }

    /// One event.
    pub fn training_event(&self, id: &str) -> Result<Record<TrainingEvent>> {
        read_by_id(&self.conn, Entity::TrainingEvent, event_id(id)?)
    }

    /// Lays out the region's calendar from the rulebook: every stage it does not have yet, in one
    /// envelope. Returns the events added.
    pub fn plan_training(&mut self, region: &str) -> Result<Vec<Record<TrainingEvent>>> {
        let region = korpus_domain::rulebook::region("region", region, &self.rulebook)
            .map_err(ValidationErrors::one)?;
        let have: Vec<TrainingStage> =
            self.training_events(Some(&region))?.into_iter().map(|e| e.data.stage).collect();
        let new: Vec<Record<TrainingEvent>> = training::plan(&self.rulebook, &region)
            .into_iter()
            .filter(|e| !have.contains(&e.stage))
            .map(|data| Record { id: Uuid::now_v7(), version: 1, data })
            .collect();
        if new.is_empty() {
            return Ok(new);
        }
        self.write(|w| new.iter().try_for_each(|e| w.insert(Entity::TrainingEvent, e.id, &e.data)))?;
        Ok(new)
    }

    /// Adds an event to a region's calendar (a second group of phase I, say).
    pub fn add_training_event(
        &mut self,
        region: &str,
        input: &TrainingEventInput,
    ) -> Result<Record<TrainingEvent>> {
        let region = korpus_domain::rulebook::region("region", region, &self.rulebook)
            .map_err(ValidationErrors::one)?;
        let event = input.validate(&self.context(), &region)?;
        self.check_orientation_before_selection(&event)?;
        let id = Uuid::now_v7();
        self.write(|w| w.insert(Entity::TrainingEvent, id, &event))?;
        Ok(Record { id, version: 1, data: event })
    }

    /// Refuses an orientation seminar for potential mentors held on or after the first decision
    /// on a mentor of its region and cohort ([`training::orientation_before_selection`]).
    fn check_orientation_before_selection(&self, event: &TrainingEvent) -> Result<()> {
        let first: Option<String> = self.conn.query_row(
            "SELECT min(decided_on) FROM mentor_decisions WHERE cohort = ?1 AND region = ?2",
            (event.cohort, &event.region),
            |r| r.get(0),
        )?;
        let first = first.and_then(|d| d.parse::<chrono::NaiveDate>().ok());
        training::orientation_before_selection(&self.rulebook, event, first)
            .map_err(|e| ValidationErrors::one(e).into())
    }

    /// Changes an event read at `base_version`: its days, hours, venue, trainers. Days that
    /// already have marks stay: an event is not shortened below a marked day. Returns the event
    /// and the names of the fields that changed.
    pub fn edit_training_event(
        &mut self,
        id: &str,
        base_version: i64,
        input: &TrainingEventInput,
    ) -> Result<(Record<TrainingEvent>, Vec<String>)> {
        let old = self.training_event(id)?;
        let event = input.validate(&self.context(), &old.data.region)?;
        self.check_orientation_before_selection(&event)?;
        let last_marked: Option<i64> = self.conn.query_row(
            "SELECT max(day) FROM attendance WHERE event_id = ?1",
            [old.id.to_string()],
            |r| r.get(0),
        )?;
        let mut check = Checker::new();
        if event.stage != old.data.stage && last_marked.is_some() {
            check.push(FieldError::new("stage", "error-event-marked"));
        }
        if let Some(day) = last_marked
            && (event.dates.len() as i64) < day
        {
            check.push(FieldError::new("days", "error-event-days-marked").arg("day", day));
        }
        check.finish()?;
        self.write(|w| w.replace(Entity::TrainingEvent, old.id, base_version, event))
    }

    /// Who is expected at an event, with their marks: at a beneficiaries' training the members of
    /// the region's groups whose arm gives training (A and C, P:67-71), at the orientation seminar
    /// every registered young person of the region; at a mentors' training the selected mentors,
    /// at their orientation every mentor candidate not turned down.
    pub fn roster(&self, event: &str) -> Result<Roster> {
        let event = self.training_event(event)?;
        let e = &event.data;
        let marks = self.marks(event.id)?;
        let line = |attendee, id: Uuid, name: String, iin: String, group, arm| RosterLine {
            attendee,
            attendee_id: id,
            name,
            iin,
            group,
            arm,
            marks: (1..=e.dates.len() as u32).map(|day| marks.get(&(id, day)).copied()).collect(),
        };
        let mut lines = Vec::new();
        match (e.stage.audience(), e.stage.is_orientation()) {
            (Audience::Beneficiaries, false) => {
                for (app, arm, members) in self.trained_groups(e.cohort, &e.region)? {
                    for p in members {
                        let name = p.data.identity.full_name();
                        lines.push(line(
                            Attendee::Person,
                            p.id,
                            name,
                            p.data.identity.iin.to_string(),
                            Some(app.clone()),
                            Some(arm),
                        ));
                    }
                }
            }
            (Audience::Beneficiaries, true) => {
                let sql = format!(
                    "SELECT {} FROM persons WHERE cohort = ?1 AND region = ?2
                     ORDER BY surname COLLATE kazakh, given_name COLLATE kazakh",
                    select_columns(Entity::Person)
                );
                for p in read_records::<Person>(&self.conn, Entity::Person, &sql, (e.cohort, &e.region))? {
                    let name = p.data.identity.full_name();
                    lines.push(line(
                        Attendee::Person,
                        p.id,
                        name,
                        p.data.identity.iin.to_string(),
                        None,
                        None,
                    ));
                }
            }
            (Audience::Mentors, orientation) => {
                let sql = format!(
                    "SELECT {} FROM mentors WHERE cohort = ?1 AND region = ?2
                     AND (stage = 'selected' OR (?3 AND stage <> 'rejected'))
                     ORDER BY surname COLLATE kazakh, given_name COLLATE kazakh",
                    select_columns(Entity::Mentor)
                );
                for m in read_records::<Mentor>(
                    &self.conn,
                    Entity::Mentor,
                    &sql,
                    (e.cohort, &e.region, orientation),
                )? {
                    let name = m.data.identity.full_name();
                    lines.push(line(
                        Attendee::Mentor,
                        m.id,
                        name,
                        m.data.identity.iin.to_string(),
                        None,
                        None,
                    ));
                }
            }
        }
        Ok(Roster { event, lines })
    }

    /// The region's groups whose arm gives training, by name, with their members by name.
    fn trained_groups(&self, cohort: i32, region: &str) -> Result<Vec<TrainedGroup>> {
        let arms = self.arms(cohort)?;
        let sql = format!(
            "SELECT {} FROM applications WHERE cohort = ?1 AND region = ?2 ORDER BY name COLLATE kazakh",
            select_columns(Entity::Application)
        );
        let mut out = Vec::new();
        for app in
            read_records::<SubProjectApplication>(&self.conn, Entity::Application, &sql, (cohort, region))?
        {
            let Some(arm) = arms.get(&app.id).copied().filter(|a| arm_gives_training(*a)) else { continue };
            let sql = format!(
                "SELECT {} FROM persons JOIN application_members m ON m.person_id = persons.id
                 WHERE m.application_id = ?1 ORDER BY persons.surname COLLATE kazakh, persons.given_name COLLATE kazakh",
                select_columns(Entity::Person)
            );
            let members = read_records::<Person>(&self.conn, Entity::Person, &sql, [app.id.to_string()])?;
            out.push((app.data.name, arm, members));
        }
        Ok(out)
    }

    fn marks(&self, event: Uuid) -> Result<BTreeMap<(Uuid, u32), bool>> {
        let sql =
            format!("SELECT {} FROM attendance WHERE event_id = ?1", select_columns(Entity::Attendance));
        Ok(read_records::<Attendance>(&self.conn, Entity::Attendance, &sql, [event.to_string()])?
            .into_iter()
            .map(|r| ((r.data.attendee_id, r.data.day), r.data.present))
            .collect())
    }

    /// Records the sheet of one day of an event: each mark is added or changed; people not on the
    /// sheet keep what they had. Everyone must be expected at the event: a member of a group B
    /// sub-project is refused by name, as group B gets no training.
    pub fn record_attendance(&mut self, event: &str, day: u32, marks: &[AttendanceMark]) -> Result<usize> {
        let roster = self.roster(event)?;
        let e = &roster.event;
        let Some(date) = e.data.date_of(day) else {
            return Err(ValidationErrors::one(
                FieldError::new("day", "error-out-of-range").arg("min", 1).arg("max", e.data.dates.len()),
            )
            .into());
        };
        if date > self.context().today {
            return Err(ValidationErrors::one(
                FieldError::new("day", "error-date-in-future").arg("date", format_date(date)),
            )
            .into());
        }
        let mut check = Checker::new();
        let mut rows = Vec::new();
        for mark in marks {
            let id = Uuid::parse_str(mark.attendee_id.trim()).ok();
            match id.and_then(|id| roster.lines.iter().find(|l| l.attendee_id == id)) {
                Some(line) => rows.push((line, mark.present)),
                None => check.push(self.why_not_expected(&roster, &mark.attendee_id)?),
            }
        }
        check.finish()?;
        let existing: BTreeMap<Uuid, Record<Attendance>> = {
            let sql = format!(
                "SELECT {} FROM attendance WHERE event_id = ?1 AND day = ?2",
                select_columns(Entity::Attendance)
            );
            read_records::<Attendance>(&self.conn, Entity::Attendance, &sql, (e.id.to_string(), day))?
                .into_iter()
                .map(|r| (r.data.attendee_id, r))
                .collect()
        };
        let mut changed = 0;
        self.write(|w| {
            for (line, present) in &rows {
                let mark = Attendance {
                    cohort: e.data.cohort,
                    region: e.data.region.clone(),
                    event_id: e.id,
                    attendee: line.attendee,
                    attendee_id: line.attendee_id,
                    day,
                    present: *present,
                };
                match existing.get(&line.attendee_id) {
                    Some(old) if old.data.present == *present => {}
                    Some(old) => {
                        w.update(Entity::Attendance, old.id, old.version, &old.data, &mark)?;
                        changed += 1;
                    }
                    None => {
                        w.insert(Entity::Attendance, attendance_id(e.id, line.attendee_id, day), &mark)?;
                        changed += 1;
                    }
                }
            }
            Ok(())
        })?;
        Ok(changed)
    }

    /// Why `typed` is not on the roster of an event: a group B member by name, or an unknown id.
    fn why_not_expected(&self, roster: &Roster, typed: &str) -> Result<FieldError> {
        let e = &roster.event.data;
        if let Ok(id) = Uuid::parse_str(typed.trim())
            && e.stage.audience() == Audience::Beneficiaries
        {
            let arms = self.arms(e.cohort)?;
            let sql = "SELECT application_id FROM application_members WHERE person_id = ?1";
            let apps: Vec<String> = self
                .conn
                .prepare_cached(sql)?
                .query_map([id.to_string()], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for app in apps {
                let arm = Uuid::parse_str(&app).ok().and_then(|a| arms.get(&a).copied());
                if let Some(arm) = arm.filter(|a| !arm_gives_training(*a)) {
                    let person = self.person(&id.to_string())?;
                    return Ok(FieldError::new("attendee", "error-arm-no-training")
                        .arg("name", person.data.identity.full_name())
                        .arg("arm", arm));
                }
            }
        }
        Ok(FieldError::new("attendee", "error-not-on-roster").arg("value", typed.trim()))
    }

    /// Days of `event` that `attendee` was marked present.
    pub(crate) fn tally(&self, event: &Record<TrainingEvent>, attendee: Uuid) -> Result<AttendanceTally> {
        let present: i64 = self.conn.query_row(
            "SELECT count(*) FROM attendance WHERE event_id = ?1 AND attendee_id = ?2 AND present = 1",
            (event.id.to_string(), attendee.to_string()),
            |r| r.get(0),
        )?;
        Ok(AttendanceTally {
            present: u32::try_from(present).unwrap_or(u32::MAX),
            days: u32::try_from(event.data.dates.len()).unwrap_or(u32::MAX),
        })
    }
}
