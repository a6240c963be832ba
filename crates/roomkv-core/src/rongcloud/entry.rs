//! Chat-room KV entries: set, batch set, remove, batch remove, query.
