//! `roomkv emulator`: the ready line, the credentials, the served port, signals and bind
//! failures.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use crate::process::{EXIT_TIMEOUT, READY_TIMEOUT, Roomkv};

const READY_PREFIX: &str = "roomkv emulator listening on http://";

/// Parses the ready line, asserting its exact format: the prefix, then `HOST:PORT` and nothing
/// else.
fn ready_addr(line: &str) -> SocketAddr {
    let rest = line
        .strip_prefix(READY_PREFIX)
        .unwrap_or_else(|| panic!("not a ready line: {line:?}"));
    let addr: SocketAddr = rest
        .parse()
        .unwrap_or_else(|err| panic!("not HOST:PORT in {line:?}: {err}"));
    assert_eq!(line, format!("{READY_PREFIX}{addr}"), "exact format");
    addr
}

/// `GET path` over a fresh HTTP/1.1 connection: the whole response, head and body.
fn http_get(addr: SocketAddr, path: &str) -> String {
    http_request(addr, "GET", path)
}

/// `METHOD path` without a body over a fresh HTTP/1.1 connection: the whole response.
fn http_request(addr: SocketAddr, method: &str, path: &str) -> String {
    let timeout = Duration::from_secs(10);
    let mut stream = TcpStream::connect_timeout(&addr, timeout).expect("connect");
    stream.set_read_timeout(Some(timeout)).unwrap();
    stream.set_write_timeout(Some(timeout)).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read response");
    response
}

#[test]
#[cfg(unix)]
fn serves_announces_hides_secrets_and_stops_on_sigterm() {
    const RC_SECRET: &str = "S3cr3t-xyz";
    const TC_SECRET: &str = "T3nc3nt-k3y-xyz";
    let mut roomkv = Roomkv::spawn(&[
        "-vvv", // every log line goes to stderr, and none of them may show a secret either
        "emulator",
        "--listen",
        "127.0.0.1:0",
        "--rongcloud-app-key",
        "my-app",
        "--rongcloud-app-secret",
        RC_SECRET,
        "--tencent-secret-key",
        TC_SECRET,
        "--tencent-admin",
        "ops",
    ]);

    let addr = ready_addr(&roomkv.next_line(READY_TIMEOUT));
    assert_eq!(addr.ip().to_string(), "127.0.0.1");
    assert_ne!(addr.port(), 0);
    assert_eq!(
        roomkv.next_line(READY_TIMEOUT),
        format!("console: http://{addr}/_emulator/ui")
    );
    let credentials: Vec<String> = (0..5).map(|_| roomkv.next_line(READY_TIMEOUT)).collect();
    assert_eq!(
        credentials,
        [
            "rongcloud app key: my-app",
            "rongcloud app secret: (set by flag)",
            "tencent sdkappid: 1400000000",
            "tencent secret key: (set by flag)",
            "tencent admin: ops",
        ]
    );

    let health = http_get(addr, "/_emulator/health");
    assert!(health.starts_with("HTTP/1.1 200 "), "{health}");
    assert!(health.ends_with(r#"{"ok":true}"#), "{health}");

    roomkv.signal("TERM");
    let out = roomkv.wait(EXIT_TIMEOUT);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        out.stdout.lines().count(),
        7,
        "only the banner on stdout:\n{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("SIGTERM"),
        "-vvv logs on stderr:\n{}",
        out.stderr
    );
    for secret in [RC_SECRET, TC_SECRET] {
        assert!(
            !out.stdout.contains(secret),
            "{secret} on stdout:\n{}",
            out.stdout
        );
        assert!(
            !out.stderr.contains(secret),
            "{secret} on stderr:\n{}",
            out.stderr
        );
    }
}

#[test]
#[cfg(unix)]
fn verbose_prints_each_refusal_with_its_explanation_on_stderr() {
    let mut roomkv = Roomkv::spawn(&["-v", "emulator", "--listen", "127.0.0.1:0"]);
    let addr = ready_addr(&roomkv.next_line(READY_TIMEOUT));
    let refused = http_request(addr, "POST", "/chatroom/entry/set.json");
    assert!(refused.contains(r#""code":1002"#), "{refused}");
    let console = http_get(addr, "/_emulator/ui");
    assert!(console.starts_with("HTTP/1.1 200 "), "{console}");
    roomkv.signal("TERM");
    let out = roomkv.wait(EXIT_TIMEOUT);
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("refused:"))
        .collect();
    assert_eq!(lines.len(), 1, "one line per refusal:\n{}", out.stderr);
    assert!(
        lines[0].contains("refused: the App-Key header is missing"),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains("/chatroom/entry/set.json"),
        "{}",
        lines[0]
    );
}

#[test]
#[cfg(unix)]
fn shows_the_demo_secrets_and_stops_on_sigint() {
    let mut roomkv = Roomkv::spawn(&["emulator", "--listen", "127.0.0.1:0"]);
    let addr = ready_addr(&roomkv.next_line(READY_TIMEOUT));
    assert_ne!(addr.port(), 0);
    assert_eq!(
        roomkv.next_line(READY_TIMEOUT),
        format!("console: http://{addr}/_emulator/ui")
    );
    let credentials: Vec<String> = (0..5).map(|_| roomkv.next_line(READY_TIMEOUT)).collect();
    assert_eq!(
        credentials,
        [
            "rongcloud app key: demo-app-key",
            "rongcloud app secret: demo-app-secret (default)",
            "tencent sdkappid: 1400000000",
            "tencent secret key: demo-secret-key (default)",
            "tencent admin: administrator",
        ]
    );

    roomkv.signal("INT");
    let out = roomkv.wait(EXIT_TIMEOUT);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        out.stderr.is_empty(),
        "nothing logged without -v:\n{}",
        out.stderr
    );
}

#[test]
#[cfg(unix)]
fn a_signal_right_after_the_ready_line_still_stops_gracefully() {
    let mut roomkv = Roomkv::spawn(&["emulator", "--listen", "127.0.0.1:0"]);
    ready_addr(&roomkv.next_line(READY_TIMEOUT));
    roomkv.signal("TERM");
    let out = roomkv.wait(EXIT_TIMEOUT);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn a_taken_port_is_one_line_on_stderr_and_exit_1() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind a port to take");
    let addr = taken.local_addr().unwrap();
    let out = Roomkv::run(&["emulator", "--listen", &addr.to_string()]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with(&format!("roomkv: cannot listen on {addr}: ")),
        "{}",
        out.stderr
    );
}

/// Sends one HTTP/1.1 request on `stream` and reads one response with a `Content-Length` body,
/// leaving the connection open.
fn exchange(stream: &mut TcpStream, request: &str) -> String {
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    let mut byte = [0u8; 1];
    while !response.ends_with(b"\r\n\r\n") {
        assert_eq!(
            stream.read(&mut byte).unwrap(),
            1,
            "connection closed early"
        );
        response.push(byte[0]);
    }
    let head = String::from_utf8(response).unwrap();
    let length: usize = head
        .lines()
        .find_map(|line| {
            line.to_ascii_lowercase()
                .strip_prefix("content-length: ")?
                .parse()
                .ok()
        })
        .expect("content-length");
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).unwrap();
    head + &String::from_utf8(body).unwrap()
}

