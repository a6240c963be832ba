//! The two wire forms of every RongCloud operation: the legacy form API and the Nexconn v4 JSON
//! API ([`Dialect`]).
//!
//! An operation is one type whatever the dialect: [`SetEntry`](super::SetEntry),
//! [`QueryExpansion`](super::QueryExpansion), … implement [`RongCloudOperation`], whose
//! `validate_in`, `encode_in` and `parse_in` take the dialect. Their [`Operation`] impl is the
//! legacy form (the default dialect); [`RongCloudOperation::in_dialect`] gives the operation as
//! sent in either dialect, itself an [`Operation`] for the client's one request path.
//!
//! The dialect is passed to these three methods rather than carried by the endpoint because
//! [`Operation::parse`] receives no endpoint, and reading an answer depends on the dialect (a
//! bare HTTP 404 is a vendor code in v4 and a foreign answer in legacy).
//!
//! v4 has no single-key set or remove: a [`SetEntry`](super::SetEntry) or
//! [`RemoveEntry`](super::RemoveEntry) goes out as a v4 batch of one, and one carrying a
//! notification is refused (v4 cannot send it).
//!
//! ```
//! use roomkv_core::rongcloud::{
//!     BatchSetEntries, ChatroomId, Dialect, EntryKey, EntryValue, RongCloudOperation, UserId,
//! };
//! use roomkv_core::{BaseUrl, Limits, Operation};
//!
//! let op = BatchSetEntries::new(
//!     ChatroomId::parse("room1")?,
//!     UserId::parse("anchor")?,
//!     [(EntryKey::parse("score")?, EntryValue::parse("42")?)],
//! )
//! .auto_delete(true);
//! let v4 = op.in_dialect(Dialect::V4)?;
//! v4.validate(&Limits::default())?;
//! let request = v4.encode(&BaseUrl::parse("https://api.nexconn.ai")?)?;
//! assert_eq!(request.uri(), "https://api.nexconn.ai/v4/open-channel/metadata/batch/set");
//! assert_eq!(request.headers()["content-type"], "application/json");
//! assert_eq!(
//!     request.body().as_slice(),
//!     br#"{"channelId":"room1","metadataOwnerId":"anchor","metadata":{"score":"42"},"shouldAutoDelete":1}"#
//! );
//! assert_eq!(v4.parse(http::Response::new(&br#"{"code":0}"#[..]))?, ());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::Serialize;

use super::Endpoint;
use super::form::FormBody;
use super::json::to_json_text;
use crate::{
    ApiError, Declaration, Effect, EncodeError, Limits, Operation, QuotaCost, ResponseError, Unit,
    ValidationError,
};

/// Which RongCloud / Nexconn API a client speaks: the legacy form API or the Nexconn v4 JSON
/// API. Every operation exists in both ([`RongCloudOperation`]).
///
/// ```
/// use roomkv_core::rongcloud::Dialect;
///
/// assert_eq!(Dialect::default(), Dialect::Legacy);
/// assert_eq!("v4".parse::<Dialect>()?, Dialect::V4);
/// assert_eq!(Dialect::V4.to_string(), "v4");
/// assert!("V5".parse::<Dialect>().is_err());
/// # Ok::<(), roomkv_core::ValidationError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Dialect {
    /// The legacy RongCloud form API: `/chatroom/entry/*.json`, `/message/expansion/*.json`.
    #[default]
    Legacy,
    /// The Nexconn v4 JSON API: `/v4/open-channel/metadata/*`,
    /// `/v4/channel-type/message/metadata/*`.
    V4,
}

impl Dialect {
    /// The name `FromStr` accepts and `Display` writes: `legacy` or `v4`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Legacy => "legacy",
            Self::V4 => "v4",
        }
    }

    /// `legacy` in the legacy dialect, `v4` in v4: a field name, a path.
    pub const fn pick<T: Copy>(self, legacy: T, v4: T) -> T {
        match self {
            Self::Legacy => legacy,
            Self::V4 => v4,
        }
    }
}

