//! The rules of a sub-project application and its group (PROGRAMME.md, Who takes part and
//! Applying for a grant): the application's own rules, its host organisation's, and its members'.

use super::host_orgs::{HostOrgFacts, max_applications};
use super::persons::{PersonFacts, person_age, person_one_subproject};
use super::{Named, Outcome, RuleCode, Verdict};
use crate::registry::applications::{ApplicationPath, SubProjectApplication};
use crate::rulebook::Rulebook;
use crate::validation::format_tenge;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What the rules of an application read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationFacts {
    /// The application's id.
    pub id: Uuid,
    /// The application.
    pub application: SubProjectApplication,
    /// Its members, each with the applications they are in, in id order.
    pub members: Vec<PersonFacts>,
    /// The host organisation it comes through, when it does and this database holds it.
    pub host_org: Option<HostOrgFacts>,
    /// Initiative-group applications of the cohort in the same leader's name, in id order.
    pub leader_applications: Vec<Uuid>,
}

impl ApplicationFacts {
    /// Every rule of the application, its host organisation and its members.
    pub(crate) fn evaluate(&self, rb: &Rulebook) -> Vec<Outcome> {
        let app = &self.application;
        let mut outcomes = vec![
            required_fields(app),
            direction(app, rb),
            budget_max(app, rb),
            group_size(self, rb),
            group_leader(self),
            initiative_one_application(self, rb),
        ];
        match (app.path, &self.host_org) {
            (ApplicationPath::HostOrg, Some(org)) => {
                if rb.host_org.only_selected_submit {
                    outcomes.push(super::host_orgs::selected(org).about(org.label()));
                }
                outcomes.push(max_applications(org, Some(self.id), rb).about(org.label()));
                outcomes.extend(org.criteria(&app.region, rb).into_iter().map(|o| o.about(org.label())));
            }
            (ApplicationPath::HostOrg, None) => {
                let id = app.host_org_id.map(|id| id.to_string()).unwrap_or_default();
                let evidence = vec![("host_org", id)];
                outcomes.push(Outcome::new(
                    RuleCode::HostOrgEligible,
                    Verdict::Fail,
                    "rule-host-org-unknown",
                    evidence,
                ));
            }
            (ApplicationPath::InitiativeGroup, _) => {
                for code in [RuleCode::HostOrgMaxApplications, RuleCode::HostOrgEligible] {
                    outcomes.push(not_for_path(code, app.path));
                }
            }
        }
        for member in &self.members {
            outcomes.push(person_age(&member.person, rb).about(member.label()));
            outcomes.push(person_one_subproject(member, Some(self.id), rb).about(member.label()));
        }
        outcomes
    }
}

/// A rule that does not concern applications of `path`: it holds, and says why.
fn not_for_path(code: RuleCode, path: ApplicationPath) -> Outcome {
    Outcome::naming(
        code,
        Verdict::Pass,
        "rule-not-for-path",
        Vec::new(),
        ("path", vec![Named::by_key(path.code(), path.message_key())]),
    )
}

/// APPLICATION_REQUIRED_FIELDS (P:54-55): name, territory, goal, target group, and the short
/// description with the social impact are all filled in.
fn required_fields(app: &SubProjectApplication) -> Outcome {
    let fields = [
        ("name", &app.name),
        ("territory", &app.territory),
        ("goal", &app.goal),
        ("target_group", &app.target_group),
        ("description", &app.description),
    ];
    let missing: Vec<Named> = fields
        .iter()
        .filter(|(_, v)| v.trim().is_empty())
        .map(|(field, _)| Named::by_key(field, &format!("field-{field}")))
        .collect();
    let evidence = vec![("required", fields.len().to_string())];
    let code = RuleCode::ApplicationRequiredFields;
    if missing.is_empty() {
        Outcome::new(code, Verdict::Pass, "rule-application-fields-filled", evidence)
    } else {
        Outcome::naming(
            code,
            Verdict::Fail,
            "rule-application-fields-missing",
            evidence,
            ("missing", missing),
        )
    }
}

