//! Rooms: create, destroy, get info, update info, list.
//!
//! Room metadata ([`super::metadata`]) lives in a room, so a room must exist first:
//!
//! ```
//! use roomkv_core::{Limits, Operation};
//! use roomkv_core::tencent::{CreateRoom, RoomId, TakeSeatMode};
//!
//! let op = CreateRoom::new(RoomId::parse("live-room")?)
//!     .room_name("Friday quiz")
//!     .max_seat_count(8)
//!     .take_seat_mode(TakeSeatMode::ApplyToTake);
//! op.validate(&Limits::default())?;
//! # Ok::<(), roomkv_core::ValidationError>(())
//! ```

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};
use serde_json::Value;

use super::json::{self, Object};
use super::reply::{self, NoPayload};
use super::{Endpoint, Identifier, RoomId, command};
use crate::validate::{Charset, TextRule, Unit};
use crate::{
    Declaration, DecodeError, Effect, EncodeError, Limits, Operation, ResponseError,
    ValidationError,
};
pub use list::{GetRoomList, RoomListCursor, RoomListPage, RoomSummary};
pub use update::UpdateRoomInfo;

/// The only room type `live_engine_http_srv` creates.
pub const ROOM_TYPE_LIVE: &str = "Live";

/// How audience members take a seat (`TakeSeatMode`).
///
/// Tencent documents it as a string (`"FreeToTake"`, `"ApplyToTake"`, 2026) and as an integer
/// (`1`, `2`, 2024; the numbering of Tencent's client SDK `TUISeatMode`). Both forms are read;
/// the string form is written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TakeSeatMode {
    /// `"FreeToTake"` or `1`: anyone may take a free seat (the default).
    FreeToTake,
    /// `"ApplyToTake"` or `2`: the owner or an admin approves each request.
    ApplyToTake,
    /// A value this version does not know, as text (numbers in decimal). A request carrying it
    /// fails validation; a reply carrying it is read as is.
    Other(String),
}

