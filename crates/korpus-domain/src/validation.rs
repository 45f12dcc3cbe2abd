//! Field checks: what a form, the CLI or an imported file gets back when a value is wrong. Each
//! error names its field and a message key; the text comes from the catalogue in the user's language.

use crate::lang::Lang;
use crate::messages::{Arg, tr};
use chrono::NaiveDate;
use serde::Serialize;
use std::fmt;

/// One wrong value: which field, which message, with what arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's stable name, as in the entity's JSON (`iin`, `birth_date`, `members`).
    pub field: &'static str,
    /// The message key in `locales/*.ftl` (`error-check-digit`); stable, so front ends can match it.
    pub key: &'static str,
    /// The message's arguments.
    pub args: Vec<Arg>,
}

impl FieldError {
    /// An error with no arguments.
    pub fn new(field: &'static str, key: &'static str) -> Self {
        FieldError { field, key, args: Vec::new() }
    }

    /// Adds an argument to the message.
    pub fn arg(mut self, name: &'static str, value: impl fmt::Display) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    /// A value that is none of the allowed codes.
    pub fn unknown_value(field: &'static str, value: &str, allowed: &[&str]) -> Self {
        FieldError::new(field, "error-unknown-value")
            .arg("value", value.trim())
            .arg("allowed", allowed.join(", "))
    }

    /// The field's name in `lang`.
    pub fn label(&self, lang: Lang) -> String {
        field_label(lang, self.field)
    }

    /// The message alone, in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        tr(lang, self.key, &self.args)
    }

    /// "Field: message", in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        format!("{}: {}", self.label(lang), self.text(lang))
    }

    /// The error as data for JSON output and IPC: field, code and message in `lang`.
    pub fn report(&self, lang: Lang) -> FieldReport {
        FieldReport {
            field: self.field.to_owned(),
            code: self.key.to_owned(),
            message: self.message(lang),
            text: self.text(lang),
        }
    }
}

/// The name of field `field` in `lang`.
pub fn field_label(lang: Lang, field: &str) -> String {
    tr(lang, &format!("field-{field}"), &[])
}

/// A field error as data, for JSON and IPC.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldReport {
    /// The field's stable name.
    pub field: String,
    /// The message key.
    pub code: String,
    /// The message in the chosen language, with the field's name.
    pub message: String,
    /// The message alone, for showing next to its field.
    pub text: String,
}

/// Every wrong field of one input. Never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Default, thiserror::Error)]
#[error("{}", self.render(Lang::En))]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    /// One error alone.
    pub fn one(error: FieldError) -> Self {
        ValidationErrors(vec![error])
    }

    /// The errors one per line, in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        self.0.iter().map(|e| e.message(lang)).collect::<Vec<_>>().join("\n")
    }

    /// Whether any error concerns `field`.
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    /// `Ok(value)` when no error was collected.
    pub fn into_result<T>(self, value: T) -> Result<T, ValidationErrors> {
        if self.0.is_empty() { Ok(value) } else { Err(self) }
    }
}

/// Collects field errors while a whole input is checked, so that the user sees every problem at once.
#[derive(Debug, Default)]
pub struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    /// A checker with nothing found yet.
    pub fn new() -> Self {
        Checker::default()
    }

    /// Records the error of `result`, if any, and passes the value on.
    pub fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.errors.push(error);
                None
            }
        }
    }

    /// Records an error.
    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// Whether an error was recorded for `field`.
    pub fn failed(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// The errors found, if any.
    pub fn finish(self) -> Result<(), ValidationErrors> {
        ValidationErrors(self.errors).into_result(())
    }
}

/// The longest free text a short field (a name, a locality) takes.
pub const SHORT_TEXT_MAX: usize = 100;
/// The longest free text a long field (a goal, a description) takes.
pub const LONG_TEXT_MAX: usize = 4000;

/// A required free-text field: trimmed, not empty, at most `max` characters, no control characters.
pub fn required_text(field: &'static str, value: &str, max: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, "error-required"));
    }
    checked_text(field, value, max)
}

/// An optional free-text field: empty becomes `None`.
pub fn optional_text(
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => checked_text(field, value, max).map(Some),
    }
}

