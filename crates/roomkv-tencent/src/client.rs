//! [`Client`]: the one request path (`send`) and the typed shortcuts around it.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use roomkv_core::tencent::{
    CreateRoom, DelRoomMetadata, DestroyRoom, Endpoint, GetRoomInfo, GetRoomMetadata, Identifier,
    MetadataEntry, MetadataKey, MetadataValue, RoomId, RoomInfo, SetRoomMetadata,
};
use roomkv_core::{
    ApiCode, CodeClass, DecodeError, EncodeError, Limits, Operation, QuotaFamily, ResponseError,
};
use roomkv_transport::pipeline::{AttemptInfo, Pipeline};
use roomkv_transport::safety::{AttemptOutcome, RequestKind};
use roomkv_transport::{
    EndpointSet, HttpClient, HttpRequest, HttpResponse, NonceSource, RetryPolicy, SharedHttpClient,
    SharedNonceSource, TransportError,
};
use tracing::Instrument as _;

use crate::auth::{self, UserSigCache};
use crate::policy::usersig_rejected;
use crate::{ClientBuilder, Error, Validation, WriteRetry};
use roomkv_provider::policy;

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
/// use roomkv_tencent::{Client, MetadataKey, MetadataValue, RoomId, SecretKey};
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
    /// Core's endpoint for each host, in the order of `hosts`.
    pub(crate) endpoints: Vec<Endpoint>,
    pub(crate) hosts: EndpointSet,
    pub(crate) http: SharedHttpClient,
    pub(crate) retry_policy: RetryPolicy,
    pub(crate) write_retry: WriteRetry,
    pub(crate) limits: Limits,
    pub(crate) validation: Validation,
    pub(crate) usersig: UserSigCache,
    /// Each attempt's `random`, and the retry jitter.
    pub(crate) nonce: SharedNonceSource,
}

/// The client's HTTP client, logging each exchange's outcome (never the URL, whose query
/// carries the UserSig).
#[derive(Debug)]
pub(crate) struct Logged(pub(crate) SharedHttpClient);

impl HttpClient for Logged {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let result = self.0.send(request).await;
        match &result {
            Ok(response) => tracing::trace!(status = response.status().as_u16(), "exchange done"),
            Err(err) => tracing::debug!(
                error = %err,
                may_have_been_sent = err.may_have_been_sent(),
                "exchange failed"
            ),
        }
        result
    }
}

/// Why one attempt failed, before the failure of the whole request is known.
#[derive(Debug)]
enum AttemptError {
    Encode(EncodeError),
    Transport(TransportError),
    Response(ResponseError),
}

impl From<TransportError> for AttemptError {
    fn from(err: TransportError) -> Self {
        Self::Transport(err)
    }
}

/// What the attempts of one request share. Atomics rather than cells, so the request's future
/// stays `Send`.
#[derive(Default)]
struct RequestState {
    /// The generation of the UserSig the latest attempt was signed with.
    usersig_generation: AtomicU64,
    /// The UserSig was renewed for this request already; a second rejection is final.
    renewed: AtomicBool,
    /// The latest answer came after an attempt whose outcome is unknown.
    answered_after_unknown: AtomicBool,
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
    /// client.send(room).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// See [`Error`]: [`Error::Validation`] before sending, then transport failures and
    /// Tencent's error codes after the retries the policy allows.
    pub async fn send<O>(&self, op: O) -> Result<O::Output, Error>
    where
        O: Operation<Endpoint = Endpoint>,
    {
        let command = command_name(&op);
        let span = tracing::debug_span!("tencent_request", command);
        self.execute(&op).instrument(span).await
    }

