//! Connection hygiene over raw sockets: requests answered after the client half-closes, the
//! header-read, idle and body-read timeouts (on paused tokio time), the connection cap with its
//! health reserve, and no 2xx answer to a method a path does not take.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use roomkv_core::rongcloud::server::ROUTES as RC_ROUTES;
use roomkv_core::tencent::Command;
use roomkv_emulator::{Emulator, EmulatorConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::common::*;
use crate::served::fresh_nonce;

/// A request as raw bytes: `method target`, `headers`, and a body with its `Content-Length`.
pub(crate) fn raw(method: &str, target: &str, headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n").into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body);
    out
}

/// A signed RongCloud entry set of `key` = `value` in room `r`, asking to close after the
/// answer.
pub(crate) fn signed_set(key: &str, value: &str) -> Vec<u8> {
    let nonce = fresh_nonce();
    let timestamp = T0.as_secs().to_string();
    let headers = [
        ("App-Key", APP.to_owned()),
        ("Nonce", nonce.clone()),
        ("Timestamp", timestamp.clone()),
        ("Signature", rc_signature(&nonce, &timestamp)),
        (
            "Content-Type",
            "application/x-www-form-urlencoded".to_owned(),
        ),
        ("Connection", "close".to_owned()),
    ];
    let body = format!("chatroomId=r&userId=u&key={key}&value={value}");
    raw(
        "POST",
        "/chatroom/entry/set.json",
        &headers,
        body.as_bytes(),
    )
}

/// The status and body of the one answer on a connection the server closes after it; `None`
/// when the connection closed without one.
fn parse_answer(bytes: &[u8]) -> Option<(u16, Vec<u8>)> {
    let text = String::from_utf8_lossy(bytes);
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let at = bytes.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    Some((status, bytes[at..].to_vec()))
}

/// Sends `request` on a fresh connection, half-closes (`shutdown` of the write half) when asked,
/// and reads until the server closes.
pub(crate) async fn exchange(
    addr: SocketAddr,
    request: &[u8],
    half_close: bool,
) -> Option<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    if half_close {
        stream.shutdown().await.unwrap();
    }
    let mut answer = Vec::new();
    // A reset after a full answer still leaves the answer readable.
    let _ = stream.read_to_end(&mut answer).await;
    parse_answer(&answer)
}

pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("roomkv-conn-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("state.json")
}

pub(crate) fn unlimited() -> EmulatorConfig {
    let mut config = EmulatorConfig::default();
    config.quota.enabled = false;
    config
}

/// Whether the emulator (and, with a state file, the file on disk) holds `value` for `key`.
fn holds(emulator: &Emulator, file: Option<&PathBuf>, key: &str, value: &str) -> bool {
    let in_memory = emulator
        .state()
        .entry_query(APP, &query("r", &[key]))
        .is_ok_and(|entries| entries.iter().any(|e| e.value.as_str() == value));
    let on_disk = file.is_none_or(|file| {
        std::fs::read_to_string(file).is_ok_and(|text| text.contains(&format!("\"{value}\"")))
    });
    in_memory && on_disk
}

/// An emulator without quotas, with the state file `file` if given, served on `127.0.0.1:0`.
pub(crate) async fn served_with(
    file: Option<&PathBuf>,
) -> (Emulator, roomkv_emulator::ServerHandle) {
    let mut builder = Emulator::builder(unlimited());
    if let Some(file) = file {
        builder = builder.state_file(file).unwrap();
    }
    let emulator = builder.build();
    let server = emulator.serve("127.0.0.1:0").await.unwrap();
    (emulator, server)
}

/// Asserts that `elapsed` (paused time) is at least `limit` and less than `limit + slack`.
fn assert_after(elapsed: Duration, limit: Duration, slack: Duration) {
    assert!(
        elapsed >= limit && elapsed < limit + slack,
        "after {elapsed:?}, expected {limit:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_complete_request_is_answered_after_the_client_half_closes() {
    let file = scratch("half-close");
    for state_file in [None, Some(&file)] {
        let (emulator, server) = served_with(state_file).await;
        let addr = server.local_addr();

        // One at a time, then 16 at once, 3 rounds each.
        for round in 0..3 {
            let (status, body) = exchange(addr, &signed_set("k", &format!("one{round}")), true)
                .await
                .expect("answered after the half-close");
            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
            assert!(holds(&emulator, state_file, "k", &format!("one{round}")));

            let clients = (0..16).map(|n| {
                let request = signed_set(&format!("c{n}"), &format!("v{round}x{n}"));
                tokio::spawn(async move { exchange(addr, &request, true).await })
            });
            for (n, client) in clients.enumerate() {
                let answer = client.await.unwrap();
                assert_eq!(
                    answer.map(|a| a.0),
                    Some(200),
                    "client {n} of round {round}"
                );
                assert!(holds(
                    &emulator,
                    state_file,
                    &format!("c{n}"),
                    &format!("v{round}x{n}")
                ));
            }
        }

        // A 1 MB body, read in full and refused with the vendor's code, also half-closed.
        let nonce = fresh_nonce();
        let timestamp = T0.as_secs().to_string();
        let mut body = b"chatroomId=r&userId=u&key=big&value=".to_vec();
        body.resize(1024 * 1024, b'a');
        let request = raw(
            "POST",
            "/chatroom/entry/set.json",
            &[
                ("App-Key", APP.to_owned()),
                ("Nonce", nonce.clone()),
                ("Timestamp", timestamp.clone()),
                ("Signature", rc_signature(&nonce, &timestamp)),
                ("Connection", "close".to_owned()),
            ],
            &body,
        );
        for _ in 0..3 {
            let (status, body) = exchange(addr, &request, true)
                .await
                .expect("a 1 MB request is answered after the half-close");
            assert_eq!(status, 200);
            let reply: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(reply["code"], 1508);
        }
        assert_eq!(server.stats().refused_connections(), 0);
        server.shutdown().await;
    }
}

/// An emulator with `config`, served on `127.0.0.1:0`.
async fn serve(config: EmulatorConfig) -> (Emulator, roomkv_emulator::ServerHandle) {
    let emulator = Emulator::new(config);
    let server = emulator.serve("127.0.0.1:0").await.unwrap();
    (emulator, server)
}

/// Reads until the server closes the connection; the bytes it sent first.
async fn until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes).await;
    bytes
}

