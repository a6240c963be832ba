//! Profiles end to end: the precedence of flags, environment variables and the profile for
//! every setting that has a variable, against the emulator; `--profile` over `ROOMKV_PROFILE`;
//! the permission refusal; `config list`, `config check` and its `--ping`.

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::PathBuf;

use crate::process::{Finished, Roomkv};
use crate::vendor::{Emulator, RC_KEY, RC_SECRET, TC_SDKAPPID, TC_SECRET, failure, success};

/// A config file in a scratch directory of its own, removed on drop.
pub(crate) struct ConfigDir(PathBuf);

impl ConfigDir {
    pub(crate) fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("roomkv-profiles-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("a scratch directory");
        Self(dir)
    }

    /// The config file's path.
    pub(crate) fn path(&self) -> String {
        self.0
            .join("config.toml")
            .to_str()
            .expect("UTF-8")
            .to_owned()
    }

    /// Writes the config file with `text` and `mode`.
    pub(crate) fn write(&self, text: &str, mode: u32) {
        let path = self.path();
        fs::write(&path, text).expect("write the config file");
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).expect("chmod");
    }

    /// `roomkv ARGS` with `ROOMKV_CONFIG` naming the file, and `env`.
    pub(crate) fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Finished {
        let path = self.path();
        let env = [&[("ROOMKV_CONFIG", path.as_str())][..], env].concat();
        Roomkv::run_with_env(args, &env)
    }
}

impl Drop for ConfigDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A setting with an environment variable, the value the emulator accepts and one it does not.
struct Setting {
    vendor: &'static str,
    key: &'static str,
    flag: &'static str,
    var: &'static str,
    right: &'static str,
    wrong: &'static str,
    /// The exit code when the wrong value is used (1: the vendor refused; 2: refused before
    /// sending).
    wrong_exit: i32,
}

const SETTINGS: &[Setting] = &[
    Setting {
        vendor: "rongcloud",
        key: "app_key",
        flag: "--app-key",
        var: "RONGCLOUD_APP_KEY",
        right: RC_KEY,
        wrong: "nobody",
        wrong_exit: 1,
    },
    Setting {
        vendor: "rongcloud",
        key: "app_secret",
        flag: "--app-secret",
        var: "RONGCLOUD_APP_SECRET",
        right: RC_SECRET,
        wrong: "wrong-secret",
        wrong_exit: 1,
    },
    // A notification cannot be sent in v4: refused before sending.
    Setting {
        vendor: "rongcloud",
        key: "dialect",
        flag: "--dialect",
        var: "RONGCLOUD_DIALECT",
        right: "legacy",
        wrong: "v4",
        wrong_exit: 2,
    },
    // An unreachable Redis lets each process limit itself; a URL that is not Redis's is refused.
    Setting {
        vendor: "rongcloud",
        key: "redis_url",
        flag: "--redis-url",
        var: "ROOMKV_REDIS_URL",
        right: "redis://127.0.0.1:1",
        wrong: "http://127.0.0.1:1",
        wrong_exit: 2,
    },
    Setting {
        vendor: "tencent",
        key: "sdkappid",
        flag: "--sdkappid",
        var: "TENCENT_SDKAPPID",
        right: TC_SDKAPPID,
        wrong: "1400000009",
        wrong_exit: 1,
    },
    Setting {
        vendor: "tencent",
        key: "secret_key",
        flag: "--secret-key",
        var: "TENCENT_SECRET_KEY",
        right: TC_SECRET,
        wrong: "wrong-key",
        wrong_exit: 1,
    },
    Setting {
        vendor: "tencent",
        key: "admin",
        flag: "--admin",
        var: "TENCENT_ADMIN",
        right: "administrator",
        wrong: "someone",
        wrong_exit: 1,
    },
];

/// The TOML of `value` for `key`.
fn toml_value(key: &str, value: &str) -> String {
    if key == "sdkappid" {
        value.to_owned()
    } else {
        format!("{value:?}")
    }
}

/// Profile `p`: every setting the emulator accepts, but `setting`, which is `value` or absent.
fn profile_text(url: &str, setting: &Setting, value: Option<&str>) -> String {
    let mut rongcloud = vec![
        ("app_key", RC_KEY),
        ("app_secret", RC_SECRET),
        ("dialect", "legacy"),
        ("base_url", url),
    ];
    let mut tencent = vec![
        ("sdkappid", TC_SDKAPPID),
        ("secret_key", TC_SECRET),
        ("admin", "administrator"),
        ("base_url", url),
    ];
    let table = if setting.vendor == "rongcloud" {
        &mut rongcloud
    } else {
        &mut tencent
    };
    table.retain(|(key, _)| *key != setting.key);
    if let Some(value) = value {
        table.push((setting.key, value));
    }
    let lines = |table: &[(&str, &str)]| -> String {
        table
            .iter()
            .map(|(key, value)| format!("{key} = {}\n", toml_value(key, value)))
            .collect()
    };
    format!(
        "[profiles.p.rongcloud]\n{}\n[profiles.p.tencent]\n{}",
        lines(&rongcloud),
        lines(&tencent)
    )
}

