//! Integration tests of roomkv-rongcloud: one binary, one module per area.
