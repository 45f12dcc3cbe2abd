//! The shape of a record as it travels: the full set of an entity's fields as a JSON object.
//! HQ checks every row an envelope leaves behind with [`check_row`], so that nothing a desk could
//! not have written lands in the programme's database.

use crate::rules::Screening;
use crate::{ApplicationMember, Entity, HostOrg, Mentor, Person, SubProjectApplication, SupportingDocument};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Why a row is not a valid record of its entity: the field concerned and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct RowError {
    /// The field ("" for the row as a whole).
    pub field: String,
    /// What is wrong, in English (for logs and HQ staff).
    pub problem: String,
}

fn round_trip<T: Serialize + DeserializeOwned>(fields: &Map<String, Value>) -> Result<(), RowError> {
    let parsed: T = serde_json::from_value(Value::Object(fields.clone())).map_err(|e| {
        let text = e.to_string();
        // serde names the field in backticks: "invalid type: ..., expected ... at `iin`" or
        // "missing field `region`".
        let field = text.split('`').nth(1).unwrap_or_default().to_owned();
        RowError { field, problem: text }
    })?;
    let Ok(Value::Object(back)) = serde_json::to_value(&parsed) else {
        return Err(RowError { field: String::new(), problem: "not an object".to_owned() });
    };
    if let Some(unknown) = fields.keys().find(|k| !back.contains_key(*k)) {
        return Err(RowError { field: unknown.clone(), problem: "no such field".to_owned() });
    }
    if let Some(missing) = back.keys().find(|k| !fields.contains_key(*k)) {
        return Err(RowError { field: missing.clone(), problem: "missing".to_owned() });
    }
    Ok(())
}

/// Checks that `fields` are exactly the fields of a record of `entity`, each a valid value of
/// its type (IINs and BINs with their check digits, codes from their lists, dates as dates).
pub fn check_row(entity: Entity, fields: &Map<String, Value>) -> Result<(), RowError> {
    match entity {
        Entity::Person => round_trip::<Person>(fields),
        Entity::HostOrg => round_trip::<HostOrg>(fields),
        Entity::Application => round_trip::<SubProjectApplication>(fields),
        Entity::ApplicationMember => round_trip::<ApplicationMember>(fields),
        Entity::Mentor => round_trip::<Mentor>(fields),
        Entity::Document => round_trip::<SupportingDocument>(fields),
        Entity::Screening => round_trip::<Screening>(fields),
    }
}

/// The region (KATO code) a row belongs to: every entity has the field `region`.
pub fn row_region(fields: &Map<String, Value>) -> Option<&str> {
    fields.get("region").and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn member() -> Map<String, Value> {
        let Value::Object(m) = json!({
            "application_id": "01890a5d-ac96-774b-bcce-b302099a8057",
            "person_id": "01890a5d-ac96-774b-bcce-b302099a8058",
            "region": "431010000",
        }) else {
            unreachable!()
        };
        m
    }

    #[test]
    fn a_whole_valid_row_passes() {
        assert_eq!(check_row(Entity::ApplicationMember, &member()), Ok(()));
        assert_eq!(row_region(&member()), Some("431010000"));
    }

    #[test]
    fn an_unknown_field_is_named() {
        let mut m = member();
        m.insert("salary".into(), json!(5));
        assert_eq!(check_row(Entity::ApplicationMember, &m).map_err(|e| e.field), Err("salary".to_owned()));
    }

    #[test]
    fn a_missing_or_mistyped_field_is_named() {
        let mut m = member();
        m.remove("region");
        assert_eq!(check_row(Entity::ApplicationMember, &m).map_err(|e| e.field), Err("region".to_owned()));
        let mut m = member();
        m.insert("person_id".into(), json!("not a uuid"));
        let err = check_row(Entity::ApplicationMember, &m).unwrap_err();
        assert!(err.problem.contains("UUID") || err.problem.contains("uuid"), "{err}");
    }
}

/// Decisions are state transitions that HQ checks, never values it merges: the mentor's
/// selection stage (applied → screened → interviewed → selected, or rejected at any stage), the
/// certification date (set once, and only for a selected mentor), and records that are decisions
/// whole (a screening): made once, checked when made, never changed nor removed.
pub mod decisions {
    use super::RowError;
    use crate::rules::Screening;
    use crate::{Entity, MentorStage};
    use serde_json::{Map, Value};

