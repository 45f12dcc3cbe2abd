//! Certificate numbers and codes at HQ: blocks of numbers reserved for one device each, the check
//! that a certificate a desk sends was numbered from its own blocks and signed with its own key,
//! and the verification anyone may ask for with a certificate's code.

use crate::accounts::DeviceAuth;
use crate::error::{HqError, Result};
use axum::http::StatusCode;
use deadpool_postgres::Pool;
use korpus_domain::closing::certificate_code::{CertificateCode, verifying_key};
use korpus_domain::closing::certificate_number::{MAX_HQ_NUMBER, NumberOrigin, number_origin};
use korpus_domain::closing::certification::Certificate;
use korpus_sync::protocol::{BlockRequest, CertificateCheck, MAX_BLOCK, NumberBlockGrant, codes};
use serde_json::Value;
use uuid::Uuid;

/// Reserves `request.size` numbers of the cohort for `device`: the next free range, under the
/// series' row lock so that no two devices share a number.
pub async fn reserve(pool: &Pool, device: &DeviceAuth, request: &BlockRequest) -> Result<NumberBlockGrant> {
    if !(1..=MAX_BLOCK).contains(&request.size) {
        return Err(HqError::bad(
            codes::BAD_PARAMETER,
            format!("size: {} is not from 1 to {MAX_BLOCK}", request.size),
        ));
    }
    if !(2000..=2100).contains(&request.cohort) {
        return Err(HqError::bad(
            codes::BAD_PARAMETER,
            format!("cohort: {} is not a programme year", request.cohort),
        ));
    }
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute(
        "INSERT INTO certificate_series (cohort, next) VALUES ($1, 1) ON CONFLICT (cohort) DO NOTHING",
        &[&request.cohort],
    )
    .await?;
    let next: i32 = tx
        .query_one("SELECT next FROM certificate_series WHERE cohort = $1 FOR UPDATE", &[&request.cohort])
        .await?
        .get(0);
    let size = i32::try_from(request.size).unwrap_or(i32::MAX);
    let last = next.saturating_add(size - 1);
    if last > MAX_HQ_NUMBER as i32 {
        return Err(HqError::api(
            StatusCode::CONFLICT,
            codes::NUMBERS_EXHAUSTED,
            format!("cohort {}: numbers up to {MAX_HQ_NUMBER} are all reserved", request.cohort),
        ));
    }
    tx.execute("UPDATE certificate_series SET next = $2 WHERE cohort = $1", &[&request.cohort, &(last + 1)])
        .await?;
    tx.execute(
        "INSERT INTO certificate_blocks (cohort, first, last, device) VALUES ($1, $2, $3, $4)",
        &[&request.cohort, &next, &last, &device.id],
    )
    .await?;
    tx.commit().await?;
    Ok(NumberBlockGrant { cohort: request.cohort, first: next as u32, last: last as u32 })
}

/// The last number of a block that is valid: all of it, or for a retired block the numbers its
/// device used (none: one before the first).
const VALID_LAST: &str = "CASE WHEN retired_at IS NULL THEN last ELSE coalesce(used_up_to, first - 1) END";

/// This device's blocks: (cohort, first, last valid), a retired block's unused numbers left out.
pub(crate) async fn blocks_of(
    tx: &tokio_postgres::Transaction<'_>,
    device: Uuid,
) -> Result<Vec<(i32, u32, u32)>> {
    Ok(tx
        .query(
            &format!("SELECT cohort, first, {VALID_LAST} FROM certificate_blocks WHERE device = $1"),
            &[&device],
        )
        .await?
        .iter()
        .map(|r| (r.get::<_, i32>(0), r.get::<_, i32>(1) as u32, r.get::<_, i32>(2) as u32))
        .filter(|&(_, first, last)| last >= first)
        .collect())
}