#[tokio::test(start_paused = true)]
async fn slow_headers_idle_connections_and_slow_bodies_are_timed_out() {
    let limits = EmulatorConfig::default().connections;
    let (_emulator, server) = serve(unlimited()).await;
    let addr = server.local_addr();

    // Slowloris: a byte of the head every 3 s keeps the connection busy, but the head must be
    // complete within the header-read timeout from its first byte.
    let mut slow = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    let (mut reader, mut writer) = slow.split();
    writer
        .write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let trickle = async {
        loop {
            tokio::time::sleep(Duration::from_secs(3)).await;
            if writer.write_all(b"a").await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    };
    let mut rest = Vec::new();
    tokio::select! {
        () = trickle => {}
        _ = reader.read_to_end(&mut rest) => {}
    }
    assert!(rest.is_empty(), "no answer to an incomplete head");
    assert_after(
        started.elapsed(),
        limits.header_read_timeout,
        Duration::from_secs(3),
    );

    // Idle: a connection that never sends a byte, and one that is idle after an answer, are
    // closed after the idle timeout, not before.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    assert!(until_closed(&mut silent).await.is_empty());
    assert_after(
        started.elapsed(),
        limits.idle_timeout,
        Duration::from_secs(1),
    );
    let mut kept = TcpStream::connect(addr).await.unwrap();
    kept.write_all(&raw("GET", "/_emulator/health", &[], b""))
        .await
        .unwrap();
    let mut answer = vec![0u8; 4096];
    let n = kept.read(&mut answer).await.unwrap();
    assert!(String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 200"));
    let started = Instant::now();
    assert!(until_closed(&mut kept).await.is_empty());
    assert_after(
        started.elapsed(),
        limits.idle_timeout,
        Duration::from_secs(1),
    );

    // Slow body: the head promises 100 bytes, 10 arrive; 408 after the body-read timeout.
    let mut body = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    body.write_all(
        b"POST /_emulator/reset HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789",
    )
    .await
    .unwrap();
    let answer = until_closed(&mut body).await;
    assert_after(
        started.elapsed(),
        limits.body_read_timeout,
        Duration::from_secs(1),
    );
    assert_eq!(parse_answer(&answer).map(|a| a.0), Some(408));
    server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_request_in_flight_is_not_cut_by_the_idle_timeout() {
    let limits = EmulatorConfig::default().connections;
    let (emulator, server) = serve(unlimited()).await;
    let delay = limits.idle_timeout + limits.header_read_timeout + Duration::from_secs(1);
    emulator
        .add_fault(roomkv_emulator::faults::FaultRule::new(
            "/_emulator/health",
            roomkv_emulator::faults::FaultEffect::Delay {
                ms: u64::try_from(delay.as_millis()).unwrap(),
            },
        ))
        .unwrap();
    let answer = exchange(
        server.local_addr(),
        &raw(
            "GET",
            "/_emulator/health",
            &[("Connection", "close".into())],
            b"",
        ),
        false,
    )
    .await;
    assert_eq!(answer.map(|a| a.0), Some(200));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_connection_cap_only_the_health_check_is_served_then_connections_are_refused() {
    let mut config = unlimited();
    config.connections.max_connections = 4;
    config.connections.health_reserve = 2;
    let (_emulator, server) = serve(config).await;
    let addr = server.local_addr();
    let stats = server.stats();
    let health = raw("GET", "/_emulator/health", &[], b"");

    /// Sends `request` on `stream` (kept alive) and returns the status.
    async fn ask(stream: &mut TcpStream, request: &[u8]) -> Option<u16> {
        stream.write_all(request).await.ok()?;
        let mut answer = vec![0u8; 4096];
        let n = stream.read(&mut answer).await.ok()?;
        parse_answer(&answer[..n]).map(|a| a.0)
    }

    let mut regular = Vec::new();
    for _ in 0..4 {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        assert_eq!(ask(&mut stream, &health).await, Some(200));
        regular.push(stream);
    }
    assert_eq!(stats.open_connections(), 4);

    // The reserve: the health check answers, anything else is refused with 503 and a close.
    let mut reserve = TcpStream::connect(addr).await.unwrap();
    assert_eq!(ask(&mut reserve, &health).await, Some(200));
    let mut other = TcpStream::connect(addr).await.unwrap();
    assert_eq!(
        ask(&mut other, &raw("GET", "/_emulator/events", &[], b"")).await,
        Some(503)
    );
    assert!(until_closed(&mut other).await.is_empty());
    assert_eq!(stats.refused_connections(), 1);
    // Wait until the refused connection is counted closed.
    while stats.open_connections() > 5 {
        tokio::task::yield_now().await;
    }

    // The last reserve slot, then past the cap and the reserve: closed at once.
    let mut spare = TcpStream::connect(addr).await.unwrap();
    assert_eq!(ask(&mut spare, &health).await, Some(200));
    let mut past = TcpStream::connect(addr).await.unwrap();
    assert!(until_closed(&mut past).await.is_empty());
    assert_eq!(stats.refused_connections(), 2);

    // The established connections keep working, and a freed slot serves in full again.
    for stream in &mut regular {
        assert_eq!(
            ask(stream, &raw("GET", "/_emulator/events", &[], b"")).await,
            Some(200)
        );
    }
    drop(regular.pop());
    drop(reserve);
    drop(spare);
    while stats.open_connections() > 3 {
        tokio::task::yield_now().await;
    }
    let mut fresh = TcpStream::connect(addr).await.unwrap();
    assert_eq!(
        ask(&mut fresh, &raw("GET", "/_emulator/events", &[], b"")).await,
        Some(200)
    );
    // The counts, from the control API too.
    fresh
        .write_all(&raw("GET", "/_emulator/connections", &[], b""))
        .await
        .unwrap();
    let mut answer = vec![0u8; 4096];
    let n = fresh.read(&mut answer).await.unwrap();
    let (status, body) = parse_answer(&answer[..n]).unwrap();
    assert_eq!(status, 200);
    let counts: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(counts["refused"], 2);
    assert_eq!(counts["open"], stats.open_connections());
    server.shutdown().await;
}

const METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];

/// The methods each control endpoint takes.
const CONTROL: [(&str, &[&str]); 11] = [
    ("/_emulator/health", &["GET"]),
    ("/_emulator/connections", &["GET"]),
    ("/_emulator/events", &["GET"]),
    ("/_emulator/webhooks", &["GET"]),
    ("/_emulator/reset", &["POST"]),
    ("/_emulator/faults", &["GET", "POST", "DELETE"]),
    ("/_emulator/rate-limits", &["GET", "POST"]),
    ("/_emulator/rongcloud/kv-service", &["POST"]),
    ("/_emulator/rongcloud/messages", &["POST"]),
    ("/_emulator/rongcloud/chatroom/leave", &["POST"]),
    ("/_emulator/rongcloud/chatroom/destroy", &["POST"]),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_method_a_path_does_not_take_is_answered_2xx_connect_included() {
    let emulator = Emulator::new(unlimited());
    let server = emulator.serve("127.0.0.1:0").await.unwrap();
    let addr = server.local_addr();
    let tencent = Command::ALL.map(|command| tc_uri(command.as_str()));
    let mut routes: Vec<(String, &[&str])> = Vec::new();
    for route in RC_ROUTES {
        routes.push((route.path.to_owned(), &["POST"]));
    }
    for uri in &tencent {
        routes.push((uri.clone(), &["POST"]));
    }
    for (path, methods) in CONTROL {
        routes.push((path.to_owned(), methods));
    }
    for unknown in ["/nowhere", "/_emulator/nowhere"] {
        routes.push((unknown.to_owned(), &[]));
    }
    // Tencent answers a POST of a command it does not know as it answers every POST: HTTP 200
    // with an error code (60009), which is no success; every other method is refused.
    routes.push((
        "/v4/live_engine_http_srv/no_such_command".to_owned(),
        &["POST"],
    ));
    let mut checked = 0;
    for (target, allowed) in &routes {
        for method in METHODS {
            if allowed.contains(&method) {
                continue;
            }
            let request = raw(method, target, &[("Connection", "close".into())], b"");
            let answer = exchange(addr, &request, false).await;
            let status = answer.map(|a| a.0);
            assert!(
                status.is_some_and(|s| !(200..300).contains(&s)),
                "{method} {target} answered {status:?}"
            );
            checked += 1;
        }
    }
    assert!(checked > 250, "{checked} combinations");
    // The control endpoints still answer the methods they take.
    for (path, _) in CONTROL.iter().take(3) {
        let answer = exchange(
            addr,
            &raw("GET", path, &[("Connection", "close".into())], b""),
            false,
        )
        .await;
        assert_eq!(answer.map(|a| a.0), Some(200), "GET {path}");
    }
    server.shutdown().await;
}
