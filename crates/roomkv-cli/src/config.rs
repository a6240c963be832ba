//! Named profiles: the config file that `roomkv --profile NAME` (or `ROOMKV_PROFILE`) reads.
//!
//! The file is `$ROOMKV_CONFIG`, else `$XDG_CONFIG_HOME/roomkv/config.toml`, else
//! `~/.config/roomkv/config.toml` ([`location`]). It is read only when a profile is asked for.
//! [`file`] parses and checks it (unknown keys are errors with their line; an inline secret in a
//! file readable by group or others is refused, as ssh does); [`apply`] lays the chosen profile
//! under the command line.
//!
//! Precedence, for every setting a profile holds: flag > environment variable > profile >
//! built-in default. Clap merges the first two into the parsed arguments; [`apply`] fills only
//! what they left unset; the clients' builders supply the defaults of what is still unset.

pub(crate) mod apply;
pub(crate) mod file;
pub(crate) mod location;
mod secret;

pub(crate) use file::{
    ConfigFile, Endpoint, HostProfile, Profile, RongCloudProfile, TencentProfile,
};
pub(crate) use secret::SecretRef;

use crate::failure::Failure;

/// The profile `name` from the config file, or the empty profile (no settings) when none is
/// asked for: the file is then not read. A missing file, a broken one, an insecure one or an
/// unknown profile name is a refusal (exit code 2).
pub(crate) fn selected(name: Option<&str>) -> Result<Profile, Failure> {
    let Some(name) = name else {
        return Ok(Profile::default());
    };
    let path = location::config_path(&location::process_env).ok_or_else(|| {
        Failure::refused(format!(
            "profile {name:?} asked for, but there is no config file: set ROOMKV_CONFIG, \
             XDG_CONFIG_HOME or HOME"
        ))
    })?;
    let file = ConfigFile::load(&path).map_err(Failure::refused)?;
    file.profile(name).map_err(Failure::refused)
}
