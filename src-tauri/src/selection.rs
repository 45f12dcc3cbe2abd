//! The desk's commands for selection: the screening view, commission scoring, the lottery screen,
//! the indicators dashboard, and the selection steps on a mentor's and an organisation's page. Adapters only: each calls one function of korpus-store.

use crate::desk::Desk;
use crate::ipc::{Reply, progress_to};
use korpus_domain::rules::{Evaluation, Subject};
use korpus_domain::selection::commission::{
    CommissionDecision, CommissionMember, CommissionMemberInput, Score, ScoreInput,
};
use korpus_domain::selection::decisions::{
    DecisionInput, HostOrgDecision, LotteryRecord, MentorDecision, MentorInterview, MentorInterviewInput,
};
use korpus_domain::selection::indicators::Indicators;
use korpus_domain::selection::lottery::Balance;
use korpus_store::{
    CommissionDecisionInput, LotteryCheck, LotteryDrawInput, MentorSelection, Ranking, Record, ScreeningLine,
};
use tauri::{AppHandle, State};
use uuid::Uuid;

/// The event that tells the window how far a screening has come.
pub const SCREENING_PROGRESS: &str = "screening-progress";

/// Screens the cohort (again only where the facts changed) and lists every subject, telling the
/// window how far it has come (`screening-progress` events).
#[tauri::command]
pub async fn screen_cohort(app: AppHandle, desk: State<'_, Desk>) -> Reply<Vec<ScreeningLine>> {
    desk.call(move |s| {
        let cohort = s.rulebook().cohort;
        let mut tell = progress_to(app, SCREENING_PROGRESS);
        s.screen_cohort_telling(cohort, &mut tell)
    })
    .await
}

/// Every rule of one subject with its outcome and reasons, as the database holds it now.
#[tauri::command]
pub async fn explain(desk: State<'_, Desk>, subject: Subject, id: String) -> Reply<Evaluation> {
    desk.call(move |s| s.explain(subject, &id)).await
}

/// The commission's work in a region: members, sheets, ranking, decision.
#[tauri::command]
pub async fn ranking(desk: State<'_, Desk>, region: String) -> Reply<Ranking> {
    desk.call(move |s| s.ranking(&region)).await
}

/// Records a commission member.
#[tauri::command]
pub async fn add_commission_member(
    desk: State<'_, Desk>,
    input: CommissionMemberInput,
) -> Reply<Record<CommissionMember>> {
    desk.call(move |s| s.add_commission_member(&input)).await
}

/// Records or corrects a member's score sheet for an application.
#[tauri::command]
pub async fn record_score(
    desk: State<'_, Desk>,
    application: String,
    member: String,
    input: ScoreInput,
) -> Reply<Record<Score>> {
    desk.call(move |s| s.record_score(&application, &member, &input)).await
}

/// Records the commission's decision for a region.
#[tauri::command]
pub async fn decide_commission(
    desk: State<'_, Desk>,
    input: CommissionDecisionInput,
) -> Reply<Record<CommissionDecision>> {
    desk.call(move |s| s.decide_commission(&input)).await
}

/// Every lottery of the cohort, replaced ones too.
#[tauri::command]
pub async fn lotteries(desk: State<'_, Desk>) -> Reply<Vec<Record<LotteryRecord>>> {
    desk.call(move |s| {
        let cohort = s.rulebook().cohort;
        s.lotteries(cohort)
    })
    .await
}

/// Draws the lottery of a region and records it.
#[tauri::command]
pub async fn draw_lottery(desk: State<'_, Desk>, input: LotteryDrawInput) -> Reply<Record<LotteryRecord>> {
    desk.call(move |s| s.draw_lottery(&input)).await
}

/// Draws a recorded lottery again and names every difference.
#[tauri::command]
pub async fn verify_lottery(desk: State<'_, Desk>, id: String) -> Reply<LotteryCheck> {
    desk.call(move |s| s.verify_lottery(&id)).await
}

/// The balance table of a recorded lottery.
#[tauri::command]
pub async fn lottery_balance(desk: State<'_, Desk>, id: String) -> Reply<Balance> {
    desk.call(move |s| s.lottery_balance(&id)).await
}

/// Progress against the cohort's targets.
#[tauri::command]
pub async fn indicators(desk: State<'_, Desk>) -> Reply<Indicators> {
    desk.call(move |s| {
        let cohort = s.rulebook().cohort;
        s.indicators(cohort)
    })
    .await
}

/// A mentor's interviews and the internal commission's decision.
#[tauri::command]
pub async fn mentor_selection(desk: State<'_, Desk>, id: Uuid) -> Reply<MentorSelection> {
    desk.call(move |s| s.mentor_selection(id)).await
}

/// Records a screened mentor's telephone interview.
#[tauri::command]
pub async fn record_interview(
    desk: State<'_, Desk>,
    id: String,
    input: MentorInterviewInput,
) -> Reply<Record<MentorInterview>> {
    desk.call(move |s| s.record_interview(&id, &input)).await
}

/// Records the internal commission's decision on an interviewed mentor.
#[tauri::command]
pub async fn decide_mentor(
    desk: State<'_, Desk>,
    id: String,
    input: DecisionInput,
) -> Reply<Record<MentorDecision>> {
    desk.call(move |s| s.decide_mentor(&id, &input)).await
}

/// The competition's decision on a host organisation, if any.
#[tauri::command]
pub async fn host_org_decision(desk: State<'_, Desk>, id: Uuid) -> Reply<Option<Record<HostOrgDecision>>> {
    desk.call(move |s| s.host_org_decision(id)).await
}

/// Records the competition's decision on a host organisation.
#[tauri::command]
pub async fn decide_host_org(
    desk: State<'_, Desk>,
    id: String,
    input: DecisionInput,
) -> Reply<Record<HostOrgDecision>> {
    desk.call(move |s| s.decide_host_org(&id, &input)).await
}

/// Adds the memorandum of cooperation to a selected organisation's decision.
#[tauri::command]
pub async fn record_memorandum(
    desk: State<'_, Desk>,
    id: String,
    number: String,
    date: String,
) -> Reply<Record<HostOrgDecision>> {
    desk.call(move |s| s.record_memorandum(&id, &number, &date)).await
}
