use std::os::unix::fs::PermissionsExt as _;

use roomkv_rongcloud::Region as RcRegion;
use roomkv_tencent::Region as TcRegion;

use super::*;

/// The issue's example, as an operator writes it.
const EXAMPLE: &str = r#"
[profiles.staging.rongcloud]
app_key = "staging-key"
app_secret_env = "STAGING_RC_SECRET"   # or app_secret_file = "...", or app_secret = "..." (0600 only)
region = "singapore"                 # or base_url = "http://127.0.0.1:8787"
dialect = "legacy"

[profiles.staging.tencent]
sdkappid = 1400000000
secret_key_file = "~/.config/roomkv/staging.key"
admin = "administrator"

[profiles.local.rongcloud]
app_key = "demo-app-key"
app_secret = "demo-app-secret"
base_url = "http://127.0.0.1:8787"
timeout = 2.5
max_rate_wait = 1
redis_url = "redis://127.0.0.1:6379"
fleet_size = 3
redis_fail_closed = true

[profiles.local.tencent]
region = "singapore"
no_rate_limit = true
"#;

fn parse(text: &str) -> Result<(ConfigFile, Option<String>), String> {
    ConfigFile::parse(
        Path::new("/etc/roomkv/config.toml"),
        text,
        Some(PathBuf::from("/home/op")),
    )
}

fn error(text: &str) -> String {
    parse(text).unwrap_err()
}

#[test]
fn the_documented_layout_parses_into_typed_settings() {
    let (file, inline) = parse(EXAMPLE).unwrap();
    assert_eq!(
        inline.as_deref(),
        Some("profiles.local.rongcloud.app_secret")
    );
    assert_eq!(
        file.profiles.keys().collect::<Vec<_>>(),
        ["local", "staging"]
    );

    let staging = file.profile("staging").unwrap();
    let rc = &staging.rongcloud;
    assert_eq!(rc.app_key.as_deref(), Some("staging-key"));
    let secret = rc.app_secret.as_ref().unwrap();
    assert_eq!(secret.key, "profiles.staging.rongcloud.app_secret_env");
    assert_eq!(
        secret.source,
        SecretSource::Env("STAGING_RC_SECRET".to_owned())
    );
    assert_eq!(rc.endpoint, Some(Endpoint::Region(RcRegion::Singapore)));
    assert_eq!(rc.dialect, Some(Dialect::Legacy));
    let tc = &staging.tencent;
    assert_eq!(tc.sdkappid, Some(1_400_000_000));
    assert_eq!(
        tc.secret_key.as_ref().unwrap().source,
        SecretSource::File(PathBuf::from("/home/op/.config/roomkv/staging.key"))
    );
    assert_eq!(tc.admin.as_deref(), Some("administrator"));
    assert_eq!(tc.host, HostProfile::default());

    let local = file.profile("local").unwrap();
    let host = &local.rongcloud.host;
    assert_eq!(
        local.rongcloud.endpoint,
        Some(Endpoint::BaseUrl("http://127.0.0.1:8787".to_owned()))
    );
    assert_eq!(host.timeout, Some(Duration::from_millis(2500)));
    assert_eq!(host.max_rate_wait, Some(Duration::from_secs(1)));
    assert_eq!(host.fleet_size, Some(3));
    assert!(host.redis_fail_closed && !host.no_rate_limit);
    assert_eq!(
        local.tencent.endpoint,
        Some(Endpoint::Region(TcRegion::Singapore))
    );
    assert!(local.tencent.host.no_rate_limit);
    assert!(!format!("{local:?}").contains("demo-app-secret"));
}

#[test]
fn unknown_keys_are_errors_with_their_line() {
    let text = "[profiles.a.rongcloud]\napp_key = \"k\"\n\napp_sekret = \"s\"\n";
    let err = error(text);
    assert!(
        err.starts_with("/etc/roomkv/config.toml:4: unknown field `app_sekret`"),
        "{err}"
    );
    for (text, expected) in [
        (
            "[profiles.a.tencent]\nsdkappid = 1\napp_key = \"k\"\n",
            "/etc/roomkv/config.toml:3: unknown key `app_key` in [profiles.a.tencent]: it is not a tencent setting",
        ),
        (
            "[profiles.a.rongcloud]\n\n\nadmin = \"x\"\n",
            "/etc/roomkv/config.toml:4: unknown key `admin` in [profiles.a.rongcloud]: it is not a rongcloud setting",
        ),
        (
            "[profile.a.rongcloud]\n",
            "/etc/roomkv/config.toml:1: unknown field `profile`",
        ),
        (
            "[profiles.a.slack]\n",
            "/etc/roomkv/config.toml:1: unknown field `slack`",
        ),
    ] {
        let err = error(text);
        assert!(err.starts_with(expected), "{text:?}: {err}");
    }
}

