//! The desk's sync commands: enrol with HQ, sync with progress events, settle conflicts. Sync
//! runs on a database connection of its own, so the rest of the desk stays usable meanwhile.

use crate::desk::Desk;
use crate::ipc::{Reply, SyncOutcome, SyncProgress};
use crate::printing::Prints;
use korpus_app::AppError;
use korpus_app::sync::{self, Progress, SyncOptions, SyncPanel};
use serde::Serialize;
use std::collections::BTreeMap;
use tauri::{AppHandle, Emitter, State};
use ts_rs::TS;
use uuid::Uuid;

/// The event that tells the window how far a sync has come.
pub const SYNC_PROGRESS: &str = "sync-progress";

fn progress_view(p: &Progress) -> SyncProgress {
    SyncProgress {
        phase: p.phase.to_owned(),
        pushed: p.pushed,
        to_push: p.to_push,
        pulled: p.pulled,
        cursor: p.cursor,
        head: p.head,
        bytes_up: p.bytes_up,
        bytes_down: p.bytes_down,
        retries: p.retries,
    }
}

/// Where the desk stands with HQ.
#[tauri::command]
pub async fn sync_panel(desk: State<'_, Desk>) -> Reply<SyncPanel> {
    desk.call(move |s| sync::panel(s)).await
}

/// Enrols the desk with HQ with the one-time code HQ gave.
#[tauri::command]
pub async fn sync_enrol(
    desk: State<'_, Desk>,
    server: String,
    code: String,
    name: String,
) -> Reply<SyncPanel> {
    let lang = desk.lang();
    let mut store = desk.second_store()?;
    sync::enrol(&mut store, &server, &code, &name).await.map_err(|e| e.report(lang))?;
    sync::panel(&store).map_err(|e| e.report(lang))
}

/// Syncs with HQ, telling the window how far it has come (`sync-progress` events).
#[tauri::command]
pub async fn sync_now(app: AppHandle, desk: State<'_, Desk>) -> Reply<SyncOutcome> {
    let lang = desk.lang();
    let mut store = desk.second_store()?;
    let client = sync::client_for(&store).map_err(|e| e.report(lang))?;
    let mut tell = |p: &Progress| {
        let _ = app.emit(SYNC_PROGRESS, progress_view(p));
    };
    let report = sync::sync(&mut store, &client, &SyncOptions::default(), &mut tell)
        .await
        .map_err(|e| e.report(lang))?;
    let message = report.message(lang);
    let panel = sync::panel(&store).map_err(|e| e.report(lang))?;
    Ok(SyncOutcome { message, progress: progress_view(&report.progress), panel })
}

/// Settles a conflict: `keep` (`mine` or `theirs`) for every field, unless `fields` names the
/// side for a field.
#[tauri::command]
pub async fn sync_resolve(
    desk: State<'_, Desk>,
    case: Uuid,
    keep: String,
    fields: BTreeMap<String, String>,
) -> Reply<SyncPanel> {
    desk.call(move |s| {
        sync::resolve(s, case, &keep, &fields)?;
        sync::panel(s)
    })
    .await
}

/// A file of this desk's changes for HQ, written where the coordinator finds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ExportedFile {
    /// Where it is.
    pub path: String,
    /// The changes it carries.
    #[ts(type = "number")]
    pub envelopes: usize,
    /// Its size.
    #[ts(type = "number")]
    pub bytes: u64,
}

/// Writes every change HQ has not answered yet to a file for a USB stick, signed with the
/// device's key, in `Documents/Korpus/sync` (as `korpus sync export` does).
#[tauri::command]
pub async fn sync_export(desk: State<'_, Desk>, prints: State<'_, Prints>) -> Reply<ExportedFile> {
    let folder = prints.folder().join("sync");
    desk.call(move |s| {
        let (bytes, envelopes) = sync::export_file(s)?;
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
        let path = folder.join(format!("korpus-{}-{stamp}.korpus", s.device_id().simple()));
        korpus_app::printing::save(&path, &bytes)?;
        Ok::<_, AppError>(ExportedFile {
            path: path.display().to_string(),
            envelopes,
            bytes: bytes.len() as u64,
        })
    })
    .await
}

/// Reads HQ's answer file (its bytes, as opened in the window): receipts and HQ's changes, with
/// the checks of `korpus sync import`.
#[tauri::command]
pub async fn sync_import(desk: State<'_, Desk>, answer: Vec<u8>) -> Reply<SyncOutcome> {
    let lang = desk.lang();
    let mut store = desk.second_store()?;
    let report = sync::import_answer(&mut store, &answer).map_err(|e| e.report(lang))?;
    let message = report.message(lang);
    let panel = sync::panel(&store).map_err(|e| e.report(lang))?;
    Ok(SyncOutcome { message, progress: progress_view(&report.progress), panel })
}
