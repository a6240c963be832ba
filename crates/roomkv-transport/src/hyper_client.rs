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
/// TLS (feature `rustls`) always verifies certificates. The trusted roots are the compiled-in
/// Mozilla roots (feature `webpki-roots`), the platform's roots (feature `native-roots`), and
/// any added with [`add_root_certificate`](Self::add_root_certificate).
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
#[derive(Clone)]
pub struct HyperClientBuilder {
    timeout: Duration,
    connect_timeout: Duration,
    keep_alive: KeepAlive,
    max_response_bytes: usize,
    extra_roots: Vec<Vec<u8>>,
}

impl Default for HyperClientBuilder {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            keep_alive: KeepAlive::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            extra_roots: Vec::new(),
        }
    }
}

impl fmt::Debug for HyperClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperClientBuilder")
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("keep_alive", &self.keep_alive)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("extra_roots", &self.extra_roots.len())
            .finish()
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

    /// Also trusts this root certificate (DER-encoded), for a private CA or a TLS-inspecting
    /// proxy. Certificates are still always verified; this only adds a trust anchor.
    pub fn add_root_certificate(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.extra_roots.push(der.into());
        self
    }

    /// Builds the client. Needs no runtime; sending needs a Tokio runtime with time and I/O.
    ///
    /// # Errors
    ///
    /// An [`is_invalid`](TransportError::is_invalid) error if an added root certificate is
    /// malformed (or added without feature `rustls`).
    ///
    /// If no TLS root is trusted at all (no roots feature and no added root, or only
    /// `native-roots` on a platform without roots), the client still builds, for plain http to
    /// loopback, and refuses every `https://` request with an
    /// [`is_invalid`](TransportError::is_invalid) error that says so.
    pub fn build(self) -> Result<HyperClient, TransportError> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(self.connect_timeout));
        let (connector, https_refusal) = wrap_tls(http, &self.extra_roots)?;

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
            https_refusal,
        })
    }
}

/// The connector, and why `https://` cannot work with it (if it cannot).
type Wrapped = (Connector, Option<&'static str>);

#[cfg(feature = "rustls")]
fn wrap_tls(http: HttpConnector, extra_roots: &[Vec<u8>]) -> Result<Wrapped, TransportError> {
    let roots = roots(extra_roots)?;
    let https_refusal = roots.is_empty().then_some(
        "no trusted TLS root certificates: enable feature `webpki-roots` or `native-roots` \
         of roomkv-transport, or add a root certificate",
    );
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| TransportError::invalid(format!("TLS configuration failed: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Ok((connector, https_refusal))
}

#[cfg(not(feature = "rustls"))]
fn wrap_tls(http: HttpConnector, extra_roots: &[Vec<u8>]) -> Result<Wrapped, TransportError> {
    if extra_roots.is_empty() {
        Ok((
            http,
            Some("https:// needs the `rustls` feature of roomkv-transport"),
        ))
    } else {
        Err(TransportError::invalid(
            "root certificates need the `rustls` feature of roomkv-transport",
        ))
    }
}

/// The trusted roots: the compiled-in Mozilla roots (feature `webpki-roots`), the platform's
/// (feature `native-roots`) and the caller's extra roots.
#[cfg(feature = "rustls")]
fn roots(extra: &[Vec<u8>]) -> Result<rustls::RootCertStore, TransportError> {
    let mut roots = rustls::RootCertStore::empty();
    #[cfg(feature = "webpki-roots")]
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    #[cfg(feature = "native-roots")]
    {
        let found = rustls_native_certs::load_native_certs();
        if !found.errors.is_empty() {
            tracing::warn!(
                errors = ?found.errors,
                "some platform root certificates could not be loaded"
            );
        }
        let (added, ignored) = roots.add_parsable_certificates(found.certs);
        tracing::debug!(added, ignored, "loaded platform root certificates");
    }
    for der in extra {
        roots
            .add(rustls::pki_types::CertificateDer::from(der.clone()))
            .map_err(|e| TransportError::invalid(format!("invalid root certificate: {e}")))?;
    }
    Ok(roots)
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
    /// Why `https://` cannot work with this build, if it cannot.
    https_refusal: Option<&'static str>,
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
            Ok(Err(err)) => return Err(classify_request_error(err, self.config.connect_timeout)),
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
        if let Some(reason) = self.https_refusal
            && req.uri().scheme() == Some(&http::uri::Scheme::HTTPS)
        {
            return Err(TransportError::invalid(reason));
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
fn classify_request_error(
    err: hyper_util::client::legacy::Error,
    connect_timeout: Duration,
) -> TransportError {
    if err.is_connect() {
        // A connect timeout from `HttpConnector` is an `io::Error` of kind `TimedOut`.
        let timed_out =
            find_source::<io::Error>(&err).is_some_and(|io| io.kind() == io::ErrorKind::TimedOut);
        return if timed_out {
            TransportError::connect_timeout(Some(connect_timeout))
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

#[cfg(all(test, not(any(feature = "webpki-roots", feature = "native-roots"))))]
mod tests {
    use super::*;

    #[tokio::test]
    async fn https_without_tls_roots_is_refused_not_attempted() {
        let client = HyperClient::new().unwrap();
        let req = http::Request::get("https://127.0.0.1:1/")
            .body(Vec::new())
            .unwrap();
        let err = client.send(req).await.unwrap_err();
        assert!(err.is_invalid(), "{err:?}");
        assert!(!err.may_have_been_sent());
    }
}
