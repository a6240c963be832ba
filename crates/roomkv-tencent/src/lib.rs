//! The Tencent Cloud Live client of roomkv: create, destroy, read, update and list Live rooms,
//! and set, read and delete their metadata (`live_engine_http_srv`), safely and quickly.
//!
//! - **Typed**: room ids, keys and values are parsed once ([`RoomId::parse`],
//!   [`MetadataKey::parse`], [`MetadataValue::parse`]); requests are checked against Tencent's
//!   documented [`Limits`] before anything is sent.
//! - **Authenticated for you**: the admin UserSig is generated from the secret key, cached, and
//!   renewed before it expires (or at once when Tencent rejects it); every attempt carries a
//!   fresh `random`.
//! - **Resilient**: each [`Region`] has a primary and a backup host; the client switches after
//!   connection failures, timeouts and gateway errors, and remembers the switch.
//! - **Safe retries**: reads are retried after transient failures; writes only when Tencent
//!   provably did not process them, unless you opt in with [`WriteRetry::RepeatIdempotent`]
//!   (after a transient vendor error only, never after an attempt that may still land late:
//!   a timeout, a reset, a gateway error). A write that failed with an unknown outcome says so
//!   ([`Error::is_outcome_unknown`]).
//! - **No secret leaks**: the secret key and the UserSig never appear in `Debug`, `Display`,
//!   errors or logs.
//!
//! # Quick start
//!
//! ```no_run
//! use roomkv_tencent::{
//!     Client, CreateRoom, MetadataKey, MetadataValue, Region, RoomId, SecretKey, TencentCode,
//!     TencentSettings as _,
//! };
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder()
//!     .sdkappid(1400000000)
//!     .secret_key(SecretKey::new(std::env::var("TENCENT_SECRET_KEY")?))
//!     .region(Region::Singapore)
//!     .build()?;
//!
//! let room = RoomId::parse("live-room")?;
//! client.create_room(CreateRoom::new(room.clone()).room_name("Friday quiz")).await?;
//!
//! let stage = MetadataKey::parse("stage")?;
//! client
//!     .set_room_metadata(&room, [(stage.clone(), MetadataValue::parse("quiz")?)])
//!     .await?;
//! for entry in client.get_all_room_metadata(&room).await? {
//!     println!("{} = {}", entry.key, entry.value);
//! }
//!
//! match client.del_room_metadata(&room, [MetadataKey::parse("never-set")?]).await {
//!     Ok(()) => {}
//!     Err(err) if err.api_code() == Some(TencentCode::MetadataKeysNotFound) => {}
//!     Err(err) if err.is_outcome_unknown() => eprintln!("may or may not be deleted: {err}"),
//!     Err(err) => return Err(err.into()),
//! }
//! client.destroy_room(&room).await?;
//! # Ok(()) }
//! ```
//!
//! Against a local emulator, point the client at one host with
//! [`ClientBuilder::base_url`]`("http://127.0.0.1:PORT")`; plain `http://` is accepted for
//! loopback hosts only.
//!
//! # Modules
//!
//! | module | what |
//! |---|---|
//! | [`Client`], [`ClientBuilder`] | the client, its configuration, the typed methods and [`Client::send`] |
//! | [`Client::update_room_info`], [`Client::get_room_list`], [`RoomListPager`] | room settings changed; the rooms listed a page at a time, or every page ([`Client::room_list`]) |
//! | [`Region`] | Tencent's data centres: primary and backup hosts |
//! | [`Error`], [`BuildError`] | why a request failed, why a client could not be built |
//! | [`WriteRetry`], [`Validation`] | retry safety for writes; validation on or off |
//! | [`Client::set_room_metadata_bulk`], [`Client::del_room_metadata_bulk`] | metadata writes of any size, split within the limits, with a key-by-key [`BulkReport`] |
//! | [`RoomAttributes`] for [`Client`] | the vendor-neutral interface to room metadata, shared with the RongCloud client |
//! | [`RateLimit`], [`limiter`] | the client-side rate limiter (on by default): requests wait for their slot in the vendor's quotas; `RedisLimiter` (feature `redis`) shares them with a fleet |
//! | re-exports | the operations and types of `roomkv-core`, [`SecretKey`], and the transport knobs |
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
//! | `metrics` | no | client metrics through the `metrics` facade (requests, attempts, quota waits, retries, failovers, UserSig renewals); your application installs the recorder |
//! | `test-util` | no | `test_util`: fixed and manual clocks, fixed nonces, `CaptureClient` (for your tests; the injection points [`ClientBuilder::clock`], [`ClientBuilder::random_source`] and [`ClientBuilder::http_client`] are always public) |
//!
//! Sending needs a Tokio runtime with the time driver (and I/O for the built-in client).

mod auth;
mod builder;
mod bulk;
mod client;
mod error;
mod pager;
mod policy;
mod region;

pub use builder::{
    ClientBuilder, DEFAULT_ADMIN, DEFAULT_TIMEOUT, DEFAULT_USERSIG_LIFETIME, MIN_USERSIG_LIFETIME,
    TencentConfig, TencentSettings,
};
pub use bulk::MetadataReport;
pub use client::Client;
pub use error::{BuildError, CredentialsError, Error, ErrorKind, Tencent};
pub use pager::RoomListPager;
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
// Every operation and the types of its fields and output, so a new operation is re-exported
// with the module that declares it.
pub use roomkv_core::tencent::metadata::*;
pub use roomkv_core::tencent::room::*;
pub use roomkv_core::tencent::{Command, Endpoint, Identifier, MetadataKey, MetadataValue, RoomId};
pub use roomkv_core::{
    ApiError, CodeClass, DecodeError, Effect, EncodeError, Limits, Operation, QuotaFamily,
    TencentCode, TencentLimits, ValidationError,
};
pub use roomkv_sign::tencent::SecretKey;
#[cfg(feature = "hyper")]
pub use roomkv_transport::KeepAlive;
pub use roomkv_transport::{
    Clock, HttpClient, RandomSource, RetryPolicy, SharedHttpClient, TransportError,
};

/// Deterministic clocks and nonces and a capturing HTTP client for tests (feature
/// `test-util`): roomkv-transport's `test_util`, re-exported.
#[cfg(feature = "test-util")]
pub use roomkv_transport::test_util;