impl TakeSeatMode {
    /// The mode named `name`; unknown names become [`TakeSeatMode::Other`].
    pub fn from_name(name: &str) -> Self {
        match name {
            "FreeToTake" => Self::FreeToTake,
            "ApplyToTake" => Self::ApplyToTake,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The mode numbered `code` in the integer form; unknown numbers become
    /// [`TakeSeatMode::Other`].
    pub fn from_code(code: i64) -> Self {
        match code {
            1 => Self::FreeToTake,
            2 => Self::ApplyToTake,
            other => Self::Other(other.to_string()),
        }
    }

    /// The string form.
    pub fn as_str(&self) -> &str {
        match self {
            Self::FreeToTake => "FreeToTake",
            Self::ApplyToTake => "ApplyToTake",
            Self::Other(other) => other,
        }
    }

    fn read(value: &Value, field: &'static str) -> Result<Self, DecodeError> {
        match value {
            Value::String(name) => Ok(Self::from_name(name)),
            Value::Number(n) => Ok(n
                .as_i64()
                .map_or_else(|| Self::Other(n.to_string()), Self::from_code)),
            other => Err(DecodeError::field(
                field,
                format!("{field} must be a string or a number, found {other}"),
            )),
        }
    }
}

impl Serialize for TakeSeatMode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A Live room's settings, as `create_room` and `update_room_info` send them and `get_room_info`
/// returns them (the `RoomInfo` object). Serializes with Tencent's field names, omitting absent
/// fields.
///
/// Only `RoomId` is always present; Tencent leaves out what was never set, and this type keeps
/// the difference. Reading is lenient where Tencent's documents disagree: `Owner_Account` may be a
/// string or a number, `TakeSeatMode` a string or a number. Fields roomkv does not model
/// (`IsUnlimitedRoomEnabled`, `SeatLayoutTemplateId`, anything newer) are kept as raw JSON in
/// [`RoomInfo::unmodeled`] and written back after the modelled ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RoomInfo {
    /// `RoomId`.
    #[serde(rename = "RoomId")]
    pub room_id: RoomId,
    /// `RoomType`: `"Live"`.
    #[serde(rename = "RoomType", skip_serializing_if = "Option::is_none")]
    pub room_type: Option<String>,
    /// `RoomName` (Tencent defaults it to the room id).
    #[serde(rename = "RoomName", skip_serializing_if = "Option::is_none")]
    pub room_name: Option<String>,
    /// `Owner_Account`. Numbers in replies are kept as their exact decimal digits.
    #[serde(rename = "Owner_Account", skip_serializing_if = "Option::is_none")]
    pub owner_account: Option<Identifier>,
    /// `MaxMemberCount`.
    #[serde(rename = "MaxMemberCount", skip_serializing_if = "Option::is_none")]
    pub max_member_count: Option<u32>,
    /// `CoverURL`.
    #[serde(rename = "CoverURL", skip_serializing_if = "Option::is_none")]
    pub cover_url: Option<String>,
    /// `IsMessageDisabled`.
    #[serde(rename = "IsMessageDisabled", skip_serializing_if = "Option::is_none")]
    pub is_message_disabled: Option<bool>,
    /// `Category`: the app's category numbers.
    #[serde(rename = "Category", skip_serializing_if = "Option::is_none")]
    pub category: Option<Vec<i64>>,
    /// `IsPublicVisible`.
    #[serde(rename = "IsPublicVisible", skip_serializing_if = "Option::is_none")]
    pub is_public_visible: Option<bool>,
    /// `IsSeatEnabled`.
    #[serde(rename = "IsSeatEnabled", skip_serializing_if = "Option::is_none")]
    pub is_seat_enabled: Option<bool>,
    /// `TakeSeatMode`.
    #[serde(rename = "TakeSeatMode", skip_serializing_if = "Option::is_none")]
    pub take_seat_mode: Option<TakeSeatMode>,
    /// `MaxSeatCount`.
    #[serde(rename = "MaxSeatCount", skip_serializing_if = "Option::is_none")]
    pub max_seat_count: Option<u32>,
    /// `ActivityStatus`: an app-defined number.
    #[serde(rename = "ActivityStatus", skip_serializing_if = "Option::is_none")]
    pub activity_status: Option<i64>,
    /// `CreateTime`, Unix seconds (replies only).
    #[serde(rename = "CreateTime", skip_serializing_if = "Option::is_none")]
    pub create_time: Option<u64>,
    /// `ViewCount` (replies only).
    #[serde(rename = "ViewCount", skip_serializing_if = "Option::is_none")]
    pub view_count: Option<u64>,
    /// `Notice`, the room's announcement (set by `update_room_info`, at most 100 bytes).
    #[serde(rename = "Notice", skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// The fields roomkv does not model, by name, as sent or received.
    #[serde(flatten)]
    unmodeled: BTreeMap<String, Value>,
}

/// The fields [`RoomInfo`] models, by their wire names.
pub(super) const ROOM_INFO_FIELDS: [&str; 16] = [
    "RoomId",
    "RoomType",
    "RoomName",
    "Owner_Account",
    "MaxMemberCount",
    "CoverURL",
    "IsMessageDisabled",
    "Category",
    "IsPublicVisible",
    "IsSeatEnabled",
    "TakeSeatMode",
    "MaxSeatCount",
    "ActivityStatus",
    "CreateTime",
    "ViewCount",
    "Notice",
];

/// The members of `object` not named in `modeled`, in name order.
fn unmodeled_fields(object: &Object, modeled: &[&str]) -> BTreeMap<String, Value> {
    object
        .iter()
        .filter(|(name, _)| !modeled.contains(&name.as_str()))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

/// Reads a `Category` array of integers.
fn read_category(value: &Value, field: &'static str) -> Result<Vec<i64>, DecodeError> {
    json::array(value, field)?
        .iter()
        .map(|c| json::integer(c, field))
        .collect()
}

impl RoomInfo {
    /// A room with nothing but its id.
    pub fn new(room_id: RoomId) -> Self {
        Self {
            room_id,
            room_type: None,
            room_name: None,
            owner_account: None,
            max_member_count: None,
            cover_url: None,
            is_message_disabled: None,
            category: None,
            is_public_visible: None,
            is_seat_enabled: None,
            take_seat_mode: None,
            max_seat_count: None,
            activity_status: None,
            create_time: None,
            view_count: None,
            notice: None,
            unmodeled: BTreeMap::new(),
        }
    }

    /// The fields roomkv does not model (`IsUnlimitedRoomEnabled`, `SeatLayoutTemplateId`,
    /// anything newer), by name, as raw JSON: read from a reply or a request, sent again by
    /// [`CreateRoom::unmodeled_field`] and [`UpdateRoomInfo::unmodeled_field`].
    pub fn unmodeled(&self) -> &BTreeMap<String, Value> {
        &self.unmodeled
    }

    /// Applies `update` as Tencent does: every setting it sends replaces this room's, unmodelled
    /// fields included; the others keep their value.
    ///
    /// ```
    /// use roomkv_core::tencent::{RoomId, RoomInfo, UpdateRoomInfo};
    /// let room = RoomId::parse("live-room").unwrap();
    /// let mut info = RoomInfo::new(room.clone());
    /// info.room_name = Some("old".into());
    /// info.apply(&UpdateRoomInfo::new(room).notice("welcome"));
    /// assert_eq!(info.room_name.as_deref(), Some("old"));
    /// assert_eq!(info.notice.as_deref(), Some("welcome"));
    /// ```
    pub fn apply(&mut self, update: &UpdateRoomInfo) {
        let changes = update.room_info();
        fn replace<T: Clone>(slot: &mut Option<T>, change: &Option<T>) {
            if let Some(value) = change {
                *slot = Some(value.clone());
            }
        }
        replace(&mut self.room_name, &changes.room_name);
        replace(&mut self.max_member_count, &changes.max_member_count);
        replace(&mut self.is_message_disabled, &changes.is_message_disabled);
        replace(&mut self.cover_url, &changes.cover_url);
        replace(&mut self.category, &changes.category);
        replace(&mut self.activity_status, &changes.activity_status);
        replace(&mut self.is_public_visible, &changes.is_public_visible);
        replace(&mut self.take_seat_mode, &changes.take_seat_mode);
        replace(&mut self.notice, &changes.notice);
        self.unmodeled.extend(
            changes
                .unmodeled
                .iter()
                .map(|(name, value)| (name.clone(), value.clone())),
        );
    }

    /// Reads a `RoomInfo` from the JSON its `Serialize` implementation writes (the reply's
    /// `RoomInfo` object), as leniently as a reply is read.
    ///
    /// ```
    /// use roomkv_core::tencent::{RoomId, RoomInfo};
    /// let mut info = RoomInfo::new(RoomId::non_validated("live"));
    /// info.max_member_count = Some(300);
    /// let json = serde_json::to_value(&info).unwrap();
    /// assert_eq!(RoomInfo::from_json(&json).unwrap(), info);
    /// ```
    pub fn from_json(value: &Value) -> Result<Self, DecodeError> {
        Self::read(json::object(value, "RoomInfo")?)
    }

    /// Reads a `RoomInfo` object; text is taken as sent.
    fn read(object: &Object) -> Result<Self, DecodeError> {
        use json::{boolean, integer, optional, string};
        Ok(Self {
            room_id: RoomId::non_validated(string(json::required(object, "RoomId")?, "RoomId")?),
            room_type: optional(object, "RoomType", string)?,
            room_name: optional(object, "RoomName", string)?,
            owner_account: optional(object, "Owner_Account", json::string_or_number)?
                .map(Identifier::non_validated),
            max_member_count: optional(object, "MaxMemberCount", integer)?,
            cover_url: optional(object, "CoverURL", string)?,
            is_message_disabled: optional(object, "IsMessageDisabled", boolean)?,
            category: optional(object, "Category", read_category)?,
            is_public_visible: optional(object, "IsPublicVisible", boolean)?,
            is_seat_enabled: optional(object, "IsSeatEnabled", boolean)?,
            take_seat_mode: optional(object, "TakeSeatMode", TakeSeatMode::read)?,
            max_seat_count: optional(object, "MaxSeatCount", integer)?,
            activity_status: optional(object, "ActivityStatus", integer)?,
            create_time: optional(object, "CreateTime", integer)?,
            view_count: optional(object, "ViewCount", integer)?,
            notice: optional(object, "Notice", string)?,
            unmodeled: unmodeled_fields(object, &ROOM_INFO_FIELDS),
        })
    }

    /// Checks the settings a request sends, as `create_room` and `update_room_info` both take
    /// them: the room id, `RoomName`, `Owner_Account`, `CoverURL`, `Category`, a known
    /// `TakeSeatMode`, `Notice`, and unmodelled fields that do not repeat a modelled one.
    fn validate_settings(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.room_id.validate(limits)?;
        let tencent = &limits.tencent;
        if let Some(name) = &self.room_name {
            ROOM_NAME.check(name, tencent.room_name_max_bytes)?;
        }
        if let Some(owner) = &self.owner_account {
            owner.validate(limits)?;
        }
        if let Some(url) = &self.cover_url {
            COVER_URL.check(url, tencent.cover_url_max_bytes)?;
        }
        if let Some(category) = &self.category
            && category.len() > tencent.categories_max
        {
            return Err(ValidationError::TooMany {
                field: "Category",
                len: category.len(),
                max: tencent.categories_max,
                item: "value",
            });
        }
        if let Some(TakeSeatMode::Other(mode)) = &self.take_seat_mode {
            return Err(ValidationError::OutOfRange {
                field: "TakeSeatMode",
                value: mode.clone(),
                allowed: "FreeToTake, ApplyToTake",
            });
        }
        if let Some(notice) = &self.notice {
            NOTICE.check(notice, tencent.notice_max_bytes)?;
        }
        match self
            .unmodeled
            .keys()
            .find(|name| ROOM_INFO_FIELDS.contains(&name.as_str()))
        {
            Some(name) => Err(ValidationError::Duplicate {
                field: "RoomInfo",
                item: "field",
                value: name.clone(),
            }),
            None => Ok(()),
        }
    }

    /// Adds the unmodelled field `name`; a modelled name is refused by validation.
    fn set_unmodeled(&mut self, name: String, value: Value) {
        self.unmodeled.insert(name, value);
    }

    /// Reads the `RoomInfo` object nested in `parent`.
    fn read_in(parent: &Object) -> Result<Self, DecodeError> {
        Self::read(json::object(
            json::required(parent, "RoomInfo")?,
            "RoomInfo",
        )?)
    }
}

/// `{"RoomId": ...}`, the body of the commands that name only a room.
#[derive(Serialize)]
struct RoomIdBody<'a> {
    #[serde(rename = "RoomId")]
    room_id: &'a RoomId,
}

/// `{"RoomInfo": {...}}`.
#[derive(Serialize)]
struct RoomInfoBody<'a> {
    #[serde(rename = "RoomInfo")]
    room_info: &'a RoomInfo,
}

