//! Host failover: connect failures, timeouts and gateway errors switch to the backup host, the
//! switch is remembered, and undone after the cool-down.

use std::time::Duration;

use roomkv_rongcloud::{Region, RetryPolicy};
use roomkv_transport::TransportError;
use roomkv_transport::test_util::ManualClock;

use crate::support::*;

fn refused() -> TransportError {
    TransportError::connect(std::io::Error::from(std::io::ErrorKind::ConnectionRefused))
}

#[tokio::test(start_paused = true)]
async fn a_connect_failure_moves_to_the_backup_and_the_cool_down_moves_back() {
    let clock = ManualClock::from_unix_secs(1_700_000_000);
    let h = Harness::with(|b| {
        b.region(Region::Singapore)
            .clock(clock.clone())
            .failover_cool_down(Duration::from_secs(30))
    });
    h.capture.push_error(refused());
    // A write that never left is safe to send again, on the backup.
    h.client
        .set_entry(&room(), &user(), key("k"), value("v"))
        .await
        .unwrap();
    assert_eq!(
        h.hosts_used(),
        ["api.sg-light-api.com", "api-b.sg-light-api.com"]
    );

    // The switch is remembered for the next request.
    h.client.query_all_entries(&room()).await.unwrap();
    assert_eq!(h.hosts_used()[2], "api-b.sg-light-api.com");
    assert_eq!(
        h.client.active_host().host(),
        Some("api-b.sg-light-api.com")
    );

    // Not yet back before the cool-down has passed …
    clock.advance(Duration::from_secs(29));
    h.client.query_all_entries(&room()).await.unwrap();
    assert_eq!(h.hosts_used()[3], "api-b.sg-light-api.com");

    // … and back on the primary after it.
    clock.advance(Duration::from_secs(1));
    h.client.query_all_entries(&room()).await.unwrap();
    assert_eq!(h.hosts_used()[4], "api.sg-light-api.com");
}

#[tokio::test(start_paused = true)]
async fn a_timeout_on_a_read_is_retried_on_the_backup() {
    let h = Harness::new();
    h.capture.push_error(TransportError::timeout(None));
    h.client.query_all_entries(&room()).await.unwrap();
    assert_eq!(h.hosts_used(), ["api.rong-api.com", "api-b.rong-api.com"]);
}

#[tokio::test(start_paused = true)]
async fn a_gateway_error_on_a_write_switches_for_the_next_request_only() {
    let h = Harness::new();
    h.reply(reply(503, "<html>unavailable</html>"));
    let err = h
        .client
        .set_entry(&room(), &user(), key("k"), value("v"))
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown());
    assert_eq!(h.requests().len(), 1, "the write itself is not repeated");
    h.client.query_all_entries(&room()).await.unwrap();
    assert_eq!(h.hosts_used(), ["api.rong-api.com", "api-b.rong-api.com"]);
}

#[tokio::test(start_paused = true)]
async fn an_unexpected_status_fails_over_but_rongclouds_own_statuses_do_not() {
    let h = Harness::new();
    h.reply(reply(
        401,
        r#"{"code":1004,"errorMessage":"Signature error"}"#,
    ));
    h.client.query_all_entries(&room()).await.unwrap_err();
    h.reply(reply(404, "<html>not found</html>"));
    h.client.query_all_entries(&room()).await.unwrap();
    assert_eq!(
        h.hosts_used(),
        ["api.rong-api.com", "api.rong-api.com", "api-b.rong-api.com"],
        "a gateway's 404 sends the read to the backup"
    );
}

#[tokio::test(start_paused = true)]
async fn custom_hosts_fail_over_in_order_and_a_pinned_host_never_does() {
    let h = Harness::with(|b| {
        b.hosts(["https://one.example", "https://two.example"])
            .retry_policy(RetryPolicy::default().with_max_attempts(3))
    });
    h.capture.push_error(refused()).push_error(refused());
    h.client.query_all_entries(&room()).await.unwrap();
    assert_eq!(
        h.hosts_used(),
        ["one.example", "two.example", "one.example"],
        "after the last host, the first again"
    );

    let h = Harness::with(|b| b.base_url("http://127.0.0.1:9"));
    h.capture.push_error(refused());
    h.client.query_all_entries(&room()).await.unwrap();
    assert_eq!(h.hosts_used(), ["127.0.0.1", "127.0.0.1"]);
    assert_eq!(h.client.hosts().len(), 1);
}
