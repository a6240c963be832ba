//! Message expansions: set, delete, query.
