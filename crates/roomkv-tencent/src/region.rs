//! [`Region`]: Tencent's data centres, each a primary and a backup host.

use std::fmt;
use std::str::FromStr;

use roomkv_provider::{RegionInfo, RegionTable, UnknownRegion, parse_region};

/// The data centre an SDKAppID lives in. Each has a primary and a backup REST host; the client
/// switches to the backup when the primary fails and returns after a cool-down.
///
/// The hosts are those of Tencent's Chat "RESTful API Overview". An app must use its own
/// region's hosts: another region's hosts answer with confusing errors. Apps created in the
/// console's international site (SDKAppIDs below 1400000000) are usually not in
/// [`Region::China`].
///
/// ```
/// use roomkv_tencent::Region;
///
/// assert_eq!(Region::Singapore.info().primary, "https://adminapisgp.im.qcloud.com");
/// assert_eq!(Region::Singapore.info().backup, "https://adminapisgp.my-imcloud.com");
/// assert_eq!("silicon-valley".parse::<Region>().unwrap(), Region::SiliconValley);
/// assert_eq!(Region::SiliconValley.to_string(), "silicon-valley");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Region {
    /// China: `console.tim.qq.com`, backup `adminapi.my-imcloud.com`. The default.
    #[default]
    China,
    /// Singapore: `adminapisgp.im.qcloud.com`, backup `adminapisgp.my-imcloud.com`.
    Singapore,
    /// Seoul: `adminapikr.im.qcloud.com`, backup `adminapikr.my-imcloud.com`.
    Seoul,
    /// Frankfurt: `adminapiger.im.qcloud.com`, backup `adminapiger.my-imcloud.com`.
    Frankfurt,
    /// Mumbai: `adminapiind.im.qcloud.com`, backup `adminapiind.my-imcloud.com` (the backup is
    /// missing from some versions of Tencent's page).
    Mumbai,
    /// Silicon Valley (United States): `adminapiusa.im.qcloud.com`, backup
    /// `adminapiusa.my-imcloud.com`.
    SiliconValley,
    /// Jakarta: `adminapiidn.im.qcloud.com`, backup `adminapiidn.my-imcloud.com`.
    Jakarta,
}

/// Tencent's table, in the order of [`Region`]'s variants: the name, the primary and the
/// backup host (Tencent's regions have no short code).
const TABLE: [RegionInfo; 7] = [
    RegionInfo::new(
        "china",
        None,
        "https://console.tim.qq.com",
        "https://adminapi.my-imcloud.com",
    ),
    RegionInfo::new(
        "singapore",
        None,
        "https://adminapisgp.im.qcloud.com",
        "https://adminapisgp.my-imcloud.com",
    ),
    RegionInfo::new(
        "seoul",
        None,
        "https://adminapikr.im.qcloud.com",
        "https://adminapikr.my-imcloud.com",
    ),
    RegionInfo::new(
        "frankfurt",
        None,
        "https://adminapiger.im.qcloud.com",
        "https://adminapiger.my-imcloud.com",
    ),
    RegionInfo::new(
        "mumbai",
        None,
        "https://adminapiind.im.qcloud.com",
        "https://adminapiind.my-imcloud.com",
    ),
    RegionInfo::new(
        "silicon-valley",
        None,
        "https://adminapiusa.im.qcloud.com",
        "https://adminapiusa.my-imcloud.com",
    ),
    RegionInfo::new(
        "jakarta",
        None,
        "https://adminapiidn.im.qcloud.com",
        "https://adminapiidn.my-imcloud.com",
    ),
];

impl Region {
    /// Every region, in the order of Tencent's table.
    pub const ALL: [Self; 7] = [
        Self::China,
        Self::Singapore,
        Self::Seoul,
        Self::Frankfurt,
        Self::Mumbai,
        Self::SiliconValley,
        Self::Jakarta,
    ];

    /// The region's row of Tencent's table: its name (what [`FromStr`] reads and `Display`
    /// writes), its primary and its backup host.
    pub const fn info(self) -> &'static RegionInfo {
        &TABLE[self as usize]
    }
}

impl RegionTable for Region {
    const VENDOR: &'static str = "Tencent";
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

    /// Reads a name, ignoring ASCII case; `_` may stand for `-`.
    fn from_str(s: &str) -> Result<Self, UnknownRegion> {
        parse_region(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_follow_tencents_table() {
        let table: Vec<(&str, &str)> = Region::ALL
            .iter()
            .map(|r| (r.info().primary, r.info().backup))
            .collect();
        assert_eq!(
            table,
            [
                (
                    "https://console.tim.qq.com",
                    "https://adminapi.my-imcloud.com"
                ),
                (
                    "https://adminapisgp.im.qcloud.com",
                    "https://adminapisgp.my-imcloud.com"
                ),
                (
                    "https://adminapikr.im.qcloud.com",
                    "https://adminapikr.my-imcloud.com"
                ),
                (
                    "https://adminapiger.im.qcloud.com",
                    "https://adminapiger.my-imcloud.com"
                ),
                (
                    "https://adminapiind.im.qcloud.com",
                    "https://adminapiind.my-imcloud.com"
                ),
                (
                    "https://adminapiusa.im.qcloud.com",
                    "https://adminapiusa.my-imcloud.com"
                ),
                (
                    "https://adminapiidn.im.qcloud.com",
                    "https://adminapiidn.my-imcloud.com"
                ),
            ]
        );
    }

    #[test]
    fn names_round_trip() {
        for region in Region::ALL {
            assert_eq!(region.info().name.parse::<Region>(), Ok(region));
            assert_eq!(
                region.to_string().to_uppercase().parse::<Region>(),
                Ok(region)
            );
        }
        assert_eq!(
            "Silicon_Valley".parse::<Region>(),
            Ok(Region::SiliconValley)
        );
        assert_eq!(<Region as RegionTable>::ALL, Region::ALL);
        for region in Region::ALL {
            assert_eq!(RegionTable::info(region), region.info());
        }
        let err = "mars".parse::<Region>().unwrap_err();
        assert!(
            err.to_string()
                .starts_with("unknown Tencent region \"mars\"")
        );
    }
}
