//! [`Engine`]: the one request path of every provider client, and the [`Signer`] hook through
//! which a provider signs each attempt.
//!
//! For one operation the engine validates it against the limits (unless validation is off),
//! then runs [`Pipeline::execute`]: for every attempt, encode for the active host, sign, send,
//! parse (a repeat after an unknown outcome may be settled by
//! [`Operation::settles_repeat`]), classify; and finally turns the last attempt into an
//! [`Error`] that says whether a write may have been applied.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use roomkv_core::{ApiError, CodeClass, DecodeError, Limits, Operation, ResponseError};
use roomkv_transport::limiter::RateLimited;
use roomkv_transport::metrics::RequestClock;
#[cfg(not(feature = "metrics"))]
use roomkv_transport::metrics::RequestMeter;
use roomkv_transport::pipeline::{Admission, AttemptInfo, Pipeline};
use roomkv_transport::safety::{AttemptOutcome, RequestKind};
use roomkv_transport::{
    BoxError, HostSet, HttpRequest, HttpResponse, RetryPolicy, SharedClock, SharedHttpClient,
    SharedRandomSource, TransportError,
};

use crate::bulk::Chunking;
use crate::error::Vendor;
use crate::{Error, ErrorContext, ErrorKind, QuotaGate, Validation, WriteRetry, policy};

/// What a [`Signer`] may draw on: the client's clock and random source, and nothing else of
/// the engine.
#[derive(Debug, Clone, Copy)]
pub struct SignContext<'a> {
    clock: &'a SharedClock,
    random: &'a SharedRandomSource,
}

impl<'a> SignContext<'a> {
    /// A context over `clock` and `random`.
    pub fn new(clock: &'a SharedClock, random: &'a SharedRandomSource) -> Self {
        Self { clock, random }
    }

    /// The time, for timestamps.
    pub fn clock(&self) -> &'a SharedClock {
        self.clock
    }

    /// Randomness, for nonces and request ids.
    pub fn random(&self) -> &'a SharedRandomSource {
        self.random
    }
}

/// How a provider signs the attempts of its requests: RongCloud's signature headers, Tencent's
/// `usersig` and `random`.
pub trait Signer<V: Vendor>: Sync {
    /// What the attempts of one request share (a request id, which UserSig was used, …).
    type Request: Send + Sync;

    /// Starts a request, before its first attempt.
    fn begin(&self, context: SignContext<'_>) -> Self::Request;

    /// The id the request carries, for [`Error`]s and the `request_id` span field; `None` for
    /// a vendor whose requests carry no id of the client's.
    fn request_id<'r>(&self, request: &'r Self::Request) -> Option<&'r str>;

    /// Signs one attempt's encoded `http` request, with the context's clock and random source.
    ///
    /// # Errors
    ///
    /// Why the request cannot be signed; the attempt is then not sent and the request fails
    /// with [`ErrorKind::Signing`].
    fn sign(
        &self,
        request: &Self::Request,
        http: HttpRequest,
        context: SignContext<'_>,
    ) -> Result<HttpRequest, BoxError>;

    /// What an error answer means for retrying, when the provider knows better than
    /// [`policy::outcome`] (Tencent renews a rejected UserSig and sends again). `None`, the
    /// default, leaves it to the policy.
    fn classify(&self, request: &Self::Request, error: &ApiError) -> Option<AttemptOutcome> {
        let _ = (request, error);
        None
    }
}

/// Everything a built client shares across its clones, and the request path.
pub struct Engine<V: Vendor> {
    /// Core's endpoint for each host, in the order of `hosts`.
    pub(crate) endpoints: Vec<V::Endpoint>,
    /// The hosts, and which one is active.
    pub(crate) hosts: HostSet,
    /// Where requests are sent.
    pub(crate) http: SharedHttpClient,
    /// How many attempts and how long between them.
    pub(crate) retry_policy: RetryPolicy,
    /// Whether writes with an unknown outcome are repeated.
    pub(crate) write_retry: WriteRetry,
    /// The limits requests are checked against.
    pub(crate) limits: Limits,
    /// Whether requests are checked against the limits.
    pub(crate) validation: Validation,
    /// The HTTP statuses the vendor itself answers with, whose bodies are parsed: any other
    /// non-2xx status switches hosts.
    pub(crate) expected_statuses: &'static [http::StatusCode],
    /// The time, for signing and the failover cool-down.
    pub(crate) clock: SharedClock,
    /// Randomness: nonces, request ids and the retry jitter.
    pub(crate) random: SharedRandomSource,
    /// The client-side rate limiter every attempt waits for; `None` when it is off.
    pub(crate) quota: Option<QuotaGate>,
    /// The client's metric handles, resolved at first use.
    #[cfg(feature = "metrics")]
    pub(crate) meters: crate::metrics::EngineMeters,
}