fn connect(addr: SocketAddr) -> TcpStream {
    let timeout = Duration::from_secs(10);
    let stream = TcpStream::connect_timeout(&addr, timeout).expect("connect");
    stream.set_read_timeout(Some(timeout)).unwrap();
    stream.set_write_timeout(Some(timeout)).unwrap();
    stream
}

#[test]
#[cfg(unix)]
fn shutdown_closes_idle_keep_alive_connections_at_once() {
    let mut roomkv = Roomkv::spawn(&["emulator", "--listen", "127.0.0.1:0"]);
    let addr = ready_addr(&roomkv.next_line(READY_TIMEOUT));
    let mut idle = connect(addr);
    let request = format!("GET /_emulator/health HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    let response = exchange(&mut idle, &request);
    assert!(response.starts_with("HTTP/1.1 200 "), "{response}");

    let start = Instant::now();
    roomkv.signal("TERM");
    // The server closes the idle connection instead of waiting out the grace period for it.
    let mut rest = Vec::new();
    idle.read_to_end(&mut rest)
        .expect("the server closes the idle connection");
    assert!(rest.is_empty(), "{rest:?}");
    let out = roomkv.wait(EXIT_TIMEOUT);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "an idle connection held the shutdown for {:?}",
        start.elapsed()
    );
}

#[test]
#[cfg(unix)]
fn a_stuck_request_holds_the_shutdown_only_for_the_grace_period() {
    let mut roomkv = Roomkv::spawn(&["emulator", "--listen", "127.0.0.1:0"]);
    let addr = ready_addr(&roomkv.next_line(READY_TIMEOUT));
    let rule = r#"{"path":"/_emulator/health","times":1,"effect":{"kind":"delay","ms":600000}}"#;
    let response = exchange(
        &mut connect(addr),
        &format!(
            "POST /_emulator/faults HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{rule}",
            rule.len()
        ),
    );
    assert!(response.starts_with("HTTP/1.1 200 "), "{response}");

    // A request the emulator delays by ten minutes. It is in flight once it has used up the
    // rule's one `times`, which removes the rule.
    let mut stuck = connect(addr);
    stuck
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stuck,
        "GET /_emulator/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let deadline = Instant::now() + READY_TIMEOUT;
    while !http_get(addr, "/_emulator/faults").ends_with(r#"{"rules":[]}"#) {
        assert!(
            Instant::now() < deadline,
            "the delayed request never arrived"
        );
        std::thread::sleep(Duration::from_millis(10));
    }

    let start = Instant::now();
    roomkv.signal("TERM");
    let out = roomkv.wait(Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // The grace period (5 s) was given; the bounded wait above caps it.
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(4),
        "gave up on the request after {waited:?}"
    );
    let mut rest = Vec::new();
    let _ = stuck.read_to_end(&mut rest);
    assert!(rest.is_empty(), "the stuck request was answered: {rest:?}");
}
