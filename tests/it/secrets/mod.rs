//! The secret scan of issue 11: no secret (RongCloud app secret, Tencent secret key, UserSig,
//! the password in a Redis URL) appears in any `Debug`, `Display`, error (with its whole
//! `source()` chain) or log line, at the most verbose level, across full runs of both clients
//! against the in-process emulator.
//!
//! How:
//! - The run uses distinctive secrets with characters that URL encodings change, so an encoded
//!   leak is not missed. Every UserSig and RongCloud signature the clients really send is
//!   recorded by an `HttpClient` wrapper ([`recorder`]), renewals included; each secret is looked
//!   for raw, percent- and form-encoded, and (the configured secrets) base64-encoded
//!   ([`corpus::Secrets`]).
//! - `tracing` output at TRACE (every event, every span with its fields, span open and close) is
//!   captured into memory for the whole run with a subscriber scoped to the test's thread, which
//!   runs a current-thread runtime: so it holds the clients' logs *and* the emulator's.
//! - The runs ([`rongcloud_run`], [`tencent_run`], [`limiter_run`], [`webhook_run`]) cover success, vendor errors, authentication
//!   failures (RongCloud 1004, Tencent 70001 and 70009), validation, retries under injected
//!   faults, failover between two hosts, transport failures, UserSig renewal after a rejection
//!   and strict-mode refusals; and the Redis-shared rate limiter, whose URL carries a password,
//!   with the right and the wrong password and without Redis. The main emulator delivers every
//!   callback the runs cause (signed RongCloud webhooks; Tencent callbacks signed with a token)
//!   to a receiver that verifies them with `roomkv-webhook`, one delivery retried; and the
//!   verifiers refuse forged callbacks. Every error they meet goes into the corpus, and so do `Debug` and
//!   `Display` of every public type that holds or derives from a secret ([`holders`]).
//! - The corpus must not contain any secret; a leak is reported with its place and the text
//!   around it. The corpus must also contain what the runs are known to produce (paths, codes,
//!   span fields, redaction markers), so the scan cannot pass on an empty or partial corpus.
//!
//! `ROOMKV_SECRET_SCAN_DUMP=FILE` writes the corpus to `FILE`, to read what was scanned.
//!
//! Adding a secret-holding type is one line in [`holders`]; adding a secret is one line in
//! [`secrets`].

mod corpus;
mod holders;
mod limiter_run;
mod recorder;
mod rongcloud_run;
mod tencent_run;
mod webhook_run;

use std::error::Error as StdError;
use std::fmt::Debug;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use roomkv_emulator::EmulatorConfig;
use roomkv_emulator::config::{RongCloudApp, Secret, TencentApp};
use tracing_subscriber::fmt::format::FmtSpan;

use self::corpus::{Corpus, LogBuffer, Secrets};
use self::recorder::Sent;
use crate::support::Served;
use crate::webhooks::{Receiver, receiver_for};

/// The RongCloud app of the run. `/`, `+`, `&`, `=` and the space change under every URL
/// encoding.
pub(crate) const RC_KEY: &str = "scan-app-key";
pub(crate) const RC_SECRET: &str = "Rc/Scan+S3cret&w=7 q";
/// A wrong App Secret a user might configure: a secret all the same.
pub(crate) const RC_WRONG_SECRET: &str = "Rc/Wr0ng+S3cret&x=9 z";
/// The Tencent app of the run.
pub(crate) const SDKAPPID: u64 = 1_400_000_777;
pub(crate) const TC_SECRET: &str = "Tc/Scan+S3cret&k=8 y";
pub(crate) const TC_WRONG_SECRET: &str = "Tc/Wr0ng+S3cret&j=6 v";
pub(crate) const ADMIN: &str = "administrator";
/// The password of the run's Redis (the shared rate limiter), in its URL
/// `redis://:PASSWORD@HOST:PORT`. Only unreserved URL characters, so the URL needs no escaping
/// (the scan still looks for every encoding).
pub(crate) const REDIS_PASSWORD: &str = "Rds-Scan_S3cret.8~w";
pub(crate) const REDIS_WRONG_PASSWORD: &str = "Rds-Wr0ng_S3cret.6~v";
/// The token that signs the main emulator's Tencent callbacks.
pub(crate) const TC_CALLBACK_TOKEN: &str = "Tc/Callback+T0ken&t=3 u";

