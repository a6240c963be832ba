//! The connection flags both vendors take beside their credentials: [`HostArgs`] (`--base-url`,
//! `--timeout` and the quota flags), `--region`'s [`RegionParser`], and [`HostSettings`], which
//! applies them to either vendor's client builder.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use clap::builder::{PossibleValue, TypedValueParser};
use roomkv_rongcloud::RateLimit;

use super::quota::QuotaArgs;
use super::seconds::timeout;
use crate::failure::Failure;

/// Parses `--region NAME` with the vendor's `Region::from_str` (names, short codes, any case)
/// and offers the region names as possible values, for shell completions.
#[derive(Clone)]
pub(crate) struct RegionParser<R: 'static>(pub(crate) &'static [R]);

impl<R> TypedValueParser for RegionParser<R>
where
    R: FromStr<Err: std::error::Error + Send + Sync + 'static>
        + fmt::Display
        + Clone
        + Send
        + Sync
        + 'static,
{
    type Value = R;

    /// `FromStr`, with clap's own error (`invalid value 'mars' for '--region <NAME>': ...`).
    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<R, clap::Error> {
        (|text: &str| text.parse::<R>()).parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            self.0
                .iter()
                .map(|region| PossibleValue::new(region.to_string())),
        ))
    }
}

/// The connection options both vendors take beside their credentials and region.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub(crate) struct HostArgs {
    /// Send every request to this one host instead, such as the emulator
    /// (http://127.0.0.1:8787)
    ///
    /// `https://`, or `http://` to a loopback host only; no failover.
    #[arg(long, value_name = "URL", global = true, help_heading = "Connection")]
    pub(crate) base_url: Option<String>,

    /// Time limit of each HTTP exchange, in seconds [default: 5]
    #[arg(
        long,
        value_name = "SECONDS",
        global = true,
        value_parser = timeout,
        help_heading = "Connection"
    )]
    pub(crate) timeout: Option<Duration>,

    /// The client-side rate limiter.
    #[command(flatten)]
    pub(crate) quota: QuotaArgs,
}

impl HostArgs {
    /// `builder` with these flags applied: `--base-url` (else `region`, when given),
    /// `--timeout`, the rate limiter and `--max-rate-wait`. Quota flags that describe no rate
    /// limiter are a refusal: nothing was sent.
    pub(crate) fn configure<B: HostSettings>(
        &self,
        mut builder: B,
        region: Option<B::Region>,
    ) -> Result<B, Failure> {
        if let Some(url) = &self.base_url {
            builder = builder.base_url(url);
        } else if let Some(region) = region {
            builder = builder.region(region);
        }
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        builder = builder.rate_limit(self.quota.rate_limit().map_err(Failure::refused)?);
        if let Some(max_wait) = self.quota.max_rate_wait {
            builder = builder.max_rate_wait(max_wait);
        }
        Ok(builder)
    }
}

/// The client builder settings [`HostArgs`] sets, the same methods in both vendors' builders.
pub(crate) trait HostSettings: Sized {
    /// The vendor's data centres.
    type Region;

    /// Every request to this one host.
    fn base_url(self, url: &str) -> Self;

    /// A data centre's primary host, failing over to its backup.
    fn region(self, region: Self::Region) -> Self;

    /// The time limit of each HTTP exchange.
    fn timeout(self, timeout: Duration) -> Self;

    /// How the client keeps to the vendor's quotas.
    fn rate_limit(self, limit: RateLimit) -> Self;

    /// The longest a request waits for its slot in a quota.
    fn max_rate_wait(self, max_wait: Duration) -> Self;
}

/// [`HostSettings`] for each vendor's builder: its own methods of the same names.
macro_rules! host_settings {
    ($($builder:ty => $region:ty),* $(,)?) => {$(
        impl HostSettings for $builder {
            type Region = $region;

            fn base_url(self, url: &str) -> Self {
                self.base_url(url)
            }

            fn region(self, region: $region) -> Self {
                self.region(region)
            }

            fn timeout(self, timeout: Duration) -> Self {
                self.timeout(timeout)
            }

            fn rate_limit(self, limit: RateLimit) -> Self {
                self.rate_limit(limit)
            }

            fn max_rate_wait(self, max_wait: Duration) -> Self {
                self.max_rate_wait(max_wait)
            }
        }
    )*};
}

host_settings! {
    roomkv_rongcloud::ClientBuilder => roomkv_rongcloud::Region,
    roomkv_tencent::ClientBuilder => roomkv_tencent::Region,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_timeout_default_is_the_clients() {
        assert_eq!(roomkv_rongcloud::DEFAULT_TIMEOUT, Duration::from_secs(5));
        assert_eq!(roomkv_tencent::DEFAULT_TIMEOUT, Duration::from_secs(5));
    }
}
