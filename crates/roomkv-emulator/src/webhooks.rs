//! Callback delivery: the emulator `POST`s the callbacks it records to the URLs of
//! [`WebhookConfig`], the way the vendors do.
//!
//! - **RongCloud KV sync webhook** (`docs/vendors/rongcloud.md#kv-sync-webhook`): the recorded body as JSON, with
//!   `nonce`, `timestamp` (milliseconds) and `signature` (hex SHA1 of app secret, nonce and
//!   timestamp, as for API requests, `docs/vendors/rongcloud.md#signature`) appended to the URL's query, signed afresh for every
//!   attempt. One webhook per key: a batch of 20 keys sends 20; a destroyed room sends one with
//!   `optType` 3; a user leaving sends one per vanished key (unless
//!   [`RongCloudRules::kv_sync_on_leave`](crate::config::RongCloudRules::kv_sync_on_leave) is off).
//! - **Tencent Live callbacks** (`docs/vendors/tencent.md#callbacks`): the recorded body as JSON, with
//!   `SdkAppid`, `CallbackCommand`, `contenttype=json`, `ClientIP` (always `127.0.0.1`: the
//!   emulator does not track callers) and `OptPlatform=RESTAPI`, plus `RequestTime` and `Sign` when
//!   a callback token is configured.
//!
//! Recording a callback only enqueues it (a bounded queue: when full, the callback is dropped and
//! counted, and the request that caused it is not slowed down). A worker task delivers up to
//! [`WebhookConfig::concurrency`](crate::config::WebhookConfig::concurrency) callbacks at a time
//! under each vendor's [`DeliveryPolicy`]: an attempt succeeds on HTTP 200; a timeout, another
//! status or a connection error is retried after the policy's delay until the retries are spent,
//! then the callback is dropped. Every attempt is recorded in the event log as a
//! [`Delivery`] event, and counted in [`WebhookStats`] (`GET /_emulator/webhooks`). Timeouts and
//! delays run on tokio's clock, so tests can pause it.
//!
//! The default HTTP client is `roomkv-transport`'s `HyperClient` without keep-alive (the
//! emulator depends on no TLS stack: plain `http://` to loopback hosts only);
//! [`EmulatorBuilder::webhook_client`](crate::EmulatorBuilder::webhook_client) replaces it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use roomkv_sign::rongcloud::{AppSecret, signature};
use roomkv_sign::tencent::{CallbackToken, callback_sign};
use roomkv_transport::{HttpClient, HttpRequest, HyperClient, KeepAlive, SharedHttpClient};
use serde::Serialize;
use tokio::sync::{Semaphore, mpsc};

use crate::config::{DeliveryPolicy, WebhookConfig};
use crate::events::{Delivery, DeliveryOutcome, Event, EventKind, WebhookVendor};
use crate::rng::mix;
use crate::state::State;
use crate::{Emulator, Inner};

/// Delivery counters since start or the last reset, as served by `GET /_emulator/webhooks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookStats {
    /// Callbacks accepted into the delivery queue.
    pub queued: u64,
    /// Callbacks dropped because the queue was full.
    pub queue_full: u64,
    /// Delivery attempts made.
    pub attempts: u64,
    /// Callbacks delivered (answered HTTP 200).
    pub delivered: u64,
    /// Callbacks dropped after their last attempt failed.
    pub failed: u64,
}

#[derive(Debug, Default)]
struct Counters {
    queued: AtomicU64,
    queue_full: AtomicU64,
    attempts: AtomicU64,
    delivered: AtomicU64,
    failed: AtomicU64,
}

impl Counters {
    fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// The delivery side of an emulator with at least one callback URL.
pub(crate) struct Webhooks {
    queue: Mutex<Option<mpsc::Receiver<Event>>>,
    client: Option<SharedHttpClient>,
    counters: Arc<Counters>,
    /// Nonces are `mix(nonce_base + n) % 10¹⁸` for the n-th signature (at most 18 digits, as
    /// RongCloud documents): `mix` is a bijection, so a repeat within a run takes about 10⁹
    /// signatures (the modulo's birthday bound), and runs differ because the base is the start
    /// time.
    nonce_base: u64,
    nonces: AtomicU64,
}

impl std::fmt::Debug for Webhooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhooks")
            .field("counters", &self.counters)
            .finish_non_exhaustive()
    }
}

