//! Shared fixtures: credentials, replies, a client over `CaptureClient`, query helpers.

use roomkv_tencent::TencentSettings;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use roomkv_sign::tencent::{Claims, SecretKey, verify};
use roomkv_tencent::{Client, ClientBuilder, MetadataKey, MetadataValue, RoomId};
use roomkv_transport::test_util::{CaptureClient, FixedClock, FixedRandom, response};
use roomkv_transport::{Clock, HttpRequest, HttpResponse, SharedHttpClient};

/// The official SDKs' public sample app (`docs/vendors/tencent.md#usersig-vectors`).
pub(crate) const SDKAPPID: u64 = 1_400_000_000;
/// The official SDKs' public sample key: not a real secret, but treated as one.
pub(crate) const KEY: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
/// The fixed clock of the golden tests.
pub(crate) const NOW: u64 = 1_700_000_000;
/// The fixed `random` of the golden tests.
pub(crate) const RANDOM: u64 = 12_345;
/// The documented sample request id.
pub(crate) const REQUEST_ID: &str = "Id-8c9858f01e954611ae2d4c1b1ed7d583-O-Seq-52720";
/// The default lifetime of the admin UserSig, in seconds.
pub(crate) const LIFETIME: u64 = 86_400;

pub(crate) fn room(id: &str) -> RoomId {
    RoomId::parse(id).unwrap()
}

pub(crate) fn key(k: &str) -> MetadataKey {
    MetadataKey::parse(k).unwrap()
}

pub(crate) fn value(v: &str) -> MetadataValue {
    MetadataValue::parse(v).unwrap()
}

pub(crate) fn secret_key() -> SecretKey {
    SecretKey::new(KEY)
}

/// The documented success envelope, with `extra` JSON members appended (`""` for none).
pub(crate) fn ok_with(extra: &str) -> HttpResponse {
    let sep = if extra.is_empty() { "" } else { "," };
    response(
        200,
        format!(
            r#"{{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"RequestId":"{REQUEST_ID}"{sep}{extra}}}"#
        ),
    )
}

/// The documented success envelope.
pub(crate) fn ok() -> HttpResponse {
    ok_with("")
}

/// A documented error envelope (HTTP 200).
pub(crate) fn fail(code: i64, info: &str) -> HttpResponse {
    response(
        200,
        format!(
            r#"{{"ActionStatus":"FAIL","ErrorInfo":"{info}","ErrorCode":{code},"RequestId":"{REQUEST_ID}"}}"#
        ),
    )
}

/// A builder over `capture` with a fixed clock and `random`, and the China hosts.
pub(crate) fn builder(capture: &CaptureClient) -> ClientBuilder {
    Client::builder()
        .sdkappid(SDKAPPID)
        .secret_key(secret_key())
        .http_client(SharedHttpClient::new(capture.clone()))
        .clock(FixedClock::from_unix_secs(NOW))
        .random_source(FixedRandom(RANDOM))
}

/// A client over a fresh `CaptureClient`.
pub(crate) fn client() -> (Client, CaptureClient) {
    let capture = CaptureClient::new();
    (builder(&capture).build().unwrap(), capture)
}

/// The decoded value of query parameter `name`.
pub(crate) fn query(request: &HttpRequest, name: &str) -> Option<String> {
    request.uri().query()?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

/// The `usersig` of a captured request.
pub(crate) fn usersig(request: &HttpRequest) -> String {
    query(request, "usersig").expect("every request carries a usersig")
}

/// The request URL without its `usersig` parameter (which is checked by verification).
pub(crate) fn url_without_usersig(request: &HttpRequest) -> String {
    let uri = request.uri().to_string();
    let sig = usersig(request);
    uri.replace(&format!("&usersig={sig}"), "&usersig=<verified>")
}

/// Verifies a captured request's UserSig as Tencent would at `now`.
pub(crate) fn verify_usersig(request: &HttpRequest, now: u64) -> Claims {
    verify(
        &usersig(request),
        &secret_key(),
        SDKAPPID,
        "administrator",
        now,
    )
    .expect("the UserSig verifies")
}

/// The host of a captured request.
pub(crate) fn host(request: &HttpRequest) -> String {
    request.uri().host().unwrap().to_owned()
}

/// A clock that moves one second forward every time it is read, so every UserSig generated
/// from it is a different string: counting distinct UserSigs counts generations.
#[derive(Debug, Default)]
pub(crate) struct TickingClock(AtomicU64);

impl Clock for TickingClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(NOW + self.0.fetch_add(1, Ordering::SeqCst))
    }

    fn monotonic(&self) -> Duration {
        Duration::from_secs(self.0.load(Ordering::SeqCst))
    }
}

/// How many different UserSigs the captured requests carry.
pub(crate) fn distinct_usersigs(requests: &[HttpRequest]) -> usize {
    let mut sigs: Vec<String> = requests.iter().map(usersig).collect();
    sigs.sort();
    sigs.dedup();
    sigs.len()
}