/// The setters `create_room` and `update_room_info` share, on a type whose settings are its
/// `info: RoomInfo`.
macro_rules! settings_setters {
    () => {
        /// Sets `RoomName` (at most 100 bytes; Tencent defaults it to the room id).
        pub fn room_name(mut self, name: impl Into<String>) -> Self {
            self.info.room_name = Some(name.into());
            self
        }

        /// Sets `MaxMemberCount` (Tencent defaults it to the package's limit).
        pub fn max_member_count(mut self, count: u32) -> Self {
            self.info.max_member_count = Some(count);
            self
        }

        /// Sets `CoverURL` (at most 200 bytes).
        pub fn cover_url(mut self, url: impl Into<String>) -> Self {
            self.info.cover_url = Some(url.into());
            self
        }

        /// Sets `IsMessageDisabled`: only the owner and admins may speak (Tencent's default:
        /// `false`).
        pub fn message_disabled(mut self, disabled: bool) -> Self {
            self.info.is_message_disabled = Some(disabled);
            self
        }

        /// Sets `Category` (at most 3 values).
        pub fn category(mut self, categories: impl IntoIterator<Item = i64>) -> Self {
            self.info.category = Some(categories.into_iter().collect());
            self
        }

        /// Sets `IsPublicVisible`: whether `get_room_list` lists the room.
        pub fn public_visible(mut self, visible: bool) -> Self {
            self.info.is_public_visible = Some(visible);
            self
        }

        /// Sets `TakeSeatMode` (Tencent's default: [`TakeSeatMode::FreeToTake`]).
        pub fn take_seat_mode(mut self, mode: TakeSeatMode) -> Self {
            self.info.take_seat_mode = Some(mode);
            self
        }

        /// Sets `ActivityStatus`, an app-defined number.
        pub fn activity_status(mut self, status: i64) -> Self {
            self.info.activity_status = Some(status);
            self
        }

        /// Sends `name` with the raw JSON `value` beside the modelled fields (a field roomkv
        /// does not model yet, such as `IsUnlimitedRoomEnabled`). A modelled name (`RoomName`)
        /// fails validation: set it with its own setter.
        pub fn unmodeled_field(mut self, name: impl Into<String>, value: Value) -> Self {
            self.info.set_unmodeled(name.into(), value);
            self
        }
    };
}

