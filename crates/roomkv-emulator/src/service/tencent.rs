//! The Tencent half of the request handler.
//!
//! Pipeline of a Tencent request (HTTP 200 but for the method): method (`POST`, else HTTP 405 /
//! 60002, so that no method but POST, CONNECT above all, is ever answered 2xx) → body size
//! (60002) → route (core's `tencent::Command::from_path`, else 60009) → `sdkappid` (missing
//! 60012, not a number 60006, unknown 70020) → `usersig` (empty 70002, then, unless
//! the verified-UserSig cache (`usersig_cache`) still holds it for this `sdkappid` and
//! `identifier`, the [`Authenticator`](crate::auth::Authenticator): 70003, 70001, 70009, 70013,
//! 70014) →
//! `identifier` is the admin (60010) → body is a JSON object (60003) → quota (60007) → decode
//! (100002) → core's validation, the only one (100500–100504, 100015, 100002) → the state,
//! through core's generated `tencent::server::Handler` ([`State::tencent_call`](crate::state::State::tencent_call)) → core's reply with the `RequestId`.

use std::sync::atomic::Ordering;

use http::{Method, Response, StatusCode};
use roomkv_core::tencent::server::{self as tc_server, AuthQuery};
use roomkv_core::tencent::{Command, SERVICE_PATH};
use roomkv_core::{ApiError, TencentCode, ValidationError};

use super::VendorRequest;
use crate::auth::UserSigCheck;
use crate::explain::usersig_explanation;
use crate::journal;
use crate::rng::mix;
use crate::{Emulator, TencentAppState};

/// A Tencent error.
pub(super) fn tc_error(code: TencentCode, message: impl Into<String>) -> ApiError {
    ApiError::tencent(code, message)
}

/// A validation failure as Tencent answers it (HTTP 200):
///
/// | failure | code |
/// |---|---|
/// | metadata key longer than 50 bytes (`Key`) | 100504 |
/// | metadata value longer than 2048 bytes (`Value`) | 100501 |
/// | more than 10 metadata pairs (`Metadata`) or keys (`Keys`) | 100500 |
/// | metadata values over 16 KB together (`Metadata`) | 100502 |
/// | `RoomType` other than `Live` | 100015 "invalid room type" |
/// | anything else | 100002 "invalid parameter" |
fn validation_error(err: &ValidationError) -> ApiError {
    let code = match err {
        ValidationError::TooLong { field: "Key", .. } => TencentCode::MetadataKeyTooLong,
        ValidationError::TooLong { field: "Value", .. } => TencentCode::MetadataValueTooLarge,
        ValidationError::TooMany {
            field: "Metadata" | "Keys",
            ..
        } => TencentCode::MetadataKeyCountExceeded,
        ValidationError::TotalTooLong {
            field: "Metadata", ..
        } => TencentCode::MetadataTotalTooLarge,
        ValidationError::OutOfRange {
            field: "RoomType", ..
        } => TencentCode::InvalidRoomType,
        _ => TencentCode::InvalidParameter,
    };
    tc_error(code, err.to_string())
}

impl Emulator {
    /// Answers a Tencent request, with the error when it was refused. Errors are HTTP 200
    /// envelopes, but for the method's 405.
    pub(super) fn tencent(
        &self,
        request: &VendorRequest<'_>,
    ) -> (Response<Vec<u8>>, Option<ApiError>) {
        let request_id = self.next_tencent_request_id();
        match self.serve_tencent(request, &request_id) {
            Ok(response) => (response, None),
            Err(error) => {
                let mut reply = tc_server::error_reply(&error, &request_id);
                *reply.status_mut() =
                    StatusCode::from_u16(error.http_status).unwrap_or(StatusCode::OK);
                (reply, Some(error))
            }
        }
    }

    /// A Tencent error reply with a fresh `RequestId`.
    pub(super) fn tencent_error_reply(&self, error: &ApiError) -> Response<Vec<u8>> {
        tc_server::error_reply(error, &self.next_tencent_request_id())
    }

    /// A fresh Tencent `RequestId`: `Id-<32 lowercase hex>-O-Seq-<n>`, `n` counting up.
    pub(crate) fn next_tencent_request_id(&self) -> String {
        let n = self.inner.tencent_seq.fetch_add(1, Ordering::Relaxed) + 1;
        let seed = self.inner.config.fault_seed ^ 0x726f_6f6d_6b76_0001;
        let hi = mix(seed ^ n);
        let lo = mix(seed.rotate_left(32) ^ !n);
        format!("Id-{hi:016x}{lo:016x}-O-Seq-{n}")
    }

