//! Supporting documents and their scanned files. Files live in the encrypted database itself,
//! addressed by SHA-256: attached twice, kept once; sync moves each file once.

use crate::Store;
use crate::error::{Result, StoreError};
use crate::outbox::Writer;
use crate::tables::{Record, read_by_id, read_records, select_columns, table};
use korpus_domain::registry::documents::scanned_content;
use korpus_domain::{DocumentInput, DocumentOwner, Entity, SupportingDocument, ValidationErrors};
use rusqlite::OptionalExtension;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use uuid::Uuid;

/// A scanned file to attach: its name as it came and its bytes.
#[derive(Debug, Clone, Copy)]
pub struct DocumentFile<'a> {
    /// The file's name, for its type and for saving it back.
    pub name: &'a str,
    /// Its content.
    pub bytes: &'a [u8],
}

fn owner_entity(owner: DocumentOwner) -> Entity {
    match owner {
        DocumentOwner::Person => Entity::Person,
        DocumentOwner::Mentor => Entity::Mentor,
        DocumentOwner::HostOrg => Entity::HostOrg,
    }
}

impl Store {
    /// Records a document of `owner` `owner_id`, with its scan if given, after checking every field.
    pub fn add_document(
        &mut self,
        owner: DocumentOwner,
        owner_id: Uuid,
        input: &DocumentInput,
        file: Option<DocumentFile<'_>>,
    ) -> Result<Record<SupportingDocument>> {
        let (kind, issue_date, note) = input.validate(owner, &self.context())?;
        if let Some(f) = file {
            scanned_content(f.name, f.bytes).map_err(ValidationErrors::one)?;
        }
        let owner_table = table(owner_entity(owner)).name;
        let region: String = self
            .conn
            .query_row(
                &format!("SELECT region FROM {owner_table} WHERE id = ?1"),
                [owner_id.to_string()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                entity: owner_entity(owner),
                query: owner_id.to_string(),
            })?;
        let sha256 = file.map(|f| hex::encode(Sha256::digest(f.bytes)));
        let document = SupportingDocument {
            owner,
            owner_id,
            kind,
            issue_date,
            note,
            file_sha256: sha256.clone(),
            file_name: file.map(|f| f.name.to_owned()),
            file_size: file.map(|f| f.bytes.len() as i64),
            region,
        };
        let id = Uuid::now_v7();
        let now = self.clock.now().to_rfc3339();
        self.write(|w| {
            if let (Some(f), Some(sha)) = (file, &sha256) {
                w.conn().execute(
                    "INSERT OR IGNORE INTO blobs (sha256, size, data, created_at) VALUES (?1, ?2, ?3, ?4)",
                    (sha, f.bytes.len() as i64, f.bytes, &now),
                )?;
            }
            w.insert(Entity::Document, id, &document)
        })?;
        Ok(Record { id, version: 1, data: document })
    }

    /// The documents of `owner` `owner_id`, by issue date.
    pub fn documents_of(
        &self,
        owner: DocumentOwner,
        owner_id: Uuid,
    ) -> Result<Vec<Record<SupportingDocument>>> {
        let sql = format!(
            "SELECT {} FROM documents WHERE owner = ?1 AND owner_id = ?2 ORDER BY issue_date, id",
            select_columns(Entity::Document)
        );
        read_records(&self.conn, Entity::Document, &sql, (owner.code(), owner_id.to_string()))
    }

    /// One document.
    pub fn document(&self, id: Uuid) -> Result<Record<SupportingDocument>> {
        read_by_id(&self.conn, Entity::Document, id)
    }

    /// Removes a document attached by mistake, as read at `version`: its row goes, and the
    /// removal travels to HQ like any change. The scanned file stays in the database while a
    /// pending envelope may still have to send it; it is kept once, by its hash, so it costs
    /// nothing twice.
    pub fn remove_document(&mut self, id: Uuid, version: i64) -> Result<Record<SupportingDocument>> {
        let document = self.document(id)?;
        self.write(|w| w.delete(Entity::Document, id, version))?;
        Ok(document)
    }

    /// The bytes of the scanned file with this SHA-256, checked against it on the way out.
    pub fn scanned_file(&self, sha256: &str) -> Result<Vec<u8>> {
        let data: Vec<u8> = self
            .conn
            .query_row("SELECT data FROM blobs WHERE sha256 = ?1", [sha256], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::NotFound { entity: Entity::Document, query: sha256.to_owned() })?;
        if hex::encode(Sha256::digest(&data)) != sha256 {
            return Err(StoreError::Corrupt(format!("scanned file {sha256} does not match its hash")));
        }
        Ok(data)
    }
}

/// Writes a checked supporting document without a scan in an action of a batch (demo data).
pub fn insert_document(w: &mut Writer<'_>, id: Uuid, document: &SupportingDocument) -> Result<()> {
    w.insert(Entity::Document, id, document)
}

impl Store {
    /// Every IIN registered on this desk, of persons and mentors: what a bulk source of new
    /// people (demo data, an import) must not repeat.
    pub fn registered_iins(&self) -> Result<HashSet<String>> {
        self.strings("SELECT iin FROM persons UNION SELECT iin FROM mentors")
    }

    /// Every BIN registered on this desk.
    pub fn registered_bins(&self) -> Result<HashSet<String>> {
        self.strings("SELECT bin FROM host_orgs")
    }

    fn strings(&self, sql: &str) -> Result<HashSet<String>> {
        let mut statement = self.conn.prepare(sql)?;
        let rows = statement.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<HashSet<_>, _>>()?)
    }
}
