//! Property tests: sign/verify round trips, tampering, expiry boundaries, and that no input
//! makes a verifier panic.

mod support;

use proptest::prelude::*;
use proptest::sample::Index;
use roomkv_sign::rongcloud::{self, AppKey, AppSecret, HeaderAuth};
use roomkv_sign::tencent::{self, SecretKey, VerifyError};
use serde_json::Value;

/// Any string, line breaks and all.
fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>(), 0..=max).prop_map(|c| c.into_iter().collect())
}

/// Any key bytes (a real key is 64 hex digits, but HMAC takes anything).
fn key_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 1..=80)
}

/// Arbitrary JSON.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        text(12).prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            proptest::collection::btree_map(text(8), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A JSON object with every UserSig field present, each with an arbitrary value (often of the
/// right type), plus arbitrary extra keys.
fn usersig_like_json() -> impl Strategy<Value = Value> {
    let field = || {
        prop_oneof![
            json(),
            Just(Value::from(1u64)),
            Just(Value::from("a")),
            any::<u64>().prop_map(Value::from),
            text(12).prop_map(Value::from),
            "[A-Za-z0-9+/]{0,44}={0,2}".prop_map(Value::from),
        ]
    };
    (
        field(),
        field(),
        field(),
        field(),
        field(),
        proptest::option::of(field()),
        proptest::collection::btree_map(text(8), json(), 0..3),
    )
        .prop_map(|(id, app, time, expire, sig, userbuf, extra)| {
            let mut doc: serde_json::Map<String, Value> = extra.into_iter().collect();
            doc.insert("TLS.identifier".into(), id);
            doc.insert("TLS.sdkappid".into(), app);
            doc.insert("TLS.time".into(), time);
            doc.insert("TLS.expire".into(), expire);
            doc.insert("TLS.sig".into(), sig);
            if let Some(userbuf) = userbuf {
                doc.insert("TLS.userbuf".into(), userbuf);
            }
            Value::Object(doc)
        })
}

fn zlib_level() -> impl Strategy<Value = flate2::Compression> {
    (0u32..=9).prop_map(flate2::Compression::new)
}

