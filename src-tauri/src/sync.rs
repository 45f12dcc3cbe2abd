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

/// Enrols the desk with HQ with the one-time code HQ gave, and HQ's certificate when HQ gave one
/// (trusted alone for HQ from then on).
#[tauri::command]
pub async fn sync_enrol(
    desk: State<'_, Desk>,
    server: String,
    code: String,
    name: String,
    certificate: Option<String>,
) -> Reply<SyncPanel> {
    let lang = desk.lang();
    let mut store = desk.second_store()?;
    sync::enrol_pinned(&mut store, &server, &code, &name, certificate.as_deref())
        .await
        .map_err(|e| e.report(lang))?;
    sync::panel(&store).map_err(|e| e.report(lang))
}

/// Syncs with HQ, telling the window how far it has come (`sync-progress` events). Waits for a
/// sync of the desk's own that is running, then syncs.
#[tauri::command]
pub async fn sync_now(app: AppHandle, desk: State<'_, Desk>) -> Reply<SyncOutcome> {
    let _turn = desk.sync_turn().lock().await;
    run_sync(&app, &desk).await
}

/// One sync on a connection of its own, noted as the last tried; the window is told as it goes
/// and when it ends (`sync-finished`).
async fn run_sync(app: &AppHandle, desk: &Desk) -> Reply<SyncOutcome> {
    let lang = desk.lang();
    let synced: Reply<SyncOutcome> = async {
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
        if report.rulebooks.now_current.is_some() {
            // The sync's connection took a new cohort's rulebook: the forms' connection checks by it too.
            desk.call(|s| s.reload_rulebook()).await?;
        }
        Ok(SyncOutcome { message, progress: progress_view(&report.progress), panel })
    }
    .await;
    desk.sync_tried(synced.as_ref().err().map(|e| e.message.clone()));
    let _ = app.emit(SYNC_FINISHED, ());
    synced
}

/// The event that tells the window a sync ended, asked for or the desk's own: what it shows of
/// sync is read again.
pub const SYNC_FINISHED: &str = "sync-finished";

/// Where sync stands, at a glance: for the line under the sidebar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SyncGlance {
    /// Enrolled with HQ.
    pub enrolled: bool,
    /// A sync is running.
    pub running: bool,
    /// When the last complete sync ended (RFC 3339).
    pub last_sync_at: Option<String>,
    /// Changes waiting to go to HQ.
    #[ts(type = "number")]
    pub unsent: i64,
    /// How often the desk syncs by itself, in minutes; 0 when only asked.
    pub auto_minutes: u32,
    /// Why the last sync did not complete (HQ unreachable), in the user's language.
    pub problem: Option<String>,
}

/// Where sync stands, at a glance.
#[tauri::command]
pub async fn sync_glance(desk: State<'_, Desk>) -> Reply<SyncGlance> {
    let running = desk.sync_turn().try_lock().is_err();
    let problem = desk.auto_sync().problem;
    desk.call(move |s| {
        let state = s.sync_state()?;
        Ok::<_, AppError>(SyncGlance {
            enrolled: state.is_some(),
            running,
            last_sync_at: state.as_ref().and_then(|st| st.last_sync_at.clone()),
            unsent: state.as_ref().map_or(0, |st| st.unsent),
            auto_minutes: s.auto_sync_minutes()?,
            problem,
        })
    })
    .await
}

/// Sets how often the desk syncs by itself (0: only when asked).
#[tauri::command]
pub async fn save_auto_sync(desk: State<'_, Desk>, minutes: u32) -> Reply<u32> {
    desk.call(move |s| {
        s.set_auto_sync_minutes(minutes)?;
        s.auto_sync_minutes()
    })
    .await
}

/// The desk's own syncs, for its whole life, on a thread of their own: looked for at start and
/// every 20 seconds ([`sync_if_due`]).
pub fn keep_synced(app: AppHandle) {
    let every = look_every();
    loop {
        tauri::async_runtime::block_on(sync_if_due(&app));
        std::thread::sleep(every);
    }
}

/// 20 seconds; in a debug build, `KORPUS_SYNC_LOOK_SECONDS` when set (window tests).
fn look_every() -> std::time::Duration {
    #[cfg(debug_assertions)]
    if let Some(seconds) = std::env::var("KORPUS_SYNC_LOOK_SECONDS").ok().and_then(|s| s.parse().ok()) {
        return std::time::Duration::from_secs(seconds);
    }
    std::time::Duration::from_secs(20)
}

/// Syncs when the desk is enrolled, syncs by itself, and a sync is due: none tried yet since the
/// desk started, the last did not complete (HQ was away: HQ is asked, cheaply, whether it is
/// back, and the sync goes as soon as it is), or the last is the set minutes old. Never while
/// another sync runs; never in the way of a form (it has a connection of its own).
async fn sync_if_due(app: &AppHandle) {
    use tauri::Manager;
    let desk = app.state::<Desk>();
    if !desk.status().ready {
        return;
    }
    // Asked on the desk's own connection: a second one is opened only for a sync, so that a look
    // never stands in the way of work that needs the database alone (a new recovery code).
    let asked =
        desk.call(|s| Ok::<_, korpus_store::StoreError>((s.sync_state()?.is_some(), s.auto_sync_minutes()?)));
    let Ok((true, minutes)) = asked.await else { return };
    if !desk.auto_sync().due(minutes, desk.now()) {
        return;
    }
    let Ok(client) = desk.call(|s| sync::client_for(s)).await else { return };
    let Ok(_turn) = desk.sync_turn().try_lock() else { return };
    // HQ away: noted (the window says so), and asked again at the next look.
    if let Err(e) = client.capabilities().await {
        let problem = korpus_app::AppError::from(e).message(desk.lang());
        desk.sync_tried(Some(problem));
        let _ = app.emit(SYNC_FINISHED, ());
        return;
    }
    let _ = run_sync(app, &desk).await;
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