/// APPLICATION_DIRECTION (P:60-64): one of the cohort's directions ("other" included).
fn direction(app: &SubProjectApplication, rb: &Rulebook) -> Outcome {
    let code = RuleCode::ApplicationDirection;
    match rb.direction(&app.direction) {
        Some(d) => Outcome::naming(
            code,
            Verdict::Pass,
            "rule-application-direction-known",
            Vec::new(),
            ("direction", vec![Named::with_name(&d.code, &d.name)]),
        ),
        None => Outcome::new(
            code,
            Verdict::Fail,
            "rule-application-direction-unknown",
            vec![("direction", app.direction.clone())],
        ),
    }
}

/// APPLICATION_BUDGET_MAX (P:77): more than nothing and at most `grant_max_tenge`.
fn budget_max(app: &SubProjectApplication, rb: &Rulebook) -> Outcome {
    let max = rb.money.grant_max_tenge;
    let evidence = vec![("budget", format_tenge(app.budget)), ("max", format_tenge(max))];
    let code = RuleCode::ApplicationBudgetMax;
    if app.budget <= 0 {
        Outcome::new(code, Verdict::Fail, "rule-application-budget-empty", evidence)
    } else if app.budget > max {
        Outcome::new(code, Verdict::Fail, "rule-application-budget-over", evidence)
    } else {
        Outcome::new(code, Verdict::Pass, "rule-application-budget-within", evidence)
    }
}

/// GROUP_SIZE (P:18): `size_min` to `size_max` members.
fn group_size(f: &ApplicationFacts, rb: &Rulebook) -> Outcome {
    let mut ids: Vec<Uuid> = f.members.iter().map(|m| m.id).collect();
    ids.sort_unstable();
    ids.dedup();
    let (min, max) = (rb.group.size_min as usize, rb.group.size_max as usize);
    let evidence = vec![("count", ids.len().to_string()), ("min", min.to_string()), ("max", max.to_string())];
    if (min..=max).contains(&ids.len()) {
        Outcome::new(RuleCode::GroupSize, Verdict::Pass, "rule-group-size-within", evidence)
    } else {
        Outcome::new(RuleCode::GroupSize, Verdict::Fail, "rule-group-size-outside", evidence)
    }
}

/// GROUP_LEADER (P:19): an initiative group names one of its members as leader; a group of a
/// host organisation may name one, and then a member.
fn group_leader(f: &ApplicationFacts) -> Outcome {
    let app = &f.application;
    let leader = app.leader_id.and_then(|id| f.members.iter().find(|m| m.id == id));
    let evidence = vec![("leader", leader.map(PersonFacts::label).unwrap_or_default())];
    let code = RuleCode::GroupLeader;
    match (app.path, app.leader_id, leader) {
        (_, Some(_), Some(_)) => Outcome::new(code, Verdict::Pass, "rule-group-leader-member", evidence),
        (_, Some(_), None) => Outcome::new(code, Verdict::Fail, "rule-group-leader-not-member", evidence),
        (ApplicationPath::InitiativeGroup, None, _) => {
            Outcome::new(code, Verdict::Fail, "rule-group-leader-missing", evidence)
        }
        (ApplicationPath::HostOrg, None, _) => {
            Outcome::new(code, Verdict::Pass, "rule-group-leader-optional", evidence)
        }
    }
}

