//! Mentors at work in the case database: certification after phase I, assignment to sub-projects
//! within the load rules, sessions with their protocols, and each month's compliance. The rules
//! are the domain's ([`korpus_domain::delivery::mentoring`]); the store gathers their facts.

use crate::Store;
use crate::error::{Result, StoreError};
use crate::tables::{Record, read_by_id, read_records, select_columns};
use korpus_domain::delivery::mentoring::{
    self, AssignmentFacts, CertificationFacts, Load, MentorAssignment, MentorSession, MentorSessionInput,
    MonthlyCompliance, ProtocolInput, SessionSubject,
};
use korpus_domain::delivery::training::{AttendanceTally, TrainingStage};
use korpus_domain::rules::{Outcome, Verdict, overall};
use korpus_domain::validation::{FieldError, ValidationErrors, parse_date, past_date};
use korpus_domain::{Entity, Mentor, MentorStage, SubProjectApplication};
use serde::Serialize;
use uuid::Uuid;

/// A sub-project a mentor accompanies, as the mentor's page lists it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssignmentLine {
    /// The assignment.
    pub assignment: Record<MentorAssignment>,
    /// The sub-project's name.
    pub application_name: String,
    /// Its group's members: id and full name.
    pub members: Vec<(Uuid, String)>,
}

/// Everything a mentor's page shows of their work.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MentorWork {
    /// The mentor.
    pub mentor: Record<Mentor>,
    /// Whether they may be certified now, and why (`None` once certified).
    pub certification: Option<Outcome>,
    /// Sub-projects, current first.
    pub assignments: Vec<AssignmentLine>,
    /// Sessions, newest first.
    pub sessions: Vec<Record<MentorSession>>,
    /// Compliance of each month, newest first.
    pub compliance: Vec<MonthlyCompliance>,
}

impl Store {
    /// Days of the region's phase I for mentors that `mentor` attended, if phase I is on record.
    fn phase1_tally(&self, mentor: &Record<Mentor>) -> Result<Option<AttendanceTally>> {
        let events = self.training_events(Some(&mentor.data.identity.region))?;
        let Some(event) = events.iter().find(|e| e.data.stage == TrainingStage::Phase1Mentors) else {
            return Ok(None);
        };
        Ok(Some(self.tally(event, mentor.id)?))
    }

    /// Whether `mentor` may be certified: selected, and phase I attended (P:118).
    fn certification_outcome(&self, mentor: &Record<Mentor>) -> Result<Outcome> {
        let facts = CertificationFacts {
            selected: mentor.data.stage == MentorStage::Selected,
            phase1: self.phase1_tally(mentor)?,
        };
        Ok(mentoring::certification(&self.rulebook, &facts))
    }

    /// Certifies a mentor as trainer and mentor on `on`, once they completed phase I.
    pub fn certify_mentor(&mut self, mentor: &str, on: &str) -> Result<Record<Mentor>> {
        let m = self.mentor(mentor)?;
        let today = self.context().today;
        let on = parse_date("certified_on", on)
            .and_then(|d| past_date("certified_on", d, today))
            .map_err(ValidationErrors::one)?;
        if m.data.certified_on.is_some() {
            return Err(
                ValidationErrors::one(FieldError::new("certified_on", "error-already-certified")).into()
            );
        }
        let outcome = self.certification_outcome(&m)?;
        if outcome.verdict == Verdict::Fail {
            return Err(StoreError::Refused { field: "mentor", outcomes: vec![outcome] });
        }
        let certified = Mentor { certified_on: Some(on), ..m.data.clone() };
        self.write(|w| w.update(Entity::Mentor, m.id, m.version, &m.data, &certified).map(|_| ()))?;
        self.mentor(&m.id.to_string())
    }

    fn current_assignments(&self, mentor: Uuid) -> Result<Vec<Record<MentorAssignment>>> {
        let sql = format!(
            "SELECT {} FROM mentor_assignments WHERE mentor_id = ?1 AND ended_on IS NULL ORDER BY assigned_on, rid",
            select_columns(Entity::MentorAssignment)
        );
        read_records(&self.conn, Entity::MentorAssignment, &sql, [mentor.to_string()])
    }

