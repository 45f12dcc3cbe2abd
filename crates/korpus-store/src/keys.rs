//! The database key: made at random when a database is created, or a passphrase from a person or
//! a script. Where a key is kept (the OS keyring) is the application's business (`korpus-app`).

use rand::{Rng, RngExt};

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

/// The symbols of a recovery code: Crockford's base32 (no I, L, O or U, which are read as 1, 1,
/// 0 and V or not at all).
const SYMBOLS: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Random symbols in a code: 23 of 5 bits, 115 bits.
const RANDOM_SYMBOLS: usize = 23;
/// Symbols in a code: the random ones and two check symbols.
pub const RECOVERY_CODE_SYMBOLS: usize = RANDOM_SYMBOLS + 2;

/// A recovery code: 23 random symbols of Crockford's base32 (115 bits) and two check symbols,
/// written in five groups of five (`7K3QD-M9XA2-…`). The database key of a desk whose key is kept
/// in the OS keyring is made from it ([`RecoveryCode::key`]), so the code alone opens the
/// database, or a copy or a backup of it, on any computer. It is shown once and kept nowhere.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCode(..)")
    }
}

/// The code in five groups of five, as shown and printed.
impl std::fmt::Display for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let groups: Vec<&str> = (0..RECOVERY_CODE_SYMBOLS)
            .step_by(5)
            .map(|i| &self.0[i..(i + 5).min(RECOVERY_CODE_SYMBOLS)])
            .collect();
        f.write_str(&groups.join("-"))
    }
}

/// Two symbols from the first ten bits of SHA-256 of the random symbols: a mistyped code is
/// told from a wrong one (with 1 chance in 1,024 of missing it), before any database is tried.
fn check_symbols(random: &str) -> [u8; 2] {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(random.as_bytes());
    let bits = (u16::from(digest[0]) << 2) | u16::from(digest[1] >> 6);
    [SYMBOLS[usize::from(bits >> 5)], SYMBOLS[usize::from(bits & 31)]]
}

impl RecoveryCode {
    /// A new code, at random.
    pub fn generate() -> RecoveryCode {
        let mut rng = rand::rng();
        let random: String =
            (0..RANDOM_SYMBOLS).map(|_| char::from(SYMBOLS[rng.random_range(0..SYMBOLS.len())])).collect();
        let check = check_symbols(&random);
        RecoveryCode(format!("{random}{}{}", char::from(check[0]), char::from(check[1])))
    }

    /// A code as a person typed it: groups with dashes or spaces or none, small letters, O for 0,
    /// I and L for 1, and the Cyrillic letters that look like Latin ones (a Kazakh or Russian
    /// keyboard layout left on). The error names the field `recovery_code`.
    pub fn parse(text: &str) -> Result<RecoveryCode, korpus_domain::ValidationErrors> {
        use korpus_domain::{FieldError, ValidationErrors};
        let mut symbols = String::new();
        for c in text.chars().filter(|c| !c.is_whitespace() && *c != '-') {
            let latin = match c.to_uppercase().next().unwrap_or(c) {
                'O' | 'О' => '0',
                'I' | 'L' | 'І' => '1',
                'А' => 'A',
                'В' => 'B',
                'С' => 'C',
                'Е' => 'E',
                'Н' => 'H',
                'К' => 'K',
                'М' => 'M',
                'Р' => 'P',
                'Т' => 'T',
                'Х' => 'X',
                other => other,
            };
            if !latin.is_ascii() || !SYMBOLS.contains(&(latin as u8)) {
                let wrong = FieldError::new("recovery_code", "error-recovery-code-symbol").arg("symbol", c);
                return Err(ValidationErrors::one(wrong));
            }
            symbols.push(latin);
        }
        if symbols.chars().count() != RECOVERY_CODE_SYMBOLS {
            let wrong = FieldError::new("recovery_code", "error-recovery-code-length")
                .arg("expected", RECOVERY_CODE_SYMBOLS)
                .arg("found", symbols.chars().count());
            return Err(ValidationErrors::one(wrong));
        }
        let (random, check) = symbols.split_at(RANDOM_SYMBOLS);
        if check.as_bytes() != check_symbols(random) {
            return Err(ValidationErrors::one(FieldError::new("recovery_code", "error-recovery-code-check")));
        }
        Ok(RecoveryCode(symbols))
    }

