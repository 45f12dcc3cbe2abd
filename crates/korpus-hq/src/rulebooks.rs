//! Rulebooks as data (issue 20, point 5): HQ publishes a cohort's rulebook, checked as the built-in
//! ones are; desks pull what was published after what they hold (signed as every answer is) or
//! read HQ's signed file of one; HQ checks envelopes made under a published rulebook as under a
//! built-in one.

use crate::error::{HqError, Result};
use deadpool_postgres::Pool;
use korpus_domain::Rulebook;
use korpus_sync::file::{self, RulebookFile};
use korpus_sync::protocol::{PublishedRulebook, PublishedRulebooks};
use std::sync::atomic::{AtomicI64, Ordering};

/// One published rulebook, as `korpus-hq rulebook list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// Order of publication.
    pub seq: i64,
    /// Its version.
    pub version: String,
    /// Its cohort.
    pub cohort: i32,
    /// When it was published.
    pub published_at: chrono::DateTime<chrono::Utc>,
}

/// What publishing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Publication {
    /// Published now, with this `seq`.
    New(i64),
    /// The same rulebook was published before (or is built in): nothing changed.
    Already,
}

/// Publishes the rulebook in `text` (TOML as the built-in ones are written, or JSON): refused when
/// it does not read or its numbers disagree (as a built-in one would be), when it is written in a
/// schema this HQ does not read, or when its version already names other numbers.
pub async fn publish(pool: &Pool, text: &str) -> Result<(Rulebook, Publication)> {
    let rulebook = Rulebook::from_text(text).map_err(|e| HqError::Config(format!("rulebook: {e}")))?;
    let taken = |version: &str| {
        HqError::Config(format!(
            "rulebook: version {version} already names other numbers; give this one the next revision"
        ))
    };
    if let Some(built_in) = Rulebook::built_in_ref(&rulebook.version) {
        return if *built_in == rulebook {
            Ok((rulebook, Publication::Already))
        } else {
            Err(taken(&rulebook.version))
        };
    }
    let body = serde_json::to_string(&rulebook).map_err(|e| HqError::Config(format!("rulebook: {e}")))?;
    let client = pool.get().await?;
    let inserted = client
        .query_opt(
            "INSERT INTO rulebooks (version, cohort, schema, body) VALUES ($1, $2, $3, $4)
             ON CONFLICT (version) DO NOTHING RETURNING seq",
            &[&rulebook.version, &rulebook.cohort, &(rulebook.schema as i32), &body],
        )
        .await?;
    if let Some(row) = inserted {
        return Ok((rulebook, Publication::New(row.get(0))));
    }
    let kept: String =
        client.query_one("SELECT body FROM rulebooks WHERE version = $1", &[&rulebook.version]).await?.get(0);
    match Rulebook::from_json(&kept) {
        Ok(same) if same == rulebook => Ok((rulebook, Publication::Already)),
        _ => Err(taken(&rulebook.version)),
    }
}

/// Every published rulebook, in the order published.
pub async fn list(pool: &Pool) -> Result<Vec<Published>> {
    let client = pool.get().await?;
    let rows =
        client.query("SELECT seq, version, cohort, published_at FROM rulebooks ORDER BY seq", &[]).await?;
    Ok(rows
        .iter()
        .map(|r| Published { seq: r.get(0), version: r.get(1), cohort: r.get(2), published_at: r.get(3) })
        .collect())
}

/// The rulebooks published after `after`, oldest first: what a desk that holds up to `after`
/// pulls. `last` is the newest seq (or `after`), the desk's next `after`.
pub async fn since(pool: &Pool, after: i64) -> Result<PublishedRulebooks> {
    let mut rulebooks = Vec::new();
    for (seq, body) in bodies_after(pool, after).await? {
        let rulebook = serde_json::from_str(&body)
            .map_err(|e| HqError::Config(format!("rulebooks: a published body does not read: {e}")))?;
        rulebooks.push(PublishedRulebook { seq, rulebook });
    }
    let last = rulebooks.last().map_or(after, |r| r.seq);
    Ok(PublishedRulebooks { rulebooks, last })
}

/// The bodies published after `after`, with their seq, oldest first.
async fn bodies_after(pool: &Pool, after: i64) -> Result<Vec<(i64, String)>> {
    let client = pool.get().await?;
    let rows = client.query("SELECT seq, body FROM rulebooks WHERE seq > $1 ORDER BY seq", &[&after]).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// HQ's signed file of the published (or built-in) rulebook `version`, for a desk with no network
/// (`korpus rulebook import FILE`).
pub async fn export(pool: &Pool, key: &ed25519_dalek::SigningKey, version: &str) -> Result<Vec<u8>> {
    let rulebook = match Rulebook::built_in(version) {
        Some(r) => serde_json::to_value(r).map_err(|e| HqError::Config(e.to_string()))?,
        None => {
            let client = pool.get().await?;
            let body: String = client
                .query_opt("SELECT body FROM rulebooks WHERE version = $1", &[&version])
                .await?
                .ok_or_else(|| HqError::Config(format!("rulebook {version}: not published here")))?
                .get(0);
            serde_json::from_str(&body).map_err(|e| HqError::Config(e.to_string()))?
        }
    };
    file::write_rulebook(&RulebookFile::new(rulebook), key).map_err(|e| HqError::Config(e.to_string()))
}

/// The newest publication this process has made known ([`refresh`]).
static KNOWN_UP_TO: AtomicI64 = AtomicI64::new(0);

/// Makes the rulebooks published since the last call known to this process, so that envelopes
/// made under them are checked by their numbers (another process publishes: this one looks before
/// each batch it applies; one indexed query when nothing is new).
pub async fn refresh(pool: &Pool) -> Result<()> {
    for (seq, body) in bodies_after(pool, KNOWN_UP_TO.load(Ordering::Acquire)).await? {
        let rulebook = Rulebook::from_json(&body)
            .map_err(|e| HqError::Config(format!("rulebooks: a published body does not read: {e}")))?;
        Rulebook::register(&rulebook);
        KNOWN_UP_TO.fetch_max(seq, Ordering::AcqRel);
    }
    Ok(())
}
