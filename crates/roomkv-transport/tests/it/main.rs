//! Integration tests of roomkv-transport: one binary, one module per area.

mod failover;
#[cfg(feature = "hyper")]
mod hyper_client;
mod pipeline;
mod redis_limiter;
mod retry;
#[cfg(feature = "hyper")]
mod stub;
#[cfg(feature = "rustls")]
mod tls;
