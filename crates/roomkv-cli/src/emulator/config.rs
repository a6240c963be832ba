//! The [`EmulatorConfig`] `roomkv emulator`'s flags ask for, and the credential lines it prints.

use std::time::Duration;

use roomkv_emulator::EmulatorConfig;
use roomkv_emulator::config::{RongCloudApp, Secret, TencentApp};

use super::EmulatorArgs;

/// The emulator's own defaults, so that the flags' defaults cannot drift from them.
pub(crate) mod defaults {
    use roomkv_emulator::EmulatorConfig;
    use roomkv_emulator::config::{ConnectionConfig, QuotaConfig, RongCloudApp, TencentApp};

    /// [`EmulatorConfig::default`].
    pub(crate) fn config() -> EmulatorConfig {
        EmulatorConfig::default()
    }

    /// The default RongCloud app (`demo-app-key` / `demo-app-secret`).
    pub(crate) fn rongcloud_app() -> RongCloudApp {
        config()
            .rongcloud_apps
            .into_iter()
            .next()
            .expect("the emulator's default configuration has a RongCloud app")
    }

    /// The default Tencent app (`1400000000` / `demo-secret-key` / `administrator`).
    pub(crate) fn tencent_app() -> TencentApp {
        config()
            .tencent_apps
            .into_iter()
            .next()
            .expect("the emulator's default configuration has a Tencent app")
    }

    /// The default quotas (documented rates, enforced).
    pub(crate) fn quota() -> QuotaConfig {
        config().quota
    }

    /// The default connection timeouts and cap.
    pub(crate) fn connections() -> ConnectionConfig {
        config().connections
    }
}

/// The configuration the flags ask for: the emulator's defaults with each given flag applied.
pub(crate) fn config_from(args: &EmulatorArgs) -> EmulatorConfig {
    let rongcloud_secret = match &args.rongcloud_app_secret {
        Some(secret) => secret.clone(),
        None => defaults::rongcloud_app().app_secret.expose().to_owned(),
    };
    let tencent_secret = match &args.tencent_secret_key {
        Some(secret) => secret.clone(),
        None => defaults::tencent_app().secret_key.expose().to_owned(),
    };
    let mut config = defaults::config();
    config.listen = args.listen;
    config.rongcloud_apps = vec![RongCloudApp::new(
        args.rongcloud_app_key.clone(),
        rongcloud_secret,
    )];
    config.tencent_apps = vec![TencentApp::new(
        args.tencent_sdkappid,
        tencent_secret,
        args.tencent_admin.clone(),
    )];
    config.kv_enabled = !args.rongcloud_kv_disabled;
    config.expansion_auto_register = !args.no_expansion_auto_register;
    config.strict = args.strict;
    if let Some(seconds) = args.strict_window {
        config.strict_window = Duration::from_secs(seconds);
    }
    config.quota.rate_scale = args.rate_scale;
    config.quota.enabled = !args.no_rate_limit;
    config.fault_seed = args.fault_seed;
    config.connections.header_read_timeout = Duration::from_secs(args.header_read_timeout);
    config.connections.idle_timeout = Duration::from_secs(args.idle_timeout);
    config.connections.body_read_timeout = Duration::from_secs(args.body_read_timeout);
    config.connections.max_connections = args.max_connections;
    config.connections.health_reserve = args.health_reserve;
    config.journal_capacity = args.journal_size;
    config.event_capacity = args.event_log_size;
    config.webhooks.rongcloud_url = args.rongcloud_webhook_url.clone();
    config.webhooks.tencent_url = args.tencent_callback_url.clone();
    config.webhooks.tencent_token = args
        .tencent_callback_token
        .as_ref()
        .map(|token| Secret::new(token.expose()));
    config
}

/// The lines printed after the ready line: the credentials clients need, one per line. A secret
/// is shown only when it is the built-in demo default, never when it came from a flag.
pub(crate) fn credential_lines(args: &EmulatorArgs, config: &EmulatorConfig) -> Vec<String> {
    let mut lines = Vec::new();
    for app in &config.rongcloud_apps {
        lines.push(format!("rongcloud app key: {}", app.app_key));
        lines.push(secret_line(
            "rongcloud app secret",
            args.rongcloud_app_secret.is_some(),
            app.app_secret.expose(),
        ));
    }
    for app in &config.tencent_apps {
        lines.push(format!("tencent sdkappid: {}", app.sdkappid));
        lines.push(secret_line(
            "tencent secret key",
            args.tencent_secret_key.is_some(),
            app.secret_key.expose(),
        ));
        lines.push(format!("tencent admin: {}", app.admin));
    }
    lines
}

fn secret_line(label: &str, set_by_flag: bool, builtin: &str) -> String {
    if set_by_flag {
        format!("{label}: (set by flag)")
    } else {
        format!("{label}: {builtin} (default)")
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use clap::Parser;

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
        let parse = |flags: &[&str]| {
            Cli::try_parse_from(["roomkv", "emulator"].iter().chain(flags)).is_ok()
        };
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
}
