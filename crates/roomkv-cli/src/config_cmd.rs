//! `roomkv config list | check [--ping]`: the config file's profiles, shown with secrets masked,
//! and checked.
//!
//! `check` reads every secret the checked profiles name (a variable that is not set, a file
//! that cannot be read or that others may read is an error); `--ping` then builds each
//! configured vendor's client from the profile alone (flags and environment variables play no
//! part) and makes one harmless read: the entries of the RongCloud chat room `roomkv-ping`, the
//! settings of the Tencent room `roomkv-ping` (its absence, code 100004, is an answer too).

use std::path::Path;

use clap::{Args, Subcommand};
use roomkv_rongcloud::ChatroomId;
use roomkv_tencent::{RoomId, TencentCode};
use serde::Serialize;

use crate::config::{
    ConfigFile, Endpoint, HostProfile, Profile, RongCloudProfile, SecretRef, TencentProfile,
    location,
};
use crate::failure::Failure;
use crate::output::{one_line, print_json};
use crate::shared::HostArgs;
use crate::{rongcloud, tencent};

const CONFIG_EXAMPLES: &str = "\
Examples:
  The profiles of the config file, secrets masked:
    roomkv config list

  Check the file, then make one harmless read per vendor with the staging profile:
    roomkv config check --profile staging --ping

  Use a profile (or set ROOMKV_PROFILE=staging):
    roomkv --profile staging rongcloud entry query --room room1

The file ($ROOMKV_CONFIG, else $XDG_CONFIG_HOME/roomkv/config.toml, else
~/.config/roomkv/config.toml):

  [profiles.staging.rongcloud]
  app_key = \"your-app-key\"
  app_secret_env = \"STAGING_RC_SECRET\"   # or app_secret_file = \"...\", or app_secret = \"...\" (0600 only)
  region = \"singapore\"                   # or base_url = \"http://127.0.0.1:8787\"
  dialect = \"legacy\"

  [profiles.staging.tencent]
  sdkappid = 1400000000
  secret_key_file = \"~/.config/roomkv/staging.key\"
  admin = \"administrator\"

Both vendors also take timeout, no_rate_limit, max_rate_wait, redis_url (or redis_url_env,
redis_url_file), fleet_size and redis_fail_closed, named like the flags. A flag or an environment
variable wins over the profile, which wins over the built-in default.";

const CONFIG_LIST_EXAMPLES: &str = "\
Examples:
  roomkv config list

Output (inline secrets as ***, others by where they are):
  {\"path\":\"/home/op/.config/roomkv/config.toml\",\"profiles\":[{\"name\":\"staging\",\"rongcloud\":{\"app_key\":\"your-app-key\",\"app_secret\":\"$STAGING_RC_SECRET\",\"region\":\"singapore\",\"dialect\":\"legacy\"}}]}";

const CONFIG_CHECK_EXAMPLES: &str = "\
Examples:
  Every profile's keys, values and secrets:
    roomkv config check

  One profile, and one read per vendor it configures (RongCloud: the entries of the chat room
  roomkv-ping; Tencent: the settings of the room roomkv-ping, which need not exist):
    roomkv config check --profile staging --ping

Output:
  {\"ok\":true,\"path\":\"/home/op/.config/roomkv/config.toml\",\"profiles\":[\"staging\"],\"pinged\":[{\"profile\":\"staging\",\"vendor\":\"rongcloud\"}]}

A mistake is one line on stderr naming the file, the line and the key, exit code 2; a failed
ping is one line with the vendor's error, exit code 1.";

/// Named profiles: list them, check the config file
#[derive(Debug, Args)]
#[command(
    subcommand_required = true,
    arg_required_else_help = true,
    after_long_help = CONFIG_EXAMPLES
)]
pub(crate) struct ConfigArgs {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: ConfigCommand,
}

/// The `config` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Show the config file's profiles, with secrets masked
    #[command(after_long_help = CONFIG_LIST_EXAMPLES)]
    List,

    /// Check the config file: keys, values, secrets (of --profile, else of every profile)
    #[command(after_long_help = CONFIG_CHECK_EXAMPLES)]
    Check(CheckArgs),
}

/// `roomkv config check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Also make one harmless read per vendor each checked profile configures
    #[arg(long)]
    pub(crate) ping: bool,
}

/// The room both pings read.
const PING_ROOM: &str = "roomkv-ping";

impl ConfigArgs {
    /// Runs `roomkv config ...`; `profile` is `--profile` (or `ROOMKV_PROFILE`).
    pub(crate) async fn run(self, profile: Option<&str>) -> Result<(), Failure> {
        let args = self;
        let path = location::config_path(&location::process_env).ok_or_else(|| {
            Failure::refused("no config file: set ROOMKV_CONFIG, XDG_CONFIG_HOME or HOME")
        })?;
        let file = ConfigFile::load(&path).map_err(Failure::refused)?;
        match args.command {
            ConfigCommand::List => print_json(&ListOut {
                path: &file.path,
                profiles: file.profiles.values().map(ProfileOut::of).collect(),
            }),
            ConfigCommand::Check(args) => check(&file, profile, args.ping).await,
        }
    }
}

/// `config check`.
async fn check(file: &ConfigFile, name: Option<&str>, ping: bool) -> Result<(), Failure> {
    let profiles: Vec<Profile> = match name {
        Some(name) => vec![file.profile(name).map_err(Failure::refused)?],
        None => file.profiles.values().cloned().collect(),
    };
    for profile in &profiles {
        for secret in secrets(profile) {
            secret.read().map_err(Failure::refused)?;
        }
    }
    let mut pinged = Vec::new();
    if ping {
        for profile in &profiles {
            pinged.extend(ping_profile(profile).await?);
        }
    }
    print_json(&CheckOut {
        ok: true,
        path: &file.path,
        profiles: profiles.iter().map(|p| p.name.as_str()).collect(),
        pinged,
    })
}