/// The time limit of an exchange, except in the one timeout scenario.
pub(crate) const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(10);

/// Every secret of the run: the configured ones, and the credentials derived from them that
/// were sent or made.
fn secrets(sent: &recorder::SentLog, made: &[String]) -> Secrets {
    let mut secrets = Secrets::default();
    secrets.raw("RongCloud app secret", RC_SECRET);
    secrets.raw("wrong RongCloud app secret", RC_WRONG_SECRET);
    secrets.raw("Tencent secret key", TC_SECRET);
    secrets.raw("wrong Tencent secret key", TC_WRONG_SECRET);
    secrets.raw("Redis password", REDIS_PASSWORD);
    secrets.raw("wrong Redis password", REDIS_WRONG_PASSWORD);
    secrets.raw("Tencent callback token", TC_CALLBACK_TOKEN);
    for usersig in sent.usersigs.iter().chain(made) {
        secrets.derived("UserSig", usersig);
    }
    for signature in &sent.signatures {
        secrets.derived("RongCloud signature", signature);
    }
    secrets
}

/// The emulator configuration of the run: the run's apps instead of the demo ones.
fn configure(config: &mut EmulatorConfig) {
    config.rongcloud_apps = vec![RongCloudApp::new(RC_KEY, RC_SECRET)];
    config.tencent_apps = vec![TencentApp::new(SDKAPPID, TC_SECRET, ADMIN)];
}

/// The run's apps, with every callback delivered to `receiver` (signed RongCloud webhooks,
/// Tencent callbacks signed with the token), retried after a few milliseconds.
fn configure_webhooks(config: &mut EmulatorConfig, receiver: SocketAddr) {
    configure(config);
    let webhooks = &mut config.webhooks;
    webhooks.rongcloud_url = Some(format!("http://{receiver}/rc"));
    webhooks.tencent_url = Some(format!("http://{receiver}/tc"));
    webhooks.tencent_token = Some(Secret::new(TC_CALLBACK_TOKEN));
    for policy in [&mut webhooks.rongcloud_policy, &mut webhooks.tencent_policy] {
        policy.retry_delay = Duration::from_millis(5);
    }
}

/// What the runs share: the corpus being built, the recorder's log, the emulators (a main one
/// that delivers its callbacks, a strict one) and the callback receiver.
pub(crate) struct Run {
    pub(crate) corpus: Corpus,
    pub(crate) sent: Sent,
    pub(crate) main: Served,
    pub(crate) strict: Served,
    pub(crate) receiver: Arc<Receiver>,
    /// UserSigs made directly with roomkv-sign (not sent).
    pub(crate) made: Vec<String>,
    /// How many errors went into the corpus.
    pub(crate) errors: usize,
}

impl Run {
    async fn start() -> Self {
        // The first RongCloud webhook is answered 500, so a delivery is retried.
        let (receiver, addr) = receiver_for(RC_SECRET, TC_CALLBACK_TOKEN, SDKAPPID, 1).await;
        let main = Served::with(|c| configure_webhooks(c, addr)).await;
        let strict = Served::with(|c| {
            configure(c);
            c.strict = true;
        })
        .await;
        Self {
            corpus: Corpus::default(),
            sent: Sent::default(),
            main,
            strict,
            receiver,
            made: Vec::new(),
            errors: 0,
        }
    }

    /// The error of a request that must fail; it goes into the corpus with its sources.
    pub(crate) fn failed<T: Debug, E: StdError + 'static>(
        &mut self,
        label: &str,
        result: Result<T, E>,
    ) -> E {
        let err = match result {
            Ok(value) => panic!("{label}: expected an error, got {value:?}"),
            Err(err) => err,
        };
        self.corpus.error(label, &err);
        self.errors += 1;
        err
    }
}

