//! [`Error`]: why a request failed, and [`BuildError`]: why a client could not be built. Both
//! are roomkv-provider's, with what is Tencent's: [`Tencent`] and [`CredentialsError`].

use roomkv_core::tencent::Endpoint;
use roomkv_core::{ApiCode, TencentCode};

/// Tencent, for roomkv-provider's generic types: its name, codes and statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Tencent;

impl roomkv_provider::Vendor for Tencent {
    const NAME: &'static str = "Tencent";
    const LABEL: &'static str = "tencent";
    const CRATE: &'static str = "roomkv-tencent";
    /// Tencent answers everything with 200; any other status is a gateway's.
    const EXPECTED_STATUSES: &'static [http::StatusCode] = &[];
    type Code = TencentCode;
    type CredentialsError = CredentialsError;
    type Endpoint = Endpoint;

    fn code(code: ApiCode) -> Option<TencentCode> {
        match code {
            ApiCode::Tencent(code) => Some(code),
            ApiCode::RongCloud(_) => None,
        }
    }
}

/// Why the SDKAppID, the secret key or the UserSig lifetime cannot build a client: the
/// [`BuildError::Credentials`](roomkv_provider::BuildError::Credentials) of Tencent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// No SDKAppID was given ([`ClientBuilder::sdkappid`](crate::TencentSettings::sdkappid)).
    #[error("the SDKAppID is missing; set it with ClientBuilder::sdkappid")]
    MissingSdkAppId,
    /// No secret key was given
    /// ([`ClientBuilder::secret_key`](crate::TencentSettings::secret_key)).
    #[error("the secret key is missing; set it with ClientBuilder::secret_key")]
    MissingSecretKey,
    /// The UserSig lifetime is shorter than a minute.
    #[error("the UserSig lifetime must be at least 60 s, not {secs} s")]
    UserSigLifetimeTooShort {
        /// The lifetime given, in seconds.
        secs: u64,
    },
}

/// Why a [`ClientBuilder`](crate::ClientBuilder) could not build a client: the SDKAppID, the
/// secret key or the UserSig lifetime
/// ([`BuildError::Credentials`](roomkv_provider::BuildError::Credentials) with a
/// [`CredentialsError`]), or a setting every provider shares.
pub type BuildError = roomkv_provider::BuildError<Tencent>;

/// Why a request failed.
///
/// Its [`kind`](Error::kind) says where it failed: before anything was sent
/// ([`ErrorKind::Validation`], [`ErrorKind::Config`], [`ErrorKind::Signing`],
/// [`ErrorKind::Encode`]), on the way ([`ErrorKind::Transport`]), or in Tencent's answer
/// ([`ErrorKind::Api`], [`ErrorKind::UnexpectedStatus`], [`ErrorKind::Decode`]). The methods
/// answer the questions callers ask whatever the kind:
///
/// | method | question |
/// |---|---|
/// | [`is_refused_before_sending`](Error::is_refused_before_sending) | did the client refuse it, with nothing sent? |
/// | [`is_outcome_unknown`](Error::is_outcome_unknown) | may this *write* have been applied although it failed? |
/// | [`is_retryable`](Error::is_retryable) | is the failure transient (worth trying again later)? |
/// | [`is_throttled`](Error::is_throttled) | did Tencent refuse because of a frequency limit? |
/// | [`api_code`](Error::api_code), [`api_error`](Error::api_error), [`request_id`](Error::request_id) | what exactly did Tencent answer? |
/// | [`attempts`](Error::attempts) | how many requests were sent? |
///
/// `Display` is one sentence: the vendor code, its meaning, Tencent's message and the request
/// id, or the transport cause. `source()` leads to the underlying cause that the sentence does
/// not already contain (the I/O or TLS error behind a transport failure), so printing the whole
/// chain repeats nothing. No error ever contains the secret key, the UserSig or a request URL.
///
/// ```
/// use roomkv_tencent::{Error, TencentCode};
///
/// fn explain(err: &Error) -> &'static str {
///     if err.api_code() == Some(TencentCode::RoomNotFound) {
///         "no such room"
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
pub type Error = roomkv_provider::Error<Tencent>;

/// Where a Tencent request failed: roomkv-provider's [`ErrorKind`](roomkv_provider::ErrorKind).
pub type ErrorKind = roomkv_provider::ErrorKind<Tencent>;
