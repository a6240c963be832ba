//! Waiting for the client's quota is first come, first served (issue 19): a crowd of 300 single
//! sets started at once by one client against the 100 KV/s entry-set quota.
//!
//! With `max_rate_wait` 4 s every request makes it, in the order they arrived, and the emulator
//! refuses none; with 1 s exactly the requests whose place in line lies beyond 1 s fail, and
//! they fail at once (nothing sent). The client's limiter has a burst of 20 units
//! ([`DEFAULT_BURST`]), so request `i` of the crowd has its slot at `max(0, i − 19) × 10 ms`:
//! requests 0 to 119 fit within 1 s, and the 180 others do not.
//!
//! Two runs of each: one where the client and an in-memory emulator share tokio's paused clock,
//! so the slots, the order and "at once" are checked exactly (the emulator measures its quota on
//! the same clock), and one over real loopback sockets against the emulator's quota on real
//! time, which checks what real time cannot blur: every request made it (or only ones told a
//! wait beyond the maximum failed), none was sent before its slot, and the emulator refused
//! none.

use roomkv_rongcloud::RongCloudSettings;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use roomkv_emulator::config::RongCloudApp;
use roomkv_emulator::{Emulator, EmulatorConfig};
use roomkv_rongcloud::limiter::{DEFAULT_BURST, TokioClock};
use roomkv_rongcloud::{
    AppKey, AppSecret, ChatroomId, Client, QueryEntries, QuotaFamily, SharedHttpClient,
};
use roomkv_transport::{HttpClient, HttpRequest, HttpResponse, HyperClient, TransportError};

use crate::support::{
    APP_SECRET, EXCHANGE_TIMEOUT, Served, fast_retries, key, own_limiter, room, user, value,
};

/// The app of the paused-clock runs.
const PAUSED_APP: &str = "fair-waiting-paused";

/// How many requests start at once.
const CROWD: usize = 300;

/// The slot of request `i` of the crowd, from when it started (see the module docs).
fn slot(i: usize) -> Duration {
    assert_eq!(
        DEFAULT_BURST,
        Duration::from_millis(200),
        "20 units of 100/s"
    );
    Duration::from_millis(10) * u32::try_from(i.saturating_sub(19)).unwrap()
}

/// How request `i` ended, and how long after the crowd started: answered, or refused by the
/// client's limiter with the wait its place in line implied.
#[derive(Debug, PartialEq)]
enum Outcome {
    Done { after: Duration },
    Refused { wait: Duration, after: Duration },
}

/// The emulator's configuration with `app`, the only app.
fn config_with(app: &str) -> EmulatorConfig {
    let mut config = EmulatorConfig::default();
    config.rongcloud_apps = vec![RongCloudApp::new(app, APP_SECRET)];
    config
}

/// A client of `app` with a limiter of its own ([`own_limiter`]), waiting
/// at most `max_wait`; its HTTP client (with its own time limit) is given by the caller.
fn client(app: &str, max_wait: Duration) -> roomkv_rongcloud::ClientBuilder {
    Client::builder()
        .app_key(AppKey::new(app))
        .app_secret(AppSecret::new(APP_SECRET))
        .retry_policy(fast_retries())
        .rate_limit(own_limiter())
        .max_rate_wait(max_wait)
}

/// Starts the crowd on this current-thread runtime, request `i` setting key `k{i}` in room
/// `r{i / 100}` (a room holds 100 keys) (a new task
/// is first polled in the order it was spawned, and its slot is reserved on that first poll),
/// and answers how each ended.
async fn crowd(client: &Client) -> Vec<Outcome> {
    let start = tokio::time::Instant::now();
    let tasks: Vec<_> = (0..CROWD)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                let set = client
                    .set_entry(
                        &room(&format!("r{}", i / 100)),
                        &user("u"),
                        key(&format!("k{i}")),
                        value("v"),
                    )
                    .await;
                match set {
                    Ok(()) => Outcome::Done {
                        after: start.elapsed(),
                    },
                    Err(err) => {
                        let (family, refused) = err
                            .rate_limited()
                            .unwrap_or_else(|| panic!("request {i}: {err}"));
                        assert_eq!(family, QuotaFamily::RongCloudEntrySet);
                        Outcome::Refused {
                            wait: refused.wait().expect("refused for its wait"),
                            after: start.elapsed(),
                        }
                    }
                }
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    outcomes
}

/// An emulator on tokio's clock (paused in these tests), answering in memory, and a client of
/// it on the same clock.
fn in_memory(max_wait: Duration) -> (Emulator, Client) {
    let emulator = Emulator::builder(config_with(PAUSED_APP))
        .clock(TokioClock::new())
        .build();
    let client = client(PAUSED_APP, max_wait)
        .base_url("http://127.0.0.1:8787")
        .http_client(SharedHttpClient::new(emulator.http_client()))
        .build()
        .unwrap();
    (emulator, client)
}

#[tokio::test(start_paused = true)]
async fn a_crowd_that_fits_the_maximum_wait_is_served_in_arrival_order_on_a_paused_clock() {
    let (emulator, client) = in_memory(Duration::from_secs(4));
    let outcomes = crowd(&client).await;
    for (i, outcome) in outcomes.into_iter().enumerate() {
        // The emulator answers at once, so each is answered at its slot: in arrival order.
        assert_eq!(outcome, Outcome::Done { after: slot(i) }, "request {i}");
    }
    assert_eq!(emulator.quota_enforcer().refusals(), 0);
}

