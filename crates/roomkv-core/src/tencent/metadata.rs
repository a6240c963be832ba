//! Room metadata: get, set, delete.
//!
//! A room holds at most 10 keys, each key at most 50 bytes, each value at most 2048 bytes and all
//! values together at most 16384 bytes. A [`SetRoomMetadata`] request is checked against these
//! limits on its own before it is sent; whether the room stays within them after the merge
//! (upsert) only the server knows (codes 100500, 100502).

use std::collections::HashSet;

use serde::Serialize;
use serde_json::Value;

use super::json;
use super::reply::{self, NoPayload};
use super::{Endpoint, MetadataKey, MetadataValue, RoomId, command};
use crate::validate::{Unit, check_count};
use crate::{
    ApiCode, ApiError, Declaration, DecodeError, Effect, EncodeError, Limits, Operation,
    ResponseError, TencentCode, ValidationError,
};

/// One key and its value: `{"Key": ..., "Value": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct MetadataEntry {
    /// `Key`.
    #[serde(rename = "Key")]
    pub key: MetadataKey,
    /// `Value`.
    #[serde(rename = "Value")]
    pub value: MetadataValue,
}

impl MetadataEntry {
    /// An entry of `key` and `value`.
    pub fn new(key: MetadataKey, value: MetadataValue) -> Self {
        Self { key, value }
    }

    /// Reads `{"Key": .., "Value": ..}`, taking the text as sent.
    fn read(value: &Value) -> Result<Self, DecodeError> {
        let object = json::object(value, "Metadata")?;
        Ok(Self {
            key: MetadataKey::non_validated(json::string(json::required(object, "Key")?, "Key")?),
            value: MetadataValue::non_validated(json::string(
                json::required(object, "Value")?,
                "Value",
            )?),
        })
    }
}

impl From<(MetadataKey, MetadataValue)> for MetadataEntry {
    fn from((key, value): (MetadataKey, MetadataValue)) -> Self {
        Self::new(key, value)
    }
}

/// `{"RoomId": .., "Keys": [..]}`.
#[derive(Serialize)]
struct KeysBody<'a> {
    #[serde(rename = "RoomId")]
    room_id: &'a RoomId,
    #[serde(rename = "Keys")]
    keys: &'a [MetadataKey],
}

/// `{"RoomId": .., "Metadata": [..]}`.
#[derive(Serialize)]
struct MetadataBody<'a> {
    #[serde(rename = "RoomId")]
    room_id: &'a RoomId,
    #[serde(rename = "Metadata")]
    metadata: &'a [MetadataEntry],
}

/// `{"Metadata": [..]}`, the `Response` of `get_room_metadata`.
#[cfg(feature = "server")]
#[derive(Serialize)]
struct MetadataPayload<'a> {
    #[serde(rename = "Metadata")]
    metadata: &'a [MetadataEntry],
}

/// Reads a room's metadata (`get_room_metadata`): the keys asked for, or all of them.
///
/// The output lists the entries in the reply's order. Keys the room does not have are left out
/// by the server. Values are taken as sent, never checked against the limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetRoomMetadata {
    room_id: RoomId,
    keys: Vec<MetadataKey>,
}

impl GetRoomMetadata {
    /// Reads `keys` of `room_id`; no keys means all of them.
    pub fn new(room_id: RoomId, keys: impl IntoIterator<Item = MetadataKey>) -> Self {
        Self {
            room_id,
            keys: keys.into_iter().collect(),
        }
    }

    /// Reads every key of `room_id` (an empty `Keys` list on the wire).
    pub fn all(room_id: RoomId) -> Self {
        Self::new(room_id, [])
    }

    /// The room id.
    pub fn room_id(&self) -> &RoomId {
        &self.room_id
    }

    /// The keys asked for; empty means all.
    pub fn keys(&self) -> &[MetadataKey] {
        &self.keys
    }
}

impl Operation for GetRoomMetadata {
    type Endpoint = Endpoint;
    type Output = Vec<MetadataEntry>;
    const DECLARATION: Declaration = command!("get_room_metadata", GetRoomMetadata, Effect::Read);

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.room_id.validate(limits)?;
        self.keys.iter().try_for_each(|key| key.validate(limits))
    }

    fn encode(&self, endpoint: &Endpoint) -> Result<http::Request<Vec<u8>>, EncodeError> {
        endpoint.post(
            &Self::DECLARATION,
            &KeysBody {
                room_id: &self.room_id,
                keys: &self.keys,
            },
        )
    }

    /// A success reply without `Response` or without `Response.Metadata` (a room that has no
    /// metadata, presumably) reads as no entries.
    fn parse(&self, response: http::Response<&[u8]>) -> Result<Vec<MetadataEntry>, ResponseError> {
        let body: Value = reply::parse(response)?;
        let read = || {
            let body = body
                .as_object()
                .ok_or_else(|| DecodeError::new("the reply is not a JSON object"))?;
            let Some(response) = json::get(body, "Response") else {
                return Ok(Vec::new());
            };
            let response = json::object(response, "Response")?;
            let Some(metadata) = json::get(response, "Metadata") else {
                return Ok(Vec::new());
            };
            json::array(metadata, "Metadata")?
                .iter()
                .map(MetadataEntry::read)
                .collect()
        };
        Ok(read()?)
    }
}

