//! Youth groups and their sub-project applications (PROGRAMME.md, Applying for a grant).

use crate::codes::code_enum;
use crate::rulebook::{Context, region};
use crate::validation::{
    Checker, FieldError, LONG_TEXT_MAX, SHORT_TEXT_MAX, ValidationErrors, format_tenge, parse_integer,
    required_text,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

code_enum! {
    /// How a group applies: through a host organisation, or on its own through a leader.
    ApplicationPath, "path" {
        /// A host organisation submits on the group's behalf.
        HostOrg = "host_org",
        /// The initiative group submits itself, in its leader's name.
        InitiativeGroup = "initiative_group",
    }
}

/// A sub-project application: what the group will do, with what money, and who is in it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubProjectApplication {
    /// The programme year.
    pub cohort: i32,
    /// How the group applies.
    pub path: ApplicationPath,
    /// The host organisation that submits it (host-organisation path only).
    pub host_org_id: Option<Uuid>,
    /// The member who leads the group (required for initiative groups).
    pub leader_id: Option<Uuid>,
    /// Sub-project name.
    pub name: String,
    /// Territory of implementation.
    pub territory: String,
    /// Goal.
    pub goal: String,
    /// Target group.
    pub target_group: String,
    /// Short description and social impact.
    pub description: String,
    /// Direction code.
    pub direction: String,
    /// Budget, in whole tenge.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub budget: i64,
    /// Region (KATO code) of implementation.
    pub region: String,
}

/// A person's place in an application's group: its own row, so that sync can add and remove
/// members of one application from two devices and merge them.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationMember {
    /// The application.
    pub application_id: Uuid,
    /// The member.
    pub person_id: Uuid,
    /// Region (KATO code) of the application.
    pub region: String,
}

/// An application and its members, as typed. Members and leader are already resolved to ids by
/// the caller (from IINs); whether they exist and are free is the store's check.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationInput {
    /// Path code.
    pub path: String,
    /// Host organisation, for the host-organisation path.
    pub host_org_id: Option<Uuid>,
    /// Leader, one of the members.
    pub leader_id: Option<Uuid>,
    /// Members.
    pub members: Vec<Uuid>,
    /// Sub-project name.
    pub name: String,
    /// Territory.
    pub territory: String,
    /// Goal.
    pub goal: String,
    /// Target group.
    pub target_group: String,
    /// Description and social impact.
    pub description: String,
    /// Direction code.
    pub direction: String,
    /// Budget in tenge, as typed.
    pub budget: String,
    /// Region (KATO code).
    pub region: String,
}

impl ApplicationInput {
    /// The input that reproduces `app` with `members`.
    pub fn from_application(app: &SubProjectApplication, members: Vec<Uuid>) -> Self {
        ApplicationInput {
            path: app.path.code().to_owned(),
            host_org_id: app.host_org_id,
            leader_id: app.leader_id,
            members,
            name: app.name.clone(),
            territory: app.territory.clone(),
            goal: app.goal.clone(),
            target_group: app.target_group.clone(),
            description: app.description.clone(),
            direction: app.direction.clone(),
            budget: app.budget.to_string(),
            region: app.region.clone(),
        }
    }

    /// Checks every field and the group's size; on success, the application and its members.
    pub fn validate(
        &self,
        ctx: &Context<'_>,
    ) -> Result<(SubProjectApplication, Vec<Uuid>), ValidationErrors> {
        let rb = ctx.rulebook;
        let mut check = Checker::new();
        let path = check.take(ApplicationPath::parse("path", &self.path));
        let name = check.take(required_text("name", &self.name, SHORT_TEXT_MAX * 3));
        let territory = check.take(required_text("territory", &self.territory, SHORT_TEXT_MAX * 3));
        let goal = check.take(required_text("goal", &self.goal, LONG_TEXT_MAX));
        let target_group = check.take(required_text("target_group", &self.target_group, LONG_TEXT_MAX));
        let description = check.take(required_text("description", &self.description, LONG_TEXT_MAX));
        let direction = check.take(direction(&self.direction, ctx));
        let budget = check.take(budget(&self.budget, ctx));
        let region = check.take(region("region", &self.region, rb));

        let mut members: Vec<Uuid> = Vec::with_capacity(self.members.len());
        for id in &self.members {
            if members.contains(id) {
                check.push(FieldError::new("members", "error-duplicate-member"));
            } else {
                members.push(*id);
            }
        }
        let (min, max) = (rb.group.size_min as usize, rb.group.size_max as usize);
        if !(min..=max).contains(&members.len()) {
            check.push(
                FieldError::new("members", "error-group-size")
                    .arg("count", members.len())
                    .arg("min", min)
                    .arg("max", max),
            );
        }
        match path {
            Some(ApplicationPath::HostOrg) if self.host_org_id.is_none() => {
                check.push(FieldError::new("host_org", "error-host-org-required"));
            }
            Some(ApplicationPath::InitiativeGroup) if self.host_org_id.is_some() => {
                check.push(FieldError::new("host_org", "error-initiative-has-host-org"));
            }
            Some(ApplicationPath::InitiativeGroup) if self.leader_id.is_none() => {
                check.push(FieldError::new("leader", "error-leader-required"));
            }
            _ => {}
        }
        if let Some(leader) = self.leader_id
            && !members.contains(&leader)
        {
            check.push(FieldError::new("leader", "error-leader-not-member"));
        }
        check.finish()?;
        let build = || {
            Some(SubProjectApplication {
                cohort: rb.cohort,
                path: path?,
                host_org_id: self.host_org_id,
                leader_id: self.leader_id,
                name: name?,
                territory: territory?,
                goal: goal?,
                target_group: target_group?,
                description: description?,
                direction: direction?,
                budget: budget?,
                region: region?,
            })
        };
        // Every field passed, so every value is present.
        let app = build().ok_or_else(|| ValidationErrors::one(FieldError::new("name", "error-required")))?;
        Ok((app, members))
    }
}

