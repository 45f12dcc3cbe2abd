//! Persons and mentors in the case database: both are people keyed by IIN and found by IIN
//! prefix or name, so they share the lookups here.

use crate::Store;
use crate::error::{Result, StoreError};
use crate::outbox::Writer;
use crate::search::{Query, prefix_range};
use crate::tables::{Record, read_by_id, read_records, select_columns, table};
use korpus_domain::validation::FieldError;
use korpus_domain::{Entity, Person, PersonInput, ValidationErrors};
use rusqlite::{Connection, OptionalExtension};
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// The name of whoever holds `iin` in the table of `entity` (other than `except`), if anyone.
pub(crate) fn iin_holder(
    conn: &Connection,
    entity: Entity,
    iin: &str,
    except: Option<Uuid>,
) -> Result<Option<String>> {
    let sql = format!(
        "SELECT surname || ' ' || given_name FROM {} WHERE iin = ?1 AND id IS NOT ?2",
        table(entity).name
    );
    Ok(conn.query_row(&sql, (iin, except.map(|u| u.to_string())), |r| r.get(0)).optional()?)
}

/// Refuses an IIN already registered to someone else.
pub(crate) fn ensure_iin_free(w: &Writer<'_>, entity: Entity, iin: &str, except: Option<Uuid>) -> Result<()> {
    match iin_holder(w.conn(), entity, iin, except)? {
        Some(name) => {
            Err(ValidationErrors::one(FieldError::new("iin", "error-iin-taken").arg("name", name)).into())
        }
        None => Ok(()),
    }
}

/// A person or mentor named by id or by IIN.
pub(crate) fn find_by_id_or_iin<T: DeserializeOwned>(
    conn: &Connection,
    entity: Entity,
    key: &str,
) -> Result<Record<T>> {
    let key = key.trim();
    if let Ok(id) = Uuid::parse_str(key) {
        return read_by_id(conn, entity, id);
    }
    let sql = format!("SELECT {} FROM {} WHERE iin = ?1", select_columns(entity), table(entity).name);
    read_records(conn, entity, &sql, [key])?
        .pop()
        .ok_or_else(|| StoreError::NotFound { entity, query: key.to_owned() })
}

/// Records of `entity` in `region` (or all), in Kazakh alphabetical order of names, one page.
pub(crate) fn list_people<T: DeserializeOwned>(
    conn: &Connection,
    entity: Entity,
    region: Option<&str>,
    limit: usize,
    offset: usize,
) -> Result<Vec<Record<T>>> {
    let t = table(entity).name;
    // Two statements, so that each walks its own index (by name, or by region and name).
    let filter = if region.is_some() { "region = ?1" } else { "?1 IS NULL" };
    let sql = format!(
        "SELECT {} FROM {t} WHERE {filter}
         ORDER BY surname COLLATE kazakh, given_name COLLATE kazakh, rid LIMIT ?2 OFFSET ?3",
        select_columns(entity)
    );
    read_records(conn, entity, &sql, (region, limit as i64, offset as i64))
}

/// People of `entity` whose IIN starts with the query's digits and whose names start with its
/// words, in any order; newest registered first. Every prefix match is as good as another, and
/// the coordinator most often looks for whom they registered lately; the index yields rows in
/// that order, so a one-letter prefix stops after `limit` rows instead of ranking thousands.
pub(crate) fn search_people<T: DeserializeOwned>(
    conn: &Connection,
    entity: Entity,
    text: &str,
    limit: usize,
) -> Result<Vec<Record<T>>> {
    let query = Query::parse(text);
    let t = table(entity).name;
    let columns = select_columns(entity);
    let (low, high) = query.number_prefix.as_deref().map(prefix_range).unzip();
    match &query.words {
        _ if query.is_empty() => Ok(Vec::new()),
        None => {
            let sql = format!("SELECT {columns} FROM {t} WHERE iin >= ?1 AND iin < ?2 ORDER BY iin LIMIT ?3");
            read_records(conn, entity, &sql, (low, high, limit as i64))
        }
        Some(words) => {
            let sql = format!(
                "SELECT {columns} FROM {t}_fts JOIN {t} ON {t}.rid = {t}_fts.rowid
                 WHERE {t}_fts MATCH ?1 AND (?2 IS NULL OR ({t}.iin >= ?2 AND {t}.iin < ?3))
                 ORDER BY {t}_fts.rowid DESC LIMIT ?4"
            );
            read_records(conn, entity, &sql, (words, low, high, limit as i64))
        }
    }
}

impl Store {
    /// Registers a person after checking every field; nothing is written if any is wrong.
    pub fn add_person(&mut self, input: &PersonInput) -> Result<Record<Person>> {
        let person = input.validate(&self.context())?;
        let id = Uuid::now_v7();
        self.write(|w| insert_person(w, id, &person))?;
        Ok(Record { id, version: 1, data: person })
    }

    /// Changes a person read at `base_version` to what `input` says. Returns the person and the
    /// names of the fields that changed.
    pub fn edit_person(
        &mut self,
        id: Uuid,
        base_version: i64,
        input: &PersonInput,
    ) -> Result<(Record<Person>, Vec<String>)> {
        let person = input.validate(&self.context())?;
        self.write(|w| {
            ensure_iin_free(w, Entity::Person, &person.identity.iin.to_string(), Some(id))?;
            w.replace(Entity::Person, id, base_version, person)
        })
    }

    /// The person with this id or IIN.
    pub fn person(&self, id_or_iin: &str) -> Result<Record<Person>> {
        find_by_id_or_iin(&self.conn, Entity::Person, id_or_iin)
    }

    /// Persons of a region (or all), by name, one page.
    pub fn list_persons(
        &self,
        region: Option<&str>,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<Record<Person>>> {
        list_people(&self.conn, Entity::Person, region, limit, offset)
    }

    /// Persons whose IIN starts with the query's digits and whose names start with its words.
    pub fn search_persons(&self, query: &str, limit: usize) -> Result<Vec<Record<Person>>> {
        search_people(&self.conn, Entity::Person, query, limit)
    }

    /// How many persons are registered.
    pub fn count_persons(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT count(*) FROM persons", [], |r| r.get(0))?)
    }
}

/// Writes a new person: the one path for the desk, the CLI and demo data.
/// Writes a checked person in an action of a batch (imports, demo data), refusing an IIN that is
/// already registered: the path `add_person` takes too.
pub fn insert_person(w: &mut Writer<'_>, id: Uuid, person: &Person) -> Result<()> {
    ensure_iin_free(w, Entity::Person, &person.identity.iin.to_string(), None)?;
    w.insert(Entity::Person, id, person)
}
