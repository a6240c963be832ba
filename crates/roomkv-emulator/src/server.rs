//! Serving over HTTP/1.1 with hyper: [`Emulator::serve`] and [`ServerHandle`].
//!
//! Every complete request is answered even when the client half-closed its side after sending
//! it (`shutdown(SHUT_WR)`, as `nc -N` and some proxies do): hyper's `half_close` is on, so a
//! read EOF does not abort the request in flight. Slow, idle and excess connections are dealt
//! with as [`ConnectionConfig`](crate::config::ConnectionConfig) says ([`crate::connection`]).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, ToSocketAddrs};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::Emulator;
use crate::connection::{Activity, Admission, OpenConnections, Watched};
use crate::faults::{FaultAction, gateway_page};
use crate::service::{Exchange, json_response};

/// How many body bytes the server reads (and discards beyond the limit) before it answers a
/// too-large request, so that the client, still writing, reads the refusal instead of a reset.
const DRAIN_MAX: usize = 16 * 1024 * 1024;

/// The error a service future returns to make hyper close the connection without a reply.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DropConnection {}

/// What one server (one listener) received: several servers of one [`Emulator`] share its
/// state, and these counters tell which of them served what (a region's primary and backup
/// host in a failover test). Cheap to clone; it outlives the [`ServerHandle`], so the counts
/// stay readable after a shutdown.
#[derive(Debug, Clone, Default)]
pub struct ServerStats(Arc<Counters>);

#[derive(Debug, Default)]
struct Counters {
    received: AtomicU64,
    in_flight: AtomicU64,
    open: Arc<OpenConnections>,
    refused: AtomicU64,
}

impl ServerStats {
    /// How many HTTP requests this server received, faulted ones included.
    pub fn received(&self) -> u64 {
        self.0.received.load(Ordering::Acquire)
    }

    /// How many of them it is still handling (a delayed request counts until it is processed
    /// or its connection is gone).
    pub fn in_flight(&self) -> u64 {
        self.0.in_flight.load(Ordering::Acquire)
    }

    /// How many connections are open now (the health reserve included).
    pub fn open_connections(&self) -> u64 {
        self.0.open.count()
    }

    /// How many connections were refused because the connection cap was reached: closed at
    /// once past the cap and the health reserve, or answered 503 for a request other than
    /// `GET /_emulator/health` on a reserve connection.
    pub fn refused_connections(&self) -> u64 {
        self.0.refused.load(Ordering::Acquire)
    }

    fn refuse(&self) {
        self.0.refused.fetch_add(1, Ordering::AcqRel);
    }

    /// Counts a request until the returned guard is dropped.
    fn start(&self) -> InFlight {
        self.0.received.fetch_add(1, Ordering::AcqRel);
        self.0.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(self.clone())
    }
}

/// One request being handled; see [`ServerStats::in_flight`].
struct InFlight(ServerStats);