    /// The pipeline of the module documentation.
    fn serve_tencent(
        &self,
        request: &VendorRequest<'_>,
        request_id: &str,
    ) -> Result<Response<Vec<u8>>, ApiError> {
        let inner = &*self.inner;
        if request.method() != Method::POST {
            // HTTP 405, not Tencent's usual 200: a 2xx answer to CONNECT would mean "tunnel
            // established".
            let mut error = tc_error(
                TencentCode::HttpParseError,
                format!("method {} not allowed, use POST", request.method()),
            );
            error.http_status = 405;
            return Err(error);
        }
        if self.body_too_large(request.body()) {
            return Err(tc_error(
                inner.config.tencent.body_too_large_code,
                format!(
                    "request body too large: at most {} bytes allowed",
                    self.body_limit()
                ),
            ));
        }
        let path = request.uri().path();
        let Some(command) = Command::from_path(path) else {
            let message = match path.strip_prefix(SERVICE_PATH) {
                Some(command) => format!("command {command} is not served by this emulator"),
                None => format!("request resource error: {path}"),
            };
            return Err(tc_error(TencentCode::ResourceError, message));
        };
        let query = AuthQuery::from_uri(request.uri());
        let (app, operator) = self.authenticate_tencent(&query)?;
        let decoded = tc_server::Request::decode_as(command, request);
        // An error without a field: the body is not a JSON object at all.
        if let Err(err) = &decoded
            && err.field_name().is_none()
        {
            return Err(tc_error(
                TencentCode::JsonParseError,
                format!("request JSON parse error ({{}} at least): {err}"),
            ));
        }
        self.charge_tencent_app(app, command.declaration().quota.cost(1))?;
        let decoded =
            decoded.map_err(|err| tc_error(TencentCode::InvalidParameter, err.to_string()))?;
        self.serve_tencent_command(app.sdkappid, operator, &decoded, request_id)
    }

    /// Serves a decoded command of an authenticated request whose quota is charged: core's
    /// validation (the only one: the state takes the operation as valid) → the state, through
    /// core's generated dispatch → core's reply with `request_id`.
    fn serve_tencent_command(
        &self,
        sdkappid: u64,
        operator: &str,
        command: &tc_server::Request,
        request_id: &str,
    ) -> Result<Response<Vec<u8>>, ApiError> {
        command
            .validate(&self.inner.config.limits)
            .map_err(|e| validation_error(&e))?;
        let call = self
            .inner
            .state
            .tencent_call(sdkappid, operator, self.now_ms());
        command.dispatch(&call, Some(request_id))
    }

    fn authenticate_tencent<'q>(
        &self,
        query: &'q AuthQuery,
    ) -> Result<(&TencentAppState, &'q str), ApiError> {
        let inner = &*self.inner;
        let sdkappid = query
            .sdkappid
            .as_deref()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                tc_error(
                    TencentCode::SdkAppIdMissing,
                    "sdkappid is missing in the URL",
                )
            })?;
        let sdkappid: u64 = sdkappid.parse().map_err(|_| {
            tc_error(
                TencentCode::SdkAppIdInvalid,
                format!("sdkappid {sdkappid:?} is invalid"),
            )
        })?;
        let app = inner.tencent_apps.get(&sdkappid).ok_or_else(|| {
            tc_error(
                TencentCode::SdkAppIdNotFound,
                format!("SDKAppID {sdkappid} not found"),
            )
        })?;
        let identifier = query.identifier.as_deref().unwrap_or_default();
        let usersig = query
            .usersig
            .as_deref()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| tc_error(TencentCode::UserSigEmpty, "UserSig length is 0"))?;
        let check = UserSigCheck {
            usersig,
            sdkappid,
            identifier,
            secret_key: &app.secret,
            now_unix_secs: self.now().as_secs(),
        };
        let now = check.now_unix_secs;
        if !inner.usersigs.accepts(usersig, sdkappid, identifier, now) {
            let valid_through = inner
                .authenticator
                .verify_tencent_until(&check)
                .map_err(|e| {
                    journal::explain(usersig_explanation(&check, e));
                    tc_error(e.code(), e.to_string())
                })?;
            if let Some(valid_through) = valid_through {
                inner
                    .usersigs
                    .remember(usersig, sdkappid, identifier, valid_through, now);
            }
        }
        if identifier != app.admin {
            journal::explain(format!(
                "identifier `{identifier}` is not the app's admin account `{}`; Tencent's REST \
                 API is called as the admin",
                app.admin
            ));
            return Err(tc_error(
                TencentCode::NotAdmin,
                format!("identifier {identifier:?} is not an App admin"),
            ));
        }
        Ok((app, identifier))
    }
}

#[cfg(test)]
mod tests;
