//! Rulebooks HQ publishes (issue 20, point 5): a new cohort's numbers reach a desk without a new
//! build, by a sync (`GET /v1/rulebooks`, signed as every answer) or by HQ's signed file on a USB
//! stick (`korpus rulebook import`). Each is read as a built-in one is; one written in a schema
//! this build does not read is refused by name, and the desk keeps working by what it has.

use crate::error::Result;
use korpus_domain::rulebook::RulebookError;
use korpus_domain::{FieldError, Rulebook, ValidationErrors};
use korpus_store::{AdoptedRulebook, Store, StoreError};
use korpus_sync::file::{self, FileError};

/// A rulebook from HQ, as a document, read and checked; a refusal names the field `rulebook`.
pub fn read(value: serde_json::Value) -> Result<Rulebook, FieldError> {
    let version = value.get("version").and_then(serde_json::Value::as_str).unwrap_or("?").to_owned();
    Rulebook::from_value(value).map_err(|e| refusal(&version, &e))
}

/// Why a rulebook cannot be read, as the field error a coordinator sees.
pub fn refusal(version: &str, error: &RulebookError) -> FieldError {
    match error {
        RulebookError::NewerSchema { found, supported } => {
            FieldError::new("rulebook", "error-rulebook-newer")
                .arg("version", version)
                .arg("found", found)
                .arg("supported", supported)
        }
        RulebookError::Invalid(detail) => FieldError::new("rulebook", "error-rulebook-invalid")
            .arg("version", version)
            .arg("detail", detail),
    }
}

/// Takes the rulebook in HQ's signed file `bytes` (`korpus-hq rulebook export`): checked with the
/// key of the HQ this desk is enrolled with, then read as a built-in one is. A file changed on its
/// way, signed by another HQ, not a rulebook file, or of a later schema is refused, named, and
/// nothing changes.
pub fn import_file(store: &mut Store, bytes: &[u8]) -> Result<AdoptedRulebook> {
    let refuse = |error: FieldError| -> crate::AppError { ValidationErrors::one(error).into() };
    let key = store
        .sync_state()?
        .and_then(|s| s.hq_public_key)
        .ok_or_else(|| refuse(FieldError::new("rulebook", "error-rulebook-no-hq-key")))?;
    let file = file::read_rulebook(bytes, &key).map_err(|e| match e {
        FileError::BadHqSignature => refuse(FieldError::new("rulebook", "error-rulebook-signature")),
        other => refuse(FieldError::new("rulebook", "error-rulebook-not-a-file").arg("detail", other)),
    })?;
    let rulebook = read(file.rulebook).map_err(refuse)?;
    Ok(store.adopt_rulebook(&rulebook)?)
}

/// What a sync did with the rulebooks HQ published.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Taken {
    /// The versions taken.
    pub taken: Vec<String>,
    /// The cohort's rulebook the desk now works by, when a sync changed it.
    pub now_current: Option<String>,
    /// Those this build cannot read (an update of Korpus reads them; the next syncs ask for them
    /// again).
    pub refused: Vec<Refused>,
}

/// A published rulebook this build cannot read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Refused {
    /// Its version.
    pub version: String,
    /// The message key of why (`error-rulebook-newer`).
    pub code: &'static str,
    /// Why, for the coordinator.
    #[serde(skip)]
    pub why: FieldError,
}

impl Taken {
    /// One line for each rulebook taken or refused, in `lang`.
    pub fn lines(&self, lang: korpus_domain::Lang) -> Vec<String> {
        let tr = korpus_domain::messages::tr;
        let mut lines = Vec::new();
        if !self.taken.is_empty() {
            lines.push(tr(lang, "rulebooks-taken", &[("versions", self.taken.join(", "))]));
        }
        if let Some(current) = &self.now_current {
            lines.push(tr(lang, "rulebooks-now-current", &[("version", current.clone())]));
        }
        lines.extend(self.refused.iter().map(|r| r.why.message(lang)));
        lines
    }
}

