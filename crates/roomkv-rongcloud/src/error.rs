//! [`Error`]: why a request failed, and [`BuildError`]: why a client could not be built. Both
//! are roomkv-provider's, with what is RongCloud's: [`RongCloud`] and [`CredentialsError`].

use roomkv_core::rongcloud::Endpoint;
use roomkv_core::{ApiCode, RongCloudCode};

/// RongCloud, for roomkv-provider's generic types: its name, codes, request ids and statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RongCloud;

impl roomkv_provider::Vendor for RongCloud {
    const NAME: &'static str = "RongCloud";
    const LABEL: &'static str = "rongcloud";
    const CRATE: &'static str = "roomkv-rongcloud";
    /// The statuses RongCloud itself answers with: 200 (business errors included), 401
    /// (signature) and 429 (rate limit). Any other status, and every 5xx, comes from something
    /// in front of it and switches to the backup host.
    const EXPECTED_STATUSES: &'static [http::StatusCode] = &[
        http::StatusCode::OK,
        http::StatusCode::UNAUTHORIZED,
        http::StatusCode::TOO_MANY_REQUESTS,
    ];
    type Code = RongCloudCode;
    type CredentialsError = CredentialsError;
    type Endpoint = Endpoint;

    fn code(code: ApiCode) -> Option<RongCloudCode> {
        match code {
            ApiCode::RongCloud(code) => Some(code),
            ApiCode::Tencent(_) => None,
        }
    }
}

/// Why the App Key or the App Secret cannot build a client: the
/// [`BuildError::Credentials`](roomkv_provider::BuildError::Credentials) of RongCloud.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// No App Key was given ([`ClientBuilder::app_key`](crate::RongCloudSettings::app_key)).
    #[error("the App Key is missing; set it with ClientBuilder::app_key")]
    MissingAppKey,
    /// No App Secret, or an empty one, was given
    /// ([`ClientBuilder::app_secret`](crate::RongCloudSettings::app_secret)).
    #[error("the App Secret is missing or empty; set it with ClientBuilder::app_secret")]
    MissingAppSecret,
    /// The App Key is empty or cannot be sent as an HTTP header value (a line break or
    /// another control character).
    #[error("the App Key is empty or contains characters not allowed in an HTTP header")]
    InvalidAppKey,
}

/// Why a [`ClientBuilder`](crate::ClientBuilder) could not build a client: the App Key or the
/// App Secret ([`BuildError::Credentials`](roomkv_provider::BuildError::Credentials) with a
/// [`CredentialsError`]), or a setting every provider shares.
pub type BuildError = roomkv_provider::BuildError<RongCloud>;

/// Why a request failed.
///
/// Its [`kind`](Error::kind) says where it failed: before anything was sent
/// ([`ErrorKind::Validation`], [`ErrorKind::Config`], [`ErrorKind::Signing`],
/// [`ErrorKind::Encode`]), on the way ([`ErrorKind::Transport`]), or in RongCloud's answer
/// ([`ErrorKind::Api`], [`ErrorKind::UnexpectedStatus`], [`ErrorKind::Decode`]). The methods
/// answer the questions callers ask whatever the kind:
///
/// | method | question |
/// |---|---|
/// | [`is_refused_before_sending`](Error::is_refused_before_sending) | did the client refuse it, with nothing sent? |
/// | [`is_outcome_unknown`](Error::is_outcome_unknown) | may this *write* have been applied although it failed? |
/// | [`is_retryable`](Error::is_retryable) | is the failure transient (worth trying again later)? |
/// | [`is_throttled`](Error::is_throttled) | did RongCloud refuse because of a rate limit (HTTP 429, code 1008)? |
/// | [`api_code`](Error::api_code), [`api_error`](Error::api_error) | what exactly did RongCloud answer? |
/// | [`request_id`](Error::request_id) | which `X-Request-ID` did the request carry, for RongCloud's support? |
/// | [`attempts`](Error::attempts) | how many requests were sent? |
///
/// The request id is the one the client sent in `X-Request-ID` (RongCloud echoes it when it
/// answers), so it is known for every failure after sending, transport failures included.
///
/// `Display` is one sentence: the vendor code, its meaning, RongCloud's message and the request
/// id, or the transport cause. `source()` leads to the underlying cause that the sentence does
/// not already contain (the I/O or TLS error behind a transport failure), so printing the whole
/// chain repeats nothing. No error ever contains the App Secret or a signature.
///
/// ```
/// use roomkv_rongcloud::{Error, RongCloudCode};
///
/// fn explain(err: &Error) -> &'static str {
///     if err.api_code() == Some(RongCloudCode::ServiceNotEnabled) {
///         "enable chat-room KV for this App Key in the console"
///     } else if err.is_outcome_unknown() {
///         "the write may have been applied; read before repeating it"
///     } else if err.is_retryable() {
///         "try again later"
///     } else {
///         "fix the request"
///     }
/// }
/// # let _ = explain;
/// ```
pub type Error = roomkv_provider::Error<RongCloud>;

/// Where a RongCloud request failed: roomkv-provider's [`ErrorKind`](roomkv_provider::ErrorKind).
pub type ErrorKind = roomkv_provider::ErrorKind<RongCloud>;
