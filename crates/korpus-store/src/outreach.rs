//! Outreach in the case database: activities by region, newest first, corrected when mistyped,
//! and the people reached by region and in all.

use crate::Store;
use crate::error::{Result, StoreError};
use crate::tables::{Record, expect_version, read_by_id, read_records, select_columns};
use korpus_domain::closing::outreach::{OutreachEvent, OutreachInput, OutreachTotals};
use korpus_domain::{Entity, ValidationErrors};
use std::collections::BTreeMap;
use uuid::Uuid;

fn outreach_id(id: &str) -> Result<Uuid> {
    Uuid::parse_str(id.trim())
        .map_err(|_| StoreError::NotFound { entity: Entity::Outreach, query: id.to_owned() })
}

impl Store {
    /// Records an outreach activity in a region.
    pub fn record_outreach(&mut self, region: &str, input: &OutreachInput) -> Result<Record<OutreachEvent>> {
        let region = korpus_domain::rulebook::region("region", region, &self.rulebook)
            .map_err(ValidationErrors::one)?;
        let event = input.validate(&self.context(), &region)?;
        let id = Uuid::now_v7();
        self.write(|w| w.insert(Entity::Outreach, id, &event))?;
        Ok(Record { id, version: 1, data: event })
    }

    /// Corrects an activity read at `base_version`; it stays in its region.
    pub fn edit_outreach(
        &mut self,
        id: &str,
        base_version: i64,
        input: &OutreachInput,
    ) -> Result<Record<OutreachEvent>> {
        let old: Record<OutreachEvent> = read_by_id(&self.conn, Entity::Outreach, outreach_id(id)?)?;
        expect_version(Entity::Outreach, &old, base_version)?;
        let event = input.validate(&self.context(), &old.data.region)?;
        self.write(|w| w.update(Entity::Outreach, old.id, old.version, &old.data, &event))?;
        Ok(Record { id: old.id, version: old.version + 1, data: event })
    }

    /// The activities of a region (or all), newest first.
    pub fn outreach(&self, region: Option<&str>) -> Result<Vec<Record<OutreachEvent>>> {
        let sql = format!(
            "SELECT {} FROM outreach WHERE cohort = ?1 AND (?2 IS NULL OR region = ?2)
             ORDER BY held_on DESC, rid DESC",
            select_columns(Entity::Outreach)
        );
        read_records(&self.conn, Entity::Outreach, &sql, (self.rulebook.cohort, region))
    }

    /// People reached by region, then in all (region `None`).
    pub fn outreach_totals(&self) -> Result<Vec<OutreachTotals>> {
        let mut by_region: BTreeMap<String, OutreachTotals> = BTreeMap::new();
        let mut all = OutreachTotals::default();
        for e in self.outreach(None)? {
            let region = e.data.region.clone();
            by_region
                .entry(region.clone())
                .or_insert_with(|| OutreachTotals { region: Some(region), ..Default::default() })
                .add(&e.data);
            all.add(&e.data);
        }
        let mut out: Vec<OutreachTotals> = by_region.into_values().collect();
        out.push(all);
        Ok(out)
    }
}
