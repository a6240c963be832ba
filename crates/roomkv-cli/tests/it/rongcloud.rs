//! `roomkv rongcloud ...` against the emulator: every subcommand, its JSON and its exit codes.

use serde_json::json;

use crate::process::Roomkv;
use crate::vendor::{Emulator, RC_KEY, RC_SECRET, failure, success};

#[test]
fn entry_set_query_remove() {
    let emulator = Emulator::start();

    let set = emulator.rongcloud(&[
        "entry",
        "set",
        "--room",
        "room1",
        "--user",
        "anchor",
        "--key",
        "stage",
        "--value",
        "quiz=1 ü",
    ]);
    assert_eq!(
        success(&set),
        json!({"ok": true, "room": "room1", "user": "anchor", "key": "stage",
               "value": "quiz=1 ü", "auto_delete": false, "notify": false})
    );

    // Query after set returns the value, typed.
    let query = success(&emulator.rongcloud(&["entry", "query", "--room", "room1"]));
    assert_eq!(query["room"], "room1");
    let entries = query["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{query}");
    assert_eq!(entries[0]["key"], "stage");
    assert_eq!(entries[0]["value"], "quiz=1 ü");
    assert_eq!(entries[0]["user_id"], "anchor");
    assert_eq!(entries[0]["auto_delete"], false);
    assert!(entries[0]["last_set_time_ms"].as_u64().unwrap() > 1_600_000_000_000);

    // The same by key; a key the room does not have is left out.
    let query =
        success(&emulator.rongcloud(&["entry", "query", "--room", "room1", "stage", "never-set"]));
    assert_eq!(query["entries"].as_array().unwrap().len(), 1, "{query}");
    assert_eq!(query["entries"][0]["value"], "quiz=1 ü");

    let remove = emulator.rongcloud(&[
        "entry", "remove", "--room", "room1", "--user", "anchor", "--key", "stage",
    ]);
    assert_eq!(
        success(&remove),
        json!({"ok": true, "room": "room1", "user": "anchor", "key": "stage", "notify": false})
    );
    let query = success(&emulator.rongcloud(&["entry", "query", "--room", "room1"]));
    assert_eq!(query, json!({"room": "room1", "entries": []}));

    // Removing a missing key: RongCloud's 1015, with the request id, exit code 1.
    let again = emulator.rongcloud(&[
        "entry", "remove", "--room", "room1", "--user", "anchor", "--key", "stage",
    ]);
    let line = failure(&again, 1);
    assert!(line.contains("1015"), "{line}");
    assert!(line.contains("request id "), "{line}");
    assert!(!line.contains("outcome unknown"), "{line}");
}

#[test]
fn entry_options_and_notifications() {
    let emulator = Emulator::start();
    let set = emulator.rongcloud(&[
        "entry",
        "set",
        "--room",
        "room2",
        "--user",
        "alice",
        "--key",
        "seat-3",
        "--value",
        "alice",
        "--auto-delete",
        "--notify",
        "--notify-extra",
        "alice took seat 3",
    ]);
    assert_eq!(
        success(&set),
        json!({"ok": true, "room": "room2", "user": "alice", "key": "seat-3", "value": "alice",
               "auto_delete": true, "notify": true, "notify_extra": "alice took seat 3"})
    );
    let query = success(&emulator.rongcloud(&["entry", "query", "--room", "room2"]));
    assert_eq!(query["entries"][0]["auto_delete"], true, "{query}");

    let remove = emulator.rongcloud(&[
        "entry", "remove", "--room", "room2", "--user", "alice", "--key", "seat-3", "--notify",
    ]);
    assert_eq!(
        success(&remove),
        json!({"ok": true, "room": "room2", "user": "alice", "key": "seat-3", "notify": true})
    );

    // Both writes posted RongCloud's KV notification to the room.
    let events = emulator.control_get("/_emulator/events?since=0");
    let notifications: Vec<&serde_json::Value> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["type"] == "rongcloud.notification")
        .collect();
    assert_eq!(notifications.len(), 2, "{events}");
    for notification in &notifications {
        assert_eq!(notification["body"]["objectName"], "RC:chrmKVNotiMsg");
        assert_eq!(notification["body"]["chatroomId"], "room2");
    }
    let content = notifications[0]["body"]["content"].as_str().unwrap();
    assert!(content.contains("alice took seat 3"), "{content}");
}

