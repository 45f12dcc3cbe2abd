//! What an envelope does to HQ's rows, decided without touching the database: every op checked
//! against the device's regions, the entity's fields and the row's history; the envelope applies
//! whole, or is a conflict, or is rejected. The caller loads the rows and persists the outcome.

use chrono::NaiveDate;
use korpus_domain::registry::applications::FIXED_BY_DECISION;
use korpus_domain::sync::records::{check_as_typed, check_row, decisions, references, row_region};
use korpus_domain::{Context, Entity, Envelope, Op, OpKind, Rulebook};
use korpus_sync::protocol::{FieldConflict, codes};
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

/// A row as HQ holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct HqRow {
    /// Region (KATO code).
    pub region: String,
    /// Version: 1 on insert, +1 on every applied change.
    pub version: i64,
    /// Removed.
    pub deleted: bool,
    /// All fields.
    pub fields: Map<String, Value>,
    /// For each field, the version that last changed it.
    pub field_versions: HashMap<String, i64>,
}

/// The regions a device may read and write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Regions {
    /// HQ staff.
    All,
    /// A coordinator's regions.
    Only(Vec<String>),
}

impl Regions {
    /// Whether `region` is one of them.
    pub fn allows(&self, region: &str) -> bool {
        match self {
            Regions::All => true,
            Regions::Only(list) => list.iter().any(|r| r == region),
        }
    }
}

/// What becomes of an envelope.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Every op applies: the rows as they will stand, in op order (a row touched twice appears
    /// once, at its last state).
    Applied(Vec<((Entity, Uuid), HqRow)>),
    /// A field it changes was changed at HQ since the op's base version, to another value.
    Conflict(Vec<FieldConflict>),
    /// Refused: a code from [`codes`] and a message naming the op and field.
    Rejected(&'static str, String),
}

/// The applications the evaluation commission has ranked, each with its first decision as a
/// refusal names it ("the evaluation commission's decision of 2017-05-02 (Ахметова Сәуле)").
pub type Decided = HashMap<Uuid, String>;

/// For rows an envelope removes, the live rows HQ holds that name them (loaded with the rows, and
/// kept current as a batch applies): a row is removed only when nothing names it any more.
pub type Referrers = HashMap<(Entity, Uuid), BTreeSet<(Entity, Uuid)>>;

/// Decides `envelope` against `rows` (every row its ops touch that HQ has; others are absent) and
/// the applications the commission has `decided`.
pub fn plan(
    envelope: &Envelope,
    rows: &HashMap<(Entity, Uuid), HqRow>,
    regions: &Regions,
    decided: &Decided,
) -> Outcome {
    plan_on(envelope, rows, &Referrers::new(), regions, decided, hq_today())
}

/// The latest date a desk may call today: HQ's date in UTC plus one day, so that a date a desk in
/// Kazakhstan (UTC+5) entered as today is never "in the future" here.
pub fn hq_today() -> NaiveDate {
    let today = chrono::Utc::now().date_naive();
    today.succ_opt().unwrap_or(today)
}

/// [`plan`], with the rows that name the rows the envelope removes, and `today` as the latest date
/// a form takes.
pub fn plan_on(
    envelope: &Envelope,
    rows: &HashMap<(Entity, Uuid), HqRow>,
    referrers: &Referrers,
    regions: &Regions,
    decided: &Decided,
    today: NaiveDate,
) -> Outcome {
    let mut next: Vec<((Entity, Uuid), HqRow)> = Vec::new();
    let mut conflicts = Vec::new();
    // Only a settled case may change nothing: the coordinator took HQ's values as they are.
    if envelope.ops.is_empty() && envelope.resolves.is_none() {
        return Outcome::Rejected(codes::MALFORMED, "the envelope has no ops".to_owned());
    }
    // Every row is checked as the form of the desk's rulebook checks it.
    let Some(rulebook) = Rulebook::known(&envelope.rulebook_version) else {
        let why = format!("rulebook_version: HQ does not know rulebook {}", envelope.rulebook_version);
        return Outcome::Rejected(codes::INVALID_FIELD, why);
    };
    let ctx = Context { rulebook, today };
    for (i, op) in envelope.ops.iter().enumerate() {
        let before = Before { next: &next, rows, referrers };
        match plan_op(op, &before, regions, decided, &ctx) {
            Ok(planned) => {
                conflicts.extend(planned.conflicts);
                if let Some(row) = planned.row {
                    let key = (op.entity, op.entity_id);
                    next.retain(|(k, _)| *k != key);
                    next.push((key, row));
                }
            }
            Err((code, what)) => {
                return Outcome::Rejected(code, format!("op {i} ({} {}): {what}", op.entity, op.entity_id));
            }
        }
    }
    if conflicts.is_empty() { Outcome::Applied(next) } else { Outcome::Conflict(conflicts) }
}

