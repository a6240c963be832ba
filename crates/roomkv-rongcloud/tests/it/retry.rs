//! Retry safety: what is sent again after which failure, and that every attempt is signed
//! afresh.

use std::collections::HashSet;

use roomkv_rongcloud::{
    AppSecret, ConversationType, Notification, RemoveEntry, RetryPolicy, SetEntry, WriteRetry,
};
use roomkv_sign::rongcloud::signature;
use roomkv_transport::TransportError;
use roomkv_transport::test_util::SequenceRandom;

use crate::support::*;

fn lost_reply() -> TransportError {
    TransportError::timeout(None)
}

fn notifying_set() -> SetEntry {
    SetEntry::new(room(), user(), key("k"), value("v")).notify(Notification::kv_change())
}

fn silent_set() -> SetEntry {
    SetEntry::new(room(), user(), key("k"), value("v"))
}

#[tokio::test(start_paused = true)]
async fn a_lost_reply_on_a_notifying_write_is_never_repeated() {
    // Not even with the opt-in: a second send would post the notification twice.
    let h = Harness::with(|b| b.write_retry(WriteRetry::RepeatIdempotent));
    h.capture.push_error(lost_reply());
    h.reply(ok());
    let err = h.client.send(&notifying_set()).await.unwrap_err();
    assert!(
        matches!(err.kind(), roomkv_rongcloud::ErrorKind::Transport(_)),
        "{err:?}"
    );
    assert!(err.is_outcome_unknown());
    assert!(err.transport_error().unwrap().is_timeout());
    assert_eq!(err.attempts(), 1);
    assert_eq!(h.requests().len(), 1);
    assert_eq!(err.request_id(), Some(FIXED_REQUEST_ID));
    assert!(
        err.to_string()
            .ends_with("; the write may or may not have been applied")
    );
}

#[tokio::test(start_paused = true)]
async fn expansion_writes_always_notify_and_are_never_repeated() {
    let h = Harness::with(|b| b.write_retry(WriteRetry::RepeatIdempotent));
    h.capture
        .push_error(TransportError::reset_after_send("reset"));
    h.reply(ok());
    let err = h
        .client
        .set_expansion(
            &msg(),
            &user(),
            ConversationType::Group,
            &target("group1"),
            [(xkey("likes"), xvalue("3"))],
        )
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown());
    assert_eq!(h.requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_lost_reply_on_a_silent_write_is_not_repeated_by_default() {
    let h = Harness::new();
    h.capture.push_error(lost_reply());
    h.reply(ok());
    let err = h.client.send(&silent_set()).await.unwrap_err();
    assert!(err.is_outcome_unknown());
    assert_eq!(h.requests().len(), 1);
}

fn transient() -> roomkv_transport::HttpResponse {
    reply(
        200,
        r#"{"code":1000,"errorMessage":"internal logic error"}"#,
    )
}

#[tokio::test(start_paused = true)]
async fn with_the_opt_in_a_silent_write_is_repeated_after_a_transient_error() {
    let h = Harness::with(|b| b.write_retry(WriteRetry::RepeatIdempotent));
    h.reply(transient());
    h.reply(ok());
    h.client.send(&silent_set()).await.unwrap();
    let requests = h.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].body(),
        requests[1].body(),
        "the same value again"
    );
}

