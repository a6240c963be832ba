//! Tests driven by the golden wire corpus (`testdata/wire/`), one case per fixture and example,
//! for every operation of both vendors and both RongCloud dialects:
//!
//! * (a) what roomkv encodes has exactly the field names, JSON types and required fields of the
//!   fixture's primary schema (the generated SDK model for Nexconn v4), nothing more;
//! * (b) core's server side decodes the vendor's own example requests, or refuses them naming
//!   the field the fixture says (`server` feature);
//! * (c) the client parses the vendor's own example replies.
//!
//! (d), the emulator's answers, is in the emulator's tests (`tests/it/corpus_replies.rs`). A new
//! fixture is a new case of each; an operation without a fixture fails
//! `every_operation_of_every_dialect_has_a_fixture`.

mod corpus;

use std::collections::BTreeSet;
use std::path::Path;

use corpus::{Dialect, Fixture, Schema, load_all};
use roomkv_core::rongcloud::{
    BatchRemoveEntries, BatchSetEntries, ChatroomId, ConversationType, DeleteExpansion, EntryKey,
    EntryValue, ExpansionKey, ExpansionValue, MsgUid, Notification, QueryEntries, QueryExpansion,
    RemoveEntry, RongCloudOperation, SetEntry, SetExpansion, TargetId, UserId,
};
use roomkv_core::tencent::{
    CreateRoom, DelRoomMetadata, DestroyRoom, Endpoint, GetRoomInfo, GetRoomList, GetRoomMetadata,
    Identifier, MetadataKey, MetadataValue, RoomId, RoomListCursor, SetRoomMetadata, TakeSeatMode,
    UpdateRoomInfo,
};
use roomkv_core::{BaseUrl, Limits, Operation};

fn fixtures() -> Vec<Fixture> {
    load_all(&Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/wire"))
}

// ---- the operations, as a caller builds them ---------------------------------------------------

fn rc_base() -> BaseUrl {
    BaseUrl::parse("https://api.rong-api.com").unwrap()
}

fn tc_endpoint() -> Endpoint {
    Endpoint {
        base: BaseUrl::parse("https://console.tim.qq.com").unwrap(),
        sdkappid: 1_400_000_000,
        admin: Identifier::parse("administrator").unwrap(),
    }
}

fn room() -> ChatroomId {
    ChatroomId::parse("room1").unwrap()
}
fn user() -> UserId {
    UserId::parse("anchor").unwrap()
}
fn msg() -> MsgUid {
    MsgUid::parse("BRGM-DEN2-01E4-BN66").unwrap()
}
fn target() -> TargetId {
    TargetId::parse("group1").unwrap()
}
fn entries() -> Vec<(EntryKey, EntryValue)> {
    vec![
        (
            EntryKey::parse("stage").unwrap(),
            EntryValue::parse("quiz").unwrap(),
        ),
        (
            EntryKey::parse("score").unwrap(),
            EntryValue::parse("42").unwrap(),
        ),
    ]
}
fn ekeys() -> Vec<EntryKey> {
    entries().into_iter().map(|(k, _)| k).collect()
}
fn expansions() -> Vec<(ExpansionKey, ExpansionValue)> {
    vec![(
        ExpansionKey::parse("likes").unwrap(),
        ExpansionValue::parse("3").unwrap(),
    )]
}
fn xkeys() -> Vec<ExpansionKey> {
    expansions().into_iter().map(|(k, _)| k).collect()
}
fn live() -> RoomId {
    RoomId::parse("live-room").unwrap()
}
fn metadata() -> Vec<(MetadataKey, MetadataValue)> {
    vec![(
        MetadataKey::parse("key1").unwrap(),
        MetadataValue::parse("value1").unwrap(),
    )]
}
fn mkeys() -> Vec<MetadataKey> {
    metadata().into_iter().map(|(k, _)| k).collect()
}

/// One variant of an operation, with the endpoint it is sent to.
trait Variant {
    /// The request roomkv sends, after validating the operation as the clients do.
    fn encoded(&self) -> http::Request<Vec<u8>>;
    /// The client's parse of `response`, its output dropped.
    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), String>;
}

