//! `roomkv-bench`: the load side of `cargo xtask bench`.
//!
//! ```text
//! roomkv-bench run --roomkv PATH --divan FILE --json FILE --markdown FILE --date YYYY-MM-DD
//!                  [--measure-secs S]
//! roomkv-bench emulator --roomkv PATH [--measure-secs S]
//! roomkv-bench bare-server
//! roomkv-bench client-memory BASE_URL REQUESTS
//! roomkv-bench client-load ROOMKV_PATH MEASURE_SECS
//! ```
//!
//! `run` reads the micro-benchmarks' table (section 1, from divan), measures sections 2 to 5
//! against release `roomkv emulator` processes and a bare hyper server, each started
//! here in a process of its own on a loopback port, and writes the JSON report and its
//! markdown. `bare-server` and `client-memory` are those helper processes. `client-load`
//! measures section 2 alone (roomkv's clients and the baseline) and prints its tables and its
//! JSON; `emulator` measures only the emulator's sections (3, and 5's emulator figures) and
//! prints their markdown, to measure emulator changes quickly. Progress goes to stderr.
//! `cargo xtask bench` builds everything in release mode and calls `run`.

// Progress on stderr and the helpers' one line on stdout are the point of this binary.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod bare;
mod baseline;
mod client_load;
mod divan_table;
mod flat_memory;
mod load;
mod process;
mod procfs;
mod report;
mod scenarios;
mod stats;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::report::{Machine, Memory, Report};
use crate::scenarios::Timing;

/// The emulator's default RongCloud credentials.
const RONGCLOUD_APP_KEY: &str = "demo-app-key";
const RONGCLOUD_APP_SECRET: &str = "demo-app-secret";
/// The emulator's default Tencent credentials.
const TENCENT_SDKAPPID: u64 = 1_400_000_000;
const TENCENT_SECRET_KEY: &str = "demo-secret-key";
const TENCENT_ADMIN: &str = "administrator";

const USAGE: &str = "\
usage: roomkv-bench run --roomkv PATH --divan FILE --divan-metrics OFF ON ROUNDS --json FILE --markdown FILE --date YYYY-MM-DD [--measure-secs S]
       roomkv-bench emulator --roomkv PATH [--measure-secs S]
       roomkv-bench bare-server
       roomkv-bench client-memory BASE_URL REQUESTS
       roomkv-bench client-load ROOMKV_PATH MEASURE_SECS
";

/// Options of `run`.
#[derive(Debug, PartialEq)]
struct RunOptions {
    roomkv: PathBuf,
    divan: PathBuf,
    /// The divan tables of the `*_send` rows without and with the feature `metrics`, and how
    /// many runs of each build they hold.
    divan_metrics: (PathBuf, PathBuf, usize),
    json: PathBuf,
    markdown: PathBuf,
    date: String,
    measure: Duration,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => parse_run(&args[1..]).and_then(|options| runtime()?.block_on(run(options))),
        Some("emulator") => parse_emulator(&args[1..])
            .and_then(|(roomkv, timing)| runtime()?.block_on(emulator_sections(&roomkv, timing))),
        Some("bare-server") if args.len() == 1 => runtime().and_then(|rt| rt.block_on(bare::run())),
        Some("client-memory") if args.len() == 3 => client_memory(&args[1], &args[2]),
        Some("client-load") if args.len() == 3 => measure_secs(&args[2])
            .and_then(|measure| runtime()?.block_on(client_load_alone(args[1].as_ref(), measure))),
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("roomkv-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A multi-thread runtime with one worker per core, as `roomkv emulator` has.
fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the async runtime: {err}"))
}

/// `emulator --roomkv PATH [--measure-secs S]`.
fn parse_emulator(args: &[String]) -> Result<(PathBuf, Timing), String> {
    let mut roomkv = None;
    let mut measure = Duration::from_secs(2);
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = value_of(flag, &mut args)?;
        match flag.as_str() {
            "--roomkv" => roomkv = Some(PathBuf::from(value)),
            "--measure-secs" => measure = measure_secs(value)?,
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    let roomkv = roomkv.ok_or_else(|| format!("--roomkv is required\n{USAGE}"))?;
    Ok((roomkv, timing(measure)))
}

/// The sections that measure the emulator, printed as markdown on stdout.
async fn emulator_sections(roomkv: &std::path::Path, timing: Timing) -> Result<(), String> {
    let mut out = String::new();
    eprintln!("bench: section 3, emulator capacity against a bare hyper server");
    report::capacity_markdown(&scenarios::capacity(roomkv, timing).await?, &mut out);
    eprintln!("bench: section 5, emulator memory");
    let stored = scenarios::emulator_memory(roomkv).await?;
    eprintln!("bench: section 5, emulator memory over a sustained write load");
    let flat = flat_memory::measure(roomkv).await?;
    report::emulator_memory_markdown(&stored, &flat, &mut out);
    print!("{out}");
    Ok(())
}

/// The value after `flag`.
fn value_of<'a>(
    flag: &str,
    args: &mut impl Iterator<Item = &'a String>,
) -> Result<&'a String, String> {
    args.next()
        .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
}

