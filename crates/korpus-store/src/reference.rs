//! Programme-wide reference data (rulebooks, cohorts, regions, directions): identical on every
//! device and at HQ, so it is seeded from the built-in rulebook rather than written as envelopes.

use crate::Store;
use crate::error::{Result, StoreError};
use korpus_domain::Rulebook;
use rusqlite::{Connection, Transaction};
use serde::Serialize;

/// Puts `rulebook` with its cohort, regions and directions into the database if missing; makes
/// its cohort the current one when `current` (a new database).
pub(crate) fn seed(tx: &Transaction<'_>, rulebook: &Rulebook, current: bool) -> Result<()> {
    let body = serde_json::to_string(rulebook).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.execute(
        "INSERT OR IGNORE INTO rulebooks (version, cohort, body) VALUES (?1, ?2, ?3)",
        (&rulebook.version, rulebook.cohort, body),
    )?;
    tx.execute(
        "INSERT OR IGNORE INTO cohorts (year, rulebook_version, is_current) VALUES (?1, ?2, ?3)",
        (rulebook.cohort, &rulebook.version, current),
    )?;
    for r in &rulebook.regions {
        tx.execute(
            "INSERT OR IGNORE INTO regions (kato, name_kk, name_ru, name_en) VALUES (?1, ?2, ?3, ?4)",
            (&r.kato, &r.name.kk, &r.name.ru, &r.name.en),
        )?;
    }
    for d in &rulebook.directions {
        tx.execute(
            "INSERT OR IGNORE INTO directions (code, name_kk, name_ru, name_en) VALUES (?1, ?2, ?3, ?4)",
            (&d.code, &d.name.kk, &d.name.ru, &d.name.en),
        )?;
    }
    Ok(())
}

/// The rulebook of the current cohort.
pub(crate) fn current_rulebook(conn: &Connection) -> Result<Rulebook> {
    let body: String = conn
        .query_row(
            "SELECT r.body FROM cohorts c JOIN rulebooks r ON r.version = c.rulebook_version
             WHERE c.is_current = 1",
            [],
            |r| r.get(0),
        )
        .map_err(|_| StoreError::NotInitialised)?;
    Rulebook::from_json(&body).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// How many records of each kind one region holds: the home screen's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionCounts {
    /// KATO code.
    pub region: String,
    /// Persons registered.
    pub persons: i64,
    /// Host organisations.
    pub host_orgs: i64,
    /// Applications.
    pub applications: i64,
    /// Mentors.
    pub mentors: i64,
}

impl Store {
    /// Counts of records by region, for every region of the current rulebook.
    pub fn counts_by_region(&self) -> Result<Vec<RegionCounts>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT kato,
                    (SELECT count(*) FROM persons WHERE region = kato),
                    (SELECT count(*) FROM host_orgs WHERE region = kato),
                    (SELECT count(*) FROM applications WHERE region = kato),
                    (SELECT count(*) FROM mentors WHERE region = kato)
             FROM regions ORDER BY kato",
        )?;
        let rows = statement.query_map([], |r| {
            Ok(RegionCounts {
                region: r.get(0)?,
                persons: r.get(1)?,
                host_orgs: r.get(2)?,
                applications: r.get(3)?,
                mentors: r.get(4)?,
            })
        })?;
        let known: Vec<&str> = self.rulebook.regions.iter().map(|r| r.kato.as_str()).collect();
        Ok(rows
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|c| known.contains(&c.region.as_str()))
            .collect())
    }
}
