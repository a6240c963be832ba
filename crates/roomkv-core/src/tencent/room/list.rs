//! `get_room_list`: the app's public Live rooms, a page at a time.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};
use serde_json::Value;

use super::{RoomInfo, read_category, unmodeled_fields};
use crate::tencent::json::{self, Object};
use crate::tencent::reply;
use crate::tencent::{Endpoint, Identifier, RoomId, command};
use crate::{
    Declaration, DecodeError, Effect, EncodeError, Limits, Operation, ResponseError,
    ValidationError,
};

/// Where the next page of `get_room_list` starts: the previous reply's `Next`, opaque.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct RoomListCursor(String);

impl RoomListCursor {
    /// A cursor a previous reply returned, as text.
    pub fn new(cursor: impl Into<String>) -> Self {
        Self(cursor.into())
    }

    /// The cursor as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RoomListCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Lists the app's rooms (`get_room_list`), sorted by `ViewCount`, most viewed first: one page of
/// `count` rooms (1 to 20) from `next` (`None`: the first page). Tencent lists only rooms whose
/// `IsPublicVisible` is not `false` (inferred). Both `Next` and `Count` are always sent, `Next` as
/// `""` for the first page, as Tencent's example does.
///
/// Its quota is its own and small: 10 requests/s per app.
///
/// ```
/// use roomkv_core::{Limits, Operation};
/// use roomkv_core::tencent::GetRoomList;
///
/// GetRoomList::first_page(20).validate(&Limits::default())?;
/// let err = GetRoomList::first_page(21).validate(&Limits::default()).unwrap_err();
/// assert_eq!(err.to_string(), "Count has 21 rooms, at most 20 allowed");
/// # Ok::<(), roomkv_core::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetRoomList {
    next: Option<RoomListCursor>,
    count: u32,
}

impl GetRoomList {
    /// The page of `count` rooms that starts at `next` (`None`: the first page).
    pub fn new(next: Option<RoomListCursor>, count: u32) -> Self {
        Self { next, count }
    }

    /// The first page of `count` rooms.
    pub fn first_page(count: u32) -> Self {
        Self::new(None, count)
    }

    /// The page of `count` rooms after the page whose `Next` was `cursor`.
    pub fn after(cursor: RoomListCursor, count: u32) -> Self {
        Self::new(Some(cursor), count)
    }

    /// Where the page starts (`None`: the first page).
    pub fn next(&self) -> Option<&RoomListCursor> {
        self.next.as_ref()
    }

    /// Rooms asked for.
    pub fn count(&self) -> u32 {
        self.count
    }
}

/// Writes an absent cursor as Tencent does: `""`.
fn cursor_or_empty<S: Serializer>(
    cursor: &Option<RoomListCursor>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(cursor.as_ref().map_or("", RoomListCursor::as_str))
}

/// `{"Next": "", "Count": 20}`.
#[derive(Serialize)]
struct RoomListBody<'a> {
    #[serde(rename = "Next", serialize_with = "cursor_or_empty")]
    next: &'a Option<RoomListCursor>,
    #[serde(rename = "Count")]
    count: u32,
}

/// One room of a `get_room_list` page, with the fields Tencent documents for it.
///
/// Read as leniently as [`RoomInfo`]: `Owner_Account` a string or a number; the fields roomkv
/// does not model are kept in [`RoomSummary::unmodeled`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RoomSummary {
    /// `RoomId`.
    #[serde(rename = "RoomId")]
    pub room_id: RoomId,
    /// `RoomName`.
    #[serde(rename = "RoomName", skip_serializing_if = "Option::is_none")]
    pub room_name: Option<String>,
    /// `Owner_Account`. Numbers are kept as their exact decimal digits.
    #[serde(rename = "Owner_Account", skip_serializing_if = "Option::is_none")]
    pub owner_account: Option<Identifier>,
    /// `CoverURL`.
    #[serde(rename = "CoverURL", skip_serializing_if = "Option::is_none")]
    pub cover_url: Option<String>,
    /// `Category`.
    #[serde(rename = "Category", skip_serializing_if = "Option::is_none")]
    pub category: Option<Vec<i64>>,
    /// `CreateTime`, Unix seconds.
    #[serde(rename = "CreateTime", skip_serializing_if = "Option::is_none")]
    pub create_time: Option<u64>,
    /// `ActivityStatus`.
    #[serde(rename = "ActivityStatus", skip_serializing_if = "Option::is_none")]
    pub activity_status: Option<i64>,
    /// `ViewCount`.
    #[serde(rename = "ViewCount", skip_serializing_if = "Option::is_none")]
    pub view_count: Option<u64>,
    /// The fields roomkv does not model, by name, as received.
    #[serde(flatten)]
    unmodeled: BTreeMap<String, Value>,
}

/// The fields [`RoomSummary`] models, by their wire names.
const SUMMARY_FIELDS: [&str; 8] = [
    "RoomId",
    "RoomName",
    "Owner_Account",
    "CoverURL",
    "Category",
    "CreateTime",
    "ActivityStatus",
    "ViewCount",
];

