//! Strict mode: the timestamp window (seconds or milliseconds) and nonce replay, with an injected
//! clock.

use std::time::Duration;

use roomkv_emulator::EmulatorConfig;
use roomkv_emulator::auth::{ReplayGuard, StrictRejection, parse_timestamp};

use crate::common::*;

const WINDOW: Duration = Duration::from_secs(300);

#[test]
fn timestamps_in_seconds_and_milliseconds_are_told_apart() {
    assert_eq!(parse_timestamp("1700000000"), Some(T0));
    assert_eq!(parse_timestamp("1700000000000"), Some(T0));
    assert_eq!(
        parse_timestamp("1700000000123"),
        Some(T0 + Duration::from_millis(123))
    );
    assert_eq!(
        parse_timestamp("99999999999"),
        Some(Duration::from_secs(99_999_999_999))
    );
    assert_eq!(
        parse_timestamp("100000000000"),
        Some(Duration::from_millis(100_000_000_000))
    );
    assert_eq!(parse_timestamp("12a"), None);
    assert_eq!(parse_timestamp(""), None);
}

#[test]
fn the_window_includes_its_edges() {
    let guard = ReplayGuard::new(WINDOW);
    let now = T0;
    let ok = |ts: String, nonce: &str| guard.check(APP, &ts, nonce, now);
    assert!(ok("1700000300".into(), "a").is_ok());
    assert!(ok("1699999700".into(), "b").is_ok());
    assert!(ok("1700000300000".into(), "c").is_ok());
    assert!(ok("1699999700000".into(), "d").is_ok());
    assert!(matches!(
        ok("1700000301".into(), "e"),
        Err(StrictRejection::TimestampOutsideWindow {
            skew_ms: 301_000,
            ..
        })
    ));
    assert!(matches!(
        ok("1699999699999".into(), "f"),
        Err(StrictRejection::TimestampOutsideWindow {
            skew_ms: 300_001,
            ..
        })
    ));
    assert!(matches!(
        ok("1700000300001".into(), "g"),
        Err(StrictRejection::TimestampOutsideWindow { .. })
    ));
    assert!(matches!(
        ok("soon".into(), "h"),
        Err(StrictRejection::TimestampInvalid(_))
    ));
}

#[test]
fn nonces_are_1_to_18_characters() {
    let guard = ReplayGuard::new(WINDOW);
    assert!(guard.check(APP, "1700000000", &"9".repeat(18), T0).is_ok());
    assert_eq!(
        guard.check(APP, "1700000000", &"9".repeat(19), T0),
        Err(StrictRejection::NonceLength(19))
    );
    assert_eq!(
        guard.check(APP, "1700000000", "", T0),
        Err(StrictRejection::NonceLength(0))
    );
}

#[test]
fn a_replay_inside_the_window_is_refused_and_accepted_after_it() {
    let guard = ReplayGuard::new(WINDOW);
    assert!(guard.check(APP, "1700000000", "n", T0).is_ok());
    // Same nonce, any timestamp, same app, within the window: refused (edge included).
    assert!(matches!(
        guard.check(APP, "1700000100", "n", T0 + Duration::from_secs(100)),
        Err(StrictRejection::NonceReplayed { .. })
    ));
    assert!(matches!(
        guard.check(APP, "1700000300", "n", T0 + WINDOW),
        Err(StrictRejection::NonceReplayed { .. })
    ));
    // Another app may use the same nonce.
    assert!(guard.check("other-app", "1700000000", "n", T0).is_ok());
    // Just after the window it is accepted again, and remembered again.
    let later = T0 + WINDOW + Duration::from_millis(1);
    assert!(guard.check(APP, "1700000300", "n", later).is_ok());
    assert!(guard.check(APP, "1700000300", "n", later).is_err());
    // Many distinct nonces are all accepted once; old ones are forgotten after the window.
    for i in 0..1000 {
        assert!(guard.check(APP, "1700000000", &format!("x{i}"), T0).is_ok());
    }
    for i in 0..1000 {
        assert!(
            guard
                .check(
                    APP,
                    "1700000400",
                    &format!("x{i}"),
                    T0 + Duration::from_secs(400)
                )
                .is_ok()
        );
    }
    guard.reset();
    assert!(
        guard
            .check(APP, "1700000400", "x1", T0 + Duration::from_secs(400))
            .is_ok()
    );
}

fn strict_request(timestamp: &str, nonce: &str) -> http::Request<bytes::Bytes> {
    rc_request_signed(
        "/chatroom/entry/query.json",
        nonce,
        timestamp,
        "chatroomId=r",
    )
}

#[test]
fn the_server_answers_strict_failures_with_401_and_1004() {
    let mut config = EmulatorConfig::default();
    config.strict = true;
    let (emulator, clock) = emulator_with(config);
    let passed_auth =
        |response: &http::Response<Vec<u8>>| response.status() != 401 && code(response) != 1004;
    let first = emulator.handle(strict_request("1700000000", "1"));
    assert!(
        passed_auth(&first),
        "{:?}",
        String::from_utf8_lossy(first.body())
    );
    let replay = emulator.handle(strict_request("1700000000", "1"));
    assert_eq!((replay.status().as_u16(), code(&replay)), (401, 1004));
    let stale = emulator.handle(strict_request("1699999000", "2"));
    assert_eq!((stale.status().as_u16(), code(&stale)), (401, 1004));
    clock.advance(Duration::from_secs(301));
    let later = emulator.handle(strict_request("1700000301000", "1"));
    assert!(passed_auth(&later));

    // Lenient (the default): any timestamp, any nonce, again and again.
    let (lenient, _) = emulator_with(EmulatorConfig::default());
    for _ in 0..3 {
        assert!(passed_auth(&lenient.handle(strict_request(
            "1",
            "a-very-long-nonce-of-many-characters"
        ))));
    }
}

