//! `korpus document`: supporting documents of persons, mentors and host organisations, with
//! their scanned files.

use crate::App;
use clap::{Args, Subcommand};
use korpus_app::Result;
use korpus_domain::registry::documents::scanned_file;
use korpus_domain::validation::{FieldError, format_date};
use korpus_domain::{DocumentInput, DocumentOwner, ValidationErrors};
use korpus_store::{DocumentFile, Store};
use std::path::{Path, PathBuf};
use uuid::Uuid;

#[derive(Debug, Subcommand)]
pub enum DocumentCommand {
    /// Record a document, with its scan.
    Add {
        #[command(flatten)]
        owner: OwnerArgs,
        /// Kind (see --help of the programme's lists): unemployment_status, income, no_criminal_record, charter...
        #[arg(long)]
        kind: Option<String>,
        /// Issue date (DD.MM.YYYY).
        #[arg(long)]
        issued: Option<String>,
        /// Note: issuer, number.
        #[arg(long)]
        note: Option<String>,
        /// The scanned file (PDF, JPEG, PNG or TIFF).
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// List an owner's documents.
    List {
        #[command(flatten)]
        owner: OwnerArgs,
    },
    /// Remove a document recorded by mistake (its scan with it).
    Remove {
        /// The document's id, as `document list --json` shows it.
        id: Uuid,
    },
    /// Save a scanned file to disk.
    File {
        /// The file's SHA-256, as `document list` shows it.
        sha256: String,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct OwnerArgs {
    /// Whose document: person, mentor or host_org.
    #[arg(long)]
    owner: String,
    /// The owner: IIN, BIN or id.
    #[arg(long = "of")]
    of: String,
}

impl OwnerArgs {
    fn resolve(&self, store: &Store) -> Result<(DocumentOwner, Uuid)> {
        let owner =
            DocumentOwner::parse("owner", &self.owner.replace('-', "_")).map_err(ValidationErrors::one)?;
        let id = match owner {
            DocumentOwner::Person => store.person(&self.of)?.id,
            DocumentOwner::Mentor => store.mentor(&self.of)?.id,
            DocumentOwner::HostOrg => store.host_org(&self.of)?.id,
        };
        Ok((owner, id))
    }
}

pub fn run(app: &App, command: DocumentCommand) -> Result<()> {
    let mut store = app.store()?;
    let out = app.out;
    match command {
        DocumentCommand::Add { owner, kind, issued, note, file } => {
            let (owner, owner_id) = owner.resolve(&store)?;
            let input = DocumentInput {
                kind: kind.unwrap_or_default(),
                issue_date: issued.unwrap_or_default(),
                note,
            };
            let loaded = match &file {
                Some(path) => Some(read_scan(path)?),
                None => None,
            };
            let file = loaded.as_ref().map(|(name, bytes)| DocumentFile { name, bytes });
            let document = store.add_document(owner, owner_id, &input, file)?;
            out.print(&document, || out.tr("cli-document-saved", &[("id", document.id.to_string())]));
        }
        DocumentCommand::List { owner } => {
            let (owner, owner_id) = owner.resolve(&store)?;
            let documents = store.documents_of(owner, owner_id)?;
            out.print(&documents, || {
                let rows = documents
                    .iter()
                    .map(|d| {
                        vec![
                            out.tr(d.data.kind.message_key(), &[]),
                            format_date(d.data.issue_date),
                            d.data.file_name.clone().unwrap_or_default(),
                            d.data.file_sha256.clone().unwrap_or_default(),
                        ]
                    })
                    .collect();
                out.table(&["kind", "issue_date", "file", "sha256"], rows)
            });
        }
        DocumentCommand::Remove { id } => {
            let version = store.document(id)?.version;
            let removed = store.remove_document(id, version)?;
            out.print(&removed, || out.tr("cli-document-removed", &[("id", id.to_string())]));
        }
        DocumentCommand::File { sha256, out: path } => {
            let bytes = store.scanned_file(sha256.trim())?;
            std::fs::write(&path, &bytes).map_err(|e| korpus_app::AppError::file(&path, e))?;
            let report = serde_json::json!({ "path": path, "bytes": bytes.len() });
            out.print(&report, || {
                out.tr(
                    "cli-file-saved",
                    &[("bytes", bytes.len().to_string()), ("path", path.display().to_string())],
                )
            });
        }
    }
    Ok(())
}

/// Reads a scan from disk, checking its name and size first so that a wrong huge file is refused
/// at once; any failure names the field and the path.
fn read_scan(path: &Path) -> Result<(String, Vec<u8>)> {
    let unreadable = |e: std::io::Error| {
        ValidationErrors::one(
            FieldError::new("file", "error-file-unreadable").arg("path", path.display()).arg("detail", e),
        )
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    scanned_file(&name, usize::try_from(size).unwrap_or(usize::MAX)).map_err(ValidationErrors::one)?;
    let bytes = std::fs::read(path).map_err(unreadable)?;
    Ok((name, bytes))
}
