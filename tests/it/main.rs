//! End-to-end tests: the real clients, over real sockets, against the emulator on `127.0.0.1:0`.
//!
//! One integration binary with one module per area:
//!
//! | module | what |
//! |---|---|
//! | [`attributes`] | the `RoomAttributes` conformance suite, run against both clients; bulk writes and their partial failures |
//! | [`campaign`] | the fault campaign: 10,000 operations under faults and a primary outage |
//! | [`dialects`] | one behavioural suite run in both RongCloud dialects (legacy and Nexconn v4) |
//! | [`rongcloud`] | every RongCloud operation and error code |
//! | [`tencent`] | every Tencent operation and error code |
//! | [`retry`] | the retry rules of both clients, shown with fault injection |
//! | [`secrets`] | no secret in any `Debug`, `Display`, error or TRACE log line of full runs of both clients and the emulator |
//! | [`fair_waiting`] | waiting for the client's quota is first come, first served; a request that cannot make it fails at once |
//! | [`metrics`] | the clients' metrics, recorded exactly for scripted runs: a throttled burst, a failover and back, a lost reply, a local refusal, a UserSig renewal |
//! | [`failover`] | host failover and the cool-down, with two emulator instances |
//! | [`quota`] | client-side rate limiting at the emulator's quotas, in one process and in a fleet sharing Redis |
//! | [`webhooks`] | the emulator's callbacks, verified by the SDK's verifiers in a hyper receiver |
//! | [`support`] | the harness (and why the tests run on real time) |
//!
//! Nothing here touches the internet: every socket is on the loopback interface.

mod attributes;
mod campaign;
mod console;
mod dialects;
mod failover;
mod fair_waiting;
mod metrics;
mod quota;
mod retry;
mod rongcloud;
mod secrets;
mod support;
mod tencent;
mod webhooks;
