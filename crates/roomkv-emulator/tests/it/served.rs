//! An emulator served on a loopback port, a keep-alive hyper client, and requests signed with
//! roomkv-sign: the harness of the over-the-wire tests.

use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use roomkv_emulator::{Emulator, EmulatorConfig, ServerHandle};
use roomkv_transport::test_util::ManualClock;

use crate::common::*;

pub(crate) type HyperClient = Client<HttpConnector, Full<Bytes>>;

/// A pooled keep-alive client (at most `idle` idle connections kept).
pub(crate) fn keep_alive_client(idle: usize) -> HyperClient {
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(idle)
        .build_http()
}

/// One HTTP reply, read in full.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Reply {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The vendor code: RongCloud `code` or Tencent `ErrorCode`.
    pub(crate) fn code(&self) -> i64 {
        let value = self.json();
        value
            .get("code")
            .or_else(|| value.get("ErrorCode"))
            .and_then(serde_json::Value::as_i64)
            .unwrap_or_else(|| panic!("no code in {value}"))
    }

    /// HTTP status and vendor code.
    pub(crate) fn status_code(&self) -> (u16, i64) {
        (self.status.as_u16(), self.code())
    }

    /// The Tencent `RequestId`, checked to have the documented shape `Id-<32 hex>-O-Seq-<n>`.
    pub(crate) fn tencent_request_id(&self) -> String {
        let id = self.json()["RequestId"]
            .as_str()
            .unwrap_or_else(|| panic!("no RequestId in {}", self.text()))
            .to_owned();
        let (hex, seq) = id
            .strip_prefix("Id-")
            .and_then(|rest| rest.split_once("-O-Seq-"))
            .unwrap_or_else(|| panic!("RequestId {id:?}"));
        assert!(
            hex.len() == 32
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "RequestId {id:?}"
        );
        seq.parse::<u64>().unwrap();
        id
    }

    /// The Tencent success envelope, byte for byte, around `response` (a JSON text or none).
    pub(crate) fn assert_tencent_ok(&self, response: Option<&str>) {
        assert_eq!(self.status, StatusCode::OK);
        let id = self.tencent_request_id();
        let expected = match response {
            Some(response) => format!(
                r#"{{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"RequestId":"{id}","Response":{response}}}"#
            ),
            None => {
                format!(
                    r#"{{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"RequestId":"{id}"}}"#
                )
            }
        };
        assert_eq!(self.text(), expected);
    }
}

static NONCES: AtomicU64 = AtomicU64::new(1);

/// A fresh nonce (strict mode refuses a nonce seen within the window).
pub(crate) fn fresh_nonce() -> String {
    NONCES.fetch_add(1, Ordering::Relaxed).to_string()
}

/// Signs `request` as the default RongCloud app: `App-Key`, a fresh `Nonce`, `Timestamp` T0 in
/// seconds, and the `Signature` computed with roomkv-sign.
pub(crate) fn sign_rc<B>(mut request: Request<B>) -> Request<B> {
    let nonce = fresh_nonce();
    let timestamp = T0.as_secs().to_string();
    let headers = request.headers_mut();
    headers.insert("App-Key", APP.parse().unwrap());
    headers.insert(
        "Signature",
        rc_signature(&nonce, &timestamp).parse().unwrap(),
    );
    headers.insert("Nonce", nonce.parse().unwrap());
    headers.insert("Timestamp", timestamp.parse().unwrap());
    request
}

/// Adds `usersig` (the admin's, valid) and `random` to a Tencent request's query.
pub(crate) fn sign_tc<B>(mut request: Request<B>) -> Request<B> {
    let uri = request.uri().to_string();
    let separator = if uri.contains('?') { '&' } else { '?' };
    *request.uri_mut() = format!(
        "{uri}{separator}usersig={}&random={}",
        usersig(ADMIN),
        fresh_nonce()
    )
    .parse()
    .unwrap();
    request
}

/// An emulator on `127.0.0.1:0` with a manual clock at T0, and a keep-alive client.
pub(crate) struct Served {
    pub(crate) emulator: Emulator,
    pub(crate) clock: ManualClock,
    pub(crate) server: ServerHandle,
    pub(crate) client: HyperClient,
}

impl Served {
    pub(crate) async fn start(config: EmulatorConfig) -> Self {
        let (emulator, clock) = emulator_with(config);
        let server = emulator.serve("127.0.0.1:0").await.unwrap();
        Self {
            emulator,
            clock,
            server,
            client: keep_alive_client(4),
        }
    }

    /// Without quotas, so a test can send as much as it needs.
    pub(crate) async fn unlimited() -> Self {
        let mut config = EmulatorConfig::default();
        config.quota.enabled = false;
        Self::start(config).await
    }

    pub(crate) fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// Sends `request`; a relative URI goes to this server.
    pub(crate) async fn send(&self, request: Request<impl Into<Bytes>>) -> Reply {
        send_with(&self.client, &self.base_url(), request).await
    }

    /// A form POST to `path`, signed as the default app.
    pub(crate) async fn rc(&self, path: &str, form: &str) -> Reply {
        let request = Request::post(path)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form.to_owned())
            .unwrap();
        self.send(sign_rc(request)).await
    }

    /// A JSON POST of `command` as the admin of the default app, with a valid UserSig.
    pub(crate) async fn tc(&self, command: &str, body: &str) -> Reply {
        let request = Request::post(tc_uri(command))
            .header("Content-Type", "application/json")
            .body(body.to_owned())
            .unwrap();
        self.send(request).await
    }

    /// A JSON POST to `path_and_query` exactly as given (for the authentication codes).
    pub(crate) async fn tc_raw(&self, path_and_query: &str, body: &str) -> Reply {
        self.send(Request::post(path_and_query).body(body.to_owned()).unwrap())
            .await
    }

    pub(crate) async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

/// Sends `request` with `client`; a relative URI goes to `base`.
pub(crate) async fn send_with(
    client: &HyperClient,
    base: &str,
    request: Request<impl Into<Bytes>>,
) -> Reply {
    let (mut parts, body) = request.into_parts();
    if parts.uri.scheme().is_none() {
        parts.uri = format!("{base}{}", parts.uri).parse().unwrap();
    }
    let response = client
        .request(Request::from_parts(parts, Full::new(body.into())))
        .await
        .unwrap_or_else(|e| panic!("transport error: {e:?}"));
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body,
    }
}