#[tokio::test(start_paused = true)]
async fn with_the_opt_in_a_write_that_may_still_land_is_not_repeated() {
    // The first attempt could be applied after the repeat and after the caller's next write,
    // overwriting it with the older value: a lost reply, a reset after sending, a gateway page,
    // RongCloud's own "internal timeout" (1050).
    for first in [
        Err(lost_reply()),
        Err(TransportError::reset_after_send("reset")),
        Ok(reply(502, "<html>502 Bad Gateway</html>")),
        Ok(reply(
            200,
            r#"{"code":1050,"errorMessage":"internal timeout"}"#,
        )),
    ] {
        let h = Harness::with(|b| b.write_retry(WriteRetry::RepeatIdempotent));
        match first {
            Err(error) => h.capture.push_error(error),
            Ok(response) => h.capture.push_response(response),
        };
        h.reply(ok());
        let err = h.client.send(&silent_set()).await.unwrap_err();
        assert!(err.is_outcome_unknown(), "{err}");
        assert_eq!(h.requests().len(), 1, "{err}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_repeated_remove_that_finds_the_key_gone_has_succeeded() {
    let h = Harness::with(|b| b.write_retry(WriteRetry::RepeatIdempotent));
    h.reply(transient());
    h.reply(reply(
        200,
        r#"{"code":1015,"errorMessage":"the data to delete does not exist"}"#,
    ));
    h.client
        .send(&RemoveEntry::new(room(), user(), key("k")))
        .await
        .unwrap();
    assert_eq!(h.requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_refused_repeat_leaves_the_first_attempt_unknown() {
    let h = Harness::with(|b| b.write_retry(WriteRetry::RepeatIdempotent));
    h.reply(transient());
    h.reply(reply(
        200,
        r#"{"code":1002,"errorMessage":"bad parameter"}"#,
    ));
    let err = h.client.send(&silent_set()).await.unwrap_err();
    assert_eq!(err.api_code().map(|c| c.code()), Some(1002));
    assert_eq!(err.attempts(), 2);
    assert!(
        err.is_outcome_unknown(),
        "the first attempt may have been applied"
    );
}

#[tokio::test(start_paused = true)]
async fn a_throttled_notifying_write_is_retried_and_succeeds() {
    let h = Harness::new();
    h.reply(reply(429, r#"{"code":1008,"errorMessage":"slow down"}"#))
        .reply(ok());
    h.client.send(&notifying_set()).await.unwrap();
    assert_eq!(h.requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_write_that_never_left_is_retried() {
    let h = Harness::new();
    h.capture
        .push_error(TransportError::connect(std::io::Error::from(
            std::io::ErrorKind::ConnectionRefused,
        )));
    h.reply(ok());
    h.client.send(&notifying_set()).await.unwrap();
    assert_eq!(h.requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn reads_are_retried_after_lost_replies_until_the_policy_gives_up() {
    let h = Harness::with(|b| b.retry_policy(RetryPolicy::default().with_max_attempts(4)));
    for _ in 0..4 {
        h.capture.push_error(lost_reply());
    }
    let err = h.client.query_all_entries(&room()).await.unwrap_err();
    assert_eq!(err.attempts(), 4);
    assert!(
        !err.is_outcome_unknown(),
        "reads have no effect to be unknown"
    );
    assert!(err.is_retryable());
    assert_eq!(h.requests().len(), 4);
}

#[tokio::test(start_paused = true)]
async fn no_retry_policy_means_one_attempt() {
    let h = Harness::with(|b| b.retry_policy(RetryPolicy::no_retry()));
    h.capture.push_error(lost_reply());
    let err = h.client.query_all_entries(&room()).await.unwrap_err();
    assert_eq!(err.attempts(), 1);
}

#[tokio::test(start_paused = true)]
async fn every_attempt_is_signed_afresh_and_carries_the_operations_request_id() {
    let h = Harness::with(|b| {
        b.random_source(SequenceRandom::new(1_000))
            .clock(TickingClock::starting_at_millis(TIMESTAMP_MS))
    });
    h.capture.push_error(lost_reply());
    h.capture.push_error(lost_reply());
    h.reply(reply(200, r#"{"code":200,"keys":[]}"#));
    h.client.query_all_entries(&room()).await.unwrap();
    let requests = h.requests();
    assert_eq!(requests.len(), 3);
    let secret = AppSecret::new(APP_SECRET);
    let mut nonces = HashSet::new();
    let mut timestamps = HashSet::new();
    let mut signatures = HashSet::new();
    for request in &requests {
        let (nonce, ts, sig) = (
            header(request, "nonce"),
            header(request, "timestamp"),
            header(request, "signature"),
        );
        assert_eq!(sig, signature(&secret, nonce, ts));
        assert!(nonce.len() <= 18 && nonce.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(ts.len(), 13, "milliseconds");
        nonces.insert(nonce.to_owned());
        timestamps.insert(ts.to_owned());
        signatures.insert(sig.to_owned());
    }
    assert_eq!(nonces.len(), 3);
    assert_eq!(timestamps.len(), 3);
    assert_eq!(signatures.len(), 3);
    // The request id is drawn once per operation (the first two values of the sequence).
    let ids: HashSet<&str> = requests.iter().map(|r| header(r, "x-request-id")).collect();
    assert_eq!(ids, HashSet::from(["00000000000003e800000000000003e9"]));
}

#[tokio::test]
async fn separate_operations_get_separate_request_ids() {
    let h = Harness::with(|b| b.random_source(SequenceRandom::new(0)));
    h.reply(ok()).reply(ok());
    h.client.query_all_entries(&room()).await.unwrap();
    h.client.query_all_entries(&room()).await.unwrap();
    let requests = h.requests();
    assert_ne!(
        header(&requests[0], "x-request-id"),
        header(&requests[1], "x-request-id")
    );
}