/// Adds or replaces keys of a room's metadata (`set_room_metadata`, an upsert).
///
/// Checked before sending, against [`Limits`]: the room id; 1 to 10 entries; each key 1 to 50
/// bytes; each value at most 2048 bytes; all values together at most 16384 bytes; no key twice.
/// Sizes are counted in UTF-8 bytes.
///
/// ```
/// use roomkv_core::{BaseUrl, Limits, Operation};
/// use roomkv_core::tencent::{Endpoint, Identifier, MetadataKey, MetadataValue, RoomId, SetRoomMetadata};
///
/// let op = SetRoomMetadata::new(RoomId::parse("live-room")?, [])
///     .with(MetadataKey::parse("stage")?, MetadataValue::parse("quiz")?)
///     .with(MetadataKey::parse("score")?, MetadataValue::parse("42")?);
/// op.validate(&Limits::default())?;
///
/// let endpoint = Endpoint {
///     base: BaseUrl::parse("https://console.tim.qq.com").unwrap(),
///     sdkappid: 1400000000,
///     admin: Identifier::parse("administrator")?,
/// };
/// let request = op.encode(&endpoint).unwrap();
/// assert_eq!(
///     request.uri(),
///     "https://console.tim.qq.com/v4/live_engine_http_srv/set_room_metadata?sdkappid=1400000000&identifier=administrator&contenttype=json"
/// );
/// assert_eq!(
///     request.body().as_slice(),
///     br#"{"RoomId":"live-room","Metadata":[{"Key":"stage","Value":"quiz"},{"Key":"score","Value":"42"}]}"#
/// );
///
/// // Eleven entries are refused before anything is sent.
/// let mut too_many = SetRoomMetadata::new(RoomId::parse("live-room")?, []);
/// for i in 0..11 {
///     too_many = too_many.with(MetadataKey::parse(format!("k{i}"))?, MetadataValue::parse("v")?);
/// }
/// assert_eq!(
///     too_many.validate(&Limits::default()).unwrap_err().to_string(),
///     "Metadata has 11 pairs, at most 10 allowed"
/// );
/// # Ok::<(), roomkv_core::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetRoomMetadata {
    room_id: RoomId,
    metadata: Vec<MetadataEntry>,
}

impl SetRoomMetadata {
    /// Sets `entries` in `room_id`, in this order.
    pub fn new(
        room_id: RoomId,
        entries: impl IntoIterator<Item = (MetadataKey, MetadataValue)>,
    ) -> Self {
        Self {
            room_id,
            metadata: entries.into_iter().map(MetadataEntry::from).collect(),
        }
    }

    /// The same request with one more entry.
    pub fn with(mut self, key: MetadataKey, value: MetadataValue) -> Self {
        self.metadata.push(MetadataEntry::new(key, value));
        self
    }

    /// The room id.
    pub fn room_id(&self) -> &RoomId {
        &self.room_id
    }

    /// The entries, in request order.
    pub fn entries(&self) -> &[MetadataEntry] {
        &self.metadata
    }
}

impl Operation for SetRoomMetadata {
    type Endpoint = Endpoint;
    type Output = ();
    /// A write; Tencent's `Live.CallbackAfterSetMetadata` is a webhook to the app's server, not a
    /// message to the room.
    const DECLARATION: Declaration = command!(
        "set_room_metadata",
        SetRoomMetadata,
        Effect::Write { notifies: false }
    );

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.room_id.validate(limits)?;
        let max = &limits.tencent;
        check_count(
            "Metadata",
            "pair",
            self.metadata.len(),
            max.metadata_keys_max,
        )?;
        for entry in &self.metadata {
            entry.key.validate(limits)?;
            entry.value.validate(limits)?;
        }
        let mut seen = HashSet::with_capacity(self.metadata.len());
        if let Some(entry) = self.metadata.iter().find(|e| !seen.insert(e.key.as_str())) {
            return Err(ValidationError::Duplicate {
                field: "Metadata",
                item: "key",
                value: entry.key.as_str().to_owned(),
            });
        }
        let total: usize = self.metadata.iter().map(|e| e.value.as_str().len()).sum();
        if total > max.metadata_total_value_max_bytes {
            return Err(ValidationError::TotalTooLong {
                field: "Metadata",
                len: total,
                max: max.metadata_total_value_max_bytes,
                unit: Unit::Bytes,
            });
        }
        Ok(())
    }

    fn encode(&self, endpoint: &Endpoint) -> Result<http::Request<Vec<u8>>, EncodeError> {
        endpoint.post(
            &Self::DECLARATION,
            &MetadataBody {
                room_id: &self.room_id,
                metadata: &self.metadata,
            },
        )
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), ResponseError> {
        reply::parse::<NoPayload>(response).map(drop)
    }
}

