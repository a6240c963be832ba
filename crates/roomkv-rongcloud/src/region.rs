//! [`Region`]: RongCloud's data centres, each a primary and a backup host.

use std::fmt;
use std::str::FromStr;

use roomkv_provider::{RegionInfo, RegionTable, UnknownRegion, parse_region};

/// The data centre an App Key lives in. Each has a primary and a backup API host; the client
/// switches to the backup when the primary fails and returns after a cool-down.
///
/// The hosts are those of RongCloud's "Server API domains" page (`docs/vendors/rongcloud.md#domains`); Nexconn
/// lists the same hosts for Singapore, North America and Saudi Arabia. An app must use its own
/// data centre's hosts: apps of the global data centres are not in [`Region::Beijing`].
///
/// ```
/// use roomkv_rongcloud::Region;
///
/// assert_eq!(Region::Singapore.info().primary, "https://api.sg-light-api.com");
/// assert_eq!(Region::Singapore.info().backup, "https://api-b.sg-light-api.com");
/// assert_eq!("north-america".parse::<Region>().unwrap(), Region::NorthAmerica);
/// assert_eq!("sg-b".parse::<Region>().unwrap(), Region::SingaporeB);
/// assert_eq!(Region::SaudiArabia.to_string(), "saudi-arabia");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Region {
    /// China (Beijing): `api.rong-api.com`, backup `api-b.rong-api.com`. The default.
    #[default]
    Beijing,
    /// Singapore: `api.sg-light-api.com`, backup `api-b.sg-light-api.com`.
    Singapore,
    /// Singapore B: `api.sg-b-light-api.com`, backup `api-b.sg-b-light-api.com` (not listed by
    /// Nexconn).
    SingaporeB,
    /// North America: `api.us-light-api.com`, backup `api-b.us-light-api.com`.
    NorthAmerica,
    /// Saudi Arabia: `api.sau-light-api.com`, backup `api-b.sau-light-api.com`.
    SaudiArabia,
}

/// RongCloud's table, in the order of [`Region`]'s variants: the name, the short code the
/// official SDKs use (`REGION_BJ`, `CenterEnum.SG`, …), the primary and the backup host.
const TABLE: [RegionInfo; 5] = [
    RegionInfo::new(
        "beijing",
        Some("bj"),
        "https://api.rong-api.com",
        "https://api-b.rong-api.com",
    ),
    RegionInfo::new(
        "singapore",
        Some("sg"),
        "https://api.sg-light-api.com",
        "https://api-b.sg-light-api.com",
    ),
    RegionInfo::new(
        "singapore-b",
        Some("sg-b"),
        "https://api.sg-b-light-api.com",
        "https://api-b.sg-b-light-api.com",
    ),
    RegionInfo::new(
        "north-america",
        Some("na"),
        "https://api.us-light-api.com",
        "https://api-b.us-light-api.com",
    ),
    RegionInfo::new(
        "saudi-arabia",
        Some("sau"),
        "https://api.sau-light-api.com",
        "https://api-b.sau-light-api.com",
    ),
];

impl Region {
    /// Every region, in the order of RongCloud's table.
    pub const ALL: [Self; 5] = [
        Self::Beijing,
        Self::Singapore,
        Self::SingaporeB,
        Self::NorthAmerica,
        Self::SaudiArabia,
    ];

    /// The region's row of RongCloud's table: its name (what [`FromStr`] reads and `Display`
    /// writes), its short code (`bj`, `sg`, `sg-b`, `na`, `sau`, which [`FromStr`] also
    /// reads), its primary and its backup host.
    pub const fn info(self) -> &'static RegionInfo {
        &TABLE[self as usize]
    }
}

impl RegionTable for Region {
    const VENDOR: &'static str = "RongCloud";
    const ALL: &'static [Self] = &Self::ALL;
    const TABLE: &'static [RegionInfo] = &TABLE;
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Region {
    type Err = UnknownRegion;

    /// Reads a name or a short code, ignoring ASCII case; `_` may stand for `-`.
    fn from_str(s: &str) -> Result<Self, UnknownRegion> {
        parse_region(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_follow_rongclouds_table() {
        let table: Vec<[&str; 2]> = Region::ALL.iter().map(|r| r.info().hosts()).collect();
        assert_eq!(
            table,
            [
                ["https://api.rong-api.com", "https://api-b.rong-api.com"],
                [
                    "https://api.sg-light-api.com",
                    "https://api-b.sg-light-api.com"
                ],
                [
                    "https://api.sg-b-light-api.com",
                    "https://api-b.sg-b-light-api.com"
                ],
                [
                    "https://api.us-light-api.com",
                    "https://api-b.us-light-api.com"
                ],
                [
                    "https://api.sau-light-api.com",
                    "https://api-b.sau-light-api.com"
                ],
            ]
        );
        assert_eq!(Region::default(), Region::Beijing);
        assert_eq!(<Region as RegionTable>::ALL, Region::ALL);
        for region in Region::ALL {
            assert_eq!(RegionTable::info(region), region.info());
        }
    }

    #[test]
    fn names_and_codes_round_trip() {
        for region in Region::ALL {
            let info = region.info();
            assert_eq!(info.name.parse::<Region>(), Ok(region));
            assert_eq!(info.code.unwrap().parse::<Region>(), Ok(region));
            assert_eq!(
                region.to_string().to_uppercase().parse::<Region>(),
                Ok(region)
            );
        }
        assert_eq!("Saudi_Arabia".parse::<Region>(), Ok(Region::SaudiArabia));
        let err = "mars".parse::<Region>().unwrap_err();
        assert!(
            err.to_string()
                .starts_with("unknown RongCloud region \"mars\"")
        );
    }
}
