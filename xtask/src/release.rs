//! `cargo xtask release <VERSION> --dry-run`: rehearses a release in a scratch copy.
//!
//! 1. Refuses a dirty tree, a `VERSION` that is not SemVer (`MAJOR.MINOR.PATCH[-PRE]`) or not
//!    above the workspace version, and an existing `v<VERSION>` tag.
//! 2. Copies the tracked files (`git ls-files`, so no `target/`) to a scratch directory, commits
//!    them there, then bumps `[workspace.package] version` and the `version` of every path
//!    dependency in `[workspace.dependencies]`, editing only those string literals, moves the
//!    CHANGELOG's `## Unreleased` body under `## [VERSION] - YYYY-MM-DD` (UTC, or `RELEASE_DATE`),
//!    updates the workspace entries of `Cargo.lock` and commits that as the release commit.
//! 3. Writes the man pages of `roomkv` into the CLI package (`crates/roomkv-cli/man/`, with
//!    `cargo xtask man`'s code and the real tree's warm target directory) and commits them.
//! 4. Runs `cargo package --workspace` there, excluding the `publish = false` members (cargo
//!    packages them otherwise), and prints the `.crate` files in the order cargo packaged them:
//!    dependencies first. Cargo (1.90+) resolves the internal dependencies of each package against
//!    a temporary local registry holding the crates packaged before it.
//!
//! Packages are not built unless `--verify`: building every crate from its `.crate` costs minutes
//! on a 2-core machine, and `cargo xtask ci` already builds and tests the same sources.
//!
//! The real tree is only read (its target directory builds `roomkv` for the man pages): the
//! scratch directory is left for inspection and its path printed.
//! Publishing, tagging and pushing are out of scope (no registry credentials, no remote).

use std::cmp::Ordering;
use std::fmt;
use std::fs;
use std::io::{BufRead, BufReader};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::json::Json;
use crate::man;
use crate::tidy::{bracket_balance, dotted, git, is_git_checkout, split_nul, strip_comment};
use crate::{capture, cargo_program, project_root, show};

/// The answer to `release` without `--dry-run`.
pub(crate) const DRY_RUN_ONLY: &str =
    "only --dry-run is supported here (no registry credentials, no remote)";

/// Overrides the release date (`YYYY-MM-DD`), for reproducible tests.
const DATE_VAR: &str = "RELEASE_DATE";

/// Parsed `release` arguments.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Options {
    version: String,
    dry_run: bool,
    verify: bool,
    manifest_path: Option<PathBuf>,
}

/// Parses `<VERSION> [--dry-run] [--verify] [--manifest-path PATH]`, in any order. The error is a
/// usage error.
pub(crate) fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut version = None;
    let mut dry_run = false;
    let mut verify = false;
    let mut manifest_path = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--dry-run" => dry_run = true,
            "--verify" => verify = true,
            "--manifest-path" => {
                let path = args
                    .next()
                    .ok_or("`--manifest-path` needs a path to a workspace's Cargo.toml")?;
                manifest_path = Some(PathBuf::from(path));
            }
            flag if flag.starts_with('-') => {
                return Err(format!("unknown option `{flag}` for `release`"));
            }
            _ if version.is_some() => return Err(format!("unexpected argument `{arg}`")),
            _ => version = Some(arg.clone()),
        }
    }
    let version = version.ok_or("`release` needs a VERSION, such as 0.2.0")?;
    Ok(Options {
        version,
        dry_run,
        verify,
        manifest_path,
    })
}

// ---------------------------------------------------------------------------------------------
// SemVer

/// A pre-release identifier; numeric ones sort before alphanumeric ones (SemVer 2.0.0 §11).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Identifier {
    Numeric(u64),
    Alphanumeric(String),
}

/// A SemVer version without build metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: Vec<Identifier>,
}

fn numeric(part: &str, what: &str, text: &str) -> Result<u64, String> {
    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "`{text}` is not a SemVer version: the {what} must be a number"
        ));
    }
    if part.len() > 1 && part.starts_with('0') {
        return Err(format!(
            "`{text}` is not a SemVer version: the {what} has a leading zero"
        ));
    }
    part.parse()
        .map_err(|_| format!("`{text}` is not a SemVer version: the {what} is too large"))
}

impl Version {
    /// Parses `MAJOR.MINOR.PATCH` with an optional `-PRE-RELEASE`.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        if text.starts_with(['v', 'V']) {
            return Err(format!(
                "`{text}` is not a SemVer version: write it without the `v`"
            ));
        }
        if text.contains('+') {
            return Err(format!(
                "`{text}`: build metadata (`+...`) is not supported; crates.io ignores it when \
                 telling versions apart"
            ));
        }
        let (core, pre) = match text.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (text, None),
        };
        let parts: Vec<&str> = core.split('.').collect();
        let [major, minor, patch] = parts[..] else {
            return Err(format!(
                "`{text}` is not a SemVer version: expected MAJOR.MINOR.PATCH, such as 0.2.0"
            ));
        };
        let mut identifiers = Vec::new();
        for part in pre.map(|pre| pre.split('.')).into_iter().flatten() {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(format!(
                    "`{text}` is not a SemVer version: pre-release identifiers are non-empty \
                     runs of [0-9A-Za-z-] separated by dots"
                ));
            }
            identifiers.push(if part.bytes().all(|b| b.is_ascii_digit()) {
                Identifier::Numeric(numeric(part, "numeric pre-release identifier", text)?)
            } else {
                Identifier::Alphanumeric(part.to_owned())
            });
        }
        Ok(Self {
            major: numeric(major, "major version", text)?,
            minor: numeric(minor, "minor version", text)?,
            patch: numeric(patch, "patch version", text)?,
            pre: identifiers,
        })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                // A pre-release sorts before the release itself.
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.pre.cmp(&other.pre),
            })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        for (index, identifier) in self.pre.iter().enumerate() {
            f.write_str(if index == 0 { "-" } else { "." })?;
            match identifier {
                Identifier::Numeric(number) => write!(f, "{number}")?,
                Identifier::Alphanumeric(text) => f.write_str(text)?,
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The root Cargo.toml

/// A string literal's contents in the manifest: where (bytes) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Literal {
    span: Range<usize>,
    text: String,
}

/// A `[workspace.dependencies]` entry written as an inline table with a `path`.
#[derive(Debug, PartialEq, Eq)]
struct PathDependency {
    name: String,
    version: Option<Literal>,
}

/// What the release edits in the root manifest.
#[derive(Debug, PartialEq, Eq)]
struct ManifestScan {
    package_version: Option<Literal>,
    path_dependencies: Vec<PathDependency>,
}

/// The position of the first `=` outside quotes.
fn find_equals(text: &str) -> Option<usize> {
    let mut quote = None;
    for (index, c) in text.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '=') => return Some(index),
            _ => {}
        }
    }
    None
}

