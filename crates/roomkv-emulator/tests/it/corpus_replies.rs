//! (d) of the golden wire corpus (`roomkv-core/testdata/wire/`; kinds (a) to (c) are core's
//! `tests/wire_corpus/`): every vendor example request of every fixture, sent to the emulator
//! over loopback HTTP, is answered in the documented shape (the fixture's primary response
//! schema: field names, JSON types, required fields, nothing undocumented), or refused as the
//! vendor documents (a parameter error naming the field) when the fixture says the example is
//! refused. A new fixture is a new case.
//!
//! The fixtures run per dialect on a fresh emulator, in the order rooms and messages live:
//! created, written, read, emptied, destroyed, so that each example finds what it needs.

#[path = "../../../roomkv-core/tests/wire_corpus/corpus.rs"]
mod corpus;

use std::path::Path;

use corpus::{Dialect, Fixture, RequestExample, load_all};
use http::Request;

use crate::common::*;
use crate::served::*;

/// The corpus directory.
fn corpus_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../roomkv-core/testdata/wire")
}

/// The fixture named `name` (`"legacy/set_entry"`).
fn fixture(name: &str) -> Fixture {
    load_all(&corpus_dir())
        .into_iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no fixture {name}"))
}

/// The body of request example `index` of fixture `name`, for the tests that replay one.
pub(crate) fn request_body(name: &str, index: usize) -> String {
    fixture(name).request.examples.swap_remove(index).body
}

/// The body of response example `index` of fixture `name`.
pub(crate) fn response_body(name: &str, index: usize) -> String {
    fixture(name).response.examples.swap_remove(index).body
}

/// When a fixture's examples run, by its operation's verb.
fn phase(operation: &str) -> u8 {
    const VERBS: [(&str, u8); 11] = [
        ("Create", 0),
        ("Set", 1),
        ("Update", 1),
        ("BatchSet", 1),
        ("Get", 2),
        ("Query", 2),
        ("List", 2),
        ("Remove", 3),
        ("BatchRemove", 3),
        ("Del", 3),
        ("Destroy", 4),
    ];
    VERBS
        .iter()
        .find(|(verb, _)| operation.starts_with(verb))
        .map(|(_, phase)| *phase)
        .unwrap_or_else(|| panic!("no phase for {operation}: add its verb"))
}

/// Sends `example` as the emulator's default app would: signed, with the dialect's content type.
async fn send(s: &Served, fixture: &Fixture, example: &RequestExample) -> Reply {
    let path = example.path(fixture);
    let body = example.body.clone();
    let content_type = match fixture.dialect {
        Dialect::Legacy => "application/x-www-form-urlencoded",
        Dialect::V4 => "application/json",
        Dialect::Tencent => {
            let command = path.rsplit('/').next().unwrap();
            return s.send(tc_request(command, body)).await;
        }
    };
    let request = Request::post(path)
        .header("Content-Type", content_type)
        .body(body)
        .unwrap();
    s.send(sign_rc(request)).await
}

#[tokio::test]
async fn the_emulator_answers_the_vendors_example_requests_in_the_documented_shape() {
    let mut fixtures = load_all(&corpus_dir());
    fixtures.sort_by_key(|f| (f.dialect, phase(&f.operation)));
    let mut answered = 0;
    for dialect in [Dialect::Legacy, Dialect::V4, Dialect::Tencent] {
        let s = Served::unlimited().await;
        for fixture in fixtures.iter().filter(|f| f.dialect == dialect) {
            for example in &fixture.request.examples {
                let reply = send(&s, fixture, example).await;
                let context = format!("{}: {}: {}", fixture.name, example.source, reply.text());
                match example.expect.refused_field() {
                    None => {
                        let success = match dialect {
                            Dialect::Legacy => 200,
                            Dialect::V4 | Dialect::Tencent => 0,
                        };
                        assert_eq!(reply.status_code(), (200, success), "{context}");
                        fixture
                            .response
                            .primary()
                            .check_json(&reply.json())
                            .unwrap_or_else(|e| panic!("{context}: {e}"));
                    }
                    Some(field) => {
                        // Legacy: HTTP 200 and 1002; v4: HTTP 400 and 1002; Tencent: 100002.
                        let (refusal, message) = match dialect {
                            Dialect::Legacy => ((200, 1002), "errorMessage"),
                            Dialect::V4 => ((400, 1002), "errorMessage"),
                            Dialect::Tencent => ((200, 100_002), "ErrorInfo"),
                        };
                        assert_eq!(reply.status_code(), refusal, "{context}");
                        let message = reply.json()[message].as_str().unwrap().to_owned();
                        assert!(message.contains(field), "{context}");
                    }
                }
                answered += 1;
            }
        }
        s.shutdown().await;
    }
    assert!(answered > fixtures.len(), "every fixture has examples");
}
