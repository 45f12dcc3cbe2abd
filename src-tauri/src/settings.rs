//! The desk's own preferences, kept in the OS's configuration folder (for now, the language).

use korpus_domain::Lang;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Preferences that outlive a session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The language the user chose last.
    pub lang: Lang,
}

impl Settings {
    /// The file the settings live in.
    pub fn path(config_dir: &Path) -> PathBuf {
        config_dir.join("settings.json")
    }

    /// Reads the settings; a missing or damaged file gives the defaults (Kazakh).
    pub fn load(config_dir: &Path) -> Settings {
        std::fs::read(Settings::path(config_dir))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Writes the settings.
    pub fn save(&self, config_dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(config_dir)?;
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(Settings::path(config_dir), json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_choice_survives_and_damage_falls_back_to_kazakh() {
        let dir = tempfile::TempDir::new().unwrap();
        assert_eq!(Settings::load(dir.path()).lang, Lang::Kk);
        Settings { lang: Lang::Ru }.save(dir.path()).unwrap();
        assert_eq!(Settings::load(dir.path()).lang, Lang::Ru);
        std::fs::write(Settings::path(dir.path()), b"{not json").unwrap();
        assert_eq!(Settings::load(dir.path()).lang, Lang::Kk);
    }
}
