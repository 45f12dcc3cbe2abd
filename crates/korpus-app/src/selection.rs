//! The random assignment on a desk: which regions wait for their draw, drawing them, and a
//! verification that fails when the draw on record is not what the algorithm gives.

use crate::error::{AppError, Result};
use korpus_domain::ValidationErrors;
use korpus_domain::selection::decisions::LotteryRecord;
use korpus_domain::validation::FieldError;
use korpus_store::{LotteryCheck, LotteryDrawInput, Record, Store};

/// The regions of `cohort` whose commission decided and that have no lottery yet.
pub fn undrawn_regions(store: &Store, cohort: i32) -> Result<Vec<String>> {
    let drawn: Vec<String> = store.lotteries(cohort)?.into_iter().map(|l| l.data.region).collect();
    let mut out = Vec::new();
    for region in store.rulebook().regions.iter().map(|r| r.kato.clone()) {
        if !drawn.contains(&region) && store.ranking(&region)?.decision.is_some() {
            out.push(region);
        }
    }
    Ok(out)
}

/// Draws the lottery of `input.region`, or, when it is empty, of every region of `cohort` whose
/// commission decided and that has none yet, all with the same public seed. Refused, naming the
/// region, when there is nothing to draw.
pub fn draw_lotteries(
    store: &mut Store,
    cohort: i32,
    input: &LotteryDrawInput,
) -> Result<Vec<Record<LotteryRecord>>> {
    store.own_cohort(cohort)?;
    let regions = if input.region.trim().is_empty() {
        undrawn_regions(store, cohort)?
    } else {
        vec![input.region.clone()]
    };
    if regions.is_empty() {
        return Err(ValidationErrors::one(FieldError::new("region", "error-no-decision")).into());
    }
    let mut drawn = Vec::with_capacity(regions.len());
    for region in regions {
        drawn.push(store.draw_lottery(&LotteryDrawInput { region, ..input.clone() })?);
    }
    Ok(drawn)
}

/// The lottery `id` drawn again from the groups on record: its check when it verifies, else
/// [`AppError::LotteryDiffers`] naming each difference.
pub fn verified_lottery(store: &Store, id: &str) -> Result<LotteryCheck> {
    let check = store.verify_lottery(id)?;
    if check.discrepancies.is_empty() {
        Ok(check)
    } else {
        Err(AppError::LotteryDiffers { lottery: check.lottery_id.to_string(), differences: check.messages })
    }
}
