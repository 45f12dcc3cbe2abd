//! The unit of sync (DESIGN.md, Sync): an envelope is one user action, immutable once written,
//! carrying the changed fields of every row it touched and the versions it was based on.

use crate::codes::code_enum;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::fmt;
use uuid::Uuid;

code_enum! {
    /// The kinds of record that travel in envelopes.
    Entity, "entity" {
        /// A person (beneficiary).
        Person = "person",
        /// A host organisation.
        HostOrg = "host_org",
        /// A sub-project application.
        Application = "application",
        /// A person's membership of an application's group.
        ApplicationMember = "application_member",
        /// A mentor.
        Mentor = "mentor",
        /// A supporting document.
        Document = "document",
        /// A recorded technical screening.
        Screening = "screening",
        /// A member of a cohort's evaluation commission in a region.
        CommissionMember = "commission_member",
        /// A commission member's score sheet for one application.
        Score = "score",
        /// The evaluation commission's decision for a cohort and region.
        CommissionDecision = "commission_decision",
        /// A lottery on record.
        Lottery = "lottery",
        /// A mentor candidate's telephone interview.
        MentorInterview = "mentor_interview",
        /// The internal commission's decision on a mentor.
        MentorDecision = "mentor_decision",
        /// The host organisation competition's decision and memorandum.
        HostOrgDecision = "host_org_decision",
        /// A training event of the calendar.
        TrainingEvent = "training_event",
        /// Whether one person attended one day of a training.
        Attendance = "attendance",
        /// A mentor accompanying a sub-project.
        MentorAssignment = "mentor_assignment",
        /// A mentor's session and its protocol.
        MentorSession = "mentor_session",
        /// A complaint, question, suggestion or violation report.
        Grievance = "grievance",
        /// A step in a grievance's history.
        GrievanceAction = "grievance_action",
        /// A sub-project's grant contract.
        GrantContract = "grant_contract",
        /// One beneficiary's scholarship for one month.
        Scholarship = "scholarship",
        /// A sub-project's programme or financial report.
        SubprojectReport = "subproject_report",
        /// An outreach activity.
        Outreach = "outreach",
        /// A beneficiary's or mentor's certificate.
        Certificate = "certificate",
        /// A person or a whole group leaving the programme.
        Withdrawal = "withdrawal",
    }
}

code_enum! {
    /// What an operation did to its row.
    OpKind, "op" {
        /// Created the row (base version 0).
        Insert = "insert",
        /// Changed some fields of the row.
        Update = "update",
        /// Removed the row.
        Delete = "delete",
    }
}

/// One change to one row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Op {
    /// What kind of row.
    pub entity: Entity,
    /// The row's id.
    pub entity_id: Uuid,
    /// What was done.
    pub op: OpKind,
    /// The row's version the change was made on (0 for an insert); the row's version after it is
    /// `base_version + 1`.
    pub base_version: i64,
    /// The fields changed, with their new values (all fields for an insert, none for a delete).
    pub fields: Map<String, Value>,
}

/// A hybrid logical clock reading: wall-clock milliseconds and a counter that orders events within
/// one millisecond or when the wall clock went backwards. Ties between devices break by device id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hlc {
    /// Milliseconds since the Unix epoch, never less than the previous reading's.
    pub wall_ms: i64,
    /// Events at the same `wall_ms`.
    pub counter: u32,
}

impl Hlc {
    /// The next reading after `self` for a local event at wall-clock time `now_ms`.
    pub fn tick(self, now_ms: i64) -> Hlc {
        if now_ms > self.wall_ms {
            Hlc { wall_ms: now_ms, counter: 0 }
        } else {
            Hlc { wall_ms: self.wall_ms, counter: self.counter.saturating_add(1) }
        }
    }