    async fn execute<O>(&self, op: &O) -> Result<O::Output, Error>
    where
        O: Operation<Endpoint = Endpoint>,
    {
        let inner = &*self.inner;
        if inner.validation == Validation::Strict {
            op.validate(&inner.limits).inspect_err(|err| {
                tracing::debug!(error = %err, "request refused by validation; nothing sent");
            })?;
        }
        let kind = policy::request_kind(op.effect(), inner.write_retry);
        let state = RequestState::default();
        let pipeline = Pipeline {
            policy: &inner.retry_policy,
            endpoints: &inner.hosts,
            http: &inner.http,
            jitter: &inner.nonce,
            // Tencent answers everything with 200; any other status is a gateway's.
            expected_statuses: &[],
        };
        let executed = pipeline
            .execute(
                kind,
                |host, attempt| inner.build(op, &state, host, attempt),
                |response, info| inner.parse(op, &state, response, info),
                |err| inner.classify(&state, err),
            )
            .await;

        let is_write = kind != RequestKind::Read;
        let refused_after_unknown = matches!(
            &executed.result,
            Err(AttemptError::Response(ResponseError::Api(api))) if api.class() == CodeClass::Final
        ) && state.answered_after_unknown.load(Ordering::Relaxed);
        let outcome_unknown = is_write && (executed.outcome_unknown || refused_after_unknown);
        let attempts = executed.attempts;
        let result = executed.result.map_err(|err| match err {
            AttemptError::Encode(err) => Error::Encode(err),
            AttemptError::Transport(source) => Error::Transport {
                source,
                attempts,
                outcome_unknown,
            },
            AttemptError::Response(ResponseError::Api(error)) => Error::Api {
                error,
                attempts,
                outcome_unknown,
            },
            AttemptError::Response(ResponseError::UnexpectedStatus { status }) => {
                Error::UnexpectedStatus {
                    status,
                    attempts,
                    outcome_unknown,
                }
            }
            AttemptError::Response(ResponseError::Decode(source)) => Error::Decode {
                source,
                attempts,
                outcome_unknown,
            },
            AttemptError::Response(other) => Error::Decode {
                source: DecodeError::new(other.to_string()),
                attempts,
                outcome_unknown,
            },
        });
        match &result {
            Ok(_) => tracing::debug!(attempts, "request succeeded"),
            Err(err) => tracing::debug!(attempts, outcome_unknown, error = %err, "request failed"),
        }
        result
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
        self.send(room).await
    }

    /// Dissolves a room and its metadata (`destroy_room`).
    ///
    /// # Errors
    ///
    /// Among others [`TencentCode::RoomNotFound`](crate::TencentCode::RoomNotFound) (100004).
    pub async fn destroy_room(&self, room: &RoomId) -> Result<(), Error> {
        self.send(DestroyRoom::new(room.clone())).await
    }

    /// Reads a room's settings (`get_room_info`).
    ///
    /// # Errors
    ///
    /// Among others [`TencentCode::RoomNotFound`](crate::TencentCode::RoomNotFound) (100004).
    pub async fn get_room_info(&self, room: &RoomId) -> Result<RoomInfo, Error> {
        self.send(GetRoomInfo::new(room.clone())).await
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
        self.send(GetRoomMetadata::new(room.clone(), keys)).await
    }