impl<V: Vendor> Engine<V> {
    /// Replaces [`Vendor::EXPECTED_STATUSES`]: for a provider whose API version gives statuses
    /// meaning (a RongCloud client in the Nexconn v4 dialect).
    pub fn set_expected_statuses(&mut self, statuses: &'static [http::StatusCode]) {
        self.expected_statuses = statuses;
    }

    /// Core's endpoint of the primary host: what the vendor's settings put in every endpoint
    /// (Tencent's SDKAppID and admin).
    pub fn primary_endpoint(&self) -> &V::Endpoint {
        &self.endpoints[0]
    }

    /// The limits requests are checked against.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The clock and random source, for what a provider signs outside a request.
    pub fn sign_context(&self) -> SignContext<'_> {
        SignContext::new(&self.clock, &self.random)
    }
}

impl<V: Vendor> fmt::Debug for Engine<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("hosts", &self.hosts)
            .field("http", &self.http)
            .field("retry_policy", &self.retry_policy)
            .field("write_retry", &self.write_retry)
            .field("validation", &self.validation)
            .field("expected_statuses", &self.expected_statuses)
            .field("quota", &self.quota)
            .finish_non_exhaustive()
    }
}

/// Why one attempt failed, before the failure of the whole request is known.
enum AttemptError<V: Vendor> {
    /// Refused before sending (encoding, signing).
    Local(Error<V>),
    Transport(TransportError),
    Response(ResponseError),
    /// Not admitted by the rate limiter; not sent.
    Limited(RateLimited),
}

impl<V: Vendor> From<RateLimited> for AttemptError<V> {
    fn from(err: RateLimited) -> Self {
        Self::Limited(err)
    }
}

impl<V: Vendor> From<TransportError> for AttemptError<V> {
    fn from(err: TransportError) -> Self {
        // Transport classifies (and retries) its own failures without asking `classify`; this
        // is the one place that sees each of them, inside the request's span.
        tracing::debug!(
            error = %err,
            may_have_been_sent = err.may_have_been_sent(),
            "attempt failed in transport"
        );
        Self::Transport(err)
    }
}

impl<V: Vendor> Engine<V> {
    /// Runs `check` against the limits, unless validation is [`Validation::Off`]: what a bulk
    /// write checks about all its items before sending its first chunk.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] with the rule `check` found broken.
    pub fn check_all(
        &self,
        check: impl FnOnce(&Limits) -> Result<(), roomkv_core::ValidationError>,
    ) -> Result<(), Error<V>> {
        match self.validation {
            Validation::Off => Ok(()),
            Validation::Strict => check(&self.limits).map_err(Error::from),
        }
    }

    /// The chunks of [`write_in_chunks`](Self::write_in_chunks); refining catches a limit
    /// that is not a sum, such as a body size.
    fn plan<T: Clone, K, O: Operation>(
        &self,
        items: Vec<T>,
        chunking: &Chunking<T, K>,
        op: impl Fn(Vec<T>) -> O,
    ) -> Vec<Vec<T>> {
        let chunks = chunking.split(items);
        match self.validation {
            Validation::Off => chunks,
            Validation::Strict => crate::bulk::refine(chunks, |chunk| {
                op(chunk.to_vec()).validate(&self.limits).is_ok()
            }),
        }
    }

    /// A write of any size: splits `items` as `chunking` says ([`Chunking`]), halves each chunk
    /// while the operation `op` makes of it fails validation
    /// ([`bulk::refine`](crate::bulk::refine); with validation off, by count and weight alone),
    /// then [`bulk::run`](crate::bulk::run)s them in order through `send` (the provider's
    /// `Client::send`), stopping at the first failure; each chunk reports the keys `chunking`
    /// names.
    pub async fn write_in_chunks<T, K, O, Fut>(
        &self,
        items: Vec<T>,
        chunking: Chunking<T, K>,
        op: impl Fn(Vec<T>) -> O,
        send: impl Fn(O) -> Fut,
    ) -> crate::BulkReport<K, Error<V>>
    where
        T: Clone,
        K: Clone,
        O: Operation,
        Fut: Future<Output = Result<(), Error<V>>>,
    {
        let chunks = self.plan(items, &chunking, &op);
        let keys_of = |chunk: &Vec<T>| chunking.keys_of(chunk);
        crate::bulk::run(chunks, keys_of, Error::is_outcome_unknown, |chunk| {
            send(op(chunk))
        })
        .await
    }

