//! The desk: a Tauri shell whose commands are thin adapters over korpus-app, korpus-store and
//! korpus-domain, run off the window's main thread.

pub mod backups;
pub mod closing;
pub mod commands;
pub mod delivery;
pub mod desk;
pub mod documents;
pub mod ipc;
pub mod printing;
pub mod rulebooks;
pub mod selection;
pub mod settings;
pub mod sync;

#[cfg(test)]
mod bindings;

use desk::Desk;
use korpus_app::database::DATABASE_FILE;
use korpus_app::secrets::OsKeyring;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::Duration;
use tauri::{AppHandle, Manager, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// How long the window must rest before its size and position are written down.
const WINDOW_SETTLE: Duration = Duration::from_millis(400);

/// Writes the window's size and position once it has stopped moving. The window-state plugin
/// saves them when the desk closes normally; a laptop whose battery dies does not close normally,
/// so the desk also saves whenever the window settles after a move or resize.
fn remember_window_state(app: AppHandle, moves: Receiver<()>) {
    while moves.recv().is_ok() {
        loop {
            match moves.recv_timeout(WINDOW_SETTLE) {
                Ok(()) => continue,
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        let _ = app.save_window_state(StateFlags::all());
    }
}

/// Every command of the desk, named once: the handler Tauri dispatches to, and the names the front
/// end may call (`ui/src/lib/bindings/DeskCommand.ts`, generated from [`COMMANDS`]).
macro_rules! desk_commands {
    ($($module:ident::$name:ident),* $(,)?) => {
        /// The names of the desk's commands, as the front end calls them.
        pub const COMMANDS: &[&str] = &[$(stringify!($name)),*];

        fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($module::$name),*]
        }
    };
}

desk_commands![
    commands::status,
    sync::sync_panel,
    sync::sync_enrol,
    sync::sync_now,
    sync::sync_glance,
    sync::save_auto_sync,
    sync::sync_export,
    sync::sync_import,
    sync::sync_resolve,
    commands::unlock,
    commands::unlock_with_recovery_code,
    commands::new_recovery_code,
    commands::forget_recovery_code,
    commands::recovery_status,
    printing::recovery_sheet_preview,
    printing::recovery_sheet_save,
    commands::set_lang,
    commands::reference,
    commands::home,
    commands::persons,
    commands::person,
    commands::save_person,
    commands::host_orgs,
    commands::host_org,
    commands::save_host_org,
    commands::applications,
    commands::application,
    commands::save_application,
    commands::withdraw,
    commands::mentors,
    commands::mentor,
    commands::save_mentor,
    commands::history,
    commands::remove_record,
    documents::documents,
    documents::attach_document,
    documents::remove_document,
    documents::document_scan,
    documents::open_document_scan,
    selection::screen_cohort,
    selection::explain,
    selection::ranking,
    selection::add_commission_member,
    selection::record_score,
    selection::decide_commission,
    selection::lotteries,
    selection::draw_lottery,
    selection::verify_lottery,
    selection::lottery_balance,
    selection::indicators,
    selection::mentor_selection,
    selection::record_interview,
    selection::decide_mentor,
    selection::host_org_decision,
    selection::decide_host_org,
    selection::record_memorandum,
    delivery::training_events,
    delivery::plan_training,
    delivery::edit_training_event,
    delivery::roster,
    delivery::record_attendance,
    delivery::mentor_work,
    delivery::certify_mentor,
    delivery::assign_mentor,
    delivery::end_assignment,
    delivery::record_session,
    delivery::write_protocol,
    delivery::record_grievance,
    delivery::grievance_step,
    delivery::grievance,
    delivery::grievances,
    closing::grants,
    closing::save_contract,
    closing::scholarship_roll,
    closing::record_scholarships,
    closing::money_totals,
    closing::report_lines,
    closing::submit_report,
    closing::review_report,
    closing::outreach,
    closing::record_outreach,
    closing::outreach_totals,
    closing::certificate_lines,
    closing::issue_certificate,
    closing::verify_certificate,
    printing::print_preview,
    printing::print_save,
    printing::print_certificates,
    printing::open_printed,
    backups::backups_panel,
    backups::backup_now,
    backups::save_backup_settings,
    backups::verify_backup,
    rulebooks::rulebook_panel,
    rulebooks::import_rulebook,
];

/// The events the desk sends the window: a sync's progress ([`ipc::SyncProgress`]), a bulk
/// print's and a screening's ([`ipc::WorkProgress`]).
pub const EVENTS: &[&str] =
    &[sync::SYNC_PROGRESS, sync::SYNC_FINISHED, printing::PRINT_PROGRESS, selection::SCREENING_PROGRESS];

/// Starts the desk.
pub fn run() {
    let demo_persons = std::env::var("KORPUS_DEMO_PERSONS").ok().and_then(|n| n.parse().ok());
    let (moved, moves): (Sender<()>, Receiver<()>) = channel();
    let built = tauri::Builder::default()
        // First, so that a second start hands over to the running desk before anything opens.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .on_window_event(move |_, event| {
            if matches!(event, WindowEvent::Moved(_) | WindowEvent::Resized(_)) {
                let _ = moved.send(());
            }
        })
        .setup(move |app| {
            let handle = app.handle().clone();
            std::thread::spawn(move || remember_window_state(handle, moves));
            let data_dir = app.path().app_data_dir()?;
            let config_dir = app.path().app_config_dir()?;
            std::fs::create_dir_all(&data_dir)?;
            // Printed documents go where the coordinator finds them: Documents/Korpus.
            let prints = app
                .path()
                .document_dir()
                .map(|d| d.join("Korpus"))
                .unwrap_or_else(|_| data_dir.join("prints"));
            app.manage(printing::Prints::new(prints));
            // Scans opened for viewing: the user's own cache, not a temp folder others can read.
            let scans = app.path().app_cache_dir().unwrap_or_else(|_| data_dir.join("cache")).join("scans");
            app.manage(documents::Scans::new(scans));
            app.manage(Desk::start(
                data_dir.join(DATABASE_FILE),
                config_dir,
                std::sync::Arc::new(OsKeyring),
                demo_persons,
            ));
            let handle = app.handle().clone();
            std::thread::spawn(move || backups::keep_daily_backups(handle));
            let handle = app.handle().clone();
            std::thread::spawn(move || sync::keep_synced(handle));
            Ok(())
        })
        .invoke_handler(handler())
        .run(tauri::generate_context!());
    if let Err(error) = built {
        eprintln!("Korpus could not start: {error}");
        std::process::exit(1);
    }
}
