//! Korpus HQ: the central server. Accounts and devices, the sync endpoints that apply the desks'
//! envelopes and serve their pulls, duplicate and conflict cases, over PostgreSQL.

pub mod accounts;
pub mod blobs;
pub mod certificates;
pub mod db;
pub mod error;
pub mod import;
pub mod limits;
pub mod plan;
pub mod pull;
pub mod push;
pub mod rulebooks;
pub mod server;

pub use error::{HqError, Result};
