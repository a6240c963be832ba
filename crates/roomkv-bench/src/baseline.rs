//! Section 2's baseline: the client a Rust engineer would write in an afternoon instead of using
//! roomkv, and the thing roomkv must not be slower than.
//!
//! hyper-util's pooled legacy client over plain `HttpConnector` (`TCP_NODELAY`, keep-alive),
//! `sha1` for RongCloud's signature, `form_urlencoded` for the form body and the query string,
//! `serde_json` for the answers, `rand` for the nonces. Correct on the wire (the emulator
//! verifies every signature and UserSig) and nothing more: no validation, no rate limiter, no
//! retries, no failover, no timeout, no request id, no tracing. The Tencent UserSig is
//! generated once (with roomkv-sign's generator, outside every measured request, as an
//! application would call Tencent's own `TLSSigAPIv2`) and cached; each request draws a fresh
//! `random`.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha1::{Digest, Sha1};

/// The pooled HTTP/1.1 client both baseline clients are built on.
type Http = Client<HttpConnector, Full<Bytes>>;

/// How long the cached UserSig is valid: a day, Tencent's recommended minimum.
const USERSIG_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

fn pooled_http() -> Http {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new()).build(connector)
}

/// Sends `request` and reads the JSON body of its `200` answer.
async fn exchange<T: DeserializeOwned>(
    http: &Http,
    request: Request<Full<Bytes>>,
) -> Result<T, String> {
    let response = http
        .request(request)
        .await
        .map_err(|err| format!("request: {err}"))?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|err| format!("body: {err}"))?
        .to_bytes();
    if status == StatusCode::OK {
        serde_json::from_slice(&body).map_err(|err| format!("answer: {err}"))
    } else {
        Err(format!("HTTP {status}: {}", String::from_utf8_lossy(&body)))
    }
}

/// RongCloud's answer: `{"code":200}` on success.
#[derive(Deserialize)]
struct RongCloudReply {
    code: i64,
}

/// The hand-written RongCloud client: entry set only.
#[derive(Clone)]
pub(crate) struct RongCloudBaseline {
    http: Http,
    url: String,
    app_key: String,
    app_secret: String,
}

impl RongCloudBaseline {
    /// A client for the server at `base_url` (`http://HOST:PORT`).
    pub(crate) fn new(base_url: &str, app_key: &str, app_secret: &str) -> Self {
        Self {
            http: pooled_http(),
            url: format!("{base_url}/chatroom/entry/set.json"),
            app_key: app_key.to_owned(),
            app_secret: app_secret.to_owned(),
        }
    }

    /// Sets `key` to `value` in chat room `room` as `user`: a fresh nonce, millisecond
    /// timestamp and SHA1 signature, the form body, one request.
    pub(crate) async fn set_entry(
        &self,
        room: &str,
        user: &str,
        key: &str,
        value: &str,
    ) -> Result<(), String> {
        let nonce = rand::random::<u32>().to_string();
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|err| err.to_string())?
            .as_millis()
            .to_string();
        let mut sha1 = Sha1::new();
        sha1.update(self.app_secret.as_bytes());
        sha1.update(nonce.as_bytes());
        sha1.update(timestamp.as_bytes());
        let mut signature = String::with_capacity(40);
        for byte in sha1.finalize() {
            let _ = write!(signature, "{byte:02x}");
        }
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("chatroomId", room)
            .append_pair("userId", user)
            .append_pair("key", key)
            .append_pair("value", value)
            .finish();
        let request = Request::post(&self.url)
            .header("App-Key", &self.app_key)
            .header("Nonce", nonce)
            .header("Timestamp", timestamp)
            .header("Signature", signature)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from(body)))
            .map_err(|err| err.to_string())?;
        let reply: RongCloudReply = exchange(&self.http, request).await?;
        if reply.code == 200 {
            Ok(())
        } else {
            Err(format!("RongCloud code {}", reply.code))
        }
    }
}

/// Tencent's envelope: `ErrorCode` 0 on success.
#[derive(Deserialize)]
struct TencentReply {
    #[serde(rename = "ErrorCode")]
    error_code: i64,
    #[serde(rename = "ErrorInfo", default)]
    error_info: String,
}

/// The hand-written Tencent client: set_room_metadata only, as the app's admin.
#[derive(Clone)]
pub(crate) struct TencentBaseline {
    http: Http,
    url: String,
    sdkappid: String,
    identifier: String,
    usersig: String,
}

impl TencentBaseline {
    /// A client for the server at `base_url`, its admin UserSig generated now and cached.
    pub(crate) fn new(base_url: &str, sdkappid: u64, identifier: &str, secret_key: &str) -> Self {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let usersig = roomkv_sign::tencent::generate(
            sdkappid,
            identifier,
            &roomkv_sign::tencent::SecretKey::new(secret_key),
            USERSIG_LIFETIME.as_secs(),
            now,
        );
        Self {
            http: pooled_http(),
            url: format!("{base_url}/v4/live_engine_http_srv/set_room_metadata"),
            sdkappid: sdkappid.to_string(),
            identifier: identifier.to_owned(),
            usersig: usersig.expose_secret().to_owned(),
        }
    }

