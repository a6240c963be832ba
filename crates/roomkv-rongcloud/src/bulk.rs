//! Writes of any size ([`Client::set_entries`], [`Client::remove_entries`],
//! [`Client::set_expansions`], [`Client::delete_expansions`]) and [`RoomAttributesView`], the
//! vendor-neutral [`RoomAttributes`] of chat-room entries.
//!
//! The splitting and the report are roomkv-provider's [`bulk`](roomkv_provider::bulk): chunks of
//! at most [`batch_entries_max`](crate::RongCloudLimits::batch_entries_max) pairs or keys
//! ([`expansion_keys_per_call_max`](crate::RongCloudLimits::expansion_keys_per_call_max) for
//! expansions), halved further while a chunk's body would exceed
//! [`request_body_max_bytes`](crate::RongCloudLimits::request_body_max_bytes); sent in order
//! through [`Client::send`], stopping at the first failed chunk.

use std::collections::BTreeMap;

use roomkv_core::rongcloud::{
    BatchRemoveEntries, BatchSetEntries, ChatroomId, ConversationType, DeleteExpansion, EntryKey,
    EntryValue, ExpansionKey, ExpansionValue, MsgUid, RongCloudOperation, SetExpansion, TargetId,
    UserId,
};
use roomkv_core::{Limits, Operation, ValidationError};
use roomkv_provider::attributes::{
    self, AttributeError, AttributeReport, Capacity, RoomAttributes,
};
use roomkv_provider::bulk::{BulkReport, Chunking};

#[cfg(doc)]
use crate::ErrorKind;
use crate::{Client, Error};

/// What a bulk write of entries did, key by key.
pub type EntryReport = BulkReport<EntryKey, Error>;
/// What a bulk write of expansions did, key by key.
pub type ExpansionReport = BulkReport<ExpansionKey, Error>;

impl Client {
    /// Sets any number of entries of a chat room, all owned by `owner`, in batch sets of at
    /// most 20 pairs (the client's [`Limits`](crate::Limits)) that also stay under the 100 KB
    /// body limit; without auto-delete and without notifications.
    ///
    /// The batches are sent in input order; the first that fails ends the write, and the
    /// report says which keys were applied, which were not, and which may or may not have been
    /// (see [`roomkv_provider::bulk`]).
    ///
    /// ```no_run
    /// # use roomkv_rongcloud::{ChatroomId, Client, EntryKey, EntryValue, UserId};
    /// # async fn demo(client: Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let seats = (1..=45).map(|n| {
    ///     Ok((EntryKey::parse(format!("seat-{n}"))?, EntryValue::parse("free")?))
    /// }).collect::<Result<Vec<_>, roomkv_rongcloud::ValidationError>>()?;
    /// let report = client
    ///     .set_entries(&ChatroomId::parse("room1")?, &UserId::parse("host")?, seats)
    ///     .await?;
    /// assert_eq!(report.requests, 3);
    /// if let Some(failure) = &report.failure {
    ///     eprintln!("{} keys not applied: {}", report.not_applied.len(), failure.error);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] before anything is sent: an invalid room, owner, key or value, or
    /// a key given twice. Failures after sending are in the report.
    pub async fn set_entries(
        &self,
        room: &ChatroomId,
        owner: &UserId,
        entries: impl IntoIterator<Item = (EntryKey, EntryValue)>,
    ) -> Result<EntryReport, Error> {
        let entries: Vec<_> = entries.into_iter().collect();
        self.inner.engine.check_all(|limits| {
            room.validate(limits)?;
            owner.validate(limits)?;
            for (key, value) in &entries {
                key.validate(limits)?;
                value.validate(limits)?;
            }
            attributes::check_distinct("entryInfo", entries.iter().map(|(k, _)| k.as_str()))
        })?;
        let batch = |chunk: Vec<(EntryKey, EntryValue)>| {
            BatchSetEntries::new(room.clone(), owner.clone(), chunk)
        };
        let chunking = Chunking::pairs(self.limits().rongcloud.batch_entries_max);
        Ok(self.write_in_chunks(entries, chunking, batch).await)
    }

