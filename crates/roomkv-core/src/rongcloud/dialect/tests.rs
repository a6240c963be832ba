//! Tests of the operations in the Nexconn v4 dialect: exact wire output, validation boundaries,
//! reply and error parsing, and (with `server`) decode and reply round trips.
//!
//! The operations are the unified ones, under the names of Nexconn's endpoints
//! (`SetMetadata` is [`BatchSetEntries`], …), driven through [`InV4`]: `validate`, `encode`
//! and `parse` in [`Dialect::V4`]. Neither `Operation` nor `ServerOperation` is in scope, so
//! those names always mean the v4 form.

use proptest::collection::vec;
use proptest::prelude::*;

use crate::rongcloud::test_support::*;
use crate::rongcloud::{
    BatchRemoveEntries, BatchSetEntries, ChatroomId, ConversationType, DeleteExpansion, Dialect,
    Endpoint, Entry, EntryKey, EntryValue, ExpansionEntry, ExpansionKey, ExpansionPage,
    ExpansionValue, MsgUid, QueryEntries, QueryExpansion, RongCloudOperation, SetExpansion,
    TargetId, UserId,
};
use crate::{
    ApiCode, ApiError, CodeClass, DecodeError, Effect, EncodeError, Limits, QuotaCost, QuotaFamily,
    ResponseError, RongCloudCode, Unit, ValidationError,
};

/// The six v4 paths, in the order of the spec's table.
#[cfg(feature = "server")]
const PATHS: [&str; 6] = [
    SetMetadata::V4_PATH,
    RemoveMetadata::V4_PATH,
    GetMetadata::V4_PATH,
    SetMessageMetadata::V4_PATH,
    DeleteMessageMetadata::V4_PATH,
    ListMessageMetadata::V4_PATH,
];

/// `/v4/open-channel/metadata/batch/set`.
type SetMetadata = BatchSetEntries;
/// `/v4/open-channel/metadata/batch/remove`.
type RemoveMetadata = BatchRemoveEntries;
/// `/v4/open-channel/metadata/batch/get`.
type GetMetadata = QueryEntries;
/// `/v4/channel-type/message/metadata/set`.
type SetMessageMetadata = SetExpansion;
/// `/v4/channel-type/message/metadata/delete`.
type DeleteMessageMetadata = DeleteExpansion;
/// `/v4/channel-type/message/metadata/list`.
type ListMessageMetadata = QueryExpansion;

/// An operation in v4, under the method names of `Operation` and `ServerOperation`.
trait InV4: RongCloudOperation {
    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.validate_in(Dialect::V4, limits)
    }

    fn encode(&self, endpoint: &Endpoint) -> Result<http::Request<Vec<u8>>, EncodeError> {
        self.encode_in(Dialect::V4, endpoint)
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<Self::Output, ResponseError> {
        self.parse_in(Dialect::V4, response)
    }

    fn quota(&self) -> QuotaCost {
        crate::Operation::quota(self)
    }

    fn effect(&self) -> Effect {
        crate::Operation::effect(self)
    }

    fn settles_repeat(&self, error: &ApiError) -> Option<Self::Output> {
        crate::Operation::settles_repeat(self, error)
    }

    /// The v4 decoder of the operation.
    #[cfg(feature = "server")]
    fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError>;

    /// The v4 success reply of `output`.
    #[cfg(feature = "server")]
    fn encode_reply(output: &Self::Output, request_id: Option<&str>) -> http::Response<Vec<u8>>
    where
        Self::Output: crate::rongcloud::reply_encoding::ReplyEncoding,
    {
        crate::rongcloud::reply_encoding::ReplyEncoding::encode_reply(
            output,
            Dialect::V4,
            request_id,
        )
    }
}

macro_rules! in_v4 {
    ($($op:ty),*) => {$(
        impl InV4 for $op {
            #[cfg(feature = "server")]
            fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
                <Self as crate::rongcloud::dialect_decoding::DialectDecoding>::decode_v4(request)
            }
        }
    )*};
}

in_v4!(
    BatchSetEntries,
    BatchRemoveEntries,
    QueryEntries,
    SetExpansion,
    DeleteExpansion,
    QueryExpansion
);

fn room() -> ChatroomId {
    ChatroomId::parse("room1").unwrap()
}

fn user() -> UserId {
    UserId::parse("anchor").unwrap()
}

fn msg() -> MsgUid {
    MsgUid::parse("BRGM-DEN2-01E4-BN66").unwrap()
}

fn operator() -> UserId {
    UserId::parse("tjw3zbMrU").unwrap()
}

fn ekey(text: &str) -> EntryKey {
    EntryKey::parse(text).unwrap()
}

fn evalue(text: &str) -> EntryValue {
    EntryValue::parse(text).unwrap()
}

fn xkey(text: &str) -> ExpansionKey {
    ExpansionKey::parse(text).unwrap()
}

fn xvalue(text: &str) -> ExpansionValue {
    ExpansionValue::parse(text).unwrap()
}

fn limits() -> Limits {
    Limits::default()
}

macro_rules! v4data {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/rongcloud/v4/",
            $name
        ))
    };
}

/// Asserts the exact wire form of an encoded v4 request: `POST`, URL, JSON content type, body.
fn assert_json_wire(request: &http::Request<Vec<u8>>, path: &str, golden_body: &str) {
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(
        request.uri().to_string(),
        format!("https://api.rong-api.com{path}")
    );
    assert_eq!(
        request.headers()[http::header::CONTENT_TYPE],
        "application/json"
    );
    assert_eq!(request.headers().len(), 1, "only the content type is set");
    assert_eq!(std::str::from_utf8(request.body()).unwrap(), golden_body);
}

// ---- golden requests -------------------------------------------------------------------------

#[test]
fn golden_set_metadata() {
    let op = SetMetadata::new(
        room(),
        user(),
        [
            (ekey("score"), evalue("42")),
            (ekey("stage"), evalue("中文 & \"q\"")),
        ],
    )
    .auto_delete(true);
    assert_eq!(op.validate(&limits()), Ok(()));
    assert_json_wire(
        &op.encode(&endpoint()).unwrap(),
        "/v4/open-channel/metadata/batch/set",
        v4data!("encode/set-metadata.json"),
    );
}

