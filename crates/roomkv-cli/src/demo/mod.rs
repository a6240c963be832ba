//! `roomkv demo`: starts the emulator in-process on a loopback port, drives every operation of
//! both vendors through the real SDK clients over HTTP, then the documented failure paths, and
//! prints a table of what happened. Exit 0 only when every step behaved as documented.
//!
//! - [`harness`]: the emulator, the clients, the time budgets and the runner of the steps;
//! - [`steps`]: the table of steps, each with its documented expectation;
//! - [`report`]: the table (and `--json`) and the pass / fail verdict;
//! - [`traffic`]: the built-in HTTP client with counters, to show what went over the wire.

mod harness;
mod report;
mod steps;
mod traffic;

use std::io::{self, Write};
use std::time::Instant;

use clap::Args;

use self::harness::{Demo, RUN_BUDGET, Runner, SHUTDOWN_GRACE};
use self::report::Report;
use crate::failure::Failure;

const DEMO_EXAMPLES: &str = "\
Examples:
  The main job: every operation of both vendors against the embedded emulator:
    cargo run --release -p roomkv-cli -- demo

  The same report as one JSON document, with what each step did logged on stderr:
    roomkv -v demo --json

Output (abridged):
  roomkv demo: emulator on http://127.0.0.1:37501 (RongCloud app key demo-app-key, Tencent SDKAppID 1400000000)

   #  vendor     operation                      expected                                   observed                                                                latency  result
   1  rongcloud  entry set                      ok; 1 RC:chrmKVNotiMsg recorded            ok; 1 RC:chrmKVNotiMsg recorded                                         0.70 ms  PASS
  ...
  20  rongcloud  entry set x200, paced          200 of 200 ok; 0 throttled answers (429/1008)  200 of 200 ok; 0 throttled answers (429/1008) retried; 200 sent          1.81 s  PASS
  21  rongcloud  entry set x200, unpaced        200 of 200 ok; throttled ones retried          200 of 200 ok; 204 throttled answers (429/1008) retried; 404 sent        1.78 s  PASS

  summary: 21 of 21 steps behaved as documented; 629 HTTP requests; total time 3.72 s";

/// Show every operation of both vendors against an in-process emulator, and what happened.
///
/// Starts the emulator on a free loopback port with its demo credentials, then drives, through
/// the real RongCloud and Tencent clients over HTTP: RongCloud entry set (with the
/// RC:chrmKVNotiMsg notification), batch set, query, remove, batch remove, expansion set, query,
/// delete; Tencent room create, info, metadata set, get, delete, room destroy. Then the
/// documented failure paths: an oversize key refused before sending, a wrong secret (HTTP 401,
/// 1004), deleting Tencent keys that do not exist (100503), a reply lost after the write was
/// applied (outcome unknown, no duplicate notification), and a burst over the vendor's quota,
/// once paced by the client's rate limiter (never throttled) and once without it (throttled
/// answers absorbed by backoff).
///
/// Prints a table (vendor, operation, expected, observed, latency, result) and a summary line on
/// stdout; logs (-v) go to stderr. Exits 0 when every step behaved as documented, 1 otherwise.
#[derive(Debug, Args)]
#[command(after_long_help = DEMO_EXAMPLES)]
pub(crate) struct DemoArgs {
    /// Print the report as one JSON document instead of the table
    #[arg(long)]
    pub(crate) json: bool,

    /// Multiply the emulator's documented rate limits by F (0.05 to 2); the burst step sends
    /// twice one second's quota
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = quota_scale)]
    pub(crate) quota_scale: f64,
}

/// Parses `--quota-scale`: a number from 0.05 to 2, so that the burst stays between 10 and 400
/// concurrent requests.
fn quota_scale(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if (0.05..=2.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{value} is not between 0.05 and 2"))
    }
}

impl DemoArgs {
    /// Runs the demo and prints its report; fails (exit 1) when a step did not behave as
    /// documented.
    pub(crate) async fn run(self) -> Result<(), Failure> {
        let args = self;
        let started = Instant::now();
        let (demo, server) = Demo::start(args.quota_scale).await?;
        tracing::info!(emulator = demo.base_url, "emulator started");

        let mut runner = Runner::new(started + RUN_BUDGET);
        steps::run_all(&demo, &mut runner).await;

        if !server.shutdown_within(SHUTDOWN_GRACE).await {
            tracing::warn!("the emulator did not stop within {SHUTDOWN_GRACE:?}");
        }
        let report = Report {
            emulator: demo.base_url.clone(),
            steps: runner.outcomes,
            requests: demo.traffic.requests(),
            total: started.elapsed(),
        };

        let mut out = io::stdout().lock();
        let written = if args.json {
            writeln!(out, "{:#}", report.json())
        } else {
            writeln!(
                out,
                "roomkv demo: emulator on {} (RongCloud app key {}, Tencent SDKAppID {})\n",
                demo.base_url,
                demo.rongcloud_app_key,
                demo.tencent.sdkappid()
            )
            .and_then(|()| write!(out, "{}", report.table()))
            .and_then(|()| {
                let details = report.details();
                if details.is_empty() {
                    Ok(())
                } else {
                    write!(out, "\nin full:\n{details}")
                }
            })
            .and_then(|()| writeln!(out, "\n{}", report.summary()))
        };
        written
            .and_then(|()| out.flush())
            .map_err(|err| Failure::runtime(format!("cannot write the report: {err}")))?;

        if report.passed() {
            Ok(())
        } else {
            let failed = report.failed().len();
            Err(Failure::runtime(format!(
                "demo: {failed} of {} steps did not behave as documented",
                report.steps.len()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quota_scale_is_bounded() {
        assert_eq!(quota_scale("1"), Ok(1.0));
        assert_eq!(quota_scale("0.05"), Ok(0.05));
        assert_eq!(quota_scale("2"), Ok(2.0));
        for bad in ["0", "0.01", "2.5", "NaN", "inf", "-1", "fast"] {
            assert!(quota_scale(bad).is_err(), "{bad}");
        }
    }
}
