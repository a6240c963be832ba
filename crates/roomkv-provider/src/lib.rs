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

pub mod policy;

pub use policy::{Validation, WriteRetry};