/// The string literal that `text` starts with (after whitespace); the span is relative to `text`.
fn string_literal(text: &str) -> Option<Literal> {
    let start = text.len() - text.trim_start().len();
    let quote = text[start..]
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\''))?;
    let end = start + 1 + text[start + 1..].find(quote)?;
    Some(Literal {
        span: start + 1..end,
        text: text[start + 1..end].to_owned(),
    })
}

/// The top-level `key = value` members of the inline table that `text` starts with (after
/// whitespace), as (key, value span relative to `text`); `None` when the table does not close.
fn inline_table(text: &str) -> Option<Vec<(String, Range<usize>)>> {
    let open = text.len() - text.trim_start().len();
    if !text[open..].starts_with('{') {
        return None;
    }
    let mut members = Vec::new();
    let mut quote = None;
    let mut depth = 0;
    let mut member_start = open + 1;
    let mut push = |range: Range<usize>| {
        let member = &text[range.clone()];
        if let Some(eq) = find_equals(member) {
            let value_start = range.start + eq + 1;
            members.push((dotted(&member[..eq]), value_start..range.end));
        }
    };
    for (index, c) in text.char_indices().skip_while(|(i, _)| *i <= open) {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']') => depth -= 1,
            (None, '}') if depth > 0 => depth -= 1,
            (None, '}') => {
                push(member_start..index);
                return Some(members);
            }
            (None, ',') if depth == 0 => {
                push(member_start..index);
                member_start = index + 1;
            }
            _ => {}
        }
    }
    None
}

/// Finds `[workspace.package] version` and the path dependencies of `[workspace.dependencies]`.
fn scan_manifest(manifest: &str) -> Result<ManifestScan, String> {
    let mut scan = ManifestScan {
        package_version: None,
        path_dependencies: Vec::new(),
    };
    let mut table = String::new();
    let mut open_brackets = 0; // Inside a multi-line array.
    let mut offset = 0;
    for line in manifest.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let code = strip_comment(line);
        if open_brackets > 0 {
            open_brackets += bracket_balance(code);
            continue;
        }
        let trimmed = code.trim();
        if trimmed.starts_with('[') {
            table = dotted(trimmed.trim_start_matches('[').trim_end_matches(']'));
            if let Some(name) = table.strip_prefix("workspace.dependencies.") {
                return Err(format!(
                    "Cargo.toml: `[workspace.dependencies.{name}]` tables are not supported; write \
                     the dependency as an inline table, `{name} = {{ version = \"..\", path = \"..\" }}`"
                ));
            }
            continue;
        }
        let Some(eq) = find_equals(code) else {
            continue;
        };
        let key = dotted(&code[..eq]);
        let value = &code[eq + 1..];
        open_brackets = bracket_balance(value).max(0);
        let absolute = |literal: Literal| Literal {
            span: line_start + eq + 1 + literal.span.start..line_start + eq + 1 + literal.span.end,
            text: literal.text,
        };
        match table.as_str() {
            "workspace.package" if key == "version" => {
                let literal = string_literal(value).ok_or_else(|| {
                    "Cargo.toml: `[workspace.package] version` is not a string".to_owned()
                })?;
                scan.package_version = Some(absolute(literal));
            }
            "workspace.dependencies" => {
                if let Some((name, "path")) = key.rsplit_once('.') {
                    return Err(format!(
                        "Cargo.toml: dotted keys such as `{name}.path` in [workspace.dependencies] \
                         are not supported; write `{name}` as an inline table"
                    ));
                }
                if !value.trim_start().starts_with('{') {
                    continue; // `name = "1"`: a registry dependency.
                }
                let members = inline_table(value).ok_or_else(|| {
                    format!("Cargo.toml: cannot read the `[workspace.dependencies]` entry `{key}`")
                })?;
                if !members.iter().any(|(member, _)| member == "path") {
                    continue;
                }
                let version = members
                    .iter()
                    .find(|(member, _)| member == "version")
                    .map(|(_, span)| {
                        string_literal(&value[span.clone()])
                            .map(|literal| Literal {
                                span: span.start + literal.span.start
                                    ..span.start + literal.span.end,
                                text: literal.text,
                            })
                            .map(absolute)
                            .ok_or_else(|| {
                                format!("Cargo.toml: the version of `{key}` is not a string")
                            })
                    })
                    .transpose()?;
                scan.path_dependencies
                    .push(PathDependency { name: key, version });
            }
            _ => {}
        }
    }
    Ok(scan)
}

/// The workspace version: `[workspace.package] version`.
pub(crate) fn workspace_version(manifest: &str) -> Result<Version, String> {
    let literal = scan_manifest(manifest)?.package_version.ok_or_else(|| {
        "Cargo.toml has no `version` in [workspace.package]; the release bumps that one version"
            .to_owned()
    })?;
    Version::parse(&literal.text).map_err(|err| format!("Cargo.toml [workspace.package]: {err}"))
}

