//! [`Client`]: the typed shortcuts around the one request path (`send`), which is
//! roomkv-provider's [`Engine`].

use std::fmt;
use std::sync::Arc;

use roomkv_core::Operation;
use roomkv_core::rongcloud::{
    BatchRemoveEntries, BatchSetEntries, ChatroomId, ConversationType, DeleteExpansion, Dialect,
    Endpoint, Entry, EntryKey, EntryValue, ExpansionKey, ExpansionPage, ExpansionValue, MsgUid,
    QueryEntries, QueryExpansion, RemoveEntry, RongCloudOperation, SetEntry, SetExpansion,
    TargetId, UserId,
};
use roomkv_provider::{Engine, SignContext, Signer};
use roomkv_sign::rongcloud::AppKey;
use roomkv_transport::{BoxError, HttpRequest};
use tracing::Instrument as _;

use crate::auth::{self, Credentials, RequestId};
use crate::{ClientBuilder, Error, Limits, RongCloud};
#[cfg(doc)]
use crate::{ErrorKind, Validation, WriteRetry};

/// A RongCloud / Nexconn client for chat-room KV entries and message expansions.
///
/// Build one with [`Client::builder`] and share it: cloning is cheap (an [`Arc`] inside), and
/// clones share the HTTP connection pool and the failover state. It is `Send + Sync`, and so
/// are the futures of its methods.
///
/// Every method runs the same path as [`send`](Self::send):
///
/// 1. validate the request against the client's [`Limits`] (unless validation is
///    [`Validation::Off`]); nothing is sent when this fails;
/// 2. then, for every attempt: encode it for the active host; sign it with a fresh nonce and
///    the current time in milliseconds; send it; parse RongCloud's answer;
/// 3. retry by the safety rules of [`WriteRetry`], switching to the backup host after
///    connection failures, timeouts and gateway errors.
///
/// Each operation gets one `X-Request-ID` (32 hex digits), sent on all its attempts so that
/// RongCloud can correlate them, and surfaced in every error
/// ([`Error::request_id`]) and in the debug logs.
///
/// ```no_run
/// use roomkv_rongcloud::{
///     AppKey, AppSecret, ChatroomId, Client, EntryKey, EntryValue, RongCloudSettings as _, UserId,
/// };
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let client = Client::builder()
///     .app_key(AppKey::new("your app key"))
///     .app_secret(AppSecret::new("your app secret"))
///     .build()?;
/// let room = ChatroomId::parse("room1")?;
/// let anchor = UserId::parse("anchor")?;
/// client
///     .set_entry(&room, &anchor, EntryKey::parse("stage")?, EntryValue::parse("quiz")?)
///     .await?;
/// for entry in client.query_all_entries(&room).await? {
///     println!("{} = {} (set by {})", entry.key, entry.value, entry.user_id);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

/// What all clones of a client share.
pub(crate) struct Inner {
    pub(crate) credentials: Credentials,
    pub(crate) dialect: Dialect,
    pub(crate) engine: Engine<RongCloud>,
}

impl Signer<RongCloud> for Credentials {
    type Request = RequestId;

    fn begin(&self, context: SignContext<'_>) -> RequestId {
        RequestId::new(context.random())
    }

    fn request_id<'r>(&self, request: &'r RequestId) -> Option<&'r str> {
        Some(request.as_str())
    }

    /// Signs with a fresh nonce and timestamp, and labels with the operation's request id.
    fn sign(
        &self,
        request: &RequestId,
        http: HttpRequest,
        context: SignContext<'_>,
    ) -> Result<HttpRequest, BoxError> {
        let (mut parts, body) = http.into_parts();
        let nonce = auth::nonce(context.random());
        let timestamp = auth::timestamp_millis(context.clock());
        // The App Key was checked when the client was built, and nonces and timestamps are
        // digits, so this cannot fail.
        self.sign_headers(&mut parts, &nonce, &timestamp)?;
        auth::label(&mut parts, request);
        Ok(HttpRequest::from_parts(parts, body))
    }
}

impl Client {
    /// Starts configuring a client; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// Sends any RongCloud operation and returns its typed output.
    ///
    /// Every operation ([`SetEntry`], [`QueryEntries`], [`SetExpansion`], …) is sent in the
    /// client's dialect (see [`RongCloudSettings::dialect`](crate::RongCloudSettings::dialect)): in [`Dialect::V4`] as its v4 form (a
    /// single-key set or remove as a batch of one), by [`RongCloudOperation::in_dialect`].
    ///
    /// This is the path every other method takes; use it for requests with options the
    /// shortcuts do not take (auto-delete, notifications, `isSyncSender`, a query page) or for
    /// operations defined elsewhere.
    ///
    /// ```no_run
    /// use roomkv_rongcloud::{ChatroomId, Client, EntryKey, EntryValue, Notification, SetEntry, UserId};
    ///
    /// # async fn demo(client: Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let set = SetEntry::new(
    ///     ChatroomId::parse("room1")?,
    ///     UserId::parse("anchor")?,
    ///     EntryKey::parse("seat-1")?,
    ///     EntryValue::parse("alice")?,
    /// )
    /// .auto_delete(true)
    /// .notify(Notification::kv_change_with_extra("seat change"));
    /// client.send(&set).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// See [`Error`]: [`ErrorKind::Validation`] before sending, then transport failures and
    /// RongCloud's error codes after the retries the policy allows. In [`Dialect::V4`], also
    /// [`ErrorKind::Validation`] for a [`SetEntry`] or [`RemoveEntry`] carrying a notification,
    /// which v4 cannot send.
    pub async fn send<O: RongCloudOperation>(&self, op: &O) -> Result<O::Output, Error> {
        self.execute(&op.in_dialect(self.inner.dialect)?).await
    }

