//! The desk's commands for programme delivery: the training calendar and attendance sheets, a
//! mentor's work (certification, assignments, sessions, compliance) and the grievance log.
//! Adapters only: each calls one function of korpus-store.

use crate::desk::Desk;
use crate::ipc::IpcError;
use korpus_domain::Mentor;
use korpus_domain::grievances::{GrievanceInput, GrievanceStepInput};
use korpus_domain::mentoring::{MentorAssignment, MentorSession, MentorSessionInput, ProtocolInput};
use korpus_domain::training::{TrainingEvent, TrainingEventInput};
use korpus_store::{
    AttendanceMark, GrievanceFilter, GrievanceLine, GrievanceView, MentorWork, Record, Roster,
};
use tauri::State;

type Reply<T> = Result<T, IpcError>;

/// The training events of a region (or all), by first day.
#[tauri::command]
pub fn training_events(desk: State<'_, Desk>, region: Option<String>) -> Reply<Vec<Record<TrainingEvent>>> {
    desk.with_store(|s| s.training_events(region.as_deref()))
}

/// Lays out a region's calendar from the rulebook.
#[tauri::command]
pub fn plan_training(desk: State<'_, Desk>, region: String) -> Reply<Vec<Record<TrainingEvent>>> {
    desk.with_store(|s| s.plan_training(&region))
}

/// Changes an event's days, hours, venue, trainers or notes.
#[tauri::command]
pub fn edit_training_event(
    desk: State<'_, Desk>,
    id: String,
    version: i64,
    input: TrainingEventInput,
) -> Reply<Record<TrainingEvent>> {
    desk.with_store(|s| s.edit_training_event(&id, version, &input).map(|(event, _)| event))
}

/// Who is expected at an event, with their marks.
#[tauri::command]
pub fn roster(desk: State<'_, Desk>, event: String) -> Reply<Roster> {
    desk.with_store(|s| s.roster(&event))
}

/// Saves one day's sheet and returns the roster as it now is.
#[tauri::command]
pub fn record_attendance(
    desk: State<'_, Desk>,
    event: String,
    day: u32,
    marks: Vec<AttendanceMark>,
) -> Reply<Roster> {
    desk.with_store(|s| {
        s.record_attendance(&event, day, &marks)?;
        s.roster(&event)
    })
}

/// A mentor's certification, sub-projects, sessions and monthly compliance.
#[tauri::command]
pub fn mentor_work(desk: State<'_, Desk>, mentor: String) -> Reply<MentorWork> {
    desk.with_store(|s| s.mentor_work(&mentor))
}

/// Certifies a mentor who completed phase I.
#[tauri::command]
pub fn certify_mentor(desk: State<'_, Desk>, mentor: String, on: String) -> Reply<Record<Mentor>> {
    desk.with_store(|s| s.certify_mentor(&mentor, &on))
}

/// Assigns a mentor to a sub-project, within the load rules.
#[tauri::command]
pub fn assign_mentor(
    desk: State<'_, Desk>,
    mentor: String,
    application: String,
    on: String,
) -> Reply<Record<MentorAssignment>> {
    desk.with_store(|s| s.assign_mentor(&mentor, &application, &on))
}

/// Ends an assignment with its reason.
#[tauri::command]
pub fn end_assignment(
    desk: State<'_, Desk>,
    id: String,
    on: String,
    reason: String,
) -> Reply<Record<MentorAssignment>> {
    desk.with_store(|s| s.end_assignment(&id, &on, &reason))
}

/// Records a session, with its protocol or without.
#[tauri::command]
pub fn record_session(
    desk: State<'_, Desk>,
    mentor: String,
    input: MentorSessionInput,
) -> Reply<Record<MentorSession>> {
    desk.with_store(|s| s.record_session(&mentor, &input))
}

/// Writes a session's protocol.
#[tauri::command]
pub fn write_protocol(
    desk: State<'_, Desk>,
    session: String,
    input: ProtocolInput,
) -> Reply<Record<MentorSession>> {
    desk.with_store(|s| s.write_protocol(&session, &input))
}

/// Records a grievance as received.
#[tauri::command]
pub fn record_grievance(
    desk: State<'_, Desk>,
    region: String,
    input: GrievanceInput,
    application: Option<String>,
    mentor: Option<String>,
) -> Reply<GrievanceLine> {
    desk.with_store(|s| s.record_grievance(&region, &input, application.as_deref(), mentor.as_deref()))
}

/// Takes a step on a grievance.
#[tauri::command]
pub fn grievance_step(
    desk: State<'_, Desk>,
    id: String,
    version: i64,
    input: GrievanceStepInput,
) -> Reply<GrievanceView> {
    desk.with_store(|s| s.grievance_step(&id, version, &input))
}

/// One grievance with its history.
#[tauri::command]
pub fn grievance(desk: State<'_, Desk>, id: String) -> Reply<GrievanceView> {
    desk.with_store(|s| s.grievance(&id))
}

/// The grievance log, overdue first.
#[tauri::command]
pub fn grievances(
    desk: State<'_, Desk>,
    region: Option<String>,
    filter: GrievanceFilter,
) -> Reply<Vec<GrievanceLine>> {
    desk.with_store(|s| s.grievances(region.as_deref(), filter))
}
