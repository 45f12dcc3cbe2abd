//! The Youth Corps programme in types, in the order the programme runs (PROGRAMME.md):
//!
//! - the frame every stage reads: the cohort's [`rulebook`] and its [`calendar`], the [`rules`]
//!   engine, field checks ([`validation`]), the three languages ([`lang`], [`messages`]);
//! - [`registry`]: who takes part: persons, host organisations, mentors, groups and their
//!   applications, supporting documents, IIN and BIN;
//! - [`selection`]: the commission, the random assignment, the decisions on mentors and host
//!   organisations, the indicators against the targets;
//! - [`delivery`]: the training calendar, mentors at work, the grievance log;
//! - [`closing`]: money, reports, certificates, outreach;
//! - [`sync`]: the envelope of every change and the records as they travel.
//!
//! Pure: no I/O, no SQL, no clock. Every rule cites `shared/PROGRAMME.md` and reads its numbers
//! from the [`Rulebook`].

mod codes;

pub mod alphabet;
pub mod calendar;
pub mod lang;
pub mod messages;
pub mod rulebook;
pub mod rules;
pub mod validation;

pub mod closing;
pub mod delivery;
pub mod registry;
pub mod selection;
pub mod sync;

pub use lang::{Lang, Text};
pub use registry::applications::{
    ApplicationInput, ApplicationMember, ApplicationPath, SubProjectApplication,
};
pub use registry::bin::Bin;
pub use registry::document_kinds::{DocumentKind, DocumentOwner};
pub use registry::documents::{DocumentInput, SupportingDocument};
pub use registry::host_orgs::{HostOrg, HostOrgCriteria, HostOrgInput, HostOrgType};
pub use registry::iin::{Iin, Sex};
pub use registry::mentors::{Mentor, MentorEducation, MentorInput, MentorOccupation, MentorStage};
pub use registry::persons::{
    EducationStatus, Identity, IdentityInput, Person, PersonInput, VulnerabilityCategory,
};
pub use rulebook::{Context, Rulebook};
pub use sync::envelope::{Entity, Envelope, Hlc, Op, OpKind};
pub use validation::{FieldError, FieldReport, ValidationErrors};
