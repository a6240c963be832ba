//! Sans-IO core of roomkv: typed identifiers and values, [`Limits`], validation, and the
//! [`Operation`] trait that turns each vendor operation into an unsigned `http::Request` and parses
//! the vendor's `http::Response`.
//!
//! This crate performs no IO, reads no clock and draws no random numbers: time, nonces and keys are
//! always arguments supplied by the layers above it.
