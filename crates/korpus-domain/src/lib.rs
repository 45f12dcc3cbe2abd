//! The Youth Corps programme in types: persons, host organisations, applications, mentors,
//! documents, the rulebook of a cohort, IIN and BIN, field checks and the envelope of sync.
//!
//! Pure: no I/O, no SQL, no clock. Every rule cites `shared/PROGRAMME.md` and reads its numbers
//! from the [`Rulebook`].

mod codes;

pub mod alphabet;

pub mod applications;
pub mod bin;
pub mod calendar;
pub mod certificate_code;
pub mod certificate_number;
pub mod certification;
pub mod commission;
pub mod document_kinds;
pub mod documents;
pub mod envelope;
pub mod grievances;
pub mod host_orgs;
pub mod iin;
pub mod indicators;
pub mod lang;
pub mod lottery;
pub mod mentoring;
pub mod mentors;
pub mod messages;
pub mod money;
pub mod outreach;
pub mod persons;
pub mod records;
pub mod reports;
pub mod rulebook;
pub mod rules;
pub mod selection;
pub mod training;
pub mod validation;

pub use applications::{ApplicationInput, ApplicationMember, ApplicationPath, SubProjectApplication};
pub use bin::Bin;
pub use document_kinds::{DocumentKind, DocumentOwner};
pub use documents::{DocumentInput, SupportingDocument};
pub use envelope::{Entity, Envelope, Hlc, Op, OpKind};
pub use host_orgs::{HostOrg, HostOrgCriteria, HostOrgInput, HostOrgType};
pub use iin::{Iin, Sex};
pub use lang::{Lang, Text};
pub use mentors::{Mentor, MentorEducation, MentorInput, MentorOccupation, MentorStage};
pub use persons::{EducationStatus, Identity, IdentityInput, Person, PersonInput, VulnerabilityCategory};
pub use rulebook::{Context, Rulebook};
pub use validation::{FieldError, FieldReport, ValidationErrors};
