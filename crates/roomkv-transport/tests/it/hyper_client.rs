//! `HyperClient` against the in-process stub: classification, time limits, body cap,
//! keep-alive and connection reuse.
//!
//! These tests use real sockets, so they use real (short) time limits: tokio's paused clock
//! auto-advances whenever the runtime waits on a socket, which would fire the client's time
//! limits spuriously. Every wait is bounded by a client time limit of at most 5 s.

use std::error::Error as _;
use std::io;
use std::time::{Duration, Instant};

use roomkv_transport::{
    HostSet, HttpClient, HttpRequest, HyperClient, KeepAlive, TransportError, is_failover_status,
};

use crate::stub::{Reply, Stub, refused_port};

const SHORT: Duration = Duration::from_millis(300);

fn get(url: &str) -> HttpRequest {
    http::Request::post(url).body(b"k=v".to_vec()).unwrap()
}

fn client() -> HyperClient {
    HyperClient::new().unwrap()
}

fn short_client() -> HyperClient {
    HyperClient::builder().timeout(SHORT).build().unwrap()
}

/// Fails the test instead of hanging if the client's own time limit does not fire.
async fn bounded<T>(fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), fut)
        .await
        .expect("the client's time limit did not end the exchange")
}

fn has_io_kind(err: &TransportError, kind: io::ErrorKind) -> bool {
    let mut next = err.source();
    while let Some(e) = next {
        if e.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == kind)
        {
            return true;
        }
        next = e.source();
    }
    false
}

#[tokio::test]
async fn ok_response_is_returned_in_full() {
    let stub = Stub::start().await;
    stub.push(Reply::Ok("hello"));
    let resp = client().send(get(&stub.url("/x"))).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.body().as_ref(), b"hello");
    assert_eq!(stub.requests(), 1);
}

#[tokio::test]
async fn a_502_is_a_response_not_an_error() {
    let stub = Stub::start().await;
    stub.push(Reply::Status(502));
    let resp = client().send(get(&stub.url("/x"))).await.unwrap();
    assert_eq!(resp.status(), 502);
    assert!(is_failover_status(resp.status(), &[]));
}

#[tokio::test]
async fn no_response_head_in_time_is_a_timeout_that_may_have_been_sent() {
    let stub = Stub::start().await;
    stub.push(Reply::Stall);
    let started = Instant::now();
    let err = bounded(short_client().send(get(&stub.url("/x"))))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(err.is_timeout(), "{err:?}");
    assert!(!err.is_connect());
    assert!(!err.is_body());
    assert!(err.may_have_been_sent());
    assert_eq!(err.to_string(), "no response from the server within 300ms");
    assert!(elapsed >= SHORT && elapsed < SHORT * 10, "{elapsed:?}");
    assert_eq!(stub.requests(), 1);
}

#[tokio::test]
async fn the_time_limit_covers_a_slow_body() {
    let stub = Stub::start().await;
    stub.push(Reply::HeadThenStall);
    let started = Instant::now();
    let err = bounded(short_client().send(get(&stub.url("/x"))))
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(err.is_body());
    assert!(err.may_have_been_sent());
    assert!(started.elapsed() < SHORT * 10);
}

#[tokio::test]
async fn closed_without_reply_is_reset_after_send() {
    let stub = Stub::start().await;
    stub.push(Reply::Close);
    let err = client().send(get(&stub.url("/x"))).await.unwrap_err();
    assert!(err.is_reset_after_send(), "{err:?}");
    assert!(err.may_have_been_sent());
    assert!(!err.is_connect() && !err.is_timeout() && !err.is_body());
    assert_eq!(
        err.to_string(),
        "the connection was closed after the request was sent"
    );
    assert!(err.source().is_some());
    assert_eq!(stub.requests(), 1);
}

#[tokio::test]
async fn tcp_reset_without_reply_is_reset_after_send() {
    let stub = Stub::start_resetting().await;
    stub.push(Reply::Close);
    let err = client().send(get(&stub.url("/x"))).await.unwrap_err();
    assert!(err.is_reset_after_send(), "{err:?}");
    assert!(err.may_have_been_sent());
    assert!(!err.is_connect());
    assert_eq!(stub.requests(), 1);
}

#[tokio::test]
async fn refused_port_is_a_connect_error_that_was_not_sent() {
    let url = format!("http://127.0.0.1:{}/x", refused_port());
    let err = client().send(get(&url)).await.unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    assert!(!err.is_timeout());
    assert!(!err.may_have_been_sent());
    assert_eq!(err.to_string(), "could not connect to the server");
    assert!(
        has_io_kind(&err, io::ErrorKind::ConnectionRefused),
        "{err:?}"
    );
}

#[tokio::test]
async fn connect_timeout_is_both_connect_and_timeout() {
    // A listener that never accepts, with its accept queue filled: the kernel drops further
    // SYNs, so connecting hangs until the connect timeout.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..16 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
            Ok(s) => fillers.push(s),
            Err(_) => break,
        }
    }
    let client = HyperClient::builder()
        .connect_timeout(Duration::from_millis(200))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = bounded(client.send(get(&format!("http://{addr}/x"))))
        .await
        .unwrap_err();
    assert!(err.is_connect() && err.is_timeout(), "{err:?}");
    assert!(!err.may_have_been_sent());
    assert_eq!(
        err.to_string(),
        "could not connect to the server within 200ms"
    );
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn whole_exchange_timeout_before_a_connection_is_a_connect_timeout() {
    // Same hanging connect, but the overall limit is shorter than the connect timeout.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..16 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
            Ok(s) => fillers.push(s),
            Err(_) => break,
        }
    }
    let client = HyperClient::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = bounded(client.send(get(&format!("http://{addr}/x"))))
        .await
        .unwrap_err();
    assert!(err.is_connect() && err.is_timeout(), "{err:?}");
    assert!(!err.may_have_been_sent());
}

