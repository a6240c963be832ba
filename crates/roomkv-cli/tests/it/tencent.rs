//! `roomkv tencent ...` against the emulator: every subcommand, its JSON and its exit codes.

use serde_json::{Value, json};

use crate::process::Roomkv;
use crate::vendor::{Emulator, TC_SDKAPPID, TC_SECRET, failure, success};

#[test]
fn rooms_create_info_destroy() {
    let emulator = Emulator::start();
    let create = emulator.tencent(&["room", "create", "--room", "live-room"]);
    assert_eq!(success(&create), json!({"ok": true, "room": "live-room"}));

    // The id is taken now: Tencent's 100003.
    let again = emulator.tencent(&["room", "create", "--room", "live-room"]);
    let line = failure(&again, 1);
    assert!(line.contains("100003"), "{line}");
    assert!(line.contains("request id "), "{line}");

    // Tencent's RoomInfo, with Tencent's field names.
    let info = success(&emulator.tencent(&["room", "info", "--room", "live-room"]));
    assert_eq!(info["RoomId"], "live-room", "{info}");
    assert_eq!(info["RoomType"], "Live", "{info}");
    assert_eq!(info["Owner_Account"], "administrator", "{info}");
    assert!(
        info["CreateTime"].as_u64().unwrap() > 1_600_000_000,
        "{info}"
    );

    let destroy = emulator.tencent(&["room", "destroy", "--room", "live-room"]);
    assert_eq!(success(&destroy), json!({"ok": true, "room": "live-room"}));

    for command in ["info", "destroy"] {
        let line = failure(
            &emulator.tencent(&["room", command, "--room", "live-room"]),
            1,
        );
        assert!(line.contains("100004"), "{command}: {line}");
    }

    // A room id over 48 bytes is refused before sending.
    let long = "r".repeat(49);
    let line = failure(&emulator.tencent(&["room", "create", "--room", &long]), 2);
    assert!(line.contains("RoomId") && line.contains("48"), "{line}");
}

