//! `roomkv parity record | check` end to end: a transcript recorded against the emulator checks
//! clean against a fresh one and the run leaves nothing behind; an emulator configured with
//! another choice for an undocumented case differs at exactly the steps that provoke it; no
//! secret of the run is in the transcript or the output; a vendor without credentials and the
//! steps that need a variable are skipped with a note against a real service; and every
//! checked-in transcript under `crates/roomkv-emulator/testdata/parity/` checks clean.
//!
//! `ROOMKV_PARITY_BLESS=1 cargo nextest run -p roomkv-cli parity` re-records the emulator's
//! checked-in transcript (`emulator-default.jsonl`) before checking it, as insta's and
//! trybuild's bless variables do: run it after a deliberate change of the emulator or of the
//! default scenario, and review the diff of the file.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use roomkv_emulator::{Emulator as InProcess, EmulatorConfig};
use roomkv_rongcloud::RongCloudCode;
use serde_json::Value;

use crate::process::{Finished, Roomkv};
use crate::vendor::{Emulator, RC_KEY, RC_SECRET, TC_SDKAPPID, TC_SECRET, success};

/// Where the checked-in transcripts are.
const TESTDATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../roomkv-emulator/testdata/parity"
);

/// The transcript of the default scenario recorded against the emulator.
const EMULATOR_TRANSCRIPT: &str = "emulator-default.jsonl";

/// The variable that re-records [`EMULATOR_TRANSCRIPT`].
const BLESS: &str = "ROOMKV_PARITY_BLESS";

/// The credential flags of both vendors.
fn credentials<'a>(rc_secret: &'a str, tc_secret: &'a str) -> [&'a str; 8] {
    [
        "--app-key",
        RC_KEY,
        "--app-secret",
        rc_secret,
        "--sdkappid",
        TC_SDKAPPID,
        "--secret-key",
        tc_secret,
    ]
}

/// A path in this test process's scratch directory.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("roomkv-parity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

fn text(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// `roomkv parity record` against `url` into `output`, with `extra` arguments; at most two
/// minutes (the default scenario takes about a second against the emulator).
fn record(url: &str, output: &Path, extra: &[&str]) -> Finished {
    let argv = [
        &[
            "parity",
            "record",
            "--base-url",
            url,
            "--output",
            text(output),
        ][..],
        extra,
    ]
    .concat();
    Roomkv::spawn(&argv).wait(std::time::Duration::from_secs(120))
}

/// `roomkv parity check TRANSCRIPT` with `extra` arguments.
fn check(transcript: &Path, extra: &[&str]) -> Finished {
    let argv = [&["parity", "check", text(transcript)][..], extra].concat();
    Roomkv::spawn(&argv).wait(std::time::Duration::from_secs(120))
}

/// The transcript's header and step lines.
fn transcript(path: &Path) -> (Value, Vec<Value>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("{e}: {line}")));
    let header = lines.next().expect("a header");
    (header, lines.collect())
}

/// The names of the steps a check reports as different.
fn differing(out: &Finished) -> Vec<String> {
    out.stdout
        .lines()
        .filter_map(|line| line.strip_prefix("DIFF  "))
        .map(str::to_owned)
        .collect()
}

/// An emulator in this process with `config`, served on a loopback port for as long as the
/// runtime lives.
fn in_process(config: EmulatorConfig) -> (tokio::runtime::Runtime, String) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime
        .block_on(InProcess::new(config).serve("127.0.0.1:0"))
        .unwrap();
    let url = server.base_url();
    // Served until the runtime drops with the test.
    runtime.spawn(async move {
        std::future::pending::<()>().await;
        drop(server);
    });
    (runtime, url)
}

