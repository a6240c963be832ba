//! Each documented error reply maps to the right typed error, with the request id surfaced.

use std::error::Error as _;

use roomkv_rongcloud::{ApiError, CodeClass, Error, RongCloudCode, SetEntry};

use crate::support::*;

/// The `Error::Api` of a failed call, with checks every API error passes.
fn api_error(err: &Error) -> &ApiError {
    let api = err
        .api_error()
        .unwrap_or_else(|| panic!("expected an API error, got {err:?}"));
    assert_eq!(err.request_id(), api.request_id.as_deref());
    assert!(err.source().is_none(), "the message says it all");
    api
}

#[tokio::test]
async fn invalid_app_key_1002() {
    let h = Harness::new();
    h.reply(reply(
        200,
        r#"{"code":1002,"errorMessage":"Invalidate App-Key."}"#,
    ));
    let err = h
        .client
        .set_entry(&room(), &user(), key("k"), value("v"))
        .await
        .unwrap_err();
    let api = api_error(&err);
    assert_eq!(err.api_code(), Some(RongCloudCode::ParameterError));
    assert_eq!(api.message, "Invalidate App-Key.");
    assert_eq!(api.http_status, 200);
    assert_eq!(err.http_status(), Some(200));
    assert!(!err.is_retryable());
    assert!(!err.is_throttled());
    assert!(!err.is_outcome_unknown());
    assert_eq!(err.attempts(), 1);
    assert_eq!(err.code_class(), Some(CodeClass::Final));
    // RongCloud did not echo the id: the client's own is reported.
    assert_eq!(err.request_id(), Some(FIXED_REQUEST_ID));
    assert_eq!(
        err.to_string(),
        format!(
            "RongCloud error 1002 (parameter error): Invalidate App-Key. \
             [HTTP 200, request id {FIXED_REQUEST_ID}]"
        )
    );
    assert_eq!(h.requests().len(), 1);
}

#[tokio::test]
async fn signature_error_401_1004_is_final_and_does_not_fail_over() {
    let h = Harness::new();
    h.reply(echoing(
        reply(401, r#"{"code":1004,"errorMessage":"Signature error"}"#),
        "echoed-id",
    ));
    let err = h.client.query_all_entries(&room()).await.unwrap_err();
    let api = api_error(&err);
    assert_eq!(err.api_code(), Some(RongCloudCode::SignatureError));
    assert_eq!(api.http_status, 401);
    assert_eq!(api.message, "Signature error");
    // RongCloud's echo wins over the id the client sent.
    assert_eq!(err.request_id(), Some("echoed-id"));
    assert!(!err.is_retryable());
    assert_eq!(
        err.attempts(),
        1,
        "a read is not retried after a final answer"
    );
    assert!(h.client.active_host().host() == Some("api.rong-api.com"));
}

#[tokio::test]
async fn a_bare_401_is_still_the_signature_error() {
    let h = Harness::new();
    h.reply(reply(401, ""));
    let err = h.client.query_all_entries(&room()).await.unwrap_err();
    assert_eq!(err.api_code(), Some(RongCloudCode::SignatureError));
}

#[tokio::test(start_paused = true)]
async fn throttled_429_1008_is_retried_then_succeeds() {
    let h = Harness::new();
    h.reply(reply(
        429,
        r#"{"code":1008,"errorMessage":"Too many requests"}"#,
    ))
    .reply(ok());
    h.client
        .set_entry(&room(), &user(), key("k"), value("v"))
        .await
        .unwrap();
    assert_eq!(
        h.hosts_used(),
        ["api.rong-api.com", "api.rong-api.com"],
        "429 is RongCloud's own answer: no failover"
    );
}

#[tokio::test(start_paused = true)]
async fn throttling_that_does_not_end_is_reported_as_throttled() {
    let h = Harness::new();
    for _ in 0..3 {
        h.reply(reply(
            429,
            r#"{"code":1008,"errorMessage":"Too many requests"}"#,
        ));
    }
    let err = h
        .client
        .set_entry(&room(), &user(), key("k"), value("v"))
        .await
        .unwrap_err();
    assert!(err.is_throttled());
    assert!(err.is_retryable());
    assert!(
        !err.is_outcome_unknown(),
        "a throttled write was not processed"
    );
    assert_eq!(err.attempts(), 3);
    assert_eq!(err.api_code(), Some(RongCloudCode::RateLimited));
    assert!(err.to_string().ends_with("after 3 attempts"), "{err}");
}

#[tokio::test]
async fn service_not_enabled_1009() {
    let h = Harness::new();
    h.reply(reply(
        200,
        r#"{"code":1009,"errorMessage":"service not enabled"}"#,
    ));
    let err = h.client.query_all_entries(&room()).await.unwrap_err();
    assert_eq!(err.api_code(), Some(RongCloudCode::ServiceNotEnabled));
    assert!(!err.is_retryable());
    assert_eq!(err.attempts(), 1);
}

#[tokio::test]
async fn data_not_found_1015_on_a_first_remove_is_an_error() {
    let h = Harness::new();
    h.reply(reply(
        200,
        r#"{"code":1015,"errorMessage":"the data to delete does not exist"}"#,
    ));
    let err = h
        .client
        .remove_entry(&room(), &user(), key("gone"))
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(RongCloudCode::DataNotFound));
    assert!(!err.is_outcome_unknown());
    assert_eq!(err.attempts(), 1);
}

