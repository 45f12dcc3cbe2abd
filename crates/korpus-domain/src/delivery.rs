//! Delivery (PROGRAMME.md, The training calendar; Mentors; Outreach and feedback): the training
//! calendar and attendance, mentors certified, assigned and at work, and the grievance log.

pub mod grievances;
pub mod mentoring;
pub mod training;
pub mod withdrawals;
