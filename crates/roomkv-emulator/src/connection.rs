//! Connection hygiene of the HTTP server: the header-read and idle timeouts of one connection
//! ([`Activity`], watched through [`Watched`] IO), and the connection cap ([`Admission`]).
//!
//! hyper's own `header_read_timeout` starts when hyper begins waiting for a request head, which
//! includes the idle time between keep-alive requests, so it cannot tell an idle connection
//! from a slow one. Here the phases are told apart by what the socket and the service see: a
//! connection is *idle* from the end of a request until a byte arrives, *reading a head* from
//! that byte until the service receives the request, and *busy* while the service handles it
//! (the body-read timeout is the server's, per request). The timeouts use tokio's clock, so
//! paused test time applies.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::config::ConnectionConfig;
use crate::shards::lock;

/// Where a connection is in its request cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// No request since this instant (the last byte of the previous exchange, or the accept).
    Idle(Instant),
    /// The first byte of a request head arrived at this instant.
    Head(Instant),
    /// The service is handling a request.
    Busy,
}

/// Why a connection was closed by its watchdog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expiry {
    /// No byte and no request for the idle timeout.
    Idle,
    /// A request head took longer than the header-read timeout.
    Header,
}

impl Expiry {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Idle => "idle timeout",
            Self::Header => "header read timeout",
        }
    }
}

/// One connection's phase, shared by its IO, its service and its watchdog.
#[derive(Debug)]
pub(crate) struct Activity {
    phase: Mutex<Phase>,
    changed: Notify,
}

impl Activity {
    pub(crate) fn new() -> Self {
        Self {
            phase: Mutex::new(Phase::Idle(Instant::now())),
            changed: Notify::new(),
        }
    }

    fn set(&self, phase: Phase) {
        *lock(&self.phase) = phase;
        self.changed.notify_waiters();
    }

    /// Bytes arrived: an idle connection starts reading a head.
    fn read(&self) {
        let mut phase = lock(&self.phase);
        if let Phase::Idle(_) = *phase {
            *phase = Phase::Head(Instant::now());
            drop(phase);
            self.changed.notify_waiters();
        }
    }

    /// Bytes were written: an idle connection (a reply still going out) is not idle yet.
    fn wrote(&self) {
        let mut phase = lock(&self.phase);
        if let Phase::Idle(since) = &mut *phase {
            *since = Instant::now();
        }
    }

    /// The service received a request; it is busy until the returned guard is dropped.
    pub(crate) fn busy(self: &Arc<Self>) -> Busy {
        self.set(Phase::Busy);
        Busy(Arc::clone(self))
    }

    /// Resolves when the connection has been idle or reading one head for too long.
    pub(crate) async fn expired(&self, config: &ConnectionConfig) -> Expiry {
        loop {
            let changed = self.changed.notified();
            let deadline = match *lock(&self.phase) {
                Phase::Idle(since) => Some((since + config.idle_timeout, Expiry::Idle)),
                Phase::Head(since) => Some((since + config.header_read_timeout, Expiry::Header)),
                Phase::Busy => None,
            };
            match deadline {
                None => changed.await,
                Some((deadline, expiry)) => {
                    if Instant::now() >= deadline {
                        return expiry;
                    }
                    tokio::select! {
                        () = changed => {}
                        () = tokio::time::sleep_until(deadline) => {}
                    }
                }
            }
        }
    }
}

/// A request being served; the connection is idle again when it is dropped.
pub(crate) struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.set(Phase::Idle(Instant::now()));
    }
}

/// A socket whose reads and writes are reported to its connection's [`Activity`].
#[derive(Debug)]
pub(crate) struct Watched<S> {
    inner: S,
    activity: Arc<Activity>,
}

impl<S> Watched<S> {
    pub(crate) fn new(inner: S, activity: Arc<Activity>) -> Self {
        Self { inner, activity }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.read();
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.wrote();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// What a new connection may do, by how many are open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Served in full.
    Regular,
    /// Over the cap, in the health reserve: `GET /_emulator/health` only.
    HealthOnly,
    /// Over the cap and the reserve: closed at once.
    Refused,
}

/// The open-connection count of one server.
#[derive(Debug, Default)]
pub(crate) struct OpenConnections(AtomicU64);

impl OpenConnections {
    /// Admits a new connection by `config`'s cap and reserve; an admitted one counts as open
    /// until the returned guard is dropped.
    pub(crate) fn admit(self: &Arc<Self>, config: &ConnectionConfig) -> (Admission, Option<Open>) {
        let open = self.0.load(Ordering::Acquire);
        let cap = config.max_connections.max(1) as u64;
        let admission = if open < cap {
            Admission::Regular
        } else if open < cap.saturating_add(config.health_reserve as u64) {
            Admission::HealthOnly
        } else {
            return (Admission::Refused, None);
        };
        self.0.fetch_add(1, Ordering::AcqRel);
        (admission, Some(Open(Arc::clone(self))))
    }

    pub(crate) fn count(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }
}

/// One open connection; see [`OpenConnections::admit`].
#[derive(Debug)]
pub(crate) struct Open(Arc<OpenConnections>);

impl Drop for Open {
    fn drop(&mut self) {
        (self.0).0.fetch_sub(1, Ordering::AcqRel);
    }
}