#[tokio::test]
async fn response_size_cap_is_enforced() {
    let stub = Stub::start().await;
    let capped = HyperClient::builder()
        .max_response_bytes(64 * 1024)
        .build()
        .unwrap();
    let url = stub.url("/x");

    stub.push(Reply::Bytes(64 * 1024));
    assert_eq!(
        capped.send(get(&url)).await.unwrap().body().len(),
        64 * 1024
    );

    // Announced by Content-Length.
    stub.push(Reply::Bytes(64 * 1024 + 1));
    let err = capped.send(get(&url)).await.unwrap_err();
    assert!(err.is_body_too_large() && err.is_body(), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the response body is larger than 65536 bytes"
    );

    // Discovered while reading a chunked body.
    stub.push(Reply::Chunked(200 * 1024));
    let err = capped.send(get(&url)).await.unwrap_err();
    assert!(err.is_body_too_large(), "{err:?}");
    assert!(err.may_have_been_sent());
}

#[test]
fn documented_defaults() {
    let c = client();
    assert_eq!(c.max_response_bytes(), 8 * 1024 * 1024);
    assert_eq!(c.timeout(), Duration::from_secs(5));
    assert_eq!(c.connect_timeout(), Duration::from_secs(2));
    assert_eq!(
        c.keep_alive(),
        KeepAlive::Enabled {
            idle_timeout: Duration::from_secs(50)
        }
    );
}

#[tokio::test]
async fn keep_alive_reuses_one_connection() {
    let stub = Stub::start().await;
    let client = client();
    for _ in 0..3 {
        assert_eq!(
            client.send(get(&stub.url("/x"))).await.unwrap().status(),
            200
        );
    }
    assert_eq!(stub.connections(), 1);
    assert_eq!(stub.requests(), 3);
}

#[tokio::test]
async fn keep_alive_disabled_opens_a_connection_per_request() {
    let stub = Stub::start().await;
    let client = HyperClient::builder()
        .keep_alive(KeepAlive::Disabled)
        .build()
        .unwrap();
    for _ in 0..3 {
        assert_eq!(
            client.send(get(&stub.url("/x"))).await.unwrap().status(),
            200
        );
    }
    assert_eq!(stub.connections(), 3);
}

#[tokio::test]
async fn an_idle_connection_is_closed_after_the_idle_timeout() {
    let stub = Stub::start().await;
    let client = HyperClient::builder()
        .keep_alive(KeepAlive::Enabled {
            idle_timeout: Duration::from_secs(1),
        })
        .build()
        .unwrap();
    client.send(get(&stub.url("/x"))).await.unwrap();
    client.send(get(&stub.url("/x"))).await.unwrap();
    assert_eq!(stub.connections(), 1);

    // Nothing is in flight: jump the pool's timer past the idle timeout without waiting.
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(3)).await;
    tokio::time::resume();

    client.send(get(&stub.url("/x"))).await.unwrap();
    assert_eq!(stub.connections(), 2);
}

#[tokio::test]
async fn no_pooled_connection_is_reused_after_a_timeout() {
    let stub = Stub::start().await;
    let client = short_client();
    let url = stub.url("/x");

    client.send(get(&url)).await.unwrap();
    assert_eq!(stub.connections(), 1);

    stub.push(Reply::Stall);
    assert!(
        bounded(client.send(get(&url)))
            .await
            .unwrap_err()
            .is_timeout()
    );
    client.send(get(&url)).await.unwrap();
    assert_eq!(
        stub.connections(),
        2,
        "a new connection after the head timeout"
    );

    stub.push(Reply::HeadThenStall);
    assert!(bounded(client.send(get(&url))).await.unwrap_err().is_body());
    client.send(get(&url)).await.unwrap();
    assert_eq!(
        stub.connections(),
        3,
        "a new connection after the body timeout"
    );

    client.send(get(&url)).await.unwrap();
    assert_eq!(
        stub.connections(),
        3,
        "healthy connections are still reused"
    );
}

#[tokio::test]
async fn no_pooled_connection_is_reused_after_an_oversized_body() {
    let stub = Stub::start().await;
    let client = HyperClient::builder()
        .max_response_bytes(1024)
        .build()
        .unwrap();
    let url = stub.url("/x");
    stub.push(Reply::Chunked(64 * 1024));
    assert!(
        client
            .send(get(&url))
            .await
            .unwrap_err()
            .is_body_too_large()
    );
    client.send(get(&url)).await.unwrap();
    assert_eq!(stub.connections(), 2);
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused_before_any_io() {
    let err = client()
        .send(get("http://api.example.com/x"))
        .await
        .unwrap_err();
    assert!(err.is_invalid(), "{err:?}");
    assert!(!err.may_have_been_sent());
    assert!(err.to_string().contains("use https://"), "{err}");

    for url in ["http://10.1.2.3/", "http://[fe80::1]/", "ftp://127.0.0.1/"] {
        assert!(
            client().send(get(url)).await.unwrap_err().is_invalid(),
            "{url}"
        );
        assert!(HostSet::new([url]).unwrap_err().is_invalid(), "{url}");
    }
}

#[tokio::test]
async fn plain_http_to_localhost_is_allowed() {
    let stub = Stub::start().await;
    let url = stub.url("/x").replace("127.0.0.1", "localhost");
    // `localhost` may resolve to ::1 first, where nothing listens; the client tries each
    // address, so the request still reaches the stub on 127.0.0.1.
    let resp = client().send(get(&url)).await.unwrap();
    assert_eq!(resp.status(), 200);
}
