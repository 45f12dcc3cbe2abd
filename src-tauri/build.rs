//! Tauri's build step: embeds the configuration, the capabilities and the built front end.
fn main() {
    tauri_build::build();
}