proptest! {
    // ---- Tencent UserSig ------------------------------------------------------------------

    #[test]
    fn usersig_round_trip(
        identifier in text(40),
        key in key_bytes(),
        sdkappid in any::<u64>(),
        time in any::<u64>(),
        expire in any::<u64>(),
    ) {
        let key = SecretKey::new(key);
        let usersig = tencent::generate(sdkappid, &identifier, &key, expire, time);
        let claims = tencent::verify(usersig.expose_secret(), &key, sdkappid, &identifier, time)
            .unwrap();
        prop_assert_eq!(claims.sdkappid, sdkappid);
        prop_assert_eq!(&claims.identifier, &identifier);
        prop_assert_eq!(claims.time, time);
        prop_assert_eq!(claims.expire, expire);
        prop_assert_eq!(claims.expires_at(), time.saturating_add(expire));
    }

    #[test]
    fn usersig_expiry_boundary(
        key in key_bytes(),
        time in 0u64..=u64::MAX / 2,
        expire in 0u64..=u64::MAX / 2,
    ) {
        let key = SecretKey::new(key);
        let usersig = tencent::generate(1400000000, "admin", &key, expire, time);
        let at = |now| tencent::verify(usersig.expose_secret(), &key, 1400000000, "admin", now);
        prop_assert!(at(time + expire).is_ok());
        prop_assert_eq!(
            at(time + expire + 1),
            Err(VerifyError::Expired { expired_at: time + expire, now: time + expire + 1 })
        );
    }

    #[test]
    fn usersig_rejects_a_changed_key_byte(
        key in key_bytes(),
        index in any::<Index>(),
        flip in 1u8..,
        identifier in text(20),
        sdkappid in any::<u64>(),
    ) {
        let good = SecretKey::new(key.clone());
        let usersig = tencent::generate(sdkappid, &identifier, &good, 60, 1000);
        let mut bad = key;
        bad[index.index(good.expose_secret().len())] ^= flip;
        prop_assert_eq!(
            tencent::verify(usersig.expose_secret(), &SecretKey::new(bad), sdkappid, &identifier, 1000),
            Err(VerifyError::SignatureMismatch)
        );
    }

    #[test]
    fn usersig_rejects_another_identifier(
        identifier in text(20).prop_filter("non-empty", |s| !s.is_empty()),
        index in any::<Index>(),
        replacement in any::<char>(),
    ) {
        let key = SecretKey::new("k");
        let usersig = tencent::generate(1, &identifier, &key, 60, 1000);
        let mut chars: Vec<char> = identifier.chars().collect();
        let i = index.index(chars.len());
        prop_assume!(chars[i] != replacement);
        chars[i] = replacement;
        let other: String = chars.into_iter().collect();
        prop_assert_eq!(
            tencent::verify(usersig.expose_secret(), &key, 1, &other, 1000),
            Err(VerifyError::IdentifierMismatch { expected: other, found: identifier })
        );
    }

    #[test]
    fn usersig_rejects_another_sdkappid(
        sdkappid in any::<u64>(),
        byte in 0u32..8,
        flip in 1u8..,
    ) {
        let key = SecretKey::new("k");
        let usersig = tencent::generate(sdkappid, "admin", &key, 60, 1000);
        let other = sdkappid ^ (u64::from(flip) << (8 * byte));
        prop_assert_eq!(
            tencent::verify(usersig.expose_secret(), &key, other, "admin", 1000),
            Err(VerifyError::SdkAppIdMismatch { expected: other, found: sdkappid })
        );
    }

    /// Rewriting any claim in the document while keeping `TLS.sig` is caught by the signature,
    /// even when the verifier expects the rewritten value.
    #[test]
    fn usersig_rejects_tampered_claims(
        identifier in text(20),
        sdkappid in 0u64..u64::MAX,
        time in 0u64..1 << 40,
        expire in 1u64..1 << 40,
        which in 0usize..4,
        level in zlib_level(),
    ) {
        let key = b"tencent-key";
        let sig = support::tls_sig(key, &support::content(sdkappid, &identifier, time, expire, None));
        let (mut id, mut app, mut t, mut e) = (identifier, sdkappid, time, expire);
        match which {
            0 => id.push('x'),
            1 => app += 1,
            2 => t = if time > 0 { time - 1 } else { time + 1 },
            _ => e -= 1,
        }
        let doc = serde_json::json!({
            "TLS.ver": "2.0", "TLS.identifier": id, "TLS.sdkappid": app,
            "TLS.expire": e, "TLS.time": t, "TLS.sig": sig,
        });
        let usersig = support::encode_usersig(doc.to_string().as_bytes(), level);
        prop_assert_eq!(
            tencent::verify(&usersig, &SecretKey::new(key.as_slice()), app, &id, t),
            Err(VerifyError::SignatureMismatch)
        );
    }

    #[test]
    fn usersig_verify_never_panics_on_strings(s in any::<String>()) {
        prop_assert!(tencent::verify(&s, &SecretKey::new("k"), 1, "a", 0).is_err());
    }

    #[test]
    fn usersig_verify_never_panics_on_alphabet_strings(s in "[A-Za-z0-9*_-]{0,300}") {
        prop_assert!(tencent::verify(&s, &SecretKey::new("k"), 1, "a", 0).is_err());
    }

    #[test]
    fn usersig_verify_never_panics_on_encoded_bytes(
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
    ) {
        let s = support::base64url_prime(&bytes);
        prop_assert!(tencent::verify(&s, &SecretKey::new("k"), 1, "a", 0).is_err());
    }

    #[test]
    fn usersig_verify_never_panics_on_zlib_of_bytes(
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
        level in zlib_level(),
    ) {
        let s = support::encode_usersig(&bytes, level);
        prop_assert!(tencent::verify(&s, &SecretKey::new("k"), 1, "a", 0).is_err());
    }

    #[test]
    fn usersig_verify_never_panics_on_zlib_of_json(
        doc in prop_oneof![json(), usersig_like_json()],
        level in zlib_level(),
        app in prop_oneof![Just(1u64), any::<u64>()],
        id in prop_oneof![Just("a".to_owned()), text(8)],
        now in prop_oneof![Just(0u64), any::<u64>()],
    ) {
        let s = support::encode_usersig(doc.to_string().as_bytes(), level);
        prop_assert!(tencent::verify(&s, &SecretKey::new("k"), app, &id, now).is_err());
    }

    // ---- RongCloud signature --------------------------------------------------------------

    #[test]
    fn signature_round_trip(secret in text(40), nonce in text(20), timestamp in text(20)) {
        let secret = AppSecret::new(secret);
        let sig = rongcloud::signature(&secret, &nonce, &timestamp);
        prop_assert_eq!(sig.len(), rongcloud::SIGNATURE_LEN);
        prop_assert!(sig.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
        prop_assert_eq!(rongcloud::verify(&secret, &nonce, &timestamp, &sig), Ok(()));
        prop_assert_eq!(
            rongcloud::verify(&secret, &nonce, &timestamp, &sig.to_ascii_uppercase()),
            Ok(())
        );
    }

    #[test]
    fn signature_mixed_case_accepted(
        secret in text(20),
        upper in proptest::collection::vec(any::<bool>(), 40),
    ) {
        let secret = AppSecret::new(secret);
        let sig: String = rongcloud::signature(&secret, "1", "2")
            .chars()
            .zip(upper)
            .map(|(c, up)| if up { c.to_ascii_uppercase() } else { c })
            .collect();
        prop_assert_eq!(rongcloud::verify(&secret, "1", "2", &sig), Ok(()));
    }

    #[test]
    fn signature_rejects_a_changed_digit(
        secret in text(20),
        index in 0usize..40,
        delta in 1u32..16,
        upper in any::<bool>(),
    ) {
        let secret = AppSecret::new(secret);
        let sig = rongcloud::signature(&secret, "n", "t");
        let mut digits: Vec<char> = sig.chars().collect();
        let old = digits[index].to_digit(16).unwrap();
        let new = char::from_digit((old + delta) % 16, 16).unwrap();
        digits[index] = if upper { new.to_ascii_uppercase() } else { new };
        let changed: String = digits.into_iter().collect();
        prop_assert_eq!(
            rongcloud::verify(&secret, "n", "t", &changed),
            Err(rongcloud::VerifyError::Mismatch)
        );
    }

    #[test]
    fn signature_rejects_wrong_length(secret in text(20), len in 0usize..80, pad in "[0-9a-f]{0,40}") {
        prop_assume!(len != rongcloud::SIGNATURE_LEN);
        let secret = AppSecret::new(secret);
        let mut sig = rongcloud::signature(&secret, "n", "t");
        sig.push_str(&pad);
        let s: String = sig.chars().cycle().take(len).collect();
        prop_assert_eq!(
            rongcloud::verify(&secret, "n", "t", &s),
            Err(rongcloud::VerifyError::Malformed)
        );
    }

    #[test]
    fn signature_verify_never_panics(s in any::<String>(), hexish in "[0-9a-fA-F]{40}") {
        let secret = AppSecret::new("secret");
        prop_assert!(rongcloud::verify(&secret, "n", "t", &s).is_err());
        prop_assert_eq!(
            rongcloud::verify(&secret, "n", "t", &hexish),
            Err(rongcloud::VerifyError::Mismatch)
        );
    }

    /// `apply` either signs (and the header is the signature) or fails and changes nothing.
    #[test]
    fn apply_signs_or_leaves_untouched(
        app_key in text(12),
        secret in text(12),
        nonce in text(12),
        timestamp in text(12),
        prefixed in any::<bool>(),
    ) {
        let (app_key, secret) = (AppKey::new(app_key), AppSecret::new(secret));
        let style = if prefixed {
            rongcloud::HeaderStyle::RcPrefixed
        } else {
            rongcloud::HeaderStyle::Plain
        };
        let (mut parts, ()) = http::Request::post("http://127.0.0.1/x").body(()).unwrap().into_parts();
        let before = format!("{parts:?}");
        match HeaderAuth::new(&app_key, &secret, &nonce, &timestamp).with_style(style).apply(&mut parts) {
            Ok(()) => {
                prop_assert_eq!(parts.headers.len(), 4);
                prop_assert_eq!(
                    parts.headers[style.signature()].to_str().unwrap(),
                    rongcloud::signature(&secret, &nonce, &timestamp)
                );
                prop_assert_eq!(parts.headers[style.nonce()].as_bytes(), nonce.as_bytes());
            }
            Err(_) => prop_assert_eq!(format!("{parts:?}"), before),
        }
    }
}
