//! The App Secret, the Tencent secret key, the password in a Redis URL and the Tencent callback
//! token never appear in any output of any vendor command or of the emulator, not even with
//! `-vvv` (which logs everything, dependencies included, on stderr), nor in help.

use std::time::{Duration, Instant};

use crate::process::{Finished, Roomkv};
use crate::vendor::{Emulator, Stub, TC_SDKAPPID, success};

const RC_KEY: &str = "my-app";
const RC_SECRET: &str = "Rc-S3cr3t-7f1d2";
const TC_SECRET: &str = "Tc-S3cr3t-9a4b8";
const REDIS_PASSWORD: &str = "Rd-S3cr3t-5c6d7";
const CALLBACK_TOKEN: &str = "Cb-T0k3n-3e4f5";

/// Both secrets, and a UserSig query parameter (a UserSig is a bearer credential; its text
/// always starts with `eJ`, zlib's header in base64).
fn assert_no_secret(what: &str, out: &Finished) {
    for text in [&out.stdout, &out.stderr] {
        for secret in [
            RC_SECRET,
            TC_SECRET,
            REDIS_PASSWORD,
            CALLBACK_TOKEN,
            "usersig=eJ",
        ] {
            assert!(!text.contains(secret), "{what}: {secret} leaked:\n{text}");
        }
    }
}