fn direction(code: &str, ctx: &Context<'_>) -> Result<String, FieldError> {
    let code = code.trim();
    if code.is_empty() {
        return Err(FieldError::new("direction", "error-required"));
    }
    match ctx.rulebook.direction(code) {
        Some(d) => Ok(d.code.clone()),
        None => {
            let known: Vec<&str> = ctx.rulebook.directions.iter().map(|d| d.code.as_str()).collect();
            Err(FieldError::unknown_value("direction", code, &known))
        }
    }
}

/// A budget is a positive whole number of tenge no larger than the rulebook's grant maximum.
fn budget(text: &str, ctx: &Context<'_>) -> Result<i64, FieldError> {
    if text.trim().is_empty() {
        return Err(FieldError::new("budget", "error-required"));
    }
    let value = parse_integer("budget", text)?;
    let max = ctx.rulebook.money.grant_max_tenge;
    if value <= 0 {
        return Err(FieldError::new("budget", "error-budget-not-positive"));
    }
    if value > max {
        return Err(FieldError::new("budget", "error-budget-over-limit")
            .arg("budget", format_tenge(value))
            .arg("max", format_tenge(max)));
    }
    Ok(value)
}

/// The fields of an application that the evaluation commission's decision fixes, besides its
/// members (PROGRAMME.md lines 57-59 and 72-73: the groups the commission selected are assigned at
/// random, and the assignment must stay verifiable from them): where and by which path it applies,
/// and its budget (once decided, the grant is the grant contract's, lines 77 and 80).
pub const FIXED_BY_DECISION: [&str; 4] = ["region", "path", "host_org_id", "budget"];

/// The commission's decision that ranked an application, as a refusal and the desk name it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecidedBy {
    /// The day of the decision.
    pub decided_on: chrono::NaiveDate,
    /// The chair who signed it.
    pub decided_by: String,
}

