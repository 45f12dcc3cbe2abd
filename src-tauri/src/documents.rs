//! Supporting documents on the desk: a person's, a mentor's or a host organisation's documents
//! listed on their page, a scan attached from a file picker or dropped on the page, looked at in
//! the system's viewer, and a document recorded by mistake removed. The checks are the store's
//! (`korpus document` makes the same ones); these are adapters.

use crate::desk::Desk;
use crate::ipc::Reply;
use korpus_app::AppError;
use korpus_domain::registry::documents::{SCAN_EXTENSIONS, SCAN_MAX_BYTES};
use korpus_domain::{DocumentInput, DocumentKind, DocumentOwner, SupportingDocument};
use korpus_store::{DocumentFile, Record};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tauri::State;
use tauri::ipc::{InvokeBody, Request, Response};
use ts_rs::TS;
use uuid::Uuid;

/// The header of `attach_document` that says what the body's bytes are.
pub const ATTACH_HEADER: &str = "x-korpus-document";

/// An owner's documents and what may be attached to them.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DocumentsView {
    /// The documents, by issue date.
    pub documents: Vec<Record<SupportingDocument>>,
    /// The kinds this owner's documents may be.
    pub kinds: Vec<DocumentKind>,
    /// The file types a scan may have, by extension.
    pub extensions: Vec<String>,
    /// The largest scan kept, in bytes.
    #[ts(type = "number")]
    pub max_bytes: usize,
}

/// What `attach_document`'s header carries (percent-encoded JSON): whose document, its fields and
/// the scan's file name. The scan's bytes are the request's body, raw: a 20 MB scan as a JSON
/// array of numbers would be some 80 MB of text to build and parse.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct AttachDocument {
    /// Whose document.
    pub owner: DocumentOwner,
    /// The owner's id.
    pub owner_id: Uuid,
    /// The document's fields, as typed.
    pub input: DocumentInput,
    /// The scan's file name; none when no file is attached.
    pub file_name: Option<String>,
}

/// Scans are opened from here in the system's viewer. They leave the encrypted database only for
/// that, and the folder is emptied each time the desk starts.
pub struct Scans {
    folder: PathBuf,
}

impl Scans {
    /// Scans opened under `folder`, which is emptied now.
    pub fn new(folder: PathBuf) -> Scans {
        let _ = std::fs::remove_dir_all(&folder);
        Scans { folder }
    }
}

/// The documents of `owner` `owner_id`.
#[tauri::command]
pub async fn documents(desk: State<'_, Desk>, owner: DocumentOwner, owner_id: Uuid) -> Reply<DocumentsView> {
    desk.call(move |s| {
        Ok::<_, korpus_store::StoreError>(DocumentsView {
            documents: s.documents_of(owner, owner_id)?,
            kinds: owner.document_kinds(),
            extensions: SCAN_EXTENSIONS.iter().map(|e| (*e).to_owned()).collect(),
            max_bytes: SCAN_MAX_BYTES,
        })
    })
    .await
}

/// Records a document with its scan: the body is the file's bytes, the `x-korpus-document` header
/// says whose document it is and what it proves.
#[tauri::command]
pub async fn attach_document(
    desk: State<'_, Desk>,
    request: Request<'_>,
) -> Reply<Record<SupportingDocument>> {
    let lang = desk.lang();
    // The header comes from the desk's own window: one it cannot read is the desk's fault.
    let bad = |why: String| AppError::Internal(format!("attach_document: {why}")).report(lang);
    let header = request
        .headers()
        .get(ATTACH_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| bad(format!("no {ATTACH_HEADER} header")))?;
    let json = percent_encoding::percent_decode_str(header).decode_utf8().map_err(|e| bad(e.to_string()))?;
    let attach: AttachDocument = serde_json::from_str(&json).map_err(|e| bad(e.to_string()))?;
    let bytes = match request.body() {
        InvokeBody::Raw(bytes) => bytes.clone(),
        InvokeBody::Json(_) => Vec::new(),
    };
    desk.call(move |s| {
        let file = attach.file_name.as_deref().map(|name| DocumentFile { name, bytes: &bytes });
        s.add_document(attach.owner, attach.owner_id, &attach.input, file)
    })
    .await
}

/// Removes a document recorded by mistake, as read at `version`.
#[tauri::command]
pub async fn remove_document(
    desk: State<'_, Desk>,
    id: Uuid,
    version: i64,
) -> Reply<Record<SupportingDocument>> {
    desk.call(move |s| s.remove_document(id, version)).await
}

/// The scan of document `id`, raw: the window shows an image scan on the page.
#[tauri::command]
pub async fn document_scan(desk: State<'_, Desk>, id: Uuid) -> Reply<Response> {
    desk.call(move |s| {
        let sha = s.document(id)?.data.file_sha256.unwrap_or_default();
        s.scanned_file(&sha).map(Response::new)
    })
    .await
}

/// Opens the scan of document `id` in the system's viewer.
#[tauri::command]
pub async fn open_document_scan(desk: State<'_, Desk>, scans: State<'_, Scans>, id: Uuid) -> Reply<()> {
    let lang = desk.lang();
    let (name, bytes) = desk
        .call(move |s| {
            let document = s.document(id)?;
            let sha = document.data.file_sha256.unwrap_or_default();
            Ok::<_, korpus_store::StoreError>((
                document.data.file_name.unwrap_or_default(),
                s.scanned_file(&sha)?,
            ))
        })
        .await?;
    let path = scans.folder.join(id.to_string()).join(safe_file_name(&name));
    let write = |path: &Path| -> std::io::Result<()> {
        std::fs::create_dir_all(path.parent().unwrap_or(path))?;
        std::fs::write(path, &bytes)
    };
    write(&path).map_err(|e| AppError::file(&path, e).report(lang))?;
    opener::open(&path).map_err(|e| AppError::file(&path, std::io::Error::other(e.to_string())).report(lang))
}

/// The scan's name as it came, with what no file system takes replaced: `/`, `\`, `:` and the
/// like; a name of dots only becomes `scan`.
fn safe_file_name(name: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if c.is_control() || r#"/\:*?"<>|"#.contains(c) { '_' } else { c }).collect();
    if cleaned.trim_matches('.').trim().is_empty() { "scan".to_owned() } else { cleaned }
}

#[cfg(test)]
mod tests {
    use super::safe_file_name;

    #[test]
    fn a_scans_name_cannot_leave_its_folder() {
        assert_eq!(safe_file_name("анықтама.pdf"), "анықтама.pdf");
        assert_eq!(safe_file_name("../../etc/passwd"), ".._.._etc_passwd");
        assert_eq!(safe_file_name(r"C:\scan.png"), "C__scan.png");
        assert_eq!(safe_file_name(".."), "scan");
    }
}
