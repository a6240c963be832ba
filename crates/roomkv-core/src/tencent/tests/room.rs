//! Tests of `update_room_info` and `get_room_list`, and of the room fields roomkv does not
//! model: validation at every limit, the documented replies, decoding, and round trips.

use proptest::prelude::*;
use serde_json::json;

use super::strategy::*;
use super::*;
use crate::QuotaFamily;

fn update() -> UpdateRoomInfo {
    UpdateRoomInfo::new(room("live-room"))
}

fn refusal(op: &impl Operation, limits: &Limits) -> ValidationError {
    op.validate(limits).unwrap_err()
}

/// The field an error names.
trait FieldOf {
    fn field_of(&self) -> &'static str;
}

impl FieldOf for ValidationError {
    fn field_of(&self) -> &'static str {
        match self {
            Self::Empty { field, .. }
            | Self::TooLong { field, .. }
            | Self::InvalidChar { field, .. }
            | Self::TooMany { field, .. }
            | Self::TotalTooLong { field, .. }
            | Self::Duplicate { field, .. }
            | Self::NoItems { field, .. }
            | Self::OutOfRange { field, .. } => field,
        }
    }
}

mod validation {
    use super::*;

    proptest! {
        #[test]
        fn notice_of_100_bytes_is_accepted_and_101_refused(
            at in text_of_bytes(100),
            past in text_of_bytes(101),
        ) {
            let limits = Limits::default();
            prop_assert!(update().notice(at).validate(&limits).is_ok());
            let err = refusal(&update().notice(past), &limits);
            prop_assert_eq!(
                err,
                ValidationError::TooLong { field: "Notice", len: 101, max: 100, unit: Unit::Bytes }
            );
        }

        #[test]
        fn update_text_limits(name in text_of_bytes(100), long_name in text_of_bytes(101),
                              url in text_of_bytes(200), long_url in text_of_bytes(201)) {
            let limits = Limits::default();
            prop_assert!(update().room_name(name).cover_url(url).validate(&limits).is_ok());
            prop_assert_eq!(
                refusal(&update().room_name(long_name), &limits).field_of(),
                "RoomName"
            );
            prop_assert_eq!(
                refusal(&update().cover_url(long_url), &limits),
                ValidationError::TooLong { field: "CoverURL", len: 201, max: 200, unit: Unit::Bytes }
            );
        }

        #[test]
        fn update_categories(categories in prop::collection::vec(any::<i64>(), 0..=6)) {
            let n = categories.len();
            let result = update().category(categories).validate(&Limits::default());
            if n <= 3 {
                prop_assert!(result.is_ok());
            } else {
                prop_assert_eq!(
                    result.unwrap_err(),
                    ValidationError::TooMany { field: "Category", len: n, max: 3, item: "value" }
                );
            }
        }

        #[test]
        fn room_list_count_is_accepted_from_1_to_20(count in 0u32..=1000) {
            let result = GetRoomList::first_page(count).validate(&Limits::default());
            match count {
                0 => prop_assert_eq!(
                    result.unwrap_err(),
                    ValidationError::NoItems { field: "Count", item: "room" }
                ),
                1..=20 => prop_assert!(result.is_ok()),
                _ => prop_assert_eq!(
                    result.unwrap_err(),
                    ValidationError::TooMany { field: "Count", len: count as usize, max: 20, item: "room" }
                ),
            }
        }

        #[test]
        fn unmodeled_fields_never_repeat_modelled_ones(name in "[A-Za-z_]{1,20}") {
            let modelled = crate::tencent::room::ROOM_INFO_FIELDS.contains(&name.as_str());
            let result = update().unmodeled_field(name.clone(), json!(1)).validate(&Limits::default());
            if modelled {
                prop_assert_eq!(
                    result.unwrap_err(),
                    ValidationError::Duplicate { field: "RoomInfo", item: "field", value: name }
                );
            } else {
                prop_assert!(result.is_ok());
            }
        }
    }

