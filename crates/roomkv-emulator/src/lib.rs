//! roomkv-emulator: a stateful local emulator of RongCloud / Nexconn chat-room KV and message
//! expansions and of Tencent Cloud Live rooms and room metadata.
//!
//! One [`Emulator`] serves both vendors (their paths do not collide) from one state, either over
//! HTTP ([`Emulator::serve`]) or in memory ([`Emulator::http_client`], an
//! [`HttpClient`](roomkv_transport::HttpClient) for the SDK; [`Emulator::handle`],
//! [`Emulator::respond`]), so SDK tests can run without sockets.
//!
//! Every vendor operation is routed, decoded, validated and answered through `roomkv-core`'s
//! server codecs, and signatures and UserSigs are verified with `roomkv-sign` by default
//! ([`auth::SignAuthenticator`]; [`config::SignatureCheck::Unchecked`] replays requests whose
//! secrets are unknown):
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use roomkv_emulator::{Emulator, EmulatorConfig};
//!
//! let emulator = Emulator::new(EmulatorConfig::default());
//! let server = emulator.serve("127.0.0.1:0").await?;
//! println!("roomkv emulator listening on {}", server.base_url());
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! Module map:
//! - [`state`]: the vendors' state machines (chat-room KV with owners and `autoDelete`, message
//!   expansions, Tencent rooms and metadata) and the event log. Pure and synchronous.
//! - [`quota`]: per-app GCRA rate limits over the monotonic time of an injected [`clock::Clock`]
//!   (the project's one clock trait, `roomkv_transport::Clock`).
//! - [`auth`]: signature and UserSig verification ([`auth::SignAuthenticator`], the
//!   [`auth::Authenticator`] seam) and strict-mode replay bookkeeping.
//! - [`client`]: the in-memory HTTP client, [`EmulatorClient`].
//! - [`faults`]: fault-injection rules.
//! - [`journal`]: the request journal (every vendor request, with an explanation of each
//!   refusal), served at `/_emulator/requests` and counted at `/_emulator/stats`; the web
//!   console at `/_emulator/ui` shows it with the state, events, quotas and faults.
//! - [`persist`]: the state file that keeps the state across restarts (`--state FILE`).
//! - [`events`]: the recorded notifications, KV-sync webhooks and Tencent callbacks.
//! - [`webhooks`]: delivery of the recorded callbacks to application servers, with the vendors'
//!   signatures and retry rules.
//! - [`config`]: [`EmulatorConfig`] and the codes chosen where vendors are silent.
//! - [`clock`]: time through the project's one clock trait, `roomkv_transport::Clock`.
//!
//! The HTTP surface (vendor paths and the `/_emulator/…` control API) is described in the
//! crate's README.

pub mod auth;
pub mod client;
pub mod clock;
pub mod config;
mod connection;
mod console;
mod control;
pub mod events;
mod explain;
pub mod faults;
pub mod journal;
pub mod persist;
pub mod quota;
mod rng;
mod server;
mod service;
mod shards;
pub mod state;
mod usersig_cache;
pub mod webhooks;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use roomkv_core::{ApiError, QuotaCost, RongCloudCode, TencentCode};

pub use crate::client::EmulatorClient;
pub use crate::config::EmulatorConfig;
pub use crate::server::{ServerHandle, ServerStats};
pub use crate::service::Exchange;

use crate::auth::{Authenticator, ReplayGuard, SignAuthenticator, UncheckedSignatures};
use crate::clock::{Clock, SharedClock, since_epoch, to_millis};
use crate::config::{Secret, SignatureCheck};
use crate::faults::{FaultInjector, FaultPlan, FaultRule, FaultRuleError};
use crate::journal::{Journal, JournalFilter, JournalPage, QuotaMeter};
use crate::persist::{PersistError, Persister};
use crate::quota::{AppQuota, QuotaEnforcer, QuotaExceeded};
use crate::state::{Snapshot, State};
use crate::usersig_cache::UserSigCache;
use crate::webhooks::Webhooks;
use roomkv_transport::SharedHttpClient;

/// A RongCloud app as the emulator holds it.
#[derive(Debug)]
struct RongCloudAppState {
    app_key: String,
    secret: Secret,
    quota: AppQuota,
}

/// A Tencent app as the emulator holds it.
#[derive(Debug)]
struct TencentAppState {
    sdkappid: u64,
    secret: Secret,
    admin: String,
    quota: AppQuota,
}

