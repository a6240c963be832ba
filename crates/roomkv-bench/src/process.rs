//! The servers under test run in processes of their own (the release `roomkv emulator`, and
//! `roomkv-bench bare-server`), so that their memory can be read from `/proc` and their CPU
//! is not the load generator's.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long a server may take to print its ready line.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// A server process we started; killed when dropped.
#[derive(Debug)]
pub(crate) struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    /// `roomkv emulator` on a free loopback port, with `flags`.
    pub(crate) fn emulator(roomkv: &Path, flags: &[&str]) -> Result<Self, String> {
        let mut command = Command::new(roomkv);
        command
            .args(["emulator", "--listen", "127.0.0.1:0"])
            .args(flags);
        Self::start(command, "roomkv emulator listening on ")
    }

    /// This program's bare hyper server.
    pub(crate) fn bare() -> Result<Self, String> {
        let exe = std::env::current_exe().map_err(|err| format!("own executable: {err}"))?;
        let mut command = Command::new(exe);
        command.arg("bare-server");
        Self::start(command, crate::bare::READY)
    }

    /// Starts `command` and waits for its first line, `ready` followed by `http://HOST:PORT`.
    fn start(mut command: Command, ready: &'static str) -> Result<Self, String> {
        let shown = format!("{command:?}");
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|err| format!("cannot start {shown}: {err}"))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let read = BufReader::new(stdout).read_line(&mut line).map(|_| line);
            let _ = sender.send(read);
        });
        let line = match receiver.recv_timeout(START_TIMEOUT) {
            Ok(Ok(line)) => line,
            other => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{shown} did not announce its address: {other:?}"));
            }
        };
        let addr = parse_ready(&line, ready).ok_or_else(|| {
            let _ = child.kill();
            let _ = child.wait();
            format!("{shown} printed {line:?}, not its address")
        })?;
        Ok(Self { child, addr })
    }

    /// The address it serves on.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://HOST:PORT`.
    pub(crate) fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Its resident memory, in bytes.
    pub(crate) fn rss_bytes(&self) -> Result<u64, String> {
        crate::procfs::rss_of(self.child.id())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The address in a ready line `PREFIX http://HOST:PORT`.
fn parse_ready(line: &str, prefix: &str) -> Option<SocketAddr> {
    line.trim_end()
        .strip_prefix(prefix)?
        .strip_prefix("http://")?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_lines_give_the_address() {
        let prefix = "roomkv emulator listening on ";
        assert_eq!(
            parse_ready(
                "roomkv emulator listening on http://127.0.0.1:4242\n",
                prefix
            ),
            Some("127.0.0.1:4242".parse().unwrap())
        );
        assert_eq!(parse_ready("something else\n", prefix), None);
        assert_eq!(
            parse_ready("roomkv emulator listening on https://127.0.0.1:1", prefix),
            None
        );
    }
}
