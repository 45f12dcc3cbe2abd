//! Certificates in the case database: who in a region may receive one and why not, and the
//! certificate record, issued once per person with a number of this device. The rules are the
//! domain's ([`korpus_domain::closing::certification`]); the store gathers their facts.

use crate::Store;
use crate::blocks;
use crate::error::{Result, StoreError};
use crate::tables::{Record, find_by_id, read_records, select_columns};
use chrono::NaiveDate;
use ed25519_dalek::SigningKey;
use korpus_domain::closing::certificate_code;
use korpus_domain::closing::certification::{
    self, BeneficiaryFacts, Certificate, Holder, MentorFacts, certificate_id,
};
use korpus_domain::delivery::training::{AttendanceTally, TrainingStage, arm_gives_training};
use korpus_domain::rules::{Outcome, Verdict, overall};
use korpus_domain::selection::lottery::Arm;
use korpus_domain::validation::{FieldError, parse_date, past_date};
use korpus_domain::{Entity, Mentor, MentorStage, ValidationErrors};
use serde::Serialize;
use uuid::Uuid;

/// Someone who may earn a certificate, with every rule's outcome today.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CertificateLine {
    /// A beneficiary or a mentor.
    pub holder: Holder,
    /// Their id.
    pub holder_id: Uuid,
    /// Their full name.
    pub full_name: String,
    /// Their region.
    pub region: String,
    /// A beneficiary's sub-project, by name.
    pub application_name: Option<String>,
    /// A beneficiary's arm.
    pub arm: Option<Arm>,
    /// Every rule's outcome.
    pub outcomes: Vec<Outcome>,
    /// Whether every rule passes.
    pub eligible: bool,
    /// The day the last condition was met, when eligible.
    pub completed_on: Option<NaiveDate>,
    /// The certificate, once issued.
    pub certificate: Option<Record<Certificate>>,
}

/// What one candidate was decided on.
struct Decided {
    outcomes: Vec<Outcome>,
    completed_on: Option<NaiveDate>,
}

impl Store {
    /// The best attendance of `attendee` at the region's events of `stage`, and the last day of
    /// that event; `None` with no such event on record.
    fn stage_tally(
        &self,
        region: &str,
        stage: TrainingStage,
        attendee: Uuid,
    ) -> Result<Option<(AttendanceTally, NaiveDate)>> {
        let mut best: Option<(AttendanceTally, NaiveDate)> = None;
        for event in self.training_events(Some(region))?.iter().filter(|e| e.data.stage == stage) {
            let tally = self.tally(event, attendee)?;
            let last = event.data.dates.last().copied().unwrap_or(NaiveDate::MIN);
            if best.as_ref().is_none_or(|(b, _)| tally.present > b.present) {
                best = Some((tally, last));
            }
        }
        Ok(best)
    }

    fn person_certificate_facts(
        &self,
        person: Uuid,
        application: Uuid,
        region: &str,
        arm: Arm,
    ) -> Result<Decided> {
        let reports = self.reports_of(application)?;
        let (phase1, phase3) = if arm_gives_training(arm) {
            (
                self.stage_tally(region, TrainingStage::Phase1Beneficiaries, person)?,
                self.stage_tally(region, TrainingStage::Phase3Beneficiaries, person)?,
            )
        } else {
            (None, None)
        };
        let facts = BeneficiaryFacts {
            arm: Some(arm),
            phase1: phase1.as_ref().map(|(t, _)| t.clone()),
            phase3: phase3.as_ref().map(|(t, _)| t.clone()),
            reports: reports.iter().map(|r| r.data.clone()).collect(),
            withdrawn_on: self
                .withdrawals(application)?
                .iter()
                .find(|w| w.data.concerns(person))
                .map(|w| w.data.left_on),
        };
        let outcomes = certification::beneficiary(&self.rulebook, &facts);
        let completed_on = reports
            .iter()
            .filter(|r| r.data.is_in())
            .map(|r| r.data.submitted_on)
            .chain(phase3.map(|(_, last)| last))
            .max();
        Ok(Decided { outcomes, completed_on })
    }

