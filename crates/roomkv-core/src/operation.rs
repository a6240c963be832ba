//! The [`Operation`] trait every vendor operation implements, and its errors.

use crate::{ApiError, Declaration, Limits, QuotaCost, ValidationError};

/// What an operation does to server state; the retry policy of the layers above depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// Reads only: safe to retry after any failure.
    Read,
    /// Changes state. Retried after an outcome-unknown failure only by an opt-in policy, and never
    /// when it `notifies` (a second send would duplicate the notification).
    Write {
        /// The write sends a notification message to the room or conversation.
        notifies: bool,
    },
}

/// One vendor operation as a value: validated against [`Limits`], encoded as an unsigned HTTP
/// request, and answered by parsing the vendor's HTTP response.
///
/// Signing is not part of it: the request carries no credentials, no timestamp and no nonce, so
/// the same encoded request can be signed afresh on every attempt.
pub trait Operation {
    /// Where requests go and who sends them: the vendor's [`crate::rongcloud::Endpoint`] or
    /// [`crate::tencent::Endpoint`].
    type Endpoint;
    /// The typed result of a successful call.
    type Output;
    /// What is fixed about the operation's endpoint: name, method, paths, quota and effect,
    /// declared once ([`Declaration`]). `NAME`, `effect` and `quota` default to it.
    const DECLARATION: Declaration;

    /// The operation's name in metrics and logs (`set_entry`, `set_room_metadata`): one per
    /// operation type, never data of a request. The declared name.
    const NAME: &'static str = Self::DECLARATION.name;

    /// Checks every client-checkable rule. Nothing is sent when this fails.
    fn validate(&self, limits: &Limits) -> Result<(), ValidationError>;

    /// Builds the unsigned request: method, URI, `Content-Type` and body.
    fn encode(&self, endpoint: &Self::Endpoint) -> Result<http::Request<Vec<u8>>, EncodeError>;

    /// Parses the vendor's answer, whatever its HTTP status.
    fn parse(&self, response: http::Response<&[u8]>) -> Result<Self::Output, ResponseError>;

    /// Whether the operation reads or writes: by default the declared effect (an operation
    /// whose requests may notify or not says so per request).
    fn effect(&self) -> Effect {
        Self::DECLARATION.effect
    }

    /// The vendor quota this call draws from: by default one unit of the declared family (an
    /// operation counted per item, or drawing from more than one family, says so per request).
    fn quota(&self) -> QuotaCost {
        Self::DECLARATION.quota.cost(1)
    }

    /// What a *repeated* write means when it meets `error`: `Some(output)` if the error shows
    /// that an earlier attempt, whose outcome was unknown (a lost reply), was applied.
    ///
    /// A client that sends a write again after such an attempt calls this on the repeat's error
    /// answer. A remove answering "none of the keys exist" has then in fact succeeded. The
    /// default is `None`: the error stands.
    fn settles_repeat(&self, error: &ApiError) -> Option<Self::Output> {
        let _ = error;
        None
    }
}

/// Decoding of requests and encoding of replies: the server's side of an [`Operation`], used by
/// the emulator.
#[cfg(feature = "server")]
pub trait ServerOperation: Operation + Sized {
    /// Decodes a request a client sent. Fields are taken as sent (with `non_validated`); the
    /// server applies the vendor's rules and answers with the vendor's own codes.
    fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError>;

    /// Encodes the vendor's success reply for `output`. `request_id` is echoed as the vendor does
    /// (the `X-Request-ID` header for RongCloud, `RequestId` for Tencent).
    fn encode_reply(output: &Self::Output, request_id: Option<&str>) -> http::Response<Vec<u8>>;
}

/// The request could not be built (an endpoint whose URI cannot take the path, for example).
#[derive(Debug, thiserror::Error)]
#[error("could not build the request: {message}")]
pub struct EncodeError {
    message: String,
}

impl EncodeError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl From<http::Error> for EncodeError {
    fn from(err: http::Error) -> Self {
        Self::new(err.to_string())
    }
}

/// A body that does not have the shape the vendor documents.
///
/// Client side: the vendor answered something we cannot read. Server side: the client sent a
/// request the vendor would answer with its parameter error; [`DecodeError::field`] names the
/// field at fault.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct DecodeError {
    field: Option<&'static str>,
    message: String,
    #[source]
    source: Option<serde_json::Error>,
}

impl DecodeError {
    /// An error about the body as a whole.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            field: None,
            message: message.into(),
            source: None,
        }
    }

    /// An error about one field.
    pub fn field(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field),
            message: message.into(),
            source: None,
        }
    }

    /// A JSON error, with `context` saying what was being read.
    pub fn json(context: &str, err: serde_json::Error) -> Self {
        Self {
            field: None,
            message: format!("invalid JSON in {context}: {err}"),
            source: Some(err),
        }
    }

    /// The same error attributed to `field`.
    pub fn in_field(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }

    /// The field at fault, when the error is about one field.
    pub fn field_name(&self) -> Option<&'static str> {
        self.field
    }
}

/// Why a response did not yield the operation's output.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// The vendor answered with an error code.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The vendor answered with a status and a body that carry no vendor code (a gateway's HTML
    /// 502, for example).
    #[error("unexpected HTTP status {status} without a vendor error body")]
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
    },
    /// The body could not be read.
    #[error("could not decode the response")]
    Decode(#[source] DecodeError),
}

impl From<DecodeError> for ResponseError {
    fn from(err: DecodeError) -> Self {
        Self::Decode(err)
    }
}
