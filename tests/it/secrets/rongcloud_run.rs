//! A full RongCloud run: both dialects, success, vendor and authentication errors, validation,
//! retries under faults, failover, transport failures and strict-mode refusals. Every client
//! and builder is rendered, and every error goes into the corpus.

use roomkv_rongcloud::RongCloudSettings;
use std::time::{Duration, SystemTime};

use roomkv_emulator::faults::FaultEffect;
use roomkv_rongcloud::{
    AppKey, AppSecret, Client, ClientBuilder, ConversationType, Dialect, HeaderStyle, RetryPolicy,
    RongCloudCode, RoomAttributes, SharedHttpClient,
};
use roomkv_transport::test_util::{FixedRandom, ManualClock};

use super::corpus::Corpus;
use super::recorder::Sent;
use super::{EXCHANGE_TIMEOUT, RC_KEY, RC_SECRET, RC_WRONG_SECRET, Run};
use crate::support::{
    ekey, evalue, fast_retries, key, msg, refusing_port, room, target, url_of, user, value,
};

/// A builder of the run's app sending through the recorder.
pub(crate) fn builder(sent: &Sent, secret: &str, timeout: Duration) -> ClientBuilder {
    Client::builder()
        .app_key(AppKey::new(RC_KEY))
        .app_secret(AppSecret::new(secret))
        .http_client(SharedHttpClient::new(sent.client(timeout)))
        .retry_policy(fast_retries())
}

/// Builds the client, rendering the builder before and the client after.
pub(crate) fn build(corpus: &mut Corpus, label: &str, builder: ClientBuilder) -> Client {
    corpus.debug(&format!("rongcloud {label} ClientBuilder"), &builder);
    let client = builder.build().expect("the client builds");
    corpus.debug(&format!("rongcloud {label} Client"), &client);
    client
}

pub(crate) async fn run(run: &mut Run) {
    let url = run.main.url();
    for dialect in [Dialect::Legacy, Dialect::V4] {
        let label = format!("{dialect:?}");
        let client = build(
            &mut run.corpus,
            &label,
            builder(&run.sent, RC_SECRET, EXCHANGE_TIMEOUT)
                .dialect(dialect)
                .base_url(&url),
        );
        operations(run, &label, &client).await;
        faults(run, &label, &client).await;
        bulk(run, &label, &client, dialect).await;
        run.corpus
            .debug(&format!("rongcloud {label} Client after"), &client);
    }
    authentication(run).await;
    hosts(run).await;
    strict(run).await;
    build_errors(run);
}

/// Every operation, then the vendor errors and a refusal by validation.
async fn operations(run: &mut Run, label: &str, client: &Client) {
    let (r, u) = (room("scan-room"), user("alice"));
    client
        .set_entry(&r, &u, key("stage"), value("quiz"))
        .await
        .expect("set");
    client
        .batch_set_entries(&r, &u, [(key("a"), value("1")), (key("b"), value("2"))])
        .await
        .expect("batch set");
    let entries = client.query_all_entries(&r).await.expect("query");
    run.corpus
        .debug(&format!("rongcloud {label} entries"), &entries);
    client
        .remove_entry(&r, &u, key("stage"))
        .await
        .expect("remove");
    client
        .batch_remove_entries(&r, &u, [key("a"), key("b")])
        .await
        .expect("batch remove");
    let (m, t) = (msg("SCAN-MSG-1"), target("group-1"));
    client
        .set_expansion(
            &m,
            &u,
            ConversationType::Group,
            &t,
            [(ekey("likes"), evalue("3"))],
        )
        .await
        .expect("expansion set");
    let page = client.query_expansion(&m).await.expect("expansion query");
    run.corpus
        .debug(&format!("rongcloud {label} expansions"), &page);
    client
        .delete_expansion(&m, &u, ConversationType::Group, &t, [ekey("likes")])
        .await
        .expect("expansion delete");

    let err = run.failed(
        &format!("rongcloud {label} remove of a missing key"),
        client.remove_entry(&r, &u, key("stage")).await,
    );
    assert_eq!(err.api_code(), Some(RongCloudCode::DataNotFound), "{err}");
    let err = run.failed(
        &format!("rongcloud {label} empty batch"),
        client.batch_set_entries(&r, &u, []).await,
    );
    assert!(err.validation_error().is_some(), "{err}");
}

