//! `cargo xtask layering`: the dependency arrows of `docs/design.md#dependency-arrows`, enforced.
//!
//! For every crate that has a rule and is a member of the workspace, the graph is read from
//! `cargo tree -p CRATE -e normal --prefix depth --target all --all-features`, plus that crate's
//! direct dev- and build-dependencies (`-e dev` / `-e build`, `--depth 1`).
//!
//! `cargo tree -p CRATE` resolves features as if CRATE were built alone. `cargo metadata` would be
//! easier to read, but its `resolve` unifies features across the whole workspace. An optional
//! `tokio` that only `roomkv-transport` switches on in a shared crate would then show up under
//! `roomkv-core` as well: a false alarm. `xtask/tests/fixtures/clean` covers exactly that case.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::fmt;
use std::path::Path;

use crate::{capture, cargo, report};

/// How a crate depends on another one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `[dependencies]`: what users of the crate get. Only these edges are followed.
    Normal,
    /// `[dev-dependencies]`: tests, examples and benches only.
    Dev,
    /// `[build-dependencies]`: the build script only.
    Build,
}

/// A dependency graph. Nodes are keyed by an id (`name vX.Y.Z (source)` as `cargo tree` prints it);
/// the crate name is the id's first word.
#[derive(Debug, Default)]
pub(crate) struct Graph {
    ids: Vec<String>,
    index: HashMap<String, usize>,
    edges: Vec<Vec<(usize, Kind)>>,
}

impl Graph {
    fn node(&mut self, id: &str) -> usize {
        if let Some(&node) = self.index.get(id) {
            return node;
        }
        let node = self.ids.len();
        self.ids.push(id.to_owned());
        self.index.insert(id.to_owned(), node);
        self.edges.push(Vec::new());
        node
    }

    /// Adds the edge `from -> to` (ids), once.
    pub(crate) fn add_edge(&mut self, from: &str, to: &str, kind: Kind) {
        let (from, to) = (self.node(from), self.node(to));
        if !self.edges[from].contains(&(to, kind)) {
            self.edges[from].push((to, kind));
        }
    }

    fn name(&self, node: usize) -> &str {
        self.ids[node].split_whitespace().next().unwrap_or_default()
    }
}

/// One arrow of `docs/design.md#dependency-arrows`: `from` must not reach any of `forbidden` through normal dependencies.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rule {
    pub(crate) from: &'static str,
    pub(crate) forbidden: &'static [&'static str],
    pub(crate) why: &'static str,
}

const SANS_IO: &str =
    "core and sign are sans-IO leaves: no async runtime, no HTTP stack, no randomness";
/// What a sans-IO leaf must not reach: runtimes, HTTP stacks, the transport, and randomness
/// (nonces and `random` are arguments).
const SANS_IO_FORBIDDEN: &[&str] = &[
    "tokio",
    "hyper",
    "hyper-util",
    "roomkv-transport",
    "rand",
    "getrandom",
];
const PROVIDER: &str =
    "a provider never depends on the other provider or the emulator (dev-dependencies excepted)";

/// The workspace's rules (`docs/design.md#dependency-arrows`).
pub(crate) const RULES: &[Rule] = &[
    Rule {
        from: "roomkv-core",
        forbidden: SANS_IO_FORBIDDEN,
        why: SANS_IO,
    },
    Rule {
        from: "roomkv-sign",
        forbidden: SANS_IO_FORBIDDEN,
        why: SANS_IO,
    },
    Rule {
        from: "roomkv-webhook",
        forbidden: SANS_IO_FORBIDDEN,
        why: "the webhook verifier is sans-IO like core and sign: the caller reads the request and the clock",
    },
    Rule {
        from: "roomkv-transport",
        forbidden: &["roomkv-core", "roomkv-sign"],
        why: "transport knows no vendor",
    },
    Rule {
        from: "roomkv-provider",
        forbidden: &["roomkv-rongcloud", "roomkv-tencent", "roomkv-emulator"],
        why: "the vendor-neutral half of a client knows no vendor's client, nor the emulator",
    },
    Rule {
        from: "roomkv-rongcloud",
        forbidden: &["roomkv-tencent", "roomkv-emulator"],
        why: PROVIDER,
    },
    Rule {
        from: "roomkv-tencent",
        forbidden: &["roomkv-rongcloud", "roomkv-emulator"],
        why: PROVIDER,
    },
    Rule {
        from: "roomkv-emulator",
        forbidden: &["roomkv-rongcloud", "roomkv-tencent"],
        why: "the emulator must not share code with the clients it checks",
    },
    Rule {
        from: "roomkv-bench",
        forbidden: &["roomkv-emulator"],
        why: "the benchmarks measure the release `roomkv emulator` in a process of its own, \
              over loopback like any client, never linked in",
    },
];