impl Webhooks {
    /// Hooks delivery into `state` when `config` names a URL; `None` otherwise.
    pub(crate) fn install(
        config: &WebhookConfig,
        state: &State,
        client: Option<SharedHttpClient>,
        nonce_base: u64,
    ) -> Option<Self> {
        let rongcloud = config.rongcloud_url.is_some();
        let tencent = config.tencent_url.is_some();
        if !rongcloud && !tencent {
            return None;
        }
        let (tx, rx) = mpsc::channel(config.queue_capacity.max(1));
        let counters = Arc::new(Counters::default());
        let seen = Arc::clone(&counters);
        state.on_record(Box::new(move |event: &Event| {
            let wanted = match &event.kind {
                EventKind::RongCloudKvSync { .. } => rongcloud,
                EventKind::TencentCallback { .. } => tencent,
                _ => false,
            };
            if wanted {
                match tx.try_send(event.clone()) {
                    Ok(()) => Counters::bump(&seen.queued),
                    Err(_) => Counters::bump(&seen.queue_full),
                }
            }
        }));
        Some(Self {
            queue: Mutex::new(Some(rx)),
            client,
            counters,
            nonce_base,
            nonces: AtomicU64::new(0),
        })
    }

    pub(crate) fn stats(&self) -> WebhookStats {
        let c = &self.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        WebhookStats {
            queued: get(&c.queued),
            queue_full: get(&c.queue_full),
            attempts: get(&c.attempts),
            delivered: get(&c.delivered),
            failed: get(&c.failed),
        }
    }

    pub(crate) fn reset(&self) {
        let c = &self.counters;
        for counter in [
            &c.queued,
            &c.queue_full,
            &c.attempts,
            &c.delivered,
            &c.failed,
        ] {
            counter.store(0, Ordering::Relaxed);
        }
    }

    /// Starts the worker in the current tokio runtime, once. Without a runtime, nothing happens
    /// (callbacks wait in the queue until [`Emulator::serve`] or [`Emulator::http_client`] is
    /// called inside one).
    pub(crate) fn start(&self, inner: &Arc<Inner>, config: &WebhookConfig) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let Some(queue) = crate::shards::lock(&self.queue).take() else {
            return;
        };
        let client = match &self.client {
            Some(client) => Ok(client.clone()),
            None => default_client(config),
        };
        runtime.spawn(run(
            Arc::downgrade(inner),
            queue,
            client,
            config.concurrency,
        ));
    }
}

fn default_client(config: &WebhookConfig) -> Result<SharedHttpClient, String> {
    let timeout = config
        .rongcloud_policy
        .timeout
        .max(config.tencent_policy.timeout);
    HyperClient::builder()
        .timeout(timeout)
        .keep_alive(KeepAlive::Disabled)
        .build()
        .map(SharedHttpClient::new)
        .map_err(|e| e.to_string())
}

/// Takes callbacks off the queue until the emulator is gone.
async fn run(
    inner: Weak<Inner>,
    mut queue: mpsc::Receiver<Event>,
    client: Result<SharedHttpClient, String>,
    concurrency: usize,
) {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    while let Some(event) = queue.recv().await {
        let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
            return;
        };
        let Some(inner) = inner.upgrade() else {
            return;
        };
        let emulator = Emulator { inner };
        let client = client.clone();
        tokio::spawn(async move {
            deliver(&emulator, &client, &event).await;
            drop(permit);
        });
    }
}

/// Delivers one callback under its vendor's policy, recording every attempt.
async fn deliver(emulator: &Emulator, client: &Result<SharedHttpClient, String>, event: &Event) {
    let config = &emulator.inner.config.webhooks;
    let Some(webhooks) = &emulator.inner.webhooks else {
        return;
    };
    let (vendor, policy) = match event.kind {
        EventKind::TencentCallback { .. } => (WebhookVendor::Tencent, config.tencent_policy),
        _ => (WebhookVendor::RongCloud, config.rongcloud_policy),
    };
    let attempts = policy.retries.saturating_add(1);
    for attempt in 1..=attempts {
        let outcome = match (client, emulator.callback_request(webhooks, event)) {
            (Ok(client), Ok(request)) => send(client, request, policy).await,
            (Err(message), _) => DeliveryOutcome::Error {
                message: message.clone(),
            },
            (_, Err(message)) => DeliveryOutcome::Error { message },
        };
        let delivered = outcome == DeliveryOutcome::Delivered;
        let is_final = delivered || attempt == attempts;
        Counters::bump(&webhooks.counters.attempts);
        if delivered {
            Counters::bump(&webhooks.counters.delivered);
        } else if is_final {
            Counters::bump(&webhooks.counters.failed);
        }
        tracing::debug!(
            ?vendor,
            seq = event.seq,
            attempt,
            ?outcome,
            "webhook delivery"
        );
        emulator
            .state()
            .record_unrelated(EventKind::WebhookDelivery(Delivery {
                vendor,
                event_seq: event.seq,
                attempt,
                outcome,
                is_final,
            }));
        if is_final {
            return;
        }
        tokio::time::sleep(policy.retry_delay).await;
    }
}