    /// The database key made from the code: HKDF-SHA256 of its random symbols, as SQLCipher's
    /// raw key. No slow derivation: 115 random bits are beyond any search already, and a slow
    /// one would be paid at every open.
    pub fn key(&self) -> DbKey {
        let random = &self.0.as_bytes()[..RANDOM_SYMBOLS];
        let hkdf = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"kz.korpus.desk recovery code"), random);
        let mut key = [0u8; 32];
        // 32 bytes is far below HKDF's limit of 255 hashes: this cannot fail.
        let _ = hkdf.expand(b"database key v1", &mut key);
        DbKey(format!("x'{}'", hex::encode(key)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_back_from_how_a_person_types_it() {
        let code = RecoveryCode::generate();
        let shown = code.to_string();
        assert_eq!(shown.len(), 29, "{shown}");
        assert_eq!(shown.matches('-').count(), 4, "{shown}");
        assert_eq!(RecoveryCode::parse(&shown), Ok(code.clone()));
        let typed = shown.replace('-', " ").to_lowercase().replace('0', "o").replace('1', "l");
        assert_eq!(RecoveryCode::parse(&typed), Ok(code.clone()));
        // The same letters on a Cyrillic layout.
        let cyrillic: String = shown
            .chars()
            .map(|c| match c {
                'A' => 'А',
                'C' => 'С',
                'E' => 'Е',
                'K' => 'К',
                'M' => 'М',
                'X' => 'Х',
                c => c,
            })
            .collect();
        assert_eq!(RecoveryCode::parse(&cyrillic), Ok(code.clone()));
        assert_eq!(code.key(), RecoveryCode::parse(&typed).map(|c| c.key()).unwrap_or(DbKey::generate()));
        assert_ne!(code.key(), RecoveryCode::generate().key());
        assert!(code.key().secret().starts_with("x'") && code.key().secret().len() == 67);
    }

    /// A code with these random symbols and their check symbols.
    fn code_of(random: &str) -> String {
        let check = check_symbols(random);
        format!("{random}{}{}", char::from(check[0]), char::from(check[1]))
    }

    #[test]
    fn a_mistyped_code_is_refused_by_its_field_and_why() {
        let code = code_of("7K3QDM9XA2HZ0P4TRVW8BCE");
        assert!(RecoveryCode::parse(&code).is_ok());
        let key = |text: &str| RecoveryCode::parse(text).map(|_| ()).map_err(|e| (e.0[0].field, e.0[0].key));
        let field = "recovery_code";
        assert_eq!(key(""), Err((field, "error-recovery-code-length")));
        assert_eq!(key(&code[..20]), Err((field, "error-recovery-code-length")));
        assert_eq!(key(&format!("{code}7")), Err((field, "error-recovery-code-length")));
        assert_eq!(key(&code.replacen('7', "U", 1)), Err((field, "error-recovery-code-symbol")));
        assert_eq!(key(&code.replacen('7', "!", 1)), Err((field, "error-recovery-code-symbol")));
        // Every code one symbol away: a changed check symbol never passes, and of the random
        // symbols' 713 changes about one in 1,024 may.
        let mut passed = 0;
        for at in 0..RECOVERY_CODE_SYMBOLS {
            for &s in SYMBOLS.iter().filter(|&&s| s != code.as_bytes()[at]) {
                let mut changed = code.clone().into_bytes();
                changed[at] = s;
                let changed = String::from_utf8(changed).unwrap_or_default();
                if RecoveryCode::parse(&changed).is_ok() {
                    assert!(at < RANDOM_SYMBOLS, "{changed}: a changed check symbol passed");
                    passed += 1;
                } else {
                    assert_eq!(key(&changed), Err((field, "error-recovery-code-check")));
                }
            }
        }
        assert!(passed <= 7, "{passed} of 713 one-symbol changes passed the check");
    }
}
