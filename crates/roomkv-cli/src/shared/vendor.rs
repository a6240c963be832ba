//! [`Vendor`]: the two vendors, as the CLI spells them.

/// One of the two vendors, as the CLI spells them (`roomkv rongcloud ...`, `--vendor tencent`,
/// a parity scenario's `"vendor": "tencent"`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
#[value(rename_all = "lowercase")]
pub(crate) enum Vendor {
    /// RongCloud / Nexconn.
    RongCloud,
    /// Tencent Cloud Live.
    Tencent,
}

impl Vendor {
    /// `rongcloud` or `tencent`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::RongCloud => "rongcloud",
            Self::Tencent => "tencent",
        }
    }
}
