//! Integration tests of the emulator: state codes, a model-based property test, quotas, strict
//! mode, concurrency, and the server over real loopback sockets.

mod auth_seam;
mod common;
mod concurrency;
mod model;
mod quota;
mod server;
mod state_codes;
mod strict;
