//! The RongCloud / Nexconn client of roomkv: set, remove and read chat-room KV entries ("open
//! channel metadata" at Nexconn) and message expansions, safely and quickly, over RongCloud's
//! server API.
//!
//! - **Typed**: room ids, user ids, keys and values are parsed once ([`ChatroomId::parse`],
//!   [`EntryKey::parse`], [`EntryValue::parse`], …); requests are checked against RongCloud's
//!   documented [`Limits`] before anything is sent, the 100 KB body limit included.
//! - **Complete**: every legacy KV and expansion endpoint, batch remove included (which no
//!   official RongCloud SDK has), with `RC:chrmKVNotiMsg` notifications spelled right.
//! - **Signed per attempt**: every attempt carries a fresh nonce, a millisecond `Timestamp` and
//!   its own `Signature`; every operation carries an `X-Request-ID` that errors report.
//! - **Resilient**: each [`Region`] has a primary and a backup host; the client switches after
//!   connection failures, timeouts and gateway errors, remembers the switch, and returns to the
//!   primary after a cool-down.
//! - **Safe retries**: reads are retried after transient failures; writes only when RongCloud
//!   provably did not process them (connection refused, HTTP 429 / 1008), unless you opt in
//!   with [`WriteRetry::RepeatIdempotent`] (after a transient vendor error only), and never a
//!   write that notifies the room, nor one whose earlier attempt may still land late (a
//!   timeout, a reset, a gateway error). A write that failed with an unknown outcome says so
//!   ([`Error::is_outcome_unknown`]).
//! - **No secret leaks**: the App Secret and the signatures never appear in `Debug`, `Display`,
//!   errors or logs.
//!
//! # Quick start
//!
//! ```no_run
//! use roomkv_rongcloud::{
//!     AppKey, AppSecret, ChatroomId, Client, EntryKey, EntryValue, Region, RongCloudCode,
//!     RongCloudSettings as _, UserId,
//! };
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder()
//!     .app_key(AppKey::new(std::env::var("RONGCLOUD_APP_KEY")?))
//!     .app_secret(AppSecret::new(std::env::var("RONGCLOUD_APP_SECRET")?))
//!     .region(Region::Singapore)
//!     .build()?;
//!
//! let room = ChatroomId::parse("room1")?;
//! let anchor = UserId::parse("anchor")?;
//! let stage = EntryKey::parse("stage")?;
//! client
//!     .set_entry(&room, &anchor, stage.clone(), EntryValue::parse("quiz")?)
//!     .await?;
//! for entry in client.query_all_entries(&room).await? {
//!     println!("{} = {} (set by {})", entry.key, entry.value, entry.user_id);
//! }
//!
//! match client.remove_entry(&room, &anchor, EntryKey::parse("never-set")?).await {
//!     Ok(()) => {}
//!     Err(err) if err.api_code() == Some(RongCloudCode::DataNotFound) => {}
//!     Err(err) if err.is_outcome_unknown() => eprintln!("may or may not be removed: {err}"),
//!     Err(err) => return Err(err.into()),
//! }
//! # Ok(()) }
//! ```
//!
//! Options the shortcuts do not take (auto-delete, notifications, `isSyncSender`) are set on
//! the operation value, which [`Client::send`] sends:
//!
//! ```no_run
//! use roomkv_rongcloud::{
//!     ChatroomId, Client, EntryKey, EntryValue, Notification, SetEntry, UserId,
//! };
//!
//! # async fn demo(client: Client) -> Result<(), Box<dyn std::error::Error>> {
//! let seat = SetEntry::new(
//!     ChatroomId::parse("room1")?,
//!     UserId::parse("alice")?,
//!     EntryKey::parse("seat-3")?,
//!     EntryValue::parse("alice")?,
//! )
//! .auto_delete(true)
//! .notify(Notification::kv_change());
//! client.send(&seat).await?;
//! # Ok(()) }
//! ```
//!
//! # Dialects
//!
//! The client speaks RongCloud's legacy form API by default, or Nexconn's JSON `/v4/…` API
//! with [`RongCloudSettings::dialect`]`(`[`Dialect::V4`]`)`. The typed methods are the same in both;
//! see [`RongCloudSettings::dialect`] for the differences (no notifications on single-key writes in
//! v4).
//!
//! Against a local emulator, point the client at one host with
//! [`ClientBuilder::base_url`](roomkv_provider::ClientBuilder::base_url)`("http://127.0.0.1:PORT")`; plain `http://` is accepted for
//! loopback hosts only.
//!
//! # Modules
//!
//! | module | what |
//! |---|---|
//! | [`Client`], [`ClientBuilder`], [`RongCloudSettings`] | the client, its configuration (the shared settings, and RongCloud's through the trait), the typed methods and [`Client::send`] |
//! | [`Region`] | RongCloud's data centres: primary and backup hosts |
//! | [`Error`], [`ErrorKind`], [`BuildError`], [`CredentialsError`] | why a request failed, why a client could not be built |
//! | [`WriteRetry`], [`Validation`] | retry safety for writes; validation on or off |
//! | [`Client::set_entries`], [`Client::remove_entries`], [`Client::set_expansions`], [`Client::delete_expansions`] | writes of any size, split within the limits, with a key-by-key [`BulkReport`] |
//! | [`RoomAttributesView`] ([`Client::room_attributes`]) | the vendor-neutral [`RoomAttributes`] of chat-room entries, shared with the Tencent client |
//! | [`RateLimit`], [`limiter`] | the client-side rate limiter (on by default): requests wait for their slot in the vendor's quotas; `RedisLimiter` (feature `redis`) shares them with a fleet |
//! | re-exports | the operations and types of `roomkv-core`, [`AppKey`], [`AppSecret`], [`HeaderStyle`], and the transport knobs |
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `hyper` | yes (through `rustls`) | the built-in HTTP client; without it, pass your own with [`ClientBuilder::http_client`] |
//! | `rustls` | yes | HTTPS for the built-in client (rustls with `ring`) |
//! | `webpki-roots` | yes | trust the compiled-in Mozilla roots |
//! | `native-roots` | no | trust the platform's roots too |
//! | `redis` | no | `limiter::RedisLimiter`: one quota shared by a fleet of processes through Redis |
//! | `metrics` | no | client metrics through the `metrics` facade (requests, attempts, quota waits, retries, failovers); your application installs the recorder |
//! | `test-util` | no | `test_util`: fixed and manual clocks, fixed nonces, `CaptureClient` (for your tests; the injection points [`ClientBuilder::clock`], [`ClientBuilder::random_source`] and [`ClientBuilder::http_client`] are always public) |
//!
//! Sending needs a Tokio runtime with the time driver (and I/O for the built-in client).
//!
//! # Logging
//!
//! Each request runs in a `rongcloud_request` [`tracing`] span with its path, request id,
//! host and attempt number; each attempt logs at `debug` what it sent to which host and how it
//! ended. Header values are never logged.