/// Retires the blocks of `device` (revoked): the numbers it issued certificates with, as HQ holds
/// them, stay valid; the rest of each block is valid for nobody. Returns the numbers retired.
pub(crate) async fn retire(
    tx: &tokio_postgres::Transaction<'_>,
    device: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<NumberBlockGrant>> {
    let issued: Vec<(i32, u32)> = tx
        .query(
            "SELECT fields ->> 'number' FROM rows WHERE entity = 'certificate' AND fields ->> 'device_id' = $1",
            &[&device.to_string()],
        )
        .await?
        .iter()
        .filter_map(|r| match number_origin(r.get::<_, &str>(0)) {
            Some(NumberOrigin::Hq { cohort, n }) => Some((cohort, n)),
            _ => None,
        })
        .collect();
    let blocks = tx
        .query(
            "SELECT cohort, first, last FROM certificate_blocks WHERE device = $1 AND retired_at IS NULL",
            &[&device],
        )
        .await?;
    let mut retired = Vec::new();
    for block in blocks {
        let (cohort, first, last): (i32, i32, i32) = (block.get(0), block.get(1), block.get(2));
        let used = issued
            .iter()
            .filter(|&&(c, n)| c == cohort && (first..=last).contains(&(n as i32)))
            .map(|&(_, n)| n as i32)
            .max();
        tx.execute(
            "UPDATE certificate_blocks SET retired_at = $3, used_up_to = $4 WHERE cohort = $1 AND first = $2",
            &[&cohort, &first, &now, &used],
        )
        .await?;
        let from = used.map_or(first, |u| u + 1);
        if from <= last {
            retired.push(NumberBlockGrant { cohort, first: from as u32, last: last as u32 });
        }
    }
    Ok(retired)
}

/// Why a certificate a device sends is not its own to issue, if it is not: a number from no block
/// of the device, or a signature that is not the device's over these very fields. `fields` are
/// the new row's; a row that does not parse is left to the plan's checks.
pub(crate) fn refuse_certificate(
    device: &DeviceAuth,
    blocks: &[(i32, u32, u32)],
    fields: &serde_json::Map<String, Value>,
) -> Option<(&'static str, String)> {
    let c: Certificate = serde_json::from_value(Value::Object(fields.clone())).ok()?;
    if c.device_id != device.id {
        return Some((codes::WRONG_DEVICE, "device_id: not the device that sent it".into()));
    }
    let reserved = match number_origin(&c.number) {
        Some(NumberOrigin::Hq { cohort, n }) => {
            blocks.iter().any(|&(b, first, last)| b == cohort && (first..=last).contains(&n))
        }
        Some(NumberOrigin::Local { device: d, .. }) => d == device.id,
        None => false,
    };
    if !reserved {
        return Some((
            codes::NUMBER_NOT_RESERVED,
            format!("number: {} is from no block reserved for this device", c.number),
        ));
    }
    let signed =
        verifying_key(&device.public_key).is_some_and(|key| CertificateCode::of(&c).verify(&key).is_ok());
    if !signed {
        return Some((
            codes::BAD_SIGNATURE,
            "signature: not this device's signature of the certificate".into(),
        ));
    }
    None
}

/// HQ's word on a certificate code: signed by an enrolled device's key, numbered from its
/// blocks, and whether HQ's record of that number says the same.
pub async fn verify(pool: &Pool, text: &str) -> Result<CertificateCheck> {
    let refused =
        |problem: &str| CertificateCheck { genuine: false, problem: Some(problem.into()), on_record: None };
    let Ok(code) = CertificateCode::parse(text) else { return Ok(refused("not_a_code")) };
    let client = pool.get().await?;
    let Some(row) =
        client.query_opt("SELECT public_key FROM devices WHERE id = $1", &[&code.device_id]).await?
    else {
        return Ok(refused("unknown_device"));
    };
    let key = verifying_key(row.get::<_, &str>(0));
    if key.is_none_or(|k| code.verify(&k).is_err()) {
        return Ok(refused("bad_signature"));
    }
    let reserved = match number_origin(&code.number) {
        Some(NumberOrigin::Hq { cohort, n }) => client
            .query_opt(
                &format!(
                    "SELECT 1 FROM certificate_blocks WHERE device = $1 AND cohort = $2 AND first <= $3 AND {VALID_LAST} >= $3"
                ),
                &[&code.device_id, &cohort, &(n as i32)],
            )
            .await?
            .is_some(),
        Some(NumberOrigin::Local { device, .. }) => device == code.device_id,
        None => false,
    };
    if !reserved {
        return Ok(refused("number_not_reserved"));
    }
    let record = client
        .query_opt(
            "SELECT fields FROM rows WHERE entity = 'certificate' AND fields ->> 'number' = $1",
            &[&code.number],
        )
        .await?;
    let on_record = record.map(|r| {
        serde_json::from_value::<Certificate>(r.get(0)).is_ok_and(|c| CertificateCode::of(&c) == code)
    });
    Ok(CertificateCheck { genuine: true, problem: None, on_record })
}
