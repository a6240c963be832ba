//! [`Error`]: why a request failed, for any [`Vendor`]; [`build_error!`](crate::build_error):
//! each provider's `BuildError`, with the variants every provider shares.

use std::error::Error as StdError;
use std::fmt;

use roomkv_core::{
    ApiCode, ApiError, CodeClass, DecodeError, EncodeError, QuotaFamily, ValidationError,
};
use roomkv_transport::TransportError;
use roomkv_transport::limiter::RateLimited;

/// What differs between vendors in an [`Error`] and in the request engine. Implemented by a
/// marker type in each provider crate (`roomkv_rongcloud::RongCloud`, `roomkv_tencent::Tencent`).
pub trait Vendor: fmt::Debug + Send + Sync + Sized + 'static {
    /// The vendor's name in messages: `RongCloud`, `Tencent`.
    const NAME: &'static str;
    /// The vendor's name as the `vendor` label of metrics: `rongcloud`, `tencent`.
    const LABEL: &'static str;
    /// The HTTP statuses the vendor itself answers with (business errors, 401, 429). Any other
    /// non-2xx status, and every 5xx, comes from something in front of it and switches hosts.
    /// The default of [`Engine::expected_statuses`](crate::Engine::expected_statuses), which a
    /// provider may replace when they depend on its configuration.
    const EXPECTED_STATUSES: &'static [http::StatusCode];
    /// The vendor's typed error code, which [`Error::api_code`] returns.
    type Code: fmt::Debug + Copy + PartialEq;
    /// The id the client itself gives each request (`String`), or `()` when it gives none.
    type RequestId: RequestId;
    /// The provider's `BuildError`, made with [`build_error!`](crate::build_error).
    type BuildError: BuildErrorKind;
    /// Core's endpoint type of the vendor's operations (`Operation::Endpoint`).
    type Endpoint: Send + Sync;

    /// The vendor's code inside core's [`ApiCode`], or `None` for another vendor's code.
    fn code(code: ApiCode) -> Option<Self::Code>;
}

/// The request id a client sends with each request, as [`Error`] carries it.
pub trait RequestId: fmt::Debug + Clone + Send + Sync + 'static {
    /// The id, or `None` when the client sends none.
    fn as_id(&self) -> Option<&str>;
}

/// A client that sends its own request id (RongCloud's `X-Request-ID`).
impl RequestId for String {
    fn as_id(&self) -> Option<&str> {
        Some(self)
    }
}

/// A client that sends no request id of its own (Tencent's ids come in its answers).
impl RequestId for () {
    fn as_id(&self) -> Option<&str> {
        None
    }
}

/// The variants every provider's `BuildError` has, as the common builder settings
/// ([`Settings`](crate::Settings)) make them. Implemented by [`build_error!`](crate::build_error).
pub trait BuildErrorKind: StdError + Send + Sync + 'static {
    /// `InvalidUrl { url, reason }`.
    fn invalid_url(url: String, reason: String) -> Self;
    /// `NoHosts`.
    fn no_hosts() -> Self;
    /// `IgnoredSetting { setting }`.
    fn ignored_setting(setting: &'static str) -> Self;
    /// `NoHttpClient`.
    fn no_http_client() -> Self;
    /// `HttpClient(err)`.
    fn http_client(err: TransportError) -> Self;
    /// The error inside `HttpClient`, if this is one.
    fn http_client_error(&self) -> Option<&TransportError>;
}

