//! [`Region`]: Tencent's data centres, each a primary and a backup host.

use std::fmt;
use std::str::FromStr;

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
/// assert_eq!(Region::Singapore.primary(), "https://adminapisgp.im.qcloud.com");
/// assert_eq!(Region::Singapore.backup(), "https://adminapisgp.my-imcloud.com");
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

    /// The primary host's base URL.
    pub const fn primary(self) -> &'static str {
        match self {
            Self::China => "https://console.tim.qq.com",
            Self::Singapore => "https://adminapisgp.im.qcloud.com",
            Self::Seoul => "https://adminapikr.im.qcloud.com",
            Self::Frankfurt => "https://adminapiger.im.qcloud.com",
            Self::Mumbai => "https://adminapiind.im.qcloud.com",
            Self::SiliconValley => "https://adminapiusa.im.qcloud.com",
            Self::Jakarta => "https://adminapiidn.im.qcloud.com",
        }
    }

    /// The backup host's base URL.
    pub const fn backup(self) -> &'static str {
        match self {
            Self::China => "https://adminapi.my-imcloud.com",
            Self::Singapore => "https://adminapisgp.my-imcloud.com",
            Self::Seoul => "https://adminapikr.my-imcloud.com",
            Self::Frankfurt => "https://adminapiger.my-imcloud.com",
            Self::Mumbai => "https://adminapiind.my-imcloud.com",
            Self::SiliconValley => "https://adminapiusa.my-imcloud.com",
            Self::Jakarta => "https://adminapiidn.my-imcloud.com",
        }
    }

    /// Both base URLs, primary first.
    pub const fn hosts(self) -> [&'static str; 2] {
        [self.primary(), self.backup()]
    }

    /// The region's name as [`FromStr`] reads it: `china`, `singapore`, `seoul`, `frankfurt`,
    /// `mumbai`, `silicon-valley`, `jakarta`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::China => "china",
            Self::Singapore => "singapore",
            Self::Seoul => "seoul",
            Self::Frankfurt => "frankfurt",
            Self::Mumbai => "mumbai",
            Self::SiliconValley => "silicon-valley",
            Self::Jakarta => "jakarta",
        }
    }
}

impl roomkv_provider::RegionHosts for Region {
    fn region_hosts(self) -> [&'static str; 2] {
        self.hosts()
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A region name that [`Region`]'s [`FromStr`] does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown Tencent region {name:?}; expected one of china, singapore, seoul, frankfurt, mumbai, silicon-valley, jakarta"
)]
pub struct UnknownRegion {
    name: String,
}

impl FromStr for Region {
    type Err = UnknownRegion;

    /// Reads a [`Region::name`], ignoring ASCII case; `_` may stand for `-`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Self::ALL
            .into_iter()
            .find(|r| r.name() == wanted)
            .ok_or_else(|| UnknownRegion { name: s.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_follow_tencents_table() {
        let table: Vec<(&str, &str)> = Region::ALL
            .iter()
            .map(|r| (r.primary(), r.backup()))
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
            assert_eq!(region.name().parse::<Region>(), Ok(region));
            assert_eq!(
                region.to_string().to_uppercase().parse::<Region>(),
                Ok(region)
            );
        }
        assert_eq!(
            "Silicon_Valley".parse::<Region>(),
            Ok(Region::SiliconValley)
        );
        let err = "mars".parse::<Region>().unwrap_err();
        assert!(
            err.to_string()
                .starts_with("unknown Tencent region \"mars\"")
        );
    }
}
