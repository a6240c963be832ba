//! [`ConfigFile`]: the profiles file, parsed (with the `toml` crate) and checked.
//!
//! ```toml
//! [profiles.staging.rongcloud]
//! app_key = "..."
//! app_secret_env = "STAGING_RC_SECRET"   # or app_secret_file = "...", or app_secret = "..." (0600 only)
//! region = "singapore"                   # or base_url = "http://127.0.0.1:8787"
//! dialect = "legacy"
//!
//! [profiles.staging.tencent]
//! sdkappid = 1400000000
//! secret_key_file = "~/.config/roomkv/staging.key"
//! admin = "administrator"
//! ```
//!
//! Both vendors take `region` or `base_url`, `timeout`, and the quota settings `no_rate_limit`,
//! `max_rate_wait`, `redis_url` (or `redis_url_env`, `redis_url_file`), `fleet_size` and
//! `redis_fail_closed`, named like the flags. Every key, table and value is checked when the
//! file is read; a mistake is an error naming the file, the line and the key.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use roomkv_rongcloud::Dialect;
use serde::Deserialize;
use toml::Spanned;

use super::location;
use super::secret::{SecretRef, SecretSource, ensure_private};
use crate::shared::{Secret, seconds};

/// Where a vendor's requests go: a data centre (with failover) or one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint<R> {
    /// `region = "..."`.
    Region(R),
    /// `base_url = "..."`.
    BaseUrl(String),
}

/// The settings both vendors take: `timeout` and the quota settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct HostProfile {
    pub(crate) timeout: Option<Duration>,
    pub(crate) no_rate_limit: bool,
    pub(crate) max_rate_wait: Option<Duration>,
    pub(crate) redis_url: Option<SecretRef>,
    pub(crate) fleet_size: Option<u32>,
    pub(crate) redis_fail_closed: bool,
}

/// `[profiles.NAME.rongcloud]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RongCloudProfile {
    pub(crate) app_key: Option<String>,
    pub(crate) app_secret: Option<SecretRef>,
    pub(crate) dialect: Option<Dialect>,
    pub(crate) endpoint: Option<Endpoint<roomkv_rongcloud::Region>>,
    pub(crate) host: HostProfile,
}

/// `[profiles.NAME.tencent]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TencentProfile {
    pub(crate) sdkappid: Option<u64>,
    pub(crate) secret_key: Option<SecretRef>,
    pub(crate) admin: Option<String>,
    pub(crate) endpoint: Option<Endpoint<roomkv_tencent::Region>>,
    pub(crate) host: HostProfile,
}

/// One profile: `[profiles.NAME.rongcloud]` and `[profiles.NAME.tencent]`, each optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Profile {
    pub(crate) name: String,
    pub(crate) rongcloud: RongCloudProfile,
    pub(crate) tencent: TencentProfile,
}

/// A checked config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConfigFile {
    pub(crate) path: PathBuf,
    pub(crate) profiles: BTreeMap<String, Profile>,
}

/// The file as TOML gives it, before the checks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileToml {
    #[serde(default)]
    profiles: BTreeMap<String, ProfileToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileToml {
    rongcloud: Option<VendorToml>,
    tencent: Option<VendorToml>,
}

/// A vendor's table. Both vendors share one key set so that serde reports any key neither
/// knows; [`Vendor::reject_foreign`] then refuses the other vendor's keys, with their line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VendorToml {
    // RongCloud only.
    app_key: Option<Spanned<String>>,
    app_secret: Option<Spanned<String>>,
    app_secret_env: Option<Spanned<String>>,
    app_secret_file: Option<Spanned<String>>,
    dialect: Option<Spanned<String>>,
    // Tencent only.
    sdkappid: Option<Spanned<u64>>,
    secret_key: Option<Spanned<String>>,
    secret_key_env: Option<Spanned<String>>,
    secret_key_file: Option<Spanned<String>>,
    admin: Option<Spanned<String>>,
    // Both.
    region: Option<Spanned<String>>,
    base_url: Option<Spanned<String>>,
    timeout: Option<Spanned<f64>>,
    no_rate_limit: Option<bool>,
    max_rate_wait: Option<Spanned<f64>>,
    redis_url: Option<Spanned<String>>,
    redis_url_env: Option<Spanned<String>>,
    redis_url_file: Option<Spanned<String>>,
    fleet_size: Option<Spanned<u32>>,
    redis_fail_closed: Option<bool>,
}

/// Which vendor's table is being checked.
#[derive(Clone, Copy)]
enum Vendor {
    RongCloud,
    Tencent,
}

