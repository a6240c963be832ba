//! Every numeric limit the vendors document, as data.
//!
//! The defaults are the documented values ([`Limits::DOCUMENTED`]). Vendors raise quotas per app on
//! request, so every field can be overridden:
//!
//! ```
//! use roomkv_core::Limits;
//! let mut limits = Limits::default();
//! limits.rongcloud.rates.entry_set_kv_per_sec = 500;
//! assert_eq!(limits.rongcloud.batch_entries_max, 20);
//! ```
//!
//! Some limits can only be enforced by a server that holds state (the 100 keys per chat room, the
//! 300 expansions per message, Tencent's 10 keys and 16 KB per room). They are here so the emulator
//! and the client agree on one table, but the client never checks them.

use crate::tencent::Command;

/// All limits of both vendors.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// RongCloud / Nexconn limits (`docs/vendors/rongcloud.md#limits`, `#rates`).
    pub rongcloud: RongCloudLimits,
    /// Tencent Live limits (`docs/vendors/tencent.md#rates`, `#commands`, `#metadata-limits`).
    pub tencent: TencentLimits,
}

impl Limits {
    /// The vendor-documented limits.
    pub const DOCUMENTED: Self = Self {
        rongcloud: RongCloudLimits::DOCUMENTED,
        tencent: TencentLimits::DOCUMENTED,
    };

    /// The rate, per second, of a quota family.
    pub fn rate_per_sec(&self, family: QuotaFamily) -> u32 {
        let rc = &self.rongcloud.rates;
        match family {
            QuotaFamily::RongCloudEntrySet => rc.entry_set_kv_per_sec,
            QuotaFamily::RongCloudEntryRemove => rc.entry_remove_kv_per_sec,
            QuotaFamily::RongCloudEntryQuery => rc.entry_query_per_sec,
            QuotaFamily::RongCloudExpansionWrite => rc.expansion_write_per_sec,
            QuotaFamily::RongCloudExpansionGroupWrite => rc.expansion_group_write_per_sec,
            QuotaFamily::RongCloudExpansionQuery => rc.expansion_query_per_sec,
            QuotaFamily::Tencent(Command::GetRoomList) => self.tencent.room_list_per_sec,
            QuotaFamily::Tencent(_) => self.tencent.command_per_sec,
        }
    }

    /// These limits with every rate multiplied by `factor`, rounded down and at least 1 (a
    /// rate of 0, "not limited", stays 0): a client's limits for an emulator whose quotas are
    /// scaled by `factor` (its `rate_scale`), or for an app whose quotas the vendor raised
    /// uniformly. A factor that is not a positive number leaves the rates as they are.
    ///
    /// ```
    /// use roomkv_core::{Limits, QuotaFamily};
    ///
    /// let ten_times = Limits::DOCUMENTED.scale_rates(10.0);
    /// assert_eq!(ten_times.rate_per_sec(QuotaFamily::RongCloudEntrySet), 1000);
    /// assert_eq!(ten_times.tencent.command_per_sec, 2000);
    /// assert_eq!(ten_times.tencent.room_list_per_sec, 100);
    /// assert_eq!(Limits::DOCUMENTED.scale_rates(0.001).rongcloud.rates.entry_query_per_sec, 1);
    /// ```
    #[must_use]
    pub fn scale_rates(mut self, factor: f64) -> Self {
        if !(factor.is_finite() && factor > 0.0) {
            return self;
        }
        let scale = |rate: &mut u32| {
            if *rate > 0 {
                *rate = ((f64::from(*rate) * factor).floor() as u32).max(1);
            }
        };
        let rc = &mut self.rongcloud.rates;
        for rate in [
            &mut rc.entry_set_kv_per_sec,
            &mut rc.entry_remove_kv_per_sec,
            &mut rc.entry_query_per_sec,
            &mut rc.expansion_write_per_sec,
            &mut rc.expansion_group_write_per_sec,
            &mut rc.expansion_query_per_sec,
            &mut self.tencent.command_per_sec,
            &mut self.tencent.room_list_per_sec,
        ] {
            scale(rate);
        }
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::DOCUMENTED
    }
}