/// Declares a provider's `BuildError`: the vendor's own variants as given (credentials and
/// such), then the ones every provider shares (`InvalidUrl`, `NoHosts`, `IgnoredSetting`,
/// `NoHttpClient`, `HttpClient`), with [`BuildErrorKind`] and `From<BuildError> for
/// Error<Vendor>`. The calling crate needs `thiserror` among its dependencies.
///
/// ```ignore
/// roomkv_provider::build_error! {
///     /// Why a ClientBuilder could not build a client.
///     pub enum BuildError for RongCloud in "roomkv-rongcloud" {
///         /// No App Key was given.
///         #[error("the App Key is missing; set it with ClientBuilder::app_key")]
///         MissingAppKey,
///     }
/// }
/// ```
#[macro_export]
macro_rules! build_error {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident for $vendor:ident in $krate:literal {
            $($variants:tt)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, thiserror::Error)]
        #[non_exhaustive]
        $vis enum $name {
            $($variants)*
            /// A host URL is not an absolute `https://` URL (or `http://` to a loopback host)
            /// without a query.
            #[error("invalid host URL {url:?}: {reason}")]
            InvalidUrl {
                /// The URL as given.
                url: String,
                /// Why it was refused.
                reason: String,
            },
            /// [`ClientBuilder::hosts`](crate::ClientBuilder::hosts) was given no URL.
            #[error("no host URL given; pass at least one to ClientBuilder::hosts")]
            NoHosts,
            /// Timeout or keep-alive settings were given together with a custom HTTP client,
            /// which they would not affect.
            #[error(
                "{setting} configures the built-in HTTP client and has no effect with ClientBuilder::http_client; configure your own client instead"
            )]
            IgnoredSetting {
                /// The builder method whose setting would be ignored.
                setting: &'static str,
            },
            /// The crate was built without the `hyper` feature and no HTTP client was given.
            #[error(
                "no HTTP client: enable the `hyper` feature of {krate} or pass one to ClientBuilder::http_client",
                krate = $krate
            )]
            NoHttpClient,
            /// The built-in HTTP client could not be built.
            #[error("could not build the HTTP client: {0}")]
            HttpClient($crate::__private::TransportError),
        }

        impl $crate::BuildErrorKind for $name {
            fn invalid_url(url: String, reason: String) -> Self {
                Self::InvalidUrl { url, reason }
            }
            fn no_hosts() -> Self {
                Self::NoHosts
            }
            fn ignored_setting(setting: &'static str) -> Self {
                Self::IgnoredSetting { setting }
            }
            fn no_http_client() -> Self {
                Self::NoHttpClient
            }
            fn http_client(err: $crate::__private::TransportError) -> Self {
                Self::HttpClient(err)
            }
            fn http_client_error(&self) -> Option<&$crate::__private::TransportError> {
                match self {
                    Self::HttpClient(err) => Some(err),
                    _ => None,
                }
            }
        }

        impl ::core::convert::From<$name> for $crate::Error<$vendor> {
            fn from(err: $name) -> Self {
                Self::Config(err)
            }
        }
    };
}

