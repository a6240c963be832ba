//! Tencent Cloud Live (`live_engine_http_srv`): rooms and room metadata.
//!
//! Every command is `POST /v4/live_engine_http_srv/{command}?sdkappid=&identifier=&usersig=&random=&contenttype=json`
//! with a JSON body. Core encodes everything except `usersig` and `random`, which the signer
//! appends afresh on every attempt.

use crate::validate::text_newtype;
use crate::{BaseUrl, EncodeError};

mod json;
pub mod metadata;
mod reply;
pub mod room;
#[cfg(feature = "server")]
pub mod server;
#[cfg(test)]
mod tests;

pub use metadata::{DelRoomMetadata, GetRoomMetadata, MetadataEntry, SetRoomMetadata};
pub use room::{CreateRoom, DestroyRoom, GetRoomInfo, RoomInfo, TakeSeatMode};

/// The service every Live command belongs to.
pub const SERVICE_PATH: &str = "/v4/live_engine_http_srv/";

text_newtype! {
    /// A Live room id: 1 to 48 bytes of printable ASCII.
    RoomId, field = "RoomId", unit = Bytes, charset = PrintableAscii, allow_empty = false,
    max = |l| l.tencent.room_id_max_bytes
}

text_newtype! {
    /// A room metadata key: 1 to 50 bytes.
    MetadataKey, field = "Key", unit = Bytes, charset = NoControl, allow_empty = false,
    max = |l| l.tencent.metadata_key_max_bytes
}

text_newtype! {
    /// A room metadata value: at most 2048 bytes.
    MetadataValue, field = "Value", unit = Bytes, charset = Any, allow_empty = true,
    max = |l| l.tencent.metadata_value_max_bytes
}

text_newtype! {
    /// An account identifier (UserID); requests are sent as an App admin account. 1 to 32 bytes.
    Identifier, field = "identifier", unit = Bytes, charset = NoControl, allow_empty = false,
    max = |_l| 32
}

/// The `live_engine_http_srv` commands roomkv implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Command {
    /// `create_room`.
    CreateRoom,
    /// `destroy_room`.
    DestroyRoom,
    /// `get_room_info`.
    GetRoomInfo,
    /// `get_room_metadata`.
    GetRoomMetadata,
    /// `set_room_metadata`.
    SetRoomMetadata,
    /// `del_room_metadata`.
    DelRoomMetadata,
}

impl Command {
    /// Every command.
    pub const ALL: [Self; 6] = [
        Self::CreateRoom,
        Self::DestroyRoom,
        Self::GetRoomInfo,
        Self::GetRoomMetadata,
        Self::SetRoomMetadata,
        Self::DelRoomMetadata,
    ];

    /// The command's name in the URL.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::CreateRoom => "create_room",
            Self::DestroyRoom => "destroy_room",
            Self::GetRoomInfo => "get_room_info",
            Self::GetRoomMetadata => "get_room_metadata",
            Self::SetRoomMetadata => "set_room_metadata",
            Self::DelRoomMetadata => "del_room_metadata",
        }
    }

    /// The command named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// Where Tencent requests go and as whom: a host, the app's SDKAppID and its admin account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The host.
    pub base: BaseUrl,
    /// The app's SDKAppID.
    pub sdkappid: u64,
    /// The App admin account the requests are sent as.
    pub admin: Identifier,
}

impl Endpoint {
    /// The URL of `command` without `usersig` and `random`.
    pub fn command_url(&self, command: Command) -> Result<http::Uri, EncodeError> {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("sdkappid", &self.sdkappid.to_string())
            .append_pair("identifier", self.admin.as_str())
            .append_pair("contenttype", "json")
            .finish();
        self.base
            .join(&format!("{SERVICE_PATH}{}?{query}", command.as_str()))
    }

    /// Builds the unsigned JSON `POST` of `command` with `body`.
    pub(crate) fn post<T: serde::Serialize>(
        &self,
        command: Command,
        body: &T,
    ) -> Result<http::Request<Vec<u8>>, EncodeError> {
        let body = serde_json::to_vec(body)
            .map_err(|e| EncodeError::new(format!("could not encode the body: {e}")))?;
        Ok(http::Request::post(self.command_url(command)?)
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(body)?)
    }
}
