//! The request journal: what is recorded, what is never recorded (credentials), the explanation
//! of each refusal, the ring bound, the filters and `/_emulator/stats`.

use std::time::Duration;

use bytes::Bytes;
use http::Request;
use roomkv_emulator::journal::{JournalEntry, JournalFilter, Outcome};
use roomkv_emulator::{Emulator, EmulatorConfig};

use crate::common::*;

fn set_form(room: &str, user: &str, key: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("chatroomId", room)
        .append_pair("userId", user)
        .append_pair("key", key)
        .append_pair("value", "v")
        .finish()
}

fn refusals(emulator: &Emulator) -> Vec<JournalEntry> {
    emulator
        .journal(&JournalFilter {
            outcome: Some(Outcome::Refused),
            ..JournalFilter::default()
        })
        .entries
}

fn last_explanation(emulator: &Emulator) -> String {
    let entries = refusals(emulator);
    let last = entries.last().expect("a refusal was journaled");
    last.explanation
        .clone()
        .expect("every refusal is explained")
}

fn control(emulator: &Emulator, uri: &str) -> serde_json::Value {
    let response = emulator.handle(Request::get(uri).body(Bytes::new()).unwrap());
    assert_eq!(response.status(), 200, "{uri}");
    json(&response)
}

#[test]
fn a_served_request_is_journaled_without_its_credentials() {
    let (emulator, _clock) = emulator_with(EmulatorConfig::default());
    let reply = emulator.handle(rc_request(
        "/chatroom/entry/set.json",
        set_form("r1", "u1", "k"),
    ));
    assert_eq!(code(&reply), 200);
    let reply = emulator.handle(tc_request(
        "set_room_metadata",
        r#"{"RoomId":"room1","Metadata":[{"Key":"k","Value":"v"}]}"#,
    ));
    let _ = reply;
    let page = emulator.journal(&JournalFilter::default());
    let first = &page.entries[0];
    assert_eq!(first.seq, 1);
    assert_eq!(first.vendor, "rongcloud");
    assert_eq!(first.dialect, "legacy");
    assert_eq!(first.endpoint, "/chatroom/entry/set.json");
    assert_eq!(first.outcome, Outcome::Ok);
    assert_eq!(
        first.code,
        Some(200),
        "legacy RongCloud answers success with code 200"
    );
    assert!(!first.fault);
    assert_eq!(first.status, 200);
    assert_eq!(first.time_ms, T0_MS);
    assert_eq!(first.buckets, ["entry-set"]);
    assert_eq!(first.params["key"], "k");
    assert_eq!(first.params["header.Nonce"], "14314");
    assert_eq!(page.entries[1].vendor, "tencent");
    assert_eq!(page.entries[1].params["query.identifier"], ADMIN);

    let text = serde_json::to_string(&control(&emulator, "/_emulator/requests")).unwrap();
    assert!(
        !text.contains(&rc_signature("14314", "1700000000")),
        "{text}"
    );
    assert!(!text.contains(&usersig(ADMIN)), "{text}");
    assert!(!text.to_lowercase().contains("signature\""), "{text}");
    assert!(!text.contains("usersig"), "{text}");
    assert!(
        !text.contains(APP_SECRET) && !text.contains(SECRET_KEY),
        "{text}"
    );
}

#[test]
fn a_wrong_signature_is_explained_without_the_expected_signature() {
    let (emulator, _clock) = emulator_with(EmulatorConfig::default());
    let mut request = rc_request("/chatroom/entry/set.json", set_form("r1", "u1", "k"));
    request
        .headers_mut()
        .insert("Signature", http::HeaderValue::from_static("0badc0de"));
    assert_eq!(code(&emulator.handle(request)), 1004);
    let explanation = last_explanation(&emulator);
    assert!(
        explanation.starts_with("signature mismatch: the server computed SHA1(app secret + Nonce + Timestamp) for Nonce `14314`, Timestamp `1700000000`"),
        "{explanation}"
    );
    assert!(!explanation.contains(&rc_signature("14314", "1700000000")));
    assert!(!explanation.contains("0badc0de"));
}