/// RongCloud / Nexconn limits.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RongCloudLimits {
    /// `chatroomId`: at most 64 bytes (official SDK validation tables).
    pub chatroom_id_max_bytes: usize,
    /// `userId`, `entryOwnerId`, `targetId`: at most 64 bytes.
    pub user_id_max_bytes: usize,
    /// `msgUID`: at most 64 bytes.
    pub msg_uid_max_bytes: usize,
    /// Chat-room entry key: at most 128 characters.
    pub entry_key_max_chars: usize,
    /// Chat-room entry value: at most 4096 characters.
    pub entry_value_max_chars: usize,
    /// Pairs per batch set and keys per batch remove: at most 20.
    pub batch_entries_max: usize,
    /// Keys per query: at most 100.
    pub query_keys_max: usize,
    /// Entries per chat room: at most 100 (server-side state; not a client check).
    pub entries_per_room_max: usize,
    /// Expansion key: at most 32 characters.
    pub expansion_key_max_chars: usize,
    /// Expansion value: at most 4096 characters.
    pub expansion_value_max_chars: usize,
    /// Expansion keys per set or delete call: at most 100.
    pub expansion_keys_per_call_max: usize,
    /// Expansions per message: at most 300 (server-side state; not a client check).
    pub expansions_per_message_max: usize,
    /// Expansions per query page: 300 (server behaviour).
    pub expansion_page_size: usize,
    /// `extra` of the `RC:chrmKVNotiMsg` notification: at most 2048 bytes.
    pub notification_extra_max_bytes: usize,
    /// Largest accepted request body: RongCloud wants less than 100 KB, so 102399 bytes; a
    /// larger body gets code 1508.
    pub request_body_max_bytes: usize,
    /// Request rates.
    pub rates: RongCloudRates,
}

impl RongCloudLimits {
    /// The documented values.
    pub const DOCUMENTED: Self = Self {
        chatroom_id_max_bytes: 64,
        user_id_max_bytes: 64,
        msg_uid_max_bytes: 64,
        entry_key_max_chars: 128,
        entry_value_max_chars: 4096,
        batch_entries_max: 20,
        query_keys_max: 100,
        entries_per_room_max: 100,
        expansion_key_max_chars: 32,
        expansion_value_max_chars: 4096,
        expansion_keys_per_call_max: 100,
        expansions_per_message_max: 300,
        expansion_page_size: 300,
        notification_extra_max_bytes: 2048,
        request_body_max_bytes: 100 * 1024 - 1,
        rates: RongCloudRates::DOCUMENTED,
    };
}

impl Default for RongCloudLimits {
    fn default() -> Self {
        Self::DOCUMENTED
    }
}

/// RongCloud request rates per app (`docs/vendors/rongcloud.md#rates`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RongCloudRates {
    /// Entry set and batch set share 100 KV/s, counted per KV.
    pub entry_set_kv_per_sec: u32,
    /// Entry remove and batch remove share 100 KV/s, counted per KV.
    pub entry_remove_kv_per_sec: u32,
    /// Entry query: 100 requests/s.
    pub entry_query_per_sec: u32,
    /// Expansion set and delete: 100 requests/s ...
    pub expansion_write_per_sec: u32,
    /// ... of which at most 20 on group messages.
    pub expansion_group_write_per_sec: u32,
    /// Expansion query: 100 requests/s.
    pub expansion_query_per_sec: u32,
}

impl RongCloudRates {
    /// The documented values.
    pub const DOCUMENTED: Self = Self {
        entry_set_kv_per_sec: 100,
        entry_remove_kv_per_sec: 100,
        entry_query_per_sec: 100,
        expansion_write_per_sec: 100,
        expansion_group_write_per_sec: 20,
        expansion_query_per_sec: 100,
    };
}

impl Default for RongCloudRates {
    fn default() -> Self {
        Self::DOCUMENTED
    }
}

/// Tencent Live limits.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TencentLimits {
    /// `RoomId`: at most 48 bytes.
    pub room_id_max_bytes: usize,
    /// Metadata key: at most 50 bytes.
    pub metadata_key_max_bytes: usize,
    /// One metadata value: at most 2048 bytes.
    pub metadata_value_max_bytes: usize,
    /// Keys per set request, and per room after the merge (server-side): at most 10.
    pub metadata_keys_max: usize,
    /// Sum of the values per set request, and per room after the merge (server-side): 16384 bytes.
    pub metadata_total_value_max_bytes: usize,
    /// `RoomName` of `create_room` and `update_room_info`: at most 100 bytes.
    pub room_name_max_bytes: usize,
    /// `CoverURL` of `create_room` and `update_room_info`: at most 200 bytes.
    pub cover_url_max_bytes: usize,
    /// `Category` of `create_room` and `update_room_info`: at most 3 values.
    pub categories_max: usize,
    /// `Notice` of `update_room_info`: at most 100 bytes.
    pub notice_max_bytes: usize,
    /// `Count` of `get_room_list`, rooms per page: at most 20 (and at least 1).
    pub room_list_count_max: u32,
    /// Each `live_engine_http_srv` command but `get_room_list`: 200 requests/s per app.
    pub command_per_sec: u32,
    /// `get_room_list`: 10 requests/s per app, its own quota.
    pub room_list_per_sec: u32,
}