    /// Reads all of a room's metadata (`get_room_metadata` with no keys).
    ///
    /// # Errors
    ///
    /// Among others [`TencentCode::RoomNotFound`](crate::TencentCode::RoomNotFound) (100004).
    pub async fn get_all_room_metadata(&self, room: &RoomId) -> Result<Vec<MetadataEntry>, Error> {
        self.send(GetRoomMetadata::all(room.clone())).await
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
    /// [`Error::Validation`] before sending; among Tencent's codes 100500 to 100504.
    pub async fn set_room_metadata(
        &self,
        room: &RoomId,
        entries: impl IntoIterator<Item = (MetadataKey, MetadataValue)>,
    ) -> Result<(), Error> {
        self.send(SetRoomMetadata::new(room.clone(), entries)).await
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
    /// [`Error::Validation`] for no keys; among Tencent's codes 100503.
    pub async fn del_room_metadata(
        &self,
        room: &RoomId,
        keys: impl IntoIterator<Item = MetadataKey>,
    ) -> Result<(), Error> {
        self.send(DelRoomMetadata::new(room.clone(), keys)).await
    }

    /// The app's SDKAppID.
    pub fn sdkappid(&self) -> u64 {
        self.inner.endpoints[0].sdkappid
    }

    /// The App admin account requests are sent as.
    pub fn admin(&self) -> &Identifier {
        &self.inner.endpoints[0].admin
    }

    /// The limits requests are checked against; parse ids with them
    /// (`RoomId::parse_with(text, client.limits())`) when they differ from the documented ones.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// The base URLs of all hosts, primary first.
    pub fn hosts(&self) -> &[http::Uri] {
        self.inner.hosts.hosts()
    }

    /// The base URL requests go to now: the primary, or a backup after a failure until the
    /// cool-down has passed.
    pub fn active_host(&self) -> http::Uri {
        self.inner.hosts.current().base().clone()
    }
}

impl Inner {
    /// One attempt's request: encoded for `host`, signed with the cached UserSig and a fresh
    /// `random`.
    fn build<O: Operation<Endpoint = Endpoint>>(
        &self,
        op: &O,
        state: &RequestState,
        host: &roomkv_transport::Endpoint,
        attempt: u32,
    ) -> Result<HttpRequest, AttemptError> {
        let endpoint = &self.endpoints[host.index()];
        let request = op.encode(endpoint).map_err(AttemptError::Encode)?;
        let ticket = self.usersig.current();
        state
            .usersig_generation
            .store(ticket.generation, Ordering::Relaxed);
        // `random`: the low 32 bits of a fresh value, every attempt.
        let random = self.nonce.next_u64() as u32;
        tracing::debug!(host = %endpoint.base, attempt, "sending");
        auth::sign(request, &ticket.usersig, random)
            .map_err(|err| AttemptError::Encode(EncodeError::from(err)))
    }

    /// Tencent's answer to one attempt. A repeat after an attempt with unknown outcome may be
    /// settled by an error that shows the first attempt was applied.
    fn parse<O: Operation<Endpoint = Endpoint>>(
        &self,
        op: &O,
        state: &RequestState,
        response: HttpResponse,
        info: AttemptInfo,
    ) -> Result<O::Output, AttemptError> {
        let (head, body) = response.into_parts();
        let status = head.status.as_u16();
        state
            .answered_after_unknown
            .store(info.after_unknown, Ordering::Relaxed);
        match op.parse(http::Response::from_parts(head, &body[..])) {
            Ok(output) => {
                tracing::debug!(attempt = info.number, status, "answered: success");
                Ok(output)
            }
            Err(ResponseError::Api(error)) => {
                let code = error.code.code();
                let request_id = error.request_id.as_deref().unwrap_or("");
                if info.after_unknown
                    && let Some(output) = op.settles_repeat(&error)
                {
                    tracing::debug!(
                        attempt = info.number,
                        code,
                        request_id,
                        "answered: the repeat shows the earlier attempt was applied"
                    );
                    return Ok(output);
                }
                tracing::debug!(
                    attempt = info.number,
                    status,
                    code,
                    request_id,
                    "answered: error"
                );
                Err(AttemptError::Response(ResponseError::Api(error)))
            }
            Err(err) => {
                tracing::debug!(attempt = info.number, status, error = %err, "answered: unreadable");
                Err(AttemptError::Response(err))
            }
        }
    }

    /// What a failed attempt means for retrying. The first 70001 / 70052 of a request renews
    /// the UserSig and counts as "not processed", so exactly one fresh attempt follows.
    fn classify(&self, state: &RequestState, err: &AttemptError) -> AttemptOutcome {
        let outcome = match err {
            AttemptError::Response(ResponseError::Api(api)) if matches!(api.code, ApiCode::Tencent(code) if usersig_rejected(code)) => {
                if state.renewed.swap(true, Ordering::Relaxed) {
                    AttemptOutcome::Refused
                } else {
                    tracing::debug!(
                        code = api.code.code(),
                        "Tencent rejected the UserSig; renewing it for one more attempt"
                    );
                    self.usersig
                        .renew(state.usersig_generation.load(Ordering::Relaxed));
                    AttemptOutcome::NotSent
                }
            }
            AttemptError::Response(err) => policy::outcome(err),
            AttemptError::Encode(_) => AttemptOutcome::Refused,
            // Transport classifies its own failures; this arm is never reached through it.
            AttemptError::Transport(err) if err.may_have_been_sent() => AttemptOutcome::Unknown,
            AttemptError::Transport(_) => AttemptOutcome::NotSent,
        };
        tracing::debug!(?outcome, "attempt failed");
        outcome
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
            .field("hosts", &inner.hosts)
            .field("http", &inner.http)
            .field("retry_policy", &inner.retry_policy)
            .field("write_retry", &inner.write_retry)
            .field("validation", &inner.validation)
            .field("usersig", &inner.usersig)
            .field("usersig_lifetime", &inner.usersig.lifetime())
            .finish_non_exhaustive()
    }
}
