//! Metadata writes of any size ([`Client::set_room_metadata_bulk`],
//! [`Client::del_room_metadata_bulk`]) and the vendor-neutral [`RoomAttributes`] of room
//! metadata.
//!
//! The splitting and the report are roomkv-provider's [`bulk`](roomkv_provider::bulk): chunks of
//! at most [`metadata_keys_max`](crate::TencentLimits::metadata_keys_max) keys whose values
//! total at most
//! [`metadata_total_value_max_bytes`](crate::TencentLimits::metadata_total_value_max_bytes),
//! sent in order through [`Client::send`], stopping at the first failed chunk. Tencent holds the
//! same limits per room, so with the documented limits one room's metadata always fits one
//! request; the splitting matters for apps whose limits Tencent raised.

use std::collections::BTreeMap;

use roomkv_core::ValidationError;
use roomkv_core::tencent::{DelRoomMetadata, MetadataKey, MetadataValue, RoomId, SetRoomMetadata};
use roomkv_provider::attributes::{
    self, AttributeError, AttributeReport, Capacity, RoomAttributes,
};
use roomkv_provider::bulk::{BulkReport, Chunking};

#[cfg(doc)]
use crate::ErrorKind;
use crate::{Client, Error};

/// What a bulk metadata write did, key by key.
pub type MetadataReport = BulkReport<MetadataKey, Error>;

impl Client {
    /// Sets any number of metadata keys of a room, in requests of at most 10 keys and 16 KB
    /// of values (the client's [`Limits`](crate::Limits)), in input order, stopping at the first
    /// failed request; the report says which keys were applied (see
    /// [`roomkv_provider::bulk`]).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] before anything is sent: an invalid room, key or value, or a key
    /// given twice. Failures after sending are in the report.
    pub async fn set_room_metadata_bulk(
        &self,
        room: &RoomId,
        entries: impl IntoIterator<Item = (MetadataKey, MetadataValue)>,
    ) -> Result<MetadataReport, Error> {
        let entries: Vec<_> = entries.into_iter().collect();
        let engine = &self.inner.engine;
        engine.check_all(|limits| {
            room.validate(limits)?;
            for (key, value) in &entries {
                key.validate(limits)?;
                value.validate(limits)?;
            }
            attributes::check_distinct("Metadata", entries.iter().map(|(k, _)| k.as_str()))
        })?;
        let limits = &self.limits().tencent;
        let set =
            |chunk: Vec<(MetadataKey, MetadataValue)>| SetRoomMetadata::new(room.clone(), chunk);
        let chunking = Chunking::pairs(limits.metadata_keys_max).weighed(
            limits.metadata_total_value_max_bytes,
            |(_, value): &(MetadataKey, MetadataValue)| value.as_str().len(),
        );
        let send = |op| async move { self.send(&op).await };
        Ok(engine.write_in_chunks(entries, chunking, set, send).await)
    }

    /// Deletes any number of metadata keys of a room, in requests of at most 10 keys, in input
    /// order, stopping at the first failed request.
    ///
    /// Tencent answers a request none of whose keys exist with 100503; read the room first to
    /// delete only keys it has, as the [`RoomAttributes`] implementation does.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] before anything is sent: an invalid room or key, or a key given
    /// twice. Failures after sending are in the report.
    pub async fn del_room_metadata_bulk(
        &self,
        room: &RoomId,
        keys: impl IntoIterator<Item = MetadataKey>,
    ) -> Result<MetadataReport, Error> {
        let keys: Vec<_> = keys.into_iter().collect();
        let engine = &self.inner.engine;
        engine.check_all(|limits| {
            room.validate(limits)?;
            keys.iter().try_for_each(|key| key.validate(limits))?;
            attributes::check_distinct("Keys", keys.iter().map(MetadataKey::as_str))
        })?;
        let delete = |chunk: Vec<MetadataKey>| DelRoomMetadata::new(room.clone(), chunk);
        let chunking = Chunking::keys(self.limits().tencent.metadata_keys_max);
        let send = |op| async move { self.send(&op).await };
        Ok(engine.write_in_chunks(keys, chunking, delete, send).await)
    }

    fn room_id(&self, room: &str) -> Result<RoomId, AttributeError> {
        Ok(RoomId::parse_with(room, self.limits())?)
    }
}

/// Tencent room metadata as vendor-neutral attributes: room ids are Live room ids (the room
/// must exist), attributes are metadata keys. `remove_many` reads the room first and deletes
/// only the keys it has (Tencent answers 100503 to a request none of whose keys exist),
/// reporting the others applied.
impl RoomAttributes for Client {
    fn vendor(&self) -> &'static str {
        "Tencent"
    }

    /// [`metadata_keys_max`](crate::TencentLimits::metadata_keys_max) keys and
    /// [`metadata_total_value_max_bytes`](crate::TencentLimits::metadata_total_value_max_bytes)
    /// of values per room.
    fn capacity(&self) -> Capacity {
        let limits = &self.limits().tencent;
        Capacity::new(
            limits.metadata_keys_max,
            Some(limits.metadata_total_value_max_bytes),
        )
    }

    fn check_key(&self, key: &str) -> Result<(), ValidationError> {
        MetadataKey::parse_with(key, self.limits()).map(drop)
    }

    fn check_value(&self, value: &str) -> Result<(), ValidationError> {
        MetadataValue::parse_with(value, self.limits()).map(drop)
    }

    async fn get(&self, room: &str, key: &str) -> Result<Option<String>, AttributeError> {
        let room = self.room_id(room)?;
        let key = MetadataKey::parse_with(key, self.limits())?;
        let entries = self.get_room_metadata(&room, [key.clone()]).await?;
        Ok(entries
            .into_iter()
            .find(|entry| entry.key == key)
            .map(|entry| entry.value.into_string()))
    }

    async fn get_all(&self, room: &str) -> Result<BTreeMap<String, String>, AttributeError> {
        let room = self.room_id(room)?;
        let entries = self.get_all_room_metadata(&room).await?;
        Ok(entries
            .into_iter()
            .map(|entry| (entry.key.into_string(), entry.value.into_string()))
            .collect())
    }

    async fn set_many(
        &self,
        room: &str,
        pairs: Vec<(String, String)>,
    ) -> Result<AttributeReport, AttributeError> {
        let room = self.room_id(room)?;
        let limits = self.limits();
        let entries = attributes::parse_pairs(
            pairs,
            |key| MetadataKey::parse_with(key, limits),
            |value| MetadataValue::parse_with(value, limits),
        )?;
        let report = self.set_room_metadata_bulk(&room, entries).await?;
        Ok(report.map(MetadataKey::into_string, AttributeError::from))
    }

    async fn remove_many(
        &self,
        room: &str,
        keys: Vec<String>,
    ) -> Result<AttributeReport, AttributeError> {
        let room = self.room_id(room)?;
        let keys = keys
            .into_iter()
            .map(|key| MetadataKey::parse_with(key, self.limits()))
            .collect::<Result<Vec<_>, _>>()?;
        let present = async {
            let entries = self.get_all_room_metadata(&room).await?;
            Ok(entries.into_iter().map(|entry| entry.key).collect())
        };
        let delete = |keys| self.del_room_metadata_bulk(&room, keys);
        attributes::remove_present("Keys", keys, present, delete).await
    }
}
