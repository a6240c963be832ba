//! Each documented error reply maps to the right typed error, and is retried (or not) as
//! documented.

use roomkv_tencent::{CodeClass, CreateRoom, Error, TencentCode, Validation};
use roomkv_transport::test_util::{CaptureClient, response};

use crate::support::*;

/// Sends a write (`set_room_metadata`) answered by `reply`, then nothing else.
async fn write_answered(reply: roomkv_transport::HttpResponse) -> (Error, CaptureClient) {
    let (client, capture) = client();
    capture.push_response(reply);
    let err = client
        .set_room_metadata(&room("live-room"), [(key("k"), value("v"))])
        .await
        .unwrap_err();
    (err, capture)
}

#[tokio::test]
async fn room_id_exists() {
    let (client, capture) = client();
    capture.push_response(fail(100003, "room id already exists"));
    let err = client
        .create_room(CreateRoom::new(room("live-room")))
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(TencentCode::RoomIdExists));
    assert_eq!(err.request_id(), Some(REQUEST_ID));
    assert_eq!(err.attempts(), 1);
    assert!(!err.is_retryable() && !err.is_throttled() && !err.is_outcome_unknown());
    assert_eq!(err.code_class(), Some(CodeClass::Final));
    assert_eq!(
        err.to_string(),
        format!(
            "Tencent error 100003 (room ID already exists): room id already exists [HTTP 200, request id {REQUEST_ID}]"
        )
    );
    let api = err.api_error().unwrap();
    assert_eq!(api.message, "room id already exists");
    assert_eq!(api.http_status, 200);
}

#[tokio::test]
async fn room_not_found() {
    let (client, capture) = client();
    capture.push_response(fail(100004, "room not exist"));
    let err = client.get_room_info(&room("nope")).await.unwrap_err();
    assert_eq!(err.api_code(), Some(TencentCode::RoomNotFound));
    assert!(matches!(err.kind(), roomkv_tencent::ErrorKind::Api(_)));
    assert_eq!(err.attempts(), 1);
    assert_eq!(capture.request_count(), 1, "a final answer is not retried");
}

#[tokio::test]
async fn metadata_limit_codes_are_final_and_typed() {
    let cases = [
        (100500, TencentCode::MetadataKeyCountExceeded),
        (100501, TencentCode::MetadataValueTooLarge),
        (100502, TencentCode::MetadataTotalTooLarge),
        (100503, TencentCode::MetadataKeysNotFound),
        (100504, TencentCode::MetadataKeyTooLong),
    ];
    for (code, expected) in cases {
        let (err, capture) = write_answered(fail(code, "limit")).await;
        assert_eq!(err.api_code(), Some(expected), "{code}");
        assert!(!err.is_retryable(), "{code}");
        assert!(!err.is_outcome_unknown(), "{code}");
        assert_eq!(capture.request_count(), 1, "{code}");
        assert!(
            err.to_string()
                .starts_with(&format!("Tencent error {code} ("))
        );
    }
}

#[tokio::test]
async fn none_of_the_keys_exist_on_a_first_delete_is_an_error() {
    let (client, capture) = client();
    capture.push_response(fail(100503, "none of the keys exist"));
    let err = client
        .del_room_metadata(&room("live-room"), [key("k")])
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(TencentCode::MetadataKeysNotFound));
}

#[tokio::test(start_paused = true)]
async fn throttling_is_retried_for_writes_and_succeeds() {
    for code in [60007, 60011, 60018, 60019, 100012] {
        let (client, capture) = client();
        capture.push_response(fail(code, "too frequent"));
        capture.push_response(ok());
        client
            .set_room_metadata(&room("live-room"), [(key("k"), value("v"))])
            .await
            .unwrap();
        assert_eq!(capture.request_count(), 2, "{code}");
    }
}

