//! The request handler: routing by path, the size limit, authentication, quotas, and the
//! dispatch of vendor operations to [`crate::state`].
//!
//! Every vendor operation is routed, decoded, validated and answered through `roomkv-core`'s
//! codecs (`rongcloud::server`, `tencent::server`), so the emulator and the SDK share one list of
//! paths, one set of field names and one set of reply shapes.
//!
//! Pipeline of a RongCloud request: method (`POST`, else HTTP 405 / 1007) → body size (at least
//! 100 KB: 1508) → route (core's `ROUTES`, else HTTP 404 / 404) → `App-Key` (HTTP 401 / 1002
//! "Invalidate App-Key.") → signature headers present and genuine (HTTP 401 / 1004) → strict
//! timestamp window and nonce replay (HTTP 401 / 1004) → decode (1002) → core's validation (1005
//! for too long / too many, 1002 otherwise) → quota (HTTP 429 / 1008) → state (1009 when the KV
//! service is off, then the operation's own codes).
//!
//! Nexconn v4 requests (core's `rongcloud::server::ROUTES` of dialect v4, JSON bodies) take the same
//! pipeline and run on the same state as the legacy ones, so a key set through one dialect is
//! read through the other. They are answered in the v4 envelope (`{"code":0,"result":{…}}`),
//! and their errors carry meaningful HTTP statuses ([`v4_status`]): 400 parameter errors
//! (1002, 1005, 1501, 1502, 1508, and 1015 "does not exist"), 401 signature or App Key, 403 app
//! unavailable, 404 unknown path, 405 method, 429 rate limit (1008), 430 KV service not enabled
//! (1009), 500 / 504 internal errors.
//!
//! Pipeline of a Tencent request (HTTP 200 but for the method): method (`POST`, else HTTP 405 /
//! 60002, so that no method but POST, CONNECT above all, is ever answered 2xx) → body size
//! (60002) → route (60009) → `sdkappid` (missing 60012, not a number 60006, unknown 70020) →
//! `usersig` (empty 70002, then, unless remembered as verified for this `sdkappid` and
//! `identifier` and not yet expired, the [`Authenticator`](crate::auth::Authenticator): 70003,
//! 70001, 70009, 70013, 70014) → `identifier` is the admin (60010) → body is a JSON object (60003) →
//! quota (60007) → decode (100002) → core's validation (100500–100504, 100015, 100002) → state.

use std::panic::{AssertUnwindSafe, catch_unwind};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use roomkv_core::{ApiError, RongCloudCode, TencentCode};

use crate::Emulator;
use crate::clock::Clock;
use crate::faults::{FaultAction, gateway_page};
use crate::journal::{self, JournalEntry, Outcome, RawParams};

mod tencent;

use self::tencent::tc_error;

#[cfg(test)]
use rongcloud::RongCloudRequest;
use rongcloud::{rc_error, rc_error_reply};

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
pub(crate) enum Api {
    Control,
    RongCloud,
    Tencent,
}

impl Api {
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

/// The journal's vendor and dialect names of a request.
fn names(vendor: Api, path: &str) -> (&'static str, &'static str) {
    match vendor {
        Api::Tencent => ("tencent", "tencent"),
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

fn not_found(path: &str) -> ApiError {
    rc_error(
        RongCloudCode::EndpointNotFound,
        format!("endpoint {path} not found"),
        404,
    )
}

/// A vendor request as the pipeline and core's decoders take it: the head as received, the
/// body borrowed (made once per request, without copying the head).
type VendorRequest<'a> = Request<&'a [u8]>;

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
        let vendor = Api::of(request.uri());
        if vendor == Api::Control {
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
        let (head, body) = request.into_parts();
        let request = Request::from_parts(head, body.as_ref());
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
        vendor: Api,
        request: &VendorRequest<'_>,
    ) -> (Response<Vec<u8>>, Option<ApiError>) {
        let error = match vendor {
            Api::Tencent => tc_error(TencentCode::LiveInternalError, "internal server error"),
            _ => self.with_rc_id(
                rc_error(RongCloudCode::InternalError, "internal logic error", 200),
                request,
            ),
        };
        let response = match vendor {
            Api::Tencent => self.tencent_error_reply(&error),
            _ => rc_error_reply(request.uri().path(), error.clone()),
        };
        (response, Some(error))
    }

    /// Records a vendor request in the journal and, for a refusal, logs its explanation (shown
    /// by `roomkv emulator -v`).
    fn journal_request(
        &self,
        vendor: Api,
        request: &VendorRequest<'_>,
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
        let params = RawParams::capture(
            request.uri(),
            request.headers(),
            request.body(),
            vendor == Api::Tencent,
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
        self.inner.journal.record(
            JournalEntry {
                seq: 0,
                time_ms,
                vendor: vendor_name,
                endpoint: path.to_owned(),
                dialect,
                params: serde_json::Value::Null,
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
            },
            params,
        );
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
        let vendor = Api::of(request.uri());
        if vendor == Api::Control {
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
        self.inner.journal.record(
            JournalEntry {
                seq: 0,
                time_ms: self.now_ms(),
                vendor: vendor_name,
                endpoint: path.to_owned(),
                dialect,
                params: serde_json::Value::Null,
                status,
                code,
                fault: true,
                outcome: Outcome::Refused,
                latency_us: 0,
                buckets: Vec::new(),
                explanation: Some(explanation),
            },
            RawParams::capture(
                request.uri(),
                request.headers(),
                &[],
                vendor == Api::Tencent,
            ),
        );
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
        match Api::of(request.uri()) {
            Api::Tencent => {
                let code = TencentCode::from_code(code);
                let message = message.unwrap_or_else(|| code.description());
                self.tencent_error_reply(&tc_error(code, message))
            }
            vendor => rongcloud::forced_error(
                request,
                vendor == Api::RongCloud,
                RongCloudCode::from_code(code),
                message,
                http_status,
            ),
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

    /// Answers a vendor request (never a control one: [`Self::handle`] answers those first),
    /// with the error when it was refused.
    fn route(
        &self,
        vendor: Api,
        request: &VendorRequest<'_>,
    ) -> (Response<Vec<u8>>, Option<ApiError>) {
        if vendor == Api::Tencent {
            return self.tencent(request);
        }
        match self.rongcloud(request) {
            Ok(response) => (response, None),
            Err(error) => {
                let error = self.with_rc_id(error, request);
                (
                    rc_error_reply(request.uri().path(), error.clone()),
                    Some(error),
                )
            }
        }
    }
}

mod rongcloud;

#[cfg(test)]
mod tests;
