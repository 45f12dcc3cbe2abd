//! Sub-project applications and their groups in the case database. One young person takes part
//! in one sub-project only (PROGRAMME.md line 25): the store refuses a member already in another
//! application.

use crate::Store;
use crate::error::{Result, StoreError};
use crate::outbox::Writer;
use crate::search::{Query, prefix_range};
use crate::tables::{Record, read_by_id, read_records, select_columns};
use korpus_domain::Rulebook;
use korpus_domain::registry::applications::DecidedBy;
use korpus_domain::validation::FieldError;
use korpus_domain::{
    ApplicationInput, ApplicationMember, Entity, HostOrg, Person, SubProjectApplication, ValidationErrors,
};
use rusqlite::OptionalExtension;
use serde::Serialize;
use std::collections::BTreeSet;
use uuid::Uuid;

/// The evaluation commission's first decision that ranked `application`, if any: from then on
/// what [`SubProjectApplication::check_fixed`] names is fixed (a later decision that replaces it
/// does not free it).
pub(crate) fn deciding(conn: &rusqlite::Connection, application: Uuid) -> Result<Option<DecidedBy>> {
    let found = conn
        .query_row(
            "SELECT decided_on, decided_by FROM commission_decisions
             WHERE EXISTS (SELECT 1 FROM json_each(ranking) WHERE json_extract(value, '$.application_id') = ?1)
             ORDER BY decided_on, rid LIMIT 1",
            [application.to_string()],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )
        .optional()?;
    let Some((on, by)) = found else { return Ok(None) };
    let decided_on = on
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("commission decision: decided_on {on} is not a date")))?;
    Ok(Some(DecidedBy { decided_on, decided_by: by }))
}

/// An application with its group and host organisation, as a detail view shows it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApplicationView {
    /// The application.
    #[serde(flatten)]
    pub application: Record<SubProjectApplication>,
    /// Its members, leader first.
    pub members: Vec<Record<Person>>,
    /// The host organisation that submits it, if any.
    pub host_org: Option<Record<HostOrg>>,
    /// The evaluation commission's decision that ranked it, if one has: its members, region,
    /// path and budget are then fixed.
    pub decided: Option<DecidedBy>,
    /// Who left the programme, and whether the whole group did (its own withdrawal first).
    pub withdrawals: Vec<Record<korpus_domain::delivery::withdrawals::Withdrawal>>,
}

impl Store {
    /// Records an application and its group after checking every field, that each member is
    /// registered and in no other application, and that the host organisation exists.
    pub fn add_application(&mut self, input: &ApplicationInput) -> Result<ApplicationView> {
        let (application, members) = input.validate(&self.context())?;
        let rulebook = self.rulebook.clone();
        let id = Uuid::now_v7();
        self.write(|w| insert_application(w, id, &application, &members, &rulebook))?;
        self.application(&id.to_string())
    }

    /// Changes an application read at `base_version`, adding and removing members as `input`
    /// lists them. Returns the application and the names of what changed. Once the evaluation
    /// commission has ranked the application, its members, region, path and budget are refused,
    /// each named with the decision.
    pub fn edit_application(
        &mut self,
        id: Uuid,
        base_version: i64,
        input: &ApplicationInput,
    ) -> Result<(ApplicationView, Vec<String>)> {
        let (application, members) = input.validate(&self.context())?;
        let rulebook = self.rulebook.clone();
        let changed = self.write(|w| {
            let old: Record<SubProjectApplication> = read_by_id(w.conn(), Entity::Application, id)?;
            if let Some(decision) = deciding(w.conn(), id)? {
                let before: BTreeSet<Uuid> =
                    member_rows(w.conn(), id)?.iter().map(|r| r.data.person_id).collect();
                let after: BTreeSet<Uuid> = members.iter().copied().collect();
                old.data.check_fixed(&application, before != after, &decision)?;
            }
            check_parties(w, id, &application, &members, &rulebook)?;
            let mut changed = w.update(Entity::Application, id, base_version, &old.data, &application)?;
            let current = member_rows(w.conn(), id)?;
            for row in &current {
                let keep = members.contains(&row.data.person_id);
                if !keep {
                    w.delete(Entity::ApplicationMember, row.id, row.version)?;
                } else if row.data.region != application.region {
                    let moved = ApplicationMember { region: application.region.clone(), ..row.data.clone() };
                    w.update(Entity::ApplicationMember, row.id, row.version, &row.data, &moved)?;
                }
            }
            for person_id in members.iter().filter(|p| !current.iter().any(|r| r.data.person_id == **p)) {
                let member = ApplicationMember {
                    application_id: id,
                    person_id: *person_id,
                    region: application.region.clone(),
                };
                w.insert(Entity::ApplicationMember, Uuid::now_v7(), &member)?;
            }
            let before: Vec<Uuid> = current.iter().map(|r| r.data.person_id).collect();
            if before.len() != members.len() || !before.iter().all(|p| members.contains(p)) {
                changed.push("members".to_owned());
            }
            Ok(changed)
        })?;
        Ok((self.application(&id.to_string())?, changed))
    }