/// Why an op is refused: a code of [`codes`] and what is wrong.
type Refusal = (&'static str, String);

/// What one op comes to: the row as it will stand (none when a conflict leaves it as it is), and
/// the fields in conflict.
#[derive(Default)]
struct Planned {
    row: Option<HqRow>,
    conflicts: Vec<FieldConflict>,
}

/// The rows as the earlier ops of an envelope left them, over the rows HQ holds.
struct Before<'a> {
    next: &'a [((Entity, Uuid), HqRow)],
    rows: &'a HashMap<(Entity, Uuid), HqRow>,
    referrers: &'a Referrers,
}

impl Before<'_> {
    fn get(&self, key: (Entity, Uuid)) -> Option<&HqRow> {
        self.next.iter().rev().find(|(k, _)| *k == key).map(|(_, r)| r).or_else(|| self.rows.get(&key))
    }

    /// The first live row that names `target`, with the field that names it.
    fn named_by(&self, target: (Entity, Uuid)) -> Option<((Entity, Uuid), &'static str)> {
        let held = self.referrers.get(&target).into_iter().flatten().copied();
        let earlier = self.next.iter().map(|(k, _)| *k);
        held.chain(earlier).find_map(|key| {
            let row = self.get(key).filter(|r| !r.deleted)?;
            let r = references(key.0, &row.fields).into_iter().find(|r| (r.entity, r.id) == target)?;
            Some((key, r.field))
        })
    }
}

/// Refuses a row that names a row HQ does not hold, a removed one, or one of another region: the
/// desks of its region could not place it (their databases keep these links), and each pull of
/// theirs would fail on it. An update is checked for the links it sets.
fn check_links(op: &Op, row: &HqRow, before: &Before<'_>) -> Result<(), Refusal> {
    for r in references(op.entity, &row.fields) {
        if op.op == OpKind::Update && !op.fields.contains_key(r.field) && !op.fields.contains_key("region") {
            continue;
        }
        let Some(named) = before.get((r.entity, r.id)).filter(|n| !n.deleted) else {
            return Err((codes::UNKNOWN_ROW, format!("{}: HQ has no {} {}", r.field, r.entity, r.id)));
        };
        if named.region != row.region {
            let why = format!(
                "{}: {} {} is of region {}, this {} of region {}",
                r.field, r.entity, r.id, named.region, op.entity, row.region
            );
            return Err((codes::INVALID_FIELD, why));
        }
    }
    Ok(())
}

/// The application a member row belongs to.
fn application_of(fields: &Map<String, Value>) -> Option<Uuid> {
    fields.get("application_id").and_then(Value::as_str).and_then(|id| id.parse().ok())
}

