//! Requests refused by validation send nothing: a stub server on a loopback port counts the
//! connections the CLI makes, and there are none.

use crate::process::Roomkv;
use crate::vendor::{RC_KEY, RC_SECRET, Stub, TC_SDKAPPID, TC_SECRET, failure};

/// `roomkv rongcloud ARGS` with demo credentials against `stub`, one second per exchange.
fn rongcloud(stub: &Stub, args: &[&str]) -> crate::process::Finished {
    let argv = [
        &["rongcloud"][..],
        args,
        &[
            "--app-key",
            RC_KEY,
            "--app-secret",
            RC_SECRET,
            "--base-url",
            &stub.url,
            "--timeout",
            "1",
        ],
    ]
    .concat();
    Roomkv::run(&argv)
}

/// `roomkv tencent ARGS` with demo credentials against `stub`, one second per exchange.
fn tencent(stub: &Stub, args: &[&str]) -> crate::process::Finished {
    let argv = [
        &["tencent"][..],
        args,
        &[
            "--sdkappid",
            TC_SDKAPPID,
            "--secret-key",
            TC_SECRET,
            "--base-url",
            &stub.url,
            "--timeout",
            "1",
        ],
    ]
    .concat();
    Roomkv::run(&argv)
}

#[test]
fn the_stub_counts_a_request_that_is_sent() {
    // The control: a valid write reaches the stub, which never answers, so the write's outcome
    // is unknown (and a write with unknown outcome is not repeated).
    let stub = Stub::start();
    let out = rongcloud(
        &stub,
        &[
            "entry", "set", "--room", "r", "--user", "u", "--key", "k", "--value", "v",
        ],
    );
    let line = failure(&out, 1);
    assert!(line.contains("outcome unknown"), "{line}");
    assert_eq!(stub.connections(), 1, "{line}");

    let stub = Stub::start();
    let out = tencent(&stub, &["metadata", "set", "--room", "r", "k=v"]);
    let line = failure(&out, 1);
    assert!(line.contains("outcome unknown"), "{line}");
    assert_eq!(stub.connections(), 1, "{line}");
}

#[test]
fn a_key_over_128_characters_sends_nothing() {
    let stub = Stub::start();
    let key = "k".repeat(129);
    let out = rongcloud(
        &stub,
        &[
            "entry", "set", "--room", "r", "--user", "u", "--key", &key, "--value", "v",
        ],
    );
    let line = failure(&out, 2);
    assert_eq!(
        line,
        "roomkv: request refused before sending: key has 129 characters, at most 128 allowed"
    );
    assert_eq!(stub.connections(), 0);
}

#[test]
fn a_metadata_value_over_2048_bytes_sends_nothing() {
    let stub = Stub::start();
    let pair = format!("k={}", "v".repeat(2049));
    let out = tencent(&stub, &["metadata", "set", "--room", "r", &pair]);
    let line = failure(&out, 2);
    assert_eq!(
        line,
        "roomkv: request refused before sending: Value has 2049 bytes, at most 2048 allowed"
    );
    assert_eq!(stub.connections(), 0);
}

#[test]
fn every_kind_of_refusal_sends_nothing() {
    let stub = Stub::start();
    let long_value = format!("k={}", "v".repeat(4097));
    let long_room = "r".repeat(65);
    let long_key = format!("{}=v", "k".repeat(51));
    let long_admin = "a".repeat(33);
    let eleven_keys: Vec<String> = (0..11).map(|i| format!("k{i}")).collect();
    let delete_eleven: Vec<&str> = ["metadata", "delete", "--room", "r"]
        .into_iter()
        .chain(eleven_keys.iter().map(String::as_str))
        .collect();
    let too_many: Vec<String> = (0..21).map(|i| format!("k{i}=v")).collect();
    let too_many: Vec<&str> = too_many.iter().map(String::as_str).collect();
    let rongcloud_cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "entry",
                "batch-set",
                "--room",
                "r",
                "--owner",
                "o",
                "a=1",
                "a=2",
            ],
            "more than once",
        ),
        (
            vec![
                "entry",
                "batch-set",
                "--room",
                "r",
                "--owner",
                "o",
                "no-equals",
            ],
            "is not KEY=VALUE",
        ),
        (
            vec![
                "entry",
                "batch-set",
                "--room",
                "r",
                "--owner",
                "o",
                &long_value,
            ],
            "value has 4097 characters, at most 4096 allowed",
        ),
        (
            [
                &["entry", "batch-set", "--room", "r", "--owner", "o"][..],
                &too_many,
            ]
            .concat(),
            "at most 20",
        ),
        (
            vec![
                "entry", "remove", "--room", "r", "--user", "u", "--key", "a b",
            ],
            "key contains ' '",
        ),
        (
            vec!["entry", "query", "--room", &long_room],
            "at most 64 allowed",
        ),
        (
            vec![
                "expansion",
                "set",
                "--msg-uid",
                "m",
                "--user",
                "u",
                "--conversation",
                "group",
                "--target",
                "t",
                "=v",
            ],
            "extraKey is empty",
        ),
        (
            vec!["expansion", "query", "--msg-uid", "m", "--page", "0"],
            "pageNo",
        ),
    ];
    for (args, needle) in rongcloud_cases {
        let line = failure(&rongcloud(&stub, &args), 2);
        assert!(line.contains(needle), "{args:?}: {line}");
        assert!(line.contains("refused before sending"), "{args:?}: {line}");
    }
    let tencent_cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["metadata", "set", "--room", "r", &long_key],
            "Key has 51 bytes, at most 50 allowed",
        ),
        (
            vec!["metadata", "set", "--room", "r", "a=1", "a=2"],
            "more than once",
        ),
        (vec!["metadata", "get", "--room", "r", ""], "Key is empty"),
        // del_room_metadata takes at most 10 keys (`docs/vendors/tencent.md#metadata-limits`): the CLI refuses 11
        // rather than send one request Tencent refuses (issue 15).
        (delete_eleven, "Keys has 11 keys, at most 10 allowed"),
        (vec!["room", "info", "--room", "r\u{7f}"], "RoomId contains"),
        (
            vec!["room", "create", "--room", "r", "--admin", &long_admin],
            "identifier has 33 bytes",
        ),
    ];
    for (args, needle) in &tencent_cases {
        let line = failure(&tencent(&stub, args), 2);
        assert!(line.contains(needle), "{args:?}: {line}");
    }
    assert_eq!(stub.connections(), 0);
}

#[test]
fn an_invalid_base_url_is_refused_before_sending() {
    for (vendor, credentials) in [
        (
            "rongcloud",
            ["--app-key", RC_KEY, "--app-secret", RC_SECRET],
        ),
        (
            "tencent",
            ["--sdkappid", TC_SDKAPPID, "--secret-key", TC_SECRET],
        ),
    ] {
        let command: &[&str] = if vendor == "rongcloud" {
            &["entry", "query", "--room", "r"]
        } else {
            &["room", "info", "--room", "r"]
        };
        // Plain http to a host that is not loopback would send the request in clear text.
        let argv = [
            &[vendor][..],
            command,
            &credentials,
            &["--base-url", "http://example.invalid"],
        ]
        .concat();
        let line = failure(&Roomkv::run(&argv), 2);
        assert!(line.contains("invalid client configuration"), "{line}");
        assert!(line.contains("example.invalid"), "{line}");
    }
}
