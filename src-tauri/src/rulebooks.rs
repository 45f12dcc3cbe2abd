//! Rulebooks in the desk: the one its forms check by, the others it keeps, and HQ's signed file of
//! a new one taken from a USB stick (Settings). A sync takes published ones by itself
//! (korpus-app's rulebooks.rs, which the command line uses too).

use crate::desk::Desk;
use crate::ipc::Reply;
use korpus_store::AdoptedRulebook;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

/// The Rulebook section of Settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RulebookPanel {
    /// The version the forms check by.
    pub current: String,
    /// Its cohort.
    pub cohort: i32,
    /// Every rulebook kept, as (version, cohort).
    pub kept: Vec<(String, i32)>,
}

/// The Rulebook section as it stands.
#[tauri::command]
pub async fn rulebook_panel(desk: State<'_, Desk>) -> Reply<RulebookPanel> {
    desk.call(|s| {
        let kept = s.kept_rulebooks()?;
        Ok::<_, korpus_store::StoreError>(RulebookPanel {
            current: s.rulebook().version.clone(),
            cohort: s.rulebook().cohort,
            kept,
        })
    })
    .await
}

/// Takes HQ's signed file of a rulebook, its bytes as opened in the window.
#[tauri::command]
pub async fn import_rulebook(desk: State<'_, Desk>, file: Vec<u8>) -> Reply<AdoptedRulebook> {
    desk.call(move |s| korpus_app::rulebooks::import_file(s, &file)).await
}