/// The root manifest after the bump, and what changed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Bumped {
    pub(crate) manifest: String,
    /// The internal dependencies whose `version` was bumped.
    pub(crate) dependencies: Vec<String>,
    /// Path dependencies left alone, each with the reason.
    pub(crate) left_alone: Vec<String>,
}

/// Replaces `old` by `new` in `[workspace.package] version` and in the `version` of each path
/// dependency of `[workspace.dependencies]` that is at `old`. Nothing else changes, byte for byte.
pub(crate) fn bump_manifest(
    manifest: &str,
    old: &Version,
    new: &Version,
) -> Result<Bumped, String> {
    let scan = scan_manifest(manifest)?;
    let old = old.to_string();
    let new = new.to_string();
    let package = scan
        .package_version
        .filter(|literal| literal.text == old)
        .ok_or_else(|| format!("Cargo.toml: `[workspace.package] version` is not \"{old}\""))?;
    let mut edits = vec![package.span];
    let mut dependencies = Vec::new();
    let mut left_alone = Vec::new();
    for dependency in scan.path_dependencies {
        match dependency.version {
            Some(literal) if literal.text == old => {
                edits.push(literal.span);
                dependencies.push(dependency.name);
            }
            Some(literal) => left_alone.push(format!(
                "{} (version \"{}\" is not the workspace version)",
                dependency.name, literal.text
            )),
            None => left_alone.push(format!(
                "{} (path only: cargo drops it from published manifests)",
                dependency.name
            )),
        }
    }
    edits.sort_by_key(|span| span.start);
    let mut bumped = manifest.to_owned();
    for span in edits.into_iter().rev() {
        bumped.replace_range(span, &new);
    }
    Ok(Bumped {
        manifest: bumped,
        dependencies,
        left_alone,
    })
}

// ---------------------------------------------------------------------------------------------
// CHANGELOG.md

fn is_unreleased_heading(line: &str) -> bool {
    line.trim_end().strip_prefix("## ").is_some_and(|title| {
        title.trim().eq_ignore_ascii_case("unreleased")
            || title.trim().eq_ignore_ascii_case("[unreleased]")
    })
}

/// Whether `line` is a level-2 heading for `version` (`## [0.2.0] ...` or `## 0.2.0 ...`).
fn is_version_heading(line: &str, version: &str) -> bool {
    line.strip_prefix("## ").is_some_and(|title| {
        let title = title.trim();
        let bare = title
            .strip_prefix('[')
            .and_then(|rest| rest.strip_prefix(version))
            .map(|rest| rest.starts_with(']'))
            .unwrap_or(false);
        bare || title
            .strip_prefix(version)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r']))
    })
}

/// Moves the body of `## Unreleased` under a new `## [VERSION] - DATE` heading right below it,
/// leaving `## Unreleased` empty. The body is kept byte for byte, minus its leading blank lines.
pub(crate) fn move_unreleased(
    changelog: &str,
    version: &Version,
    date: &str,
) -> Result<String, String> {
    let version_text = version.to_string();
    let mut lines = Vec::new(); // (start offset, line)
    let mut offset = 0;
    for line in changelog.split_inclusive('\n') {
        lines.push((offset, line));
        offset += line.len();
    }
    if let Some((_, line)) = lines
        .iter()
        .find(|(_, line)| is_version_heading(line, &version_text))
    {
        return Err(format!(
            "CHANGELOG.md already has a section for {version_text}: `{}`",
            line.trim_end()
        ));
    }
    let heading = lines
        .iter()
        .position(|(_, line)| is_unreleased_heading(line))
        .ok_or("CHANGELOG.md has no `## Unreleased` section")?;
    let (heading_start, heading_line) = lines[heading];
    let body_start = heading_start + heading_line.len();
    let body_end = lines[heading + 1..]
        .iter()
        .find(|(_, line)| line.starts_with("## ") || line.starts_with("# "))
        .map_or(changelog.len(), |(start, _)| *start);
    let body = &changelog[body_start..body_end];
    let has_entries = body
        .lines()
        .any(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'));
    if !has_entries {
        return Err(
            "the `## Unreleased` section of CHANGELOG.md is empty: nothing to release".to_owned(),
        );
    }
    let mut rest = body;
    while let Some(line) = rest.split_inclusive('\n').next() {
        if !line.trim().is_empty() {
            break;
        }
        rest = &rest[line.len()..];
    }
    let newline = if heading_line.ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    Ok(format!(
        "{}{newline}## [{version_text}] - {date}{newline}{newline}{rest}{}",
        &changelog[..body_start],
        &changelog[body_end..]
    ))
}

// ---------------------------------------------------------------------------------------------
// The date

/// The proleptic Gregorian date of `days` since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `text` if it is a real `YYYY-MM-DD` date.
fn check_date(text: &str) -> Result<String, String> {
    let bad = || format!("{DATE_VAR}=`{text}` is not a YYYY-MM-DD date");
    let bytes = text.as_bytes();
    let shape = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(index, b)| index == 4 || index == 7 || b.is_ascii_digit());
    if !shape {
        return Err(bad());
    }
    let year: i64 = text[..4].parse().map_err(|_| bad())?;
    let month: u32 = text[5..7].parse().map_err(|_| bad())?;
    let day: u32 = text[8..].parse().map_err(|_| bad())?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(bad());
    }
    Ok(text.to_owned())
}

/// Today in UTC, or `RELEASE_DATE`.
fn release_date() -> Result<String, String> {
    match std::env::var(DATE_VAR) {
        Ok(date) => check_date(&date),
        Err(std::env::VarError::NotUnicode(_)) => Err(format!("{DATE_VAR} is not UTF-8")),
        Err(std::env::VarError::NotPresent) => today(),
    }
}

/// Today in UTC, `YYYY-MM-DD`.
pub(crate) fn today() -> Result<String, String> {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| "the system clock is before 1970".to_owned())?
        .as_secs();
    let (year, month, day) = civil_from_days(i64::try_from(seconds / 86_400).unwrap_or(0));
    Ok(format!("{year:04}-{month:02}-{day:02}"))
}

