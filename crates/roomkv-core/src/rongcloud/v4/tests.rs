//! Tests of the Nexconn v4 operations.