#[tokio::test(start_paused = true)]
async fn throttling_that_persists_is_reported_as_throttled() {
    let (client, capture) = client();
    let capture = capture.with_fallback(|_| Ok(fail(60007, "REST API call frequency exceeds")));
    let err = client
        .set_room_metadata(&room("live-room"), [(key("k"), value("v"))])
        .await
        .unwrap_err();
    assert!(err.is_throttled() && err.is_retryable());
    assert!(
        !err.is_outcome_unknown(),
        "a throttled write was not processed"
    );
    assert_eq!(err.attempts(), 3, "the default policy's attempts");
    assert_eq!(capture.request_count(), 3);
    assert!(err.to_string().ends_with("] after 3 attempts"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn an_expired_usersig_is_renewed_and_retried_once() {
    for code in [70001, 70052] {
        let capture = CaptureClient::new();
        let client = builder(&capture)
            .clock(TickingClock::default())
            .build()
            .unwrap();
        capture.push_response(fail(code, "usersig expired"));
        capture.push_response(ok());
        client.destroy_room(&room("r")).await.unwrap();
        let requests = capture.requests();
        assert_eq!(requests.len(), 2, "{code}");
        assert_ne!(
            usersig(&requests[0]),
            usersig(&requests[1]),
            "{code}: the retry carries a new UserSig"
        );
        assert_ne!(query(&requests[1], "random"), None);

        // The renewed UserSig is kept for later requests.
        capture.push_response(ok());
        client.destroy_room(&room("r")).await.unwrap();
        let later = capture.last_request().unwrap();
        assert_eq!(usersig(&later), usersig(&requests[1]), "{code}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_usersig_rejected_twice_is_final_and_does_not_loop() {
    for code in [70001, 70052] {
        let (client, capture) = client();
        let capture = capture.with_fallback(move |_| Ok(fail(code, "usersig expired")));
        let err = client.destroy_room(&room("r")).await.unwrap_err();
        assert_eq!(err.api_code().map(TencentCode::code), Some(code));
        assert_eq!(err.attempts(), 2, "{code}: one renewal, one retry");
        assert_eq!(capture.request_count(), 2);
        assert!(!err.is_outcome_unknown());
    }
}

#[tokio::test(start_paused = true)]
async fn a_transient_error_after_the_usersig_retry_leaves_a_write_unknown() {
    // A write answered 70001 then 100001: the renewal retry is used, the transient error
    // after it leaves the write's outcome unknown and is not repeated.
    let (client, capture) = client();
    capture
        .push_response(fail(70001, "expired"))
        .push_response(fail(100001, "internal error"));
    let err = client
        .set_room_metadata(&room("r"), [(key("k"), value("v"))])
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(TencentCode::LiveInternalError));
    assert_eq!(err.attempts(), 2);
    assert!(err.is_outcome_unknown());
}

#[tokio::test]
async fn without_retries_the_renewed_usersig_serves_the_next_request() {
    let capture = CaptureClient::new();
    let client = builder(&capture)
        .clock(TickingClock::default())
        .retry_policy(roomkv_tencent::RetryPolicy::no_retry())
        .build()
        .unwrap();
    capture
        .push_response(fail(70001, "expired"))
        .push_response(ok());
    let err = client.destroy_room(&room("r")).await.unwrap_err();
    assert_eq!(err.api_code(), Some(TencentCode::UserSigExpired));
    assert_eq!(err.attempts(), 1);
    client.destroy_room(&room("r")).await.unwrap();
    assert_eq!(distinct_usersigs(&capture.requests()), 2);
}

#[tokio::test]
async fn not_an_admin_is_final() {
    let (client, capture) = client();
    capture.push_response(fail(60010, "identifier must be app admin"));
    let err = client.get_room_info(&room("r")).await.unwrap_err();
    assert_eq!(err.api_code(), Some(TencentCode::NotAdmin));
    assert!(!err.is_retryable());
    assert_eq!(capture.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn an_internal_error_retries_a_read() {
    let (client, capture) = client();
    capture
        .push_response(fail(100001, "internal error"))
        .push_response(ok_with(
            r#""Response":{"Metadata":[{"Key":"k","Value":"v"}]}"#,
        ));
    let entries = client.get_all_room_metadata(&room("r")).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(capture.request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn an_internal_error_does_not_repeat_a_write_and_says_the_outcome_is_unknown() {
    let (err, capture) = write_answered(fail(100001, "internal error")).await;
    assert_eq!(err.api_code(), Some(TencentCode::LiveInternalError));
    assert!(err.is_retryable());
    assert!(err.is_outcome_unknown());
    assert_eq!(capture.request_count(), 1);
    assert!(
        err.to_string()
            .ends_with("; the write may or may not have been applied"),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_read_that_keeps_failing_is_not_outcome_unknown() {
    let (client, capture) = client();
    let capture = capture.with_fallback(|_| Ok(fail(100001, "internal error")));
    let err = client.get_room_info(&room("r")).await.unwrap_err();
    assert_eq!(err.attempts(), 3);
    assert_eq!(capture.request_count(), 3);
    assert!(!err.is_outcome_unknown(), "reads change nothing");
}

#[tokio::test]
async fn unknown_codes_round_trip() {
    let (client, capture) = client();
    capture.push_response(fail(123456, "something new"));
    let err = client.get_room_info(&room("r")).await.unwrap_err();
    assert_eq!(err.api_code(), Some(TencentCode::Other(123456)));
    assert_eq!(err.api_code().unwrap().code(), 123456);
    assert_eq!(
        err.to_string(),
        format!(
            "Tencent error 123456 (code not documented): something new [HTTP 200, request id {REQUEST_ID}]"
        )
    );
}

#[tokio::test(start_paused = true)]
async fn a_gateway_page_is_an_unexpected_status() {
    let (err, _) = write_answered(response(502, "<html>Bad Gateway</html>")).await;
    assert!(matches!(
        err.kind(),
        roomkv_tencent::ErrorKind::UnexpectedStatus { status: 502 }
    ));
    assert!(err.is_retryable());
    assert!(err.is_outcome_unknown());
    assert_eq!(err.api_code(), None);
    assert_eq!(
        err.to_string(),
        "Tencent request failed: HTTP 502 without a Tencent reply (a gateway answered); the write may or may not have been applied"
    );
}

#[tokio::test(start_paused = true)]
async fn a_gateway_429_is_throttling() {
    let (client, capture) = client();
    capture
        .push_response(response(429, "slow down"))
        .push_response(ok());
    client
        .set_room_metadata(&room("r"), [(key("k"), value("v"))])
        .await
        .unwrap();
    assert_eq!(capture.request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_garbled_reply_to_a_write_leaves_its_outcome_unknown() {
    let (err, capture) = write_answered(response(200, "{not json")).await;
    assert!(
        matches!(err.kind(), roomkv_tencent::ErrorKind::Decode(_)),
        "{err:?}"
    );
    assert!(err.is_outcome_unknown());
    assert_eq!(capture.request_count(), 1);
    assert!(
        err.to_string()
            .starts_with("could not read Tencent's reply: ")
    );
}

#[tokio::test]
async fn validation_failures_send_nothing() {
    let (client, capture) = client();
    let too_many: Vec<_> = (0..11)
        .map(|i| (key(&format!("k{i}")), value("v")))
        .collect();
    let err = client
        .set_room_metadata(&room("r"), too_many)
        .await
        .unwrap_err();
    assert!(matches!(
        err.kind(),
        roomkv_tencent::ErrorKind::Validation(_)
    ));
    assert_eq!(err.attempts(), 0);
    assert!(!err.is_retryable() && !err.is_outcome_unknown());
    assert_eq!(
        err.to_string(),
        "request refused before sending: Metadata has 11 pairs, at most 10 allowed"
    );
    let err = client.del_room_metadata(&room("r"), []).await.unwrap_err();
    assert!(err.validation_error().is_some(), "{err}");
    assert_eq!(capture.request_count(), 0);
}

#[tokio::test]
async fn validation_off_lets_tencent_judge() {
    let capture = CaptureClient::new();
    let client = builder(&capture)
        .validation(Validation::Off)
        .build()
        .unwrap();
    capture.push_response(fail(100500, "too many keys"));
    let too_many: Vec<_> = (0..11)
        .map(|i| (key(&format!("k{i}")), value("v")))
        .collect();
    let err = client
        .set_room_metadata(&room("r"), too_many)
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(TencentCode::MetadataKeyCountExceeded));
    assert_eq!(capture.request_count(), 1);
}