impl Vendor {
    fn name(self) -> &'static str {
        match self {
            Self::RongCloud => "rongcloud",
            Self::Tencent => "tencent",
        }
    }

    /// The first key of the other vendor in `table`, with its span.
    fn reject_foreign(self, table: &VendorToml) -> Option<(&'static str, Range<usize>)> {
        let span = |key: &'static str, value: Option<Range<usize>>| value.map(|s| (key, s));
        let foreign = match self {
            Self::RongCloud => [
                span("sdkappid", table.sdkappid.as_ref().map(Spanned::span)),
                span("secret_key", table.secret_key.as_ref().map(Spanned::span)),
                span(
                    "secret_key_env",
                    table.secret_key_env.as_ref().map(Spanned::span),
                ),
                span(
                    "secret_key_file",
                    table.secret_key_file.as_ref().map(Spanned::span),
                ),
                span("admin", table.admin.as_ref().map(Spanned::span)),
            ],
            Self::Tencent => [
                span("app_key", table.app_key.as_ref().map(Spanned::span)),
                span("app_secret", table.app_secret.as_ref().map(Spanned::span)),
                span(
                    "app_secret_env",
                    table.app_secret_env.as_ref().map(Spanned::span),
                ),
                span(
                    "app_secret_file",
                    table.app_secret_file.as_ref().map(Spanned::span),
                ),
                span("dialect", table.dialect.as_ref().map(Spanned::span)),
            ],
        };
        foreign
            .into_iter()
            .flatten()
            .min_by_key(|(_, span)| span.start)
    }
}

/// Checks the values of one file, turning spans into `FILE:LINE: ` prefixes.
struct Checker<'a> {
    path: &'a Path,
    text: &'a str,
    home: Option<PathBuf>,
    /// The first inline secret's key, if any: such a file must be private.
    inline_secret: Option<String>,
}

impl Checker<'_> {
    /// `FILE:LINE: message`.
    fn at(&self, span: &Range<usize>, message: impl Display) -> String {
        let line = 1 + self.text[..span.start.min(self.text.len())]
            .bytes()
            .filter(|&b| b == b'\n')
            .count();
        format!("{}:{line}: {message}", self.path.display())
    }

    /// Parses a spanned text with `FromStr`, the error at its line.
    fn parse<T: FromStr<Err: Display>>(
        &self,
        key: &str,
        value: Option<&Spanned<String>>,
    ) -> Result<Option<T>, String> {
        value
            .map(|value| {
                value
                    .get_ref()
                    .parse()
                    .map_err(|err| self.at(&value.span(), format!("{key}: {err}")))
            })
            .transpose()
    }

    /// A non-empty text.
    fn text(&self, key: &str, value: Option<&Spanned<String>>) -> Result<Option<String>, String> {
        self.parse::<Secret>(key, value)
            .map(|text| text.map(|text| text.expose().to_owned()))
    }

    /// A number of seconds, as the flags take it.
    fn seconds(&self, key: &str, value: Option<&Spanned<f64>>) -> Result<Option<Duration>, String> {
        value
            .map(|value| {
                seconds(*value.get_ref())
                    .map_err(|err| self.at(&value.span(), format!("{key}: {err}")))
            })
            .transpose()
    }

    /// A secret given by at most one of `KEY`, `KEY_env` and `KEY_file`.
    fn secret(
        &mut self,
        table_key: &str,
        key: &str,
        [inline, env, file]: [Option<&Spanned<String>>; 3],
    ) -> Result<Option<SecretRef>, String> {
        let given: Vec<&Spanned<String>> = [inline, env, file].into_iter().flatten().collect();
        if let [_, second, ..] = given[..] {
            return Err(self.at(
                &second.span(),
                format!("give only one of {key}, {key}_env and {key}_file"),
            ));
        }
        let (suffix, source) = if let Some(secret) = self.parse::<Secret>(key, inline)? {
            // A Redis URL is a secret when it carries a password.
            if key != "redis_url" || secret.expose().contains('@') {
                self.inline_secret
                    .get_or_insert_with(|| format!("{table_key}.{key}"));
            }
            ("", SecretSource::Inline(secret))
        } else if let Some(var) = self.text(&format!("{key}_env"), env)? {
            ("_env", SecretSource::Env(var))
        } else if let Some(named) = self.text(&format!("{key}_file"), file)? {
            let dir = self.path.parent().unwrap_or_else(|| Path::new("."));
            let path = location::resolve(&named, dir, self.home.as_deref());
            ("_file", SecretSource::File(path))
        } else {
            return Ok(None);
        };
        Ok(Some(SecretRef {
            key: format!("{table_key}.{key}{suffix}"),
            source,
        }))
    }

    /// `region` or `base_url`, not both.
    fn endpoint<R: FromStr<Err: Display>>(
        &self,
        table: &VendorToml,
    ) -> Result<Option<Endpoint<R>>, String> {
        if let (Some(_), Some(url)) = (&table.region, &table.base_url) {
            return Err(self.at(&url.span(), "give region or base_url, not both"));
        }
        if let Some(region) = self.parse("region", table.region.as_ref())? {
            return Ok(Some(Endpoint::Region(region)));
        }
        Ok(self
            .text("base_url", table.base_url.as_ref())?
            .map(Endpoint::BaseUrl))
    }

    fn host(&mut self, table_key: &str, table: &VendorToml) -> Result<HostProfile, String> {
        Ok(HostProfile {
            timeout: self.seconds("timeout", table.timeout.as_ref())?,
            no_rate_limit: table.no_rate_limit.unwrap_or(false),
            max_rate_wait: self.seconds("max_rate_wait", table.max_rate_wait.as_ref())?,
            redis_url: self.secret(
                table_key,
                "redis_url",
                [
                    &table.redis_url,
                    &table.redis_url_env,
                    &table.redis_url_file,
                ]
                .map(Option::as_ref),
            )?,
            fleet_size: match &table.fleet_size {
                Some(size) if *size.get_ref() == 0 => {
                    return Err(self.at(&size.span(), "fleet_size: must be at least 1"));
                }
                size => size.as_ref().map(|size| *size.get_ref()),
            },
            redis_fail_closed: table.redis_fail_closed.unwrap_or(false),
        })
    }

    /// Refuses the other vendor's keys in `table`.
    fn own_keys(&self, vendor: Vendor, table_key: &str, table: &VendorToml) -> Result<(), String> {
        match vendor.reject_foreign(table) {
            Some((key, span)) => Err(self.at(
                &span,
                format!(
                    "unknown key `{key}` in [{table_key}]: it is not a {} setting",
                    vendor.name()
                ),
            )),
            None => Ok(()),
        }
    }

    fn rongcloud(&mut self, name: &str, table: &VendorToml) -> Result<RongCloudProfile, String> {
        let table_key = format!("profiles.{name}.rongcloud");
        self.own_keys(Vendor::RongCloud, &table_key, table)?;
        Ok(RongCloudProfile {
            app_key: self.text("app_key", table.app_key.as_ref())?,
            app_secret: self.secret(
                &table_key,
                "app_secret",
                [
                    &table.app_secret,
                    &table.app_secret_env,
                    &table.app_secret_file,
                ]
                .map(Option::as_ref),
            )?,
            dialect: self.parse("dialect", table.dialect.as_ref())?,
            endpoint: self.endpoint(table)?,
            host: self.host(&table_key, table)?,
        })
    }

    fn tencent(&mut self, name: &str, table: &VendorToml) -> Result<TencentProfile, String> {
        let table_key = format!("profiles.{name}.tencent");
        self.own_keys(Vendor::Tencent, &table_key, table)?;
        Ok(TencentProfile {
            sdkappid: match &table.sdkappid {
                Some(id) if *id.get_ref() == 0 => {
                    return Err(self.at(&id.span(), "sdkappid: must be at least 1"));
                }
                id => id.as_ref().map(|id| *id.get_ref()),
            },
            secret_key: self.secret(
                &table_key,
                "secret_key",
                [
                    &table.secret_key,
                    &table.secret_key_env,
                    &table.secret_key_file,
                ]
                .map(Option::as_ref),
            )?,
            admin: self.text("admin", table.admin.as_ref())?,
            endpoint: self.endpoint(table)?,
            host: self.host(&table_key, table)?,
        })
    }
}

