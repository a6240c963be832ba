//! The default [`HttpClient`]: hyper-util's pooled client over HTTP/1.1, with rustls (ring).

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{CaptureConnection, HttpConnector, capture_connection};
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tokio::time::{Instant, timeout_at};

use crate::error::find_source;
use crate::{HttpClient, HttpRequest, HttpResponse, TransportError, check_url};

#[cfg(feature = "rustls")]
type Connector = hyper_rustls::HttpsConnector<HttpConnector>;
#[cfg(not(feature = "rustls"))]
type Connector = HttpConnector;

/// The default idle timeout of pooled connections: 50 s (RongCloud asks for less than 55 s).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(50);
/// The default connect timeout (TCP only; TLS counts against the total timeout): 2 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// The default time limit over a whole exchange, body included: 5 s (RongCloud's advice).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// The default cap on a response body: 8 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

/// Whether [`HyperClient`] keeps connections open for reuse.
///
/// RongCloud recommends no keep-alive, or an idle timeout under 55 s; Tencent recommends
/// keep-alive. The default is [`KeepAlive::Enabled`] with [`DEFAULT_IDLE_TIMEOUT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeepAlive {
    /// Reuse connections; close one after it was idle for `idle_timeout`.
    Enabled {
        /// How long an unused connection stays in the pool.
        idle_timeout: Duration,
    },
    /// A new connection for every request, closed after the response.
    Disabled,
}

impl Default for KeepAlive {
    fn default() -> Self {
        Self::Enabled {
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
        }
    }
}

/// Configuration for [`HyperClient`].
///
/// | setting | default |
/// |---|---|
/// | [`timeout`](Self::timeout): one limit over the whole exchange (connect, TLS, request, response head and body) | 5 s ([`DEFAULT_TIMEOUT`]) |
/// | [`connect_timeout`](Self::connect_timeout): TCP connect | 2 s ([`DEFAULT_CONNECT_TIMEOUT`]) |
/// | [`keep_alive`](Self::keep_alive) | enabled, idle timeout 50 s ([`DEFAULT_IDLE_TIMEOUT`]) |
/// | [`max_response_bytes`](Self::max_response_bytes) | 8 MiB ([`DEFAULT_MAX_RESPONSE_BYTES`]) |
///
/// TLS (feature `rustls`) always verifies certificates, against the platform's roots with
/// feature `native-roots`, else the compiled-in Mozilla roots with feature `webpki-roots`.
///
/// ```
/// use std::time::Duration;
/// use roomkv_transport::{HyperClient, KeepAlive};
///
/// let client = HyperClient::builder()
///     .timeout(Duration::from_secs(3))
///     .keep_alive(KeepAlive::Disabled)
///     .build()
///     .unwrap();
/// # let _ = client;
/// ```
#[derive(Debug, Clone)]
pub struct HyperClientBuilder {
    timeout: Duration,
    connect_timeout: Duration,
    keep_alive: KeepAlive,
    max_response_bytes: usize,
}

impl Default for HyperClientBuilder {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            keep_alive: KeepAlive::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

impl HyperClientBuilder {
    /// One time limit over the whole exchange, including reading the response body.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The time limit for establishing a TCP connection. A connect that times out is reported
    /// as both [`is_timeout`](TransportError::is_timeout) and
    /// [`is_connect`](TransportError::is_connect).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Connection reuse; see [`KeepAlive`].
    pub fn keep_alive(mut self, keep_alive: KeepAlive) -> Self {
        self.keep_alive = keep_alive;
        self
    }

    /// The largest response body accepted; a larger one fails with
    /// [`is_body_too_large`](TransportError::is_body_too_large).
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.max_response_bytes = max;
        self
    }

    /// Builds the client. Needs no runtime; sending needs a Tokio runtime with time and I/O.
    ///
    /// # Errors
    ///
    /// An [`is_invalid`](TransportError::is_invalid) error if no TLS roots are available
    /// (feature `native-roots` found none on the platform and `webpki-roots` is off, or
    /// `rustls` is on without any roots feature).
    pub fn build(self) -> Result<HyperClient, TransportError> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(self.connect_timeout));
        let connector = wrap_tls(http)?;

        let mut builder = Client::builder(TokioExecutor::new());
        // Without a timer the pool silently ignores its idle timeout.
        builder.pool_timer(TokioTimer::new());
        match self.keep_alive {
            KeepAlive::Enabled { idle_timeout } => {
                builder.pool_idle_timeout(idle_timeout);
            }
            KeepAlive::Disabled => {
                builder.pool_max_idle_per_host(0);
            }
        }
        Ok(HyperClient {
            inner: builder.build(connector),
            config: self,
        })
    }
}

