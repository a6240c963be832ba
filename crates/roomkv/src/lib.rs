//! roomkv: the *room attribute* server APIs of chat vendors, from Rust.
//!
//! This crate re-exports the provider crates behind features, so one dependency gives the
//! clients you need:
//!
//! | module | crate | feature | what |
//! |---|---|---|---|
//! | [`rongcloud`] | `roomkv-rongcloud` | `rongcloud` (default) | RongCloud / Nexconn chat-room KV entries and message expansions |
//! | [`tencent`] | `roomkv-tencent` | `tencent` (default) | Tencent Cloud Live rooms and room metadata |
//! | `webhook` | `roomkv-webhook` | `webhook` | verifiers and typed events for the vendors' callbacks to your server |
//! | [`core`] | `roomkv-core` | always | the shared types: ids, keys and values, [`Limits`](roomkv_core::Limits), [`ApiError`](roomkv_core::ApiError), validation errors |
//!
//! Both providers look alike: a `Client` built with a `ClientBuilder` (region or base URL,
//! timeouts, retry policy, limits, validation, failover cool-down, and injection points for
//! the HTTP client, the clock and the nonce source), a `Region` with primary and backup hosts,
//! and one `Error` type with `is_retryable()`, `is_throttled()`, `is_outcome_unknown()`,
//! `api_code()`, `request_id()` and `attempts()`.
//!
//! # Example
//!
//! ```no_run
//! # #[cfg(feature = "rongcloud")]
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use roomkv::rongcloud::{
//!     AppKey, AppSecret, ChatroomId, Client, EntryKey, EntryValue, Region, RongCloudSettings as _,
//!     UserId,
//! };
//!
//! let client = Client::builder()
//!     .app_key(AppKey::new("your app key"))
//!     .app_secret(AppSecret::new("your app secret"))
//!     .region(Region::Singapore)
//!     .build()?;
//! let room = ChatroomId::parse("room1")?;
//! client
//!     .set_entry(&room, &UserId::parse("anchor")?, EntryKey::parse("stage")?, EntryValue::parse("quiz")?)
//!     .await?;
//! let entries = client.query_all_entries(&room).await?;
//! # let _ = entries;
//! # Ok(()) }
//! ```
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `rongcloud` | yes | [`rongcloud`] |
//! | `tencent` | yes | [`tencent`] |
//! | `hyper` | yes (through `rustls`) | the providers' built-in HTTP client |
//! | `rustls` | yes | HTTPS for the built-in client (rustls with `ring`) |
//! | `webpki-roots` | yes | trust the compiled-in Mozilla roots |
//! | `native-roots` | no | trust the platform's roots too |
//! | `redis` | no | `limiter::RedisLimiter` in the providers: one quota shared by a fleet through Redis |
//! | `webhook` | no | [`webhook`]: verify and parse the vendors' callbacks (RongCloud KV sync, Tencent Live metadata) |
//! | `metrics` | no | client metrics through the `metrics` facade in both providers (requests, attempts, quota waits, retries, failovers, UserSig renewals); the README lists them |
//! | `test-util` | no | the providers' `test_util`: fixed clocks and nonces, `CaptureClient` |

/// The shared, sans-IO types of all providers: typed ids, keys and values, [`Limits`],
/// [`ApiError`] and the vendor code tables, validation errors, and the `Operation` trait.
///
/// [`Limits`]: roomkv_core::Limits
/// [`ApiError`]: roomkv_core::ApiError
pub use roomkv_core as core;

/// [`RoomAttributes`](roomkv_provider::attributes::RoomAttributes): one interface to the room
/// attributes of both vendors, implemented by `rongcloud::RoomAttributesView` and
/// `tencent::Client`, with its vendor-neutral error and the pre-write capacity check.
pub use roomkv_provider::attributes;

/// Writes of any size: splitting into requests within the vendor limits and the key-by-key
/// [`BulkReport`](roomkv_provider::bulk::BulkReport).
pub use roomkv_provider::bulk;

/// The RongCloud / Nexconn client (feature `rongcloud`): chat-room KV entries and message
/// expansions.
#[cfg(feature = "rongcloud")]
pub use roomkv_rongcloud as rongcloud;

/// The Tencent Cloud Live client (feature `tencent`): rooms and room metadata.
#[cfg(feature = "tencent")]
pub use roomkv_tencent as tencent;

/// The repository README's Rust examples, compiled as doctests so the quick start cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

/// Verifiers for the callbacks the vendors send to application servers (feature `webhook`):
/// the RongCloud KV sync webhook and Tencent Live metadata callbacks, checked in constant time
/// against a replay window, returned as typed events.
#[cfg(feature = "webhook")]
pub use roomkv_webhook as webhook;
