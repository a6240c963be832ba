//! The change notification sent with an entry set or remove: `RC:chrmKVNotiMsg` or a custom message.
