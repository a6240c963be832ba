//! `update_room_info` and `get_room_list` over HTTP: every documented code, the replies in
//! Tencent's shape, what update sets read back by `get_room_info`, the list's order, paging
//! and visibility, `get_room_list`'s own 10/s quota, and the journal's explanations.

use roomkv_core::tencent::RoomId;
use roomkv_emulator::EmulatorConfig;
use roomkv_emulator::journal::{JournalFilter, Outcome};

use crate::common::*;
use crate::served::*;

/// A served emulator with the rooms `ids` created.
async fn with_rooms(served: Served, ids: &[&str]) -> Served {
    for id in ids {
        let body = format!(r#"{{"RoomInfo":{{"RoomId":"{id}","RoomType":"Live"}}}}"#);
        served
            .tc("create_room", &body)
            .await
            .assert_tencent_ok(None);
    }
    served
}

fn error_info(reply: &Reply) -> String {
    reply.json()["ErrorInfo"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn update_room_info_codes_and_what_get_room_info_reads_back() {
    let s = with_rooms(Served::unlimited().await, &["live"]).await;
    s.tc(
        "update_room_info",
        r#"{"RoomInfo":{"RoomId":"live","RoomName":"Round 2","Notice":"at nine","Category":[3],"TakeSeatMode":"ApplyToTake","IsPublicVisible":false,"IsUnlimitedRoomEnabled":true}}"#,
    )
    .await
    .assert_tencent_ok(None);
    s.tc("get_room_info", r#"{"RoomId":"live"}"#)
        .await
        .assert_tencent_ok(Some(concat!(
            r#"{"RoomInfo":{"RoomId":"live","RoomType":"Live","RoomName":"Round 2","#,
            r#""Owner_Account":"administrator","Category":[3],"IsPublicVisible":false,"#,
            r#""TakeSeatMode":"ApplyToTake","CreateTime":1700000000,"Notice":"at nine","#,
            r#""IsUnlimitedRoomEnabled":true}}"#
        )));

    for (body, code, field) in [
        (
            r#"{"RoomInfo":{"RoomId":"gone","Notice":"x"}}"#,
            100_004,
            "gone",
        ),
        (
            &format!(
                r#"{{"RoomInfo":{{"RoomId":"live","Notice":"{}"}}}}"#,
                "n".repeat(101)
            ),
            100_002,
            "Notice has 101 bytes, at most 100 allowed",
        ),
        (
            r#"{"RoomInfo":{"RoomId":"live","Category":[1,2,3,4]}}"#,
            100_002,
            "Category",
        ),
        (
            r#"{"RoomInfo":{"RoomId":"live","TakeSeatMode":"Sit"}}"#,
            100_002,
            "TakeSeatMode",
        ),
        (
            r#"{"RoomInfo":{"RoomId":"live","RoomName":7}}"#,
            100_002,
            "RoomName",
        ),
        (r#"{"RoomId":"live"}"#, 100_002, "RoomInfo"),
        ("not json", 60_003, ""),
    ] {
        let reply = s.tc("update_room_info", body).await;
        assert_eq!(reply.status_code(), (200, code), "{body}: {}", reply.text());
        assert!(
            error_info(&reply).contains(field),
            "{body}: {}",
            reply.text()
        );
    }
    // Nothing refused reached the room.
    let info = s.tc("get_room_info", r#"{"RoomId":"live"}"#).await.json();
    assert_eq!(info["Response"]["RoomInfo"]["Notice"], "at nine");
    s.shutdown().await;
}

#[tokio::test]
async fn get_room_list_orders_pages_and_hides_what_is_not_public() {
    let s = with_rooms(Served::unlimited().await, &["b", "a", "c", "d"]).await;
    s.tc(
        "create_room",
        r#"{"RoomInfo":{"RoomId":"hidden","RoomType":"Live","IsPublicVisible":false}}"#,
    )
    .await
    .assert_tencent_ok(None);
    s.emulator
        .state()
        .room_set_view_count(SDKAPPID, &RoomId::non_validated("c"), 9)
        .unwrap();

    let first = s.tc("get_room_list", r#"{"Next":"","Count":2}"#).await;
    let next = first.json()["Response"]["Next"]
        .as_str()
        .unwrap()
        .to_owned();
    first.assert_tencent_ok(Some(&format!(
        r#"{{"Next":"{next}","RoomList":[{{"RoomId":"c","RoomName":"c","Owner_Account":"administrator","CreateTime":1700000000,"ViewCount":9}},{{"RoomId":"a","RoomName":"a","Owner_Account":"administrator","CreateTime":1700000000}}]}}"#
    )));
    let second = s
        .tc(
            "get_room_list",
            &format!(r#"{{"Next":"{next}","Count":20}}"#),
        )
        .await;
    let ids: Vec<_> = second.json()["Response"]["RoomList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["RoomId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["b", "d"]);
    assert_eq!(second.json()["Response"]["Next"], "", "the last page");

    for (body, field) in [
        (
            r#"{"Next":"","Count":21}"#,
            "Count has 21 rooms, at most 20 allowed",
        ),
        (r#"{"Next":"","Count":0}"#, "Count"),
        (r#"{"Next":""}"#, "Count"),
        (r#"{"Count":20}"#, "Next"),
        (r#"{"Next":"no-cursor","Count":20}"#, "Next"),
    ] {
        let reply = s.tc("get_room_list", body).await;
        assert_eq!(
            reply.status_code(),
            (200, 100_002),
            "{body}: {}",
            reply.text()
        );
        assert!(
            error_info(&reply).contains(field),
            "{body}: {}",
            reply.text()
        );
    }
    s.shutdown().await;
}

#[tokio::test]
async fn get_room_list_has_its_own_quota_of_10_per_second() {
    let s = with_rooms(Served::start(EmulatorConfig::default()).await, &["r"]).await;
    for _ in 0..10 {
        s.tc("get_room_list", r#"{"Next":"","Count":20}"#)
            .await
            .assert_tencent_ok(Some(
                r#"{"Next":"","RoomList":[{"RoomId":"r","RoomName":"r","Owner_Account":"administrator","CreateTime":1700000000}]}"#,
            ));
    }
    let throttled = s.tc("get_room_list", r#"{"Next":"","Count":20}"#).await;
    assert_eq!(
        throttled.status_code(),
        (200, 60_007),
        "{}",
        throttled.text()
    );
    // The other commands' quotas are their own, in the same instant.
    s.tc("get_room_info", r#"{"RoomId":"r"}"#)
        .await
        .assert_tencent_ok(Some(
            r#"{"RoomInfo":{"RoomId":"r","RoomType":"Live","RoomName":"r","Owner_Account":"administrator","CreateTime":1700000000}}"#,
        ));
    s.tc(
        "update_room_info",
        r#"{"RoomInfo":{"RoomId":"r","Notice":"n"}}"#,
    )
    .await
    .assert_tencent_ok(None);
    s.clock.advance(std::time::Duration::from_secs(1));
    assert_eq!(
        s.tc("get_room_list", r#"{"Next":"","Count":20}"#)
            .await
            .code(),
        0
    );

    let refusals = s.emulator.journal(&JournalFilter {
        outcome: Some(Outcome::Refused),
        ..JournalFilter::default()
    });
    let throttled = refusals.entries.last().unwrap();
    assert!(
        throttled
            .explanation
            .as_deref()
            .unwrap()
            .contains("get_room_list"),
        "{throttled:?}"
    );
    s.shutdown().await;
}

#[tokio::test]
async fn refusals_of_the_new_commands_are_explained() {
    let s = with_rooms(Served::unlimited().await, &["live"]).await;
    let long = format!(
        r#"{{"RoomInfo":{{"RoomId":"live","Notice":"{}"}}}}"#,
        "n".repeat(101)
    );
    s.tc("update_room_info", &long).await;
    s.tc("get_room_list", r#"{"Next":"","Count":21}"#).await;
    let refusals = s.emulator.journal(&JournalFilter {
        outcome: Some(Outcome::Refused),
        ..JournalFilter::default()
    });
    let explanations: Vec<_> = refusals
        .entries
        .iter()
        .map(|e| e.explanation.clone().unwrap())
        .collect();
    assert_eq!(explanations.len(), 2);
    assert!(explanations[0].contains("Notice has 101 bytes, at most 100 allowed"));
    assert!(explanations[1].contains("Count has 21 rooms, at most 20 allowed"));
    s.shutdown().await;
}