/// Why a request failed.
///
/// The variants say where it failed: before anything was sent ([`Error::Validation`],
/// [`Error::Encode`], [`Error::Config`], [`Error::RateLimited`]), on the way
/// ([`Error::Transport`]), or in the vendor's answer ([`Error::Api`],
/// [`Error::UnexpectedStatus`], [`Error::Decode`]). The methods answer the questions callers
/// ask whatever the variant:
///
/// | method | question |
/// |---|---|
/// | [`is_outcome_unknown`](Self::is_outcome_unknown) | may this *write* have been applied although it failed? |
/// | [`is_retryable`](Self::is_retryable) | is the failure transient (worth trying again later)? |
/// | [`is_throttled`](Self::is_throttled) | did the vendor, or the client's rate limiter, refuse because of a rate limit? |
/// | [`api_code`](Self::api_code), [`api_error`](Self::api_error) | what exactly did the vendor answer? |
/// | [`request_id`](Self::request_id) | which request id did the request carry or the answer name, for the vendor's support? |
/// | [`attempts`](Self::attempts) | how many requests were sent? |
///
/// `Display` is one sentence: the vendor code, its meaning, the vendor's message and the
/// request id, or the transport cause. `source()` leads to the underlying cause that the
/// sentence does not already contain (the I/O or TLS error behind a transport failure), so
/// printing the whole chain repeats nothing. No error ever contains a secret or a signature.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<V: Vendor> {
    /// The request breaks a documented limit ([`Limits`](roomkv_core::Limits)); nothing was
    /// sent.
    Validation(ValidationError),
    /// The client configuration is invalid; nothing was sent. `ClientBuilder::build` returns
    /// a `BuildError` directly; this variant lets `?` carry both in one type.
    Config(V::BuildError),
    /// The request could not be encoded (a host URL that cannot take the operation's path);
    /// nothing was sent.
    Encode(EncodeError),
    /// The HTTP exchange failed: no connection, a timeout, a reset, an unreadable body.
    #[non_exhaustive]
    Transport {
        /// What went wrong; ask it with its predicates.
        source: TransportError,
        /// How many requests were sent.
        attempts: u32,
        /// A write may have been applied (see [`Error::is_outcome_unknown`]).
        outcome_unknown: bool,
        /// The request id the request carried (`()` for a vendor without one).
        request_id: V::RequestId,
    },
    /// The vendor answered with an error code. The [`ApiError`]'s `request_id` is the vendor's,
    /// or the id the client sent when the vendor did not echo it.
    #[non_exhaustive]
    Api {
        /// The code, the vendor's message, the HTTP status and the request id.
        error: ApiError,
        /// How many requests were sent.
        attempts: u32,
        /// A write may have been applied (see [`Error::is_outcome_unknown`]).
        outcome_unknown: bool,
    },
    /// The answer had an HTTP status the vendor does not use and no vendor reply: a gateway or
    /// proxy in front of the vendor answered.
    #[non_exhaustive]
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// How many requests were sent.
        attempts: u32,
        /// A write may have been applied (see [`Error::is_outcome_unknown`]).
        outcome_unknown: bool,
        /// The request id the request carried (`()` for a vendor without one).
        request_id: V::RequestId,
    },
    /// The client's rate limiter did not admit an attempt, which was therefore not sent: its
    /// quota family had no room within the longest wait allowed (`max_rate_wait` of the
    /// `ClientBuilder`), or the shared quota store was unreachable and the limiter fails
    /// closed. [`is_throttled`](Self::is_throttled) is true. When an earlier attempt of a
    /// write ended with an unknown outcome, it still did.
    #[non_exhaustive]
    RateLimited {
        /// The quota family that had no room.
        family: QuotaFamily,
        /// The limiter's refusal: the bucket, its rate, the wait it would have needed.
        source: RateLimited,
        /// How many requests were sent before (0 when the first attempt was refused).
        attempts: u32,
        /// A write may have been applied by an earlier attempt (see
        /// [`Error::is_outcome_unknown`]).
        outcome_unknown: bool,
    },
    /// The answer could not be read as a vendor reply.
    #[non_exhaustive]
    Decode {
        /// What could not be read.
        source: DecodeError,
        /// How many requests were sent.
        attempts: u32,
        /// A write may have been applied (see [`Error::is_outcome_unknown`]).
        outcome_unknown: bool,
        /// The request id the request carried (`()` for a vendor without one).
        request_id: V::RequestId,
    },
}

impl<V: Vendor> Error<V> {
    /// True when a *write* failed in a way that leaves its effect unknown: the request may have
    /// been applied (a timeout or reset after sending, a transient vendor error, a gateway's
    /// 5xx, a garbled reply, or a refusal that a lost earlier attempt may have caused).
    ///
    /// Such writes are not repeated automatically unless the client was built with
    /// [`WriteRetry::RepeatIdempotent`](crate::WriteRetry::RepeatIdempotent) and the vendor
    /// answered a transient error, and writes that notify the room or conversation never are: a
    /// second send would post the notification twice. After a timeout, a reset after sending, a
    /// gateway's status, a garbled reply or a vendor timeout code the write may also still be
    /// applied *later*, at any moment, over anything written to the same keys since. Read the
    /// state back before deciding to repeat one. Always false for reads and for requests that
    /// were never sent.
    pub fn is_outcome_unknown(&self) -> bool {
        match self {
            Self::Transport {
                outcome_unknown, ..
            }
            | Self::Api {
                outcome_unknown, ..
            }
            | Self::UnexpectedStatus {
                outcome_unknown, ..
            }
            | Self::Decode {
                outcome_unknown, ..
            }
            | Self::RateLimited {
                outcome_unknown, ..
            } => *outcome_unknown,
            Self::Validation(_) | Self::Config(_) | Self::Encode(_) => false,
        }
    }

