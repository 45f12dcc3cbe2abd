//! The desk's commands for programme delivery: the training calendar and attendance sheets, a
//! mentor's work (certification, assignments, sessions, compliance) and the grievance log.
//! Adapters only: each calls one function of korpus-store.

use crate::desk::Desk;
use crate::ipc::Reply;
use korpus_domain::Mentor;
use korpus_domain::delivery::grievances::{GrievanceInput, GrievanceStepInput};
use korpus_domain::delivery::mentoring::{
    MentorAssignment, MentorSession, MentorSessionInput, ProtocolInput,
};
use korpus_domain::delivery::training::{TrainingEvent, TrainingEventInput};
use korpus_store::{
    AttendanceMark, GrievanceFilter, GrievanceLine, GrievanceView, MentorWork, Record, Roster,
};
use tauri::State;

/// The training events of a region (or all), by first day.
#[tauri::command]
pub async fn training_events(
    desk: State<'_, Desk>,
    region: Option<String>,
) -> Reply<Vec<Record<TrainingEvent>>> {
    desk.call(move |s| s.training_events(region.as_deref())).await
}

/// Lays out a region's calendar from the rulebook.
#[tauri::command]
pub async fn plan_training(desk: State<'_, Desk>, region: String) -> Reply<Vec<Record<TrainingEvent>>> {
    desk.call(move |s| s.plan_training(&region)).await
}

/// Changes an event's days, hours, venue, trainers or notes.
#[tauri::command]
pub async fn edit_training_event(
    desk: State<'_, Desk>,
    id: String,
    version: i64,
    input: TrainingEventInput,
) -> Reply<Record<TrainingEvent>> {
    desk.call(move |s| s.edit_training_event(&id, version, &input).map(|(event, _)| event)).await
}

/// Who is expected at an event, with their marks.
#[tauri::command]
pub async fn roster(desk: State<'_, Desk>, event: String) -> Reply<Roster> {
    desk.call(move |s| s.roster(&event)).await
}

/// Saves one day's sheet and returns the roster as it now is.
#[tauri::command]
pub async fn record_attendance(
    desk: State<'_, Desk>,
    event: String,
    day: u32,
    marks: Vec<AttendanceMark>,
) -> Reply<Roster> {
    desk.call(move |s| {
        s.record_attendance(&event, day, &marks)?;
        s.roster(&event)
    })
    .await
}

/// A mentor's certification, sub-projects, sessions and monthly compliance.
#[tauri::command]
pub async fn mentor_work(desk: State<'_, Desk>, mentor: String) -> Reply<MentorWork> {
    desk.call(move |s| s.mentor_work(&mentor)).await
}

/// Certifies a mentor who completed phase I.
#[tauri::command]
pub async fn certify_mentor(desk: State<'_, Desk>, mentor: String, on: String) -> Reply<Record<Mentor>> {
    desk.call(move |s| s.certify_mentor(&mentor, &on)).await
}

/// Assigns a mentor to a sub-project, within the load rules.
#[tauri::command]
pub async fn assign_mentor(
    desk: State<'_, Desk>,
    mentor: String,
    application: String,
    on: String,
) -> Reply<Record<MentorAssignment>> {
    desk.call(move |s| s.assign_mentor(&mentor, &application, &on)).await
}

/// Ends an assignment with its reason.
#[tauri::command]
pub async fn end_assignment(
    desk: State<'_, Desk>,
    id: String,
    on: String,
    reason: String,
) -> Reply<Record<MentorAssignment>> {
    desk.call(move |s| s.end_assignment(&id, &on, &reason)).await
}

/// Records a session, with its protocol or without.
#[tauri::command]
pub async fn record_session(
    desk: State<'_, Desk>,
    mentor: String,
    input: MentorSessionInput,
) -> Reply<Record<MentorSession>> {
    desk.call(move |s| s.record_session(&mentor, &input)).await
}

/// Writes a session's protocol.
#[tauri::command]
pub async fn write_protocol(
    desk: State<'_, Desk>,
    session: String,
    input: ProtocolInput,
) -> Reply<Record<MentorSession>> {
    desk.call(move |s| s.write_protocol(&session, &input)).await
}

/// Records a grievance as received.
#[tauri::command]
pub async fn record_grievance(
    desk: State<'_, Desk>,
    region: String,
    input: GrievanceInput,
    application: Option<String>,
    mentor: Option<String>,
) -> Reply<GrievanceLine> {
    desk.call(move |s| s.record_grievance(&region, &input, application.as_deref(), mentor.as_deref())).await
}

/// Takes a step on a grievance.
#[tauri::command]
pub async fn grievance_step(
    desk: State<'_, Desk>,
    id: String,
    version: i64,
    input: GrievanceStepInput,
) -> Reply<GrievanceView> {
    desk.call(move |s| s.grievance_step(&id, version, &input)).await
}

/// One grievance with its history.
#[tauri::command]
pub async fn grievance(desk: State<'_, Desk>, id: String) -> Reply<GrievanceView> {
    desk.call(move |s| s.grievance(&id)).await
}

/// The grievance log, overdue first.
#[tauri::command]
pub async fn grievances(
    desk: State<'_, Desk>,
    region: Option<String>,
    filter: GrievanceFilter,
) -> Reply<Vec<GrievanceLine>> {
    desk.call(move |s| s.grievances(region.as_deref(), filter)).await
}
