//! CPU per request (section 1 of `BENCHMARKS.md`): the request path of both clients without the
//! network, UserSig generation and verification, and response parsing.
//!
//! `cargo xtask bench` runs this file and reads the median of every benchmark from divan's
//! table; `cargo bench -p roomkv-bench --bench request_build` runs it alone.
//!
//! The `*_send` benchmarks call the real clients' `send` with an [`HttpClient`] that answers at
//! once, so they measure exactly what a request costs the caller's CPU besides the network:
//! validate, encode, sign (fresh nonce and timestamp, or the cached UserSig), the retry
//! pipeline, and parsing the answer. Their rate limiter is off: it would make them wait for
//! the vendor's quota (100 requests per second), which is its purpose, not CPU. The future is
//! ready on its first poll, so no runtime is involved.

use roomkv_rongcloud::RongCloudSettings;
use roomkv_tencent::TencentSettings;
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use divan::Bencher;
use roomkv_core::ServerOperation;
use roomkv_core::rongcloud::{
    ChatroomId, Endpoint, Entry, EntryKey, EntryValue, QueryEntries, SetEntry, UserId,
};
use roomkv_core::tencent::{
    GetRoomMetadata, MetadataEntry, MetadataKey, MetadataValue, RoomId, SetRoomMetadata,
};
use roomkv_core::{Limits, Operation};
use roomkv_rongcloud::{
    AppKey, AppSecret, HttpClient, RandomSource, RateLimit, SharedHttpClient, TransportError,
};
use roomkv_sign::rongcloud::HeaderAuth;
use roomkv_sign::tencent::{SecretKey, generate, verify};
use roomkv_transport::OsRandomSource;

/// Runs every benchmark of this file (also the `main` of `benches/allocations.rs`, which
/// includes this file to count the same rows' allocations).
pub(crate) fn main() {
    divan::main();
}

/// Answers every request at once with a fixed `200` reply.
#[derive(Debug)]
struct Answers(&'static str);

impl HttpClient for Answers {
    async fn send(
        &self,
        _request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        Ok(http::Response::new(Bytes::from_static(self.0.as_bytes())))
    }
}

/// Polls a future that must complete without waiting (the transport answers at once).
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the request path waited although the transport answered at once"),
    }
}

fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
}

const APP_KEY: &str = "demo-app-key";
const APP_SECRET: &str = "demo-app-secret";
const SDKAPPID: u64 = 1_400_000_000;
const TENCENT_KEY: &str = "demo-secret-key";
const ADMIN: &str = "administrator";

fn entry_set() -> SetEntry {
    SetEntry::new(
        ChatroomId::parse("room-1").unwrap(),
        UserId::parse("anchor").unwrap(),
        EntryKey::parse("stage").unwrap(),
        EntryValue::parse("quiz round 3").unwrap(),
    )
}

fn metadata_set() -> SetRoomMetadata {
    SetRoomMetadata::new(
        RoomId::parse("live-room").unwrap(),
        [(
            MetadataKey::parse("stage").unwrap(),
            MetadataValue::parse("quiz round 3").unwrap(),
        )],
    )
}

