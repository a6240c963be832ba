//! The Nexconn v4 dialect: golden wire output of the typed methods (path and JSON body), a
//! single-key write as a batch of one, notifications refused, and v4's HTTP statuses as typed
//! errors.

use roomkv_rongcloud::RongCloudSettings;
use roomkv_rongcloud::{
    ClientBuilder, ConversationType, Dialect, Notification, RemoveEntry, RongCloudCode, SetEntry,
};
use roomkv_transport::HttpRequest;

use crate::support::*;

fn v4(builder: ClientBuilder) -> ClientBuilder {
    builder.dialect(Dialect::V4)
}

/// A v4 harness whose every unqueued request is answered `{"code":0}`.
fn harness() -> Harness {
    Harness::with(v4)
}

fn ok_v4() -> http::Response<bytes::Bytes> {
    reply(200, r#"{"code":0}"#)
}

/// One JSON `POST` to `path` on the Beijing primary host, signed, with exactly `body`.
fn assert_v4_request(request: &HttpRequest, path: &str, body: &str) {
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(
        request.uri().to_string(),
        format!("https://api.rong-api.com{path}")
    );
    assert_eq!(header(request, "content-type"), "application/json");
    assert_eq!(header(request, "app-key"), APP_KEY);
    assert_eq!(header(request, "signature"), DOC_SIGNATURE);
    assert_eq!(header(request, "x-request-id"), FIXED_REQUEST_ID);
    assert_eq!(
        std::str::from_utf8(request.body()).unwrap(),
        body,
        "body of {path}"
    );
}

#[tokio::test]
async fn single_set_is_a_batch_of_one() {
    let h = harness();
    h.reply(ok_v4());
    h.client
        .set_entry(&room(), &user(), key("score"), value("42"))
        .await
        .unwrap();
    let requests = h.requests();
    assert_eq!(requests.len(), 1);
    assert_v4_request(
        &requests[0],
        "/v4/open-channel/metadata/batch/set",
        r#"{"channelId":"room1","metadataOwnerId":"anchor","metadata":{"score":"42"},"shouldAutoDelete":0}"#,
    );
}

#[tokio::test]
async fn typed_methods_golden_wire() {
    let h = harness();
    for _ in 0..8 {
        h.reply(ok_v4());
    }
    h.client
        .batch_set_entries(
            &room(),
            &user(),
            [(key("a"), value("1")), (key("b"), value("2"))],
        )
        .await
        .unwrap();
    h.client
        .remove_entry(&room(), &user(), key("a"))
        .await
        .unwrap();
    h.client
        .batch_remove_entries(&room(), &user(), [key("a"), key("b")])
        .await
        .unwrap();
    h.client.query_all_entries(&room()).await.unwrap();
    h.client.query_entries(&room(), [key("a")]).await.unwrap();
    h.client
        .set_expansion(
            &msg(),
            &user(),
            ConversationType::Group,
            &target("group1"),
            [(xkey("likes"), xvalue("3"))],
        )
        .await
        .unwrap();
    h.client
        .delete_expansion(
            &msg(),
            &user(),
            ConversationType::Group,
            &target("group1"),
            [xkey("likes")],
        )
        .await
        .unwrap();
    h.client.query_expansion(&msg()).await.unwrap();
    let got: Vec<(String, String)> = h
        .requests()
        .iter()
        .map(|r| {
            assert_eq!(header(r, "content-type"), "application/json");
            (
                r.uri().path().to_owned(),
                String::from_utf8(r.body().to_vec()).unwrap(),
            )
        })
        .collect();
    let expected = [
        (
            "/v4/open-channel/metadata/batch/set",
            r#"{"channelId":"room1","metadataOwnerId":"anchor","metadata":{"a":"1","b":"2"},"shouldAutoDelete":0}"#,
        ),
        (
            "/v4/open-channel/metadata/batch/remove",
            r#"{"channelId":"room1","metadataOwnerId":"anchor","metadataKeys":["a"]}"#,
        ),
        (
            "/v4/open-channel/metadata/batch/remove",
            r#"{"channelId":"room1","metadataOwnerId":"anchor","metadataKeys":["a","b"]}"#,
        ),
        (
            "/v4/open-channel/metadata/batch/get",
            r#"{"channelId":"room1"}"#,
        ),
        (
            "/v4/open-channel/metadata/batch/get",
            r#"{"channelId":"room1","metadataKeys":["a"]}"#,
        ),
        (
            "/v4/channel-type/message/metadata/set",
            r#"{"messageId":"BRGM-DEN2-01E4-BN66","userId":"anchor","channelType":3,"channelId":"group1","metadata":{"likes":"3"},"isEchoToSender":0}"#,
        ),
        (
            "/v4/channel-type/message/metadata/delete",
            r#"{"messageId":"BRGM-DEN2-01E4-BN66","userId":"anchor","channelType":3,"channelId":"group1","keys":["likes"],"syncToSender":0}"#,
        ),
        (
            "/v4/channel-type/message/metadata/list",
            r#"{"messageId":"BRGM-DEN2-01E4-BN66"}"#,
        ),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(p, b)| ((*p).to_owned(), (*b).to_owned()))
        .collect();
    assert_eq!(got, expected);
}

#[tokio::test]
async fn query_reads_the_v4_result() {
    let h = harness();
    h.reply(reply(
        200,
        r#"{"code":0,"result":{"metadata":[{"key":"score","value":"42","metadataOwnerId":"anchor","shouldAutoDelete":1,"updatedAt":1700000000000}]}}"#,
    ));
    let entry = h
        .client
        .get_entry(&room(), &key("score"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.value.as_str(), "42");
    assert_eq!(entry.user_id.as_str(), "anchor");
    assert!(entry.auto_delete);
}

#[tokio::test]
async fn notifications_are_refused_not_dropped() {
    let h = harness();
    let set = SetEntry::new(room(), user(), key("k"), value("v")).notify(Notification::kv_change());
    let err = h.client.send(&set).await.unwrap_err();
    assert!(
        matches!(err.kind(), roomkv_rongcloud::ErrorKind::Validation(_)),
        "{err:?}"
    );
    assert!(err.to_string().contains("v4"), "{err}");
    let remove = RemoveEntry::new(room(), user(), key("k")).notify(Notification::kv_change());
    assert!(matches!(
        h.client.send(&remove).await,
        Err(ref err) if matches!(err.kind(), roomkv_rongcloud::ErrorKind::Validation(_))
    ));
    assert!(h.requests().is_empty(), "nothing was sent");
    // Without a notification the same operations go through.
    h.reply(ok_v4());
    h.client
        .send(&SetEntry::new(room(), user(), key("k"), value("v")).auto_delete(true))
        .await
        .unwrap();
    assert!(
        std::str::from_utf8(h.requests()[0].body())
            .unwrap()
            .ends_with(r#""shouldAutoDelete":1}"#)
    );
}

/// Each v4 status with a JSON body is the server's own answer: a typed API error, sent once,
/// and the client stays on the primary host.
#[tokio::test]
async fn v4_statuses_are_typed_errors() {
    let cases: [(u16, &str, RongCloudCode); 7] = [
        (
            400,
            r#"{"code":1002,"errorMessage":"bad"}"#,
            RongCloudCode::ParameterError,
        ),
        (
            401,
            r#"{"code":1004,"errorMessage":"sig"}"#,
            RongCloudCode::SignatureError,
        ),
        (
            403,
            r#"{"code":1006,"errorMessage":"locked"}"#,
            RongCloudCode::AppUnavailable,
        ),
        (
            404,
            r#"{"code":404,"errorMessage":"no such path"}"#,
            RongCloudCode::EndpointNotFound,
        ),
        (
            409,
            r#"{"code":1002,"errorMessage":"conflict"}"#,
            RongCloudCode::ParameterError,
        ),
        (
            429,
            r#"{"code":1008,"errorMessage":"slow down"}"#,
            RongCloudCode::RateLimited,
        ),
        (
            430,
            r#"{"code":1009,"errorMessage":"not enabled"}"#,
            RongCloudCode::ServiceNotEnabled,
        ),
    ];
    for (status, body, code) in cases {
        let h = Harness::with(|b| {
            v4(b).retry_policy(roomkv_rongcloud::RetryPolicy::default().with_max_attempts(1))
        });
        h.reply(reply(status, body));
        let err = h.client.query_all_entries(&room()).await.unwrap_err();
        assert_eq!(err.api_code(), Some(code), "status {status}: {err:?}");
        assert_eq!(err.attempts(), 1);
        assert_eq!(h.hosts_used(), ["api.rong-api.com"], "status {status}");
        assert_eq!(
            h.client.active_host().host(),
            Some("api.rong-api.com"),
            "status {status} is the server's own answer: no host switch"
        );
        if status == 429 {
            assert!(err.is_throttled());
        }
    }
}

/// 5xx is not the server's answer: it switches to the backup host, in v4 as in legacy.
#[tokio::test(start_paused = true)]
async fn v4_server_errors_fail_over() {
    let h = Harness::with(v4);
    h.reply(reply(503, "<html>busy</html>"));
    h.reply(reply(200, r#"{"code":0,"result":{"metadata":[]}}"#));
    assert!(
        h.client
            .query_all_entries(&room())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(h.hosts_used(), ["api.rong-api.com", "api-b.rong-api.com"]);
}

/// The same statuses are gateway failures in the legacy dialect, where RongCloud answers 200:
/// the client switches to the backup host for the next request.
#[tokio::test]
async fn legacy_dialect_keeps_its_statuses() {
    let h = Harness::with(|b| {
        b.retry_policy(roomkv_rongcloud::RetryPolicy::default().with_max_attempts(1))
    });
    h.reply(reply(430, r#"{"code":1009,"errorMessage":"not enabled"}"#));
    let _ = h.client.query_all_entries(&room()).await;
    assert_eq!(h.client.active_host().host(), Some("api-b.rong-api.com"));
}