impl ConfigFile {
    /// Reads and checks the file at `path`.
    pub(crate) fn load(path: &Path) -> Result<Self, String> {
        let text = fs::read_to_string(path)
            .map_err(|err| format!("cannot read the config file {}: {err}", path.display()))?;
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let (file, inline_secret) = Self::parse(path, &text, home)?;
        if let Some(key) = inline_secret {
            ensure_private(path, &format!("it holds an inline secret ({key})")).map_err(|err| {
                let name = key.rsplit('.').next().unwrap_or(&key);
                format!("{err}, or name the secret with {name}_env or {name}_file")
            })?;
        }
        Ok(file)
    }

    /// Parses and checks `text`, the file at `path`; also returns the key of the first inline
    /// secret, for the caller's permission check.
    pub(super) fn parse(
        path: &Path,
        text: &str,
        home: Option<PathBuf>,
    ) -> Result<(Self, Option<String>), String> {
        let mut checker = Checker {
            path,
            text,
            home,
            inline_secret: None,
        };
        let raw: FileToml = toml::from_str(text).map_err(|err| match err.span() {
            Some(span) => checker.at(&span, err.message()),
            None => format!("{}: {}", path.display(), err.message()),
        })?;
        let mut profiles = BTreeMap::new();
        for (name, table) in raw.profiles {
            let profile = Profile {
                rongcloud: match &table.rongcloud {
                    Some(rc) => checker.rongcloud(&name, rc)?,
                    None => RongCloudProfile::default(),
                },
                tencent: match &table.tencent {
                    Some(tc) => checker.tencent(&name, tc)?,
                    None => TencentProfile::default(),
                },
                name: name.clone(),
            };
            profiles.insert(name, profile);
        }
        let file = Self {
            path: path.to_path_buf(),
            profiles,
        };
        Ok((file, checker.inline_secret))
    }

    /// The profile `name`; an unknown name is an error listing the known ones.
    pub(crate) fn profile(&self, name: &str) -> Result<Profile, String> {
        self.profiles.get(name).cloned().ok_or_else(|| {
            let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
            format!(
                "no profile {name:?} in {} (profiles: {})",
                self.path.display(),
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            )
        })
    }
}

#[cfg(test)]
mod tests;
