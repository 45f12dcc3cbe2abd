//! `korpus rulebook`: the rulebook the desk's forms check by (`show`), and HQ's signed file of a
//! rulebook taken from a USB stick where no network reaches (`import`; a sync takes them itself).

use crate::App;
use clap::Subcommand;
use korpus_app::{AppError, Result, rulebooks};
use serde_json::json;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum RulebookCommand {
    /// The current cohort's rulebook and every rulebook the database keeps.
    Show,
    /// Take a rulebook from HQ's signed file (`korpus-hq rulebook export`): checked with the key
    /// of the HQ this desk is enrolled with, refused whole when changed, signed by another HQ, or
    /// written for a later Korpus.
    Import {
        /// The file.
        file: PathBuf,
    },
}

pub fn run(app: &App, command: RulebookCommand) -> Result<()> {
    let out = app.out;
    match command {
        RulebookCommand::Show => {
            let store = app.store()?;
            let rulebook = store.rulebook();
            let kept = store.kept_rulebooks()?;
            out.print(
                &json!({ "current": rulebook.version, "cohort": rulebook.cohort, "kept": kept }),
                || {
                    let mut lines = vec![out.tr(
                        "rulebooks-current",
                        &[("version", rulebook.version.clone()), ("cohort", rulebook.cohort.to_string())],
                    )];
                    lines.extend(kept.iter().map(|(version, cohort)| format!("  {version}\t{cohort}")));
                    lines.join("\n")
                },
            );
        }
        RulebookCommand::Import { file } => {
            let bytes = std::fs::read(&file).map_err(|e| AppError::file(&file, e))?;
            let mut store = app.store()?;
            let adopted = rulebooks::import_file(&mut store, &bytes)?;
            out.print(&adopted, || {
                let key = if adopted.current {
                    "rulebooks-imported-current"
                } else if adopted.for_its_cohort {
                    "rulebooks-imported-cohort"
                } else {
                    "rulebooks-imported-kept"
                };
                out.tr(key, &[("version", adopted.version.clone()), ("cohort", adopted.cohort.to_string())])
            });
        }
    }
    Ok(())
}
