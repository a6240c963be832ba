//! The precedence table: for every setting a profile holds, a flag wins over the profile, the
//! profile over the default. (The environment variables arrive through clap in the same slot
//! as the flags, clap giving the flag precedence; `tests/it/profiles.rs` runs the same table
//! with them, against the emulator.)

use clap::Parser as _;

use super::*;
use crate::cli::{Cli, Command};
use crate::config::ConfigFile;
use crate::{rongcloud, tencent};

/// The profile `p` of `toml`.
fn profile(toml: &str) -> crate::config::Profile {
    let (file, _) =
        ConfigFile::parse(std::path::Path::new("/c.toml"), toml, None).expect("a valid file");
    file.profile("p").expect("profile p")
}

/// `roomkv VENDOR FLAGS... SUBCOMMAND` parsed, laid over `[profiles.p.VENDOR]` holding `table`.
fn rongcloud(flags: &[&str], table: &str) -> rongcloud::Connection {
    let argv = [
        &["roomkv", "rongcloud"][..],
        flags,
        &["entry", "query", "--room", "r"],
    ]
    .concat();
    let Command::RongCloud(args) = Cli::try_parse_from(argv).unwrap().command else {
        unreachable!()
    };
    let profile = profile(&format!("[profiles.p.rongcloud]\n{table}"));
    args.connection.with_profile(&profile.rongcloud).unwrap()
}

fn tencent(flags: &[&str], table: &str) -> tencent::Connection {
    let argv = [
        &["roomkv", "tencent"][..],
        flags,
        &["room", "info", "--room", "r"],
    ]
    .concat();
    let Command::Tencent(args) = Cli::try_parse_from(argv).unwrap().command else {
        unreachable!()
    };
    let profile = profile(&format!("[profiles.p.tencent]\n{table}"));
    args.connection.with_profile(&profile.tencent).unwrap()
}

/// One row: the setting, its flag(s), its profile line, and what a reader of the resolved
/// connection sees with the flag (and the profile), with the profile alone, and with neither.
struct Row<C> {
    setting: &'static str,
    flags: &'static [&'static str],
    profile: &'static str,
    read: fn(&C) -> String,
    flag_wins: &'static str,
    profile_wins: &'static str,
    default: &'static str,
}

fn check<C>(rows: &[Row<C>], resolve: fn(&[&str], &str) -> C) {
    for row in rows {
        let setting = row.setting;
        assert_eq!(
            (row.read)(&resolve(row.flags, row.profile)),
            row.flag_wins,
            "{setting}: flag"
        );
        assert_eq!(
            (row.read)(&resolve(&[], row.profile)),
            row.profile_wins,
            "{setting}: profile"
        );
        assert_eq!(
            (row.read)(&resolve(&[], "")),
            row.default,
            "{setting}: default"
        );
    }
}

fn secret(secret: Option<&Secret>) -> String {
    secret.map_or_else(|| "None".to_owned(), |s| s.expose().to_owned())
}

fn debug<T: std::fmt::Debug>(value: T) -> String {
    format!("{value:?}")
}