impl std::fmt::Display for Dialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Dialect {
    type Err = ValidationError;

    /// Accepts `legacy` and `v4`, exactly.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "legacy" => Ok(Self::Legacy),
            "v4" => Ok(Self::V4),
            _ => Err(ValidationError::OutOfRange {
                field: "dialect",
                value: s.to_owned(),
                allowed: "legacy and v4",
            }),
        }
    }
}

/// A RongCloud operation in both dialects. Its [`Operation`] impl is the legacy form.
pub trait RongCloudOperation: Operation<Endpoint = Endpoint> + Sized {
    /// The request path in `dialect`, as declared ([`Operation::DECLARATION`]).
    fn path(dialect: Dialect) -> &'static str {
        Self::DECLARATION.paths.get(dialect)
    }

    /// Refuses what `dialect` cannot carry: a notification in v4. Nothing else is checked.
    fn check_dialect(&self, dialect: Dialect) -> Result<(), ValidationError> {
        let _ = dialect;
        Ok(())
    }

    /// The request body in `dialect`: what [`encode_in`](Self::encode_in) sends and
    /// [`validate_in`](Self::validate_in) measures.
    fn body(&self, dialect: Dialect) -> Body;

    /// Every client-checkable rule in `dialect` (errors name that dialect's fields; the body
    /// size is that of the body `dialect` sends).
    fn validate_in(&self, dialect: Dialect, limits: &Limits) -> Result<(), ValidationError>;

    /// The unsigned request in `dialect`: a `POST` of [`body`](Self::body) to
    /// [`path`](Self::path), refused when [`check_dialect`](Self::check_dialect) refuses.
    fn encode_in(
        &self,
        dialect: Dialect,
        endpoint: &Endpoint,
    ) -> Result<http::Request<Vec<u8>>, EncodeError> {
        self.check_dialect(dialect)
            .map_err(|err| EncodeError::new(err.to_string()))?;
        self.body(dialect).post(endpoint, Self::path(dialect))
    }

    /// Parses the answer to a request sent in `dialect`.
    fn parse_in(
        &self,
        dialect: Dialect,
        response: http::Response<&[u8]>,
    ) -> Result<Self::Output, ResponseError>;

    /// The operation as sent in `dialect`, or why it cannot be
    /// ([`check_dialect`](Self::check_dialect)).
    fn in_dialect(&self, dialect: Dialect) -> Result<InDialect<'_, Self>, ValidationError> {
        self.check_dialect(dialect)?;
        Ok(InDialect { op: self, dialect })
    }
}

/// A RongCloud operation as sent in one dialect: what a client sends
/// ([`RongCloudOperation::in_dialect`]). Name, effect, quota and settling are the operation's.
#[derive(Debug, Clone, Copy)]
pub struct InDialect<'a, O> {
    op: &'a O,
    dialect: Dialect,
}

impl<O> InDialect<'_, O> {
    /// The operation.
    pub fn operation(&self) -> &O {
        self.op
    }

    /// The dialect it is sent in.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }
}

impl<O: RongCloudOperation> Operation for InDialect<'_, O> {
    type Endpoint = Endpoint;
    type Output = O::Output;
    const DECLARATION: Declaration = O::DECLARATION;

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.op.validate_in(self.dialect, limits)
    }

    fn encode(&self, endpoint: &Endpoint) -> Result<http::Request<Vec<u8>>, EncodeError> {
        self.op.encode_in(self.dialect, endpoint)
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<Self::Output, ResponseError> {
        self.op.parse_in(self.dialect, response)
    }

    fn effect(&self) -> Effect {
        self.op.effect()
    }

    fn quota(&self) -> QuotaCost {
        self.op.quota()
    }

    fn settles_repeat(&self, error: &ApiError) -> Option<Self::Output> {
        self.op.settles_repeat(error)
    }
}

