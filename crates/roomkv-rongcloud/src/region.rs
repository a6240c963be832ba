//! [`Region`]: RongCloud's data centres, each a primary and a backup host.

use std::fmt;
use std::str::FromStr;

/// The data centre an App Key lives in. Each has a primary and a backup API host; the client
/// switches to the backup when the primary fails and returns after a cool-down.
///
/// The hosts are those of RongCloud's "Server API domains" page (spec `rongcloud.md` §3); Nexconn
/// lists the same hosts for Singapore, North America and Saudi Arabia. An app must use its own
/// data centre's hosts: apps of the global data centres are not in [`Region::Beijing`].
///
/// ```
/// use roomkv_rongcloud::Region;
///
/// assert_eq!(Region::Singapore.primary(), "https://api.sg-light-api.com");
/// assert_eq!(Region::Singapore.backup(), "https://api-b.sg-light-api.com");
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

impl Region {
    /// Every region, in the order of RongCloud's table.
    pub const ALL: [Self; 5] = [
        Self::Beijing,
        Self::Singapore,
        Self::SingaporeB,
        Self::NorthAmerica,
        Self::SaudiArabia,
    ];

    /// The primary host's base URL.
    pub const fn primary(self) -> &'static str {
        match self {
            Self::Beijing => "https://api.rong-api.com",
            Self::Singapore => "https://api.sg-light-api.com",
            Self::SingaporeB => "https://api.sg-b-light-api.com",
            Self::NorthAmerica => "https://api.us-light-api.com",
            Self::SaudiArabia => "https://api.sau-light-api.com",
        }
    }

    /// The backup host's base URL.
    pub const fn backup(self) -> &'static str {
        match self {
            Self::Beijing => "https://api-b.rong-api.com",
            Self::Singapore => "https://api-b.sg-light-api.com",
            Self::SingaporeB => "https://api-b.sg-b-light-api.com",
            Self::NorthAmerica => "https://api-b.us-light-api.com",
            Self::SaudiArabia => "https://api-b.sau-light-api.com",
        }
    }

    /// Both base URLs, primary first.
    pub const fn hosts(self) -> [&'static str; 2] {
        [self.primary(), self.backup()]
    }

    /// The region's name as [`FromStr`] reads it: `beijing`, `singapore`, `singapore-b`,
    /// `north-america`, `saudi-arabia`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Beijing => "beijing",
            Self::Singapore => "singapore",
            Self::SingaporeB => "singapore-b",
            Self::NorthAmerica => "north-america",
            Self::SaudiArabia => "saudi-arabia",
        }
    }

    /// The short code the official SDKs use (`REGION_BJ`, `CenterEnum.SG`, …), which
    /// [`FromStr`] also reads: `bj`, `sg`, `sg-b`, `na`, `sau`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Beijing => "bj",
            Self::Singapore => "sg",
            Self::SingaporeB => "sg-b",
            Self::NorthAmerica => "na",
            Self::SaudiArabia => "sau",
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
    "unknown RongCloud region {name:?}; expected one of beijing, singapore, singapore-b, north-america, saudi-arabia (or bj, sg, sg-b, na, sau)"
)]
pub struct UnknownRegion {
    name: String,
}

impl FromStr for Region {
    type Err = UnknownRegion;

    /// Reads a [`Region::name`] or a [`Region::code`], ignoring ASCII case; `_` may stand for
    /// `-`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Self::ALL
            .into_iter()
            .find(|r| r.name() == wanted || r.code() == wanted)
            .ok_or_else(|| UnknownRegion { name: s.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_follow_rongclouds_table() {
        let table: Vec<[&str; 2]> = Region::ALL.iter().map(|r| r.hosts()).collect();
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
    }

    #[test]
    fn names_and_codes_round_trip() {
        for region in Region::ALL {
            assert_eq!(region.name().parse::<Region>(), Ok(region));
            assert_eq!(region.code().parse::<Region>(), Ok(region));
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