    #[test]
    fn limits_at_their_edges_and_errors_that_name_them() {
        let limits = Limits::default();
        assert_eq!(
            refusal(&update().notice("n".repeat(101)), &limits).to_string(),
            "Notice has 101 bytes, at most 100 allowed"
        );
        assert_eq!(
            refusal(&GetRoomList::first_page(21), &limits).to_string(),
            "Count has 21 rooms, at most 20 allowed"
        );
        assert_eq!(
            refusal(&GetRoomList::first_page(0), &limits).to_string(),
            "Count has no rooms, at least 1 required"
        );
        assert_eq!(
            refusal(
                &update().take_seat_mode(TakeSeatMode::from_name("Sit")),
                &limits
            )
            .field_of(),
            "TakeSeatMode"
        );
        assert_eq!(
            refusal(&UpdateRoomInfo::new(RoomId::non_validated("")), &limits).field_of(),
            "RoomId"
        );
        assert_eq!(
            refusal(
                &UpdateRoomInfo::new(RoomId::non_validated("r".repeat(49))),
                &limits
            )
            .field_of(),
            "RoomId"
        );
        assert!(
            update().validate(&limits).is_ok(),
            "only RoomId is required"
        );
        assert_eq!(
            refusal(
                &CreateRoom::new(room("r")).unmodeled_field("RoomName", json!("x")),
                &limits
            )
            .to_string(),
            r#"RoomInfo has the field "RoomName" more than once"#
        );
    }

    #[test]
    fn raised_limits_are_honoured() {
        let mut limits = Limits::default();
        limits.tencent.notice_max_bytes = 200;
        limits.tencent.room_list_count_max = 50;
        assert!(update().notice("n".repeat(200)).validate(&limits).is_ok());
        assert!(GetRoomList::first_page(50).validate(&limits).is_ok());
        assert_eq!(
            refusal(&GetRoomList::first_page(51), &limits).to_string(),
            "Count has 51 rooms, at most 50 allowed"
        );
    }

    #[test]
    fn get_room_list_has_its_own_quota_of_10_per_second() {
        let limits = Limits::default();
        let list = QuotaFamily::Tencent(Command::GetRoomList);
        let update = QuotaFamily::Tencent(Command::UpdateRoomInfo);
        assert_eq!(limits.rate_per_sec(list), 10);
        assert_eq!(limits.rate_per_sec(update), 200);
        assert_eq!(list.name(), "get_room_list");
        assert_eq!(
            GetRoomList::first_page(20).quota(),
            crate::QuotaCost::one(list, 1)
        );
        assert_eq!(limits.scale_rates(0.5).rate_per_sec(list), 5);
        assert_eq!(
            GetRoomList::first_page(1).effect(),
            Effect::Read,
            "a read: retried after any transient failure"
        );
        assert_eq!(
            super::update().effect(),
            Effect::Write { notifies: false },
            "a silent write that replaces values"
        );
    }
}

mod replies {
    use super::*;

    fn list_reply(body: &str) -> Result<RoomListPage, ResponseError> {
        GetRoomList::first_page(20).parse(reply(200, body.as_bytes()))
    }

    #[test]
    fn the_documented_room_list_parses() {
        let page =
            list_reply(crate::corpus_examples::response("tencent/get_room_list", 0)).unwrap();
        assert_eq!(
            page.next,
            Some(RoomListCursor::new("1693271355-123123123123"))
        );
        assert!(!page.is_last());
        let [summary] = page.rooms.as_slice() else {
            panic!("one room: {page:?}")
        };
        assert_eq!(summary.room_id.as_str(), "room_id0");
        assert_eq!(summary.room_name.as_deref(), Some("name"));
        assert_eq!(summary.owner_account.as_ref().unwrap().as_str(), "bren");
        assert_eq!(summary.cover_url.as_deref(), Some("cover_url"));
        assert_eq!(summary.category, Some(vec![1, 2, 3]));
        assert_eq!(summary.create_time, Some(1_693_271_354));
        assert_eq!(summary.activity_status, Some(1));
        assert_eq!(summary.view_count, Some(1000));
        assert!(summary.unmodeled().is_empty());
    }