#[test]
fn strict_mode_refusals_say_how_old_and_what_is_allowed() {
    let mut config = EmulatorConfig::default();
    config.strict = true;
    let (emulator, _clock) = emulator_with(config);
    let old = (T0 - Duration::from_secs(412)).as_secs().to_string();
    let request = rc_request_signed(
        "/chatroom/entry/set.json",
        "n1",
        &old,
        set_form("r", "u", "k"),
    );
    assert_eq!(code(&emulator.handle(request)), 1004);
    assert_eq!(
        last_explanation(&emulator),
        "timestamp is 412 s old; --strict allows 300 s"
    );
    let fresh = T0.as_secs().to_string();
    for _ in 0..2 {
        emulator.handle(rc_request_signed(
            "/chatroom/entry/set.json",
            "n2",
            &fresh,
            set_form("r", "u", "k"),
        ));
    }
    assert!(
        last_explanation(&emulator)
            .starts_with("Nonce `n2` was already used within the last 300 s"),
        "{}",
        last_explanation(&emulator)
    );
}

#[test]
fn ownership_app_key_headers_and_validation_refusals_are_explained() {
    let (emulator, _clock) = emulator_with(EmulatorConfig::default());
    emulator.handle(rc_request(
        "/chatroom/entry/set.json",
        set_form("r1", "u1", "stage"),
    ));
    emulator.handle(rc_request(
        "/chatroom/entry/set.json",
        set_form("r1", "u2", "stage"),
    ));
    assert_eq!(
        last_explanation(&emulator),
        "key `stage` is owned by `u1`; set by `u2` is refused (batch set overwrites owners)"
    );

    emulator.handle(rc_request(
        "/chatroom/entry/set.json",
        set_form("r1", "u1", "seat 1"),
    ));
    let explanation = last_explanation(&emulator);
    assert!(
        explanation.contains("key contains ' ' at character 4, allowed are"),
        "{explanation}"
    );

    let mut request = rc_request("/chatroom/entry/set.json", set_form("r1", "u1", "k"));
    request
        .headers_mut()
        .insert("App-Key", http::HeaderValue::from_static("nope"));
    emulator.handle(request);
    assert_eq!(
        last_explanation(&emulator),
        "App-Key `nope` is not an app of this emulator (configured: demo-app-key)"
    );

    let mut request = rc_request("/chatroom/entry/set.json", set_form("r1", "u1", "k"));
    request.headers_mut().remove("Nonce");
    emulator.handle(request);
    assert!(last_explanation(&emulator).starts_with("the Nonce header(s) are missing"));
}

#[test]
fn usersig_refusals_are_explained() {
    let (emulator, _clock) = emulator_with(EmulatorConfig::default());
    let expired = usersig_with(SDKAPPID, ADMIN, SECRET_KEY, 60, T0.as_secs() - 3_665);
    let uri = format!(
        "/v4/live_engine_http_srv/get_room_info?sdkappid={SDKAPPID}&identifier={ADMIN}&usersig={expired}&random=1&contenttype=json"
    );
    let reply = emulator.handle(Request::post(uri).body(Bytes::from("{}")).unwrap());
    assert_eq!(code(&reply), 70001);
    assert!(
        last_explanation(&emulator)
            .starts_with("UserSig expired 3,605 s ago (TLS.time + TLS.expire"),
        "{}",
        last_explanation(&emulator)
    );
    let other = usersig_with(SDKAPPID, "bob", SECRET_KEY, 86_400, T0.as_secs());
    let uri = format!(
        "/v4/live_engine_http_srv/get_room_info?sdkappid={SDKAPPID}&identifier=bob&usersig={other}&random=1&contenttype=json"
    );
    emulator.handle(Request::post(uri).body(Bytes::from("{}")).unwrap());
    assert!(last_explanation(&emulator).contains("is not the app's admin account"));
}