/// Retries that succeed, retries that give up, and a forced vendor code.
async fn faults(run: &mut Run, label: &str, client: &Client) {
    let v4 = label == "V4";
    let (query, set) = if v4 {
        (
            "/v4/open-channel/metadata/batch/get",
            "/v4/open-channel/metadata/batch/set",
        )
    } else {
        ("/chatroom/entry/query.json", "/chatroom/entry/set.json")
    };
    let r = room("scan-faults");
    run.main
        .fault(query, FaultEffect::Status { status: 502 }, 1);
    run.main.fault(query, FaultEffect::CloseBeforeProcessing, 1);
    client.query_all_entries(&r).await.expect("retried");
    run.main.fault(
        set,
        FaultEffect::VendorError {
            code: 1008,
            message: None,
            http_status: None,
        },
        1,
    );
    client
        .set_entry(&r, &user("bob"), key("k"), value("v"))
        .await
        .expect("throttled, then retried");
    // A write whose reply is lost is not repeated: its outcome is unknown.
    run.main.fault(set, FaultEffect::CloseAfterProcessing, 1);
    let err = run.failed(
        &format!("rongcloud {label} reply lost"),
        client
            .set_entry(&r, &user("bob"), key("k"), value("w"))
            .await,
    );
    assert!(err.is_outcome_unknown(), "{err}");
    // Every attempt answered 503: the retries give up.
    run.main
        .fault(query, FaultEffect::Status { status: 503 }, 3);
    let err = run.failed(
        &format!("rongcloud {label} 503 three times"),
        client.query_all_entries(&r).await,
    );
    assert_eq!(err.attempts(), 3, "{err}");
    assert!(
        run.main.faults_used_up(),
        "{:?}",
        run.main.emulator.faults()
    );
}

/// A bulk write whose one request loses its reply (a report with the failed chunk), a bulk
/// write refused by validation, and the vendor-neutral `RoomAttributes` view failing.
async fn bulk(run: &mut Run, label: &str, client: &Client, dialect: Dialect) {
    let batch_set = match dialect {
        Dialect::V4 => "/v4/open-channel/metadata/batch/set",
        _ => "/chatroom/entry/batch/set.json",
    };
    let (r, u) = (room("scan-bulk"), user("carol"));
    run.main
        .fault(batch_set, FaultEffect::CloseAfterProcessing, 1);
    let report = client
        .set_entries(&r, &u, [(key("x"), value("1")), (key("y"), value("2"))])
        .await
        .expect("a report");
    run.corpus
        .shown(&format!("rongcloud {label} bulk report"), &report);
    let failed = report.error().expect("the chunk failed");
    run.corpus
        .error(&format!("rongcloud {label} bulk chunk error"), failed);
    run.errors += 1;
    let err = run.failed(
        &format!("rongcloud {label} bulk with a key twice"),
        client
            .set_entries(&r, &u, [(key("x"), value("1")), (key("x"), value("2"))])
            .await,
    );
    assert!(err.validation_error().is_some(), "{err}");

    let view = client.room_attributes(u);
    run.corpus
        .debug(&format!("rongcloud {label} RoomAttributesView"), &view);
    run.main
        .fault(batch_set, FaultEffect::Status { status: 502 }, 1);
    let report = view
        .set_many("scan-bulk", vec![("z".into(), "3".into())])
        .await
        .expect("a report");
    run.corpus
        .shown(&format!("rongcloud {label} attribute report"), &report);
    run.failed(
        &format!("rongcloud {label} attributes, invalid room"),
        view.get_all("").await,
    );
    assert!(
        run.main.faults_used_up(),
        "{:?}",
        run.main.emulator.faults()
    );
}

/// A wrong App Secret (1004) and a wrong App Key.
async fn authentication(run: &mut Run) {
    let url = run.main.url();
    let wrong = build(
        &mut run.corpus,
        "wrong secret",
        builder(&run.sent, RC_WRONG_SECRET, EXCHANGE_TIMEOUT).base_url(&url),
    );
    let err = run.failed(
        "rongcloud wrong secret",
        wrong.query_all_entries(&room("r")).await,
    );
    assert_eq!(err.api_code(), Some(RongCloudCode::SignatureError), "{err}");
    let rc_prefixed = build(
        &mut run.corpus,
        "wrong secret, RC- headers",
        builder(&run.sent, RC_WRONG_SECRET, EXCHANGE_TIMEOUT)
            .header_style(HeaderStyle::RcPrefixed)
            .dialect(Dialect::V4)
            .base_url(&url),
    );
    let err = run.failed(
        "rongcloud v4 wrong secret",
        rc_prefixed.query_all_entries(&room("r")).await,
    );
    assert_eq!(err.api_code(), Some(RongCloudCode::SignatureError), "{err}");
    let unknown_app = build(
        &mut run.corpus,
        "unknown app",
        builder(&run.sent, RC_SECRET, EXCHANGE_TIMEOUT)
            .app_key(AppKey::new("not-the-app-key"))
            .base_url(&url),
    );
    run.failed(
        "rongcloud unknown app key",
        unknown_app.query_all_entries(&room("r")).await,
    );
}

