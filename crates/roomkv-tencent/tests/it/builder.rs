//! Building a client: required settings, host choices, URL rules, conflicting settings.

use roomkv_tencent::TencentSettings;
use std::time::Duration;

use roomkv_tencent::{BuildError, Client, CredentialsError, Error, Region, SecretKey};
use roomkv_transport::SharedHttpClient;
use roomkv_transport::test_util::CaptureClient;

use crate::support::*;

fn minimal() -> roomkv_tencent::ClientBuilder {
    Client::builder()
        .sdkappid(SDKAPPID)
        .secret_key(secret_key())
}

#[test]
fn the_sdkappid_and_the_key_are_required() {
    let err = Client::builder()
        .secret_key(secret_key())
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::Credentials(CredentialsError::MissingSdkAppId)
        ),
        "{err}"
    );
    let err = Client::builder().sdkappid(SDKAPPID).build().unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::Credentials(CredentialsError::MissingSecretKey)
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "the secret key is missing; set it with ClientBuilder::secret_key"
    );
    // `?` carries it in the request error type too.
    let as_request_error: Error = err.into();
    assert!(
        as_request_error
            .to_string()
            .starts_with("invalid client configuration: ")
    );
}

#[test]
fn defaults_are_the_china_region_and_administrator() {
    let client = minimal().build().unwrap();
    assert_eq!(client.sdkappid(), SDKAPPID);
    assert_eq!(client.admin().as_str(), "administrator");
    assert_eq!(
        client.hosts(),
        [
            "https://console.tim.qq.com/",
            "https://adminapi.my-imcloud.com/"
        ]
    );
    assert_eq!(client.active_host(), "https://console.tim.qq.com/");
}

#[test]
fn every_region_builds_with_its_two_hosts() {
    for region in Region::ALL {
        let client = minimal().region(region).build().unwrap();
        let hosts: Vec<String> = client.hosts().iter().map(ToString::to_string).collect();
        assert_eq!(
            hosts,
            [
                format!("{}/", region.info().primary),
                format!("{}/", region.info().backup)
            ]
        );
    }
}

#[test]
fn base_url_and_hosts_replace_the_region() {
    let client = minimal()
        .region(Region::Seoul)
        .base_url("http://localhost:8787")
        .build()
        .unwrap();
    assert_eq!(client.hosts(), ["http://localhost:8787/"]);
    let client = minimal()
        .hosts(["https://a.example", "https://b.example/"])
        .build()
        .unwrap();
    assert_eq!(client.hosts(), ["https://a.example/", "https://b.example/"]);
}

#[test]
fn plain_http_is_refused_except_to_loopback() {
    for url in [
        "http://127.0.0.1:1",
        "http://[::1]:8080",
        "http://localhost",
    ] {
        minimal().base_url(url).build().unwrap();
    }
    let err = minimal()
        .base_url("http://emulator.internal:8787")
        .build()
        .unwrap_err();
    let BuildError::InvalidUrl { url, reason } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(url, "http://emulator.internal:8787");
    assert!(reason.contains("loopback"), "{reason}");
    let err = minimal()
        .hosts(["https://a.example", "http://b.example"])
        .build()
        .unwrap_err();
    assert!(matches!(err, BuildError::InvalidUrl { .. }), "{err}");
}

#[test]
fn malformed_urls_are_refused() {
    for url in [
        "not a url",
        "ftp://127.0.0.1",
        "/relative",
        "https://a.example/?sdkappid=1",
    ] {
        let err = minimal().base_url(url).build().unwrap_err();
        assert!(matches!(err, BuildError::InvalidUrl { .. }), "{url}: {err}");
    }
    let err = minimal().hosts(Vec::<String>::new()).build().unwrap_err();
    assert!(matches!(err, BuildError::NoHosts), "{err}");
}

#[test]
fn the_usersig_lifetime_has_a_floor() {
    let err = minimal()
        .usersig_lifetime(Duration::from_secs(59))
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the UserSig lifetime must be at least 60 s, not 59 s"
    );
    minimal()
        .usersig_lifetime(Duration::from_secs(60))
        .build()
        .unwrap();
}

#[test]
fn http_settings_cannot_be_combined_with_a_custom_client() {
    let custom = SharedHttpClient::new(CaptureClient::new());
    let err = minimal()
        .timeout(Duration::from_secs(3))
        .http_client(custom.clone())
        .build()
        .unwrap_err();
    assert!(
        matches!(err, BuildError::IgnoredSetting { setting: "timeout" }),
        "{err}"
    );
    let err = minimal()
        .http_client(custom)
        .keep_alive(roomkv_tencent::KeepAlive::Disabled)
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::IgnoredSetting {
                setting: "keep_alive"
            }
        ),
        "{err}"
    );
}

#[test]
fn the_built_in_client_takes_the_http_settings() {
    minimal()
        .timeout(Duration::from_secs(4))
        .connect_timeout(Duration::from_secs(1))
        .keep_alive(roomkv_tencent::KeepAlive::Disabled)
        .build()
        .unwrap();
}

#[test]
fn clients_are_cheap_send_sync_clones() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<Client>();
    assert_send_sync::<roomkv_tencent::ClientBuilder>();
    fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}
    assert_error::<Error>();
    assert_error::<BuildError>();
}

#[test]
fn request_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let client = minimal().build().unwrap();
    let room = room("r");
    assert_send(&client.get_all_room_metadata(&room));
    assert_send(&client.set_room_metadata(&room, [(key("k"), value("v"))]));
    assert_send(&client.send(&roomkv_tencent::DestroyRoom::new(room)));
}

#[test]
fn a_secret_key_from_bytes() {
    // Keys are used as raw bytes, exactly as the console shows them.
    minimal()
        .secret_key(SecretKey::new(KEY.as_bytes().to_vec()))
        .build()
        .unwrap();
}
