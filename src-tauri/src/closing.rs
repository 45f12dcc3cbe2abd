//! The desk's commands for the programme's end: grant contracts, scholarship rolls and money
//! totals, the sub-projects' reports, outreach, and certificates. Adapters only: each calls one
//! function of korpus-store.

use crate::desk::Desk;
use crate::ipc::Reply;
use korpus_app::certificates::{self, Verification};
use korpus_domain::closing::certification::{Certificate, Holder};
use korpus_domain::closing::money::{GrantContract, GrantContractInput, MoneyTotals};
use korpus_domain::closing::outreach::{OutreachEvent, OutreachInput, OutreachTotals};
use korpus_domain::closing::reports::{ReportInput, ReviewInput, SubprojectReport};
use korpus_store::{CertificateLine, GrantLine, Record, ReportLine, ScholarshipRoll};
use tauri::State;

/// The sub-projects of a region (or all) that get a grant, with their contracts.
#[tauri::command]
pub async fn grants(desk: State<'_, Desk>, region: Option<String>) -> Reply<Vec<GrantLine>> {
    desk.call(move |s| s.grants(region.as_deref())).await
}

/// Signs a contract, or amends the one read at `version`.
#[tauri::command]
pub async fn save_contract(
    desk: State<'_, Desk>,
    application: String,
    version: Option<i64>,
    input: GrantContractInput,
) -> Reply<Record<GrantContract>> {
    desk.call(move |s| s.save_contract(&application, version, &input)).await
}

/// A region's scholarship roll for a month.
#[tauri::command]
pub async fn scholarship_roll(
    desk: State<'_, Desk>,
    region: String,
    month: String,
) -> Reply<ScholarshipRoll> {
    desk.call(move |s| s.scholarship_roll(&region, &month)).await
}

/// Records a region's roll for a month.
#[tauri::command]
pub async fn record_scholarships(
    desk: State<'_, Desk>,
    region: String,
    month: String,
) -> Reply<ScholarshipRoll> {
    desk.call(move |s| s.record_scholarships(&region, &month)).await
}

/// Money by region and for the cohort.
#[tauri::command]
pub async fn money_totals(desk: State<'_, Desk>) -> Reply<Vec<MoneyTotals>> {
    desk.call(move |s| s.money_totals()).await
}

/// Every report the drawn sub-projects of a region (or all) owe.
#[tauri::command]
pub async fn report_lines(desk: State<'_, Desk>, region: Option<String>) -> Reply<Vec<ReportLine>> {
    desk.call(move |s| s.report_lines(region.as_deref())).await
}

/// Records a report as submitted.
#[tauri::command]
pub async fn submit_report(
    desk: State<'_, Desk>,
    application: String,
    input: ReportInput,
) -> Reply<Record<SubprojectReport>> {
    desk.call(move |s| s.submit_report(&application, &input)).await
}

/// Accepts or returns a submitted report.
#[tauri::command]
pub async fn review_report(
    desk: State<'_, Desk>,
    application: String,
    kind: String,
    version: i64,
    input: ReviewInput,
) -> Reply<Record<SubprojectReport>> {
    desk.call(move |s| s.review_report(&application, &kind, version, &input)).await
}

/// Outreach of a region (or all), newest first.
#[tauri::command]
pub async fn outreach(desk: State<'_, Desk>, region: Option<String>) -> Reply<Vec<Record<OutreachEvent>>> {
    desk.call(move |s| s.outreach(region.as_deref())).await
}

/// Records an outreach activity.
#[tauri::command]
pub async fn record_outreach(
    desk: State<'_, Desk>,
    region: String,
    input: OutreachInput,
) -> Reply<Record<OutreachEvent>> {
    desk.call(move |s| s.record_outreach(&region, &input)).await
}

/// People reached by region and in all.
#[tauri::command]
pub async fn outreach_totals(desk: State<'_, Desk>) -> Reply<Vec<OutreachTotals>> {
    desk.call(move |s| s.outreach_totals()).await
}

/// Who of a region (or all) may receive a certificate, and why not.
#[tauri::command]
pub async fn certificate_lines(desk: State<'_, Desk>, region: Option<String>) -> Reply<Vec<CertificateLine>> {
    desk.call(move |s| s.certificate_lines(region.as_deref())).await
}

/// Issues one certificate.
#[tauri::command]
pub async fn issue_certificate(
    desk: State<'_, Desk>,
    holder: Holder,
    id: String,
    issued_on: String,
) -> Reply<Record<Certificate>> {
    desk.call(move |s| korpus_app::certificates::issue_certificate(s, holder, &id, &issued_on)).await
}

/// Tells a genuine certificate from an edited or forged one: its code as pasted, or its PDF as
/// opened in the window (its bytes). Another desk's certificate is checked by asking HQ.
#[tauri::command]
pub async fn verify_certificate(
    desk: State<'_, Desk>,
    code: Option<String>,
    pdf: Option<Vec<u8>>,
) -> Reply<Verification> {
    let lang = desk.lang();
    let given = match pdf {
        Some(bytes) => certificates::read_certificate_file(&bytes),
        None => certificates::read_certificate_code(code.as_deref().unwrap_or_default()),
    }
    .map_err(|e| e.report(lang))?;
    // The database is read before HQ is asked, and not held while waiting for it.
    let pending = {
        let store = desk.second_store()?;
        certificates::pending_verification(&store, given, lang).map_err(|e| e.report(lang))?
    };
    pending.finish(lang).await.map_err(|e| e.report(lang))
}