#[test]
fn no_secret_in_any_debug_display_error_or_trace_log() {
    let logs = LogBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::FULL)
        .with_target(true)
        .with_file(true)
        .with_line_number(true)
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    // This thread's own subscriber, which sees every callsite also when other tests (threads of
    // this process under `cargo test`) reach it first.
    let guard = roomkv_transport::test_util::trace_this_thread(subscriber);
    let mut run = runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(60), async {
            let mut run = Run::start().await;
            holders::values(&mut run);
            rongcloud_run::run(&mut run).await;
            tencent_run::run(&mut run).await;
            limiter_run::run(&mut run).await;
            webhook_run::run(&mut run).await;
            holders::emulators(&mut run);
            run
        })
        .await
        .expect("the runs finish within a minute")
    });
    drop(runtime);
    drop(guard);
    let logs = logs.contents();
    run.corpus.logs(&logs);
    let sent = run.sent.take();
    let secrets = secrets(&sent, &run.made);

    // `ROOMKV_SECRET_SCAN_DUMP=FILE` writes the corpus out, to read what was scanned.
    if let Some(path) = std::env::var_os("ROOMKV_SECRET_SCAN_DUMP") {
        std::fs::write(path, run.corpus.text()).expect("the dump file is writable");
    }

    // The corpus is what the runs produce: not empty, not partial.
    assert!(
        sent.usersigs.len() >= 20,
        "{} UserSigs sent",
        sent.usersigs.len()
    );
    assert!(
        sent.signatures.len() >= 20,
        "{} signatures",
        sent.signatures.len()
    );
    let distinct_usersigs = sent
        .usersigs
        .iter()
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    assert!(
        distinct_usersigs >= 4,
        "renewals and other clients make new UserSigs: {distinct_usersigs}"
    );
    assert!(run.errors >= 25, "only {} errors scanned", run.errors);
    assert!(secrets.len() >= 40, "only {} needles", secrets.len());
    let text = run.corpus.text();
    for expected in [
        // Redaction markers: the holders were rendered.
        "AppSecret(***)",
        "SecretKey(***)",
        "UserSig(***)",
        "Secret(***)",
        "Sensitive",
        // Span names and fields of both clients, at every level.
        "rongcloud_request",
        "tencent_request",
        "path=\"/chatroom/entry/set.json\"",
        "path=\"/v4/open-channel/metadata/batch/set\"",
        "command=\"set_room_metadata\"",
        "request_id=",
        "host=http://127.0.0.1:",
        "TRACE",
        "answered: success",
        "close",
        // The emulator's own log lines (same thread, same subscriber).
        "roomkv emulator listening",
        "connection ended with an error",
        // Retries, failover, renewal.
        "retrying",
        "giving up",
        "generated the admin UserSig",
        "renewing it",
        // Vendor codes and error texts.
        "1004",
        "1015",
        "100003",
        "70001",
        "70009",
        "could not connect to the server",
        "no response from the server",
        "App Secret is missing",
        // The Redis-backed limiter: its outage warning and its refusal.
        "Redis quota store unavailable",
        "the shared quota store is unavailable",
        "invalid Redis URL",
        // Callbacks: delivered, retried, verified; and refused by the verifiers.
        "webhook delivery",
        "WebhookDelivery",
        "AfterSetMetadata",
        "CallbackToken(***)",
        "signature does not match",
    ] {
        assert!(
            text.contains(expected),
            "the corpus lacks {expected:?}; the runs did not produce what they should"
        );
    }
    assert!(
        logs.lines().count() > 300,
        "{} log lines",
        logs.lines().count()
    );

    let leaks = run.corpus.leaks(&secrets);
    assert!(
        leaks.is_empty(),
        "{} secret occurrences in {} rendered sections:\n{}",
        leaks.len(),
        run.corpus.sections(),
        leaks.join("\n")
    );
}