#[test]
fn a_transcript_recorded_against_the_emulator_checks_clean_and_the_run_cleans_up() {
    let state = scratch("state.json");
    let emulator = Emulator::start_with(&["--state", text(&state)]);
    let output = scratch("recorded.jsonl");
    let out = record(&emulator.url, &output, &credentials(RC_SECRET, TC_SECRET));
    let summary = success(&out);
    let (header, steps) = transcript(&output);
    assert_eq!(
        summary,
        serde_json::json!({"ok": true, "output": text(&output), "target": "emulator",
            "recorded": steps.len(), "skipped": 0})
    );
    assert_eq!(header["recorded_against"], "emulator");
    assert!(steps.len() > 100, "{}", steps.len());
    // Both vendors, both dialects, successes and errors.
    for (name, status, code) in [
        ("legacy/entry-set", 200, 200),
        ("legacy/wrong-secret", 401, 1004),
        ("v4/metadata-set", 200, 0),
        ("v4/metadata-set-no-channel", 400, 1002),
        ("tencent/create-room", 200, 0),
        ("tencent/auth-expired", 200, 70001),
    ] {
        let step = steps
            .iter()
            .find(|s| s["request"]["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(
            (step["status"].as_i64(), step["code"].as_i64()),
            (Some(status), Some(code)),
            "{step}"
        );
    }

    // The cleanup left no entry, expansion or Tencent room behind (the state file is written
    // before each answer).
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    let saved = &saved["state"];
    let chatrooms = saved["chatrooms"].as_array().unwrap();
    assert_eq!(chatrooms.len(), 4, "{saved}");
    for room in chatrooms {
        assert_eq!(room["room"]["entries"], serde_json::json!({}), "{room}");
    }
    for message in saved["messages"].as_array().unwrap() {
        assert_eq!(
            message["message"]["entries"],
            serde_json::json!({}),
            "{message}"
        );
    }
    assert_eq!(saved["rooms"], serde_json::json!([]), "{saved}");

    // A fresh in-process emulator answers the same.
    let out = check(&output, &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(differing(&out).is_empty(), "{}", out.stdout);
    let last = out.stdout.lines().last().unwrap();
    assert_eq!(
        last,
        format!("{0} steps: {0} same, 0 differ, 0 not replayed", steps.len())
    );
    // And so does the same emulator again, named by --base-url.
    let argv = [
        &["--base-url", emulator.url.as_str()][..],
        &credentials(RC_SECRET, TC_SECRET),
    ]
    .concat();
    let out = check(&output, &argv);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn another_choice_for_an_undocumented_case_differs_at_exactly_its_steps() {
    let emulator = Emulator::start();
    let output = scratch("owner.jsonl");
    success(&record(
        &emulator.url,
        &output,
        &credentials(RC_SECRET, TC_SECRET),
    ));

    let mut config = EmulatorConfig::default();
    config.rongcloud.owner_mismatch_code = RongCloudCode::QuantityExceeded;
    let (_runtime, url) = in_process(config);
    let argv = [
        &["--base-url", url.as_str()][..],
        &credentials(RC_SECRET, TC_SECRET),
    ]
    .concat();
    let out = check(&output, &argv);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    // The two steps that touch a key another user owns, and nothing else.
    assert_eq!(
        differing(&out),
        [
            "legacy/entry-set-other-owner",
            "legacy/entry-remove-other-owner"
        ],
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("      code: 1002 in the transcript, 1502 now"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("2 of ") && out.stderr.contains(" steps differ, 0 not replayed"),
        "{}",
        out.stderr
    );
}

/// Distinctive secrets: `/`, `+`, `&`, `=` and the space change under every URL encoding.
const SCAN_RC_SECRET: &str = "Rc/Parity+S3cret&w=7 q";
const SCAN_TC_SECRET: &str = "Tc/Parity+S3cret&k=8 y";

#[test]
fn no_secret_is_in_the_transcript_or_the_output() {
    let emulator = Emulator::start_with(&[
        "--rongcloud-app-secret",
        SCAN_RC_SECRET,
        "--tencent-secret-key",
        SCAN_TC_SECRET,
    ]);
    let output = scratch("secrets.jsonl");
    let argv = [&["-vvv"][..], &credentials(SCAN_RC_SECRET, SCAN_TC_SECRET)].concat();
    let out = record(&emulator.url, &output, &argv);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let transcript = std::fs::read_to_string(&output).unwrap();
    // Not vacuous: the run signed, failed to authenticate on purpose, and was logged.
    for expected in [
        "legacy/wrong-secret",
        "\"code\":1004",
        "70009",
        "auth-wrong-key",
    ] {
        assert!(transcript.contains(expected), "{expected} missing");
    }
    assert!(
        out.stderr.contains("TRACE") || out.stderr.contains("DEBUG"),
        "no logs"
    );

    for (what, text) in [
        ("transcript", transcript.as_str()),
        ("stdout", out.stdout.as_str()),
        ("stderr", out.stderr.as_str()),
    ] {
        for secret in [SCAN_RC_SECRET, SCAN_TC_SECRET] {
            for (encoding, needle) in [
                ("raw", secret.to_owned()),
                (
                    "percent-encoded",
                    utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string(),
                ),
                (
                    "form-encoded",
                    form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
                ),
                ("base64", STANDARD.encode(secret)),
                ("base64url", URL_SAFE_NO_PAD.encode(secret)),
            ] {
                assert!(
                    !text.contains(&needle),
                    "{what}: {encoding} {secret} leaked"
                );
            }
        }
        // Every RongCloud signature is 40 hex digits, every UserSig starts with `eJ` (zlib in
        // base64) and is long: none may be written, whatever secret made it.
        assert!(
            longest_run(text, |c| c.is_ascii_hexdigit()) < 40,
            "{what}: a signature-like run of hex digits"
        );
        assert!(!has_usersig(text), "{what}: a UserSig-like token");
    }
}

/// The length of the longest run of characters matching `class` in `text`.
fn longest_run(text: &str, class: impl Fn(char) -> bool) -> usize {
    text.split(|c: char| !class(c))
        .map(str::len)
        .max()
        .unwrap_or(0)
}

/// Whether `text` holds `eJ` followed by 40 or more characters of the UserSig alphabet
/// (base64 with `*`, `-`, `_` for `+`, `/`, `=`).
fn has_usersig(text: &str) -> bool {
    text.match_indices("eJ").any(|(at, _)| {
        text[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '*' | '-' | '_'))
            .count()
            >= 42
    })
}

#[test]
fn against_a_service_a_vendor_without_credentials_and_steps_without_variables_are_skipped() {
    let emulator = Emulator::start();
    // The health check fails: the recorder takes the server for a real service, so it has no
    // control API to make the message of the expansion steps.
    emulator.control(
        "/_emulator/faults",
        r#"{"path":"/_emulator/health","effect":{"kind":"status","status":404}}"#,
    );
    let output = scratch("service.jsonl");
    let out = record(
        &emulator.url,
        &output,
        &[
            "--pace",
            "0",
            "--app-key",
            RC_KEY,
            "--app-secret",
            RC_SECRET,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        out.stderr
            .contains("roomkv: note: tencent steps skipped: no tencent credentials"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("skipped (legacy/expansion-set and ")
            && out.stderr.contains(
                "needs --var msg_from=… (the sender of that message), --var msg_to=… (the \
                 recipient of that message), --var msg_uid=… (the UID of a one-to-one message"
            ),
        "{}",
        out.stderr
    );
    let (header, steps) = transcript(&output);
    assert_eq!(header["recorded_against"], "service");
    let skipped: Vec<&str> = header["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    let summary: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(summary["skipped"], skipped.len());
    assert_eq!(summary["recorded"], steps.len());
    for step in &steps {
        let name = step["request"]["name"].as_str().unwrap();
        assert!(
            name.starts_with("legacy/") || name.starts_with("v4/"),
            "{name}"
        );
        assert!(!step["request"].to_string().contains("${msg_"), "{name}");
    }
    assert!(skipped.iter().any(|s| s.starts_with("tencent/")));
    assert!(skipped.contains(&"v4/message-metadata-set"));
    assert!(
        !skipped.iter().any(|s| s.ends_with("entry-set")),
        "{skipped:?}"
    );

    // Both vendors' credentials against one real host: refused, so that no signed request
    // goes to the other vendor's host.
    let both = [&["--pace", "0"][..], &credentials(RC_SECRET, TC_SECRET)].concat();
    let out = record(&emulator.url, &scratch("both.jsonl"), &both);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        out.stderr
            .contains("--vendor rongcloud or --vendor tencent"),
        "{}",
        out.stderr
    );
    let tencent_only = [&["--vendor", "tencent"][..], &both].concat();
    let output = scratch("tencent.jsonl");
    let out = record(&emulator.url, &output, &tencent_only);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        out.stderr
            .contains("roomkv: note: rongcloud steps skipped: --vendor tencent"),
        "{}",
        out.stderr
    );
    let (_, steps) = transcript(&output);
    assert!(
        !steps.is_empty() && steps.iter().all(|s| s["request"]["vendor"] == "tencent"),
        "{steps:?}"
    );

    // A variable nobody declared is refused before anything is sent.
    let out = record(&emulator.url, &scratch("x.jsonl"), &["--var", "nope=1"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stderr.contains("--var \"nope=1\""), "{}", out.stderr);
}

#[test]
fn every_checked_in_transcript_checks_clean_against_the_emulator() {
    let dir = Path::new(TESTDATA);
    if std::env::var_os(BLESS).is_some_and(|v| v == "1") {
        let emulator = Emulator::start();
        let out = record(
            &emulator.url,
            &dir.join(EMULATOR_TRANSCRIPT),
            &credentials(RC_SECRET, TC_SECRET),
        );
        success(&out);
    }
    let mut transcripts: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "jsonl"))
        .collect();
    transcripts.sort();
    assert!(
        transcripts.iter().any(|p| p.ends_with(EMULATOR_TRANSCRIPT)),
        "{transcripts:?}"
    );
    for path in transcripts {
        let out = check(&path, &[]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{} differs from the emulator (after a deliberate change: {BLESS}=1):\n{}\n{}",
            path.display(),
            out.stdout,
            out.stderr
        );
    }
}