    /// Removes any number of entries of a chat room, whoever owns them, in batch removes of at
    /// most 20 keys, in input order, stopping at the first failed batch.
    ///
    /// RongCloud answers a batch none of whose keys exist with 1015 (not found); read the room
    /// first to remove only keys it has, as [`RoomAttributesView`] does.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] before anything is sent: an invalid room, owner or key, or a key
    /// given twice. Failures after sending are in the report.
    pub async fn remove_entries(
        &self,
        room: &ChatroomId,
        owner: &UserId,
        keys: impl IntoIterator<Item = EntryKey>,
    ) -> Result<EntryReport, Error> {
        let keys: Vec<_> = keys.into_iter().collect();
        self.inner.engine.check_all(|limits| {
            room.validate(limits)?;
            owner.validate(limits)?;
            keys.iter().try_for_each(|key| key.validate(limits))?;
            attributes::check_distinct("entryKeys", keys.iter().map(EntryKey::as_str))
        })?;
        let batch =
            |chunk: Vec<EntryKey>| BatchRemoveEntries::new(room.clone(), owner.clone(), chunk);
        let chunking = Chunking::keys(self.limits().rongcloud.batch_entries_max);
        Ok(self.write_in_chunks(keys, chunking, batch).await)
    }

    /// Sets any number of expansions of a message, as `user`, in calls of at most 100 keys
    /// that stay under the 100 KB body limit, in input order, stopping at the first failed
    /// call. Each call posts an expansion operation message, so none is repeated after an
    /// unknown outcome.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] before anything is sent: an invalid id, key or value, or a key
    /// given twice. Failures after sending are in the report.
    pub async fn set_expansions(
        &self,
        msg: &MsgUid,
        user: &UserId,
        conversation: ConversationType,
        target: &TargetId,
        entries: impl IntoIterator<Item = (ExpansionKey, ExpansionValue)>,
    ) -> Result<ExpansionReport, Error> {
        let entries: Vec<_> = entries.into_iter().collect();
        let call = |chunk: Vec<(ExpansionKey, ExpansionValue)>| {
            SetExpansion::new(
                msg.clone(),
                user.clone(),
                conversation,
                target.clone(),
                chunk,
            )
        };
        self.inner.engine.check_all(|limits| {
            for (key, value) in &entries {
                key.validate(limits)?;
                value.validate(limits)?;
            }
            attributes::check_distinct("extraKeyVal", entries.iter().map(|(k, _)| k.as_str()))?;
            check_ids(&call(entries.iter().take(1).cloned().collect()), limits)
        })?;
        let chunking = Chunking::pairs(self.limits().rongcloud.expansion_keys_per_call_max);
        Ok(self.write_in_chunks(entries, chunking, call).await)
    }

    /// Deletes any number of expansions of a message, as `user`, in calls of at most 100
    /// keys, in input order, stopping at the first failed call.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] before anything is sent: an invalid id or key, or a key given
    /// twice. Failures after sending are in the report.
    pub async fn delete_expansions(
        &self,
        msg: &MsgUid,
        user: &UserId,
        conversation: ConversationType,
        target: &TargetId,
        keys: impl IntoIterator<Item = ExpansionKey>,
    ) -> Result<ExpansionReport, Error> {
        let keys: Vec<_> = keys.into_iter().collect();
        let call = |chunk: Vec<ExpansionKey>| {
            DeleteExpansion::new(
                msg.clone(),
                user.clone(),
                conversation,
                target.clone(),
                chunk,
            )
        };
        self.inner.engine.check_all(|limits| {
            keys.iter().try_for_each(|key| key.validate(limits))?;
            attributes::check_distinct("extraKey", keys.iter().map(ExpansionKey::as_str))?;
            check_ids(&call(keys.iter().take(1).cloned().collect()), limits)
        })?;
        let chunking = Chunking::keys(self.limits().rongcloud.expansion_keys_per_call_max);
        Ok(self.write_in_chunks(keys, chunking, call).await)
    }

