//! Tests of the v4 router and replies.

use super::*;
use crate::rongcloud::test_support::as_response;
use crate::{QuotaFamily, RongCloudCode};

fn json_request<'a>(path: &str, body: &'a [u8]) -> http::Request<&'a [u8]> {
    http::Request::post(path)
        .header("content-type", "application/json")
        .body(body)
        .unwrap()
}

const BODIES: [&str; 6] = [
    r#"{"channelId":"r","metadataOwnerId":"u","metadata":{"k":"v"},"shouldAutoDelete":0}"#,
    r#"{"channelId":"r","metadataOwnerId":"u","metadataKeys":["k"]}"#,
    r#"{"channelId":"r"}"#,
    r#"{"messageId":"m","userId":"u","channelType":3,"channelId":"g","metadata":{"k":"v"},"isEchoToSender":0}"#,
    r#"{"messageId":"m","userId":"u","channelType":1,"channelId":"t","keys":["k"],"syncToSender":0}"#,
    r#"{"messageId":"m"}"#,
];

#[test]
fn paths_are_distinct_and_each_routes_to_its_operation() {
    assert_eq!(
        PATHS,
        [
            "/v4/open-channel/metadata/batch/set",
            "/v4/open-channel/metadata/batch/remove",
            "/v4/open-channel/metadata/batch/get",
            "/v4/channel-type/message/metadata/set",
            "/v4/channel-type/message/metadata/delete",
            "/v4/channel-type/message/metadata/list",
        ]
    );
    let effects = [
        Effect::Write { notifies: false },
        Effect::Write { notifies: false },
        Effect::Read,
        Effect::Write { notifies: true },
        Effect::Write { notifies: true },
        Effect::Read,
    ];
    for ((path, body), effect) in PATHS.into_iter().zip(BODIES).zip(effects) {
        let request = Request::decode(&json_request(path, body.as_bytes()))
            .unwrap()
            .unwrap();
        assert_eq!(request.path(), path);
        assert_eq!(request.validate(&Limits::default()), Ok(()), "{path}");
        assert_eq!(request.effect(), effect, "{path}");
        // The legacy router leaves v4 paths alone.
        assert!(super::super::Request::decode(&json_request(path, body.as_bytes())).is_none());
    }
    let alt = Request::decode(&json_request(
        SET_MESSAGE_METADATA_ALT_PATH,
        BODIES[3].as_bytes(),
    ))
    .unwrap()
    .unwrap();
    assert_eq!(alt.path(), SetMessageMetadata::PATH);
    assert_eq!(
        alt.quota().charges().collect::<Vec<_>>(),
        [
            (QuotaFamily::RongCloudExpansionWrite, 1),
            (QuotaFamily::RongCloudExpansionGroupWrite, 1)
        ]
    );
}

/// `is_routed` is what a server asks before handing a path to the v4 decoder: it must say yes
/// exactly for the paths the decoder knows, the alternative spelling included.
#[test]
fn is_routed_agrees_with_the_decoder() {
    let known = PATHS.into_iter().chain([SET_MESSAGE_METADATA_ALT_PATH]);
    for path in known {
        assert!(is_routed(path), "{path}");
        assert!(
            Request::decode(&json_request(path, b"{}")).is_some(),
            "{path}"
        );
    }
    for path in [
        "/",
        "/v4/message/metadata/set/",
        "/v4/message/metadata/delete",
        "/chatroom/entry/set.json",
        "/v4/live_engine_http_srv/create_room",
    ] {
        assert!(!is_routed(path), "{path}");
        assert!(
            Request::decode(&json_request(path, b"{}")).is_none(),
            "{path}"
        );
    }
}

#[test]
fn other_paths_are_not_routed_and_bad_bodies_are_errors() {
    for path in [
        "/",
        "/chatroom/entry/set.json",
        "/v4/open-channel/metadata/batch/set/",
        "/V4/open-channel/metadata/batch/set",
        "/v4/live_engine_http_srv/create_room",
    ] {
        assert!(
            Request::decode(&json_request(path, b"{}")).is_none(),
            "{path}"
        );
    }
    let not_json = Request::decode(&json_request(PATHS[0], b"channelId=r"))
        .unwrap()
        .unwrap_err();
    assert_eq!(not_json.field_name(), None);
    let missing = Request::decode(&json_request(PATHS[2], b"{}"))
        .unwrap()
        .unwrap_err();
    assert_eq!(missing.field_name(), Some("channelId"));
}

#[test]
fn replies_have_the_v4_shape() {
    let ok = success_reply::<()>(None, Some("rid"));
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.body().as_slice(), br#"{"code":0}"#);
    assert_eq!(ok.headers()["x-request-id"], "rid");
    assert_eq!(
        ok.headers()[http::header::CONTENT_TYPE],
        "application/json; charset=utf-8"
    );
    #[derive(Serialize)]
    struct Result {
        metadata: Vec<u8>,
    }
    assert_eq!(
        success_reply(Some(&Result { metadata: vec![] }), None)
            .body()
            .as_slice(),
        br#"{"code":0,"result":{"metadata":[]}}"#
    );

    let op = SetMetadata::new(
        crate::rongcloud::ChatroomId::parse("r").unwrap(),
        crate::rongcloud::UserId::parse("u").unwrap(),
        [],
    );
    for (code, status) in [
        (RongCloudCode::ParameterError, 400),
        (RongCloudCode::SignatureError, 401),
        (RongCloudCode::MethodRestricted, 403),
        (RongCloudCode::DataNotFound, 404),
        (RongCloudCode::RateLimited, 429),
        (RongCloudCode::ServiceNotEnabled, 430),
        (RongCloudCode::InternalError, 500),
    ] {
        let error = ApiError::rongcloud(code, "why", status).with_request_id("r-1");
        let reply = error_reply(&error);
        assert_eq!(reply.status(), status);
        assert_eq!(
            reply.body().as_slice(),
            format!(r#"{{"code":{},"errorMessage":"why"}}"#, code.code()).as_bytes()
        );
        // What the emulator sends, the client reads back as the same error.
        match op.parse(as_response(&reply)) {
            Err(crate::ResponseError::Api(back)) => assert_eq!(back, error),
            other => panic!("{other:?}"),
        }
    }
}