#[test]
fn metadata_set_get_delete() {
    let emulator = Emulator::start();
    success(&emulator.tencent(&["room", "create", "--room", "live"]));

    let set = emulator.tencent(&[
        "metadata",
        "set",
        "--room",
        "live",
        "stage=quiz",
        "formula=a=b+c",
    ]);
    assert_eq!(
        success(&set),
        json!({"ok": true, "room": "live",
               "entries": [{"key": "stage", "value": "quiz"}, {"key": "formula", "value": "a=b+c"}]})
    );

    let get = success(&emulator.tencent(&["metadata", "get", "--room", "live"]));
    assert_eq!(get["room"], "live");
    let mut entries: Vec<(String, String)> = get["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["key"].as_str().unwrap().to_owned(),
                e["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    entries.sort();
    assert_eq!(
        entries,
        [
            ("formula".to_owned(), "a=b+c".to_owned()),
            ("stage".to_owned(), "quiz".to_owned())
        ]
    );

    let get = success(&emulator.tencent(&["metadata", "get", "--room", "live", "stage", "never"]));
    assert_eq!(
        get,
        json!({"room": "live", "entries": [{"key": "stage", "value": "quiz"}]})
    );

    // Deleting keys of which none exist: Tencent's 100503.
    let missing = emulator.tencent(&["metadata", "delete", "--room", "live", "never", "nor-this"]);
    let line = failure(&missing, 1);
    assert!(line.contains("100503"), "{line}");
    assert!(line.contains("request id "), "{line}");

    let delete = emulator.tencent(&["metadata", "delete", "--room", "live", "stage", "never"]);
    assert_eq!(
        success(&delete),
        json!({"ok": true, "room": "live", "keys": ["stage", "never"]})
    );
    let get = success(&emulator.tencent(&["metadata", "get", "--room", "live"]));
    assert_eq!(
        get,
        json!({"room": "live", "entries": [{"key": "formula", "value": "a=b+c"}]})
    );

    // A room that does not exist.
    let line = failure(
        &emulator.tencent(&["metadata", "set", "--room", "nowhere", "k=v"]),
        1,
    );
    assert!(line.contains("100004"), "{line}");
}

#[test]
fn a_wrong_secret_key_is_refused_by_the_server() {
    let emulator = Emulator::start();
    let out = emulator.run(
        "tencent",
        &["room", "info", "--room", "live"],
        &["--sdkappid", TC_SDKAPPID, "--secret-key", "not-the-key"],
        &[],
    );
    let line = failure(&out, 1);
    // 70009: the UserSig's signature does not match the app's key.
    assert!(line.contains("70009"), "{line}");
    assert!(!line.contains("not-the-key"), "{line}");
}

#[test]
fn credentials_come_from_the_environment_and_flags_win() {
    let emulator = Emulator::start();
    let create = ["room", "create", "--room", "env-room"];
    let env = [
        ("TENCENT_SDKAPPID", TC_SDKAPPID),
        ("TENCENT_SECRET_KEY", TC_SECRET),
        ("TENCENT_ADMIN", "administrator"),
    ];
    success(&emulator.run("tencent", &create, &[], &env));

    // A wrong key in the environment, the right one as a flag.
    let info = ["room", "info", "--room", "env-room"];
    let env = [
        ("TENCENT_SDKAPPID", TC_SDKAPPID),
        ("TENCENT_SECRET_KEY", "wrong"),
    ];
    success(&emulator.run("tencent", &info, &["--secret-key", TC_SECRET], &env));

    // A wrong admin in the environment: the emulator wants `administrator` (60010) ...
    let env = [
        ("TENCENT_SDKAPPID", TC_SDKAPPID),
        ("TENCENT_SECRET_KEY", TC_SECRET),
        ("TENCENT_ADMIN", "ops"),
    ];
    let line = failure(&emulator.run("tencent", &info, &[], &env), 1);
    assert!(line.contains("60010"), "{line}");
    // ... and the flag wins over it.
    success(&emulator.run("tencent", &info, &["--admin", "administrator"], &env));

    // Missing credentials are refused before sending, naming flag and variable.
    let line = failure(&emulator.run("tencent", &info, &[], &[]), 2);
    assert!(line.contains("TENCENT_SDKAPPID"), "{line}");
    let line = failure(
        &emulator.run("tencent", &info, &["--sdkappid", TC_SDKAPPID], &[]),
        2,
    );
    assert!(line.contains("TENCENT_SECRET_KEY"), "{line}");
}

/// `roomkv tencent usersig ARGS` with the demo credentials in the environment; no server.
fn usersig(args: &[&str]) -> crate::process::Finished {
    let argv = [&["tencent", "usersig"][..], args].concat();
    Roomkv::run_with_env(
        &argv,
        &[
            ("TENCENT_SDKAPPID", TC_SDKAPPID),
            ("TENCENT_SECRET_KEY", TC_SECRET),
        ],
    )
}

#[test]
fn usersig_generate_then_verify() {
    let generated = success(&usersig(&["generate"]));
    let sig = generated["usersig"].as_str().unwrap().to_owned();
    assert!(sig.starts_with("eJ"), "{generated}");
    assert_eq!(generated["sdkappid"], 1_400_000_000u64);
    assert_eq!(generated["identifier"], "administrator");
    assert_eq!(generated["expire"], 86_400);
    let time = generated["time"].as_u64().unwrap();
    assert!(time > 1_600_000_000, "{generated}");
    assert!(!generated.to_string().contains(TC_SECRET));

    let claims = success(&usersig(&["verify", &sig]));
    assert_eq!(
        claims,
        json!({"valid": true, "sdkappid": 1_400_000_000u64, "identifier": "administrator",
               "time": time, "expire": 86_400, "expires_at": time + 86_400})
    );

    // Another identifier and lifetime.
    let generated = success(&usersig(&[
        "generate",
        "--identifier",
        "alice",
        "--expire",
        "60",
    ]));
    assert_eq!(generated["identifier"], "alice");
    assert_eq!(generated["expire"], 60);
    let alice = generated["usersig"].as_str().unwrap().to_owned();
    let claims = success(&usersig(&["verify", &alice, "--identifier", "alice"]));
    assert_eq!(claims["identifier"], "alice");

    // The wrong identifier: exit 1, the reason named.
    let line = failure(&usersig(&["verify", &alice]), 1);
    assert!(line.contains("mismatch"), "{line}");
    assert!(
        line.contains("\"alice\"") && line.contains("\"administrator\""),
        "{line}"
    );
    assert!(!line.contains(&alice), "{line}");

    // Another key or another SDKAppID: mismatch; garbage: malformed.
    let line = failure(
        &usersig(&["verify", &sig, "--secret-key", "another-key"]),
        1,
    );
    assert!(line.contains("mismatch"), "{line}");
    let line = failure(&usersig(&["verify", &sig, "--sdkappid", "1400000001"]), 1);
    assert!(line.contains("mismatch"), "{line}");
    let line = failure(&usersig(&["verify", "not-a-usersig"]), 1);
    assert!(line.contains("malformed"), "{line}");

    // A bad identifier is refused like any id.
    let line = failure(&usersig(&["generate", "--identifier", &"a".repeat(33)]), 2);
    assert!(line.contains("identifier") && line.contains("32"), "{line}");
}

#[test]
fn a_generated_usersig_authenticates_against_the_emulator() {
    // The UserSig the CLI prints is one the server accepts: the same bytes the client sends.
    let emulator = Emulator::start();
    let generated = success(&usersig(&["generate"]));
    let sig = generated["usersig"].as_str().unwrap();
    let path = format!(
        "/v4/live_engine_http_srv/get_room_info?sdkappid={TC_SDKAPPID}&identifier=administrator\
         &usersig={sig}&random=1&contenttype=json"
    );
    let reply = emulator.control(&path, r#"{"RoomId":"nowhere"}"#);
    // Authenticated: the answer is about the room, not the UserSig.
    assert_eq!(reply["ErrorCode"], 100004, "{reply}");
}

#[test]
fn room_update_then_info_shows_every_setting() {
    let emulator = Emulator::start();
    success(&emulator.tencent(&["room", "create", "--room", "live"]));
    let update = emulator.tencent(&[
        "room",
        "update",
        "--room",
        "live",
        "--name",
        "Friday quiz",
        "--notice",
        "Starts at 8",
        "--cover",
        "https://example.com/cover.png",
        "--category",
        "1,2,3",
        "--max-members",
        "300",
        "--message-disabled",
        "true",
        "--public-visible",
        "false",
        "--take-seat-mode",
        "apply",
        "--activity-status",
        "7",
    ]);
    let settings = json!({
        "RoomName": "Friday quiz",
        "Notice": "Starts at 8",
        "CoverURL": "https://example.com/cover.png",
        "Category": [1, 2, 3],
        "MaxMemberCount": 300,
        "IsMessageDisabled": true,
        "IsPublicVisible": false,
        "TakeSeatMode": "ApplyToTake",
        "ActivityStatus": 7,
    });
    assert_eq!(
        success(&update),
        json!({"ok": true, "room": "live", "changed": settings})
    );
    let info = success(&emulator.tencent(&["room", "info", "--room", "live"]));
    for (field, value) in settings.as_object().unwrap() {
        assert_eq!(&info[field], value, "{field}: {info}");
    }

    // Only what is given changes; Tencent's own spelling of the seat mode is accepted.
    let update = emulator.tencent(&[
        "room",
        "update",
        "--room",
        "live",
        "--notice",
        "",
        "--take-seat-mode",
        "FreeToTake",
    ]);
    assert_eq!(
        success(&update)["changed"],
        json!({"Notice": "", "TakeSeatMode": "FreeToTake"})
    );
    let info = success(&emulator.tencent(&["room", "info", "--room", "live"]));
    assert_eq!(info["Notice"], "", "{info}");
    assert_eq!(info["TakeSeatMode"], "FreeToTake", "{info}");
    assert_eq!(info["RoomName"], "Friday quiz", "{info}");
}

#[test]
fn room_update_refusals_and_vendor_errors() {
    let emulator = Emulator::start();
    success(&emulator.tencent(&["room", "create", "--room", "live"]));

    // Past a limit: exit 2, the field and the limit named, nothing sent.
    let notice = "n".repeat(101);
    let cases: [(&[&str], &[&str]); 4] = [
        (&["--notice", &notice], &["Notice", "101", "100"]),
        (&["--category", "1,2,3,4"], &["Category", "4", "3"]),
        (&["--name", &"r".repeat(101)], &["RoomName", "100"]),
        (&["--cover", &"c".repeat(201)], &["CoverURL", "200"]),
    ];
    for (flags, needles) in cases {
        let argv = [&["room", "update", "--room", "live"][..], flags].concat();
        let line = failure(&emulator.tencent(&argv), 2);
        for needle in needles {
            assert!(line.contains(needle), "{needle}: {line}");
        }
    }
    let info = success(&emulator.tencent(&["room", "info", "--room", "live"]));
    assert!(info.get("Notice").is_none_or(|n| n == ""), "{info}");
    let journal = emulator.control_get("/_emulator/requests?vendor=tencent");
    assert!(
        !journal.to_string().contains("update_room_info"),
        "a refused update was sent: {journal}"
    );

    // Nothing to change: exit 2, the settings named.
    let line = failure(&emulator.tencent(&["room", "update", "--room", "live"]), 2);
    assert!(
        line.contains("nothing to change") && line.contains("--notice"),
        "{line}"
    );
    // A value the flag does not take: clap's usage error, exit 2.
    for flags in [
        &["--message-disabled", "yes"][..],
        &["--take-seat-mode", "queue"],
        &["--max-members", "-1"],
    ] {
        let argv = [&["room", "update", "--room", "live"][..], flags].concat();
        let out = emulator.tencent(&argv);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {out:?}");
    }

    // A room that does not exist: Tencent's 100004, exit 1.
    let line = failure(
        &emulator.tencent(&["room", "update", "--room", "nowhere", "--name", "x"]),
        1,
    );
    assert!(line.contains("100004"), "{line}");
    assert!(line.contains("request id "), "{line}");
}

/// The `RoomId`s of a `room list` document, in its order.
fn listed_ids(page: &Value) -> Vec<String> {
    page["rooms"]
        .as_array()
        .unwrap_or_else(|| panic!("no rooms: {page}"))
        .iter()
        .map(|room| room["RoomId"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn room_list_one_page_the_next_and_all_of_them() {
    let emulator = Emulator::start();
    let mut created: Vec<String> = (0..23).map(|i| format!("room-{i:02}")).collect();
    for room in &created {
        success(&emulator.tencent(&["room", "create", "--room", room]));
    }
    // A room not publicly visible is not listed.
    success(&emulator.tencent(&["room", "create", "--room", "hidden"]));
    success(&emulator.tencent(&[
        "room",
        "update",
        "--room",
        "hidden",
        "--public-visible",
        "false",
    ]));
    created.sort();

    // One page of Tencent's default 20, and the cursor of the next.
    let first = success(&emulator.tencent(&["room", "list"]));
    let next = first["next"].as_str().expect("a cursor after 20 of 23");
    let second = success(&emulator.tencent(&["room", "list", "--next", next]));
    assert_eq!(second["next"], Value::Null, "{second}");
    let mut paged = [listed_ids(&first), listed_ids(&second)].concat();
    assert_eq!(listed_ids(&first).len(), 20, "{first}");
    paged.sort();
    assert_eq!(paged, created);
    let room = &first["rooms"][0];
    assert_eq!(room["Owner_Account"], "administrator", "{room}");
    assert!(
        room["CreateTime"].as_u64().unwrap() > 1_600_000_000,
        "{room}"
    );

    // Every page, 5 at a time: each room once.
    let all = success(&emulator.tencent(&["room", "list", "--all", "--count", "5"]));
    assert_eq!(all["next"], Value::Null, "{all}");
    let mut ids = listed_ids(&all);
    ids.sort();
    assert_eq!(ids, created);

    // One room a page: 23 requests (the last page says it is the last), more than
    // get_room_list's 10/s. The client's limiter paces them in their own bucket, so the
    // emulator (which meters that quota) throttles none.
    let all = success(&emulator.tencent(&["room", "list", "--all", "--count", "1"]));
    assert_eq!(listed_ids(&all).len(), 23, "{all}");
    let stats = emulator.control_get("/_emulator/stats");
    assert_eq!(stats["throttled"], 0, "{stats}");
    let answers = &stats["answers"]["/v4/live_engine_http_srv/get_room_list"];
    // Every list answered 0: the 2 single pages, 5 pages of 5, 23 of 1.
    assert_eq!(answers["0"], 2 + 5 + 23, "{stats}");

    // Past Tencent's page size: exit 2 naming Count and 20; --next with --all: usage error.
    let line = failure(&emulator.tencent(&["room", "list", "--count", "21"]), 2);
    assert!(line.contains("Count") && line.contains("20"), "{line}");
    let line = failure(&emulator.tencent(&["room", "list", "--count", "0"]), 2);
    assert!(line.contains("Count"), "{line}");
    let out = emulator.tencent(&["room", "list", "--all", "--next", next]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
