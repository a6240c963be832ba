//! `roomkv tencent ...` against the emulator: every subcommand, its JSON and its exit codes.

use serde_json::json;

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
