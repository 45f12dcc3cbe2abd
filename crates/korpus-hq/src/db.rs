//! The HQ database: a PostgreSQL connection pool and the schema's migrations (refinery, embedded
//! from `crates/korpus-hq/migrations/`).

use crate::error::{HqError, Result};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// A pool of connections to the database at `url` (`postgres://user@host:port/db`). TLS as the
/// URL asks (`sslmode=require`: only over TLS; `prefer`, the default: when the server offers
/// it; `disable`): the server's certificate is checked against the system's roots, or against
/// `ca` (PEM) for a database with a certificate of its own.
pub fn pool(url: &str, size: usize, ca: Option<&std::path::Path>) -> Result<Pool> {
    let config: tokio_postgres::Config =
        url.parse().map_err(|e| HqError::Config(format!("--database-url: {e}")))?;
    let recycling = ManagerConfig { recycling_method: RecyclingMethod::Fast };
    let mut tls = native_tls::TlsConnector::builder();
    if let Some(ca) = ca {
        let pem =
            std::fs::read(ca).map_err(|e| HqError::Config(format!("--database-ca {}: {e}", ca.display())))?;
        let certificate = native_tls::Certificate::from_pem(&pem)
            .map_err(|e| HqError::Config(format!("--database-ca {}: {e}", ca.display())))?;
        tls.add_root_certificate(certificate);
    }
    let tls = tls.build().map_err(|e| HqError::Config(format!("TLS: {e}")))?;
    let manager = Manager::from_config(config, postgres_native_tls::MakeTlsConnector::new(tls), recycling);
    Pool::builder(manager).max_size(size).build().map_err(|e| HqError::Config(e.to_string()))
}

/// Brings the schema to this build's version. Safe to run while servers run: refinery takes a
/// lock and applies each migration in its own transaction.
pub async fn migrate(pool: &Pool) -> Result<Vec<String>> {
    let mut client = pool.get().await?;
    let report = embedded::migrations::runner()
        .set_grouped(false)
        .run_async(&mut **client)
        .await
        .map_err(|e| HqError::Migration(e.to_string()))?;
    Ok(report.applied_migrations().iter().map(|m| m.to_string()).collect())
}

/// Fails unless the schema is at this build's version (a server never runs on an old schema).
pub async fn check_schema(pool: &Pool) -> Result<()> {
    let client = pool.get().await?;
    let newest =
        embedded::migrations::runner().get_migrations().iter().map(|m| m.version()).max().unwrap_or(0);
    let applied: Option<i32> = client
        .query_opt("SELECT max(version) FROM refinery_schema_history", &[])
        .await
        .ok()
        .flatten()
        .and_then(|r| r.get(0));
    match applied {
        Some(v) if v >= newest => Ok(()),
        _ => Err(HqError::Config("the database schema is not current: run `korpus-hq migrate`".to_owned())),
    }
}

/// HQ's signing key: read from the database, or made and kept there the first time (two servers
/// starting at once keep the first one written).
pub async fn signing_key(pool: &Pool) -> Result<ed25519_dalek::SigningKey> {
    use rand::Rng;
    let client = pool.get().await?;
    let mut fresh = [0u8; 32];
    rand::rng().fill_bytes(&mut fresh);
    client
        .execute(
            "INSERT INTO hq_signing_key (secret) VALUES ($1) ON CONFLICT DO NOTHING",
            &[&fresh.as_slice()],
        )
        .await?;
    let secret: Vec<u8> = client.query_one("SELECT secret FROM hq_signing_key", &[]).await?.get(0);
    let secret: [u8; 32] = secret
        .try_into()
        .map_err(|_| HqError::Config("hq_signing_key: the secret is not 32 bytes".to_owned()))?;
    Ok(ed25519_dalek::SigningKey::from_bytes(&secret))
}
