//! Leaving the programme: a person, or a whole group, with a day and a reason
//! (`korpus_domain::delivery::withdrawals`). Recorded once; the person keeps the arm drawn.

use crate::Store;
use crate::error::Result;
use crate::tables::{Record, read_records, select_columns};
use korpus_domain::delivery::withdrawals::{Leaving, Withdrawal, WithdrawalInput, withdrawal_id};
use korpus_domain::{Entity, FieldError, ValidationErrors};
use rusqlite::OptionalExtension;
use uuid::Uuid;

fn refuse<T>(error: FieldError) -> Result<T> {
    Err(ValidationErrors::one(error).into())
}

impl Store {
    /// Records that `person` (an id or IIN) left the group of `application`, or, with no person,
    /// that the whole group left. Refuses a person who is not in the group, and a second
    /// withdrawal of the same person or of a group that has left.
    pub fn withdraw(
        &mut self,
        application: &str,
        person: Option<&str>,
        input: &WithdrawalInput,
    ) -> Result<Record<Withdrawal>> {
        let app = self.application(application)?;
        let app_id = app.application.id;
        let group_left = self.withdrawals(app_id)?.into_iter().find(|w| w.data.person_id.is_none());
        if let Some(left) = group_left {
            let day = korpus_domain::validation::format_date(left.data.left_on);
            return refuse(FieldError::new("application", "error-group-withdrawn").arg("date", day));
        }
        let leaving = match person {
            None => None,
            Some(key) => {
                let person = self.person(key)?;
                let member: Option<String> = self
                    .conn
                    .query_row(
                        "SELECT id FROM application_members WHERE application_id = ?1 AND person_id = ?2",
                        [app_id.to_string(), person.id.to_string()],
                        |r| r.get(0),
                    )
                    .optional()?;
                let name = person.data.identity.full_name();
                let Some(member) = member.and_then(|m| Uuid::parse_str(&m).ok()) else {
                    return refuse(
                        FieldError::new("person", "error-not-a-member")
                            .arg("name", name)
                            .arg("application", app.application.data.name.clone()),
                    );
                };
                Some((person.id, member, name))
            }
        };
        let id = withdrawal_id(app_id, leaving.as_ref().map(|(p, _, _)| *p));
        let known: Option<i64> = self
            .conn
            .query_row("SELECT 1 FROM withdrawals WHERE id = ?1", [id.to_string()], |r| r.get(0))
            .optional()?;
        if let (Some(_), Some((_, _, name))) = (known, &leaving) {
            return refuse(FieldError::new("person", "error-already-withdrawn").arg("name", name.clone()));
        }
        let subject = Leaving {
            application_id: app_id,
            region: &app.application.data.region,
            person: leaving.as_ref().map(|(p, m, _)| (*p, *m)),
        };
        let withdrawal = input.validate(&self.context(), subject)?;
        self.write(|w| w.insert(Entity::Withdrawal, id, &withdrawal))?;
        Ok(Record { id, version: 1, data: withdrawal })
    }

    /// The withdrawals from the group of `application`, the group's own first.
    pub fn withdrawals(&self, application: Uuid) -> Result<Vec<Record<Withdrawal>>> {
        let sql = format!(
            "SELECT {} FROM withdrawals WHERE application_id = ?1 ORDER BY person_id IS NOT NULL, left_on, rid",
            select_columns(Entity::Withdrawal)
        );
        read_records(&self.conn, Entity::Withdrawal, &sql, [application.to_string()])
    }

    /// Every withdrawal of `cohort`: who left which group.
    pub fn cohort_withdrawals(&self, cohort: i32) -> Result<Vec<Record<Withdrawal>>> {
        let sql = format!(
            "SELECT {} FROM withdrawals WHERE cohort = ?1 ORDER BY region, left_on, rid",
            select_columns(Entity::Withdrawal)
        );
        read_records(&self.conn, Entity::Withdrawal, &sql, [cohort])
    }
}
