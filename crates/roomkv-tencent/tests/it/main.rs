//! Integration tests of roomkv-tencent: one binary, one module per area. No internet: requests
//! go to `CaptureClient` (scripted replies, captured requests) or to a hyper stub on
//! `127.0.0.1:0`; retries run under paused Tokio time.

mod builder;
mod e2e;
mod errors;
mod retry;
mod rooms;
mod secrets;
mod support;
mod usersig;
mod wire;