mod list;
mod update;

/// Creates a Live room (`create_room`). Only the room id is required; every setting left unset is
/// omitted from the request and takes Tencent's default.
///
/// Checked before sending: `RoomId` (1 to 48 bytes of printable ASCII), `RoomName` (at most 100
/// bytes), `CoverURL` (at most 200 bytes), `Category` (at most 3 values), `Owner_Account`, a
/// known `TakeSeatMode`, and unmodelled fields that repeat no modelled one. Fails with 100003
/// when the room id is taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateRoom {
    info: RoomInfo,
}

impl CreateRoom {
    /// A Live room named `room_id` with Tencent's defaults.
    pub fn new(room_id: RoomId) -> Self {
        let mut info = RoomInfo::new(room_id);
        info.room_type = Some(ROOM_TYPE_LIVE.to_owned());
        Self { info }
    }

    settings_setters!();

    /// Sets `Owner_Account`, an imported account (Tencent defaults it to the caller).
    pub fn owner(mut self, owner: Identifier) -> Self {
        self.info.owner_account = Some(owner);
        self
    }

    /// Sets `IsSeatEnabled`.
    pub fn seat_enabled(mut self, enabled: bool) -> Self {
        self.info.is_seat_enabled = Some(enabled);
        self
    }

    /// Sets `MaxSeatCount`.
    pub fn max_seat_count(mut self, count: u32) -> Self {
        self.info.max_seat_count = Some(count);
        self
    }

