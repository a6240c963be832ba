//! [`QuotaArgs`]: the client-side rate limiter's flags, which both vendors take.

use std::time::Duration;

use roomkv_rongcloud::RateLimit;
use roomkv_rongcloud::limiter::{RedisLimiter, SharedRateLimiter, WhenUnavailable};

use super::seconds::timeout;
use super::secret::Secret;

/// How the client keeps to the vendor's quotas.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub(crate) struct QuotaArgs {
    /// Send at once, without waiting for a slot in the vendor's quota
    #[arg(long, global = true, help_heading = "Quotas")]
    pub(crate) no_rate_limit: bool,

    /// The longest a request waits for its slot in a quota, in seconds [default: 10]
    #[arg(
        long,
        value_name = "SECONDS",
        global = true,
        value_parser = timeout,
        help_heading = "Quotas"
    )]
    pub(crate) max_rate_wait: Option<Duration>,

    /// Share the app's quotas with every process that uses this Redis server
    /// (redis://[:PASSWORD@]HOST:PORT[/DB])
    #[arg(
        long,
        value_name = "URL",
        env = "ROOMKV_REDIS_URL",
        hide_env_values = true,
        global = true,
        help_heading = "Quotas"
    )]
    pub(crate) redis_url: Option<Secret>,

    /// How many processes share the quota through Redis; while Redis is unreachable each one
    /// limits itself to the quota divided by this number [default: 1]
    #[arg(
        long,
        value_name = "N",
        global = true,
        value_parser = clap::value_parser!(u32).range(1..),
        help_heading = "Quotas"
    )]
    pub(crate) fleet_size: Option<u32>,

    /// While Redis is unreachable, refuse requests instead of limiting locally
    #[arg(long, global = true, help_heading = "Quotas")]
    pub(crate) redis_fail_closed: bool,
}

impl QuotaArgs {
    /// The client's rate limiter, or why the flags do not describe one.
    pub(crate) fn rate_limit(&self) -> Result<RateLimit, String> {
        if self.no_rate_limit {
            if self.redis_url.is_some() {
                return Err("--no-rate-limit cannot be combined with --redis-url".to_owned());
            }
            return Ok(RateLimit::Off);
        }
        let Some(url) = &self.redis_url else {
            // Not a clap `requires`: the URL may come from a profile.
            if self.fleet_size.is_some() || self.redis_fail_closed {
                return Err(
                    "--fleet-size and --redis-fail-closed need a Redis URL (--redis-url, \
                     ROOMKV_REDIS_URL or the profile's redis_url)"
                        .to_owned(),
                );
            }
            return Ok(RateLimit::Process);
        };
        let when = if self.redis_fail_closed {
            WhenUnavailable::FailClosed
        } else {
            WhenUnavailable::Fallback
        };
        let limiter = RedisLimiter::builder(url.expose())
            .fleet_size(self.fleet_size.unwrap_or(1))
            .when_unavailable(when)
            .build()
            .map_err(|err| err.to_string())?;
        Ok(RateLimit::With(SharedRateLimiter::new(limiter)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_the_process_limiter() {
        let args = QuotaArgs::default();
        assert!(matches!(args.rate_limit(), Ok(RateLimit::Process)));
        let off = QuotaArgs {
            no_rate_limit: true,
            ..QuotaArgs::default()
        };
        assert!(matches!(off.rate_limit(), Ok(RateLimit::Off)));
    }

    #[test]
    fn a_redis_url_shares_the_quota_and_a_bad_one_is_refused() {
        let shared = QuotaArgs {
            redis_url: Some("redis://:pw@127.0.0.1:6379".parse().unwrap()),
            fleet_size: Some(3),
            ..QuotaArgs::default()
        };
        assert!(matches!(shared.rate_limit(), Ok(RateLimit::With(_))));
        assert!(!format!("{shared:?}").contains("pw"));
        let bad = QuotaArgs {
            redis_url: Some("http://host".parse().unwrap()),
            ..QuotaArgs::default()
        };
        assert!(bad.rate_limit().unwrap_err().contains("invalid Redis URL"));
        let both = QuotaArgs {
            no_rate_limit: true,
            ..shared
        };
        assert!(both.rate_limit().is_err());
    }

    #[test]
    fn fleet_options_need_a_redis_url() {
        for args in [
            QuotaArgs {
                fleet_size: Some(2),
                ..QuotaArgs::default()
            },
            QuotaArgs {
                redis_fail_closed: true,
                ..QuotaArgs::default()
            },
        ] {
            let err = args.rate_limit().unwrap_err();
            assert!(err.contains("need a Redis URL"), "{err}");
        }
        assert_eq!(
            crate::cli::usage_error_kind(
                "tencent",
                &["metadata", "get", "--room", "r", "--fleet-size", "0"]
            ),
            clap::error::ErrorKind::ValueValidation
        );
    }
}
