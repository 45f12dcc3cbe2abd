//! Printing from the desk: a preview of any document, saving it as a PDF in the coordinator's
//! documents folder and opening it in the system's viewer (whence it goes to the printer), and
//! every certificate of a cohort at once, with progress. Adapters over `korpus_print::from_store`,
//! which the command line prints with too.

use crate::desk::Desk;
use crate::ipc::IpcError;
use korpus_domain::validation::FieldError;
use korpus_domain::{Lang, ValidationErrors};
use korpus_print::Printer;
use korpus_print::from_store::{self, Document, print_lang};
use korpus_store::{Record, StoreError};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tauri::{AppHandle, Emitter, State};
use ts_rs::TS;

type Reply<T> = Result<T, IpcError>;

/// Where printed documents go, and the printer (its fonts parsed once).
pub struct Prints {
    folder: PathBuf,
    printer: Result<Arc<Printer>, String>,
}

impl Prints {
    /// Documents saved under `folder` (made when the first is saved).
    pub fn new(folder: PathBuf) -> Prints {
        Prints { folder, printer: Printer::new().map(Arc::new).map_err(|e| e.to_string()) }
    }

    fn printer(&self, lang: Lang) -> Reply<Arc<Printer>> {
        self.printer.clone().map_err(|e| IpcError::from_store(&StoreError::Corrupt(e), lang))
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

/// How far a bulk print has come (`print-progress` events).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PrintProgress {
    /// Documents made.
    #[ts(type = "number")]
    pub done: usize,
    /// Documents to make.
    #[ts(type = "number")]
    pub total: usize,
}

fn io(e: std::io::Error, lang: Lang) -> IpcError {
    IpcError::from_store(&StoreError::Io(e), lang)
}

fn write(path: &Path, bytes: &[u8], lang: Lang) -> Reply<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io(e, lang))?;
    }
    std::fs::write(path, bytes).map_err(|e| io(e, lang))
}

/// The first page of `document` in `lang` (`kk`, `ru`, `en`, `kk+ru`).
#[tauri::command]
pub fn print_preview(
    desk: State<'_, Desk>,
    prints: State<'_, Prints>,
    document: Document,
    lang: String,
) -> Reply<Preview> {
    let printer = prints.printer(desk.lang())?;
    desk.with_store(|s| {
        let rendered = from_store::render(&printer, s, &document, print_lang(&lang)?)?;
        let pages = rendered.printed.pages();
        Ok(Preview { svg: rendered.printed.preview_svg(), pages })
    })
}

/// Saves `document` as a PDF in the documents folder; an earlier file of the same document is
/// replaced.
#[tauri::command]
pub fn print_save(
    desk: State<'_, Desk>,
    prints: State<'_, Prints>,
    document: Document,
    lang: String,
) -> Reply<Saved> {
    let ui = desk.lang();
    let printer = prints.printer(ui)?;
    let (name, bytes) = desk.with_store(|s| {
        let rendered = from_store::render(&printer, s, &document, print_lang(&lang)?)?;
        Ok((rendered.file_name, rendered.printed.pdf()))
    })?;
    let path = prints.folder.join(name);
    write(&path, &bytes, ui)?;
    Ok(Saved { path: path.display().to_string(), bytes: bytes.len() as u64 })
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
    let doc_lang = print_lang(&lang).map_err(|e| IpcError::from_store(&e, ui))?;
    let cohort = store.rulebook().cohort;
    let folder = prints.folder.join(match &region {
        Some(r) => format!("certificates-{cohort}-{r}"),
        None => format!("certificates-{cohort}"),
    });
    tauri::async_runtime::spawn_blocking(move || {
        let certificates =
            store.certificates(cohort, region.as_deref()).map_err(|e| IpcError::from_store(&e, ui))?;
        let total = certificates.len();
        let mut bytes = 0u64;
        for (done, Record { data: c, .. }) in certificates.iter().enumerate() {
            let rendered = from_store::certificate(&printer, &store, c, doc_lang)
                .map_err(|e| IpcError::from_store(&e, ui))?;
            let pdf = rendered.printed.pdf();
            write(&folder.join(rendered.file_name), &pdf, ui)?;
            bytes += pdf.len() as u64;
            let _ = app.emit("print-progress", PrintProgress { done: done + 1, total });
        }
        Ok(SavedBatch { folder: folder.display().to_string(), files: total, bytes })
    })
    .await
    .map_err(|e| IpcError::from_store(&StoreError::Corrupt(format!("printing stopped: {e}")), ui))?
}

/// Opens a saved document (or the folder of a bulk print) in the system's viewer. Only what the
/// desk saved in its documents folder: the window cannot ask to open anything else.
#[tauri::command]
pub fn open_printed(desk: State<'_, Desk>, prints: State<'_, Prints>, path: String) -> Reply<()> {
    let lang = desk.lang();
    let outside = || {
        IpcError::from_store(
            &ValidationErrors::one(FieldError::new("path", "error-not-printed-here")).into(),
            lang,
        )
    };
    let folder = std::fs::canonicalize(&prints.folder).map_err(|_| outside())?;
    let target = std::fs::canonicalize(&path).map_err(|_| outside())?;
    if !target.starts_with(&folder) {
        return Err(outside());
    }
    opener::open(&target).map_err(|e| io(std::io::Error::other(e.to_string()), lang))
}