    /// Sends `op` (an operation in a dialect), in a `rongcloud_request` span.
    async fn execute<O>(&self, op: &O) -> Result<O::Output, Error>
    where
        O: Operation<Endpoint = Endpoint>,
    {
        let span = roomkv_provider::request_span!("rongcloud_request", operation = O::NAME);
        let inner = &*self.inner;
        inner
            .engine
            .execute(op, &inner.credentials, &span)
            .instrument(span.clone())
            .await
    }

    /// Sets one entry of a chat room, owned by `user` (`/chatroom/entry/set.json`), without
    /// auto-delete and without a notification; for those, [`send`](Self::send) a
    /// [`SetEntry`].
    ///
    /// ```no_run
    /// # use roomkv_rongcloud::{ChatroomId, Client, EntryKey, EntryValue, UserId};
    /// # async fn demo(client: Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let room = ChatroomId::parse("room1")?;
    /// let anchor = UserId::parse("anchor")?;
    /// client.set_entry(&room, &anchor, EntryKey::parse("score")?, EntryValue::parse("42")?).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] before sending (a key of more than 128 characters or outside
    /// `A-Z a-z 0-9 + = - _`, a value of more than 4096 characters, …); among RongCloud's codes
    /// 1009 when chat-room KV is not enabled for the app.
    pub async fn set_entry(
        &self,
        room: &ChatroomId,
        user: &UserId,
        key: EntryKey,
        value: EntryValue,
    ) -> Result<(), Error> {
        self.send(&SetEntry::new(room.clone(), user.clone(), key, value))
            .await
    }

    /// Sets up to 20 entries at once, all owned by `owner`, overwriting existing owners and
    /// values (`/chatroom/entry/batch/set.json`); without auto-delete (for that,
    /// [`send`](Self::send) a [`BatchSetEntries`]).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for no entries, more than 20, a key given twice, or a body over
    /// 100 KB.
    pub async fn batch_set_entries(
        &self,
        room: &ChatroomId,
        owner: &UserId,
        entries: impl IntoIterator<Item = (EntryKey, EntryValue)>,
    ) -> Result<(), Error> {
        self.send(&BatchSetEntries::new(room.clone(), owner.clone(), entries))
            .await
    }

    /// Removes one entry (`/chatroom/entry/remove.json`), as `user`, who must own it; without a
    /// notification (for that, [`send`](Self::send) a [`RemoveEntry`]).
    ///
    /// # Errors
    ///
    /// Among RongCloud's codes 1015 when the key does not exist, except to a repeat after a
    /// transient error (with [`WriteRetry::RepeatIdempotent`]), where it means the first attempt
    /// removed it: then the call succeeds.
    pub async fn remove_entry(
        &self,
        room: &ChatroomId,
        user: &UserId,
        key: EntryKey,
    ) -> Result<(), Error> {
        self.send(&RemoveEntry::new(room.clone(), user.clone(), key))
            .await
    }

    /// Removes up to 20 entries at once, whoever owns them
    /// (`/chatroom/entry/batch/remove.json`; no official RongCloud SDK offers it). RongCloud
    /// requires an `entryOwnerId` but does not check ownership.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for no keys, more than 20, or a key given twice.
    pub async fn batch_remove_entries(
        &self,
        room: &ChatroomId,
        owner: &UserId,
        keys: impl IntoIterator<Item = EntryKey>,
    ) -> Result<(), Error> {
        self.send(&BatchRemoveEntries::new(room.clone(), owner.clone(), keys))
            .await
    }

    /// Reads the given entries of a chat room (`/chatroom/entry/query.json`), up to 100 keys.
    /// Keys the room does not have are left out.
    ///
    /// As in RongCloud's API, **no keys means all entries**; prefer
    /// [`query_all_entries`](Self::query_all_entries) to say so.
    ///
    /// ```no_run
    /// # use roomkv_rongcloud::{ChatroomId, Client, EntryKey};
    /// # async fn demo(client: Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let room = ChatroomId::parse("room1")?;
    /// let keys = [EntryKey::parse("stage")?, EntryKey::parse("score")?];
    /// for entry in client.query_entries(&room, keys).await? {
    ///     println!("{} = {}", entry.key, entry.value);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for more than 100 keys.
    pub async fn query_entries(
        &self,
        room: &ChatroomId,
        keys: impl IntoIterator<Item = EntryKey>,
    ) -> Result<Vec<Entry>, Error> {
        self.send(&QueryEntries::new(room.clone()).with_keys(keys))
            .await
    }

