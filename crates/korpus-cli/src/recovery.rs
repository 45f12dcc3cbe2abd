//! `korpus recovery`: the code that opens the database on any computer (korpus-store keys.rs,
//! RecoveryCode). `korpus init` shows the first one; `new` replaces it, `open` takes a database
//! copied from another computer, `status` says when the code was made.

use crate::App;
use clap::{Args, Subcommand};
use korpus_app::printing::{PrintLang, Printer};
use korpus_app::secrets::OsKeyring;
use korpus_app::{AppError, Result};
use korpus_app::{database, printing};
use korpus_store::Store;
use korpus_store::{RecoveryCode, SystemClock};
use serde_json::json;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// Where to save the recovery sheet (a PDF) of a code just made, and in which language.
#[derive(Debug, Args)]
pub struct SheetArgs {
    /// Save the recovery sheet, a PDF to print, here.
    #[arg(long, value_name = "FILE.pdf")]
    pub sheet: Option<PathBuf>,
    /// The sheet's language: kk, ru, en or kk+ru.
    #[arg(long, default_value = "kk")]
    pub sheet_lang: String,
}

#[derive(Debug, Subcommand)]
pub enum RecoveryCommand {
    /// Make a new recovery code: the database is encrypted again with a key made from it, and the
    /// code is printed once. Earlier codes no longer open it.
    New(SheetArgs),
    /// Open a database copied from another computer (or put back from a backup) with its recovery
    /// code, read from standard input, and keep its key in this computer's keyring.
    Open,
    /// When the database's recovery code was made.
    Status,
}

pub fn run(app: &App, command: RecoveryCommand) -> Result<()> {
    let out = app.out;
    match command {
        RecoveryCommand::New(sheet) => {
            let mut store = app.store()?;
            let lang = printing::print_lang(&sheet.sheet_lang)?;
            let code = database::new_recovery_code(&mut store, &OsKeyring)?;
            print_code(app, &code);
            if let Some(path) = &sheet.sheet {
                save_sheet(&store, &code, lang, path)?;
            }
        }
        RecoveryCommand::Open => {
            if atty_stdin() {
                eprint!("{}: ", out.tr("field-recovery_code", &[]));
            }
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).map_err(|e| AppError::file("-", e))?;
            let code = RecoveryCode::parse(&line)?;
            let clock = std::sync::Arc::new(SystemClock);
            let (store, _) = database::open_with_recovery_code(app.db(), &code, &OsKeyring, clock)?;
            let report = json!({ "path": store.path(), "device": store.device_id(), "key_in_keyring": true });
            out.print(&report, || {
                out.tr("cli-recovery-opened", &[("path", store.path().display().to_string())])
            });
        }
        RecoveryCommand::Status => {
            let store = app.store()?;
            let made = store.recovery_made_at()?;
            out.print(&json!({ "recovery_made_at": made }), || match &made {
                Some(at) => out.tr("cli-recovery-made", &[("date", at.chars().take(10).collect())]),
                None => out.tr("cli-recovery-none", &[]),
            });
        }
    }
    Ok(())
}

/// Saves the recovery sheet of `code` at `path`.
pub fn save_sheet(store: &Store, code: &RecoveryCode, lang: PrintLang, path: &Path) -> Result<()> {
    let printer = Printer::new()?;
    let today = chrono::Local::now().date_naive();
    let sheet = printing::recovery_sheet(&printer, store, code, today, lang)?;
    printing::save(path, &sheet.printed.pdf())
}

/// Prints a code just made, once, with what to do with it.
pub fn print_code(app: &App, code: &RecoveryCode) {
    let out = app.out;
    out.print(&json!({ "recovery_code": code.to_string() }), || code_text(app, code));
}

/// The words that show a code just made: the code, and that it is shown this once.
pub fn code_text(app: &App, code: &RecoveryCode) -> String {
    app.out.tr("cli-recovery-code", &[("code", code.to_string())])
}

fn atty_stdin() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal()
}
