//! The desk's commands for the programme's end: grant contracts, scholarship rolls and money
//! totals, the sub-projects' reports, outreach, and certificates. Adapters only: each calls one
//! function of korpus-store.

use crate::desk::Desk;
use crate::ipc::IpcError;
use korpus_domain::certification::{Certificate, Holder};
use korpus_domain::money::{GrantContract, GrantContractInput, MoneyTotals};
use korpus_domain::outreach::{OutreachEvent, OutreachInput, OutreachTotals};
use korpus_domain::reports::{ReportInput, ReviewInput, SubprojectReport};
use korpus_store::{CertificateLine, GrantLine, Record, ReportLine, ScholarshipRoll};
use tauri::State;

type Reply<T> = Result<T, IpcError>;

/// The sub-projects of a region (or all) that get a grant, with their contracts.
#[tauri::command]
pub fn grants(desk: State<'_, Desk>, region: Option<String>) -> Reply<Vec<GrantLine>> {
    desk.with_store(|s| s.grants(region.as_deref()))
}

/// Signs a contract, or amends the one read at `version`.
#[tauri::command]
pub fn save_contract(
    desk: State<'_, Desk>,
    application: String,
    version: Option<i64>,
    input: GrantContractInput,
) -> Reply<Record<GrantContract>> {
    desk.with_store(|s| s.save_contract(&application, version, &input))
}

/// A region's scholarship roll for a month.
#[tauri::command]
pub fn scholarship_roll(desk: State<'_, Desk>, region: String, month: String) -> Reply<ScholarshipRoll> {
    desk.with_store(|s| s.scholarship_roll(&region, &month))
}

/// Records a region's roll for a month.
#[tauri::command]
pub fn record_scholarships(desk: State<'_, Desk>, region: String, month: String) -> Reply<ScholarshipRoll> {
    desk.with_store(|s| s.record_scholarships(&region, &month))
}

/// Money by region and for the cohort.
#[tauri::command]
pub fn money_totals(desk: State<'_, Desk>) -> Reply<Vec<MoneyTotals>> {
    desk.with_store(|s| s.money_totals())
}

/// Every report the drawn sub-projects of a region (or all) owe.
#[tauri::command]
pub fn report_lines(desk: State<'_, Desk>, region: Option<String>) -> Reply<Vec<ReportLine>> {
    desk.with_store(|s| s.report_lines(region.as_deref()))
}

/// Records a report as submitted.
#[tauri::command]
pub fn submit_report(
    desk: State<'_, Desk>,
    application: String,
    input: ReportInput,
) -> Reply<Record<SubprojectReport>> {
    desk.with_store(|s| s.submit_report(&application, &input))
}

/// Accepts or returns a submitted report.
#[tauri::command]
pub fn review_report(
    desk: State<'_, Desk>,
    application: String,
    kind: String,
    version: i64,
    input: ReviewInput,
) -> Reply<Record<SubprojectReport>> {
    desk.with_store(|s| s.review_report(&application, &kind, version, &input))
}

/// Outreach of a region (or all), newest first.
#[tauri::command]
pub fn outreach(desk: State<'_, Desk>, region: Option<String>) -> Reply<Vec<Record<OutreachEvent>>> {
    desk.with_store(|s| s.outreach(region.as_deref()))
}

/// Records an outreach activity.
#[tauri::command]
pub fn record_outreach(
    desk: State<'_, Desk>,
    region: String,
    input: OutreachInput,
) -> Reply<Record<OutreachEvent>> {
    desk.with_store(|s| s.record_outreach(&region, &input))
}

/// People reached by region and in all.
#[tauri::command]
pub fn outreach_totals(desk: State<'_, Desk>) -> Reply<Vec<OutreachTotals>> {
    desk.with_store(|s| s.outreach_totals())
}

/// Who of a region (or all) may receive a certificate, and why not.
#[tauri::command]
pub fn certificate_lines(desk: State<'_, Desk>, region: Option<String>) -> Reply<Vec<CertificateLine>> {
    desk.with_store(|s| s.certificate_lines(region.as_deref()))
}

/// Issues one certificate.
#[tauri::command]
pub fn issue_certificate(
    desk: State<'_, Desk>,
    holder: Holder,
    id: String,
    issued_on: String,
) -> Reply<Record<Certificate>> {
    desk.with_store(|s| {
        let key = korpus_sync::secrets::device_signing_key(s.device_id())
            .map_err(|e| korpus_store::StoreError::Keyring(e.0))?;
        s.issue_certificate(holder, &id, &issued_on, &key)
    })
}