impl RoomSummary {
    /// The summary `get_room_list` gives of a room whose settings are `info`: its documented
    /// fields only.
    pub fn of(info: &RoomInfo) -> Self {
        Self {
            room_id: info.room_id.clone(),
            room_name: info.room_name.clone(),
            owner_account: info.owner_account.clone(),
            cover_url: info.cover_url.clone(),
            category: info.category.clone(),
            create_time: info.create_time,
            activity_status: info.activity_status,
            view_count: info.view_count,
            unmodeled: BTreeMap::new(),
        }
    }

    /// The fields roomkv does not model, by name, as raw JSON.
    pub fn unmodeled(&self) -> &BTreeMap<String, Value> {
        &self.unmodeled
    }

    /// Reads one room of `RoomList`; text is taken as sent.
    fn read(value: &Value) -> Result<Self, DecodeError> {
        use json::{integer, optional, string};
        let object = json::object(value, "RoomList")?;
        Ok(Self {
            room_id: RoomId::non_validated(string(json::required(object, "RoomId")?, "RoomId")?),
            room_name: optional(object, "RoomName", string)?,
            owner_account: optional(object, "Owner_Account", json::string_or_number)?
                .map(Identifier::non_validated),
            cover_url: optional(object, "CoverURL", string)?,
            category: optional(object, "Category", read_category)?,
            create_time: optional(object, "CreateTime", integer)?,
            activity_status: optional(object, "ActivityStatus", integer)?,
            view_count: optional(object, "ViewCount", integer)?,
            unmodeled: unmodeled_fields(object, &SUMMARY_FIELDS),
        })
    }
}

/// One page of `get_room_list`. Serializes as Tencent's `Response` object:
/// `{"Next": "…", "RoomList": [...]}`, `Next` `""` on the last page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RoomListPage {
    /// `Next`: where the next page starts; `None` (Tencent's `""`) on the last page.
    #[serde(rename = "Next", serialize_with = "cursor_or_empty")]
    pub next: Option<RoomListCursor>,
    /// `RoomList`: the rooms, most viewed first.
    #[serde(rename = "RoomList")]
    pub rooms: Vec<RoomSummary>,
}

impl RoomListPage {
    /// A page of `rooms`, followed by the page at `next` (`None`: the last page).
    pub fn new(rooms: Vec<RoomSummary>, next: Option<RoomListCursor>) -> Self {
        Self { next, rooms }
    }

    /// Whether this is the last page.
    pub fn is_last(&self) -> bool {
        self.next.is_none()
    }

    /// Reads the reply's `Response` object. A missing `RoomList` is an empty page.
    fn read(response: &Object) -> Result<Self, DecodeError> {
        let next = json::optional(response, "Next", json::string)?
            .filter(|next| !next.is_empty())
            .map(RoomListCursor);
        let rooms = match json::get(response, "RoomList") {
            Some(list) => json::array(list, "RoomList")?
                .iter()
                .map(RoomSummary::read)
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        Ok(Self { next, rooms })
    }
}

impl Operation for GetRoomList {
    type Endpoint = Endpoint;
    type Output = RoomListPage;
    const DECLARATION: Declaration = command!("get_room_list", GetRoomList, Effect::Read);

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        let max = limits.tencent.room_list_count_max;
        if self.count == 0 {
            return Err(ValidationError::NoItems {
                field: "Count",
                item: "room",
            });
        }
        if self.count > max {
            return Err(ValidationError::TooMany {
                field: "Count",
                len: self.count as usize,
                max: max as usize,
                item: "room",
            });
        }
        Ok(())
    }

    fn encode(&self, endpoint: &Endpoint) -> Result<http::Request<Vec<u8>>, EncodeError> {
        endpoint.post(
            &Self::DECLARATION,
            &RoomListBody {
                next: &self.next,
                count: self.count,
            },
        )
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<RoomListPage, ResponseError> {
        let body: Value = reply::parse(response)?;
        let read = || {
            let body = body
                .as_object()
                .ok_or_else(|| DecodeError::new("the reply is not a JSON object"))?;
            RoomListPage::read(json::object(json::required(body, "Response")?, "Response")?)
        };
        Ok(read()?)
    }
}

#[cfg(feature = "server")]
mod server {
    use super::*;
    use crate::ServerOperation;
    use crate::tencent::server::success_reply;

    impl ServerOperation for GetRoomList {
        /// Both fields are mandatory, as Tencent documents them.
        fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
            let body = json::body_object(request.body())?;
            let next = json::string(json::required(&body, "Next")?, "Next")?;
            let count = json::integer(json::required(&body, "Count")?, "Count")?;
            Ok(Self::new(
                Some(next).filter(|n| !n.is_empty()).map(RoomListCursor),
                count,
            ))
        }

        fn encode_reply(page: &RoomListPage, request_id: Option<&str>) -> http::Response<Vec<u8>> {
            success_reply(Some(page), request_id.unwrap_or(""))
        }
    }
}
