//! The campaign's machinery: the two hosts over one emulator, a clock whose cool-down the test
//! can cross without sleeping, an HTTP client that records every attempt of the operation that
//! is running, a seeded generator, and a panic counter for the runtime's threads.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use roomkv_emulator::{Emulator, ServerHandle, ServerStats};
use roomkv_transport::{Clock, HttpClient, HttpRequest, HttpResponse, HyperClient, TransportError};
use tokio::net::TcpSocket;
use tokio::sync::watch;

// ------------------------------------------------------------------------------ seeded choices

/// SplitMix64: the op mix of every task is drawn from the campaign seed.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// `count` distinct indices of `0..n`, in increasing order.
    pub(crate) fn subset(&mut self, n: usize, count: usize) -> Vec<usize> {
        let mut picked: Vec<usize> = (0..n).collect();
        for i in 0..count {
            let j = i + self.below(n - i);
            picked.swap(i, j);
        }
        picked.truncate(count);
        picked.sort_unstable();
        picked
    }
}

// ------------------------------------------------------------------------------ time

/// The real clock plus an offset the test adds, and a switch that stops real time: the
/// campaign runs on real time (the cool-down passes by itself), the epilogue freezes the clock
/// and crosses the cool-down exactly.
#[derive(Debug, Clone)]
pub(crate) struct SteppedClock(Arc<Mutex<Stepped>>);

#[derive(Debug)]
struct Stepped {
    origin: Instant,
    frozen: Option<Duration>,
    offset: Duration,
}

impl SteppedClock {
    pub(crate) fn new() -> Self {
        Self(Arc::new(Mutex::new(Stepped {
            origin: Instant::now(),
            frozen: None,
            offset: Duration::ZERO,
        })))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Stepped> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stops the monotonic clock where it is; only [`Self::advance`] moves it from now on.
    pub(crate) fn freeze(&self) {
        let mut s = self.lock();
        s.frozen = Some(s.origin.elapsed());
    }

    pub(crate) fn advance(&self, by: Duration) {
        self.lock().offset += by;
    }
}

impl Clock for SteppedClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn monotonic(&self) -> Duration {
        let s = self.lock();
        s.frozen.unwrap_or_else(|| s.origin.elapsed()) + s.offset
    }
}

// ------------------------------------------------------------------------------ the hosts

/// One emulator behind two listeners: a region's primary and backup host over one backend.
pub(crate) struct Hosts {
    pub(crate) emulator: Emulator,
    pub(crate) primary_addr: SocketAddr,
    primary: Mutex<Option<ServerHandle>>,
    /// The stats of every incarnation of the primary, oldest first.
    primary_stats: Mutex<Vec<ServerStats>>,
    backup: ServerHandle,
}

impl Hosts {
    pub(crate) async fn start(emulator: Emulator) -> Self {
        let primary = emulator.serve("127.0.0.1:0").await.expect("a free port");
        let backup = emulator.serve("127.0.0.1:0").await.expect("a free port");
        Self {
            primary_addr: primary.local_addr(),
            primary_stats: Mutex::new(vec![primary.stats()]),
            primary: Mutex::new(Some(primary)),
            backup,
            emulator,
        }
    }

    pub(crate) fn urls(&self) -> [String; 2] {
        [
            format!("http://{}", self.primary_addr),
            self.backup.base_url(),
        ]
    }

    pub(crate) fn backup_stats(&self) -> ServerStats {
        self.backup.stats()
    }

    /// Requests received by every incarnation of the primary.
    pub(crate) fn primary_received(&self) -> u64 {
        lock(&self.primary_stats)
            .iter()
            .map(ServerStats::received)
            .sum()
    }

    /// The primary goes down: it stops listening (in-flight requests finish) and its port is
    /// held bound but not listening, so connections are refused and nothing else can take it.
    pub(crate) async fn take_primary_down(&self) -> TcpSocket {
        let server = lock(&self.primary).take().expect("the primary is up");
        assert!(
            server.shutdown_within(Duration::from_secs(10)).await,
            "the primary did not shut down within 10 s"
        );
        let socket = TcpSocket::new_v4().expect("a TCP socket");
        socket.set_reuseaddr(true).expect("SO_REUSEADDR");
        socket
            .bind(self.primary_addr)
            .expect("the primary's port can be held again");
        socket
    }

    /// The primary comes back on the same port.
    pub(crate) fn bring_primary_back(&self, socket: TcpSocket) {
        let listener = socket.listen(1024).expect("the held port listens");
        let server = self
            .emulator
            .serve_listener(listener)
            .expect("the emulator serves the primary again");
        lock(&self.primary_stats).push(server.stats());
        *lock(&self.primary) = Some(server);
    }

    /// Requests still being handled by either host (delayed ones that may yet be applied).
    pub(crate) fn in_flight(&self) -> u64 {
        let primary: u64 = lock(&self.primary_stats)
            .iter()
            .map(ServerStats::in_flight)
            .sum();
        primary + self.backup.stats().in_flight()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

// ------------------------------------------------------------------------------ attempts

/// How one attempt ended, as the client saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum End {
    /// An HTTP answer with this status.
    Answered(u16),
    /// The time limit ran out: the server may still apply the request later.
    Timeout,
    /// Never reached the server.
    Connect,
    /// The connection closed after the request went out.
    Reset,
    /// Any other transport failure.
    Other,
}

impl End {
    fn of(result: &Result<HttpResponse, TransportError>) -> Self {
        match result {
            Ok(response) => Self::Answered(response.status().as_u16()),
            Err(e) if e.is_connect() => Self::Connect,
            Err(e) if e.is_timeout() => Self::Timeout,
            Err(e) if e.is_reset_after_send() => Self::Reset,
            Err(_) => Self::Other,
        }
    }