// ------------------------------------------------------------------------------ over HTTP

mod over_http {
    use std::time::Duration;

    use http::Request;
    use roomkv_emulator::EmulatorConfig;

    use crate::common::*;
    use crate::served::Served;

    const QUERY: &str = "/chatroom/entry/query.json";

    async fn strict() -> Served {
        let mut config = EmulatorConfig::default();
        config.strict = true;
        config.quota.enabled = false;
        Served::start(config).await
    }

    /// A query signed by hand with `nonce` and `timestamp` (seconds or milliseconds).
    async fn query_signed(s: &Served, nonce: &str, timestamp: &str) -> (u16, i64) {
        let request = Request::post(QUERY)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("App-Key", APP)
            .header("Nonce", nonce)
            .header("Timestamp", timestamp)
            .header("Signature", rc_signature(nonce, timestamp))
            .body("chatroomId=room".to_owned())
            .unwrap();
        s.send(request).await.status_code()
    }

    #[tokio::test]
    async fn stale_future_and_replayed_requests_are_401_1004() {
        let s = strict().await;
        let t0 = T0.as_secs();
        // Fresh, in seconds and milliseconds: accepted.
        assert_eq!(query_signed(&s, "n1", &t0.to_string()).await, (200, 200));
        assert_eq!(
            query_signed(&s, "n2", &format!("{t0}000")).await,
            (200, 200)
        );
        // The same nonce again, even with another timestamp: a replay.
        assert_eq!(
            query_signed(&s, "n1", &(t0 + 1).to_string()).await,
            (401, 1004)
        );
        // Stale and future beyond the 300 s window (edges are inside it).
        assert_eq!(
            query_signed(&s, "n3", &(t0 - 301).to_string()).await,
            (401, 1004)
        );
        assert_eq!(
            query_signed(&s, "n4", &(t0 + 301).to_string()).await,
            (401, 1004)
        );
        assert_eq!(
            query_signed(&s, "n5", &(t0 - 300).to_string()).await,
            (200, 200)
        );
        assert_eq!(
            query_signed(&s, "n6", &(t0 + 300).to_string()).await,
            (200, 200)
        );
        // Nonce length and a timestamp that is no number.
        assert_eq!(
            query_signed(&s, &"9".repeat(19), &t0.to_string()).await,
            (401, 1004)
        );
        assert_eq!(query_signed(&s, "n7", "soon").await, (401, 1004));
        // Once the window has passed, the old nonce is forgotten (with a current timestamp).
        s.clock.advance(Duration::from_secs(301));
        let now = (t0 + 301).to_string();
        assert_eq!(query_signed(&s, "n1", &now).await, (200, 200));
        // Refused requests changed nothing: a refused replay of a write is not applied.
        assert!(
            s.emulator
                .state()
                .entry_query(APP, &query("room", &[]))
                .unwrap()
                .is_empty()
        );
        s.shutdown().await;
    }

    #[tokio::test]
    async fn lenient_mode_accepts_what_strict_mode_refuses() {
        let mut config = EmulatorConfig::default();
        config.quota.enabled = false;
        let s = Served::start(config).await;
        let t0 = T0.as_secs();
        assert_eq!(query_signed(&s, "n1", &t0.to_string()).await, (200, 200));
        assert_eq!(query_signed(&s, "n1", &t0.to_string()).await, (200, 200));
        assert_eq!(query_signed(&s, "n2", "1").await, (200, 200));
        s.shutdown().await;
    }

    /// Tencent's equivalent is the UserSig's own expiry (`TLS.time + TLS.expire`), checked in
    /// every mode; Tencent documents no replay check of `random`, so the emulator has none.
    #[tokio::test]
    async fn tencent_refuses_an_expired_usersig_and_ignores_a_repeated_random() {
        let s = strict().await;
        let t0 = T0.as_secs();
        let uri = |sig: &str| {
            format!(
                "/v4/live_engine_http_srv/get_room_info?sdkappid={SDKAPPID}&identifier={ADMIN}\
                 &usersig={sig}&random=42&contenttype=json"
            )
        };
        let body = r#"{"RoomId":"nowhere"}"#;
        let expired = usersig_with(SDKAPPID, ADMIN, SECRET_KEY, 60, t0 - 61);
        assert_eq!(s.tc_raw(&uri(&expired), body).await.status_code().1, 70001);
        let fresh = usersig_with(SDKAPPID, ADMIN, SECRET_KEY, 60, t0);
        // The same `random` twice: both authenticated (100004: the room does not exist).
        assert_eq!(s.tc_raw(&uri(&fresh), body).await.status_code().1, 100_004);
        assert_eq!(s.tc_raw(&uri(&fresh), body).await.status_code().1, 100_004);
        // Past its expiry the same UserSig is refused.
        s.clock.advance(Duration::from_secs(61));
        assert_eq!(s.tc_raw(&uri(&fresh), body).await.status_code().1, 70001);
        s.shutdown().await;
    }
}
