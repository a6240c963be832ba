//! Deterministic stand-ins for tests (feature `test-util`): clocks, nonces and a capturing
//! [`HttpClient`].
//!
//! Enable the feature only in `[dev-dependencies]`.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, SystemTime};

use bytes::Bytes;

use crate::{Clock, HttpClient, HttpRequest, HttpResponse, RandomSource, TransportError};

/// A clock frozen at one instant: `now()` is always the same and `monotonic()` never advances.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use roomkv_transport::Clock;
/// use roomkv_transport::test_util::FixedClock;
///
/// let clock = FixedClock::from_unix_millis(1_408_710_653_000);
/// assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_millis(1_408_710_653_000));
/// assert_eq!(clock.monotonic(), clock.monotonic());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(SystemTime);

impl FixedClock {
    /// A clock frozen at `at`.
    pub fn new(at: SystemTime) -> Self {
        Self(at)
    }

    /// A clock frozen `secs` seconds after the Unix epoch.
    pub fn from_unix_secs(secs: u64) -> Self {
        Self(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
    }

    /// A clock frozen `millis` milliseconds after the Unix epoch.
    pub fn from_unix_millis(millis: u64) -> Self {
        Self(SystemTime::UNIX_EPOCH + Duration::from_millis(millis))
    }
}

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }

    fn monotonic(&self) -> Duration {
        Duration::ZERO
    }
}

/// A clock that moves only when told to; clones share the same time.
///
/// [`advance`](Self::advance) moves both the wall clock and the monotonic clock.
///
/// ```
/// use std::time::Duration;
/// use roomkv_transport::Clock;
/// use roomkv_transport::test_util::ManualClock;
///
/// let clock = ManualClock::from_unix_secs(1_700_000_000);
/// let handle = clock.clone();
/// let before = clock.monotonic();
/// handle.advance(Duration::from_secs(61));
/// assert_eq!(clock.monotonic() - before, Duration::from_secs(61));
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<ManualState>>);

#[derive(Debug)]
struct ManualState {
    wall: SystemTime,
    monotonic: Duration,
}

impl ManualClock {
    /// A clock starting at `at` (wall clock) and zero (monotonic).
    pub fn new(at: SystemTime) -> Self {
        Self(Arc::new(Mutex::new(ManualState {
            wall: at,
            monotonic: Duration::ZERO,
        })))
    }

    /// A clock starting `secs` seconds after the Unix epoch.
    pub fn from_unix_secs(secs: u64) -> Self {
        Self::new(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
    }

    /// Moves both clocks forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut s = self.lock();
        s.wall += by;
        s.monotonic += by;
    }

    /// Sets the wall clock (forwards or backwards, as a system clock can jump); the monotonic
    /// clock is unaffected.
    pub fn set_now(&self, at: SystemTime) {
        self.lock().wall = at;
    }

    fn lock(&self) -> MutexGuard<'_, ManualState> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        self.lock().wall
    }

    fn monotonic(&self) -> Duration {
        self.lock().monotonic
    }
}

/// A nonce source that always returns the same value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedRandom(pub u64);

impl RandomSource for FixedRandom {
    fn next_u64(&self) -> u64 {
        self.0
    }
}

/// A nonce source that counts up from a start value (wrapping); clones share the counter.
///
/// ```
/// use roomkv_transport::RandomSource;
/// use roomkv_transport::test_util::SequenceRandom;
///
/// let n = SequenceRandom::new(7);
/// assert_eq!([n.next_u64(), n.next_u64(), n.clone().next_u64()], [7, 8, 9]);
/// ```
#[derive(Debug, Clone)]
pub struct SequenceRandom(Arc<AtomicU64>);

impl SequenceRandom {
    /// Starts at `start`.
    pub fn new(start: u64) -> Self {
        Self(Arc::new(AtomicU64::new(start)))
    }
}

