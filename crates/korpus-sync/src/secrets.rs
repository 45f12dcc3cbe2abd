//! The device's secrets, kept in the OS keyring only (DESIGN.md, Sync: never in a file or the
//! database): its HQ token, and the Ed25519 key that signs the files it exports.

use ed25519_dalek::SigningKey;
use korpus_store::one_keyring_call_at_a_time;
use uuid::Uuid;

/// The keyring service of sync secrets.
const SERVICE: &str = "kz.korpus.sync";

/// The keyring could not keep or give a secret.
#[derive(Debug, thiserror::Error)]
#[error("the OS keyring: {0}")]
pub struct KeyringError(pub String);

fn entry(device: Uuid, what: &str) -> Result<keyring::Entry, KeyringError> {
    keyring::Entry::new(SERVICE, &format!("{device}/{what}")).map_err(|e| KeyringError(e.to_string()))
}

fn load(device: Uuid, what: &str) -> Result<Option<String>, KeyringError> {
    let entry = entry(device, what)?;
    match one_keyring_call_at_a_time(|| entry.get_password()) {
        Ok(s) => Ok(Some(s)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(KeyringError(e.to_string())),
    }
}

fn save(device: Uuid, what: &str, secret: &str) -> Result<(), KeyringError> {
    let entry = entry(device, what)?;
    one_keyring_call_at_a_time(|| entry.set_password(secret)).map_err(|e| KeyringError(e.to_string()))
}

/// Keeps the device's HQ token.
pub fn save_token(device: Uuid, token: &str) -> Result<(), KeyringError> {
    save(device, "token", token)
}

/// The device's HQ token, once enrolled.
pub fn load_token(device: Uuid) -> Result<Option<String>, KeyringError> {
    load(device, "token")
}

/// Keeps the device's signing key.
pub fn save_signing_key(device: Uuid, key: &SigningKey) -> Result<(), KeyringError> {
    save(device, "signing-key", &hex::encode(key.to_bytes()))
}

/// The device's signing key, once made.
pub fn load_signing_key(device: Uuid) -> Result<Option<SigningKey>, KeyringError> {
    let Some(text) = load(device, "signing-key")? else { return Ok(None) };
    let bytes: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| KeyringError("the signing key kept there is not 32 bytes of hex".into()))?;
    Ok(Some(SigningKey::from_bytes(&bytes)))
}

/// The device's signing key: the one kept, or a new one made and kept now. It signs the files the
/// device exports and the certificates it issues; HQ learns its public half at enrolment.
pub fn device_signing_key(device: Uuid) -> Result<SigningKey, KeyringError> {
    if let Some(key) = load_signing_key(device)? {
        return Ok(key);
    }
    let mut seed = [0u8; 32];
    rand::Rng::fill_bytes(&mut rand::rng(), &mut seed);
    let key = SigningKey::from_bytes(&seed);
    save_signing_key(device, &key)?;
    Ok(key)
}
