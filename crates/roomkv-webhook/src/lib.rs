//! roomkv-webhook: verify and parse the callbacks chat vendors send to application servers.
//!
//! | vendor | callback | verifier | event |
//! |---|---|---|---|
//! | RongCloud / Nexconn | chat-room attribute (KV) sync webhook | [`RongCloudWebhookVerifier`] | [`KvSyncEvent`] |
//! | Tencent Cloud Live | `Live.CallbackAfterSetMetadata`, `Live.CallbackAfterDelMetadata`, `Live.CallbackAfterUpdateRoomInfo` (body inferred) | [`TencentCallbackVerifier`] | [`TencentCallback`] |
//!
//! The crate is framework-agnostic and sans-IO: a verifier takes an [`http::Request`] whose body
//! is already read (anything `AsRef<[u8]>`) and the current time as an argument, and returns a
//! typed event or a typed [`WebhookError`]. It never reads a clock, spawns a task or touches the
//! network, so it works under hyper, axum, actix or a test.
//!
//! Every verifier checks, in order: the method (`POST`); the signed query parameters, each present
//! exactly once; the signature, compared in constant time (via `roomkv-sign`); the signed time
//! within a replay window of `now`, in both directions; the JSON content type; the body; and
//! finally that the callback was not accepted before within the window ([`NonceStore`], bounded
//! [`MemoryNonceStore`] by default). Errors never contain the shared secret.
//!
//! Neither vendor signs the body: the signature covers only a nonce and a time (RongCloud) or
//! only a time (Tencent). The replay window and the nonce store are what keep a captured
//! callback from being replayed with another body; keep callback URLs on HTTPS.
//!
//! `examples/hyper_server.rs` is a complete receiver over hyper.
//!
//! # Features
//!
//! | feature | default | what |
//! |---|---|---|
//! | `rongcloud` | yes | [`RongCloudWebhookVerifier`] |
//! | `tencent` | yes | [`TencentCallbackVerifier`] |

mod error;
mod replay;
mod request;
#[cfg(feature = "rongcloud")]
pub mod rongcloud;
#[cfg(feature = "tencent")]
pub mod tencent;

pub use crate::error::WebhookError;
pub use crate::replay::{Insert, MemoryNonceStore, NonceStore};
#[cfg(feature = "rongcloud")]
pub use crate::rongcloud::{KvChange, KvSyncEvent, RongCloudWebhookVerifier};
#[cfg(feature = "tencent")]
pub use crate::tencent::{MetadataItem, TencentCallback, TencentCallbackVerifier};