    /// The room id.
    pub fn room_id(&self) -> &RoomId {
        &self.info.room_id
    }

    /// The settings sent. `CreateTime` and `ViewCount` are never part of a create request.
    pub fn room_info(&self) -> &RoomInfo {
        &self.info
    }
}

const ROOM_NAME: TextRule = TextRule {
    field: "RoomName",
    unit: Unit::Bytes,
    charset: Charset::Any,
    allow_empty: true,
};

const COVER_URL: TextRule = TextRule {
    field: "CoverURL",
    unit: Unit::Bytes,
    charset: Charset::Any,
    allow_empty: true,
};

const NOTICE: TextRule = TextRule {
    field: "Notice",
    unit: Unit::Bytes,
    charset: Charset::Any,
    allow_empty: true,
};

impl Operation for CreateRoom {
    type Endpoint = Endpoint;
    type Output = ();
    const DECLARATION: Declaration =
        command!("create_room", CreateRoom, Effect::Write { notifies: false });

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        let info = &self.info;
        info.validate_settings(limits)?;
        match info.room_type.as_deref() {
            Some(ROOM_TYPE_LIVE) => {}
            Some(other) => {
                return Err(ValidationError::OutOfRange {
                    field: "RoomType",
                    value: other.to_owned(),
                    allowed: ROOM_TYPE_LIVE,
                });
            }
            None => {
                return Err(ValidationError::Empty {
                    field: "RoomType",
                    unit: Unit::Bytes,
                });
            }
        }
        Ok(())
    }

    fn encode(&self, endpoint: &Endpoint) -> Result<http::Request<Vec<u8>>, EncodeError> {
        endpoint.post(
            &Self::DECLARATION,
            &RoomInfoBody {
                room_info: &self.info,
            },
        )
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), ResponseError> {
        reply::parse::<NoPayload>(response).map(drop)
    }
}

