//! Selection (PROGRAMME.md, Applying for a grant; The three groups; Mentors): after technical
//! screening (the [`crate::rules`]), the evaluation commission's scores and decision, the random
//! assignment to arms A, B and C, the decisions on mentors and host organisations, and progress
//! against the programme's targets.

pub mod commission;
pub mod decisions;
pub mod indicators;
pub mod lottery;
