//! End-to-end tests of the `roomkv` binary, run as a child process: its output contract, its
//! exit codes, the emulator it serves on a loopback port, and the vendor commands run against
//! that emulator (or against a stub that proves nothing was sent).
//!
//! Every child is killed when its guard drops, and every wait is bounded, so a failing test
//! neither hangs nor leaks a process.

mod bulk;
mod completions;
mod demo;
mod emulator;
mod man;
mod parity;
mod persist;
mod process;
mod profiles;
mod refused;
mod rongcloud;
mod secrets;
mod tencent;
mod usage;
mod vendor;