#[test]
fn golden_remove_metadata() {
    let op = RemoveMetadata::new(room(), user(), [ekey("score"), ekey("stage")]);
    assert_eq!(op.validate(&limits()), Ok(()));
    assert_json_wire(
        &op.encode(&endpoint()).unwrap(),
        "/v4/open-channel/metadata/batch/remove",
        v4data!("encode/remove-metadata.json"),
    );
}

#[test]
fn golden_get_metadata() {
    let op = GetMetadata::new(room()).with_keys([ekey("score"), ekey("stage")]);
    assert_eq!(op.validate(&limits()), Ok(()));
    assert_json_wire(
        &op.encode(&endpoint()).unwrap(),
        "/v4/open-channel/metadata/batch/get",
        v4data!("encode/get-metadata.json"),
    );
    let all = GetMetadata::new(room());
    assert_eq!(all.validate(&limits()), Ok(()));
    assert_json_wire(
        &all.encode(&endpoint()).unwrap(),
        "/v4/open-channel/metadata/batch/get",
        v4data!("encode/get-metadata-all.json"),
    );
}

#[test]
fn golden_set_message_metadata() {
    let op = SetMessageMetadata::new(
        msg(),
        operator(),
        ConversationType::Group,
        TargetId::parse("group1").unwrap(),
        [(xkey("likes"), xvalue("3")), (xkey("mood"), xvalue("好"))],
    )
    .sync_sender(true);
    assert_eq!(op.validate(&limits()), Ok(()));
    assert_json_wire(
        &op.encode(&endpoint()).unwrap(),
        "/v4/channel-type/message/metadata/set",
        v4data!("encode/set-message-metadata.json"),
    );
}

#[test]
fn golden_delete_message_metadata() {
    let op = DeleteMessageMetadata::new(
        msg(),
        operator(),
        ConversationType::Private,
        TargetId::parse("user2").unwrap(),
        [xkey("likes"), xkey("mood")],
    );
    assert_eq!(op.validate(&limits()), Ok(()));
    assert_json_wire(
        &op.encode(&endpoint()).unwrap(),
        "/v4/channel-type/message/metadata/delete",
        v4data!("encode/delete-message-metadata.json"),
    );
}

#[test]
fn golden_list_message_metadata() {
    let op = ListMessageMetadata::new(msg()).page(2);
    assert_eq!(op.validate(&limits()), Ok(()));
    assert_json_wire(
        &op.encode(&endpoint()).unwrap(),
        "/v4/channel-type/message/metadata/list",
        v4data!("encode/list-message-metadata.json"),
    );
    assert_json_wire(
        &ListMessageMetadata::new(msg()).encode(&endpoint()).unwrap(),
        "/v4/channel-type/message/metadata/list",
        v4data!("encode/list-message-metadata-first.json"),
    );
    assert_eq!(
        ListMessageMetadata::new(msg()).page(0).validate(&limits()),
        Err(ValidationError::OutOfRange {
            field: "page",
            value: "0".to_owned(),
            allowed: "page numbers from 1",
        })
    );
}

// ---- validation boundaries --------------------------------------------------------------------

fn entry_pairs(count: usize) -> Vec<(EntryKey, EntryValue)> {
    (0..count)
        .map(|i| (ekey(&format!("k{i}")), evalue("v")))
        .collect()
}

fn entry_keys(count: usize) -> Vec<EntryKey> {
    (0..count).map(|i| ekey(&format!("k{i}"))).collect()
}

fn expansion_keys(count: usize) -> Vec<ExpansionKey> {
    (0..count).map(|i| xkey(&format!("k{i}"))).collect()
}

fn set_message(pairs: Vec<(ExpansionKey, ExpansionValue)>) -> SetMessageMetadata {
    SetMessageMetadata::new(
        msg(),
        operator(),
        ConversationType::Group,
        TargetId::parse("g").unwrap(),
        pairs,
    )
}

fn delete_message(keys: Vec<ExpansionKey>) -> DeleteMessageMetadata {
    DeleteMessageMetadata::new(
        msg(),
        operator(),
        ConversationType::Private,
        TargetId::parse("u").unwrap(),
        keys,
    )
}

#[test]
fn twenty_pairs_pass_and_twenty_one_fail() {
    assert_eq!(
        SetMetadata::new(room(), user(), entry_pairs(20)).validate(&limits()),
        Ok(())
    );
    assert_eq!(
        SetMetadata::new(room(), user(), entry_pairs(21)).validate(&limits()),
        Err(ValidationError::TooMany {
            field: "metadata",
            len: 21,
            max: 20,
            item: "pair",
        })
    );
    assert_eq!(
        RemoveMetadata::new(room(), user(), entry_keys(20)).validate(&limits()),
        Ok(())
    );
    assert_eq!(
        RemoveMetadata::new(room(), user(), entry_keys(21)).validate(&limits()),
        Err(ValidationError::TooMany {
            field: "metadataKeys",
            len: 21,
            max: 20,
            item: "key",
        })
    );
    assert_eq!(
        SetMetadata::new(room(), user(), []).validate(&limits()),
        Err(ValidationError::NoItems {
            field: "metadata",
            item: "pair",
        })
    );
    assert_eq!(
        RemoveMetadata::new(room(), user(), []).validate(&limits()),
        Err(ValidationError::NoItems {
            field: "metadataKeys",
            item: "key",
        })
    );
}

#[test]
fn hundred_query_keys_pass_and_hundred_one_fail() {
    assert_eq!(
        GetMetadata::new(room())
            .with_keys(entry_keys(100))
            .validate(&limits()),
        Ok(())
    );
    assert_eq!(
        GetMetadata::new(room())
            .with_keys(entry_keys(101))
            .validate(&limits()),
        Err(ValidationError::TooMany {
            field: "metadataKeys",
            len: 101,
            max: 100,
            item: "key",
        })
    );
}

