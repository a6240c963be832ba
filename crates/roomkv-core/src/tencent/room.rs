//! Rooms: create, destroy, get info.
