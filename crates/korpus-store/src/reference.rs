//! Programme-wide reference data (rulebooks, cohorts, regions, directions): identical on every
//! device and at HQ, so it is seeded from the built-in rulebook rather than written as envelopes.

use crate::Store;
use crate::error::{Result, StoreError};
use korpus_domain::Rulebook;
use rusqlite::{Connection, Transaction};
use serde::Serialize;

/// Puts `rulebook` with its cohort, regions and directions into the database if missing; makes
/// its cohort the current one when `current` (a new database). A cohort seeded by an older build
/// moves to this rulebook: the one built in is the cohort's rulebook for this version of the app,
/// and the older one stays stored for the decisions that name it.
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
    tx.execute(
        "UPDATE cohorts SET rulebook_version = ?2 WHERE year = ?1 AND rulebook_version <> ?2",
        (rulebook.cohort, &rulebook.version),
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionCounts {
    /// KATO code.
    pub region: String,
    /// Persons registered.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub persons: i64,
    /// Host organisations.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub host_orgs: i64,
    /// Applications.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub applications: i64,
    /// Mentors.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
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

/// What needs the coordinator's attention, for the home screen.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attention {
    /// Changes not yet acknowledged by HQ.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub unsynced_changes: i64,
    /// Persons registered but in no application's group.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub persons_without_group: i64,
    /// Host organisations with a selection criterion not yet answered.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub host_orgs_unanswered: i64,
    /// Mentors whose application awaits technical screening.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub mentors_awaiting_screening: i64,
}

impl Store {
    /// The counts the home screen lists under "needs attention".
    pub fn attention(&self) -> Result<Attention> {
        let count = |sql: &str| -> Result<i64> { Ok(self.conn.query_row(sql, [], |r| r.get(0))?) };
        Ok(Attention {
            unsynced_changes: count("SELECT count(*) FROM outbox WHERE sent_at IS NULL")?,
            // Persons minus those in a group (members reference persons by foreign key): two
            // index scans, where a per-person NOT EXISTS took a third of a second at 100,000.
            persons_without_group: count(
                "SELECT (SELECT count(*) FROM persons)
                      - (SELECT count(DISTINCT person_id) FROM application_members)",
            )?,
            host_orgs_unanswered: count(
                "SELECT count(*) FROM host_orgs h
                 WHERE EXISTS (SELECT 1 FROM json_each(h.criteria) WHERE value IS NULL)
                    OR (SELECT count(*) FROM json_each(h.criteria)) < 7",
            )?,
            mentors_awaiting_screening: count("SELECT count(*) FROM mentors WHERE stage = 'applied'")?,
        })
    }

    /// How many records of `entity` a region holds (or all regions), for paging lists.
    pub fn count(&self, entity: korpus_domain::Entity, region: Option<&str>) -> Result<i64> {
        let table = crate::tables::table(entity).name;
        let filter = if region.is_some() { "region = ?1" } else { "?1 IS NULL" };
        Ok(self
            .conn
            .query_row(&format!("SELECT count(*) FROM {table} WHERE {filter}"), [region], |r| r.get(0))?)
    }
}
