//! [`Region`]: RongCloud's data centres, each a primary and a backup host.

roomkv_provider::regions! {
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
    pub enum Region for "RongCloud" {
        /// China (Beijing): `api.rong-api.com`, backup `api-b.rong-api.com`. The default.
        #[default]
        Beijing = "beijing" / "bj": "https://api.rong-api.com", "https://api-b.rong-api.com";
        /// Singapore: `api.sg-light-api.com`, backup `api-b.sg-light-api.com`.
        Singapore = "singapore" / "sg": "https://api.sg-light-api.com", "https://api-b.sg-light-api.com";
        /// Singapore B: `api.sg-b-light-api.com`, backup `api-b.sg-b-light-api.com` (not listed by
        /// Nexconn).
        SingaporeB = "singapore-b" / "sg-b": "https://api.sg-b-light-api.com", "https://api-b.sg-b-light-api.com";
        /// North America: `api.us-light-api.com`, backup `api-b.us-light-api.com`.
        NorthAmerica = "north-america" / "na": "https://api.us-light-api.com", "https://api-b.us-light-api.com";
        /// Saudi Arabia: `api.sau-light-api.com`, backup `api-b.sau-light-api.com`.
        SaudiArabia = "saudi-arabia" / "sau": "https://api.sau-light-api.com", "https://api-b.sau-light-api.com";
    }
}

impl Region {
    /// The short code the official SDKs use (`REGION_BJ`, `CenterEnum.SG`, …), which
    /// [`FromStr`](std::str::FromStr) also reads: `bj`, `sg`, `sg-b`, `na`, `sau`.
    pub const fn code(self) -> &'static str {
        match self.short_code() {
            Some(code) => code,
            None => "",
        }
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