impl Drop for InFlight {
    fn drop(&mut self) {
        (self.0).0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A running server. Dropping it also stops the server (without waiting).
#[derive(Debug)]
pub struct ServerHandle {
    addr: SocketAddr,
    stats: ServerStats,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl ServerHandle {
    /// The address the server is bound to (with the real port when port 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://HOST:PORT`, the base URL clients should use.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// This server's request counters.
    pub fn stats(&self) -> ServerStats {
        self.stats.clone()
    }

    /// Stops accepting connections, lets requests in flight finish, closes idle keep-alive
    /// connections, and returns when every connection is closed.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// [`Self::shutdown`], giving up after `timeout` (connections still open are then
    /// abandoned to close on their own). Returns whether the shutdown completed in time.
    pub async fn shutdown_within(mut self, timeout: Duration) -> bool {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => tokio::time::timeout(timeout, task).await.is_ok(),
            None => true,
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Emulator {
    /// Binds `addr` (port 0 picks a free port) and serves both vendors and the control API on
    /// it, in a task of the current tokio runtime.
    pub async fn serve(&self, addr: impl ToSocketAddrs) -> std::io::Result<ServerHandle> {
        let listener = TcpListener::bind(addr).await?;
        self.serve_listener(listener)
    }

    /// Serves on [`EmulatorConfig::listen`](crate::EmulatorConfig::listen).
    pub async fn serve_configured(&self) -> std::io::Result<ServerHandle> {
        self.serve(self.config().listen).await
    }

    /// Serves on an already bound listener.
    pub fn serve_listener(&self, listener: TcpListener) -> std::io::Result<ServerHandle> {
        let addr = listener.local_addr()?;
        self.start_webhooks();
        let (stop, stopped) = oneshot::channel();
        let stats = ServerStats::default();
        self.track_server(stats.clone());
        let task = tokio::spawn(accept_loop(self.clone(), listener, stats.clone(), stopped));
        tracing::info!(%addr, "roomkv emulator listening");
        Ok(ServerHandle {
            addr,
            stats,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

async fn accept_loop(
    emulator: Emulator,
    listener: TcpListener,
    stats: ServerStats,
    mut stop: oneshot::Receiver<()>,
) {
    let graceful = GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    // Only this task admits, so the count cannot grow between check and add.
                    let limits = emulator.config().connections;
                    let (admission, open) = stats.0.open.admit(&limits);
                    let Some(open) = open else {
                        stats.refuse();
                        // Counted; a log line per refusal would let a flood fill the log too.
                        tracing::debug!(%peer, "connection refused: the connection cap is reached");
                        drop(stream);
                        continue;
                    };
                    let _ = stream.set_nodelay(true);
                    let activity = Arc::new(Activity::new());
                    let service = {
                        let emulator = emulator.clone();
                        let stats = stats.clone();
                        let activity = Arc::clone(&activity);
                        service_fn(move |request| {
                            let emulator = emulator.clone();
                            let stats = stats.clone();
                            let busy = activity.busy();
                            let counted = stats.start();
                            async move {
                                let response = if admission == Admission::HealthOnly
                                    && !is_health(&request)
                                {
                                    stats.refuse();
                                    Ok(over_capacity())
                                } else {
                                    serve_request(emulator, request).await
                                };
                                drop(counted);
                                drop(busy);
                                response
                            }
                        })
                    };
                    let connection = http1::Builder::new()
                        .half_close(true)
                        .serve_connection(
                            TokioIo::new(Watched::new(stream, Arc::clone(&activity))),
                            service,
                        );
                    let connection = graceful.watch(connection);
                    tokio::spawn(async move {
                        tokio::select! {
                            ended = connection => if let Err(err) = ended {
                                tracing::debug!(%peer, error = %err, "connection ended with an error");
                            },
                            expiry = activity.expired(&limits) => {
                                tracing::debug!(%peer, reason = expiry.as_str(), "connection closed");
                            }
                        }
                        drop(open);
                    });
                }
                Err(err) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
            _ = &mut stop => break,
        }
    }
    drop(listener);
    graceful.shutdown().await;
}

fn is_health<B>(request: &Request<B>) -> bool {
    request.method() == http::Method::GET && request.uri().path() == "/_emulator/health"
}

/// The answer to a request other than the health check on a connection of the health reserve.
fn over_capacity() -> Response<Full<Bytes>> {
    let mut response = json_response(
        http::StatusCode::SERVICE_UNAVAILABLE,
        &serde_json::json!({
            "error": "the connection cap is reached: this connection may ask GET /_emulator/health only"
        }),
    );
    response.headers_mut().insert(
        http::header::CONNECTION,
        http::HeaderValue::from_static("close"),
    );
    response.map(Full::from)
}

/// The answer to a request whose body did not arrive within the body-read timeout: 408, as a
/// gateway answers it, and the connection is closed.
fn body_timed_out() -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::from(gateway_page(408)));
    *response.status_mut() = http::StatusCode::REQUEST_TIMEOUT;
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/html"),
    );
    headers.insert(
        http::header::CONNECTION,
        http::HeaderValue::from_static("close"),
    );
    response
}

/// Reads the body, keeping at most `keep` bytes and discarding up to [`DRAIN_MAX`].
async fn read_body(body: Incoming, keep: usize) -> Result<Bytes, hyper::Error> {
    let mut body = body;
    let mut kept: Vec<u8> = Vec::new();
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue;
        };
        total = total.saturating_add(data.len());
        if kept.len() < keep {
            let take = data.len().min(keep - kept.len());
            kept.extend_from_slice(&data[..take]);
        }
        if total > DRAIN_MAX {
            break;
        }
    }
    Ok(Bytes::from(kept))
}

async fn serve_request(
    emulator: Emulator,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, DropConnection> {
    let plan = emulator.fault_plan(request.uri().path());
    if !plan.delay.is_zero() {
        tokio::time::sleep(plan.delay).await;
    }
    match &plan.action {
        None | Some(FaultAction::CloseAfterProcessing | FaultAction::LandLate(_)) => {}
        Some(action) => {
            return match emulator.refuse(action, &request) {
                Some(Exchange::Reply(response)) => Ok(response.map(Full::from)),
                _ => Err(DropConnection),
            };
        }
    }
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let keep = emulator.body_keep();
    let body = if declared.is_some_and(|n| n > DRAIN_MAX) {
        // Not worth reading: answer the refusal with a body just over the limit.
        Bytes::from(vec![0u8; keep])
    } else {
        let timeout = emulator.config().connections.body_read_timeout;
        match tokio::time::timeout(timeout, read_body(body, keep)).await {
            Ok(Ok(body)) => body,
            // The client went away or sent a malformed body: nobody to answer.
            Ok(Err(_)) => return Err(DropConnection),
            Err(_) => return Ok(body_timed_out()),
        }
    };
    let request = Request::from_parts(parts, body);
    let close_after = match plan.action {
        Some(FaultAction::LandLate(after)) => {
            // The connection is held without an answer until the request has landed, then
            // closed; the landing itself does not depend on the connection.
            let _ = emulator.land_late(request, after).await;
            return Err(DropConnection);
        }
        action => action.is_some(),
    };
    let response = emulator.handle(request);
    // With a state file, a change is on disk before it is acknowledged.
    emulator.durable().await;
    if close_after {
        return Err(DropConnection);
    }
    Ok(response.map(Full::from))
}