#[test]
fn hundred_expansion_keys_pass_and_hundred_one_fail() {
    let pairs = |n| {
        expansion_keys(n)
            .into_iter()
            .map(|k| (k, xvalue("v")))
            .collect::<Vec<_>>()
    };
    assert_eq!(set_message(pairs(100)).validate(&limits()), Ok(()));
    assert_eq!(
        set_message(pairs(101)).validate(&limits()),
        Err(ValidationError::TooMany {
            field: "metadata",
            len: 101,
            max: 100,
            item: "pair",
        })
    );
    assert_eq!(
        delete_message(expansion_keys(100)).validate(&limits()),
        Ok(())
    );
    assert_eq!(
        delete_message(expansion_keys(101)).validate(&limits()),
        Err(ValidationError::TooMany {
            field: "keys",
            len: 101,
            max: 100,
            item: "key",
        })
    );
}

#[test]
fn duplicate_keys_are_refused_in_writes_and_allowed_in_get() {
    let dup = [ekey("a"), ekey("a")];
    assert!(matches!(
        RemoveMetadata::new(room(), user(), dup.clone()).validate(&limits()),
        Err(ValidationError::Duplicate { .. })
    ));
    assert!(matches!(
        SetMetadata::new(room(), user(), dup.clone().map(|k| (k, evalue("v")))).validate(&limits()),
        Err(ValidationError::Duplicate { .. })
    ));
    assert!(matches!(
        delete_message(vec![xkey("a"), xkey("a")]).validate(&limits()),
        Err(ValidationError::Duplicate { .. })
    ));
    assert_eq!(
        GetMetadata::new(room()).with_keys(dup).validate(&limits()),
        Ok(())
    );
}

#[test]
fn the_json_body_is_checked_against_the_body_limit() {
    let op = SetMetadata::new(room(), user(), entry_pairs(3));
    let len = op.encode(&endpoint()).unwrap().body().len();
    let mut tight = limits();
    tight.rongcloud.request_body_max_bytes = len;
    assert_eq!(op.validate(&tight), Ok(()));
    tight.rongcloud.request_body_max_bytes = len - 1;
    assert_eq!(
        op.validate(&tight),
        Err(ValidationError::TooLong {
            field: "request body",
            len,
            max: len - 1,
            unit: Unit::Bytes,
        })
    );
}

proptest! {
    #[test]
    fn key_of_128_characters_passes_and_129_fails(
        key in key_text(128, 128),
        one_more in key_text(1, 1),
    ) {
        let ops = |k: &str| {
            let k = EntryKey::non_validated(k);
            [
                SetMetadata::new(room(), user(), [(k.clone(), evalue("v"))]).validate(&limits()),
                RemoveMetadata::new(room(), user(), [k.clone()]).validate(&limits()),
                GetMetadata::new(room()).with_keys([k]).validate(&limits()),
            ]
        };
        for result in ops(&key) {
            prop_assert_eq!(result, Ok(()));
        }
        for result in ops(&format!("{key}{one_more}")) {
            prop_assert_eq!(result, Err(ValidationError::TooLong {
                field: "key", len: 129, max: 128, unit: Unit::Chars,
            }));
        }
    }

    #[test]
    fn expansion_key_of_32_characters_passes_and_33_fails(
        key in key_text(32, 32),
        one_more in key_text(1, 1),
    ) {
        let ops = |k: &str| {
            let k = ExpansionKey::non_validated(k);
            [
                set_message(vec![(k.clone(), xvalue("v"))]).validate(&limits()),
                delete_message(vec![k]).validate(&limits()),
            ]
        };
        for result in ops(&key) {
            prop_assert_eq!(result, Ok(()));
        }
        for result in ops(&format!("{key}{one_more}")) {
            prop_assert_eq!(result, Err(ValidationError::TooLong {
                field: "extraKey", len: 33, max: 32, unit: Unit::Chars,
            }));
        }
    }
}

// ---- quotas, effects, settles_repeat ----------------------------------------------------------

#[test]
fn quotas_and_effects_are_those_of_the_legacy_twins() {
    let set = SetMetadata::new(room(), user(), entry_pairs(3));
    assert_eq!(
        set.quota().charges().collect::<Vec<_>>(),
        [(QuotaFamily::RongCloudEntrySet, 3)]
    );
    assert_eq!(set.effect(), Effect::Write { notifies: false });
    let remove = RemoveMetadata::new(room(), user(), entry_keys(2));
    assert_eq!(
        remove.quota().charges().collect::<Vec<_>>(),
        [(QuotaFamily::RongCloudEntryRemove, 2)]
    );
    assert_eq!(remove.effect(), Effect::Write { notifies: false });
    let get = GetMetadata::new(room());
    assert_eq!(
        get.quota().charges().collect::<Vec<_>>(),
        [(QuotaFamily::RongCloudEntryQuery, 1)]
    );
    assert_eq!(get.effect(), Effect::Read);
    let group = set_message(vec![(xkey("k"), xvalue("v"))]);
    assert_eq!(
        group.quota().charges().collect::<Vec<_>>(),
        [
            (QuotaFamily::RongCloudExpansionWrite, 1),
            (QuotaFamily::RongCloudExpansionGroupWrite, 1)
        ]
    );
    assert_eq!(group.effect(), Effect::Write { notifies: true });
    let private = delete_message(vec![xkey("k")]);
    assert_eq!(
        private.quota().charges().collect::<Vec<_>>(),
        [(QuotaFamily::RongCloudExpansionWrite, 1)]
    );
    assert_eq!(private.effect(), Effect::Write { notifies: true });
    let list = ListMessageMetadata::new(msg());
    assert_eq!(
        list.quota().charges().collect::<Vec<_>>(),
        [(QuotaFamily::RongCloudExpansionQuery, 1)]
    );
    assert_eq!(list.effect(), Effect::Read);
}

#[test]
fn remove_settles_on_data_not_found_with_either_status() {
    let op = RemoveMetadata::new(room(), user(), [ekey("k")]);
    for status in [200, 404] {
        let err = ApiError::rongcloud(RongCloudCode::DataNotFound, "", status);
        assert_eq!(op.settles_repeat(&err), Some(()), "{status}");
    }
    let endpoint_missing = ApiError::rongcloud(RongCloudCode::EndpointNotFound, "", 404);
    assert_eq!(op.settles_repeat(&endpoint_missing), None);
    let set = SetMetadata::new(room(), user(), entry_pairs(1));
    assert_eq!(
        set.settles_repeat(&ApiError::rongcloud(RongCloudCode::DataNotFound, "", 200)),
        None
    );
}

