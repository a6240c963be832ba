//! A full Tencent run: success, vendor and UserSig errors (70001, 70009), validation, UserSig
//! renewal after a rejection, retries under faults, failover, transport failures and the strict
//! emulator. Every client and builder is rendered, and every error goes into the corpus.

use roomkv_tencent::TencentSettings;
use std::time::{Duration, SystemTime};

use roomkv_emulator::faults::FaultEffect;
use roomkv_tencent::{
    Client, ClientBuilder, CreateRoom, Identifier, RetryPolicy, RoomAttributes, SecretKey,
    SharedHttpClient, TencentCode,
};
use roomkv_transport::test_util::ManualClock;

use super::corpus::Corpus;
use super::recorder::Sent;
use super::{ADMIN, EXCHANGE_TIMEOUT, Run, SDKAPPID, TC_SECRET, TC_WRONG_SECRET};
use crate::support::{fast_retries, live, mkey, mvalue, refusing_port, url_of};

const INFO: &str = "/v4/live_engine_http_srv/get_room_info";
const SET: &str = "/v4/live_engine_http_srv/set_room_metadata";

/// A builder of the run's app sending through the recorder.
fn builder(sent: &Sent, secret: &str, timeout: Duration) -> ClientBuilder {
    Client::builder()
        .sdkappid(SDKAPPID)
        .secret_key(SecretKey::new(secret))
        .admin(Identifier::parse(ADMIN).expect("a valid identifier"))
        .http_client(SharedHttpClient::new(sent.client(timeout)))
        .retry_policy(fast_retries())
}

/// Builds the client, rendering the builder before and the client after.
fn build(corpus: &mut Corpus, label: &str, builder: ClientBuilder) -> Client {
    corpus.debug(&format!("tencent {label} ClientBuilder"), &builder);
    let client = builder.build().expect("the client builds");
    corpus.debug(&format!("tencent {label} Client"), &client);
    client
}

pub(crate) async fn run(run: &mut Run) {
    let url = run.main.url();
    let client = build(
        &mut run.corpus,
        "main",
        builder(&run.sent, TC_SECRET, EXCHANGE_TIMEOUT).base_url(&url),
    );
    operations(run, &client).await;
    faults(run, &client).await;
    bulk(run, &client).await;
    run.corpus.debug("tencent main Client after", &client);
    usersigs(run).await;
    hosts(run).await;
    build_errors(run);
}

/// Every operation, then the vendor errors and a refusal by validation.
async fn operations(run: &mut Run, client: &Client) {
    let r = live("scan-live");
    client
        .create_room(CreateRoom::new(r.clone()).room_name("scan"))
        .await
        .expect("create");
    client
        .set_room_metadata(
            &r,
            [(mkey("stage"), mvalue("quiz")), (mkey("n"), mvalue("1"))],
        )
        .await
        .expect("set");
    let some = client
        .get_room_metadata(&r, [mkey("stage")])
        .await
        .expect("get");
    run.corpus.debug("tencent metadata", &some);
    let info = client.get_room_info(&r).await.expect("info");
    run.corpus.debug("tencent room info", &info);
    client
        .del_room_metadata(&r, [mkey("stage")])
        .await
        .expect("delete");

    let err = run.failed(
        "tencent create twice",
        client.create_room(CreateRoom::new(r.clone())).await,
    );
    assert_eq!(err.api_code(), Some(TencentCode::RoomIdExists), "{err}");
    let err = run.failed(
        "tencent delete missing keys",
        client.del_room_metadata(&r, [mkey("none")]).await,
    );
    assert!(err.api_code().is_some(), "{err}");
    let err = run.failed("tencent empty set", client.set_room_metadata(&r, []).await);
    assert!(err.validation_error().is_some(), "{err}");
    client.destroy_room(&r).await.expect("destroy");
    let err = run.failed("tencent destroy missing", client.destroy_room(&r).await);
    assert_eq!(err.api_code(), Some(TencentCode::RoomNotFound), "{err}");
}

/// Retries that succeed, a lost reply, retries that give up, and a renewal.
async fn faults(run: &mut Run, client: &Client) {
    let r = live("scan-faults");
    client
        .create_room(CreateRoom::new(r.clone()))
        .await
        .expect("create");
    run.main.fault(INFO, FaultEffect::Status { status: 502 }, 1);
    run.main.fault(INFO, FaultEffect::CloseBeforeProcessing, 1);
    client.get_room_info(&r).await.expect("retried");
    run.main.fault(SET, FaultEffect::CloseAfterProcessing, 1);
    let err = run.failed(
        "tencent reply lost",
        client
            .set_room_metadata(&r, [(mkey("k"), mvalue("v"))])
            .await,
    );
    assert!(err.is_outcome_unknown(), "{err}");
    run.main.fault(INFO, FaultEffect::Status { status: 503 }, 3);
    let err = run.failed("tencent 503 three times", client.get_room_info(&r).await);
    assert_eq!(err.attempts(), 3, "{err}");
    // Tencent says the UserSig expired: the client renews it and the retry succeeds.
    let before = run.sent.usersigs();
    run.main.fault(
        INFO,
        FaultEffect::VendorError {
            code: 70001,
            message: None,
            http_status: None,
        },
        1,
    );
    client
        .get_room_info(&r)
        .await
        .expect("renewed, then answered");
    // Two attempts; the renewed UserSig is made in the same second from the same inputs, so
    // it may be the same string (generation is deterministic): the log shows the renewal.
    assert_eq!(run.sent.usersigs().len(), before.len() + 2);
    assert!(
        run.main.faults_used_up(),
        "{:?}",
        run.main.emulator.faults()
    );
}

