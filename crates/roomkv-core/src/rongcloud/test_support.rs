//! proptest strategies and helpers shared by the RongCloud tests.

// Some helpers serve only the `server` tests.
#![cfg_attr(not(feature = "server"), allow(dead_code))]

use proptest::collection::{btree_set, vec};
use proptest::prelude::*;

use super::{
    ChatroomId, ConversationType, Endpoint, EntryKey, EntryValue, ExpansionValue,
    KV_NOTIFICATION_OBJECT_NAME, MsgUid, Notification, TargetId, UserId,
};
use crate::BaseUrl;

/// The text of a file under `testdata/rongcloud/`.
macro_rules! testdata {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/rongcloud/",
            $name
        ))
    };
}
pub(crate) use testdata;

pub(crate) use crate::corpus_examples::wire_error;

/// The fixed endpoint of every test.
pub(crate) fn endpoint() -> Endpoint {
    BaseUrl::parse("https://api.rong-api.com").unwrap()
}

/// What a server receives for a request the client encoded.
pub(crate) fn as_received(request: &http::Request<Vec<u8>>) -> http::Request<&[u8]> {
    let mut received = http::Request::new(request.body().as_slice());
    *received.method_mut() = request.method().clone();
    *received.uri_mut() = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .parse()
        .unwrap();
    *received.headers_mut() = request.headers().clone();
    received
}

/// A form `POST` to `path` with `body`, as a server receives it.
/// Decodes a request with the server's router, asserting the dialect of its path.
#[cfg(feature = "server")]
pub(crate) fn routed(
    dialect: super::Dialect,
    request: &http::Request<&[u8]>,
) -> Option<Result<super::server::Request, crate::DecodeError>> {
    super::server::Request::decode(request).map(|(found, decoded)| {
        assert_eq!(found, dialect, "the dialect of {}", request.uri());
        decoded
    })
}

pub(crate) fn form_request<'a>(path: &str, body: &'a [u8]) -> http::Request<&'a [u8]> {
    http::Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .unwrap()
}

/// A reply as a client receives it.
pub(crate) fn as_response(reply: &http::Response<Vec<u8>>) -> http::Response<&[u8]> {
    let mut response = http::Response::new(reply.body().as_slice());
    *response.status_mut() = reply.status();
    *response.headers_mut() = reply.headers().clone();
    response
}

/// A reply with `status` and `body`.
pub(crate) fn response(status: u16, body: &[u8]) -> http::Response<&[u8]> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json; charset=utf-8")
        .body(body)
        .unwrap()
}

/// True for the characters of the RongCloud key alphabet `[A-Za-z0-9+=\-_]`.
pub(crate) fn in_key_alphabet(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || matches!(ch, '+' | '=' | '-' | '_')
}

/// Keys of `min..=max` characters from the key alphabet.
pub(crate) fn key_text(min: usize, max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Za-z0-9+=_-]{{{min},{max}}}")).unwrap()
}

/// Any character outside the key alphabet.
pub(crate) fn forbidden_key_char() -> impl Strategy<Value = char> {
    any::<char>().prop_filter("outside the key alphabet", |&c| !in_key_alphabet(c))
}

/// Any text of exactly `chars` characters, multi-byte ones included.
pub(crate) fn text_of_chars(chars: usize) -> impl Strategy<Value = String> {
    vec(any::<char>(), chars).prop_map(|v| v.into_iter().collect())
}

/// Any text of at most `max_chars` characters.
pub(crate) fn any_text(max_chars: usize) -> impl Strategy<Value = String> {
    vec(any::<char>(), 0..=max_chars).prop_map(|v| v.into_iter().collect())
}

/// A valid identifier: 1 to 16 characters without control characters, so at most 64 bytes.
pub(crate) fn id_text() -> impl Strategy<Value = String> {
    vec(
        any::<char>().prop_filter("not a control character", |c| !c.is_control()),
        1..=16,
    )
    .prop_map(|v| v.into_iter().collect())
}

