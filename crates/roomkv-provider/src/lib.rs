//! The vendor-neutral half of a roomkv client.
//!
//! roomkv-core is sans-IO (operations, codes and limits, no HTTP stack), and roomkv-transport
//! knows no vendor (an HTTP client, host failover, retries). A client needs both, and most of
//! what it does with them is the same for every vendor: check a request against the limits,
//! run the attempts through [`Pipeline`](roomkv_transport::pipeline::Pipeline), decide which
//! answers may be retried, and turn the last one into an error that says whether a write may
//! have been applied. That half lives here, once, so the provider crates (`roomkv-rongcloud`,
//! `roomkv-tencent`) keep only what is theirs: credentials and signing, their region table,
//! their typed methods and their docs.
//!
//! Users never need this crate directly: the provider crates re-export what they need under
//! their own names (`roomkv_rongcloud::Error` is `roomkv_provider::Error<RongCloud>`, …).
//!
//! | item | what |
//! |---|---|
//! | [`WriteRetry`], [`Validation`], [`policy`] | retry safety for writes; validation on or off; the mapping of answers to attempt outcomes |
//! | [`Error`], [`ErrorKind`], [`ErrorContext`], [`BuildError`], [`Vendor`] | why a request failed (a kind beside the context every kind shares), why a client could not be built, generic over what differs per vendor |
//! | [`Engine`], [`Signer`], [`SignContext`] | the request path: validate, sign each attempt, send, parse, classify, retry |
//! | [`RegionTable`], [`RegionInfo`], [`parse_region`] | a vendor's `Region` enum as data: each region's row of the table of hosts |
//! | [`RateLimit`], [`QuotaGate`] | the client-side rate limiter, and how each attempt is charged to the app's quotas |
//! | [`ClientBuilder`], [`ClientFactory`], [`Settings`] | one builder for every vendor: the settings every provider shares beside the vendor's own, built by the vendor's factory |
//! | [`bulk`] | writes of any size: splitting into chunks within the limits, the key-by-key [`BulkReport`] |
//! | [`attributes`] | [`RoomAttributes`]: one interface to both vendors' room attributes, with a vendor-neutral [`AttributeError`] |

pub mod attributes;
mod builder;
pub mod bulk;
mod engine;
mod error;
#[cfg(feature = "metrics")]
mod metrics;
pub mod policy;
mod quota;
mod region;
mod settings;

pub use attributes::{AttributeError, AttributeReport, Capacity, RoomAttributes, Violation};
pub use builder::{ClientBuilder, ClientFactory};
pub use bulk::{BulkReport, ChunkFailure};
pub use engine::{Engine, SignContext, Signer};
pub use error::{BuildError, Error, ErrorContext, ErrorKind, Vendor};
pub use policy::{Validation, WriteRetry};
pub use quota::{Charges, QuotaGate, RateLimit};
pub use region::{RegionInfo, RegionTable, UnknownRegion, parse_region};
pub use settings::{DEFAULT_TIMEOUT, Settings};

/// A provider's request span, named `$name`, with every field [`Engine::execute`] records:
/// roomkv's own (`path`, `request_id`, `host`, `attempt`, the vendor's `code`) and those of
/// OpenTelemetry's HTTP client semantic conventions (`http.request.method`, `server.address`,
/// `server.port`, `http.response.status_code`, `error.type`), then the caller's `$field`s.
///
/// ```
/// let span = roomkv_provider::request_span!("example_request", command = "get_room_info");
/// # let _ = span;
/// ```
#[macro_export]
macro_rules! request_span {
    ($name:literal $(, $($fields:tt)+)?) => {
        $crate::__private::tracing::debug_span!(
            $name,
            $($($fields)+,)?
            path = $crate::__private::tracing::field::Empty,
            request_id = $crate::__private::tracing::field::Empty,
            host = $crate::__private::tracing::field::Empty,
            attempt = $crate::__private::tracing::field::Empty,
            code = $crate::__private::tracing::field::Empty,
            http.request.method = $crate::__private::tracing::field::Empty,
            server.address = $crate::__private::tracing::field::Empty,
            server.port = $crate::__private::tracing::field::Empty,
            http.response.status_code = $crate::__private::tracing::field::Empty,
            error.type = $crate::__private::tracing::field::Empty,
        )
    };
}

/// What [`request_span!`] names; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use tracing;
}
