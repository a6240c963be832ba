//! Secrets never show up in `Debug` (or `Display`) output: not of the secret types, not of the
//! types holding them, not of errors, and not of a request head after signing.

mod support;

use roomkv_sign::rongcloud::{self, AppKey, AppSecret, HeaderAuth, HeaderStyle};
use roomkv_sign::tencent::{self, SecretKey, UserSig, VerifyError};

const APP_SECRET: &str = "rc-app-secret-DO-NOT-LEAK";
const TENCENT_KEY: &str = "tencent-secret-key-DO-NOT-LEAK";

/// Asserts that none of `secrets` occurs in `shown`.
fn assert_hides(what: &str, shown: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(
            !shown.contains(secret),
            "{what} shows a secret: {shown}\n(secret: {secret})"
        );
    }
    assert!(!shown.contains("DO-NOT-LEAK"), "{what}: {shown}");
}

#[test]
fn rongcloud_types_and_signed_request_redact() {
    let key = AppKey::new("public-app-key");
    let secret = AppSecret::new(APP_SECRET);
    let sig = rongcloud::signature(&secret, "n", "1");
    let secrets = [APP_SECRET, sig.as_str()];

    assert_eq!(format!("{secret:?}"), "AppSecret(***)");
    assert_hides("AppSecret", &format!("{secret:?} {secret:#?}"), &secrets);

    let auth = HeaderAuth::new(&key, &secret, "n", "1").with_style(HeaderStyle::RcPrefixed);
    assert_hides("HeaderAuth", &format!("{auth:?} {auth:#?}"), &secrets);

    let (mut parts, ()) = http::Request::post("http://127.0.0.1/")
        .body(())
        .unwrap()
        .into_parts();
    HeaderAuth::new(&key, &secret, "n", "1")
        .apply(&mut parts)
        .unwrap();
    let shown = format!("{parts:?}");
    assert!(shown.contains("public-app-key"), "{shown}");
    assert!(shown.contains("Sensitive"), "{shown}");
    assert_hides("signed request head", &shown, &secrets);

    let bad_nonce = HeaderAuth::new(&key, &secret, "bad\n", "1")
        .apply(&mut parts)
        .unwrap_err();
    let verify = rongcloud::verify(&secret, "n", "2", &sig).unwrap_err();
    let malformed = rongcloud::verify(&secret, "n", "1", "xyz").unwrap_err();
    for (what, err) in [
        ("SigningError", format!("{bad_nonce:?} {bad_nonce}")),
        ("VerifyError::Mismatch", format!("{verify:?} {verify}")),
        (
            "VerifyError::Malformed",
            format!("{malformed:?} {malformed}"),
        ),
    ] {
        assert_hides(what, &err, &secrets);
    }
}

#[test]
fn tencent_types_and_errors_redact() {
    let key = SecretKey::new(TENCENT_KEY);
    let usersig = tencent::generate(1400000000, "administrator", &key, 60, 1700000000);
    let json = support::decode_usersig(usersig.expose_secret());
    let tls_sig = json
        .split("\"TLS.sig\":\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let secrets = [TENCENT_KEY, usersig.expose_secret(), tls_sig.as_str()];

    assert_eq!(format!("{key:?}"), "SecretKey(***)");
    assert_eq!(format!("{usersig:?}"), "UserSig(***)");
    assert_hides("SecretKey", &format!("{key:#?}"), &secrets);
    assert_hides("UserSig", &format!("{usersig:#?}"), &secrets);
    assert_hides(
        "UserSig::new",
        &format!("{:?}", UserSig::new(usersig.expose_secret())),
        &secrets,
    );

    let s = usersig.expose_secret();
    let claims = tencent::verify(s, &key, 1400000000, "administrator", 1700000000).unwrap();
    assert_hides("Claims", &format!("{claims:?}"), &secrets);

    let wrong_key = SecretKey::new("another-key");
    let errors: Vec<VerifyError> = [
        tencent::verify(s, &wrong_key, 1400000000, "administrator", 1700000000),
        tencent::verify(s, &key, 1, "administrator", 1700000000),
        tencent::verify(s, &key, 1400000000, "someone", 1700000000),
        tencent::verify(s, &key, 1400000000, "administrator", 1800000000),
        tencent::verify(&s[1..], &key, 1400000000, "administrator", 1700000000),
        tencent::verify(&s[..s.len() - 8], &key, 1400000000, "administrator", 0),
    ]
    .into_iter()
    .map(Result::unwrap_err)
    .collect();
    assert_eq!(errors.len(), 6);
    for err in &errors {
        assert_hides("VerifyError", &format!("{err:?} {err:#?} {err}"), &secrets);
    }
}