/// The legacy form of a [`RongCloudOperation`]: `validate`, `encode` and `parse` of its
/// [`Operation`] impl, in [`Dialect::Legacy`].
macro_rules! legacy_form {
    () => {
        fn validate(&self, limits: &$crate::Limits) -> Result<(), $crate::ValidationError> {
            $crate::rongcloud::RongCloudOperation::validate_in(
                self,
                $crate::rongcloud::Dialect::Legacy,
                limits,
            )
        }

        fn encode(
            &self,
            endpoint: &$crate::rongcloud::Endpoint,
        ) -> Result<http::Request<Vec<u8>>, $crate::EncodeError> {
            $crate::rongcloud::RongCloudOperation::encode_in(
                self,
                $crate::rongcloud::Dialect::Legacy,
                endpoint,
            )
        }

        fn parse(
            &self,
            response: http::Response<&[u8]>,
        ) -> Result<Self::Output, $crate::ResponseError> {
            $crate::rongcloud::RongCloudOperation::parse_in(
                self,
                $crate::rongcloud::Dialect::Legacy,
                response,
            )
        }
    };
}
pub(crate) use legacy_form;

/// The content type of v4 request bodies.
const JSON_CONTENT_TYPE: &str = "application/json";

/// A request body in either dialect: a legacy form (`application/x-www-form-urlencoded`) or a
/// v4 JSON document (`application/json`).
pub struct Body(BodyKind);

enum BodyKind {
    Form(FormBody),
    Json(Vec<u8>),
}

impl Body {
    /// A form of `fields`, in order (legacy).
    pub fn form<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self::of_form(
            fields
                .into_iter()
                .fold(FormBody::new(), |form, (name, value)| {
                    form.field(name, value)
                }),
        )
    }

    /// The JSON text of `body` (v4); `body` must serialize without error (strings, integers and
    /// objects and arrays of them).
    pub fn json<T: Serialize>(body: &T) -> Self {
        Self(BodyKind::Json(to_json_text(body).into_bytes()))
    }

    pub(crate) fn of_form(form: FormBody) -> Self {
        Self(BodyKind::Form(form))
    }

    fn finish(self) -> (&'static str, Vec<u8>) {
        match self.0 {
            BodyKind::Form(form) => (super::form::CONTENT_TYPE, form.finish()),
            BodyKind::Json(json) => (JSON_CONTENT_TYPE, json),
        }
    }

    /// Refuses a body longer than
    /// [`request_body_max_bytes`](crate::RongCloudLimits::request_body_max_bytes): RongCloud
    /// answers such a request with 1508. Every operation calls this last in `validate_in`, on
    /// the body its `encode_in` sends.
    pub(crate) fn check_size(self, limits: &Limits) -> Result<(), ValidationError> {
        let max = limits.rongcloud.request_body_max_bytes;
        let len = self.finish().1.len();
        if len > max {
            return Err(ValidationError::TooLong {
                field: "request body",
                len,
                max,
                unit: Unit::Bytes,
            });
        }
        Ok(())
    }

    /// A `POST` of this body to `path` on `endpoint`.
    pub(crate) fn post(
        self,
        endpoint: &Endpoint,
        path: &str,
    ) -> Result<http::Request<Vec<u8>>, EncodeError> {
        let (content_type, body) = self.finish();
        endpoint.post(path, content_type, body)
    }
}

/// A flag as the number v4 sends.
pub(crate) const fn flag_number(flag: bool) -> u8 {
    if flag { 1 } else { 0 }
}

/// Refuses `operation` in v4 when it carries a notification, which v4 cannot send.
pub(crate) fn refuse_v4_notification<N>(
    dialect: Dialect,
    notification: Option<&N>,
    operation: &'static str,
) -> Result<(), ValidationError> {
    match (dialect, notification) {
        (Dialect::V4, Some(_)) => Err(ValidationError::OutOfRange {
            field: "objectName",
            value: format!("a notification on {operation}"),
            allowed: "no notification in the Nexconn v4 dialect (v4 batch set and remove carry \
                      no objectName or content); send it in the legacy dialect",
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
