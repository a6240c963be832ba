//! Help, usage errors and their exit codes.

use crate::process::Roomkv;

#[test]
fn help_exits_0_with_examples() {
    for args in [
        &["--help"][..],
        &["help"],
        &["emulator", "--help"],
        &["help", "emulator"],
    ] {
        let out = Roomkv::run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        assert!(out.stdout.contains("Examples:"), "{args:?}: {}", out.stdout);
        assert!(
            out.stdout.contains("roomkv emulator"),
            "{args:?}: {}",
            out.stdout
        );
        assert!(out.stderr.is_empty(), "{args:?}: {}", out.stderr);
    }
    let out = Roomkv::run(&["emulator", "--help"]);
    for flag in [
        "--listen",
        "--rongcloud-app-key",
        "--rongcloud-app-secret",
        "--rongcloud-kv-disabled",
        "--tencent-sdkappid",
        "--tencent-secret-key",
        "--tencent-admin",
        "--strict",
        "--rate-scale",
        "--no-rate-limit",
    ] {
        assert!(out.stdout.contains(flag), "{flag} missing:\n{}", out.stdout);
    }
}

#[test]
fn version_exits_0() {
    let out = Roomkv::run(&["--version"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        out.stdout,
        format!("roomkv {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn usage_errors_exit_2_with_nothing_on_stdout() {
    for args in [
        &[][..],
        &["no-such-command"],
        &["emulator", "--no-such-flag"],
        &["emulator", "--listen", "not-an-address"],
        &["emulator", "--rate-scale", "0"],
        &["emulator", "--tencent-sdkappid", "abc"],
        &["emulator", "--strict-window", "30"],
    ] {
        let out = Roomkv::run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
        // The usage line, or clap's pointer to it for a bad value.
        assert!(
            out.stderr.contains("Usage: roomkv") || out.stderr.contains("try '--help'"),
            "{args:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn every_vendor_command_has_help_with_examples() {
    for path in [
        "rongcloud",
        "rongcloud entry",
        "rongcloud entry set",
        "rongcloud entry batch-set",
        "rongcloud entry remove",
        "rongcloud entry batch-remove",
        "rongcloud entry query",
        "rongcloud expansion",
        "rongcloud expansion set",
        "rongcloud expansion delete",
        "rongcloud expansion query",
        "tencent",
        "tencent room",
        "tencent room create",
        "tencent room destroy",
        "tencent room info",
        "tencent metadata",
        "tencent metadata set",
        "tencent metadata get",
        "tencent metadata delete",
        "tencent usersig",
        "tencent usersig generate",
        "tencent usersig verify",
    ] {
        let mut args: Vec<&str> = path.split(' ').collect();
        args.push("--help");
        let out = Roomkv::run(&args);
        assert_eq!(out.status.code(), Some(0), "{path}: {out:?}");
        assert!(out.stdout.contains("Examples:"), "{path}: {}", out.stdout);
        assert!(
            out.stdout.contains(&format!("roomkv {path}")),
            "{path}: {}",
            out.stdout
        );
        assert!(out.stderr.is_empty(), "{path}: {}", out.stderr);
    }
}

#[test]
fn vendor_usage_errors_exit_2_with_nothing_on_stdout() {
    for args in [
        &["rongcloud"][..],
        &["rongcloud", "entry"],
        &["rongcloud", "entry", "set", "--room", "r"],
        &["rongcloud", "entry", "query"],
        &[
            "rongcloud",
            "entry",
            "query",
            "--room",
            "r",
            "--region",
            "mars",
        ],
        &[
            "rongcloud",
            "expansion",
            "set",
            "--msg-uid",
            "m",
            "--user",
            "u",
            "--conversation",
            "chatroom",
            "--target",
            "t",
            "k=v",
        ],
        &["tencent"],
        &["tencent", "room", "create"],
        &["tencent", "metadata", "delete", "--room", "r"],
        &["tencent", "usersig", "generate", "--expire", "0"],
        &["tencent", "usersig", "verify"],
    ] {
        let out = Roomkv::run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
        assert!(
            out.stderr.contains("Usage: roomkv") || out.stderr.contains("try '--help'"),
            "{args:?}: {}",
            out.stderr
        );
    }
}