#[test]
fn no_secret_in_any_output_even_with_vvv() {
    let emulator = Emulator::start_with(&[
        "--rongcloud-app-key",
        RC_KEY,
        "--rongcloud-app-secret",
        RC_SECRET,
        "--tencent-secret-key",
        TC_SECRET,
    ]);
    // Half the credentials by flag, half by environment.
    let rc_env = [
        ("RONGCLOUD_APP_KEY", RC_KEY),
        ("RONGCLOUD_APP_SECRET", RC_SECRET),
    ];
    let rc_flags = ["--app-key", RC_KEY, "--app-secret", RC_SECRET];
    let tc_env = [
        ("TENCENT_SDKAPPID", TC_SDKAPPID),
        ("TENCENT_SECRET_KEY", TC_SECRET),
    ];
    let tc_flags = ["--sdkappid", TC_SDKAPPID, "--secret-key", TC_SECRET];

    let rongcloud: &[&[&str]] = &[
        &[
            "entry", "set", "--room", "r", "--user", "u", "--key", "k", "--value", "v", "--notify",
        ],
        &[
            "entry",
            "batch-set",
            "--room",
            "r",
            "--owner",
            "u",
            "a=1",
            "b=2",
        ],
        &["entry", "query", "--room", "r"],
        &[
            "entry", "remove", "--room", "r", "--user", "u", "--key", "k",
        ],
        &[
            "entry", "remove", "--room", "r", "--user", "u", "--key", "k",
        ], // 1015
        &[
            "entry",
            "batch-remove",
            "--room",
            "r",
            "--owner",
            "u",
            "a",
            "b",
        ],
        &[
            "expansion",
            "set",
            "--msg-uid",
            "M",
            "--user",
            "u",
            "--conversation",
            "group",
            "--target",
            "g",
            "k=v",
        ],
        &["expansion", "query", "--msg-uid", "M"],
        &[
            "expansion",
            "delete",
            "--msg-uid",
            "M",
            "--user",
            "u",
            "--conversation",
            "group",
            "--target",
            "g",
            "k",
        ],
        &[
            "entry", "set", "--room", "r", "--user", "u", "--key", "", "--value", "v",
        ], // refused
    ];
    let mut logged = 0;
    for args in rongcloud {
        let argv = [&["-vvv"][..], args].concat();
        let by_flag = emulator.run("rongcloud", &argv, &rc_flags, &[]);
        let by_env = emulator.run("rongcloud", &argv, &[], &rc_env);
        for out in [by_flag, by_env] {
            assert_no_secret(&format!("rongcloud {args:?}"), &out);
            logged += usize::from(out.stderr.lines().count() > 1);
        }
    }
    let tencent: &[&[&str]] = &[
        &["room", "create", "--room", "live"],
        &["room", "create", "--room", "live"], // 100003
        &["room", "info", "--room", "live"],
        &["metadata", "set", "--room", "live", "k=v"],
        &["metadata", "get", "--room", "live"],
        &["metadata", "delete", "--room", "live", "k"],
        &["metadata", "delete", "--room", "live", "k"], // 100503
        &["room", "destroy", "--room", "live"],
        &["usersig", "verify", "not-a-usersig"],
    ];
    for args in tencent {
        let argv = [&["-vvv"][..], args].concat();
        let by_flag = emulator.run("tencent", &argv, &tc_flags, &[]);
        let by_env = emulator.run("tencent", &argv, &[], &tc_env);
        for out in [by_flag, by_env] {
            assert_no_secret(&format!("tencent {args:?}"), &out);
            logged += usize::from(out.stderr.lines().count() > 1);
        }
    }
    // -vvv did log: the check above looked at real log output.
    assert!(logged > 20, "only {logged} runs logged anything");

    // Wrong secrets in failures.
    let out = emulator.run(
        "rongcloud",
        &["-vvv", "entry", "query", "--room", "r"],
        &["--app-key", RC_KEY, "--app-secret", TC_SECRET],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_no_secret("rongcloud with the wrong secret", &out);

    // A Redis URL with a password, by flag and by environment: nothing listens on port 1, so
    // the limiter falls back (a warning) or, failing closed, refuses (an error naming Redis's
    // reason). And URLs the limiter cannot use.
    let redis_url = format!("redis://:{REDIS_PASSWORD}@127.0.0.1:1");
    let query = ["-vvv", "entry", "query", "--room", "r"];
    for (extra, exit) in [(&[][..], 0), (&["--redis-fail-closed"][..], 1)] {
        let by_flag = [&query[..], &["--redis-url", &redis_url], extra].concat();
        let out = emulator.run("rongcloud", &by_flag, &rc_flags, &[]);
        assert_eq!(out.status.code(), Some(exit), "{out:?}");
        assert_no_secret("rongcloud --redis-url", &out);
        let by_env = [&query[..], extra].concat();
        let env = [&rc_env[..], &[("ROOMKV_REDIS_URL", redis_url.as_str())]].concat();
        let out = emulator.run("rongcloud", &by_env, &[], &env);
        assert_eq!(out.status.code(), Some(exit), "{out:?}");
        assert_no_secret("rongcloud with ROOMKV_REDIS_URL", &out);
        assert!(
            out.stderr.contains("Redis"),
            "Redis was tried: {}",
            out.stderr
        );
    }
    for bad in [
        format!("http://:{REDIS_PASSWORD}@127.0.0.1:1"),
        format!("redis://:{REDIS_PASSWORD}@127.0.0.1:port"),
    ] {
        let args = [&query[..], &["--redis-url", &bad]].concat();
        let out = emulator.run("rongcloud", &args, &rc_flags, &[]);
        assert_ne!(out.status.code(), Some(0), "{out:?}");
        assert_no_secret("a bad --redis-url", &out);
    }

    // `usersig generate` prints a UserSig, which is its point, but not the key.
    let out = Roomkv::run_with_env(&["-vvv", "tencent", "usersig", "generate"], &tc_env);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let generated: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(generated["usersig"].as_str().unwrap().starts_with("eJ"));
    assert!(!out.stdout.contains(TC_SECRET) && !out.stderr.contains(TC_SECRET));

    // A transport failure (a stub that never answers) with -vvv.
    let stub = Stub::start();
    let out = Roomkv::run_with_env(
        &[
            "-vvv",
            "tencent",
            "room",
            "info",
            "--room",
            "r",
            "--base-url",
            &stub.url,
            "--timeout",
            "0.5",
        ],
        &tc_env,
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_no_secret("tencent against a silent stub", &out);
}

/// `roomkv emulator -vvv` with callbacks to deliver: nothing it prints, the delivery attempts
/// log lines included, shows an app secret, the secret key or the callback token.
#[test]
fn the_emulator_never_shows_a_secret_or_its_callback_token_even_with_vvv() {
    let emulator = Emulator::start_with(&[
        "-vvv",
        "--rongcloud-app-key",
        RC_KEY,
        "--rongcloud-app-secret",
        RC_SECRET,
        "--tencent-secret-key",
        TC_SECRET,
        // Nothing listens on port 1: every delivery fails and is retried.
        "--rongcloud-webhook-url",
        "http://127.0.0.1:1/rc",
        "--tencent-callback-url",
        "http://127.0.0.1:1/tc",
        "--tencent-callback-token",
        CALLBACK_TOKEN,
    ]);
    let rc = ["--app-key", RC_KEY, "--app-secret", RC_SECRET];
    let tc = ["--sdkappid", TC_SDKAPPID, "--secret-key", TC_SECRET];
    let set = [
        "entry", "set", "--room", "r", "--user", "u", "--key", "k", "--value", "v",
    ];
    success(&emulator.run("rongcloud", &set, &rc, &[]));
    success(&emulator.run("tencent", &["room", "create", "--room", "live"], &tc, &[]));
    success(&emulator.run(
        "tencent",
        &["metadata", "set", "--room", "live", "k=v"],
        &tc,
        &[],
    ));
    // Both vendors' deliveries were attempted (bounded wait; no fixed sleep decides it).
    let deadline = Instant::now() + Duration::from_secs(20);
    while emulator.control_get("/_emulator/webhooks")["attempts"].as_u64() < Some(2) {
        assert!(Instant::now() < deadline, "no delivery attempts");
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = emulator.stop();
    assert_no_secret("roomkv emulator -vvv", &out);
    assert!(
        out.stderr.contains("webhook delivery"),
        "-vvv logged the deliveries:\n{}",
        out.stderr
    );
}

#[test]
fn help_never_shows_a_secret_from_the_environment() {
    let redis_url = format!("redis://:{REDIS_PASSWORD}@127.0.0.1:1");
    let env = [
        ("RONGCLOUD_APP_KEY", RC_KEY),
        ("RONGCLOUD_APP_SECRET", RC_SECRET),
        ("TENCENT_SDKAPPID", TC_SDKAPPID),
        ("TENCENT_SECRET_KEY", TC_SECRET),
        ("ROOMKV_REDIS_URL", &redis_url),
    ];
    for args in [
        &["rongcloud", "--help"][..],
        &["rongcloud", "entry", "set", "--help"],
        &["rongcloud", "expansion", "query", "-h"],
        &["tencent", "--help"],
        &["tencent", "usersig", "generate", "--help"],
        &["tencent", "metadata", "set", "-h"],
    ] {
        let out = Roomkv::run_with_env(args, &env);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        assert_no_secret(&format!("{args:?}"), &out);
        // The non-secret values are shown, so the check above had something to hide.
        assert!(
            out.stdout.contains(RC_KEY) || out.stdout.contains(TC_SDKAPPID),
            "{args:?}: {}",
            out.stdout
        );
    }
}
