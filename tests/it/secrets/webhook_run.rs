//! Callbacks: the main emulator delivers every callback the runs caused to the receiver, which
//! verifies them with `roomkv-webhook` (one RongCloud delivery answered 500 and retried); then
//! the verifiers refuse forged, stale, misdirected and replayed callbacks. The verifiers, the
//! verified events, the delivery counters and every refusal go into the corpus. The signature
//! in a delivered URL is not a secret; the app secret and the callback token are.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use roomkv_sign::rongcloud::{AppSecret, signature};
use roomkv_sign::tencent::{CallbackToken, callback_sign, verify_callback_sign};

use super::{RC_SECRET, Run, SDKAPPID, TC_CALLBACK_TOKEN};

pub(crate) async fn run(run: &mut Run) {
    // Every callback queued so far is delivered or dropped (bounded by the test's time limit).
    let stats = loop {
        let stats = run.main.emulator.webhook_stats();
        if stats.queued > 0 && stats.delivered + stats.failed == stats.queued {
            break stats;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    run.corpus.debug("webhook stats", &stats);
    assert!(
        stats.attempts > stats.queued,
        "a delivery was retried: {stats:?}"
    );
    assert_eq!(stats.failed, 0, "{stats:?}");
    {
        let seen = run.receiver.seen.lock().expect("the receiver is alive");
        assert!(seen.rejected.is_empty(), "rejected: {:?}", seen.rejected);
        assert!(!seen.kv.is_empty() && !seen.live.is_empty());
        run.corpus.debug("verified KV sync events", &seen.kv);
        run.corpus.debug("verified Tencent callbacks", &seen.live);
    }
    run.corpus
        .debug("RongCloudWebhookVerifier", &run.receiver.rongcloud);
    run.corpus
        .debug("TencentCallbackVerifier", &run.receiver.tencent);
    forged(run);
}

fn post(target: &str, body: &str) -> http::Request<Vec<u8>> {
    http::Request::post(target)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(body.as_bytes().to_vec())
        .expect("a request")
}

/// Callbacks the verifiers must refuse, each refusal scanned.
fn forged(run: &mut Run) {
    let now = SystemTime::now();
    let secs = now
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let (ms, stale_ms) = (secs * 1000, (secs - 3_600) * 1000);
    let secret = AppSecret::new(RC_SECRET);
    let signed = |nonce: &str, ts: u64| {
        let sig = signature(&secret, nonce, &ts.to_string());
        format!("/rc?nonce={nonce}&timestamp={ts}&signature={sig}")
    };
    let body = format!(
        r#"{{"chatroomId":"r","key":"k","value":"v","optType":1,"userId":"u","timestamp":{ms},"version":1}}"#
    );
    let fresh = post(&signed("90210", ms), &body);
    run.receiver
        .rongcloud
        .verify(&fresh, now)
        .expect("a genuine webhook is accepted");
    let mut get = post(&signed("90211", ms), &body);
    *get.method_mut() = http::Method::GET;
    let zeros = "0".repeat(40);
    let rongcloud = [
        ("replayed", fresh),
        (
            "bad signature",
            post(
                &format!("/rc?nonce=1&timestamp={ms}&signature={zeros}"),
                &body,
            ),
        ),
        (
            "missing signature",
            post(&format!("/rc?nonce=1&timestamp={ms}"), &body),
        ),
        ("stale", post(&signed("90212", stale_ms), &body)),
        ("not a POST", get),
        ("not JSON", post(&signed("90213", ms), "chatroomId=r")),
    ];
    for (label, request) in rongcloud {
        let label = format!("RongCloud webhook {label}");
        let err = run.receiver.rongcloud.verify(&request, now);
        run.failed(&label, err);
    }

    let token = CallbackToken::new(TC_CALLBACK_TOKEN);
    let command = "Live.CallbackAfterSetMetadata";
    let tc_body = format!(r#"{{"CallbackCommand":"{command}","RoomId":"r"}}"#);
    let at = |time: u64, sdkappid: u64| {
        let sign = callback_sign(&token, &time.to_string());
        format!("/tc?SdkAppid={sdkappid}&CallbackCommand={command}&RequestTime={time}&Sign={sign}")
    };
    let tencent = [
        (
            "bad Sign",
            post(
                &format!(
                    "/tc?SdkAppid={SDKAPPID}&CallbackCommand={command}&RequestTime={secs}&Sign={}",
                    "0".repeat(64)
                ),
                &tc_body,
            ),
        ),
        ("stale", post(&at(secs - 3_600, SDKAPPID), &tc_body)),
        ("another SDKAppID", post(&at(secs, 1_400_000_001), &tc_body)),
        ("malformed body", post(&at(secs, SDKAPPID), "{")),
    ];
    for (label, request) in tencent {
        let label = format!("Tencent callback {label}");
        let err = run.receiver.tencent.verify(&request, now);
        run.failed(&label, err);
    }
    run.corpus.debug("sign CallbackToken", &token);
    let err = verify_callback_sign(&token, "1", &"0".repeat(64));
    run.failed("sign verify_callback_sign mismatch", err);
}
