//! Golden requests: the exact wire output of every operation, with a fixed clock and `random`.
//! The UserSig is verified (decoded, HMAC recomputed), never compared as a string.

use roomkv_tencent::TencentSettings;
use roomkv_tencent::{CreateRoom, Identifier, TakeSeatMode};
use roomkv_transport::HttpRequest;
use roomkv_transport::test_util::{CaptureClient, SequenceRandom};

use crate::support::*;

/// Method, URL (usersig replaced), headers and body, one per line.
fn render(request: &HttpRequest) -> String {
    let mut text = format!("{} {}\n", request.method(), url_without_usersig(request));
    for (name, value) in request.headers() {
        text.push_str(&format!("{name}: {}\n", value.to_str().unwrap()));
    }
    text.push('\n');
    text.push_str(std::str::from_utf8(request.body()).unwrap());
    text
}

fn url(command: &str) -> String {
    format!(
        "https://console.tim.qq.com/v4/live_engine_http_srv/{command}?sdkappid=1400000000&identifier=administrator&contenttype=json&usersig=<verified>&random=12345"
    )
}

/// Checks the one captured request against the golden text and verifies its UserSig.
fn assert_golden(capture: &CaptureClient, command: &str, body: &str) {
    let requests = capture.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    let expected = format!(
        "POST {}\ncontent-type: application/json\n\n{body}",
        url(command)
    );
    assert_eq!(render(request), expected);
    let claims = verify_usersig(request, NOW);
    assert_eq!(claims.time, NOW, "issued by the injected clock");
    assert_eq!(claims.expire, LIFETIME, "the default lifetime");
    assert_eq!(claims.identifier, "administrator");
}

#[tokio::test]
async fn create_room_with_every_setting() {
    let (client, capture) = client();
    let op = CreateRoom::new(room("live-room"))
        .room_name("live name")
        .owner(Identifier::parse("administrator").unwrap())
        .max_member_count(400)
        .cover_url("cover url")
        .message_disabled(true)
        .category([1, 2, 3])
        .public_visible(true)
        .seat_enabled(true)
        .take_seat_mode(TakeSeatMode::ApplyToTake)
        .max_seat_count(8)
        .activity_status(1);
    capture.push_response(ok());
    client.create_room(op).await.unwrap();
    assert_golden(
        &capture,
        "create_room",
        r#"{"RoomInfo":{"RoomId":"live-room","RoomType":"Live","RoomName":"live name","Owner_Account":"administrator","MaxMemberCount":400,"CoverURL":"cover url","IsMessageDisabled":true,"Category":[1,2,3],"IsPublicVisible":true,"IsSeatEnabled":true,"TakeSeatMode":"ApplyToTake","MaxSeatCount":8,"ActivityStatus":1}}"#,
    );
}

#[tokio::test]
async fn create_room_with_defaults() {
    let (client, capture) = client();
    capture.push_response(ok());
    client
        .create_room(CreateRoom::new(room("live-room")))
        .await
        .unwrap();
    assert_golden(
        &capture,
        "create_room",
        r#"{"RoomInfo":{"RoomId":"live-room","RoomType":"Live"}}"#,
    );
}