fn checked_text(field: &'static str, value: &str, max: usize) -> Result<String, FieldError> {
    let count = value.chars().count();
    if count > max {
        return Err(FieldError::new(field, "error-too-long").arg("max", max).arg("count", count));
    }
    // Newlines and tabs are fine in long text; other control characters come from broken imports.
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(FieldError::new(field, "error-control-characters"));
    }
    Ok(value.to_owned())
}

/// A personal name (surname, given name, patronymic): letters of any script, with spaces, hyphens
/// and apostrophes between them (Кенжеқызы, Жан-Поль, O'Brien).
pub fn person_name(field: &'static str, value: &str) -> Result<String, FieldError> {
    let value = required_text(field, value, SHORT_TEXT_MAX)?;
    let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
    let allowed = |c: char| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.');
    if !value.chars().all(allowed) || !value.chars().any(char::is_alphabetic) {
        return Err(FieldError::new(field, "error-name-characters"));
    }
    Ok(value)
}

/// A Kazakhstani phone number in any usual spelling (`+7 701 234 56 78`, `8 (701) 2345678`),
/// normalised to `+77012345678`. All numbers of Kazakhstan are +7 followed by 7 and nine digits.
pub fn phone(field: &'static str, value: &str) -> Result<String, FieldError> {
    let value = value.trim();
    if !value.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) {
        return Err(FieldError::new(field, "error-phone"));
    }
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    let national = match digits.len() {
        11 if digits.starts_with('7') || digits.starts_with('8') => &digits[1..],
        10 => &digits[..],
        _ => return Err(FieldError::new(field, "error-phone")),
    };
    if !national.starts_with('7') {
        return Err(FieldError::new(field, "error-phone"));
    }
    Ok(format!("+7{national}"))
}

/// Reads a date as typed: `DD.MM.YYYY` (how dates are written in Kazakhstan) or `YYYY-MM-DD`.
pub fn parse_date(field: &'static str, value: &str) -> Result<NaiveDate, FieldError> {
    let value = value.trim();
    NaiveDate::parse_from_str(value, "%d.%m.%Y")
        .or_else(|_| NaiveDate::parse_from_str(value, "%Y-%m-%d"))
        .map_err(|_| FieldError::new(field, "error-date-format").arg("value", value))
}

/// Reads a whole number of tenge or of anything else counted: spaces between thousands allowed.
pub fn parse_integer(field: &'static str, value: &str) -> Result<i64, FieldError> {
    let cleaned: String =
        value.trim().trim_end_matches('₸').chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}').collect();
    cleaned
        .parse::<i64>()
        .map_err(|_| FieldError::new(field, "error-integer-format").arg("value", value.trim()))
}

/// A date that must not lie after `today` nor before 1900 (a typo for a year).
pub fn past_date(field: &'static str, date: NaiveDate, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    if date > today {
        return Err(FieldError::new(field, "error-date-in-future").arg("date", format_date(date)));
    }
    if date < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN) {
        return Err(FieldError::new(field, "error-date-too-early").arg("date", format_date(date)));
    }
    Ok(date)
}

/// A date as people in Kazakhstan write it: DD.MM.YYYY.
pub fn format_date(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// Money as it is shown: `1 000 000 ₸` (thin groups of three, the tenge sign).
pub fn format_tenge(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}{grouped} ₸")
}

