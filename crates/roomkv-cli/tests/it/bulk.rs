//! The bulk commands against a spawned emulator: export → import round trips, an import
//! resumed after a lost reply, copies in both directions, and refusals that send nothing.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::process::{Finished, Roomkv};
use crate::vendor::{Emulator, RC_KEY, RC_SECRET, TC_SDKAPPID, TC_SECRET, failure};

/// A file in a fresh temporary directory of this test process, removed with it.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("roomkv-bulk-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        Self(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// JSON lines of `n` keys `{prefix}NN` with values `value-NN`.
fn lines(prefix: &str, n: usize) -> String {
    (0..n)
        .map(|i| format!("{{\"key\":\"{prefix}{i:02}\",\"value\":\"value-{i:02}\"}}\n"))
        .collect()
}

/// The bulk success contract: exit 0, one JSON document on stdout, one summary line on
/// stderr. Returns the document and the summary.
#[track_caller]
fn done(out: &Finished) -> (Value, String) {
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(out.stdout.lines().count(), 1, "stdout: {}", out.stdout);
    assert_eq!(out.stderr.lines().count(), 1, "stderr: {}", out.stderr);
    assert!(out.stderr.starts_with("roomkv: "), "{}", out.stderr);
    let json =
        serde_json::from_str(&out.stdout).unwrap_or_else(|err| panic!("{err}: {}", out.stdout));
    (json, out.stderr.trim_end().to_owned())
}

/// `(applied, skipped, not_applied, unknown)` of an import or copy document.
fn counts(json: &Value) -> (u64, u64, u64, u64) {
    let n = |field: &str| {
        json[field]
            .as_u64()
            .unwrap_or_else(|| panic!("{field}: {json}"))
    };
    (n("applied"), n("skipped"), n("not_applied"), n("unknown"))
}

/// How many KV-sync events (one per key set) the emulator recorded for `room`.
fn kv_sets(emulator: &Emulator, room: &str, key: &str) -> usize {
    let events = emulator.control_get("/_emulator/events?since=0");
    events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["type"] == "rongcloud.kv_sync"
                && e["body"]["chatroomId"] == room
                && e["body"]["key"] == key
                && e["body"]["optType"] == 1
        })
        .count()
}

