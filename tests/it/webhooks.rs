//! The emulator delivers callbacks over real sockets to a hyper receiver on `127.0.0.1:0` that
//! verifies them with `roomkv-webhook`: the verified events are exactly the writes made through
//! the clients, a receiver failure is retried with a fresh signature, and nothing is rejected.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use http_body_util::{BodyExt as _, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use roomkv_emulator::config::{DeliveryPolicy, Secret};
use roomkv_emulator::events::{DeliveryOutcome, EventKind};
use roomkv_sign::tencent::CallbackToken;
use roomkv_tencent::CreateRoom;
use roomkv_webhook::{
    KvChange, KvSyncEvent, MetadataItem, RongCloudWebhookVerifier, TencentCallback,
    TencentCallbackVerifier,
};
use tokio::net::TcpListener;

use crate::support::{
    ADMIN, APP_SECRET, SDKAPPID, Served, key, live, mkey, mvalue, rc_client, room, tc_client, user,
    value,
};

const TOKEN: &str = "e2e-callback-token";

/// What the receiver saw.
#[derive(Default)]
struct Seen {
    kv: Vec<KvSyncEvent>,
    live: Vec<TencentCallback>,
    rejected: Vec<String>,
    /// RongCloud requests still to answer with 500 before verifying.
    fail_next: u32,
}

struct Receiver {
    rongcloud: RongCloudWebhookVerifier,
    tencent: TencentCallbackVerifier,
    seen: Mutex<Seen>,
}

async fn handle(
    receiver: Arc<Receiver>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let request = Request::from_parts(parts, body);
    let now = SystemTime::now();
    let mut seen = receiver.seen.lock().unwrap();
    let status = match request.uri().path() {
        "/rc" if seen.fail_next > 0 => {
            seen.fail_next -= 1;
            500
        }
        "/rc" => match receiver.rongcloud.verify(&request, now) {
            Ok(event) => {
                seen.kv.push(event);
                200
            }
            Err(e) => {
                seen.rejected.push(e.to_string());
                e.http_status()
            }
        },
        "/tc" => match receiver.tencent.verify(&request, now) {
            Ok(event) => {
                seen.live.push(event);
                200
            }
            Err(e) => {
                seen.rejected.push(e.to_string());
                e.http_status()
            }
        },
        _ => 404,
    };
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
    Ok(response)
}

