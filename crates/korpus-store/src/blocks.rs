//! Blocks of certificate numbers ([`korpus_domain::closing::certificate_code`]): those HQ reserved for this
//! device, drawn first, oldest first; then the device's own series. A block only moves forward,
//! in the transaction that issues the certificate, so a number is never drawn twice, even when
//! an issue fails after drawing (the transaction then takes the draw back with it).

use crate::Store;
use crate::error::{Result, StoreError};
use chrono::{DateTime, Utc};
use korpus_domain::ValidationErrors;
use korpus_domain::closing::certificate_number::{
    BlockSource, MAX_HQ_NUMBER, MAX_LOCAL_NUMBER, certificate_number,
};
use korpus_domain::validation::FieldError;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use uuid::Uuid;

/// A block of certificate numbers this device holds.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NumberBlock {
    /// The cohort its numbers are of.
    pub cohort: i32,
    /// HQ's, or the device's own series.
    pub source: BlockSource,
    /// Its first number.
    pub first: u32,
    /// Its last number.
    pub last: u32,
    /// The number the next certificate gets; `last + 1` once used up.
    pub next: u32,
    /// When the device received (or began) it.
    pub received_at: String,
}

impl NumberBlock {
    /// How many numbers are left.
    pub fn left(&self) -> u32 {
        (self.last + 1).saturating_sub(self.next)
    }
}

fn to_u32(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Draws the next number for a certificate of `cohort` issued on `device`.
pub(crate) fn draw(conn: &Connection, cohort: i32, device: Uuid, now: DateTime<Utc>) -> Result<String> {
    let hq: Option<(i64, i64)> = conn
        .query_row(
            "SELECT rid, next FROM certificate_blocks
             WHERE cohort = ?1 AND source = 'hq' AND next <= last ORDER BY first LIMIT 1",
            [cohort],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (rid, n, source) = match hq {
        Some((rid, n)) => (rid, n, BlockSource::Hq),
        None => {
            conn.execute(
                "INSERT INTO certificate_blocks (cohort, source, first, last, next, received_at)
                 VALUES (?1, 'local', 1, ?2, 1, ?3) ON CONFLICT DO NOTHING",
                (cohort, MAX_LOCAL_NUMBER, now.to_rfc3339()),
            )?;
            let (rid, n, last): (i64, i64, i64) = conn.query_row(
                "SELECT rid, next, last FROM certificate_blocks WHERE cohort = ?1 AND source = 'local'",
                [cohort],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            if n > last {
                return Err(
                    ValidationErrors::one(FieldError::new("number", "error-no-certificate-numbers")).into()
                );
            }
            (rid, n, BlockSource::Local)
        }
    };
    conn.execute("UPDATE certificate_blocks SET next = next + 1 WHERE rid = ?1", [rid])?;
    Ok(certificate_number(cohort, source, device, to_u32(n)))
}

impl Store {
    /// Every block of certificate numbers this device holds, HQ's first.
    pub fn certificate_blocks(&self) -> Result<Vec<NumberBlock>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT cohort, source, first, last, next, received_at FROM certificate_blocks
             ORDER BY cohort, source, first",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i32>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (cohort, source, first, last, next, received_at) = row?;
            let source = BlockSource::from_code(&source)
                .ok_or_else(|| StoreError::Corrupt(format!("certificate_blocks.source: {source}")))?;
            out.push(NumberBlock {
                cohort,
                source,
                first: to_u32(first),
                last: to_u32(last),
                next: to_u32(next),
                received_at,
            });
        }
        Ok(out)
    }

    /// How many numbers of HQ's blocks this device has left for `cohort`.
    pub fn hq_numbers_left(&self, cohort: i32) -> Result<u32> {
        Ok(self
            .certificate_blocks()?
            .iter()
            .filter(|b| b.cohort == cohort && b.source == BlockSource::Hq)
            .map(NumberBlock::left)
            .sum())
    }

    /// Keeps a block HQ reserved for this device: numbers `first..=last` of `cohort`. The same
    /// block received twice (an answer repeated after a lost connection) is kept once; one that
    /// overlaps another is refused, since HQ never hands out a number twice.
    pub fn add_certificate_block(&mut self, cohort: i32, first: u32, last: u32) -> Result<NumberBlock> {
        if first == 0 || last < first || last > MAX_HQ_NUMBER {
            return Err(StoreError::Corrupt(format!(
                "a block of certificate numbers {first}..{last} is not within 1..{MAX_HQ_NUMBER}"
            )));
        }
        let now = self.clock.now().to_rfc3339();
        let tx = self.conn.transaction()?;
        let same: Option<i64> = tx
            .query_row(
                "SELECT last FROM certificate_blocks WHERE cohort = ?1 AND source = 'hq' AND first = ?2",
                (cohort, first),
                |r| r.get(0),
            )
            .optional()?;
        match same {
            Some(l) if l == i64::from(last) => {}
            _ => {
                let overlapping: i64 = tx.query_row(
                    "SELECT count(*) FROM certificate_blocks
                     WHERE cohort = ?1 AND source = 'hq' AND first <= ?3 AND last >= ?2",
                    (cohort, first, last),
                    |r| r.get(0),
                )?;
                if overlapping > 0 {
                    return Err(StoreError::Corrupt(format!(
                        "HQ's block {first}..{last} of {cohort} overlaps one this device holds"
                    )));
                }
                tx.execute(
                    "INSERT INTO certificate_blocks (cohort, source, first, last, next, received_at)
                     VALUES (?1, 'hq', ?2, ?3, ?2, ?4)",
                    (cohort, first, last, now),
                )?;
            }
        }
        tx.commit()?;
        self.certificate_blocks()?
            .into_iter()
            .find(|b| b.cohort == cohort && b.source == BlockSource::Hq && b.first == first)
            .ok_or_else(|| StoreError::Corrupt("the block just kept is gone".into()))
    }
}
