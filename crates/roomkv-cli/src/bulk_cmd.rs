//! The bulk commands: `roomkv rongcloud entry export | import`, `roomkv tencent metadata export
//! | import` and `roomkv copy`.
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
use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use roomkv_rongcloud::attributes::violations;
use roomkv_rongcloud::{
    AttributeError, AttributeReport, Capacity, ChatroomId, RoomAttributes, RoomAttributesView,
    UserId, ValidationError,
};
use roomkv_tencent::RoomId;
use serde::{Deserialize, Serialize};

use crate::cli::bulk::{CopyArgs, EntryImportArgs, ExportArgs, MetadataImportArgs};
use crate::cli::{rongcloud, tencent};
use crate::config::Profile;
use crate::failure::Failure;
use crate::output::{self, VendorError, one_line, print_json};
use crate::{rongcloud_cmd, stats, tencent_cmd};

/// At most this many line errors are listed; the rest are counted.
const MAX_LISTED: usize = 20;

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
struct Line {
    key: String,
    value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    auto_delete: Option<bool>,
}

/// `roomkv rongcloud entry export`.
pub(crate) async fn export_entries(
    connection: &rongcloud::Connection,
    args: ExportArgs,
) -> Result<(), Failure> {
    let room = ChatroomId::parse(args.room)?;
    let entries = rongcloud_cmd::client(connection)?
        .query_all_entries(&room)
        .await?;
    let lines = entries.into_iter().map(|entry| Line {
        key: entry.key.into_string(),
        value: entry.value.into_string(),
        owner: Some(entry.user_id.into_string()),
        auto_delete: Some(entry.auto_delete),
    });
    write_lines(lines, args.output.as_deref(), room.as_str())
}

/// `roomkv tencent metadata export`.
pub(crate) async fn export_metadata(
    connection: &tencent::Connection,
    args: ExportArgs,
) -> Result<(), Failure> {
    let room = RoomId::parse(args.room)?;
    let entries = tencent_cmd::client(connection)?
        .get_all_room_metadata(&room)
        .await?;
    let lines = entries.into_iter().map(|entry| Line {
        key: entry.key.into_string(),
        value: entry.value.into_string(),
        owner: None,
        auto_delete: None,
    });
    write_lines(lines, args.output.as_deref(), room.as_str())
}