/// A forbidden crate reachable from a rule's crate.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Violation {
    /// Crate names from the rule's crate to the forbidden crate, both included.
    pub(crate) path: Vec<String>,
    pub(crate) why: &'static str,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let from = self.path.first().map_or("?", String::as_str);
        let to = self.path.last().map_or("?", String::as_str);
        if self.path.len() <= 2 {
            write!(f, "{from} -> {to} (direct): {}", self.why)
        } else {
            write!(
                f,
                "{from} -> {to} (via {}): {}",
                self.path.join(" -> "),
                self.why
            )
        }
    }
}

/// Every violation of `rules` in `graph`: for each rule whose crate is in the graph, each forbidden
/// crate reachable through normal edges, with a shortest path to it. Sorted.
pub(crate) fn check(graph: &Graph, rules: &[Rule]) -> Vec<Violation> {
    let mut violations = Vec::new();
    for rule in rules {
        let starts = (0..graph.ids.len()).filter(|&node| graph.name(node) == rule.from);
        for start in starts {
            // Breadth-first, so the first path found to a node is a shortest one.
            let mut parent: Vec<Option<usize>> = vec![None; graph.ids.len()];
            let mut seen = vec![false; graph.ids.len()];
            let mut reported = BTreeSet::new();
            let mut queue = VecDeque::from([start]);
            seen[start] = true;
            while let Some(node) = queue.pop_front() {
                let name = graph.name(node);
                if rule.forbidden.contains(&name) && reported.insert(name) {
                    let mut path = vec![name.to_owned()];
                    let mut at = node;
                    while let Some(up) = parent[at] {
                        path.push(graph.name(up).to_owned());
                        at = up;
                    }
                    path.reverse();
                    violations.push(Violation {
                        path,
                        why: rule.why,
                    });
                }
                for &(next, kind) in &graph.edges[node] {
                    if kind == Kind::Normal && !seen[next] {
                        seen[next] = true;
                        parent[next] = Some(node);
                        queue.push_back(next);
                    }
                }
            }
        }
    }
    violations.sort();
    violations.dedup();
    violations
}

/// Adds the edges of `cargo tree --prefix depth` output to `graph`, all of `kind`.
///
/// Each line is a depth, then `name vX.Y.Z [(source)] [(proc-macro)] [(*)]`; `(*)` marks a crate
/// whose dependencies were already listed where it first appeared.
pub(crate) fn add_tree(graph: &mut Graph, tree: &str, kind: Kind) -> Result<(), String> {
    let mut stack: Vec<&str> = Vec::new();
    for line in tree.lines().filter(|line| !line.trim().is_empty()) {
        let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let depth: usize = line[..digits]
            .parse()
            .map_err(|_| format!("unexpected `cargo tree` line (no depth): {line:?}"))?;
        let id = line[digits..].trim_end();
        let id = id.strip_suffix(" (*)").unwrap_or(id);
        if id.is_empty() || depth > stack.len() {
            return Err(format!("unexpected `cargo tree` line: {line:?}"));
        }
        stack.truncate(depth);
        if let Some(parent) = stack.last() {
            graph.add_edge(parent, id, kind);
        } else {
            graph.node(id);
        }
        stack.push(id);
    }
    Ok(())
}

/// The workspace members' names, from `cargo tree --workspace --depth 0`.
fn members(manifest: &Path) -> Result<BTreeSet<String>, String> {
    let tree = capture(
        cargo()
            .args(["tree", "--manifest-path"])
            .arg(manifest)
            .args([
                "--workspace",
                "--depth",
                "0",
                "--prefix",
                "depth",
                "-e",
                "normal",
            ]),
    )?;
    let mut graph = Graph::default();
    add_tree(&mut graph, &tree, Kind::Normal)?;
    Ok((0..graph.ids.len())
        .map(|node| graph.name(node).to_owned())
        .collect())
}

/// The graph as seen from workspace member `krate`, built alone with all its features.
fn load(manifest: &Path, krate: &str) -> Result<Graph, String> {
    let mut graph = Graph::default();
    for (edges, depth, kind) in [
        ("normal", None, Kind::Normal),
        ("dev", Some("1"), Kind::Dev),
        ("build", Some("1"), Kind::Build),
    ] {
        let mut command = cargo();
        command
            .args(["tree", "--manifest-path"])
            .arg(manifest)
            .args([
                "--package",
                krate,
                "--edges",
                edges,
                "--prefix",
                "depth",
                "--target",
                "all",
                "--all-features",
            ]);
        if let Some(depth) = depth {
            command.args(["--depth", depth]);
        }
        add_tree(&mut graph, &capture(&mut command)?, kind)?;
    }
    Ok(graph)
}

