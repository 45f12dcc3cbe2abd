//! The sync protocol between a desk and HQ (DESIGN.md, Sync): envelopes as they travel, receipts,
//! pull pages, scanned files in chunks, the signed files a desk carries on a USB stick, and the
//! state hash both sides compute. Types and pure functions only: HQ serves them, and the desk's
//! HTTP client and sync engine (`korpus-app`) speak them.

pub mod file;
pub mod protocol;
pub mod state;