    #[test]
    fn the_last_page_has_an_empty_next_and_unknown_fields_are_kept() {
        let page = list_reply(
            r#"{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"RequestId":"r","Response":{"Next":"","RoomList":[{"RoomId":"a","Owner_Account":144115233775727695,"IsUnlimitedRoomEnabled":true}]}}"#,
        )
        .unwrap();
        assert!(page.is_last());
        let room = &page.rooms[0];
        assert_eq!(
            room.owner_account.as_ref().unwrap().as_str(),
            "144115233775727695"
        );
        assert_eq!(room.unmodeled()["IsUnlimitedRoomEnabled"], json!(true));
        let empty = list_reply(r#"{"ActionStatus":"OK","ErrorCode":0,"Response":{}}"#).unwrap();
        assert_eq!(empty, RoomListPage::new(Vec::new(), None));
    }

    #[test]
    fn room_list_reply_errors_name_the_field() {
        for (body, field) in [
            (r#"{"ErrorCode":0}"#, "Response"),
            (r#"{"ErrorCode":0,"Response":{"Next":1}}"#, "Next"),
            (r#"{"ErrorCode":0,"Response":{"RoomList":{}}}"#, "RoomList"),
            (r#"{"ErrorCode":0,"Response":{"RoomList":[{}]}}"#, "RoomId"),
            (
                r#"{"ErrorCode":0,"Response":{"RoomList":[{"RoomId":"a","ViewCount":-1}]}}"#,
                "ViewCount",
            ),
        ] {
            let Err(ResponseError::Decode(err)) = list_reply(body) else {
                panic!("{body}")
            };
            assert_eq!(err.field_name(), Some(field), "{body}");
        }
    }

    #[test]
    fn get_room_info_keeps_the_fields_roomkv_does_not_model() {
        let body = r#"{"ActionStatus":"OK","ErrorCode":0,"Response":{"RoomInfo":{"RoomId":"r","Notice":"hi","IsUnlimitedRoomEnabled":true,"SeatLayoutTemplateId":600,"SeatTemplate":{"Rows":[1,2]}}}}"#;
        let info = GetRoomInfo::new(room("r"))
            .parse(reply(200, body.as_bytes()))
            .unwrap();
        assert_eq!(info.notice.as_deref(), Some("hi"));
        assert_eq!(
            info.unmodeled().keys().collect::<Vec<_>>(),
            [
                "IsUnlimitedRoomEnabled",
                "SeatLayoutTemplateId",
                "SeatTemplate"
            ]
        );
        // Written back after the modelled fields, in name order.
        assert_eq!(
            serde_json::to_string(&info).unwrap(),
            r#"{"RoomId":"r","Notice":"hi","IsUnlimitedRoomEnabled":true,"SeatLayoutTemplateId":600,"SeatTemplate":{"Rows":[1,2]}}"#
        );
    }

    #[test]
    fn documented_errors_of_the_new_commands_are_typed() {
        let body = br#"{"ActionStatus":"FAIL","ErrorInfo":"room not exist","ErrorCode":100004,"RequestId":"Id-1"}"#;
        let Err(ResponseError::Api(err)) = update().parse(reply(200, body)) else {
            panic!()
        };
        assert_eq!(err.code, ApiCode::Tencent(TencentCode::RoomNotFound));
        let body = br#"{"ActionStatus":"FAIL","ErrorInfo":"too frequent","ErrorCode":60007,"RequestId":"Id-2"}"#;
        let Err(ResponseError::Api(err)) = GetRoomList::first_page(1).parse(reply(200, body))
        else {
            panic!()
        };
        assert_eq!(err.request_id.as_deref(), Some("Id-2"));
    }

    #[test]
    fn a_page_serializes_as_tencents_response_object() {
        let mut info = RoomInfo::new(room("a"));
        info.view_count = Some(3);
        info.notice = Some("not listed".into());
        let page = RoomListPage::new(vec![RoomSummary::of(&info)], None);
        assert_eq!(
            serde_json::to_string(&page).unwrap(),
            r#"{"Next":"","RoomList":[{"RoomId":"a","ViewCount":3}]}"#
        );
    }
}

mod apply {
    use super::*;

    #[test]
    fn an_update_replaces_what_it_sets_and_keeps_the_rest() {
        let mut info = documented_room_info();
        let before = info.clone();
        info.apply(&UpdateRoomInfo::new(info.room_id.clone()));
        assert_eq!(info, before, "an empty update changes nothing");
        info.apply(
            &UpdateRoomInfo::new(info.room_id.clone())
                .notice("new")
                .category([])
                .public_visible(false)
                .unmodeled_field("IsUnlimitedRoomEnabled", json!(true)),
        );
        assert_eq!(info.notice.as_deref(), Some("new"));
        assert_eq!(info.category, Some(vec![]));
        assert_eq!(info.is_public_visible, Some(false));
        assert_eq!(info.room_name, before.room_name);
        assert_eq!(info.unmodeled()["IsUnlimitedRoomEnabled"], json!(true));
    }

    #[test]
    fn copying_takes_every_setting_update_room_info_sends() {
        let source = documented_room_info();
        let copy = UpdateRoomInfo::copying(room("target"), &source);
        assert_eq!(copy.room_id().as_str(), "target");
        let mut target = RoomInfo::new(room("target"));
        target.apply(&copy);
        assert_eq!(target.room_name, source.room_name);
        assert_eq!(target.take_seat_mode, source.take_seat_mode);
        assert_eq!(target.category, source.category);
        // What update_room_info cannot change is not copied.
        assert_eq!((target.owner_account, target.view_count), (None, None));
        assert!(!copy.is_empty() && update().is_empty());
    }
}

#[cfg(feature = "server")]
mod server_side {
    use super::super::round_trip::through_the_wire;
    use super::super::server_side::post;
    use super::*;
    use crate::ServerOperation;
    use crate::tencent::server::Request;

    #[test]
    fn documented_bodies_decode() {
        let op = UpdateRoomInfo::decode(&post(
            Command::UpdateRoomInfo,
            crate::corpus_examples::request("tencent/update_room_info", 0),
        ))
        .unwrap();
        assert_eq!(op, documented_update());
        let op = GetRoomList::decode(&post(
            Command::GetRoomList,
            crate::corpus_examples::request("tencent/get_room_list", 0),
        ))
        .unwrap();
        assert_eq!(op, GetRoomList::first_page(20));
    }

    #[test]
    fn update_drops_what_it_cannot_change_and_keeps_unmodelled_fields() {
        let op = UpdateRoomInfo::decode(&post(
            Command::UpdateRoomInfo,
            r#"{"RoomInfo":{"RoomId":"r","RoomType":"Live","Owner_Account":"x","IsSeatEnabled":true,"MaxSeatCount":3,"ViewCount":9,"CreateTime":1,"TakeSeatMode":2,"IsUnlimitedRoomEnabled":false}}"#,
        ))
        .unwrap();
        assert_eq!(
            op,
            UpdateRoomInfo::new(room("r"))
                .take_seat_mode(TakeSeatMode::ApplyToTake)
                .unmodeled_field("IsUnlimitedRoomEnabled", json!(false))
        );
    }

    #[test]
    fn room_list_fields_are_mandatory_and_named() {
        for (body, field) in [
            (r#"{"Count":20}"#, "Next"),
            (r#"{"Next":""}"#, "Count"),
            (r#"{"Next":0,"Count":20}"#, "Next"),
            (r#"{"Next":"","Count":"20"}"#, "Count"),
            (r#"{"Next":"","Count":-1}"#, "Count"),
        ] {
            let err = GetRoomList::decode(&post(Command::GetRoomList, body)).unwrap_err();
            assert_eq!(err.field_name(), Some(field), "{body}");
        }
        // Taken as sent: the server's validation refuses 21 with Tencent's code.
        let op =
            GetRoomList::decode(&post(Command::GetRoomList, r#"{"Next":"c","Count":21}"#)).unwrap();
        assert_eq!(op, GetRoomList::after(RoomListCursor::new("c"), 21));
    }

    fn update_room_info() -> impl Strategy<Value = UpdateRoomInfo> {
        use proptest::option::of;
        (create_room(), of(any_text())).prop_map(|(create, notice)| {
            let info = create.room_info();
            let mut op = UpdateRoomInfo::copying(info.room_id.clone(), info);
            for (name, value) in info.unmodeled() {
                op = op.unmodeled_field(name.clone(), value.clone());
            }
            match notice {
                Some(notice) => op.notice(notice),
                None => op,
            }
        })
    }

    fn room_list_page() -> impl Strategy<Value = RoomListPage> {
        (
            prop::collection::vec(room_info(), 0..4),
            proptest::option::of("[!-~]{1,30}"),
        )
            .prop_map(|(infos, next)| {
                RoomListPage::new(
                    infos.iter().map(RoomSummary::of).collect(),
                    next.map(RoomListCursor::new),
                )
            })
    }

    proptest! {
        #[test]
        fn update_room_info_round_trips(op in update_room_info()) {
            let (direct, routed) = through_the_wire(&op);
            prop_assert_eq!(&direct, &op);
            prop_assert_eq!(routed, Request::UpdateRoomInfo(op));
        }

        #[test]
        fn get_room_list_round_trips(next in proptest::option::of(".{1,40}"), count in any::<u32>()) {
            let op = GetRoomList::new(next.map(RoomListCursor::new), count);
            let (direct, routed) = through_the_wire(&op);
            prop_assert_eq!(&direct, &op);
            prop_assert_eq!(routed, Request::GetRoomList(op));
        }

        #[test]
        fn room_list_reply_round_trips(page in room_list_page(), request_id in ".{0,40}") {
            let reply = GetRoomList::encode_reply(&page, Some(&request_id));
            let parsed = GetRoomList::first_page(20)
                .parse(super::reply(reply.status().as_u16(), reply.body()))
                .unwrap();
            prop_assert_eq!(parsed, page);
        }

        #[test]
        fn update_reply_parses_as_success(request_id in proptest::option::of(".{0,40}")) {
            let reply = UpdateRoomInfo::encode_reply(&(), request_id.as_deref());
            prop_assert!(update().parse(super::reply(200, reply.body())).is_ok());
        }
    }
}
