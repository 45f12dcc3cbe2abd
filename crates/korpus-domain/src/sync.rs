//! What travels between a desk and HQ (DESIGN.md, Sync): the envelope of every user action, and
//! the records as they travel, with the checks HQ makes of each row and decision.

pub mod envelope;
pub mod records;