    /// Reads every entry of a chat room (`/chatroom/entry/query.json` without keys).
    ///
    /// # Errors
    ///
    /// See [`Error`].
    pub async fn query_all_entries(&self, room: &ChatroomId) -> Result<Vec<Entry>, Error> {
        self.send(&QueryEntries::new(room.clone())).await
    }

    /// Reads one entry; `None` when the room does not have it.
    ///
    /// # Errors
    ///
    /// See [`Error`].
    pub async fn get_entry(
        &self,
        room: &ChatroomId,
        key: &EntryKey,
    ) -> Result<Option<Entry>, Error> {
        let entries = self
            .send(&QueryEntries::new(room.clone()).with_keys([key.clone()]))
            .await?;
        Ok(entries.into_iter().find(|entry| entry.key == *key))
    }

    /// Sets up to 100 expansions of a one-to-one or group message
    /// (`/message/expansion/set.json`), as `user`. RongCloud posts an expansion operation
    /// message to the conversation, so this write is never repeated after an unknown outcome.
    /// To sync it to the operator's own client, [`send`](Self::send) a [`SetExpansion`] with
    /// [`sync_sender`](SetExpansion::sync_sender).
    ///
    /// ```no_run
    /// # use roomkv_rongcloud::{Client, ConversationType, ExpansionKey, ExpansionValue, MsgUid, TargetId, UserId};
    /// # async fn demo(client: Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let msg = MsgUid::parse("BRGM-DEN2-01E4-BN66")?;
    /// let user = UserId::parse("alice")?;
    /// let group = TargetId::parse("group1")?;
    /// client
    ///     .set_expansion(&msg, &user, ConversationType::Group, &group, [
    ///         (ExpansionKey::parse("likes")?, ExpansionValue::parse("3")?),
    ///     ])
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for no entries, more than 100, a key of more than 32 characters,
    /// or a key given twice.
    pub async fn set_expansion(
        &self,
        msg: &MsgUid,
        user: &UserId,
        conversation: ConversationType,
        target: &TargetId,
        entries: impl IntoIterator<Item = (ExpansionKey, ExpansionValue)>,
    ) -> Result<(), Error> {
        self.send(&SetExpansion::new(
            msg.clone(),
            user.clone(),
            conversation,
            target.clone(),
            entries,
        ))
        .await
    }

    /// Deletes up to 100 expansions of a message (`/message/expansion/delete.json`), as
    /// `user`. Like [`set_expansion`](Self::set_expansion), it posts an expansion operation
    /// message and is never repeated after an unknown outcome.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for no keys, more than 100, or a key given twice.
    pub async fn delete_expansion(
        &self,
        msg: &MsgUid,
        user: &UserId,
        conversation: ConversationType,
        target: &TargetId,
        keys: impl IntoIterator<Item = ExpansionKey>,
    ) -> Result<(), Error> {
        self.send(&DeleteExpansion::new(
            msg.clone(),
            user.clone(),
            conversation,
            target.clone(),
            keys,
        ))
        .await
    }

    /// Reads the expansions of a message (`/message/expansion/query.json`). A message has at
    /// most 300 expansions and a page holds 300, so this first page has them all; for another
    /// page, [`send`](Self::send) a [`QueryExpansion`] with [`page`](QueryExpansion::page).
    ///
    /// # Errors
    ///
    /// See [`Error`].
    pub async fn query_expansion(&self, msg: &MsgUid) -> Result<ExpansionPage, Error> {
        self.send(&QueryExpansion::new(msg.clone())).await
    }

    /// The app's App Key.
    pub fn app_key(&self) -> &AppKey {
        self.inner.credentials.app_key()
    }

    /// The limits requests are checked against; parse ids with them
    /// (`EntryKey::parse_with(text, client.limits())`) when they differ from the documented
    /// ones.
    pub fn limits(&self) -> &Limits {
        self.inner.engine.limits()
    }

    /// The base URLs of all hosts, primary first.
    pub fn hosts(&self) -> &[http::Uri] {
        self.inner.engine.hosts()
    }

    /// The base URL requests go to now: the primary, or a backup after a failure until the
    /// cool-down has passed.
    pub fn active_host(&self) -> http::Uri {
        self.inner.engine.active_host()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Client")
            .field("app_key", self.app_key())
            .field("header_style", &inner.credentials.style())
            .field("dialect", &inner.dialect)
            .field("engine", &inner.engine)
            .finish()
    }
}
