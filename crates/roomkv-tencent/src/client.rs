//! [`Client`]: the typed shortcuts around the one request path (`send`), which is
//! roomkv-provider's [`Engine`].

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use roomkv_core::tencent::{
    CreateRoom, DelRoomMetadata, DestroyRoom, Endpoint, GetRoomInfo, GetRoomList, GetRoomMetadata,
    Identifier, MetadataEntry, MetadataKey, MetadataValue, RoomId, RoomInfo, RoomListCursor,
    RoomListPage, SetRoomMetadata, UpdateRoomInfo,
};
use roomkv_core::{ApiCode, ApiError, Limits, Operation, QuotaFamily};
use roomkv_provider::{Engine, SignContext, Signer};
use roomkv_transport::safety::AttemptOutcome;
use roomkv_transport::{BoxError, HttpRequest, RandomSource};
use tracing::Instrument as _;

use crate::auth::{self, UserSigCache};
use crate::policy::usersig_rejection;
use crate::{ClientBuilder, Error, RoomListPager, Tencent};
#[cfg(doc)]
use crate::{ErrorKind, Validation, WriteRetry};

/// A Tencent Cloud Live client for rooms and room metadata.
///
/// Build one with [`Client::builder`] and share it: cloning is cheap (an [`Arc`] inside), and
/// clones share the HTTP connection pool, the cached admin UserSig and the failover state. It is
/// `Send + Sync`, and so are the futures of its methods.
///
/// Every method runs the same path as [`send`](Self::send):
///
/// 1. validate the request against the client's [`Limits`] (unless validation is
///    [`Validation::Off`]); nothing is sent when this fails;
/// 2. then, for every attempt: encode it for the active host; sign it with the cached admin
///    UserSig and a fresh `random`; send it; parse Tencent's answer;
/// 3. retry by the safety rules of [`WriteRetry`], switching to the backup host after
///    connection failures, timeouts and gateway errors.
///
/// ```no_run
/// use roomkv_tencent::{Client, MetadataKey, MetadataValue, RoomId, SecretKey, TencentSettings as _};
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let client = Client::builder()
///     .sdkappid(1400000000)
///     .secret_key(SecretKey::new("your secret key"))
///     .build()?;
/// let room = RoomId::parse("live-room")?;
/// client
///     .set_room_metadata(&room, [(MetadataKey::parse("stage")?, MetadataValue::parse("quiz")?)])
///     .await?;
/// for entry in client.get_all_room_metadata(&room).await? {
///     println!("{} = {}", entry.key, entry.value);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

/// What all clones of a client share.
pub(crate) struct Inner {
    pub(crate) engine: Engine<Tencent>,
    pub(crate) usersig: UserSigCache,
}

/// What the attempts of one request share. Atomics rather than cells, so the request's future
/// stays `Send`.
#[derive(Default)]
pub(crate) struct RequestState {
    /// The generation of the UserSig the latest attempt was signed with.
    usersig_generation: AtomicU64,
    /// The UserSig was renewed for this request already; a second rejection is final.
    renewed: AtomicBool,
}

impl Signer<Tencent> for UserSigCache {
    type Request = RequestState;

    fn begin(&self, _: SignContext<'_>) -> RequestState {
        RequestState::default()
    }

    /// Tencent's requests carry no id of the client's; its answers carry Tencent's.
    fn request_id<'r>(&self, _: &'r RequestState) -> Option<&'r str> {
        None
    }

    /// Signs with the cached admin UserSig and a fresh `random`.
    fn sign(
        &self,
        state: &RequestState,
        http: HttpRequest,
        context: SignContext<'_>,
    ) -> Result<HttpRequest, BoxError> {
        let ticket = self.current();
        state
            .usersig_generation
            .store(ticket.generation, Ordering::Relaxed);
        // `random`: the low 32 bits of a fresh value, every attempt.
        let random = context.random().next_u64() as u32;
        Ok(auth::sign(http, &ticket.usersig, random)?)
    }

    /// A rejected UserSig (70001, 70052) is renewed once and the attempt sent again.
    fn classify(&self, state: &RequestState, api: &ApiError) -> Option<AttemptOutcome> {
        let ApiCode::Tencent(code) = api.code else {
            return None;
        };
        let reason = usersig_rejection(code)?;
        if state.renewed.swap(true, Ordering::Relaxed) {
            return Some(AttemptOutcome::Refused);
        }
        tracing::debug!(
            code = api.code.code(),
            "Tencent rejected the UserSig; renewing it for one more attempt"
        );
        self.renew(state.usersig_generation.load(Ordering::Relaxed), reason);
        Some(AttemptOutcome::NotSent)
    }
}

