//! Scanned documents' files, by content hash, in resumable chunks. A device may upload or fetch a
//! file only when a live document of its regions names it, with that size: the envelope that
//! references a file travels first.

use crate::accounts::DeviceAuth;
use crate::error::{HqError, Result};
use crate::plan::Regions;
use axum::http::StatusCode;
use deadpool_postgres::Pool;
use korpus_sync::protocol::{BlobStatus, codes};
use sha2::{Digest, Sha256};

fn check_hash(sha256: &str) -> Result<()> {
    if sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        Ok(())
    } else {
        Err(HqError::bad(codes::BAD_PARAMETER, "sha256: 64 lowercase hex digits"))
    }
}

/// The size the device's documents give the file, or 404 when none of its regions' does.
async fn referenced_size(pool: &Pool, device: &DeviceAuth, sha256: &str) -> Result<i64> {
    check_hash(sha256)?;
    let (all, regions): (bool, Vec<String>) = match &device.regions {
        Regions::All => (true, Vec::new()),
        Regions::Only(list) => (false, list.clone()),
    };
    let client = pool.get().await?;
    let row = client
        .query_opt(
            "SELECT (fields ->> 'file_size')::bigint FROM rows
             WHERE entity = 'document' AND fields ->> 'file_sha256' = $1 AND NOT deleted
               AND ($2 OR region = ANY($3)) LIMIT 1",
            &[&sha256, &all, &regions],
        )
        .await?;
    row.and_then(|r| r.get::<_, Option<i64>>(0)).filter(|s| *s > 0).ok_or_else(|| {
        HqError::api(
            StatusCode::NOT_FOUND,
            codes::UNKNOWN_BLOB,
            format!("{sha256}: no document of your regions names it"),
        )
    })
}

/// Where the file stands at HQ.
pub async fn status(pool: &Pool, device: &DeviceAuth, sha256: &str) -> Result<BlobStatus> {
    let size = referenced_size(pool, device, sha256).await?;
    let client = pool.get().await?;
    let present = client.query_opt("SELECT 1 FROM blobs WHERE sha256 = $1", &[&sha256]).await?.is_some();
    let received: i64 = if present {
        size
    } else {
        client
            .query_opt("SELECT length(data)::bigint FROM blob_uploads WHERE sha256 = $1", &[&sha256])
            .await?
            .map_or(0, |r| r.get(0))
    };
    Ok(BlobStatus { sha256: sha256.to_owned(), size, present, received })
}

/// Appends `chunk` at `offset` of the file's upload; the last chunk checks the hash and keeps
/// the file.
pub async fn upload(
    pool: &Pool,
    device: &DeviceAuth,
    sha256: &str,
    offset: i64,
    chunk: &[u8],
) -> Result<BlobStatus> {
    let size = referenced_size(pool, device, sha256).await?;
    if chunk.is_empty() || offset < 0 || offset + chunk.len() as i64 > size {
        return Err(HqError::bad(
            codes::BAD_PARAMETER,
            format!("offset: {offset} and {} bytes do not fit a file of {size}", chunk.len()),
        ));
    }
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    if tx.query_opt("SELECT 1 FROM blobs WHERE sha256 = $1", &[&sha256]).await?.is_some() {
        return Ok(BlobStatus { sha256: sha256.to_owned(), size, present: true, received: size });
    }
    tx.execute(
        "INSERT INTO blob_uploads (sha256, size, device) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING",
        &[&sha256, &size, &device.id],
    )
    .await?;
    let received: i64 = tx
        .query_one("SELECT length(data)::bigint FROM blob_uploads WHERE sha256 = $1 FOR UPDATE", &[&sha256])
        .await?
        .get(0);
    if received != offset {
        return Err(HqError::api(
            StatusCode::CONFLICT,
            codes::OFFSET_MISMATCH,
            format!("offset: HQ has {received} bytes of this file, not {offset}"),
        ));
    }
    let total: i64 = tx
        .query_one(
            "UPDATE blob_uploads SET data = data || $2 WHERE sha256 = $1 RETURNING length(data)::bigint",
            &[&sha256, &chunk],
        )
        .await?
        .get(0);
    if total == size {
        let data: Vec<u8> =
            tx.query_one("SELECT data FROM blob_uploads WHERE sha256 = $1", &[&sha256]).await?.get(0);
        tx.execute("DELETE FROM blob_uploads WHERE sha256 = $1", &[&sha256]).await?;
        if hex::encode(Sha256::digest(&data)) != sha256 {
            // The bytes received are not the file: start again from nothing.
            tx.commit().await?;
            return Err(HqError::api(
                StatusCode::UNPROCESSABLE_ENTITY,
                codes::HASH_MISMATCH,
                format!("{sha256}: the bytes received have another hash; upload again"),
            ));
        }
        tx.execute(
            "INSERT INTO blobs (sha256, size, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&sha256, &size, &data],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(BlobStatus { sha256: sha256.to_owned(), size, present: total == size, received: total })
}

/// `length` bytes of the file from `offset`.
pub async fn read(
    pool: &Pool,
    device: &DeviceAuth,
    sha256: &str,
    offset: i64,
    length: i64,
) -> Result<Vec<u8>> {
    let size = referenced_size(pool, device, sha256).await?;
    if offset < 0 || offset >= size || length < 1 {
        return Err(HqError::bad(
            codes::BAD_PARAMETER,
            format!("offset: {offset} is outside a file of {size} bytes"),
        ));
    }
    let client = pool.get().await?;
    // substring counts from 1.
    let row = client
        .query_opt(
            "SELECT substring(data FROM $2 FOR $3) FROM blobs WHERE sha256 = $1",
            &[&sha256, &(offset as i32 + 1), &(length.min(i64::from(i32::MAX)) as i32)],
        )
        .await?
        .ok_or_else(|| {
            HqError::api(
                StatusCode::NOT_FOUND,
                codes::UNKNOWN_BLOB,
                format!("{sha256}: HQ does not have the file yet"),
            )
        })?;
    Ok(row.get(0))
}
