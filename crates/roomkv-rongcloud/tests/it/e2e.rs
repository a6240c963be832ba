//! End to end over real sockets: the built-in `HyperClient` against a tiny hyper server on
//! `127.0.0.1:0` that checks the signature headers the way RongCloud does.

use roomkv_rongcloud::RongCloudSettings;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use roomkv_rongcloud::{AppKey, AppSecret, Client, KeepAlive, RongCloudCode};
use roomkv_sign::rongcloud::verify;
use tokio::net::TcpListener;

use crate::support::*;

/// What the server saw of one request.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    body: String,
    app_key: String,
    nonce: String,
    timestamp: String,
    request_id: String,
    content_type: String,
    signature_ok: bool,
}

/// Answers like RongCloud: 401 with code 1004 for a bad signature, `{"code":200}` otherwise
/// (with the one documented entry for queries), echoing `X-Request-ID`.
async fn handle(
    request: hyper::Request<Incoming>,
    seen: Arc<Mutex<Vec<Seen>>>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let (head, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let text = |name: &str| {
        head.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (nonce, timestamp) = (text("nonce"), text("timestamp"));
    let signature_ok = verify(
        &AppSecret::new(APP_SECRET),
        &nonce,
        &timestamp,
        &text("signature"),
    )
    .is_ok();
    let request_id = text("x-request-id");
    seen.lock().unwrap().push(Seen {
        path: head.uri.path().to_owned(),
        body: String::from_utf8_lossy(&body).into_owned(),
        app_key: text("app-key"),
        nonce,
        timestamp,
        request_id: request_id.clone(),
        content_type: text("content-type"),
        signature_ok,
    });
    let (status, reply) = if !signature_ok {
        (401, r#"{"code":1004,"errorMessage":"Signature error"}"#)
    } else if head.uri.path() == "/chatroom/entry/query.json" {
        (
            200,
            r#"{"code":200,"keys":[{"key":"score","value":"42","userId":"anchor","autoDelete":"0","lastSetTime":"1700000000000"}]}"#,
        )
    } else {
        (200, r#"{"code":200}"#)
    };
    let response = hyper::Response::builder()
        .status(status)
        .header("content-type", "application/json; charset=utf-8")
        .header("x-request-id", request_id)
        .body(Full::new(Bytes::from_static(reply.as_bytes())))
        .unwrap();
    Ok(response)
}

/// Starts the server; returns its base URL and what it saw.
async fn start() -> (String, Arc<Mutex<Vec<Seen>>>, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let shared = Arc::clone(&seen);
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let seen = Arc::clone(&shared);
            tokio::spawn(async move {
                let service = service_fn(move |req| handle(req, Arc::clone(&seen)));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (format!("http://{addr}"), seen, task)
}

#[tokio::test]
async fn signed_requests_over_real_sockets() {
    let (url, seen, server) = start().await;
    let client = Client::builder()
        .app_key(AppKey::new(APP_KEY))
        .app_secret(AppSecret::new(APP_SECRET))
        .base_url(url.as_str())
        .keep_alive(KeepAlive::Disabled)
        .build()
        .unwrap();

    client
        .set_entry(&room(), &user(), key("score"), value("42"))
        .await
        .unwrap();
    let entries = client.query_entries(&room(), [key("score")]).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].value.as_str(), "42");

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].path, "/chatroom/entry/set.json");
    assert_eq!(
        seen[0].body,
        "chatroomId=room1&userId=anchor&key=score&value=42&autoDelete=0"
    );
    assert_eq!(seen[1].path, "/chatroom/entry/query.json");
    assert_eq!(seen[1].body, "chatroomId=room1&keys=score");
    for request in &seen {
        assert!(request.signature_ok, "{request:?}");
        assert_eq!(request.app_key, APP_KEY);
        assert_eq!(request.content_type, "application/x-www-form-urlencoded");
        assert!(
            !request.nonce.is_empty()
                && request.nonce.len() <= 18
                && request.nonce.bytes().all(|b| b.is_ascii_digit()),
            "{request:?}"
        );
        assert_eq!(request.timestamp.len(), 13, "milliseconds: {request:?}");
        assert_eq!(request.request_id.len(), 32);
        assert!(request.request_id.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    assert_ne!(seen[0].nonce, seen[1].nonce);
    assert_ne!(seen[0].request_id, seen[1].request_id);
    server.abort();
}

#[tokio::test]
async fn a_wrong_secret_is_the_signature_error_with_the_echoed_request_id() {
    let (url, seen, server) = start().await;
    let client = Client::builder()
        .app_key(AppKey::new(APP_KEY))
        .app_secret(AppSecret::new("the App Key, not the secret"))
        .base_url(url.as_str())
        .build()
        .unwrap();
    let err = client.query_all_entries(&room()).await.unwrap_err();
    assert_eq!(err.api_code(), Some(RongCloudCode::SignatureError));
    assert_eq!(err.http_status(), Some(401));
    assert_eq!(err.attempts(), 1);
    let sent_id = seen.lock().unwrap()[0].request_id.clone();
    assert_eq!(err.request_id(), Some(sent_id.as_str()));
    server.abort();
}
