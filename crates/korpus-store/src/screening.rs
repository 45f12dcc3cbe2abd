//! Technical screening in the case database: the store gathers each subject's facts (its other
//! applications, documents, the host organisation's applications), the domain's rules judge
//! them, and a screening is recorded as one envelope. Screening a cohort again records a new
//! screening only where the facts changed since the newest one.

use crate::Store;
use crate::error::{Result, StoreError};
use crate::outbox::Writer;
use crate::selection::set_stage;
use crate::tables::{Record, read_by_id, read_records, select_columns};
use korpus_domain::rules::{
    ApplicationFacts, Competition, Evaluation, HostOrgFacts, MentorFacts, PersonFacts, Screening, Subject,
    Verdict,
};
use korpus_domain::validation::FieldError;
use korpus_domain::{
    DocumentKind, DocumentOwner, Entity, HostOrg, Mentor, MentorStage, Person, SubProjectApplication,
    ValidationErrors,
};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// One subject of a cohort's screening run.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScreeningLine {
    /// What kind of subject.
    pub subject: Subject,
    /// Its id.
    pub subject_id: Uuid,
    /// Its name as lists show it.
    pub label: String,
    /// Its region (KATO code).
    pub region: String,
    /// The newest screening's result.
    pub result: Verdict,
    /// Codes of the rules that failed.
    pub failed: Vec<String>,
    /// Whether this run recorded a new screening (the facts had changed, or none existed).
    pub new: bool,
}

