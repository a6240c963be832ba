//! [`Settings`]: what every provider's [`ClientBuilder`](crate::ClientBuilder) configures
//! besides the vendor's own settings, and how it becomes an [`Engine`].

use std::fmt;
use std::time::Duration;

use roomkv_core::Limits;
use roomkv_transport::limiter::DEFAULT_MAX_WAIT;
use roomkv_transport::{
    DEFAULT_COOL_DOWN, HostSet, RetryPolicy, SharedClock, SharedHttpClient, SharedRandomSource,
};
#[cfg(feature = "hyper")]
use roomkv_transport::{HyperClient, KeepAlive};

use crate::RegionTable;
use crate::error::{BuildError, Vendor};
use crate::{Engine, QuotaGate, RateLimit, Validation, WriteRetry};

/// The default time limit over a whole exchange: 5 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The settings of the built-in HTTP client that were set explicitly.
#[cfg(feature = "hyper")]
#[derive(Debug, Clone, Default)]
pub(crate) struct HttpSettings {
    pub(crate) timeout: Option<Duration>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) keep_alive: Option<KeepAlive>,
}

#[cfg(feature = "hyper")]
impl HttpSettings {
    /// The first setting that was set explicitly, by its builder method's name.
    fn first_set(&self) -> Option<&'static str> {
        [
            ("timeout", self.timeout.is_some()),
            ("connect_timeout", self.connect_timeout.is_some()),
            ("keep_alive", self.keep_alive.is_some()),
        ]
        .into_iter()
        .find_map(|(name, set)| set.then_some(name))
    }
}

/// Where requests go.
#[derive(Debug, Clone)]
pub(crate) enum Hosts<R> {
    Region(R),
    Pinned(String),
    Custom(Vec<String>),
}

/// The vendor-neutral settings of a [`ClientBuilder`](crate::ClientBuilder): hosts, HTTP client
/// and its timeouts, retries, limits and validation, failover, and the clock and random source
/// injection points. See a provider's `ClientBuilder` for the defaults.
#[derive(Clone, Default)]
pub struct Settings<R> {
    pub(crate) hosts: Option<Hosts<R>>,
    #[cfg(feature = "hyper")]
    pub(crate) http_settings: HttpSettings,
    pub(crate) retry_policy: RetryPolicy,
    pub(crate) write_retry: WriteRetry,
    pub(crate) limits: Limits,
    pub(crate) validation: Validation,
    pub(crate) cool_down: Option<Duration>,
    pub(crate) http_client: Option<SharedHttpClient>,
    pub(crate) clock: Option<SharedClock>,
    pub(crate) random_source: Option<SharedRandomSource>,
    pub(crate) rate_limit: RateLimit,
    pub(crate) max_rate_wait: Option<Duration>,
}