impl Client {
    /// Starts configuring a client; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// Sends any Tencent [`Operation`] and returns its typed output.
    ///
    /// This is the path every other method takes; use it for requests with options the
    /// shortcuts do not take (such as [`CreateRoom`] settings) or for operations defined
    /// elsewhere.
    ///
    /// ```no_run
    /// use roomkv_tencent::{Client, CreateRoom, RoomId, TakeSeatMode};
    ///
    /// # async fn demo(client: Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let room = CreateRoom::new(RoomId::parse("live-room")?)
    ///     .room_name("Friday quiz")
    ///     .max_seat_count(8)
    ///     .take_seat_mode(TakeSeatMode::ApplyToTake);
    /// client.send(&room).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// See [`Error`]: [`ErrorKind::Validation`] before sending, then transport failures and
    /// Tencent's error codes after the retries the policy allows.
    pub async fn send<O>(&self, op: &O) -> Result<O::Output, Error>
    where
        O: Operation<Endpoint = Endpoint>,
    {
        let command = command_name(op);
        let span = roomkv_provider::request_span!("tencent_request", command);
        let inner = &*self.inner;
        inner
            .engine
            .execute(op, &inner.usersig, &span)
            .instrument(span.clone())
            .await
    }

    /// Creates a Live room (`create_room`). Settings left unset take Tencent's defaults.
    ///
    /// ```no_run
    /// # use roomkv_tencent::{Client, CreateRoom, RoomId};
    /// # async fn demo(client: Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let room = RoomId::parse("live-room")?;
    /// client.create_room(CreateRoom::new(room).room_name("Friday quiz")).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// Among others [`TencentCode::RoomIdExists`](crate::TencentCode::RoomIdExists) (100003)
    /// when the id is taken.
    pub async fn create_room(&self, room: CreateRoom) -> Result<(), Error> {
        self.send(&room).await
    }

    /// Dissolves a room and its metadata (`destroy_room`).
    ///
    /// # Errors
    ///
    /// Among others [`TencentCode::RoomNotFound`](crate::TencentCode::RoomNotFound) (100004).
    pub async fn destroy_room(&self, room: &RoomId) -> Result<(), Error> {
        self.send(&DestroyRoom::new(room.clone())).await
    }

    /// Reads a room's settings (`get_room_info`).
    ///
    /// # Errors
    ///
    /// Among others [`TencentCode::RoomNotFound`](crate::TencentCode::RoomNotFound) (100004).
    pub async fn get_room_info(&self, room: &RoomId) -> Result<RoomInfo, Error> {
        self.send(&GetRoomInfo::new(room.clone())).await
    }

    /// Changes a room's settings (`update_room_info`): those `update` sets replace the room's,
    /// the others keep their value.
    ///
    /// A silent write that replaces values, so repeating it is harmless: like the metadata
    /// writes it is retried after a throttle code or a connection that failed before sending,
    /// and, with [`WriteRetry::RepeatIdempotent`], after a transient Tencent error; never after
    /// an unknown outcome (a timeout), which it reports with `is_outcome_unknown()`.
    ///
    /// ```no_run
    /// # use roomkv_tencent::{Client, RoomId, UpdateRoomInfo};
    /// # async fn demo(client: Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let room = RoomId::parse("live-room")?;
    /// client
    ///     .update_room_info(&UpdateRoomInfo::new(room).room_name("Round 2").notice("Starts at nine"))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] before sending (`Notice` over 100 bytes, `Category` over 3
    /// values, ...); among Tencent's codes
    /// [`TencentCode::RoomNotFound`](crate::TencentCode::RoomNotFound) (100004).
    pub async fn update_room_info(&self, update: &UpdateRoomInfo) -> Result<(), Error> {
        self.send(update).await
    }

    /// Reads one page of the app's rooms (`get_room_list`), most viewed first: `count` rooms
    /// (1 to 20) from `next` (`None`: the first page; then the previous page's
    /// [`next`](RoomListPage::next)). [`room_list`](Self::room_list) walks every page.
    ///
    /// `get_room_list` has its own quota, 10 requests/s per app, which the rate limiter keeps
    /// apart from the other commands' 200/s.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for a `count` of 0 or over
    /// [`room_list_count_max`](crate::TencentLimits::room_list_count_max) (nothing is sent).
    pub async fn get_room_list(
        &self,
        next: Option<&RoomListCursor>,
        count: u32,
    ) -> Result<RoomListPage, Error> {
        self.send(&GetRoomList::new(next.cloned(), count)).await
    }

    /// Walks every page of the app's rooms, `count` (1 to 20) at a time.
    ///
    /// ```no_run
    /// # use roomkv_tencent::Client;
    /// # async fn demo(client: Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let mut pages = client.room_list(20);
    /// while let Some(page) = pages.next_page().await {
    ///     for room in page?.rooms {
    ///         println!("{} ({} views)", room.room_id, room.view_count.unwrap_or(0));
    ///     }
    /// }
    /// let every_room = client.room_list(20).collect_all().await?;
    /// # let _ = every_room;
    /// # Ok(()) }
    /// ```
    pub fn room_list(&self, count: u32) -> RoomListPager {
        RoomListPager::new(self.clone(), count)
    }

