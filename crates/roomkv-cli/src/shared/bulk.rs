//! The engine of the bulk commands (`entry export | import`, `metadata export | import`,
//! `roomkv copy`), the same for both vendors: JSON lines in and out, and check-then-apply.
//!
//! Imports and copies go through the vendor-neutral [`RoomAttributes`] of the clients, and so
//! through each client's one request path (validation, limits, retries). They are resumable
//! without side files: the target room is read first and only keys whose value differs are
//! set, so a rerun after an interruption skips what was applied and loses nothing. The input
//! is checked completely before anything is sent: a bad line (with its line number), and every
//! key, value and room total the target room cannot hold beside what it holds already, is
//! refused with exit code 2, every problem listed.
//!
//! Output: one JSON document on stdout (an export writes JSON lines instead), a summary line
//! on stderr, and a progress bar on stderr when it is a terminal. With `-v`, a second line
//! adds up what the clients did: requests, retries, quota waits and failovers ([`stats`]).

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{self, IsTerminal as _, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use roomkv_rongcloud::attributes::violations;
use roomkv_rongcloud::{AttributeError, AttributeReport, RoomAttributes};
use serde::{Deserialize, Serialize};

use crate::failure::Failure;
use crate::output::{self, VendorError, one_line, print_json};
use crate::stats;

/// At most this many line errors are listed; the rest are counted.
const MAX_LISTED: usize = 20;

/// `roomkv rongcloud entry export` and `roomkv tencent metadata export`.
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// Room id
    #[arg(long, value_name = "ROOM")]
    pub(crate) room: String,

    /// Write the JSON lines to this file instead of stdout, and a summary document
    /// (`{"ok":true,"room","exported","output"}`) on stdout
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

impl From<AttributeError> for Failure {
    /// Exit code 2 for [`AttributeError::Invalid`] (nothing sent), else 1 with the vendor
    /// error's sentence (code, message, request id, or the transport cause).
    fn from(err: AttributeError) -> Self {
        let outcome_unknown = err.is_outcome_unknown();
        let vendor = std::error::Error::source(&err);
        output::vendor_failure(VendorError {
            error: vendor.unwrap_or(&err),
            refused: matches!(err, AttributeError::Invalid(_)),
            outcome_unknown,
        })
    }
}

/// One line of an export file: what an import needs (`key`, `value`) and, for RongCloud,
/// what the entry was (`owner`, `auto_delete`).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Line {
    key: String,
    value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    auto_delete: Option<bool>,
}

impl Line {
    /// A line of `key` and `value` only.
    pub(crate) fn pair(key: String, value: String) -> Self {
        Self {
            key,
            value,
            owner: None,
            auto_delete: None,
        }
    }

    /// The same line, saying who owns the entry and whether it goes when they leave.
    pub(crate) fn owned(self, owner: String, auto_delete: bool) -> Self {
        Self {
            owner: Some(owner),
            auto_delete: Some(auto_delete),
            ..self
        }
    }
}

/// Writes `lines` as JSON lines to `output` (or stdout), with a summary line on stderr; to a
/// file, the [`ExportOut`] document on stdout too.
pub(crate) fn write_lines(
    lines: impl Iterator<Item = Line>,
    output: Option<&Path>,
    room: &str,
) -> Result<(), Failure> {
    let mut text = String::new();
    let mut count = 0usize;
    for line in lines {
        let json = serde_json::to_string(&line)
            .map_err(|err| Failure::runtime(format!("cannot write JSON: {err}")))?;
        text.push_str(&json);
        text.push('\n');
        count += 1;
    }
    match output {
        Some(path) => fs::write(path, text)
            .map_err(|err| Failure::runtime(format!("cannot write {}: {err}", path.display())))?,
        None => {
            let mut out = io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Err(err) if err.kind() != io::ErrorKind::BrokenPipe => {
                    return Err(Failure::runtime(format!("cannot write to stdout: {err}")));
                }
                _ => {}
            }
        }
    }
    summary(&format!("exported {count} keys of room {room}"));
    match output {
        Some(path) => print_json(&ExportOut {
            ok: true,
            room,
            exported: count,
            output: &path.display().to_string(),
        }),
        None => Ok(()),
    }
}