    /// How the request ended, in one word from a bounded set: the `outcome` label of the
    /// `roomkv_requests_total` metric and the span's `error.type`: `outcome_unknown`,
    /// `rate_limited_locally`, `refused_before_sending`, `throttled`, `transport_error` or
    /// `vendor_error` (a success is `ok`).
    pub fn outcome(&self) -> &'static str {
        match self {
            err if err.is_outcome_unknown() => "outcome_unknown",
            Self::RateLimited { .. } => "rate_limited_locally",
            Self::Validation(_) | Self::Config(_) | Self::Encode(_) => "refused_before_sending",
            err if err.is_throttled() => "throttled",
            Self::Transport { .. } => "transport_error",
            Self::Api { .. } | Self::UnexpectedStatus { .. } | Self::Decode { .. } => {
                "vendor_error"
            }
        }
    }

    /// True when the failure is transient, so the same request may succeed later: throttling,
    /// transient vendor codes, transport failures (except a request refused before sending),
    /// gateway statuses and garbled replies.
    ///
    /// The client already retried what its policy allows. Before repeating a write, check
    /// [`is_outcome_unknown`](Self::is_outcome_unknown).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport { source, .. } => !source.is_invalid(),
            Self::Api { error, .. } => error.is_retryable(),
            Self::UnexpectedStatus { .. } | Self::Decode { .. } | Self::RateLimited { .. } => true,
            Self::Validation(_) | Self::Config(_) | Self::Encode(_) => false,
        }
    }

    /// True when the vendor (or a gateway, with HTTP 429) refused because of a rate limit, or
    /// the client's own rate limiter did not admit the request ([`Error::RateLimited`]). The
    /// last attempt was not processed.
    pub fn is_throttled(&self) -> bool {
        match self {
            Self::Api { error, .. } => error.is_throttled(),
            Self::UnexpectedStatus { status, .. } => *status == 429,
            Self::RateLimited { .. } => true,
            _ => false,
        }
    }

    /// The vendor's error code, when the vendor answered with one. Unknown codes are the code
    /// type's `Other`.
    pub fn api_code(&self) -> Option<V::Code> {
        V::code(self.api_error()?.code)
    }

    /// The vendor's whole answer (code, message, HTTP status, request id), when it answered
    /// with an error code.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Api { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The request id of the failed request: the vendor's in its answer, or the one the client
    /// sent, for the vendor's support and your logs. `None` when nothing was sent, and for a
    /// vendor without client ids when it did not answer.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api { error, .. } => error.request_id.as_deref(),
            Self::Transport { request_id, .. }
            | Self::UnexpectedStatus { request_id, .. }
            | Self::Decode { request_id, .. } => request_id.as_id(),
            Self::Validation(_) | Self::Config(_) | Self::Encode(_) | Self::RateLimited { .. } => {
                None
            }
        }
    }

    /// The client rate limiter's refusal, for [`Error::RateLimited`].
    pub fn rate_limited(&self) -> Option<(QuotaFamily, &RateLimited)> {
        match self {
            Self::RateLimited { family, source, .. } => Some((*family, source)),
            _ => None,
        }
    }

    /// How many requests were sent: 0 when the request was refused before sending.
    pub fn attempts(&self) -> u32 {
        match self {
            Self::Transport { attempts, .. }
            | Self::Api { attempts, .. }
            | Self::UnexpectedStatus { attempts, .. }
            | Self::Decode { attempts, .. }
            | Self::RateLimited { attempts, .. } => *attempts,
            Self::Validation(_) | Self::Config(_) | Self::Encode(_) => 0,
        }
    }

    /// The HTTP status of the last answer, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Self::Api { error, .. } => Some(error.http_status),
            Self::UnexpectedStatus { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The transport failure, for [`Error::Transport`].
    pub fn transport_error(&self) -> Option<&TransportError> {
        match self {
            Self::Transport { source, .. } => Some(source),
            _ => None,
        }
    }

    /// The broken limit, for [`Error::Validation`].
    pub fn validation_error(&self) -> Option<&ValidationError> {
        match self {
            Self::Validation(err) => Some(err),
            _ => None,
        }
    }

    /// How the vendor's code is classified, for [`Error::Api`].
    pub fn code_class(&self) -> Option<CodeClass> {
        self.api_error().map(ApiError::class)
    }
}

