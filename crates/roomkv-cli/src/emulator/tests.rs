use std::net::SocketAddr;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};

use super::*;
use crate::cli::{Cli, Command};

fn args(flags: &[&str]) -> EmulatorArgs {
    let argv = ["roomkv", "emulator"].iter().chain(flags);
    match Cli::try_parse_from(argv).unwrap().command {
        Command::Emulator(args) => args,
        other => panic!("parsed as {other:?}"),
    }
}

fn config(flags: &[&str]) -> EmulatorConfig {
    config_from(&args(flags))
}

#[test]
fn journal_and_event_log_sizes() {
    let c = config(&[]);
    assert_eq!(c.journal_capacity, 1_000);
    assert_eq!(c.event_capacity, defaults::config().event_capacity);
    let c = config(&["--journal-size", "5", "--event-log-size", "7"]);
    assert_eq!(c.journal_capacity, 5);
    assert_eq!(c.event_capacity, 7);
    assert!(Cli::try_parse_from(["roomkv", "emulator", "--journal-size", "0"]).is_err());
}

#[test]
fn webhook_flags() {
    let none = config(&[]);
    assert_eq!(none.webhooks.rongcloud_url, None);
    assert_eq!(none.webhooks.tencent_url, None);
    let set = config(&[
        "--rongcloud-webhook-url",
        "http://127.0.0.1:9000/rc",
        "--tencent-callback-url",
        "https://app.example/tc?x=1",
        "--tencent-callback-token",
        "tok",
    ]);
    assert_eq!(
        set.webhooks.rongcloud_url.as_deref(),
        Some("http://127.0.0.1:9000/rc")
    );
    assert_eq!(
        set.webhooks.tencent_url.as_deref(),
        Some("https://app.example/tc?x=1")
    );
    assert_eq!(
        set.webhooks.tencent_token.as_ref().map(|t| t.expose()),
        Some("tok")
    );
    let parse =
        |flags: &[&str]| Cli::try_parse_from(["roomkv", "emulator"].iter().chain(flags)).is_ok();
    assert!(!parse(&["--rongcloud-webhook-url", "/relative"]));
    assert!(!parse(&["--rongcloud-webhook-url", "ftp://h/x"]));
    assert!(
        !parse(&["--tencent-callback-token", "tok"]),
        "needs the URL"
    );
}

#[test]
fn the_callback_token_is_not_in_the_arguments_debug() {
    let parsed = args(&[
        "--tencent-callback-url",
        "http://127.0.0.1:9000/tc",
        "--tencent-callback-token",
        "s3cr3t-callback-token",
    ]);
    let shown = format!("{parsed:?}");
    assert!(!shown.contains("s3cr3t-callback-token"), "{shown}");
    assert_eq!(
        parsed.tencent_callback_token.as_ref().map(|t| t.expose()),
        Some("s3cr3t-callback-token")
    );
}

#[test]
fn defaults_are_the_contract() {
    let config = config(&[]);
    assert_eq!(
        config.listen,
        "127.0.0.1:8787".parse::<SocketAddr>().unwrap()
    );
    assert_eq!(config.rongcloud_apps.len(), 1);
    assert_eq!(config.rongcloud_apps[0].app_key, "demo-app-key");
    assert_eq!(
        config.rongcloud_apps[0].app_secret.expose(),
        "demo-app-secret"
    );
    assert_eq!(config.tencent_apps.len(), 1);
    assert_eq!(config.tencent_apps[0].sdkappid, 1_400_000_000);
    assert_eq!(
        config.tencent_apps[0].secret_key.expose(),
        "demo-secret-key"
    );
    assert_eq!(config.tencent_apps[0].admin, "administrator");
    assert!(!config.strict);
    assert_eq!(config.strict_window, Duration::from_secs(300));
    assert!(config.quota.enabled);
    assert_eq!(config.quota.rate_scale, 1.0);
    assert!(config.kv_enabled);
    assert!(config.expansion_auto_register);
    assert_eq!(config.fault_seed, 0);
}

#[test]
fn without_flags_the_config_is_the_emulators_default() {
    let ours = config(&[]);
    let theirs = EmulatorConfig::default();
    // Secrets are not Debug-printed; compare them by value.
    assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
    assert_eq!(
        ours.rongcloud_apps[0].app_secret,
        theirs.rongcloud_apps[0].app_secret
    );
    assert_eq!(
        ours.tencent_apps[0].secret_key,
        theirs.tencent_apps[0].secret_key
    );
}

