//! Rows a pull cannot place, held instead of failing the pull. The desk's tables keep their links
//! (a member names its person, an assignment its mentor); a page that would break one (a row
//! naming a record this desk never got, a removal of a record a row here still names) used to
//! fail at commit, and with it every later pull of the region. Now the page applies, the rows that
//! would break a link go back as they were and wait in `sync_held` with the reason, and every
//! pull tries them again (migration `13-held`).

use crate::error::{Result, StoreError};
use crate::sync::{IncomingRow, apply_row};
use crate::tables::{self, table};
use korpus_domain::Entity;
use rusqlite::{OptionalExtension, Transaction};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// A row as it stood before a pull touched it: its version and fields, or absent.
type Before = Option<(i64, Map<String, Value>)>;

/// What a pull did: each row it touched, as it stood before and as the pull left it.
#[derive(Default)]
pub(crate) struct Touched {
    before: HashMap<(Entity, Uuid), Before>,
    after: HashMap<(Entity, Uuid), IncomingRow>,
}

impl Touched {
    /// Notes `row`'s state here before it is applied (the first time only).
    pub(crate) fn note(&mut self, tx: &Transaction<'_>, row: &IncomingRow) -> Result<()> {
        let key = (row.entity, row.id);
        if let std::collections::hash_map::Entry::Vacant(slot) = self.before.entry(key) {
            let found = tables::find_by_id::<Map<String, Value>>(tx, row.entity, row.id)?;
            slot.insert(found.map(|r| (r.version, r.data)));
        }
        self.after.insert(key, row.clone());
        Ok(())
    }
}

/// Applies the rows held by earlier pulls again, but those this pull placed or sent anew (the
/// newer state wins) or those the table holds at their version or later.
pub(crate) fn retry(
    tx: &Transaction<'_>,
    touched: &mut Touched,
    pending: &HashMap<(Entity, Uuid), HashSet<String>>,
    now: &str,
) -> Result<()> {
    let held: Vec<(String, String, i64, String, bool)> = {
        let mut s =
            tx.prepare("SELECT entity, id, version, fields, deleted FROM sync_held ORDER BY held_at")?;
        let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (entity, id, version, fields, deleted) in held {
        let (Ok(entity), Ok(uuid)) = (Entity::parse("entity", &entity), Uuid::parse_str(&id)) else {
            continue;
        };
        if touched.after.contains_key(&(entity, uuid)) {
            continue;
        }
        // A removal waits while this desk's own change of the row waits for HQ's answer.
        if deleted && pending.get(&(entity, uuid)).is_some_and(|p| !p.contains("deleted")) {
            continue;
        }
        let here: Option<i64> = tx
            .query_row(&format!("SELECT version FROM {} WHERE id = ?1", table(entity).name), [&id], |r| {
                r.get(0)
            })
            .optional()?;
        if here.is_some_and(|v| v >= version) {
            tx.execute("DELETE FROM sync_held WHERE entity = ?1 AND id = ?2", (entity.code(), &id))?;
            continue;
        }
        let fields = match serde_json::from_str(&fields) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        let row = IncomingRow { entity, id: uuid, version, deleted, fields };
        touched.note(tx, &row)?;
        apply_row(tx, &row, pending.get(&(entity, uuid)), now)?;
        if deleted {
            // A removal placed: nothing holds it any more (apply_row clears only rows it writes).
            tx.execute("DELETE FROM sync_held WHERE entity = ?1 AND id = ?2", (entity.code(), &id))?;
        }
    }
    Ok(())
}

/// A broken link: the row that names (entity, id), and what it names.
struct Broken {
    row: (Entity, Uuid),
    names: (Entity, Uuid),
}

/// The tables whose links the pull may have broken: those of the rows it wrote, and those whose
/// rows name a record it removed. (`foreign_key_check` of the whole database would read every
/// table on every page.)
fn tables_to_check(touched: &Touched) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for (key, row) in &touched.after {
        let entities = if row.deleted {
            korpus_domain::sync::records::referrers(key.0).into_iter().map(|(from, _)| from).collect()
        } else {
            vec![key.0]
        };
        for e in entities {
            if !out.contains(&table(e).name) {
                out.push(table(e).name);
            }
        }
    }
    out
}