// ---------------------------------------------------------------------------------------------
// Running it

/// `git status --porcelain` of `root`.
fn porcelain(root: &Path) -> Result<String, String> {
    capture(git(root).args(["status", "--porcelain"]))
}

/// The one-line refusal of a dirty tree.
fn dirty_message(porcelain: &str) -> String {
    let paths: Vec<&str> = porcelain.lines().collect();
    format!(
        "the working tree has uncommitted changes ({} path{}, first: `{}`); commit or stash them \
         first: a release starts from a committed tree",
        paths.len(),
        if paths.len() == 1 { "" } else { "s" },
        paths.first().map_or("", |line| line.trim())
    )
}

/// A git command for the scratch repository: fixed identity, no hooks, no signing.
fn scratch_git(dir: &Path) -> Command {
    let mut command = git(dir);
    command.args([
        "-c",
        "user.name=xtask release (dry run)",
        "-c",
        "user.email=xtask@roomkv.invalid",
        "-c",
        "commit.gpgsign=false",
        "-c",
        "core.hooksPath=/dev/null",
    ]);
    command
}

/// Copies the files git tracks in `root` to `to`.
fn copy_tracked(root: &Path, to: &Path) -> Result<usize, String> {
    let listing = capture(git(root).args(["ls-files", "-z"]))?;
    let mut count = 0;
    for file in split_nul(&listing) {
        let (source, target) = (root.join(&file), to.join(&file));
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)
                .map_err(|err| format!("cannot create {}: {err}", parent.display()))?;
        }
        let metadata = fs::symlink_metadata(&source)
            .map_err(|err| format!("cannot read {}: {err}", source.display()))?;
        if metadata.file_type().is_symlink() {
            let link = fs::read_link(&source)
                .map_err(|err| format!("cannot read {}: {err}", source.display()))?;
            symlink(&link, &target)?;
        } else if metadata.is_dir() {
            return Err(format!(
                "{}: git submodules are not supported",
                file.display()
            ));
        } else {
            fs::copy(&source, &target)
                .map_err(|err| format!("cannot copy {}: {err}", file.display()))?;
        }
        count += 1;
    }
    Ok(count)
}

#[cfg(unix)]
fn symlink(link: &Path, at: &Path) -> Result<(), String> {
    std::os::unix::fs::symlink(link, at)
        .map_err(|err| format!("cannot create the symlink {}: {err}", at.display()))
}

#[cfg(not(unix))]
fn symlink(_link: &Path, at: &Path) -> Result<(), String> {
    Err(format!(
        "{}: symlinks are only copied on Unix",
        at.display()
    ))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|err| format!("cannot write {}: {err}", path.display()))
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|err| format!("cannot read {}: {err}", path.display()))
}

/// A workspace member, from `cargo metadata --no-deps`.
#[derive(Debug, PartialEq, Eq)]
struct Member {
    name: String,
    version: String,
    /// The directory of its `Cargo.toml`.
    dir: PathBuf,
    /// `publish = false` (cargo reports it as `"publish": []`).
    unpublished: bool,
}

fn members(metadata: &str) -> Result<Vec<Member>, String> {
    let json = Json::parse(metadata).map_err(|err| format!("`cargo metadata`: {err}"))?;
    let packages = json
        .get("packages")
        .and_then(Json::as_array)
        .ok_or("`cargo metadata` printed no `packages`")?;
    packages
        .iter()
        .map(|package| {
            let field = |key: &str| {
                package
                    .get(key)
                    .and_then(Json::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| format!("`cargo metadata`: a package has no `{key}`"))
            };
            let manifest = PathBuf::from(field("manifest_path")?);
            Ok(Member {
                name: field("name")?,
                version: field("version")?,
                dir: manifest.parent().map(Path::to_path_buf).unwrap_or_default(),
                unpublished: package
                    .get("publish")
                    .and_then(Json::as_array)
                    .is_some_and(<[Json]>::is_empty),
            })
        })
        .collect()
}

/// `(name, version)` of each `Packaging name vX.Y.Z (path)` line cargo printed, in order.
fn packaged(cargo_stderr: &str) -> Vec<(String, String)> {
    cargo_stderr
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("Packaging "))
        .filter_map(|rest| {
            let mut words = rest.split_whitespace();
            let name = words.next()?;
            let version = words.next()?.strip_prefix('v')?;
            Some((name.to_owned(), version.to_owned()))
        })
        .collect()
}

/// A hint for `cargo package` failures whose cause is not obvious from cargo's message.
fn package_hint(cargo_stderr: &str) -> Option<String> {
    let missing = cargo_stderr
        .split("no matching package named `")
        .nth(1)?
        .split('`')
        .next()?;
    let required_by = cargo_stderr
        .split("required by package `")
        .nth(1)?
        .split(' ')
        .next()?;
    (missing == required_by).then(|| {
        format!(
            "hint: `{missing}` depends on itself: a dev-dependency with a `version` (given directly \
             or through `workspace = true`). Cargo cannot resolve it before {missing} is published \
             (rust-lang/cargo#15059); make that dev-dependency path-only, such as \
             `{missing} = {{ path = \".\", features = [...] }}`: cargo then drops it from the package"
        )
    })
}