#[cfg(feature = "rustls")]
fn wrap_tls(http: HttpConnector) -> Result<Connector, TransportError> {
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| TransportError::invalid(format!("TLS configuration failed: {e}")))?;
    let config = with_roots(config)?.with_no_client_auth();
    Ok(hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_or_http()
        .enable_http1()
        .wrap_connector(http))
}

#[cfg(not(feature = "rustls"))]
fn wrap_tls(http: HttpConnector) -> Result<Connector, TransportError> {
    Ok(http)
}

#[cfg(feature = "rustls")]
type RootsBuilder = rustls::ConfigBuilder<rustls::ClientConfig, rustls::WantsVerifier>;
#[cfg(feature = "rustls")]
type WithRoots = rustls::ConfigBuilder<rustls::ClientConfig, rustls::client::WantsClientCert>;

#[cfg(all(feature = "rustls", feature = "native-roots"))]
fn with_roots(builder: RootsBuilder) -> Result<WithRoots, TransportError> {
    use hyper_rustls::ConfigBuilderExt;
    match builder.clone().with_native_roots() {
        Ok(b) => Ok(b),
        #[cfg(feature = "webpki-roots")]
        Err(err) => {
            tracing::warn!(%err, "no usable platform TLS roots; using the compiled-in roots");
            Ok(builder.with_webpki_roots())
        }
        #[cfg(not(feature = "webpki-roots"))]
        Err(err) => Err(TransportError::invalid(format!(
            "no usable platform TLS root certificates ({err}); enable feature `webpki-roots`"
        ))),
    }
}

#[cfg(all(
    feature = "rustls",
    not(feature = "native-roots"),
    feature = "webpki-roots"
))]
fn with_roots(builder: RootsBuilder) -> Result<WithRoots, TransportError> {
    use hyper_rustls::ConfigBuilderExt;
    Ok(builder.with_webpki_roots())
}

#[cfg(all(
    feature = "rustls",
    not(feature = "native-roots"),
    not(feature = "webpki-roots")
))]
fn with_roots(_builder: RootsBuilder) -> Result<WithRoots, TransportError> {
    Err(TransportError::invalid(
        "no TLS root certificates: enable feature `webpki-roots` or `native-roots`",
    ))
}

/// The default [`HttpClient`] (feature `hyper`): hyper-util's pooled legacy client, HTTP/1.1,
/// TLS through rustls with the `ring` provider (feature `rustls`).
///
/// - One time limit covers the whole exchange, reading the body included; see
///   [`HyperClientBuilder`] for all settings and their defaults.
/// - Plain `http://` is refused unless the host is loopback ([`check_url`]).
/// - A connection that saw an error or a timeout is never reused.
/// - Errors are classified into the [`TransportError`] predicates by walking the hyper /
///   hyper-util / `io` error chain.
///
/// Cloning is cheap and shares the connection pool.
///
/// ```no_run
/// use roomkv_transport::{HttpClient, HyperClient};
///
/// # async fn demo() -> Result<(), roomkv_transport::TransportError> {
/// let client = HyperClient::new()?;
/// let req = http::Request::post("https://api.example.com/ping").body(b"{}".to_vec()).unwrap();
/// let resp = client.send(req).await?;
/// println!("{}", resp.status());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct HyperClient {
    inner: Client<Connector, Full<Bytes>>,
    config: HyperClientBuilder,
}

impl fmt::Debug for HyperClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl HyperClient {
    /// A client with the default settings ([`HyperClientBuilder`]).
    ///
    /// # Errors
    ///
    /// As [`HyperClientBuilder::build`].
    pub fn new() -> Result<Self, TransportError> {
        Self::builder().build()
    }

    /// Starts a configuration with the default settings.
    pub fn builder() -> HyperClientBuilder {
        HyperClientBuilder::default()
    }

    /// The time limit over a whole exchange.
    pub fn timeout(&self) -> Duration {
        self.config.timeout
    }

    /// The TCP connect time limit.
    pub fn connect_timeout(&self) -> Duration {
        self.config.connect_timeout
    }

    /// The keep-alive setting.
    pub fn keep_alive(&self) -> KeepAlive {
        self.config.keep_alive
    }

