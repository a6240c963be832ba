//! Host failover of both clients over real sockets: a primary that refuses connections, a primary
//! behind a failing gateway, and the way back after the cool-down.
//!
//! Two emulator instances stand for the two hosts of a region. They share nothing, so where a
//! request landed is read from their states.
//!
//! The refusing primary is a loopback socket that is bound but not listening: connections to it
//! are refused like those to a port nothing listens on, but unlike a port that was bound and let
//! go, no other socket can take it meanwhile, and `listen` later turns it into the primary coming
//! back, on the same URL.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use roomkv_emulator::faults::FaultEffect;
use roomkv_tencent::CreateRoom;
use roomkv_transport::test_util::ManualClock;

use crate::support::*;

const COOL_DOWN: Duration = Duration::from_secs(60);

fn port_of(uri: &http::Uri) -> Option<u16> {
    uri.port_u16()
}

fn gateway(status: u16) -> FaultEffect {
    FaultEffect::Status { status }
}

fn hosts(primary: SocketAddr, backup: &Served) -> [String; 2] {
    [url_of(primary), backup.url()]
}

// ------------------------------------------------------------------------------ RongCloud

#[tokio::test]
async fn rc_connect_failure_goes_to_the_backup_remembers_it_and_returns_after_the_cool_down() {
    let (primary_socket, primary) = refusing_port();
    let backup = Served::start().await;
    let clock = ManualClock::new(SystemTime::now());
    let client = rc_builder()
        .hosts(hosts(primary, &backup))
        .failover_cool_down(COOL_DOWN)
        .clock(clock.clone())
        .build()
        .unwrap();
    let r = room("r");
    assert_eq!(port_of(&client.active_host()), Some(primary.port()));

    // Refused on the primary (never sent, so even a write is retried), applied on the backup.
    client
        .set_entry(&r, &user("u"), key("first"), value("1"))
        .await
        .unwrap();
    assert_eq!(backup.entry("r", "first").unwrap().value, "1");
    assert_eq!(port_of(&client.active_host()), Some(backup.addr().port()));

    // The primary comes back, but the switch is remembered: the next request goes to the backup.
    let primary_served = Served::on(primary_socket.listen(64).unwrap(), |_| {});
    client
        .set_entry(&r, &user("u"), key("second"), value("2"))
        .await
        .unwrap();
    assert!(backup.entry("r", "second").is_some());
    assert!(primary_served.entries("r").is_empty());

    // Just before the cool-down ends, still the backup.
    clock.advance(COOL_DOWN - Duration::from_secs(1));
    assert_eq!(port_of(&client.active_host()), Some(backup.addr().port()));
    let on_backup = client.query_all_entries(&r).await.unwrap();
    assert_eq!(on_backup.len(), 2);

    // After the cool-down, back to the primary.
    clock.advance(Duration::from_secs(1));
    assert_eq!(port_of(&client.active_host()), Some(primary.port()));
    client
        .set_entry(&r, &user("u"), key("third"), value("3"))
        .await
        .unwrap();
    assert!(primary_served.entry("r", "third").is_some());
    assert!(backup.entry("r", "third").is_none());
}

#[tokio::test]
async fn rc_gateway_502_on_a_read_is_retried_on_the_other_host() {
    let a = Served::start().await;
    let b = Served::start().await;
    rc_client(&b.url())
        .set_entry(&room("r"), &user("u"), key("k"), value("on b"))
        .await
        .unwrap();
    a.fault("/chatroom/entry/query.json", gateway(502), 1);

    let client = rc_builder().hosts([a.url(), b.url()]).build().unwrap();
    let entries = client.query_all_entries(&room("r")).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].value.as_str(), "on b");
    assert!(a.faults_used_up(), "the primary was asked first");
    assert_eq!(port_of(&client.active_host()), Some(b.addr().port()));
}

#[tokio::test]
async fn rc_primary_answering_503_sends_requests_to_the_backup() {
    let a = Served::start().await;
    let b = Served::start().await;
    a.fault_always("/*", gateway(503));

    // A read is retried on the backup.
    let client = rc_builder().hosts([a.url(), b.url()]).build().unwrap();
    assert!(
        client
            .query_all_entries(&room("r"))
            .await
            .unwrap()
            .is_empty()
    );
    // The switch is remembered: a write goes straight to the backup (on the primary it would
    // meet the 503 again and, being a write with an unknown outcome, not be retried).
    client
        .set_entry(&room("r"), &user("u"), key("k"), value("v"))
        .await
        .unwrap();
    assert!(b.entry("r", "k").is_some());
    assert!(a.entries("r").is_empty());

    // A client whose first request is a write: the 503 leaves its outcome unknown (a gateway
    // answered, the write may have gone through), so it is not retried, but the next request
    // lands on the backup.
    let writer = rc_builder().hosts([a.url(), b.url()]).build().unwrap();
    let err = writer
        .set_entry(&room("r"), &user("u"), key("w"), value("1"))
        .await
        .unwrap_err();
    assert_eq!(err.http_status(), Some(503), "{err}");
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(err.attempts(), 1);
    writer
        .set_entry(&room("r"), &user("u"), key("w"), value("2"))
        .await
        .unwrap();
    assert_eq!(b.entry("r", "w").unwrap().value, "2");
    assert!(a.entries("r").is_empty());
}

