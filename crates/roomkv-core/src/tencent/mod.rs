//! Tencent Cloud Live (`live_engine_http_srv`): rooms (create, destroy, info, update, list) and
//! room metadata.
//!
//! Every command is `POST /v4/live_engine_http_srv/{command}?sdkappid=&identifier=&usersig=&random=&contenttype=json`
//! with a JSON body. Core encodes everything except `usersig` and `random`, which the signer
//! appends afresh on every attempt.

use crate::validate::text_newtype;
use crate::{BaseUrl, Declaration, EncodeError};

mod json;
pub mod metadata;
mod reply;
pub mod room;
#[cfg(feature = "server")]
pub mod server;
#[cfg(test)]
mod tests;

pub use metadata::{DelRoomMetadata, GetRoomMetadata, MetadataEntry, SetRoomMetadata};
pub use room::{
    CreateRoom, DestroyRoom, GetRoomInfo, GetRoomList, RoomInfo, RoomListCursor, RoomListPage,
    RoomSummary, TakeSeatMode, UpdateRoomInfo,
};

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

crate::declaration::operations! {
    /// The `live_engine_http_srv` commands roomkv implements, one per operation type: the one
    /// list ([`server::Request`], [`server::PATHS`] and [`server::Handler`] are generated from
    /// it too).
    kind: Command,
    server: generated,
    operations: {
        /// `create_room`: [`CreateRoom`].
        CreateRoom => create_room,
        /// `destroy_room`: [`DestroyRoom`].
        DestroyRoom => destroy_room,
        /// `get_room_info`: [`GetRoomInfo`].
        GetRoomInfo => get_room_info,
        /// `get_room_metadata`: [`GetRoomMetadata`].
        GetRoomMetadata => get_room_metadata,
        /// `set_room_metadata`: [`SetRoomMetadata`].
        SetRoomMetadata => set_room_metadata,
        /// `del_room_metadata`: [`DelRoomMetadata`].
        DelRoomMetadata => del_room_metadata,
        /// `update_room_info`: [`UpdateRoomInfo`].
        UpdateRoomInfo => update_room_info,
        /// `get_room_list`: [`GetRoomList`] (its own quota: 10 requests/s).
        GetRoomList => get_room_list,
    }
}

/// The [`Declaration`] of the `live_engine_http_srv` command `$name` (operation `$kind`):
/// `POST` to [`SERVICE_PATH`]`$name`, one unit of the command's own quota per request.
macro_rules! command {
    ($name:literal, $kind:ident, $effect:expr) => {
        $crate::Declaration {
            name: $name,
            method: &http::Method::POST,
            paths: $crate::Paths::One(concat!("/v4/live_engine_http_srv/", $name)),
            quota: $crate::QuotaRule::per_request($crate::QuotaFamily::Tencent(
                $crate::tencent::Command::$kind,
            )),
            effect: $effect,
        }
    };
}
pub(crate) use command;

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
        self.url(command.declaration())
    }

    /// The URL of the declared command without `usersig` and `random`.
    fn url(&self, declaration: &Declaration) -> Result<http::Uri, EncodeError> {
        self.base.join(&self.path_and_query(declaration))
    }

    /// `/v4/live_engine_http_srv/{command}?sdkappid=..&identifier=..&contenttype=json`, built
    /// in one string (the SDKAppID written in place, not formatted into a string of its own).
    fn path_and_query(&self, declaration: &Declaration) -> String {
        use std::fmt::Write as _;

        let path = declaration.paths.first();
        let mut out = String::with_capacity(path.len() + 64 + self.admin.as_str().len());
        out.push_str(path);
        out.push_str("?sdkappid=");
        let _ = write!(out, "{}", self.sdkappid);
        out.push_str("&identifier=");
        out.extend(form_urlencoded::byte_serialize(
            self.admin.as_str().as_bytes(),
        ));
        out.push_str("&contenttype=json");
        out
    }

    /// Builds the unsigned JSON request of the declared command with `body`.
    pub(crate) fn post<T: serde::Serialize>(
        &self,
        declaration: &Declaration,
        body: &T,
    ) -> Result<http::Request<Vec<u8>>, EncodeError> {
        // Room for a typical body, so that serializing does not grow it member by member.
        let mut json = Vec::with_capacity(256);
        serde_json::to_writer(&mut json, body)
            .map_err(|e| EncodeError::new(format!("could not encode the body: {e}")))?;
        let mut request =
            self.base
                .post(&self.path_and_query(declaration), "application/json", json)?;
        *request.method_mut() = declaration.method.clone();
        Ok(request)
    }
}