/// Dissolves a Live room and its metadata (`destroy_room`). Fails with 100004 when the room does
/// not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestroyRoom {
    room_id: RoomId,
}

impl DestroyRoom {
    /// Dissolves `room_id`.
    pub fn new(room_id: RoomId) -> Self {
        Self { room_id }
    }

    /// The room id.
    pub fn room_id(&self) -> &RoomId {
        &self.room_id
    }
}

impl Operation for DestroyRoom {
    type Endpoint = Endpoint;
    type Output = ();
    const DECLARATION: Declaration = command!(
        "destroy_room",
        DestroyRoom,
        Effect::Write { notifies: false }
    );

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.room_id.validate(limits)
    }

    fn encode(&self, endpoint: &Endpoint) -> Result<http::Request<Vec<u8>>, EncodeError> {
        endpoint.post(
            &Self::DECLARATION,
            &RoomIdBody {
                room_id: &self.room_id,
            },
        )
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), ResponseError> {
        reply::parse::<NoPayload>(response).map(drop)
    }
}

/// Reads a Live room's settings (`get_room_info`), from `Response.RoomInfo`. Fails with 100004
/// when the room does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetRoomInfo {
    room_id: RoomId,
}

impl GetRoomInfo {
    /// Reads `room_id`.
    pub fn new(room_id: RoomId) -> Self {
        Self { room_id }
    }

    /// The room id.
    pub fn room_id(&self) -> &RoomId {
        &self.room_id
    }
}

impl Operation for GetRoomInfo {
    type Endpoint = Endpoint;
    type Output = RoomInfo;
    const DECLARATION: Declaration = command!("get_room_info", GetRoomInfo, Effect::Read);

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.room_id.validate(limits)
    }

    fn encode(&self, endpoint: &Endpoint) -> Result<http::Request<Vec<u8>>, EncodeError> {
        endpoint.post(
            &Self::DECLARATION,
            &RoomIdBody {
                room_id: &self.room_id,
            },
        )
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<RoomInfo, ResponseError> {
        let body: Value = reply::parse(response)?;
        let read = || {
            let body = body
                .as_object()
                .ok_or_else(|| DecodeError::new("the reply is not a JSON object"))?;
            let response = json::object(json::required(body, "Response")?, "Response")?;
            RoomInfo::read_in(response)
        };
        Ok(read()?)
    }
}

#[cfg(feature = "server")]
mod server {
    use super::*;
    use crate::ServerOperation;
    use crate::tencent::server::success_reply;

    /// Reads the `RoomId` of a body that names only a room.
    fn room_id_of(request: &http::Request<&[u8]>) -> Result<RoomId, DecodeError> {
        let body = json::body_object(request.body())?;
        let id = json::string(json::required(&body, "RoomId")?, "RoomId")?;
        Ok(RoomId::non_validated(id))
    }

    pub(super) fn empty_reply(request_id: Option<&str>) -> http::Response<Vec<u8>> {
        success_reply::<()>(None, request_id.unwrap_or(""))
    }

    impl ServerOperation for CreateRoom {
        fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
            let body = json::body_object(request.body())?;
            let mut info = RoomInfo::read_in(&body)?;
            info.create_time = None;
            info.view_count = None;
            Ok(Self { info })
        }

        fn encode_reply(_: &(), request_id: Option<&str>) -> http::Response<Vec<u8>> {
            empty_reply(request_id)
        }
    }

    impl ServerOperation for DestroyRoom {
        fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
            room_id_of(request).map(Self::new)
        }

        fn encode_reply(_: &(), request_id: Option<&str>) -> http::Response<Vec<u8>> {
            empty_reply(request_id)
        }
    }

    impl ServerOperation for GetRoomInfo {
        fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
            room_id_of(request).map(Self::new)
        }

        fn encode_reply(output: &RoomInfo, request_id: Option<&str>) -> http::Response<Vec<u8>> {
            success_reply(
                Some(&RoomInfoBody { room_info: output }),
                request_id.unwrap_or(""),
            )
        }
    }
}
