//! [`Counting`]: the built-in [`HyperClient`] with counters around it, so the demo can show what
//! went over the wire: that a refused request sent nothing, and how many answers of a burst were
//! "throttled".

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use roomkv_transport::{
    HttpClient, HttpRequest, HttpResponse, HyperClient, SharedHttpClient, TransportError,
};

/// What one or more clients sent and got back.
#[derive(Debug, Default)]
pub(crate) struct Traffic {
    requests: AtomicU64,
    throttled: AtomicU64,
}

impl Traffic {
    /// Requests handed to the HTTP client so far.
    pub(crate) fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }

    /// Answers with HTTP 429 so far (RongCloud's rate limit, code 1008).
    pub(crate) fn throttled(&self) -> u64 {
        self.throttled.load(Ordering::SeqCst)
    }
}

/// A [`HyperClient`] that counts into one or more [`Traffic`]s.
#[derive(Debug)]
pub(crate) struct Counting {
    inner: HyperClient,
    counters: Vec<Arc<Traffic>>,
}

impl Counting {
    /// The built-in client with a time limit of `timeout` over each exchange, counting into
    /// every one of `counters`; ready for any provider's builder.
    pub(crate) fn shared(
        timeout: Duration,
        counters: &[&Arc<Traffic>],
    ) -> Result<SharedHttpClient, TransportError> {
        let inner = HyperClient::builder().timeout(timeout).build()?;
        let counters = counters.iter().map(|traffic| Arc::clone(traffic)).collect();
        Ok(SharedHttpClient::new(Self { inner, counters }))
    }
}

impl HttpClient for Counting {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        for traffic in &self.counters {
            traffic.requests.fetch_add(1, Ordering::SeqCst);
        }
        let response = self.inner.send(req).await;
        if let Ok(response) = &response
            && response.status().as_u16() == 429
        {
            for traffic in &self.counters {
                traffic.throttled.fetch_add(1, Ordering::SeqCst);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn a_request_that_cannot_connect_is_still_counted() {
        // A port nobody listens on: bind one, note it, close it.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);

        let mine = Arc::new(Traffic::default());
        let total = Arc::new(Traffic::default());
        let client = Counting::shared(Duration::from_secs(2), &[&mine, &total]).unwrap();
        let request = http_request(&format!("http://{addr}/ping"));
        assert!(client.send(request).await.is_err());
        assert_eq!((mine.requests(), mine.throttled()), (1, 0));
        assert_eq!((total.requests(), total.throttled()), (1, 0));
    }

    fn http_request(url: &str) -> HttpRequest {
        let mut request = HttpRequest::new(Vec::new());
        *request.method_mut() = "POST".parse().unwrap();
        *request.uri_mut() = url.parse().unwrap();
        request
    }
}