    /// The largest response body accepted, in bytes.
    pub fn max_response_bytes(&self) -> usize {
        self.config.max_response_bytes
    }

    async fn exchange(
        &self,
        req: http::Request<Full<Bytes>>,
        capture: &CaptureConnection,
        deadline: Instant,
    ) -> Result<HttpResponse, TransportError> {
        let timeout = Some(self.config.timeout);
        let resp = match timeout_at(deadline, self.inner.request(req)).await {
            Ok(Ok(resp)) => resp,
            Ok(Err(err)) => return Err(classify_request_error(err)),
            // No connection was ever handed to the request: it cannot have been sent.
            Err(_) if capture.connection_metadata().is_none() => {
                return Err(TransportError::connect_timeout(timeout));
            }
            Err(_) => return Err(TransportError::timeout(timeout)),
        };

        let max = self.config.max_response_bytes;
        let (parts, body) = resp.into_parts();
        let too_large = || TransportError::body_too_large(max as u64);
        if let Some(len) = content_length(&parts.headers)
            && len > max as u64
        {
            return Err(too_large());
        }
        let collected = timeout_at(deadline, Limited::new(body, max).collect()).await;
        let body = match collected {
            Ok(Ok(c)) => c.to_bytes(),
            Ok(Err(err)) if err.downcast_ref::<LengthLimitError>().is_some() => {
                return Err(too_large());
            }
            Ok(Err(err)) => return Err(TransportError::body(err)),
            Err(_) => return Err(TransportError::body_timeout(timeout)),
        };
        Ok(http::Response::from_parts(parts, body))
    }
}

impl HttpClient for HyperClient {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        check_url(req.uri())?;
        #[cfg(not(feature = "rustls"))]
        if req.uri().scheme() == Some(&http::uri::Scheme::HTTPS) {
            return Err(TransportError::invalid(
                "https:// needs the `rustls` feature of roomkv-transport",
            ));
        }
        let deadline = Instant::now() + self.config.timeout;
        let (parts, body) = req.into_parts();
        let mut req = http::Request::from_parts(parts, Full::new(Bytes::from(body)));
        let capture = capture_connection(&mut req);
        let result = self.exchange(req, &capture, deadline).await;
        if let Err(err) = &result {
            // Never reuse a connection whose state is unknown (timeout mid-response, partial
            // body, protocol error): poison it so the pool drops it.
            if let Some(conn) = capture.connection_metadata().as_ref() {
                conn.poison();
            }
            tracing::debug!(error = %err, source = ?StdError::source(err), "HTTP exchange failed");
        }
        result
    }
}

fn content_length(headers: &http::HeaderMap) -> Option<u64> {
    headers
        .get(http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Classifies an error of `Client::request` (before the response head arrived).
fn classify_request_error(err: hyper_util::client::legacy::Error) -> TransportError {
    if err.is_connect() {
        // A connect timeout from `HttpConnector` is an `io::Error` of kind `TimedOut`.
        let timed_out =
            find_source::<io::Error>(&err).is_some_and(|io| io.kind() == io::ErrorKind::TimedOut);
        return if timed_out {
            TransportError::connect_timeout(None)
        } else {
            TransportError::connect(err)
        };
    }
    if let Some(h) = find_source::<hyper::Error>(&err) {
        if h.is_canceled() {
            // hyper hands the request back, unwritten, when the connection closed before it
            // could be sent.
            return TransportError::connect(err);
        }
        if h.is_timeout() {
            return TransportError::timeout(None);
        }
        if h.is_incomplete_message() || h.is_closed() {
            return TransportError::reset_after_send(err);
        }
    }
    if let Some(io) = find_source::<io::Error>(&err) {
        return match io.kind() {
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof => TransportError::reset_after_send(err),
            io::ErrorKind::TimedOut => TransportError::timeout(None),
            _ => TransportError::other(err),
        };
    }
    TransportError::other(err)
}

#[cfg(all(test, not(feature = "rustls")))]
mod tests {
    use super::*;

    #[tokio::test]
    async fn https_without_rustls_is_refused_not_sent_in_plaintext() {
        let client = HyperClient::new().unwrap();
        let req = http::Request::get("https://127.0.0.1:1/")
            .body(Vec::new())
            .unwrap();
        let err = client.send(req).await.unwrap_err();
        assert!(err.is_invalid(), "{err:?}");
    }
}