// ---- replies ---------------------------------------------------------------------------------

/// The replies of the corpus (both versions of the query page, and the generated model's list
/// item), with their values.
#[test]
fn the_documented_reply_shapes_parse() {
    use crate::corpus_examples::response;
    let op = GetMetadata::new(room());
    let entries = op
        .parse(response_of(response("v4/get_metadata", 0)))
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].key.as_str(), "topic");
    assert_eq!(entries[0].value.as_str(), "support");
    assert_eq!(entries[0].user_id.as_str(), "user-001");
    assert!(!entries[0].auto_delete);
    assert_eq!(entries[0].last_set_time_ms, 1_742_457_600_000);
    let by_user_id = op
        .parse(response_of(response("v4/get_metadata", 1)))
        .unwrap();
    assert_eq!(by_user_id[0].user_id.as_str(), "2121");
    assert_eq!(by_user_id[1].user_id.as_str(), "4343");
    assert!(by_user_id[1].auto_delete);

    let page = ListMessageMetadata::new(msg())
        .parse(response_of(response("v4/list_message_metadata", 0)))
        .unwrap();
    let keys: Vec<_> = page.entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["likes", "mood"]);
    assert_eq!(page.get("mood").unwrap().version, 1_700_000_000_005);
}

/// A 200 reply with `body`.
fn response_of(body: &str) -> http::Response<&[u8]> {
    response(200, body.as_bytes())
}

