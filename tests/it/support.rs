//! The harness: an emulator served on `127.0.0.1:0`, clients of both vendors pointed at it with
//! their built-in `HyperClient`, typed-value shorthands, and readers of the emulator's state and
//! event log.
//!
//! # Time
//!
//! Every test runs on real time, not tokio's paused clock. The clients and the emulator talk
//! over real loopback sockets, and a paused clock auto-advances to the next timer whenever the
//! runtime has nothing ready, including while a task is only waiting for a socket: the client's
//! exchange timeout would then fire although the emulator is about to answer. So the waits are
//! made short and bounded instead: backoffs of a few milliseconds ([`fast_retries`]), a time
//! limit on every exchange ([`EXCHANGE_TIMEOUT`]), a few attempts per request. Nothing waits for
//! a long duration to pass: the failover cool-down is crossed by advancing a `ManualClock` given
//! to the client, quota tests either use a quota that cannot refill within the test or wait for
//! one refill of at most a second, and the one timeout test waits for a one-second time limit.

use roomkv_rongcloud::RongCloudSettings;
use roomkv_tencent::TencentSettings;
use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use roomkv_emulator::events::{EventKind, Notification, TencentCallback};
use roomkv_emulator::faults::{FaultEffect, FaultRule};
use roomkv_emulator::state::State;
use roomkv_emulator::{Emulator, EmulatorConfig, ServerHandle};
use roomkv_rongcloud::limiter::{LocalLimiter, SharedRateLimiter};
use roomkv_rongcloud::{
    AppKey, AppSecret, ChatroomId, EntryKey, EntryValue, ExpansionKey, ExpansionValue, MsgUid,
    QueryEntries, RateLimit, TargetId, UserId,
};
use roomkv_tencent::{GetRoomMetadata, MetadataKey, MetadataValue, RoomId, SecretKey};
use roomkv_transport::{HttpClient, HttpRequest, HttpResponse, HyperClient, TransportError};
use tokio::net::{TcpListener, TcpSocket};

/// The emulator's default RongCloud app.
pub(crate) const APP_KEY: &str = "demo-app-key";
pub(crate) const APP_SECRET: &str = "demo-app-secret";
/// The emulator's default Tencent app.
pub(crate) const SDKAPPID: u64 = 1_400_000_000;
pub(crate) const SECRET_KEY: &str = "demo-secret-key";
pub(crate) const ADMIN: &str = "administrator";

/// The time limit of every exchange. No test relies on it firing; it only bounds a test that
/// would otherwise hang, and it is generous so that a loaded machine does not trip it.
pub(crate) const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(10);

/// Three attempts with millisecond backoffs (see the module documentation on time).
pub(crate) fn fast_retries() -> roomkv_transport::RetryPolicy {
    roomkv_transport::RetryPolicy::default()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(50))
        .with_throttle_backoff(Duration::from_millis(20))
        .with_total_budget(Some(Duration::from_secs(30)))
}

// ------------------------------------------------------------------------------ the emulator

/// An emulator served on a loopback port; the server stops when this is dropped.
pub(crate) struct Served {
    pub(crate) emulator: Emulator,
    server: ServerHandle,
}

impl Served {
    /// The emulator with its default configuration (demo credentials, documented limits and
    /// quotas, signatures verified) on `127.0.0.1:0`.
    pub(crate) async fn start() -> Self {
        Self::with(|_| {}).await
    }

