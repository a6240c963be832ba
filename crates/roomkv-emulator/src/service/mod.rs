//! The request handler: routing by path, the size limit, authentication, quotas, and the
//! dispatch of vendor operations to [`crate::state`].
//!
//! Every vendor operation is routed, decoded, validated and answered through `roomkv-core`'s
//! codecs (`rongcloud::server`, `tencent::server`), so the emulator and the SDK share one list of
//! paths, one set of field names and one set of reply shapes.
//!
//! Pipeline of a RongCloud request: method (`POST`, else HTTP 405 / 1007) → body size (at least
//! 100 KB: 1508) → route (core's `PATHS`, else HTTP 404 / 404) → `App-Key` (HTTP 401 / 1002
//! "Invalidate App-Key.") → signature headers present and genuine (HTTP 401 / 1004) → strict
//! timestamp window and nonce replay (HTTP 401 / 1004) → decode (1002) → core's validation (1005
//! for too long / too many, 1002 otherwise) → quota (HTTP 429 / 1008) → state (1009 when the KV
//! service is off, then the operation's own codes).
//!
//! Nexconn v4 requests (core's `rongcloud::server::v4::is_routed`, JSON bodies) take the same
//! pipeline and run on the same state as the legacy ones, so a key set through one dialect is
//! read through the other. They are answered in the v4 envelope (`{"code":0,"result":{…}}`),
//! and their errors carry meaningful HTTP statuses ([`v4_status`]): 400 parameter errors
//! (1002, 1005, 1501, 1502, 1508, and 1015 "does not exist"), 401 signature or App Key, 403 app
//! unavailable, 404 unknown path, 405 method, 429 rate limit (1008), 430 KV service not enabled
//! (1009), 500 / 504 internal errors.
//!
//! Tencent requests take the pipeline of `service/tencent.rs`.

use std::panic::{AssertUnwindSafe, catch_unwind};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use roomkv_core::rongcloud::server::{self as rc_server, AuthHeaders, v4 as rc_v4};
use roomkv_core::{ApiError, RongCloudCode, ServerOperation, TencentCode};

use crate::clock::Clock;
use crate::explain::strict_explanation;
use crate::faults::{FaultAction, gateway_page};
use crate::journal::{self, JournalEntry, Outcome};

mod tencent;

use self::tencent::tc_error;
use crate::state::{State, rongcloud_validation_error};
use crate::{Emulator, RongCloudAppState, wire};

/// What happened to a request handled with faults ([`Emulator::respond`]).
#[derive(Debug)]
pub enum Exchange {
    /// An HTTP reply.
    Reply(Response<Vec<u8>>),
    /// The connection was closed without a reply.
    Closed {
        /// Whether the request was processed (its writes applied) before the close.
        processed: bool,
    },
}

/// Which surface a path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Vendor {
    Control,
    RongCloud,
    Tencent,
}

impl Vendor {
    /// `/_emulator/…` is the control API; `/v4/<service>/…` with a snake_case service name (or a
    /// `sdkappid` query) is Tencent; everything else, Nexconn's kebab-case `/v4/…` included, is
    /// RongCloud.
    pub(crate) fn of(uri: &http::Uri) -> Self {
        let path = uri.path();
        if path == "/_emulator" || path.starts_with("/_emulator/") {
            return Self::Control;
        }
        if let Some(rest) = path.strip_prefix("/v4/") {
            let service = rest.split('/').next().unwrap_or("");
            let tencent_query = uri
                .query()
                .is_some_and(|q| q.split('&').any(|p| p.starts_with("sdkappid=")));
            if service.contains('_') || tencent_query {
                return Self::Tencent;
            }
        }
        Self::RongCloud
    }
}

/// A RongCloud request that passed authentication.
pub(crate) struct RongCloudRequest<'a> {
    pub(crate) app: &'a RongCloudAppState,
    pub(crate) request_id: Option<&'a str>,
    pub(crate) now_ms: u64,
}