impl TencentLimits {
    /// The documented values.
    pub const DOCUMENTED: Self = Self {
        room_id_max_bytes: 48,
        metadata_key_max_bytes: 50,
        metadata_value_max_bytes: 2048,
        metadata_keys_max: 10,
        metadata_total_value_max_bytes: 16 * 1024,
        room_name_max_bytes: 100,
        cover_url_max_bytes: 200,
        categories_max: 3,
        notice_max_bytes: 100,
        room_list_count_max: 20,
        command_per_sec: 200,
        room_list_per_sec: 10,
    };
}

impl Default for TencentLimits {
    fn default() -> Self {
        Self::DOCUMENTED
    }
}

/// A vendor quota that requests draw from. Rates are in [`Limits::rate_per_sec`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QuotaFamily {
    /// RongCloud entry set and batch set (counted per KV).
    RongCloudEntrySet,
    /// RongCloud entry remove and batch remove (counted per KV).
    RongCloudEntryRemove,
    /// RongCloud entry query (per request).
    RongCloudEntryQuery,
    /// RongCloud expansion set and delete, all conversation types (per request).
    RongCloudExpansionWrite,
    /// RongCloud expansion set and delete on group messages (per request, inside the above).
    RongCloudExpansionGroupWrite,
    /// RongCloud expansion query (per request).
    RongCloudExpansionQuery,
    /// One Tencent `live_engine_http_srv` command (per request).
    Tencent(Command),
}

impl QuotaFamily {
    /// A stable, short name for the family, for logs and the keys of a shared quota store:
    /// `entry-set`, `expansion-group-write`, or the Tencent command (`set_room_metadata`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::RongCloudEntrySet => "entry-set",
            Self::RongCloudEntryRemove => "entry-remove",
            Self::RongCloudEntryQuery => "entry-query",
            Self::RongCloudExpansionWrite => "expansion-write",
            Self::RongCloudExpansionGroupWrite => "expansion-group-write",
            Self::RongCloudExpansionQuery => "expansion-query",
            Self::Tencent(command) => command.as_str(),
        }
    }

    /// Every family, each once: what a client names its quota buckets for when it is built.
    pub fn all() -> impl Iterator<Item = Self> {
        [
            Self::RongCloudEntrySet,
            Self::RongCloudEntryRemove,
            Self::RongCloudEntryQuery,
            Self::RongCloudExpansionWrite,
            Self::RongCloudExpansionGroupWrite,
            Self::RongCloudExpansionQuery,
        ]
        .into_iter()
        .chain(Command::ALL.into_iter().map(Self::Tencent))
    }
}

/// What one request costs: up to two quota families, each with a number of units.
///
/// A group expansion set costs one unit of [`QuotaFamily::RongCloudExpansionWrite`] and one of
/// [`QuotaFamily::RongCloudExpansionGroupWrite`]; a batch set of 20 pairs costs 20 units of
/// [`QuotaFamily::RongCloudEntrySet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaCost {
    charges: [Option<(QuotaFamily, u32)>; 2],
}

impl QuotaCost {
    /// A cost of `units` in one family.
    pub const fn one(family: QuotaFamily, units: u32) -> Self {
        Self {
            charges: [Some((family, units)), None],
        }
    }

    /// This cost plus `units` in a second family.
    pub const fn and(self, family: QuotaFamily, units: u32) -> Self {
        Self {
            charges: [self.charges[0], Some((family, units))],
        }
    }

    /// The families charged and their units.
    pub fn charges(&self) -> impl Iterator<Item = (QuotaFamily, u32)> + '_ {
        self.charges.iter().flatten().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_quota_family_is_listed_once() {
        let all: Vec<QuotaFamily> = QuotaFamily::all().collect();
        for family in &all {
            // Exhaustive: a new family fails to compile here until it is listed in `all`.
            match family {
                QuotaFamily::RongCloudEntrySet
                | QuotaFamily::RongCloudEntryRemove
                | QuotaFamily::RongCloudEntryQuery
                | QuotaFamily::RongCloudExpansionWrite
                | QuotaFamily::RongCloudExpansionGroupWrite
                | QuotaFamily::RongCloudExpansionQuery
                | QuotaFamily::Tencent(_) => {}
            }
            assert_eq!(all.iter().filter(|f| *f == family).count(), 1, "{family:?}");
        }
        assert_eq!(all.len(), 6 + Command::ALL.len());
        let mut names: Vec<&str> = all.iter().map(|f| f.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len(), "names are unique");
    }
}
