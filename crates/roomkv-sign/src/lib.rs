//! Pure request signing for roomkv, in both directions.
//!
//! * [`rongcloud`]: the RongCloud / Nexconn API `Signature`, the lowercase hex SHA1 of
//!   `AppSecret ‖ Nonce ‖ Timestamp`, its constant-time verification, and a helper that puts the
//!   four signature headers on an [`http::request::Parts`].
//! * [`tencent`]: Tencent Cloud Chat UserSig v2 (TLSSigAPIv2) generation and verification, and
//!   the callback authentication `Sign` (hex SHA256 of token and `RequestTime`).
//!
//! The crate is sans-IO: there is no clock, no randomness, no environment access and no network.
//! The current time, nonces and keys are always arguments, so every result is reproducible and
//! testable against fixed vectors.
//!
//! Secrets live in newtypes ([`rongcloud::AppSecret`], [`tencent::SecretKey`],
//! [`tencent::UserSig`]) whose `Debug` prints a redaction and which have no `Display`; the value
//! is reachable only through an explicit `expose_secret()`. Errors never contain secrets.
//!
//! # Features
//!
//! | feature | enables | default |
//! |---|---|---|
//! | `rongcloud` | [`rongcloud`] signing (`sha1`) | yes |
//! | `tencent` | [`tencent`] UserSig generation (`hmac`, `sha2`, `base64`, `flate2`, `serde_json`) | yes |
//! | `verify` | the verification direction of each enabled vendor (`subtle`), used by the emulator | yes |
//! | `http` | `rongcloud::HeaderAuth`, which writes the signature headers on a request head | yes |
//!
//! `verify` is on by default because it is small (one extra dependency, `subtle`) and makes a
//! plain `roomkv-sign` dependency complete; workspace crates depend on this crate with
//! `default-features = false` and pick exactly what they need (the SDK clients: a vendor plus
//! `http`; the emulator: a vendor plus `verify`).
//!
//! [`http::request::Parts`]: https://docs.rs/http/1/http/request/struct.Parts.html

#[cfg(any(feature = "rongcloud", feature = "tencent"))]
mod hex;
#[cfg(feature = "rongcloud")]
pub mod rongcloud;
#[cfg(any(feature = "rongcloud", feature = "tencent"))]
mod secret;
#[cfg(feature = "tencent")]
pub mod tencent;
