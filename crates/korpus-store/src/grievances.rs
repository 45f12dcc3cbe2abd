//! The grievance log in the case database: every grievance with its deadlines as of today, overdue
//! ones first, and each step recorded with the grievance's new state in one envelope. There is no
//! way to remove one.

use crate::Store;
use crate::error::{Result, StoreError};
use crate::tables::{Record, expect_version, read_by_id, read_records, select_columns};
use korpus_domain::delivery::grievances::{
    Deadlines, Grievance, GrievanceAction, GrievanceInput, GrievanceStatus, GrievanceStepInput, deadlines,
    log_order,
};
use korpus_domain::validation::{FieldError, ValidationErrors};
use korpus_domain::{Entity, SubProjectApplication};
use serde::Serialize;
use uuid::Uuid;

/// A grievance with its deadlines as of today.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrievanceLine {
    /// The grievance.
    pub grievance: Record<Grievance>,
    /// Its deadlines and lateness today.
    pub deadlines: Deadlines,
}

/// A grievance with its history.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrievanceView {
    /// The grievance and its deadlines.
    #[serde(flatten)]
    pub line: GrievanceLine,
    /// Its steps, oldest first.
    pub history: Vec<Record<GrievanceAction>>,
    /// The sub-project concerned, by name.
    pub application_name: Option<String>,
    /// The mentor who reported it, by name.
    pub mentor_name: Option<String>,
}

/// Which grievances a log shows.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrievanceFilter {
    /// Every one.
    #[default]
    All,
    /// Not resolved or closed.
    Open,
    /// Past a deadline.
    Overdue,
}

fn grievance_id(id: &str) -> Result<Uuid> {
    Uuid::parse_str(id.trim())
        .map_err(|_| StoreError::NotFound { entity: Entity::Grievance, query: id.to_owned() })
}

impl Store {
    /// Records a grievance in a region as received; a mentor's report names the mentor, and any
    /// grievance may name the sub-project it concerns.
    pub fn record_grievance(
        &mut self,
        region: &str,
        input: &GrievanceInput,
        application: Option<&str>,
        mentor: Option<&str>,
    ) -> Result<GrievanceLine> {
        let region = korpus_domain::rulebook::region("region", region, &self.rulebook)
            .map_err(ValidationErrors::one)?;
        let application = match application.map(str::trim).filter(|s| !s.is_empty()) {
            Some(a) => {
                let app = self.application(a)?.application;
                if app.data.region != region {
                    return Err(ValidationErrors::one(FieldError::new(
                        "application_id",
                        "error-other-region",
                    ))
                    .into());
                }
                Some(app.id)
            }
            None => None,
        };
        let mentor = match mentor.map(str::trim).filter(|s| !s.is_empty()) {
            Some(m) => {
                let m = self.mentor(m)?;
                if m.data.identity.region != region {
                    return Err(ValidationErrors::one(FieldError::new("mentor", "error-other-region")).into());
                }
                Some(m.id)
            }
            None => None,
        };
        let grievance = input.validate(&self.context(), &region, application, mentor)?;
        let id = Uuid::now_v7();
        self.write(|w| w.insert(Entity::Grievance, id, &grievance))?;
        Ok(self.line(Record { id, version: 1, data: grievance }))
    }

    fn line(&self, grievance: Record<Grievance>) -> GrievanceLine {
        let deadlines = deadlines(&self.rulebook, &grievance.data, self.context().today);
        GrievanceLine { grievance, deadlines }
    }

    /// Takes a step on a grievance read at `base_version`: the grievance's new state and the step
    /// in its history, in one envelope.
    pub fn grievance_step(
        &mut self,
        id: &str,
        base_version: i64,
        input: &GrievanceStepInput,
    ) -> Result<GrievanceView> {
        let g: Record<Grievance> = read_by_id(&self.conn, Entity::Grievance, grievance_id(id)?)?;
        expect_version(Entity::Grievance, &g, base_version)?;
        let author = self.author().to_owned();
        let (next, action) = input.apply(&self.context(), g.id, &g.data, &author)?;
        let action_id = Uuid::now_v7();
        self.write(|w| {
            w.update(Entity::Grievance, g.id, g.version, &g.data, &next)?;
            w.insert(Entity::GrievanceAction, action_id, &action)
        })?;
        self.grievance(&g.id.to_string())
    }

    /// One grievance with its history.
    pub fn grievance(&self, id: &str) -> Result<GrievanceView> {
        let g: Record<Grievance> = read_by_id(&self.conn, Entity::Grievance, grievance_id(id)?)?;
        let sql = format!(
            "SELECT {} FROM grievance_actions WHERE grievance_id = ?1 ORDER BY taken_on, rid",
            select_columns(Entity::GrievanceAction)
        );
        let history = read_records(&self.conn, Entity::GrievanceAction, &sql, [g.id.to_string()])?;
        let application_name = match g.data.application_id {
            Some(a) => {
                Some(read_by_id::<SubProjectApplication>(&self.conn, Entity::Application, a)?.data.name)
            }
            None => None,
        };
        let mentor_name = match g.data.mentor_id {
            Some(m) => Some(self.mentor(&m.to_string())?.data.identity.full_name()),
            None => None,
        };
        Ok(GrievanceView { line: self.line(g), history, application_name, mentor_name })
    }

    /// The log of a region (or all): overdue first, then open by nearest deadline, then the
    /// resolved and closed, newest first.
    pub fn grievances(&self, region: Option<&str>, filter: GrievanceFilter) -> Result<Vec<GrievanceLine>> {
        let sql = format!(
            "SELECT {} FROM grievances WHERE cohort = ?1 AND (?2 IS NULL OR region = ?2)",
            select_columns(Entity::Grievance)
        );
        let mut lines: Vec<GrievanceLine> =
            read_records(&self.conn, Entity::Grievance, &sql, (self.rulebook.cohort, region))?
                .into_iter()
                .map(|g| self.line(g))
                .filter(|l| match filter {
                    GrievanceFilter::All => true,
                    GrievanceFilter::Open => !matches!(
                        l.grievance.data.status,
                        GrievanceStatus::Resolved | GrievanceStatus::Closed
                    ),
                    GrievanceFilter::Overdue => l.deadlines.overdue.is_some(),
                })
                .collect();
        lines.sort_by(|a, b| log_order((&a.grievance.data, &a.deadlines), (&b.grievance.data, &b.deadlines)));
        Ok(lines)
    }
}
