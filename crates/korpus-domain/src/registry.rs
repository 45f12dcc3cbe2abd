//! Who takes part (PROGRAMME.md, Who takes part; Host organisations; Mentors; Applying for a
//! grant): young people and the data they share with mentors, host organisations, mentors, youth
//! groups and their sub-project applications, the documents each brings, and the IIN and BIN that
//! identify them.

pub mod applications;
pub mod bin;
pub mod document_kinds;
pub mod documents;
pub mod host_orgs;
pub mod iin;
pub mod mentors;
pub mod persons;