struct Inner {
    config: EmulatorConfig,
    state: Arc<State>,
    clock: SharedClock,
    authenticator: Arc<dyn Authenticator>,
    /// The UserSigs `authenticator` accepted, until they expire.
    usersigs: UserSigCache,
    limiter: QuotaEnforcer,
    rongcloud_apps: HashMap<String, RongCloudAppState>,
    tencent_apps: HashMap<u64, TencentAppState>,
    replay: ReplayGuard,
    faults: FaultInjector,
    tencent_seq: AtomicU64,
    /// Set with a state file: saves the state and tells when a change is on disk.
    persister: Option<Persister>,
    webhooks: Option<Webhooks>,
    /// The counters of every listener serving this emulator, for `/_emulator/connections`.
    servers: std::sync::Mutex<Vec<ServerStats>>,
    journal: Journal,
}

/// The emulator: state, configuration and the request handler. Cheap to clone (shared state).
#[derive(Clone)]
pub struct Emulator {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// Builds an [`Emulator`] with a non-default clock or authenticator.
///
/// ```
/// use roomkv_emulator::{Emulator, EmulatorConfig};
/// use roomkv_transport::test_util::FixedClock;
///
/// let clock = FixedClock::from_unix_secs(1_700_000_000);
/// let emulator = Emulator::builder(EmulatorConfig::default()).clock(clock).build();
/// assert_eq!(emulator.now_ms(), 1_700_000_000_000);
/// ```
pub struct EmulatorBuilder {
    config: EmulatorConfig,
    clock: SharedClock,
    authenticator: Option<Arc<dyn Authenticator>>,
    state_file: Option<(PathBuf, Option<Snapshot>)>,
    state_notes: Vec<persist::StartNote>,
    webhook_client: Option<SharedHttpClient>,
}

impl std::fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("config", &self.config)
            .field(
                "state_file",
                &self.state_file.as_ref().map(|(path, _)| path),
            )
            .finish_non_exhaustive()
    }
}

impl EmulatorBuilder {
    /// Keeps the state in the file `path` across restarts (see [`persist`] for the durability
    /// promise and the format): reads it now if it exists, or creates it with empty state.
    ///
    /// Fails, naming the file, when it cannot be read or written, is not a state file, is
    /// corrupt, or has another format version; a damaged file is never overwritten.
    ///
    /// ```
    /// use roomkv_emulator::{Emulator, EmulatorConfig};
    /// let dir = std::env::temp_dir().join(format!("roomkv-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let file = dir.join("state.json");
    /// let emulator = Emulator::builder(EmulatorConfig::default())
    ///     .state_file(&file)
    ///     .unwrap()
    ///     .build();
    /// assert!(file.exists());
    /// # drop(emulator);
    /// std::fs::write(&file, "not json").unwrap();
    /// assert!(Emulator::builder(EmulatorConfig::default()).state_file(&file).is_err());
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Result<Self, PersistError> {
        let path = path.into();
        let loaded = persist::load(&path)?;
        if loaded.snapshot.is_none() {
            persist::save(&path, &Snapshot::default())?;
        }
        for note in &loaded.notes {
            tracing::warn!("{note}");
        }
        self.state_notes = loaded.notes;
        self.state_file = Some((path, loaded.snapshot));
        Ok(self)
    }

    /// What [`Self::state_file`] did that the operator should hear of: a leftover temporary
    /// file removed, an empty file taken as an empty state.
    pub fn state_file_notes(&self) -> &[persist::StartNote] {
        &self.state_notes
    }