impl<V: Vendor> From<ValidationError> for Error<V> {
    fn from(err: ValidationError) -> Self {
        Self::Validation(err)
    }
}

/// `" after 3 attempts"`, or nothing for one attempt.
struct After(u32);

impl fmt::Display for After {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 > 1 {
            write!(f, " after {} attempts", self.0)?;
        }
        Ok(())
    }
}

/// `" [request id …]"`, or nothing for a vendor without client request ids.
struct Id<'a>(Option<&'a str>);

impl fmt::Display for Id<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(id) = self.0 {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

/// The closing words of a failed write whose effect is unknown.
struct Unknown(bool);

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 {
            f.write_str("; the write may or may not have been applied")?;
        }
        Ok(())
    }
}

impl<V: Vendor> fmt::Display for Error<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = V::NAME;
        match self {
            Self::Validation(err) => write!(f, "request refused before sending: {err}"),
            Self::Config(err) => write!(f, "invalid client configuration: {err}"),
            Self::Encode(err) => write!(f, "request refused before sending: {err}"),
            Self::Transport {
                source,
                attempts,
                outcome_unknown,
                request_id,
            } => write!(
                f,
                "{name} request failed{}: {source}{}{}",
                After(*attempts),
                Id(request_id.as_id()),
                Unknown(*outcome_unknown)
            ),
            Self::Api {
                error,
                attempts,
                outcome_unknown,
            } => write!(
                f,
                "{error}{}{}",
                After(*attempts),
                Unknown(*outcome_unknown)
            ),
            Self::UnexpectedStatus {
                status,
                attempts,
                outcome_unknown,
                request_id,
            } => write!(
                f,
                "{name} request failed{}: HTTP {status} without a {name} reply (a gateway answered){}{}",
                After(*attempts),
                Id(request_id.as_id()),
                Unknown(*outcome_unknown)
            ),
            Self::RateLimited {
                family,
                source,
                attempts,
                outcome_unknown,
            } => {
                write!(f, "{name} {} request not sent: {source}", family.name())?;
                if *attempts > 0 {
                    write!(f, "; earlier attempts sent: {attempts}")?;
                }
                write!(f, "{}", Unknown(*outcome_unknown))
            }
            Self::Decode {
                source,
                attempts,
                outcome_unknown,
                request_id,
            } => write!(
                f,
                "could not read {name}'s reply{}: {source}{}{}",
                After(*attempts),
                Id(request_id.as_id()),
                Unknown(*outcome_unknown)
            ),
        }
    }
}