/// Failover from a refusing primary, a region that refuses entirely, and a time limit.
async fn hosts(run: &mut Run) {
    let (_primary_socket, primary) = refusing_port();
    let (_other_socket, other) = refusing_port();
    let url = run.main.url();
    let failover = build(
        &mut run.corpus,
        "failover",
        builder(&run.sent, RC_SECRET, EXCHANGE_TIMEOUT).hosts([url_of(primary), url.clone()]),
    );
    failover
        .set_entry(&room("fo"), &user("u"), key("k"), value("v"))
        .await
        .expect("applied on the backup");
    run.corpus
        .debug("rongcloud failover Client after", &failover);
    let down = build(
        &mut run.corpus,
        "all hosts down",
        builder(&run.sent, RC_SECRET, EXCHANGE_TIMEOUT).hosts([url_of(primary), url_of(other)]),
    );
    let err = run.failed(
        "rongcloud all hosts refuse",
        down.query_all_entries(&room("r")).await,
    );
    assert!(err.transport_error().is_some(), "{err}");

    run.main.fault(
        "/chatroom/entry/query.json",
        FaultEffect::Delay { ms: 2_000 },
        1,
    );
    let slow = build(
        &mut run.corpus,
        "short time limit",
        builder(&run.sent, RC_SECRET, Duration::from_millis(200))
            .retry_policy(RetryPolicy::no_retry())
            .base_url(&url),
    );
    let err = run.failed(
        "rongcloud timeout",
        slow.query_all_entries(&room("r")).await,
    );
    assert!(err.transport_error().is_some(), "{err}");
}

/// Strict mode: a timestamp an hour old, and a nonce sent twice.
async fn strict(run: &mut Run) {
    let url = run.strict.url();
    let stale = ManualClock::new(SystemTime::now() - Duration::from_secs(3_600));
    let late = build(
        &mut run.corpus,
        "stale clock",
        builder(&run.sent, RC_SECRET, EXCHANGE_TIMEOUT)
            .clock(stale)
            .base_url(&url),
    );
    let err = run.failed(
        "rongcloud strict stale timestamp",
        late.query_all_entries(&room("r")).await,
    );
    assert_eq!(err.api_code(), Some(RongCloudCode::SignatureError), "{err}");
    let replaying = build(
        &mut run.corpus,
        "fixed nonce",
        builder(&run.sent, RC_SECRET, EXCHANGE_TIMEOUT)
            .random_source(FixedRandom(4242))
            .base_url(&url),
    );
    replaying
        .query_all_entries(&room("r"))
        .await
        .expect("the first use of the nonce");
    let err = run.failed(
        "rongcloud strict replayed nonce",
        replaying.query_all_entries(&room("r")).await,
    );
    assert_eq!(err.api_code(), Some(RongCloudCode::SignatureError), "{err}");
}

/// Builders that cannot build: no secret, an empty one, plain HTTP to a remote host.
fn build_errors(run: &mut Run) {
    let no_secret = Client::builder().app_key(AppKey::new(RC_KEY));
    run.corpus
        .debug("rongcloud builder without secret", &no_secret);
    run.failed("rongcloud build without secret", no_secret.build());
    run.failed(
        "rongcloud build with an empty secret",
        Client::builder()
            .app_key(AppKey::new(RC_KEY))
            .app_secret(AppSecret::new(""))
            .build(),
    );
    let remote = Client::builder()
        .app_key(AppKey::new(RC_KEY))
        .app_secret(AppSecret::new(RC_SECRET))
        .base_url("http://example.invalid");
    run.corpus
        .debug("rongcloud builder to a remote host", &remote);
    run.failed(
        "rongcloud build with plain HTTP to a remote host",
        remote.build(),
    );
}