struct WithEndpoint<O: Operation>(O, O::Endpoint);

impl<O: Operation> Variant for WithEndpoint<O> {
    fn encoded(&self) -> http::Request<Vec<u8>> {
        self.0
            .validate(&Limits::default())
            .expect("the operation is valid");
        self.0.encode(&self.1).expect("the operation encodes")
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), String> {
        self.0.parse(response).map(drop).map_err(|e| e.to_string())
    }
}

/// A RongCloud operation sent in the Nexconn v4 dialect.
struct InV4<O>(O);

impl<O: RongCloudOperation> Variant for InV4<O> {
    fn encoded(&self) -> http::Request<Vec<u8>> {
        let op = self
            .0
            .in_dialect(roomkv_core::rongcloud::Dialect::V4)
            .expect("the operation can be sent in v4");
        op.validate(&Limits::default())
            .expect("the operation is valid");
        op.encode(&rc_base()).expect("the operation encodes")
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), String> {
        self.0
            .parse_in(roomkv_core::rongcloud::Dialect::V4, response)
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

/// RongCloud variants sent in the Nexconn v4 dialect.
fn v4<O: RongCloudOperation + 'static>(ops: impl IntoIterator<Item = O>) -> Vec<Box<dyn Variant>> {
    ops.into_iter()
        .map(|op| Box::new(InV4(op)) as Box<dyn Variant>)
        .collect()
}

/// The variants `ops`, each sent to `endpoint()`.
fn sent_to<O>(
    endpoint: fn() -> O::Endpoint,
    ops: impl IntoIterator<Item = O>,
) -> Vec<Box<dyn Variant>>
where
    O: Operation + 'static,
    O::Endpoint: 'static,
{
    ops.into_iter()
        .map(|op| Box::new(WithEndpoint(op, endpoint())) as Box<dyn Variant>)
        .collect()
}

/// RongCloud variants in the legacy dialect.
fn rc<O: Operation<Endpoint = BaseUrl> + 'static>(
    ops: impl IntoIterator<Item = O>,
) -> Vec<Box<dyn Variant>> {
    sent_to(rc_base, ops)
}

/// Tencent variants.
fn tc<O: Operation<Endpoint = Endpoint> + 'static>(
    ops: impl IntoIterator<Item = O>,
) -> Vec<Box<dyn Variant>> {
    sent_to(tc_endpoint, ops)
}

