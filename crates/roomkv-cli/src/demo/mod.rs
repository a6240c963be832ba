//! `roomkv demo`: starts the emulator in-process on a loopback port, drives every operation of
//! both vendors through the real SDK clients over HTTP, then the documented failure paths, and
//! prints a table of what happened. Exit 0 only when every step behaved as documented.
//!
//! - [`steps`]: the steps, each with its documented expectation;
//! - [`report`]: the table (and `--json`) and the pass / fail verdict;
//! - [`traffic`]: the built-in HTTP client with counters, to show what went over the wire.

mod report;
mod steps;
mod traffic;

use std::future::Future;
use std::io::{self, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use roomkv_emulator::{Emulator, EmulatorConfig, ServerHandle};
use roomkv_rongcloud::{AppKey, AppSecret, RetryPolicy};
use roomkv_tencent::{Identifier, SecretKey};

use crate::failure::Failure;

use self::report::{Report, StepOutcome, Vendor};
use self::traffic::{Counting, Traffic};

/// The whole run must end within this, however the emulator behaves: the steps share it, and a
/// step that would start after it is reported as not run.
const RUN_BUDGET: Duration = Duration::from_secs(45);

/// One step's budget, unless the step says otherwise.
const STEP_BUDGET: Duration = Duration::from_secs(10);

/// The time limit of one HTTP exchange with the emulator.
const HTTP_TIMEOUT: Duration = Duration::from_secs(3);

/// How long stopping the emulator may take.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

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

const DEMO_EXAMPLES: &str = "\
Examples:
  The main job: every operation of both vendors against the embedded emulator:
    cargo run --release -p roomkv-cli -- demo

  The same report as one JSON document, with what each step did logged on stderr:
    roomkv -v demo --json

Output (abridged):
  roomkv demo: emulator on http://127.0.0.1:37501 (RongCloud app key demo-app-key, Tencent SDKAppID 1400000000)

   #  vendor     operation                      expected                                   observed                                                                latency  result
   1  rongcloud  entry set                      ok; 1 RC:chrmKVNotiMsg recorded            ok; 1 RC:chrmKVNotiMsg recorded                                         0.70 ms  PASS
  ...
  20  rongcloud  entry set x200, paced          200 of 200 ok; 0 throttled answers (429/1008)  200 of 200 ok; 0 throttled answers (429/1008) retried; 200 sent          1.81 s  PASS
  21  rongcloud  entry set x200, unpaced        200 of 200 ok; throttled ones retried          200 of 200 ok; 204 throttled answers (429/1008) retried; 404 sent        1.78 s  PASS

  summary: 21 of 21 steps behaved as documented; 629 HTTP requests; total time 3.72 s";

/// Show every operation of both vendors against an in-process emulator, and what happened.
///
/// Starts the emulator on a free loopback port with its demo credentials, then drives, through
/// the real RongCloud and Tencent clients over HTTP: RongCloud entry set (with the
/// RC:chrmKVNotiMsg notification), batch set, query, remove, batch remove, expansion set, query,
/// delete; Tencent room create, info, metadata set, get, delete, room destroy. Then the
/// documented failure paths: an oversize key refused before sending, a wrong secret (HTTP 401,
/// 1004), deleting Tencent keys that do not exist (100503), a reply lost after the write was
/// applied (outcome unknown, no duplicate notification), and a burst over the vendor's quota,
/// once paced by the client's rate limiter (never throttled) and once without it (throttled
/// answers absorbed by backoff).
///
/// Prints a table (vendor, operation, expected, observed, latency, result) and a summary line on
/// stdout; logs (-v) go to stderr. Exits 0 when every step behaved as documented, 1 otherwise.
#[derive(Debug, Args)]
#[command(after_long_help = DEMO_EXAMPLES)]
pub(crate) struct DemoArgs {
    /// Print the report as one JSON document instead of the table
    #[arg(long)]
    pub(crate) json: bool,

    /// Multiply the emulator's documented rate limits by F (0.05 to 2); the burst step sends
    /// twice one second's quota
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = quota_scale)]
    pub(crate) quota_scale: f64,
}

/// Parses `--quota-scale`: a number from 0.05 to 2, so that the burst stays between 10 and 400
/// concurrent requests.
fn quota_scale(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if (0.05..=2.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{value} is not between 0.05 and 2"))
    }
}

/// The emulator and the clients the steps use.
pub(crate) struct Demo {
    emulator: Emulator,
    base_url: String,
    rongcloud_app_key: String,
    rongcloud_secret: String,
    rongcloud: roomkv_rongcloud::Client,
    tencent: roomkv_tencent::Client,
    /// Every request of every client the demo built (steps run one at a time, so a step can tell
    /// what it sent by the difference).
    traffic: Arc<Traffic>,
}

impl Demo {
    /// Serves a fresh emulator with its demo credentials on `127.0.0.1:0`, and builds a client
    /// of each vendor against it.
    async fn start(quota_scale: f64) -> Result<(Self, ServerHandle), Failure> {
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
    outcomes: Vec<StepOutcome>,
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
    fn new(deadline: Instant) -> Self {
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

impl DemoArgs {
    /// Runs the demo and prints its report; fails (exit 1) when a step did not behave as
    /// documented.
    pub(crate) async fn run(self) -> Result<(), Failure> {
        let args = self;
        let started = Instant::now();
        let (demo, server) = Demo::start(args.quota_scale).await?;
        tracing::info!(emulator = demo.base_url, "emulator started");

        let mut runner = Runner::new(started + RUN_BUDGET);
        steps::run_all(&demo, &mut runner).await;

        if !server.shutdown_within(SHUTDOWN_GRACE).await {
            tracing::warn!("the emulator did not stop within {SHUTDOWN_GRACE:?}");
        }
        let report = Report {
            emulator: demo.base_url.clone(),
            steps: runner.outcomes,
            requests: demo.traffic.requests(),
            total: started.elapsed(),
        };

        let mut out = io::stdout().lock();
        let written = if args.json {
            writeln!(out, "{:#}", report.json())
        } else {
            writeln!(
                out,
                "roomkv demo: emulator on {} (RongCloud app key {}, Tencent SDKAppID {})\n",
                demo.base_url,
                demo.rongcloud_app_key,
                demo.tencent.sdkappid()
            )
            .and_then(|()| write!(out, "{}", report.table()))
            .and_then(|()| {
                let details = report.details();
                if details.is_empty() {
                    Ok(())
                } else {
                    write!(out, "\nin full:\n{details}")
                }
            })
            .and_then(|()| writeln!(out, "\n{}", report.summary()))
        };
        written
            .and_then(|()| out.flush())
            .map_err(|err| Failure::runtime(format!("cannot write the report: {err}")))?;

        if report.passed() {
            Ok(())
        } else {
            let failed = report.failed().len();
            Err(Failure::runtime(format!(
                "demo: {failed} of {} steps did not behave as documented",
                report.steps.len()
            )))
        }
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

    #[test]
    fn the_quota_scale_is_bounded() {
        assert_eq!(quota_scale("1"), Ok(1.0));
        assert_eq!(quota_scale("0.05"), Ok(0.05));
        assert_eq!(quota_scale("2"), Ok(2.0));
        for bad in ["0", "0.01", "2.5", "NaN", "inf", "-1", "fast"] {
            assert!(quota_scale(bad).is_err(), "{bad}");
        }
    }
}