/// Deletes keys of a room's metadata (`del_room_metadata`). At least one key, at most 10 (the
/// documented limit; more are refused by `validate`). The server answers
/// 100503 only when none of the keys exist; deleting some existing and some missing keys succeeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelRoomMetadata {
    room_id: RoomId,
    keys: Vec<MetadataKey>,
}

impl DelRoomMetadata {
    /// Deletes `keys` of `room_id`.
    pub fn new(room_id: RoomId, keys: impl IntoIterator<Item = MetadataKey>) -> Self {
        Self {
            room_id,
            keys: keys.into_iter().collect(),
        }
    }

    /// The room id.
    pub fn room_id(&self) -> &RoomId {
        &self.room_id
    }

    /// The keys to delete.
    pub fn keys(&self) -> &[MetadataKey] {
        &self.keys
    }
}

impl Operation for DelRoomMetadata {
    type Endpoint = Endpoint;
    type Output = ();
    /// A write; `Live.CallbackAfterDelMetadata` is a webhook, not a room message.
    const DECLARATION: Declaration = command!(
        "del_room_metadata",
        DelRoomMetadata,
        Effect::Write { notifies: false }
    );

    /// At least one key and at most
    /// [`metadata_keys_max`](crate::TencentLimits::metadata_keys_max) (10, `docs/vendors/tencent.md#metadata-limits`), each valid. More keys are refused here, naming `Keys` and the limit, so no single
    /// request carries them; roomkv-tencent's `Client::del_room_metadata_bulk` splits them
    /// instead.
    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.room_id.validate(limits)?;
        check_count(
            "Keys",
            "key",
            self.keys.len(),
            limits.tencent.metadata_keys_max,
        )?;
        self.keys.iter().try_for_each(|key| key.validate(limits))
    }

    fn encode(&self, endpoint: &Endpoint) -> Result<http::Request<Vec<u8>>, EncodeError> {
        endpoint.post(
            &Self::DECLARATION,
            &KeysBody {
                room_id: &self.room_id,
                keys: &self.keys,
            },
        )
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), ResponseError> {
        reply::parse::<NoPayload>(response).map(drop)
    }

    /// 100503 ("none of the keys to delete exist") to a repeat means the keys are gone: the
    /// earlier attempt deleted them.
    fn settles_repeat(&self, error: &ApiError) -> Option<()> {
        (error.code == ApiCode::Tencent(TencentCode::MetadataKeysNotFound)).then_some(())
    }
}

#[cfg(feature = "server")]
mod server {
    use super::*;
    use crate::ServerOperation;
    use crate::tencent::server::success_reply;

    /// Reads `{"RoomId": .., "Keys": [..]}`; `Keys` is mandatory, possibly empty.
    fn keys_body(
        request: &http::Request<&[u8]>,
    ) -> Result<(RoomId, Vec<MetadataKey>), DecodeError> {
        let body = json::body_object(request.body())?;
        let room_id = json::string(json::required(&body, "RoomId")?, "RoomId")?;
        let keys = json::strings(json::required(&body, "Keys")?, "Keys")?;
        Ok((
            RoomId::non_validated(room_id),
            keys.into_iter().map(MetadataKey::non_validated).collect(),
        ))
    }

    fn empty_reply(request_id: Option<&str>) -> http::Response<Vec<u8>> {
        success_reply::<()>(None, request_id.unwrap_or(""))
    }

    impl ServerOperation for GetRoomMetadata {
        fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
            keys_body(request).map(|(room_id, keys)| Self { room_id, keys })
        }

        fn encode_reply(
            output: &Vec<MetadataEntry>,
            request_id: Option<&str>,
        ) -> http::Response<Vec<u8>> {
            success_reply(
                Some(&MetadataPayload { metadata: output }),
                request_id.unwrap_or(""),
            )
        }
    }

    impl ServerOperation for SetRoomMetadata {
        fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
            let body = json::body_object(request.body())?;
            let room_id = json::string(json::required(&body, "RoomId")?, "RoomId")?;
            let metadata = json::array(json::required(&body, "Metadata")?, "Metadata")?
                .iter()
                .map(MetadataEntry::read)
                .collect::<Result<_, _>>()?;
            Ok(Self {
                room_id: RoomId::non_validated(room_id),
                metadata,
            })
        }

        fn encode_reply(_: &(), request_id: Option<&str>) -> http::Response<Vec<u8>> {
            empty_reply(request_id)
        }
    }

    impl ServerOperation for DelRoomMetadata {
        fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
            keys_body(request).map(|(room_id, keys)| Self { room_id, keys })
        }

        fn encode_reply(_: &(), request_id: Option<&str>) -> http::Response<Vec<u8>> {
            empty_reply(request_id)
        }
    }
}
