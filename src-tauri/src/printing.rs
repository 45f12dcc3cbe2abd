//! Printing from the desk: a preview of any document, saving it as a PDF in the coordinator's
//! documents folder and opening it in the system's viewer (whence it goes to the printer), and
//! every certificate of a cohort at once, with progress. Adapters over `korpus_app::printing`,
//! which the command line prints with too.

use crate::desk::Desk;
use crate::ipc::{Reply, progress_to};
use korpus_app::AppError;
use korpus_app::printing::{self, Document, PrintError, Printer, Rendered, print_lang};
use korpus_domain::validation::FieldError;
use korpus_domain::{Lang, ValidationErrors};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use tauri::{AppHandle, State};
use ts_rs::TS;

/// The event that tells the window how far a bulk print has come.
pub const PRINT_PROGRESS: &str = "print-progress";
/// Where printed documents go, and the printer (its fonts parsed once, when the first document
/// is made: a desk that prints nothing does not hold them).
pub struct Prints {
    folder: PathBuf,
    printer: OnceLock<Result<Arc<Printer>, String>>,
}

impl Prints {
    /// Where documents are saved: `Documents/Korpus`.
    pub fn folder(&self) -> &std::path::Path {
        &self.folder
    }

    /// Documents saved under `folder` (made when the first is saved).
    pub fn new(folder: PathBuf) -> Prints {
        Prints { folder, printer: OnceLock::new() }
    }

    fn printer(&self, lang: Lang) -> Reply<Arc<Printer>> {
        let printer = self.printer.get_or_init(|| Printer::new().map(Arc::new).map_err(|e| e.to_string()));
        printer.clone().map_err(|e| AppError::Print(PrintError::Font(e)).report(lang))
    }
}

/// A document's first page, to look at before saving it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Preview {
    /// The page as SVG, its fonts embedded.
    pub svg: String,
    /// How many pages the document has.
    #[ts(type = "number")]
    pub pages: usize,
}

/// A document saved as a PDF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Saved {
    /// Where it is.
    pub path: String,
    /// Its size.
    #[ts(type = "number")]
    pub bytes: u64,
}

/// Many certificates saved at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SavedBatch {
    /// The folder they are in.
    pub folder: String,
    /// How many.
    #[ts(type = "number")]
    pub files: usize,
    /// Their size together.
    #[ts(type = "number")]
    pub bytes: u64,
}

/// The first page of `document` in `lang` (`kk`, `ru`, `en`, `kk+ru`).
#[tauri::command]
pub async fn print_preview(
    desk: State<'_, Desk>,
    prints: State<'_, Prints>,
    document: Document,
    lang: String,
) -> Reply<Preview> {
    let printer = prints.printer(desk.lang())?;
    desk.call(move |s| {
        Ok::<_, AppError>(preview(printing::render(&printer, s, &document, print_lang(&lang)?)?))
    })
    .await
}

fn preview(rendered: Rendered<'_>) -> Preview {
    let pages = rendered.printed.pages();
    Preview { svg: rendered.printed.preview_svg(), pages }
}

/// Saves a rendered document in `folder` under its own name, replacing an earlier file.
fn save_in(folder: &std::path::Path, rendered: Rendered<'_>) -> korpus_app::Result<Saved> {
    let path = folder.join(&rendered.file_name);
    let bytes = rendered.printed.pdf();
    printing::save(&path, &bytes)?;
    Ok(Saved { path: path.display().to_string(), bytes: bytes.len() as u64 })
}

/// Saves `document` as a PDF in the documents folder; an earlier file of the same document is
/// replaced.
#[tauri::command]
pub async fn print_save(
    desk: State<'_, Desk>,
    prints: State<'_, Prints>,
    document: Document,
    lang: String,
) -> Reply<Saved> {
    let printer = prints.printer(desk.lang())?;
    let folder = prints.folder.clone();
    desk.call(move |s| save_in(&folder, printing::render(&printer, s, &document, print_lang(&lang)?)?)).await
}

/// The recovery sheet of the code the desk holds, its first page to look at.
#[tauri::command]
pub async fn recovery_sheet_preview(
    desk: State<'_, Desk>,
    prints: State<'_, Prints>,
    lang: String,
) -> Reply<Preview> {
    let printer = prints.printer(desk.lang())?;
    let code = desk.recovery_code()?;
    let today = chrono::Local::now().date_naive();
    desk.call(move |s| {
        Ok::<_, AppError>(preview(printing::recovery_sheet(&printer, s, &code, today, print_lang(&lang)?)?))
    })
    .await
}

/// Saves the recovery sheet of the code the desk holds as a PDF in the documents folder.
#[tauri::command]
pub async fn recovery_sheet_save(
    desk: State<'_, Desk>,
    prints: State<'_, Prints>,
    lang: String,
) -> Reply<Saved> {
    let printer = prints.printer(desk.lang())?;
    let code = desk.recovery_code()?;
    let folder = prints.folder.clone();
    let today = chrono::Local::now().date_naive();
    desk.call(move |s| {
        save_in(&folder, printing::recovery_sheet(&printer, s, &code, today, print_lang(&lang)?)?)
    })
    .await
}

/// Saves every issued certificate of the current cohort (of one region, or all) in a folder of
/// their own, telling the window how far it has come. Runs on a connection of its own, so the
/// desk stays usable meanwhile.
#[tauri::command]
pub async fn print_certificates(
    app: AppHandle,
    desk: State<'_, Desk>,
    prints: State<'_, Prints>,
    region: Option<String>,
    lang: String,
) -> Reply<SavedBatch> {
    let ui = desk.lang();
    let printer = prints.printer(ui)?;
    let store = desk.second_store()?;
    let doc_lang = print_lang(&lang).map_err(|e| e.report(ui))?;
    let cohort = store.rulebook().cohort;
    let folder = prints.folder.join(printing::certificates_folder(cohort, region.as_deref()));
    tauri::async_runtime::spawn_blocking(move || {
        let mut tell = progress_to(app, PRINT_PROGRESS);
        let saved = printing::print_certificates(
            &printer,
            &store,
            cohort,
            region.as_deref(),
            &folder,
            doc_lang,
            &mut tell,
        )
        .map_err(|e| e.report(ui))?;
        Ok(SavedBatch { folder: folder.display().to_string(), files: saved.files.len(), bytes: saved.bytes })
    })
    .await
    .unwrap_or_else(|e| Err(AppError::Internal(format!("printing stopped: {e}")).report(ui)))
}

/// Opens a saved document (or the folder of a bulk print) in the system's viewer. Only what the
/// desk saved in its documents folder: the window cannot ask to open anything else.
#[tauri::command(async)]
pub fn open_printed(desk: State<'_, Desk>, prints: State<'_, Prints>, path: String) -> Reply<()> {
    let lang = desk.lang();
    let outside = || {
        AppError::from(ValidationErrors::one(FieldError::new("path", "error-not-printed-here"))).report(lang)
    };
    let folder = std::fs::canonicalize(&prints.folder).map_err(|_| outside())?;
    let target = std::fs::canonicalize(&path).map_err(|_| outside())?;
    if !target.starts_with(&folder) {
        return Err(outside());
    }
    opener::open(&target)
        .map_err(|e| AppError::file(&target, std::io::Error::other(e.to_string())).report(lang))
}
