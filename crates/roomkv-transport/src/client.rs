//! The [`HttpClient`] abstraction: send one request, get one complete response.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::TransportError;

/// The request type every [`HttpClient`] accepts: a complete, buffered body.
pub type HttpRequest = http::Request<Vec<u8>>;

/// The response type every [`HttpClient`] returns: a complete, buffered body.
pub type HttpResponse = http::Response<bytes::Bytes>;

/// A boxed, `Send` future, as returned by [`DynHttpClient::send_dyn`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sends one HTTP request and returns the complete response.
///
/// This is the trait to implement to bring your own HTTP stack (or an in-memory fake).
/// Any HTTP status is a successful exchange: a `502` is `Ok(response)`. Errors are reserved for
/// exchanges that did not produce a complete response, and say how far they got (see
/// [`TransportError`]).
///
/// Implementations should enforce their own time limit over the whole exchange and a cap on the
/// response size, as [`HyperClient`](crate::HyperClient) does, and must refuse plain `http://`
/// to hosts that are not loopback (see [`check_url`](crate::check_url)).
///
/// The trait is easy to implement with `async fn`; use [`SharedHttpClient`] (or
/// [`DynHttpClient`]) where a trait object is needed.
///
/// ```
/// use bytes::Bytes;
/// use roomkv_transport::{HttpClient, HttpRequest, HttpResponse, SharedHttpClient, TransportError};
///
/// /// Answers every request with `204 No Content`.
/// #[derive(Debug)]
/// struct NoContent;
///
/// impl HttpClient for NoContent {
///     async fn send(&self, _req: HttpRequest) -> Result<HttpResponse, TransportError> {
///         Ok(http::Response::builder().status(204).body(Bytes::new()).unwrap())
///     }
/// }
///
/// # tokio_test_block_on(async {
/// let client = SharedHttpClient::new(NoContent);
/// let req = http::Request::post("https://example.invalid/x").body(Vec::new()).unwrap();
/// let resp = client.send(req).await.unwrap();
/// assert_eq!(resp.status(), 204);
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
pub trait HttpClient: Send + Sync + fmt::Debug {
    /// Sends `req` and waits for the complete response (head and body).
    fn send(
        &self,
        req: HttpRequest,
    ) -> impl Future<Output = Result<HttpResponse, TransportError>> + Send;
}

/// The object-safe twin of [`HttpClient`], implemented for every `HttpClient`.
///
/// Use it through [`SharedHttpClient`]; implement [`HttpClient`] instead of this trait.
pub trait DynHttpClient: Send + Sync + fmt::Debug {
    /// Sends `req` and waits for the complete response; see [`HttpClient::send`].
    fn send_dyn(&self, req: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>>;
}

impl<T: HttpClient> DynHttpClient for T {
    fn send_dyn(&self, req: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(self.send(req))
    }
}

/// A cheaply cloneable, type-erased [`HttpClient`].
///
/// This is what provider clients store, so users can plug in any client.
///
/// ```
/// # #[cfg(feature = "hyper")] {
/// use roomkv_transport::{HyperClient, SharedHttpClient};
///
/// let client = SharedHttpClient::new(HyperClient::new().unwrap());
/// let other_handle = client.clone(); // shares the same connection pool
/// # let _ = other_handle;
/// # }
/// ```
#[derive(Clone)]
pub struct SharedHttpClient(Arc<dyn DynHttpClient>);

impl SharedHttpClient {
    /// Wraps `client`.
    pub fn new(client: impl HttpClient + 'static) -> Self {
        Self(Arc::new(client))
    }

    /// Wraps an already shared client.
    pub fn from_arc(client: Arc<dyn DynHttpClient>) -> Self {
        Self(client)
    }
}

impl fmt::Debug for SharedHttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SharedHttpClient").field(&self.0).finish()
    }
}

impl HttpClient for SharedHttpClient {
    fn send(
        &self,
        req: HttpRequest,
    ) -> impl Future<Output = Result<HttpResponse, TransportError>> + Send {
        self.0.send_dyn(req)
    }
}

impl<T: HttpClient> HttpClient for Arc<T> {
    fn send(
        &self,
        req: HttpRequest,
    ) -> impl Future<Output = Result<HttpResponse, TransportError>> + Send {
        (**self).send(req)
    }
}

impl<T: HttpClient> HttpClient for &T {
    fn send(
        &self,
        req: HttpRequest,
    ) -> impl Future<Output = Result<HttpResponse, TransportError>> + Send {
        (**self).send(req)
    }
}
