//! The sub-projects' reports in the case database: every drawn sub-project's expected reports with
//! their due date and state as of today, submissions (again after a return) and the
//! coordinator's review. The rules are the domain's ([`korpus_domain::closing::reports`]).

use crate::Store;
use crate::error::{Result, StoreError};
use crate::tables::{Record, expect_version, find_by_id, read_records, select_columns};
use chrono::NaiveDate;
use korpus_domain::closing::reports::{
    ReportInput, ReportKind, ReportState, ReportSubject, ReviewInput, Submitter, SubprojectReport, due_on,
    expected_reports, report_id, state,
};
use korpus_domain::selection::lottery::Arm;
use korpus_domain::{Entity, SubProjectApplication};
use serde::Serialize;
use uuid::Uuid;

/// A sub-project the lottery assigned to an arm.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Drawn {
    pub application: Record<SubProjectApplication>,
    pub arm: Arm,
}

/// One report a sub-project owes, as the coordinator's list shows it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportLine {
    /// The sub-project.
    pub application_id: Uuid,
    /// Its name.
    pub application_name: String,
    /// Its region.
    pub region: String,
    /// Its group's arm.
    pub arm: Arm,
    /// Which report.
    pub kind: ReportKind,
    /// Who submits it.
    pub submitter: Submitter,
    /// When it is due.
    pub due_on: Option<NaiveDate>,
    /// Where it stands today.
    pub state: ReportState,
    /// The report, once submitted.
    pub report: Option<Record<SubprojectReport>>,
}

impl Store {
    /// The sub-projects of a region (or all) the lottery assigned, by name.
    pub(crate) fn drawn(&self, region: Option<&str>) -> Result<Vec<Drawn>> {
        let arms = self.arms(self.rulebook.cohort)?;
        let sql = format!(
            "SELECT {} FROM applications WHERE cohort = ?1 AND (?2 IS NULL OR region = ?2)
             ORDER BY region, name COLLATE kazakh",
            select_columns(Entity::Application)
        );
        let apps: Vec<Record<SubProjectApplication>> =
            read_records(&self.conn, Entity::Application, &sql, (self.rulebook.cohort, region))?;
        Ok(apps
            .into_iter()
            .filter_map(|application| arms.get(&application.id).map(|arm| Drawn { arm: *arm, application }))
            .collect())
    }

    /// The drawn sub-project `id`, or why it is not one.
    pub(crate) fn drawn_one(&self, id: &str) -> Result<(Record<SubProjectApplication>, Option<Arm>)> {
        let application = self.application(id)?.application;
        let arm = self.arms(application.data.cohort)?.get(&application.id).copied();
        Ok((application, arm))
    }

    /// The reports of one sub-project on record.
    pub(crate) fn reports_of(&self, application: Uuid) -> Result<Vec<Record<SubprojectReport>>> {
        let sql = format!(
            "SELECT {} FROM subproject_reports WHERE application_id = ?1 ORDER BY kind",
            select_columns(Entity::SubprojectReport)
        );
        read_records(&self.conn, Entity::SubprojectReport, &sql, [application.to_string()])
    }

    /// Every report the drawn sub-projects of a region (or all) owe, overdue first, then by
    /// sub-project.
    pub fn report_lines(&self, region: Option<&str>) -> Result<Vec<ReportLine>> {
        let due = due_on(&self.rulebook);
        let today = self.context().today;
        let mut lines = Vec::new();
        for d in self.drawn(region)? {
            let reports = self.reports_of(d.application.id)?;
            for kind in expected_reports(d.arm) {
                let report = reports.iter().find(|r| r.data.kind == *kind).cloned();
                lines.push(ReportLine {
                    application_id: d.application.id,
                    application_name: d.application.data.name.clone(),
                    region: d.application.data.region.clone(),
                    arm: d.arm,
                    kind: *kind,
                    submitter: if d.application.data.host_org_id.is_some() {
                        Submitter::HostOrg
                    } else {
                        Submitter::Group
                    },
                    due_on: due,
                    state: state(report.as_ref().map(|r| &r.data), due, today),
                    report,
                });
            }
        }
        lines.sort_by_key(|l| l.state != ReportState::Overdue);
        Ok(lines)
    }

    /// Records a sub-project's report as submitted; a returned one is submitted again.
    pub fn submit_report(
        &mut self,
        application: &str,
        input: &ReportInput,
    ) -> Result<Record<SubprojectReport>> {
        let (app, arm) = self.drawn_one(application)?;
        let kind = ReportKind::parse("kind", &input.kind).ok();
        let existing: Option<Record<SubprojectReport>> = match kind {
            Some(kind) => find_by_id(&self.conn, Entity::SubprojectReport, report_id(app.id, kind))?,
            None => None,
        };
        let subject = ReportSubject {
            application_id: app.id,
            region: &app.data.region,
            has_host_org: app.data.host_org_id.is_some(),
            arm,
        };
        let report = input.validate(&self.context(), &subject, existing.as_ref().map(|r| &r.data))?;
        let id = report_id(app.id, report.kind);
        match existing {
            Some(old) => {
                self.write(|w| w.update(Entity::SubprojectReport, id, old.version, &old.data, &report))?;
                Ok(Record { id, version: old.version + 1, data: report })
            }
            None => {
                self.write(|w| w.insert(Entity::SubprojectReport, id, &report))?;
                Ok(Record { id, version: 1, data: report })
            }
        }
    }

    /// Accepts or returns a submitted report read at `base_version`.
    pub fn review_report(
        &mut self,
        application: &str,
        kind: &str,
        base_version: i64,
        input: &ReviewInput,
    ) -> Result<Record<SubprojectReport>> {
        let (app, _) = self.drawn_one(application)?;
        let kind = ReportKind::parse("kind", kind).map_err(korpus_domain::ValidationErrors::one)?;
        let id = report_id(app.id, kind);
        let old: Record<SubprojectReport> = find_by_id(&self.conn, Entity::SubprojectReport, id)?
            .ok_or_else(|| StoreError::NotFound {
                entity: Entity::SubprojectReport,
                query: format!("{} {kind}", app.id),
            })?;
        expect_version(Entity::SubprojectReport, &old, base_version)?;
        let reviewed = input.apply(&self.context(), &old.data)?;
        self.write(|w| w.update(Entity::SubprojectReport, id, old.version, &old.data, &reviewed))?;
        Ok(Record { id, version: old.version + 1, data: reviewed })
    }
}