/// Checks the whole file against `attrs`, then applies it with [`apply`].
pub(crate) async fn import<A: RoomAttributes>(
    attrs: &A,
    room: &str,
    file: &Path,
    step: usize,
) -> Result<(), Failure> {
    let text = fs::read_to_string(file)
        .map_err(|err| Failure::refused(format!("cannot read {}: {err}", file.display())))?;
    let pairs = parse_file(attrs, &text).map_err(|errors| {
        Failure::refused(one_line(&listed(&file.display().to_string(), &errors)))
    })?;
    let target = format!("{} room {room}", attrs.vendor());
    let source = file.display().to_string();
    let outcome = check_then_apply(attrs, room, pairs, [&target, &source], step).await?;
    outcome.finish(
        &format!("import into {} room {room}", attrs.vendor()),
        |out| {
            print_json(&ImportOut {
                ok: true,
                room,
                applied: out.applied,
                skipped: out.skipped,
                not_applied: out.not_applied,
                unknown: out.unknown,
            })
        },
    )
}

/// The pairs of a JSON lines file, or every problem with its line number: unreadable lines,
/// keys and values `attrs` cannot hold, repeated keys. Empty lines are skipped.
fn parse_file<A: RoomAttributes>(
    attrs: &A,
    text: &str,
) -> Result<Vec<(String, String)>, Vec<String>> {
    let mut pairs = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let line: Line = match serde_json::from_str(line) {
            Ok(line) => line,
            Err(err) => {
                errors.push(format!(
                    "line {number}: not a {{\"key\", \"value\"}} object: {err}"
                ));
                continue;
            }
        };
        for check in [attrs.check_key(&line.key), attrs.check_value(&line.value)] {
            if let Err(err) = check {
                errors.push(format!("line {number}: {err}"));
            }
        }
        if let Some(first) = seen.insert(line.key.clone(), number) {
            errors.push(format!(
                "line {number}: key {:?} repeats line {first}",
                line.key
            ));
        }
        pairs.push((line.key, line.value));
    }
    if errors.is_empty() {
        Ok(pairs)
    } else {
        Err(errors)
    }
}

