//! Mentors in the case database.

use crate::Store;
use crate::error::Result;
use crate::outbox::Writer;
use crate::persons::{ensure_iin_free, find_by_id_or_iin, list_people, search_people};
use crate::tables::{Record, read_by_id};
use korpus_domain::{Entity, Mentor, MentorInput};
use uuid::Uuid;

impl Store {
    /// Registers a mentor (selection stage "applied") after checking every field.
    pub fn add_mentor(&mut self, input: &MentorInput) -> Result<Record<Mentor>> {
        let mentor = input.validate(&self.context(), None)?;
        let id = Uuid::now_v7();
        self.write(|w| insert_mentor(w, id, &mentor))?;
        Ok(Record { id, version: 1, data: mentor })
    }

    /// Changes a mentor read at `base_version`; stage and certification are kept.
    pub fn edit_mentor(
        &mut self,
        id: Uuid,
        base_version: i64,
        input: &MentorInput,
    ) -> Result<(Record<Mentor>, Vec<String>)> {
        let old: Record<Mentor> = read_by_id(&self.conn, Entity::Mentor, id)?;
        let mentor = input.validate(&self.context(), Some(&old.data))?;
        self.write(|w| {
            ensure_iin_free(w, Entity::Mentor, &mentor.identity.iin.to_string(), Some(id))?;
            w.replace(Entity::Mentor, id, base_version, mentor)
        })
    }

    /// The mentor with this id or IIN.
    pub fn mentor(&self, id_or_iin: &str) -> Result<Record<Mentor>> {
        find_by_id_or_iin(&self.conn, Entity::Mentor, id_or_iin)
    }

    /// Mentors of a region (or all), by name, one page.
    pub fn list_mentors(
        &self,
        region: Option<&str>,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<Record<Mentor>>> {
        list_people(&self.conn, Entity::Mentor, region, limit, offset)
    }

    /// Mentors whose IIN starts with the query's digits and whose names start with its words.
    pub fn search_mentors(&self, query: &str, limit: usize) -> Result<Vec<Record<Mentor>>> {
        search_people(&self.conn, Entity::Mentor, query, limit)
    }
}

/// Writes a new mentor.
/// Writes a checked mentor in an action of a batch, refusing an IIN that is already registered.
pub fn insert_mentor(w: &mut Writer<'_>, id: Uuid, mentor: &Mentor) -> Result<()> {
    ensure_iin_free(w, Entity::Mentor, &mentor.identity.iin.to_string(), None)?;
    w.insert(Entity::Mentor, id, mentor)
}
