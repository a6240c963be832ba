//! What the steps of `roomkv demo` run against and in: the in-process emulator and the
//! clients ([`Demo`]), the time budgets, and the [`Runner`] that times each step and records
//! what it saw ([`Observation`]).

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use roomkv_emulator::{Emulator, EmulatorConfig, ServerHandle};
use roomkv_rongcloud::{AppKey, AppSecret, RetryPolicy, RongCloudSettings as _};
use roomkv_tencent::{Identifier, SecretKey, TencentSettings as _};

use super::report::{self, StepOutcome, Vendor};
use super::traffic::{Counting, Traffic};
use crate::failure::Failure;

/// The whole run must end within this, however the emulator behaves: the steps share it, and a
/// step that would start after it is reported as not run.
pub(super) const RUN_BUDGET: Duration = Duration::from_secs(45);

/// One step's budget, unless the step says otherwise.
pub(super) const STEP_BUDGET: Duration = Duration::from_secs(10);

/// The time limit of one HTTP exchange with the emulator.
const HTTP_TIMEOUT: Duration = Duration::from_secs(3);

/// How long stopping the emulator may take.
pub(super) const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// The retry policy of every client of the demo: patient with throttling, which the vendors
/// answer when a quota is spent, so that a burst over the quota (or `--quota-scale 0.05`, where
/// group expansion writes get one per second) is absorbed by backoff. Retry safety is the
/// clients' own: writes whose outcome is unknown are still never repeated.
fn retry_policy() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(15)
        .with_initial_backoff(Duration::from_millis(50))
        .with_throttle_backoff(Duration::from_millis(250))
        .with_max_backoff(Duration::from_secs(1))
        .with_total_budget(Some(Duration::from_secs(20)))
}

/// The emulator and the clients the steps use.
pub(crate) struct Demo {
    /// The emulator, in this process.
    pub(super) emulator: Emulator,
    /// Where it listens.
    pub(super) base_url: String,
    /// The app key of its RongCloud app.
    pub(super) rongcloud_app_key: String,
    rongcloud_secret: String,
    /// A RongCloud client of the demo app.
    pub(super) rongcloud: roomkv_rongcloud::Client,
    /// A Tencent client of the demo app.
    pub(super) tencent: roomkv_tencent::Client,
    /// Every request of every client the demo built (steps run one at a time, so a step can tell
    /// what it sent by the difference).
    pub(super) traffic: Arc<Traffic>,
}

impl Demo {
    /// Serves a fresh emulator with its demo credentials on `127.0.0.1:0`, and builds a client
    /// of each vendor against it.
    pub(super) async fn start(quota_scale: f64) -> Result<(Self, ServerHandle), Failure> {
        let mut config = EmulatorConfig::default();
        let listen = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        config.listen = listen;
        config.quota.rate_scale = quota_scale;
        let rongcloud_app = config
            .rongcloud_apps
            .first()
            .cloned()
            .ok_or_else(|| Failure::runtime("the emulator has no RongCloud app"))?;
        let tencent_app = config
            .tencent_apps
            .first()
            .cloned()
            .ok_or_else(|| Failure::runtime("the emulator has no Tencent app"))?;

        let emulator = Emulator::new(config);
        let server = emulator
            .serve(listen)
            .await
            .map_err(|err| Failure::runtime(format!("cannot listen on {listen}: {err}")))?;
        let base_url = server.base_url();

        let traffic = Arc::new(Traffic::default());
        let rongcloud = roomkv_rongcloud::Client::builder()
            .app_key(AppKey::new(rongcloud_app.app_key.clone()))
            .app_secret(AppSecret::new(rongcloud_app.app_secret.expose()))
            .base_url(base_url.clone())
            .http_client(http_client(&[&traffic])?)
            .retry_policy(retry_policy())
            .build()
            .map_err(|err| Failure::runtime(format!("cannot build the RongCloud client: {err}")))?;
        let admin = Identifier::parse(tencent_app.admin.clone())
            .map_err(|err| Failure::runtime(format!("the emulator's Tencent admin: {err}")))?;
        let tencent = roomkv_tencent::Client::builder()
            .sdkappid(tencent_app.sdkappid)
            .secret_key(SecretKey::new(tencent_app.secret_key.expose()))
            .admin(admin)
            .base_url(base_url.clone())
            .http_client(http_client(&[&traffic])?)
            .retry_policy(retry_policy())
            .build()
            .map_err(|err| Failure::runtime(format!("cannot build the Tencent client: {err}")))?;
        let demo = Self {
            emulator,
            base_url,
            rongcloud_app_key: rongcloud_app.app_key,
            rongcloud_secret: rongcloud_app.app_secret.expose().to_owned(),
            rongcloud,
            tencent,
            traffic,
        };
        Ok((demo, server))
    }

    /// A builder of another RongCloud client of the demo app (for a wrong secret, for counting a
    /// burst apart), counting into the demo's traffic and `own` too.
    pub(crate) fn rongcloud_builder(
        &self,
        own: &Arc<Traffic>,
    ) -> Result<roomkv_rongcloud::ClientBuilder, Failure> {
        Ok(roomkv_rongcloud::Client::builder()
            .app_key(AppKey::new(self.rongcloud_app_key.clone()))
            .app_secret(AppSecret::new(self.rongcloud_secret.clone()))
            .base_url(self.base_url.clone())
            .http_client(http_client(&[&self.traffic, own])?)
            .retry_policy(retry_policy()))
    }
}

