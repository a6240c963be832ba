//! [`SecretRef`]: a secret a profile holds inline, or names by environment variable or file;
//! and the permission check ssh applies to private keys.

use std::fs;
use std::path::{Path, PathBuf};

use crate::shared::Secret;

/// Where a profile's secret is. `Debug` shows an inline secret as `Secret(***)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SecretSource {
    /// In the config file itself (`app_secret = "..."`): the file must be private (0600).
    Inline(Secret),
    /// In this environment variable (`app_secret_env = "..."`), read when needed.
    Env(String),
    /// In this file (`app_secret_file = "..."`), read when needed; trailing line breaks are
    /// dropped. It must be private too.
    File(PathBuf),
}

/// A secret of a profile and the key that gave it (`profiles.staging.rongcloud.app_secret_env`),
/// which every message names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SecretRef {
    pub(crate) key: String,
    pub(crate) source: SecretSource,
}

impl SecretRef {
    /// What `config list` shows: `***` for an inline secret, the variable or file otherwise.
    pub(crate) fn masked(&self) -> String {
        match &self.source {
            SecretSource::Inline(_) => "***".to_owned(),
            SecretSource::Env(var) => format!("${var}"),
            SecretSource::File(path) => format!("file {}", path.display()),
        }
    }

    /// The secret, read from where it is; the error names the key and never the secret.
    pub(crate) fn read(&self) -> Result<Secret, String> {
        let key = &self.key;
        let text = match &self.source {
            SecretSource::Inline(secret) => return Ok(secret.clone()),
            SecretSource::Env(var) => std::env::var(var).map_err(|err| {
                format!(
                    "{key}: the environment variable {var} is {}",
                    match err {
                        std::env::VarError::NotPresent => "not set",
                        std::env::VarError::NotUnicode(_) => "not UTF-8",
                    }
                )
            })?,
            SecretSource::File(path) => {
                ensure_private(path, &format!("it holds the secret of {key}"))?;
                fs::read_to_string(path)
                    .map_err(|err| format!("{key}: cannot read {}: {err}", path.display()))?
            }
        };
        text.trim_end_matches(['\r', '\n'])
            .parse()
            .map_err(|err| format!("{key}: {err}"))
    }
}

/// Refuses a file that group or others may read or write, naming it and the fix (`chmod 600`),
/// as ssh refuses a private key.
#[cfg(unix)]
pub(crate) fn ensure_private(path: &Path, why: &str) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt as _;

    let mode = fs::metadata(path)
        .map_err(|err| format!("cannot read {}: {err}", path.display()))?
        .permissions()
        .mode();
    if mode & 0o077 == 0 {
        return Ok(());
    }
    Err(format!(
        "{} is accessible by group or others (mode {:04o}) and {why}: run `chmod 600 {}`",
        path.display(),
        mode & 0o7777,
        path.display()
    ))
}

/// Files have no Unix mode bits here: nothing to check.
#[cfg(not(unix))]
pub(crate) fn ensure_private(_path: &Path, _why: &str) -> Result<(), String> {
    Ok(())
}
