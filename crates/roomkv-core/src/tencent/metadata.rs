//! Room metadata: get, set, delete.
