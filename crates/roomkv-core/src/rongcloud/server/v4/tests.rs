//! Tests of the v4 router and replies.
