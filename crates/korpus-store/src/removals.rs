//! Removing a record made by mistake: a person, a sub-project's application, a host organisation
//! or a mentor, when nothing else names it. What belongs to it goes with it in the same envelope
//! (an application's member rows, a record's supporting documents); anything else that names it
//! (a score sheet, a contract, a withdrawal, another group's membership) keeps it, and the refusal
//! says what. HQ checks the same (a removal while a live row names the record is refused there).

use crate::Store;
use crate::error::{Result, StoreError};
use crate::tables::{Kind, table};
use korpus_domain::sync::records::{belongs_to, referrers};
use korpus_domain::{Entity, FieldError, ValidationErrors};
use rusqlite::Connection;
use uuid::Uuid;

/// The kinds of record a coordinator may remove.
pub const REMOVABLE: [Entity; 4] = [Entity::Person, Entity::Application, Entity::HostOrg, Entity::Mentor];

/// The rows of `from` whose `field` names `id`: id and version.
fn naming(conn: &Connection, from: Entity, field: &str, id: Uuid) -> Result<Vec<(Uuid, i64)>> {
    let t = table(from);
    let Some((_, kind)) = t.columns.iter().find(|(c, _)| *c == field) else { return Ok(Vec::new()) };
    let sql = match kind {
        Kind::Json => format!(
            "SELECT id, version FROM {} WHERE EXISTS (SELECT 1 FROM json_each({field}) WHERE value = ?1)",
            t.name
        ),
        _ => format!("SELECT id, version FROM {} WHERE {field} = ?1", t.name),
    };
    let mut statement = conn.prepare(&sql)?;
    let rows =
        statement.query_map([id.to_string()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (text, version) = row?;
        let row_id = Uuid::parse_str(&text).map_err(|e| StoreError::Corrupt(format!("{}: {e}", t.name)))?;
        out.push((row_id, version));
    }
    Ok(out)
}

impl Store {
    /// Removes record `id` of `entity` (one of [`REMOVABLE`]) at `version`, with what belongs to
    /// it, as one envelope; refused, naming what still names it, when anything else does.
    pub fn remove_record(&mut self, entity: Entity, id: Uuid, version: i64) -> Result<()> {
        if !REMOVABLE.contains(&entity) {
            let error = FieldError::new("record", "error-not-removable").arg("entity", entity.code());
            return Err(ValidationErrors::one(error).into());
        }
        let mut goes_with: Vec<(Entity, Uuid, i64)> = Vec::new();
        for (from, field) in referrers(entity) {
            let rows = naming(&self.conn, from, field, id)?;
            if rows.is_empty() {
                continue;
            }
            if belongs_to(entity, from, field) {
                goes_with.extend(rows.into_iter().map(|(row, v)| (from, row, v)));
            } else {
                let error = FieldError::new("record", "error-still-named")
                    .arg("what", from.code())
                    .arg("count", rows.len());
                return Err(ValidationErrors::one(error).into());
            }
        }
        self.write(|w| {
            for (from, row, v) in &goes_with {
                w.delete(*from, *row, *v)?;
            }
            w.delete(entity, id, version)
        })
    }
}
