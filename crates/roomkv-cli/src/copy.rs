//! `roomkv copy`: a room's attributes into another room, of the same or the other vendor,
//! through the shared check-then-apply of [`crate::shared::bulk`]; with `--with-info`, a Tencent
//! room's settings too ([`info`]).

mod info;

use std::collections::BTreeMap;

use clap::Args;
use roomkv_rongcloud::{
    AttributeError, AttributeReport, Capacity, RoomAttributes, RoomAttributesView, UserId,
    ValidationError,
};
use roomkv_tencent::RoomId;
use serde::Serialize;

use crate::config::Profile;
use crate::failure::Failure;
use crate::output::{PairOut, one_line, print_json};
use crate::shared::HostArgs;
use crate::shared::bulk::{apply, check, summary};
use crate::{rongcloud, tencent};

use self::info::{InfoOut, InfoPlan};

const COPY_EXAMPLES: &str = "\
Examples:
  Copy a RongCloud chat room's entries into a Tencent room's metadata, on the emulator:
    roomkv copy --base-url http://127.0.0.1:8787 --from rongcloud:room1 --to tencent:live1

  And back, writing the entries as anchor:
    roomkv copy --from tencent:live1 --to rongcloud:room1 --owner anchor

  A Tencent room's metadata and settings (name, notice, cover, ...) into another Tencent room:
    roomkv copy --from tencent:live1 --to tencent:live2 --with-info

  What a copy would do, writing nothing:
    roomkv copy --from tencent:live1 --to tencent:live2 --with-info --dry-run

Output (stdout; a summary line on stderr):
  {\"ok\":true,\"from\":\"rongcloud:room1\",\"to\":\"tencent:live1\",\"applied\":3,\"skipped\":0,\"not_applied\":0,\"unknown\":0}

With --with-info, `info` lists the settings set in the target and those already equal:
  {\"ok\":true,...,\"info\":{\"changed\":{\"RoomName\":\"Friday quiz\",\"Notice\":\"Starts at 8\"},\"unchanged\":[\"CoverURL\",...]}}

With --dry-run, the keys it would set and the settings it would change (`info` with --with-info):
  {\"ok\":true,\"dry_run\":true,\"from\":\"tencent:live1\",\"to\":\"tencent:live2\",\"set\":[{\"key\":\"stage\",\"value\":\"quiz\"}],\"skipped\":0,\"info\":{...}}";

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

    /// Also copy the room's settings (both rooms Tencent): name, notice, cover, category,
    /// activity status, visibility, seat mode, message switch, member cap
    ///
    /// Both rooms' settings are read; when one differs, one update_room_info sends the source's
    /// settings after the keys were copied (nothing when all are equal). It is checked before
    /// anything is written.
    #[arg(long)]
    pub(crate) with_info: bool,

    /// Read both rooms and check the copy, print what it would set, write nothing
    #[arg(long)]
    pub(crate) dry_run: bool,

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
    /// The settings `--with-info` set and left (absent without it).
    #[serde(skip_serializing_if = "Option::is_none")]
    info: Option<InfoOut>,
}

/// The JSON document of `--dry-run`: what a copy would set.
#[derive(Serialize)]
struct DryRunOut<'a> {
    ok: bool,
    dry_run: bool,
    from: &'a str,
    to: &'a str,
    /// The keys whose value differs in the target, with the source's value.
    set: Vec<PairOut<'a>>,
    /// Keys the target already holds with the source's value.
    skipped: usize,
    /// The settings `--with-info` would set and leave (absent without it).
    #[serde(skip_serializing_if = "Option::is_none")]
    info: Option<InfoOut>,
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

    /// The Tencent client, when these are a Tencent room's attributes.
    fn tencent(&self) -> Option<&roomkv_tencent::Client> {
        match self {
            Self::RongCloud(_) => None,
            Self::Tencent(client) => Some(client),
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
        if args.with_info && (from_vendor, to_vendor) != ("tencent", "tencent") {
            return Err(Failure::refused(
                "--with-info copies a Tencent room's settings: both --from and --to must be tencent:ROOM",
            ));
        }
        let source = attrs(from_vendor, &args, profile, None)?;
        let target = attrs(to_vendor, &args, profile, owner.as_ref())?;
        let plan = match (source.tencent(), target.tencent()) {
            (Some(from), Some(to)) if args.with_info => {
                let rooms = (RoomId::parse(from_room)?, RoomId::parse(to_room)?);
                Some(InfoPlan::read((from, &rooms.0), (to, &rooms.1)).await?)
            }
            _ => None,
        };
        let pairs = source.get_all(from_room).await?.into_iter().collect();
        let names = [args.to.as_str(), args.from.as_str()];
        let keys = check(&target, to_room, pairs, names).await?;
        let what = format!("copy from {} to {}", args.from, args.to);
        if args.dry_run {
            summary(&format!(
                "{what}, dry run: {} to set, {} skipped, nothing written",
                keys.todo.len(),
                keys.skipped
            ));
            return print_json(&DryRunOut {
                ok: true,
                dry_run: true,
                from: &args.from,
                to: &args.to,
                set: keys.todo.iter().map(PairOut::of).collect(),
                skipped: keys.skipped,
                info: plan.map(InfoPlan::into_out),
            });
        }
        let outcome = apply(&target, to_room, keys, target.step()).await?;
        let info = match (plan, target.tencent()) {
            (Some(plan), Some(client)) if !outcome.failed() => {
                Some(plan.apply(client).await.map_err(|failure| Failure {
                    message: format!(
                        "{what}: the keys were copied, the settings were not: {}",
                        failure.message
                    ),
                    ..failure
                })?)
            }
            _ => None,
        };
        outcome.finish(&what, |out| {
            print_json(&CopyOut {
                ok: true,
                from: &args.from,
                to: &args.to,
                applied: out.applied,
                skipped: out.skipped,
                not_applied: out.not_applied,
                unknown: out.unknown,
                info,
            })
        })
    }
}