#[test]
fn every_refusal_has_an_explanation() {
    let (emulator, _clock) = emulator_with(EmulatorConfig::default());
    let requests = [
        Request::get("/chatroom/entry/set.json")
            .body(Bytes::new())
            .unwrap(),
        rc_request("/chatroom/nope.json", ""),
        rc_request("/chatroom/entry/set.json", "chatroomId=r"),
        rc_request("/chatroom/entry/query.json", "chatroomId="),
        rc_request("/chatroom/entry/set.json", vec![b'a'; 200_000]),
        rc_request("/v4/nope", "{}"),
        tc_request("get_room_info", "[]"),
        tc_request("get_room_info", r#"{"RoomId":""}"#),
        tc_request("nope", "{}"),
        Request::post("/v4/live_engine_http_srv/get_room_info?sdkappid=x")
            .body(Bytes::new())
            .unwrap(),
    ];
    let count = requests.len();
    for request in requests {
        emulator.handle(request);
    }
    let refused = refusals(&emulator);
    assert_eq!(refused.len(), count);
    for entry in refused {
        let explanation = entry.explanation.unwrap_or_default();
        assert!(
            explanation.len() > 10,
            "{} {:?}: {explanation:?}",
            entry.endpoint,
            entry.code
        );
    }
}

#[test]
fn the_journal_is_a_bounded_ring_and_counts_what_it_drops() {
    let mut config = EmulatorConfig::default();
    config.journal_capacity = 3;
    let (emulator, _clock) = emulator_with(config);
    for i in 0..5 {
        emulator.handle(rc_request(
            "/chatroom/entry/set.json",
            set_form("r", "u", &format!("k{i}")),
        ));
    }
    let page = emulator.journal(&JournalFilter::default());
    assert_eq!(
        page.entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [3, 4, 5]
    );
    assert_eq!(page.dropped, 2);
    assert_eq!(page.next, 5);
    emulator.reset();
    let page = emulator.journal(&JournalFilter::default());
    assert!(page.entries.is_empty());
    assert_eq!((page.dropped, page.next), (0, 0));
}

#[test]
fn requests_are_filtered_by_since_vendor_and_outcome_over_http() {
    let (emulator, _clock) = emulator_with(EmulatorConfig::default());
    emulator.handle(rc_request(
        "/chatroom/entry/set.json",
        set_form("r", "u", "k"),
    ));
    emulator.handle(tc_request("get_room_info", r#"{"RoomId":"missing"}"#));
    emulator.handle(tc_request(
        "create_room",
        r#"{"RoomInfo":{"RoomId":"r1","RoomType":"Live"}}"#,
    ));
    let all = control(&emulator, "/_emulator/requests");
    assert_eq!(all["entries"].as_array().unwrap().len(), 3);
    let tencent = control(
        &emulator,
        "/_emulator/requests?vendor=tencent&outcome=refused",
    );
    let entries = tencent["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{tencent}");
    assert_eq!(
        entries[0]["endpoint"],
        "/v4/live_engine_http_srv/get_room_info"
    );
    assert!(entries[0]["explanation"].as_str().unwrap().len() > 10);
    let since = control(&emulator, "/_emulator/requests?since=2");
    assert_eq!(since["entries"][0]["seq"], 3);
    let bad = emulator.handle(
        Request::get("/_emulator/requests?outcome=maybe")
            .body(Bytes::new())
            .unwrap(),
    );
    assert_eq!(bad.status(), 400);
}

#[test]
fn stats_count_answers_quota_use_and_throttling() {
    let mut config = EmulatorConfig::default();
    config.quota.rate_scale = 0.01; // entry-set: 1 per second
    let (emulator, _clock) = emulator_with(config);
    for i in 0..3 {
        emulator.handle(rc_request(
            "/chatroom/entry/set.json",
            set_form("r", "u", &format!("k{i}")),
        ));
    }
    let stats = control(&emulator, "/_emulator/stats");
    let answers = &stats["answers"]["/chatroom/entry/set.json"];
    assert_eq!(answers["200"], 1, "{stats}");
    assert_eq!(answers["1008"], 2, "{stats}");
    assert_eq!(stats["throttled"], 2);
    let meter = stats["quotas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["bucket"] == "entry-set")
        .unwrap();
    assert_eq!(meter["app"], APP);
    assert_eq!(meter["used"], 1);
    assert_eq!(meter["limit"], 1);
    assert_eq!(meter["throttled"], 2);
    assert!(
        last_explanation(&emulator)
            .starts_with("quota bucket `entry-set` of app demo-app-key admits 1 per second")
    );
    assert_eq!(stats["journal"]["capacity"], 1000);
    assert_eq!(stats["events"]["dropped"], 0);
    assert!(stats["webhooks"].is_object());
}

#[test]
fn the_event_log_is_bounded_and_counts_what_it_drops() {
    let mut config = EmulatorConfig::default();
    config.event_capacity = 2;
    config.shards = 1;
    let (emulator, _clock) = emulator_with(config);
    for i in 0..4 {
        let reply = emulator.handle(rc_request(
            "/chatroom/entry/set.json",
            set_form("r", "u", &format!("k{i}")),
        ));
        assert_eq!(code(&reply), 200);
    }
    let stats = control(&emulator, "/_emulator/stats");
    let events = control(&emulator, "/_emulator/events");
    assert_eq!(events["events"].as_array().unwrap().len(), 2, "{events}");
    assert_eq!(stats["events"]["dropped"], events["dropped"]);
    assert_eq!(events["dropped"], 2);
}

#[test]
fn the_console_is_self_contained() {
    let (emulator, _clock) = emulator_with(EmulatorConfig::default());
    for path in [
        "/_emulator/ui",
        "/_emulator/ui/console.js",
        "/_emulator/ui/console.css",
    ] {
        let response = emulator.handle(Request::get(path).body(Bytes::new()).unwrap());
        assert_eq!(response.status(), 200, "{path}");
        let text = String::from_utf8(response.body().clone()).unwrap();
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "{path} loads from elsewhere"
        );
    }
    let page = emulator.handle(Request::get("/_emulator/ui").body(Bytes::new()).unwrap());
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    // Control requests are not vendor requests: the journal stays empty.
    assert!(
        emulator
            .journal(&JournalFilter::default())
            .entries
            .is_empty()
    );
}

#[tokio::test(start_paused = true)]
async fn requests_a_fault_rule_answers_or_closes_are_journaled_and_explained() {
    use roomkv_emulator::Exchange;
    use roomkv_emulator::faults::{FaultEffect, FaultRule};
    let (emulator, _clock) = emulator_with(EmulatorConfig::default());
    let path = "/chatroom/entry/set.json";
    for effect in [
        FaultEffect::VendorError {
            code: 1009,
            message: None,
            http_status: None,
        },
        FaultEffect::Status { status: 502 },
        FaultEffect::CloseBeforeProcessing,
    ] {
        emulator
            .add_fault(FaultRule::new(path, effect).times(1))
            .unwrap();
        let exchange = emulator
            .respond(rc_request(path, set_form("r", "u", "k")))
            .await;
        assert!(!matches!(exchange, Exchange::Closed { processed: true }));
    }
    let entries = refusals(&emulator);
    let seen: Vec<(u16, Option<i64>, bool)> = entries
        .iter()
        .map(|e| (e.status, e.code, e.fault))
        .collect();
    assert_eq!(
        seen,
        [(200, Some(1009), true), (502, None, true), (0, None, true)]
    );
    assert!(entries.iter().all(|e| {
        e.explanation
            .as_deref()
            .is_some_and(|x| x.starts_with("a fault rule "))
    }));
    let stats = control(&emulator, "/_emulator/stats");
    let answers = &stats["answers"][path];
    assert_eq!(
        (&answers["1009"], &answers["http-502"], &answers["closed"]),
        (&1.into(), &1.into(), &1.into()),
        "{stats}"
    );
}
