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

mod changelog;
mod manifest;
mod package;
mod scratch;
mod version;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) use self::changelog::today;
use self::changelog::{move_unreleased, release_date};
use self::manifest::{Bumped, bump_manifest, workspace_version};
use self::package::{Member, add_man_pages, cargo_package, ensure_man_pages, members, packaged};
use self::scratch::{commit_all, copy_tracked, scratch_dir, scratch_git};
use self::version::Version;
use crate::man;
use crate::tidy::{git, is_git_checkout};
use crate::{capture, cargo_program, project_root, read, write};

/// The answer to `release` without `--dry-run`.
pub(crate) const DRY_RUN_ONLY: &str =
    "only --dry-run is supported here (no registry credentials, no remote)";

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
    let root = plan.root.as_path();
    let (old, new, date) = (&plan.old, &plan.new, &plan.date);
    let workspace = scratch.join("workspace");
    let target = scratch.join("target");
    eprintln!("release: dry run of {old} -> {new}, dated {date}");
    eprintln!("release: scratch copy in {}", workspace.display());
    let head = capture(git(root).args(["rev-parse", "HEAD"]))?;
    let files = copy_tracked(root, &workspace)?;
    capture(scratch_git(&workspace).args(["init", "--quiet"]))?;
    commit_all(&workspace, &format!("Snapshot of {}", head.trim()))?;
    eprintln!("release: copied {files} tracked files of {}", head.trim());

    write(&workspace.join("Cargo.toml"), &plan.bumped.manifest)?;
    write(&workspace.join("CHANGELOG.md"), &plan.changelog)?;
    eprintln!(
        "release: bumped [workspace.package] version and {} internal dependenc{}: {}",
        plan.bumped.dependencies.len(),
        if plan.bumped.dependencies.len() == 1 {
            "y"
        } else {
            "ies"
        },
        plan.bumped.dependencies.join(", ")
    );
    for left in &plan.bumped.left_alone {
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
    commit_all(&workspace, &format!("Release {new}"))?;
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

    let cargo_stderr = cargo_package(&workspace, &target, &excluded, plan.verify)?;
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
    if status_after != plan.status_before {
        return Err(format!(
            "the real tree changed during the dry run:\n{status_after}"
        ));
    }
    eprintln!(
        "release: packaged {} crates in dependency order (paths on stdout), {}",
        order.len(),
        if plan.verify {
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
    fn the_dirty_message_is_one_line() {
        let message = dirty_message(" M Cargo.toml\n?? new.txt\n");
        assert!(!message.contains('\n'));
        assert!(
            message.contains("2 paths, first: `M Cargo.toml`"),
            "{message}"
        );
    }
}
