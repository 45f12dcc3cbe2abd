//! Pull by cursor: the rows each applied envelope left behind, in HQ's order, limited to what the
//! device may see, and the open cases of its regions. Read in one snapshot, so a page and its
//! head agree.

use crate::accounts::DeviceAuth;
use crate::error::Result;
use crate::plan::Regions;
use deadpool_postgres::Pool;
use korpus_domain::Entity;
use korpus_sync::protocol::{Case, OwnChanges, PullPage, PulledChange, RowState};
use serde_json::Value;
use tokio_postgres::IsolationLevel;
use uuid::Uuid;

/// The page after `after` of at most `limit` changes for `device`; with [`OwnChanges::Brief`], the
/// device's own envelopes that applied as written are named by their `server_seq` only
/// ([`PullPage::own`]).
pub async fn page(
    pool: &Pool,
    device: &DeviceAuth,
    after: i64,
    limit: i64,
    own: OwnChanges,
) -> Result<PullPage> {
    let mut client = pool.get().await?;
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    // As in the push (src/push.rs): planned for the arrays at hand, `= ANY($n)` may be estimated to
    // match most of a table and read it whole; the generic plan probes the index per key.
    tx.batch_execute("SET LOCAL plan_cache_mode = force_generic_plan").await?;
    let head: i64 = tx.query_one("SELECT server_seq FROM sync_head", &[]).await?.get(0);
    let (all, regions): (bool, Vec<String>) = match &device.regions {
        Regions::All => (true, Vec::new()),
        Regions::Only(list) => (false, list.clone()),
    };
    // Whether any of the device's own envelopes ahead applied as written: only then are they
    // looked for row by row (a probe of `envelopes` per row) and left out.
    let brief = own == OwnChanges::Brief
        && tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM envelopes
                   WHERE device = $1 AND clean AND server_seq > $2 AND server_seq <= $3)",
                &[&device.id, &after, &head],
            )
            .await?
            .get::<_, bool>(0);
    // The envelopes after the cursor that left a row of the device's regions, or moved one out of
    // them (a gone-marker: the desks of the region it left let it go). Staff and coordinators have
    // a statement each: a generic plan cannot fold `$all OR region = ANY(..)` and would read
    // `row_changes` whole instead of its region index. With `brief`, the device's own clean
    // envelopes are left out (one that moved a row is never clean: gone-markers need no filter).
    let not_own = |n: u8| {
        format!(
            "AND NOT EXISTS (SELECT 1 FROM envelopes e
               WHERE e.server_seq = row_changes.server_seq AND e.device = ${n} AND e.clean)"
        )
    };
    let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = vec![&after, &head];
    let sql = if all {
        params.push(&limit);
        format!(
            "SELECT DISTINCT server_seq FROM row_changes WHERE server_seq > $1 AND server_seq <= $2 {}
             ORDER BY server_seq LIMIT $3",
            if brief { not_own(4) } else { String::new() }
        )
    } else {
        params.extend([&regions as &(dyn tokio_postgres::types::ToSql + Sync), &limit]);
        format!(
            "SELECT server_seq FROM (
               SELECT server_seq FROM row_changes
               WHERE region = ANY($3) AND server_seq > $1 AND server_seq <= $2 {}
               UNION
               SELECT server_seq FROM row_moves
               WHERE from_region = ANY($3) AND server_seq > $1 AND server_seq <= $2
                 AND NOT (to_region = ANY($3))
             ) AS s ORDER BY server_seq LIMIT $4",
            if brief { not_own(5) } else { String::new() }
        )
    };
    if brief {
        params.push(&device.id);
    }
    let seqs: Vec<i64> = tx.query(&sql, &params).await?.iter().map(|r| r.get(0)).collect();
    let mut cursor = if (seqs.len() as i64) < limit { head } else { seqs.last().copied().unwrap_or(head) };
    // The own envelopes left out, up to the cursor, as runs; at most `limit` runs a page (the
    // cursor stops at the last one's end).
    let mut own_runs: Vec<[i64; 2]> = Vec::new();
    if brief {
        let own_seqs = tx
            .query(
                "SELECT server_seq FROM envelopes
                 WHERE device = $1 AND clean AND server_seq > $2 AND server_seq <= $3 ORDER BY server_seq",
                &[&device.id, &after, &cursor],
            )
            .await?;
        for r in &own_seqs {
            let seq: i64 = r.get(0);
            let full = own_runs.len() as i64 == limit;
            match own_runs.last_mut() {
                Some(run) if run[1] + 1 == seq => run[1] = seq,
                Some(run) if full => {
                    cursor = run[1];
                    break;
                }
                _ => own_runs.push([seq, seq]),
            }
        }
    }
    let seqs: Vec<i64> = seqs.into_iter().filter(|s| *s <= cursor).collect();
    const ROWS: &str = "SELECT c.server_seq, e.id, e.device, c.entity, c.id, c.version, c.deleted, c.fields,
                e.author, e.hlc
         FROM row_changes c JOIN envelopes e ON e.server_seq = c.server_seq
         WHERE c.server_seq = ANY($1)";
    let rows = if all {
        tx.query(&format!("{ROWS} ORDER BY c.server_seq, c.entity, c.id"), &[&seqs]).await?
    } else {
        tx.query(
            &format!("{ROWS} AND c.region = ANY($2) ORDER BY c.server_seq, c.entity, c.id"),
            &[&seqs, &regions],
        )
        .await?
    };
    let gone = if all {
        Vec::new()
    } else {
        tx.query(
            "SELECT m.server_seq, e.id, e.device, m.entity, m.id, c.version, true, '{}'::jsonb,
                    e.author, e.hlc
             FROM row_moves m JOIN envelopes e ON e.server_seq = m.server_seq
             JOIN row_changes c ON c.server_seq = m.server_seq AND c.entity = m.entity AND c.id = m.id
             WHERE m.server_seq = ANY($1) AND m.from_region = ANY($2) AND NOT (m.to_region = ANY($2))",
            &[&seqs, &regions],
        )
        .await?
    };
    let mut all_rows: Vec<&tokio_postgres::Row> = rows.iter().chain(gone.iter()).collect();
    all_rows.sort_by_key(|r| (r.get::<_, i64>(0), r.get::<_, String>(3), r.get::<_, Uuid>(4)));
    let mut changes: Vec<PulledChange> = Vec::with_capacity(seqs.len());
    for r in all_rows {
        let seq: i64 = r.get(0);
        let entity: String = r.get(3);
        let Ok(entity) = Entity::parse("entity", &entity) else { continue };
        let fields = match r.get::<_, Value>(7) {
            Value::Object(m) => m,
            _ => serde_json::Map::new(),
        };
        let row = RowState { entity, id: r.get(4), version: r.get(5), deleted: r.get(6), fields };
        match changes.last_mut() {
            Some(last) if last.server_seq == seq => last.rows.push(row),
            _ => changes.push(PulledChange {
                server_seq: seq,
                envelope_id: r.get(1),
                device: r.get(2),
                author: r.get(8),
                hlc: r.get(9),
                rows: vec![row],
            }),
        }
    }
    let cases = tx
        .query(
            "SELECT id, kind, status, details, opened_at, regions FROM cases
             WHERE status = 'open' AND ($1 OR regions && $2) ORDER BY opened_at, id",
            &[&all, &regions],
        )
        .await?
        .iter()
        .map(|r| Case {
            id: r.get::<_, Uuid>(0),
            kind: r.get(1),
            status: r.get(2),
            details: visible_details(r.get(3), &r.get::<_, Vec<String>>(5), &device.regions),
            opened_at: r.get::<_, chrono::DateTime<chrono::Utc>>(4).to_rfc3339(),
        })
        .collect();
    tx.commit().await?;
    Ok(PullPage { changes, cursor, head, cases, own: own_runs })
}