#[test]
fn host_and_quota_settings_flag_then_profile_then_default() {
    type C = rongcloud::Connection;
    let rows: &[Row<C>] = &[
        Row {
            setting: "timeout",
            flags: &["--timeout", "3"],
            profile: "timeout = 4",
            read: |c: &C| debug(c.host.timeout),
            flag_wins: "Some(3s)",
            profile_wins: "Some(4s)",
            default: "None",
        },
        Row {
            setting: "max_rate_wait",
            flags: &["--max-rate-wait", "1"],
            profile: "max_rate_wait = 2",
            read: |c: &C| debug(c.host.quota.max_rate_wait),
            flag_wins: "Some(1s)",
            profile_wins: "Some(2s)",
            default: "None",
        },
        Row {
            setting: "redis_url",
            flags: &["--redis-url", "redis://flag:1"],
            profile: "redis_url = \"redis://profile:1\"",
            read: |c: &C| secret(c.host.quota.redis_url.as_ref()),
            flag_wins: "redis://flag:1",
            profile_wins: "redis://profile:1",
            default: "None",
        },
        Row {
            setting: "fleet_size",
            flags: &["--fleet-size", "2"],
            profile: "redis_url = \"redis://p:1\"\nfleet_size = 3",
            read: |c: &C| debug(c.host.quota.fleet_size),
            flag_wins: "Some(2)",
            profile_wins: "Some(3)",
            default: "None",
        },
        Row {
            setting: "no_rate_limit (a flag can only switch it on)",
            flags: &["--no-rate-limit"],
            profile: "no_rate_limit = true",
            read: |c: &C| debug(c.host.quota.no_rate_limit),
            flag_wins: "true",
            profile_wins: "true",
            default: "false",
        },
        Row {
            setting: "--no-rate-limit wins over the profile's Redis",
            flags: &["--no-rate-limit"],
            profile: "redis_url = \"redis://p:1\"\nfleet_size = 3\nredis_fail_closed = true",
            read: |c: &C| {
                let q = &c.host.quota;
                format!(
                    "{} {:?} {} {}",
                    q.no_rate_limit,
                    q.fleet_size,
                    q.redis_fail_closed,
                    secret(q.redis_url.as_ref())
                )
            },
            flag_wins: "true None false None",
            profile_wins: "false Some(3) true redis://p:1",
            default: "false None false None",
        },
        Row {
            setting: "a Redis URL flag wins over the profile's no_rate_limit",
            flags: &["--redis-url", "redis://flag:1"],
            profile: "no_rate_limit = true",
            read: |c: &C| {
                format!(
                    "{} {}",
                    c.host.quota.no_rate_limit,
                    secret(c.host.quota.redis_url.as_ref())
                )
            },
            flag_wins: "false redis://flag:1",
            profile_wins: "true None",
            default: "false None",
        },
        Row {
            setting: "redis_fail_closed (a flag can only switch it on)",
            flags: &["--redis-fail-closed"],
            profile: "redis_url = \"redis://p:1\"\nredis_fail_closed = true",
            read: |c: &C| debug(c.host.quota.redis_fail_closed),
            flag_wins: "true",
            profile_wins: "true",
            default: "false",
        },
    ];
    check(rows, rongcloud);
}

#[test]
fn rongcloud_settings_flag_then_profile_then_default() {
    type C = rongcloud::Connection;
    let rows: &[Row<C>] = &[
        Row {
            setting: "app_key",
            flags: &["--app-key", "flag-key"],
            profile: "app_key = \"profile-key\"",
            read: |c: &C| debug(&c.credentials.app_key),
            flag_wins: "Some(\"flag-key\")",
            profile_wins: "Some(\"profile-key\")",
            default: "None",
        },
        Row {
            setting: "app_secret",
            flags: &["--app-secret", "flag-secret"],
            profile: "app_secret = \"profile-secret\"",
            read: |c: &C| secret(c.credentials.app_secret.as_ref()),
            flag_wins: "flag-secret",
            profile_wins: "profile-secret",
            default: "None",
        },
        Row {
            setting: "dialect",
            flags: &["--dialect", "v4"],
            profile: "dialect = \"legacy\"",
            read: |c: &C| debug(c.own.dialect),
            flag_wins: "Some(V4)",
            profile_wins: "Some(Legacy)",
            default: "None",
        },
        Row {
            setting: "region",
            flags: &["--region", "sg"],
            profile: "region = \"north-america\"",
            read: |c: &C| debug(c.region),
            flag_wins: "Some(Singapore)",
            profile_wins: "Some(NorthAmerica)",
            default: "None",
        },
        Row {
            setting: "base_url",
            flags: &["--base-url", "http://127.0.0.1:1"],
            profile: "base_url = \"http://127.0.0.1:2\"",
            read: |c: &C| debug(&c.host.base_url),
            flag_wins: "Some(\"http://127.0.0.1:1\")",
            profile_wins: "Some(\"http://127.0.0.1:2\")",
            default: "None",
        },
        Row {
            setting: "--region wins over the profile's base_url",
            flags: &["--region", "sg"],
            profile: "base_url = \"http://127.0.0.1:2\"",
            read: |c: &C| format!("{:?} {:?}", c.region, c.host.base_url),
            flag_wins: "Some(Singapore) None",
            profile_wins: "None Some(\"http://127.0.0.1:2\")",
            default: "None None",
        },
        Row {
            setting: "--base-url wins over the profile's region",
            flags: &["--base-url", "http://127.0.0.1:1"],
            profile: "region = \"sg\"",
            read: |c: &C| format!("{:?} {:?}", c.region, c.host.base_url),
            flag_wins: "None Some(\"http://127.0.0.1:1\")",
            profile_wins: "Some(Singapore) None",
            default: "None None",
        },
    ];
    check(rows, rongcloud);
}