    /// The emulator with a changed configuration on `127.0.0.1:0`.
    pub(crate) async fn with(configure: impl FnOnce(&mut EmulatorConfig)) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port is free");
        Self::on(listener, configure)
    }

    /// The emulator serving on `listener`.
    pub(crate) fn on(listener: TcpListener, configure: impl FnOnce(&mut EmulatorConfig)) -> Self {
        let mut config = EmulatorConfig::default();
        configure(&mut config);
        let emulator = Emulator::new(config);
        let server = emulator
            .serve_listener(listener)
            .expect("the emulator serves the listener");
        Self { emulator, server }
    }

    /// `http://127.0.0.1:PORT`.
    pub(crate) fn url(&self) -> String {
        self.server.base_url()
    }

    /// The handle of the server task.
    pub(crate) fn server(&self) -> &ServerHandle {
        &self.server
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    pub(crate) fn state(&self) -> &State {
        self.emulator.state()
    }

    /// Adds a fault rule for the next `times` requests to `path`.
    pub(crate) fn fault(&self, path: &str, effect: FaultEffect, times: u32) {
        self.emulator
            .add_fault(FaultRule::new(path, effect).times(times))
            .expect("the fault rule is valid");
    }

    /// Adds a fault rule for every request to `path`.
    pub(crate) fn fault_always(&self, path: &str, effect: FaultEffect) {
        self.emulator
            .add_fault(FaultRule::new(path, effect))
            .expect("the fault rule is valid");
    }

    /// Whether every `times`-limited fault has fired (such rules vanish when used up).
    pub(crate) fn faults_used_up(&self) -> bool {
        self.emulator.faults().is_empty()
    }

    /// Every entry of a chat room of the default app, read from the state directly.
    pub(crate) fn entries(&self, room: &str) -> Vec<EntryView> {
        self.entries_of(APP_KEY, room)
    }

    /// Every entry of a chat room of `app`, read from the state directly.
    pub(crate) fn entries_of(&self, app: &str, room: &str) -> Vec<EntryView> {
        self.state()
            .entry_query(app, &QueryEntries::new(ChatroomId::non_validated(room)))
            .expect("the KV service is on")
            .into_iter()
            .map(EntryView::from)
            .collect()
    }

    /// One entry of a chat room of the default app, from the state.
    pub(crate) fn entry(&self, room: &str, key: &str) -> Option<EntryView> {
        self.entries(room).into_iter().find(|e| e.key == key)
    }

    /// The metadata of a Tencent room of the default app as `(key, value)`, from the state;
    /// `None` when the room does not exist.
    pub(crate) fn metadata(&self, room: &str) -> Option<Vec<(String, String)>> {
        self.state()
            .metadata_get(SDKAPPID, &GetRoomMetadata::all(RoomId::non_validated(room)))
            .ok()
            .map(|entries| {
                entries
                    .into_iter()
                    .map(|e| (e.key.as_str().to_owned(), e.value.as_str().to_owned()))
                    .collect()
            })
    }

    /// Every recorded event, oldest first.
    pub(crate) fn events(&self) -> Vec<EventKind> {
        self.state()
            .events_since(0)
            .events
            .into_iter()
            .map(|e| e.kind)
            .collect()
    }

    /// The chat-room notification messages recorded (sets and removes that carried one).
    pub(crate) fn notifications(&self) -> Vec<Notification> {
        self.events()
            .into_iter()
            .filter_map(|kind| match kind {
                EventKind::RongCloudNotification { body, .. } => Some(body),
                _ => None,
            })
            .collect()
    }

    /// How many expansion operation messages were recorded.
    pub(crate) fn expansion_messages(&self) -> usize {
        self.events()
            .iter()
            .filter(|kind| matches!(kind, EventKind::RongCloudExpansion { .. }))
            .count()
    }

    /// The Tencent callbacks recorded.
    pub(crate) fn callbacks(&self) -> Vec<TencentCallback> {
        self.events()
            .into_iter()
            .filter_map(|kind| match kind {
                EventKind::TencentCallback { body, .. } => Some(body),
                _ => None,
            })
            .collect()
    }
}

/// A loopback port that refuses connections: bound, so that no other socket (nor a client's
/// own ephemeral port) can take it, but not listening. `listen` on the returned socket later
/// turns it into a server on the same port.
pub(crate) fn refusing_port() -> (TcpSocket, SocketAddr) {
    let socket = TcpSocket::new_v4().expect("a TCP socket");
    socket
        .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .expect("a loopback port is free");
    let addr = socket.local_addr().expect("a bound socket has an address");
    (socket, addr)
}

/// `http://ADDR`.
pub(crate) fn url_of(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

/// Now, in milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    u64::try_from(since.as_millis()).expect("milliseconds fit in u64")
}

// ------------------------------------------------------------------------------ clients

/// A client-side rate limiter of the client's own.
///
/// Under `cargo test` the tests run as threads of one process, and the default limiter is
/// process-wide: every test's clients of the emulator's default app would share one quota, so
/// that one test's burst slowed down (or, with a short `max_rate_wait`, refused) another test's
/// requests. So every client the harness builds has a limiter of its own, as if each test were a
/// process of its own; the emulator each test starts still enforces the vendor quotas.
pub(crate) fn own_limiter() -> RateLimit {
    RateLimit::With(SharedRateLimiter::new(LocalLimiter::new()))
}

/// A RongCloud client builder for the emulator's default app, without hosts, with its own
/// rate limiter ([`own_limiter`]).
pub(crate) fn rc_builder() -> roomkv_rongcloud::ClientBuilder {
    roomkv_rongcloud::Client::builder()
        .app_key(AppKey::new(APP_KEY))
        .app_secret(AppSecret::new(APP_SECRET))
        .timeout(EXCHANGE_TIMEOUT)
        .retry_policy(fast_retries())
        .rate_limit(own_limiter())
}

/// A RongCloud client of the default app pinned to `url`.
pub(crate) fn rc_client(url: &str) -> roomkv_rongcloud::Client {
    rc_builder()
        .base_url(url)
        .build()
        .expect("the client builds")
}

