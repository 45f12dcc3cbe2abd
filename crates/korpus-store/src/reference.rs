//! Programme-wide reference data (rulebooks, cohorts, regions, directions): identical on every
//! device and at HQ, so it is seeded from the built-in rulebook and taken from the rulebooks HQ
//! publishes, rather than written as envelopes.

use crate::Store;
use crate::error::{Result, StoreError};
use korpus_domain::rulebook::revision_of;
use korpus_domain::{FieldError, Rulebook, ValidationErrors};
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::Serialize;

/// Puts the built-in `rulebook` with its cohort, regions and directions into the database if
/// missing; makes its cohort the current one when `current` (a new database). A cohort an older
/// build seeded with an earlier revision moves to this one; the earlier one stays stored for the
/// decisions that name it. A later revision HQ published stays the cohort's.
pub(crate) fn seed(tx: &Transaction<'_>, rulebook: &Rulebook, current: bool) -> Result<()> {
    put(tx, rulebook)?;
    if current {
        tx.execute("UPDATE cohorts SET is_current = (year = ?1)", [rulebook.cohort])?;
    }
    Ok(())
}

/// Keeps `rulebook` (if its version is not kept yet) with its regions and directions, and makes
/// it its cohort's rulebook unless the cohort has a later revision.
fn put(tx: &Transaction<'_>, rulebook: &Rulebook) -> Result<()> {
    let body = serde_json::to_string(rulebook).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.execute(
        "INSERT OR IGNORE INTO rulebooks (version, cohort, body) VALUES (?1, ?2, ?3)",
        (&rulebook.version, rulebook.cohort, body),
    )?;
    let held: Option<String> = tx
        .query_row("SELECT rulebook_version FROM cohorts WHERE year = ?1", [rulebook.cohort], |r| r.get(0))
        .optional()?;
    match held {
        None => {
            tx.execute(
                "INSERT INTO cohorts (year, rulebook_version, is_current) VALUES (?1, ?2, 0)",
                (rulebook.cohort, &rulebook.version),
            )?;
        }
        Some(version) if revision_of(&version).unwrap_or(0) < rulebook.revision() => {
            tx.execute(
                "UPDATE cohorts SET rulebook_version = ?2 WHERE year = ?1",
                (rulebook.cohort, &rulebook.version),
            )?;
        }
        Some(_) => {}
    }
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

/// Makes every rulebook the database keeps known to this process ([`Rulebook::known`]), so that
/// decisions made under a published one verify here as under a built-in one.
pub(crate) fn register_kept(conn: &Connection) -> Result<()> {
    let mut statement = conn.prepare("SELECT body FROM rulebooks")?;
    let bodies = statement.query_map([], |r| r.get::<_, String>(0))?;
    for body in bodies {
        let rulebook = Rulebook::from_json(&body?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Rulebook::register(&rulebook);
    }
    Ok(())
}

/// What taking a published rulebook did.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdoptedRulebook {
    /// Its version.
    pub version: String,
    /// Its cohort.
    pub cohort: i32,
    /// Whether it is now its cohort's rulebook (else the cohort has a later revision, or already
    /// had this one).
    pub for_its_cohort: bool,
    /// Whether its cohort is now the current one: the desk's forms check by it.
    pub current: bool,
}

impl Store {
    /// Takes a rulebook HQ published (pulled, or read from HQ's signed file): kept for the
    /// decisions that name it; its cohort's rulebook when it is the cohort's latest revision; and
    /// the current cohort's when its cohort is later than the current one (a new cohort starts).
    /// A version already kept with other numbers is refused: a version names one rulebook.
    pub fn adopt_rulebook(&mut self, rulebook: &Rulebook) -> Result<AdoptedRulebook> {
        let body: Option<String> = self
            .conn
            .query_row("SELECT body FROM rulebooks WHERE version = ?1", [&rulebook.version], |r| r.get(0))
            .optional()?;
        if let Some(body) = body {
            let kept = Rulebook::from_json(&body).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if kept != *rulebook {
                let taken = FieldError::new("rulebook", "error-rulebook-version-taken")
                    .arg("version", &rulebook.version);
                return Err(ValidationErrors::one(taken).into());
            }
        }
        let tx = self.conn.transaction()?;
        put(&tx, rulebook)?;
        let current_year: i32 =
            tx.query_row("SELECT year FROM cohorts WHERE is_current = 1", [], |r| r.get(0))?;
        if rulebook.cohort > current_year {
            tx.execute("UPDATE cohorts SET is_current = (year = ?1)", [rulebook.cohort])?;
        }
        let now_current: String =
            tx.query_row("SELECT rulebook_version FROM cohorts WHERE is_current = 1", [], |r| r.get(0))?;
        tx.commit()?;
        Rulebook::register(rulebook);
        let current = current_rulebook(&self.conn)?;
        self.stamp.rulebook_version.clone_from(&current.version);
        self.rulebook = current;
        Ok(AdoptedRulebook {
            version: rulebook.version.clone(),
            cohort: rulebook.cohort,
            for_its_cohort: self.cohort_rulebook(rulebook.cohort)? == rulebook.version,
            current: now_current == rulebook.version,
        })
    }

    /// Reads the current cohort's rulebook again: another connection (a sync's) may have taken a
    /// new one.
    pub fn reload_rulebook(&mut self) -> Result<()> {
        register_kept(&self.conn)?;
        let current = current_rulebook(&self.conn)?;
        self.stamp.rulebook_version.clone_from(&current.version);
        self.rulebook = current;
        Ok(())
    }

    /// Every rulebook the database keeps, as (version, cohort), by cohort and version.
    pub fn kept_rulebooks(&self) -> Result<Vec<(String, i32)>> {
        let mut statement =
            self.conn.prepare("SELECT version, cohort FROM rulebooks ORDER BY cohort, version")?;
        let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The version of the rulebook `cohort` works by.
    pub fn cohort_rulebook(&self, cohort: i32) -> Result<String> {
        Ok(self
            .conn
            .query_row("SELECT rulebook_version FROM cohorts WHERE year = ?1", [cohort], |r| r.get(0))?)
    }
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
