//! [`Roomkv`]: the `roomkv` binary as a child process, with bounded waits and kill on drop.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// The binary under test, built by cargo for this package's integration tests.
const BIN: &str = env!("CARGO_BIN_EXE_roomkv");

/// How long a child may take to print its ready line (a cold, loaded CI machine included).
pub(crate) const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a child may take to exit once it has been told to, or once it failed.
pub(crate) const EXIT_TIMEOUT: Duration = Duration::from_secs(10);

/// The variables the vendor commands read credentials and settings from, and those that pick
/// a profile. Every child starts without them, so the developer's own credentials and config
/// file never reach a test; a test sets them with [`Roomkv::spawn_with_env`].
pub(crate) const CREDENTIAL_VARS: &[&str] = &[
    "RONGCLOUD_APP_KEY",
    "RONGCLOUD_APP_SECRET",
    "RONGCLOUD_DIALECT",
    "TENCENT_SDKAPPID",
    "TENCENT_SECRET_KEY",
    "TENCENT_ADMIN",
    "ROOMKV_REDIS_URL",
    "ROOMKV_PROFILE",
    "ROOMKV_CONFIG",
];

/// A running `roomkv`. Dropping it kills the process (if it still runs) and reaps it.
pub(crate) struct Roomkv {
    child: Child,
    stdout_lines: Receiver<String>,
    stdout_seen: Vec<String>,
    stderr: Option<JoinHandle<String>>,
}

/// A finished `roomkv`.
#[derive(Debug)]
pub(crate) struct Finished {
    pub(crate) status: ExitStatus,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Roomkv {
    /// Starts `roomkv ARGS` with stdin closed and stdout and stderr captured.
    pub(crate) fn spawn(args: &[&str]) -> Self {
        Self::spawn_with_env(args, &[])
    }

    /// [`spawn`](Self::spawn) with environment variables `env` set (and the
    /// [`CREDENTIAL_VARS`] it does not set removed).
    pub(crate) fn spawn_with_env(args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(BIN);
        for var in CREDENTIAL_VARS {
            command.env_remove(var);
        }
        let mut child = command
            .envs(env.iter().copied())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {BIN}: {err}"));
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (send, stdout_lines) = mpsc::channel();
        // Readers end at EOF, which the child's exit (or kill) brings.
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = thread::spawn(move || {
            let mut text = String::new();
            let _ = BufReader::new(stderr).read_to_string(&mut text);
            text
        });
        Self {
            child,
            stdout_lines,
            stdout_seen: Vec::new(),
            stderr: Some(stderr),
        }
    }

    /// The process id.
    pub(crate) fn id(&self) -> u32 {
        self.child.id()
    }

    /// The next line on stdout, waiting at most `timeout`.
    pub(crate) fn next_line(&mut self, timeout: Duration) -> String {
        match self.stdout_lines.recv_timeout(timeout) {
            Ok(line) => {
                self.stdout_seen.push(line.clone());
                line
            }
            Err(RecvTimeoutError::Timeout) => panic!(
                "no line on stdout within {timeout:?}; so far: {:?}",
                self.stdout_seen
            ),
            Err(RecvTimeoutError::Disconnected) => {
                let status = self.child.try_wait();
                panic!(
                    "stdout closed (exit status {status:?}); so far: {:?}",
                    self.stdout_seen
                )
            }
        }
    }

    /// Sends `signal` (a name such as `TERM`) through the `kill` of `sh`, which every Unix has.
    #[cfg(unix)]
    pub(crate) fn signal(&self, signal: &str) {
        let status = Command::new("sh")
            .args([
                "-c",
                "kill -s \"$0\" \"$1\"",
                signal,
                &self.id().to_string(),
            ])
            .status()
            .expect("sh runs");
        assert!(status.success(), "kill -s {signal} failed: {status}");
    }

    /// Waits at most `timeout` for the process to exit, then collects all its output.
    pub(crate) fn wait(mut self, timeout: Duration) -> Finished {
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "roomkv did not exit within {timeout:?}; stdout so far: {:?}",
                self.stdout_seen
            );
            thread::sleep(Duration::from_millis(10));
        };
        // The readers see EOF now; the channel drains to its end.
        let mut stdout_lines = std::mem::take(&mut self.stdout_seen);
        stdout_lines.extend(self.stdout_lines.iter());
        let mut stdout = stdout_lines.join("\n");
        if !stdout.is_empty() {
            stdout.push('\n');
        }
        let stderr = self
            .stderr
            .take()
            .map(|reader| reader.join().expect("stderr reader"))
            .unwrap_or_default();
        Finished {
            status,
            stdout,
            stderr,
        }
    }

    /// Runs `roomkv ARGS` to its end (at most [`EXIT_TIMEOUT`]).
    pub(crate) fn run(args: &[&str]) -> Finished {
        Self::spawn(args).wait(EXIT_TIMEOUT)
    }

    /// Runs `roomkv ARGS` with `env` to its end (at most [`EXIT_TIMEOUT`]).
    pub(crate) fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Finished {
        Self::spawn_with_env(args, env).wait(EXIT_TIMEOUT)
    }
}

impl Drop for Roomkv {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}