    /// The application with this id, with its members and host organisation.
    pub fn application(&self, id: &str) -> Result<ApplicationView> {
        let not_found = || StoreError::NotFound { entity: Entity::Application, query: id.trim().to_owned() };
        let id = Uuid::parse_str(id.trim()).map_err(|_| not_found())?;
        let application: Record<SubProjectApplication> = read_by_id(&self.conn, Entity::Application, id)?;
        let mut members = Vec::new();
        for row in member_rows(&self.conn, id)? {
            members.push(read_by_id::<Person>(&self.conn, Entity::Person, row.data.person_id)?);
        }
        let leader = application.data.leader_id;
        members.sort_by_key(|m| (Some(m.id) != leader, m.data.identity.surname.clone()));
        let host_org = match application.data.host_org_id {
            Some(org) => Some(read_by_id(&self.conn, Entity::HostOrg, org)?),
            None => None,
        };
        let decided = deciding(&self.conn, id)?;
        let withdrawals = self.withdrawals(id)?;
        Ok(ApplicationView { application, members, host_org, decided, withdrawals })
    }

    /// Applications of a region (or all), by name, one page.
    pub fn list_applications(
        &self,
        region: Option<&str>,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<Record<SubProjectApplication>>> {
        let filter = if region.is_some() { "region = ?1" } else { "?1 IS NULL" };
        let sql = format!(
            "SELECT {} FROM applications WHERE {filter} ORDER BY name COLLATE kazakh, rid LIMIT ?2 OFFSET ?3",
            select_columns(Entity::Application)
        );
        read_records(&self.conn, Entity::Application, &sql, (region, limit as i64, offset as i64))
    }

    /// Applications whose name has the query's words, or with a member whose name has them or
    /// whose IIN starts with the query's digits.
    pub fn search_applications(
        &self,
        text: &str,
        limit: usize,
    ) -> Result<Vec<Record<SubProjectApplication>>> {
        let query = Query::parse(text);
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let (low, high) = query.number_prefix.as_deref().map(prefix_range).unzip();
        let sql = format!(
            "SELECT {} FROM applications
             WHERE (?1 IS NOT NULL AND ?2 IS NULL
                    AND rid IN (SELECT rowid FROM applications_fts WHERE applications_fts MATCH ?1))
                OR id IN (
                    SELECT m.application_id FROM application_members m JOIN persons p ON p.id = m.person_id
                    WHERE (?1 IS NULL OR p.rid IN (SELECT rowid FROM persons_fts WHERE persons_fts MATCH ?1))
                      AND (?2 IS NULL OR (p.iin >= ?2 AND p.iin < ?3)))
             ORDER BY name COLLATE kazakh, rid LIMIT ?4",
            select_columns(Entity::Application)
        );
        read_records(&self.conn, Entity::Application, &sql, (&query.words, low, high, limit as i64))
    }

    /// The ids of the persons with these IINs, in order, or an error naming `field` for each
    /// IIN that no registered person has.
    pub fn person_ids_by_iin(&self, field: &'static str, iins: &[String]) -> Result<Vec<Uuid>> {
        let mut ids = Vec::new();
        let mut errors = Vec::new();
        for iin in iins {
            let id: Option<String> = self
                .conn
                .query_row("SELECT id FROM persons WHERE iin = ?1", [iin.trim()], |r| r.get(0))
                .optional()?;
            match id.and_then(|id| Uuid::parse_str(&id).ok()) {
                Some(id) => ids.push(id),
                None => errors.push(FieldError::new(field, "error-unknown-person").arg("value", iin.trim())),
            }
        }
        ValidationErrors(errors).into_result(ids).map_err(StoreError::from)
    }
}

/// Writes a new application and its members after checking the parties: the one path for the
/// desk, the CLI and demo data.
pub fn insert_application(
    w: &mut Writer<'_>,
    id: Uuid,
    application: &SubProjectApplication,
    members: &[Uuid],
    rulebook: &Rulebook,
) -> Result<()> {
    check_parties(w, id, application, members, rulebook)?;
    w.insert(Entity::Application, id, application)?;
    for person_id in members {
        let member = ApplicationMember {
            application_id: id,
            person_id: *person_id,
            region: application.region.clone(),
        };
        w.insert(Entity::ApplicationMember, Uuid::now_v7(), &member)?;
    }
    Ok(())
}

/// The member rows of application `id`.
fn member_rows(conn: &rusqlite::Connection, id: Uuid) -> Result<Vec<Record<ApplicationMember>>> {
    let sql = format!(
        "SELECT {} FROM application_members WHERE application_id = ?1 ORDER BY rid",
        select_columns(Entity::ApplicationMember)
    );
    read_records(conn, Entity::ApplicationMember, &sql, [id.to_string()])
}

/// Refuses unknown members, members of another application, an unknown host organisation, and
/// (where the rulebook asks it, P:98-100) one the cohort's competition has not selected with a
/// memorandum of cooperation.
fn check_parties(
    w: &Writer<'_>,
    id: Uuid,
    application: &SubProjectApplication,
    members: &[Uuid],
    rulebook: &Rulebook,
) -> Result<()> {
    let max_subprojects = rulebook.beneficiary.max_subprojects;
    let mut errors = Vec::new();
    for person_id in members {
        let name: Option<String> = w
            .conn()
            .query_row(
                "SELECT surname || ' ' || given_name FROM persons WHERE id = ?1",
                [person_id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        let Some(name) = name else {
            errors.push(FieldError::new("members", "error-unknown-person").arg("value", person_id));
            continue;
        };
        // PERSON_ONE_SUBPROJECT (PROGRAMME.md line 25): the rulebook says how many sub-projects one
        // person may take part in.
        let (others, other_name): (u32, Option<String>) = w.conn().query_row(
            "SELECT count(*), min(a.name) FROM application_members m
             JOIN applications a ON a.id = m.application_id
             WHERE m.person_id = ?1 AND m.application_id != ?2",
            (person_id.to_string(), id.to_string()),
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if others >= max_subprojects {
            errors.push(
                FieldError::new("members", "error-in-other-application")
                    .arg("name", name)
                    .arg("application", other_name.unwrap_or_default())
                    .arg("max", max_subprojects),
            );
        }
    }
    if let Some(org) = application.host_org_id {
        let name: Option<String> = w
            .conn()
            .query_row("SELECT name FROM host_orgs WHERE id = ?1", [org.to_string()], |r| r.get(0))
            .optional()?;
        match name {
            None => errors.push(FieldError::new("host_org", "error-unknown-host-org").arg("value", org)),
            Some(name) if rulebook.host_org.only_selected_submit => {
                let decision: Option<(String, Option<String>)> = w
                    .conn()
                    .query_row(
                        "SELECT outcome, memorandum_number FROM host_org_decisions
                         WHERE host_org_id = ?1 AND cohort = ?2",
                        (org.to_string(), application.cohort),
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                match decision {
                    Some((outcome, Some(_))) if outcome == "selected" => {}
                    Some((outcome, None)) if outcome == "selected" => {
                        errors.push(
                            FieldError::new("host_org", "error-host-org-no-memorandum").arg("name", name),
                        );
                    }
                    _ => errors
                        .push(FieldError::new("host_org", "error-host-org-not-selected").arg("name", name)),
                }
            }
            Some(_) => {}
        }
    }
    ValidationErrors(errors).into_result(()).map_err(StoreError::from)
}

impl Store {
    /// The applications a host organisation submits, by name.
    pub fn host_org_applications(&self, host_org: Uuid) -> Result<Vec<ApplicationView>> {
        let ids: Vec<String> = self
            .conn
            .prepare_cached(
                "SELECT id FROM applications WHERE host_org_id = ?1 ORDER BY name COLLATE kazakh",
            )?
            .query_map([host_org.to_string()], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        ids.iter().map(|id| self.application(id)).collect()
    }
}