fn ids(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<Vec<Uuid>> {
    let mut statement = conn.prepare_cached(sql)?;
    let rows = statement.query_map(params, |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for row in rows {
        out.push(Uuid::parse_str(&row?).map_err(|e| StoreError::Corrupt(e.to_string()))?);
    }
    out.sort_unstable();
    Ok(out)
}

fn document_kinds(conn: &Connection, owner: DocumentOwner, id: Uuid) -> Result<Vec<DocumentKind>> {
    let mut statement = conn.prepare_cached(
        "SELECT DISTINCT kind FROM documents WHERE owner = ?1 AND owner_id = ?2 ORDER BY kind",
    )?;
    let rows = statement.query_map((owner.code(), id.to_string()), |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for row in rows {
        let kind = row?;
        out.push(
            DocumentKind::parse("kind", &kind)
                .map_err(|_| StoreError::Corrupt(format!("document kind {kind}")))?,
        );
    }
    out.sort_unstable();
    Ok(out)
}

fn person_facts(conn: &Connection, id: Uuid) -> Result<PersonFacts> {
    let person: Record<Person> = read_by_id(conn, Entity::Person, id)?;
    let applications =
        ids(conn, "SELECT application_id FROM application_members WHERE person_id = ?1", [id.to_string()])?;
    Ok(PersonFacts { id, person: person.data, applications })
}

fn host_org_facts(conn: &Connection, id: Uuid, cohort: i32) -> Result<HostOrgFacts> {
    let org: Record<HostOrg> = read_by_id(conn, Entity::HostOrg, id)?;
    let decision: Option<(String, String, Option<String>)> = conn
        .query_row(
            "SELECT outcome, decided_on, memorandum_number FROM host_org_decisions
             WHERE host_org_id = ?1 AND cohort = ?2",
            (id.to_string(), cohort),
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let competition = match decision {
        Some((outcome, on, memorandum_number)) => Some(Competition {
            selected: outcome == "selected",
            decided_on: on
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("host organisation decision: decided_on {on}")))?,
            memorandum_number,
        }),
        None => None,
    };
    Ok(HostOrgFacts {
        competition,
        id,
        host_org: org.data,
        documents: document_kinds(conn, DocumentOwner::HostOrg, id)?,
        applications: ids(
            conn,
            "SELECT id FROM applications WHERE host_org_id = ?1 AND cohort = ?2 AND path = 'host_org'",
            (id.to_string(), cohort),
        )?,
    })
}

fn application_facts(conn: &Connection, id: Uuid) -> Result<ApplicationFacts> {
    let app: Record<SubProjectApplication> = read_by_id(conn, Entity::Application, id)?;
    let application = app.data;
    let mut members = Vec::new();
    for person in
        ids(conn, "SELECT person_id FROM application_members WHERE application_id = ?1", [id.to_string()])?
    {
        members.push(person_facts(conn, person)?);
    }
    let host_org = match application.host_org_id {
        Some(org) => match host_org_facts(conn, org, application.cohort) {
            Ok(facts) => Some(facts),
            Err(StoreError::NotFound { .. }) => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    let leader_applications = match application.leader_id {
        Some(leader) => ids(
            conn,
            "SELECT id FROM applications WHERE leader_id = ?1 AND cohort = ?2 AND path = 'initiative_group'",
            (leader.to_string(), application.cohort),
        )?,
        None => Vec::new(),
    };
    Ok(ApplicationFacts { id, application, members, host_org, leader_applications })
}

/// How many subjects a screening checks between two reports of its progress.
pub const SCREENING_PROGRESS_STEP: usize = 100;

impl Store {
    /// The subject named by an id (or an IIN for persons and mentors, a BIN for host
    /// organisations), as its id.
    fn subject_id(&self, subject: Subject, key: &str) -> Result<Uuid> {
        Ok(match subject {
            Subject::Person => self.person(key)?.id,
            Subject::Mentor => self.mentor(key)?.id,
            Subject::HostOrg => self.host_org(key)?.id,
            Subject::Application => self.application(key)?.application.id,
        })
    }

    /// The facts of a subject as this database knows them now, as JSON, and its region.
    fn facts(&self, subject: Subject, id: Uuid) -> Result<(Value, String)> {
        let to_json = |v: std::result::Result<Value, serde_json::Error>| {
            v.map_err(|e| StoreError::Corrupt(e.to_string()))
        };
        Ok(match subject {
            Subject::Person => {
                let f = person_facts(&self.conn, id)?;
                let region = f.person.identity.region.clone();
                (to_json(serde_json::to_value(f))?, region)
            }
            Subject::Application => {
                let f = application_facts(&self.conn, id)?;
                let region = f.application.region.clone();
                (to_json(serde_json::to_value(f))?, region)
            }
            Subject::HostOrg => {
                let f = host_org_facts(&self.conn, id, self.rulebook.cohort)?;
                let region = f.host_org.region.clone();
                (to_json(serde_json::to_value(f))?, region)
            }
            Subject::Mentor => {
                let mentor: Record<Mentor> = read_by_id(&self.conn, Entity::Mentor, id)?;
                let region = mentor.data.identity.region.clone();
                let f = MentorFacts {
                    id,
                    mentor: mentor.data,
                    documents: document_kinds(&self.conn, DocumentOwner::Mentor, id)?,
                    on: self.clock.today(),
                };
                (to_json(serde_json::to_value(f))?, region)
            }
        })
    }

    /// Runs every rule of a subject on what this database holds now, recording nothing: what
    /// `korpus rules explain` and the screening view show.
    pub fn explain(&self, subject: Subject, key: &str) -> Result<Evaluation> {
        let id = self.subject_id(subject, key)?;
        let (inputs, _) = self.facts(subject, id)?;
        Evaluation::run(subject, id, inputs, &self.rulebook).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// Screens a subject and records the screening (one envelope).
    pub fn screen(&mut self, subject: Subject, key: &str) -> Result<Record<Screening>> {
        let id = self.subject_id(subject, key)?;
        let screening = self.evaluate(subject, id)?;
        let record_id = Uuid::now_v7();
        let mentor = self.mentor_to_advance(&screening)?;
        self.write(|w| {
            record(w, record_id, &screening)?;
            mentor.map_or(Ok(()), |m| set_stage(w, &m, MentorStage::Screened))
        })?;
        Ok(Record { id: record_id, version: 1, data: screening })
    }

    fn evaluate(&self, subject: Subject, id: Uuid) -> Result<Screening> {
        let (inputs, region) = self.facts(subject, id)?;
        let evaluation = Evaluation::run(subject, id, inputs, &self.rulebook)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Screening { cohort: self.rulebook.cohort, region, screened_at: self.clock.now(), evaluation })
    }

    /// Refuses, naming the field, a cohort this desk does not run.
    pub fn own_cohort(&self, cohort: i32) -> Result<()> {
        if cohort == self.rulebook.cohort {
            return Ok(());
        }
        let error = FieldError::new("cohort", "error-unknown-value")
            .arg("value", cohort)
            .arg("allowed", self.rulebook.cohort);
        Err(ValidationErrors::one(error).into())
    }

    /// The mentor a screening moves from "applied" to "screened": one who passed (warnings
    /// allowed) and still awaits screening. A failed mentor stays "applied" and may be screened
    /// again once the missing documents come.
    fn mentor_to_advance(&self, screening: &Screening) -> Result<Option<Record<Mentor>>> {
        let e = &screening.evaluation;
        if e.subject != Subject::Mentor || e.result == Verdict::Fail {
            return Ok(None);
        }
        let mentor: Record<Mentor> = read_by_id(&self.conn, Entity::Mentor, e.subject_id)?;
        Ok((mentor.data.stage == MentorStage::Applied).then_some(mentor))
    }

    /// The newest screening of a subject, if any.
    pub fn latest_screening(&self, subject: Subject, id: Uuid) -> Result<Option<Record<Screening>>> {
        let sql = format!(
            "SELECT {} FROM screenings WHERE subject = ?1 AND subject_id = ?2
             ORDER BY screened_at DESC, rid DESC LIMIT 1",
            select_columns(Entity::Screening)
        );
        Ok(read_records(&self.conn, Entity::Screening, &sql, (subject.code(), id.to_string()))?.pop())
    }

    /// Screens every application, host organisation and mentor of `cohort` that this desk holds
    /// (persons are screened within their applications). A subject whose facts are what its
    /// newest screening saw, under the same rulebook, keeps that screening; the others get a new
    /// one, all in one transaction. Returns a line per subject, applications first.
    pub fn screen_cohort(&mut self, cohort: i32) -> Result<Vec<ScreeningLine>> {
        self.screen_cohort_telling(cohort, &mut |_, _| {})
    }

    /// As [`Store::screen_cohort`], telling `progress` (subjects done, in all) as it goes: every
    /// [`SCREENING_PROGRESS_STEP`] subjects and at the end.
    pub fn screen_cohort_telling(
        &mut self,
        cohort: i32,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Vec<ScreeningLine>> {
        self.own_cohort(cohort)?;
        // Host organisations carry no cohort: the competition screens every one this desk holds.
        let mut subjects = labelled(
            &self.conn,
            Subject::Application,
            "SELECT id, name FROM applications WHERE cohort = ?1 ORDER BY region, name COLLATE kazakh, id",
            [cohort],
        )?;
        subjects.extend(labelled(
            &self.conn,
            Subject::HostOrg,
            "SELECT id, name FROM host_orgs ORDER BY region, name COLLATE kazakh, id",
            [],
        )?);
        subjects.extend(labelled(
            &self.conn,
            Subject::Mentor,
            "SELECT id, surname || ' ' || given_name FROM mentors WHERE cohort = ?1
             ORDER BY region, surname COLLATE kazakh, given_name COLLATE kazakh, id",
            [cohort],
        )?);
        let total = subjects.len();
        let mut lines = Vec::with_capacity(total);
        let mut to_record = Vec::new();
        for (done, (subject, id, label)) in subjects.into_iter().enumerate() {
            if done % SCREENING_PROGRESS_STEP == 0 {
                progress(done, total);
            }
            let fresh = self.evaluate(subject, id)?;
            let newest = self.latest_screening(subject, id)?;
            let same = newest.as_ref().is_some_and(|n| {
                n.data.evaluation.rulebook_version == fresh.evaluation.rulebook_version
                    && same_facts(&n.data.evaluation.inputs, &fresh.evaluation.inputs)
            });
            let kept = if same { newest.map(|n| n.data) } else { None };
            let screening = kept.clone().unwrap_or(fresh);
            let e = &screening.evaluation;
            lines.push(ScreeningLine {
                subject,
                subject_id: id,
                label,
                region: screening.region.clone(),
                result: e.result,
                failed: e
                    .outcomes
                    .iter()
                    .filter(|o| o.verdict == Verdict::Fail)
                    .map(|o| o.code.code().to_owned())
                    .collect(),
                new: kept.is_none(),
            });
            let mentor = self.mentor_to_advance(&screening)?;
            if kept.is_none() || mentor.is_some() {
                to_record.push((kept.is_none().then_some(screening), mentor));
            }
        }
        progress(total, total);
        self.write_batch(|batch| {
            for (screening, mentor) in &to_record {
                batch.record(|w| {
                    if let Some(screening) = screening {
                        record(w, Uuid::now_v7(), screening)?;
                    }
                    mentor.as_ref().map_or(Ok(()), |m| set_stage(w, m, MentorStage::Screened))
                })?;
            }
            Ok(())
        })?;
        Ok(lines)
    }
}

/// The subjects `sql` lists as (id, label).
fn labelled(
    conn: &Connection,
    subject: Subject,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<(Subject, Uuid, String)>> {
    let mut statement = conn.prepare(sql)?;
    let rows = statement.query_map(params, |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, label) = row?;
        out.push((subject, Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?, label));
    }
    Ok(out)
}

/// Whether two sets of facts are the same for screening: a mentor's day of screening alone
/// does not make them differ.
fn same_facts(old: &Value, new: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(o) = v.as_object_mut() {
            o.remove("on");
        }
        v
    };
    strip(old) == strip(new)
}

/// Writes one screening.
fn record(w: &mut Writer<'_>, id: Uuid, screening: &Screening) -> Result<()> {
    w.insert(Entity::Screening, id, screening)
}
