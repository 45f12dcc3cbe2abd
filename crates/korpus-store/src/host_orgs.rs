//! Host organisations in the case database.

use crate::Store;
use crate::error::{Result, StoreError};
use crate::outbox::Writer;
use crate::search::{Query, prefix_range};
use crate::tables::{Record, read_by_id, read_records, select_columns};
use korpus_domain::validation::FieldError;
use korpus_domain::{Entity, HostOrg, HostOrgInput, ValidationErrors};
use rusqlite::OptionalExtension;
use uuid::Uuid;

impl Store {
    /// Registers a host organisation after checking every field.
    pub fn add_host_org(&mut self, input: &HostOrgInput) -> Result<Record<HostOrg>> {
        let org = input.validate(&self.context())?;
        let id = Uuid::now_v7();
        self.write(|w| insert_host_org(w, id, &org))?;
        Ok(Record { id, version: 1, data: org })
    }

    /// Changes a host organisation read at `base_version`.
    pub fn edit_host_org(
        &mut self,
        id: Uuid,
        base_version: i64,
        input: &HostOrgInput,
    ) -> Result<(Record<HostOrg>, Vec<String>)> {
        let org = input.validate(&self.context())?;
        self.write(|w| {
            ensure_bin_free(w, &org.bin.to_string(), Some(id))?;
            w.replace(Entity::HostOrg, id, base_version, org)
        })
    }

    /// The host organisation with this id or BIN.
    pub fn host_org(&self, id_or_bin: &str) -> Result<Record<HostOrg>> {
        let key = id_or_bin.trim();
        if let Ok(id) = Uuid::parse_str(key) {
            return read_by_id(&self.conn, Entity::HostOrg, id);
        }
        let sql = format!("SELECT {} FROM host_orgs WHERE bin = ?1", select_columns(Entity::HostOrg));
        read_records(&self.conn, Entity::HostOrg, &sql, [key])?
            .pop()
            .ok_or_else(|| StoreError::NotFound { entity: Entity::HostOrg, query: key.to_owned() })
    }

    /// Host organisations of a region (or all), by name, one page.
    pub fn list_host_orgs(
        &self,
        region: Option<&str>,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<Record<HostOrg>>> {
        let filter = if region.is_some() { "region = ?1" } else { "?1 IS NULL" };
        let sql = format!(
            "SELECT {} FROM host_orgs WHERE {filter} ORDER BY name COLLATE kazakh, rid LIMIT ?2 OFFSET ?3",
            select_columns(Entity::HostOrg)
        );
        read_records(&self.conn, Entity::HostOrg, &sql, (region, limit as i64, offset as i64))
    }

    /// Host organisations whose BIN starts with the query's digits and whose names have its words,
    /// newest registered first (see `search_people`).
    pub fn search_host_orgs(&self, text: &str, limit: usize) -> Result<Vec<Record<HostOrg>>> {
        let query = Query::parse(text);
        let columns = select_columns(Entity::HostOrg);
        let (low, high) = query.number_prefix.as_deref().map(prefix_range).unzip();
        match &query.words {
            _ if query.is_empty() => Ok(Vec::new()),
            None => {
                let sql = format!(
                    "SELECT {columns} FROM host_orgs WHERE bin >= ?1 AND bin < ?2 ORDER BY bin LIMIT ?3"
                );
                read_records(&self.conn, Entity::HostOrg, &sql, (low, high, limit as i64))
            }
            Some(words) => {
                let sql = format!(
                    "SELECT {columns} FROM host_orgs_fts JOIN host_orgs ON host_orgs.rid = host_orgs_fts.rowid
                     WHERE host_orgs_fts MATCH ?1 AND (?2 IS NULL OR (bin >= ?2 AND bin < ?3))
                     ORDER BY host_orgs_fts.rowid DESC LIMIT ?4"
                );
                read_records(&self.conn, Entity::HostOrg, &sql, (words, low, high, limit as i64))
            }
        }
    }

    /// The id of the host organisation with this BIN, or an error naming `field` if none has it.
    pub fn host_org_id_by_bin(&self, field: &'static str, bin: &str) -> Result<Uuid> {
        match self.host_org(bin) {
            Ok(org) => Ok(org.id),
            Err(StoreError::NotFound { .. }) => Err(ValidationErrors::one(
                FieldError::new(field, "error-unknown-host-org").arg("value", bin.trim()),
            )
            .into()),
            Err(e) => Err(e),
        }
    }
}

fn ensure_bin_free(w: &Writer<'_>, bin: &str, except: Option<Uuid>) -> Result<()> {
    let holder: Option<String> = w
        .conn()
        .query_row(
            "SELECT name FROM host_orgs WHERE bin = ?1 AND id IS NOT ?2",
            (bin, except.map(|u| u.to_string())),
            |r| r.get(0),
        )
        .optional()?;
    match holder {
        Some(name) => {
            Err(ValidationErrors::one(FieldError::new("bin", "error-bin-taken").arg("name", name)).into())
        }
        None => Ok(()),
    }
}

/// Writes a new host organisation.
/// Writes a checked host organisation in an action of a batch, refusing a BIN already registered.
pub fn insert_host_org(w: &mut Writer<'_>, id: Uuid, org: &HostOrg) -> Result<()> {
    ensure_bin_free(w, &org.bin.to_string(), None)?;
    w.insert(Entity::HostOrg, id, org)
}
