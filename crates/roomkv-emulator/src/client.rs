//! The in-memory HTTP client: [`Emulator::http_client`] hands the SDK an
//! [`HttpClient`] that calls the emulator directly, without
//! sockets, with the configured faults applied as a client would see them over a socket.
//!
//! | fault | what [`HttpClient::send`] returns |
//! |---|---|
//! | none | the reply |
//! | `delay` | the reply, after `tokio::time::sleep` (paused test time applies); a [`TransportError::timeout`] instead when the delay outlasts [`EmulatorClient::timeout`] |
//! | `status` | that HTTP status with the gateway's HTML page |
//! | `vendor_error` | the forced vendor error reply |
//! | `close_before_processing` | [`TransportError::reset_after_send`]: nothing was applied |
//! | `close_after_processing` | [`TransportError::reset_after_send`]: the request *was* applied |
//!
//! The two closes are indistinguishable to the client, exactly as over a socket: the request
//! went out and no reply came back, so the outcome is unknown. Once sent, a request is processed
//! in a task of its own, so a caller that gives up (a timeout, a dropped future) does not take
//! it back, as with a real server.
//!
//! The scheme and host of the request URI are ignored (any base URL reaches the emulator); the
//! path and the query select the vendor and the operation, as over HTTP.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use roomkv_emulator::{Emulator, EmulatorConfig};
//! use roomkv_transport::HttpClient;
//!
//! let emulator = Emulator::new(EmulatorConfig::default());
//! let client = emulator.http_client();
//! let request = http::Request::get("http://emulator.invalid/_emulator/health")
//!     .body(Vec::new())
//!     .unwrap();
//! let reply = client.send(request).await.unwrap();
//! assert_eq!(reply.body().as_ref(), br#"{"ok":true}"#);
//! # }
//! ```
//!
//! [`HttpClient::send`]: roomkv_transport::HttpClient::send

use std::time::Duration;

use bytes::Bytes;
use roomkv_transport::{HttpClient, HttpRequest, HttpResponse, TransportError};

use crate::{Emulator, Exchange};

/// An [`HttpClient`] that calls an [`Emulator`] in memory; see the [module documentation](self).
/// Cheap to clone (it shares the emulator).
#[derive(Debug, Clone)]
pub struct EmulatorClient {
    emulator: Emulator,
    timeout: Option<Duration>,
}

impl EmulatorClient {
    /// A client of `emulator` without a time limit of its own.
    pub fn new(emulator: Emulator) -> Self {
        Self {
            emulator,
            timeout: None,
        }
    }

    /// The same client with one time limit over the whole exchange, as roomkv-transport's
    /// `HyperClient` has: a `delay` fault longer than
    /// `limit` ends in [`TransportError::timeout`] (and the request is still processed when the
    /// delay is over, as a real server would).
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = Some(limit);
        self
    }

    /// The emulator this client calls.
    pub fn emulator(&self) -> &Emulator {
        &self.emulator
    }
}

impl Emulator {
    /// An in-memory [`HttpClient`] of this emulator (see [`EmulatorClient`]), for SDK tests
    /// without sockets.
    pub fn http_client(&self) -> EmulatorClient {
        self.start_webhooks();
        EmulatorClient::new(self.clone())
    }
}

/// The error of a connection the emulator closed without replying.
#[derive(Debug, thiserror::Error)]
#[error("the connection was closed without a reply (fault injection)")]
struct ClosedByFault;

impl HttpClient for EmulatorClient {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let request = req.map(Bytes::from);
        let emulator = self.emulator.clone();
        let exchange = tokio::spawn(async move { emulator.respond(request).await });
        let joined = match self.timeout {
            Some(limit) => tokio::time::timeout(limit, exchange)
                .await
                .map_err(|_| TransportError::timeout(Some(limit)))?,
            None => exchange.await,
        };
        match joined.map_err(TransportError::other)? {
            Exchange::Reply(reply) => Ok(reply.map(Bytes::from)),
            Exchange::Closed { .. } => Err(TransportError::reset_after_send(ClosedByFault)),
        }
    }
}