/// `"{what}: 3 problems: a; b; c"`, at most [`MAX_LISTED`] of them listed.
fn listed(what: &str, problems: &[String]) -> String {
    let mut text = format!(
        "{what}: {} problem{}, nothing sent: ",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    text.push_str(&problems[..problems.len().min(MAX_LISTED)].join("; "));
    if problems.len() > MAX_LISTED {
        text.push_str(&format!("; and {} more", problems.len() - MAX_LISTED));
    }
    text
}

/// What [`apply`] did.
pub(crate) struct Outcome {
    /// Keys set.
    pub(crate) applied: usize,
    /// Keys that already had the value.
    pub(crate) skipped: usize,
    /// Keys not set: after a failure, or refused by the vendor.
    pub(crate) not_applied: usize,
    /// Keys that may or may not have been set.
    pub(crate) unknown: usize,
    /// The failure that stopped the run.
    failure: Option<AttributeError>,
}

impl Outcome {
    /// Whether a failure stopped the run.
    pub(crate) fn failed(&self) -> bool {
        self.failure.is_some()
    }

    /// Prints the summary line on stderr, then `ok` on success or fails with the error.
    pub(crate) fn finish(
        self,
        what: &str,
        ok: impl FnOnce(&Self) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        let counts = format!(
            "{} applied, {} skipped, {} not applied, {} unknown",
            self.applied, self.skipped, self.not_applied, self.unknown
        );
        match self.failure {
            None => {
                summary(&format!("{what}: {counts}"));
                ok(&self)
            }
            Some(err) => {
                stats::print();
                let mut failure = Failure::from(err);
                failure.message = format!(
                    "{what} stopped: {counts} (rerun to resume): {}",
                    failure.message
                );
                failure.exit_code = 1;
                Err(failure)
            }
        }
    }
}

/// What a check found: the pairs to set (their value differs in the target room), how many
/// already hold their value, and what the room holds.
pub(crate) struct Plan {
    /// The pairs whose value differs in the target room, in input order.
    pub(crate) todo: Vec<(String, String)>,
    /// Pairs the room already holds with the same value.
    pub(crate) skipped: usize,
}

/// Reads `room` of `attrs` and checks that it can hold `pairs` beside what it holds (every key
/// and value, the room's key count and total size: [`violations`]); when it cannot, refuses
/// with every violation listed and sends nothing (exit 2). `names` are the target and the
/// source, for the message ("`tencent:live2` cannot hold `rongcloud:r3`").
pub(crate) async fn check<A: RoomAttributes>(
    attrs: &A,
    room: &str,
    pairs: Vec<(String, String)>,
    [target, source]: [&str; 2],
) -> Result<Plan, Failure> {
    let current = attrs.get_all(room).await?;
    let wanted: BTreeMap<String, String> = pairs.iter().cloned().collect();
    let problems: Vec<String> = violations(attrs, &current, &wanted)
        .iter()
        .map(ToString::to_string)
        .collect();
    if !problems.is_empty() {
        let what = format!("{target} cannot hold {source}");
        return Err(Failure::refused(one_line(&listed(&what, &problems))));
    }
    let total = pairs.len();
    let todo: Vec<_> = pairs
        .into_iter()
        .filter(|(key, value)| current.get(key) != Some(value))
        .collect();
    Ok(Plan {
        skipped: total - todo.len(),
        todo,
    })
}

/// [`check`]s the pairs, then applies them with [`apply`].
async fn check_then_apply<A: RoomAttributes>(
    attrs: &A,
    room: &str,
    pairs: Vec<(String, String)>,
    names: [&str; 2],
    step: usize,
) -> Result<Outcome, Failure> {
    let plan = check(attrs, room, pairs, names).await?;
    apply(attrs, room, plan, step).await
}

/// Sets in `room` the pairs `plan` found different, `step` keys per
/// [`RoomAttributes::set_many`] call (so the progress bar moves), stopping at the first
/// failure.
pub(crate) async fn apply<A: RoomAttributes>(
    attrs: &A,
    room: &str,
    plan: Plan,
    step: usize,
) -> Result<Outcome, Failure> {
    let Plan { todo, skipped } = plan;
    let mut outcome = Outcome {
        applied: 0,
        skipped,
        not_applied: 0,
        unknown: 0,
        failure: None,
    };
    let bar = progress(todo.len());
    let mut slices = todo.chunks(step.max(1));
    for slice in slices.by_ref() {
        let report: AttributeReport = attrs.set_many(room, slice.to_vec()).await?;
        outcome.applied += report.applied.len();
        outcome.not_applied += report.not_applied.len();
        outcome.unknown += report.unknown.len();
        bar.inc(report.applied.len() as u64);
        if let Some(failure) = report.failure {
            outcome.failure = Some(failure.error);
            break;
        }
    }
    outcome.not_applied += slices.map(<[_]>::len).sum::<usize>();
    bar.finish_and_clear();
    Ok(outcome)
}

/// A progress bar of `len` keys on stderr, drawn only when stderr is a terminal.
fn progress(len: usize) -> ProgressBar {
    let target = if io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(len as u64), target);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} keys {elapsed}") {
        bar.set_style(style);
    }
    bar
}

/// One summary line on stderr.
pub(crate) fn summary(text: &str) {
    let _ = writeln!(io::stderr(), "roomkv: {text}");
    stats::print();
}

/// The JSON document of an export to `--output FILE` (an export to stdout writes the lines
/// themselves instead).
#[derive(Serialize)]
struct ExportOut<'a> {
    ok: bool,
    room: &'a str,
    exported: usize,
    output: &'a str,
}

/// The JSON document of a successful import.
#[derive(Serialize)]
struct ImportOut<'a> {
    ok: bool,
    room: &'a str,
    applied: usize,
    skipped: usize,
    not_applied: usize,
    unknown: usize,
}