    /// Sends `items` in the chunks `chunking` makes, each as the operation `op` makes of it,
    /// stopping at the first failed chunk
    /// ([`Engine::write_in_chunks`](roomkv_provider::Engine::write_in_chunks)).
    async fn write_in_chunks<T, K, O>(
        &self,
        items: Vec<T>,
        chunking: Chunking<T, K>,
        op: impl Fn(Vec<T>) -> O,
    ) -> BulkReport<K, Error>
    where
        T: Clone,
        K: Clone,
        O: RongCloudOperation<Output = ()>,
    {
        let send = |op: O| async move { self.send(&op).await };
        let engine = &self.inner.engine;
        engine.write_in_chunks(items, chunking, op, send).await
    }

    /// The vendor-neutral [`RoomAttributes`] of this client's chat rooms, writing entries as
    /// `owner` (RongCloud records an owner for every entry).
    pub fn room_attributes(&self, owner: UserId) -> RoomAttributesView {
        RoomAttributesView {
            client: self.clone(),
            owner,
        }
    }
}

/// Checks the message, the user and the target of an expansion call made of one item (or none,
/// which is not itself a fault of the ids).
fn check_ids(call: &impl Operation, limits: &Limits) -> Result<(), ValidationError> {
    call.validate(limits).or_else(|err| match err {
        ValidationError::NoItems { .. } => Ok(()),
        err => Err(err),
    })
}

/// A RongCloud [`Client`] as vendor-neutral [`RoomAttributes`]: room ids are chat-room ids,
/// attributes are chat-room entries, written (set and removed) as one owner. Made by
/// [`Client::room_attributes`].
///
/// `set_many` is [`Client::set_entries`]; `remove_many` reads the room first and removes only
/// the keys it has (RongCloud answers 1015 to a batch none of whose keys exist), reporting the
/// others applied.
#[derive(Debug, Clone)]
pub struct RoomAttributesView {
    client: Client,
    owner: UserId,
}

impl RoomAttributesView {
    /// The client underneath.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The owner entries are written as.
    pub fn owner(&self) -> &UserId {
        &self.owner
    }

    fn room(&self, room: &str) -> Result<ChatroomId, AttributeError> {
        Ok(ChatroomId::parse_with(room, self.client.limits())?)
    }

    fn key(&self, key: &str) -> Result<EntryKey, ValidationError> {
        EntryKey::parse_with(key, self.client.limits())
    }
}

impl RoomAttributes for RoomAttributesView {
    fn vendor(&self) -> &'static str {
        "RongCloud"
    }

    /// [`entries_per_room_max`](crate::RongCloudLimits::entries_per_room_max) keys; no total.
    fn capacity(&self) -> Capacity {
        Capacity::new(self.client.limits().rongcloud.entries_per_room_max, None)
    }

    fn check_key(&self, key: &str) -> Result<(), ValidationError> {
        self.key(key).map(drop)
    }

    fn check_value(&self, value: &str) -> Result<(), ValidationError> {
        EntryValue::parse_with(value, self.client.limits()).map(drop)
    }

    async fn get(&self, room: &str, key: &str) -> Result<Option<String>, AttributeError> {
        let room = self.room(room)?;
        let key = self.key(key)?;
        let entry = self.client.get_entry(&room, &key).await?;
        Ok(entry.map(|entry| entry.value.into_string()))
    }

    async fn get_all(&self, room: &str) -> Result<BTreeMap<String, String>, AttributeError> {
        let room = self.room(room)?;
        let entries = self.client.query_all_entries(&room).await?;
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
        let room = self.room(room)?;
        let limits = self.client.limits();
        let entries = attributes::parse_pairs(
            pairs,
            |key| EntryKey::parse_with(key, limits),
            |value| EntryValue::parse_with(value, limits),
        )?;
        let report = self.client.set_entries(&room, &self.owner, entries).await?;
        Ok(report.map(EntryKey::into_string, AttributeError::from))
    }

    async fn remove_many(
        &self,
        room: &str,
        keys: Vec<String>,
    ) -> Result<AttributeReport, AttributeError> {
        let room = self.room(room)?;
        let keys = keys
            .into_iter()
            .map(|key| self.key(&key))
            .collect::<Result<Vec<_>, _>>()?;
        let client = &self.client;
        let present = async {
            let entries = client.query_all_entries(&room).await?;
            Ok(entries.into_iter().map(|entry| entry.key).collect())
        };
        let remove = |keys| client.remove_entries(&room, &self.owner, keys);
        attributes::remove_present("entryKeys", keys, present, remove).await
    }
}
