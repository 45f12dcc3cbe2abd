//! The desk's sync commands: enrol with HQ, sync with progress events, settle conflicts. Sync
//! runs on a database connection of its own, so the rest of the desk stays usable meanwhile.

use crate::desk::Desk;
use crate::ipc::{CaseView, ConflictView, IpcError, SyncOutcome, SyncPanel, SyncProgress};
use korpus_domain::Lang;
use korpus_store::{Keep, Store, StoreError};
use korpus_sync::{Progress, SyncError, SyncOptions};
use serde_json::Value;
use std::collections::BTreeMap;
use tauri::{AppHandle, Emitter, State};
use uuid::Uuid;

type Reply<T> = Result<T, IpcError>;

fn sync_error(e: &SyncError, lang: Lang) -> IpcError {
    match e {
        // Field errors keep their details, for showing next to the fields.
        SyncError::Store(store) => IpcError::from_store(store, lang),
        other => {
            IpcError { code: other.code().to_owned(), message: other.message(lang), details: Vec::new() }
        }
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The panel as the store has it.
pub fn panel(store: &Store) -> Result<SyncPanel, StoreError> {
    let state = store.sync_state()?;
    let cases = store
        .sync_cases()?
        .into_iter()
        .map(|c| CaseView {
            id: c.id.to_string(),
            opened_at: korpus_store::local_time(&c.opened_at),
            fields: c
                .conflicts()
                .into_iter()
                .map(|f| ConflictView {
                    entity: f.entity.code().to_owned(),
                    entity_id: f.entity_id.to_string(),
                    field: f.field,
                    theirs: text(&f.theirs),
                    mine: text(&f.mine),
                })
                .collect(),
            records: c.records().iter().map(Uuid::to_string).collect(),
            kind: c.kind,
        })
        .collect();
    Ok(match state {
        Some(s) => SyncPanel {
            enrolled: true,
            server_url: Some(s.server_url),
            account: Some(s.account),
            regions: s.regions,
            last_sync_at: s.last_sync_at.as_deref().map(korpus_store::local_time),
            unsent: s.unsent,
            rejected: s.rejected,
            cases,
        },
        None => SyncPanel {
            enrolled: false,
            server_url: None,
            account: None,
            regions: Vec::new(),
            last_sync_at: None,
            unsent: store.unsent(usize::MAX >> 1)?.len() as i64,
            rejected: 0,
            cases,
        },
    })
}

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
pub fn sync_panel(desk: State<'_, Desk>) -> Reply<SyncPanel> {
    desk.with_store(|s| panel(s))
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
    korpus_sync::enrol(&mut store, &server, &code, &name).await.map_err(|e| sync_error(&e, lang))?;
    panel(&store).map_err(|e| IpcError::from_store(&e, lang))
}

/// Syncs with HQ, telling the window how far it has come (`sync-progress` events).
#[tauri::command]
pub async fn sync_now(app: AppHandle, desk: State<'_, Desk>) -> Reply<SyncOutcome> {
    let lang = desk.lang();
    let mut store = desk.second_store()?;
    let client = korpus_sync::client_for(&store).map_err(|e| sync_error(&e, lang))?;
    let mut tell = |p: &Progress| {
        let _ = app.emit("sync-progress", progress_view(p));
    };
    let report = korpus_sync::sync(&mut store, &client, &SyncOptions::default(), &mut tell)
        .await
        .map_err(|e| sync_error(&e, lang))?;
    let message = report.message(lang);
    let panel = panel(&store).map_err(|e| IpcError::from_store(&e, lang))?;
    Ok(SyncOutcome { message, progress: progress_view(&report.progress), panel })
}

/// Settles a conflict: `keep` (`mine` or `theirs`) for every field, unless `fields` names the
/// side for a field.
#[tauri::command]
pub fn sync_resolve(
    desk: State<'_, Desk>,
    case: Uuid,
    keep: String,
    fields: BTreeMap<String, String>,
) -> Reply<SyncPanel> {
    desk.with_store(|s| {
        let keep = Keep::parse("keep", &keep)?;
        let choices = fields
            .iter()
            .map(|(f, side)| Ok((f.clone(), Keep::parse("keep", side)?)))
            .collect::<Result<_, StoreError>>()?;
        s.resolve_conflict(case, &choices, keep)?;
        panel(s)
    })
}