    /// Sets `key` to `value` in Live room `room`: the cached UserSig, a fresh `random`, the
    /// JSON body, one request.
    pub(crate) async fn set_room_metadata(
        &self,
        room: &str,
        key: &str,
        value: &str,
    ) -> Result<(), String> {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("sdkappid", &self.sdkappid)
            .append_pair("identifier", &self.identifier)
            .append_pair("usersig", &self.usersig)
            .append_pair("random", &rand::random::<u32>().to_string())
            .append_pair("contenttype", "json")
            .finish();
        let body = serde_json::json!({
            "RoomId": room,
            "Metadata": [{ "Key": key, "Value": value }],
        });
        let request = Request::post(format!("{}?{query}", self.url))
            .header(CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body.to_string())))
            .map_err(|err| err.to_string())?;
        let reply: TencentReply = exchange(&self.http, request).await?;
        if reply.error_code == 0 {
            Ok(())
        } else {
            Err(format!(
                "Tencent ErrorCode {}: {}",
                reply.error_code, reply.error_info
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use roomkv_emulator::{Emulator, EmulatorConfig, ServerHandle};
    use roomkv_rongcloud::RongCloudSettings as _;
    use roomkv_tencent::TencentSettings as _;

    use super::*;

    async fn emulator() -> (Emulator, ServerHandle) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let emulator = Emulator::new(EmulatorConfig::default());
        let server = emulator.serve_listener(listener).unwrap();
        (emulator, server)
    }

    #[tokio::test]
    async fn the_rongcloud_baseline_stores_entries_the_emulator_accepts() {
        let (_emulator, server) = emulator().await;
        let url = server.base_url();
        let baseline =
            RongCloudBaseline::new(&url, crate::RONGCLOUD_APP_KEY, crate::RONGCLOUD_APP_SECRET);
        for value in ["quiz", "a b&c=d"] {
            baseline
                .set_entry("room-1", "anchor", "stage", value)
                .await
                .unwrap();
        }
        let roomkv = roomkv_rongcloud::Client::builder()
            .app_key(roomkv_rongcloud::AppKey::new(crate::RONGCLOUD_APP_KEY))
            .app_secret(roomkv_rongcloud::AppSecret::new(
                crate::RONGCLOUD_APP_SECRET,
            ))
            .base_url(&url)
            .build()
            .unwrap();
        let room = roomkv_rongcloud::ChatroomId::parse("room-1").unwrap();
        let entries = roomkv.query_all_entries(&room).await.unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(
            (entries[0].key.as_str(), entries[0].value.as_str()),
            ("stage", "a b&c=d")
        );
        assert_eq!(entries[0].user_id.as_str(), "anchor");

        let wrong = RongCloudBaseline::new(&url, crate::RONGCLOUD_APP_KEY, "not-the-secret");
        let err = wrong
            .set_entry("room-1", "anchor", "stage", "x")
            .await
            .unwrap_err();
        assert!(err.contains("401"), "{err}");
    }

    #[tokio::test]
    async fn the_tencent_baseline_sets_metadata_the_emulator_accepts() {
        let (_emulator, server) = emulator().await;
        let url = server.base_url();
        let roomkv = roomkv_tencent::Client::builder()
            .sdkappid(crate::TENCENT_SDKAPPID)
            .secret_key(roomkv_tencent::SecretKey::new(crate::TENCENT_SECRET_KEY))
            .base_url(&url)
            .build()
            .unwrap();
        let room = roomkv_tencent::RoomId::parse("live-1").unwrap();
        roomkv
            .create_room(roomkv_tencent::CreateRoom::new(room.clone()))
            .await
            .unwrap();
        let baseline = TencentBaseline::new(
            &url,
            crate::TENCENT_SDKAPPID,
            roomkv_tencent::DEFAULT_ADMIN,
            crate::TENCENT_SECRET_KEY,
        );
        for value in ["quiz", "round \"3\""] {
            baseline
                .set_room_metadata("live-1", "stage", value)
                .await
                .unwrap();
        }
        let metadata = roomkv.get_all_room_metadata(&room).await.unwrap();
        assert_eq!(metadata.len(), 1);
        assert_eq!(
            (metadata[0].key.as_str(), metadata[0].value.as_str()),
            ("stage", "round \"3\"")
        );

        let err = baseline
            .set_room_metadata("no-such-room", "stage", "x")
            .await
            .unwrap_err();
        assert!(err.starts_with("Tencent ErrorCode "), "{err}");
        let wrong = TencentBaseline::new(
            &url,
            crate::TENCENT_SDKAPPID,
            roomkv_tencent::DEFAULT_ADMIN,
            "not-the-key",
        );
        let err = wrong
            .set_room_metadata("live-1", "stage", "x")
            .await
            .unwrap_err();
        assert!(err.contains("ErrorCode 7"), "{err}");
    }
}