    /// Whether every field of `entity` is a decision recorded once: such rows are never updated
    /// nor removed.
    pub fn is_record_of_decision(entity: Entity) -> bool {
        entity == Entity::Screening
    }

    fn stage(v: &Value) -> Option<MentorStage> {
        serde_json::from_value(v.clone()).ok()
    }

    /// Whether a mentor may move from `from` to `to`.
    pub fn mentor_stage_allows(from: MentorStage, to: MentorStage) -> bool {
        use MentorStage::*;
        from == to
            || matches!(
                (from, to),
                (Applied, Screened)
                    | (Screened, Interviewed)
                    | (Interviewed, Selected)
                    | (Applied | Screened | Interviewed, Rejected)
            )
    }

    /// Whether `field` of `entity` is a decision.
    pub fn is_decision(entity: Entity, field: &str) -> bool {
        is_record_of_decision(entity)
            || (entity == Entity::Mentor && matches!(field, "stage" | "certified_on"))
    }

    /// Checks a new row's decisions: a mentor starts as `applied`, not certified; a screening
    /// gives again, from its inputs, the outcomes it records.
    pub fn check_new(entity: Entity, fields: &Map<String, Value>) -> Result<(), RowError> {
        if entity == Entity::Screening {
            let screening: Screening = serde_json::from_value(Value::Object(fields.clone()))
                .map_err(|e| RowError { field: String::new(), problem: e.to_string() })?;
            return screening.check().map_err(|problem| RowError { field: "outcomes".into(), problem });
        }
        if entity != Entity::Mentor {
            return Ok(());
        }
        if fields.get("stage").and_then(stage) != Some(MentorStage::Applied) {
            return Err(RowError { field: "stage".into(), problem: "a new mentor starts as applied".into() });
        }
        if !fields.get("certified_on").is_none_or(Value::is_null) {
            return Err(RowError {
                field: "certified_on".into(),
                problem: "a new mentor is not certified".into(),
            });
        }
        Ok(())
    }

    /// Checks the change of decision `field` from `from` to `to`, with the row as it will be.
    pub fn check_change(
        entity: Entity,
        field: &str,
        from: &Value,
        to: &Value,
        row: &Map<String, Value>,
    ) -> Result<(), RowError> {
        let refuse = |problem: String| Err(RowError { field: field.to_owned(), problem });
        if is_record_of_decision(entity) {
            return if from == to {
                Ok(())
            } else {
                refuse(format!("a {entity} is recorded once, never changed"))
            };
        }
        match (entity, field) {
            (Entity::Mentor, "stage") => match (stage(from), stage(to)) {
                (Some(a), Some(b)) if mentor_stage_allows(a, b) => Ok(()),
                (Some(a), Some(b)) => refuse(format!("a mentor cannot go from {a} to {b}")),
                _ => refuse("not a stage".into()),
            },
            (Entity::Mentor, "certified_on") => {
                if !from.is_null() && from != to {
                    return refuse("a certification date, once set, is not changed".into());
                }
                if !to.is_null() && row.get("stage").and_then(stage) != Some(MentorStage::Selected) {
                    return refuse("only a selected mentor is certified".into());
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use serde_json::json;

        #[test]
        fn a_mentor_moves_forward_or_out_never_back() {
            use MentorStage::*;
            assert!(mentor_stage_allows(Applied, Screened));
            assert!(mentor_stage_allows(Interviewed, Selected));
            assert!(mentor_stage_allows(Screened, Rejected));
            assert!(!mentor_stage_allows(Applied, Selected));
            assert!(!mentor_stage_allows(Selected, Applied));
            assert!(!mentor_stage_allows(Rejected, Screened));
            assert!(!mentor_stage_allows(Selected, Rejected));
        }

        #[test]
        fn certification_is_once_and_for_the_selected() {
            let row = |stage: &str| Map::from_iter([("stage".to_owned(), json!(stage))]);
            let date = json!("2017-09-01");
            assert!(
                check_change(Entity::Mentor, "certified_on", &Value::Null, &date, &row("selected")).is_ok()
            );
            assert!(
                check_change(Entity::Mentor, "certified_on", &Value::Null, &date, &row("screened")).is_err()
            );
            let other = json!("2017-10-01");
            assert!(check_change(Entity::Mentor, "certified_on", &date, &other, &row("selected")).is_err());
            assert!(check_new(Entity::Mentor, &row("selected")).is_err());
            assert!(check_new(Entity::Mentor, &row("applied")).is_ok());
        }
    }
}