impl<V: Vendor> StdError for Error<V> {
    /// The cause behind the one the message names: for transport failures, the I/O, TLS or
    /// HTTP error underneath. The texts of [`TransportError`], [`ApiError`], [`DecodeError`]
    /// and [`ValidationError`] are already part of the message, so they are not repeated here.
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Self::Transport { source, .. } => source.source(),
            Self::Config(err) => err.http_client_error()?.source(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roomkv_core::RongCloudCode;

    /// A vendor like RongCloud: client request ids, RongCloud's codes.
    #[derive(Debug)]
    struct RongCloud;

    impl Vendor for RongCloud {
        const NAME: &'static str = "RongCloud";
        const LABEL: &'static str = "rongcloud";
        const EXPECTED_STATUSES: &'static [http::StatusCode] = &[];
        type Code = RongCloudCode;
        type RequestId = String;
        type BuildError = BuildError;
        type Endpoint = ();

        fn code(code: ApiCode) -> Option<RongCloudCode> {
            match code {
                ApiCode::RongCloud(code) => Some(code),
                ApiCode::Tencent(_) => None,
            }
        }
    }

    crate::build_error! {
        /// A test vendor's build error.
        enum BuildError for RongCloud in "roomkv-test" {}
    }

    type Error = super::Error<RongCloud>;

    #[test]
    fn messages_are_one_sentence_with_code_message_and_request_id() {
        let api = Error::Api {
            error: ApiError::rongcloud(RongCloudCode::RateLimited, "Too many requests", 429)
                .with_request_id("rid-1"),
            attempts: 3,
            outcome_unknown: false,
        };
        assert_eq!(
            api.to_string(),
            "RongCloud error 1008 (call frequency exceeds the limit): Too many requests \
             [HTTP 429, request id rid-1] after 3 attempts"
        );
        let transport = Error::Transport {
            source: TransportError::timeout(Some(std::time::Duration::from_secs(5))),
            attempts: 1,
            outcome_unknown: true,
            request_id: "rid-2".to_owned(),
        };
        assert_eq!(
            transport.to_string(),
            "RongCloud request failed: no response from the server within 5s [request id rid-2]; \
             the write may or may not have been applied"
        );
        assert_eq!(transport.request_id(), Some("rid-2"));
        assert!(transport.is_retryable());
        assert!(transport.source().is_none());
    }

    #[test]
    fn the_source_is_what_the_message_does_not_say() {
        let io = std::io::Error::other("connection refused by peer");
        let err = Error::Transport {
            source: TransportError::connect(io),
            attempts: 2,
            outcome_unknown: false,
            request_id: "r".to_owned(),
        };
        assert!(!err.to_string().contains("refused by peer"));
        assert_eq!(
            err.source().map(ToString::to_string).as_deref(),
            Some("connection refused by peer")
        );
    }

    #[test]
    fn error_is_small_enough_to_return() {
        assert!(size_of::<Error>() <= 128, "{}", size_of::<Error>());
    }

    #[test]
    fn build_errors_name_the_crate() {
        assert_eq!(
            BuildError::NoHttpClient.to_string(),
            "no HTTP client: enable the `hyper` feature of roomkv-test or pass one to \
             ClientBuilder::http_client"
        );
        let config = Error::from(BuildError::no_hosts());
        assert!(matches!(config, Error::Config(BuildError::NoHosts)));
    }

    #[test]
    fn a_refusal_of_the_rate_limiter_names_the_family_and_the_wait() {
        use roomkv_transport::limiter::{Charge, RateLimitReason};
        let charges = [Charge {
            bucket: "rongcloud:app:entry-set".into(),
            rate_per_sec: 100,
            units: 20,
        }];
        let refusal = RateLimited::new(
            &charges,
            0,
            RateLimitReason::WaitTooLong {
                wait: std::time::Duration::from_millis(12_500),
                max_wait: std::time::Duration::from_secs(10),
            },
        );
        let err = Error::RateLimited {
            family: QuotaFamily::RongCloudEntrySet,
            source: refusal,
            attempts: 1,
            outcome_unknown: true,
        };
        assert_eq!(
            err.to_string(),
            "RongCloud entry-set request not sent: quota rongcloud:app:entry-set (100/s) has no \
             room for 12500 ms, longer than the maximum wait of 10000 ms; nothing sent; earlier \
             attempts sent: 1; the write may or may not have been applied"
        );
        assert!(err.is_throttled() && err.is_retryable() && err.is_outcome_unknown());
        assert_eq!(err.attempts(), 1);
        assert_eq!(err.request_id(), None);
        assert_eq!(
            err.rate_limited().unwrap().0,
            QuotaFamily::RongCloudEntrySet
        );
    }
}
