//! Accounts, enrolment codes and devices. Coordinators belong to regions; HQ staff see all. A
//! device joins once with a one-time code and gets a bearer token; HQ keeps only hashes of codes
//! and tokens.

use crate::error::{HqError, Result};
use crate::plan::Regions;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use deadpool_postgres::Pool;
use korpus_domain::Rulebook;
use korpus_sync::protocol::{EnrolRequest, Enrolment, NumberBlockGrant, codes};
use rand::{Rng, RngExt};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// SHA-256 of a secret (token or code), hex: what the database keeps.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.trim().to_uppercase().as_bytes()))
}

/// Letters and digits nobody confuses when reading a code aloud or typing it (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A fresh enrolment code, `XXXX-XXXX-XXXX` (about 59 bits).
fn new_code() -> String {
    let mut rng = rand::rng();
    let chars: Vec<char> =
        (0..12).map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// A fresh device token (256 bits).
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("KT{}", hex::encode_upper(bytes))
}

/// Checks a login: 2-64 of a-z, 0-9, `.`, `_`, `-`.
fn check_login(login: &str) -> Result<()> {
    let ok = (2..=64).contains(&login.len())
        && login.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok { Ok(()) } else { Err(HqError::Config(format!("--login: {login:?} is not 2-64 of a-z 0-9 . _ -"))) }
}

/// Adds a coordinator who may see `regions` (KATO codes of the rulebook).
pub async fn add_coordinator(pool: &Pool, login: &str, name: &str, regions: &[String]) -> Result<Uuid> {
    check_login(login)?;
    if regions.is_empty() {
        return Err(HqError::Config("--region: a coordinator needs at least one region".into()));
    }
    let rulebook = Rulebook::pilot_2017();
    for region in regions {
        if !rulebook.regions.iter().any(|r| &r.kato == region) {
            let known: Vec<&str> = rulebook.regions.iter().map(|r| r.kato.as_str()).collect();
            return Err(HqError::Config(format!(
                "--region: {region} is not a region; known: {}",
                known.join(", ")
            )));
        }
    }
    add_account(pool, login, name, "coordinator", regions).await
}

/// Adds an HQ staff member, who sees every region.
pub async fn add_staff(pool: &Pool, login: &str, name: &str) -> Result<Uuid> {
    check_login(login)?;
    add_account(pool, login, name, "staff", &[]).await
}