#[test]
fn tencent_settings_flag_then_profile_then_default() {
    type C = tencent::Connection;
    let rows: &[Row<C>] = &[
        Row {
            setting: "sdkappid",
            flags: &["--sdkappid", "1400000001"],
            profile: "sdkappid = 1400000002",
            read: |c: &C| debug(c.credentials.sdkappid),
            flag_wins: "Some(1400000001)",
            profile_wins: "Some(1400000002)",
            default: "None",
        },
        Row {
            setting: "secret_key",
            flags: &["--secret-key", "flag-key"],
            profile: "secret_key = \"profile-key\"",
            read: |c: &C| secret(c.credentials.secret_key.as_ref()),
            flag_wins: "flag-key",
            profile_wins: "profile-key",
            default: "None",
        },
        Row {
            setting: "admin (None: the client's default, administrator)",
            flags: &["--admin", "flag-admin"],
            profile: "admin = \"profile-admin\"",
            read: |c: &C| debug(&c.credentials.admin),
            flag_wins: "Some(\"flag-admin\")",
            profile_wins: "Some(\"profile-admin\")",
            default: "None",
        },
        Row {
            setting: "region",
            flags: &["--region", "seoul"],
            profile: "region = \"frankfurt\"",
            read: |c: &C| debug(c.region),
            flag_wins: "Some(Seoul)",
            profile_wins: "Some(Frankfurt)",
            default: "None",
        },
        Row {
            setting: "base_url",
            flags: &["--base-url", "http://127.0.0.1:1"],
            profile: "base_url = \"http://127.0.0.1:2\"",
            read: |c: &C| debug(&c.host.base_url),
            flag_wins: "Some(\"http://127.0.0.1:1\")",
            profile_wins: "Some(\"http://127.0.0.1:2\")",
            default: "None",
        },
        Row {
            setting: "timeout",
            flags: &["--timeout", "3"],
            profile: "timeout = 4",
            read: |c: &C| debug(c.host.timeout),
            flag_wins: "Some(3s)",
            profile_wins: "Some(4s)",
            default: "None",
        },
    ];
    check(rows, tencent);
}

#[test]
fn a_secret_the_flags_give_is_not_read_from_the_profile() {
    // The variable the profile names is not set: reading it would fail.
    let table = "app_secret_env = \"ROOMKV_TEST_SURELY_UNSET_VARIABLE\"";
    let connection = rongcloud(&["--app-secret", "flag"], table);
    assert_eq!(secret(connection.credentials.app_secret.as_ref()), "flag");
    let argv = ["roomkv", "rongcloud", "entry", "query", "--room", "r"];
    let Command::RongCloud(args) = Cli::try_parse_from(argv).unwrap().command else {
        unreachable!()
    };
    let profile = profile(&format!("[profiles.p.rongcloud]\n{table}"));
    let failure = args
        .connection
        .with_profile(&profile.rongcloud)
        .unwrap_err();
    assert_eq!(failure.exit_code, 2);
    assert_eq!(
        failure.message,
        "profiles.p.rongcloud.app_secret_env: the environment variable \
         ROOMKV_TEST_SURELY_UNSET_VARIABLE is not set"
    );
}