/// Every secret `profile` holds or names.
fn secrets(profile: &Profile) -> impl Iterator<Item = &SecretRef> {
    let RongCloudProfile {
        app_secret,
        host: rc,
        ..
    } = &profile.rongcloud;
    let TencentProfile {
        secret_key,
        host: tc,
        ..
    } = &profile.tencent;
    [app_secret, &rc.redis_url, secret_key, &tc.redis_url]
        .into_iter()
        .flatten()
}

/// One read per vendor `profile` configures; the vendors pinged.
async fn ping_profile(profile: &Profile) -> Result<Vec<PingOut<'_>>, Failure> {
    let failed = |vendor: &str, failure: Failure| Failure {
        message: one_line(&format!(
            "ping of profile {} ({vendor}) failed: {}",
            profile.name, failure.message
        )),
        ..failure
    };
    let mut pinged = Vec::new();
    if profile.rongcloud != RongCloudProfile::default() {
        let connection = rongcloud::Connection::new(Default::default(), HostArgs::default())
            .with_profile(&profile.rongcloud)?;
        let read = async {
            let room = ChatroomId::parse(PING_ROOM)?;
            rongcloud::client(&connection)?
                .query_all_entries(&room)
                .await?;
            Ok::<_, Failure>(())
        };
        read.await.map_err(|failure| failed("rongcloud", failure))?;
        pinged.push(PingOut::of(profile, "rongcloud"));
    }
    if profile.tencent != TencentProfile::default() {
        let connection = tencent::Connection::new(Default::default(), HostArgs::default())
            .with_profile(&profile.tencent)?;
        let read = async {
            let room = RoomId::parse(PING_ROOM)?;
            match tencent::client(&connection)?.get_room_info(&room).await {
                Err(err) if err.api_code() != Some(TencentCode::RoomNotFound) => Err(err.into()),
                _ => Ok::<_, Failure>(()),
            }
        };
        read.await.map_err(|failure| failed("tencent", failure))?;
        pinged.push(PingOut::of(profile, "tencent"));
    }
    Ok(pinged)
}

/// The JSON document of `config list`.
#[derive(Serialize)]
struct ListOut<'a> {
    path: &'a Path,
    profiles: Vec<ProfileOut<'a>>,
}

/// A profile as `config list` shows it.
#[derive(Serialize)]
struct ProfileOut<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rongcloud: Option<RongCloudOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tencent: Option<TencentOut<'a>>,
}

impl<'a> ProfileOut<'a> {
    fn of(profile: &'a Profile) -> Self {
        let rc = &profile.rongcloud;
        let tc = &profile.tencent;
        Self {
            name: &profile.name,
            rongcloud: (*rc != RongCloudProfile::default()).then(|| RongCloudOut {
                app_key: rc.app_key.as_deref(),
                app_secret: rc.app_secret.as_ref().map(SecretRef::masked),
                dialect: rc.dialect.map(|d| d.to_string()),
                common: CommonOut::of(rc.endpoint.as_ref(), &rc.host),
            }),
            tencent: (*tc != TencentProfile::default()).then(|| TencentOut {
                sdkappid: tc.sdkappid,
                secret_key: tc.secret_key.as_ref().map(SecretRef::masked),
                admin: tc.admin.as_deref(),
                common: CommonOut::of(tc.endpoint.as_ref(), &tc.host),
            }),
        }
    }
}

#[derive(Serialize)]
struct RongCloudOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    app_key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    app_secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dialect: Option<String>,
    #[serde(flatten)]
    common: CommonOut<'a>,
}

#[derive(Serialize)]
struct TencentOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    sdkappid: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    admin: Option<&'a str>,
    #[serde(flatten)]
    common: CommonOut<'a>,
}

/// The settings both vendors take, as the file names them; times in seconds.
#[derive(Serialize)]
struct CommonOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    base_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout: Option<f64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    no_rate_limit: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_rate_wait: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redis_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fleet_size: Option<u32>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    redis_fail_closed: bool,
}

impl<'a> CommonOut<'a> {
    fn of<R: std::fmt::Display>(endpoint: Option<&'a Endpoint<R>>, host: &'a HostProfile) -> Self {
        Self {
            region: match endpoint {
                Some(Endpoint::Region(region)) => Some(region.to_string()),
                _ => None,
            },
            base_url: match endpoint {
                Some(Endpoint::BaseUrl(url)) => Some(url),
                _ => None,
            },
            timeout: host.timeout.map(|t| t.as_secs_f64()),
            no_rate_limit: host.no_rate_limit,
            max_rate_wait: host.max_rate_wait.map(|t| t.as_secs_f64()),
            redis_url: host.redis_url.as_ref().map(SecretRef::masked),
            fleet_size: host.fleet_size,
            redis_fail_closed: host.redis_fail_closed,
        }
    }
}

/// The JSON document of `config check`.
#[derive(Serialize)]
struct CheckOut<'a> {
    ok: bool,
    path: &'a Path,
    profiles: Vec<&'a str>,
    pinged: Vec<PingOut<'a>>,
}

/// A vendor a profile's ping read from.
#[derive(Serialize)]
struct PingOut<'a> {
    profile: &'a str,
    vendor: &'static str,
}

impl<'a> PingOut<'a> {
    fn of(profile: &'a Profile, vendor: &'static str) -> Self {
        Self {
            profile: &profile.name,
            vendor,
        }
    }
}