#[test]
fn each_flag_changes_its_field() {
    assert_eq!(
        config(&["--listen", "127.0.0.1:0"]).listen,
        "127.0.0.1:0".parse::<SocketAddr>().unwrap()
    );
    assert_eq!(
        config(&["--listen", "[::1]:9000"]).listen,
        "[::1]:9000".parse::<SocketAddr>().unwrap()
    );

    let c = config(&["--rongcloud-app-key", "k1"]);
    assert_eq!(c.rongcloud_apps[0].app_key, "k1");
    assert_eq!(c.rongcloud_apps[0].app_secret.expose(), "demo-app-secret");

    let c = config(&["--rongcloud-app-secret", "s1"]);
    assert_eq!(c.rongcloud_apps[0].app_key, "demo-app-key");
    assert_eq!(c.rongcloud_apps[0].app_secret.expose(), "s1");

    let c = config(&["--tencent-sdkappid", "1400123456"]);
    assert_eq!(c.tencent_apps[0].sdkappid, 1_400_123_456);
    assert_eq!(c.tencent_apps[0].secret_key.expose(), "demo-secret-key");
    assert_eq!(c.tencent_apps[0].admin, "administrator");

    let c = config(&["--tencent-secret-key", "t1"]);
    assert_eq!(c.tencent_apps[0].sdkappid, 1_400_000_000);
    assert_eq!(c.tencent_apps[0].secret_key.expose(), "t1");

    assert_eq!(
        config(&["--tencent-admin", "ops"]).tencent_apps[0].admin,
        "ops"
    );

    let c = config(&["--strict"]);
    assert!(c.strict);
    assert_eq!(c.strict_window, Duration::from_secs(300));
    let c = config(&["--strict", "--strict-window", "30"]);
    assert!(c.strict);
    assert_eq!(c.strict_window, Duration::from_secs(30));

    let c = config(&["--rate-scale", "2.5"]);
    assert_eq!(c.quota.rate_scale, 2.5);
    assert!(c.quota.enabled);
    let c = config(&["--no-rate-limit"]);
    assert!(!c.quota.enabled);
    assert_eq!(c.quota.rate_scale, 1.0);
    let c = config(&["--no-rate-limit", "--rate-scale", "0.5"]);
    assert!(!c.quota.enabled);
    assert_eq!(c.quota.rate_scale, 0.5);

    assert!(!config(&["--rongcloud-kv-disabled"]).kv_enabled);
    assert!(!config(&["--no-expansion-auto-register"]).expansion_auto_register);
    assert_eq!(config(&["--fault-seed", "42"]).fault_seed, 42);

    let c = config(&[
        "--header-read-timeout",
        "2",
        "--idle-timeout",
        "3",
        "--body-read-timeout",
        "4",
        "--max-connections",
        "5",
        "--health-reserve",
        "6",
    ])
    .connections;
    assert_eq!(c.header_read_timeout, Duration::from_secs(2));
    assert_eq!(c.idle_timeout, Duration::from_secs(3));
    assert_eq!(c.body_read_timeout, Duration::from_secs(4));
    assert_eq!((c.max_connections, c.health_reserve), (5, 6));
}

#[test]
fn a_flag_changes_nothing_else() {
    let base = format!("{:#?}", config(&[]));
    for flags in [
        &["--rongcloud-kv-disabled"][..],
        &["--no-expansion-auto-register"],
        &["--strict"],
        &["--rate-scale", "3"],
        &["--no-rate-limit"],
        &["--fault-seed", "1"],
        &["--tencent-admin", "ops"],
        &["--max-connections", "7"],
        &["--idle-timeout", "9"],
    ] {
        let changed = format!("{:#?}", config(flags));
        let differing = base
            .lines()
            .zip(changed.lines())
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(differing, 1, "{flags:?}:\n{base}\n{changed}");
    }
}

