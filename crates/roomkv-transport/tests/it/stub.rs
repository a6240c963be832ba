//! An in-process hyper HTTP/1.1 server on `127.0.0.1:0` that answers from a script.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

/// What the stub does with the next request (after reading it in full).
#[derive(Debug, Clone)]
pub(crate) enum Reply {
    /// `200` with this body.
    Ok(&'static str),
    /// This status with a short body.
    Status(u16),
    /// Never answer (the connection stays open).
    Stall,
    /// Send the head and a few body bytes, then never finish the body.
    HeadThenStall,
    /// Close the connection without answering (a TCP reset if the stub resets).
    Close,
    /// `200` with this many bytes and a `Content-Length`.
    Bytes(usize),
    /// `200` with this many bytes, chunked (no `Content-Length`).
    Chunked(usize),
}

#[derive(Default)]
struct Shared {
    script: Mutex<VecDeque<Reply>>,
    connections: AtomicUsize,
    requests: AtomicUsize,
}

/// The running stub; stops (with all its connections) when dropped.
pub(crate) struct Stub {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Stub {
    /// A stub that closes connections with a FIN.
    pub(crate) async fn start() -> Self {
        Self::start_with(false).await
    }

    /// A stub whose sockets have a zero linger time, so closing sends a TCP reset.
    pub(crate) async fn start_resetting() -> Self {
        Self::start_with(true).await
    }

    /// A stub speaking TLS with the test certificate for `localhost` / `127.0.0.1`
    /// (`tests/fixtures/tls`).
    #[cfg(feature = "rustls")]
    pub(crate) async fn start_tls() -> Self {
        Self::start_inner(false, Some(crate::tls::acceptor())).await
    }

    async fn start_with(reset: bool) -> Self {
        Self::start_inner(reset, None).await
    }

    async fn start_inner(reset: bool, tls: Option<TlsAcceptor>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared::default());
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&shared), reset, tls));
        Self { addr, shared, task }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    #[cfg(feature = "rustls")]
    pub(crate) fn https_url(&self, path: &str) -> String {
        format!("https://{}{path}", self.addr)
    }

    pub(crate) fn push(&self, reply: Reply) -> &Self {
        self.shared.script.lock().unwrap().push_back(reply);
        self
    }

    /// Connections accepted so far.
    pub(crate) fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Requests read so far.
    pub(crate) fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    reset: bool,
    tls: Option<TlsAcceptor>,
) {
    // Dropping the set (when the accept task is aborted) aborts every connection task.
    let mut conns = JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        shared.connections.fetch_add(1, Ordering::SeqCst);
        if reset {
            stream.set_zero_linger().unwrap();
        }
        let shared = Arc::clone(&shared);
        let tls = tls.clone();
        conns.spawn(async move {
            let service = service_fn(move |req| handle(Arc::clone(&shared), req));
            let http = hyper::server::conn::http1::Builder::new();
            // Errors (including the deliberate `Close` and failed handshakes) just end the
            // connection.
            match tls {
                None => {
                    let _ = http.serve_connection(TokioIo::new(stream), service).await;
                }
                Some(tls) => {
                    if let Ok(stream) = tls.accept(stream).await {
                        let _ = http.serve_connection(TokioIo::new(stream), service).await;
                    }
                }
            }
        });
    }
}

type Resp = http::Response<StubBody>;

async fn handle(shared: Arc<Shared>, req: http::Request<Incoming>) -> Result<Resp, io::Error> {
    // Read the whole request first: every scripted failure happens after the request arrived.
    let _ = req.into_body().collect().await;
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let reply = shared
        .script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or(Reply::Ok("ok"));
    let full = |status: u16, body: Bytes| {
        http::Response::builder()
            .status(status)
            .body(StubBody::Full(Some(body)))
            .unwrap()
    };
    match reply {
        Reply::Ok(body) => Ok(full(200, Bytes::from_static(body.as_bytes()))),
        Reply::Status(s) => Ok(full(s, Bytes::from_static(b"scripted status"))),
        Reply::Stall => std::future::pending().await,
        Reply::HeadThenStall => Ok(http::Response::new(StubBody::Chunks {
            remaining: 7,
            stall: true,
        })),
        Reply::Close => Err(io::Error::other("scripted close")),
        Reply::Bytes(n) => Ok(full(200, Bytes::from(vec![b'x'; n]))),
        Reply::Chunked(n) => Ok(http::Response::new(StubBody::Chunks {
            remaining: n,
            stall: false,
        })),
    }
}

/// A response body: complete, or chunks (without a known length) optionally stalling at the
/// end.
pub(crate) enum StubBody {
    Full(Option<Bytes>),
    Chunks { remaining: usize, stall: bool },
}

impl Body for StubBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            Self::Full(body) => Poll::Ready(body.take().map(|b| Ok(Frame::data(b)))),
            Self::Chunks { remaining, stall } => {
                if *remaining > 0 {
                    let n = (*remaining).min(16 * 1024);
                    *remaining -= n;
                    Poll::Ready(Some(Ok(Frame::data(Bytes::from(vec![b'y'; n])))))
                } else if *stall {
                    // Never woken: the body never ends.
                    Poll::Pending
                } else {
                    Poll::Ready(None)
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Self::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Full(Some(b)) => SizeHint::with_exact(b.len() as u64),
            Self::Full(None) => SizeHint::with_exact(0),
            Self::Chunks { .. } => SizeHint::default(),
        }
    }
}

/// A port on 127.0.0.1 with nothing listening (bound, then released).
pub(crate) fn refused_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}
