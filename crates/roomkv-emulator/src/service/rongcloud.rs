//! The RongCloud half of the request handler: the pipeline of a legacy or Nexconn v4 request
//! (see the [module](super) documentation), on core's operations.
//!
//! Core's [`Request::decode`](rc_server::Request::decode) routes every path of both dialects to
//! core's operation types and says which dialect the request came in; the operation is validated
//! once, here, with core's rules in that dialect, charged to the app's quota, served by
//! [`State`] through [`rc_server::Handler`], and answered with core's reply in that dialect.

use http::{Method, Request, Response};
use roomkv_core::rongcloud::server::{self as rc_server, AuthHeaders};
use roomkv_core::rongcloud::{
    BatchRemoveEntries, BatchSetEntries, DeleteExpansion, Dialect, Entry, ExpansionPage,
    QueryEntries, QueryExpansion, RemoveEntry, SetEntry, SetExpansion,
};
use roomkv_core::{ApiError, RongCloudCode};

use super::{VendorRequest, is_v4, not_found};
use crate::explain::strict_explanation;
use crate::journal;
use crate::state::{State, rongcloud_validation_error};
use crate::{Emulator, RongCloudAppState};

/// A RongCloud request that passed authentication.
pub(crate) struct RongCloudRequest<'a> {
    pub(crate) app: &'a RongCloudAppState,
    pub(crate) request_id: Option<&'a str>,
    pub(crate) now_ms: u64,
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
pub(super) fn rc_error_reply(path: &str, mut error: ApiError) -> Response<Vec<u8>> {
    if is_v4(path)
        && let roomkv_core::ApiCode::RongCloud(code) = error.code
    {
        error.http_status = v4_status(code, error.http_status);
    }
    rc_server::error_reply(&error)
}

pub(super) fn rc_error(code: RongCloudCode, message: impl Into<String>, status: u16) -> ApiError {
    ApiError::rongcloud(code, message, status)
}

/// A forced RongCloud error reply (a fault rule's vendor error): `status` or the code's usual
/// status, the request id echoed on a RongCloud path, and on a v4 path without a forced status
/// the status v4 gives the code. `rongcloud` is false for a path of no vendor.
pub(super) fn forced_error<B>(
    request: &Request<B>,
    rongcloud: bool,
    code: RongCloudCode,
    message: Option<&str>,
    http_status: Option<u16>,
) -> Response<Vec<u8>> {
    let status = http_status.unwrap_or(match code {
        RongCloudCode::RateLimited => 429,
        RongCloudCode::SignatureError => 401,
        _ => 200,
    });
    let mut error = rc_error(code, message.unwrap_or_else(|| code.description()), status);
    if rongcloud && let Some(id) = AuthHeaders::request_id(request.headers()) {
        error = error.with_request_id(id);
    }
    if rongcloud && http_status.is_none() {
        return rc_error_reply(request.uri().path(), error);
    }
    rc_server::error_reply(&error)
}

/// [`State`] serving the operations of one authenticated app at one instant.
struct Served<'a> {
    state: &'a State,
    app_key: &'a str,
    now_ms: u64,
}

impl rc_server::Handler for Served<'_> {
    type Error = ApiError;

    fn set_entry(&self, op: &SetEntry) -> Result<(), ApiError> {
        self.state.entry_set(self.app_key, op, self.now_ms)
    }

    fn batch_set_entries(&self, op: &BatchSetEntries) -> Result<(), ApiError> {
        self.state.entry_batch_set(self.app_key, op, self.now_ms)
    }

    fn remove_entry(&self, op: &RemoveEntry) -> Result<(), ApiError> {
        self.state.entry_remove(self.app_key, op, self.now_ms)
    }

    fn batch_remove_entries(&self, op: &BatchRemoveEntries) -> Result<(), ApiError> {
        self.state.entry_batch_remove(self.app_key, op, self.now_ms)
    }

    fn query_entries(&self, op: &QueryEntries) -> Result<Vec<Entry>, ApiError> {
        self.state.entry_query(self.app_key, op)
    }

    fn set_expansion(&self, op: &SetExpansion) -> Result<(), ApiError> {
        self.state.expansion_set(self.app_key, op, self.now_ms)
    }

    fn delete_expansion(&self, op: &DeleteExpansion) -> Result<(), ApiError> {
        self.state.expansion_delete(self.app_key, op)
    }

    fn query_expansion(&self, op: &QueryExpansion) -> Result<ExpansionPage, ApiError> {
        self.state.expansion_query(self.app_key, op)
    }
}

impl Emulator {
    /// A RongCloud request of either dialect: method, size, route, authentication, decode, then
    /// [`Self::serve_rongcloud`].
    pub(super) fn rongcloud(
        &self,
        request: &VendorRequest<'_>,
    ) -> Result<Response<Vec<u8>>, ApiError> {
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
        if rc_server::Request::route(path).is_none() {
            return Err(not_found(path));
        }
        let app = self.authenticate_rongcloud(request)?;
        let Some((dialect, decoded)) = rc_server::Request::decode(request) else {
            return Err(not_found(path));
        };
        // Legacy answers a parameter error with HTTP 200, v4 with 400.
        let decoded = decoded.map_err(|err| {
            rc_error(
                RongCloudCode::ParameterError,
                err.to_string(),
                dialect.pick(200, 400),
            )
        })?;
        let ctx = RongCloudRequest {
            app,
            request_id: AuthHeaders::request_id(request.headers()),
            now_ms: self.now_ms(),
        };
        self.serve_rongcloud(&ctx, dialect, &decoded)
    }

    pub(super) fn with_rc_id(&self, error: ApiError, request: &VendorRequest<'_>) -> ApiError {
        match AuthHeaders::request_id(request.headers()) {
            Some(id) => error.with_request_id(id),
            None => error,
        }
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

    fn authenticate_rongcloud(
        &self,
        request: &VendorRequest<'_>,
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

    /// What every RongCloud operation goes through: core's validation in its dialect (1005 for
    /// a text too long or too many items, 1002 otherwise) → the operation's quota (HTTP 429 /
    /// 1008) → the state → core's reply in that dialect (echoing `X-Request-ID`).
    pub(crate) fn serve_rongcloud(
        &self,
        ctx: &RongCloudRequest<'_>,
        dialect: Dialect,
        request: &rc_server::Request,
    ) -> Result<Response<Vec<u8>>, ApiError> {
        let config = &self.inner.config;
        request
            .validate(dialect, &config.limits)
            .map_err(|e| rongcloud_validation_error(&config.rongcloud, &e))?;
        self.charge_rongcloud_app(ctx.app, request.quota())?;
        let served = Served {
            state: &self.inner.state,
            app_key: &ctx.app.app_key,
            now_ms: ctx.now_ms,
        };
        request.dispatch(&served, dialect, ctx.request_id)
    }
}
