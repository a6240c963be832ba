//! Integration tests of the emulator: state codes, a model-based property test, quotas, strict
//! mode, concurrency, the server over real loopback sockets (every documented code, every
//! operation's reply, the vendors' own example requests) and the in-memory HTTP client.

mod auth_seam;
mod common;
mod concurrency;
mod connections;
mod corpus_replies;
mod hostile;
mod journal;
mod late_landing;
mod memory;
mod model;
mod persist;
mod quota;
mod rooms;
mod seeds;
mod served;
mod server;
mod state_codes;
mod strict;
mod usersig_cache;
mod v4;
mod webhooks;
mod wire_codes;
mod wire_replies;