/// The built-in HyperClient with the demo's time limit, counting into `counters`.
fn http_client(counters: &[&Arc<Traffic>]) -> Result<roomkv_transport::SharedHttpClient, Failure> {
    Counting::shared(HTTP_TIMEOUT, counters)
        .map_err(|err| Failure::runtime(format!("cannot build the HTTP client: {err}")))
}

/// Runs the steps one after the other within [`RUN_BUDGET`], timing each.
pub(crate) struct Runner {
    deadline: Instant,
    pub(super) outcomes: Vec<StepOutcome>,
}

/// What a step saw: whether it is what is documented, in a few words, and how long the calls
/// that matter took (the whole step when `None`).
pub(crate) struct Observation {
    ok: bool,
    observed: String,
    latency: Option<Duration>,
}

impl Observation {
    /// What the step saw, and whether it matches the expectation.
    pub(crate) fn new(ok: bool, observed: impl Into<String>) -> Self {
        Self {
            ok,
            observed: observed.into(),
            latency: None,
        }
    }

    /// The same observation, timed over `latency` only (the step also did setup or checks).
    pub(crate) fn latency(mut self, latency: Duration) -> Self {
        self.latency = Some(latency);
        self
    }
}

impl Runner {
    pub(super) fn new(deadline: Instant) -> Self {
        Self {
            deadline,
            outcomes: Vec::new(),
        }
    }

    /// Runs one step within `budget` (and what is left of the run's), and records its outcome.
    /// A step that cannot observe anything (`Err`) did not behave as documented.
    pub(crate) async fn step(
        &mut self,
        vendor: Vendor,
        operation: &str,
        expected: impl Into<String>,
        budget: Duration,
        step: impl Future<Output = Result<Observation, String>>,
    ) {
        let expected = expected.into();
        let budget = budget.min(self.deadline.saturating_duration_since(Instant::now()));
        let start = Instant::now();
        let observation = if budget.is_zero() {
            Observation::new(false, "not run: the demo's time budget is spent")
        } else {
            match tokio::time::timeout(budget, step).await {
                Ok(Ok(observation)) => observation,
                Ok(Err(problem)) => Observation::new(false, problem),
                Err(_) => Observation::new(
                    false,
                    format!("no result within {}", report::format_latency(budget)),
                ),
            }
        };
        let latency = observation.latency.unwrap_or_else(|| start.elapsed());
        tracing::info!(
            vendor = vendor.name(),
            operation,
            expected,
            observed = observation.observed,
            ok = observation.ok,
            ?latency,
            "demo step"
        );
        self.outcomes.push(StepOutcome {
            vendor,
            operation: operation.to_owned(),
            expected,
            observed: observation.observed,
            ok: observation.ok,
            latency,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn run_one(
        budget: Duration,
        deadline: Instant,
        step: impl Future<Output = Result<Observation, String>>,
    ) -> StepOutcome {
        let mut runner = Runner::new(deadline);
        runner
            .step(Vendor::RongCloud, "entry set", "ok", budget, step)
            .await;
        runner.outcomes.remove(0)
    }

    fn later() -> Instant {
        Instant::now() + Duration::from_secs(60)
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_step_passes_only_when_it_says_so() {
        let outcome = run_one(STEP_BUDGET, later(), async {
            Ok(Observation::new(true, "ok").latency(Duration::from_millis(3)))
        })
        .await;
        assert!(outcome.ok);
        assert_eq!(outcome.observed, "ok");
        assert_eq!(outcome.expected, "ok");
        assert_eq!(outcome.latency, Duration::from_millis(3));

        let outcome = run_one(STEP_BUDGET, later(), async {
            Ok(Observation::new(false, "code 1004 (HTTP 401)"))
        })
        .await;
        assert!(!outcome.ok);
        assert_eq!(outcome.observed, "code 1004 (HTTP 401)");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_step_that_cannot_observe_fails() {
        let outcome = run_one(STEP_BUDGET, later(), async {
            Err("setup: room create: code 60009".to_owned())
        })
        .await;
        assert!(!outcome.ok);
        assert_eq!(outcome.observed, "setup: room create: code 60009");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_step_over_its_budget_fails_without_waiting_longer() {
        let start = Instant::now();
        let outcome = run_one(Duration::from_millis(50), later(), async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok(Observation::new(true, "ok"))
        })
        .await;
        assert!(start.elapsed() < Duration::from_secs(10));
        assert!(!outcome.ok);
        assert_eq!(outcome.observed, "no result within 50.0 ms");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_step_after_the_run_budget_is_not_run() {
        let outcome = run_one(STEP_BUDGET, Instant::now(), async {
            Ok(Observation::new(true, "ok"))
        })
        .await;
        assert!(!outcome.ok);
        assert_eq!(outcome.observed, "not run: the demo's time budget is spent");
    }
}
