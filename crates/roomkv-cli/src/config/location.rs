//! Where the config file is, and `~` in the paths it names.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The variable naming the config file itself.
pub(crate) const CONFIG_VAR: &str = "ROOMKV_CONFIG";

/// Reads a variable of the process environment; [`config_path`] takes any such function so
/// that tests need not change the process's environment.
pub(crate) fn process_env(name: &str) -> Option<OsString> {
    std::env::var_os(name)
}

/// A variable's value, when it is set and not empty.
fn non_empty(env: &dyn Fn(&str) -> Option<OsString>, name: &str) -> Option<OsString> {
    env(name).filter(|value| !value.is_empty())
}

/// `$ROOMKV_CONFIG`, else `$XDG_CONFIG_HOME/roomkv/config.toml` (an absolute
/// `XDG_CONFIG_HOME` only, as the XDG spec says), else `$HOME/.config/roomkv/config.toml`;
/// `None` without any of them.
pub(crate) fn config_path(env: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    if let Some(path) = non_empty(env, CONFIG_VAR) {
        return Some(PathBuf::from(path));
    }
    let xdg = non_empty(env, "XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute());
    let config_home =
        xdg.or_else(|| non_empty(env, "HOME").map(|home| Path::new(&home).join(".config")))?;
    Some(config_home.join("roomkv").join("config.toml"))
}

/// A path named in the config file: `~/...` is under `$HOME`, a relative path is relative to
/// the config file's directory.
pub(crate) fn resolve(named: &str, config_dir: &Path, home: Option<&Path>) -> PathBuf {
    match (named.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => config_dir.join(named),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let vars: Vec<(String, OsString)> = vars
            .iter()
            .map(|(name, value)| ((*name).to_owned(), OsString::from(value)))
            .collect();
        move |name| vars.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn the_config_file_is_found_in_the_documented_order() {
        for (vars, expected) in [
            (
                &[
                    ("ROOMKV_CONFIG", "/etc/rk.toml"),
                    ("XDG_CONFIG_HOME", "/x"),
                    ("HOME", "/h"),
                ][..],
                Some("/etc/rk.toml"),
            ),
            (
                &[
                    ("ROOMKV_CONFIG", ""),
                    ("XDG_CONFIG_HOME", "/x"),
                    ("HOME", "/h"),
                ],
                Some("/x/roomkv/config.toml"),
            ),
            (
                &[("XDG_CONFIG_HOME", "relative"), ("HOME", "/h")],
                Some("/h/.config/roomkv/config.toml"),
            ),
            (&[("HOME", "/h")], Some("/h/.config/roomkv/config.toml")),
            (&[], None),
        ] {
            assert_eq!(
                config_path(&env_of(vars)),
                expected.map(PathBuf::from),
                "{vars:?}"
            );
        }
    }

    #[test]
    fn named_paths_expand_the_home_and_are_relative_to_the_file() {
        let dir = Path::new("/etc/roomkv");
        let home = Path::new("/home/op");
        assert_eq!(
            resolve("~/.config/roomkv/s.key", dir, Some(home)),
            Path::new("/home/op/.config/roomkv/s.key")
        );
        assert_eq!(
            resolve("s.key", dir, Some(home)),
            Path::new("/etc/roomkv/s.key")
        );
        assert_eq!(
            resolve("/abs/s.key", dir, Some(home)),
            Path::new("/abs/s.key")
        );
    }
}