#[test]
fn entry_batches() {
    let emulator = Emulator::start();
    let set = emulator.rongcloud(&[
        "entry",
        "batch-set",
        "--room",
        "room3",
        "--owner",
        "anchor",
        "stage=quiz",
        "formula=a=b+c",
        "empty=",
    ]);
    assert_eq!(
        success(&set),
        json!({"ok": true, "room": "room3", "owner": "anchor", "auto_delete": false,
               "entries": [{"key": "stage", "value": "quiz"},
                           {"key": "formula", "value": "a=b+c"},
                           {"key": "empty", "value": ""}]})
    );
    let query = success(&emulator.rongcloud(&["entry", "query", "--room", "room3", "formula"]));
    assert_eq!(query["entries"][0]["value"], "a=b+c", "{query}");
    assert_eq!(query["entries"][0]["user_id"], "anchor", "{query}");

    let remove = emulator.rongcloud(&[
        "entry",
        "batch-remove",
        "--room",
        "room3",
        "--owner",
        "anchor",
        "stage",
        "formula",
    ]);
    assert_eq!(
        success(&remove),
        json!({"ok": true, "room": "room3", "owner": "anchor", "keys": ["stage", "formula"]})
    );
    let query = success(&emulator.rongcloud(&["entry", "query", "--room", "room3"]));
    let keys: Vec<&str> = query["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["empty"]);

    // Refused before sending: a key twice, an argument without `=`, an empty key.
    for (pairs, needle) in [
        (&["a=1", "a=2"][..], "more than once"),
        (&["a=1", "nope"], "\"nope\" is not KEY=VALUE"),
        (&["=1"], "key is empty"),
    ] {
        let argv = [
            &["entry", "batch-set", "--room", "room3", "--owner", "anchor"][..],
            pairs,
        ]
        .concat();
        let line = failure(&emulator.rongcloud(&argv), 2);
        assert!(line.contains(needle), "{pairs:?}: {line}");
        assert!(line.contains("refused before sending"), "{line}");
    }
}

#[test]
fn expansions_set_query_delete() {
    let emulator = Emulator::start();
    let msg = "BRGM-DEN2-01E4-BN66";
    let target = [
        "--msg-uid",
        msg,
        "--user",
        "alice",
        "--conversation",
        "group",
        "--target",
        "group1",
    ];

    let set = emulator
        .rongcloud(&[&["expansion", "set"][..], &target, &["likes=3", "note=a=b"]].concat());
    assert_eq!(
        success(&set),
        json!({"ok": true, "msg_uid": msg, "user": "alice", "conversation": "group",
               "target": "group1", "sync_sender": false,
               "entries": [{"key": "likes", "value": "3"}, {"key": "note", "value": "a=b"}]})
    );

    let query = success(&emulator.rongcloud(&["expansion", "query", "--msg-uid", msg]));
    assert_eq!(query["msg_uid"], msg);
    assert_eq!(query["page"], 1);
    let entries = query["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{query}");
    let likes = entries.iter().find(|e| e["key"] == "likes").unwrap();
    assert_eq!(likes["value"], "3");
    assert!(likes["version"].as_i64().unwrap() > 0, "{query}");
    let note = entries.iter().find(|e| e["key"] == "note").unwrap();
    assert_eq!(note["value"], "a=b");

    let delete = emulator.rongcloud(
        &[
            &["expansion", "delete"][..],
            &target,
            &["--sync-sender", "likes"],
        ]
        .concat(),
    );
    assert_eq!(
        success(&delete),
        json!({"ok": true, "msg_uid": msg, "user": "alice", "conversation": "group",
               "target": "group1", "sync_sender": true, "keys": ["likes"]})
    );
    let query =
        success(&emulator.rongcloud(&["expansion", "query", "--msg-uid", msg, "--page", "1"]));
    let keys: Vec<&str> = query["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["note"], "{query}");

    // A private conversation, named as such.
    let private = emulator.rongcloud(&[
        "expansion",
        "set",
        "--msg-uid",
        "PRIV-0001",
        "--user",
        "alice",
        "--conversation",
        "private",
        "--target",
        "bob",
        "seen=1",
    ]);
    assert_eq!(success(&private)["conversation"], "private");

    // Page 0 is refused before sending, naming the field.
    let line = failure(
        &emulator.rongcloud(&["expansion", "query", "--msg-uid", msg, "--page", "0"]),
        2,
    );
    assert!(line.contains("pageNo"), "{line}");
}

#[test]
fn a_wrong_secret_is_refused_by_the_server_with_1004() {
    let emulator = Emulator::start();
    let out = emulator.run(
        "rongcloud",
        &["entry", "query", "--room", "room1"],
        &["--app-key", RC_KEY, "--app-secret", "not-the-secret"],
        &[],
    );
    let line = failure(&out, 1);
    assert!(line.contains("1004"), "{line}");
    assert!(line.contains("request id "), "{line}");
    assert!(!line.contains("not-the-secret"), "{line}");
}

#[test]
fn credentials_come_from_the_environment_and_flags_win() {
    let emulator = Emulator::start();
    let query = ["entry", "query", "--room", "room1"];

    // The environment alone.
    let env = [
        ("RONGCLOUD_APP_KEY", RC_KEY),
        ("RONGCLOUD_APP_SECRET", RC_SECRET),
    ];
    success(&emulator.run("rongcloud", &query, &[], &env));

    // A wrong secret in the environment, the right one as a flag: the flag wins.
    let env = [
        ("RONGCLOUD_APP_KEY", RC_KEY),
        ("RONGCLOUD_APP_SECRET", "wrong"),
    ];
    success(&emulator.run("rongcloud", &query, &["--app-secret", RC_SECRET], &env));

    // The right secret in the environment, a wrong one as a flag: the flag still wins.
    let env = [
        ("RONGCLOUD_APP_KEY", RC_KEY),
        ("RONGCLOUD_APP_SECRET", RC_SECRET),
    ];
    let line = failure(
        &emulator.run("rongcloud", &query, &["--app-secret", "wrong"], &env),
        1,
    );
    assert!(line.contains("1004"), "{line}");

    // A wrong App Key in the environment, the right one as a flag.
    let env = [
        ("RONGCLOUD_APP_KEY", "other-app"),
        ("RONGCLOUD_APP_SECRET", RC_SECRET),
    ];
    success(&emulator.run("rongcloud", &query, &["--app-key", RC_KEY], &env));
}

#[test]
fn missing_credentials_are_refused_before_sending() {
    let emulator = Emulator::start();
    let query = ["entry", "query", "--room", "room1"];
    let line = failure(&emulator.run("rongcloud", &query, &[], &[]), 2);
    assert!(
        line.contains("--app-key") && line.contains("RONGCLOUD_APP_KEY"),
        "{line}"
    );
    let line = failure(
        &emulator.run("rongcloud", &query, &["--app-key", RC_KEY], &[]),
        2,
    );
    assert!(
        line.contains("--app-secret") && line.contains("RONGCLOUD_APP_SECRET"),
        "{line}"
    );
}

#[test]
fn a_lost_reply_to_a_write_says_outcome_unknown() {
    let emulator = Emulator::start();
    emulator.control(
        "/_emulator/faults",
        r#"{"path":"/chatroom/entry/set.json","times":1,"effect":{"kind":"close_after_processing"}}"#,
    );
    let set = emulator.rongcloud(&[
        "entry", "set", "--room", "room4", "--user", "anchor", "--key", "stage", "--value", "v",
    ]);
    let line = failure(&set, 1);
    assert!(line.contains("outcome unknown"), "{line}");
    assert!(line.contains("request id "), "{line}");

    // The emulator applied it: reading back is what the message asks for.
    let query = success(&emulator.rongcloud(&["entry", "query", "--room", "room4"]));
    assert_eq!(query["entries"][0]["value"], "v", "{query}");
}

#[test]
fn an_unreachable_host_names_the_transport_cause() {
    // A port that was free a moment ago: connections are refused, so nothing was processed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let out = Roomkv::run(&[
        "rongcloud",
        "entry",
        "set",
        "--room",
        "r",
        "--user",
        "u",
        "--key",
        "k",
        "--value",
        "v",
        "--app-key",
        RC_KEY,
        "--app-secret",
        RC_SECRET,
        "--base-url",
        &url,
    ]);
    let line = failure(&out, 1);
    assert!(line.contains("could not connect"), "{line}");
    assert!(!line.contains("outcome unknown"), "{line}");
}

