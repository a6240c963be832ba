//! The root `Cargo.toml`: the workspace version and the internal dependencies' versions, bumped
//! by editing only those string literals (found by the byte spans `toml` reports), so that
//! comments, layout and line ends stay as they are.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use toml::Spanned;

use super::version::Version;

/// The parts of the root manifest the release reads.
#[derive(Deserialize)]
struct Manifest {
    #[serde(default)]
    workspace: Workspace,
}

#[derive(Default, Deserialize)]
struct Workspace {
    #[serde(default)]
    package: Package,
    #[serde(default)]
    dependencies: BTreeMap<String, Spanned<Dependency>>,
}

#[derive(Default, Deserialize)]
struct Package {
    version: Option<Spanned<toml::Value>>,
}

/// A `[workspace.dependencies]` entry, in any of TOML's spellings (`name = "1"`, an inline
/// table, dotted keys, a `[workspace.dependencies.name]` table).
#[derive(Default)]
struct Dependency {
    version: Option<Spanned<toml::Value>>,
    has_path: bool,
}

impl<'de> Deserialize<'de> for Dependency {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DependencyVisitor;
        impl<'de> Visitor<'de> for DependencyVisitor {
            type Value = Dependency;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a version string or a dependency table")
            }

            fn visit_str<E: de::Error>(self, _registry_version: &str) -> Result<Dependency, E> {
                Ok(Dependency::default())
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Dependency, A::Error> {
                let mut dependency = Dependency::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        // Kept with its span, and not required to be a string here, so that the
                        // error can name the dependency.
                        "version" => dependency.version = Some(map.next_value()?),
                        "path" => {
                            map.next_value::<IgnoredAny>()?;
                            dependency.has_path = true;
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(dependency)
            }
        }
        deserializer.deserialize_any(DependencyVisitor)
    }
}

/// A string literal's contents in the manifest: where (bytes) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Literal {
    span: Range<usize>,
    text: String,
}

/// The contents of the one-line string literal at `value`'s span; `None` when the value is not
/// a string, or is a multi-line or escaped one whose bytes differ from its value.
fn literal(manifest: &str, value: &Spanned<toml::Value>) -> Option<Literal> {
    let text = value.get_ref().as_str()?;
    let span = value.span();
    let quoted = manifest.get(span.clone())?;
    let inner = span.start + 1..span.end - 1;
    let plain = [('"', '"'), ('\'', '\'')]
        .iter()
        .any(|&(open, close)| quoted.starts_with(open) && quoted.ends_with(close))
        && manifest.get(inner.clone()) == Some(text);
    plain.then(|| Literal {
        span: inner,
        text: text.to_owned(),
    })
}

/// A `[workspace.dependencies]` entry with a `path`.
#[derive(Debug, PartialEq, Eq)]
struct PathDependency {
    name: String,
    version: Option<Literal>,
}

/// What the release edits in the root manifest.
#[derive(Debug, PartialEq, Eq)]
struct ManifestScan {
    package_version: Option<Literal>,
    /// In the order of the manifest.
    path_dependencies: Vec<PathDependency>,
}

/// Finds `[workspace.package] version` and the path dependencies of `[workspace.dependencies]`.
fn scan_manifest(manifest: &str) -> Result<ManifestScan, String> {
    let parsed: Manifest =
        toml::from_str(manifest).map_err(|err| format!("Cargo.toml: {}", err.message()))?;
    let package_version = parsed
        .workspace
        .package
        .version
        .map(|version| {
            literal(manifest, &version).ok_or_else(|| {
                "Cargo.toml: `[workspace.package] version` is not a string".to_owned()
            })
        })
        .transpose()?;
    let mut dependencies: Vec<(String, Spanned<Dependency>)> = parsed
        .workspace
        .dependencies
        .into_iter()
        .filter(|(_, dependency)| dependency.get_ref().has_path)
        .collect();
    dependencies.sort_by_key(|(_, dependency)| dependency.span().start);
    let path_dependencies = dependencies
        .into_iter()
        .map(|(name, dependency)| {
            let version = dependency
                .into_inner()
                .version
                .map(|version| {
                    literal(manifest, &version).ok_or_else(|| {
                        format!("Cargo.toml: the version of `{name}` is not a string")
                    })
                })
                .transpose()?;
            Ok(PathDependency { name, version })
        })
        .collect::<Result<_, String>>()?;
    Ok(ManifestScan {
        package_version,
        path_dependencies,
    })
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

#[cfg(test)]
mod tests {
    use super::super::version::tests::v;
    use super::*;

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
    fn table_and_dotted_dependencies_are_bumped_too() {
        let table = "[workspace.package]\nversion = \"0.1.0\"\n\
                     [workspace.dependencies.roomkv-core]\nversion = \"0.1.0\"\npath = \"x\"\n";
        let bumped = bump_manifest(table, &v("0.1.0"), &v("0.2.0")).unwrap();
        assert_eq!(bumped.manifest, table.replace("0.1.0", "0.2.0"));
        assert_eq!(bumped.dependencies, ["roomkv-core"]);
        let dotted = "[workspace.package]\nversion = \"0.1.0\"\n[workspace.dependencies]\n\
                      roomkv-core.path = \"x\"\nroomkv-core.version = \"0.1.0\"\n";
        let bumped = bump_manifest(dotted, &v("0.1.0"), &v("0.2.0")).unwrap();
        assert_eq!(bumped.manifest, dotted.replace("0.1.0", "0.2.0"));
    }

    #[test]
    fn other_versions_non_strings_and_invalid_toml_are_refused() {
        let other = "[workspace.package]\nversion = \"0.0.1\"\n";
        assert!(bump_manifest(other, &v("0.1.0"), &v("0.2.0")).is_err());
        let number = "[workspace.package]\nversion = 1\n";
        assert!(
            workspace_version(number)
                .unwrap_err()
                .contains("is not a string")
        );
        let escaped = "[workspace.package]\nversion = \"0.1.0\"\n[workspace.dependencies]\n\
                       a = { path = \"a\", version = \"0.1.\\u0030\" }\n";
        assert!(
            bump_manifest(escaped, &v("0.1.0"), &v("0.2.0"))
                .unwrap_err()
                .contains("version of `a`")
        );
        assert!(
            workspace_version("[workspace\n")
                .unwrap_err()
                .starts_with("Cargo.toml: ")
        );
    }
}
