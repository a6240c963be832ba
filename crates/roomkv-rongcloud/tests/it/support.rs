//! Shared fixtures: a client wired to a `CaptureClient`, a fixed clock and fixed nonces, and
//! helpers to build replies and read captured requests.

use roomkv_rongcloud::RongCloudSettings;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use roomkv_rongcloud::{
    AppKey, AppSecret, ChatroomId, Client, ClientBuilder, EntryKey, EntryValue, ExpansionKey,
    ExpansionValue, MsgUid, TargetId, UserId,
};
use roomkv_transport::test_util::{CaptureClient, FixedClock, FixedRandom};
use roomkv_transport::{Clock, HttpRequest, HttpResponse, SharedHttpClient};

/// The App Key of every test client.
pub(crate) const APP_KEY: &str = "demo-app-key";
/// The App Secret of RongCloud's documented signature example.
pub(crate) const APP_SECRET: &str = "Y1W2MeFwwwRxa0";
/// The nonce of the documented example; `FixedRandom(NONCE)` makes every nonce `14314`.
pub(crate) const NONCE: u64 = 14314;
/// The timestamp of the documented example, in milliseconds.
pub(crate) const TIMESTAMP_MS: u64 = 1_408_710_653_000;
/// The documented signature of `APP_SECRET ‖ "14314" ‖ "1408710653000"`.
pub(crate) const DOC_SIGNATURE: &str = "30be0bbca9c9b2e27578701e9fda2358a814c88f";
/// The request id `FixedRandom(NONCE)` gives: two draws of 14314 (`0x37ea`) as 32 hex digits.
pub(crate) const FIXED_REQUEST_ID: &str = "00000000000037ea00000000000037ea";

/// A client that sends to a [`CaptureClient`], with the documented example's clock and nonce.
pub(crate) struct Harness {
    pub(crate) client: Client,
    pub(crate) capture: CaptureClient,
}

impl Harness {
    /// The default test client: Beijing hosts, fixed clock and nonce.
    pub(crate) fn new() -> Self {
        Self::with(|b| b)
    }

    /// A test client with more settings. Unless replies are queued, every request is answered
    /// `{"code":200}`.
    pub(crate) fn with(configure: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Self {
        let capture = CaptureClient::new().with_fallback(|_| Ok(ok()));
        let builder = Client::builder()
            .app_key(AppKey::new(APP_KEY))
            .app_secret(AppSecret::new(APP_SECRET))
            .http_client(SharedHttpClient::new(capture.clone()))
            .clock(FixedClock::from_unix_millis(TIMESTAMP_MS))
            .random_source(FixedRandom(NONCE));
        let client = configure(builder).build().expect("the test client builds");
        Self { client, capture }
    }

    /// Queues a reply.
    pub(crate) fn reply(&self, response: HttpResponse) -> &Self {
        self.capture.push_response(response);
        self
    }

    /// The captured requests.
    pub(crate) fn requests(&self) -> Vec<HttpRequest> {
        self.capture.requests()
    }

    /// The hosts the captured requests went to.
    pub(crate) fn hosts_used(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|r| r.uri().host().unwrap().to_owned())
            .collect()
    }
}

/// A reply with `status`, a JSON content type and `body`.
pub(crate) fn reply(status: u16, body: &'static str) -> HttpResponse {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json; charset=utf-8")
        .body(Bytes::from_static(body.as_bytes()))
        .unwrap()
}

/// The same reply echoing `request_id` in `X-Request-ID`, as RongCloud does.
pub(crate) fn echoing(mut response: HttpResponse, request_id: &str) -> HttpResponse {
    response
        .headers_mut()
        .insert("x-request-id", request_id.parse().unwrap());
    response
}

/// `{"code":200}`.
pub(crate) fn ok() -> HttpResponse {
    reply(200, r#"{"code":200}"#)
}

/// A header of `request` as text.
pub(crate) fn header<'a>(request: &'a HttpRequest, name: &str) -> &'a str {
    request
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

/// A clock whose wall time advances by 1 ms every time it is read (monotonic time stays put),
/// so consecutive attempts get different timestamps.
#[derive(Debug)]
pub(crate) struct TickingClock(AtomicU64);

impl TickingClock {
    pub(crate) fn starting_at_millis(millis: u64) -> Self {
        Self(AtomicU64::new(millis))
    }
}

impl Clock for TickingClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.0.fetch_add(1, Ordering::Relaxed))
    }

    fn monotonic(&self) -> Duration {
        Duration::ZERO
    }
}

pub(crate) fn room() -> ChatroomId {
    ChatroomId::parse("room1").unwrap()
}

pub(crate) fn user() -> UserId {
    UserId::parse("anchor").unwrap()
}

pub(crate) fn key(text: &str) -> EntryKey {
    EntryKey::parse(text).unwrap()
}

pub(crate) fn value(text: &str) -> EntryValue {
    EntryValue::parse(text).unwrap()
}

pub(crate) fn msg() -> MsgUid {
    MsgUid::parse("BRGM-DEN2-01E4-BN66").unwrap()
}

pub(crate) fn target(text: &str) -> TargetId {
    TargetId::parse(text).unwrap()
}

pub(crate) fn xkey(text: &str) -> ExpansionKey {
    ExpansionKey::parse(text).unwrap()
}

pub(crate) fn xvalue(text: &str) -> ExpansionValue {
    ExpansionValue::parse(text).unwrap()
}