/// The variants of the operation named `name`: the fewest options and every option roomkv has.
fn variants(name: &str) -> Vec<Box<dyn Variant>> {
    let set_entry = || SetEntry::new(room(), user(), ekeys()[0].clone(), entries()[0].1.clone());
    let remove_entry = || RemoveEntry::new(room(), user(), ekeys()[0].clone());
    let group = ConversationType::Group;
    let private = ConversationType::Private;
    let set_expansion = || SetExpansion::new(msg(), user(), group, target(), expansions());
    let delete_expansion = || DeleteExpansion::new(msg(), user(), private, target(), xkeys());
    match name {
        "SetEntry" => rc([
            set_entry(),
            set_entry()
                .auto_delete(true)
                .notify(Notification::kv_change()),
        ]),
        "BatchSetEntries" => rc([
            BatchSetEntries::new(room(), user(), entries()),
            BatchSetEntries::new(room(), user(), entries()).auto_delete(true),
        ]),
        "RemoveEntry" => rc([
            remove_entry(),
            remove_entry().notify(Notification::kv_change()),
        ]),
        "BatchRemoveEntries" => rc([BatchRemoveEntries::new(room(), user(), ekeys())]),
        "QueryEntries" => rc([
            QueryEntries::new(room()),
            QueryEntries::new(room()).with_keys(ekeys()),
        ]),
        "SetExpansion" => rc([set_expansion(), set_expansion().sync_sender(true)]),
        "DeleteExpansion" => rc([delete_expansion(), delete_expansion().sync_sender(true)]),
        "QueryExpansion" => rc([
            QueryExpansion::new(msg()),
            QueryExpansion::new(msg()).page(2),
        ]),
        // The v4 fixtures name Nexconn's operations; v4 has no single-key set or remove, so the
        // single ones go out on the batch endpoints too.
        "SetMetadata" => {
            let mut variants = v4([
                BatchSetEntries::new(room(), user(), entries()),
                BatchSetEntries::new(room(), user(), entries()).auto_delete(true),
            ]);
            variants.extend(v4([set_entry(), set_entry().auto_delete(true)]));
            variants
        }
        "RemoveMetadata" => {
            let mut variants = v4([BatchRemoveEntries::new(room(), user(), ekeys())]);
            variants.extend(v4([remove_entry()]));
            variants
        }
        "GetMetadata" => v4([
            QueryEntries::new(room()),
            QueryEntries::new(room()).with_keys(ekeys()),
        ]),
        "SetMessageMetadata" => v4([set_expansion(), set_expansion().sync_sender(true)]),
        "DeleteMessageMetadata" => v4([delete_expansion(), delete_expansion().sync_sender(true)]),
        "ListMessageMetadata" => v4([
            QueryExpansion::new(msg()),
            QueryExpansion::new(msg()).page(2),
        ]),
        "CreateRoom" => tc([
            CreateRoom::new(live()),
            CreateRoom::new(live())
                .room_name("Friday quiz")
                .owner(Identifier::parse("host").unwrap())
                .max_member_count(300)
                .cover_url("https://example.com/c.png")
                .message_disabled(false)
                .category([1, 2])
                .public_visible(true)
                .seat_enabled(true)
                .take_seat_mode(TakeSeatMode::from_name("ApplyToTake"))
                .max_seat_count(8)
                .activity_status(1),
        ]),
        "DestroyRoom" => tc([DestroyRoom::new(live())]),
        "GetRoomInfo" => tc([GetRoomInfo::new(live())]),
        "GetRoomMetadata" => tc([
            GetRoomMetadata::all(live()),
            GetRoomMetadata::new(live(), mkeys()),
        ]),
        "SetRoomMetadata" => tc([SetRoomMetadata::new(live(), metadata())]),
        "DelRoomMetadata" => tc([DelRoomMetadata::new(live(), mkeys())]),
        "UpdateRoomInfo" => tc([
            UpdateRoomInfo::new(live()),
            UpdateRoomInfo::new(live())
                .room_name("Friday quiz")
                .max_member_count(300)
                .message_disabled(true)
                .cover_url("https://example.com/c.png")
                .category([1, 2, 3])
                .activity_status(2)
                .public_visible(false)
                .take_seat_mode(TakeSeatMode::FreeToTake)
                .notice("Starts at nine"),
        ]),
        "GetRoomList" => tc([
            GetRoomList::first_page(20),
            GetRoomList::after(RoomListCursor::new("1693271355-123123123123"), 1),
        ]),
        other => panic!("no operation named {other}: add it to `variants`"),
    }
}

// ---- the corpus itself ---------------------------------------------------------------------------

