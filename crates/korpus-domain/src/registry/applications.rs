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
}
