//! Closing the programme (PROGRAMME.md, Money; The training calendar, reports; Outreach and
//! feedback): grant contracts and scholarships, the sub-projects' reports, certificates with their
//! numbers and signed codes, and the outreach counted for the programme's reporting.

pub mod certificate_code;
pub mod certificate_number;
pub mod certification;
pub mod money;
pub mod outreach;
pub mod reports;