    fn member_count(&self, application: Uuid) -> Result<u32> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM application_members WHERE application_id = ?1",
            [application.to_string()],
            |r| r.get(0),
        )?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Assigns a certified mentor to a sub-project of arm A or C in the mentor's region, within
    /// 2 sub-projects and 10 people; refused with every rule's reason otherwise.
    pub fn assign_mentor(
        &mut self,
        mentor: &str,
        application: &str,
        assigned_on: &str,
    ) -> Result<Record<MentorAssignment>> {
        let m = self.mentor(mentor)?;
        let app = self.application(application)?.application;
        let today = self.context().today;
        let assigned_on = parse_date("assigned_on", assigned_on)
            .and_then(|d| past_date("assigned_on", d, today))
            .map_err(ValidationErrors::one)?;
        if app.data.region != m.data.identity.region || app.data.cohort != m.data.cohort {
            return Err(ValidationErrors::one(FieldError::new("application_id", "error-other-region")).into());
        }
        if let Some(other) = self.mentor_of(app.id)? {
            let name = self.mentor(&other.data.mentor_id.to_string())?.data.identity.full_name();
            return Err(ValidationErrors::one(
                FieldError::new("application_id", "error-has-mentor").arg("name", name),
            )
            .into());
        }
        let current = self.current_assignments(m.id)?;
        let mut loads = Vec::new();
        for a in &current {
            loads.push(Load {
                application_id: a.data.application_id,
                people: self.member_count(a.data.application_id)?,
            });
        }
        let facts = AssignmentFacts {
            certified_on: m.data.certified_on,
            arm: self.arms(app.data.cohort)?.get(&app.id).copied(),
            current: loads,
            people: self.member_count(app.id)?,
        };
        let outcomes = mentoring::assignment(&self.rulebook, &facts);
        if overall(&outcomes) == Verdict::Fail {
            return Err(StoreError::Refused { field: "mentor", outcomes });
        }
        let assignment = MentorAssignment {
            cohort: app.data.cohort,
            region: app.data.region.clone(),
            mentor_id: m.id,
            application_id: app.id,
            assigned_on,
            ended_on: None,
            end_reason: None,
        };
        let id = Uuid::now_v7();
        self.write(|w| w.insert(Entity::MentorAssignment, id, &assignment))?;
        Ok(Record { id, version: 1, data: assignment })
    }

    /// The current assignment of a sub-project, if it has a mentor.
    pub fn mentor_of(&self, application: Uuid) -> Result<Option<Record<MentorAssignment>>> {
        let sql = format!(
            "SELECT {} FROM mentor_assignments WHERE application_id = ?1 AND ended_on IS NULL",
            select_columns(Entity::MentorAssignment)
        );
        Ok(read_records(&self.conn, Entity::MentorAssignment, &sql, [application.to_string()])?.pop())
    }

    /// Ends an assignment on `on`, with the reason; the record stays.
    pub fn end_assignment(&mut self, id: &str, on: &str, reason: &str) -> Result<Record<MentorAssignment>> {
        let id = Uuid::parse_str(id.trim())
            .map_err(|_| StoreError::NotFound { entity: Entity::MentorAssignment, query: id.to_owned() })?;
        let a: Record<MentorAssignment> = read_by_id(&self.conn, Entity::MentorAssignment, id)?;
        if a.data.ended_on.is_some() {
            return Err(ValidationErrors::one(FieldError::new("ended_on", "error-assignment-ended")).into());
        }
        let today = self.context().today;
        let mut check = korpus_domain::validation::Checker::new();
        let on = check.take(
            parse_date("ended_on", on).and_then(|d| past_date("ended_on", d, today)).and_then(|d| {
                if d < a.data.assigned_on {
                    Err(FieldError::new("ended_on", "error-before-assignment")
                        .arg("date", korpus_domain::validation::format_date(a.data.assigned_on)))
                } else {
                    Ok(d)
                }
            }),
        );
        let reason = check.take(korpus_domain::validation::required_text(
            "end_reason",
            reason,
            korpus_domain::validation::LONG_TEXT_MAX,
        ));
        check.finish()?;
        let ended = MentorAssignment { ended_on: on, end_reason: reason, ..a.data.clone() };
        self.write(|w| w.update(Entity::MentorAssignment, a.id, a.version, &a.data, &ended).map(|_| ()))?;
        read_by_id(&self.conn, Entity::MentorAssignment, a.id)
    }

    /// Records a session of `mentor` with a sub-project the mentor accompanies, with its
    /// protocol or without (to be written after).
    pub fn record_session(
        &mut self,
        mentor: &str,
        input: &MentorSessionInput,
    ) -> Result<Record<MentorSession>> {
        let m = self.mentor(mentor)?;
        let application = Uuid::parse_str(input.application_id.trim()).ok();
        let assignment = match application {
            Some(app) => self.mentor_of(app)?.filter(|a| a.data.mentor_id == m.id),
            None => None,
        };
        let Some(assignment) = assignment else {
            return Err(ValidationErrors::one(FieldError::new(
                "application_id",
                "error-not-mentors-subproject",
            ))
            .into());
        };
        let subject = SessionSubject {
            application_id: assignment.data.application_id,
            region: assignment.data.region.clone(),
            members: self.member_ids(assignment.data.application_id)?,
        };
        let session = input.validate(&self.context(), m.id, &subject)?;
        if session.held_on < assignment.data.assigned_on {
            return Err(ValidationErrors::one(
                FieldError::new("held_on", "error-before-assignment")
                    .arg("date", korpus_domain::validation::format_date(assignment.data.assigned_on)),
            )
            .into());
        }
        let id = Uuid::now_v7();
        self.write(|w| w.insert(Entity::MentorSession, id, &session))?;
        Ok(Record { id, version: 1, data: session })
    }

    /// Writes (or corrects) the protocol of a session.
    pub fn write_protocol(&mut self, session: &str, input: &ProtocolInput) -> Result<Record<MentorSession>> {
        let id = Uuid::parse_str(session.trim())
            .map_err(|_| StoreError::NotFound { entity: Entity::MentorSession, query: session.to_owned() })?;
        let s: Record<MentorSession> = read_by_id(&self.conn, Entity::MentorSession, id)?;
        let written = input.apply(&s.data, self.context().today)?;
        self.write(|w| w.update(Entity::MentorSession, s.id, s.version, &s.data, &written).map(|_| ()))?;
        read_by_id(&self.conn, Entity::MentorSession, s.id)
    }

    /// One session.
    pub fn session(&self, id: &str) -> Result<Record<MentorSession>> {
        let id = Uuid::parse_str(id.trim())
            .map_err(|_| StoreError::NotFound { entity: Entity::MentorSession, query: id.to_owned() })?;
        read_by_id(&self.conn, Entity::MentorSession, id)
    }

    fn member_ids(&self, application: Uuid) -> Result<Vec<Uuid>> {
        Ok(self.members_named(application)?.into_iter().map(|(id, _)| id).collect())
    }

    /// The members of an application's group: id and full name, by name.
    pub(crate) fn members_named(&self, application: Uuid) -> Result<Vec<(Uuid, String)>> {
        let sql = format!(
            "SELECT {} FROM persons JOIN application_members m ON m.person_id = persons.id
             WHERE m.application_id = ?1 ORDER BY persons.surname COLLATE kazakh, persons.given_name COLLATE kazakh",
            select_columns(Entity::Person)
        );
        Ok(read_records::<korpus_domain::Person>(
            &self.conn,
            Entity::Person,
            &sql,
            [application.to_string()],
        )?
        .into_iter()
        .map(|r| (r.id, r.data.identity.full_name()))
        .collect())
    }

    /// A mentor's sessions, newest first.
    pub fn sessions(&self, mentor: Uuid) -> Result<Vec<Record<MentorSession>>> {
        let sql = format!(
            "SELECT {} FROM mentor_sessions WHERE mentor_id = ?1 ORDER BY held_on DESC, starts_at DESC, rid DESC",
            select_columns(Entity::MentorSession)
        );
        read_records(&self.conn, Entity::MentorSession, &sql, [mentor.to_string()])
    }

    /// A mentor's compliance, month by month, newest first.
    pub fn compliance(&self, mentor: &str) -> Result<Vec<MonthlyCompliance>> {
        let m = self.mentor(mentor)?;
        let sessions: Vec<MentorSession> = self.sessions(m.id)?.into_iter().map(|r| r.data).collect();
        let sql = format!(
            "SELECT {} FROM mentor_assignments WHERE mentor_id = ?1",
            select_columns(Entity::MentorAssignment)
        );
        let assignments: Vec<MentorAssignment> =
            read_records(&self.conn, Entity::MentorAssignment, &sql, [m.id.to_string()])?
                .into_iter()
                .map(|r| r.data)
                .collect();
        let mut months = mentoring::compliance(&self.rulebook, &sessions, &assignments, self.context().today);
        months.reverse();
        Ok(months)
    }

    /// What a mentor's page shows of their work.
    pub fn mentor_work(&self, mentor: &str) -> Result<MentorWork> {
        let m = self.mentor(mentor)?;
        let certification =
            if m.data.certified_on.is_some() { None } else { Some(self.certification_outcome(&m)?) };
        let sql = format!(
            "SELECT {} FROM mentor_assignments WHERE mentor_id = ?1 ORDER BY ended_on IS NOT NULL, assigned_on DESC",
            select_columns(Entity::MentorAssignment)
        );
        let mut assignments = Vec::new();
        for a in
            read_records::<MentorAssignment>(&self.conn, Entity::MentorAssignment, &sql, [m.id.to_string()])?
        {
            let app: Record<SubProjectApplication> =
                read_by_id(&self.conn, Entity::Application, a.data.application_id)?;
            let members = self.members_named(app.id)?;
            assignments.push(AssignmentLine { assignment: a, application_name: app.data.name, members });
        }
        Ok(MentorWork {
            sessions: self.sessions(m.id)?,
            compliance: self.compliance(&m.id.to_string())?,
            certification,
            assignments,
            mentor: m,
        })
    }
}