/// Checks the workspace of `manifest` against [`RULES`], printing every violation.
pub(crate) fn run(manifest: &Path) -> Result<(), String> {
    let members = members(manifest)?;
    let mut violations = Vec::new();
    let mut checked = Vec::new();
    let mut absent = Vec::new();
    for rule in RULES {
        if !members.contains(rule.from) {
            absent.push(rule.from);
            continue;
        }
        checked.push(rule.from);
        let graph = load(manifest, rule.from)?;
        violations.extend(check(&graph, std::slice::from_ref(rule)));
    }
    if !absent.is_empty() {
        eprintln!(
            "layering: not in this workspace, skipped: {}",
            absent.join(", ")
        );
    }
    let problems: Vec<String> = violations
        .iter()
        .map(|violation| format!("forbidden dependency {violation}"))
        .collect();
    let summary = format!(
        "{} forbidden dependenc{} (only dev- and build-dependencies may cross these lines)",
        problems.len(),
        if problems.len() == 1 { "y" } else { "ies" }
    );
    report("layering", &checked.join(", "), &problems, summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &str, Kind)]) -> Graph {
        let mut graph = Graph::default();
        for &(from, to, kind) in edges {
            graph.add_edge(from, to, kind);
        }
        graph
    }

    fn lines(violations: &[Violation]) -> Vec<String> {
        violations.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn forbidden_direct_edge_is_reported() {
        let g = graph(&[
            ("roomkv-core", "http", Kind::Normal),
            ("roomkv-core", "tokio", Kind::Normal),
        ]);
        let found = check(&g, RULES);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].path, ["roomkv-core", "tokio"]);
        assert!(lines(&found)[0].starts_with("roomkv-core -> tokio (direct): "));
    }

    #[test]
    fn forbidden_transitive_edge_is_reported_with_a_shortest_path() {
        let g = graph(&[
            ("roomkv-sign", "a", Kind::Normal),
            ("a", "b", Kind::Normal),
            ("b", "c", Kind::Normal),
            ("c", "hyper", Kind::Normal),
            ("roomkv-sign", "x", Kind::Normal),
            ("x", "hyper", Kind::Normal),
            ("hyper", "tokio", Kind::Normal),
        ]);
        assert_eq!(
            lines(&check(&g, RULES)),
            [
                format!("roomkv-sign -> hyper (via roomkv-sign -> x -> hyper): {SANS_IO}"),
                format!("roomkv-sign -> tokio (via roomkv-sign -> x -> hyper -> tokio): {SANS_IO}"),
            ]
        );
    }

    #[test]
    fn dev_and_build_edges_are_allowed_and_not_followed() {
        let g = graph(&[
            ("roomkv-core", "proptest", Kind::Dev),
            ("roomkv-core", "tokio", Kind::Dev),
            ("roomkv-core", "cc", Kind::Build),
            ("cc", "hyper", Kind::Normal),
            ("roomkv-rongcloud", "roomkv-emulator", Kind::Dev),
        ]);
        assert_eq!(check(&g, RULES), []);
    }

    #[test]
    fn the_same_edge_as_normal_and_dev_is_still_forbidden() {
        let g = graph(&[
            ("roomkv-tencent", "roomkv-emulator", Kind::Dev),
            ("roomkv-tencent", "roomkv-emulator", Kind::Normal),
        ]);
        assert_eq!(check(&g, RULES).len(), 1);
    }

    #[test]
    fn clean_graph_passes() {
        let g = graph(&[
            ("roomkv-core", "http", Kind::Normal),
            ("roomkv-sign", "roomkv-core", Kind::Normal),
            ("roomkv-transport", "tokio", Kind::Normal),
            ("roomkv-transport", "hyper-util", Kind::Normal),
            ("hyper-util", "hyper", Kind::Normal),
            ("roomkv-rongcloud", "roomkv-core", Kind::Normal),
            ("roomkv-rongcloud", "roomkv-sign", Kind::Normal),
            ("roomkv-rongcloud", "roomkv-transport", Kind::Normal),
            ("roomkv-rongcloud", "roomkv-provider", Kind::Normal),
            ("roomkv-provider", "roomkv-core", Kind::Normal),
            ("roomkv-provider", "roomkv-transport", Kind::Normal),
            ("roomkv-emulator", "roomkv-core", Kind::Normal),
            ("roomkv-emulator", "roomkv-transport", Kind::Normal),
            ("roomkv-cli", "roomkv-rongcloud", Kind::Normal),
            ("roomkv-cli", "roomkv-emulator", Kind::Normal),
        ]);
        assert_eq!(check(&g, RULES), []);
    }

    #[test]
    fn every_provider_and_emulator_rule_fires() {
        let g = graph(&[
            ("roomkv-transport", "roomkv-sign", Kind::Normal),
            ("roomkv-rongcloud", "roomkv-tencent", Kind::Normal),
            ("roomkv-tencent", "roomkv-emulator", Kind::Normal),
            ("roomkv-emulator", "roomkv-rongcloud", Kind::Normal),
            ("roomkv-provider", "roomkv-rongcloud", Kind::Normal),
        ]);
        let found: BTreeSet<_> = check(&g, RULES)
            .iter()
            .map(|v| {
                (
                    v.path[0].clone(),
                    v.path.last().cloned().unwrap_or_default(),
                )
            })
            .collect();
        let expected = [
            ("roomkv-emulator", "roomkv-rongcloud"),
            ("roomkv-emulator", "roomkv-tencent"),
            ("roomkv-provider", "roomkv-emulator"),
            ("roomkv-provider", "roomkv-rongcloud"),
            ("roomkv-provider", "roomkv-tencent"),
            ("roomkv-rongcloud", "roomkv-emulator"),
            ("roomkv-rongcloud", "roomkv-tencent"),
            ("roomkv-tencent", "roomkv-emulator"),
            ("roomkv-tencent", "roomkv-rongcloud"),
            ("roomkv-transport", "roomkv-sign"),
        ];
        let expected: BTreeSet<_> = expected
            .iter()
            .map(|&(a, b)| (a.to_owned(), b.to_owned()))
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn the_benchmarks_reach_the_emulator_only_as_a_dev_dependency_or_not_at_all() {
        let linked = graph(&[
            ("roomkv-bench", "roomkv-rongcloud", Kind::Normal),
            ("roomkv-bench", "roomkv-emulator", Kind::Normal),
        ]);
        let found = check(&linked, RULES);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, ["roomkv-bench", "roomkv-emulator"]);
        let dev_only = graph(&[("roomkv-bench", "roomkv-emulator", Kind::Dev)]);
        assert_eq!(check(&dev_only, RULES), []);
    }

    #[test]
    fn absent_crates_are_skipped() {
        assert_eq!(
            check(&graph(&[("roomkv-cli", "tokio", Kind::Normal)]), RULES),
            []
        );
        assert_eq!(check(&Graph::default(), RULES), []);
    }

    #[test]
    fn cycles_terminate() {
        let g = graph(&[
            ("roomkv-core", "a", Kind::Normal),
            ("a", "roomkv-core", Kind::Normal),
            ("a", "a", Kind::Normal),
        ]);
        assert_eq!(check(&g, RULES), []);
    }

    #[test]
    fn cargo_tree_output_is_parsed_including_repeated_subtrees() {
        let tree = "\
0roomkv-core v0.1.0 (/w/crates/roomkv-core)
1serde v1.0.229
2serde_derive v1.0.229 (proc-macro)
3syn v2.0.1
1x v0.1.0 (/w/x)
2serde v1.0.229 (*)
2tokio v1.0.0
3pin-project-lite v0.2.0
1tokio v1.0.0 (*)
";
        let mut g = Graph::default();
        add_tree(&mut g, tree, Kind::Normal).expect("parses");
        assert_eq!(g.ids.len(), 7, "{:?}", g.ids);
        assert_eq!(
            lines(&check(&g, RULES)),
            [format!("roomkv-core -> tokio (direct): {SANS_IO}")]
        );
        let names: BTreeSet<_> = (0..g.ids.len()).map(|n| g.name(n)).collect();
        assert!(names.contains("serde_derive") && names.contains("pin-project-lite"));
    }

    #[test]
    fn two_versions_of_a_crate_are_two_nodes() {
        // Only `a v2` reaches tokio; roomkv-core uses `a v1`.
        let tree = "0roomkv-core v0.1.0\n1a v1.0.0\n0other v0.1.0\n1a v2.0.0\n2tokio v1.0.0\n";
        let mut g = Graph::default();
        add_tree(&mut g, tree, Kind::Normal).expect("parses");
        assert_eq!(check(&g, RULES), []);
    }

    #[test]
    fn malformed_tree_output_is_an_error() {
        let mut g = Graph::default();
        assert!(add_tree(&mut g, "roomkv-core v0.1.0\n", Kind::Normal).is_err());
        assert!(add_tree(&mut g, "0a v1\n2b v1\n", Kind::Normal).is_err());
        assert!(add_tree(&mut g, "0\n", Kind::Normal).is_err());
    }
}