/// Text without control characters of exactly `bytes` bytes, mixing multi-byte characters and
/// ASCII padding.
pub(crate) fn text_of_bytes(bytes: usize) -> impl Strategy<Value = String> {
    vec(
        any::<char>().prop_filter("not a control character", |c| !c.is_control()),
        0..=bytes / 4,
    )
    .prop_map(move |chars| {
        let mut text: String = chars.into_iter().collect();
        while text.len() < bytes {
            text.push('a');
        }
        text
    })
}

pub(crate) fn chatroom_id() -> impl Strategy<Value = ChatroomId> {
    id_text().prop_map(ChatroomId::non_validated)
}

pub(crate) fn user_id() -> impl Strategy<Value = UserId> {
    id_text().prop_map(UserId::non_validated)
}

pub(crate) fn target_id() -> impl Strategy<Value = TargetId> {
    id_text().prop_map(TargetId::non_validated)
}

pub(crate) fn msg_uid() -> impl Strategy<Value = MsgUid> {
    id_text().prop_map(MsgUid::non_validated)
}

pub(crate) fn entry_key() -> impl Strategy<Value = EntryKey> {
    key_text(1, 128).prop_map(EntryKey::non_validated)
}

pub(crate) fn entry_value() -> impl Strategy<Value = EntryValue> {
    any_text(300).prop_map(EntryValue::non_validated)
}

pub(crate) fn expansion_value() -> impl Strategy<Value = ExpansionValue> {
    any_text(300).prop_map(ExpansionValue::non_validated)
}

pub(crate) fn conversation_type() -> impl Strategy<Value = ConversationType> {
    prop_oneof![
        Just(ConversationType::Private),
        Just(ConversationType::Group)
    ]
}

/// `count` distinct keys of `1..=max_chars` characters, in random order.
pub(crate) fn distinct_keys(count: usize, max_chars: usize) -> impl Strategy<Value = Vec<String>> {
    btree_set(key_text(1, max_chars), count)
        .prop_map(|keys| keys.into_iter().collect::<Vec<_>>())
        .prop_shuffle()
}

/// A valid notification. A custom one never uses the built-in object name, which would decode
/// back as [`Notification::KvChange`] when its content is the canonical one.
pub(crate) fn notification() -> impl Strategy<Value = Notification> {
    prop_oneof![
        proptest::option::of(any_text(100)).prop_map(|extra| Notification::KvChange { extra }),
        ("[A-Za-z]{1,8}:[A-Za-z]{1,16}", any_text(200))
            .prop_filter("not the built-in name", |(name, _)| name
                != KV_NOTIFICATION_OBJECT_NAME)
            .prop_map(|(object_name, content)| Notification::Custom {
                object_name,
                content
            }),
    ]
}

/// A JSON object member name: often one the RongCloud replies use, so that arbitrary values land
/// in the fields the parsers read.
fn json_field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(
            &[
                "code",
                "errorMessage",
                "keys",
                "key",
                "value",
                "userId",
                "autoDelete",
                "lastSetTime",
                "extraContent",
                "v",
                "ts",
                "type",
                "extra",
                "result",
                "metadata",
                "metadataKeys",
                "metadataOwnerId",
                "shouldAutoDelete",
                "updatedAt",
                "channelId",
                "channelType",
                "messageUID",
                "messageId",
                "page",
            ][..]
        )
        .prop_map(str::to_owned),
        "[a-zA-Z]{1,12}",
        any_text(4),
    ]
}

/// Any JSON value, nested up to a few levels.
pub(crate) fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        any_text(8).prop_map(serde_json::Value::String),
        "[0-9]{1,20}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            vec((json_field_name(), inner), 0..6)
                .prop_map(|pairs| serde_json::Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// Asserts the exact wire form of an encoded request: `POST`, URL, content type and body.
pub(crate) fn assert_wire(request: &http::Request<Vec<u8>>, path: &str, golden_body: &str) {
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(
        request.uri().to_string(),
        format!("https://api.rong-api.com{path}")
    );
    assert_eq!(
        request.headers()[http::header::CONTENT_TYPE],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(request.headers().len(), 1, "only the content type is set");
    assert_eq!(std::str::from_utf8(request.body()).unwrap(), golden_body);
}
