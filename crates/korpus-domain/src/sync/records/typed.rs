//! A row checked as the desk's forms check what a coordinator types: lengths, signs, codes and
//! regions from the rulebook of the envelope that wrote it. [`check_row`](super::check_row) proves
//! a row has the entity's shape; this proves a desk could have written it, so a forged envelope
//! (a surname of 100,000 characters, a negative income, a region no cohort runs in) is refused at
//! HQ with the field named, whichever device sends it, staff devices included.

use super::{RowError, parse, row_region};
use crate::registry::applications::{ApplicationInput, SubProjectApplication};
use crate::registry::host_orgs::{HostOrg, HostOrgInput};
use crate::registry::mentors::{Mentor, MentorInput};
use crate::registry::persons::{Person, PersonInput};
use crate::rulebook::Context;
use crate::validation::{LONG_TEXT_MAX, ValidationErrors};
use crate::{Entity, Lang};
use serde_json::{Map, Value};

/// Checks `fields`, a row of `entity` that passed `check_row`, as the desk's form for it does,
/// against `ctx` (the rulebook of the envelope that wrote it, and HQ's today).
pub fn check_as_typed(
    entity: Entity,
    fields: &Map<String, Value>,
    ctx: &Context<'_>,
) -> Result<(), RowError> {
    let rulebook = ctx.rulebook;
    if let Some(region) = row_region(fields)
        && rulebook.region(region).is_none()
    {
        let problem = format!("{region} is not a region of rulebook {}", rulebook.version);
        return Err(RowError { field: "region".to_owned(), problem });
    }
    for (field, value) in fields {
        check_value(field, value)?;
    }
    let first = |errors: ValidationErrors, ignored: &[&str]| match errors
        .0
        .into_iter()
        .find(|e| !ignored.contains(&e.field))
    {
        Some(e) => Err(RowError { field: e.field.to_owned(), problem: e.message(Lang::En) }),
        None => Ok(()),
    };
    let cohort = |cohort: i32| {
        if cohort == rulebook.cohort {
            Ok(())
        } else {
            let problem =
                format!("{cohort}, but rulebook {} is of cohort {}", rulebook.version, rulebook.cohort);
            Err(RowError { field: "cohort".to_owned(), problem })
        }
    };
    match entity {
        Entity::Person => {
            let person: Person = parse(fields)?;
            cohort(person.cohort)?;
            PersonInput::from(&person).validate(ctx).map(drop).or_else(|e| first(e, &[]))
        }
        Entity::Mentor => {
            let mentor: Mentor = parse(fields)?;
            cohort(mentor.cohort)?;
            MentorInput::from_mentor(&mentor)
                .validate(ctx, Some(&mentor))
                .map(drop)
                .or_else(|e| first(e, &[]))
        }
        Entity::HostOrg => {
            let org: HostOrg = parse(fields)?;
            HostOrgInput::from(&org).validate(ctx).map(drop).or_else(|e| first(e, &[]))
        }
        Entity::Application => {
            let app: SubProjectApplication = parse(fields)?;
            cohort(app.cohort)?;
            // The group is its member rows, each checked on its own: only the application's own
            // fields are the form's here.
            let members = app.leader_id.into_iter().collect();
            let input = ApplicationInput::from_application(&app, members);
            input.validate(ctx).map(drop).or_else(|e| first(e, &["members"]))
        }
        _ => Ok(()),
    }
}

/// A value no form gives: a text longer than the longest a form takes, or a sum of tenge below
/// zero, at any depth.
fn check_value(field: &str, value: &Value) -> Result<(), RowError> {
    match value {
        Value::String(text) if text.chars().count() > LONG_TEXT_MAX => Err(RowError {
            field: field.to_owned(),
            problem: format!("longer than {LONG_TEXT_MAX} characters"),
        }),
        Value::Number(n) if is_money(field) && n.as_f64().is_some_and(|v| v < 0.0) => {
            Err(RowError { field: field.to_owned(), problem: "below zero".to_owned() })
        }
        Value::Array(items) => items.iter().try_for_each(|v| check_value(field, v)),
        Value::Object(map) => map.iter().try_for_each(|(k, v)| check_value(k, v)),
        _ => Ok(()),
    }
}

/// Whether `field` holds a sum of tenge.
fn is_money(field: &str) -> bool {
    field.ends_with("_tenge") || matches!(field, "budget" | "income_per_member")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::persons::tests::{date, input};
    use crate::rulebook::Rulebook;
    use serde_json::json;

    fn person_fields() -> Map<String, Value> {
        let rb = Rulebook::pilot_2017();
        let ctx = Context { rulebook: &rb, today: date(2017, 3, 1) };
        let person = input(date(1995, 5, 5)).validate(&ctx).unwrap();
        let Value::Object(fields) = serde_json::to_value(person).unwrap() else { unreachable!() };
        fields
    }

    fn check(fields: &Map<String, Value>) -> Result<(), String> {
        let rb = Rulebook::pilot_2017();
        let ctx = Context { rulebook: &rb, today: date(2017, 3, 1) };
        super::super::check_row(Entity::Person, fields).map_err(|e| e.field.clone())?;
        check_as_typed(Entity::Person, fields, &ctx).map_err(|e| e.field)
    }

    #[test]
    fn a_person_a_desk_wrote_passes_and_what_no_form_gives_is_named() {
        let good = person_fields();
        assert_eq!(check(&good), Ok(()));
        for (field, value) in [
            ("surname", json!("Ә".repeat(100_000))),
            ("surname", json!("Ә".repeat(101))),
            ("income_per_member", json!(-1)),
            ("region", json!("999999999")),
            ("locality", json!("")),
            ("cohort", json!(2016)),
        ] {
            let mut bad = good.clone();
            bad.insert(field.to_owned(), value.clone());
            assert_eq!(check(&bad), Err(field.to_owned()), "{field} = {value}");
        }
    }

    #[test]
    fn a_negative_sum_or_an_endless_text_is_refused_at_any_depth() {
        assert!(check_value("x", &json!({ "a": [{ "sum_tenge": -5 }] })).is_err());
        assert!(check_value("x", &json!({ "a": [{ "sum_tenge": 5, "note": "ok" }] })).is_ok());
        assert!(check_value("note", &json!(["a".repeat(LONG_TEXT_MAX + 1)])).is_err());
        assert!(check_value("note", &json!("a".repeat(LONG_TEXT_MAX))).is_ok());
    }
}