mod auth;
mod builder;
mod bulk;
mod client;
mod dialect;
mod error;
mod region;

pub use builder::{ClientBuilder, DEFAULT_TIMEOUT, RongCloudConfig, RongCloudSettings};
pub use bulk::{EntryReport, ExpansionReport, RoomAttributesView};
pub use client::Client;
pub use error::{BuildError, CredentialsError, Error, ErrorKind, RongCloud};
pub use region::Region;
pub use roomkv_provider::{
    AttributeError, AttributeReport, BulkReport, Capacity, ChunkFailure, RateLimit, RoomAttributes,
    Validation, Violation, WriteRetry, attributes,
};
pub use roomkv_provider::{RegionInfo, UnknownRegion};
/// The client-side rate limiters ([`RateLimit::With`] takes one): roomkv-transport's
/// `limiter` module.
pub use roomkv_transport::limiter;

// What users need in their signatures, so they need not depend on the inner crates.
pub use roomkv_core::rongcloud::{
    BatchRemoveEntries, BatchSetEntries, ChatroomId, ConversationType, DeleteExpansion, Dialect,
    Endpoint, Entry, EntryKey, EntryValue, ExpansionEntry, ExpansionKey, ExpansionPage,
    ExpansionValue, InDialect, KV_NOTIFICATION_OBJECT_NAME, MsgUid, Notification,
    NotificationMessage, QueryEntries, QueryExpansion, RemoveEntry, RongCloudOperation, SetEntry,
    SetExpansion, TargetId, UserId,
};
pub use roomkv_core::{
    ApiError, CodeClass, DecodeError, Effect, EncodeError, Limits, Operation, QuotaFamily,
    RongCloudCode, RongCloudLimits, Unit, ValidationError,
};
pub use roomkv_sign::rongcloud::{AppKey, AppSecret, HeaderStyle};
#[cfg(feature = "hyper")]
pub use roomkv_transport::KeepAlive;
pub use roomkv_transport::{
    Clock, HttpClient, RandomSource, RetryPolicy, SharedHttpClient, TransportError,
};

/// Deterministic clocks and nonces and a capturing HTTP client for tests (feature
/// `test-util`): roomkv-transport's `test_util`, re-exported.
#[cfg(feature = "test-util")]
pub use roomkv_transport::test_util;