async fn send(
    client: &SharedHttpClient,
    request: HttpRequest,
    policy: DeliveryPolicy,
) -> DeliveryOutcome {
    match tokio::time::timeout(policy.timeout, client.send(request)).await {
        Err(_) => DeliveryOutcome::Timeout,
        Ok(Err(error)) if error.is_timeout() => DeliveryOutcome::Timeout,
        Ok(Err(error)) => DeliveryOutcome::Error {
            message: error.to_string(),
        },
        Ok(Ok(response)) if response.status() == http::StatusCode::OK => DeliveryOutcome::Delivered,
        Ok(Ok(response)) => DeliveryOutcome::Status {
            status: response.status().as_u16(),
        },
    }
}

/// `url` with `params` appended to its query.
fn with_query(url: &str, params: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(params);
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{}", query.finish())
}

impl Emulator {
    /// The delivery counters (all zero when no callback URL is configured).
    pub fn webhook_stats(&self) -> WebhookStats {
        self.inner
            .webhooks
            .as_ref()
            .map(Webhooks::stats)
            .unwrap_or_default()
    }

    /// Starts callback delivery if it is configured and not running yet (needs a tokio runtime).
    pub(crate) fn start_webhooks(&self) {
        if let Some(webhooks) = &self.inner.webhooks {
            webhooks.start(&self.inner, &self.inner.config.webhooks);
        }
    }

    /// The signed request of one delivery attempt of `event`, fresh for every attempt.
    fn callback_request(&self, webhooks: &Webhooks, event: &Event) -> Result<HttpRequest, String> {
        let config = &self.inner.config.webhooks;
        let (url, body) = match &event.kind {
            EventKind::RongCloudKvSync { app_key, body } => {
                let app = self
                    .inner
                    .rongcloud_apps
                    .get(app_key)
                    .ok_or_else(|| format!("unknown app key {app_key}"))?;
                let base = config.rongcloud_url.as_deref().unwrap_or_default();
                let n = webhooks.nonces.fetch_add(1, Ordering::Relaxed);
                let nonce = mix(webhooks.nonce_base.wrapping_add(n)) % 1_000_000_000_000_000_000;
                let nonce = nonce.to_string();
                let timestamp = self.now_ms().to_string();
                let secret = AppSecret::new(app.secret.expose());
                let sig = signature(&secret, &nonce, &timestamp);
                let url = with_query(
                    base,
                    &[
                        ("nonce", &nonce),
                        ("timestamp", &timestamp),
                        ("signature", &sig),
                    ],
                );
                (url, serde_json::to_vec(body))
            }
            EventKind::TencentCallback { sdkappid, body } => {
                let base = config.tencent_url.as_deref().unwrap_or_default();
                let json = serde_json::to_value(body).map_err(|e| e.to_string())?;
                let command = json["CallbackCommand"].as_str().unwrap_or_default();
                let sdkappid = sdkappid.to_string();
                let mut params = vec![
                    ("SdkAppid", sdkappid),
                    ("CallbackCommand", command.to_owned()),
                    ("contenttype", "json".to_owned()),
                    ("ClientIP", "127.0.0.1".to_owned()),
                    ("OptPlatform", "RESTAPI".to_owned()),
                ];
                if let Some(token) = &config.tencent_token {
                    let request_time = (self.now_ms() / 1000).to_string();
                    let sign = callback_sign(&CallbackToken::new(token.expose()), &request_time);
                    params.push(("RequestTime", request_time));
                    params.push(("Sign", sign));
                }
                let pairs: Vec<(&str, &str)> =
                    params.iter().map(|(k, v)| (*k, v.as_str())).collect();
                (with_query(base, &pairs), serde_json::to_vec(&json))
            }
            _ => return Err("not a callback event".to_owned()),
        };
        let body = body.map_err(|e| e.to_string())?;
        http::Request::post(url)
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(body)
            .map_err(|e| format!("invalid callback URL: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::with_query;

    #[test]
    fn query_is_appended() {
        assert_eq!(
            with_query("http://h/p", &[("a", "1 2")]),
            "http://h/p?a=1+2"
        );
        assert_eq!(
            with_query("http://h/p?x=y", &[("a", "b")]),
            "http://h/p?x=y&a=b"
        );
    }
}