/// A Tencent client builder for the emulator's default app, without hosts, with its own rate
/// limiter ([`own_limiter`]).
pub(crate) fn tc_builder() -> roomkv_tencent::ClientBuilder {
    roomkv_tencent::Client::builder()
        .sdkappid(SDKAPPID)
        .secret_key(SecretKey::new(SECRET_KEY))
        .timeout(EXCHANGE_TIMEOUT)
        .retry_policy(fast_retries())
        .rate_limit(own_limiter())
}

/// A Tencent client of the default app pinned to `url`.
pub(crate) fn tc_client(url: &str) -> roomkv_tencent::Client {
    tc_builder()
        .base_url(url)
        .build()
        .expect("the client builds")
}

/// A Tencent client of the default app pinned to `url`, sending through `proxy` (which keeps
/// its own time limit, so the builder's `timeout` is not set).
pub(crate) fn tc_through(url: &str, proxy: RewriteQuery) -> roomkv_tencent::Client {
    roomkv_tencent::Client::builder()
        .sdkappid(SDKAPPID)
        .secret_key(SecretKey::new(SECRET_KEY))
        .retry_policy(fast_retries())
        .rate_limit(own_limiter())
        .base_url(url)
        .http_client(roomkv_transport::SharedHttpClient::new(proxy))
        .build()
        .expect("the client builds")
}

/// The built-in `HyperClient` behind a "proxy" that replaces one query parameter of every
/// request: the only way to send a Tencent request whose URL disagrees with its own UserSig
/// (70013, 70014), since the client always signs what it sends.
#[derive(Debug)]
pub(crate) struct RewriteQuery {
    inner: HyperClient,
    name: &'static str,
    value: String,
}

impl RewriteQuery {
    pub(crate) fn new(name: &'static str, value: impl Into<String>) -> Self {
        let inner = HyperClient::builder()
            .timeout(EXCHANGE_TIMEOUT)
            .build()
            .expect("the built-in HTTP client builds");
        Self {
            inner,
            name,
            value: value.into(),
        }
    }
}

impl HttpClient for RewriteQuery {
    async fn send(&self, mut request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let uri = request.uri().clone();
        let query = uri
            .query()
            .unwrap_or_default()
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if name == self.name => format!("{name}={}", self.value),
                _ => pair.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("&");
        let mut parts = uri.into_parts();
        let path = parts
            .path_and_query
            .as_ref()
            .map_or("/", http::uri::PathAndQuery::path);
        parts.path_and_query = Some(
            format!("{path}?{query}")
                .parse()
                .expect("the rewritten query is valid"),
        );
        *request.uri_mut() = http::Uri::from_parts(parts).expect("the rewritten URI is valid");
        self.inner.send(request).await
    }
}

// ------------------------------------------------------------------------------ typed values

pub(crate) fn room(id: &str) -> ChatroomId {
    ChatroomId::parse(id).unwrap()
}

pub(crate) fn user(id: &str) -> UserId {
    UserId::parse(id).unwrap()
}

pub(crate) fn key(text: &str) -> EntryKey {
    EntryKey::parse(text).unwrap()
}

pub(crate) fn value(text: &str) -> EntryValue {
    EntryValue::parse(text).unwrap()
}

pub(crate) fn msg(id: &str) -> MsgUid {
    MsgUid::parse(id).unwrap()
}

pub(crate) fn target(id: &str) -> TargetId {
    TargetId::parse(id).unwrap()
}

pub(crate) fn ekey(text: &str) -> ExpansionKey {
    ExpansionKey::parse(text).unwrap()
}

pub(crate) fn evalue(text: &str) -> ExpansionValue {
    ExpansionValue::parse(text).unwrap()
}

pub(crate) fn live(id: &str) -> RoomId {
    RoomId::parse(id).unwrap()
}

pub(crate) fn mkey(text: &str) -> MetadataKey {
    MetadataKey::parse(text).unwrap()
}

pub(crate) fn mvalue(text: &str) -> MetadataValue {
    MetadataValue::parse(text).unwrap()
}

/// `(key, value)` pairs of metadata entries, for comparisons.
pub(crate) fn pairs(entries: &[roomkv_tencent::MetadataEntry]) -> Vec<(&str, &str)> {
    entries
        .iter()
        .map(|e| (e.key.as_str(), e.value.as_str()))
        .collect()
}

/// An entry as the tests compare it: core's [`Entry`](roomkv_rongcloud::Entry) with plain texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EntryView {
    pub(crate) key: String,
    pub(crate) value: String,
    pub(crate) user_id: String,
    pub(crate) auto_delete: bool,
    pub(crate) last_set_time: u64,
}

impl From<roomkv_rongcloud::Entry> for EntryView {
    fn from(entry: roomkv_rongcloud::Entry) -> Self {
        Self {
            key: entry.key.as_str().to_owned(),
            value: entry.value.as_str().to_owned(),
            user_id: entry.user_id.as_str().to_owned(),
            auto_delete: entry.auto_delete,
            last_set_time: entry.last_set_time_ms,
        }
    }
}