#[tokio::test(start_paused = true)]
async fn exactly_the_requests_beyond_the_maximum_wait_fail_and_at_once_on_a_paused_clock() {
    let (emulator, client) = in_memory(Duration::from_secs(1));
    let start = tokio::time::Instant::now();
    let outcomes = crowd(&client).await;
    for (i, outcome) in outcomes.into_iter().enumerate() {
        let expected = if i < 120 {
            Outcome::Done { after: slot(i) }
        } else {
            // At once; and refusals take no place in line, so each is told the first slot
            // beyond 1 s.
            Outcome::Refused {
                wait: slot(120),
                after: Duration::ZERO,
            }
        };
        assert_eq!(outcome, expected, "request {i}");
    }
    assert_eq!(start.elapsed(), slot(119));
    assert_eq!(emulator.quota_enforcer().refusals(), 0);
    let held: usize = (0..CROWD / 100)
        .map(|r| {
            let query = QueryEntries::new(ChatroomId::non_validated(format!("r{r}")));
            emulator
                .state()
                .entry_query(PAUSED_APP, &query)
                .unwrap()
                .len()
        })
        .sum();
    assert_eq!(held, 120, "nothing refused was sent");
}

/// The built-in client, recording for every entry set its request number (from key `k{i}`)
/// and when it was sent.
#[derive(Debug)]
struct Sends {
    inner: HyperClient,
    start: tokio::time::Instant,
    sent: Arc<Mutex<Vec<(usize, Duration)>>>,
}

impl HttpClient for Sends {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let number = form_urlencoded::parse(request.body())
            .find(|(name, _)| name == "key")
            .and_then(|(_, key)| key.strip_prefix('k')?.parse().ok())
            .expect("an entry set of the crowd names its key k{i}");
        self.sent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((number, self.start.elapsed()));
        self.inner.send(request).await
    }
}

/// The emulator on a loopback socket with its own quota on real time, a client of it whose
/// sends are recorded, and the record (sent before the crowd starts: a lower bound).
async fn over_sockets(
    app: &str,
    max_wait: Duration,
) -> (Served, Client, Arc<Mutex<Vec<(usize, Duration)>>>) {
    let served = Served::with(|config| *config = config_with(app)).await;
    let sent = Arc::new(Mutex::new(Vec::new()));
    let recorder = Sends {
        inner: HyperClient::builder()
            .timeout(EXCHANGE_TIMEOUT)
            .build()
            .unwrap(),
        start: tokio::time::Instant::now(),
        sent: sent.clone(),
    };
    let client = client(app, max_wait)
        .base_url(served.url())
        .http_client(SharedHttpClient::new(recorder))
        .build()
        .unwrap();
    (served, client, sent)
}

/// How many entries the crowd's rooms of `app` hold.
fn entries(served: &Served, app: &str) -> usize {
    (0..CROWD / 100)
        .map(|r| served.entries_of(app, &format!("r{r}")).len())
        .sum()
}

/// Asserts that every request in `sent` went out once and no earlier than its place in line
/// allows. (Over real time a tokio timer tick that comes late wakes several requests at once,
/// in no particular order, so the order of sending is checked on the paused clock above.)
fn each_sent_once_not_before_its_slot(sent: &[(usize, Duration)], count: usize) {
    let mut numbers: Vec<_> = sent.iter().map(|&(number, _)| number).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (0..count).collect::<Vec<_>>(), "each sent once");
    for &(number, at) in sent {
        assert!(at >= slot(number), "request {number} sent at {at:?}");
    }
}

#[tokio::test]
async fn a_crowd_that_fits_the_maximum_wait_is_served_over_sockets_and_never_throttled() {
    const APP: &str = "fair-waiting-sockets-4s";
    let (served, client, sent) = over_sockets(APP, Duration::from_secs(4)).await;
    let outcomes = crowd(&client).await;
    let done = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Done { .. }))
        .count();
    assert_eq!(done, CROWD, "{outcomes:?}");
    each_sent_once_not_before_its_slot(&sent.lock().unwrap(), CROWD);
    assert_eq!(served.emulator.quota_enforcer().refusals(), 0);
    assert_eq!(entries(&served, APP), CROWD);
}

#[tokio::test]
async fn only_requests_beyond_the_maximum_wait_fail_over_sockets() {
    const APP: &str = "fair-waiting-sockets-1s";
    let (served, client, sent) = over_sockets(APP, Duration::from_secs(1)).await;
    let outcomes = crowd(&client).await;
    // Real time passes while 300 tasks start, send and are answered on one thread, so a
    // request may arrive a while after the first: its place in line then implies a shorter
    // wait than on the paused clock. Requests 0 to 119 always make it; every refused one was
    // told a wait beyond 1 s and nothing of it was sent.
    let mut done = 0;
    for (i, outcome) in outcomes.iter().enumerate() {
        match outcome {
            Outcome::Done { .. } => done += 1,
            Outcome::Refused { wait, .. } => {
                assert!(i >= 120, "request {i} refused");
                assert!(*wait > Duration::from_secs(1), "request {i}: {wait:?}");
            }
        }
    }
    assert!(done >= 120, "{done} made it");
    let sent = sent.lock().unwrap().clone();
    assert_eq!(sent.len(), done, "nothing refused was sent");
    assert_eq!(served.emulator.quota_enforcer().refusals(), 0);
    assert_eq!(entries(&served, APP), done);
}
