//! The database key: made at random when a database is created, or a passphrase from a person or
//! a script. Where a key is kept (the OS keyring) is the application's business (`korpus-app`).

use rand::Rng;

/// A key that opens a database: a raw 256-bit key, or a passphrase SQLCipher derives one from.
#[derive(Clone, PartialEq, Eq)]
pub struct DbKey(String);

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(..)")
    }
}

impl DbKey {
    /// A passphrase typed by a person or set in `KORPUS_DB_KEY`.
    pub fn passphrase(text: &str) -> DbKey {
        DbKey(text.to_owned())
    }

    /// A fresh random 256-bit key, for a new database.
    pub fn generate() -> DbKey {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        // SQLCipher's raw-key form: used as the key itself, with no slow derivation on every open.
        DbKey(format!("x'{}'", hex::encode(bytes)))
    }

    /// A key as it was kept ([`DbKey::secret`]), read back from where it was kept.
    pub fn from_secret(secret: String) -> DbKey {
        DbKey(secret)
    }

    /// The key as text to keep in a safe place (the OS keyring): the value of `PRAGMA key`.
    pub fn secret(&self) -> &str {
        &self.0
    }
}