/// The least work any correct client must do for one RongCloud entry set, written by hand with
/// no roomkv code on the path: the baseline the `*_build` and `*_send` rows are ratios to.
///
/// A fresh nonce (below 10¹⁸, in decimal) from the same source as the clients' default
/// ([`OsRandomSource`]: OS random bytes, buffered 256 bytes per thread), the millisecond
/// timestamp, the lowercase hex SHA1 of secret ‖ nonce ‖ timestamp (`sha1` directly), the form
/// body of the same fields as `rongcloud_entry_set_build` (`form_urlencoded`), and an
/// `http::Request` to a URL parsed once, with `App-Key`, `Nonce`, `Timestamp`, `Signature` and
/// `Content-Type`. Nothing is validated, no request id, no retry.
#[divan::bench]
fn minimum_request(bencher: Bencher<'_, '_>) {
    use sha1::{Digest as _, Sha1};

    let url: http::Uri = "https://api.rong-api.com/chatroom/entry/set.json"
        .parse()
        .unwrap();
    let app_key = http::HeaderValue::from_static(APP_KEY);
    let form = http::HeaderValue::from_static("application/x-www-form-urlencoded");
    let (room, user, key, value) = ("room-1", "anchor", "stage", "quiz round 3");
    bencher.bench_local(|| {
        let nonce = (OsRandomSource.next_u64() % 1_000_000_000_000_000_000).to_string();
        let timestamp = unix_now().as_millis().to_string();
        let digest = Sha1::new()
            .chain_update(APP_SECRET)
            .chain_update(&nonce)
            .chain_update(&timestamp)
            .finalize();
        let mut hex = [0u8; 40];
        for (pair, byte) in hex.chunks_exact_mut(2).zip(digest) {
            pair[0] = b"0123456789abcdef"[usize::from(byte >> 4)];
            pair[1] = b"0123456789abcdef"[usize::from(byte & 0xf)];
        }
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("chatroomId", black_box(room))
            .append_pair("userId", black_box(user))
            .append_pair("key", black_box(key))
            .append_pair("value", black_box(value))
            .append_pair("autoDelete", "0")
            .finish()
            .into_bytes();
        http::Request::post(url.clone())
            .header("app-key", app_key.clone())
            .header("nonce", nonce)
            .header("timestamp", timestamp)
            .header("signature", &hex[..])
            .header(http::header::CONTENT_TYPE, form.clone())
            .body(body)
            .unwrap()
    });
}

/// RongCloud entry set: validate, encode and sign with a fresh nonce and millisecond timestamp,
/// composed from core and sign as the client does for every attempt.
#[divan::bench]
fn rongcloud_entry_set_build(bencher: Bencher<'_, '_>) {
    let limits = Limits::default();
    let endpoint = Endpoint::parse("https://api.rong-api.com").unwrap();
    let (key, secret) = (AppKey::new(APP_KEY), AppSecret::new(APP_SECRET));
    let op = entry_set();
    let mut nonce = 0u64;
    bencher.bench_local(|| {
        nonce += 1;
        black_box(&op).validate(&limits).unwrap();
        let (mut parts, body) = op.encode(&endpoint).unwrap().into_parts();
        let nonce = nonce.to_string();
        let timestamp = unix_now().as_millis().to_string();
        HeaderAuth::new(&key, &secret, &nonce, &timestamp)
            .apply(&mut parts)
            .unwrap();
        http::Request::from_parts(parts, body)
    });
}

/// A nonce source in user space (splitmix64 over a counter, no OS randomness at all), to show
/// what the client's default source, OS random bytes buffered per thread with one `getrandom`
/// system call per 32 values, costs per request.
#[derive(Debug, Default)]
struct UserSpaceNonces(std::sync::atomic::AtomicU64);

