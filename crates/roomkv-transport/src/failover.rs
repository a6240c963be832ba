//! Host failover: an ordered list of base URLs (primary, backup, …) with a remembered switch.

use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use http::{StatusCode, Uri};

use crate::metrics::{HostLabel, HostMeter};
use crate::{Clock, SharedClock, TransportError, check_url};

/// The default time after which an [`HostSet`] returns to its primary host.
pub const DEFAULT_COOL_DOWN: Duration = Duration::from_secs(60);

/// An ordered list of base URLs (primary first, then backups) and which one is active.
///
/// This follows the vendors' failover advice: keep the current host in memory; on a timeout,
/// connection failure or unexpected status, switch *immediately* to the next host; remember the
/// switch for later requests. After a cool-down (default [`DEFAULT_COOL_DOWN`], measured with
/// the injected [`Clock`]'s monotonic time from the last switch) the set goes back to the
/// primary. After the last host it wraps around to the primary.
///
/// Which outcomes count as a failure is the caller's decision; report them with
/// [`report_failure`](Self::report_failure), passing the [`HostChoice`] the failed request used.
/// Only a report about the *currently active* host switches, so many concurrent requests
/// failing on the same host switch once, not once each, and late reports about a host that is
/// no longer active are ignored.
///
/// All methods are synchronous and lock a small mutex only briefly, never across an `.await`.
///
/// ```
/// use roomkv_transport::HostSet;
///
/// let hosts = HostSet::new(["https://api.example.com", "https://api-b.example.com"]).unwrap();
/// let first = hosts.current();
/// assert!(first.is_primary());
///
/// // Two requests were in flight on the primary and both timed out:
/// assert!(hosts.report_failure(&first)); // switches
/// assert!(!hosts.report_failure(&first)); // already switched: ignored
/// assert_eq!(hosts.current().base(), "https://api-b.example.com/");
/// ```
pub struct HostSet {
    hosts: Vec<Uri>,
    labels: Vec<HostLabel>,
    meter: HostMeter,
    pinned: bool,
    cool_down: Option<Duration>,
    clock: SharedClock,
    state: Mutex<State>,
}

#[derive(Debug, Clone, Copy)]
struct State {
    active: usize,
    /// Increases with every change of `active`, so stale reports can be told apart.
    epoch: u64,
    /// Monotonic time of the last switch away from the primary.
    switched_at: Duration,
}

/// The host chosen for one request, as returned by [`HostSet::current`].
///
/// Keep it until the request's outcome is known and hand it back to
/// [`HostSet::report_failure`] if the host failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostChoice {
    base: Uri,
    index: usize,
    epoch: u64,
}

impl HostChoice {
    /// The base URL of the host, as given to [`HostSet::new`].
    pub fn base(&self) -> &Uri {
        &self.base
    }

    /// The host's position in the list (`0` is the primary).
    pub fn index(&self) -> usize {
        self.index
    }

    /// Whether this is the primary host.
    pub fn is_primary(&self) -> bool {
        self.index == 0
    }
}

impl HostSet {
    /// A failover set over `urls`, primary first.
    ///
    /// Each URL must be absolute `https://` (or `http://` to a loopback host, see
    /// [`check_url`]), without a query. A path is allowed and kept (as a prefix for requests).
    ///
    /// # Errors
    ///
    /// An [`is_invalid`](TransportError::is_invalid) error if the list is empty or a URL is
    /// refused.
    pub fn new<I>(urls: I) -> Result<Self, TransportError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let hosts = urls
            .into_iter()
            .map(|u| parse_base(u.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        if hosts.is_empty() {
            return Err(TransportError::invalid(
                "a failover set needs at least one base URL",
            ));
        }
        Ok(Self {
            labels: hosts.iter().map(HostLabel::new).collect(),
            meter: HostMeter::default(),
            hosts,
            pinned: false,
            cool_down: Some(DEFAULT_COOL_DOWN),
            clock: SharedClock::default(),
            state: Mutex::new(State {
                active: 0,
                epoch: 0,
                switched_at: Duration::ZERO,
            }),
        })
    }

    /// A set with a single host that never switches (for `--base-url`, an emulator, a proxy).
    ///
    /// # Errors
    ///
    /// As [`HostSet::new`].
    ///
    /// ```
    /// use roomkv_transport::HostSet;
    ///
    /// let one = HostSet::pinned("http://127.0.0.1:8080").unwrap();
    /// let e = one.current();
    /// assert!(!one.report_failure(&e));
    /// assert_eq!(one.current(), e);
    /// ```
    pub fn pinned(url: &str) -> Result<Self, TransportError> {
        let mut set = Self::new([url])?;
        set.pinned = true;
        Ok(set)
    }

    /// Return to the primary this long after the last switch; `None` stays on the switched
    /// host until it fails in turn.
    pub fn with_cool_down(mut self, cool_down: Option<Duration>) -> Self {
        self.cool_down = cool_down;
        self
    }

    /// Measure the cool-down with `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = SharedClock::new(clock);
        self
    }

    /// Records this set's host switches and active host as `vendor`'s
    /// ([metrics](crate::metrics), feature `metrics`).
    #[cfg(feature = "metrics")]
    pub fn with_metrics(mut self, vendor: &'static str) -> Self {
        let active = self.lock().active;
        self.meter = HostMeter::new(vendor, &self.labels, active);
        self
    }

    /// The hosts' labels in metrics, primary first.
    #[cfg(feature = "metrics")]
    pub(crate) fn labels(&self) -> &[HostLabel] {
        &self.labels
    }

