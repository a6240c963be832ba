//! Lays a profile under the parsed command line: each setting the flags and the environment
//! left unset is taken from the profile. Secrets the profile names are read only when used.

use super::file::{Endpoint, HostProfile, RongCloudProfile, TencentProfile};
use super::secret::SecretRef;
use crate::cli::quota::QuotaArgs;
use crate::cli::shared::{HostArgs, Secret};
use crate::cli::{rongcloud, tencent};
use crate::failure::Failure;

/// `slot`, or else the profile's value.
fn fill<T: Clone>(slot: &mut Option<T>, profile: Option<&T>) {
    if slot.is_none() {
        *slot = profile.cloned();
    }
}

/// `slot`, or else the profile's secret, read now.
fn fill_secret(slot: &mut Option<Secret>, profile: Option<&SecretRef>) -> Result<(), Failure> {
    if let (None, Some(secret)) = (&slot, profile) {
        *slot = Some(secret.read().map_err(Failure::refused)?);
    }
    Ok(())
}

/// Where requests go is one setting: `--region` or `--base-url` on the command line wins over
/// the profile's `region` or `base_url`, whichever of the two each one gives.
fn fill_endpoint<R: Clone>(
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
    fn fill_from(&mut self, profile: &HostProfile) -> Result<(), Failure> {
        fill(&mut self.timeout, profile.timeout.as_ref());
        self.quota.fill_from(profile)
    }
}

impl QuotaArgs {
    /// The quota flags, else the profile's. Off, in process or through Redis is one setting:
    /// `--no-rate-limit` or a Redis URL (flag or `ROOMKV_REDIS_URL`) wins over the profile's
    /// choice, and the profile's fleet settings then apply only if it is Redis.
    fn fill_from(&mut self, profile: &HostProfile) -> Result<(), Failure> {
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

impl rongcloud::Credentials {
    /// These credentials over the profile's `[rongcloud]` table.
    pub(crate) fn fill_from(&mut self, profile: &RongCloudProfile) -> Result<(), Failure> {
        fill(&mut self.app_key, profile.app_key.as_ref());
        fill_secret(&mut self.app_secret, profile.app_secret.as_ref())
    }
}

impl tencent::Credentials {
    /// These credentials over the profile's `[tencent]` table.
    pub(crate) fn fill_from(&mut self, profile: &TencentProfile) -> Result<(), Failure> {
        fill(&mut self.sdkappid, profile.sdkappid.as_ref());
        fill_secret(&mut self.secret_key, profile.secret_key.as_ref())?;
        fill(&mut self.admin, profile.admin.as_ref());
        Ok(())
    }
}

impl rongcloud::Connection {
    /// These settings over the profile's `[rongcloud]` table.
    pub(crate) fn with_profile(mut self, profile: &RongCloudProfile) -> Result<Self, Failure> {
        self.credentials.fill_from(profile)?;
        fill(&mut self.dialect, profile.dialect.as_ref());
        fill_endpoint(&mut self.region, &mut self.host, profile.endpoint.as_ref());
        self.host.fill_from(&profile.host)?;
        Ok(self)
    }
}

impl tencent::Connection {
    /// These settings over the profile's `[tencent]` table.
    pub(crate) fn with_profile(mut self, profile: &TencentProfile) -> Result<Self, Failure> {
        self.credentials.fill_from(profile)?;
        fill_endpoint(&mut self.region, &mut self.host, profile.endpoint.as_ref());
        self.host.fill_from(&profile.host)?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests;
