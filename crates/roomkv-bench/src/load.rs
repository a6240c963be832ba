//! The load generator: a fixed number of workers, each running requests back to back inside a
//! [`Window`]; and the raw HTTP/1.1 driver that sends prepared requests over its own keep-alive
//! connections (one hyper `SendRequest` per connection), for measuring servers.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST};
use http::{HeaderValue, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use roomkv_rongcloud::{
    AppKey, AppSecret, ChatroomId, Endpoint, EntryKey, EntryValue, Operation, SetEntry, UserId,
};
use roomkv_sign::rongcloud::HeaderAuth;
use roomkv_tencent::{
    DEFAULT_USERSIG_LIFETIME, Endpoint as TencentEndpoint, Identifier, MetadataKey, MetadataValue,
    RoomId, SecretKey, SetRoomMetadata,
};
use tokio::net::TcpStream;

use crate::stats::{Outcome, Recorder, Window};

/// Runs `count` workers (`worker(i)` for each `i`) as tasks and merges what they recorded.
pub(crate) async fn run_workers<F, Fut>(count: usize, worker: F) -> Recorder
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Recorder> + Send + 'static,
{
    merge_tasks((0..count).map(|i| tokio::spawn(worker(i))).collect()).await
}

async fn merge_tasks(tasks: Vec<tokio::task::JoinHandle<Recorder>>) -> Recorder {
    let mut all = Recorder::default();
    for task in tasks {
        all.merge(task.await.expect("a load worker panicked"));
    }
    all
}

/// One worker of a closed-loop run: what it needs for its requests (a client, its room), and
/// how to send the next one.
pub(crate) trait Worker: Send + 'static {
    /// Sends one request and tells how it ended.
    fn request(&mut self) -> impl Future<Output = Outcome> + Send + '_;
}

/// Runs each of `workers` as a task sending requests back to back until `window` closes, and
/// merges what they recorded.
pub(crate) async fn closed_loop<W: Worker>(workers: Vec<W>, window: Window) -> Recorder {
    let tasks = workers
        .into_iter()
        .map(|mut worker| {
            tokio::spawn(async move {
                let mut recorder = Recorder::default();
                while window.running() {
                    let started = Instant::now();
                    let outcome = worker.request().await;
                    recorder.record(&window, started, outcome);
                }
                recorder
            })
        })
        .collect();
    merge_tasks(tasks).await
}

/// Builds the `seq`-th request of connection `connection`.
pub(crate) type RequestFactory = dyn Fn(usize, u64) -> Request<Full<Bytes>> + Send + Sync;

/// What a raw run sends, and how it tells a vendor success from the answer's body.
#[derive(Clone)]
pub(crate) struct RawRequests {
    /// The requests.
    pub(crate) build: Arc<RequestFactory>,
    /// Whether a body answered with `200` says the vendor's success.
    pub(crate) succeeded: fn(&[u8]) -> bool,
}

/// Drives `addr` over `connections` HTTP/1.1 keep-alive connections, one request in flight on
/// each, until the window closes. A request counts as `Ok` when the answer is `200` with a body
/// `requests.succeeded` accepts.
pub(crate) async fn drive_raw(
    addr: SocketAddr,
    connections: usize,
    window: Window,
    requests: RawRequests,
) -> Recorder {
    run_workers(connections, |connection| {
        let RawRequests { build, succeeded } = requests.clone();
        async move {
            let mut recorder = Recorder::default();
            let Ok(mut sender) = connect(addr).await else {
                recorder.count_failed_start();
                return recorder;
            };
            let mut seq = 0u64;
            while window.running() {
                seq += 1;
                let started = Instant::now();
                let outcome = match sender.send_request(build(connection, seq)).await {
                    Ok(response) => {
                        let ok = response.status() == http::StatusCode::OK;
                        match response.into_body().collect().await {
                            Ok(body) => {
                                if ok && succeeded(&body.to_bytes()) {
                                    Outcome::Ok
                                } else {
                                    Outcome::Failed
                                }
                            }
                            Err(_) => Outcome::Failed,
                        }
                    }
                    Err(_) => Outcome::Failed,
                };
                recorder.record(&window, started, outcome);
                if outcome == Outcome::Failed && sender.is_closed() {
                    break;
                }
            }
            recorder
        }
    })
    .await
}