    fn mentor_certificate_facts(&self, mentor: &Record<Mentor>) -> Result<Decided> {
        let phase3 =
            self.stage_tally(&mentor.data.identity.region, TrainingStage::Phase3Mentors, mentor.id)?;
        let facts = MentorFacts {
            certified_on: mentor.data.certified_on,
            phase3: phase3.as_ref().map(|(t, _)| t.clone()),
        };
        Ok(Decided {
            outcomes: certification::mentor(&self.rulebook, &facts),
            completed_on: phase3.map(|(_, d)| d),
        })
    }

    fn issued(&self, holder_id: Uuid) -> Result<Option<Record<Certificate>>> {
        find_by_id(&self.conn, Entity::Certificate, certificate_id(self.rulebook.cohort, holder_id))
    }

    fn certificate_candidate(
        &self,
        (holder, holder_id, full_name, region): (Holder, Uuid, String, String),
        application_name: Option<String>,
        arm: Option<Arm>,
        decided: Decided,
    ) -> Result<CertificateLine> {
        let eligible = overall(&decided.outcomes) != Verdict::Fail;
        Ok(CertificateLine {
            holder,
            holder_id,
            full_name,
            region,
            application_name,
            arm,
            eligible,
            completed_on: decided.completed_on.filter(|_| eligible),
            outcomes: decided.outcomes,
            certificate: self.issued(holder_id)?,
        })
    }

    fn selected_mentors(&self, region: Option<&str>) -> Result<Vec<Record<Mentor>>> {
        let sql = format!(
            "SELECT {} FROM mentors WHERE cohort = ?1 AND (?2 IS NULL OR region = ?2) AND stage = ?3
             ORDER BY surname COLLATE kazakh, given_name COLLATE kazakh",
            select_columns(Entity::Mentor)
        );
        read_records(
            &self.conn,
            Entity::Mentor,
            &sql,
            (self.rulebook.cohort, region, MentorStage::Selected.code()),
        )
    }

    /// Everyone of a region (or all) who may earn a certificate: the members of the drawn groups,
    /// by sub-project and name, then the selected mentors.
    pub fn certificate_lines(&self, region: Option<&str>) -> Result<Vec<CertificateLine>> {
        let mut out = Vec::new();
        for d in self.drawn(region)? {
            let app = &d.application;
            for (person, name) in self.members_named(app.id)? {
                let decided = self.person_certificate_facts(person, app.id, &app.data.region, d.arm)?;
                out.push(self.certificate_candidate(
                    (Holder::Person, person, name, app.data.region.clone()),
                    Some(app.data.name.clone()),
                    Some(d.arm),
                    decided,
                )?);
            }
        }
        for m in self.selected_mentors(region)? {
            let decided = self.mentor_certificate_facts(&m)?;
            out.push(self.certificate_candidate(
                (Holder::Mentor, m.id, m.data.identity.full_name(), m.data.identity.region.clone()),
                None,
                None,
                decided,
            )?);
        }
        Ok(out)
    }

    /// One candidate's line: a beneficiary (by id or IIN) or a mentor.
    pub fn certificate_line(&self, holder: Holder, id: &str) -> Result<CertificateLine> {
        match holder {
            Holder::Person => {
                let person = self.person(id)?;
                let sql = "SELECT application_id FROM application_members WHERE person_id = ?1";
                let apps: Vec<String> = self
                    .conn
                    .prepare_cached(sql)?
                    .query_map([person.id.to_string()], |r| r.get(0))?
                    .collect::<std::result::Result<_, _>>()?;
                let arms = self.arms(self.rulebook.cohort)?;
                let drawn = apps
                    .iter()
                    .filter_map(|a| Uuid::parse_str(a).ok())
                    .find_map(|a| arms.get(&a).map(|arm| (a, *arm)));
                let name = person.data.identity.full_name();
                let region = person.data.identity.region.clone();
                match drawn {
                    Some((app, arm)) => {
                        let application = self.application(&app.to_string())?.application;
                        let decided =
                            self.person_certificate_facts(person.id, app, &application.data.region, arm)?;
                        self.certificate_candidate(
                            (holder, person.id, name, region),
                            Some(application.data.name),
                            Some(arm),
                            decided,
                        )
                    }
                    None => {
                        let outcomes =
                            certification::beneficiary(&self.rulebook, &BeneficiaryFacts::default());
                        self.certificate_candidate(
                            (holder, person.id, name, region),
                            None,
                            None,
                            Decided { outcomes, completed_on: None },
                        )
                    }
                }
            }
            Holder::Mentor => {
                let m = self.mentor(id)?;
                let decided = self.mentor_certificate_facts(&m)?;
                self.certificate_candidate(
                    (holder, m.id, m.data.identity.full_name(), m.data.identity.region.clone()),
                    None,
                    None,
                    decided,
                )
            }
        }
    }