impl RandomSource for SequenceRandom {
    fn next_u64(&self) -> u64 {
        self.0.fetch_add(1, Ordering::Relaxed)
    }
}

/// A nonce source that replays a fixed list of values, cycling when it runs out.
///
/// Handy for retry jitter: `ScriptedRandom::new([0])` makes every backoff zero,
/// `ScriptedRandom::new([u64::MAX])` makes every backoff its full ceiling.
#[derive(Debug, Clone)]
pub struct ScriptedRandom {
    values: Arc<[u64]>,
    next: Arc<AtomicU64>,
}

impl ScriptedRandom {
    /// Replays `values` in order, then from the start again. An empty list yields zeros.
    pub fn new(values: impl IntoIterator<Item = u64>) -> Self {
        Self {
            values: values.into_iter().collect(),
            next: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl RandomSource for ScriptedRandom {
    fn next_u64(&self) -> u64 {
        if self.values.is_empty() {
            return 0;
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.values.len() as u64;
        self.values[i as usize]
    }
}

/// Builds a response with `status` and `body` (panics on an invalid status; test code only).
///
/// ```
/// use roomkv_transport::test_util::response;
///
/// let r = response(200, r#"{"code":200}"#);
/// assert_eq!(r.status(), 200);
/// assert_eq!(r.body().as_ref(), br#"{"code":200}"#);
/// ```
pub fn response(status: u16, body: impl Into<Bytes>) -> HttpResponse {
    let mut resp = http::Response::new(body.into());
    *resp.status_mut() = http::StatusCode::from_u16(status).expect("valid HTTP status code");
    resp
}

/// Makes `subscriber` this thread's `tracing` subscriber until the returned guard is dropped, so
/// that a test captures its own spans and events (and those of the tasks its current-thread
/// runtime runs) while other tests run as threads of the same process, as under `cargo test`.
///
/// A scoped subscriber alone is not enough there. `tracing` caches, per callsite, whether any
/// subscriber is interested in it. While a single subscriber is registered in the process, a
/// callsite first reached on *another* thread (another test, which has no subscriber) asks only
/// that thread's default, caches "never", and the capturing test misses it for good. So this
/// keeps a second, silent subscriber registered for the life of the process, which makes
/// `tracing` ask every registered subscriber about every new callsite, and recomputes the
/// interest of the callsites reached before.
pub fn trace_this_thread(
    subscriber: impl tracing::Subscriber + Send + Sync + 'static,
) -> tracing::subscriber::DefaultGuard {
    static SILENT: OnceLock<tracing::Dispatch> = OnceLock::new();
    SILENT.get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));
    let guard = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();
    guard
}

type Responder = dyn Fn(&HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync;

/// An [`HttpClient`] that records every request and answers from a script.
///
/// Replies come from the queue filled with [`push_response`](Self::push_response) /
/// [`push_error`](Self::push_error), in order; when the queue is empty, from the fallback
/// set with [`with_fallback`](Self::with_fallback), else `200` with an empty body. Clones
/// share requests and script, so a test keeps one clone and gives the other to the code under
/// test.
///
/// ```
/// use roomkv_transport::{HttpClient, TransportError};
/// use roomkv_transport::test_util::{CaptureClient, response};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let capture = CaptureClient::new();
/// capture.push_error(TransportError::timeout(None));
/// capture.push_response(response(200, "ok"));
///
/// let req = || http::Request::post("https://api.example.com/x").body(b"a=1".to_vec()).unwrap();
/// assert!(capture.send(req()).await.unwrap_err().is_timeout());
/// assert_eq!(capture.send(req()).await.unwrap().body().as_ref(), b"ok");
///
/// let seen = capture.requests();
/// assert_eq!(seen.len(), 2);
/// assert_eq!(seen[1].body(), b"a=1");
/// # });
/// ```
#[derive(Clone, Default)]
pub struct CaptureClient(Arc<Mutex<CaptureState>>);

#[derive(Default)]
struct CaptureState {
    requests: Vec<HttpRequest>,
    script: VecDeque<Result<HttpResponse, TransportError>>,
    fallback: Option<Arc<Responder>>,
}

impl CaptureClient {
    /// A client with an empty script (every request gets `200` with an empty body).
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues a response.
    pub fn push_response(&self, resp: HttpResponse) -> &Self {
        self.lock().script.push_back(Ok(resp));
        self
    }

    /// Queues an error.
    pub fn push_error(&self, err: TransportError) -> &Self {
        self.lock().script.push_back(Err(err));
        self
    }

    /// Answers with `f` whenever the queue is empty.
    pub fn with_fallback(
        self,
        f: impl Fn(&HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync + 'static,
    ) -> Self {
        self.lock().fallback = Some(Arc::new(f));
        self
    }

    /// Copies of all requests received so far, oldest first.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.lock().requests.clone()
    }

    /// Removes and returns all requests received so far.
    pub fn take_requests(&self) -> Vec<HttpRequest> {
        std::mem::take(&mut self.lock().requests)
    }

    /// A copy of the most recent request.
    pub fn last_request(&self) -> Option<HttpRequest> {
        self.lock().requests.last().cloned()
    }

    /// How many requests were received.
    pub fn request_count(&self) -> usize {
        self.lock().requests.len()
    }

    /// How many scripted replies are still queued.
    pub fn remaining(&self) -> usize {
        self.lock().script.len()
    }

    fn lock(&self) -> MutexGuard<'_, CaptureState> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for CaptureClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.lock();
        f.debug_struct("CaptureClient")
            .field("requests", &s.requests.len())
            .field("queued", &s.script.len())
            .field("fallback", &s.fallback.is_some())
            .finish()
    }
}

impl HttpClient for CaptureClient {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let (reply, fallback) = {
            let mut s = self.lock();
            s.requests.push(req.clone());
            (s.script.pop_front(), s.fallback.clone())
        };
        match (reply, fallback) {
            (Some(reply), _) => reply,
            (None, Some(f)) => f(&req),
            (None, None) => Ok(response(200, Bytes::new())),
        }
    }
}

/// A `redis-server` of its own on a free loopback port, without persistence, stopped when
/// dropped (features `test-util` and `redis`).
///
/// Tests that need Redis fail with a clear message when `redis-server` is not installed; they
/// never skip (`.ci/run` installs it).
#[cfg(feature = "redis")]
#[derive(Debug)]
pub struct RedisServer {
    child: Option<std::process::Child>,
    port: u16,
}

#[cfg(feature = "redis")]
impl RedisServer {
    /// Starts a server and waits until it answers `PING`.
    ///
    /// # Panics
    ///
    /// When `redis-server` cannot be started or does not answer within 10 s.
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a loopback port is free")
            .port();
        Self::start_on(port)
    }

    /// Kills the server if it runs, and starts a new, empty one on the same port: Redis coming
    /// back after an outage, at the URL the limiter knows.
    ///
    /// # Panics
    ///
    /// As [`start`](Self::start).
    pub fn restart(&mut self) {
        self.kill();
        *self = Self::start_on(self.port);
    }

    fn start_on(port: u16) -> Self {
        let child = std::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|err| {
                panic!(
                    "this test needs `redis-server` on the PATH ({err}); install it, e.g. \
                     `apt-get install -y redis-server` (.ci/run does)"
                )
            });
        let server = Self {
            child: Some(child),
            port,
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !server.answers_ping() {
            assert!(
                std::time::Instant::now() < deadline,
                "redis-server on port {port} did not answer PING within 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    fn answers_ping(&self) -> bool {
        use std::io::{Read, Write};
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
        let mut reply = [0u8; 7];
        stream.write_all(b"PING\r\n").is_ok()
            && stream.read_exact(&mut reply).is_ok()
            && &reply == b"+PONG\r\n"
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server now (to test what happens when Redis goes away).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[cfg(feature = "redis")]
impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}
