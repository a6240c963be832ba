//! [`Region`]: Tencent's data centres, each a primary and a backup host.

roomkv_provider::regions! {
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
    pub enum Region for "Tencent" {
        /// China: `console.tim.qq.com`, backup `adminapi.my-imcloud.com`. The default.
        #[default]
        China = "china": "https://console.tim.qq.com", "https://adminapi.my-imcloud.com";
        /// Singapore: `adminapisgp.im.qcloud.com`, backup `adminapisgp.my-imcloud.com`.
        Singapore = "singapore": "https://adminapisgp.im.qcloud.com", "https://adminapisgp.my-imcloud.com";
        /// Seoul: `adminapikr.im.qcloud.com`, backup `adminapikr.my-imcloud.com`.
        Seoul = "seoul": "https://adminapikr.im.qcloud.com", "https://adminapikr.my-imcloud.com";
        /// Frankfurt: `adminapiger.im.qcloud.com`, backup `adminapiger.my-imcloud.com`.
        Frankfurt = "frankfurt": "https://adminapiger.im.qcloud.com", "https://adminapiger.my-imcloud.com";
        /// Mumbai: `adminapiind.im.qcloud.com`, backup `adminapiind.my-imcloud.com` (the backup is
        /// missing from some versions of Tencent's page).
        Mumbai = "mumbai": "https://adminapiind.im.qcloud.com", "https://adminapiind.my-imcloud.com";
        /// Silicon Valley (United States): `adminapiusa.im.qcloud.com`, backup
        /// `adminapiusa.my-imcloud.com`.
        SiliconValley = "silicon-valley": "https://adminapiusa.im.qcloud.com", "https://adminapiusa.my-imcloud.com";
        /// Jakarta: `adminapiidn.im.qcloud.com`, backup `adminapiidn.my-imcloud.com`.
        Jakarta = "jakarta": "https://adminapiidn.im.qcloud.com", "https://adminapiidn.my-imcloud.com";
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