    /// Reads the given keys of a room's metadata (`get_room_metadata`), in Tencent's order.
    /// Keys the room does not have are left out.
    ///
    /// As in Tencent's API, **no keys means all keys**; prefer
    /// [`get_all_room_metadata`](Self::get_all_room_metadata) to say so.
    ///
    /// ```no_run
    /// # use roomkv_tencent::{Client, MetadataKey, RoomId};
    /// # async fn demo(client: Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let room = RoomId::parse("live-room")?;
    /// let keys = [MetadataKey::parse("stage")?, MetadataKey::parse("score")?];
    /// let entries = client.get_room_metadata(&room, keys).await?;
    /// # let _ = entries;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// Among others [`TencentCode::RoomNotFound`](crate::TencentCode::RoomNotFound) (100004).
    pub async fn get_room_metadata(
        &self,
        room: &RoomId,
        keys: impl IntoIterator<Item = MetadataKey>,
    ) -> Result<Vec<MetadataEntry>, Error> {
        self.send(&GetRoomMetadata::new(room.clone(), keys)).await
    }

    /// Reads all of a room's metadata (`get_room_metadata` with no keys).
    ///
    /// # Errors
    ///
    /// Among others [`TencentCode::RoomNotFound`](crate::TencentCode::RoomNotFound) (100004).
    pub async fn get_all_room_metadata(&self, room: &RoomId) -> Result<Vec<MetadataEntry>, Error> {
        self.send(&GetRoomMetadata::all(room.clone())).await
    }

    /// Adds or replaces keys of a room's metadata (`set_room_metadata`, an upsert).
    ///
    /// Checked before sending: 1 to 10 entries, keys of 1 to 50 bytes, values of at most
    /// 2048 bytes, at most 16384 bytes of values in all, no key twice. Whether the room stays
    /// within 10 keys and 16 KB after the merge only Tencent knows (100500, 100502).
    ///
    /// ```no_run
    /// # use roomkv_tencent::{Client, MetadataKey, MetadataValue, RoomId};
    /// # async fn demo(client: Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let room = RoomId::parse("live-room")?;
    /// client
    ///     .set_room_metadata(
    ///         &room,
    ///         [
    ///             (MetadataKey::parse("stage")?, MetadataValue::parse("quiz")?),
    ///             (MetadataKey::parse("score")?, MetadataValue::parse("42")?),
    ///         ],
    ///     )
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] before sending; among Tencent's codes 100500 to 100504.
    pub async fn set_room_metadata(
        &self,
        room: &RoomId,
        entries: impl IntoIterator<Item = (MetadataKey, MetadataValue)>,
    ) -> Result<(), Error> {
        self.send(&SetRoomMetadata::new(room.clone(), entries))
            .await
    }

    /// Deletes keys of a room's metadata (`del_room_metadata`); at least one key.
    ///
    /// Deleting some keys that exist and some that do not succeeds. When *none* exist Tencent
    /// answers [`TencentCode::MetadataKeysNotFound`](crate::TencentCode::MetadataKeysNotFound)
    /// (100503), except to a repeat after a lost reply, where it means the first attempt
    /// deleted them: then the call succeeds.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for no keys or more than
    /// [`metadata_keys_max`](crate::TencentLimits::metadata_keys_max) (10; nothing is sent:
    /// [`del_room_metadata_bulk`](Self::del_room_metadata_bulk) takes any number); among
    /// Tencent's codes 100503.
    pub async fn del_room_metadata(
        &self,
        room: &RoomId,
        keys: impl IntoIterator<Item = MetadataKey>,
    ) -> Result<(), Error> {
        self.send(&DelRoomMetadata::new(room.clone(), keys)).await
    }

    /// The app's SDKAppID.
    pub fn sdkappid(&self) -> u64 {
        self.inner.engine.primary_endpoint().sdkappid
    }

    /// The App admin account requests are sent as.
    pub fn admin(&self) -> &Identifier {
        &self.inner.engine.primary_endpoint().admin
    }

    /// The limits requests are checked against; parse ids with them
    /// (`RoomId::parse_with(text, client.limits())`) when they differ from the documented ones.
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

/// The command's name, for logs.
fn command_name<O: Operation>(op: &O) -> &'static str {
    op.quota()
        .charges()
        .find_map(|(family, _)| match family {
            QuotaFamily::Tencent(command) => Some(command.as_str()),
            _ => None,
        })
        .unwrap_or("unknown")
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Client")
            .field("sdkappid", &self.sdkappid())
            .field("admin", self.admin())
            .field("engine", &inner.engine)
            .field("usersig", &inner.usersig)
            .field("usersig_lifetime", &inner.usersig.lifetime())
            .finish()
    }
}
