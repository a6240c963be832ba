//! `ClientBuilder::build` refuses what cannot work, with typed errors.

use roomkv_rongcloud::RongCloudSettings;
use roomkv_rongcloud::{
    AppKey, AppSecret, BuildError, Client, ClientBuilder, CredentialsError, Region,
};
use roomkv_transport::SharedHttpClient;
use roomkv_transport::test_util::CaptureClient;

fn credentials() -> ClientBuilder {
    Client::builder()
        .app_key(AppKey::new("k"))
        .app_secret(AppSecret::new("s"))
}

/// Credentials and, without the built-in client, a custom one.
fn buildable() -> ClientBuilder {
    let builder = credentials();
    #[cfg(not(feature = "hyper"))]
    let builder = builder.http_client(SharedHttpClient::new(CaptureClient::new()));
    builder
}

#[test]
fn credentials_are_required() {
    let no_key = Client::builder()
        .app_secret(AppSecret::new("s"))
        .build()
        .unwrap_err();
    assert!(
        matches!(
            no_key,
            BuildError::Credentials(CredentialsError::MissingAppKey)
        ),
        "{no_key:?}"
    );
    let no_secret = Client::builder()
        .app_key(AppKey::new("k"))
        .build()
        .unwrap_err();
    assert!(matches!(
        no_secret,
        BuildError::Credentials(CredentialsError::MissingAppSecret)
    ));
    let empty_secret = credentials()
        .app_secret(AppSecret::new(""))
        .build()
        .unwrap_err();
    assert!(matches!(
        empty_secret,
        BuildError::Credentials(CredentialsError::MissingAppSecret)
    ));
    let bad_key = credentials()
        .app_key(AppKey::new("line\nbreak"))
        .build()
        .unwrap_err();
    assert!(matches!(
        bad_key,
        BuildError::Credentials(CredentialsError::InvalidAppKey)
    ));
}

#[test]
fn hosts_default_to_beijing_and_follow_the_last_setting() {
    let client = buildable().build().unwrap();
    let hosts: Vec<String> = client.hosts().iter().map(ToString::to_string).collect();
    assert_eq!(
        hosts,
        ["https://api.rong-api.com/", "https://api-b.rong-api.com/"]
    );
    let client = buildable()
        .base_url("http://127.0.0.1:8787")
        .region(Region::NorthAmerica)
        .build()
        .unwrap();
    assert_eq!(
        client.active_host().host(),
        Some("api.us-light-api.com"),
        "the later region overrides the earlier base_url"
    );
}

#[test]
fn plain_http_is_for_loopback_only() {
    let err = credentials()
        .base_url("http://api.rong-api.com")
        .build()
        .unwrap_err();
    let BuildError::InvalidUrl { url, reason } = &err else {
        panic!("expected InvalidUrl, got {err:?}")
    };
    assert_eq!(url, "http://api.rong-api.com");
    assert!(reason.contains("loopback"), "{reason}");
    for ok in [
        "http://127.0.0.1:1",
        "http://localhost:8787",
        "http://[::1]:1",
    ] {
        assert!(buildable().base_url(ok).build().is_ok(), "{ok}");
    }
    assert!(matches!(
        credentials().base_url("not a url").build(),
        Err(BuildError::InvalidUrl { .. })
    ));
    assert!(matches!(
        credentials().base_url("https://a.example/?q=1").build(),
        Err(BuildError::InvalidUrl { .. })
    ));
    assert!(matches!(
        credentials().hosts(Vec::<String>::new()).build(),
        Err(BuildError::NoHosts)
    ));
}

#[cfg(feature = "hyper")]
#[test]
fn built_in_client_settings_do_not_combine_with_a_custom_client() {
    use std::time::Duration;

    let custom = || SharedHttpClient::new(CaptureClient::new());
    let err = credentials()
        .timeout(Duration::from_secs(2))
        .http_client(custom())
        .build()
        .unwrap_err();
    assert!(
        matches!(err, BuildError::IgnoredSetting { setting: "timeout" }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("timeout configures the built-in")
    );
    assert!(credentials().http_client(custom()).build().is_ok());
    assert!(
        credentials()
            .timeout(Duration::from_secs(2))
            .connect_timeout(Duration::from_secs(1))
            .build()
            .is_ok()
    );
}

#[test]
fn clients_are_cheap_to_clone_and_thread_safe() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<Client>();
    let client = buildable().build().unwrap();
    let copy = client.clone();
    assert_eq!(copy.app_key().as_str(), "k");
    assert_eq!(client.hosts(), copy.hosts());
}

#[cfg(not(feature = "hyper"))]
#[test]
fn without_the_built_in_client_one_must_be_given() {
    let err = credentials().build().unwrap_err();
    assert!(matches!(err, BuildError::NoHttpClient), "{err:?}");
}

#[tokio::test]
async fn request_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let client = credentials()
        .http_client(SharedHttpClient::new(CaptureClient::new()))
        .build()
        .unwrap();
    let room = roomkv_rongcloud::ChatroomId::parse("r").unwrap();
    let future = client.query_all_entries(&room);
    assert_send(&future);
    drop(future);
}