/// Refuses what the evaluation commission's decision fixed (PROGRAMME.md lines 57-59, 72-73): a
/// decided application's region, path, host organisation and budget, its removal, and any change
/// of its group's members.
fn check_fixed(op: &Op, old: Option<&HqRow>, decided: &Decided) -> Result<(), Refusal> {
    let refuse = |what: String, decision: &String| {
        Err((codes::INVALID_TRANSITION, format!("{what}: fixed by {decision}")))
    };
    match (op.entity, op.op, old) {
        (Entity::Application, OpKind::Update, Some(old)) => {
            let Some(decision) = decided.get(&op.entity_id) else { return Ok(()) };
            let changed: Vec<&str> = FIXED_BY_DECISION
                .into_iter()
                .filter(|f| op.fields.get(*f).is_some_and(|v| old.fields.get(*f) != Some(v)))
                .collect();
            if changed.is_empty() { Ok(()) } else { refuse(changed.join(", "), decision) }
        }
        (Entity::Application, OpKind::Delete, _) => match decided.get(&op.entity_id) {
            Some(decision) => refuse("the application".to_owned(), decision),
            None => Ok(()),
        },
        (Entity::ApplicationMember, kind, old) => {
            let was = old.and_then(|o| application_of(&o.fields));
            let now = application_of(&op.fields).or(was);
            let moves = |field: &str| {
                op.fields.get(field).is_some_and(|v| old.and_then(|o| o.fields.get(field)) != Some(v))
            };
            let changes_group = match kind {
                OpKind::Insert | OpKind::Delete => true,
                OpKind::Update => moves("application_id") || moves("person_id"),
            };
            if !changes_group {
                return Ok(());
            }
            match [was, now].into_iter().flatten().find_map(|app| decided.get(&app).map(|d| (app, d))) {
                Some((app, decision)) => refuse(format!("the members of application {app}"), decision),
                None => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

/// Decides one op against the rows before it.
fn plan_op(
    op: &Op,
    before: &Before<'_>,
    regions: &Regions,
    decided: &Decided,
    ctx: &Context<'_>,
) -> Result<Planned, Refusal> {
    check_fixed(op, before.get((op.entity, op.entity_id)), decided)?;
    // Whether the row's fields were found to be a record of its kind already (a new row's are,
    // before its references are checked): the check is not made twice.
    let mut fields_checked = false;
    let planned = match (op.op, before.get((op.entity, op.entity_id))) {
        (OpKind::Insert, Some(_)) if decisions::is_record_of_decision(op.entity) => {
            let why = format!(
                "the row exists: this {} is on record already; a new one replaces it with a reason",
                op.entity
            );
            return Err((codes::ROW_EXISTS, why));
        }
        (OpKind::Insert, Some(_)) => return Err((codes::ROW_EXISTS, "the row exists".to_owned())),
        (OpKind::Insert, None) => {
            let (row, checked) = plan_insert(op, before, regions)?;
            fields_checked = checked;
            Planned { row: Some(row), conflicts: Vec::new() }
        }
        (OpKind::Update | OpKind::Delete, None) => {
            return Err((codes::UNKNOWN_ROW, "HQ has no such row".to_owned()));
        }
        (kind, Some(old)) => plan_change(op, kind, old, regions)?,
    };
    if let Some(row) = &planned.row
        && !row.deleted
        && let Err(e) = (if fields_checked { Ok(()) } else { check_row(op.entity, &row.fields) })
            .and_then(|()| check_as_typed(op.entity, &row.fields, ctx))
    {
        return Err((codes::INVALID_FIELD, e.to_string()));
    }
    match &planned.row {
        Some(row) if row.deleted => {
            if let Some(((entity, id), field)) = before.named_by((op.entity, op.entity_id)) {
                let why =
                    format!("the {} is still named by {entity} {id} ({field}): remove that first", op.entity);
                return Err((codes::INVALID_TRANSITION, why));
            }
        }
        Some(row) => {
            check_links(op, row, before)?;
            // A row moving to another region leaves its old region's desks: nothing there may
            // still name it.
            if let Some(old) = before.get((op.entity, op.entity_id))
                && old.region != row.region
                && let Some(((entity, id), field)) = before.named_by((op.entity, op.entity_id))
            {
                let why = format!(
                    "region: the {} is still named by {entity} {id} ({field}) of region {}; it moves alone",
                    op.entity, old.region
                );
                return Err((codes::INVALID_TRANSITION, why));
            }
        }
        None => {}
    }
    Ok(planned)
}

/// A new row: in a region the device may write, a decision checked against the rows it names;
/// with whether its fields are a record of its kind ([`check_row`], made here before its
/// references are read).
fn plan_insert(op: &Op, before: &Before<'_>, regions: &Regions) -> Result<(HqRow, bool), Refusal> {
    if op.base_version != 0 {
        return Err((codes::MALFORMED, "an insert has base_version 0".to_owned()));
    }
    let Some(region) = row_region(&op.fields) else {
        return Err((codes::INVALID_FIELD, "region: missing".to_owned()));
    };
    if !regions.allows(region) {
        return Err((codes::REGION_FORBIDDEN, format!("region {region}")));
    }
    if let Err(e) = decisions::check_new(op.entity, &op.fields) {
        return Err((codes::INVALID_TRANSITION, e.to_string()));
    }
    // The rows it names, as earlier ops of this envelope left them or as HQ holds them.
    let lookup =
        |entity: Entity, id: Uuid| before.get((entity, id)).filter(|r| !r.deleted).map(|r| &r.fields);
    let fields_ok = check_row(op.entity, &op.fields).is_ok();
    if fields_ok && let Err(e) = decisions::check_references(op.entity, op.entity_id, &op.fields, &lookup) {
        return Err((codes::INVALID_TRANSITION, e.to_string()));
    }
    let row = HqRow {
        region: region.to_owned(),
        version: 1,
        deleted: false,
        fields: op.fields.clone(),
        field_versions: op.fields.keys().map(|k| (k.clone(), 1)).collect(),
    };
    Ok((row, fields_ok))
}

/// A conflict on whether the row is deleted: HQ's side, and the op's.
fn deleted_conflict(op: &Op, theirs: bool, mine: bool) -> Planned {
    Planned {
        row: None,
        conflicts: vec![FieldConflict {
            entity: op.entity,
            entity_id: op.entity_id,
            field: "deleted".to_owned(),
            base_version: op.base_version,
            theirs: Value::Bool(theirs),
            mine: Value::Bool(mine),
        }],
    }
}

/// An update or a delete of a row HQ holds, from the op's base version: fields changed at HQ since
/// then to other values are conflicts, the others merge; decisions are checked transitions.
fn plan_change(op: &Op, kind: OpKind, old: &HqRow, regions: &Regions) -> Result<Planned, Refusal> {
    if !regions.allows(&old.region) {
        return Err((codes::REGION_FORBIDDEN, format!("region {}", old.region)));
    }
    if op.base_version < 1 || op.base_version > old.version {
        let why = format!("base_version {} but HQ has version {}", op.base_version, old.version);
        return Err((codes::MALFORMED, why));
    }
    if old.deleted {
        return Ok(deleted_conflict(op, true, kind == OpKind::Delete));
    }
    let mut row = old.clone();
    row.version = old.version + 1;
    if kind == OpKind::Delete {
        if decisions::is_never_removed(op.entity) {
            return Err((
                codes::INVALID_TRANSITION,
                format!("a {} is kept on record and is never removed", op.entity),
            ));
        }
        // A delete of a row someone changed since: the change would be lost unseen.
        if old.version != op.base_version {
            return Ok(deleted_conflict(op, false, true));
        }
        row.deleted = true;
        return Ok(Planned { row: Some(row), conflicts: Vec::new() });
    }
    let changed_since = |field: &str| old.field_versions.get(field).copied().unwrap_or(0) > op.base_version;
    let mut conflicts = Vec::new();
    for (field, value) in &op.fields {
        let Some(theirs) = old.fields.get(field) else {
            return Err((codes::INVALID_FIELD, format!("{field}: no such field")));
        };
        if changed_since(field) && theirs != value {
            conflicts.push(FieldConflict {
                entity: op.entity,
                entity_id: op.entity_id,
                field: field.clone(),
                base_version: op.base_version,
                theirs: theirs.clone(),
                mine: value.clone(),
            });
        }
        row.fields.insert(field.clone(), value.clone());
        row.field_versions.insert(field.clone(), row.version);
    }
    // Decisions are transitions from HQ's current state, checked, never merged.
    for (field, value) in &op.fields {
        if decisions::is_decision(op.entity, field)
            && let Err(e) = decisions::check_change(
                op.entity,
                field,
                old.fields.get(field).unwrap_or(&Value::Null),
                value,
                &row.fields,
            )
        {
            return Err((codes::INVALID_TRANSITION, e.to_string()));
        }
    }
    let Some(region) = row_region(&row.fields) else {
        return Err((codes::INVALID_FIELD, "region: missing".to_owned()));
    };
    if !regions.allows(region) {
        return Err((codes::REGION_FORBIDDEN, format!("region {region}")));
    }
    row.region = region.to_owned();
    Ok(Planned { row: Some(row), conflicts })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use korpus_domain::{Hlc, Op};
    use serde_json::json;

    const REGION: &str = "550000000";
    const OTHER: &str = "190000000";

    fn member_fields(region: &str, person: u128) -> Map<String, Value> {
        let Value::Object(m) = json!({
            "application_id": Uuid::from_u128(7).to_string(),
            "person_id": Uuid::from_u128(person).to_string(),
            "region": region,
        }) else {
            unreachable!()
        };
        m
    }

    /// An envelope of `ops` from a test device (also push.rs's tests).
    pub(crate) fn envelope(ops: Vec<Op>) -> Envelope {
        Envelope {
            id: Uuid::now_v7(),
            device: Uuid::from_u128(99),
            device_seq: 1,
            hlc: Hlc::default(),
            author: "a".into(),
            app_version: "0".into(),
            schema_version: 3,
            rulebook_version: Rulebook::pilot_2017().version,
            ops,
            resolves: None,
        }
    }

    fn op(kind: OpKind, base_version: i64, fields: Map<String, Value>) -> Op {
        Op {
            entity: Entity::ApplicationMember,
            entity_id: Uuid::from_u128(1),
            op: kind,
            base_version,
            fields,
        }
    }

    /// What members name: applications 7 and 8, persons 5 and 6, all of `REGION` (their fields
    /// matter not here).
    fn world() -> HashMap<(Entity, Uuid), HqRow> {
        let stub = || HqRow {
            region: REGION.into(),
            version: 1,
            deleted: false,
            fields: Map::new(),
            field_versions: HashMap::new(),
        };
        [(Entity::Application, 7), (Entity::Application, 8), (Entity::Person, 5), (Entity::Person, 6)]
            .into_iter()
            .map(|(entity, id)| ((entity, Uuid::from_u128(id)), stub()))
            .collect()
    }

    fn existing(version: i64, person_changed_at: i64) -> HashMap<(Entity, Uuid), HqRow> {
        let fields = member_fields(REGION, 5);
        let mut field_versions: HashMap<String, i64> = fields.keys().map(|k| (k.clone(), 1)).collect();
        field_versions.insert("person_id".into(), person_changed_at);
        let mut rows = world();
        rows.insert(
            (Entity::ApplicationMember, Uuid::from_u128(1)),
            HqRow { region: REGION.into(), version, deleted: false, fields, field_versions },
        );
        rows
    }

    fn only(regions: &[&str]) -> Regions {
        Regions::Only(regions.iter().map(|r| (*r).to_owned()).collect())
    }

    fn patch(field: &str, value: Value) -> Map<String, Value> {
        Map::from_iter([(field.to_owned(), value)])
    }

    #[test]
    fn an_insert_in_the_devices_region_applies_at_version_1() {
        let e = envelope(vec![op(OpKind::Insert, 0, member_fields(REGION, 5))]);
        let Outcome::Applied(rows) = plan(&e, &world(), &only(&[REGION]), &Decided::new()) else { panic!() };
        assert_eq!(rows[0].1.version, 1);
        assert_eq!(rows[0].1.region, REGION);
    }

    #[test]
    fn a_row_of_another_region_is_refused_on_insert_update_and_move() {
        let e = envelope(vec![op(OpKind::Insert, 0, member_fields(OTHER, 5))]);
        assert!(matches!(
            plan(&e, &world(), &only(&[REGION]), &Decided::new()),
            Outcome::Rejected(codes::REGION_FORBIDDEN, _)
        ));
        let e = envelope(vec![op(OpKind::Update, 1, patch("person_id", json!(Uuid::from_u128(6))))]);
        assert!(matches!(
            plan(&e, &existing(1, 1), &only(&[OTHER]), &Decided::new()),
            Outcome::Rejected(codes::REGION_FORBIDDEN, _)
        ));
        let e = envelope(vec![op(OpKind::Update, 1, patch("region", json!(OTHER)))]);
        assert!(matches!(
            plan(&e, &existing(1, 1), &only(&[REGION]), &Decided::new()),
            Outcome::Rejected(codes::REGION_FORBIDDEN, _)
        ));
        // HQ staff may move it, but not away from its application and person: the desks of the
        // new region could not place it.
        let Outcome::Rejected(code, message) = plan(&e, &existing(1, 1), &Regions::All, &Decided::new())
        else {
            panic!()
        };
        assert_eq!(code, codes::INVALID_FIELD);
        assert!(message.contains("application_id") && message.contains(REGION), "{message}");
    }

    #[test]
    fn a_row_that_names_what_hq_lacks_is_refused_and_a_named_row_is_not_removed() {
        // A member whose person HQ does not have.
        let e = envelope(vec![op(OpKind::Insert, 0, member_fields(REGION, 55))]);
        let Outcome::Rejected(code, message) = plan(&e, &world(), &only(&[REGION]), &Decided::new()) else {
            panic!()
        };
        assert_eq!(code, codes::UNKNOWN_ROW);
        assert!(message.contains("person_id"), "{message}");
        // The member's person removed while the member stands: refused, naming the member.
        let rows = existing(1, 1);
        let person = (Entity::Person, Uuid::from_u128(5));
        let referrers =
            Referrers::from([(person, BTreeSet::from([(Entity::ApplicationMember, Uuid::from_u128(1))]))]);
        let remove_person = Op {
            entity: Entity::Person,
            entity_id: person.1,
            op: OpKind::Delete,
            base_version: 1,
            fields: Map::new(),
        };
        let e = envelope(vec![remove_person.clone()]);
        let Outcome::Rejected(code, message) =
            plan_on(&e, &rows, &referrers, &only(&[REGION]), &Decided::new(), hq_today())
        else {
            panic!()
        };
        assert_eq!(code, codes::INVALID_TRANSITION);
        assert!(message.contains("application_member") && message.contains("person_id"), "{message}");
        // The member removed first, in the same envelope: the person goes too.
        let e = envelope(vec![op(OpKind::Delete, 1, Map::new()), remove_person]);
        assert!(matches!(
            plan_on(&e, &rows, &referrers, &only(&[REGION]), &Decided::new(), hq_today()),
            Outcome::Applied(_)
        ));
    }

    #[test]
    fn an_update_on_a_stale_base_merges_other_fields_and_conflicts_on_the_same_field() {
        // HQ is at version 3; person_id was last changed at version 3, the rest at 1.
        let rows = existing(3, 3);
        let e = envelope(vec![op(OpKind::Update, 1, patch("application_id", json!(Uuid::from_u128(8))))]);
        let Outcome::Applied(out) = plan(&e, &rows, &only(&[REGION]), &Decided::new()) else { panic!() };
        assert_eq!(out[0].1.version, 4);
        assert_eq!(out[0].1.field_versions["application_id"], 4);
        assert_eq!(out[0].1.fields["person_id"], json!(Uuid::from_u128(5)));

        let e = envelope(vec![op(OpKind::Update, 2, patch("person_id", json!(Uuid::from_u128(6))))]);
        let Outcome::Conflict(c) = plan(&e, &rows, &only(&[REGION]), &Decided::new()) else { panic!() };
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].field.as_str(), c[0].base_version), ("person_id", 2));
        assert_eq!(c[0].theirs, json!(Uuid::from_u128(5)));

        // Based on the version that made the change: no conflict.
        let e = envelope(vec![op(OpKind::Update, 3, patch("person_id", json!(Uuid::from_u128(6))))]);
        assert!(matches!(plan(&e, &rows, &only(&[REGION]), &Decided::new()), Outcome::Applied(_)));
        // The same value on both sides is no conflict either.
        let e = envelope(vec![op(OpKind::Update, 2, patch("person_id", json!(Uuid::from_u128(5))))]);
        assert!(matches!(plan(&e, &rows, &only(&[REGION]), &Decided::new()), Outcome::Applied(_)));
    }

    #[test]
    fn a_delete_of_a_row_changed_since_is_a_conflict() {
        let e = envelope(vec![op(OpKind::Delete, 1, Map::new())]);
        assert!(matches!(plan(&e, &existing(2, 2), &only(&[REGION]), &Decided::new()), Outcome::Conflict(_)));
        let Outcome::Applied(out) = plan(&e, &existing(1, 1), &only(&[REGION]), &Decided::new()) else {
            panic!()
        };
        assert!(out[0].1.deleted);
    }

    #[test]
    fn bad_rows_are_rejected_with_the_field_named() {
        let mut fields = member_fields(REGION, 5);
        fields.insert("salary".into(), json!(1));
        let e = envelope(vec![op(OpKind::Insert, 0, fields)]);
        let Outcome::Rejected(code, message) = plan(&e, &world(), &Regions::All, &Decided::new()) else {
            panic!()
        };
        assert_eq!(code, codes::INVALID_FIELD);
        assert!(message.contains("salary"), "{message}");
        let e = envelope(vec![op(OpKind::Update, 1, patch("x", json!(1)))]);
        assert!(matches!(
            plan(&e, &world(), &Regions::All, &Decided::new()),
            Outcome::Rejected(codes::UNKNOWN_ROW, _)
        ));
        let e = envelope(vec![op(OpKind::Insert, 0, member_fields(REGION, 5))]);
        assert!(matches!(
            plan(&e, &existing(1, 1), &Regions::All, &Decided::new()),
            Outcome::Rejected(codes::ROW_EXISTS, _)
        ));
    }

    #[test]
    fn ops_of_one_envelope_see_each_other() {
        let e = envelope(vec![
            op(OpKind::Insert, 0, member_fields(REGION, 5)),
            op(OpKind::Update, 1, patch("person_id", json!(Uuid::from_u128(6)))),
        ]);
        let Outcome::Applied(out) = plan(&e, &world(), &Regions::All, &Decided::new()) else { panic!() };
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].1.version, 2);
        assert_eq!(out[0].1.fields["person_id"], json!(Uuid::from_u128(6)));
    }

    /// The fields of a true screening of a person of `REGION`.
    fn screening_fields() -> Map<String, Value> {
        use korpus_domain::rules::{Evaluation, PersonFacts, Screening, Subject};
        use korpus_domain::{EducationStatus, Identity, Iin, Person, Rulebook, Sex};
        let birth = chrono::NaiveDate::from_ymd_opt(1995, 5, 5).unwrap();
        let iin = (100..200).find_map(|s| Iin::compose(birth, Sex::Female, s)).unwrap();
        let identity = Identity {
            iin,
            surname: "Сейітова".into(),
            given_name: "Әйгерім".into(),
            patronymic: None,
            sex: Sex::Female,
            birth_date: birth,
            phone: None,
            region: REGION.into(),
            locality: "Ақсу".into(),
        };
        let person = Person {
            identity,
            cohort: 2017,
            education: EducationStatus::SchoolLeaver,
            vulnerability: Default::default(),
            disability: false,
            income_per_member: None,
        };
        let facts = PersonFacts { id: Uuid::from_u128(8), person, applications: Vec::new() };
        let rb = Rulebook::pilot_2017();
        let evaluation =
            Evaluation::run(Subject::Person, facts.id, serde_json::to_value(&facts).unwrap(), &rb).unwrap();
        let screening =
            Screening { cohort: 2017, region: REGION.into(), screened_at: chrono::Utc::now(), evaluation };
        let Value::Object(fields) = serde_json::to_value(screening).unwrap() else { unreachable!() };
        fields
    }

    fn screening_op(kind: OpKind, base_version: i64, fields: Map<String, Value>) -> Op {
        Op { entity: Entity::Screening, entity_id: Uuid::from_u128(9), op: kind, base_version, fields }
    }

    #[test]
    fn a_screening_applies_only_as_the_rules_give_it_and_is_never_changed_or_removed() {
        let fields = screening_fields();
        let e = envelope(vec![screening_op(OpKind::Insert, 0, fields.clone())]);
        let Outcome::Applied(rows) = plan(&e, &HashMap::new(), &only(&[REGION]), &Decided::new()) else {
            panic!("{:?}", plan(&e, &HashMap::new(), &only(&[REGION]), &Decided::new()))
        };

        // A forged pass: the person made 30 years old in the inputs, the outcome left as "pass".
        let mut forged = fields.clone();
        forged["inputs"]["person"]["birth_date"] = json!("1987-01-01");
        let e = envelope(vec![screening_op(OpKind::Insert, 0, forged)]);
        let Outcome::Rejected(code, message) = plan(&e, &HashMap::new(), &Regions::All, &Decided::new())
        else {
            panic!()
        };
        assert_eq!(code, codes::INVALID_TRANSITION);
        assert!(message.contains("PERSON_AGE"), "{message}");

        let held = HashMap::from([rows[0].clone()]);
        let e = envelope(vec![screening_op(OpKind::Update, 1, patch("result", json!("fail")))]);
        assert!(matches!(
            plan(&e, &held, &Regions::All, &Decided::new()),
            Outcome::Rejected(codes::INVALID_TRANSITION, _)
        ));
        let e = envelope(vec![screening_op(OpKind::Delete, 1, Map::new())]);
        assert!(matches!(
            plan(&e, &held, &Regions::All, &Decided::new()),
            Outcome::Rejected(codes::INVALID_TRANSITION, _)
        ));
    }

    fn grievance_fields() -> Map<String, Value> {
        let Value::Object(m) = json!({
            "cohort": 2017, "region": REGION, "received_on": "2017-08-04", "channel": "phone",
            "kind": "complaint", "category": "training", "anonymous": true, "from_name": null,
            "from_contact": null, "application_id": null, "mentor_id": null,
            "text": "Тренинг орны алыс", "status": "received", "acknowledged_on": null,
            "assigned_to": null, "resolved_on": null, "resolution": null, "closed_on": null,
            "reopened_on": null,
        }) else {
            unreachable!()
        };
        m
    }

    fn grievance_op(kind: OpKind, base_version: i64, fields: Map<String, Value>) -> Op {
        Op { entity: Entity::Grievance, entity_id: Uuid::from_u128(3), op: kind, base_version, fields }
    }

    #[test]
    fn a_grievance_starts_received_moves_by_its_steps_and_is_never_removed() {
        let refused = |e: &Envelope, rows: &HashMap<(Entity, Uuid), HqRow>| {
            matches!(
                plan(e, rows, &only(&[REGION]), &Decided::new()),
                Outcome::Rejected(codes::INVALID_TRANSITION, _)
            )
        };
        let mut closed = grievance_fields();
        closed.insert("status".into(), json!("closed"));
        closed.insert("closed_on".into(), json!("2017-08-05"));
        assert!(refused(&envelope(vec![grievance_op(OpKind::Insert, 0, closed)]), &HashMap::new()));

        let e = envelope(vec![grievance_op(OpKind::Insert, 0, grievance_fields())]);
        let Outcome::Applied(rows) = plan(&e, &HashMap::new(), &only(&[REGION]), &Decided::new()) else {
            panic!()
        };
        let rows: HashMap<(Entity, Uuid), HqRow> = rows.into_iter().collect();
        // Acknowledged: one step.
        let mut ack = patch("status", json!("acknowledged"));
        ack.insert("acknowledged_on".into(), json!("2017-08-07"));
        let e = envelope(vec![grievance_op(OpKind::Update, 1, ack)]);
        assert!(matches!(plan(&e, &rows, &only(&[REGION]), &Decided::new()), Outcome::Applied(_)));
        // Straight to resolved: no step does that.
        let mut jump = patch("status", json!("resolved"));
        jump.insert("resolved_on".into(), json!("2017-08-07"));
        jump.insert("resolution".into(), json!("done"));
        assert!(refused(&envelope(vec![grievance_op(OpKind::Update, 1, jump)]), &rows));
        // Acknowledged without its date: the row disagrees with itself.
        let e = envelope(vec![grievance_op(OpKind::Update, 1, patch("status", json!("acknowledged")))]);
        assert!(matches!(
            plan(&e, &rows, &only(&[REGION]), &Decided::new()),
            Outcome::Rejected(codes::INVALID_FIELD, _)
        ));
        // Never removed.
        assert!(refused(&envelope(vec![grievance_op(OpKind::Delete, 1, Map::new())]), &rows));
    }

    fn contract_fields(overhead: i64) -> Map<String, Value> {
        let Value::Object(m) = json!({
            "cohort": 2017, "region": REGION, "application_id": Uuid::from_u128(40).to_string(),
            "host_org_id": Uuid::from_u128(41).to_string(), "number": "ГК-17/001",
            "signed_on": "2017-06-26", "sum_tenge": 999_999, "overhead_percent": 15,
            "overhead_tenge": overhead,
        }) else {
            unreachable!()
        };
        m
    }

    #[test]
    fn a_contract_carries_its_exact_overhead_under_its_sub_projects_id_and_names_a_sub_project_hq_holds() {
        let contract = |id: Uuid, overhead: i64| {
            envelope(vec![Op {
                entity: Entity::GrantContract,
                entity_id: id,
                op: OpKind::Insert,
                base_version: 0,
                fields: contract_fields(overhead),
            }])
        };
        let id = korpus_domain::closing::money::grant_contract_id(Uuid::from_u128(40));
        // 15 % of 999,999 is 150,000 to the tenge, not 149,999.
        let Outcome::Rejected(code, message) =
            plan(&contract(id, 149_999), &HashMap::new(), &only(&[REGION]), &Decided::new())
        else {
            panic!()
        };
        assert_eq!(code, codes::INVALID_FIELD);
        assert!(message.contains("overhead_tenge"), "{message}");
        // Under another id: a second contract for the same sub-project.
        let Outcome::Rejected(code, message) =
            plan(&contract(Uuid::from_u128(5), 150_000), &HashMap::new(), &only(&[REGION]), &Decided::new())
        else {
            panic!()
        };
        assert_eq!(code, codes::INVALID_TRANSITION);
        assert!(message.contains("contract"), "{message}");
        // The sub-project is not at HQ.
        let Outcome::Rejected(code, message) =
            plan(&contract(id, 150_000), &HashMap::new(), &only(&[REGION]), &Decided::new())
        else {
            panic!()
        };
        assert_eq!(code, codes::INVALID_TRANSITION);
        assert!(message.contains("application_id"), "{message}");
    }

    fn application_fields() -> Map<String, Value> {
        let Value::Object(m) = json!({
            "cohort": 2017, "path": "initiative_group", "host_org_id": null,
            "leader_id": Uuid::from_u128(5).to_string(),
            "name": "Жасыл аула", "territory": "Павлодар", "goal": "Көгалдандыру",
            "target_group": "Жастар", "description": "Аула", "direction": "ecology_landscaping",
            "budget": 500_000, "region": REGION,
        }) else {
            unreachable!()
        };
        m
    }

    #[test]
    fn what_the_commission_decided_is_refused_and_the_rest_applies() {
        let app = Uuid::from_u128(7);
        let fields = application_fields();
        let mut rows = existing(1, 1);
        rows.insert(
            (Entity::Application, app),
            HqRow {
                region: REGION.into(),
                version: 1,
                deleted: false,
                field_versions: fields.keys().map(|k| (k.clone(), 1)).collect(),
                fields,
            },
        );
        let decided = Decided::from([(
            app,
            "the evaluation commission's decision of 2017-05-02 (Ахметова Сәуле)".into(),
        )]);
        let edit = |field: &str, value: Value| {
            envelope(vec![Op {
                entity: Entity::Application,
                entity_id: app,
                op: OpKind::Update,
                base_version: 1,
                fields: patch(field, value),
            }])
        };
        let refused = |e: &Envelope| match plan(e, &rows, &only(&[REGION]), &decided) {
            Outcome::Rejected(code, message) => (code == codes::INVALID_TRANSITION).then_some(message),
            _ => None,
        };
        for (field, value) in [
            ("budget", json!(600_000)),
            ("region", json!(OTHER)),
            ("path", json!("host_org")),
            ("host_org_id", json!(Uuid::from_u128(8).to_string())),
        ] {
            let message = refused(&edit(field, value)).unwrap_or_else(|| panic!("{field} is not refused"));
            assert!(message.contains(field) && message.contains("2017-05-02"), "{message}");
        }
        // The same value again, or a field the decision does not fix, applies.
        assert!(matches!(
            plan(&edit("budget", json!(500_000)), &rows, &only(&[REGION]), &decided),
            Outcome::Applied(_)
        ));
        assert!(matches!(
            plan(&edit("name", json!("Жасыл аула 2")), &rows, &only(&[REGION]), &decided),
            Outcome::Applied(_)
        ));
        // A member added, removed or swapped, and the application removed: refused.
        let member = |kind: OpKind, id: u128, base: i64, fields: Map<String, Value>| {
            envelope(vec![Op {
                entity: Entity::ApplicationMember,
                entity_id: Uuid::from_u128(id),
                op: kind,
                base_version: base,
                fields,
            }])
        };
        assert!(
            refused(&member(OpKind::Insert, 2, 0, member_fields(REGION, 6)))
                .unwrap()
                .contains("members of application")
        );
        assert!(refused(&member(OpKind::Delete, 1, 1, Map::new())).is_some());
        assert!(
            refused(&member(OpKind::Update, 1, 1, patch("person_id", json!(Uuid::from_u128(6).to_string()))))
                .is_some()
        );
        let remove = envelope(vec![Op {
            entity: Entity::Application,
            entity_id: app,
            op: OpKind::Delete,
            base_version: 1,
            fields: Map::new(),
        }]);
        assert!(refused(&remove).is_some());
        // Before any decision, all of it applies.
        assert!(matches!(
            plan(
                &member(OpKind::Insert, 2, 0, member_fields(REGION, 6)),
                &rows,
                &only(&[REGION]),
                &Decided::new()
            ),
            Outcome::Applied(_)
        ));
        assert!(matches!(
            plan(&edit("budget", json!(600_000)), &rows, &only(&[REGION]), &Decided::new()),
            Outcome::Applied(_)
        ));
    }
}
