//! What a printed document needs, gathered from the database in one place for the command line
//! and the desk: a session with its people's names, a mentor's month, a training day's roster, a
//! host organisation's applications with where each stands, a region's lottery with its groups'
//! names. The layout is `korpus-print`'s.

use crate::Store;
use crate::applications::ApplicationView;
use crate::error::{Result, StoreError};
use crate::tables::Record;
use crate::training::RosterLine;
use korpus_domain::closing::money::{month_code, parse_month};
use korpus_domain::delivery::mentoring::{MentorSession, MonthlyCompliance};
use korpus_domain::delivery::training::TrainingEvent;
use korpus_domain::rules::{Subject, Verdict, overall};
use korpus_domain::selection::decisions::LotteryRecord;
use korpus_domain::selection::lottery::Arm;
use korpus_domain::validation::FieldError;
use korpus_domain::{Entity, HostOrg, ValidationErrors};
use serde::Serialize;

/// A session's protocol with the names it prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProtocolView {
    /// The session.
    pub session: Record<MentorSession>,
    /// The mentor's full name.
    pub mentor: String,
    /// The sub-project's name.
    pub subproject: String,
    /// The full names of those who came.
    pub attendees: Vec<String>,
}

/// A mentor's month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryView {
    /// The mentor's full name.
    pub mentor: String,
    /// The mentor's region.
    pub region: String,
    /// The month's compliance.
    pub month: MonthlyCompliance,
    /// The month's sessions, oldest first, each with its sub-project's name.
    pub sessions: Vec<(MentorSession, String)>,
}

/// One day of a training event and who is expected.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttendanceView {
    /// The event.
    pub event: Record<TrainingEvent>,
    /// The day, 1 for the first.
    pub day: u32,
    /// Who is expected, by group and name.
    pub people: Vec<RosterLine>,
}

/// Where an application stands, as a list prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "stage", content = "value")]
pub enum ApplicationStanding {
    /// Registered, not screened yet.
    Registered,
    /// Screened, with the overall verdict.
    Screened(Verdict),
    /// Drawn into an arm.
    Drawn(Arm),
}

/// A host organisation's applications.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApplicationListView {
    /// The organisation.
    pub host_org: Record<HostOrg>,
    /// Its applications, by name, each with where it stands.
    pub applications: Vec<(ApplicationView, ApplicationStanding)>,
}

/// A region's lottery in force and its groups' names, in the draw's order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LotteryView {
    /// The lottery.
    pub lottery: Record<LotteryRecord>,
    /// Each drawn group's sub-project name, in the order of the draw's assignments.
    pub names: Vec<String>,
}

impl Store {
    fn subproject_name(&self, id: uuid::Uuid) -> Result<String> {
        Ok(self.application(&id.to_string())?.application.data.name)
    }

    /// A session's protocol with its mentor's, sub-project's and attendees' names.
    pub fn protocol_view(&self, session: &str) -> Result<ProtocolView> {
        let session = self.session(session)?;
        let s = &session.data;
        let mentor = self.mentor(&s.mentor_id.to_string())?.data.identity.full_name();
        let subproject = self.subproject_name(s.application_id)?;
        let attendees = s
            .attendees
            .iter()
            .map(|p| self.person(&p.to_string()).map(|p| p.data.identity.full_name()))
            .collect::<Result<_>>()?;
        Ok(ProtocolView { session, mentor, subproject, attendees })
    }

    /// A mentor's month (`2017-08` or `08.2017`): its compliance and its sessions.
    pub fn summary_view(&self, mentor: &str, typed_month: &str) -> Result<SummaryView> {
        let code = parse_month(typed_month).map_err(ValidationErrors::one)?;
        let m = self.mentor(mentor)?;
        let month = self.compliance(mentor)?.into_iter().find(|c| c.month == code).ok_or_else(|| {
            ValidationErrors::one(FieldError::new("month", "error-no-sessions-month").arg("month", &code))
        })?;
        let mut sessions = Vec::new();
        for s in self.sessions(m.id)?.into_iter().rev().filter(|s| month_code(s.data.held_on) == code) {
            let name = self.subproject_name(s.data.application_id)?;
            sessions.push((s.data, name));
        }
        Ok(SummaryView {
            mentor: m.data.identity.full_name(),
            region: m.data.identity.region,
            month,
            sessions,
        })
    }

    /// Day `day` of a training event and who is expected; a day the event does not have is
    /// refused, naming the field.
    pub fn attendance_view(&self, event: &str, day: &str) -> Result<AttendanceView> {
        let roster = self.roster(event)?;
        let days = roster.event.data.dates.len();
        let day =
            day.trim().parse::<u32>().ok().filter(|d| (1..=days as u32).contains(d)).ok_or_else(|| {
                ValidationErrors::one(
                    FieldError::new("day", "error-day-of-event").arg("value", day.trim()).arg("days", days),
                )
            })?;
        Ok(AttendanceView { event: roster.event, day, people: roster.lines })
    }

    /// A host organisation's applications (by id or BIN), each with where it stands.
    pub fn application_list_view(&self, host_org: &str) -> Result<ApplicationListView> {
        let host_org = self.host_org(host_org)?;
        let arms = self.arms(self.rulebook.cohort)?;
        let mut applications = Vec::new();
        for view in self.host_org_applications(host_org.id)? {
            let id = view.application.id;
            let standing = match arms.get(&id) {
                Some(arm) => ApplicationStanding::Drawn(*arm),
                None => match self.latest_screening(Subject::Application, id)? {
                    Some(s) => ApplicationStanding::Screened(overall(&s.data.evaluation.outcomes)),
                    None => ApplicationStanding::Registered,
                },
            };
            applications.push((view, standing));
        }
        Ok(ApplicationListView { host_org, applications })
    }

    /// The lottery in force in `region` (the latest, not superseded) and its groups' names.
    pub fn lottery_view(&self, region: &str) -> Result<LotteryView> {
        let lottery = self
            .lotteries(self.rulebook.cohort)?
            .into_iter()
            .rfind(|l| l.data.region == region)
            .ok_or_else(|| StoreError::NotFound { entity: Entity::Lottery, query: region.to_owned() })?;
        let names = lottery
            .data
            .draw
            .assignments
            .iter()
            .map(|a| self.subproject_name(a.application_id))
            .collect::<Result<_>>()?;
        Ok(LotteryView { lottery, names })
    }
}