/// `key → value` of a `rongcloud entry query` or `tencent metadata get` document.
fn pairs(json: &Value, list: &str, key: &str, value: &str) -> Vec<(String, String)> {
    let mut out: Vec<_> = json[list]
        .as_array()
        .unwrap_or_else(|| panic!("{json}"))
        .iter()
        .map(|e| {
            (
                e[key].as_str().unwrap().to_owned(),
                e[value].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

fn entries_of(emulator: &Emulator, room: &str) -> Vec<(String, String)> {
    let out = emulator.rongcloud(&["entry", "query", "--room", room]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    pairs(
        &serde_json::from_str(&out.stdout).unwrap(),
        "entries",
        "key",
        "value",
    )
}

fn metadata_of(emulator: &Emulator, room: &str) -> Vec<(String, String)> {
    let out = emulator.tencent(&["metadata", "get", "--room", room]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    pairs(&json, "entries", "key", "value")
}

fn expected(prefix: &str, n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| (format!("{prefix}{i:02}"), format!("value-{i:02}")))
        .collect()
}

#[test]
fn entries_round_trip_and_an_interrupted_import_resumes_without_repeating() {
    let emulator = Emulator::start();
    let file = TempFile::new("entries.jsonl", &lines("k", 45));
    let import = |room: &str, path: &str| {
        emulator.rongcloud(&["entry", "import", "--room", room, "--owner", "anchor", path])
    };
    let (json, summary) = done(&import("src", file.path()));
    assert_eq!(counts(&json), (45, 0, 0, 0), "{json}");
    assert!(summary.contains("45 applied, 0 skipped"), "{summary}");

    // Export: one line per entry, with its owner, re-importable.
    let export = emulator.rongcloud(&["entry", "export", "--room", "src"]);
    assert_eq!(export.status.code(), Some(0), "{export:?}");
    let exported: Vec<Value> = export
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(exported.len(), 45);
    assert!(
        exported
            .iter()
            .all(|e| e["owner"] == "anchor" && e["auto_delete"] == false)
    );
    let dump = TempFile::new("export.jsonl", &export.stdout);
    // The same export to a file: the same lines there, and one summary document on stdout.
    let copy = TempFile::new("export-copy.jsonl", "");
    let to_file = emulator.rongcloud(&["entry", "export", "--room", "src", "-o", copy.path()]);
    assert_eq!(
        done(&to_file).0,
        serde_json::json!({"ok": true, "room": "src", "exported": 45, "output": copy.path()})
    );
    assert_eq!(std::fs::read_to_string(copy.path()).unwrap(), export.stdout);

    // The first batch set into dst is processed but its reply is lost: the import stops and
    // says which keys are unknown and which were not sent.
    emulator.control(
        "/_emulator/faults",
        r#"{"path":"/chatroom/entry/batch/set.json","times":1,"effect":{"kind":"close_after_processing"}}"#,
    );
    let line = failure(&import("dst", dump.path()), 1);
    assert!(
        line.contains("0 applied, 0 skipped, 25 not applied, 20 unknown"),
        "{line}"
    );
    assert!(line.contains("rerun to resume"), "{line}");

    // The rerun reads dst, skips the 20 keys the lost request did set, and sets the rest.
    let (json, _) = done(&import("dst", dump.path()));
    assert_eq!(counts(&json), (25, 20, 0, 0), "{json}");
    assert_eq!(entries_of(&emulator, "dst"), expected("k", 45));
    for key in ["k00", "k19", "k20", "k44"] {
        assert_eq!(kv_sets(&emulator, "dst", key), 1, "{key} was set once");
    }

    // A third run has nothing to do.
    let (json, _) = done(&import("dst", dump.path()));
    assert_eq!(counts(&json), (0, 45, 0, 0), "{json}");
}

#[test]
fn metadata_round_trip_and_a_bad_file_is_refused_with_line_numbers() {
    let emulator = Emulator::start();
    for room in ["src", "dst"] {
        let out = emulator.tencent(&["room", "create", "--room", room]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
    }
    let file = TempFile::new("metadata.jsonl", &lines("m", 4));
    let import =
        |room: &str, path: &str| emulator.tencent(&["metadata", "import", "--room", room, path]);
    let (json, _) = done(&import("src", file.path()));
    assert_eq!(counts(&json), (4, 0, 0, 0), "{json}");

    let dump = TempFile::new("dump.jsonl", "");
    let export = emulator.tencent(&[
        "metadata",
        "export",
        "--room",
        "src",
        "--output",
        dump.path(),
    ]);
    // To a file: the one summary document on stdout, like every other success.
    assert_eq!(
        done(&export).0,
        serde_json::json!({"ok": true, "room": "src", "exported": 4, "output": dump.path()})
    );
    assert!(
        export.stderr.contains("exported 4 keys"),
        "{}",
        export.stderr
    );
    let (json, _) = done(&import("dst", dump.path()));
    assert_eq!(counts(&json), (4, 0, 0, 0), "{json}");
    assert_eq!(metadata_of(&emulator, "dst"), expected("m", 4));

    // Every problem is listed with its line number, and nothing is sent.
    let long_key = "k".repeat(51);
    let bad = TempFile::new(
        "bad.jsonl",
        &format!(
            "{{\"key\":\"new\",\"value\":\"v\"}}\nnot json\n{{\"key\":\"{long_key}\",\"value\":\"v\"}}\n\n{{\"key\":\"new\",\"value\":\"w\"}}\n"
        ),
    );
    let line = failure(&import("dst", bad.path()), 2);
    assert!(line.contains("3 problems, nothing sent"), "{line}");
    assert!(line.contains("line 2: not a"), "{line}");
    assert!(
        line.contains("line 3: Key has 51 bytes, at most 50 allowed"),
        "{line}"
    );
    assert!(
        line.contains("line 5: key \"new\" repeats line 1"),
        "{line}"
    );
    assert_eq!(metadata_of(&emulator, "dst"), expected("m", 4));
}

#[test]
fn an_import_the_room_cannot_hold_is_refused_whole_with_every_violation() {
    let emulator = Emulator::start();

    // RongCloud: a room holds 100 keys. 95 are there; 10 more do not fit, and none is set.
    let import = |room: &str, path: &str| {
        emulator.rongcloud(&["entry", "import", "--room", room, "--owner", "anchor", path])
    };
    let first = TempFile::new("first.jsonl", &lines("a", 95));
    done(&import("full", first.path()));
    let more = TempFile::new("more.jsonl", &lines("b", 10));
    let line = failure(&import("full", more.path()), 2);
    assert!(
        line.contains(&format!(
            "RongCloud room full cannot hold {}: 1 problem, nothing sent",
            more.path()
        )),
        "{line}"
    );
    assert!(
        line.contains("room has 105 keys, at most 100 allowed"),
        "{line}"
    );
    assert_eq!(entries_of(&emulator, "full"), expected("a", 95));
    // Keys the room already holds count once: 100 keys in all fit.
    let hundred = TempFile::new("hundred.jsonl", &lines("a", 100));
    let (json, _) = done(&import("full", hundred.path()));
    assert_eq!(counts(&json), (5, 95, 0, 0), "{json}");

    // Tencent: a room holds 10 keys and 16 KB of values. 4 keys are there; 8 more of 2 KB each
    // break both limits, and both are listed.
    let out = emulator.tencent(&["room", "create", "--room", "live"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let import = |path: &str| emulator.tencent(&["metadata", "import", "--room", "live", path]);
    let first = TempFile::new("first-tc.jsonl", &lines("m", 4));
    done(&import(first.path()));
    let big: String = (0..8)
        .map(|i| {
            format!(
                "{{\"key\":\"big{i}\",\"value\":\"{}\"}}\n",
                "v".repeat(2048)
            )
        })
        .collect();
    let big = TempFile::new("big-tc.jsonl", &big);
    let line = failure(&import(big.path()), 2);
    assert!(
        line.contains(&format!(
            "Tencent room live cannot hold {}: 2 problems, nothing sent",
            big.path()
        )),
        "{line}"
    );
    assert!(
        line.contains("room has 12 keys, at most 10 allowed"),
        "{line}"
    );
    assert!(
        line.contains("room values have 16416 bytes in total, at most 16384 allowed"),
        "{line}"
    );
    assert_eq!(metadata_of(&emulator, "live"), expected("m", 4));
}

#[test]
fn with_v_an_import_ends_with_what_the_client_did() {
    let emulator = Emulator::start();
    let file = TempFile::new("counted.jsonl", &lines("c", 45));
    // The first batch set is throttled (not processed) and retried.
    emulator.control(
        "/_emulator/faults",
        r#"{"path":"/chatroom/entry/batch/set.json","times":1,"effect":{"kind":"vendor_error","code":1008}}"#,
    );
    let out = emulator.rongcloud(&[
        "-v",
        "entry",
        "import",
        "--room",
        "counted",
        "--owner",
        "anchor",
        file.path(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // One query of the room, then three batches (20, 20, 5 keys), one of them sent twice.
    let line = out
        .stderr
        .lines()
        .find(|line| line.starts_with("roomkv: 4 requests"))
        .unwrap_or_else(|| panic!("no summary line: {}", out.stderr));
    assert!(
        line.starts_with("roomkv: 4 requests (0 failed), 1 retries, "),
        "{line}"
    );
    assert!(line.ends_with(" s), 0 failovers"), "{line}");

    // Without -v, a bulk command prints its own summary only.
    let quiet = emulator.rongcloud(&["entry", "export", "--room", "counted"]);
    assert_eq!(quiet.status.code(), Some(0), "{quiet:?}");
    assert_eq!(quiet.stderr, "roomkv: exported 45 keys of room counted\n");
}

/// `roomkv copy ARGS` with both vendors' demo credentials, against the emulator.
fn copy(emulator: &Emulator, args: &[&str]) -> Finished {
    let credentials = [
        "--app-key",
        RC_KEY,
        "--app-secret",
        RC_SECRET,
        "--sdkappid",
        TC_SDKAPPID,
        "--secret-key",
        TC_SECRET,
        "--base-url",
        &emulator.url,
    ];
    Roomkv::run(&[&["copy"][..], args, &credentials].concat())
}

#[test]
fn copy_goes_both_ways_and_refuses_what_the_target_cannot_hold() {
    let emulator = Emulator::start();
    for room in ["live1", "live2"] {
        let out = emulator.tencent(&["room", "create", "--room", room]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
    }
    let file = TempFile::new("copy.jsonl", &lines("c", 6));
    let out = emulator.rongcloud(&[
        "entry",
        "import",
        "--room",
        "r1",
        "--owner",
        "anchor",
        file.path(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");

    // RongCloud → Tencent.
    let (json, summary) = done(&copy(
        &emulator,
        &["--from", "rongcloud:r1", "--to", "tencent:live1"],
    ));
    assert_eq!(counts(&json), (6, 0, 0, 0), "{json}");
    assert_eq!(json["from"], "rongcloud:r1");
    assert!(
        summary.contains("copy from rongcloud:r1 to tencent:live1"),
        "{summary}"
    );
    assert_eq!(metadata_of(&emulator, "live1"), expected("c", 6));

    // Tencent → RongCloud, as bob; a second copy skips everything.
    let back = [
        "--from",
        "tencent:live1",
        "--to",
        "rongcloud:r2",
        "--owner",
        "bob",
    ];
    let (json, _) = done(&copy(&emulator, &back));
    assert_eq!(counts(&json), (6, 0, 0, 0), "{json}");
    assert_eq!(entries_of(&emulator, "r2"), expected("c", 6));
    let (json, _) = done(&copy(&emulator, &back));
    assert_eq!(counts(&json), (0, 6, 0, 0), "{json}");

    // A RongCloud room Tencent cannot hold: every violation listed, nothing written.
    let mut text = lines("big", 11);
    text.push_str(&format!(
        "{{\"key\":\"long\",\"value\":\"{}\"}}\n",
        "v".repeat(3000)
    ));
    let big = TempFile::new("big.jsonl", &text);
    let out = emulator.rongcloud(&[
        "entry",
        "import",
        "--room",
        "r3",
        "--owner",
        "anchor",
        big.path(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let line = failure(
        &copy(
            &emulator,
            &["--from", "rongcloud:r3", "--to", "tencent:live2"],
        ),
        2,
    );
    assert!(
        line.contains("tencent:live2 cannot hold rongcloud:r3: 2 problems, nothing sent"),
        "{line}"
    );
    assert!(
        line.contains("key \"long\": Value has 3000 bytes, at most 2048 allowed"),
        "{line}"
    );
    assert!(
        line.contains("room has 12 keys, at most 10 allowed"),
        "{line}"
    );
    assert!(metadata_of(&emulator, "live2").is_empty());

    // A Tencent key RongCloud cannot hold, and a RongCloud target without an owner.
    let out = emulator.tencent(&["metadata", "set", "--room", "live2", "seat 1=alice"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let line = failure(
        &copy(
            &emulator,
            &[
                "--from",
                "tencent:live2",
                "--to",
                "rongcloud:r4",
                "--owner",
                "bob",
            ],
        ),
        2,
    );
    assert!(line.contains("key \"seat 1\": key contains ' '"), "{line}");
    let line = failure(
        &copy(
            &emulator,
            &["--from", "tencent:live1", "--to", "rongcloud:r4"],
        ),
        2,
    );
    assert!(line.contains("--owner is required"), "{line}");
    assert!(entries_of(&emulator, "r4").is_empty());
    let line = failure(
        &copy(&emulator, &["--from", "slack:r", "--to", "rongcloud:r4"]),
        2,
    );
    assert!(
        line.contains("is not rongcloud:ROOM or tencent:ROOM"),
        "{line}"
    );
}

#[test]
fn copy_with_info_copies_a_tencent_rooms_settings_and_is_refused_for_rongcloud() {
    let emulator = Emulator::start();
    for room in ["src", "dst"] {
        let out = emulator.tencent(&["room", "create", "--room", room]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
    }
    let out = emulator.tencent(&[
        "room",
        "update",
        "--room",
        "src",
        "--name",
        "Friday quiz",
        "--notice",
        "Starts at 8",
        "--cover",
        "https://example.com/c.png",
        "--category",
        "4,5",
        "--activity-status",
        "2",
        "--take-seat-mode",
        "apply",
        "--message-disabled",
        "true",
        "--max-members",
        "50",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = emulator.tencent(&["metadata", "set", "--room", "src", "stage=quiz"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");

    let with_info = [
        "--from",
        "tencent:src",
        "--to",
        "tencent:dst",
        "--with-info",
    ];
    let changed = json!({
        "RoomName": "Friday quiz",
        "Notice": "Starts at 8",
        "CoverURL": "https://example.com/c.png",
        "Category": [4, 5],
        "ActivityStatus": 2,
        "TakeSeatMode": "ApplyToTake",
        "IsMessageDisabled": true,
        "MaxMemberCount": 50,
    });

    // A dry run shows the keys and the settings it would copy, and writes nothing.
    let dry_run = [&with_info[..], &["--dry-run"]].concat();
    let (json, summary) = done(&copy(&emulator, &dry_run));
    assert_eq!(json["dry_run"], true, "{json}");
    assert_eq!(
        json["set"],
        json!([{"key": "stage", "value": "quiz"}]),
        "{json}"
    );
    assert_eq!(json["skipped"], 0, "{json}");
    assert_eq!(json["info"]["changed"], changed, "{json}");
    assert!(
        summary.contains("dry run: 1 to set, 0 skipped, nothing written"),
        "{summary}"
    );
    assert!(metadata_of(&emulator, "dst").is_empty());
    let info = emulator.tencent(&["room", "info", "--room", "dst"]);
    assert!(!info.stdout.contains("Friday quiz"), "{info:?}");

    let (json, _) = done(&copy(&emulator, &with_info));
    assert_eq!(counts(&json), (1, 0, 0, 0), "{json}");
    assert_eq!(json["info"]["changed"], changed, "{json}");
    let info = emulator.tencent(&["room", "info", "--room", "dst"]);
    assert_eq!(info.status.code(), Some(0), "{info:?}");
    let info: Value = serde_json::from_str(&info.stdout).unwrap();
    for (field, value) in changed.as_object().unwrap() {
        assert_eq!(&info[field], value, "{field}: {info}");
    }
    assert_eq!(
        metadata_of(&emulator, "dst"),
        [("stage".to_owned(), "quiz".to_owned())]
    );

    // A rerun finds every setting equal and sends no update.
    let (json, _) = done(&copy(&emulator, &with_info));
    assert_eq!(counts(&json), (0, 1, 0, 0), "{json}");
    assert_eq!(json["info"]["changed"], json!({}), "{json}");
    // Every setting the source has (it was never given IsPublicVisible).
    assert_eq!(
        json["info"]["unchanged"],
        json!([
            "ActivityStatus",
            "Category",
            "CoverURL",
            "IsMessageDisabled",
            "MaxMemberCount",
            "Notice",
            "RoomName",
            "TakeSeatMode"
        ]),
        "{json}"
    );

    // Without --with-info the document has no `info`.
    let (json, _) = done(&copy(
        &emulator,
        &["--from", "tencent:src", "--to", "tencent:dst"],
    ));
    assert!(json.get("info").is_none(), "{json}");

    // A RongCloud side: a usage error, nothing read or written.
    for (from, to) in [
        ("rongcloud:r1", "tencent:dst"),
        ("tencent:src", "rongcloud:r1"),
    ] {
        let line = failure(
            &copy(
                &emulator,
                &["--from", from, "--to", to, "--owner", "bob", "--with-info"],
            ),
            2,
        );
        assert!(
            line.contains("--with-info") && line.contains("tencent:ROOM"),
            "{line}"
        );
    }

    // The keys land but the update fails: exit 1, saying the keys were copied and the settings
    // were not; a rerun copies the settings and skips the keys.
    let out = emulator.tencent(&["room", "create", "--room", "dst2"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    emulator.control(
        "/_emulator/faults",
        r#"{"path":"/v4/live_engine_http_srv/update_room_info","times":1,"effect":{"kind":"vendor_error","code":100001}}"#,
    );
    let to_dst2 = [
        "--from",
        "tencent:src",
        "--to",
        "tencent:dst2",
        "--with-info",
    ];
    let line = failure(&copy(&emulator, &to_dst2), 1);
    assert!(
        line.contains(
            "copy from tencent:src to tencent:dst2: the keys were copied, the settings were not"
        ) && line.contains("100001"),
        "{line}"
    );
    assert_eq!(
        metadata_of(&emulator, "dst2"),
        [("stage".to_owned(), "quiz".to_owned())]
    );
    let (json, _) = done(&copy(&emulator, &to_dst2));
    assert_eq!(counts(&json), (0, 1, 0, 0), "{json}");
    assert_eq!(json["info"]["changed"], changed, "{json}");

    // A target room that does not exist: Tencent's 100004 before anything is written.
    let line = failure(
        &copy(
            &emulator,
            &[
                "--from",
                "tencent:src",
                "--to",
                "tencent:nowhere",
                "--with-info",
            ],
        ),
        1,
    );
    assert!(line.contains("100004"), "{line}");
}
