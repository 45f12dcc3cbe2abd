//! Sync between a desk and HQ (DESIGN.md, Sync): the wire protocol both sides speak, the state
//! hash both compute, and (feature `client`) the desk's HTTP client and sync engine.

pub mod file;
pub mod protocol;
pub mod state;

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "client")]
pub mod engine;
#[cfg(feature = "client")]
pub mod secrets;

#[cfg(feature = "client")]
pub use engine::{
    Progress, Report, SyncError, SyncOptions, client_for, desk_state_hash, enrol, export_file, import_answer,
    sync,
};
