//! The desk's sync commands: enrol with HQ, sync with progress events, settle conflicts. Sync
//! runs on a database connection of its own, so the rest of the desk stays usable meanwhile.

use crate::desk::Desk;
use crate::ipc::{Reply, SyncOutcome, SyncProgress};
use korpus_app::sync::{self, Progress, SyncOptions, SyncPanel};
use std::collections::BTreeMap;
use tauri::{AppHandle, Emitter, State};
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
