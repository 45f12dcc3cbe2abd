//! The message catalogue: every user-facing string of the domain is a key with Kazakh, Russian and
//! English text in `locales/*.ftl` (Project Fluent), so translators edit plain files, not Rust.

use crate::lang::Lang;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::LazyLock;
use unic_langid::LanguageIdentifier;

const KK: &str = include_str!("../locales/kk.ftl");
const RU: &str = include_str!("../locales/ru.ftl");
const EN: &str = include_str!("../locales/en.ftl");

type Bundle = FluentBundle<FluentResource>;

fn bundle(lang: &str, source: &'static str) -> Bundle {
    // The catalogues are compiled in; `every_catalogue_parses_and_has_the_same_keys` proves them.
    #[allow(clippy::expect_used)]
    let id: LanguageIdentifier = lang.parse().expect("a valid language tag");
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Isolation marks (U+2068/U+2069) would end up in terminals and PDFs; our texts are one script each.
    bundle.set_use_isolating(false);
    #[allow(clippy::expect_used)]
    let resource = FluentResource::try_new(source.to_owned()).expect("a valid Fluent catalogue");
    #[allow(clippy::expect_used)]
    bundle.add_resource(resource).expect("no duplicate message keys");
    bundle
}

static BUNDLES: LazyLock<[Bundle; 3]> =
    LazyLock::new(|| [bundle("kk", KK), bundle("ru", RU), bundle("en", EN)]);

fn bundle_for(lang: Lang) -> &'static Bundle {
    match lang {
        Lang::Kk => &BUNDLES[0],
        Lang::Ru => &BUNDLES[1],
        Lang::En => &BUNDLES[2],
    }
}

/// Message `key` with its arguments in all three languages, for records that are read later in
/// whichever language the reader chose.
pub fn text(key: &str, args: &[Arg]) -> crate::Text {
    crate::Text { kk: tr(Lang::Kk, key, args), ru: tr(Lang::Ru, key, args), en: tr(Lang::En, key, args) }
}

/// An argument of a message: a name and its value, already formatted for display.
pub type Arg = (&'static str, String);

/// The text of message `key` in `lang`, with its arguments filled in. A key missing from the
/// catalogue yields the key itself, so a gap shows up on screen instead of crashing the desk.
pub fn tr(lang: Lang, key: &str, args: &[Arg]) -> String {
    let bundle = bundle_for(lang);
    let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
        return key.to_owned();
    };
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, value_of(value));
    }
    let mut errors = Vec::new();
    bundle.format_pattern(pattern, Some(&fluent_args), &mut errors).into_owned()
}

/// A count (digits, no leading zero, as many as an f64 holds exactly) goes to Fluent as a number,
/// so that plural variants choose by it ("3 дня", "5 дней"); anything else, an IIN with its
/// leading zero among them, as the text it is.
fn value_of(value: &str) -> FluentValue<'_> {
    let count = (1..=15).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_digit())
        && (value == "0" || !value.starts_with('0'));
    match value.parse::<f64>() {
        Ok(number) if count => FluentValue::from(number),
        _ => FluentValue::from(value),
    }
}

/// Every message key of a catalogue, for the completeness test of this crate and of front ends.
pub fn keys(lang: Lang) -> Vec<String> {
    let source = match lang {
        Lang::Kk => KK,
        Lang::Ru => RU,
        Lang::En => EN,
    };
    source
        .lines()
        .filter_map(|line| {
            let (key, _) = line.split_once(" =")?;
            let first = key.chars().next()?;
            (first.is_ascii_alphabetic() && !key.contains(' ')).then(|| key.to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_choose_their_plural_and_other_digits_stay_as_written() {
        let days = |lang, n: &str| tr(lang, "backups-warn-old", &[("days", n.to_owned())]);
        assert!(days(Lang::Ru, "3").starts_with("Резервной копии нет уже 3 дня:"), "{}", days(Lang::Ru, "3"));
        assert!(days(Lang::Ru, "5").starts_with("Резервной копии нет уже 5 дней:"));
        assert!(days(Lang::Ru, "21").starts_with("Резервной копии нет уже 21 день:"));
        assert!(days(Lang::En, "3").starts_with("No backup for 3 days:"));
        let iin = tr(Lang::En, "cli-recovery-code", &[("code", "020304500017".to_owned())]);
        assert!(iin.contains("020304500017"), "{iin}");
        let long = tr(Lang::En, "cli-recovery-code", &[("code", "12345678901234567890".to_owned())]);
        assert!(long.contains("12345678901234567890"), "{long}");
    }

    #[test]
    fn every_catalogue_parses_and_has_the_same_keys() {
        for (lang, source) in [(Lang::Kk, KK), (Lang::Ru, RU), (Lang::En, EN)] {
            assert!(FluentResource::try_new(source.to_owned()).is_ok(), "{lang} catalogue has syntax errors");
        }
        let kk = keys(Lang::Kk);
        assert!(kk.len() > 50, "catalogue looks truncated: {} keys", kk.len());
        for lang in [Lang::Ru, Lang::En] {
            let other = keys(lang);
            let missing: Vec<_> = kk.iter().filter(|k| !other.contains(k)).collect();
            let extra: Vec<_> = other.iter().filter(|k| !kk.contains(k)).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            assert!(extra.is_empty(), "{lang} has keys Kazakh lacks: {extra:?}");
        }
    }

    #[test]
    fn arguments_are_filled_in_every_language() {
        let args = [("max", "100".to_owned())];
        for lang in Lang::ALL {
            let text = tr(lang, "error-too-long", &args);
            assert!(text.contains("100"), "{lang}: {text}");
            assert!(!text.contains('\u{2068}'), "no isolation marks");
        }
    }

    /// Every message key the sources name as a literal (`"error-…"`, `"field-…"`, `"cli-…"`) is
    /// in the Kazakh catalogue (and so, by the test above, in all three).
    #[test]
    fn every_key_the_code_names_is_in_the_catalogue() {
        let kk = keys(Lang::Kk);
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut missing = Vec::new();
        for dir in ["korpus-domain/src", "korpus-domain/src/rules", "korpus-store/src", "korpus-cli/src"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
                let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
                for literal in text.split('"').skip(1).step_by(2) {
                    let is_key = ["error-", "cli-"].iter().any(|p| literal.starts_with(p))
                        && literal.chars().all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit())
                        && !literal.ends_with('-');
                    if is_key && !kk.iter().any(|k| k == literal) {
                        missing.push(format!("{}: {literal}", entry.path().display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys missing from kk.ftl: {missing:#?}");
    }

    #[test]
    fn every_entity_has_its_name() {
        for entity in crate::Entity::ALL {
            for lang in Lang::ALL {
                let name = tr(lang, entity.message_key(), &[]);
                assert_ne!(name, entity.message_key(), "{lang}: {entity}");
            }
        }
    }

    #[test]
    fn unknown_key_shows_itself() {
        assert_eq!(tr(Lang::En, "no-such-key", &[]), "no-such-key");
    }
}
