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