/// A case's details as `regions` may see them: of the rows a duplicate names, those of other
/// regions are left out and only counted (`elsewhere`), so that no region learns another's row
/// ids. A case recorded before rows carried their regions shows its rows only when all of the
/// case's `case_regions` are allowed.
fn visible_details(mut details: Value, case_regions: &[String], regions: &Regions) -> Value {
    let Regions::Only(_) = regions else { return details };
    let Some(rows) = details.get("rows").and_then(Value::as_array).cloned() else { return details };
    let row_regions = match details.get("row_regions").and_then(Value::as_array) {
        Some(list) => list.clone(),
        None if case_regions.iter().all(|r| regions.allows(r)) => return details,
        None => Vec::new(),
    };
    let mine: Vec<Value> = rows
        .iter()
        .enumerate()
        .filter(|(i, _)| row_regions.get(*i).and_then(Value::as_str).is_some_and(|r| regions.allows(r)))
        .map(|(_, id)| id.clone())
        .collect();
    let elsewhere = rows.len() - mine.len();
    if let Value::Object(map) = &mut details {
        map.insert("rows".to_owned(), Value::Array(mine));
        map.insert("elsewhere".to_owned(), Value::from(elsewhere));
        map.remove("row_regions");
    }
    details
}

/// Every row `regions` may see, as it stands: for the state hash.
pub async fn rows(pool: &Pool, regions: &Regions) -> Result<Vec<RowState>> {
    let client = pool.get().await?;
    let (all, list): (bool, Vec<String>) = match regions {
        Regions::All => (true, Vec::new()),
        Regions::Only(list) => (false, list.clone()),
    };
    Ok(client
        .query(
            "SELECT entity, id, version, deleted, fields FROM rows WHERE $1 OR region = ANY($2)",
            &[&all, &list],
        )
        .await?
        .iter()
        .filter_map(|r| {
            let entity = Entity::parse("entity", &r.get::<_, String>(0)).ok()?;
            let Value::Object(fields) = r.get::<_, Value>(4) else { return None };
            Some(RowState { entity, id: r.get(1), version: r.get(2), deleted: r.get(3), fields })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_duplicate_shows_a_region_its_own_row_and_only_counts_the_other() {
        let details = json!({
            "entity": "person", "rows": ["a", "b"], "row_regions": ["550000000", "190000000"], "key": "k",
        });
        let only = Regions::Only(vec!["550000000".into()]);
        let both = ["550000000".to_owned(), "190000000".to_owned()];
        let mine = visible_details(details.clone(), &both, &only);
        assert_eq!(mine["rows"], json!(["a"]));
        assert_eq!(mine["elsewhere"], json!(1));
        assert!(mine.get("row_regions").is_none());
        assert_eq!(visible_details(details.clone(), &both, &Regions::All)["rows"], json!(["a", "b"]));
        // Recorded before rows carried their regions: shown whole within one's regions, else not.
        let old = json!({ "entity": "person", "rows": ["a", "b"], "key": "k" });
        assert_eq!(visible_details(old.clone(), &both, &only)["rows"], json!([]));
        assert_eq!(visible_details(old, &both[..1], &only)["rows"], json!(["a", "b"]));
    }
}