    /// Uses `clock` for quotas (its monotonic time), timestamps, strict-mode windows and UserSig
    /// expiry (its wall-clock time). Default: the system clock.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = SharedClock::new(clock);
        self
    }

    /// Uses `authenticator` for signature and UserSig checks, whatever
    /// [`EmulatorConfig::signatures`] says (default: [`SignAuthenticator`], or
    /// [`UncheckedSignatures`] with [`SignatureCheck::Unchecked`]).
    pub fn authenticator(mut self, authenticator: Arc<dyn Authenticator>) -> Self {
        self.authenticator = Some(authenticator);
        self
    }

    /// Delivers callbacks ([`webhooks`]) with `client` instead of the built-in `HyperClient`
    /// (an in-memory receiver for tests, or a client with TLS).
    pub fn webhook_client(mut self, client: SharedHttpClient) -> Self {
        self.webhook_client = Some(client);
        self
    }

    /// The emulator. Callback delivery, when configured, starts at once inside a tokio runtime,
    /// otherwise at the first [`Emulator::serve`] or [`Emulator::http_client`].
    pub fn build(self) -> Emulator {
        let config = self.config;
        let authenticator = self
            .authenticator
            .unwrap_or_else(|| match config.signatures {
                SignatureCheck::Unchecked => Arc::new(UncheckedSignatures),
                SignatureCheck::Verify => Arc::new(SignAuthenticator),
            });
        let rongcloud_apps = config
            .rongcloud_apps
            .iter()
            .map(|app| {
                let state = RongCloudAppState {
                    app_key: app.app_key.clone(),
                    secret: app.app_secret.clone(),
                    quota: AppQuota::new(),
                };
                (app.app_key.clone(), state)
            })
            .collect();
        let tencent_apps = config
            .tencent_apps
            .iter()
            .map(|app| {
                let state = TencentAppState {
                    sdkappid: app.sdkappid,
                    secret: app.secret_key.clone(),
                    admin: app.admin.clone(),
                    quota: AppQuota::new(),
                };
                (app.sdkappid, state)
            })
            .collect();
        let state = Arc::new(State::new(&config));
        // Restored before the webhooks are installed: a restart delivers no callbacks for
        // changes made before it.
        let persister = self.state_file.map(|(path, snapshot)| {
            if let Some(snapshot) = snapshot {
                state.restore(snapshot);
            }
            Persister::start(path, Arc::clone(&state))
        });
        let nonce_base = clock::to_nanos(since_epoch(&self.clock));
        let webhooks = Webhooks::install(&config.webhooks, &state, self.webhook_client, nonce_base);
        let inner = Inner {
            webhooks,
            state,
            persister,
            limiter: QuotaEnforcer::new(&config.limits, &config.quota),
            replay: ReplayGuard::new(config.strict_window),
            faults: FaultInjector::new(config.fault_seed),
            tencent_seq: AtomicU64::new(0),
            journal: Journal::new(config.journal_capacity),
            clock: self.clock,
            authenticator,
            usersigs: UserSigCache::default(),
            rongcloud_apps,
            tencent_apps,
            config,
            servers: std::sync::Mutex::new(Vec::new()),
        };
        let emulator = Emulator {
            inner: Arc::new(inner),
        };
        emulator.start_webhooks();
        emulator
    }
}

impl Emulator {
    /// An emulator with the system clock, checking signatures as `config` says (verified by
    /// default).
    pub fn new(config: EmulatorConfig) -> Self {
        Self::builder(config).build()
    }

