//! Limits no single desk can see: at most `max_applications` applications per host organisation
//! and cohort (PROGRAMME.md P:20), counted over every desk's applications. A desk checks the
//! ones it holds; two desks of a region, each within the limit, can together pass it. HQ does
//! not refuse the application that does (each was valid where it was made): it opens a case for
//! the desks of the organisation and of its applications, naming the ones beyond the limit in the
//! order they were made, as the rule HOST_ORG_MAX_APPLICATIONS judges them. The case follows the
//! count: a later application widens it, and it is resolved once the count is back within.

use crate::error::Result;
use crate::plan::HqRow;
use korpus_domain::Rulebook;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use tokio_postgres::Transaction;
use uuid::Uuid;

/// The case's kind.
pub const HOST_ORG_OVER_LIMIT: &str = "host_org_over_limit";

/// Recounts the host organisations of `applications` (the application rows a batch wrote, as
/// they now stand) and of the cases open on one, under the rulebook the batch's envelopes name,
/// and opens, updates or resolves their cases. Runs in the batch's transaction, after its rows.
pub async fn recount_host_orgs<'a>(
    tx: &Transaction<'_>,
    applications: impl Iterator<Item = &'a HqRow>,
    rulebook_version: &str,
) -> Result<()> {
    let mut orgs: BTreeSet<String> = applications
        .filter_map(|row| row.fields.get("host_org_id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    let open = tx
        .query(
            "SELECT details ->> 'host_org' FROM cases WHERE kind = $1 AND status = 'open'",
            &[&HOST_ORG_OVER_LIMIT],
        )
        .await?;
    orgs.extend(open.iter().filter_map(|r| r.get::<_, Option<String>>(0)));
    if orgs.is_empty() {
        return Ok(());
    }
    let max = Rulebook::known(rulebook_version)
        .map_or_else(|| Rulebook::pilot_2017().host_org.max_applications, |r| r.host_org.max_applications)
        as usize;
    let keys: Vec<&str> = orgs.iter().map(String::as_str).collect();
    let ids: Vec<Uuid> = orgs.iter().filter_map(|o| Uuid::parse_str(o).ok()).collect();
    let org_regions: BTreeMap<Uuid, String> = tx
        .query("SELECT id, region FROM rows WHERE entity = 'host_org' AND id = ANY($1)", &[&ids])
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let counted = tx
        .query(
            "SELECT fields ->> 'host_org_id', (fields ->> 'cohort')::int4,
                    array_agg(id ORDER BY id), array_agg(DISTINCT region)
             FROM rows
             WHERE entity = 'application' AND NOT deleted AND fields ->> 'host_org_id' = ANY($1)
               AND fields ->> 'path' = 'host_org'
             GROUP BY 1, 2",
            &[&keys],
        )
        .await?;
    let mut over = Vec::new();
    for r in &counted {
        let (org, cohort): (String, i32) = (r.get(0), r.get(1));
        let applications: Vec<Uuid> = r.get(2);
        if applications.len() <= max {
            continue;
        }
        let mut regions: BTreeSet<String> = r.get::<_, Vec<String>>(3).into_iter().collect();
        regions.extend(Uuid::parse_str(&org).ok().and_then(|id| org_regions.get(&id)).cloned());
        over.push((
            format!("host_org:{org}:{cohort}"),
            json!(regions),
            json!({
                "entity": "application",
                "rows": applications[max..],
                "host_org": org,
                "cohort": cohort,
                "count": applications.len(),
                "max": max,
            }),
        ));
    }
    let subjects: Vec<&str> = over.iter().map(|(s, _, _)| s.as_str()).collect();
    tx.execute(
        "UPDATE cases SET status = 'resolved', resolved_at = now()
         WHERE kind = $1 AND status = 'open' AND details ->> 'host_org' = ANY($2) AND NOT subject = ANY($3)",
        &[&HOST_ORG_OVER_LIMIT, &keys, &subjects],
    )
    .await?;
    if over.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = over.iter().map(|_| Uuid::now_v7()).collect();
    let regions: Vec<&Value> = over.iter().map(|(_, r, _)| r).collect();
    let details: Vec<&Value> = over.iter().map(|(_, _, d)| d).collect();
    // A region list per case is a ragged array, which unnest() cannot take: it travels as JSON.
    tx.execute(
        "INSERT INTO cases (id, kind, regions, subject, details)
         SELECT i, $1, ARRAY(SELECT jsonb_array_elements_text(r)), s, d
         FROM unnest($2::uuid[], $3::jsonb[], $4::text[], $5::jsonb[]) AS u(i, r, s, d)
         ON CONFLICT (kind, subject) WHERE status = 'open'
         DO UPDATE SET regions = EXCLUDED.regions, details = EXCLUDED.details",
        &[&HOST_ORG_OVER_LIMIT, &ids, &regions, &subjects, &details],
    )
    .await?;
    Ok(())
}
