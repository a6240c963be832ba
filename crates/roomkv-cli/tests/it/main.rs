//! End-to-end tests of the `roomkv` binary, run as a child process: its output contract, its
//! exit codes, and the emulator it serves on a loopback port.
//!
//! Every child is killed when its guard drops, and every wait is bounded, so a failing test
//! neither hangs nor leaks a process.

mod demo;
mod emulator;
mod process;
mod usage;