    /// All base URLs, primary first.
    pub fn hosts(&self) -> &[Uri] {
        &self.hosts
    }

    /// Whether this set never switches.
    pub fn is_pinned(&self) -> bool {
        self.pinned || self.hosts.len() == 1
    }

    /// The configured cool-down.
    pub fn cool_down(&self) -> Option<Duration> {
        self.cool_down
    }

    /// The host to use now. Returns to the primary first if the cool-down has passed.
    pub fn current(&self) -> HostChoice {
        let mut state = self.lock();
        if state.active != 0
            && let Some(cool_down) = self.cool_down
            && self.clock.monotonic().saturating_sub(state.switched_at) >= cool_down
        {
            tracing::info!(
                from = %self.hosts[state.active],
                to = %self.hosts[0],
                "failover cool-down over; returning to the primary host"
            );
            self.meter
                .switched(&self.labels[state.active], &self.labels[0]);
            state.active = 0;
            state.epoch += 1;
        }
        self.choice(&state)
    }

    /// Reports that a request sent to `observed` failed in a way that calls for another host.
    ///
    /// Switches to the next host only if `observed` is still the active host (same host,
    /// no switch since it was handed out). Returns whether this call switched.
    pub fn report_failure(&self, observed: &HostChoice) -> bool {
        if self.is_pinned() {
            return false;
        }
        let mut state = self.lock();
        if state.active != observed.index || state.epoch != observed.epoch {
            return false;
        }
        let next = (state.active + 1) % self.hosts.len();
        tracing::warn!(
            from = %self.hosts[state.active],
            to = %self.hosts[next],
            "switching to the next host after a failure"
        );
        self.meter
            .switched(&self.labels[state.active], &self.labels[next]);
        state.active = next;
        state.epoch += 1;
        state.switched_at = self.clock.monotonic();
        true
    }

    /// Goes back to the primary host now.
    pub fn reset(&self) {
        let mut state = self.lock();
        if state.active != 0 {
            self.meter
                .switched(&self.labels[state.active], &self.labels[0]);
            state.active = 0;
            state.epoch += 1;
        }
    }

    fn choice(&self, state: &State) -> HostChoice {
        HostChoice {
            base: self.hosts[state.active].clone(),
            index: state.active,
            epoch: state.epoch,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is always consistent between statements, so a poisoned lock is usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for HostSet {
    fn drop(&mut self) {
        let active = self.lock().active;
        self.meter.released(&self.labels[active]);
    }
}

impl fmt::Debug for HostSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = *self.lock();
        f.debug_struct("HostSet")
            .field("hosts", &self.hosts)
            .field("active", &state.active)
            .field("pinned", &self.is_pinned())
            .field("cool_down", &self.cool_down)
            .field("clock", &self.clock)
            .finish()
    }
}

fn parse_base(url: &str) -> Result<Uri, TransportError> {
    let uri: Uri = url
        .parse()
        .map_err(|_| TransportError::invalid(format!("`{url}` is not a valid URL")))?;
    check_url(&uri)?;
    if uri.query().is_some() {
        return Err(TransportError::invalid(format!(
            "base URL `{url}` must not have a query"
        )));
    }
    Ok(uri)
}

/// Whether an HTTP status calls for failover: any `5xx`, or one of the statuses the caller
/// declares unexpected for its API.
///
/// Vendors that answer business errors with `200` (and signature failures with `401`) can pass
/// the statuses they never expect, for example `[StatusCode::NOT_FOUND]` for a gateway that
/// lost its routes.
///
/// ```
/// use http::StatusCode;
/// use roomkv_transport::is_failover_status;
///
/// assert!(is_failover_status(StatusCode::BAD_GATEWAY, &[]));
/// assert!(!is_failover_status(StatusCode::OK, &[]));
/// assert!(!is_failover_status(StatusCode::NOT_FOUND, &[]));
/// assert!(is_failover_status(StatusCode::NOT_FOUND, &[StatusCode::NOT_FOUND]));
/// ```
pub fn is_failover_status(status: StatusCode, unexpected: &[StatusCode]) -> bool {
    status.is_server_error() || unexpected.contains(&status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_bad_urls() {
        assert!(HostSet::new(Vec::<String>::new()).unwrap_err().is_invalid());
        assert!(
            HostSet::new(["http://api.example.com"])
                .unwrap_err()
                .is_invalid()
        );
        assert!(HostSet::new(["not a url"]).unwrap_err().is_invalid());
        assert!(
            HostSet::new(["https://a.example/?x=1"])
                .unwrap_err()
                .is_invalid()
        );
        assert!(HostSet::new(["/relative"]).unwrap_err().is_invalid());
        assert!(HostSet::new(["http://127.0.0.1:1", "https://b.example/v4"]).is_ok());
    }

    #[test]
    fn wraps_around_after_the_last_host() {
        let set = HostSet::new([
            "https://a.example",
            "https://b.example",
            "https://c.example",
        ])
        .unwrap()
        .with_cool_down(None);
        let mut seen = Vec::new();
        for _ in 0..4 {
            let e = set.current();
            seen.push(e.index());
            assert!(set.report_failure(&e));
        }
        assert_eq!(seen, [0, 1, 2, 0]);
    }

    #[test]
    fn stale_report_after_reset_is_ignored() {
        let set = HostSet::new(["https://a.example", "https://b.example"]).unwrap();
        let old = set.current();
        assert!(set.report_failure(&old));
        set.reset();
        // `old` names the primary, which is active again, but it predates the reset.
        assert!(!set.report_failure(&old));
        assert!(set.current().is_primary());
    }
}