#[tokio::test]
async fn destroy_room() {
    let (client, capture) = client();
    capture.push_response(ok());
    client.destroy_room(&room("live-room")).await.unwrap();
    assert_golden(&capture, "destroy_room", r#"{"RoomId":"live-room"}"#);
}

#[tokio::test]
async fn get_room_info_reads_the_documented_reply() {
    let (client, capture) = client();
    capture.push_response(ok_with(
        r#""Response":{"RoomInfo":{"RoomId":"rid-123","RoomName":"rname-123","RoomType":"Live","Owner_Account":144115233775727695,"CreateTime":1693271354,"IsSeatEnabled":true,"TakeSeatMode":"ApplyToTake","MaxSeatCount":8,"MaxMemberCount":300,"IsMessageDisabled":false,"CoverURL":"https://xxxx.png","Category":[1,2,3],"ActivityStatus":1,"ViewCount":10,"IsPublicVisible":true}}"#,
    ));
    let info = client.get_room_info(&room("rid-123")).await.unwrap();
    assert_golden(&capture, "get_room_info", r#"{"RoomId":"rid-123"}"#);
    assert_eq!(info.room_id.as_str(), "rid-123");
    assert_eq!(info.room_name.as_deref(), Some("rname-123"));
    assert_eq!(
        info.owner_account.as_ref().map(Identifier::as_str),
        Some("144115233775727695")
    );
    assert_eq!(info.take_seat_mode, Some(TakeSeatMode::ApplyToTake));
    assert_eq!(info.view_count, Some(10));
}

#[tokio::test]
async fn get_room_metadata_for_some_keys() {
    let (client, capture) = client();
    capture.push_response(ok_with(
        r#""Response":{"Metadata":[{"Key":"key1","Value":"value1"},{"Key":"key2","Value":"value2"}]}"#,
    ));
    let entries = client
        .get_room_metadata(&room("live-room"), [key("key1"), key("key2")])
        .await
        .unwrap();
    assert_golden(
        &capture,
        "get_room_metadata",
        r#"{"RoomId":"live-room","Keys":["key1","key2"]}"#,
    );
    let pairs: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.key.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(pairs, [("key1", "value1"), ("key2", "value2")]);
}

#[tokio::test]
async fn get_all_room_metadata_sends_no_keys() {
    let (client, capture) = client();
    capture.push_response(ok_with(r#""Response":{}"#));
    let entries = client
        .get_all_room_metadata(&room("live-room"))
        .await
        .unwrap();
    assert!(entries.is_empty());
    assert_golden(
        &capture,
        "get_room_metadata",
        r#"{"RoomId":"live-room","Keys":[]}"#,
    );
}

#[tokio::test]
async fn set_room_metadata() {
    let (client, capture) = client();
    capture.push_response(ok());
    client
        .set_room_metadata(
            &room("live-room"),
            [
                (key("key1"), value("value1")),
                (key("key2"), value("value2")),
            ],
        )
        .await
        .unwrap();
    assert_golden(
        &capture,
        "set_room_metadata",
        r#"{"RoomId":"live-room","Metadata":[{"Key":"key1","Value":"value1"},{"Key":"key2","Value":"value2"}]}"#,
    );
}

#[tokio::test]
async fn del_room_metadata() {
    let (client, capture) = client();
    capture.push_response(ok());
    client
        .del_room_metadata(&room("live-room"), [key("key1"), key("key2")])
        .await
        .unwrap();
    assert_golden(
        &capture,
        "del_room_metadata",
        r#"{"RoomId":"live-room","Keys":["key1","key2"]}"#,
    );
}

#[tokio::test]
async fn a_custom_admin_signs_and_is_named_in_the_url() {
    let capture = CaptureClient::new();
    let client = builder(&capture)
        .admin(Identifier::parse("ops_admin").unwrap())
        .base_url("http://127.0.0.1:8787/prefix")
        .build()
        .unwrap();
    capture.push_response(ok());
    client.destroy_room(&room("r")).await.unwrap();
    let request = capture.last_request().unwrap();
    assert_eq!(
        url_without_usersig(&request),
        "http://127.0.0.1:8787/prefix/v4/live_engine_http_srv/destroy_room?sdkappid=1400000000&identifier=ops_admin&contenttype=json&usersig=<verified>&random=12345"
    );
    let claims = roomkv_sign::tencent::verify(
        &usersig(&request),
        &secret_key(),
        SDKAPPID,
        "ops_admin",
        NOW,
    )
    .unwrap();
    assert_eq!(claims.identifier, "ops_admin");
}

#[tokio::test(start_paused = true)]
async fn every_attempt_carries_a_fresh_random() {
    let capture = CaptureClient::new();
    let client = builder(&capture)
        .random_source(SequenceRandom::new(0x1_0000_0007))
        .build()
        .unwrap();
    capture
        .push_response(fail(100001, "internal error"))
        .push_response(fail(100001, "internal error"))
        .push_response(ok_with(r#""Response":{"Metadata":[]}"#));
    client
        .get_all_room_metadata(&room("live-room"))
        .await
        .unwrap();
    let randoms: Vec<String> = capture
        .requests()
        .iter()
        .map(|r| query(r, "random").unwrap())
        .collect();
    assert_eq!(randoms.len(), 3);
    // The low 32 bits of each value; the source also feeds the retry jitter in between.
    assert_eq!(randoms[0], "7");
    let mut unique = randoms.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 3, "{randoms:?}");
}