/// Runs `cargo package` in `workspace`, echoing cargo's stderr, and returns that stderr.
fn cargo_package(
    workspace: &Path,
    target: &Path,
    excluded: &[&str],
    verify: bool,
) -> Result<String, String> {
    let mut command = Command::new(cargo_program());
    command
        .current_dir(workspace)
        // The `Packaging` status lines are how the order is read: a quiet cargo would hide them.
        .env_remove("CARGO_TERM_QUIET")
        .args(["package", "--workspace", "--locked", "--color", "never"])
        .arg("--target-dir")
        .arg(target);
    for name in excluded {
        command.args(["--exclude", name]);
    }
    if !verify {
        command.arg("--no-verify");
    }
    let shown = show(&command);
    eprintln!("==> release: {shown}");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| format!("could not run `{shown}`: {err}"))?;
    let mut stderr = String::new();
    if let Some(pipe) = child.stderr.take() {
        for line in BufReader::new(pipe).lines() {
            let line = line.map_err(|err| format!("reading cargo's output: {err}"))?;
            eprintln!("{line}");
            stderr.push_str(&line);
            stderr.push('\n');
        }
    }
    let status = child
        .wait()
        .map_err(|err| format!("could not wait for `{shown}`: {err}"))?;
    if status.success() {
        return Ok(stderr);
    }
    let hint = package_hint(&stderr).map_or_else(String::new, |hint| format!("\n{hint}"));
    Err(format!("`{shown}` failed ({status}){hint}"))
}

/// Writes the man pages of `roomkv` into the CLI package `cli_dir` of the scratch `workspace`
/// and commits them there, so that `cargo package` takes them. The pages are written by the
/// real tree's `roomkv` (built in its own, warm target directory): they carry no version, and
/// the scratch copy differs from the real tree only in versions.
fn add_man_pages(root: &Path, workspace: &Path, cli_dir: &Path) -> Result<(), String> {
    let out = cli_dir.join(man::PACKAGE_DIR);
    let pages = man::write_pages(root, &out)?;
    capture(scratch_git(workspace).args(["add", "--all"]))?;
    capture(scratch_git(workspace).args([
        "commit",
        "--quiet",
        "--message",
        "Man pages of the roomkv binary",
    ]))?;
    eprintln!("release: {pages} man pages in {}, committed", out.display());
    Ok(())
}

/// Fails unless the `.crate` file `krate` holds `PREFIX/man/roomkv.1`.
fn ensure_man_pages(krate: &Path, prefix: &str) -> Result<(), String> {
    let listing = capture(Command::new("tar").arg("-tzf").arg(krate))?;
    let page = format!("{prefix}/{}/roomkv.1", man::PACKAGE_DIR);
    if listing.lines().any(|line| line == page) {
        Ok(())
    } else {
        Err(format!("{} does not hold {page}", krate.display()))
    }
}

/// A new, empty scratch directory under the temporary directory.
fn scratch_dir(root: &Path, version: &Version) -> Result<PathBuf, String> {
    let temp = std::env::temp_dir();
    let temp = fs::canonicalize(&temp).unwrap_or(temp);
    if temp.starts_with(root) {
        return Err(format!(
            "the temporary directory {} is inside the workspace; set TMPDIR elsewhere",
            temp.display()
        ));
    }
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.subsec_nanos());
    let dir = temp.join(format!(
        "roomkv-release-{version}-{}-{nanos}",
        std::process::id()
    ));
    fs::create_dir(&dir).map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
    Ok(dir)
}

/// What the checks on the real tree settled, for the rehearsal in the scratch copy.
struct Plan {
    root: PathBuf,
    status_before: String,
    old: Version,
    new: Version,
    date: String,
    bumped: Bumped,
    changelog: String,
    verify: bool,
}

/// `cargo xtask release`: the checks on the real tree (read only), then the rehearsal in a
/// scratch copy.
pub(crate) fn run(options: &Options) -> Result<(), String> {
    if !options.dry_run {
        return Err(DRY_RUN_ONLY.to_owned());
    }
    let root = match &options.manifest_path {
        Some(manifest) => fs::canonicalize(manifest)
            .map_err(|err| format!("{}: {err}", manifest.display()))?
            .parent()
            .map(Path::to_path_buf)
            .ok_or("--manifest-path has no parent directory")?,
        None => {
            fs::canonicalize(project_root()).map_err(|err| format!("the workspace root: {err}"))?
        }
    };
    if !is_git_checkout(&root) {
        return Err(format!(
            "{} is not a git checkout: a release starts from a committed tree",
            root.display()
        ));
    }
    let status_before = porcelain(&root)?;
    if !status_before.is_empty() {
        return Err(dirty_message(&status_before));
    }

    let new = Version::parse(&options.version)?;
    let manifest = read(&root.join("Cargo.toml"))?;
    let old = workspace_version(&manifest)?;
    if new <= old {
        return Err(format!(
            "{new} is not above the current workspace version {old}"
        ));
    }
    let tag = format!("v{new}");
    if !capture(git(&root).args(["tag", "--list", &tag]))?
        .trim()
        .is_empty()
    {
        return Err(format!("tag {tag} already exists: {new} was released"));
    }
    let bumped = bump_manifest(&manifest, &old, &new)?;
    let date = release_date()?;
    let changelog = move_unreleased(&read(&root.join("CHANGELOG.md"))?, &new, &date)?;

    let plan = Plan {
        root,
        status_before,
        old,
        new,
        date,
        bumped,
        changelog,
        verify: options.verify,
    };
    let scratch = scratch_dir(&plan.root, &plan.new)?;
    rehearse(&plan, &scratch).map_err(|err| {
        format!(
            "{err}\n(the scratch copy is left in {} for inspection; remove it when done)",
            scratch.display()
        )
    })
}