/// Every endpoint roomkv implements has exactly one fixture, and each fixture is complete: a
/// primary schema on each side, sources named, at least one example each way, and every
/// example accepted by one of the fixture's schemas (the corpus agrees with itself).
#[test]
fn every_operation_of_every_dialect_has_a_fixture() {
    let fixtures = fixtures();
    let found: BTreeSet<(Dialect, String)> = fixtures
        .iter()
        .map(|f| (f.dialect, f.endpoint.clone()))
        .collect();
    assert_eq!(found.len(), fixtures.len(), "one fixture per endpoint");
    let mut expected = BTreeSet::new();
    // Every served path but the alternate spelling of v4's message-metadata set, which shares
    // the fixture of the canonical path.
    for route in roomkv_core::rongcloud::server::ROUTES {
        if route.path != route.kind.declaration().paths.get(route.dialect) {
            continue;
        }
        let dialect = match route.dialect {
            roomkv_core::rongcloud::Dialect::Legacy => Dialect::Legacy,
            roomkv_core::rongcloud::Dialect::V4 => Dialect::V4,
        };
        expected.insert((dialect, route.path.to_owned()));
    }
    for command in roomkv_core::tencent::Command::ALL {
        expected.insert((
            Dialect::Tencent,
            format!("/v4/live_engine_http_srv/{}", command.as_str()),
        ));
    }
    assert_eq!(found, expected);

    for fixture in &fixtures {
        let name = &fixture.name;
        fixture.request.primary();
        fixture.response.primary();
        let schemas = fixture
            .request
            .schemas
            .iter()
            .chain(&fixture.response.schemas);
        assert!(schemas.clone().all(|s| !s.source.is_empty()), "{name}");
        assert!(!fixture.request.examples.is_empty(), "{name}");
        assert!(!fixture.response.examples.is_empty(), "{name}");
        for example in &fixture.request.examples {
            assert!(!example.source.is_empty(), "{name}");
            if example.expect.refused_field().is_none() {
                let body = example.documented_body(fixture.dialect);
                fixture
                    .request
                    .conforming(|s| s.check_body(fixture.dialect, &body))
                    .unwrap_or_else(|e| panic!("{name}: {}: {e}", example.source));
            }
        }
        for example in &fixture.response.examples {
            assert!(!example.source.is_empty(), "{name}");
            let value: serde_json::Value = serde_json::from_str(&example.body).unwrap();
            fixture
                .response
                .conforming(|s| s.check_json(&value))
                .unwrap_or_else(|e| panic!("{name}: {}: {e}", example.source));
        }
    }
}

