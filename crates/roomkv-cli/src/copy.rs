//! `roomkv copy`: a room's attributes into another room, of the same or the other vendor,
//! through the shared check-then-apply of [`crate::shared::bulk`].

use std::collections::BTreeMap;

use clap::Args;
use roomkv_rongcloud::{
    AttributeError, AttributeReport, Capacity, RoomAttributes, RoomAttributesView, UserId,
    ValidationError,
};
use serde::Serialize;

use crate::config::Profile;
use crate::failure::Failure;
use crate::output::{one_line, print_json};
use crate::shared::HostArgs;
use crate::shared::bulk::check_then_apply;
use crate::{rongcloud, tencent};

const COPY_EXAMPLES: &str = "\
Examples:
  Copy a RongCloud chat room's entries into a Tencent room's metadata, on the emulator:
    roomkv copy --base-url http://127.0.0.1:8787 --from rongcloud:room1 --to tencent:live1

  And back, writing the entries as anchor:
    roomkv copy --from tencent:live1 --to rongcloud:room1 --owner anchor

Output (stdout; a summary line on stderr):
  {\"ok\":true,\"from\":\"rongcloud:room1\",\"to\":\"tencent:live1\",\"applied\":3,\"skipped\":0,\"not_applied\":0,\"unknown\":0}";

/// Copy a room's attributes to another room, of the same or the other vendor.
///
/// Reads the source room and the target room, checks every key and value and the target
/// room's key count and value bytes after the copy against what the target vendor can hold,
/// and refuses with every violation listed (exit 2) before writing anything. Then sets the
/// keys whose value differs in the target, in requests within the target's limits. Keys the
/// target has and the source does not are kept. A rerun after an interruption skips what was
/// copied.
///
/// Credentials of both vendors come from the usual flags or environment variables; a vendor
/// that is not involved needs none.
#[derive(Debug, Args)]
#[command(after_long_help = COPY_EXAMPLES)]
pub(crate) struct CopyArgs {
    /// Source: rongcloud:ROOM or tencent:ROOM
    #[arg(long, value_name = "VENDOR:ROOM")]
    pub(crate) from: String,

    /// Target: rongcloud:ROOM or tencent:ROOM (a Tencent room must exist)
    #[arg(long, value_name = "VENDOR:ROOM")]
    pub(crate) to: String,

    /// User id RongCloud entries are written as (required when the target is rongcloud)
    #[arg(long, value_name = "USER")]
    pub(crate) owner: Option<String>,

    /// `--app-key` and `--app-secret`, when RongCloud is involved.
    #[command(flatten)]
    pub(crate) rongcloud: rongcloud::Credentials,

    /// `--sdkappid`, `--secret-key` and `--admin`, when Tencent is involved.
    #[command(flatten)]
    pub(crate) tencent: tencent::Credentials,

    /// `--base-url` and `--timeout`, for both vendors.
    #[command(flatten)]
    pub(crate) host: HostArgs,
}

/// The JSON document of a successful copy.
#[derive(Serialize)]
struct CopyOut<'a> {
    ok: bool,
    from: &'a str,
    to: &'a str,
    applied: usize,
    skipped: usize,
    not_applied: usize,
    unknown: usize,
}

/// Either vendor's [`RoomAttributes`], so a copy can pair any two.
enum Attrs {
    RongCloud(RoomAttributesView),
    Tencent(roomkv_tencent::Client),
}

impl Attrs {
    /// Keys per [`RoomAttributes::set_many`] call of a copy: one request's worth.
    fn step(&self) -> usize {
        match self {
            Self::RongCloud(view) => view.client().limits().rongcloud.batch_entries_max,
            Self::Tencent(client) => client.limits().tencent.metadata_keys_max,
        }
    }
}

