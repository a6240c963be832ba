//! An `HttpClient` that records the credentials every attempt really carries (Tencent's
//! `usersig` query parameter, RongCloud's `Signature` header), so the scan knows every UserSig
//! and signature of the run, renewals included.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use roomkv_transport::{HttpClient, HttpRequest, HttpResponse, HyperClient, TransportError};

/// What the recorder saw, shared by every client of a run.
#[derive(Clone, Default)]
pub(crate) struct Sent(Arc<Mutex<SentLog>>);

#[derive(Default)]
pub(crate) struct SentLog {
    pub(crate) usersigs: Vec<String>,
    pub(crate) signatures: Vec<String>,
    pub(crate) requests: usize,
}

impl Sent {
    pub(crate) fn take(&self) -> SentLog {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The UserSigs sent so far, oldest first.
    pub(crate) fn usersigs(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .usersigs
            .clone()
    }

    /// A client sending through the built-in `HyperClient` with time limit `timeout`, recording
    /// into this log.
    pub(crate) fn client(&self, timeout: Duration) -> Recorder {
        let inner = HyperClient::builder()
            .timeout(timeout)
            .build()
            .expect("the built-in HTTP client builds");
        Recorder {
            inner,
            sent: self.clone(),
        }
    }
}

/// The recording client. Its `Debug` shows only how much it saw (it holds secrets itself).
pub(crate) struct Recorder {
    inner: HyperClient,
    sent: Sent,
}

impl fmt::Debug for Recorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let log = self.sent.0.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("Recorder")
            .field("inner", &self.inner)
            .field("requests", &log.requests)
            .finish_non_exhaustive()
    }
}

impl HttpClient for Recorder {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        {
            let mut log = self.sent.0.lock().unwrap_or_else(PoisonError::into_inner);
            log.requests += 1;
            // Exactly as sent (UserSig characters need no encoding in a query).
            let query = request.uri().query().unwrap_or_default();
            for pair in query.split('&') {
                if let Some(usersig) = pair.strip_prefix("usersig=") {
                    log.usersigs.push(usersig.to_owned());
                }
            }
            for name in ["signature", "rc-signature"] {
                if let Some(value) = request.headers().get(name) {
                    let value = value.to_str().expect("a signature is hex").to_owned();
                    log.signatures.push(value);
                }
            }
        }
        self.inner.send(request).await
    }
}
