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
use hyper_util::rt::TokioIo;
use roomkv_sign::rongcloud::AppSecret;
use roomkv_sign::tencent::CallbackToken;
use roomkv_webhook::{RongCloudWebhookVerifier, TencentCallbackVerifier, WebhookError};
use tokio::net::TcpListener;

/// Callback bodies are small; refuse anything larger without reading it all.
const MAX_BODY: usize = 64 * 1024;

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
    let Ok(collected) = limited.collect().await else {
        return Ok(reply(StatusCode::PAYLOAD_TOO_LARGE, "body too large"));
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
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => accepted?,
            _ = tokio::signal::ctrl_c() => return Ok(()),
        };
        let verifiers = Arc::clone(&verifiers);
        tokio::spawn(async move {
            let service = service_fn(move |request| handle(Arc::clone(&verifiers), request));
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