    /// The reading after receiving `remote` at wall-clock time `now_ms` (used when pulling).
    pub fn observe(self, remote: Hlc, now_ms: i64) -> Hlc {
        let wall_ms = self.wall_ms.max(remote.wall_ms).max(now_ms);
        let counter = match (wall_ms == self.wall_ms, wall_ms == remote.wall_ms) {
            (true, true) => self.counter.max(remote.counter).saturating_add(1),
            (true, false) => self.counter.saturating_add(1),
            (false, true) => remote.counter.saturating_add(1),
            (false, false) => 0,
        };
        Hlc { wall_ms, counter }
    }

    /// Reads the text form `WWWWWWWWWWWWWWW-CCCCCCCCCC`.
    pub fn parse(text: &str) -> Option<Hlc> {
        let (wall, counter) = text.split_once('-')?;
        Some(Hlc { wall_ms: wall.parse().ok()?, counter: counter.parse().ok()? })
    }
}

impl fmt::Display for Hlc {
    /// Fixed-width text that sorts as the clock does, so SQL `ORDER BY hlc` is correct.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:015}-{:010}", self.wall_ms, self.counter)
    }
}

impl Serialize for Hlc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Hlc::parse(&text).ok_or_else(|| serde::de::Error::custom("not a hybrid logical clock reading"))
    }
}

/// One user action as it travels to HQ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// UUIDv7 made on the device.
    pub id: Uuid,
    /// The device that wrote it.
    pub device: Uuid,
    /// 1, 2, 3... per device, without gaps: HQ can tell when one is missing.
    pub device_seq: i64,
    /// When, by the device's hybrid logical clock.
    pub hlc: Hlc,
    /// Who did it (the coordinator's login).
    pub author: String,
    /// Version of the software that wrote it.
    pub app_version: String,
    /// Database schema version it was written under.
    pub schema_version: i64,
    /// Rulebook version in force.
    pub rulebook_version: String,
    /// The changes, in the order they were made.
    pub ops: Vec<Op>,
    /// The HQ case (a conflict) this action settles, when it is a person's choice in one.
    /// Absent from the JSON when none, so the hashes of ordinary envelopes do not depend on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolves: Option<Uuid>,
}

impl Envelope {
    /// SHA-256 of the envelope's canonical JSON (fields in declaration order, object keys sorted,
    /// no spaces), hex: HQ tells a retried envelope (same id, same hash) from a forged or
    /// corrupted one (same id, other hash).
    pub fn hash(&self) -> String {
        // Serialising these types cannot fail: every map key is a string.
        let json = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(&json))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_follows_the_wall_clock_and_counts_within_a_millisecond() {
        let h = Hlc::default().tick(1_000);
        assert_eq!(h, Hlc { wall_ms: 1_000, counter: 0 });
        assert_eq!(h.tick(1_000), Hlc { wall_ms: 1_000, counter: 1 });
        assert_eq!(h.tick(2_000), Hlc { wall_ms: 2_000, counter: 0 });
    }

    #[test]
    fn tick_never_goes_back_when_the_wall_clock_does() {
        let h = Hlc { wall_ms: 5_000, counter: 3 };
        let next = h.tick(1_000);
        assert!(next > h);
        assert_eq!(next, Hlc { wall_ms: 5_000, counter: 4 });
    }

    #[test]
    fn observe_moves_past_a_remote_reading() {
        let local = Hlc { wall_ms: 1_000, counter: 2 };
        let remote = Hlc { wall_ms: 3_000, counter: 7 };
        let after = local.observe(remote, 2_000);
        assert!(after > remote && after > local);
        assert_eq!(after, Hlc { wall_ms: 3_000, counter: 8 });
        assert_eq!(local.observe(remote, 9_000), Hlc { wall_ms: 9_000, counter: 0 });
    }

    #[test]
    fn text_form_sorts_like_the_clock_and_parses_back() {
        let a = Hlc { wall_ms: 999, counter: 10 };
        let b = Hlc { wall_ms: 1_000, counter: 0 };
        assert!(a.to_string() < b.to_string());
        assert_eq!(Hlc::parse(&a.to_string()), Some(a));
        assert_eq!(Hlc::parse("garbage"), None);
    }
}
