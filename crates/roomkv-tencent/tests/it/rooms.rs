//! `update_room_info` and `get_room_list` through the client against the emulator, over a real
//! loopback socket: what update sets is what info reads, paging over more than one page while
//! rooms come and go, and `get_room_list`'s own 10/s quota, in the client's limiter and in the
//! emulator's meter. Both clocks are one frozen `ManualClock`, so no test depends on timing.

use std::time::{Duration, SystemTime};

use roomkv_emulator::{Emulator, EmulatorConfig, ServerHandle};
use roomkv_tencent::limiter::{LocalLimiter, SharedRateLimiter};
use roomkv_tencent::{
    Client, CreateRoom, ErrorKind, RateLimit, RoomId, RoomListCursor, SecretKey, TakeSeatMode,
    TencentCode, TencentSettings as _, UpdateRoomInfo,
};
use roomkv_transport::test_util::ManualClock;
use serde_json::json;

const SDKAPPID: u64 = 1_400_000_000;

/// The emulator on `127.0.0.1:0` and the clock it and the clients read.
struct Live {
    emulator: Emulator,
    server: ServerHandle,
    clock: ManualClock,
}

impl Live {
    /// With the emulator's quotas on (`quotas`) or off.
    async fn start(quotas: bool) -> Self {
        let clock = ManualClock::new(SystemTime::now());
        let mut config = EmulatorConfig::default();
        config.quota.enabled = quotas;
        let emulator = Emulator::builder(config).clock(clock.clone()).build();
        let server = emulator.serve("127.0.0.1:0").await.unwrap();
        Self {
            emulator,
            server,
            clock,
        }
    }

    /// A client of the emulator's default app with `rate_limit`.
    fn client(&self, rate_limit: RateLimit) -> Client {
        Client::builder()
            .sdkappid(SDKAPPID)
            .secret_key(SecretKey::new("demo-secret-key"))
            .base_url(self.server.base_url())
            .clock(self.clock.clone())
            .rate_limit(rate_limit)
            .max_rate_wait(Duration::ZERO)
            .build()
            .unwrap()
    }

    /// A client with a limiter of its own on the frozen clock: it admits a burst, then
    /// refuses at once (`max_rate_wait` zero) until the clock moves.
    fn limited_client(&self) -> Client {
        let limiter = LocalLimiter::new().with_clock(self.clock.clone());
        self.client(RateLimit::With(SharedRateLimiter::new(limiter)))
    }
}

fn room(id: &str) -> RoomId {
    RoomId::parse(id).unwrap()
}

#[tokio::test]
async fn update_room_info_changes_what_get_room_info_reads() {
    let live = Live::start(true).await;
    let client = live.client(RateLimit::Off);
    let id = room("quiz");
    client
        .create_room(
            CreateRoom::new(id.clone())
                .room_name("Friday quiz")
                .unmodeled_field("IsUnlimitedRoomEnabled", json!(true))
                .unmodeled_field("SeatLayoutTemplateId", json!(600)),
        )
        .await
        .unwrap();
    let update = UpdateRoomInfo::new(id.clone())
        .notice("Starts at nine")
        .category([4, 2])
        .take_seat_mode(TakeSeatMode::ApplyToTake)
        .public_visible(false)
        .unmodeled_field("SeatLayoutTemplateId", json!(601));
    client.update_room_info(&update).await.unwrap();
    // Twice is the same as once: the write replaces values.
    client.update_room_info(&update).await.unwrap();

    let info = client.get_room_info(&id).await.unwrap();
    assert_eq!(info.room_name.as_deref(), Some("Friday quiz"), "kept");
    assert_eq!(info.notice.as_deref(), Some("Starts at nine"));
    assert_eq!(info.category, Some(vec![4, 2]));
    assert_eq!(info.take_seat_mode, Some(TakeSeatMode::ApplyToTake));
    assert_eq!(info.is_public_visible, Some(false));
    assert_eq!(info.unmodeled()["IsUnlimitedRoomEnabled"], json!(true));
    assert_eq!(info.unmodeled()["SeatLayoutTemplateId"], json!(601));

    let missing = client
        .update_room_info(&UpdateRoomInfo::new(room("nowhere")).notice("x"))
        .await
        .unwrap_err();
    assert_eq!(missing.api_code(), Some(TencentCode::RoomNotFound));
    let too_long = client
        .update_room_info(&UpdateRoomInfo::new(id.clone()).notice("n".repeat(101)))
        .await
        .unwrap_err();
    assert!(too_long.is_refused_before_sending());
    assert!(
        too_long
            .to_string()
            .contains("Notice has 101 bytes, at most 100")
    );

    let events = serde_json::to_value(live.emulator.state().events_since(0)).unwrap();
    let callbacks: Vec<_> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["body"]["CallbackCommand"] == "Live.CallbackAfterUpdateRoomInfo")
        .collect();
    assert_eq!(callbacks.len(), 2, "one callback per update: {events}");
    assert_eq!(callbacks[0]["body"]["RoomInfo"]["Notice"], "Starts at nine");
    assert_eq!(callbacks[0]["body"]["RoomId"], "quiz");
}