    /// The base URLs of all hosts, primary first.
    pub fn hosts(&self) -> &[http::Uri] {
        self.hosts.hosts()
    }

    /// The base URL requests go to now: the primary, or a backup after a failure until the
    /// cool-down has passed.
    pub fn active_host(&self) -> http::Uri {
        self.hosts.current().base().clone()
    }

    /// Sends `op`, signed by `signer`, and returns its typed output. Call it inside `span`,
    /// made with [`request_span!`](crate::request_span), whose fields are recorded: roomkv's
    /// (`request_id`, `path`, `host`, `attempt`, the vendor's `code`) and OpenTelemetry's HTTP
    /// client conventions (`http.request.method`, `server.address`, `server.port`,
    /// `http.response.status_code`, `error.type`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] before sending, then transport failures and the vendor's error
    /// codes after the retries the policy allows.
    pub async fn execute<O, S>(
        &self,
        op: &O,
        signer: &S,
        span: &tracing::Span,
    ) -> Result<O::Output, Error<V>>
    where
        O: Operation<Endpoint = V::Endpoint>,
        S: Signer<V>,
    {
        // With the feature `metrics`, one clock reading for the request's duration and its
        // retry budget (without it, the pipeline reads the clock for the budget).
        let clock = RequestClock::start();
        #[cfg(feature = "metrics")]
        let meters = self.meters.operation::<O>();
        let result = self
            .run(
                op,
                signer,
                span,
                &clock,
                #[cfg(feature = "metrics")]
                &meters,
            )
            .await;
        #[cfg(feature = "metrics")]
        self.meters.done(&meters, &result, &clock);
        if let Err(err) = &result {
            span.record("error.type", err.outcome());
        }
        result
    }

    /// [`execute`](Self::execute) without the request-level metrics.
    async fn run<O, S>(
        &self,
        op: &O,
        signer: &S,
        span: &tracing::Span,
        clock: &RequestClock,
        #[cfg(feature = "metrics")] meters: &crate::metrics::OperationMeters,
    ) -> Result<O::Output, Error<V>>
    where
        O: Operation<Endpoint = V::Endpoint>,
        S: Signer<V>,
    {
        if self.validation == Validation::Strict {
            op.validate(&self.limits).inspect_err(|err| {
                tracing::debug!(error = %err, "request refused by validation; nothing sent");
            })?;
        }
        let request = signer.begin(self.sign_context());
        let request_id = signer.request_id(&request);
        if let Some(id) = request_id {
            span.record("request_id", id);
        }
        let kind = policy::request_kind(op.effect(), self.write_retry);
        // An atomic rather than a cell, so the request's future stays `Send`: the latest
        // answer came after an attempt whose outcome is unknown.
        let answered_after_unknown = AtomicBool::new(false);
        let cost = op.quota();
        let charges = match &self.quota {
            Some(quota) => quota.charges(cost, &self.limits),
            None => crate::quota::Charges::default(),
        };
        let pipeline = Pipeline {
            policy: &self.retry_policy,
            hosts: &self.hosts,
            http: &self.http,
            jitter: &self.random,
            expected_statuses: self.expected_statuses,
            admission: self.quota.as_ref().map(|quota| Admission {
                limiter: &quota.limiter,
                charges: &charges,
                max_wait: quota.max_wait,
            }),
        };
        #[cfg(feature = "metrics")]
        let families = crate::metrics::Families::of(cost);
        #[cfg(feature = "metrics")]
        let meter = self.meters.request(meters, &families, clock);
        #[cfg(not(feature = "metrics"))]
        let meter = {
            let _ = clock;
            RequestMeter::default()
        };
        let executed = pipeline
            .execute_metered(
                kind,
                meter,
                |host, attempt| self.build(op, signer, &request, span, host, attempt),
                |response, info| parse(op, &answered_after_unknown, span, response, info),
                |err| classify(signer, &request, err),
            )
            .await;

        let is_write = kind != RequestKind::Read;
        let refused_after_unknown = matches!(
            &executed.result,
            Err(AttemptError::Response(ResponseError::Api(api))) if api.class() == CodeClass::Final
        ) && answered_after_unknown.load(Ordering::Relaxed);
        let outcome_unknown = is_write && (executed.outcome_unknown || refused_after_unknown);
        let attempts = executed.attempts;
        let context = |request_id: Option<&str>| {
            ErrorContext::new(attempts, outcome_unknown, request_id.map(str::to_owned))
        };
        let result = executed.result.map_err(|err| match err {
            AttemptError::Local(err) => err,
            AttemptError::Limited(source) => Error::new(
                ErrorKind::RateLimited {
                    family: cost
                        .charges()
                        .nth(source.charge)
                        .map(|(family, _)| family)
                        .expect("the limiter refuses one of the charges it was given"),
                    source,
                },
                // The refused attempt was not sent.
                ErrorContext::new(attempts - 1, outcome_unknown, None),
            ),
            AttemptError::Transport(source) => {
                Error::new(ErrorKind::Transport(source), context(request_id))
            }
            AttemptError::Response(ResponseError::Api(mut error)) => {
                if error.request_id.is_none() {
                    error.request_id = request_id.map(str::to_owned);
                }
                let context = context(error.request_id.as_deref());
                Error::new(ErrorKind::Api(error), context)
            }
            AttemptError::Response(ResponseError::UnexpectedStatus { status }) => {
                Error::new(ErrorKind::UnexpectedStatus { status }, context(request_id))
            }
            AttemptError::Response(ResponseError::Decode(source)) => {
                Error::new(ErrorKind::Decode(source), context(request_id))
            }
            AttemptError::Response(other) => Error::new(
                ErrorKind::Decode(DecodeError::new(other.to_string())),
                context(request_id),
            ),
        });
        match &result {
            Ok(_) => tracing::debug!(attempts, "request succeeded"),
            Err(err) => tracing::debug!(attempts, outcome_unknown, error = %err, "request failed"),
        }
        result
    }

