//! `cargo xtask bench`: builds in release mode, runs the micro-benchmarks (divan) and the load
//! scenarios (`roomkv-bench run`), prints the markdown table and writes
//! `<target>/bench/report.json`; with `--write`, also puts the table into `BENCHMARKS.md`.
//!
//! Everything runs on loopback only. The work is the `roomkv-bench` crate's; this module only
//! orders the steps, so that xtask keeps building from `std` alone.

use std::process::{Command, Stdio};
use std::time::Instant;

use crate::{capture, cargo, project_root, read, status, target_dir, write};

/// The markers around the generated part of `BENCHMARKS.md`.
const BEGIN: &str = "<!-- bench:begin (written by `cargo xtask bench --write`) -->";
const END: &str = "<!-- bench:end -->";

/// The micro-benchmarks' options: bounded, so the whole run stays well under ten minutes.
const DIVAN_ARGS: &[&str] = &["--sample-count", "200", "--max-time", "3"];

/// Alternating runs of the `*_send` rows built without and with the clients' feature
/// `metrics`; the report keeps the best median of each build.
const METRICS_ROUNDS: usize = 3;
/// Their options: the five rows of each run at most 1 s each (the limiter-on rows are not
/// compared here).
const METRICS_DIVAN_ARGS: &[&str] = &[
    "--sample-count",
    "200",
    "--max-time",
    "1",
    "--skip",
    "limiter_on",
    "_send",
];

/// Options of `cargo xtask bench`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Options {
    /// Rewrite the table in `BENCHMARKS.md`.
    pub(crate) write: bool,
    /// Seconds each load run measures (`roomkv-bench`'s default when absent).
    pub(crate) measure_secs: Option<String>,
}

/// Parses `[--write] [--measure-secs S]`.
pub(crate) fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut options = Options::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--write" => options.write = true,
            "--measure-secs" => {
                let value = args.next().ok_or("--measure-secs needs a value")?;
                options.measure_secs = Some(value.clone());
            }
            other => return Err(format!("unexpected argument for `bench`: {other}")),
        }
    }
    Ok(options)
}

/// Runs the benchmarks.
pub(crate) fn run(options: &Options) -> Result<(), String> {
    let started = Instant::now();
    let target = target_dir()?;
    let out = target.join("bench");
    std::fs::create_dir_all(&out).map_err(|err| format!("{}: {err}", out.display()))?;
    let release = target.join("release");
    let exe = |name: &str| release.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));

    step("build the emulator and the load generator in release mode");
    status(cargo().args([
        "build",
        "--release",
        "-p",
        "roomkv-cli",
        "-p",
        "roomkv-bench",
        "--bins",
    ]))?;

    step("section 1: micro-benchmarks (divan)");
    let divan = capture(&mut divan_bench(None, DIVAN_ARGS))?;
    eprint!("{divan}");
    let divan_file = out.join("divan.txt");
    write(&divan_file, &divan)?;

    step("section 1: the `*_send` rows without and with the feature `metrics`, alternately");
    let (mut off, mut on) = (String::new(), String::new());
    for _ in 0..METRICS_ROUNDS {
        off.push_str(&capture(&mut divan_bench(None, METRICS_DIVAN_ARGS))?);
        on.push_str(&capture(&mut divan_bench(
            Some("roomkv-bench/metrics"),
            METRICS_DIVAN_ARGS,
        ))?);
    }
    eprint!("{off}{on}");
    let (off_file, on_file) = (
        out.join("divan-metrics-off.txt"),
        out.join("divan-metrics-on.txt"),
    );
    write(&off_file, &off)?;
    write(&on_file, &on)?;

    step("sections 2 to 5: load scenarios over loopback");
    let json = out.join("report.json");
    let markdown = out.join("report.md");
    let mut load = Command::new(exe("roomkv-bench"));
    load.arg("run")
        .arg("--roomkv")
        .arg(exe("roomkv"))
        .arg("--divan")
        .arg(&divan_file)
        .arg("--divan-metrics")
        .arg(&off_file)
        .arg(&on_file)
        .arg(METRICS_ROUNDS.to_string())
        .arg("--json")
        .arg(&json)
        .arg("--markdown")
        .arg(&markdown)
        .args(["--date", &crate::release::today()?]);
    if let Some(secs) = &options.measure_secs {
        load.args(["--measure-secs", secs]);
    }
    status(&mut load)?;

    let table = read(&markdown)?;
    print!("{table}");
    eprintln!("xtask bench: wrote {}", json.display());
    if options.write {
        let path = project_root().join("BENCHMARKS.md");
        let doc = read(&path)?;
        write(&path, &splice(&doc, &table)?)?;
        eprintln!("xtask bench: updated {}", path.display());
    }
    eprintln!(
        "xtask bench: done in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `cargo bench` of the divan benchmarks with `features`, passing them `args`. With
/// roomkv-cli selected too, features resolve as in the build step: nothing but the benchmark
/// itself is compiled again.
fn divan_bench(features: Option<&str>, args: &[&str]) -> Command {
    let mut bench = cargo();
    bench.args(["bench", "-p", "roomkv-cli", "-p", "roomkv-bench"]);
    if let Some(features) = features {
        bench.args(["--features", features]);
    }
    bench
        .args(["--bench", "request_build", "--"])
        .args(args)
        .stderr(Stdio::inherit());
    bench
}

fn step(what: &str) {
    eprintln!("\n==> xtask bench: {what}");
}

/// `doc` with the text between its bench markers replaced by `table`.
fn splice(doc: &str, table: &str) -> Result<String, String> {
    let missing = || format!("BENCHMARKS.md has no `{BEGIN}` … `{END}` section");
    let begin = doc.find(BEGIN).ok_or_else(missing)?;
    let after_begin = begin + BEGIN.len();
    let end = after_begin + doc[after_begin..].find(END).ok_or_else(missing)?;
    Ok(format!(
        "{}\n\n{}\n{}",
        &doc[..after_begin],
        table.trim(),
        &doc[end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn options_are_parsed() {
        assert_eq!(parse_args(&[]).unwrap(), Options::default());
        let options = parse_args(&args("--write --measure-secs 1.5")).unwrap();
        assert!(options.write);
        assert_eq!(options.measure_secs.as_deref(), Some("1.5"));
        assert!(parse_args(&args("--measure-secs")).is_err());
        assert!(parse_args(&args("--quick")).is_err());
    }

    #[test]
    fn the_table_replaces_only_the_marked_section() {
        let doc =
            format!("# Benchmarks\n\nintro\n\n{BEGIN}\n\nold table\n\n{END}\n\n## How to read\n");
        let new = splice(&doc, "| new | table |\n").unwrap();
        assert_eq!(
            new,
            format!(
                "# Benchmarks\n\nintro\n\n{BEGIN}\n\n| new | table |\n{END}\n\n## How to read\n"
            )
        );
        // Splicing again gives the same document.
        assert_eq!(splice(&new, "| new | table |").unwrap(), new);
    }

    #[test]
    fn a_document_without_markers_is_refused() {
        assert!(splice("# Benchmarks\n", "x").is_err());
        assert!(splice(&format!("{BEGIN}\nno end"), "x").is_err());
        assert!(splice(&format!("{END}\n{BEGIN}"), "x").is_err());
    }
}