    /// A builder, to inject a clock or an authenticator.
    pub fn builder(config: EmulatorConfig) -> EmulatorBuilder {
        EmulatorBuilder {
            config,
            clock: SharedClock::default(),
            authenticator: None,
            state_file: None,
            state_notes: Vec::new(),
            webhook_client: None,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &EmulatorConfig {
        &self.inner.config
    }

    /// The state, for direct inspection and manipulation in tests.
    pub fn state(&self) -> &State {
        &self.inner.state
    }

    /// With a state file, returns once every change made so far is on disk (at once without).
    /// The server calls it before answering each request.
    pub(crate) async fn durable(&self) {
        if let Some(persister) = &self.inner.persister {
            persister.durable().await;
        }
    }

    /// Counts the connections of a new listener in `/_emulator/connections`.
    pub(crate) fn track_server(&self, stats: ServerStats) {
        shards::lock(&self.inner.servers).push(stats);
    }

    /// Connections open now and refused so far because of the connection cap, over every
    /// listener this emulator has served on.
    pub fn connection_counts(&self) -> (u64, u64) {
        shards::lock(&self.inner.servers)
            .iter()
            .fold((0, 0), |(open, refused), stats| {
                (
                    open + stats.open_connections(),
                    refused + stats.refused_connections(),
                )
            })
    }

    /// The rate limiter (to switch enforcement at run time).
    pub fn quota_enforcer(&self) -> &QuotaEnforcer {
        &self.inner.limiter
    }

    /// The emulator's clock, in milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> u64 {
        to_millis(self.now())
    }

    /// The emulator's clock: wall-clock time since the Unix epoch.
    pub(crate) fn now(&self) -> std::time::Duration {
        since_epoch(&self.inner.clock)
    }

    /// Adds a fault rule (see [`faults`]).
    pub fn add_fault(&self, rule: FaultRule) -> Result<(), FaultRuleError> {
        self.inner.faults.add(rule)
    }

    /// The active fault rules.
    pub fn faults(&self) -> Vec<FaultRule> {
        self.inner.faults.list()
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.inner.faults.clear();
    }

    /// Decides the faults of a request to `path`, consuming `times` budgets. [`Self::respond`]
    /// and the server call it once per request.
    pub fn fault_plan(&self, path: &str) -> FaultPlan {
        self.inner.faults.plan(path)
    }

    /// The request journal: the entries that pass `filter`, oldest first.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use roomkv_emulator::journal::{JournalFilter, Outcome};
    /// use roomkv_emulator::{Emulator, EmulatorConfig};
    ///
    /// let emulator = Emulator::new(EmulatorConfig::default());
    /// let request = http::Request::post("/chatroom/entry/set.json")
    ///     .header("App-Key", "demo-app-key")
    ///     .body(Bytes::new())
    ///     .unwrap();
    /// emulator.handle(request);
    /// let page = emulator.journal(&JournalFilter::default());
    /// assert_eq!(page.entries[0].outcome, Outcome::Refused);
    /// assert_eq!(page.entries[0].code, Some(1004));
    /// assert!(page.entries[0].explanation.as_deref().unwrap().contains("Signature"));
    /// ```
    pub fn journal(&self, filter: &JournalFilter) -> JournalPage {
        self.inner.journal.page(filter)
    }

    /// Answers per endpoint and vendor code (`"0"`, `"1004"`; `"http-502"` for a gateway page
    /// and `"closed"` for a closed connection a fault rule caused) since the last reset.
    pub fn answer_counts(
        &self,
    ) -> std::collections::BTreeMap<String, std::collections::BTreeMap<String, u64>> {
        self.inner.journal.codes()
    }

    /// Usage of every quota bucket charged since the last reset, in the current one-second
    /// window of the emulator's clock, with the bucket's limit and its throttled count.
    pub fn quota_meters(&self) -> Vec<QuotaMeter> {
        let limiter = &self.inner.limiter;
        self.inner
            .journal
            .meters(self.quota_window(), |bucket| limiter.limit_per_sec(bucket))
    }

    /// The current one-second quota window: whole seconds of the monotonic clock.
    fn quota_window(&self) -> u64 {
        self.inner.clock.monotonic().as_secs()
    }

    /// Back to the configured start: state, events, journal, quotas, strict-mode nonces,
    /// remembered UserSigs and faults.
    pub fn reset(&self) {
        let inner = &self.inner;
        inner.state.reset();
        inner.journal.reset();
        inner.faults.clear();
        inner.replay.reset();
        inner.usersigs.clear();
        for app in inner.rongcloud_apps.values() {
            app.quota.reset();
        }
        for app in inner.tencent_apps.values() {
            app.quota.reset();
        }
        inner.limiter.restore();
        if let Some(webhooks) = &inner.webhooks {
            webhooks.reset();
        }
    }

    /// Charges `cost` to a RongCloud app's quotas at the emulator's clock: HTTP 429 with code
    /// 1008 when a quota is exhausted, 1002 for an unknown app.
    pub fn charge_rongcloud(&self, app_key: &str, cost: QuotaCost) -> Result<(), ApiError> {
        let app = self.inner.rongcloud_apps.get(app_key).ok_or_else(|| {
            ApiError::rongcloud(RongCloudCode::ParameterError, "Invalidate App-Key.", 200)
        })?;
        self.charge_rongcloud_app(app, cost)
    }

    fn charge_rongcloud_app(
        &self,
        app: &RongCloudAppState,
        cost: QuotaCost,
    ) -> Result<(), ApiError> {
        self.charge_and_meter(&app.app_key, &app.quota, cost)
            .map_err(|e| {
                ApiError::rongcloud(
                    RongCloudCode::RateLimited,
                    format!("call frequency exceeds the limit: {e}"),
                    429,
                )
            })
    }

    /// Charges `cost` to `quota` of `app` at the emulator's clock, counting it in the quota
    /// meters and noting the buckets (and, when refused, why) for the journal.
    fn charge_and_meter(
        &self,
        app: &str,
        quota: &AppQuota,
        cost: QuotaCost,
    ) -> Result<(), QuotaExceeded> {
        journal::note_buckets(cost);
        let result = self
            .inner
            .limiter
            .try_charge(quota, cost, self.inner.clock.monotonic());
        let refused_by = result.as_ref().err().map(|e| e.family.name());
        self.inner
            .journal
            .meter(app, cost, self.quota_window(), refused_by);
        if let Err(e) = &result {
            journal::explain(format!(
                "quota bucket `{}` of app {app} admits {} per second and this second's budget \
                 is spent; slow down, or start the emulator with --rate-scale or --no-rate-limit",
                e.family.name(),
                e.rate_per_sec
            ));
        }
        result
    }

    /// Charges `cost` to a Tencent app's quotas at the emulator's clock: code 60007 (HTTP 200)
    /// when a quota is exhausted, 70020 for an unknown app.
    pub fn charge_tencent(&self, sdkappid: u64, cost: QuotaCost) -> Result<(), ApiError> {
        let app = self.inner.tencent_apps.get(&sdkappid).ok_or_else(|| {
            ApiError::tencent(TencentCode::SdkAppIdNotFound, "SDKAppID not found")
        })?;
        self.charge_tencent_app(app, cost)
    }

    fn charge_tencent_app(&self, app: &TencentAppState, cost: QuotaCost) -> Result<(), ApiError> {
        self.charge_and_meter(&app.sdkappid.to_string(), &app.quota, cost)
            .map_err(|e| {
                ApiError::tencent(
                    TencentCode::RestFrequencyLimit,
                    format!("REST API call frequency exceeds the limit: {e}"),
                )
            })
    }
}