/// The shape check itself refuses what it must: an undocumented member, a missing required
/// one, a wrong JSON type, a repeated form field.
#[test]
fn the_shape_check_refuses_extra_missing_and_mistyped_fields() {
    let schema: Schema = serde_json::from_str(
        r#"{"source":"test","fields":{"messageId":"string!","page":"integer","metadata":"map","result.items[].key":"string","m.*.v":"string"}}"#,
    )
    .unwrap();
    let check = |body: &str| schema.check_json(&serde_json::from_str(body).unwrap());
    assert_eq!(
        check(r#"{"messageId":"m","page":1,"metadata":{"k":"v"}}"#),
        Ok(())
    );
    assert_eq!(
        check(r#"{"messageId":"m","result":{"items":[{"key":"k"}]},"m":{"x":{"v":"1"}}}"#),
        Ok(())
    );
    assert!(
        check(r#"{"messageUID":"m"}"#)
            .unwrap_err()
            .contains("messageUID")
    );
    assert!(check(r#"{"page":1}"#).unwrap_err().contains("messageId"));
    assert!(
        check(r#"{"messageId":1}"#)
            .unwrap_err()
            .contains("messageId")
    );
    assert!(
        check(r#"{"messageId":"m","page":"1"}"#)
            .unwrap_err()
            .contains("page")
    );
    assert!(
        check(r#"{"messageId":"m","metadata":{"k":1}}"#)
            .unwrap_err()
            .contains("metadata")
    );
    assert!(check(r#"{"messageId":"m","result":{"items":[{"value":"v"}]}}"#).is_err());
    assert!(check(r#"{"messageId":"m","m":{"x":{"w":"1"}}}"#).is_err());
    let form: Schema = serde_json::from_str(
        r#"{"source":"test","fields":{"chatroomId":"string!","keys":"string+","autoDelete":"flag","entryInfo":"json-object"}}"#,
    )
    .unwrap();
    let check = |body: &str| form.check_body(Dialect::Legacy, body.as_bytes());
    assert_eq!(
        check("chatroomId=r&keys=a&keys=b&autoDelete=1&entryInfo=%7B%7D"),
        Ok(())
    );
    assert!(check("keys=a").unwrap_err().contains("chatroomId"));
    assert!(
        check("chatroomId=r&chatroomId=s")
            .unwrap_err()
            .contains("chatroomId")
    );
    assert!(
        check("chatroomId=r&autoDelete=2")
            .unwrap_err()
            .contains("autoDelete")
    );
    assert!(
        check("chatroomId=r&entryInfo=x")
            .unwrap_err()
            .contains("entryInfo")
    );
    assert!(check("chatroomId=r&extra=1").unwrap_err().contains("extra"));
}

// ---- (a) what roomkv sends ---------------------------------------------------------------------

/// (a) Every variant of every operation is sent to the fixture's endpoint with the dialect's
/// content type, and its body has exactly the documented fields of the primary schema (for
/// Nexconn v4, the generated SDK model: `messageId`, not `messageUID`).
#[test]
fn roomkv_sends_exactly_the_documented_fields() {
    for fixture in fixtures() {
        let schema = fixture.request.primary();
        let content_type = match fixture.dialect {
            Dialect::Legacy => "application/x-www-form-urlencoded",
            Dialect::V4 | Dialect::Tencent => "application/json",
        };
        for variant in variants(&fixture.operation) {
            let request = variant.encoded();
            let name = &fixture.name;
            assert_eq!(request.uri().path(), fixture.endpoint, "{name}");
            assert_eq!(
                request.headers()[http::header::CONTENT_TYPE],
                content_type,
                "{name}"
            );
            schema
                .check_body(fixture.dialect, request.body())
                .unwrap_or_else(|e| {
                    panic!("{name}: {e}: {}", String::from_utf8_lossy(request.body()))
                });
        }
    }
}

// ---- (b) what core's server side reads ---------------------------------------------------------

/// (b) Core's server side decodes every vendor example request to the fixture's operation, or
/// refuses it naming the field the fixture says (seed 000's missing `key`).
#[cfg(feature = "server")]
#[test]
fn core_decodes_the_vendors_example_requests() {
    use roomkv_core::DecodeError;
    use roomkv_core::rongcloud::server;
    use roomkv_core::tencent::server as tencent_server;

    for fixture in fixtures() {
        for example in &fixture.request.examples {
            let path = example.path(&fixture);
            let request = http::Request::post(path)
                .body(example.body.as_bytes())
                .unwrap();
            let rongcloud = |expected: roomkv_core::rongcloud::Dialect| {
                let (dialect, decoded) =
                    server::Request::decode(&request).expect("a RongCloud path");
                assert_eq!(dialect, expected, "{}: {path}", fixture.name);
                decoded.map(|r| r.path(dialect).to_owned())
            };
            let decoded: Result<String, DecodeError> = match fixture.dialect {
                Dialect::Legacy => rongcloud(roomkv_core::rongcloud::Dialect::Legacy),
                Dialect::V4 => rongcloud(roomkv_core::rongcloud::Dialect::V4),
                Dialect::Tencent => {
                    let command = tencent_server::command_of(path).expect("a Tencent path");
                    tencent_server::Request::decode_as(command, &request)
                        .map(|r| format!("/v4/live_engine_http_srv/{}", r.kind().as_str()))
                }
            };
            let context = format!("{}: {}", fixture.name, example.source);
            match example.expect.refused_field() {
                None => assert_eq!(decoded.expect(&context), fixture.endpoint, "{context}"),
                Some(field) => {
                    let err = decoded.expect_err(&context);
                    assert_eq!(err.field_name(), Some(field), "{context}: {err}");
                }
            }
        }
    }
}

// ---- (c) what the client reads -----------------------------------------------------------------

/// (c) The client parses every vendor example reply of every operation.
#[test]
fn the_client_parses_the_vendors_example_replies() {
    for fixture in fixtures() {
        for example in &fixture.response.examples {
            assert_eq!(
                example.expect.refused_field(),
                None,
                "replies are parsed, not refused"
            );
            for variant in variants(&fixture.operation) {
                let response = http::Response::builder()
                    .status(example.status)
                    .body(example.body.as_bytes())
                    .unwrap();
                if let Err(err) = variant.parse(response) {
                    panic!("{}: {}: {err}", fixture.name, example.source);
                }
            }
        }
    }
}