/// The journal's vendor and dialect names of a request.
fn names(vendor: Vendor, path: &str) -> (&'static str, &'static str) {
    match vendor {
        Vendor::Tencent => ("tencent", "tencent"),
        _ if is_v4(path) => ("rongcloud", "v4"),
        _ => ("rongcloud", "legacy"),
    }
}

/// The code a dialect answers success with: legacy RongCloud's `{"code":200}`, Nexconn v4's
/// `{"code":0}` and Tencent's `ErrorCode` 0.
fn success_code(dialect: &str) -> i64 {
    if dialect == "legacy" { 200 } else { 0 }
}

/// Whether `path` is in Nexconn's v4 surface (answered in the v4 envelope and statuses).
fn is_v4(path: &str) -> bool {
    path.starts_with("/v4/")
}

/// The HTTP status of a RongCloud error in the Nexconn v4 API, which gives statuses meaning:
/// 401, 404 and 405 the pipeline chose are kept; otherwise the code decides.
pub(crate) fn v4_status(code: RongCloudCode, legacy_status: u16) -> u16 {
    use RongCloudCode as C;
    match (code, legacy_status) {
        (_, status @ (401 | 404 | 405)) => status,
        (C::SignatureError | C::IncorrectAppSecret, _) => 401,
        (C::RateLimited, _) => 429,
        (C::ServiceNotEnabled, _) => 430,
        (C::EndpointNotFound, _) => 404,
        (C::AppUnavailable | C::MethodRestricted, _) => 403,
        (C::InternalError, _) => 500,
        (C::InternalTimeout, _) => 504,
        (
            C::ParameterError
            | C::NoPostData
            | C::ParameterTooLong
            | C::ParameterTypeError
            | C::QuantityExceeded
            | C::BodyTooLarge
            | C::UserNotFound
            | C::DataNotFound,
            _,
        ) => 400,
        (_, status) => status,
    }
}

/// A RongCloud error reply in the dialect of `path`.
fn rc_error_reply(path: &str, mut error: ApiError) -> Response<Vec<u8>> {
    if is_v4(path) {
        if let roomkv_core::ApiCode::RongCloud(code) = error.code {
            error.http_status = v4_status(code, error.http_status);
        }
        rc_v4::error_reply(&error)
    } else {
        rc_server::error_reply(&error)
    }
}

fn rc_error(code: RongCloudCode, message: impl Into<String>, status: u16) -> ApiError {
    ApiError::rongcloud(code, message, status)
}

fn not_found(path: &str) -> ApiError {
    rc_error(
        RongCloudCode::EndpointNotFound,
        format!("endpoint {path} not found"),
        404,
    )
}

/// The request as core's decoders take it.
pub(crate) fn borrowed(request: &Request<Bytes>) -> Request<&[u8]> {
    let mut borrowed = Request::new(request.body().as_ref());
    *borrowed.method_mut() = request.method().clone();
    *borrowed.uri_mut() = request.uri().clone();
    *borrowed.version_mut() = request.version();
    *borrowed.headers_mut() = request.headers().clone();
    borrowed
}

