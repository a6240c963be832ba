//! `update_room_info`: change a Live room's settings.

use serde_json::Value;

use super::{RoomInfo, RoomInfoBody, TakeSeatMode};
use crate::tencent::reply::{self, NoPayload};
use crate::tencent::{Endpoint, RoomId, command};
use crate::{Declaration, Effect, EncodeError, Limits, Operation, ResponseError, ValidationError};

/// Changes a Live room's settings (`update_room_info`). Only the room id is required; settings
/// left unset are not sent and keep their value. Tencent answers 100004 when the room does not
/// exist.
///
/// Checked before sending: `RoomId` (1 to 48 bytes of printable ASCII), `RoomName` (at most 100
/// bytes), `CoverURL` (at most 200 bytes), `Category` (at most 3 values), a known
/// `TakeSeatMode`, `Notice` (at most 100 bytes), and unmodelled fields that repeat no modelled
/// one. It replaces the settings it sends, so sending it twice leaves the room as sending it
/// once: a silent, idempotent write.
///
/// ```
/// use roomkv_core::{Limits, Operation};
/// use roomkv_core::tencent::{RoomId, UpdateRoomInfo};
///
/// let op = UpdateRoomInfo::new(RoomId::parse("live-room")?)
///     .room_name("Friday quiz, round 2")
///     .notice("Questions at nine")
///     .category([1, 2]);
/// op.validate(&Limits::default())?;
/// let too_long = UpdateRoomInfo::new(RoomId::parse("live-room")?).notice("n".repeat(101));
/// assert_eq!(
///     too_long.validate(&Limits::default()).unwrap_err().to_string(),
///     "Notice has 101 bytes, at most 100 allowed"
/// );
/// # Ok::<(), roomkv_core::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateRoomInfo {
    info: RoomInfo,
}

impl UpdateRoomInfo {
    /// Changes nothing yet of `room_id`.
    pub fn new(room_id: RoomId) -> Self {
        Self {
            info: RoomInfo::new(room_id),
        }
    }

    /// The changes that make `room_id`'s settings those of `source` (another room's
    /// `get_room_info`): every setting `update_room_info` takes that `source` has. Unmodelled
    /// fields are not copied (some may be read-only); add them with
    /// [`UpdateRoomInfo::unmodeled_field`].
    pub fn copying(room_id: RoomId, source: &RoomInfo) -> Self {
        let mut update = Self::new(room_id);
        let info = &mut update.info;
        info.room_name.clone_from(&source.room_name);
        info.max_member_count = source.max_member_count;
        info.is_message_disabled = source.is_message_disabled;
        info.cover_url.clone_from(&source.cover_url);
        info.category.clone_from(&source.category);
        info.activity_status = source.activity_status;
        info.is_public_visible = source.is_public_visible;
        info.take_seat_mode.clone_from(&source.take_seat_mode);
        info.notice.clone_from(&source.notice);
        update
    }

    settings_setters!();

    /// Sets `Notice`, the room's announcement (at most 100 bytes).
    pub fn notice(mut self, notice: impl Into<String>) -> Self {
        self.info.notice = Some(notice.into());
        self
    }

    /// The room id.
    pub fn room_id(&self) -> &RoomId {
        &self.info.room_id
    }

    /// The changes sent: the settings that are `Some`, and the unmodelled fields.
    pub fn room_info(&self) -> &RoomInfo {
        &self.info
    }

    /// Whether the request changes nothing but names the room.
    pub fn is_empty(&self) -> bool {
        self.info == RoomInfo::new(self.info.room_id.clone())
    }
}

impl Operation for UpdateRoomInfo {
    type Endpoint = Endpoint;
    type Output = ();
    const DECLARATION: Declaration = command!(
        "update_room_info",
        UpdateRoomInfo,
        Effect::Write { notifies: false }
    );

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.info.validate_settings(limits)
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

#[cfg(feature = "server")]
mod server {
    use super::*;
    use crate::tencent::json;
    use crate::tencent::room::server::empty_reply;
    use crate::{DecodeError, ServerOperation};

    impl ServerOperation for UpdateRoomInfo {
        /// Reads `RoomInfo` as `create_room` does. The modelled fields `update_room_info` does
        /// not document (`RoomType`, `Owner_Account`, `IsSeatEnabled`, `MaxSeatCount`,
        /// `CreateTime`, `ViewCount`) are dropped, not applied (inferred); unmodelled ones are kept.
        fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
            let body = json::body_object(request.body())?;
            let read = RoomInfo::read_in(&body)?;
            let mut update = Self::copying(read.room_id.clone(), &read);
            update.info.unmodeled = read.unmodeled;
            Ok(update)
        }

        fn encode_reply(_: &(), request_id: Option<&str>) -> http::Response<Vec<u8>> {
            empty_reply(request_id)
        }
    }
}
