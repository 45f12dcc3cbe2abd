//! Re-runs the build when a migration changes: `include_dir!` embeds the folder but cannot tell
//! Cargo to watch it.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