/// A `--measure-secs` value: 0 < S ≤ 60.
fn measure_secs(value: &str) -> Result<Duration, String> {
    value
        .parse()
        .ok()
        .filter(|s: &f64| s.is_finite() && *s > 0.0 && *s <= 60.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("--measure-secs {value}: not 0 < S ≤ 60"))
}

/// Every load run's warm-up, and `measure`.
fn timing(measure: Duration) -> Timing {
    Timing {
        warm_up: Duration::from_millis(500),
        measure,
    }
}

fn parse_run(args: &[String]) -> Result<RunOptions, String> {
    let mut options = RunOptions {
        roomkv: PathBuf::new(),
        divan: PathBuf::new(),
        divan_metrics: (PathBuf::new(), PathBuf::new(), 0),
        json: PathBuf::new(),
        markdown: PathBuf::new(),
        date: String::new(),
        measure: Duration::from_secs(2),
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = value_of(flag, &mut args)?;
        match flag.as_str() {
            "--roomkv" => options.roomkv = value.into(),
            "--divan" => options.divan = value.into(),
            "--divan-metrics" => {
                let (on, rounds) = args
                    .next()
                    .zip(args.next())
                    .ok_or_else(|| format!("--divan-metrics needs OFF ON ROUNDS\n{USAGE}"))?;
                let rounds = rounds
                    .parse()
                    .ok()
                    .filter(|&n: &usize| n > 0)
                    .ok_or_else(|| format!("--divan-metrics: ROUNDS {rounds} is not a count"))?;
                options.divan_metrics = (value.into(), on.into(), rounds);
            }
            "--json" => options.json = value.into(),
            "--markdown" => options.markdown = value.into(),
            "--date" => options.date.clone_from(value),
            "--measure-secs" => options.measure = measure_secs(value)?,
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    for (name, missing) in [
        ("--roomkv", options.roomkv.as_os_str().is_empty()),
        ("--divan", options.divan.as_os_str().is_empty()),
        ("--divan-metrics", options.divan_metrics.2 == 0),
        ("--json", options.json.as_os_str().is_empty()),
        ("--markdown", options.markdown.as_os_str().is_empty()),
        ("--date", options.date.is_empty()),
    ] {
        if missing {
            return Err(format!("{name} is required\n{USAGE}"));
        }
    }
    Ok(options)
}

/// `client-load ROOMKV_PATH MEASURE_SECS`: section 2 alone, its tables and then its JSON on
/// stdout.
async fn client_load_alone(roomkv: &std::path::Path, measure: Duration) -> Result<(), String> {
    let timing = timing(measure);
    let runs = client_load::client_load(roomkv, timing).await?;
    let (vs_baseline, tails) = report::client_targets(&runs);
    let mut markdown = String::new();
    report::client_load_section(&runs, &vs_baseline, &tails, &mut markdown);
    let json = serde_json::json!({
        "client_load": runs,
        "client_vs_baseline": vs_baseline,
        "client_tail": tails,
    });
    println!("{markdown}\n{json:#}");
    Ok(())
}

async fn run(options: RunOptions) -> Result<(), String> {
    let divan = std::fs::read_to_string(&options.divan)
        .map_err(|err| format!("{}: {err}", options.divan.display()))?;
    let cpu = scenarios::cpu(&divan)?;
    let (off, on, rounds) = &options.divan_metrics;
    let read = |path: &PathBuf| {
        std::fs::read_to_string(path).map_err(|err| format!("{}: {err}", path.display()))
    };
    let metrics_cost = scenarios::metrics_cost(&read(off)?, &read(on)?, *rounds)?;
    let load_average = procfs::load_average()?;
    let timing = timing(options.measure);
    eprintln!("bench: section 2, client to emulator");
    let client_load = client_load::client_load(&options.roomkv, timing).await?;
    let (client_vs_baseline, client_tail) = report::client_targets(&client_load);
    eprintln!("bench: section 3, emulator capacity against a bare hyper server");
    let capacity = scenarios::capacity(&options.roomkv, timing).await?;
    eprintln!("bench: section 4, quota use");
    let quota = scenarios::quota_use(&options.roomkv, timing).await?;
    eprintln!("bench: section 5, memory");
    let emulator = scenarios::emulator_memory(&options.roomkv).await?;
    eprintln!("bench: section 5, emulator memory over a sustained write load");
    let flat = flat_memory::measure(&options.roomkv).await?;
    let client = scenarios::client_memory(&options.roomkv)?;
    let report = Report {
        machine: Machine {
            date: options.date,
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            load_average,
            measure_secs: options.measure.as_secs_f64(),
        },
        cpu,
        metrics_cost,
        client_load,
        client_vs_baseline,
        client_tail,
        capacity,
        quota,
        memory: Memory {
            emulator,
            flat,
            client,
        },
    };
    let json = serde_json::to_string_pretty(&report).map_err(|err| err.to_string())?;
    write(&options.json, &json)?;
    write(&options.markdown, &report.markdown())
}

fn write(path: &std::path::Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|err| format!("{}: {err}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|err| format!("{}: {err}", path.display()))
}

/// `client-memory BASE_URL REQUESTS`: prints [`report::ClientMemory`] as JSON.
fn client_memory(base_url: &str, requests: &str) -> Result<(), String> {
    let requests: usize = requests
        .parse()
        .ok()
        .filter(|n| (1..=load::MAX_CONNECTIONS).contains(n))
        .ok_or_else(|| format!("REQUESTS must be 1 to {}", load::MAX_CONNECTIONS))?;
    let measured = runtime()?.block_on(scenarios::measure_client_memory(base_url, requests))?;
    println!(
        "{}",
        serde_json::to_string(&measured).map_err(|err| err.to_string())?
    );
    Ok(())
}

/// Milliseconds since the Unix epoch, for RongCloud timestamps.
fn unix_millis() -> u128 {
    since_epoch().as_millis()
}

/// Seconds since the Unix epoch, for the time a UserSig is issued at.
fn unix_secs() -> u64 {
    since_epoch().as_secs()
}

fn since_epoch() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn emulator_options_are_parsed_and_checked() {
        let (roomkv, timing) = parse_emulator(&args("--roomkv r --measure-secs 1.5")).unwrap();
        assert_eq!(roomkv, PathBuf::from("r"));
        assert_eq!(timing.measure, Duration::from_millis(1_500));
        assert_eq!(
            parse_emulator(&args("--roomkv r")).unwrap().1.measure,
            Duration::from_secs(2)
        );
        for bad in [
            "",
            "--measure-secs 1",
            "--roomkv r --measure-secs 0",
            "--roomkv r --x 1",
        ] {
            assert!(parse_emulator(&args(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn run_options_are_parsed_and_checked() {
        let options = parse_run(&args(
            "--roomkv r --divan d --divan-metrics f n 3 --json j --markdown m --date 2026-11-23 --measure-secs 0.5",
        ))
        .unwrap();
        assert_eq!(options.roomkv, PathBuf::from("r"));
        assert_eq!(options.divan_metrics, ("f".into(), "n".into(), 3));
        assert_eq!(options.date, "2026-11-23");
        assert_eq!(options.measure, Duration::from_millis(500));

        let options = parse_run(&args(
            "--roomkv r --divan d --divan-metrics f n 3 --json j --markdown m --date x",
        ));
        assert_eq!(options.unwrap().measure, Duration::from_secs(2));

        for bad in [
            "--roomkv r --divan d --divan-metrics f n 3 --json j --markdown m",
            "--roomkv r --divan d --divan-metrics f n 3 --json j --markdown m --date x --measure-secs 0",
            "--roomkv r --divan d --divan-metrics f n 3 --json j --markdown m --date x --measure-secs 600",
            "--roomkv r --divan d --divan-metrics f n 3 --json j --markdown m --date x --bogus 1",
            "--roomkv",
            "--roomkv r --divan d --json j --markdown m --date x",
            "--roomkv r --divan d --divan-metrics f n 0 --json j --markdown m --date x",
            "--roomkv r --divan d --json j --markdown m --date x --divan-metrics f n",
        ] {
            assert!(parse_run(&args(bad)).is_err(), "{bad}");
        }
    }
}
