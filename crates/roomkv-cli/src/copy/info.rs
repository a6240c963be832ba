//! `roomkv copy --with-info`: a Tencent room's settings (name, notice, cover, category, activity
//! status, visibility, seat mode, message switch, member cap: what
//! [`UpdateRoomInfo::copying`] takes) into another Tencent room.
//!
//! Both rooms' `RoomInfo` is read; when a setting differs, one `update_room_info` sends the
//! source's settings (an update replaces each field it names, so the equal ones stay equal),
//! and when none differs nothing is sent, so a rerun sends nothing. The request is checked
//! before the copy writes anything (a setting the target cannot take is refused with exit code
//! 2) and sent after the keys were copied.

use roomkv_tencent::{Client, Operation as _, RoomId, UpdateRoomInfo};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::failure::Failure;
use crate::tencent::room::settings;

/// What `--with-info` will do: the checked update, sent only when a setting differs.
pub(super) struct InfoPlan {
    op: UpdateRoomInfo,
    out: InfoOut,
}

/// The `info` part of a copy's output document.
#[derive(Debug, Serialize)]
pub(super) struct InfoOut {
    /// The settings the target holds differently (or not at all), with the source's value:
    /// Tencent's field names.
    changed: Map<String, Value>,
    /// The source's settings the target already holds alike.
    unchanged: Vec<String>,
}

impl InfoPlan {
    /// Reads both rooms' settings and plans the update; the request is validated against the
    /// target client's limits, so a setting the target cannot take is refused before anything
    /// is written.
    pub(super) async fn read(
        (source, from): (&Client, &RoomId),
        (target, to): (&Client, &RoomId),
    ) -> Result<Self, Failure> {
        let source_info = source.get_room_info(from).await?;
        let target_info = target.get_room_info(to).await?;
        let op = UpdateRoomInfo::copying(to.clone(), &source_info);
        op.validate(target.limits())?;
        let current = settings(&target_info)?;
        let mut out = InfoOut {
            changed: Map::new(),
            unchanged: Vec::new(),
        };
        for (name, value) in settings(op.room_info())? {
            if current.get(&name) == Some(&value) {
                out.unchanged.push(name);
            } else {
                out.changed.insert(name, value);
            }
        }
        Ok(Self { op, out })
    }

    /// Sends the update when a setting differs, and says what it set.
    pub(super) async fn apply(self, target: &Client) -> Result<InfoOut, Failure> {
        if !self.out.changed.is_empty() {
            target.update_room_info(&self.op).await?;
        }
        Ok(self.out)
    }

    /// What the update would set and leave, without sending it.
    pub(super) fn into_out(self) -> InfoOut {
        self.out
    }
}
