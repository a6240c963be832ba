//! Retry safety: lost replies, the opt-in repeat of writes, settled repeats, throttling, and
//! host failover.

use std::time::Duration;

use roomkv_tencent::{CreateRoom, Region, RetryPolicy, TencentCode, WriteRetry};
use roomkv_transport::TransportError;
use roomkv_transport::test_util::{CaptureClient, ManualClock};

use crate::support::*;

fn repeating(capture: &CaptureClient) -> roomkv_tencent::Client {
    builder(capture)
        .write_retry(WriteRetry::RepeatIdempotent)
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_lost_reply_to_a_write_is_not_repeated_and_reported_unknown() {
    let (client, capture) = client();
    capture.push_error(TransportError::timeout(Some(Duration::from_secs(5))));
    let err = client
        .set_room_metadata(&room("r"), [(key("k"), value("v"))])
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown());
    assert!(err.is_retryable());
    assert_eq!(err.attempts(), 1);
    assert_eq!(capture.request_count(), 1);
    assert!(err.transport_error().unwrap().is_timeout());
    assert_eq!(
        err.to_string(),
        "Tencent request failed: no response from the server within 5s; the write may or may not have been applied"
    );
}

#[tokio::test(start_paused = true)]
async fn a_reset_after_sending_is_unknown_too() {
    let (client, capture) = client();
    capture.push_error(TransportError::reset_after_send("connection reset"));
    let err = client.destroy_room(&room("r")).await.unwrap_err();
    assert!(matches!(
        err.kind(),
        roomkv_tencent::ErrorKind::Transport(_)
    ));
    assert!(err.is_outcome_unknown());
    assert_eq!(capture.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_lost_reply_to_a_read_is_retried() {
    let (client, capture) = client();
    capture
        .push_error(TransportError::timeout(None))
        .push_response(ok_with(r#""Response":{"Metadata":[]}"#));
    client.get_all_room_metadata(&room("r")).await.unwrap();
    assert_eq!(capture.request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn the_opt_in_repeats_a_write_after_a_transient_error() {
    let capture = CaptureClient::new();
    let client = repeating(&capture);
    capture
        .push_response(fail(100001, "internal error"))
        .push_response(ok());
    client
        .set_room_metadata(&room("r"), [(key("k"), value("v"))])
        .await
        .unwrap();
    let requests = capture.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].body(), requests[1].body());
}

#[tokio::test(start_paused = true)]
async fn the_opt_in_never_repeats_a_write_that_may_still_land() {
    // A lost reply, a reset after sending, a gateway page, Tencent's own timeout code: the first
    // attempt may be applied after a repeat and after the caller's next write.
    for first in [
        Err(TransportError::timeout(None)),
        Err(TransportError::reset_after_send("reset")),
        Ok(roomkv_transport::test_util::response(
            502,
            "<html>bad gateway</html>",
        )),
        Ok(fail(60008, "service timeout")),
    ] {
        let capture = CaptureClient::new();
        let client = repeating(&capture);
        match first {
            Err(error) => capture.push_error(error),
            Ok(response) => capture.push_response(response),
        };
        capture.push_response(ok()).push_response(ok());
        let err = client
            .set_room_metadata(&room("r"), [(key("k"), value("v"))])
            .await
            .unwrap_err();
        assert!(err.is_outcome_unknown(), "{err}");
        assert_eq!(capture.request_count(), 1, "{err}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_delete_after_a_lost_reply_is_not_repeated_even_with_the_opt_in() {
    let capture = CaptureClient::new();
    let client = repeating(&capture);
    capture
        .push_error(TransportError::reset_after_send("reset"))
        .push_response(fail(100503, "none of the keys exist"));
    let err = client
        .del_room_metadata(&room("r"), [key("k")])
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown());
    assert_eq!(capture.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_repeated_delete_after_a_transient_error_is_done_too() {
    let capture = CaptureClient::new();
    let client = repeating(&capture);
    capture
        .push_response(fail(100001, "internal error"))
        .push_response(fail(100503, "none of the keys exist"));
    client
        .del_room_metadata(&room("r"), [key("k")])
        .await
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_repeated_create_meeting_its_own_room_is_reported_unknown() {
    let capture = CaptureClient::new();
    let client = repeating(&capture);
    capture
        .push_response(fail(70500, "internal error"))
        .push_response(fail(100003, "room id already exists"));
    let err = client
        .create_room(CreateRoom::new(room("r")))
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(TencentCode::RoomIdExists));
    assert_eq!(err.attempts(), 2);
    assert!(
        err.is_outcome_unknown(),
        "the first attempt may have created the room"
    );
}

#[tokio::test(start_paused = true)]
async fn a_write_that_never_left_is_retried_and_succeeds() {
    let (client, capture) = client();
    capture
        .push_error(TransportError::connect("connection refused"))
        .push_response(ok());
    client
        .set_room_metadata(&room("r"), [(key("k"), value("v"))])
        .await
        .unwrap();
    assert_eq!(capture.request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_throttled_write_is_retried_on_the_same_host_and_succeeds() {
    let (client, capture) = client();
    capture
        .push_response(fail(60007, "REST API call frequency exceeds"))
        .push_response(ok());
    client
        .del_room_metadata(&room("r"), [key("k")])
        .await
        .unwrap();
    let hosts: Vec<String> = capture.requests().iter().map(host).collect();
    assert_eq!(hosts, ["console.tim.qq.com", "console.tim.qq.com"]);
}

#[tokio::test(start_paused = true)]
async fn a_connect_failure_fails_over_to_the_backup_and_the_switch_is_remembered() {
    let capture = CaptureClient::new();
    let clock = ManualClock::from_unix_secs(NOW);
    let client = builder(&capture)
        .region(Region::Singapore)
        .clock(clock.clone())
        .failover_cool_down(Duration::from_secs(60))
        .build()
        .unwrap();
    capture
        .push_error(TransportError::connect("connection refused"))
        .push_response(ok());
    client
        .set_room_metadata(&room("r"), [(key("k"), value("v"))])
        .await
        .unwrap();
    assert_eq!(client.active_host(), "https://adminapisgp.my-imcloud.com/");

    capture.push_response(ok());
    client.destroy_room(&room("r")).await.unwrap();
    let hosts: Vec<String> = capture.requests().iter().map(host).collect();
    assert_eq!(
        hosts,
        [
            "adminapisgp.im.qcloud.com",
            "adminapisgp.my-imcloud.com",
            "adminapisgp.my-imcloud.com"
        ],
        "the second request goes straight to the backup"
    );

    // After the cool-down, back to the primary.
    clock.advance(Duration::from_secs(60));
    capture.push_response(ok());
    client.destroy_room(&room("r")).await.unwrap();
    assert_eq!(
        host(&capture.last_request().unwrap()),
        "adminapisgp.im.qcloud.com"
    );
}

#[tokio::test(start_paused = true)]
async fn a_gateway_error_fails_over_even_when_the_write_is_not_repeated() {
    let capture = CaptureClient::new();
    let client = builder(&capture)
        .hosts(["https://primary.example", "https://backup.example"])
        .build()
        .unwrap();
    capture.push_response(roomkv_transport::test_util::response(503, ""));
    let err = client.destroy_room(&room("r")).await.unwrap_err();
    assert!(err.is_outcome_unknown());
    assert_eq!(client.active_host(), "https://backup.example/");
}

#[tokio::test(start_paused = true)]
async fn a_pinned_host_never_switches() {
    let capture = CaptureClient::new();
    let client = builder(&capture)
        .base_url("http://127.0.0.1:8787")
        .build()
        .unwrap();
    capture
        .push_error(TransportError::connect("refused"))
        .push_response(ok());
    client.destroy_room(&room("r")).await.unwrap();
    let hosts: Vec<String> = capture.requests().iter().map(host).collect();
    assert_eq!(hosts, ["127.0.0.1", "127.0.0.1"]);
}

#[tokio::test(start_paused = true)]
async fn the_retry_policy_bounds_the_attempts() {
    let capture = CaptureClient::new();
    let client = builder(&capture)
        .retry_policy(RetryPolicy::no_retry())
        .build()
        .unwrap();
    let capture = capture.with_fallback(|_| Err(TransportError::connect("refused")));
    let err = client.get_room_info(&room("r")).await.unwrap_err();
    assert_eq!(err.attempts(), 1);
    assert_eq!(capture.request_count(), 1);
    assert!(!err.is_outcome_unknown(), "never sent");
    assert_eq!(
        err.to_string(),
        "Tencent request failed: could not connect to the server"
    );
}