pub(crate) fn json_response(status: StatusCode, value: &serde_json::Value) -> Response<Vec<u8>> {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

impl Emulator {
    /// Handles one request without faults and answers exactly as the vendor (or the control API)
    /// would. Never panics and never answers HTTP 500: a panic inside is caught and answered
    /// with the vendor's internal-error code (RongCloud 1000, Tencent 100001).
    ///
    /// This is the whole server minus the network, for an in-memory HTTP client.
    pub fn handle(&self, request: Request<Bytes>) -> Response<Vec<u8>> {
        let vendor = Vendor::of(request.uri());
        if vendor == Vendor::Control {
            return match catch_unwind(AssertUnwindSafe(|| self.control(&request))) {
                Ok(response) => response,
                Err(_) => {
                    tracing::error!(
                        path = request.uri().path(),
                        "the emulator panicked while handling a control request"
                    );
                    json_response(
                        StatusCode::SERVICE_UNAVAILABLE,
                        &serde_json::json!({"error": "internal error"}),
                    )
                }
            };
        }
        let started = self.inner.clock.monotonic();
        let time_ms = self.now_ms();
        journal::begin();
        let (response, refusal) =
            match catch_unwind(AssertUnwindSafe(|| self.route(vendor, &request))) {
                Ok(answer) => answer,
                Err(_) => {
                    // The path only: a Tencent query carries the UserSig, a bearer credential.
                    tracing::error!(
                        path = request.uri().path(),
                        "the emulator panicked while handling a request"
                    );
                    self.internal_error(vendor, &request)
                }
            };
        let latency = self.inner.clock.monotonic().saturating_sub(started);
        self.journal_request(vendor, &request, &response, refusal, time_ms, latency);
        response
    }

    /// The vendor's internal-error answer, for a request whose handling panicked.
    fn internal_error(
        &self,
        vendor: Vendor,
        request: &Request<Bytes>,
    ) -> (Response<Vec<u8>>, Option<ApiError>) {
        let error = match vendor {
            Vendor::Tencent => tc_error(TencentCode::LiveInternalError, "internal server error"),
            _ => self.with_rc_id(
                rc_error(RongCloudCode::InternalError, "internal logic error", 200),
                request,
            ),
        };
        let response = match vendor {
            Vendor::Tencent => self.tencent_error_reply(&error),
            _ => rc_error_reply(request.uri().path(), error.clone()),
        };
        (response, Some(error))
    }

    /// Records a vendor request in the journal and, for a refusal, logs its explanation (shown
    /// by `roomkv emulator -v`).
    fn journal_request(
        &self,
        vendor: Vendor,
        request: &Request<Bytes>,
        response: &Response<Vec<u8>>,
        refusal: Option<ApiError>,
        time_ms: u64,
        latency: std::time::Duration,
    ) {
        let notes = journal::take();
        let path = request.uri().path();
        let (vendor_name, dialect) = names(vendor, path);
        let explanation = refusal.as_ref().map(|error| {
            notes
                .explanation
                .unwrap_or_else(|| crate::explain::generic(error))
        });
        let code = refusal
            .as_ref()
            .map_or_else(|| success_code(dialect), |e| e.code.code());
        let params = journal::params(
            request.uri(),
            request.headers(),
            request.body(),
            vendor == Vendor::Tencent,
        );
        if let Some(explanation) = &explanation {
            tracing::info!(
                target: "roomkv_emulator::journal",
                vendor = vendor_name,
                endpoint = path,
                code,
                "refused: {explanation}"
            );
        }
        self.inner.journal.record(JournalEntry {
            seq: 0,
            time_ms,
            vendor: vendor_name,
            endpoint: path.to_owned(),
            dialect,
            params,
            status: response.status().as_u16(),
            code: Some(code),
            fault: false,
            outcome: if refusal.is_some() {
                Outcome::Refused
            } else {
                Outcome::Ok
            },
            latency_us: u64::try_from(latency.as_micros()).unwrap_or(u64::MAX),
            buckets: notes.buckets,
            explanation,
        });
    }

    /// Handles one request with the configured faults: waits out delays
    /// (`tokio::time::sleep`), then answers, refuses or "drops the connection". A late landing
    /// returns once the request has been processed, and is processed even when this future is
    /// dropped first.
    pub async fn respond(&self, request: Request<Bytes>) -> Exchange {
        let plan = self.fault_plan(request.uri().path());
        if !plan.delay.is_zero() {
            tokio::time::sleep(plan.delay).await;
        }
        match plan.action {
            None => {
                let response = self.handle(request);
                self.durable().await;
                Exchange::Reply(response)
            }
            Some(FaultAction::CloseAfterProcessing) => {
                drop(self.handle(request));
                Exchange::Closed { processed: true }
            }
            Some(FaultAction::LandLate(after)) => {
                // Dropping this future (a client that gave up) does not stop the landing.
                let _ = self.land_late(request, after).await;
                Exchange::Closed { processed: true }
            }
            Some(action) => self
                .refuse(&action, &request)
                .unwrap_or(Exchange::Closed { processed: false }),
        }
    }

    /// Processes `request` `after` from now in a task of its own, so that nothing that happens
    /// to the connection it came on can stop it (the late-landing fault); the task ends once
    /// the change is durable.
    pub(crate) fn land_late(
        &self,
        request: Request<Bytes>,
        after: std::time::Duration,
    ) -> tokio::task::JoinHandle<()> {
        let emulator = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            drop(emulator.handle(request));
            emulator.durable().await;
        })
    }

    /// The reply of a fault that answers without processing; `None` for a close. Journaled.
    pub(crate) fn refuse<B>(&self, action: &FaultAction, request: &Request<B>) -> Option<Exchange> {
        let exchange = self.fault_exchange(action, request);
        self.journal_fault(action, request, exchange.as_ref());
        exchange
    }

    /// Records a request a fault rule answered (or closed) in the journal, explained.
    fn journal_fault<B>(
        &self,
        action: &FaultAction,
        request: &Request<B>,
        exchange: Option<&Exchange>,
    ) {
        let vendor = Vendor::of(request.uri());
        if vendor == Vendor::Control {
            return;
        }
        let path = request.uri().path();
        let (vendor_name, dialect) = names(vendor, path);
        let (status, code, explanation) = match (action, exchange) {
            (FaultAction::VendorError { code, .. }, Some(Exchange::Reply(reply))) => (
                reply.status().as_u16(),
                Some(*code),
                format!("a fault rule forced vendor code {code}; the request was not processed"),
            ),
            (_, Some(Exchange::Reply(reply))) => (
                reply.status().as_u16(),
                None,
                format!(
                    "a fault rule answered a gateway page with HTTP {}; the request was not \
                     processed",
                    reply.status().as_u16()
                ),
            ),
            _ => (
                0,
                None,
                "a fault rule closed the connection before processing the request".to_owned(),
            ),
        };
        tracing::info!(
            target: "roomkv_emulator::journal",
            vendor = vendor_name,
            endpoint = path,
            "refused: {explanation}"
        );
        self.inner.journal.record(JournalEntry {
            seq: 0,
            time_ms: self.now_ms(),
            vendor: vendor_name,
            endpoint: path.to_owned(),
            dialect,
            params: journal::params(
                request.uri(),
                request.headers(),
                &[],
                vendor == Vendor::Tencent,
            ),
            status,
            code,
            fault: true,
            outcome: Outcome::Refused,
            latency_us: 0,
            buckets: Vec::new(),
            explanation: Some(explanation),
        });
    }

    fn fault_exchange<B>(&self, action: &FaultAction, request: &Request<B>) -> Option<Exchange> {
        match action {
            FaultAction::Status(status) => {
                let mut response = Response::new(gateway_page(*status).into_bytes());
                *response.status_mut() =
                    StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_GATEWAY);
                response.headers_mut().insert(
                    http::header::CONTENT_TYPE,
                    http::HeaderValue::from_static("text/html"),
                );
                Some(Exchange::Reply(response))
            }
            FaultAction::VendorError {
                code,
                message,
                http_status,
            } => Some(Exchange::Reply(self.forced_error(
                request,
                *code,
                message.as_deref(),
                *http_status,
            ))),
            _ => None,
        }
    }

    fn forced_error<B>(
        &self,
        request: &Request<B>,
        code: i64,
        message: Option<&str>,
        http_status: Option<u16>,
    ) -> Response<Vec<u8>> {
        match Vendor::of(request.uri()) {
            Vendor::Tencent => {
                let code = TencentCode::from_code(code);
                let message = message.unwrap_or_else(|| code.description());
                self.tencent_error_reply(&tc_error(code, message))
            }
            vendor => {
                let code = RongCloudCode::from_code(code);
                let status = http_status.unwrap_or(match code {
                    RongCloudCode::RateLimited => 429,
                    RongCloudCode::SignatureError => 401,
                    _ => 200,
                });
                let mut error =
                    rc_error(code, message.unwrap_or_else(|| code.description()), status);
                if vendor == Vendor::RongCloud
                    && let Some(id) = AuthHeaders::request_id(request.headers())
                {
                    error = error.with_request_id(id);
                }
                if vendor == Vendor::RongCloud && http_status.is_none() {
                    // A forced code on a v4 path gets the status v4 gives it.
                    return rc_error_reply(request.uri().path(), error);
                }
                if vendor == Vendor::RongCloud && is_v4(request.uri().path()) {
                    return rc_v4::error_reply(&error);
                }
                rc_server::error_reply(&error)
            }
        }
    }

    fn with_rc_id(&self, error: ApiError, request: &Request<Bytes>) -> ApiError {
        match AuthHeaders::request_id(request.headers()) {
            Some(id) => error.with_request_id(id),
            None => error,
        }
    }

    /// The largest accepted body (RongCloud: "less than 100 KB", 1508 otherwise).
    fn body_limit(&self) -> usize {
        self.inner.config.limits.rongcloud.request_body_max_bytes
    }

    fn body_too_large(&self, body: &[u8]) -> bool {
        body.len() > self.body_limit()
    }

    /// The most body bytes [`Self::handle`] needs to see to tell a body too large.
    pub(crate) fn body_keep(&self) -> usize {
        self.body_limit().saturating_add(1)
    }

    /// Answers a vendor request, with the error when it was refused.
    fn route(
        &self,
        vendor: Vendor,
        request: &Request<Bytes>,
    ) -> (Response<Vec<u8>>, Option<ApiError>) {
        match vendor {
            Vendor::Control => (self.control(request), None),
            Vendor::RongCloud => match self.rongcloud(request) {
                Ok(response) => (response, None),
                Err(error) => {
                    let error = self.with_rc_id(error, request);
                    (
                        rc_error_reply(request.uri().path(), error.clone()),
                        Some(error),
                    )
                }
            },
            Vendor::Tencent => self.tencent(request),
        }
    }

    // ------------------------------------------------------------------------------ RongCloud

    fn rongcloud(&self, request: &Request<Bytes>) -> Result<Response<Vec<u8>>, ApiError> {
        if request.method() != Method::POST {
            return Err(rc_error(
                RongCloudCode::MethodRestricted,
                format!("method {} not allowed, use POST", request.method()),
                405,
            ));
        }
        if self.body_too_large(request.body()) {
            return Err(rc_error(
                RongCloudCode::BodyTooLarge,
                format!(
                    "request body too large: at most {} bytes allowed",
                    self.body_limit()
                ),
                200,
            ));
        }
        let path = request.uri().path();
        if rc_v4::is_routed(path) {
            return self.rongcloud_v4(request);
        }
        if !rc_server::PATHS.contains(&path) {
            return Err(not_found(path));
        }
        let app = self.authenticate_rongcloud(request)?;
        let decoded = match rc_server::Request::decode(&borrowed(request)) {
            Some(Ok(decoded)) => decoded,
            Some(Err(err)) => {
                return Err(rc_error(
                    RongCloudCode::ParameterError,
                    err.to_string(),
                    200,
                ));
            }
            None => return Err(not_found(path)),
        };
        let ctx = RongCloudRequest {
            app,
            request_id: AuthHeaders::request_id(request.headers()),
            now_ms: self.now_ms(),
        };
        self.dispatch_rongcloud(decoded, &ctx)
    }

    /// A Nexconn v4 request, after the method and size checks: authenticated as a legacy one,
    /// decoded by core's strict v4 decoder (each endpoint's documented spellings and JSON types;
    /// anything else is HTTP 400 / 1002 naming the field), then the same adapter and state.
    fn rongcloud_v4(&self, request: &Request<Bytes>) -> Result<Response<Vec<u8>>, ApiError> {
        let path = request.uri().path();
        let app = self.authenticate_rongcloud(request)?;
        let decoded = match rc_v4::Request::decode(&borrowed(request)) {
            Some(Ok(decoded)) => decoded,
            Some(Err(err)) => {
                return Err(rc_error(
                    RongCloudCode::ParameterError,
                    err.to_string(),
                    400,
                ));
            }
            None => return Err(not_found(path)),
        };
        let ctx = RongCloudRequest {
            app,
            request_id: AuthHeaders::request_id(request.headers()),
            now_ms: self.now_ms(),
        };
        self.dispatch_rongcloud_v4(decoded, &ctx)
    }

    /// Runs one decoded v4 operation on the legacy state commands (see [`wire`]).
    fn dispatch_rongcloud_v4(
        &self,
        request: rc_v4::Request,
        ctx: &RongCloudRequest<'_>,
    ) -> Result<Response<Vec<u8>>, ApiError> {
        use rc_v4::Request as R;
        match request {
            R::SetMetadata(op) => self.serve_rongcloud(ctx, op, |state, app, op, now| {
                state.entry_batch_set(app, &wire::metadata_v4_set(op), now)
            }),
            R::RemoveMetadata(op) => self.serve_rongcloud(ctx, op, |state, app, op, now| {
                state.entry_batch_remove(app, &wire::metadata_v4_remove(op), now)
            }),
            R::GetMetadata(op) => self.serve_rongcloud(ctx, op, |state, app, op, _| {
                state
                    .entry_query(app, &wire::metadata_v4_get(op))
                    .map(wire::entries)
            }),
            R::SetMessageMetadata(op) => self.serve_rongcloud(ctx, op, |state, app, op, now| {
                state.expansion_set(app, &wire::message_metadata_v4_set(op), now)
            }),
            R::DeleteMessageMetadata(op) => self.serve_rongcloud(ctx, op, |state, app, op, _| {
                state.expansion_delete(app, &wire::message_metadata_v4_delete(op))
            }),
            R::ListMessageMetadata(op) => self.serve_rongcloud(ctx, op, |state, app, op, _| {
                state
                    .expansion_query(app, &wire::message_metadata_v4_list(op))
                    .map(wire::expansion_page)
            }),
        }
    }

    fn authenticate_rongcloud(
        &self,
        request: &Request<Bytes>,
    ) -> Result<&RongCloudAppState, ApiError> {
        let inner = &*self.inner;
        let headers = AuthHeaders::from_headers(request.headers());
        let unknown = || {
            rc_error(
                RongCloudCode::ParameterError,
                "Invalidate App-Key.",
                inner.config.rongcloud.unknown_app_key_status,
            )
        };
        let Some(app_key) = headers.app_key.as_deref() else {
            journal::explain("the App-Key header is missing".to_owned());
            return Err(unknown());
        };
        let Some(app) = inner.rongcloud_apps.get(app_key) else {
            journal::explain(format!(
                "App-Key `{app_key}` is not an app of this emulator (configured: {})",
                self.rongcloud_app_keys()
            ));
            return Err(unknown());
        };
        let present = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
        let missing: Vec<&str> = [
            ("Nonce", &headers.nonce),
            ("Timestamp", &headers.timestamp),
            ("Signature", &headers.signature),
        ]
        .into_iter()
        .filter(|(_, value)| !present(value))
        .map(|(name, _)| name)
        .collect();
        if !missing.is_empty() {
            journal::explain(format!(
                "the {} header(s) are missing or empty; every request needs Nonce, Timestamp and \
                 Signature",
                missing.join(", ")
            ));
            return Err(rc_error(
                RongCloudCode::SignatureError,
                "Signature error: Nonce, Timestamp and Signature headers are required",
                401,
            ));
        }
        inner
            .authenticator
            .verify_rongcloud(&app.secret, &headers)
            .map_err(|_| {
                journal::explain(format!(
                    "signature mismatch: the server computed SHA1(app secret + Nonce + Timestamp) \
                     for Nonce `{}`, Timestamp `{}`; check the secret and that the three headers \
                     are from the same request",
                    headers.nonce.as_deref().unwrap_or_default(),
                    headers.timestamp.as_deref().unwrap_or_default()
                ));
                rc_error(
                    RongCloudCode::SignatureError,
                    "Signature error, please check whether Appkey and Secret are correct",
                    401,
                )
            })?;
        if inner.config.strict {
            let nonce = headers.nonce.as_deref().unwrap_or_default();
            let timestamp = headers.timestamp.as_deref().unwrap_or_default();
            inner
                .replay
                .check(&app.app_key, timestamp, nonce, self.now())
                .map_err(|e| {
                    journal::explain(strict_explanation(&e, nonce, timestamp, self.now()));
                    rc_error(
                        RongCloudCode::SignatureError,
                        format!("Signature error: {e}"),
                        401,
                    )
                })?;
        }
        Ok(app)
    }

    /// The configured RongCloud app keys, for an explanation.
    fn rongcloud_app_keys(&self) -> String {
        let mut keys: Vec<&str> = self
            .inner
            .rongcloud_apps
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        keys.join(", ")
    }

    /// Runs one decoded operation: one arm per operation, each through [`Self::serve_rongcloud`].
    fn dispatch_rongcloud(
        &self,
        request: rc_server::Request,
        ctx: &RongCloudRequest<'_>,
    ) -> Result<Response<Vec<u8>>, ApiError> {
        use rc_server::Request as R;
        match request {
            R::SetEntry(op) => self.serve_rongcloud(ctx, op, |state, app, op, now| {
                state.entry_set(app, &wire::entry_set(op), now)
            }),
            R::BatchSetEntries(op) => self.serve_rongcloud(ctx, op, |state, app, op, now| {
                state.entry_batch_set(app, &wire::entry_batch_set(op), now)
            }),
            R::RemoveEntry(op) => self.serve_rongcloud(ctx, op, |state, app, op, now| {
                state.entry_remove(app, &wire::entry_remove(op), now)
            }),
            R::BatchRemoveEntries(op) => self.serve_rongcloud(ctx, op, |state, app, op, now| {
                state.entry_batch_remove(app, &wire::entry_batch_remove(op), now)
            }),
            R::QueryEntries(op) => self.serve_rongcloud(ctx, op, |state, app, op, _| {
                state
                    .entry_query(app, &wire::entry_query(op))
                    .map(wire::entries)
            }),
            R::SetExpansion(op) => self.serve_rongcloud(ctx, op, |state, app, op, now| {
                state.expansion_set(app, &wire::expansion_set(op), now)
            }),
            R::DeleteExpansion(op) => self.serve_rongcloud(ctx, op, |state, app, op, _| {
                state.expansion_delete(app, &wire::expansion_delete(op))
            }),
            R::QueryExpansion(op) => self.serve_rongcloud(ctx, op, |state, app, op, _| {
                state
                    .expansion_query(app, &wire::expansion_query(op))
                    .map(wire::expansion_page)
            }),
        }
    }

    /// The adapter every RongCloud operation goes through: core's validation (1005 for a text
    /// too long or too many items, 1002 otherwise) → the operation's quota (HTTP 429 / 1008) →
    /// the state → core's reply (echoing `X-Request-ID`).
    pub(crate) fn serve_rongcloud<O, F>(
        &self,
        ctx: &RongCloudRequest<'_>,
        op: O,
        apply: F,
    ) -> Result<Response<Vec<u8>>, ApiError>
    where
        O: ServerOperation,
        F: FnOnce(&State, &str, &O, u64) -> Result<O::Output, ApiError>,
    {
        let config = &self.inner.config;
        op.validate(&config.limits)
            .map_err(|e| rongcloud_validation_error(&config.rongcloud, &e))?;
        self.charge_rongcloud_app(ctx.app, op.quota())?;
        let output = apply(&self.inner.state, &ctx.app.app_key, &op, ctx.now_ms)?;
        Ok(O::encode_reply(&output, ctx.request_id))
    }
}

#[cfg(test)]
mod tests;
