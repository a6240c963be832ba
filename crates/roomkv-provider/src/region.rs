//! Regions as data: a vendor's `Region` is a plain enum whose [`RegionTable::info`] is its row
//! of the vendor's table ([`RegionInfo`]: name, short code, primary and backup host), and
//! [`parse_region`] reads a name or code for its `FromStr`.

use std::fmt;

/// One row of a vendor's region table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RegionInfo {
    /// The region's name as `FromStr` reads it and `Display` writes it: `singapore`.
    pub name: &'static str,
    /// The short code the official SDKs use (`sg`), for a vendor whose regions have one.
    pub code: Option<&'static str>,
    /// The primary host's base URL.
    pub primary: &'static str,
    /// The backup host's base URL.
    pub backup: &'static str,
}

impl RegionInfo {
    /// A row of a table.
    pub const fn new(
        name: &'static str,
        code: Option<&'static str>,
        primary: &'static str,
        backup: &'static str,
    ) -> Self {
        Self {
            name,
            code,
            primary,
            backup,
        }
    }

    /// Both base URLs, primary first.
    pub const fn hosts(&self) -> [&'static str; 2] {
        [self.primary, self.backup]
    }
}

/// A vendor's regions: every region and each one's row of the table. Implemented by each
/// provider's `Region` enum, which names its vendor, its regions and its table; the row of a
/// region, its `Display` ([`RegionTable::name`]) and its `FromStr` ([`parse_region`]) follow.
pub trait RegionTable: Copy + Default + PartialEq + fmt::Debug + 'static {
    /// The vendor's name, for [`UnknownRegion`]'s message.
    const VENDOR: &'static str;
    /// Every region, in the order of the vendor's table.
    const ALL: &'static [Self];
    /// The vendor's table: one row per region, in the order of [`ALL`](Self::ALL).
    const TABLE: &'static [RegionInfo];

    /// The region's row of the table.
    fn info(self) -> &'static RegionInfo {
        let index = Self::ALL.iter().position(|region| *region == self);
        &Self::TABLE[index.expect("ALL lists every region")]
    }

    /// The region's name, as its `Display` writes it.
    fn name(self) -> &'static str {
        self.info().name
    }
}

/// Reads a region's name or short code, ignoring ASCII case and surrounding space; `_` may
/// stand for `-`. For a provider's `FromStr for Region`.
///
/// # Errors
///
/// [`UnknownRegion`] naming every region the table has.
pub fn parse_region<R: RegionTable>(text: &str) -> Result<R, UnknownRegion> {
    let wanted = text.trim().to_ascii_lowercase().replace('_', "-");
    R::ALL
        .iter()
        .copied()
        .find(|r| r.info().name == wanted || r.info().code == Some(wanted.as_str()))
        .ok_or_else(|| UnknownRegion {
            vendor: R::VENDOR,
            name: text.to_owned(),
            names: R::ALL.iter().map(|r| r.info().name).collect(),
            codes: R::ALL.iter().filter_map(|r| r.info().code).collect(),
        })
}

/// A region name that a vendor's table does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRegion {
    vendor: &'static str,
    name: String,
    names: Vec<&'static str>,
    codes: Vec<&'static str>,
}

impl fmt::Display for UnknownRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} region {:?}; expected one of {}",
            self.vendor,
            self.name,
            self.names.join(", ")
        )?;
        if !self.codes.is_empty() {
            write!(f, " (or {})", self.codes.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownRegion {}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    enum Test {
        #[default]
        North,
        SouthEast,
    }

    const TABLE: [RegionInfo; 2] = [
        RegionInfo::new(
            "north",
            Some("n"),
            "https://n.example",
            "https://n-b.example",
        ),
        RegionInfo::new(
            "south-east",
            None,
            "https://se.example",
            "https://se-b.example",
        ),
    ];

    impl RegionTable for Test {
        const VENDOR: &'static str = "Test";
        const ALL: &'static [Self] = &[Self::North, Self::SouthEast];
        const TABLE: &'static [RegionInfo] = &TABLE;
    }

    #[test]
    fn names_and_codes_are_read_loosely() {
        assert_eq!(parse_region::<Test>(" North "), Ok(Test::North));
        assert_eq!(parse_region::<Test>("N"), Ok(Test::North));
        assert_eq!(parse_region::<Test>("south_east"), Ok(Test::SouthEast));
        assert_eq!(
            parse_region::<Test>("mars").unwrap_err().to_string(),
            "unknown Test region \"mars\"; expected one of north, south-east (or n)"
        );
        assert_eq!(
            Test::SouthEast.info().hosts(),
            ["https://se.example", "https://se-b.example"]
        );
    }

    proptest! {
        /// Every name reads back as its region, whatever the case; nothing else reads.
        #[test]
        fn parsing_accepts_exactly_the_table(text in "[a-zA-Z_-]{0,12}") {
            let parsed = parse_region::<Test>(&text);
            let wanted = text.to_ascii_lowercase().replace('_', "-");
            let known = Test::ALL
                .iter()
                .find(|r| r.info().name == wanted || r.info().code == Some(wanted.as_str()));
            prop_assert_eq!(parsed.ok(), known.copied());
        }
    }
}
