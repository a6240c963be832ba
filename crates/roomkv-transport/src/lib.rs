//! The vendor-agnostic HTTP layer of roomkv.
//!
//! Providers (RongCloud / Nexconn, Tencent) build and sign requests with the sans-IO crates and
//! hand them to this crate, which knows no vendor. It offers:
//!
//! - [`HttpClient`]: send one buffered request, get one buffered response. Implement it to
//!   bring your own HTTP stack; [`SharedHttpClient`] is the type-erased, cloneable form.
//! - [`HyperClient`] (feature `hyper`): the default client, hyper-util's pooled HTTP/1.1 client
//!   with rustls + ring (feature `rustls`), one time limit over the whole exchange, keep-alive
//!   with a 50 s idle timeout, and a cap on the response size.
//! - [`TransportError`]: opaque, with predicates that say how far a failed exchange got
//!   ([`is_connect`](TransportError::is_connect),
//!   [`may_have_been_sent`](TransportError::may_have_been_sent), …).
//! - [`HostSet`]: primary / backup host failover, remembered across requests, back to the
//!   primary after a cool-down.
//! - [`retry::run`]: a retry loop with exponential backoff and full jitter; the caller
//!   classifies each attempt.
//! - [`limiter`]: client-side rate limiting, so a request waits for its slot in the vendor's
//!   quota instead of being refused: [`LocalLimiter`](limiter::LocalLimiter) in process,
//!   `RedisLimiter` (feature `redis`) across a fleet.
//! - [`Clock`] and [`RandomSource`]: injectable time and randomness, with deterministic versions
//!   in [`test_util`] (feature `test-util`).
//!
//! Plain `http://` is accepted only for loopback hosts ([`check_url`]); TLS is always verified.
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `hyper` | yes | [`HyperClient`] (plain http to loopback only, without `rustls`) |
//! | `rustls` | yes | HTTPS for [`HyperClient`] through rustls with the `ring` provider |
//! | `webpki-roots` | yes | trust the compiled-in Mozilla roots |
//! | `native-roots` | no | also trust the platform's roots (through `rustls-native-certs`) |
//! | `redis` | no | `limiter::RedisLimiter`: one quota shared by a fleet of processes through Redis |
//! | `metrics` | no | [`metrics`]: quota waits, attempts, retries and failovers through the `metrics` facade |
//! | `test-util` | no | `FixedClock`, `ManualClock`, `FixedRandom`, `SequenceRandom`, `CaptureClient`, … |
//!
//! Without default features the crate still offers the traits, failover and retry, for use
//! with your own [`HttpClient`].
//!
//! # A request with failover and retry
//!
//! ```
//! use roomkv_transport::retry::{self, RetryDecision, RetryPolicy};
//! use roomkv_transport::{
//!     HostSet, HttpClient, OsRandomSource, TransportError, is_failover_status,
//! };
//!
//! async fn ping(
//!     http: &impl HttpClient,
//!     hosts: &HostSet,
//! ) -> Result<http::StatusCode, TransportError> {
//!     let policy = RetryPolicy::default();
//!     let done = retry::run(
//!         &policy,
//!         &OsRandomSource,
//!         |_attempt| async {
//!             let host = hosts.current();
//!             // Build (and sign) the request afresh for every attempt.
//!             let url = format!("{}ping", host.base());
//!             let req = http::Request::post(url).body(Vec::new()).unwrap();
//!             let result = http.send(req).await;
//!             let failed_over = match &result {
//!                 Err(e) => e.is_timeout() || e.is_connect(),
//!                 Ok(resp) => is_failover_status(resp.status(), &[]),
//!             };
//!             if failed_over {
//!                 hosts.report_failure(&host);
//!             }
//!             result
//!         },
//!         |result| match result {
//!             Ok(resp) if resp.status().is_server_error() => RetryDecision::Retry,
//!             Ok(resp) if resp.status() == 429 => RetryDecision::RetryThrottled,
//!             Err(e) if !e.may_have_been_sent() => RetryDecision::Retry,
//!             _ => RetryDecision::Done,
//!         },
//!     )
//!     .await;
//!     done.output.map(|resp| resp.status())
//! }
//! ```

mod client;
mod error;
mod failover;
#[cfg(feature = "hyper")]
mod hyper_client;
pub mod limiter;
pub mod metrics;
pub mod pipeline;
pub mod retry;
pub mod safety;
#[cfg(feature = "test-util")]
pub mod test_util;
mod time;
mod url;

pub use client::{
    BoxFuture, DynHttpClient, HttpClient, HttpRequest, HttpResponse, SharedHttpClient,
};
pub use error::{BoxError, TransportError};
pub use failover::{DEFAULT_COOL_DOWN, HostChoice, HostSet, is_failover_status};
#[cfg(feature = "hyper")]
pub use hyper_client::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT,
    HyperClient, HyperClientBuilder, KeepAlive,
};
pub use retry::{RetryDecision, RetryPolicy};
pub use time::{Clock, OsRandomSource, RandomSource, SharedClock, SharedRandomSource, SystemClock};
pub use url::check_url;
