//! RongCloud's connection: the marker of the vendor ([`RongCloud`]), its credential flags, its
//! own `--dialect`, and the client they describe over a profile's settings.

use clap::Args;
use clap::builder::TypedValueParser as _;
use roomkv_rongcloud::{AppKey, AppSecret, Client, Dialect, RongCloudSettings as _};

use crate::config::RongCloudProfile;
use crate::config::apply::{fill, fill_endpoint, fill_secret};
use crate::failure::Failure;
use crate::output::one_line;
use crate::shared::{self, Secret};

/// RongCloud / Nexconn, for [`shared::VendorArgs`].
#[derive(Debug)]
pub(crate) struct RongCloud;

/// RongCloud's credentials and where its requests go.
pub(crate) type Connection = shared::Connection<RongCloud>;

/// RongCloud's own connection flag: `--dialect`.
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct DialectArgs {
    /// API dialect: legacy (RongCloud's form API) or v4 (Nexconn's JSON /v4 API) [default:
    /// legacy]
    ///
    /// Every command works in both. v4 has no single-key set or remove (they are sent as a
    /// batch of one) and cannot carry a notification: `--notify` is refused in v4.
    #[arg(
        long,
        value_name = "DIALECT",
        env = "RONGCLOUD_DIALECT",
        global = true,
        value_parser = clap::builder::PossibleValuesParser::new(["legacy", "v4"])
            .map(|s| s.parse::<Dialect>().expect("a possible value")),
        help_heading = "Connection"
    )]
    pub(crate) dialect: Option<Dialect>,
}

/// The app's credentials, shared by the RongCloud commands and `roomkv copy`.
#[derive(Debug, Clone, Default, Args)]
#[group(id = "rongcloud_credentials")]
pub(crate) struct Credentials {
    /// App Key, from the RongCloud / Nexconn console
    #[arg(
        long,
        env = "RONGCLOUD_APP_KEY",
        value_name = "KEY",
        global = true,
        value_parser = clap::builder::NonEmptyStringValueParser::new(),
        help_heading = "Connection"
    )]
    pub(crate) app_key: Option<String>,

    /// App Secret, which signs every request; never printed
    ///
    /// Prefer the environment variable: other local users can see command lines.
    #[arg(
        long,
        env = "RONGCLOUD_APP_SECRET",
        hide_env_values = true,
        value_name = "SECRET",
        global = true,
        help_heading = "Connection"
    )]
    pub(crate) app_secret: Option<Secret>,
}

/// The client the connection flags describe. Missing credentials or an invalid `--base-url`
/// are refusals: nothing was sent.
pub(crate) fn client(connection: &Connection) -> Result<Client, Failure> {
    let app_key = connection.credentials.app_key.as_deref().ok_or_else(|| {
        Failure::refused(
            "the RongCloud App Key is missing: pass --app-key or set RONGCLOUD_APP_KEY",
        )
    })?;
    let app_secret = connection.credentials.app_secret.as_ref().ok_or_else(|| {
        Failure::refused(
            "the RongCloud App Secret is missing: pass --app-secret or set RONGCLOUD_APP_SECRET",
        )
    })?;
    let builder = Client::builder()
        .app_key(AppKey::new(app_key))
        .app_secret(AppSecret::new(app_secret.expose()));
    let mut builder = connection.host.configure(builder, connection.region)?;
    if let Some(dialect) = connection.own.dialect {
        builder = builder.dialect(dialect);
    }
    builder
        .build()
        .map_err(|err| Failure::refused(one_line(&format!("invalid client configuration: {err}"))))
}

impl Credentials {
    /// These credentials over the profile's `[rongcloud]` table.
    pub(crate) fn fill_from(&mut self, profile: &RongCloudProfile) -> Result<(), Failure> {
        fill(&mut self.app_key, profile.app_key.as_ref());
        fill_secret(&mut self.app_secret, profile.app_secret.as_ref())
    }
}

impl Connection {
    /// These settings over the profile's `[rongcloud]` table.
    pub(crate) fn with_profile(mut self, profile: &RongCloudProfile) -> Result<Self, Failure> {
        self.credentials.fill_from(profile)?;
        fill(&mut self.own.dialect, profile.dialect.as_ref());
        fill_endpoint(&mut self.region, &mut self.host, profile.endpoint.as_ref());
        self.host.fill_from(&profile.host)?;
        Ok(self)
    }
}