#[test]
fn lenient_and_empty_replies() {
    let op = GetMetadata::new(room());
    for body in [
        r#"{"code":0}"#,
        r#"{"code":0,"result":null}"#,
        r#"{"code":0,"result":{}}"#,
        r#"{"code":0,"result":{"metadata":null}}"#,
    ] {
        assert_eq!(op.parse(response(200, body.as_bytes())).unwrap(), vec![]);
    }
    let entries = op
        .parse(response(
            200,
            br#"{"code":0,"result":{"metadata":[{"key":"k","value":"v","userId":"u","shouldAutoDelete":"1","updatedAt":"7"}]}}"#,
        ))
        .unwrap();
    assert!(entries[0].auto_delete);
    assert_eq!(entries[0].last_set_time_ms, 7);
    assert!(matches!(
        op.parse(response(
            200,
            br#"{"code":0,"result":{"metadata":[{"key":"k","value":"v","updatedAt":1}]}}"#
        )),
        Err(ResponseError::Decode(_))
    ));
    assert!(matches!(
        ListMessageMetadata::new(msg()).parse(response(
            200,
            br#"{"code":0,"result":{"metadata":{"k":"v"}}}"#
        )),
        Err(ResponseError::Decode(_))
    ));
    // The legacy success code is no v4 success.
    assert!(matches!(
        SetMetadata::new(room(), user(), entry_pairs(1)).parse(response(200, br#"{"code":200}"#)),
        Err(ResponseError::Api(_))
    ));
}

fn api_error(result: Result<(), ResponseError>) -> ApiError {
    match result {
        Err(ResponseError::Api(err)) => err,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[test]
fn every_v4_status_with_a_json_body_keeps_its_code_and_status() {
    let op = SetMetadata::new(room(), user(), entry_pairs(1));
    let cases: [(u16, i64, CodeClass); 9] = [
        (200, 1002, CodeClass::Final),
        (400, 1002, CodeClass::Final),
        (401, 1004, CodeClass::Final),
        (403, 1007, CodeClass::Final),
        (404, 1015, CodeClass::Final),
        (429, 1008, CodeClass::Throttled),
        (430, 1009, CodeClass::Final),
        (500, 1000, CodeClass::Retryable),
        (504, 1050, CodeClass::TimedOut),
    ];
    for (status, code, class) in cases {
        let body = format!(r#"{{"code":{code},"errorMessage":"m"}}"#);
        let err = api_error(op.parse(response(status, body.as_bytes())));
        assert_eq!(err.code.code(), code, "{status}");
        assert_eq!(err.http_status, status);
        assert_eq!(err.message, "m");
        assert_eq!(err.class(), class, "{status}");
    }
    let err = api_error(op.parse(response(
        200,
        wire_error!("v4/error-1002-parameter.json").as_bytes(),
    )));
    assert_eq!(err.code, ApiCode::RongCloud(RongCloudCode::ParameterError));
    assert_eq!(err.message, "channelId is required");
    // Code 0 with an error status is no success: the status decides.
    let err = api_error(op.parse(response(430, br#"{"code":0}"#)));
    assert_eq!(
        err.code,
        ApiCode::RongCloud(RongCloudCode::ServiceNotEnabled)
    );
}

#[test]
fn every_v4_status_without_a_json_body_is_typed_by_the_status() {
    let op = RemoveMetadata::new(room(), user(), [ekey("k")]);
    for body in [&b""[..], b"<html>error</html>", br#"{"message":"no code"}"#] {
        let cases = [
            (400, RongCloudCode::ParameterError),
            (401, RongCloudCode::SignatureError),
            (403, RongCloudCode::MethodRestricted),
            (404, RongCloudCode::EndpointNotFound),
            (429, RongCloudCode::RateLimited),
            (430, RongCloudCode::ServiceNotEnabled),
        ];
        for (status, code) in cases {
            let err = api_error(op.parse(response(status, body)));
            assert_eq!(err.code, ApiCode::RongCloud(code), "{status}");
            assert_eq!(err.http_status, status);
        }
        let throttled = api_error(op.parse(response(429, body)));
        assert!(throttled.is_throttled());
        // A bare 404 is not "the data does not exist": the repeat is not settled.
        assert_eq!(
            op.settles_repeat(&api_error(op.parse(response(404, body)))),
            None
        );
        for status in [500, 502, 504] {
            assert!(
                matches!(
                    op.parse(response(status, body)),
                    Err(ResponseError::UnexpectedStatus { status: s }) if s == status
                ),
                "{status}"
            );
        }
    }
    assert!(matches!(
        op.parse(response(200, b"<html>")),
        Err(ResponseError::Decode(_))
    ));
}

#[test]
fn the_request_id_header_is_kept() {
    let reply = http::Response::builder()
        .status(429)
        .header("x-request-id", "rid-1")
        .body(&br#"{"code":1008,"errorMessage":"slow down"}"#[..])
        .unwrap();
    let err = api_error(ListMessageMetadata::new(msg()).parse(reply).map(drop));
    assert_eq!(err.request_id.as_deref(), Some("rid-1"));
}

proptest! {
    #[test]
    fn parsers_never_panic_on_arbitrary_bytes(
        status in prop_oneof![Just(200u16), Just(400), Just(401), Just(404), Just(429), Just(430), Just(500), 100u16..600],
        body in vec(any::<u8>(), 0..200),
    ) {
        let r = || response(status, &body);
        let _ = SetMetadata::new(room(), user(), entry_pairs(1)).parse(r());
        let _ = RemoveMetadata::new(room(), user(), entry_keys(1)).parse(r());
        let _ = GetMetadata::new(room()).parse(r());
        let _ = set_message(vec![]).parse(r());
        let _ = delete_message(vec![]).parse(r());
        let _ = ListMessageMetadata::new(msg()).parse(r());
    }

    #[test]
    fn parsers_never_panic_on_arbitrary_json(status in 100u16..600, value in json_value()) {
        let body = serde_json::to_vec(&serde_json::json!({"code": 0, "result": value})).unwrap();
        let _ = GetMetadata::new(room()).parse(response(status, &body));
        let _ = ListMessageMetadata::new(msg()).parse(response(status, &body));
        let body = serde_json::to_vec(&value).unwrap();
        let _ = GetMetadata::new(room()).parse(response(status, &body));
    }
}

// ---- server side -----------------------------------------------------------------------------

#[cfg(feature = "server")]
mod server {
    use super::*;

    fn json_request<'a>(path: &str, body: &'a [u8]) -> http::Request<&'a [u8]> {
        http::Request::post(path)
            .header("content-type", "application/json")
            .body(body)
            .unwrap()
    }

    fn decode<O: InV4>(body: &str) -> Result<O, DecodeError> {
        O::decode(&json_request("/", body.as_bytes()))
    }

    fn round_trip<O>(op: &O) -> O
    where
        O: InV4<Endpoint = Endpoint> + std::fmt::Debug,
    {
        let request = InV4::encode(op, &endpoint()).unwrap();
        O::decode(&as_received(&request)).unwrap()
    }

    /// The requests of the corpus, with their values: the doc pages' examples (verbatim) and
    /// the bodies built from the generated models.
    #[test]
    fn the_documented_request_shapes_decode() {
        use crate::corpus_examples::request;
        let set: SetMetadata = decode(request("v4/set_metadata", 0)).unwrap();
        assert_eq!(set.chatroom_id().as_str(), "gid1");
        assert_eq!(set.owner().as_str(), "test");
        assert_eq!(
            set.entries(),
            [
                (ekey("key1"), evalue("value1")),
                (ekey("key2"), evalue("value2"))
            ]
        );
        assert!(!set.is_auto_delete());
        assert_eq!(set.validate(&limits()), Ok(()));

        let remove: RemoveMetadata = decode(request("v4/remove_metadata", 0)).unwrap();
        assert_eq!(remove.keys(), [ekey("key1"), ekey("key2")]);

        let get: GetMetadata = decode(request("v4/get_metadata", 0)).unwrap();
        assert_eq!(get.keys(), [ekey("topic"), ekey("lang")]);

        // The doc page's `messageUID` and the generated model's `messageId` read alike.
        let by_uid: SetMessageMetadata = decode(request("v4/set_message_metadata", 0)).unwrap();
        assert_eq!(by_uid.msg_uid().as_str(), "BRGM-DEN2-01E4-BN66");
        assert_eq!(by_uid.conversation_type(), ConversationType::Private);
        assert_eq!(by_uid.target_id().as_str(), "tjw3zbMrU");
        assert!(!by_uid.is_sync_sender());
        let by_id: SetMessageMetadata = decode(request("v4/set_message_metadata", 1)).unwrap();
        assert_eq!(by_id.msg_uid(), by_uid.msg_uid());
        assert!(by_id.is_sync_sender());

        let delete: DeleteMessageMetadata =
            decode(request("v4/delete_message_metadata", 0)).unwrap();
        assert_eq!(delete.keys(), [xkey("11111")]);
        assert!(delete.is_sync_sender());

        let list: ListMessageMetadata = decode(request("v4/list_message_metadata", 0)).unwrap();
        assert_eq!(list.msg_uid().as_str(), "BRGM-DEN2-01E4-BN66");
        assert_eq!(list.page_no(), Some(1));
    }

    /// Unknown members are ignored (as seed 003's `extra`); duplicates in `metadata` are kept
    /// for validation to refuse; `messageUID`, the spelling of a version of the set and delete
    /// doc pages, is read by those two endpoints.
    #[test]
    fn documented_spellings_are_accepted_and_unknown_members_ignored() {
        let set: SetMetadata = decode(
            r#"{"channelId":"r","metadataOwnerId":"u","metadata":{"k":"1","k":"2"},"shouldAutoDelete":1,"extra":[1]}"#,
        )
        .unwrap();
        assert_eq!(set.owner().as_str(), "u");
        assert_eq!(
            set.entries().len(),
            2,
            "duplicates kept for the server to refuse"
        );
        assert!(set.is_auto_delete());
        assert!(set.validate(&limits()).is_err());

        let get: GetMetadata = decode(r#"{"channelId":"r","metadataKeys":null}"#).unwrap();
        assert!(get.keys().is_empty());

        let set: SetMessageMetadata = decode(
            r#"{"messageUID":"m","userId":"u","channelType":3,"channelId":"g","metadata":{"k":"v"},"isEchoToSender":1}"#,
        )
        .unwrap();
        assert!(set.is_sync_sender());
        assert_eq!(set.conversation_type(), ConversationType::Group);
        let delete: DeleteMessageMetadata = decode(
            r#"{"messageUID":"m","userId":"u","channelType":1,"channelId":"t","keys":["k"],"syncToSender":1}"#,
        )
        .unwrap();
        assert!(delete.is_sync_sender());
        let list: ListMessageMetadata = decode(r#"{"messageId":"m","page":3}"#).unwrap();
        assert_eq!(list.page_no(), Some(3));
    }

    /// What the old decoder let through: another endpoint's spelling, and scalars of the wrong
    /// JSON type (numbers for strings, booleans or strings for the `0`/`1` flags, strings for
    /// integers). Each is refused, naming the field.
    #[test]
    fn undocumented_spellings_and_wrong_json_types_are_refused() {
        let cases: [(&str, Result<(), DecodeError>); 14] = [
            (
                "metadataOwnerId",
                decode::<SetMetadata>(r#"{"channelId":"r","userId":"u","metadata":{}}"#).map(drop),
            ),
            (
                "metadataOwnerId",
                decode::<RemoveMetadata>(r#"{"channelId":"r","userId":"u","metadataKeys":[]}"#)
                    .map(drop),
            ),
            (
                "metadata",
                decode::<SetMetadata>(
                    r#"{"channelId":"r","metadataOwnerId":"u","metadata":{"k":1}}"#,
                )
                .map(drop),
            ),
            (
                "shouldAutoDelete",
                decode::<SetMetadata>(
                    r#"{"channelId":"r","metadataOwnerId":"u","metadata":{},"shouldAutoDelete":true}"#,
                )
                .map(drop),
            ),
            (
                "channelId",
                decode::<GetMetadata>(r#"{"channelId":7}"#).map(drop),
            ),
            (
                "metadataKeys",
                decode::<RemoveMetadata>(
                    r#"{"channelId":"r","metadataOwnerId":"u","metadataKeys":["a",2]}"#,
                )
                .map(drop),
            ),
            (
                "channelType",
                decode::<SetMessageMetadata>(
                    r#"{"messageId":"m","userId":"u","channelType":"3","channelId":"g","metadata":{}}"#,
                )
                .map(drop),
            ),
            (
                "isEchoToSender",
                decode::<SetMessageMetadata>(
                    r#"{"messageId":"m","userId":"u","channelType":3,"channelId":"g","metadata":{},"isEchoToSender":"1"}"#,
                )
                .map(drop),
            ),
            (
                "syncToSender",
                decode::<DeleteMessageMetadata>(
                    r#"{"messageId":"m","userId":"u","channelType":1,"channelId":"t","keys":[],"syncToSender":true}"#,
                )
                .map(drop),
            ),
            (
                "messageId",
                decode::<ListMessageMetadata>(r#"{"messageUID":"m"}"#).map(drop),
            ),
            (
                "messageId",
                decode::<ListMessageMetadata>(r#"{"messageId":5}"#).map(drop),
            ),
            (
                "page",
                decode::<ListMessageMetadata>(r#"{"messageId":"m","page":"3"}"#).map(drop),
            ),
            (
                "userId",
                decode::<DeleteMessageMetadata>(
                    r#"{"messageId":"m","userId":1,"channelType":1,"channelId":"t","keys":[]}"#,
                )
                .map(drop),
            ),
            (
                "keys",
                decode::<DeleteMessageMetadata>(
                    r#"{"messageId":"m","userId":"u","channelType":1,"channelId":"t","keys":"k"}"#,
                )
                .map(drop),
            ),
        ];
        for (field, result) in cases {
            let err = result.unwrap_err();
            assert_eq!(err.field_name(), Some(field), "{err}");
            assert!(err.to_string().contains(field), "{err}");
        }
        // A channel type other than 1 and 3 is refused in v4's own words, not legacy's.
        let err = decode::<SetMessageMetadata>(
            r#"{"messageId":"m","userId":"u","channelType":2,"channelId":"g","metadata":{}}"#,
        )
        .unwrap_err();
        assert_eq!(err.field_name(), Some("channelType"), "{err}");
        assert!(err.to_string().starts_with("channelType is 2"), "{err}");
        assert!(!err.to_string().contains("conversationType"), "{err}");
        // The other endpoint's flag is not this one's: ignored as an unknown member.
        let set: SetMessageMetadata = decode(
            r#"{"messageId":"m","userId":"u","channelType":3,"channelId":"g","metadata":{},"syncToSender":1}"#,
        )
        .unwrap();
        assert!(!set.is_sync_sender());
        let delete: DeleteMessageMetadata = decode(
            r#"{"messageId":"m","userId":"u","channelType":3,"channelId":"g","keys":[],"isEchoToSender":1}"#,
        )
        .unwrap();
        assert!(!delete.is_sync_sender());
    }

    #[test]
    fn decode_errors_name_the_field_or_the_body() {
        for body in ["", "[]", "\"x\"", "{", "null", "{\"channelId\":\"r\"} x"] {
            let err = decode::<SetMetadata>(body).unwrap_err();
            assert_eq!(err.field_name(), None, "{body:?}");
        }
        let cases: [(&str, Result<(), DecodeError>); 9] = [
            (
                "channelId",
                decode::<SetMetadata>(r#"{"metadataOwnerId":"u","metadata":{}}"#).map(drop),
            ),
            (
                "metadataOwnerId",
                decode::<SetMetadata>(r#"{"channelId":"r","metadata":{}}"#).map(drop),
            ),
            (
                "metadata",
                decode::<SetMetadata>(r#"{"channelId":"r","metadataOwnerId":"u","metadata":[]}"#)
                    .map(drop),
            ),
            (
                "shouldAutoDelete",
                decode::<SetMetadata>(
                    r#"{"channelId":"r","metadataOwnerId":"u","metadata":{},"shouldAutoDelete":2}"#,
                )
                .map(drop),
            ),
            (
                "metadataKeys",
                decode::<RemoveMetadata>(r#"{"channelId":"r","metadataOwnerId":"u"}"#).map(drop),
            ),
            (
                "metadataKeys",
                decode::<GetMetadata>(r#"{"channelId":"r","metadataKeys":"k"}"#).map(drop),
            ),
            (
                "channelType",
                decode::<SetMessageMetadata>(
                    r#"{"messageId":"m","userId":"u","channelType":2,"channelId":"g","metadata":{}}"#,
                )
                .map(drop),
            ),
            (
                "messageId",
                decode::<DeleteMessageMetadata>(
                    r#"{"userId":"u","channelType":1,"channelId":"g","keys":[]}"#,
                )
                .map(drop),
            ),
            (
                "page",
                decode::<ListMessageMetadata>(r#"{"messageId":"m","page":-1}"#).map(drop),
            ),
        ];
        for (field, result) in cases {
            assert_eq!(result.unwrap_err().field_name(), Some(field));
        }
    }

    #[test]
    fn read_replies_round_trip() {
        let entries = vec![
            Entry {
                key: ekey("a"),
                value: evalue("中 \"x\""),
                user_id: user(),
                auto_delete: true,
                last_set_time_ms: 1_700_000_000_000,
            },
            Entry {
                key: ekey("b"),
                value: evalue(""),
                user_id: operator(),
                auto_delete: false,
                last_set_time_ms: 0,
            },
        ];
        let reply = GetMetadata::encode_reply(&entries, Some("rid"));
        assert_eq!(reply.status(), 200);
        assert_eq!(reply.headers()["x-request-id"], "rid");
        assert_eq!(
            GetMetadata::new(room()).parse(as_response(&reply)).unwrap(),
            entries
        );
        let page = ExpansionPage {
            entries: vec![
                ExpansionEntry {
                    key: xkey("z"),
                    value: xvalue("1"),
                    version: 5,
                },
                ExpansionEntry {
                    key: xkey("a"),
                    value: xvalue("2"),
                    version: -1,
                },
            ],
        };
        let reply = ListMessageMetadata::encode_reply(&page, None);
        assert_eq!(
            std::str::from_utf8(reply.body()).unwrap(),
            r#"{"code":0,"result":{"metadata":[{"key":"z","value":"1","updatedAt":5},{"key":"a","value":"2","updatedAt":-1}]}}"#
        );
        assert_eq!(
            ListMessageMetadata::new(msg())
                .parse(as_response(&reply))
                .unwrap(),
            page
        );
        let ok = SetMetadata::encode_reply(&(), None);
        assert_eq!(ok.body().as_slice(), br#"{"code":0}"#);
        assert_eq!(
            SetMetadata::new(room(), user(), entry_pairs(1))
                .parse(as_response(&ok))
                .unwrap(),
            ()
        );
    }

    fn entry_pairs_strategy() -> impl Strategy<Value = Vec<(EntryKey, EntryValue)>> {
        (1usize..=20).prop_flat_map(|n| {
            (distinct_keys(n, 128), vec(entry_value(), n)).prop_map(|(keys, values)| {
                keys.into_iter()
                    .map(EntryKey::non_validated)
                    .zip(values)
                    .collect()
            })
        })
    }

    fn expansion_pairs_strategy() -> impl Strategy<Value = Vec<(ExpansionKey, ExpansionValue)>> {
        (1usize..=30).prop_flat_map(|n| {
            (distinct_keys(n, 32), vec(expansion_value(), n)).prop_map(|(keys, values)| {
                keys.into_iter()
                    .map(ExpansionKey::non_validated)
                    .zip(values)
                    .collect()
            })
        })
    }

    /// A well-formed body of each v4 endpoint (as roomkv sends it), its path, and the members
    /// of each JSON type: strings, string containers, integers and flags.
    fn documented_bodies() -> Vec<(&'static str, serde_json::Value)> {
        let bodies = [
            r#"{"channelId":"r","metadataOwnerId":"u","metadata":{"k":"v"},"shouldAutoDelete":1}"#,
            r#"{"channelId":"r","metadataOwnerId":"u","metadataKeys":["k"]}"#,
            r#"{"channelId":"r","metadataKeys":["k"]}"#,
            r#"{"messageId":"m","userId":"u","channelType":3,"channelId":"g","metadata":{"k":"v"},"isEchoToSender":1}"#,
            r#"{"messageId":"m","userId":"u","channelType":1,"channelId":"t","keys":["k"],"syncToSender":1}"#,
            r#"{"messageId":"m","page":2}"#,
        ];
        PATHS
            .into_iter()
            .zip(bodies)
            .map(|(path, body)| (path, serde_json::from_str(body).unwrap()))
            .collect()
    }

    /// Whether `value` has the JSON type of the documented `member`.
    fn same_json_type(member: &serde_json::Value, value: &serde_json::Value) -> bool {
        use serde_json::Value;
        matches!(
            (member, value),
            (Value::String(_), Value::String(_))
                | (Value::Object(_), Value::Object(_))
                | (Value::Array(_), Value::Array(_))
                | (Value::Number(_), Value::Number(_))
        )
    }

    proptest! {
        /// Every member of every v4 endpoint, replaced by a value of another JSON type, is
        /// refused naming that member; removed, it is refused naming it unless optional.
        #[test]
        fn a_member_of_the_wrong_json_type_is_refused_naming_it(
            replacement in json_value(), pick in any::<prop::sample::Index>(),
        ) {
            for (path, body) in documented_bodies() {
                let members: Vec<String> = body.as_object().unwrap().keys().cloned().collect();
                let member = &members[pick.index(members.len())];
                if replacement.is_null() || same_json_type(&body[member], &replacement) {
                    continue;
                }
                let mut changed = body.clone();
                changed[member] = replacement.clone();
                let text = changed.to_string();
                let decoded = routed(Dialect::V4,
                    &json_request(path, text.as_bytes()),
                )
                .unwrap();
                let err = decoded.unwrap_err();
                prop_assert_eq!(err.field_name(), Some(member.as_str()), "{} {}", path, text);
            }
        }
    }

    /// Without each required member, every v4 endpoint refuses the body naming the member;
    /// without an optional one (`shouldAutoDelete`, `metadataKeys` of get, the flags, `page`),
    /// it decodes.
    #[test]
    fn a_missing_required_member_is_refused_naming_it() {
        const OPTIONAL: [(&str, &str); 5] = [
            (SetMetadata::V4_PATH, "shouldAutoDelete"),
            (GetMetadata::V4_PATH, "metadataKeys"),
            (SetMessageMetadata::V4_PATH, "isEchoToSender"),
            (DeleteMessageMetadata::V4_PATH, "syncToSender"),
            (ListMessageMetadata::V4_PATH, "page"),
        ];
        for (path, body) in documented_bodies() {
            for member in body.as_object().unwrap().keys() {
                let mut without = body.clone();
                without.as_object_mut().unwrap().remove(member);
                let text = without.to_string();
                let decoded = routed(Dialect::V4, &json_request(path, text.as_bytes())).unwrap();
                if OPTIONAL.contains(&(path, member.as_str())) {
                    assert!(decoded.is_ok(), "{path} {text}");
                } else {
                    assert_eq!(
                        decoded.unwrap_err().field_name(),
                        Some(member.as_str()),
                        "{path}"
                    );
                }
            }
        }
    }

    proptest! {
        #[test]
        fn set_metadata_round_trips(
            room in chatroom_id(), owner in user_id(), pairs in entry_pairs_strategy(),
            auto in any::<bool>(),
        ) {
            let op = SetMetadata::new(room, owner, pairs).auto_delete(auto);
            prop_assert_eq!(op.validate(&limits()), Ok(()));
            prop_assert_eq!(round_trip(&op), op);
        }

        #[test]
        fn remove_metadata_round_trips(
            room in chatroom_id(), owner in user_id(), keys in (1usize..=20).prop_flat_map(|n| distinct_keys(n, 128)),
        ) {
            let op = RemoveMetadata::new(room, owner, keys.into_iter().map(EntryKey::non_validated));
            prop_assert_eq!(op.validate(&limits()), Ok(()));
            prop_assert_eq!(round_trip(&op), op);
        }

        #[test]
        fn get_metadata_round_trips(room in chatroom_id(), keys in vec(entry_key(), 0..=100)) {
            let op = GetMetadata::new(room).with_keys(keys);
            prop_assert_eq!(op.validate(&limits()), Ok(()));
            prop_assert_eq!(round_trip(&op), op);
        }

        #[test]
        fn set_message_metadata_round_trips(
            msg in msg_uid(), user in user_id(), conversation in conversation_type(),
            target in target_id(), pairs in expansion_pairs_strategy(), sync in any::<bool>(),
        ) {
            let op = SetMessageMetadata::new(msg, user, conversation, target, pairs).sync_sender(sync);
            prop_assert_eq!(op.validate(&limits()), Ok(()));
            prop_assert_eq!(round_trip(&op), op);
        }

        #[test]
        fn delete_message_metadata_round_trips(
            msg in msg_uid(), user in user_id(), conversation in conversation_type(),
            target in target_id(), keys in (1usize..=100).prop_flat_map(|n| distinct_keys(n, 32)),
            sync in any::<bool>(),
        ) {
            let op = DeleteMessageMetadata::new(
                msg, user, conversation, target, keys.into_iter().map(ExpansionKey::non_validated),
            )
            .sync_sender(sync);
            prop_assert_eq!(op.validate(&limits()), Ok(()));
            prop_assert_eq!(round_trip(&op), op);
        }

        #[test]
        fn list_message_metadata_round_trips(msg in msg_uid(), page in proptest::option::of(1u32..)) {
            let mut op = ListMessageMetadata::new(msg);
            if let Some(page) = page {
                op = op.page(page);
            }
            prop_assert_eq!(op.validate(&limits()), Ok(()));
            prop_assert_eq!(round_trip(&op), op);
        }

        #[test]
        fn get_reply_round_trips(
            entries in vec(
                (entry_key(), entry_value(), user_id(), any::<bool>(), any::<u64>()),
                0..10,
            ),
        ) {
            let entries: Vec<Entry> = entries
                .into_iter()
                .map(|(key, value, user_id, auto_delete, last_set_time_ms)| Entry {
                    key, value, user_id, auto_delete, last_set_time_ms,
                })
                .collect();
            let reply = GetMetadata::encode_reply(&entries, None);
            prop_assert_eq!(GetMetadata::new(room()).parse(as_response(&reply)).unwrap(), entries);
        }

        #[test]
        fn list_reply_round_trips(
            entries in vec((key_text(1, 32), expansion_value(), any::<i64>()), 0..10),
        ) {
            let page = ExpansionPage {
                entries: entries
                    .into_iter()
                    .map(|(key, value, version)| ExpansionEntry {
                        key: ExpansionKey::non_validated(key), value, version,
                    })
                    .collect(),
            };
            let reply = ListMessageMetadata::encode_reply(&page, None);
            prop_assert_eq!(ListMessageMetadata::new(msg()).parse(as_response(&reply)).unwrap(), page);
        }

        #[test]
        fn decoders_never_panic_on_arbitrary_bytes(body in vec(any::<u8>(), 0..300)) {
            let _ = decode_bytes::<SetMetadata>(&body);
            let _ = decode_bytes::<RemoveMetadata>(&body);
            let _ = decode_bytes::<GetMetadata>(&body);
            let _ = decode_bytes::<SetMessageMetadata>(&body);
            let _ = decode_bytes::<DeleteMessageMetadata>(&body);
            let _ = decode_bytes::<ListMessageMetadata>(&body);
        }

        #[test]
        fn decoders_never_panic_on_arbitrary_json(value in json_value()) {
            let body = serde_json::to_vec(&value).unwrap();
            let _ = decode_bytes::<SetMetadata>(&body);
            let _ = decode_bytes::<RemoveMetadata>(&body);
            let _ = decode_bytes::<GetMetadata>(&body);
            let _ = decode_bytes::<SetMessageMetadata>(&body);
            let _ = decode_bytes::<DeleteMessageMetadata>(&body);
            let _ = decode_bytes::<ListMessageMetadata>(&body);
        }
    }

    fn decode_bytes<O: InV4>(body: &[u8]) -> Result<O, DecodeError> {
        O::decode(&json_request("/", body))
    }
}