/// Delegates to the vendor's implementation.
impl RoomAttributes for Attrs {
    fn vendor(&self) -> &'static str {
        match self {
            Self::RongCloud(a) => a.vendor(),
            Self::Tencent(a) => a.vendor(),
        }
    }

    fn capacity(&self) -> Capacity {
        match self {
            Self::RongCloud(a) => a.capacity(),
            Self::Tencent(a) => a.capacity(),
        }
    }

    fn check_key(&self, key: &str) -> Result<(), ValidationError> {
        match self {
            Self::RongCloud(a) => a.check_key(key),
            Self::Tencent(a) => a.check_key(key),
        }
    }

    fn check_value(&self, value: &str) -> Result<(), ValidationError> {
        match self {
            Self::RongCloud(a) => a.check_value(value),
            Self::Tencent(a) => a.check_value(value),
        }
    }

    async fn get(&self, room: &str, key: &str) -> Result<Option<String>, AttributeError> {
        match self {
            Self::RongCloud(a) => a.get(room, key).await,
            Self::Tencent(a) => a.get(room, key).await,
        }
    }

    async fn get_all(&self, room: &str) -> Result<BTreeMap<String, String>, AttributeError> {
        match self {
            Self::RongCloud(a) => a.get_all(room).await,
            Self::Tencent(a) => a.get_all(room).await,
        }
    }

    async fn set_many(
        &self,
        room: &str,
        pairs: Vec<(String, String)>,
    ) -> Result<AttributeReport, AttributeError> {
        match self {
            Self::RongCloud(a) => a.set_many(room, pairs).await,
            Self::Tencent(a) => a.set_many(room, pairs).await,
        }
    }

    async fn remove_many(
        &self,
        room: &str,
        keys: Vec<String>,
    ) -> Result<AttributeReport, AttributeError> {
        match self {
            Self::RongCloud(a) => a.remove_many(room, keys).await,
            Self::Tencent(a) => a.remove_many(room, keys).await,
        }
    }
}

/// `VENDOR:ROOM`, split.
fn endpoint(text: &str) -> Result<(&str, &str), Failure> {
    match text.split_once(':') {
        Some((vendor @ ("rongcloud" | "tencent"), room)) if !room.is_empty() => Ok((vendor, room)),
        _ => Err(Failure::refused(one_line(&format!(
            "{text:?} is not rongcloud:ROOM or tencent:ROOM"
        )))),
    }
}

/// The attributes of `vendor` with the credentials of `args` over `profile`'s; RongCloud
/// writes as `owner`.
fn attrs(
    vendor: &str,
    args: &CopyArgs,
    profile: &Profile,
    owner: Option<&UserId>,
) -> Result<Attrs, Failure> {
    if vendor == "tencent" {
        let connection = tencent::Connection::new(args.tencent.clone(), args.host.clone())
            .with_profile(&profile.tencent)?;
        return Ok(Attrs::Tencent(tencent::client(&connection)?));
    }
    let connection = rongcloud::Connection::new(args.rongcloud.clone(), args.host.clone())
        .with_profile(&profile.rongcloud)?;
    let client = rongcloud::client(&connection)?;
    // A source is only read, so its owner is never used.
    let owner = owner
        .cloned()
        .unwrap_or_else(|| UserId::non_validated("roomkv-copy-reader"));
    Ok(Attrs::RongCloud(client.room_attributes(owner)))
}

impl CopyArgs {
    /// Runs `roomkv copy`, with `profile`'s settings under the flags'.
    pub(crate) async fn run(self, profile: &Profile) -> Result<(), Failure> {
        let args = self;
        let (from_vendor, from_room) = endpoint(&args.from)?;
        let (to_vendor, to_room) = endpoint(&args.to)?;
        let owner = args.owner.clone().map(UserId::parse).transpose()?;
        if to_vendor == "rongcloud" && owner.is_none() {
            return Err(Failure::refused(
                "--owner is required when the target is rongcloud: RongCloud records an owner for every entry",
            ));
        }
        let source = attrs(from_vendor, &args, profile, None)?;
        let target = attrs(to_vendor, &args, profile, owner.as_ref())?;
        let pairs = source.get_all(from_room).await?.into_iter().collect();
        let step = target.step();
        let names = [args.to.as_str(), args.from.as_str()];
        let outcome = check_then_apply(&target, to_room, pairs, names, step).await?;
        let what = format!("copy from {} to {}", args.from, args.to);
        outcome.finish(&what, |out| {
            print_json(&CopyOut {
                ok: true,
                from: &args.from,
                to: &args.to,
                applied: out.applied,
                skipped: out.skipped,
                not_applied: out.not_applied,
                unknown: out.unknown,
            })
        })
    }
}
