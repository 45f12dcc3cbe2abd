//! The desk's commands for selection: the screening view, commission scoring, the lottery screen,
//! the indicators dashboard, and the selection steps on a mentor's and an organisation's page. Adapters only: each calls one function of korpus-store.

use crate::desk::Desk;
use crate::ipc::IpcError;
use korpus_domain::commission::{
    CommissionDecision, CommissionMember, CommissionMemberInput, Score, ScoreInput,
};
use korpus_domain::indicators::Indicators;
use korpus_domain::lottery::Balance;
use korpus_domain::rules::{Evaluation, Subject};
use korpus_domain::selection::{
    DecisionInput, HostOrgDecision, LotteryRecord, MentorDecision, MentorInterview, MentorInterviewInput,
};
use korpus_store::{
    CommissionDecisionInput, LotteryCheck, LotteryDrawInput, MentorSelection, Ranking, Record, ScreeningLine,
};
use tauri::State;
use uuid::Uuid;

type Reply<T> = Result<T, IpcError>;

/// Screens the cohort (again only where the facts changed) and lists every subject.
#[tauri::command]
pub fn screen_cohort(desk: State<'_, Desk>) -> Reply<Vec<ScreeningLine>> {
    desk.with_store(|s| {
        let cohort = s.rulebook().cohort;
        s.screen_cohort(cohort)
    })
}

/// Every rule of one subject with its outcome and reasons, as the database holds it now.
#[tauri::command]
pub fn explain(desk: State<'_, Desk>, subject: Subject, id: String) -> Reply<Evaluation> {
    desk.with_store(|s| s.explain(subject, &id))
}

/// The commission's work in a region: members, sheets, ranking, decision.
#[tauri::command]
pub fn ranking(desk: State<'_, Desk>, region: String) -> Reply<Ranking> {
    desk.with_store(|s| s.ranking(&region))
}

/// Records a commission member.
#[tauri::command]
pub fn add_commission_member(
    desk: State<'_, Desk>,
    input: CommissionMemberInput,
) -> Reply<Record<CommissionMember>> {
    desk.with_store(|s| s.add_commission_member(&input))
}

/// Records or corrects a member's score sheet for an application.
#[tauri::command]
pub fn record_score(
    desk: State<'_, Desk>,
    application: String,
    member: String,
    input: ScoreInput,
) -> Reply<Record<Score>> {
    desk.with_store(|s| s.record_score(&application, &member, &input))
}

/// Records the commission's decision for a region.
#[tauri::command]
pub fn decide_commission(
    desk: State<'_, Desk>,
    input: CommissionDecisionInput,
) -> Reply<Record<CommissionDecision>> {
    desk.with_store(|s| s.decide_commission(&input))
}

/// Every lottery of the cohort, replaced ones too.
#[tauri::command]
pub fn lotteries(desk: State<'_, Desk>) -> Reply<Vec<Record<LotteryRecord>>> {
    desk.with_store(|s| {
        let cohort = s.rulebook().cohort;
        s.lotteries(cohort)
    })
}

/// Draws the lottery of a region and records it.
#[tauri::command]
pub fn draw_lottery(desk: State<'_, Desk>, input: LotteryDrawInput) -> Reply<Record<LotteryRecord>> {
    desk.with_store(|s| s.draw_lottery(&input))
}

/// Draws a recorded lottery again and names every difference.
#[tauri::command]
pub fn verify_lottery(desk: State<'_, Desk>, id: String) -> Reply<LotteryCheck> {
    desk.with_store(|s| s.verify_lottery(&id))
}

/// The balance table of a recorded lottery.
#[tauri::command]
pub fn lottery_balance(desk: State<'_, Desk>, id: String) -> Reply<Balance> {
    desk.with_store(|s| s.lottery_balance(&id))
}

/// Progress against the cohort's targets.
#[tauri::command]
pub fn indicators(desk: State<'_, Desk>) -> Reply<Indicators> {
    desk.with_store(|s| {
        let cohort = s.rulebook().cohort;
        s.indicators(cohort)
    })
}

/// A mentor's interviews and the internal commission's decision.
#[tauri::command]
pub fn mentor_selection(desk: State<'_, Desk>, id: Uuid) -> Reply<MentorSelection> {
    desk.with_store(|s| s.mentor_selection(id))
}

/// Records a screened mentor's telephone interview.
#[tauri::command]
pub fn record_interview(
    desk: State<'_, Desk>,
    id: String,
    input: MentorInterviewInput,
) -> Reply<Record<MentorInterview>> {
    desk.with_store(|s| s.record_interview(&id, &input))
}

/// Records the internal commission's decision on an interviewed mentor.
#[tauri::command]
pub fn decide_mentor(
    desk: State<'_, Desk>,
    id: String,
    input: DecisionInput,
) -> Reply<Record<MentorDecision>> {
    desk.with_store(|s| s.decide_mentor(&id, &input))
}

/// The competition's decision on a host organisation, if any.
#[tauri::command]
pub fn host_org_decision(desk: State<'_, Desk>, id: Uuid) -> Reply<Option<Record<HostOrgDecision>>> {
    desk.with_store(|s| s.host_org_decision(id))
}

/// Records the competition's decision on a host organisation.
#[tauri::command]
pub fn decide_host_org(
    desk: State<'_, Desk>,
    id: String,
    input: DecisionInput,
) -> Reply<Record<HostOrgDecision>> {
    desk.with_store(|s| s.decide_host_org(&id, &input))
}

/// Adds the memorandum of cooperation to a selected organisation's decision.
#[tauri::command]
pub fn record_memorandum(
    desk: State<'_, Desk>,
    id: String,
    number: String,
    date: String,
) -> Reply<Record<HostOrgDecision>> {
    desk.with_store(|s| s.record_memorandum(&id, &number, &date))
}