    /// Issues the certificate of a beneficiary or mentor who earned it, on `issued_on`: refused
    /// with every failed rule's reason otherwise, and never twice.
    ///
    /// The number is drawn from this device's blocks in the same transaction, and the record is
    /// signed with `key`, the device's signing key.
    pub fn issue_certificate(
        &mut self,
        holder: Holder,
        id: &str,
        issued_on: &str,
        key: &SigningKey,
    ) -> Result<Record<Certificate>> {
        let line = self.certificate_line(holder, id)?;
        let today = self.context().today;
        let issued_on = parse_date("issued_on", issued_on)
            .and_then(|d| past_date("issued_on", d, today))
            .map_err(ValidationErrors::one)?;
        if let Some(c) = &line.certificate {
            return Err(ValidationErrors::one(
                FieldError::new("holder_id", "error-certificate-issued").arg("number", &c.data.number),
            )
            .into());
        }
        let (true, Some(completed_on)) = (line.eligible, line.completed_on) else {
            let outcomes = line.outcomes.into_iter().filter(|o| o.verdict == Verdict::Fail).collect();
            return Err(StoreError::Refused { field: "holder_id", outcomes });
        };
        if issued_on < completed_on {
            return Err(ValidationErrors::one(
                FieldError::new("issued_on", "error-before-completion")
                    .arg("date", korpus_domain::validation::format_date(completed_on)),
            )
            .into());
        }
        let mut certificate = Certificate {
            cohort: self.rulebook.cohort,
            region: line.region,
            holder,
            holder_id: line.holder_id,
            full_name: line.full_name,
            arm: line.arm,
            completed_on,
            number: String::new(),
            issued_on,
            device_id: self.device_id(),
            rulebook_version: self.rulebook.version.clone(),
            outcomes: line.outcomes,
            signature: String::new(),
        };
        let id = certificate_id(self.rulebook.cohort, line.holder_id);
        let now = self.clock.now();
        self.write(|w| {
            certificate.number = blocks::draw(w.conn(), certificate.cohort, certificate.device_id, now)?;
            certificate.signature = certificate_code::sign(&certificate, key);
            w.insert(Entity::Certificate, id, &certificate)
        })?;
        Ok(Record { id, version: 1, data: certificate })
    }

    /// A certificate by its number or id.
    pub fn certificate(&self, number_or_id: &str) -> Result<Record<Certificate>> {
        let key = number_or_id.trim();
        let sql = format!(
            "SELECT {} FROM certificates WHERE number = ?1 OR id = ?1",
            select_columns(Entity::Certificate)
        );
        read_records(&self.conn, Entity::Certificate, &sql, [key])?
            .pop()
            .ok_or_else(|| StoreError::NotFound { entity: Entity::Certificate, query: key.to_owned() })
    }

    /// The certificates issued in `cohort`, of one region or all, by number.
    pub fn certificates(&self, cohort: i32, region: Option<&str>) -> Result<Vec<Record<Certificate>>> {
        let sql = format!(
            "SELECT {} FROM certificates WHERE cohort = ?1 AND (?2 IS NULL OR region = ?2) ORDER BY number",
            select_columns(Entity::Certificate)
        );
        read_records(&self.conn, Entity::Certificate, &sql, (cohort, region))
    }
}