impl<R: RegionTable> Settings<R> {
    /// Builds the engine: checks every host URL (transport's rules first, then `endpoint`,
    /// the vendor's parser of core's endpoint), sets up failover, and builds the built-in HTTP
    /// client unless one was given.
    ///
    ///
    /// `app` names the app in the rate limiter's buckets (`rongcloud:APPKEY`), so that
    /// every client of one app shares its quotas.
    ///
    /// # Errors
    ///
    /// [`BuildError`]: `InvalidUrl`, `NoHosts`, `IgnoredSetting` (HTTP client settings with a
    /// custom HTTP client), `NoHttpClient` or `HttpClient`.
    pub fn build<V: Vendor>(
        self,
        app: &str,
        endpoint: impl Fn(&str) -> Result<V::Endpoint, String>,
    ) -> Result<Engine<V>, BuildError<V>> {
        let clock = self.clock.unwrap_or_default();
        let hosts = self.hosts.unwrap_or_else(|| Hosts::Region(R::default()));
        let (urls, pinned) = match hosts {
            Hosts::Region(region) => (region.info().hosts().map(str::to_owned).to_vec(), false),
            Hosts::Pinned(url) => (vec![url], true),
            Hosts::Custom(urls) if urls.is_empty() => return Err(BuildError::NoHosts),
            Hosts::Custom(urls) => (urls, false),
        };
        let endpoints = urls
            .iter()
            .map(|url| {
                let invalid = |reason: String| BuildError::InvalidUrl {
                    url: url.clone(),
                    reason,
                };
                // Transport's rules (https, or http to loopback only) first, then core's.
                HostSet::pinned(url).map_err(|e| invalid(e.to_string()))?;
                endpoint(url).map_err(invalid)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let hosts = if pinned {
            HostSet::pinned(&urls[0])
        } else {
            HostSet::new(&urls)
        }
        .map_err(|e| BuildError::InvalidUrl {
            url: urls.join(", "),
            reason: e.to_string(),
        })?
        .with_cool_down(Some(self.cool_down.unwrap_or(DEFAULT_COOL_DOWN)))
        .with_clock(clock.clone());
        #[cfg(feature = "metrics")]
        let hosts = hosts.with_metrics(V::LABEL);

        // Without `hyper` the `None` arm only returns, which clippy would write as `let-else`;
        // one `match` serves both builds.
        #[allow(clippy::manual_let_else)]
        let http = match self.http_client {
            Some(http) => {
                #[cfg(feature = "hyper")]
                if let Some(setting) = self.http_settings.first_set() {
                    return Err(BuildError::IgnoredSetting { setting });
                }
                http
            }
            #[cfg(feature = "hyper")]
            None => built_in_client(&self.http_settings)?,
            #[cfg(not(feature = "hyper"))]
            None => return Err(BuildError::NoHttpClient),
        };
        Ok(Engine {
            #[cfg(feature = "metrics")]
            meters: crate::metrics::EngineMeters::new::<V>(&hosts),
            endpoints,
            hosts,
            // Used as given: every exchange's failure is logged where the engine receives it
            // (`AttemptError::from`), and every answer where it is parsed.
            http,
            retry_policy: self.retry_policy,
            write_retry: self.write_retry,
            limits: self.limits,
            validation: self.validation,
            expected_statuses: V::EXPECTED_STATUSES,
            clock,
            random: self.random_source.unwrap_or_default(),
            quota: self.rate_limit.limiter().map(|limiter| {
                QuotaGate::new(
                    limiter,
                    self.max_rate_wait.unwrap_or(DEFAULT_MAX_WAIT),
                    app.into(),
                )
            }),
        })
    }
}

#[cfg(feature = "hyper")]
fn built_in_client<V: Vendor>(settings: &HttpSettings) -> Result<SharedHttpClient, BuildError<V>> {
    let mut hyper = HyperClient::builder().timeout(settings.timeout.unwrap_or(DEFAULT_TIMEOUT));
    if let Some(timeout) = settings.connect_timeout {
        hyper = hyper.connect_timeout(timeout);
    }
    if let Some(keep_alive) = settings.keep_alive {
        hyper = hyper.keep_alive(keep_alive);
    }
    let client = hyper.build().map_err(BuildError::HttpClient)?;
    Ok(SharedHttpClient::new(client))
}

impl<R: fmt::Debug> fmt::Debug for Settings<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Settings");
        d.field("hosts", &self.hosts);
        #[cfg(feature = "hyper")]
        d.field("http_settings", &self.http_settings);
        d.field("retry_policy", &self.retry_policy)
            .field("write_retry", &self.write_retry)
            .field("limits", &self.limits)
            .field("validation", &self.validation)
            .field("failover_cool_down", &self.cool_down)
            .field("http_client", &self.http_client)
            .field("clock", &self.clock)
            .field("random_source", &self.random_source)
            .field("rate_limit", &self.rate_limit)
            .field("max_rate_wait", &self.max_rate_wait)
            .finish()
    }
}