#[tokio::test]
async fn paging_lists_every_public_room_once_while_rooms_come_and_go() {
    let live = Live::start(false).await;
    let client = live.client(RateLimit::Off);
    for n in 0..25 {
        client
            .create_room(CreateRoom::new(room(&format!("room-{n:02}"))))
            .await
            .unwrap();
    }
    client
        .create_room(CreateRoom::new(room("hidden")).public_visible(false))
        .await
        .unwrap();
    for (n, views) in [(3, 50), (7, 50), (11, 900)] {
        live.emulator
            .state()
            .room_set_view_count(SDKAPPID, &room(&format!("room-{n:02}")), views)
            .unwrap();
    }

    let first = client.get_room_list(None, 20).await.unwrap();
    assert_eq!(first.rooms.len(), 20);
    let ids: Vec<&str> = first.rooms.iter().map(|r| r.room_id.as_str()).collect();
    // Most viewed first, ties by id.
    assert_eq!(&ids[..4], ["room-11", "room-03", "room-07", "room-00"]);
    let next = first.next.clone().expect("more than one page");

    // Between the pages: a room listed already goes, one not listed yet goes, a new one comes.
    client.destroy_room(&room("room-00")).await.unwrap();
    client.destroy_room(&room("room-24")).await.unwrap();
    client
        .create_room(CreateRoom::new(room("room-99")))
        .await
        .unwrap();

    let second = client.get_room_list(Some(&next), 20).await.unwrap();
    assert!(second.is_last());
    let later: Vec<&str> = second.rooms.iter().map(|r| r.room_id.as_str()).collect();
    assert_eq!(
        later,
        ["room-20", "room-21", "room-22", "room-23", "room-99"]
    );
    assert!(later.iter().all(|id| !ids.contains(id)), "none twice");

    // Every page, through the pager, 7 at a time: the 24 public rooms there are now.
    let every = client.room_list(7).collect_all().await.unwrap();
    let mut listed: Vec<String> = every.iter().map(|r| r.room_id.to_string()).collect();
    assert_eq!(listed.len(), 24);
    listed.sort();
    listed.dedup();
    assert_eq!(listed.len(), 24, "no room twice");
    assert!(!listed.contains(&"hidden".to_owned()));

    let mut pager = client.room_list(20);
    let mut pages = 0;
    while let Some(page) = pager.next_page().await {
        page.unwrap();
        pages += 1;
    }
    assert_eq!(pages, 2);
    assert!(pager.next_page().await.is_none(), "done stays done");

    let stranger = client
        .get_room_list(Some(&RoomListCursor::new("not-a-cursor")), 20)
        .await
        .unwrap_err();
    assert_eq!(stranger.api_code(), Some(TencentCode::InvalidParameter));
    let refused = client.get_room_list(None, 21).await.unwrap_err();
    assert!(refused.is_refused_before_sending());
}

#[tokio::test]
async fn get_room_list_has_its_own_10_per_second_bucket_in_the_client() {
    let live = Live::start(true).await;
    let client = live.limited_client();
    let id = room("busy");
    client
        .create_room(CreateRoom::new(id.clone()))
        .await
        .unwrap();
    let mut admitted = 0;
    let refused = loop {
        match client.get_room_list(None, 1).await {
            Ok(_) => admitted += 1,
            Err(err) => break err,
        }
        assert!(
            admitted <= 10,
            "a 10/s bucket admitted {admitted} at one instant"
        );
    };
    let ErrorKind::RateLimited { family, .. } = refused.kind() else {
        panic!("{refused}")
    };
    assert_eq!(family.name(), "get_room_list");
    assert!(refused.is_refused_before_sending());
    // The other commands' buckets are untouched: more requests than the list's whole second.
    for _ in 0..12 {
        client.get_room_info(&id).await.unwrap();
    }
    client
        .update_room_info(&UpdateRoomInfo::new(id.clone()).notice("still open"))
        .await
        .unwrap();
    // A second later the list's bucket has refilled.
    live.clock.advance(Duration::from_secs(1));
    client.get_room_list(None, 1).await.unwrap();
}

#[tokio::test]
async fn the_emulator_answers_60007_past_10_lists_per_second() {
    let live = Live::start(true).await;
    let client = live.client(RateLimit::Off);
    for _ in 0..10 {
        client.get_room_list(None, 20).await.unwrap();
    }
    let throttled = client.get_room_list(None, 20).await.unwrap_err();
    assert_eq!(throttled.api_code(), Some(TencentCode::RestFrequencyLimit));
    // get_room_info's bucket is its own: still open in the same instant.
    let err = client.get_room_info(&room("none")).await.unwrap_err();
    assert_eq!(err.api_code(), Some(TencentCode::RoomNotFound));
}