#[test]
fn credentials_show_only_the_demo_secrets() {
    let a = args(&[]);
    assert_eq!(
        credential_lines(&a, &config_from(&a)),
        [
            "rongcloud app key: demo-app-key",
            "rongcloud app secret: demo-app-secret (default)",
            "tencent sdkappid: 1400000000",
            "tencent secret key: demo-secret-key (default)",
            "tencent admin: administrator",
        ]
    );

    let a = args(&[
        "--rongcloud-app-key",
        "my-app",
        "--rongcloud-app-secret",
        "S3cr3t-xyz",
        "--tencent-sdkappid",
        "1400000001",
        "--tencent-secret-key",
        "T3ncent-xyz",
        "--tencent-admin",
        "ops",
    ]);
    let lines = credential_lines(&a, &config_from(&a));
    assert_eq!(
        lines,
        [
            "rongcloud app key: my-app",
            "rongcloud app secret: (set by flag)",
            "tencent sdkappid: 1400000001",
            "tencent secret key: (set by flag)",
            "tencent admin: ops",
        ]
    );
}

#[test]
fn a_demo_secret_given_by_flag_is_still_not_echoed() {
    // Whatever comes from a flag is the user's; the output does not judge whether it is secret.
    let a = args(&["--rongcloud-app-secret", "demo-app-secret"]);
    let lines = credential_lines(&a, &config_from(&a));
    assert_eq!(lines[1], "rongcloud app secret: (set by flag)");
}

fn error_kind(args: &[&str]) -> ErrorKind {
    match Cli::try_parse_from(args) {
        Ok(cli) => panic!("{args:?} parsed: {cli:?}"),
        Err(err) => err.kind(),
    }
}

#[test]
fn the_console_line_names_the_ui() {
    assert_eq!(
        console_line("http://127.0.0.1:8787"),
        "console: http://127.0.0.1:8787/_emulator/ui"
    );
}

#[test]
fn bad_values_are_usage_errors() {
    for (args, kind) in [
        (&["--rate-scale", "0"][..], ErrorKind::ValueValidation),
        (&["--rate-scale", "-1"], ErrorKind::UnknownArgument), // taken for a flag
        (&["--rate-scale", "NaN"], ErrorKind::ValueValidation),
        (&["--rate-scale", "inf"], ErrorKind::ValueValidation),
        (&["--rate-scale", "fast"], ErrorKind::ValueValidation),
        (&["--tencent-sdkappid", "0"], ErrorKind::ValueValidation),
        (&["--tencent-sdkappid", "abc"], ErrorKind::ValueValidation),
        (&["--tencent-sdkappid", "-5"], ErrorKind::UnknownArgument),
        (&["--rongcloud-app-key", ""], ErrorKind::InvalidValue),
        (&["--rongcloud-app-secret", ""], ErrorKind::InvalidValue),
        (&["--tencent-secret-key", ""], ErrorKind::InvalidValue),
        (&["--tencent-admin", ""], ErrorKind::InvalidValue),
        (&["--listen", "localhost:80"], ErrorKind::ValueValidation),
        (&["--listen", "127.0.0.1"], ErrorKind::ValueValidation),
        (
            &["--strict-window", "10"],
            ErrorKind::MissingRequiredArgument,
        ),
        (
            &["--strict", "--strict-window", "0"],
            ErrorKind::ValueValidation,
        ),
        (&["--no-such-flag"], ErrorKind::UnknownArgument),
    ] {
        let mut argv = vec!["roomkv", "emulator"];
        argv.extend_from_slice(args);
        assert_eq!(error_kind(&argv), kind, "{argv:?}");
        let err = Cli::try_parse_from(&argv).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{argv:?}");
    }
}

#[test]
fn help_states_the_emulator_defaults() {
    let mut command = Cli::command();
    let emulator = command.find_subcommand_mut("emulator").unwrap();
    let help = emulator.render_long_help().to_string();
    let config = defaults::config();
    let rongcloud = defaults::rongcloud_app();
    let tencent = defaults::tencent_app();
    for default in [
        format!("[default: {}]", config.listen),
        format!("[default: {}]", rongcloud.app_key),
        format!("[default: {}]", rongcloud.app_secret.expose()),
        format!("[default: {}]", tencent.sdkappid),
        format!("[default: {}]", tencent.secret_key.expose()),
        format!("[default: {}]", tencent.admin),
        format!("[default: {}]", config.strict_window.as_secs()),
        format!("[default: {}]", config.quota.rate_scale),
    ] {
        assert!(help.contains(&default), "{default} missing from:\n{help}");
    }
    assert!(help.contains("Examples:"), "{help}");
}
