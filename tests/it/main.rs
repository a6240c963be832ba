//! End-to-end tests: one integration binary with one module per area.
