//! What the commands of both vendors share: [`Secret`], [`Vendor`], the vendor command's clap
//! definition ([`VendorArgs`], [`Connection`]), the connection and quota flags ([`HostArgs`],
//! [`QuotaArgs`]) and how they configure either client, and
//! the bulk engine behind export, import and copy ([`bulk`]).
//!
//! The vendor modules ([`crate::rongcloud`], [`crate::tencent`]) and the commands that use both
//! vendors depend on this module; it depends on neither.

pub(crate) mod bulk;
mod connection;
mod quota;
mod seconds;
mod secret;
mod vendor;
mod vendor_args;

pub(crate) use self::connection::HostArgs;
pub(crate) use self::quota::QuotaArgs;
pub(crate) use self::seconds::{seconds, timeout};
pub(crate) use self::secret::Secret;
pub(crate) use self::vendor::Vendor;
pub(crate) use self::vendor_args::{Connection, NoFlags, VendorArgs, VendorFlags};
