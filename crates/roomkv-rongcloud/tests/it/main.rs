//! Integration tests of roomkv-rongcloud: one binary, one module per area. No internet: a
//! `CaptureClient` or a hyper server on `127.0.0.1:0`, and paused time instead of sleeps.

mod builder;
#[cfg(feature = "hyper")]
mod e2e;
mod errors;
mod failover;
mod retry;
mod secrets;
mod support;
mod v4;
mod validation;
mod wire;