/// Takes `published` (in the order HQ published them) into `store`; returns what was taken and
/// the publication the desk holds up to: before the first one refused, so that a desk updated
/// later asks for it again.
pub fn take_published(
    store: &mut Store,
    published: Vec<korpus_sync::protocol::PublishedRulebook>,
    after: i64,
) -> Result<(Taken, i64)> {
    let mut taken = Taken::default();
    let mut held_up_to = after;
    let before = store.rulebook().version.clone();
    for p in published {
        let version = p.rulebook.get("version").and_then(serde_json::Value::as_str).unwrap_or("?").to_owned();
        let refused = match read(p.rulebook) {
            Err(why) => Some(why),
            Ok(rulebook) => match store.adopt_rulebook(&rulebook) {
                Ok(_) => {
                    taken.taken.push(rulebook.version);
                    None
                }
                // A version this desk holds with other numbers (a build's own revision that HQ
                // published differently): refused as one it cannot read; the sync goes on.
                Err(StoreError::Invalid(ValidationErrors(mut errors))) if !errors.is_empty() => {
                    Some(errors.remove(0))
                }
                Err(other) => return Err(other.into()),
            },
        };
        if let Some(why) = refused {
            taken.refused.push(Refused { version, code: why.key, why });
        }
        if taken.refused.is_empty() {
            held_up_to = p.seq;
        }
    }
    if store.rulebook().version != before {
        taken.now_current = Some(store.rulebook().version.clone());
    }
    Ok((taken, held_up_to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use korpus_store::{DbKey, SystemClock};
    use korpus_sync::protocol::PublishedRulebook;
    use serde_json::json;

    fn published(seq: i64, edit: impl FnOnce(&mut serde_json::Value)) -> PublishedRulebook {
        let mut rulebook = serde_json::to_value(Rulebook::pilot_2017()).unwrap();
        edit(&mut rulebook);
        PublishedRulebook { seq, rulebook }
    }

    #[test]
    fn a_sync_takes_what_it_reads_names_what_it_cannot_and_holds_up_to_before_the_first_refused() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("korpus.db");
        let mut store =
            Store::create(&path, &DbKey::passphrase("t"), "aigerim", std::sync::Arc::new(SystemClock))
                .unwrap();
        let batch = vec![
            published(4, |r| {
                r["version"] = json!("2018-cohort.1");
                r["cohort"] = json!(2018);
            }),
            // Written by a later HQ for a later Korpus.
            published(5, |r| {
                r["schema"] = json!(2);
                r["version"] = json!("2019-future.1");
                r["quota"] = json!(4);
            }),
            // The built-in version with other numbers.
            published(6, |r| r["beneficiary"]["age_max"] = json!(35)),
            published(7, |r| {
                r["version"] = json!("2018-cohort.2");
                r["cohort"] = json!(2018);
            }),
        ];
        let (taken, held_up_to) = take_published(&mut store, batch, 3).unwrap();
        assert_eq!(taken.taken, ["2018-cohort.1", "2018-cohort.2"]);
        assert_eq!(taken.now_current.as_deref(), Some("2018-cohort.2"));
        let refused: Vec<(&str, &str)> = taken.refused.iter().map(|r| (r.version.as_str(), r.code)).collect();
        assert_eq!(
            refused,
            [("2019-future.1", "error-rulebook-newer"), ("2017-pilot.4", "error-rulebook-version-taken")]
        );
        assert_eq!(held_up_to, 4, "asked again from the first refused");
        let lines = taken.lines(korpus_domain::Lang::En);
        assert!(lines[0].contains("2018-cohort.1, 2018-cohort.2"), "{lines:?}");
        assert!(lines.iter().any(|l| l.contains("rulebook schema 2, this one reads up to 1")), "{lines:?}");
        assert_eq!(store.rulebook().version, "2018-cohort.2");
        assert_eq!(store.rulebook().beneficiary.age_max, 29);
    }
}
