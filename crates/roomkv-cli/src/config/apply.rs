//! Lays a profile under the parsed command line: each setting the flags and the environment
//! left unset is taken from the profile. Secrets the profile names are read only when used.
//!
//! The shared flags are filled here; each vendor module fills its own credentials and
//! connection with these helpers.

use super::file::{Endpoint, HostProfile};
use super::secret::SecretRef;
use crate::failure::Failure;
use crate::shared::{HostArgs, QuotaArgs, Secret};

/// `slot`, or else the profile's value.
pub(crate) fn fill<T: Clone>(slot: &mut Option<T>, profile: Option<&T>) {
    if slot.is_none() {
        *slot = profile.cloned();
    }
}

/// `slot`, or else the profile's secret, read now.
pub(crate) fn fill_secret(
    slot: &mut Option<Secret>,
    profile: Option<&SecretRef>,
) -> Result<(), Failure> {
    if let (None, Some(secret)) = (&slot, profile) {
        *slot = Some(secret.read().map_err(Failure::refused)?);
    }
    Ok(())
}

/// Where requests go is one setting: `--region` or `--base-url` on the command line wins over
/// the profile's `region` or `base_url`, whichever of the two each one gives.
pub(crate) fn fill_endpoint<R: Clone>(
    region: &mut Option<R>,
    host: &mut HostArgs,
    profile: Option<&Endpoint<R>>,
) {
    if region.is_some() || host.base_url.is_some() {
        return;
    }
    match profile {
        Some(Endpoint::Region(r)) => *region = Some(r.clone()),
        Some(Endpoint::BaseUrl(url)) => host.base_url = Some(url.clone()),
        None => {}
    }
}

impl HostArgs {
    /// `--timeout` and the quota flags, else the profile's.
    pub(crate) fn fill_from(&mut self, profile: &HostProfile) -> Result<(), Failure> {
        fill(&mut self.timeout, profile.timeout.as_ref());
        self.quota.fill_from(profile)
    }
}

impl QuotaArgs {
    /// The quota flags, else the profile's. Off, in process or through Redis is one setting:
    /// `--no-rate-limit` or a Redis URL (flag or `ROOMKV_REDIS_URL`) wins over the profile's
    /// choice, and the profile's fleet settings then apply only if it is Redis.
    pub(crate) fn fill_from(&mut self, profile: &HostProfile) -> Result<(), Failure> {
        fill(&mut self.max_rate_wait, profile.max_rate_wait.as_ref());
        if !self.no_rate_limit && self.redis_url.is_none() {
            self.no_rate_limit = profile.no_rate_limit;
            fill_secret(&mut self.redis_url, profile.redis_url.as_ref())?;
        }
        if self.redis_url.is_some() {
            fill(&mut self.fleet_size, profile.fleet_size.as_ref());
            self.redis_fail_closed |= profile.redis_fail_closed;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