#[tokio::test]
async fn rc_a_primary_that_does_not_answer_in_time_sends_the_read_to_the_backup() {
    // The one test that waits for a time limit: one second, against a primary held up for
    // ten (the emulator's delay fault; the held request is dropped with the runtime).
    let a = Served::start().await;
    let b = Served::start().await;
    rc_client(&b.url())
        .set_entry(&room("r"), &user("u"), key("k"), value("on b"))
        .await
        .unwrap();
    a.fault(
        "/chatroom/entry/query.json",
        FaultEffect::Delay { ms: 10_000 },
        1,
    );
    let client = rc_builder()
        .hosts([a.url(), b.url()])
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let entries = client.query_all_entries(&room("r")).await.unwrap();
    assert_eq!(entries[0].value.as_str(), "on b");
    assert_eq!(port_of(&client.active_host()), Some(b.addr().port()));
}

// ------------------------------------------------------------------------------ Tencent

#[tokio::test]
async fn tc_connect_failure_goes_to_the_backup_remembers_it_and_returns_after_the_cool_down() {
    let (primary_socket, primary) = refusing_port();
    let backup = Served::start().await;
    // The clock also dates the UserSigs: starting at the real time keeps them valid for the
    // emulator (which only checks expiry, so advancing the clock a minute ahead is harmless).
    let clock = ManualClock::new(SystemTime::now());
    let client = tc_builder()
        .hosts(hosts(primary, &backup))
        .failover_cool_down(COOL_DOWN)
        .clock(clock.clone())
        .build()
        .unwrap();

    client
        .create_room(CreateRoom::new(live("first")))
        .await
        .unwrap();
    assert!(backup.metadata("first").is_some());
    assert_eq!(port_of(&client.active_host()), Some(backup.addr().port()));

    let primary_served = Served::on(primary_socket.listen(64).unwrap(), |_| {});
    client
        .create_room(CreateRoom::new(live("second")))
        .await
        .unwrap();
    assert!(backup.metadata("second").is_some());
    assert!(primary_served.metadata("second").is_none());

    clock.advance(COOL_DOWN);
    assert_eq!(port_of(&client.active_host()), Some(primary.port()));
    client
        .create_room(CreateRoom::new(live("third")))
        .await
        .unwrap();
    assert!(primary_served.metadata("third").is_some());
    assert!(backup.metadata("third").is_none());
}

#[tokio::test]
async fn tc_gateway_502_on_a_read_is_retried_on_the_other_host() {
    let a = Served::start().await;
    let b = Served::start().await;
    let on_b = tc_client(&b.url());
    on_b.create_room(CreateRoom::new(live("r"))).await.unwrap();
    on_b.set_room_metadata(&live("r"), [(mkey("k"), mvalue("on b"))])
        .await
        .unwrap();
    a.fault(
        "/v4/live_engine_http_srv/get_room_metadata",
        gateway(502),
        1,
    );

    let client = tc_builder().hosts([a.url(), b.url()]).build().unwrap();
    let entries = client.get_all_room_metadata(&live("r")).await.unwrap();
    assert_eq!(pairs(&entries), [("k", "on b")]);
    assert!(a.faults_used_up(), "the primary was asked first");
    assert_eq!(port_of(&client.active_host()), Some(b.addr().port()));
}

#[tokio::test]
async fn tc_primary_answering_503_sends_requests_to_the_backup() {
    let a = Served::start().await;
    let b = Served::start().await;
    a.fault_always("/*", gateway(503));
    tc_client(&b.url())
        .create_room(CreateRoom::new(live("r")))
        .await
        .unwrap();

    let client = tc_builder().hosts([a.url(), b.url()]).build().unwrap();
    client.get_room_info(&live("r")).await.unwrap();
    client
        .set_room_metadata(&live("r"), [(mkey("k"), mvalue("v"))])
        .await
        .unwrap();
    assert_eq!(b.metadata("r").unwrap().len(), 1);

    let writer = tc_builder().hosts([a.url(), b.url()]).build().unwrap();
    let err = writer
        .create_room(CreateRoom::new(live("w")))
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(err.attempts(), 1);
    assert!(a.metadata("w").is_none());
    writer
        .create_room(CreateRoom::new(live("w")))
        .await
        .unwrap();
    assert!(b.metadata("w").is_some());
}
