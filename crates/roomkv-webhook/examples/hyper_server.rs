//! A callback receiver over hyper: verifies RongCloud KV sync webhooks on `/rongcloud/kv-sync`
//! and Tencent Live metadata callbacks on `/tencent/live`, prints each event as one line, and
//! answers as the vendors expect (200 for accepted, 401/400/415 for rejected callbacks).
//!
//! ```text
//! cargo run -p roomkv-webhook --example hyper_server -- 127.0.0.1:9000
//! roomkv emulator --rongcloud-webhook-url http://127.0.0.1:9000/rongcloud/kv-sync \
//!     --tencent-callback-url http://127.0.0.1:9000/tencent/live --tencent-callback-token demo-callback-token
//! ```
//!
//! Secrets come from `RONGCLOUD_APP_SECRET` and `TENCENT_CALLBACK_TOKEN` (defaults: the
//! emulator's `demo-app-secret` and `demo-callback-token`). The listen address is the first
//! argument (default `127.0.0.1:9000`; port 0 picks a free port); the first line printed is
//! `listening on http://ADDR`.
//!
//! Connection hygiene, as any server facing the network needs it: a request is answered even
//! when the sender half-closes its side after sending it (hyper's `half_close`); a request head
//! must arrive within [`HEADER_READ_TIMEOUT`] (hyper's timer also closes a keep-alive
//! connection idle that long) and its body within [`BODY_READ_TIMEOUT`] (408 otherwise); at
//! most [`MAX_CONNECTIONS`] connections are served at once, further ones are closed at once.

use std::convert::Infallible;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http_body_util::{BodyExt as _, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use roomkv_sign::rongcloud::AppSecret;
use roomkv_sign::tencent::CallbackToken;
use roomkv_webhook::{RongCloudWebhookVerifier, TencentCallbackVerifier, WebhookError};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Callback bodies are small; refuse anything larger without reading it all.
const MAX_BODY: usize = 64 * 1024;

/// How long a request head may take to arrive, and a keep-alive connection may stay idle.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a request body may take to arrive.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How many connections are served at once (well under a 1,024 file-descriptor limit).
const MAX_CONNECTIONS: usize = 256;

struct Verifiers {
    rongcloud: RongCloudWebhookVerifier,
    tencent: TencentCallbackVerifier,
}

fn line(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

async fn handle(
    verifiers: Arc<Verifiers>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let limited = http_body_util::Limited::new(body, MAX_BODY);
    let collected = match tokio::time::timeout(BODY_READ_TIMEOUT, limited.collect()).await {
        Ok(Ok(collected)) => collected,
        Ok(Err(_)) => return Ok(reply(StatusCode::PAYLOAD_TOO_LARGE, "body too large")),
        Err(_) => return Ok(reply(StatusCode::REQUEST_TIMEOUT, "body too slow")),
    };
    let request = Request::from_parts(parts, collected.to_bytes());
    // The one place the clock is read: the verifiers take the time as an argument.
    let now = SystemTime::now();
    let outcome = match request.uri().path() {
        "/rongcloud/kv-sync" => verifiers
            .rongcloud
            .verify(&request, now)
            .map(|event| format!("rongcloud {event:?}")),
        "/tencent/live" => verifiers
            .tencent
            .verify(&request, now)
            .map(|event| format!("tencent {event:?}")),
        _ => return Ok(reply(StatusCode::NOT_FOUND, "no such callback")),
    };
    Ok(match outcome {
        Ok(event) => {
            line(&event);
            reply(StatusCode::OK, r#"{"ActionStatus":"OK","ErrorCode":0}"#)
        }
        Err(error) => rejected(&error),
    })
}

fn rejected(error: &WebhookError) -> Response<Full<Bytes>> {
    line(&format!("rejected: {error}"));
    let status = StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    reply(status, &error.to_string())
}

fn reply(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_owned())));
    *response.status_mut() = status;
    response
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .as_deref()
        .unwrap_or("127.0.0.1:9000")
        .parse()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let secret = std::env::var("RONGCLOUD_APP_SECRET").unwrap_or_else(|_| "demo-app-secret".into());
    let token =
        std::env::var("TENCENT_CALLBACK_TOKEN").unwrap_or_else(|_| "demo-callback-token".into());
    let window = Duration::from_secs(300);
    let verifiers = Arc::new(Verifiers {
        rongcloud: RongCloudWebhookVerifier::new(AppSecret::new(secret), window),
        tencent: TencentCallbackVerifier::new(CallbackToken::new(token), window),
    });

    let listener = TcpListener::bind(addr).await?;
    line(&format!("listening on http://{}", listener.local_addr()?));
    tokio::select! {
        served = serve(listener, verifiers) => served,
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}

/// Serves callbacks on `listener` until accepting fails.
async fn serve(listener: TcpListener, verifiers: Arc<Verifiers>) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let (stream, _) = listener.accept().await?;
        // Past the cap, a connection is closed at once instead of holding a descriptor.
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let verifiers = Arc::clone(&verifiers);
        tokio::spawn(async move {
            let service = service_fn(move |request| handle(Arc::clone(&verifiers), request));
            let _ = http1::Builder::new()
                .half_close(true)
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            drop(slot);
        });
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::net::TcpStream;

    use super::*;

    async fn started() -> SocketAddr {
        let verifiers = Arc::new(Verifiers {
            rongcloud: RongCloudWebhookVerifier::new(
                AppSecret::new("demo-app-secret"),
                Duration::from_secs(300),
            ),
            tencent: TencentCallbackVerifier::new(
                CallbackToken::new("demo-callback-token"),
                Duration::from_secs(300),
            ),
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve(listener, verifiers));
        addr
    }

    /// Sends `request`, half-closes, and returns the status line of the answer.
    async fn half_closed(addr: SocketAddr, request: &[u8]) -> String {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(request).await.unwrap();
        stream.shutdown().await.unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        let answer = String::from_utf8_lossy(&answer);
        answer.lines().next().unwrap_or_default().to_owned()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_half_closed_request_is_answered_alone_and_concurrently() {
        let addr = started().await;
        let body = "{\"not\":\"signed\"}";
        let request = format!(
            "POST /tencent/live HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        for _ in 0..3 {
            let status = half_closed(addr, request.as_bytes()).await;
            assert!(status.starts_with("HTTP/1.1 4"), "{status:?}");
        }
        let clients: Vec<_> = (0..16)
            .map(|_| {
                let request = request.clone();
                tokio::spawn(async move { half_closed(addr, request.as_bytes()).await })
            })
            .collect();
        for client in clients {
            let status = client.await.unwrap();
            assert!(status.starts_with("HTTP/1.1 4"), "{status:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_head_and_a_slow_body_are_timed_out() {
        let addr = started().await;
        let mut slow = TcpStream::connect(addr).await.unwrap();
        slow.write_all(b"POST /tencent/live HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        let started = tokio::time::Instant::now();
        let mut answer = Vec::new();
        let _ = slow.read_to_end(&mut answer).await;
        assert!(started.elapsed() >= HEADER_READ_TIMEOUT);

        let mut body = TcpStream::connect(addr).await.unwrap();
        body.write_all(b"POST /tencent/live HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{")
            .await
            .unwrap();
        let mut answer = vec![0u8; 1024];
        let n = body.read(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer[..n]);
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    }
}