/// An optional short free-text field (a head's name, a workplace, a note).
pub fn optional_short(field: &'static str, value: &Option<String>) -> Result<Option<String>, FieldError> {
    optional_text(field, value.as_deref(), SHORT_TEXT_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_spellings_normalise() {
        for typed in ["+7 701 234 56 78", "8 (701) 234-56-78", "87012345678", "7012345678"] {
            assert_eq!(phone("phone", typed).unwrap(), "+77012345678", "{typed}");
        }
    }

    #[test]
    fn foreign_short_and_lettered_phones_fail() {
        for typed in ["+7 912 345 67 89", "701234567", "+7 701 234 56 789", "+7 701 CALL ME"] {
            assert_eq!(phone("phone", typed).unwrap_err().key, "error-phone", "{typed}");
        }
    }

    #[test]
    fn names_take_kazakh_russian_and_latin_letters() {
        for name in ["Әбілқайыр", "Құрманғазы-Ұлы", "Ёлкина", "O'Brien", "Өмірзақ Ғалымжан"]
        {
            assert!(person_name("surname", name).is_ok(), "{name}");
        }
        assert_eq!(person_name("surname", "R2D2").unwrap_err().key, "error-name-characters");
        assert_eq!(person_name("surname", "--").unwrap_err().key, "error-name-characters");
        assert_eq!(person_name("surname", " ").unwrap_err().key, "error-required");
    }

    #[test]
    fn text_of_max_length_passes_one_more_fails() {
        let max = "ә".repeat(SHORT_TEXT_MAX);
        assert!(required_text("locality", &max, SHORT_TEXT_MAX).is_ok());
        let over = "ә".repeat(SHORT_TEXT_MAX + 1);
        assert_eq!(required_text("locality", &over, SHORT_TEXT_MAX).unwrap_err().key, "error-too-long");
    }

    #[test]
    fn control_characters_fail() {
        assert_eq!(
            required_text("name", "a\u{0}b", SHORT_TEXT_MAX).unwrap_err().key,
            "error-control-characters"
        );
        assert!(required_text("goal", "line one\nline two", LONG_TEXT_MAX).is_ok());
    }

    #[test]
    fn dates_read_both_ways_and_money_groups_by_three() {
        let d = NaiveDate::from_ymd_opt(2017, 4, 14).unwrap();
        assert_eq!(parse_date("d", "14.04.2017").unwrap(), d);
        assert_eq!(parse_date("d", "2017-04-14").unwrap(), d);
        assert_eq!(parse_date("d", "31.02.2017").unwrap_err().key, "error-date-format");
        assert_eq!(format_date(d), "14.04.2017");
        assert_eq!(format_tenge(1_000_000), "1 000 000 ₸");
        assert_eq!(format_tenge(26_000), "26 000 ₸");
        assert_eq!(format_tenge(999), "999 ₸");
        assert_eq!(parse_integer("budget", "1 000 000 ₸").unwrap(), 1_000_000);
        assert_eq!(parse_integer("budget", "1e6").unwrap_err().key, "error-integer-format");
    }

    #[test]
    fn future_and_ancient_dates_fail() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        assert!(past_date("issue_date", today, today).is_ok());
        let tomorrow = today.succ_opt().unwrap();
        assert_eq!(past_date("issue_date", tomorrow, today).unwrap_err().key, "error-date-in-future");
        let ancient = NaiveDate::from_ymd_opt(1899, 12, 31).unwrap();
        assert_eq!(past_date("issue_date", ancient, today).unwrap_err().key, "error-date-too-early");
    }

    #[test]
    fn no_parser_panics_on_hostile_input() {
        use crate::{Bin, Iin, Sex};
        let mut inputs: Vec<String> = [
            "",
            " ",
            "\u{0}",
            "９５０３０８４０００００８",
            "95030840000８",
            "ӘӘӘӘӘӘӘӘӘӘӘӘ",
            "-",
            "+",
            "₸",
            "1e400",
            "99999999999999999999999",
            "-9223372036854775808",
            "31.02.2017",
            "2017-13-01",
            "\u{202e}1234",
            "950308400008\n",
            "ЖСН",
            "'; DROP TABLE persons; --",
            "\"",
            "*",
            "NEAR(",
            "💥💥💥",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        // Every 12-character string over a hostile alphabet that starts like a real IIN.
        for tail in ["\u{1F4A5}", "é", "\u{301}", "٣"] {
            inputs.push(format!("95030840000{tail}"));
            inputs.push(format!("{tail}50308400008"));
        }
        for text in &inputs {
            let _ = Iin::parse("iin", text);
            let _ = Bin::parse("bin", text);
            let _ = Sex::parse("sex", text);
            let _ = phone("phone", text);
            let _ = parse_date("birth_date", text);
            let _ = parse_integer("budget", text);
            let _ = person_name("surname", text);
            let _ = required_text("goal", text, LONG_TEXT_MAX);
            let _ = crate::Hlc::parse(text);
            let _ = text.parse::<crate::Lang>();
        }
    }
}
