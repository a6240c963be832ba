//! A minimal W3C WebDriver client over hyper, and a guard that runs `chromedriver`.
//!
//! The console test needs eight WebDriver commands (new session, navigate, find element,
//! click, clear, send keys, execute script, window size, screenshot, delete session): a handful of JSON-over-HTTP calls. Written here over the hyper the workspace
//! already has instead of pulling `fantoccini` or `thirtyfour`, which would add their own
//! HTTP and WebDriver protocol stacks (dozens of crates) for the same few calls.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

/// The W3C name of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long chromedriver may take to start, and one command to answer.
const DRIVER_TIMEOUT: Duration = Duration::from_secs(30);

/// `chromedriver` on a free loopback port and a fresh browser profile directory; when dropped,
/// chromedriver and its browsers are killed and the profile is removed.
pub(crate) struct ChromeDriver {
    child: Child,
    addr: SocketAddr,
    profile: PathBuf,
}

impl ChromeDriver {
    /// Starts `chromedriver` and waits until its `/status` says it is ready. Fails (never
    /// skips) when chromedriver is not installed.
    pub(crate) async fn start() -> Self {
        // A free loopback port: bound, read, released for chromedriver.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a loopback port is free")
            .port();
        let mut command = Command::new("chromedriver");
        command
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Its own process group, which the browsers it starts join: the guard ends them all,
        // even when a failed test never ends its session.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command.spawn().unwrap_or_else(|err| {
            panic!(
                "this test needs `chromedriver` and `chromium` on the PATH ({err}); install \
                     them, e.g. `apt-get install -y chromium chromium-driver` (.ci/run does)"
            )
        });
        // In the temporary directory: Chromium does not start with a profile on every file
        // system (some shared mounts a `target/` can be on).
        let profile = std::env::temp_dir().join(format!("roomkv-console-{}", child.id()));
        std::fs::create_dir_all(&profile).expect("the temporary directory is writable");
        let driver = Self {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            profile,
        };
        let deadline = Instant::now() + DRIVER_TIMEOUT;
        loop {
            if let Ok(status) = request(driver.addr, "GET", "/status", None).await
                && status["value"]["ready"] == true
            {
                return driver;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready within {DRIVER_TIMEOUT:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A new headless Chromium session with the driver's fresh profile.
    pub(crate) async fn session(&self) -> Session {
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium(),
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    format!("--user-data-dir={}", self.profile.display()),
                ],
            },
        }}});
        let answer = request(self.addr, "POST", "/session", Some(capabilities))
            .await
            .unwrap_or_else(|err| panic!("new session: {err}"));
        let id = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no sessionId in {answer}"))
            .to_owned();
        Session {
            addr: self.addr,
            id,
        }
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // The whole group: chromedriver and every browser process it started.
        #[cfg(unix)]
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Debian's `chromium`, or whatever `CHROMIUM` names.
fn chromium() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
}

/// One browser session.
pub(crate) struct Session {
    addr: SocketAddr,
    id: String,
}

impl Session {
    async fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.id);
        let answer = request(self.addr, method, &path, body)
            .await
            .unwrap_or_else(|err| panic!("{method} {path}: {err}"));
        answer["value"].clone()
    }

    /// Opens `url`.
    pub(crate) async fn navigate(&self, url: &str) {
        self.command("POST", "/url", Some(json!({ "url": url })))
            .await;
    }

    /// Resizes the window.
    pub(crate) async fn window_size(&self, width: u32, height: u32) {
        self.command(
            "POST",
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        )
        .await;
    }

    /// The element `css` selects; panics when there is none.
    pub(crate) async fn find(&self, css: &str) -> Element<'_> {
        let value = self
            .command(
                "POST",
                "/element",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        let id = value[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {value}"))
            .to_owned();
        Element { session: self, id }
    }

    /// The rendered text of the element `css` selects, read in one step (the page replaces its
    /// table bodies as it refreshes, so a found element can go stale before it is read).
    pub(crate) async fn text(&self, css: &str) -> String {
        let value = self
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;",
                json!([css]),
            )
            .await;
        value
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}"))
            .trim()
            .to_owned()
    }

    /// Runs `script` with `args` in the page and returns its result.
    pub(crate) async fn execute(&self, script: &str, args: Value) -> Value {
        self.command(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    /// Polls the text of `css` until `condition` holds, failing after `deadline`.
    pub(crate) async fn wait_for_text(
        &self,
        css: &str,
        deadline: Duration,
        what: &str,
        condition: impl Fn(&str) -> bool,
    ) -> String {
        let until = Instant::now() + deadline;
        loop {
            let text = self.text(css).await;
            if condition(&text) {
                return text;
            }
            assert!(
                Instant::now() < until,
                "{what}: not within {deadline:?}; {css} shows {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Saves a PNG screenshot of the window to `path`.
    pub(crate) async fn screenshot(&self, path: &Path) {
        use base64::Engine as _;
        let value = self.command("GET", "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(value.as_str().expect("a base64 screenshot"))
            .expect("the screenshot is base64");
        std::fs::write(path, png)
            .unwrap_or_else(|err| panic!("cannot write {}: {err}", path.display()));
    }

    /// Ends the session (closes the browser).
    pub(crate) async fn quit(self) {
        self.command("DELETE", "", None).await;
    }
}

/// An element of the page.
pub(crate) struct Element<'s> {
    session: &'s Session,
    id: String,
}

impl Element<'_> {
    async fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.session
            .command(method, &format!("/element/{}{path}", self.id), body)
            .await
    }

    /// Clicks it.
    pub(crate) async fn click(&self) {
        self.command("POST", "/click", Some(json!({}))).await;
    }

    /// Empties it (an input).
    pub(crate) async fn clear(&self) {
        self.command("POST", "/clear", Some(json!({}))).await;
    }

    /// Types `text` into it.
    pub(crate) async fn send_keys(&self, text: &str) {
        self.command("POST", "/value", Some(json!({ "text": text })))
            .await;
    }
}

/// One WebDriver call: JSON in, JSON out. An error answer (`value.error`) is an `Err`.
async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let exchange = async {
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| e.to_string())?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let request = http::Request::builder()
            .method(method)
            .uri(path)
            .header(http::header::HOST, addr.to_string())
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
        match value["value"].get("error") {
            Some(error) => Err(format!("{error}: {}", value["value"]["message"])),
            None => Ok(value),
        }
    };
    tokio::time::timeout(DRIVER_TIMEOUT, exchange)
        .await
        .map_err(|_| format!("no answer within {DRIVER_TIMEOUT:?}"))?
}
