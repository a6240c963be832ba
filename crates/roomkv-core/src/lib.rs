//! Sans-IO core of roomkv: typed identifiers and values, [`Limits`], validation, and the
//! [`Operation`] trait that turns each vendor operation into an unsigned `http::Request` and parses
//! the vendor's `http::Response`.
//!
//! This crate performs no IO, reads no clock and draws no random numbers: time, nonces and keys are
//! always arguments supplied by the layers above it.
//!
//! - [`rongcloud`]: RongCloud / Nexconn chat-room KV entries and message expansions.
//! - [`tencent`]: Tencent Cloud Live rooms and room metadata.
//! - [`Declaration`]: what is fixed about an endpoint, one `const` on each operation type.
//! - Feature `server`: the reverse direction (decode requests, encode replies) for the emulator.

mod api_error;
mod base_url;
#[cfg(test)]
mod corpus_examples;
mod declaration;
mod limits;
mod operation;
pub mod rongcloud;
pub mod tencent;
mod validate;

pub use api_error::{ApiCode, ApiError, CodeClass, RongCloudCode, TencentCode};
pub use base_url::BaseUrl;
pub use declaration::{Declaration, Paths, QuotaRule, QuotaUnit, Route, V4Paths};
pub use limits::{Limits, QuotaCost, QuotaFamily, RongCloudLimits, RongCloudRates, TencentLimits};
#[cfg(feature = "server")]
pub use operation::ServerOperation;
pub use operation::{DecodeError, Effect, EncodeError, Operation, ResponseError};
pub use validate::{Unit, ValidationError};