#[tokio::test(start_paused = true)]
async fn transient_1000_and_1050_retry_reads_but_not_writes() {
    for code in [1000, 1050] {
        let body: &'static str = if code == 1000 {
            r#"{"code":1000,"errorMessage":"internal error"}"#
        } else {
            r#"{"code":1050,"errorMessage":"internal timeout"}"#
        };
        let h = Harness::new();
        h.reply(reply(200, body))
            .reply(reply(200, r#"{"code":200,"keys":[]}"#));
        let entries = h.client.query_all_entries(&room()).await.unwrap();
        assert!(entries.is_empty());
        assert_eq!(h.requests().len(), 2, "{code}: the read is retried");

        let h = Harness::new();
        h.reply(reply(200, body)).reply(ok());
        let err = h
            .client
            .set_entry(&room(), &user(), key("k"), value("v"))
            .await
            .unwrap_err();
        assert_eq!(err.api_code().map(RongCloudCode::code), Some(code));
        assert!(err.is_retryable());
        assert!(
            err.is_outcome_unknown(),
            "{code}: the write may have applied"
        );
        assert_eq!(h.requests().len(), 1, "{code}: the write is not repeated");
        assert!(
            err.to_string()
                .ends_with("; the write may or may not have been applied"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn body_too_large_1508() {
    let h = Harness::new();
    h.reply(reply(
        200,
        r#"{"code":1508,"errorMessage":"request body too large"}"#,
    ));
    let err = h
        .client
        .set_entry(&room(), &user(), key("k"), value("v"))
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(RongCloudCode::BodyTooLarge));
    assert!(!err.is_retryable());
    assert!(!err.is_outcome_unknown());
}

#[tokio::test]
async fn unknown_codes_round_trip() {
    let h = Harness::new();
    h.reply(reply(200, r#"{"code":4242,"errorMessage":"brand new"}"#));
    let err = h.client.query_all_entries(&room()).await.unwrap_err();
    assert_eq!(err.api_code(), Some(RongCloudCode::Other(4242)));
    assert_eq!(err.api_code().unwrap().code(), 4242);
    assert_eq!(err.code_class(), Some(CodeClass::Final));
    assert!(err.to_string().contains("RongCloud error 4242"), "{err}");
    assert!(err.to_string().contains("brand new"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_gateway_page_is_an_unexpected_status_with_the_request_id() {
    let h = Harness::new();
    h.reply(reply(502, "<html>bad gateway</html>"));
    let op = SetEntry::new(room(), user(), key("k"), value("v"));
    let err = h.client.send(&op).await.unwrap_err();
    assert!(
        matches!(
            err.kind(),
            roomkv_rongcloud::ErrorKind::UnexpectedStatus { status: 502 }
        ),
        "{err:?}"
    );
    assert_eq!(err.request_id(), Some(FIXED_REQUEST_ID));
    assert_eq!(err.http_status(), Some(502));
    assert!(err.is_retryable());
    assert!(err.is_outcome_unknown());
    assert_eq!(
        err.to_string(),
        format!(
            "RongCloud request failed: HTTP 502 without a RongCloud reply (a gateway answered) \
             [request id {FIXED_REQUEST_ID}]; the write may or may not have been applied"
        )
    );
}

#[tokio::test(start_paused = true)]
async fn a_garbled_success_is_a_decode_error() {
    let h = Harness::new();
    h.reply(reply(200, "{\"code\":2"));
    let err = h
        .client
        .remove_entry(&room(), &user(), key("k"))
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), roomkv_rongcloud::ErrorKind::Decode(_)),
        "{err:?}"
    );
    assert_eq!(err.request_id(), Some(FIXED_REQUEST_ID));
    assert!(
        err.is_outcome_unknown(),
        "the server answered 200: it may have acted"
    );
    assert!(
        err.to_string()
            .starts_with("could not read RongCloud's reply"),
        "{err}"
    );
}