/// A bulk write Tencent refuses (a report with the failed chunk), a bulk write refused by
/// validation, and the vendor-neutral `RoomAttributes` failing.
async fn bulk(run: &mut Run, client: &Client) {
    let r = live("scan-bulk");
    client
        .create_room(CreateRoom::new(r.clone()))
        .await
        .expect("create");
    run.main.fault(
        SET,
        FaultEffect::VendorError {
            code: 100_004,
            message: None,
            http_status: None,
        },
        1,
    );
    let report = client
        .set_room_metadata_bulk(&r, [(mkey("x"), mvalue("1"))])
        .await
        .expect("a report");
    run.corpus.shown("tencent bulk report", &report);
    let failed = report.error().expect("the chunk failed");
    run.corpus.error("tencent bulk chunk error", failed);
    run.errors += 1;
    let err = run.failed(
        "tencent bulk with a key twice",
        client
            .set_room_metadata_bulk(&r, [(mkey("x"), mvalue("1")), (mkey("x"), mvalue("2"))])
            .await,
    );
    assert!(err.validation_error().is_some(), "{err}");
    run.failed(
        "tencent attributes, missing room",
        RoomAttributes::get_all(client, "scan-no-such-room").await,
    );
    run.failed(
        "tencent attributes, invalid key",
        RoomAttributes::set_many(client, "scan-bulk", vec![(String::new(), "v".into())]).await,
    );
}

/// UserSigs Tencent refuses: expired (70001, on the lenient and the strict emulator) and made
/// with another key (70009).
async fn usersigs(run: &mut Run) {
    for (label, url) in [("lenient", run.main.url()), ("strict", run.strict.url())] {
        let behind = ManualClock::new(SystemTime::now() - Duration::from_secs(2 * 86_400));
        let expired = build(
            &mut run.corpus,
            &format!("{label} expired"),
            builder(&run.sent, TC_SECRET, EXCHANGE_TIMEOUT)
                .clock(behind)
                .base_url(&url),
        );
        let err = run.failed(
            &format!("tencent {label} expired UserSig"),
            expired.get_room_info(&live("r")).await,
        );
        assert_eq!(err.api_code(), Some(TencentCode::UserSigExpired), "{err}");
        assert_eq!(err.attempts(), 2, "renewed once: {err}");
    }
    let url = run.main.url();
    let wrong = build(
        &mut run.corpus,
        "wrong key",
        builder(&run.sent, TC_WRONG_SECRET, EXCHANGE_TIMEOUT).base_url(&url),
    );
    let err = run.failed(
        "tencent wrong key",
        wrong.create_room(CreateRoom::new(live("r"))).await,
    );
    assert_eq!(
        err.api_code(),
        Some(TencentCode::UserSigKeyMismatch),
        "{err}"
    );
    let not_admin = build(
        &mut run.corpus,
        "not the admin",
        builder(&run.sent, TC_SECRET, EXCHANGE_TIMEOUT)
            .admin(Identifier::parse("alice").expect("valid"))
            .base_url(&url),
    );
    run.failed(
        "tencent not the admin",
        not_admin.create_room(CreateRoom::new(live("r"))).await,
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
        builder(&run.sent, TC_SECRET, EXCHANGE_TIMEOUT).hosts([url_of(primary), url.clone()]),
    );
    failover
        .create_room(CreateRoom::new(live("fo")))
        .await
        .expect("created on the backup");
    run.corpus.debug("tencent failover Client after", &failover);
    let down = build(
        &mut run.corpus,
        "all hosts down",
        builder(&run.sent, TC_SECRET, EXCHANGE_TIMEOUT).hosts([url_of(primary), url_of(other)]),
    );
    let err = run.failed(
        "tencent all hosts refuse",
        down.get_room_info(&live("r")).await,
    );
    assert!(err.transport_error().is_some(), "{err}");

    run.main.fault(INFO, FaultEffect::Delay { ms: 2_000 }, 1);
    let slow = build(
        &mut run.corpus,
        "short time limit",
        builder(&run.sent, TC_SECRET, Duration::from_millis(200))
            .retry_policy(RetryPolicy::no_retry())
            .base_url(&url),
    );
    let err = run.failed("tencent timeout", slow.get_room_info(&live("fo")).await);
    assert!(err.transport_error().is_some(), "{err}");
}

/// Builders that cannot build: no secret key, a lifetime too short, plain HTTP to a remote host.
fn build_errors(run: &mut Run) {
    let no_key = Client::builder().sdkappid(SDKAPPID);
    run.corpus.debug("tencent builder without key", &no_key);
    run.failed("tencent build without key", no_key.build());
    let short = Client::builder()
        .sdkappid(SDKAPPID)
        .secret_key(SecretKey::new(TC_SECRET))
        .usersig_lifetime(Duration::from_secs(5));
    run.corpus
        .debug("tencent builder with a short lifetime", &short);
    run.failed("tencent build with a short lifetime", short.build());
    let remote = Client::builder()
        .sdkappid(SDKAPPID)
        .secret_key(SecretKey::new(TC_SECRET))
        .base_url("http://example.invalid");
    run.failed(
        "tencent build with plain HTTP to a remote host",
        remote.build(),
    );
}