#[test]
fn bad_values_are_errors_with_their_line() {
    for (text, expected) in [
        (
            "[profiles.a.rongcloud]\nregion = \"mars\"\n",
            ":2: region: unknown RongCloud region \"mars\"",
        ),
        (
            "[profiles.a.tencent]\n\nregion = \"bj\"\n",
            ":3: region: unknown Tencent region \"bj\"",
        ),
        (
            "[profiles.a.rongcloud]\ndialect = \"v5\"\n",
            ":2: dialect: ",
        ),
        (
            "[profiles.a.rongcloud]\ntimeout = 0\n",
            ":2: timeout: 0 is not a number of seconds",
        ),
        (
            "[profiles.a.rongcloud]\nmax_rate_wait = -1\n",
            ":2: max_rate_wait: ",
        ),
        (
            "[profiles.a.tencent]\nsdkappid = 0\n",
            ":2: sdkappid: must be at least 1",
        ),
        (
            "[profiles.a.tencent]\nsdkappid = \"1400\"\n",
            ":2: invalid type",
        ),
        (
            "[profiles.a.tencent]\nfleet_size = 0\n",
            ":2: fleet_size: must be at least 1",
        ),
        (
            "[profiles.a.tencent]\nadmin = \"\"\n",
            ":2: admin: the value is empty",
        ),
        (
            "[profiles.a.rongcloud]\nregion = \"sg\"\nbase_url = \"http://127.0.0.1:1\"\n",
            ":3: give region or base_url, not both",
        ),
        (
            "[profiles.a.rongcloud]\napp_secret = \"s\"\napp_secret_env = \"S\"\n",
            ":3: give only one of app_secret, app_secret_env and app_secret_file",
        ),
        (
            "[profiles.a.tencent]\nredis_url_file = \"f\"\nredis_url_env = \"R\"\n",
            ":2: give only one of redis_url, redis_url_env and redis_url_file",
        ),
        ("[profiles.a.rongcloud\n", ":1: "),
    ] {
        let err = error(text);
        assert!(
            err.starts_with(&format!("/etc/roomkv/config.toml{expected}")),
            "{text:?}: {err}"
        );
    }
}

#[test]
fn only_inline_secrets_make_a_file_secret() {
    for (text, inline) in [
        ("[profiles.a.rongcloud]\napp_secret_env = \"S\"\n", None),
        ("[profiles.a.tencent]\nsecret_key_file = \"k\"\n", None),
        (
            "[profiles.a.tencent]\nredis_url = \"redis://127.0.0.1\"\n",
            None,
        ),
        (
            "[profiles.a.tencent]\nredis_url = \"redis://:pw@127.0.0.1\"\n",
            Some("profiles.a.tencent.redis_url"),
        ),
        (
            "[profiles.a.tencent]\nsecret_key = \"k\"\n",
            Some("profiles.a.tencent.secret_key"),
        ),
    ] {
        assert_eq!(parse(text).unwrap().1.as_deref(), inline, "{text}");
    }
}

#[test]
fn an_unknown_profile_names_the_known_ones() {
    let (file, _) = parse(EXAMPLE).unwrap();
    assert_eq!(
        file.profile("prod").unwrap_err(),
        "no profile \"prod\" in /etc/roomkv/config.toml (profiles: local, staging)"
    );
    let (empty, _) = parse("").unwrap();
    assert!(
        empty
            .profile("x")
            .unwrap_err()
            .ends_with("(profiles: none)")
    );
}

/// A scratch directory of this test process, removed on drop.
pub(crate) struct Scratch(pub(crate) PathBuf);

impl Scratch {
    pub(crate) fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("roomkv-config-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    /// Writes `name` with `text` and `mode`.
    pub(crate) fn write(&self, name: &str, text: &str, mode: u32) -> PathBuf {
        let path = self.0.join(name);
        fs::write(&path, text).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[test]
fn an_inline_secret_in_a_file_others_can_read_is_refused() {
    let scratch = Scratch::new("mode");
    let text = "[profiles.a.rongcloud]\napp_key = \"k\"\napp_secret = \"s3cr3t\"\n";
    for mode in [0o644, 0o640, 0o604, 0o660, 0o602] {
        let path = scratch.write("config.toml", text, mode);
        let err = ConfigFile::load(&path).unwrap_err();
        let shown = path.display();
        assert_eq!(
            err,
            format!(
                "{shown} is accessible by group or others (mode {mode:04o}) and it holds an inline \
                 secret (profiles.a.rongcloud.app_secret): run `chmod 600 {shown}`, or name the \
                 secret with app_secret_env or app_secret_file"
            )
        );
        assert!(!err.contains("s3cr3t"));
    }
    for mode in [0o600, 0o400] {
        let path = scratch.write("config.toml", text, mode);
        assert!(ConfigFile::load(&path).is_ok(), "{mode:o}");
    }
    // Without an inline secret the file may be shared.
    let path = scratch.write(
        "config.toml",
        "[profiles.a.rongcloud]\napp_secret_env = \"S\"\n",
        0o644,
    );
    assert!(ConfigFile::load(&path).is_ok());
}

#[test]
fn a_secret_file_is_read_only_when_private() {
    let scratch = Scratch::new("secret-file");
    let key = scratch.write("staging.key", "tc-secret\n", 0o644);
    let secret = SecretRef {
        key: "profiles.a.tencent.secret_key_file".to_owned(),
        source: SecretSource::File(key.clone()),
    };
    let err = secret.read().unwrap_err();
    assert!(
        err.contains(&format!("run `chmod 600 {}`", key.display())),
        "{err}"
    );
    assert!(err.contains("profiles.a.tencent.secret_key_file"), "{err}");
    fs::set_permissions(&key, fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(secret.read().unwrap().expose(), "tc-secret");
    fs::remove_file(&key).unwrap();
    assert!(secret.read().unwrap_err().starts_with("cannot read"));
}

#[test]
fn relative_secret_files_are_next_to_the_config_file() {
    let (file, _) = parse("[profiles.a.tencent]\nsecret_key_file = \"keys/a.key\"\n").unwrap();
    let secret = file.profile("a").unwrap().tencent.secret_key.unwrap();
    assert_eq!(
        secret.source,
        SecretSource::File(PathBuf::from("/etc/roomkv/keys/a.key"))
    );
    assert_eq!(secret.masked(), "file /etc/roomkv/keys/a.key");
}