/// `--dialect v4`: the same commands over Nexconn's v4 API, on the same emulator state as the
/// legacy dialect; `--notify` is refused (exit code 2) since v4 writes carry no notification.
#[test]
fn dialect_v4_sets_queries_and_removes_on_the_shared_state() {
    let emulator = Emulator::start();
    let set = emulator.rongcloud(&[
        "--dialect",
        "v4",
        "entry",
        "set",
        "--room",
        "room1",
        "--user",
        "anchor",
        "--key",
        "stage",
        "--value",
        "quiz",
    ]);
    assert_eq!(
        success(&set),
        json!({"ok": true, "room": "room1", "user": "anchor", "key": "stage",
               "value": "quiz", "auto_delete": false, "notify": false})
    );
    // Written through v4, read through legacy (the default dialect).
    let query = success(&emulator.rongcloud(&["entry", "query", "--room", "room1"]));
    assert_eq!(query["entries"][0]["value"], "quiz", "{query}");
    assert_eq!(query["entries"][0]["user_id"], "anchor", "{query}");
    let query =
        success(&emulator.rongcloud(&["entry", "query", "--room", "room1", "--dialect", "v4"]));
    assert_eq!(query["entries"][0]["value"], "quiz", "{query}");

    let notify = emulator.rongcloud(&[
        "entry",
        "set",
        "--room",
        "room1",
        "--user",
        "anchor",
        "--key",
        "stage",
        "--value",
        "x",
        "--notify",
        "--dialect",
        "v4",
    ]);
    let line = failure(&notify, 2);
    assert!(line.contains("v4"), "{line}");

    let remove = emulator.rongcloud(&[
        "--dialect",
        "v4",
        "entry",
        "remove",
        "--room",
        "room1",
        "--user",
        "anchor",
        "--key",
        "stage",
    ]);
    success(&remove);
    let again = emulator.rongcloud(&[
        "--dialect",
        "v4",
        "entry",
        "remove",
        "--room",
        "room1",
        "--user",
        "anchor",
        "--key",
        "stage",
    ]);
    let line = failure(&again, 1);
    assert!(line.contains("1015"), "{line}");
}
