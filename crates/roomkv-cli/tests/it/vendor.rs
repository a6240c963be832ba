//! What the vendor command tests share: the emulator as a child process, the CLI run against
//! it, the output contract's assertions, and a stub server that counts connections.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use serde_json::Value;

use crate::process::{EXIT_TIMEOUT, Finished, READY_TIMEOUT, Roomkv};

/// The emulator's demo RongCloud credentials.
pub(crate) const RC_KEY: &str = "demo-app-key";
pub(crate) const RC_SECRET: &str = "demo-app-secret";
/// The emulator's demo Tencent credentials.
pub(crate) const TC_SDKAPPID: &str = "1400000000";
pub(crate) const TC_SECRET: &str = "demo-secret-key";

/// `roomkv emulator --listen 127.0.0.1:0 [FLAGS]`, killed on drop.
pub(crate) struct Emulator {
    process: Roomkv,
    pub(crate) addr: SocketAddr,
    pub(crate) url: String,
}

impl Emulator {
    /// The emulator with its demo credentials.
    pub(crate) fn start() -> Self {
        Self::start_with(&[])
    }

    /// The emulator with `flags` added.
    pub(crate) fn start_with(flags: &[&str]) -> Self {
        let argv = [&["emulator", "--listen", "127.0.0.1:0"][..], flags].concat();
        let mut process = Roomkv::spawn(&argv);
        let line = process.next_line(READY_TIMEOUT);
        let url = line
            .strip_prefix("roomkv emulator listening on ")
            .unwrap_or_else(|| panic!("not a ready line: {line:?}"))
            .to_owned();
        let addr = url
            .strip_prefix("http://")
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Self { process, addr, url }
    }

    /// Stops the emulator with SIGTERM; everything it printed.
    pub(crate) fn stop(self) -> Finished {
        self.process.signal("TERM");
        self.process.wait(EXIT_TIMEOUT)
    }

    /// `roomkv rongcloud ARGS` against the emulator with the demo credentials (as flags).
    pub(crate) fn rongcloud(&self, args: &[&str]) -> Finished {
        let credentials = ["--app-key", RC_KEY, "--app-secret", RC_SECRET];
        self.run("rongcloud", args, &credentials, &[])
    }

    /// `roomkv tencent ARGS` against the emulator with the demo credentials (as flags).
    pub(crate) fn tencent(&self, args: &[&str]) -> Finished {
        let credentials = ["--sdkappid", TC_SDKAPPID, "--secret-key", TC_SECRET];
        self.run("tencent", args, &credentials, &[])
    }

    /// `roomkv VENDOR ARGS CREDENTIALS --base-url URL` with `env`.
    pub(crate) fn run(
        &self,
        vendor: &str,
        args: &[&str],
        credentials: &[&str],
        env: &[(&str, &str)],
    ) -> Finished {
        let argv = [&[vendor][..], args, credentials, &["--base-url", &self.url]].concat();
        Roomkv::run_with_env(&argv, env)
    }

    /// `POST path` of the control API with a JSON `body`; the answer's body, which must be a
    /// 200.
    pub(crate) fn control(&self, path: &str, body: &str) -> Value {
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        self.exchange(&request)
    }

    /// `GET path` of the control API; the answer's JSON body, which must be a 200.
    pub(crate) fn control_get(&self, path: &str) -> Value {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        );
        self.exchange(&request)
    }

    fn exchange(&self, request: &str) -> Value {
        let timeout = Duration::from_secs(10);
        let mut stream = TcpStream::connect_timeout(&self.addr, timeout).expect("connect");
        stream.set_read_timeout(Some(timeout)).unwrap();
        stream.set_write_timeout(Some(timeout)).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read response");
        assert!(response.starts_with("HTTP/1.1 200 "), "{response}");
        let (_, body) = response.split_once("\r\n\r\n").expect("a head and a body");
        serde_json::from_str(body).unwrap_or_else(|err| panic!("{err}: {body}"))
    }
}

/// Asserts the success contract: exit code 0, nothing on stderr, exactly one JSON document on
/// one line of stdout. Returns the document.
#[track_caller]
pub(crate) fn success(out: &Finished) -> Value {
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stderr.is_empty(), "stderr: {}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 1, "stdout: {}", out.stdout);
    serde_json::from_str(&out.stdout).unwrap_or_else(|err| panic!("{err}: {}", out.stdout))
}

/// Asserts the failure contract: exit code `code`, nothing on stdout, exactly one line on
/// stderr, starting `roomkv: `. Returns the line.
#[track_caller]
pub(crate) fn failure(out: &Finished, code: i32) -> String {
    assert_eq!(out.status.code(), Some(code), "{out:?}");
    assert!(out.stdout.is_empty(), "stdout: {}", out.stdout);
    assert_eq!(out.stderr.lines().count(), 1, "stderr: {}", out.stderr);
    assert!(out.stderr.starts_with("roomkv: "), "stderr: {}", out.stderr);
    out.stderr.trim_end().to_owned()
}

/// A loopback port that accepts TCP connections and never answers, counting them: a server
/// that proves whether anything was sent.
pub(crate) struct Stub {
    listener: TcpListener,
    pub(crate) url: String,
}

impl Stub {
    pub(crate) fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        Self { listener, url }
    }

    /// The connections made so far (accepting them): the kernel queues every connection,
    /// closed or not, until it is accepted.
    pub(crate) fn connections(&self) -> usize {
        let mut count = 0;
        while self.listener.accept().is_ok() {
            count += 1;
        }
        count
    }
}