    /// The server may have acted on the request without the client learning how it ended.
    pub(crate) fn is_unknown(self) -> bool {
        match self {
            Self::Answered(status) => status >= 500,
            Self::Timeout | Self::Reset | Self::Other => true,
            Self::Connect => false,
        }
    }
}

/// One attempt: which host (by port) and how it ended.
#[derive(Debug, Clone)]
pub(crate) struct Attempt {
    pub(crate) port: u16,
    pub(crate) end: End,
    /// For a timed-out attempt: when the server is done with it.
    pub(crate) landed: Option<Landing>,
}

/// A timed-out attempt: turns `true` once the server is done with the request (it answered or
/// closed the connection), so it can no longer land.
#[derive(Clone)]
pub(crate) struct Landing(watch::Receiver<bool>);

impl std::fmt::Debug for Landing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if *self.0.borrow() {
            "landed"
        } else {
            "in flight"
        })
    }
}

/// Returns once every timed-out attempt among `attempts` can no longer land.
pub(crate) async fn landed(attempts: &[Landing]) {
    for landed in attempts {
        // An error means the exchange task is gone, so it has ended too.
        let _ = landed.0.clone().wait_for(|done| *done).await;
    }
}

tokio::task_local! {
    /// The attempts of the operation running in this task.
    static ATTEMPTS: Arc<Mutex<Vec<Attempt>>>;
}

/// Runs `op`, returning its result and every attempt the clients made for it.
pub(crate) async fn recorded<T>(op: impl Future<Output = T>) -> (T, Vec<Attempt>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let out = ATTEMPTS.scope(log.clone(), op).await;
    let attempts = std::mem::take(&mut *lock(&log));
    (out, attempts)
}

/// Which phase of the run attempts belong to (primary up, down, back up).
pub(crate) static PHASE: AtomicUsize = AtomicUsize::new(0);

/// The phase tallied for an attempt that started in one phase and ended in another: it
/// belongs to neither (one that started while the primary was down may reach it once it
/// listens again).
pub(crate) const BETWEEN_PHASES: usize = usize::MAX;

/// Attempts per (phase, port, end), over the whole run.
pub(crate) type Tally = HashMap<(usize, u16, End), u64>;

/// How long the exchange a client gave up on may still run, until the server is done with
/// it (every fault of the campaign holds a request for less).
const EXCHANGE_LIMIT: Duration = Duration::from_secs(30);

/// The built-in client, recording each attempt for [`recorded`] and in a tally.
///
/// Its time limit is applied around the exchange, which runs in a task of its own: when the
/// limit runs out the client reports a timeout as usual, but the exchange goes on until the
/// server answers or closes the connection, which tells when a late landing has happened.
#[derive(Debug)]
pub(crate) struct Recording {
    inner: HyperClient,
    timeout: Duration,
    tally: Arc<Mutex<Tally>>,
}

impl Recording {
    pub(crate) fn new(timeout: Duration, tally: Arc<Mutex<Tally>>) -> Self {
        let inner = HyperClient::builder()
            .timeout(EXCHANGE_LIMIT)
            .connect_timeout(timeout)
            .build()
            .expect("the built-in HTTP client builds");
        Self {
            inner,
            timeout,
            tally,
        }
    }
}

impl HttpClient for Recording {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let port = request.uri().port_u16().unwrap_or(0);
        // An attempt is tallied under a phase only if it started and ended in it: one sent
        // just before the primary went down may be answered by it after the phase changed,
        // and one sent just before it came back may reach it.
        let started_in = PHASE.load(Ordering::Acquire);
        let (done, landed) = watch::channel(false);
        let inner = self.inner.clone();
        let mut exchange = tokio::spawn(async move {
            let result = inner.send(request).await;
            done.send_replace(true);
            result
        });
        let (result, landed) = match tokio::time::timeout(self.timeout, &mut exchange).await {
            Ok(ended) => (ended.expect("the exchange task does not panic"), None),
            Err(_) => (
                Err(TransportError::timeout(Some(self.timeout))),
                Some(Landing(landed)),
            ),
        };
        let attempt = Attempt {
            port,
            end: End::of(&result),
            landed,
        };
        let phase = if PHASE.load(Ordering::Acquire) == started_in {
            started_in
        } else {
            BETWEEN_PHASES
        };
        *lock(&self.tally)
            .entry((phase, port, attempt.end))
            .or_default() += 1;
        // Outside an operation of the campaign (setup, epilogue) there is no log to add to.
        let _ = ATTEMPTS.try_with(|log| lock(log).push(attempt));
        result
    }
}

// ------------------------------------------------------------------------------ panics

/// Counts panics on threads whose name starts with `prefix` (the campaign runtime's workers,
/// where the clients and both hosts run), chaining to the previous hook.
pub(crate) fn count_panics(prefix: &'static str) -> &'static AtomicU64 {
    static PANICS: AtomicU64 = AtomicU64::new(0);
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current()
                .name()
                .is_some_and(|name| name.starts_with(prefix))
            {
                PANICS.fetch_add(1, Ordering::AcqRel);
            }
            previous(info);
        }));
    });
    &PANICS
}
