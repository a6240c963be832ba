//! Figures read from `/proc` (Linux): resident memory, open sockets, the load average.

use std::fs;
use std::time::Duration;

/// The resident memory (`VmRSS`) of process `pid`, in bytes.
pub(crate) fn rss_of(pid: u32) -> Result<u64, String> {
    read_rss(&format!("/proc/{pid}/status"))
}

/// This process's resident memory, in bytes.
pub(crate) fn own_rss() -> Result<u64, String> {
    read_rss("/proc/self/status")
}

fn read_rss(path: &str) -> Result<u64, String> {
    let status = fs::read_to_string(path).map_err(|err| format!("cannot read {path}: {err}"))?;
    vm_rss(&status).ok_or_else(|| format!("no VmRSS line in {path}"))
}

/// The `VmRSS:  1234 kB` figure of a `/proc/PID/status` text, in bytes.
fn vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let mut words = line["VmRSS:".len()..].split_whitespace();
    let kib: u64 = words.next()?.parse().ok()?;
    (words.next()? == "kB").then_some(kib * 1024)
}

/// The CPU time this process has used so far, user and system, every thread (`utime` and
/// `stime` of `/proc/self/stat`, in the kernel's fixed 100 ticks per second).
pub(crate) fn own_cpu_time() -> Result<Duration, String> {
    let stat =
        fs::read_to_string("/proc/self/stat").map_err(|err| format!("/proc/self/stat: {err}"))?;
    cpu_ticks(&stat)
        .map(|ticks| Duration::from_millis(ticks * 10))
        .ok_or_else(|| format!("/proc/self/stat says {stat:?}"))
}

/// `utime + stime` of a `/proc/PID/stat` line: the 14th and 15th fields, counted after the
/// command name (which may contain spaces and parentheses).
fn cpu_ticks(stat: &str) -> Option<u64> {
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// The one-minute load average (`/proc/loadavg`).
pub(crate) fn load_average() -> Result<f64, String> {
    let text =
        fs::read_to_string("/proc/loadavg").map_err(|err| format!("/proc/loadavg: {err}"))?;
    first_number(&text).ok_or_else(|| format!("/proc/loadavg says {text:?}"))
}

fn first_number(text: &str) -> Option<f64> {
    text.split_whitespace().next()?.parse().ok()
}

/// How many sockets this process has open (its file descriptors that are sockets).
pub(crate) fn own_sockets() -> Result<usize, String> {
    let dir = fs::read_dir("/proc/self/fd").map_err(|err| format!("/proc/self/fd: {err}"))?;
    Ok(dir
        .flatten()
        .filter_map(|entry| fs::read_link(entry.path()).ok())
        .filter(|target| target.to_string_lossy().starts_with("socket:"))
        .count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_rss_is_read_in_bytes() {
        let status = "Name:\troomkv\nVmPeak:\t  9000 kB\nVmRSS:\t    1234 kB\nThreads:\t3\n";
        assert_eq!(vm_rss(status), Some(1234 * 1024));
        assert_eq!(vm_rss("Name:\tx\n"), None);
        assert_eq!(vm_rss("VmRSS:\t12 MB\n"), None);
    }

    #[test]
    fn the_load_average_is_the_first_figure() {
        assert_eq!(first_number("5.12 4.03 2.00 3/812 4242\n"), Some(5.12));
        assert_eq!(first_number(""), None);
        assert!(load_average().unwrap() >= 0.0);
    }

    #[test]
    fn cpu_time_is_user_plus_system_after_the_command_name() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
        let stat = "42 (tokio (rt) 1) S 1 42 42 0 -1 4194560 100 0 0 0 250 30 0 0 20 0 3 0\n";
        assert_eq!(cpu_ticks(stat), Some(280));
        assert_eq!(cpu_ticks("42 (x) S 1 2"), None);
        assert_eq!(cpu_ticks("no parenthesis"), None);
    }

    #[test]
    fn this_process_is_measurable() {
        let cpu = own_cpu_time().unwrap();
        assert!(own_cpu_time().unwrap() >= cpu);
        assert!(own_rss().unwrap() > 0);
        let before = own_sockets().unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        assert!(own_sockets().unwrap() > before.saturating_sub(1));
        drop(listener);
    }
}
