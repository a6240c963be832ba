//! The late-landing fault: a request held without an answer and applied after the client gave
//! up, over a write the client made in between, from the control API and the Rust API, over a
//! socket and in memory, with and without a state file.

use std::time::Duration;

use roomkv_emulator::Emulator;
use roomkv_emulator::faults::{FaultEffect, FaultRule};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::*;
use crate::connections::{exchange, raw, scratch, served_with, signed_set, unlimited};

fn value_of(emulator: &Emulator, key: &str) -> Option<String> {
    emulator
        .state()
        .entry_query(APP, &query("r", &[key]))
        .ok()
        .and_then(|entries| entries.first().map(|e| e.value.as_str().to_owned()))
}

/// Lets the emulator's tasks run until `key` holds `value` (at most 2,000 rounds of 5 ms).
async fn until_holds(emulator: &Emulator, key: &str, value: &str) -> bool {
    for _ in 0..2_000 {
        if value_of(emulator, key).as_deref() == Some(value) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    false
}

// On real time: paused time would jump ahead while the client waits for the socket, and land
// the held write before the newer one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_write_lands_after_the_client_gave_up_and_overwrites_a_newer_one() {
    let file = scratch("late-landing");
    for state_file in [None, Some(&file)] {
        let (emulator, server) = served_with(state_file).await;
        let addr = server.local_addr();
        let rule = r#"{"path":"/chatroom/entry/set.json","times":1,"effect":{"kind":"land_late","ms":1500}}"#;
        let added = exchange(
            addr,
            &raw(
                "POST",
                "/_emulator/faults",
                &[
                    ("Content-Type", "application/json".into()),
                    ("Connection", "close".into()),
                ],
                rule.as_bytes(),
            ),
            false,
        )
        .await;
        assert_eq!(added.map(|a| a.0), Some(200));

        // The first write is held: nothing comes back in 200 ms, and the client leaves.
        let mut first = TcpStream::connect(addr).await.unwrap();
        first.write_all(&signed_set("k", "older")).await.unwrap();
        let mut byte = [0u8; 1];
        let waited = tokio::time::timeout(Duration::from_millis(200), first.read(&mut byte)).await;
        assert!(waited.is_err(), "a held request is not answered");
        drop(first);
        assert_eq!(value_of(&emulator, "k"), None, "not applied yet");

        // A newer write is acknowledged; then the held one lands over it.
        let newer = exchange(addr, &signed_set("k", "newer"), false).await;
        assert_eq!(newer.map(|a| a.0), Some(200));
        assert_eq!(value_of(&emulator, "k").as_deref(), Some("newer"));
        assert!(
            until_holds(&emulator, "k", "older").await,
            "the late landing"
        );
        if let Some(file) = state_file {
            // Durable as any write: on disk once landed.
            let mut on_disk = false;
            for _ in 0..2_000 {
                on_disk = std::fs::read_to_string(file).is_ok_and(|t| t.contains("\"older\""));
                if on_disk {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            assert!(on_disk);
        }
        assert!(emulator.faults().is_empty(), "a `times` rule is used up");
        server.shutdown().await;
    }
}

#[tokio::test(start_paused = true)]
async fn in_memory_a_late_landing_happens_even_when_the_caller_stops_waiting() {
    let emulator = Emulator::new(unlimited());
    emulator
        .add_fault(
            FaultRule::new(
                "/chatroom/entry/set.json",
                FaultEffect::LandLate { ms: 3000 },
            )
            .times(1),
        )
        .unwrap();
    let set = |value: &str| {
        rc_request(
            "/chatroom/entry/set.json",
            format!("chatroomId=r&userId=u&key=k&value={value}"),
        )
    };
    let held = tokio::time::timeout(Duration::from_secs(1), emulator.respond(set("older"))).await;
    assert!(
        held.is_err(),
        "nothing is answered while the request is held"
    );
    let newer = emulator.respond(set("newer")).await;
    assert!(matches!(newer, roomkv_emulator::Exchange::Reply(ref r) if r.status() == 200));
    assert_eq!(value_of(&emulator, "k").as_deref(), Some("newer"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(until_holds(&emulator, "k", "older").await);
}
