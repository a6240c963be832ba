//! Validation refuses before anything is sent; it can be relaxed or switched off.

use roomkv_rongcloud::{
    BatchSetEntries, EntryKey, EntryValue, Limits, SetEntry, Unit, Validation, ValidationError,
};

use crate::support::*;

#[tokio::test]
async fn an_oversize_key_is_refused_and_nothing_is_sent() {
    let h = Harness::new();
    let long = EntryKey::non_validated("k".repeat(129));
    let err = h
        .client
        .set_entry(&room(), &user(), long, value("v"))
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), roomkv_rongcloud::ErrorKind::Validation(_)),
        "{err:?}"
    );
    assert_eq!(
        err.validation_error(),
        Some(&ValidationError::TooLong {
            field: "key",
            len: 129,
            max: 128,
            unit: Unit::Chars,
        })
    );
    assert_eq!(
        err.to_string(),
        "request refused before sending: key has 129 characters, at most 128 allowed"
    );
    assert_eq!(err.attempts(), 0);
    assert_eq!(err.request_id(), None);
    assert!(!err.is_retryable());
    assert!(!err.is_outcome_unknown());
    assert_eq!(h.capture.request_count(), 0);
}

#[tokio::test]
async fn a_body_over_the_vendor_limit_is_refused_before_sending() {
    let h = Harness::new();
    let big = EntryValue::parse("中".repeat(4096)).unwrap();
    let entries: Vec<_> = (0..20)
        .map(|i| (key(&format!("k{i}")), big.clone()))
        .collect();
    let err = h
        .client
        .send(&BatchSetEntries::new(room(), user(), entries))
        .await
        .unwrap_err();
    let Some(ValidationError::TooLong {
        field, max, unit, ..
    }) = err.validation_error()
    else {
        panic!("expected a body size error, got {err:?}")
    };
    assert_eq!(
        (*field, *max, *unit),
        ("request body", 100 * 1024 - 1, Unit::Bytes)
    );
    assert_eq!(h.capture.request_count(), 0);
}

#[tokio::test]
async fn raised_limits_are_honoured() {
    let mut limits = Limits::default();
    limits.rongcloud.entry_key_max_chars = 200;
    let h = Harness::with(|b| b.limits(limits));
    let long = EntryKey::parse_with("k".repeat(150), h.client.limits()).unwrap();
    h.client
        .set_entry(&room(), &user(), long, value("v"))
        .await
        .unwrap();
    assert_eq!(h.capture.request_count(), 1);
}

#[tokio::test]
async fn validation_off_lets_the_server_judge() {
    let h = Harness::with(|b| b.validation(Validation::Off));
    let long = EntryKey::non_validated("k".repeat(129));
    h.client
        .send(&SetEntry::new(room(), user(), long, value("v")))
        .await
        .unwrap();
    assert_eq!(h.capture.request_count(), 1);
}