async fn add_account(pool: &Pool, login: &str, name: &str, role: &str, regions: &[String]) -> Result<Uuid> {
    if name.trim().is_empty() {
        return Err(HqError::Config("--name: empty".into()));
    }
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let id = Uuid::now_v7();
    let inserted = tx
        .execute(
            "INSERT INTO accounts (id, login, name, role) VALUES ($1, $2, $3, $4) ON CONFLICT (login) DO NOTHING",
            &[&id, &login, &name.trim(), &role],
        )
        .await?;
    if inserted == 0 {
        return Err(HqError::Config(format!("--login: {login} exists already")));
    }
    for region in regions {
        tx.execute(
            "INSERT INTO account_regions (account_id, region) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&id, region],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// A one-time enrolment code for the account `login`, valid for `hours`.
pub async fn enrol_code(
    pool: &Pool,
    login: &str,
    hours: i64,
    now: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>)> {
    if !(1..=24 * 30).contains(&hours) {
        return Err(HqError::Config("--valid-hours: between 1 and 720".into()));
    }
    let client = pool.get().await?;
    let account: Option<Uuid> =
        client.query_opt("SELECT id FROM accounts WHERE login = $1", &[&login]).await?.map(|r| r.get(0));
    let account = account.ok_or_else(|| HqError::Config(format!("--coordinator: no account {login}")))?;
    let code = new_code();
    let expires = now + Duration::hours(hours);
    client
        .execute(
            "INSERT INTO enrol_codes (code_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            &[&secret_hash(&code), &account, &now, &expires],
        )
        .await?;
    Ok((code, expires))
}

/// Enrols a device with a code: the code is spent, the device gets a token.
pub async fn enrol(pool: &Pool, request: &EnrolRequest, now: DateTime<Utc>) -> Result<Enrolment> {
    let name = request.device_name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(HqError::bad(
            codes::BAD_PARAMETER,
            "device_name: 1 to 100 characters, none of them a control character",
        ));
    }
    if hex::decode(&request.public_key).map(|k| k.len()) != Ok(32) {
        return Err(HqError::bad(codes::BAD_PARAMETER, "public_key: 64 hex digits (an Ed25519 key)"));
    }
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let code = tx
        .query_opt(
            "SELECT c.account_id, a.login, a.role FROM enrol_codes c JOIN accounts a ON a.id = c.account_id
             WHERE c.code_hash = $1 AND c.used_at IS NULL AND c.expires_at > $2 FOR UPDATE OF c",
            &[&secret_hash(&request.code), &now],
        )
        .await?
        .ok_or_else(|| {
            HqError::api(StatusCode::FORBIDDEN, codes::ENROL_CODE_INVALID, "code: unknown, used or expired")
        })?;
    let (account, login, role): (Uuid, String, String) = (code.get(0), code.get(1), code.get(2));
    let token = new_token();
    let inserted = tx
        .execute(
            "INSERT INTO devices (id, account_id, name, token_hash, public_key, enrolled_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
            &[&request.device_id, &account, &name, &secret_hash(&token), &request.public_key, &now],
        )
        .await?;
    if inserted == 0 {
        return Err(HqError::api(
            StatusCode::CONFLICT,
            codes::DEVICE_ALREADY_ENROLLED,
            "device_id: enrolled already",
        ));
    }
    tx.execute(
        "UPDATE enrol_codes SET used_at = $2, device_id = $3 WHERE code_hash = $1",
        &[&secret_hash(&request.code), &now, &request.device_id],
    )
    .await?;
    let regions: Vec<String> = tx
        .query("SELECT region FROM account_regions WHERE account_id = $1 ORDER BY region", &[&account])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    tx.commit().await?;
    Ok(Enrolment { token, account: login, all_regions: role == "staff", regions, hq_public_key: None })
}

/// An enrolled device as a request proves it.
#[derive(Debug, Clone)]
pub struct DeviceAuth {
    /// The device.
    pub id: Uuid,
    /// Its account's login.
    pub login: String,
    /// What it may read and write.
    pub regions: Regions,
    /// Its Ed25519 public key (hex).
    pub public_key: String,
}

/// The device whose token is `token`, if it is enrolled and not revoked.
pub async fn authenticate(pool: &Pool, token: &str) -> Result<DeviceAuth> {
    authenticate_hash(pool, &secret_hash(token)).await
}

async fn authenticate_hash(pool: &Pool, token_hash: &str) -> Result<DeviceAuth> {
    let client = pool.get().await?;
    let row = client
        .query_opt(
            "SELECT d.id, a.login, a.role, d.revoked_at IS NOT NULL, d.public_key, a.id
             FROM devices d JOIN accounts a ON a.id = d.account_id WHERE d.token_hash = $1",
            &[&token_hash],
        )
        .await?
        .ok_or_else(|| HqError::api(StatusCode::UNAUTHORIZED, codes::UNAUTHORISED, "token: unknown"))?;
    if row.get::<_, bool>(3) {
        return Err(HqError::api(StatusCode::FORBIDDEN, codes::DEVICE_REVOKED, "the device was revoked"));
    }
    let role: String = row.get(2);
    let account: Uuid = row.get(5);
    let regions = if role == "staff" {
        Regions::All
    } else {
        Regions::Only(
            client
                .query("SELECT region FROM account_regions WHERE account_id = $1", &[&account])
                .await?
                .iter()
                .map(|r| r.get(0))
                .collect(),
        )
    };
    Ok(DeviceAuth { id: row.get(0), login: row.get(1), regions, public_key: row.get(4) })
}

/// The device `id`, if it is enrolled and not revoked (for files, which carry no token).
pub async fn device(pool: &Pool, id: Uuid) -> Result<DeviceAuth> {
    let client = pool.get().await?;
    let row =
        client.query_opt("SELECT token_hash FROM devices WHERE id = $1", &[&id]).await?.ok_or_else(|| {
            HqError::api(
                StatusCode::UNAUTHORIZED,
                codes::UNAUTHORISED,
                format!("device: {id} is not enrolled"),
            )
        })?;
    let token_hash: String = row.get(0);
    drop(client);
    authenticate_hash(pool, &token_hash).await
}

/// A device as `korpus-hq device list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct DeviceInfo {
    /// Its id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// Its coordinator's login.
    pub account: String,
    /// When it enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Every device, newest first.
pub async fn devices(pool: &Pool) -> Result<Vec<DeviceInfo>> {
    let client = pool.get().await?;
    Ok(client
        .query(
            "SELECT d.id, d.name, a.login, d.enrolled_at, d.revoked_at FROM devices d
             JOIN accounts a ON a.id = d.account_id ORDER BY d.enrolled_at DESC",
            &[],
        )
        .await?
        .iter()
        .map(|r| DeviceInfo {
            id: r.get(0),
            name: r.get(1),
            account: r.get(2),
            enrolled_at: r.get(3),
            revoked_at: r.get(4),
        })
        .collect())
}

/// Revokes device `id`: its token is refused from now on, and its certificate numbers not used
/// are retired ([`crate::certificates::retire`]), which are returned.
pub async fn revoke(pool: &Pool, id: Uuid, now: DateTime<Utc>) -> Result<Vec<NumberBlockGrant>> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let n = tx
        .execute("UPDATE devices SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1", &[&id, &now])
        .await?;
    if n == 0 {
        return Err(HqError::Config(format!("device: no device {id}")));
    }
    let retired = crate::certificates::retire(&tx, id, now).await?;
    tx.commit().await?;
    Ok(retired)
}

/// The lost desk `old`, for `caller` to replay its envelopes as its own: a device of the caller's
/// own account (revoked or not), not the caller itself. Anything else is refused alike, so a
/// caller learns nothing of other accounts' devices.
pub async fn replayed_device(pool: &Pool, caller: &DeviceAuth, old: Uuid) -> Result<DeviceAuth> {
    let client = pool.get().await?;
    let row = client
        .query_opt(
            "SELECT d.public_key FROM devices d JOIN accounts a ON a.id = d.account_id
             WHERE d.id = $1 AND a.login = $2 AND d.id <> $3",
            &[&old, &caller.login, &caller.id],
        )
        .await?
        .ok_or_else(|| {
            HqError::api(
                StatusCode::FORBIDDEN,
                codes::NOT_YOUR_DEVICE,
                format!("device: {old} is not another desk of this account"),
            )
        })?;
    Ok(DeviceAuth {
        id: old,
        login: caller.login.clone(),
        regions: caller.regions.clone(),
        public_key: row.get(0),
    })
}