/// Everything that happens in the scratch copy.
fn rehearse(plan: &Plan, scratch: &Path) -> Result<(), String> {
    let Plan {
        root,
        status_before,
        old,
        new,
        date,
        bumped,
        changelog,
        verify,
    } = plan;
    let root = root.as_path();
    let workspace = scratch.join("workspace");
    let target = scratch.join("target");
    eprintln!("release: dry run of {old} -> {new}, dated {date}");
    eprintln!("release: scratch copy in {}", workspace.display());
    let head = capture(git(root).args(["rev-parse", "HEAD"]))?;
    let files = copy_tracked(root, &workspace)?;
    capture(scratch_git(&workspace).args(["init", "--quiet"]))?;
    capture(scratch_git(&workspace).args(["add", "--all"]))?;
    capture(scratch_git(&workspace).args([
        "commit",
        "--quiet",
        "--message",
        &format!("Snapshot of {}", head.trim()),
    ]))?;
    eprintln!("release: copied {files} tracked files of {}", head.trim());

    write(&workspace.join("Cargo.toml"), &bumped.manifest)?;
    write(&workspace.join("CHANGELOG.md"), changelog)?;
    eprintln!(
        "release: bumped [workspace.package] version and {} internal dependenc{}: {}",
        bumped.dependencies.len(),
        if bumped.dependencies.len() == 1 {
            "y"
        } else {
            "ies"
        },
        bumped.dependencies.join(", ")
    );
    for left in &bumped.left_alone {
        eprintln!("release: left alone: {left}");
    }
    eprintln!("release: CHANGELOG.md: the Unreleased entries now sit under `## [{new}] - {date}`");
    // The new versions of the workspace members in Cargo.lock; registry packages stay locked.
    capture(Command::new(cargo_program()).current_dir(&workspace).args([
        "update",
        "--workspace",
        "--color",
        "never",
    ]))?;
    capture(scratch_git(&workspace).args(["add", "--all"]))?;
    capture(scratch_git(&workspace).args([
        "commit",
        "--quiet",
        "--message",
        &format!("Release {new}"),
    ]))?;
    let stat = capture(scratch_git(&workspace).args(["show", "--stat", "--format=", "HEAD"]))?;
    eprintln!(
        "release: the release commit (`git -C {} show`):\n{}",
        workspace.display(),
        stat.trim_end()
    );

    let metadata = capture(Command::new(cargo_program()).current_dir(&workspace).args([
        "metadata",
        "--no-deps",
        "--format-version",
        "1",
        "--color",
        "never",
    ]))?;
    let members = members(&metadata)?;
    let excluded: Vec<&str> = members
        .iter()
        .filter(|member| member.unpublished)
        .map(|member| member.name.as_str())
        .collect();
    let publishable: Vec<&Member> = members
        .iter()
        .filter(|member| !member.unpublished)
        .collect();
    if publishable.is_empty() {
        return Err("every workspace member has `publish = false`: nothing to package".to_owned());
    }
    let new_text = new.to_string();
    let stale: Vec<String> = publishable
        .iter()
        .filter(|member| member.version != new_text)
        .map(|member| format!("{} {}", member.name, member.version))
        .collect();
    if !stale.is_empty() {
        return Err(format!(
            "not at {new} after the bump: {} (give them `version.workspace = true`)",
            stale.join(", ")
        ));
    }
    if !excluded.is_empty() {
        eprintln!(
            "release: not packaged (publish = false): {}",
            excluded.join(", ")
        );
    }

    let cli = publishable
        .iter()
        .find(|member| member.name == man::CLI_PACKAGE);
    if let Some(cli) = cli {
        add_man_pages(root, &workspace, &cli.dir)?;
    } else {
        eprintln!(
            "release: no {} member: no man pages to package",
            man::CLI_PACKAGE
        );
    }

    let cargo_stderr = cargo_package(&workspace, &target, &excluded, *verify)?;
    let order = packaged(&cargo_stderr);
    let mut names: Vec<&str> = order.iter().map(|(name, _)| name.as_str()).collect();
    let mut expected: Vec<&str> = publishable
        .iter()
        .map(|member| member.name.as_str())
        .collect();
    names.sort_unstable();
    expected.sort_unstable();
    if names != expected {
        return Err(format!(
            "cargo packaged [{}], expected the publishable members [{}]",
            names.join(", "),
            expected.join(", ")
        ));
    }
    for (name, version) in &order {
        let file = target
            .join("package")
            .join(format!("{name}-{version}.crate"));
        if !file.is_file() {
            return Err(format!("{} is missing", file.display()));
        }
        if name == man::CLI_PACKAGE {
            ensure_man_pages(&file, &format!("{name}-{version}"))?;
        }
        println!("{}", file.display());
    }

    let status_after = porcelain(root)?;
    if &status_after != status_before {
        return Err(format!(
            "the real tree changed during the dry run:\n{status_after}"
        ));
    }
    eprintln!(
        "release: packaged {} crates in dependency order (paths on stdout), {}",
        order.len(),
        if *verify {
            "each built from its .crate (--verify)"
        } else {
            "not built (pass --verify to build each from its .crate)"
        }
    );
    eprintln!(
        "release: dry run done; the real tree is untouched; nothing was committed, tagged or \
         published. Remove {} when done.",
        scratch.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn versions_parse_and_print() {
        for text in [
            "0.2.0",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-0.3.7",
            "1.0.0-x-y.7z.92",
            "10.20.30",
        ] {
            assert_eq!(v(text).to_string(), text);
        }
        assert_eq!(
            v("1.2.3-rc.1"),
            Version {
                major: 1,
                minor: 2,
                patch: 3,
                pre: vec![
                    Identifier::Alphanumeric("rc".into()),
                    Identifier::Numeric(1)
                ],
            }
        );
    }

    #[test]
    fn malformed_versions_are_refused() {
        for bad in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "01.2.3",
            "1.02.3",
            "1.2.03",
            "a.b.c",
            "1.2.3-",
            "1.2.3-a..b",
            "1.2.3-01",
            "1.2.3-a_b",
            " 1.2.3",
            "1.2.-3",
            "99999999999999999999.0.0",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} parsed");
        }
        assert!(
            Version::parse("v0.2.0")
                .unwrap_err()
                .contains("without the `v`")
        );
        assert!(
            Version::parse("1.0.0+build.5")
                .unwrap_err()
                .contains("build metadata")
        );
    }

    #[test]
    fn versions_compare_by_semver_precedence() {
        // The SemVer 2.0.0 §11 example chain, plus numeric (not textual) comparison.
        let chain = [
            "0.1.0",
            "0.1.1",
            "0.2.0",
            "0.10.0",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "10.0.0",
        ];
        for pair in chain.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
            assert!(v(pair[1]) > v(pair[0]));
        }
        assert_eq!(v("1.0.0").cmp(&v("1.0.0")), Ordering::Equal);
    }

    const MANIFEST: &str = r#"[workspace]