/// `roomkv --profile p rongcloud entry query --room r`.
const QUERY_P: &[&str] = &[
    "--profile",
    "p",
    "rongcloud",
    "entry",
    "query",
    "--room",
    "r",
];

/// Each layer's value, `None` where the layer does not give the setting.
type Layers = [Option<bool>; 3];

#[test]
fn flag_then_environment_then_profile_for_every_setting_with_a_variable() {
    let emulator = Emulator::start();
    success(&emulator.tencent(&["room", "create", "--room", "live"]));
    let config = ConfigDir::new("precedence");
    // [flag, environment, profile]: true is the right value, false the wrong one.
    let table: [(Layers, bool); 6] = [
        ([Some(true), Some(false), Some(false)], true),
        ([Some(false), Some(true), Some(true)], false),
        ([None, Some(true), Some(false)], true),
        ([None, Some(false), Some(true)], false),
        ([None, None, Some(true)], true),
        ([None, None, Some(false)], false),
    ];
    for setting in SETTINGS {
        for ([flag, env, profile], succeeds) in table {
            let value = |right: bool| if right { setting.right } else { setting.wrong };
            config.write(
                &profile_text(&emulator.url, setting, profile.map(value)),
                0o600,
            );
            let mut args = vec!["--profile", "p", setting.vendor];
            if let Some(right) = flag {
                args.extend([setting.flag, value(right)]);
            }
            args.extend(if setting.vendor == "rongcloud" {
                &[
                    "entry", "set", "--room", "r", "--user", "u", "--key", "k", "--value", "v",
                    "--notify",
                ][..]
            } else {
                &["metadata", "get", "--room", "live"][..]
            });
            let env: Vec<(&str, &str)> = env
                .map(|right| (setting.var, value(right)))
                .into_iter()
                .collect();
            let out = config.run(&args, &env);
            let case = format!(
                "{} with flag {flag:?}, env {env:?}, profile {profile:?}: {out:?}",
                setting.key
            );
            if succeeds {
                assert_eq!(out.status.code(), Some(0), "{case}");
            } else {
                assert_eq!(out.status.code(), Some(setting.wrong_exit), "{case}");
            }
        }
    }
}

#[test]
fn the_default_applies_only_where_no_layer_gives_a_setting() {
    let emulator = Emulator::start();
    success(&emulator.tencent(&["room", "create", "--room", "live"]));
    let config = ConfigDir::new("defaults");
    let admin = &SETTINGS[6];
    assert_eq!(admin.key, "admin");
    config.write(&profile_text(&emulator.url, admin, None), 0o600);
    // The admin defaults to `administrator`, which the emulator expects.
    success(&config.run(
        &[
            "--profile",
            "p",
            "tencent",
            "metadata",
            "get",
            "--room",
            "live",
        ],
        &[],
    ));
    // The App Key has no default: missing everywhere, it is a refusal.
    let key = &SETTINGS[0];
    config.write(&profile_text(&emulator.url, key, None), 0o600);
    let line = failure(&config.run(QUERY_P, &[]), 2);
    assert!(line.contains("App Key is missing"), "{line}");
}

#[test]
fn the_profile_flag_wins_over_the_variable() {
    let emulator = Emulator::start();
    let config = ConfigDir::new("select");
    config.write(
        &format!(
            "[profiles.good.rongcloud]\napp_key = \"{RC_KEY}\"\napp_secret_env = \"RC_SECRET\"\nbase_url = \"{0}\"\n\n\
             [profiles.bad.rongcloud]\napp_key = \"nobody\"\napp_secret_env = \"RC_SECRET\"\nbase_url = \"{0}\"\n",
            emulator.url
        ),
        0o644,
    );
    let query = ["rongcloud", "entry", "query", "--room", "r"];
    let secret = ("RC_SECRET", RC_SECRET);
    let with_flag = [&["--profile", "good"][..], &query].concat();
    success(&config.run(&with_flag, &[secret, ("ROOMKV_PROFILE", "bad")]));
    success(&config.run(&query, &[secret, ("ROOMKV_PROFILE", "good")]));
    failure(&config.run(&query, &[secret, ("ROOMKV_PROFILE", "bad")]), 1);
    // After the subcommand too: the flag is global.
    let after = [&query[..], &["--profile", "good"]].concat();
    success(&config.run(&after, &[secret, ("ROOMKV_PROFILE", "bad")]));
    let line = failure(
        &config.run(&query, &[secret, ("ROOMKV_PROFILE", "prod")]),
        2,
    );
    assert!(line.ends_with("(profiles: bad, good)"), "{line}");
}