async fn receiver(fail_next: u32) -> (Arc<Receiver>, SocketAddr) {
    let window = Duration::from_secs(60);
    let receiver = Arc::new(Receiver {
        rongcloud: RongCloudWebhookVerifier::new(
            roomkv_rongcloud::AppSecret::new(APP_SECRET),
            window,
        ),
        tencent: TencentCallbackVerifier::new(CallbackToken::new(TOKEN), window)
            .expect_sdkappid(SDKAPPID),
        seen: Mutex::new(Seen {
            fail_next,
            ..Seen::default()
        }),
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shared = Arc::clone(&receiver);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let receiver = Arc::clone(&shared);
            tokio::spawn(async move {
                let service = service_fn(move |req| handle(Arc::clone(&receiver), req));
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (receiver, addr)
}

fn kv(change: KvChange, version: u64) -> KvSyncEvent {
    KvSyncEvent {
        chatroom_id: "r1".into(),
        change,
        user_id: "u1".into(),
        timestamp_ms: 0,
        version,
    }
}

fn set(k: &str, v: &str) -> KvChange {
    KvChange::Set {
        key: k.into(),
        value: v.into(),
    }
}

fn del(k: &str, v: &str) -> KvChange {
    KvChange::Delete {
        key: k.into(),
        value: v.into(),
    }
}

#[tokio::test]
async fn delivered_callbacks_verify_and_equal_the_writes() {
    let (receiver, addr) = receiver(1).await;
    let served = Served::with(|config| {
        config.webhooks.rongcloud_url = Some(format!("http://{addr}/rc"));
        config.webhooks.tencent_url = Some(format!("http://{addr}/tc"));
        config.webhooks.tencent_token = Some(Secret::new(TOKEN));
        // RongCloud's documented timeout and retry count; a short pause keeps the test fast.
        config.webhooks.rongcloud_policy =
            DeliveryPolicy::new(Duration::from_secs(5), 2, Duration::from_millis(10));
    })
    .await;

    let rc = rc_client(&served.url());
    let (r1, u1) = (room("r1"), user("u1"));
    rc.set_entry(&r1, &u1, key("k1"), value("v1"))
        .await
        .unwrap();
    rc.batch_set_entries(
        &r1,
        &u1,
        [(key("k2"), value("v2")), (key("k3"), value("v3"))],
    )
    .await
    .unwrap();
    rc.remove_entry(&r1, &u1, key("k1")).await.unwrap();
    rc.batch_remove_entries(&r1, &u1, [key("k2")])
        .await
        .unwrap();

    let tc = tc_client(&served.url());
    tc.create_room(CreateRoom::new(live("live-1")))
        .await
        .unwrap();
    tc.set_room_metadata(
        &live("live-1"),
        [(mkey("a"), mvalue("1")), (mkey("b"), mvalue("2"))],
    )
    .await
    .unwrap();
    tc.del_room_metadata(&live("live-1"), [mkey("a")])
        .await
        .unwrap();

    // Bounded wait on the emulator's own counters (real sockets: real time, short).
    for _ in 0..500 {
        if served.emulator.webhook_stats().delivered == 7 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let stats = served.emulator.webhook_stats();
    let log = served.state().events_since(0).events;
    assert_eq!(
        (stats.queued, stats.delivered, stats.failed, stats.attempts),
        (7, 7, 0, 8),
        "{log:#?}"
    );

    let seen = receiver.seen.lock().unwrap();
    assert!(seen.rejected.is_empty(), "rejected: {:?}", seen.rejected);
    // Delivered concurrently: order by the attempt-independent version.
    let mut kv_events = seen.kv.clone();
    kv_events.sort_by_key(|e| e.version);
    for event in &mut kv_events {
        assert!(event.timestamp_ms > 0);
        event.timestamp_ms = 0;
    }
    assert_eq!(
        kv_events,
        [
            kv(set("k1", "v1"), 1),
            kv(set("k2", "v2"), 2),
            kv(set("k3", "v3"), 3),
            kv(del("k1", "v1"), 4),
            kv(del("k2", "v2"), 5),
        ]
    );
    let mut live_events = seen.live.clone();
    live_events.sort_by_key(|e| matches!(e, TencentCallback::AfterDelMetadata { .. }));
    let [
        TencentCallback::AfterSetMetadata {
            sdkappid,
            operator_account,
            room_id,
            metadata,
            ..
        },
        TencentCallback::AfterDelMetadata { keys, .. },
    ] = live_events.as_slice()
    else {
        panic!("unexpected Tencent callbacks: {live_events:?}");
    };
    assert_eq!(
        (*sdkappid, operator_account.as_str(), room_id.as_str()),
        (SDKAPPID, ADMIN, "live-1")
    );
    let item = |k: &str, v: &str| MetadataItem {
        key: k.into(),
        value: v.into(),
    };
    assert_eq!(metadata, &[item("a", "1"), item("b", "2")]);
    assert_eq!(keys, &["a".to_owned()]);

    // The one failure is on record, followed by the delivery of the same event.
    let attempts: Vec<(u64, u32, DeliveryOutcome)> = served
        .state()
        .events_since(0)
        .events
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::WebhookDelivery(d) => Some((d.event_seq, d.attempt, d.outcome)),
            _ => None,
        })
        .collect();
    let failed: Vec<_> = attempts
        .iter()
        .filter(|(_, _, o)| *o == DeliveryOutcome::Status { status: 500 })
        .collect();
    assert_eq!(failed.len(), 1);
    let (seq, attempt, _) = failed[0];
    assert_eq!(*attempt, 1);
    assert!(attempts.contains(&(*seq, 2, DeliveryOutcome::Delivered)));
}