resolver = "3"
members = [
  "crates/*",   # version = "0.1.0" in a comment
]

[workspace.package]
version = "0.1.0"   # the one version
edition = "2024"

[workspace.dependencies]
# Internal crates.
roomkv-core = { version = "0.1.0", path = "crates/roomkv-core", default-features = false }
roomkv-emulator = {path="crates/roomkv-emulator",version='0.1.0'}
roomkv-testkit = { path = "crates/roomkv-testkit" }
roomkv-vendored = { version = "0.0.9", path = "vendor/x" }

tokio = { version = "0.1.0", default-features = false }
http = "0.1.0"
serde = { version = "0.1.0", features = ["derive", "rc"] }

[profile.release]
version = "0.1.0"
"#;

    #[test]
    fn the_workspace_version_is_read() {
        assert_eq!(workspace_version(MANIFEST).unwrap(), v("0.1.0"));
        assert!(
            workspace_version("[workspace]\n")
                .unwrap_err()
                .contains("no `version`")
        );
    }

    #[test]
    fn only_the_workspace_and_internal_versions_change() {
        let bumped = bump_manifest(MANIFEST, &v("0.1.0"), &v("0.2.0-rc.1")).unwrap();
        let expected = MANIFEST
            .replace(
                "version = \"0.1.0\"   # the one",
                "version = \"0.2.0-rc.1\"   # the one",
            )
            .replace(
                "roomkv-core = { version = \"0.1.0\"",
                "roomkv-core = { version = \"0.2.0-rc.1\"",
            )
            .replace("version='0.1.0'}", "version='0.2.0-rc.1'}");
        assert_eq!(bumped.manifest, expected);
        assert_eq!(bumped.dependencies, ["roomkv-core", "roomkv-emulator"]);
        assert_eq!(bumped.left_alone.len(), 2, "{:?}", bumped.left_alone);
        assert!(bumped.left_alone[0].starts_with("roomkv-testkit (path only"));
        assert!(bumped.left_alone[1].starts_with("roomkv-vendored (version \"0.0.9\""));
        // Line by line: exactly three lines differ, and the external ones are not among them.
        let changed: Vec<&str> = MANIFEST
            .lines()
            .zip(bumped.manifest.lines())
            .filter(|(before, after)| before != after)
            .map(|(before, _)| before)
            .collect();
        assert_eq!(changed.len(), 3, "{changed:?}");
        assert!(
            bumped
                .manifest
                .contains("tokio = { version = \"0.1.0\", default-features = false }\n")
        );
        assert!(bumped.manifest.contains("http = \"0.1.0\"\n"));
    }

    #[test]
    fn crlf_manifests_keep_their_line_ends() {
        let manifest = "[workspace.package]\r\nversion = \"0.1.0\"\r\n[workspace.dependencies]\r\n\
                        a = { version = \"0.1.0\", path = \"a\" }\r\n";
        let bumped = bump_manifest(manifest, &v("0.1.0"), &v("0.2.0")).unwrap();
        assert_eq!(bumped.manifest, manifest.replace("0.1.0", "0.2.0"));
    }

    #[test]
    fn unsupported_manifest_layouts_are_refused() {
        let table = "[workspace.package]\nversion = \"0.1.0\"\n\
                     [workspace.dependencies.roomkv-core]\nversion = \"0.1.0\"\npath = \"x\"\n";
        assert!(
            bump_manifest(table, &v("0.1.0"), &v("0.2.0"))
                .unwrap_err()
                .contains("inline table")
        );
        let dotted = "[workspace.package]\nversion = \"0.1.0\"\n[workspace.dependencies]\n\
                      roomkv-core.path = \"x\"\n";
        assert!(
            bump_manifest(dotted, &v("0.1.0"), &v("0.2.0"))
                .unwrap_err()
                .contains("dotted")
        );
        let other = "[workspace.package]\nversion = \"0.0.1\"\n";
        assert!(bump_manifest(other, &v("0.1.0"), &v("0.2.0")).is_err());
    }

    #[test]
    fn inline_tables_split_at_top_level_commas_only() {
        let text = r#" { version = "1", features = ["a", "b,c"], path = "{x}" } # c"#;
        let members = inline_table(text).unwrap();
        let keys: Vec<&str> = members.iter().map(|(key, _)| key.as_str()).collect();
        assert_eq!(keys, ["version", "features", "path"]);
        assert_eq!(text[members[2].1.clone()].trim(), "\"{x}\"");
        assert_eq!(inline_table(" { version = \"1\""), None);
        assert_eq!(inline_table(" \"1\""), None);
    }

    const CHANGELOG: &str = "# Changelog\n\nIntro.\n\n## Unreleased\n\n### Added\n- one\n- two\n\n\
                             ### Fixed\n- three\n\n## [0.1.0] - 2024-01-01\n\n- first\n";

    #[test]
    fn the_unreleased_entries_move_under_the_version() {
        let moved = move_unreleased(CHANGELOG, &v("0.2.0"), "2030-01-02").unwrap();
        assert_eq!(
            moved,
            "# Changelog\n\nIntro.\n\n## Unreleased\n\n## [0.2.0] - 2030-01-02\n\n### Added\n- one\n\
             - two\n\n### Fixed\n- three\n\n## [0.1.0] - 2024-01-01\n\n- first\n"
        );
        // Nothing lost or reordered: without the new heading it is the original.
        assert_eq!(moved.replace("## [0.2.0] - 2030-01-02\n\n", ""), CHANGELOG);
        // Releasing again finds the new, empty Unreleased.
        assert!(
            move_unreleased(&moved, &v("0.3.0"), "2030-01-03")
                .unwrap_err()
                .contains("empty")
        );
    }

    #[test]
    fn an_unreleased_section_at_the_end_and_crlf_work() {
        let text = "## [Unreleased]\r\n- only\r\n";
        assert_eq!(
            move_unreleased(text, &v("1.0.0"), "2030-01-02").unwrap(),
            "## [Unreleased]\r\n\r\n## [1.0.0] - 2030-01-02\r\n\r\n- only\r\n"
        );
        assert_eq!(
            move_unreleased("## Unreleased\n- x", &v("1.0.0"), "2030-01-02").unwrap(),
            "## Unreleased\n\n## [1.0.0] - 2030-01-02\n\n- x"
        );
    }

    #[test]
    fn empty_missing_or_already_released_sections_are_refused() {
        for empty in [
            "## Unreleased\n\n## [0.1.0] - 2024-01-01\n- first\n",
            "## Unreleased\n",
            "## Unreleased",
            "## Unreleased\n\n### Added\n\n### Fixed\n   \n## [0.1.0]\n- first\n",
        ] {
            let err = move_unreleased(empty, &v("0.2.0"), "2030-01-02").unwrap_err();
            assert!(err.contains("is empty"), "{empty:?}: {err}");
        }
        let err = move_unreleased("# Changelog\n- x\n", &v("0.2.0"), "2030-01-02").unwrap_err();
        assert!(err.contains("no `## Unreleased`"), "{err}");
        let released = "## Unreleased\n- x\n## [0.2.0] - 2024-01-01\n- y\n";
        let err = move_unreleased(released, &v("0.2.0"), "2030-01-02").unwrap_err();
        assert!(err.contains("already has a section for 0.2.0"), "{err}");
        // 0.2.0 is not 0.2.0-rc.1 nor 0.2.01.
        assert!(move_unreleased("## Unreleased\n- x\n## 0.2.0-rc.1\n", &v("0.2.0"), "d").is_ok());
        assert!(is_version_heading("## 0.2.0 (2024-01-01)", "0.2.0"));
        assert!(!is_version_heading("## [0.2.01]", "0.2.0"));
    }

    #[test]
    fn dates_are_civil_utc_and_checked() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(check_date("2024-02-29").unwrap(), "2024-02-29");
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-1-01",
            "24-01-01",
            "2024/01/01",
            "today",
        ] {
            assert!(check_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn today_is_a_date() {
        let today = today().unwrap();
        assert_eq!(today.len(), 10);
        assert_eq!(&today[4..5], "-");
    }

    #[test]
    fn arguments_parse_in_any_order() {
        let args = |list: &[&str]| list.iter().map(ToString::to_string).collect::<Vec<_>>();
        let options = parse_args(&args(&[
            "--dry-run",
            "0.2.0",
            "--manifest-path",
            "x/Cargo.toml",
        ]))
        .unwrap();
        assert_eq!(
            options,
            Options {
                version: "0.2.0".into(),
                dry_run: true,
                verify: false,
                manifest_path: Some("x/Cargo.toml".into()),
            }
        );
        assert!(parse_args(&args(&["0.2.0", "--verify"])).is_ok_and(|o| o.verify && !o.dry_run));
        assert!(parse_args(&args(&[])).is_err());
        assert!(parse_args(&args(&["--dry-run"])).is_err());
        assert!(parse_args(&args(&["0.2.0", "0.3.0"])).is_err());
        assert!(parse_args(&args(&["0.2.0", "--publish"])).is_err());
        assert!(parse_args(&args(&["0.2.0", "--manifest-path"])).is_err());
    }

    #[test]
    fn cargo_output_is_read() {
        let stderr = "   Packaging roomkv-core v0.2.0 (/tmp/w/crates/roomkv-core)\n    Updating crates.io index\n\
                      \x20   Packaged 70 files, 330.9KiB (75.9KiB compressed)\n\
                      \x20  Packaging roomkv-cli v0.2.0-rc.1 (/tmp/w/crates/roomkv-cli)\n";
        assert_eq!(
            packaged(stderr),
            [
                ("roomkv-core".to_owned(), "0.2.0".to_owned()),
                ("roomkv-cli".to_owned(), "0.2.0-rc.1".to_owned())
            ]
        );
        let metadata = r#"{"packages":[
            {"name":"a","version":"0.2.0","publish":null,"manifest_path":"/w/a/Cargo.toml"},
            {"name":"b","version":"0.2.0","publish":[],"manifest_path":"/w/b/Cargo.toml"},
            {"name":"c","version":"0.1.0","publish":["own"],"manifest_path":"/w/c/Cargo.toml"}]}"#;
        let members = members(metadata).unwrap();
        let unpublished: Vec<bool> = members.iter().map(|m| m.unpublished).collect();
        assert_eq!(unpublished, [false, true, false]);
        assert_eq!(members[2].dir, Path::new("/w/c"));
    }

    #[test]
    fn a_self_dev_dependency_gets_a_hint() {
        let stderr = "error: failed to prepare local package for uploading\n\nCaused by:\n  no matching \
                      package named `roomkv-transport` found\n  location searched: crates.io index\n  \
                      required by package `roomkv-transport v0.2.0 (/tmp/x)`\n";
        assert!(
            package_hint(stderr)
                .unwrap()
                .contains("rust-lang/cargo#15059")
        );
        let other = stderr.replace(
            "required by package `roomkv-transport",
            "required by package `roomkv-tencent",
        );
        assert_eq!(package_hint(&other), None);
        assert_eq!(package_hint("error: something else"), None);
    }

    #[test]
    fn the_dirty_message_is_one_line() {
        let message = dirty_message(" M Cargo.toml\n?? new.txt\n");
        assert!(!message.contains('\n'));
        assert!(
            message.contains("2 paths, first: `M Cargo.toml`"),
            "{message}"
        );
    }
}