impl SubProjectApplication {
    /// The fields of [`FIXED_BY_DECISION`] in which `other` differs from this application.
    pub fn fixed_fields_changed(&self, other: &SubProjectApplication) -> Vec<&'static str> {
        let differs = |field: &str| match field {
            "region" => self.region != other.region,
            "path" => self.path != other.path,
            "host_org_id" => self.host_org_id != other.host_org_id,
            _ => self.budget != other.budget,
        };
        FIXED_BY_DECISION.into_iter().filter(|f| differs(f)).collect()
    }

    /// Refuses, field by field, a change of what `decision` fixed: the members (when
    /// `members_changed`), the region, the path and host organisation, and the budget.
    pub fn check_fixed(
        &self,
        new: &SubProjectApplication,
        members_changed: bool,
        decision: &DecidedBy,
    ) -> Result<(), ValidationErrors> {
        let date = crate::validation::format_date(decision.decided_on);
        let refusal = |field: &'static str| {
            let key =
                if field == "budget" { "error-budget-fixed-by-decision" } else { "error-fixed-by-decision" };
            FieldError::new(field, key).arg("date", &date).arg("by", &decision.decided_by)
        };
        let mut errors: Vec<FieldError> = Vec::new();
        if members_changed {
            errors.push(refusal("members"));
        }
        // The form names the host organisation `host_org`.
        let form_field = |f: &'static str| if f == "host_org_id" { "host_org" } else { f };
        errors.extend(self.fixed_fields_changed(new).into_iter().map(|f| refusal(form_field(f))));
        if errors.is_empty() { Ok(()) } else { Err(ValidationErrors(errors)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::persons::tests::ctx;
    use crate::rulebook::Rulebook;

    fn input(members: usize) -> ApplicationInput {
        let members: Vec<Uuid> = (0..members).map(|_| Uuid::now_v7()).collect();
        ApplicationInput {
            path: "initiative_group".into(),
            host_org_id: None,
            leader_id: members.first().copied(),
            members,
            name: "Ауыл саябағы".into(),
            territory: "Павлодар облысы, Ақсу қ.".into(),
            goal: "Жастарға арналған саябақ салу".into(),
            target_group: "Ауыл жастары".into(),
            description: "Саябақ ауылдағы 300 жасқа демалыс орнын береді".into(),
            direction: "ecology_landscaping".into(),
            budget: "1 000 000".into(),
            region: "550000000".into(),
        }
    }

    #[test]
    fn group_of_three_and_five_pass() {
        let rb = Rulebook::pilot_2017();
        for n in [3, 5] {
            let (app, members) = input(n).validate(&ctx(&rb)).unwrap();
            assert_eq!(members.len(), n);
            assert_eq!(app.budget, 1_000_000);
        }
    }

    #[test]
    fn group_of_two_and_six_fail_group_size() {
        let rb = Rulebook::pilot_2017();
        for n in [2, 6] {
            let err = input(n).validate(&ctx(&rb)).unwrap_err();
            assert_eq!(err.0[0].key, "error-group-size", "{n}: {err}");
            assert_eq!(err.0[0].field, "members");
        }
    }

    #[test]
    fn budget_over_one_million_fails() {
        let rb = Rulebook::pilot_2017();
        let mut i = input(3);
        i.budget = "1000001".into();
        let err = i.validate(&ctx(&rb)).unwrap_err();
        assert_eq!(err.0[0].key, "error-budget-over-limit");
        assert!(err.0[0].text(crate::Lang::Ru).contains("1 000 000 ₸"), "{}", err.0[0].text(crate::Lang::Ru));
        i.budget = "0".into();
        assert_eq!(i.validate(&ctx(&rb)).unwrap_err().0[0].key, "error-budget-not-positive");
    }

    #[test]
    fn same_member_twice_fails() {
        let rb = Rulebook::pilot_2017();
        let mut i = input(3);
        i.members.push(i.members[0]);
        assert_eq!(i.validate(&ctx(&rb)).unwrap_err().0[0].key, "error-duplicate-member");
    }

    #[test]
    fn initiative_group_needs_a_leader_among_members() {
        let rb = Rulebook::pilot_2017();
        let mut i = input(3);
        i.leader_id = None;
        assert_eq!(i.validate(&ctx(&rb)).unwrap_err().0[0].key, "error-leader-required");
        i.leader_id = Some(Uuid::now_v7());
        assert_eq!(i.validate(&ctx(&rb)).unwrap_err().0[0].key, "error-leader-not-member");
    }

    #[test]
    fn host_org_path_needs_the_host_org() {
        let rb = Rulebook::pilot_2017();
        let mut i = input(4);
        i.path = "host_org".into();
        i.leader_id = None;
        assert!(i.validate(&ctx(&rb)).unwrap_err().has("host_org"));
        i.host_org_id = Some(Uuid::now_v7());
        assert!(i.validate(&ctx(&rb)).is_ok());
    }

    #[test]
    fn unknown_direction_and_empty_goal_fail() {
        let rb = Rulebook::pilot_2017();
        let mut i = input(3);
        i.direction = "mining".into();
        i.goal = "\n".into();
        let err = i.validate(&ctx(&rb)).unwrap_err();
        assert!(err.has("direction") && err.has("goal"), "{err}");
    }

    #[test]
    fn a_decided_application_refuses_each_fixed_field_by_name() {
        let old = SubProjectApplication {
            cohort: 2017,
            path: ApplicationPath::InitiativeGroup,
            host_org_id: None,
            leader_id: None,
            name: "Жасыл аула".into(),
            territory: "Павлодар".into(),
            goal: "Көгалдандыру".into(),
            target_group: "Жастар".into(),
            description: "Аула".into(),
            direction: "ecology_landscaping".into(),
            budget: 500_000,
            region: "550000000".into(),
        };
        let decision = DecidedBy {
            decided_on: chrono::NaiveDate::from_ymd_opt(2017, 5, 2).unwrap(),
            decided_by: "Ахметова Сәуле".into(),
        };
        let renamed = SubProjectApplication { name: "Жасыл аула 2".into(), ..old.clone() };
        assert_eq!(old.check_fixed(&renamed, false, &decision), Ok(()));
        let moved = SubProjectApplication {
            path: ApplicationPath::HostOrg,
            host_org_id: Some(Uuid::now_v7()),
            budget: 500_001,
            region: "190000000".into(),
            ..old.clone()
        };
        assert_eq!(old.fixed_fields_changed(&moved), FIXED_BY_DECISION);
        let errors = old.check_fixed(&moved, true, &decision).unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["members", "region", "path", "host_org", "budget"]);
        for lang in [crate::Lang::Kk, crate::Lang::Ru, crate::Lang::En] {
            for e in &errors.0 {
                let text = e.message(lang);
                assert!(
                    text.contains("02.05.2017")
                        && text.contains("Ахметова Сәуле")
                        && !text.contains("error-"),
                    "{text}"
                );
            }
        }
    }
}
