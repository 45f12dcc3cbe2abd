//! Turning command-line flags into the domain's inputs. Flags are strings, so a missing or
//! malformed value is reported by the domain's field checks in the user's language.

use clap::Args;
use korpus_domain::validation::FieldError;
use korpus_domain::{IdentityInput, Rulebook, ValidationErrors};

/// Person data flags shared by persons and mentors.
#[derive(Debug, Args, Default)]
pub struct IdentityArgs {
    /// IIN (12 digits).
    #[arg(long)]
    pub iin: Option<String>,
    /// Surname.
    #[arg(long)]
    pub surname: Option<String>,
    /// Given name.
    #[arg(long)]
    pub given_name: Option<String>,
    /// Patronymic ("" to clear).
    #[arg(long)]
    pub patronymic: Option<String>,
    /// Sex (male/female); taken from the IIN when left out.
    #[arg(long)]
    pub sex: Option<String>,
    /// Date of birth (DD.MM.YYYY); taken from the IIN when left out.
    #[arg(long)]
    pub birth_date: Option<String>,
    /// Phone ("" to clear).
    #[arg(long)]
    pub phone: Option<String>,
    /// Region: KATO code or name (see `korpus regions`).
    #[arg(long)]
    pub region: Option<String>,
    /// Town or village.
    #[arg(long)]
    pub locality: Option<String>,
}

impl IdentityArgs {
    /// Writes the given flags over `input`.
    pub fn apply(&self, input: &mut IdentityInput, rulebook: &Rulebook) {
        set(&mut input.iin, &self.iin);
        set(&mut input.surname, &self.surname);
        set(&mut input.given_name, &self.given_name);
        set_opt(&mut input.patronymic, &self.patronymic);
        set_opt(&mut input.sex, &self.sex);
        set_opt(&mut input.birth_date, &self.birth_date);
        set_opt(&mut input.phone, &self.phone);
        if let Some(region) = &self.region {
            input.region = region_code(rulebook, region);
        }
        set(&mut input.locality, &self.locality);
    }
}

/// Replaces `target` with `value` if the flag was given.
pub fn set(target: &mut String, value: &Option<String>) {
    if let Some(v) = value {
        v.clone_into(target);
    }
}

/// Replaces an optional `target` with `value` if given; an empty value clears it.
pub fn set_opt(target: &mut Option<String>, value: &Option<String>) {
    if let Some(v) = value {
        *target = (!v.trim().is_empty()).then(|| v.clone());
    }
}

/// A region typed as its KATO code, or as its name or the start of its name in any of the three
/// languages ("Павлодар", "pavlodar region"); anything else is passed on for the domain to refuse.
pub fn region_code(rulebook: &Rulebook, typed: &str) -> String {
    let wanted = typed.trim().to_lowercase();
    let matches: Vec<&str> = rulebook
        .regions
        .iter()
        .filter(|r| {
            !wanted.is_empty()
                && [&r.name.kk, &r.name.ru, &r.name.en].iter().any(|n| n.to_lowercase().starts_with(&wanted))
        })
        .map(|r| r.kato.as_str())
        .collect();
    match matches.as_slice() {
        [one] => (*one).to_owned(),
        _ => typed.trim().to_owned(),
    }
}

/// Reads yes/no as typed in any of the three languages.
pub fn yes_no(field: &'static str, typed: &str) -> Result<bool, ValidationErrors> {
    match typed.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "иә" | "да" => Ok(true),
        "no" | "n" | "false" | "0" | "жоқ" | "нет" => Ok(false),
        _ => Err(ValidationErrors::one(FieldError::unknown_value(field, typed, &["yes", "no"]))),
    }
}