async fn connect(
    addr: SocketAddr,
) -> Result<hyper::client::conn::http1::SendRequest<Full<Bytes>>, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|err| format!("connect {addr}: {err}"))?;
    stream.set_nodelay(true).map_err(|err| err.to_string())?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|err| format!("handshake with {addr}: {err}"))?;
    tokio::spawn(connection);
    Ok(sender)
}

/// RongCloud's success: `"code":200` anywhere in the body.
fn says_code_200(body: &[u8]) -> bool {
    body.windows(10).any(|w| w == br#""code":200"#)
}

/// Tencent's success: `"ErrorCode":0` followed by `,` or `}` anywhere in the body.
fn says_error_code_0(body: &[u8]) -> bool {
    body.windows(14)
        .any(|w| w.starts_with(br#""ErrorCode":0"#) && matches!(w[13], b',' | b'}'))
}

/// RongCloud entry sets, signed afresh for every request (nonce and millisecond timestamp) with
/// the emulator's demo credentials: one room and key per connection, so connections do not
/// contend for one room.
pub(crate) fn signed_entry_sets(addr: SocketAddr) -> RawRequests {
    let base = format!("http://{addr}");
    let endpoint = Endpoint::parse(&base).expect("a loopback base URL");
    let host = HeaderValue::from_str(&addr.to_string()).expect("an address is a header value");
    let key = AppKey::new(crate::RONGCLOUD_APP_KEY);
    let secret = AppSecret::new(crate::RONGCLOUD_APP_SECRET);
    let bodies: Vec<(HeaderValue, Bytes)> = (0..MAX_CONNECTIONS)
        .map(|connection| {
            let op = SetEntry::new(
                ChatroomId::parse(format!("raw-{connection}")).expect("a valid room id"),
                UserId::parse("bench").expect("a valid user id"),
                EntryKey::parse("stage").expect("a valid key"),
                EntryValue::parse("quiz round 3").expect("a valid value"),
            );
            let request = op.encode(&endpoint).expect("an encodable entry set");
            let content_type = request.headers()[CONTENT_TYPE].clone();
            (content_type, Bytes::from(request.into_body()))
        })
        .collect();
    let path = SetEntry::PATH;
    let build: Arc<RequestFactory> = Arc::new(move |connection: usize, seq: u64| {
        let (content_type, body) = &bodies[connection % bodies.len()];
        let request = Request::post(path)
            .header(HOST, host.clone())
            .header(CONTENT_TYPE, content_type.clone())
            .body(Full::new(body.clone()))
            .expect("a valid request");
        let (mut parts, body) = request.into_parts();
        let nonce = seq.to_string();
        let timestamp = crate::unix_millis().to_string();
        HeaderAuth::new(&key, &secret, &nonce, &timestamp)
            .apply(&mut parts)
            .expect("demo credentials are header values");
        Request::from_parts(parts, body)
    });
    RawRequests {
        build,
        succeeded: says_code_200,
    }
}

/// The Live room of raw connection `connection` (the Tencent run creates them first).
pub(crate) fn raw_room(connection: usize) -> RoomId {
    RoomId::parse(format!("raw-{connection}")).expect("a valid room id")
}

/// Tencent `set_room_metadata` requests as the emulator's demo admin: the UserSig generated
/// once and reused, as the client's cache does, and a fresh `random` on every request; one room
/// per connection ([`raw_room`]), so connections do not contend for one room.
pub(crate) fn signed_metadata_sets(addr: SocketAddr) -> RawRequests {
    let endpoint = TencentEndpoint {
        base: Endpoint::parse(&format!("http://{addr}")).expect("a loopback base URL"),
        sdkappid: crate::TENCENT_SDKAPPID,
        admin: Identifier::parse(crate::TENCENT_ADMIN).expect("a valid identifier"),
    };
    let host = HeaderValue::from_str(&addr.to_string()).expect("an address is a header value");
    let usersig = roomkv_sign::tencent::generate(
        crate::TENCENT_SDKAPPID,
        crate::TENCENT_ADMIN,
        &SecretKey::new(crate::TENCENT_SECRET_KEY),
        DEFAULT_USERSIG_LIFETIME.as_secs(),
        crate::unix_secs(),
    );
    let prepared: Vec<(String, HeaderValue, Bytes)> = (0..MAX_CONNECTIONS)
        .map(|connection| {
            let op = SetRoomMetadata::new(
                raw_room(connection),
                [(
                    MetadataKey::parse("stage").expect("a valid key"),
                    MetadataValue::parse("quiz round 3").expect("a valid value"),
                )],
            );
            let request = op.encode(&endpoint).expect("an encodable metadata set");
            let path_and_query = request
                .uri()
                .path_and_query()
                .expect("an encoded request has a path")
                .as_str();
            // `sign` in roomkv-tencent appends these two the same way.
            let signed = format!("{path_and_query}&usersig={}", usersig.expose_secret());
            let content_type = request.headers()[CONTENT_TYPE].clone();
            (signed, content_type, Bytes::from(request.into_body()))
        })
        .collect();
    let build: Arc<RequestFactory> = Arc::new(move |connection: usize, seq: u64| {
        let (uri, content_type, body) = &prepared[connection % prepared.len()];
        Request::post(format!("{uri}&random={}", random(connection, seq)))
            .header(HOST, host.clone())
            .header(CONTENT_TYPE, content_type.clone())
            .body(Full::new(body.clone()))
            .expect("a valid request")
    });
    RawRequests {
        build,
        succeeded: says_error_code_0,
    }
}

/// A request's `random`: a 32-bit number that differs between requests.
fn random(connection: usize, seq: u64) -> u32 {
    let mixed = (seq ^ ((connection as u64) << 40)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (mixed >> 32) as u32
}

/// The most connections a raw run opens.
pub(crate) const MAX_CONNECTIONS: usize = 256;

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_raw_generator_counts_answers_and_failures() {
        let bounded = Duration::from_secs(20);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(crate::bare::serve(listener));
        let window = Window::after(Duration::from_millis(50), Duration::from_millis(300));
        let run = drive_raw(addr, 4, window, signed_entry_sets(addr));
        let summary = tokio::time::timeout(bounded, run)
            .await
            .unwrap()
            .summary(window.length());
        assert!(summary.ok > 0, "{summary:?}");
        assert_eq!((summary.failed, summary.throttled), (0, 0), "{summary:?}");
        assert!(summary.p50_us > 0.0 && summary.p50_us <= summary.p99_us);
        // Tencent's envelope is recognised as a success too.
        let window = Window::after(Duration::ZERO, Duration::from_millis(100));
        let run = drive_raw(addr, 2, window, signed_metadata_sets(addr));
        let summary = tokio::time::timeout(bounded, run)
            .await
            .unwrap()
            .summary(window.length());
        assert!(summary.ok > 0, "{summary:?}");
        assert_eq!(summary.failed, 0, "{summary:?}");
        server.abort();

        // A port nobody listens on: every connection is a counted failure.
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let window = Window::after(Duration::ZERO, Duration::from_millis(100));
        let run = drive_raw(closed, 3, window, signed_entry_sets(closed));
        let summary = tokio::time::timeout(bounded, run)
            .await
            .unwrap()
            .summary(window.length());
        assert_eq!((summary.ok, summary.failed), (0, 3), "{summary:?}");
    }

    /// Answers every other request with a failure, counting what it sent.
    struct Alternating {
        sent: Arc<std::sync::atomic::AtomicU64>,
    }

    impl Worker for Alternating {
        async fn request(&mut self) -> Outcome {
            let n = self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            tokio::task::yield_now().await;
            if n.is_multiple_of(2) {
                Outcome::Ok
            } else {
                Outcome::Failed
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_closed_loop_records_every_worker_until_the_window_closes() {
        let sent = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let workers = (0..3)
            .map(|_| Alternating {
                sent: Arc::clone(&sent),
            })
            .collect();
        let window = Window::after(Duration::ZERO, Duration::from_millis(50));
        let summary = closed_loop(workers, window).await.summary(window.length());
        let sent = sent.load(std::sync::atomic::Ordering::Relaxed);
        assert!(summary.ok > 0 && summary.failed > 0, "{summary:?}");
        // Every request started in the window is recorded, as a success or a failure.
        assert_eq!(summary.ok + summary.failed, sent, "{summary:?}");
        assert!(summary.ok.abs_diff(summary.failed) <= 3, "{summary:?}");
    }

    #[test]
    fn the_success_marker_is_found_anywhere_in_the_body() {
        assert!(says_code_200(br#"{"code":200}"#));
        assert!(says_code_200(br#"{"requestId":"x","code":200}"#));
        assert!(!says_code_200(br#"{"code":1004}"#));
        assert!(!says_code_200(b""));
        assert!(says_error_code_0(
            br#"{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"RequestId":"x"}"#
        ));
        assert!(says_error_code_0(br#"{"ErrorCode":0}"#));
        assert!(!says_error_code_0(br#"{"ErrorCode":0100}"#));
        assert!(!says_error_code_0(br#"{"ErrorCode":70001,"x":0}"#));
        assert!(!says_error_code_0(b""));
    }

    #[test]
    fn metadata_sets_reuse_one_usersig_with_a_fresh_random() {
        let addr: SocketAddr = "127.0.0.1:8787".parse().unwrap();
        let requests = signed_metadata_sets(addr);
        let query = |connection, seq| {
            let request = (requests.build)(connection, seq);
            assert_eq!(
                request.uri().path(),
                "/v4/live_engine_http_srv/set_room_metadata"
            );
            assert_eq!(request.headers()[HOST], "127.0.0.1:8787");
            let query = request.uri().query().unwrap().to_owned();
            form_pairs(&query)
        };
        let (first, second, other) = (query(0, 1), query(0, 2), query(1, 1));
        assert_eq!(first["sdkappid"], "1400000000");
        assert_eq!(first["identifier"], "administrator");
        assert_eq!(first["usersig"], second["usersig"]);
        assert_eq!(first["usersig"], other["usersig"]);
        assert_ne!(first["random"], second["random"]);
        assert_ne!(first["random"], other["random"]);
        let claims = roomkv_sign::tencent::verify(
            &first["usersig"],
            &SecretKey::new(crate::TENCENT_SECRET_KEY),
            crate::TENCENT_SDKAPPID,
            crate::TENCENT_ADMIN,
            crate::unix_secs(),
        )
        .unwrap();
        assert_eq!(claims.expire, DEFAULT_USERSIG_LIFETIME.as_secs());
        assert_eq!(raw_room(3).as_str(), "raw-3");
    }

    fn form_pairs(query: &str) -> std::collections::HashMap<String, String> {
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    #[test]
    fn entry_sets_are_signed_afresh() {
        let addr: SocketAddr = "127.0.0.1:8787".parse().unwrap();
        let requests = signed_entry_sets(addr).build;
        let first = requests(0, 1);
        let second = requests(0, 2);
        assert_eq!(first.uri(), "/chatroom/entry/set.json");
        assert_eq!(first.headers()[HOST], "127.0.0.1:8787");
        assert_eq!(first.headers()["nonce"], "1");
        assert_eq!(second.headers()["nonce"], "2");
        assert_ne!(first.headers()["signature"], second.headers()["signature"]);
        assert_eq!(
            first.headers()[CONTENT_TYPE],
            "application/x-www-form-urlencoded"
        );
    }
}
