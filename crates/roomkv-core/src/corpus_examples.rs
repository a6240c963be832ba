//! The vendors' own examples, read from the golden wire corpus (`testdata/wire/`, see its
//! README) for the unit tests, so that every vendor example lives in one place.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::Value;

/// Every fixture of the corpus, by name (`legacy/set_entry`), read once.
fn corpus() -> &'static BTreeMap<String, Value> {
    static CORPUS: OnceLock<BTreeMap<String, Value>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/wire");
        let mut fixtures = BTreeMap::new();
        for dialect in ["legacy", "v4", "tencent"] {
            for entry in std::fs::read_dir(root.join(dialect)).expect("the corpus directory") {
                let path = entry.expect("a corpus file").path();
                let text = std::fs::read_to_string(&path).expect("a readable fixture");
                let stem = path.file_stem().and_then(|s| s.to_str()).expect("a name");
                let fixture = serde_json::from_str(&text).expect("a JSON fixture");
                fixtures.insert(format!("{dialect}/{stem}"), fixture);
            }
        }
        fixtures
    })
}

/// The body of example `index` of `side` (`"request"` or `"response"`) of `fixture`.
fn example(fixture: &str, side: &str, index: usize) -> &'static str {
    corpus()[fixture][side]["examples"][index]["body"]
        .as_str()
        .unwrap_or_else(|| panic!("{fixture} has no {side} example {index}"))
}

/// The body of request example `index` of `fixture` (`"legacy/set_entry"`).
pub(crate) fn request(fixture: &str, index: usize) -> &'static str {
    example(fixture, "request", index)
}

/// The body of response example `index` of `fixture`.
pub(crate) fn response(fixture: &str, index: usize) -> &'static str {
    example(fixture, "response", index)
}

/// The text of an error reply under `testdata/wire/errors/` (`"legacy/error-1004-signature.json"`):
/// error envelopes shared by every endpoint of a dialect.
macro_rules! wire_error {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/wire/errors/",
            $name
        ))
    };
}
pub(crate) use wire_error;