#[test]
fn an_inline_secret_readable_by_others_is_refused_naming_the_file_and_the_fix() {
    let config = ConfigDir::new("mode");
    config.write(
        "[profiles.p.rongcloud]\napp_key = \"k\"\napp_secret = \"inline-s3cr3t\"\nbase_url = \"http://127.0.0.1:9\"\n",
        0o644,
    );
    let path = config.path();
    for args in [QUERY_P, &["config", "list"], &["config", "check"]] {
        let out = config.run(args, &[]);
        let line = failure(&out, 2);
        assert!(
            line.contains(&format!(
                "roomkv: {path} is accessible by group or others (mode 0644)"
            )),
            "{line}"
        );
        assert!(line.contains(&format!("run `chmod 600 {path}`")), "{line}");
        assert!(!line.contains("inline-s3cr3t"), "{line}");
    }
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let list = success(&config.run(&["config", "list"], &[]));
    assert_eq!(list["profiles"][0]["rongcloud"]["app_secret"], "***");
}

#[test]
fn config_list_masks_secrets_and_names_references() {
    let config = ConfigDir::new("list");
    config.write(
        "[profiles.staging.rongcloud]\napp_key = \"k\"\napp_secret_env = \"STAGING_RC_SECRET\"\nregion = \"sg\"\ndialect = \"v4\"\n\
         max_rate_wait = 2.5\n\n[profiles.staging.tencent]\nsdkappid = 1400000000\nsecret_key_file = \"staging.key\"\n\
         redis_url = \"redis://:pw@127.0.0.1:6379\"\nfleet_size = 4\n\n[profiles.empty]\n",
        0o600,
    );
    let out = config.run(&["config", "list"], &[]);
    assert!(!out.stdout.contains("pw@"), "{}", out.stdout);
    let list = success(&out);
    let dir = config.path().trim_end_matches("config.toml").to_owned();
    assert_eq!(
        list,
        serde_json::json!({
            "path": config.path(),
            "profiles": [
                {"name": "empty"},
                {
                    "name": "staging",
                    "rongcloud": {"app_key": "k", "app_secret": "$STAGING_RC_SECRET", "dialect": "v4", "region": "singapore", "max_rate_wait": 2.5},
                    "tencent": {"sdkappid": 1400000000u64, "secret_key": format!("file {dir}staging.key"), "redis_url": "***", "fleet_size": 4},
                },
            ],
        })
    );
}

#[test]
fn config_check_names_the_line_of_an_unknown_key() {
    let config = ConfigDir::new("check");
    config.write(
        "[profiles.p.rongcloud]\napp_key = \"k\"\n\nap_secret = \"s\"\n",
        0o600,
    );
    let line = failure(&config.run(&["config", "check"], &[]), 2);
    assert!(
        line.starts_with(&format!(
            "roomkv: {}:4: unknown field `ap_secret`, expected one of",
            config.path()
        )),
        "{line}"
    );
    // A variable the checked profile names must be set.
    config.write(
        "[profiles.p.tencent]\nsecret_key_env = \"ROOMKV_TEST_TC_KEY\"\n",
        0o600,
    );
    let line = failure(&config.run(&["config", "check"], &[]), 2);
    assert_eq!(
        line,
        "roomkv: profiles.p.tencent.secret_key_env: the environment variable ROOMKV_TEST_TC_KEY is not set"
    );
    let ok = success(&config.run(&["config", "check"], &[("ROOMKV_TEST_TC_KEY", "k")]));
    assert_eq!(ok["profiles"], serde_json::json!(["p"]));
    assert_eq!(ok["pinged"], serde_json::json!([]));
}

#[test]
fn config_check_ping_reads_once_per_vendor_from_the_emulator() {
    let emulator = Emulator::start();
    let config = ConfigDir::new("ping");
    let text = |rc_secret: &str, tc_secret: &str| {
        format!(
            "[profiles.p.rongcloud]\napp_key = \"{RC_KEY}\"\napp_secret = \"{rc_secret}\"\n\
             base_url = \"{0}\"\n\n[profiles.p.tencent]\nsdkappid = {TC_SDKAPPID}\n\
             secret_key = \"{tc_secret}\"\nbase_url = \"{0}\"\n\n\
             [profiles.other.rongcloud]\napp_key = \"x\"\n",
            emulator.url
        )
    };
    config.write(&text(RC_SECRET, TC_SECRET), 0o600);
    let ok = success(&config.run(&["config", "check", "--profile", "p", "--ping"], &[]));
    assert_eq!(
        ok["pinged"],
        serde_json::json!([{"profile": "p", "vendor": "rongcloud"}, {"profile": "p", "vendor": "tencent"}])
    );
    // Reads only: the emulator recorded no change.
    let events = emulator.control_get("/_emulator/events");
    assert_eq!(events["events"], serde_json::json!([]), "{events}");

    // The emulator answers each ping: a wrong secret is its error, named with the vendor.
    for (rc_secret, tc_secret, expected) in [
        (
            "wrong-secret",
            TC_SECRET,
            "roomkv: ping of profile p (rongcloud) failed: RongCloud error 1004",
        ),
        (
            RC_SECRET,
            "wrong-secret",
            "roomkv: ping of profile p (tencent) failed: Tencent error 70",
        ),
    ] {
        config.write(&text(rc_secret, tc_secret), 0o600);
        let line = failure(
            &config.run(&["--profile", "p", "config", "check", "--ping"], &[]),
            1,
        );
        assert!(line.starts_with(expected), "{line}");
        assert!(!line.contains("wrong-secret"), "{line}");
    }
}