/// Writes `lines` as JSON lines to `output` (or stdout), with a summary line on stderr; to a
/// file, the [`ExportOut`] document on stdout too.
fn write_lines(
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

/// `roomkv rongcloud entry import`.
pub(crate) async fn import_entries(
    connection: &rongcloud::Connection,
    args: EntryImportArgs,
) -> Result<(), Failure> {
    let owner = UserId::parse(args.owner)?;
    let client = rongcloud_cmd::client(connection)?;
    let step = client.limits().rongcloud.batch_entries_max;
    let attrs = client.room_attributes(owner);
    import(&attrs, &args.room, &args.file, step).await
}

/// `roomkv tencent metadata import`.
pub(crate) async fn import_metadata(
    connection: &tencent::Connection,
    args: MetadataImportArgs,
) -> Result<(), Failure> {
    let client = tencent_cmd::client(connection)?;
    let step = client.limits().tencent.metadata_keys_max;
    import(&client, &args.room, &args.file, step).await
}

/// Checks the whole file against `attrs`, then applies it with [`apply`].
async fn import<A: RoomAttributes>(
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
struct Outcome {
    applied: usize,
    skipped: usize,
    not_applied: usize,
    unknown: usize,
    failure: Option<AttributeError>,
}

impl Outcome {
    /// Prints the summary line on stderr, then `ok` on success or fails with the error.
    fn finish(
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

/// Reads `room` of `attrs` and checks that it can hold `pairs` beside what it holds (every key
/// and value, the room's key count and total size: [`violations`]); when it cannot, refuses
/// with every violation listed and sends nothing (exit 2). Otherwise applies the pairs with
/// [`apply`]. `names` are the target and the source, for the message ("`tencent:live2` cannot
/// hold `rongcloud:r3`").
async fn check_then_apply<A: RoomAttributes>(
    attrs: &A,
    room: &str,
    pairs: Vec<(String, String)>,
    [target, source]: [&str; 2],
    step: usize,
) -> Result<Outcome, Failure> {
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
    apply(attrs, room, pairs, &current, step).await
}

/// Sets in `room` every pair whose value is not already the one in `current` (what the room
/// holds), `step` keys per [`RoomAttributes::set_many`] call (so the progress bar moves),
/// stopping at the first failure.
async fn apply<A: RoomAttributes>(
    attrs: &A,
    room: &str,
    pairs: Vec<(String, String)>,
    current: &BTreeMap<String, String>,
    step: usize,
) -> Result<Outcome, Failure> {
    let total = pairs.len();
    let todo: Vec<_> = pairs
        .into_iter()
        .filter(|(key, value)| current.get(key) != Some(value))
        .collect();
    let mut outcome = Outcome {
        applied: 0,
        skipped: total - todo.len(),
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
fn summary(text: &str) {
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

/// The JSON document of a successful copy.
#[derive(Serialize)]
struct CopyOut<'a> {
    ok: bool,
    from: &'a str,
    to: &'a str,
    applied: usize,
    skipped: usize,
    not_applied: usize,
    unknown: usize,
}

/// Either vendor's [`RoomAttributes`], so a copy can pair any two.
enum Attrs {
    RongCloud(RoomAttributesView),
    Tencent(roomkv_tencent::Client),
}

impl Attrs {
    /// Keys per [`RoomAttributes::set_many`] call of a copy: one request's worth.
    fn step(&self) -> usize {
        match self {
            Self::RongCloud(view) => view.client().limits().rongcloud.batch_entries_max,
            Self::Tencent(client) => client.limits().tencent.metadata_keys_max,
        }
    }
}

/// Delegates to the vendor's implementation.
impl RoomAttributes for Attrs {
    fn vendor(&self) -> &'static str {
        match self {
            Self::RongCloud(a) => a.vendor(),
            Self::Tencent(a) => a.vendor(),
        }
    }

    fn capacity(&self) -> Capacity {
        match self {
            Self::RongCloud(a) => a.capacity(),
            Self::Tencent(a) => a.capacity(),
        }
    }

    fn check_key(&self, key: &str) -> Result<(), ValidationError> {
        match self {
            Self::RongCloud(a) => a.check_key(key),
            Self::Tencent(a) => a.check_key(key),
        }
    }

    fn check_value(&self, value: &str) -> Result<(), ValidationError> {
        match self {
            Self::RongCloud(a) => a.check_value(value),
            Self::Tencent(a) => a.check_value(value),
        }
    }

    async fn get(&self, room: &str, key: &str) -> Result<Option<String>, AttributeError> {
        match self {
            Self::RongCloud(a) => a.get(room, key).await,
            Self::Tencent(a) => a.get(room, key).await,
        }
    }

    async fn get_all(&self, room: &str) -> Result<BTreeMap<String, String>, AttributeError> {
        match self {
            Self::RongCloud(a) => a.get_all(room).await,
            Self::Tencent(a) => a.get_all(room).await,
        }
    }

    async fn set_many(
        &self,
        room: &str,
        pairs: Vec<(String, String)>,
    ) -> Result<AttributeReport, AttributeError> {
        match self {
            Self::RongCloud(a) => a.set_many(room, pairs).await,
            Self::Tencent(a) => a.set_many(room, pairs).await,
        }
    }

    async fn remove_many(
        &self,
        room: &str,
        keys: Vec<String>,
    ) -> Result<AttributeReport, AttributeError> {
        match self {
            Self::RongCloud(a) => a.remove_many(room, keys).await,
            Self::Tencent(a) => a.remove_many(room, keys).await,
        }
    }
}

/// `VENDOR:ROOM`, split.
fn endpoint(text: &str) -> Result<(&str, &str), Failure> {
    match text.split_once(':') {
        Some((vendor @ ("rongcloud" | "tencent"), room)) if !room.is_empty() => Ok((vendor, room)),
        _ => Err(Failure::refused(one_line(&format!(
            "{text:?} is not rongcloud:ROOM or tencent:ROOM"
        )))),
    }
}

/// The attributes of `vendor` with the credentials of `args` over `profile`'s; RongCloud
/// writes as `owner`.
fn attrs(
    vendor: &str,
    args: &CopyArgs,
    profile: &Profile,
    owner: Option<&UserId>,
) -> Result<Attrs, Failure> {
    if vendor == "tencent" {
        let connection = tencent::Connection {
            credentials: args.tencent.clone(),
            region: None,
            host: args.host.clone(),
        }
        .with_profile(&profile.tencent)?;
        return Ok(Attrs::Tencent(tencent_cmd::client(&connection)?));
    }
    let connection = rongcloud::Connection {
        credentials: args.rongcloud.clone(),
        region: None,
        dialect: None,
        host: args.host.clone(),
    }
    .with_profile(&profile.rongcloud)?;
    let client = rongcloud_cmd::client(&connection)?;
    // A source is only read, so its owner is never used.
    let owner = owner
        .cloned()
        .unwrap_or_else(|| UserId::non_validated("roomkv-copy-reader"));
    Ok(Attrs::RongCloud(client.room_attributes(owner)))
}

/// `roomkv copy`, with `profile`'s settings under the flags'.
pub(crate) async fn copy(args: CopyArgs, profile: &Profile) -> Result<(), Failure> {
    let (from_vendor, from_room) = endpoint(&args.from)?;
    let (to_vendor, to_room) = endpoint(&args.to)?;
    let owner = args.owner.clone().map(UserId::parse).transpose()?;
    if to_vendor == "rongcloud" && owner.is_none() {
        return Err(Failure::refused(
            "--owner is required when the target is rongcloud: RongCloud records an owner for every entry",
        ));
    }
    let source = attrs(from_vendor, &args, profile, None)?;
    let target = attrs(to_vendor, &args, profile, owner.as_ref())?;
    let pairs = source.get_all(from_room).await?.into_iter().collect();
    let step = target.step();
    let names = [args.to.as_str(), args.from.as_str()];
    let outcome = check_then_apply(&target, to_room, pairs, names, step).await?;
    let what = format!("copy from {} to {}", args.from, args.to);
    outcome.finish(&what, |out| {
        print_json(&CopyOut {
            ok: true,
            from: &args.from,
            to: &args.to,
            applied: out.applied,
            skipped: out.skipped,
            not_applied: out.not_applied,
            unknown: out.unknown,
        })
    })
}