    /// One attempt's request: encoded for `host`, then signed.
    fn build<O, S>(
        &self,
        op: &O,
        signer: &S,
        request: &S::Request,
        span: &tracing::Span,
        host: &roomkv_transport::HostChoice,
        attempt: u32,
    ) -> Result<HttpRequest, AttemptError<V>>
    where
        O: Operation<Endpoint = V::Endpoint>,
        S: Signer<V>,
    {
        let endpoint = &self.endpoints[host.index()];
        let encoded = op
            .encode(endpoint)
            .map_err(|err| AttemptError::Local(Error::refused(ErrorKind::Encode(err))))?;
        let signed = signer
            .sign(request, encoded, self.sign_context())
            .map_err(|err| {
                tracing::debug!(error = %err, "could not sign the request");
                AttemptError::Local(Error::refused(ErrorKind::Signing(err)))
            })?;
        span.record("http.request.method", signed.method().as_str());
        span.record("path", signed.uri().path());
        span.record("host", tracing::field::display(host.base()));
        if let Some(address) = host.base().host() {
            span.record("server.address", address);
        }
        if let Some(port) = host.base().port_u16() {
            span.record("server.port", port);
        }
        span.record("attempt", attempt);
        tracing::debug!(host = %host.base(), attempt, "sending");
        Ok(signed)
    }
}

/// The vendor's answer to one attempt. A repeat after an attempt with unknown outcome may be
/// settled by an error that shows the first attempt was applied.
fn parse<O: Operation, V: Vendor>(
    op: &O,
    answered_after_unknown: &AtomicBool,
    span: &tracing::Span,
    response: HttpResponse,
    info: AttemptInfo,
) -> Result<O::Output, AttemptError<V>> {
    let (head, body) = response.into_parts();
    let status = head.status.as_u16();
    span.record("http.response.status_code", status);
    answered_after_unknown.store(info.after_unknown, Ordering::Relaxed);
    match op.parse(http::Response::from_parts(head, &body[..])) {
        Ok(output) => {
            tracing::debug!(attempt = info.number, status, "answered: success");
            Ok(output)
        }
        Err(ResponseError::Api(error)) => {
            let code = error.code.code();
            span.record("code", code);
            let request_id = error.request_id.as_deref().unwrap_or("");
            if info.after_unknown
                && let Some(output) = op.settles_repeat(&error)
            {
                tracing::debug!(
                    attempt = info.number,
                    status,
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
                class = ?error.class(),
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

/// What a failed attempt means for retrying.
fn classify<V: Vendor, S: Signer<V>>(
    signer: &S,
    request: &S::Request,
    err: &AttemptError<V>,
) -> AttemptOutcome {
    let outcome = match err {
        AttemptError::Response(err) => match err {
            ResponseError::Api(api) => signer.classify(request, api),
            _ => None,
        }
        .unwrap_or_else(|| policy::outcome(err)),
        AttemptError::Local(_) => AttemptOutcome::Refused,
        // The pipeline stops on a refusal of the limiter without asking; never reached.
        AttemptError::Limited(_) => AttemptOutcome::NotSent,
        // Transport classifies its own failures; this arm is never reached through it.
        AttemptError::Transport(err) if err.may_have_been_sent() => AttemptOutcome::Unsettled,
        AttemptError::Transport(_) => AttemptOutcome::NotSent,
    };
    tracing::debug!(?outcome, "attempt failed");
    outcome
}