/// INITIATIVE_ONE_APPLICATION (P:19): an initiative group, known by its leader, submits at most
/// `initiative_max_applications`; the later ones in the order they were made break the rule.
fn initiative_one_application(f: &ApplicationFacts, rb: &Rulebook) -> Outcome {
    let code = RuleCode::InitiativeOneApplication;
    if f.application.path != ApplicationPath::InitiativeGroup {
        return not_for_path(code, f.application.path);
    }
    let max = rb.group.initiative_max_applications as usize;
    let mut all = f.leader_applications.clone();
    all.push(f.id);
    all.sort_unstable();
    all.dedup();
    let position = all.iter().position(|id| *id == f.id).map_or(0, |p| p + 1);
    let evidence =
        vec![("count", all.len().to_string()), ("max", max.to_string()), ("position", position.to_string())];
    if position <= max {
        Outcome::new(code, Verdict::Pass, "rule-initiative-applications-within", evidence)
    } else {
        Outcome::new(code, Verdict::Fail, "rule-initiative-application-beyond", evidence)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::rules::persons::tests::{date, facts as person};
    use crate::rules::tests::assert_explained;
    use crate::rules::{Evaluation, Subject, overall};

    pub(crate) fn facts(members: usize) -> ApplicationFacts {
        let id = Uuid::now_v7();
        let members: Vec<PersonFacts> = (0..members)
            .map(|i| {
                let mut p = person(date(1995, 1, 1 + i as u32), vec![id]);
                p.person.identity.iin = crate::rules::persons::tests::iin(
                    p.person.identity.birth_date,
                    crate::Sex::Female,
                    300 + i as u16 * 60,
                );
                p
            })
            .collect();
        ApplicationFacts {
            id,
            application: SubProjectApplication {
                cohort: 2017,
                path: ApplicationPath::InitiativeGroup,
                host_org_id: None,
                leader_id: members.first().map(|m| m.id),
                name: "Ауыл саябағы".into(),
                territory: "Ақсу қ.".into(),
                goal: "Жастарға саябақ".into(),
                target_group: "Ауыл жастары".into(),
                description: "Саябақ 300 жасқа демалыс орнын береді".into(),
                direction: "ecology_landscaping".into(),
                budget: 1_000_000,
                region: "550000000".into(),
            },
            members,
            host_org: None,
            leader_applications: vec![id],
        }
    }

    fn outcome(f: &ApplicationFacts, code: RuleCode) -> Outcome {
        f.evaluate(&Rulebook::pilot_2017()).into_iter().find(|o| o.code == code).unwrap()
    }

    #[test]
    fn a_sound_initiative_application_passes_every_rule() {
        let rb = Rulebook::pilot_2017();
        let outcomes = facts(3).evaluate(&rb);
        assert!(outcomes.iter().all(|o| o.verdict == Verdict::Pass), "{outcomes:#?}");
        // Six of its own, two of host organisations (not for this path), two per member.
        assert_eq!(outcomes.len(), 6 + 2 + 3 * 2);
        for o in &outcomes {
            assert_explained(o);
        }
    }

    #[test]
    fn five_members_pass_group_size_six_fail() {
        assert_eq!(outcome(&facts(5), RuleCode::GroupSize).verdict, Verdict::Pass);
        assert_eq!(outcome(&facts(3), RuleCode::GroupSize).verdict, Verdict::Pass);
        let o = outcome(&facts(6), RuleCode::GroupSize);
        assert_eq!((o.verdict, o.evidence["count"].as_str()), (Verdict::Fail, "6"));
        assert_explained(&o);
        assert_eq!(outcome(&facts(2), RuleCode::GroupSize).verdict, Verdict::Fail);
    }

    #[test]
    fn one_million_passes_the_budget_one_tenge_more_fails() {
        let mut f = facts(3);
        assert_eq!(outcome(&f, RuleCode::ApplicationBudgetMax).verdict, Verdict::Pass);
        f.application.budget = 1_000_001;
        let o = outcome(&f, RuleCode::ApplicationBudgetMax);
        assert_eq!(o.verdict, Verdict::Fail);
        assert!(o.text.kk.contains("1 000 001 ₸") && o.text.kk.contains("1 000 000 ₸"), "{}", o.text.kk);
        assert_explained(&o);
        f.application.budget = 0;
        assert_eq!(outcome(&f, RuleCode::ApplicationBudgetMax).message, "rule-application-budget-empty");
    }

    #[test]
    fn an_initiative_group_without_a_member_as_leader_fails() {
        let mut f = facts(3);
        f.application.leader_id = None;
        let o = outcome(&f, RuleCode::GroupLeader);
        assert_eq!((o.verdict, o.message.as_str()), (Verdict::Fail, "rule-group-leader-missing"));
        assert_explained(&o);
        f.application.leader_id = Some(Uuid::now_v7());
        assert_eq!(outcome(&f, RuleCode::GroupLeader).message, "rule-group-leader-not-member");
        f.application.path = ApplicationPath::HostOrg;
        f.application.leader_id = None;
        assert_eq!(outcome(&f, RuleCode::GroupLeader).verdict, Verdict::Pass);
    }

    #[test]
    fn an_initiative_groups_second_application_fails() {
        let mut f = facts(3);
        let earlier = Uuid::now_v7();
        // The earlier application was made first: ids are UUIDv7, ordered by time.
        f.leader_applications = vec![earlier];
        f.id = Uuid::now_v7();
        let o = outcome(&f, RuleCode::InitiativeOneApplication);
        assert_eq!((o.verdict, o.evidence["position"].as_str()), (Verdict::Fail, "2"));
        assert_explained(&o);
        f.leader_applications = vec![f.id];
        assert_eq!(outcome(&f, RuleCode::InitiativeOneApplication).verdict, Verdict::Pass);
    }

    #[test]
    fn empty_text_and_unknown_direction_fail_their_rules() {
        let mut f = facts(3);
        f.application.goal = " ".into();
        f.application.direction = "mining".into();
        let o = outcome(&f, RuleCode::ApplicationRequiredFields);
        assert_eq!((o.verdict, o.evidence["missing"].as_str()), (Verdict::Fail, "goal"));
        assert!(o.text.en.contains("Goal"), "{}", o.text.en);
        assert_explained(&o);
        let o = outcome(&f, RuleCode::ApplicationDirection);
        assert_eq!(o.verdict, Verdict::Fail);
        assert_explained(&o);
    }

    #[test]
    fn a_member_of_thirty_or_in_another_application_fails_by_name() {
        let rb = Rulebook::pilot_2017();
        let mut f = facts(3);
        f.members[1].person.identity.birth_date = date(1987, 4, 14);
        let other = Uuid::now_v7();
        f.members[2].applications.push(other);
        let outcomes = f.evaluate(&rb);
        let failed: Vec<(RuleCode, &str)> = outcomes
            .iter()
            .filter(|o| o.verdict != Verdict::Pass)
            .map(|o| (o.code, o.about.as_deref().unwrap_or("")))
            .collect();
        // The other application was made after this one: this one keeps the member, with a warning.
        assert_eq!(
            failed,
            [
                (RuleCode::PersonAge, f.members[1].label().as_str()),
                (RuleCode::PersonOneSubproject, f.members[2].label().as_str())
            ]
        );
        assert_eq!(overall(&outcomes), Verdict::Fail);
    }

    #[test]
    fn a_host_org_application_carries_the_seven_criteria_of_its_organisation() {
        let rb = Rulebook::pilot_2017();
        let mut f = facts(4);
        let mut org = crate::rules::host_orgs::tests::facts(date(2010, 1, 1));
        org.host_org.criteria.no_debts = Some(false);
        org.applications = vec![f.id];
        org.competition = Some(crate::rules::host_orgs::Competition {
            selected: true,
            decided_on: date(2017, 4, 20),
            memorandum_number: Some("14-М".into()),
        });
        f.application.path = ApplicationPath::HostOrg;
        f.application.host_org_id = Some(org.id);
        f.application.leader_id = None;
        f.host_org = Some(org.clone());
        let outcomes = f.evaluate(&rb);
        let failed: Vec<RuleCode> =
            outcomes.iter().filter(|o| o.verdict == Verdict::Fail).map(|o| o.code).collect();
        assert_eq!(failed, [RuleCode::HostOrgNoDebts, RuleCode::HostOrgEligible]);
        let eligible = outcomes.iter().find(|o| o.code == RuleCode::HostOrgEligible).unwrap();
        assert_eq!(eligible.about.as_deref(), Some(org.label().as_str()));
        // Without the organisation on this desk, eligibility cannot be shown.
        f.host_org = None;
        let o = outcome(&f, RuleCode::HostOrgEligible);
        assert_eq!((o.verdict, o.message.as_str()), (Verdict::Fail, "rule-host-org-unknown"));
        assert_explained(&o);
    }

    #[test]
    fn only_a_selected_host_org_with_a_memorandum_submits() {
        use crate::rules::host_orgs::Competition;
        assert!(Rulebook::pilot_2017().host_org.only_selected_submit);
        let mut f = facts(4);
        let mut org = crate::rules::host_orgs::tests::facts(date(2010, 1, 1));
        org.applications = vec![f.id];
        f.application.path = ApplicationPath::HostOrg;
        f.application.host_org_id = Some(org.id);
        f.application.leader_id = None;
        let decided_on = date(2017, 4, 20);
        let cases = [
            (None, Verdict::Fail, "rule-host-org-not-decided"),
            (
                Some(Competition { selected: false, decided_on, memorandum_number: None }),
                Verdict::Fail,
                "rule-host-org-rejected",
            ),
            (
                Some(Competition { selected: true, decided_on, memorandum_number: None }),
                Verdict::Fail,
                "rule-host-org-no-memorandum",
            ),
            (
                Some(Competition { selected: true, decided_on, memorandum_number: Some("14-М".into()) }),
                Verdict::Pass,
                "rule-host-org-selected",
            ),
        ];
        for (competition, verdict, message) in cases {
            org.competition = competition;
            f.host_org = Some(org.clone());
            let o = outcome(&f, RuleCode::HostOrgSelected);
            assert_eq!((o.verdict, o.message.as_str()), (verdict, message));
            assert_explained(&o);
        }
        // Rulebook 2017-pilot.3 did not ask it: its screenings stay as they were made.
        let three = Rulebook::built_in("2017-pilot.3").unwrap();
        assert!(f.evaluate(&three).iter().all(|o| o.code != RuleCode::HostOrgSelected));
    }

    #[test]
    fn an_evaluation_is_reproduced_from_its_inputs_and_a_changed_input_is_named() {
        let rb = Rulebook::pilot_2017();
        let f = facts(3);
        let inputs = serde_json::to_value(&f).unwrap();
        let evaluation = Evaluation::run(Subject::Application, f.id, inputs, &rb).unwrap();
        assert_eq!(evaluation.result, Verdict::Pass);
        assert_eq!(evaluation.rulebook_version, rb.version);
        assert_eq!(evaluation.check(&rb), Ok(()));
        // Survives storage as JSON.
        let stored: Evaluation = serde_json::from_str(&serde_json::to_string(&evaluation).unwrap()).unwrap();
        assert_eq!(stored.check(&rb), Ok(()));

        let mut forged = evaluation.clone();
        forged.inputs["application"]["budget"] = serde_json::json!(2_000_000);
        let differences = forged.check(&rb).unwrap_err();
        assert_eq!(
            differences,
            [crate::rules::Difference::Outcome {
                code: RuleCode::ApplicationBudgetMax,
                about: None,
                recorded: Some(Verdict::Pass),
                recomputed: Some(Verdict::Fail),
            }]
        );
        let mut other = rb.clone();
        other.version = "2017-pilot.99".into();
        assert!(matches!(
            evaluation.check(&other).unwrap_err()[0],
            crate::rules::Difference::Rulebook { .. }
        ));
        assert!(Evaluation::run(Subject::Mentor, f.id, evaluation.inputs.clone(), &rb).is_err());
    }
}