/// The links the transaction breaks in `tables`, as SQLite's `foreign_key_check` finds them.
fn broken_links(tx: &Transaction<'_>, tables: &[&str]) -> Result<Vec<Broken>> {
    let mut found: Vec<(String, i64, String, i64)> = Vec::new();
    for name in tables {
        let mut s = tx.prepare(&format!("PRAGMA foreign_key_check('{name}')"))?;
        let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        found.extend(rows.collect::<rusqlite::Result<Vec<_>>>()?);
    }
    let mut out = Vec::with_capacity(found.len());
    for (child, rowid, parent, fk) in found {
        let corrupt = |what: &str| StoreError::Corrupt(format!("{child} row {rowid} names {parent}: {what}"));
        let (Some(row_entity), Some(named_entity)) = (entity_of(&child), entity_of(&parent)) else {
            return Err(corrupt("not a table of records"));
        };
        let column: String = tx.query_row(
            &format!("SELECT \"from\" FROM pragma_foreign_key_list('{child}') WHERE id = ?1"),
            [fk],
            |r| r.get(0),
        )?;
        let (id, named): (String, String) =
            tx.query_row(&format!("SELECT id, \"{column}\" FROM {child} WHERE rowid = ?1"), [rowid], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let (Ok(id), Ok(named)) = (Uuid::parse_str(&id), Uuid::parse_str(&named)) else {
            return Err(corrupt("an id is not a UUID"));
        };
        out.push(Broken { row: (row_entity, id), names: (named_entity, named) });
    }
    Ok(out)
}

fn entity_of(table_name: &str) -> Option<Entity> {
    Entity::ALL.iter().copied().find(|e| table(*e).name == table_name)
}

/// Puts `key` back as it stood before the pull: re-inserted or rewritten, or removed when the pull
/// brought it.
fn restore(tx: &Transaction<'_>, key: (Entity, Uuid), before: &Before, now: &str) -> Result<()> {
    match before {
        Some((version, fields)) => {
            let row = IncomingRow {
                entity: key.0,
                id: key.1,
                version: *version,
                deleted: false,
                fields: fields.clone(),
            };
            apply_row(tx, &row, None, now)
        }
        None => {
            tx.execute(&format!("DELETE FROM {} WHERE id = ?1", table(key.0).name), [key.1.to_string()])?;
            Ok(())
        }
    }
}

/// Holds a removal (or a move out of this desk's regions) of a row with a change of this desk's
/// waiting for HQ's answer: the row stays until the answer comes, then goes (`pending:`).
pub(crate) fn hold_pending(tx: &Transaction<'_>, row: &IncomingRow, now: &str) -> Result<()> {
    hold(tx, row, "pending:", now)
}

fn hold(tx: &Transaction<'_>, row: &IncomingRow, reason: &str, now: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO sync_held (entity, id, version, fields, reason, held_at, deleted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (entity, id) DO UPDATE SET version = ?3, fields = ?4, reason = ?5, held_at = ?6, deleted = ?7",
        (
            row.entity.code(),
            row.id.to_string(),
            row.version,
            Value::Object(row.fields.clone()).to_string(),
            reason,
            now,
            row.deleted,
        ),
    )?;
    Ok(())
}

/// Holds what the pull cannot place, until no link is broken: a removal of a record a row here
/// still names is held and the record put back; a row naming a record this desk does not have is
/// held and put back as it was.
pub(crate) fn hold_unplaceable(tx: &Transaction<'_>, touched: &mut Touched, now: &str) -> Result<()> {
    let tables = tables_to_check(touched);
    // Each round holds at least one touched row, so the rounds are bounded by their number.
    for _ in 0..=touched.after.len() {
        let broken = broken_links(tx, &tables)?;
        if broken.is_empty() {
            return Ok(());
        }
        let mut progress = false;
        for b in broken {
            let removed = touched.after.get(&b.names).is_some_and(|r| r.deleted);
            if removed && let Some(Some(before)) = touched.before.get(&b.names) {
                let Some(row) = touched.after.remove(&b.names) else { continue };
                restore(tx, b.names, &Some(before.clone()), now)?;
                hold(tx, &row, &format!("named:{}:{}", b.row.0.code(), b.row.1), now)?;
                progress = true;
            } else if let Some(row) = touched.after.remove(&b.row) {
                let before = touched.before.get(&b.row).cloned().flatten();
                restore(tx, b.row, &before, now)?;
                hold(tx, &row, &format!("missing:{}:{}", b.names.0.code(), b.names.1), now)?;
                progress = true;
            }
        }
        if !progress {
            break;
        }
    }
    let left: Vec<String> = broken_links(tx, &tables)?
        .iter()
        .map(|b| format!("{} {} names {} {}", b.row.0, b.row.1, b.names.0, b.names.1))
        .collect();
    if left.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Corrupt(format!("links this pull cannot mend: {}", left.join("; "))))
    }
}