impl RandomSource for UserSpaceNonces {
    fn next_u64(&self) -> u64 {
        let n = self
            .0
            .fetch_add(0x9E37_79B9_7F4A_7C15, std::sync::atomic::Ordering::Relaxed);
        let z = (n ^ (n >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Whether a `*_send` row's client limits its rate.
#[derive(Debug, Clone, Copy)]
enum Limiter {
    /// `RateLimit::Off`: the request never asks a limiter.
    Off,
    /// The default limiter (`RateLimit::Process`) at a million times the documented quotas:
    /// every request is admitted at once, so the row measures the admission's CPU, not waiting.
    NeverWaits,
}

impl Limiter {
    /// `builder` with this limiter.
    fn apply<B: roomkv_provider::ClientFactory>(
        self,
        builder: roomkv_provider::ClientBuilder<B>,
    ) -> roomkv_provider::ClientBuilder<B> {
        match self {
            Self::Off => builder.rate_limit(RateLimit::Off),
            Self::NeverWaits => builder
                .rate_limit(RateLimit::Process)
                .limits(Limits::default().scale_rates(1e6)),
        }
    }
}

fn rongcloud_client(nonces: Option<UserSpaceNonces>, limiter: Limiter) -> roomkv_rongcloud::Client {
    let builder = limiter.apply(
        roomkv_rongcloud::Client::builder()
            .app_key(AppKey::new(APP_KEY))
            .app_secret(AppSecret::new(APP_SECRET))
            .base_url("http://127.0.0.1:1")
            .http_client(SharedHttpClient::new(Answers(r#"{"code":200}"#))),
    );
    match nonces {
        Some(nonces) => builder.random_source(nonces),
        None => builder,
    }
    .build()
    .unwrap()
}

fn tencent_client(nonces: Option<UserSpaceNonces>, limiter: Limiter) -> roomkv_tencent::Client {
    let builder = limiter.apply(
        roomkv_tencent::Client::builder()
            .sdkappid(SDKAPPID)
            .secret_key(SecretKey::new(TENCENT_KEY))
            .base_url("http://127.0.0.1:1")
            .http_client(SharedHttpClient::new(Answers(
                r#"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","RequestId":"r-1"}"#,
            ))),
    );
    let client = match nonces {
        Some(nonces) => builder.random_source(nonces),
        None => builder,
    }
    .build()
    .unwrap();
    // The first request generates the UserSig; every measured one uses the cached one.
    ready(client.send(&metadata_set())).unwrap();
    client
}

/// Measures `client.send` of a fresh [`entry_set`] per call.
fn rongcloud_sends(bencher: Bencher<'_, '_>, client: roomkv_rongcloud::Client) {
    bencher
        .with_inputs(entry_set)
        .bench_local_values(|op| ready(client.send(&op)).unwrap());
}

/// Measures `client.send` of a fresh [`metadata_set`] per call.
fn tencent_sends(bencher: Bencher<'_, '_>, client: roomkv_tencent::Client) {
    bencher
        .with_inputs(metadata_set)
        .bench_local_values(|op| ready(client.send(&op)).unwrap());
}

/// RongCloud entry set through the real client as built by default: validate, encode, sign,
/// request id, retry pipeline, parse `{"code":200}`.
#[divan::bench]
fn rongcloud_entry_set_send(bencher: Bencher<'_, '_>) {
    rongcloud_sends(bencher, rongcloud_client(None, Limiter::Off));
}

/// The same with nonces and request ids drawn in user space instead of from the OS.
#[divan::bench]
fn rongcloud_entry_set_send_user_space_nonces(bencher: Bencher<'_, '_>) {
    rongcloud_sends(
        bencher,
        rongcloud_client(Some(UserSpaceNonces::default()), Limiter::Off),
    );
}

/// Tencent set_room_metadata through the real client as built by default, with its cached
/// admin UserSig: validate, encode, append `usersig` and `random`, retry pipeline, parse.
#[divan::bench]
fn tencent_set_room_metadata_send(bencher: Bencher<'_, '_>) {
    tencent_sends(bencher, tencent_client(None, Limiter::Off));
}

/// The same with `random` drawn in user space instead of from the OS.
#[divan::bench]
fn tencent_set_room_metadata_send_user_space_nonces(bencher: Bencher<'_, '_>) {
    tencent_sends(
        bencher,
        tencent_client(Some(UserSpaceNonces::default()), Limiter::Off),
    );
}

/// `rongcloud_entry_set_send` with the default rate limiter on, scaled so that it never waits:
/// what admitting a request costs.
#[divan::bench]
fn rongcloud_entry_set_send_limiter_on(bencher: Bencher<'_, '_>) {
    rongcloud_sends(bencher, rongcloud_client(None, Limiter::NeverWaits));
}

/// `tencent_set_room_metadata_send` with the default rate limiter on, scaled so that it never
/// waits.
#[divan::bench]
fn tencent_set_room_metadata_send_limiter_on(bencher: Bencher<'_, '_>) {
    tencent_sends(bencher, tencent_client(None, Limiter::NeverWaits));
}

/// The `*_send` benchmarks with the clients' `metrics` feature on and a Prometheus recorder
/// installed (`metrics-exporter-prometheus`, as an application would): what recording a
/// request's metrics costs. Compare with the `*_send` rows of a build without the feature.
#[cfg(feature = "metrics")]
mod with_metrics {
    use super::*;

    fn recorded(bench: impl FnOnce()) {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        metrics::with_local_recorder(&recorder, bench);
    }

    /// `rongcloud_entry_set_send`, its metrics recorded.
    #[divan::bench]
    fn rongcloud_entry_set_send_metrics(bencher: Bencher<'_, '_>) {
        recorded(|| {
            rongcloud_sends(bencher, rongcloud_client(None, Limiter::Off));
        });
    }

    /// `tencent_set_room_metadata_send`, its metrics recorded.
    #[divan::bench]
    fn tencent_set_room_metadata_send_metrics(bencher: Bencher<'_, '_>) {
        recorded(|| {
            tencent_sends(bencher, tencent_client(None, Limiter::Off));
        });
    }
}

/// A Tencent UserSig v2 for the admin account: HMAC-SHA256, JSON, zlib, base64url'.
#[divan::bench]
fn usersig_generate() -> roomkv_sign::tencent::UserSig {
    let key = SecretKey::new(TENCENT_KEY);
    generate(
        black_box(SDKAPPID),
        black_box(ADMIN),
        &key,
        86_400,
        unix_now().as_secs(),
    )
}

/// Verifying a UserSig, as the emulator does for every Tencent request.
#[divan::bench]
fn usersig_verify(bencher: Bencher<'_, '_>) {
    let key = SecretKey::new(TENCENT_KEY);
    let now = unix_now().as_secs();
    let usersig = generate(SDKAPPID, ADMIN, &key, 86_400, now);
    bencher.bench_local(|| {
        verify(
            black_box(usersig.expose_secret()),
            &key,
            SDKAPPID,
            ADMIN,
            now,
        )
        .unwrap()
    });
}

/// Parsing RongCloud's `{"code":200}` answer to an entry set.
#[divan::bench]
fn rongcloud_parse_set_reply(bencher: Bencher<'_, '_>) {
    let op = entry_set();
    let body = br#"{"code":200}"#;
    bencher.bench_local(|| op.parse(http::Response::new(black_box(&body[..]))).unwrap());
}

/// Parsing RongCloud's answer to a query of a full room (100 entries), as the emulator encodes
/// it.
#[divan::bench]
fn rongcloud_parse_query_100(bencher: Bencher<'_, '_>) {
    let entries: Vec<Entry> = (0..100)
        .map(|i| Entry {
            key: EntryKey::parse(format!("key-{i:03}")).unwrap(),
            value: EntryValue::parse(format!("value number {i}")).unwrap(),
            user_id: UserId::parse("anchor").unwrap(),
            auto_delete: i % 2 == 0,
            last_set_time_ms: 1_700_000_000_000 + i,
        })
        .collect();
    let reply = QueryEntries::encode_reply(&entries, Some("r-1"));
    let op = QueryEntries::new(ChatroomId::parse("room-1").unwrap());
    let body = reply.into_body();
    bencher.bench_local(|| {
        let parsed = op.parse(http::Response::new(black_box(&body[..]))).unwrap();
        assert_eq!(parsed.len(), 100);
        parsed
    });
}

/// Parsing Tencent's answer to a get of a full room's metadata (10 keys), as the emulator
/// encodes it.
#[divan::bench]
fn tencent_parse_get_10(bencher: Bencher<'_, '_>) {
    let entries: Vec<MetadataEntry> = (0..10)
        .map(|i| {
            MetadataEntry::new(
                MetadataKey::parse(format!("key-{i}")).unwrap(),
                MetadataValue::parse(format!("value number {i}")).unwrap(),
            )
        })
        .collect();
    let body = GetRoomMetadata::encode_reply(&entries, Some("r-1")).into_body();
    let op = GetRoomMetadata::all(RoomId::parse("live-room").unwrap());
    bencher.bench_local(|| {
        let parsed = op.parse(http::Response::new(black_box(&body[..]))).unwrap();
        assert_eq!(parsed.len(), 10);
        parsed
    });
}

/// Parsing Tencent's answer to a set_room_metadata.
#[divan::bench]
fn tencent_parse_set_reply(bencher: Bencher<'_, '_>) {
    let op = metadata_set();
    let body = br#"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","RequestId":"r-1"}"#;
    bencher.bench_local(|| op.parse(http::Response::new(black_box(&body[..]))).unwrap());
}
