//! Tencent's connection: the marker of the vendor ([`Tencent`]), its credential flags, the app
//! they name and the client they describe over a profile's settings.

use clap::Args;
use clap::builder::NonEmptyStringValueParser;
use roomkv_tencent::{Client, Identifier, SecretKey, TencentSettings as _};

use crate::config::TencentProfile;
use crate::config::apply::{fill, fill_endpoint, fill_secret};
use crate::failure::Failure;
use crate::output::one_line;
use crate::shared::{self, Secret};

/// Tencent Cloud Live, for [`shared::VendorArgs`].
#[derive(Debug)]
pub(crate) struct Tencent;

/// Tencent's credentials and where its requests go.
pub(crate) type Connection = shared::Connection<Tencent>;

/// The app's credentials, shared by the Tencent commands and `roomkv copy`.
#[derive(Debug, Clone, Default, Args)]
#[group(id = "tencent_credentials")]
pub(crate) struct Credentials {
    /// SDKAppID, from the Tencent console
    #[arg(
        long,
        env = "TENCENT_SDKAPPID",
        value_name = "ID",
        global = true,
        value_parser = clap::value_parser!(u64).range(1..),
        help_heading = "Connection"
    )]
    pub(crate) sdkappid: Option<u64>,

    /// Secret key, which signs the admin UserSig; never printed
    ///
    /// Prefer the environment variable: other local users can see command lines.
    #[arg(
        long,
        env = "TENCENT_SECRET_KEY",
        hide_env_values = true,
        value_name = "KEY",
        global = true,
        help_heading = "Connection"
    )]
    pub(crate) secret_key: Option<Secret>,

    /// App admin account that requests are sent as (identifier) [default: administrator]
    #[arg(
        long,
        env = "TENCENT_ADMIN",
        value_name = "USER",
        global = true,
        value_parser = NonEmptyStringValueParser::new(),
        help_heading = "Connection"
    )]
    pub(crate) admin: Option<String>,
}

impl Credentials {
    /// The admin account requests are sent as: `--admin` / `TENCENT_ADMIN` / the profile's,
    /// else [`roomkv_tencent::DEFAULT_ADMIN`].
    pub(crate) fn admin(&self) -> &str {
        self.admin
            .as_deref()
            .unwrap_or(roomkv_tencent::DEFAULT_ADMIN)
    }
}

/// The app the connection flags name: SDKAppID, secret key, admin. Missing ones are refusals.
pub(crate) struct App<'a> {
    /// The SDKAppID.
    pub(crate) sdkappid: u64,
    secret_key: &'a Secret,
    /// The admin account requests are sent as.
    pub(crate) admin: Identifier,
}

impl<'a> App<'a> {
    /// The app of `connection`'s credentials.
    pub(crate) fn of(connection: &'a Connection) -> Result<Self, Failure> {
        let sdkappid = connection.credentials.sdkappid.ok_or_else(|| {
            Failure::refused(
                "the Tencent SDKAppID is missing: pass --sdkappid or set TENCENT_SDKAPPID",
            )
        })?;
        let secret_key = connection.credentials.secret_key.as_ref().ok_or_else(|| {
            Failure::refused(
                "the Tencent secret key is missing: pass --secret-key or set TENCENT_SECRET_KEY",
            )
        })?;
        Ok(Self {
            sdkappid,
            secret_key,
            admin: Identifier::parse(connection.credentials.admin())?,
        })
    }

    /// The secret key, for the client or the UserSig functions.
    pub(crate) fn secret_key(&self) -> SecretKey {
        SecretKey::new(self.secret_key.expose())
    }
}

/// The client the connection flags describe. An invalid `--base-url` is a refusal.
pub(crate) fn client(connection: &Connection) -> Result<Client, Failure> {
    let app = App::of(connection)?;
    let builder = Client::builder()
        .sdkappid(app.sdkappid)
        .secret_key(app.secret_key())
        .admin(app.admin);
    connection
        .host
        .configure(builder, connection.region)?
        .build()
        .map_err(|err| Failure::refused(one_line(&format!("invalid client configuration: {err}"))))
}

impl Credentials {
    /// These credentials over the profile's `[tencent]` table.
    pub(crate) fn fill_from(&mut self, profile: &TencentProfile) -> Result<(), Failure> {
        fill(&mut self.sdkappid, profile.sdkappid.as_ref());
        fill_secret(&mut self.secret_key, profile.secret_key.as_ref())?;
        fill(&mut self.admin, profile.admin.as_ref());
        Ok(())
    }
}

impl Connection {
    /// These settings over the profile's `[tencent]` table.
    pub(crate) fn with_profile(mut self, profile: &TencentProfile) -> Result<Self, Failure> {
        self.credentials.fill_from(profile)?;
        fill_endpoint(&mut self.region, &mut self.host, profile.endpoint.as_ref());
        self.host.fill_from(&profile.host)?;
        Ok(self)
    }
}
