//! Signature test vectors, one directory per case (the aws-sigv4 test-suite layout):
//!
//! * `testdata/rongcloud/<case>/{context.json, string-to-sign.txt, signature.txt}`
//! * `testdata/tencent/<case>/{context.json, string-to-sign.txt, hmac-hex.txt, sig.txt,
//!   usersig-python.txt, [usersig-<other sdk>.txt...]}`
//!
//! One test walks every directory and fails on a missing, unexpected or empty case. Plus
//! interoperability checks for inputs the other official SDKs produce that have no fixed vector
//! (Go: stored zlib blocks and a trailing newline; userbuf).

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use roomkv_sign::rongcloud::{self, AppKey, AppSecret, HeaderAuth};
use roomkv_sign::tencent::{self, Claims, MalformedReason, SecretKey, VerifyError};
use serde_json::Value;
use sha1::{Digest as _, Sha1};

const TENCENT_KEY: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";

/// The files of one case directory, by name.
struct Case {
    dir: PathBuf,
    files: BTreeMap<String, String>,
}

impl Case {
    /// Exact content (for strings to sign, whose trailing newlines matter).
    fn raw(&self, name: &str) -> &str {
        &self.files[name]
    }

    /// A one-line value: the content without its single trailing newline.
    fn line(&self, name: &str) -> &str {
        let s = self.raw(name);
        let s = s.strip_suffix('\n').unwrap_or(s);
        assert!(
            !s.is_empty() && !s.contains(char::is_whitespace),
            "{}/{name} must hold one value on one line",
            self.dir.display()
        );
        s
    }

    fn context(&self) -> Value {
        serde_json::from_str(self.raw("context.json"))
            .unwrap_or_else(|e| panic!("{}/context.json: {e}", self.dir.display()))
    }
}

/// Loads every case of `vendor`; checks the file set of each (`required` all present, nothing
/// else but `optional_prefix*.txt`).
fn load(vendor: &str, required: &[&str], optional_prefix: &str) -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(vendor);
    let mut cases = Vec::new();
    for entry in fs::read_dir(&root).unwrap_or_else(|e| panic!("{}: {e}", root.display())) {
        let dir = entry.unwrap().path();
        assert!(
            dir.is_dir(),
            "{}: only case directories belong here",
            dir.display()
        );
        let mut files = BTreeMap::new();
        for file in fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            let known = required.contains(&name.as_str())
                || (name.starts_with(optional_prefix) && name.ends_with(".txt"));
            assert!(known, "{}: unexpected file", path.display());
            files.insert(name, fs::read_to_string(&path).unwrap());
        }
        for name in required {
            assert!(
                files.contains_key(*name),
                "{}: missing {name}",
                dir.display()
            );
        }
        cases.push(Case { dir, files });
    }
    assert!(!cases.is_empty(), "{}: no test vectors", root.display());
    cases.sort_by(|a, b| a.dir.cmp(&b.dir));
    cases
}

fn str_field<'a>(ctx: &'a Value, key: &str) -> &'a str {
    ctx[key]
        .as_str()
        .unwrap_or_else(|| panic!("context.{key} must be a string"))
}

fn u64_field(ctx: &Value, key: &str) -> u64 {
    ctx[key]
        .as_u64()
        .unwrap_or_else(|| panic!("context.{key} must be a non-negative integer"))
}

fn check_rongcloud(case: &Case) {
    let ctx = case.context();
    let secret = AppSecret::new(str_field(&ctx, "app_secret"));
    let nonce = str_field(&ctx, "nonce");
    let timestamp = str_field(&ctx, "timestamp");
    let expected = case.line("signature.txt");

    // The string to sign is the plain concatenation, and its SHA1 is the vector.
    let to_sign = case.raw("string-to-sign.txt");
    assert_eq!(
        to_sign,
        format!("{}{nonce}{timestamp}", secret.expose_secret())
    );
    assert_eq!(support::hex(&Sha1::digest(to_sign.as_bytes())), expected);

    assert_eq!(rongcloud::signature(&secret, nonce, timestamp), expected);
    assert_eq!(
        rongcloud::verify(&secret, nonce, timestamp, expected),
        Ok(())
    );
    assert_eq!(
        rongcloud::verify(&secret, nonce, timestamp, &expected.to_ascii_uppercase()),
        Ok(())
    );
    assert_eq!(
        rongcloud::verify(&secret, &format!("{nonce}0"), timestamp, expected),
        Err(rongcloud::VerifyError::Mismatch)
    );

    let key = AppKey::new(ctx["app_key"].as_str().unwrap_or("app-key"));
    let (mut parts, ()) = http::Request::post("http://127.0.0.1/")
        .body(())
        .unwrap()
        .into_parts();
    HeaderAuth::new(&key, &secret, nonce, timestamp)
        .apply(&mut parts)
        .unwrap();
    assert_eq!(parts.headers["signature"], expected);
    assert_eq!(parts.headers["nonce"], nonce);
    assert_eq!(parts.headers["timestamp"], timestamp);
    assert_eq!(parts.headers["app-key"], key.as_str());
}

fn check_tencent(case: &Case) {
    let ctx = case.context();
    let sdkappid = u64_field(&ctx, "sdkappid");
    let identifier = str_field(&ctx, "identifier");
    let key_str = str_field(&ctx, "secret_key");
    let key = SecretKey::new(key_str);
    let expire = u64_field(&ctx, "expire");
    let time = u64_field(&ctx, "time");
    let expires_at = time + expire;
    let sig = case.line("sig.txt");

    // Intermediate values: content, HMAC, TLS.sig.
    let to_sign = case.raw("string-to-sign.txt");
    assert_eq!(
        tencent::string_to_sign(sdkappid, identifier, time, expire),
        to_sign
    );
    let hmac = support::hmac_sha256(key_str.as_bytes(), to_sign.as_bytes());
    assert_eq!(support::hex(&hmac), case.line("hmac-hex.txt"));
    assert_eq!(support::tls_sig(key_str.as_bytes(), to_sign), sig);

    // Our own output: compact JSON in the Python key order, carrying the same TLS.sig.
    let ours = tencent::generate(sdkappid, identifier, &key, expire, time);
    assert_eq!(
        support::decode_usersig(ours.expose_secret()),
        format!(
            r#"{{"TLS.ver":"2.0","TLS.identifier":{},"TLS.sdkappid":{sdkappid},"TLS.expire":{expire},"TLS.time":{time},"TLS.sig":"{sig}"}}"#,
            serde_json::to_string(identifier).unwrap()
        )
    );

    let claims: Claims =
        tencent::verify(ours.expose_secret(), &key, sdkappid, identifier, time).unwrap();
    assert_eq!(
        (
            claims.sdkappid,
            claims.identifier.as_str(),
            claims.time,
            claims.expire
        ),
        (sdkappid, identifier, time, expire)
    );

    // Every official UserSig, and ours, verifies through its last second and not after.
    let mut usersigs: Vec<(String, String)> = case
        .files
        .keys()
        .filter(|name| name.starts_with("usersig-"))
        .map(|name| (name.clone(), case.line(name).to_owned()))
        .collect();
    usersigs.push(("generated".into(), ours.expose_secret().to_owned()));
    for (name, usersig) in &usersigs {
        let at = |now| tencent::verify(usersig, &key, sdkappid, identifier, now);
        let json: Value = serde_json::from_str(&support::decode_usersig(usersig)).unwrap();
        assert_eq!(json["TLS.sig"], sig, "{name}: TLS.sig");

        assert_eq!(at(time).as_ref(), Ok(&claims), "{name}: at issue time");
        assert_eq!(at(expires_at).as_ref(), Ok(&claims), "{name}: at expiry");
        assert_eq!(
            at(expires_at + 1),
            Err(VerifyError::Expired {
                expired_at: expires_at,
                now: expires_at + 1
            }),
            "{name}: one second after expiry"
        );

        let mut wrong_key = key_str.to_owned().into_bytes();
        *wrong_key.last_mut().unwrap() ^= 1;
        assert_eq!(
            tencent::verify(
                usersig,
                &SecretKey::new(wrong_key),
                sdkappid,
                identifier,
                time
            ),
            Err(VerifyError::SignatureMismatch),
            "{name}: wrong key"
        );
        assert_eq!(
            tencent::verify(usersig, &key, sdkappid + 1, identifier, time),
            Err(VerifyError::SdkAppIdMismatch {
                expected: sdkappid + 1,
                found: sdkappid
            }),
            "{name}: wrong sdkappid"
        );
        assert_eq!(
            tencent::verify(usersig, &key, sdkappid, "someone-else", time),
            Err(VerifyError::IdentifierMismatch {
                expected: "someone-else".into(),
                found: identifier.into()
            }),
            "{name}: wrong identifier"
        );
    }
}

#[test]
fn vectors() {
    let rongcloud = load(
        "rongcloud",
        &["context.json", "string-to-sign.txt", "signature.txt"],
        "signature-",
    );
    for case in &rongcloud {
        check_rongcloud(case);
    }

    let tencent = load(
        "tencent",
        &[
            "context.json",
            "string-to-sign.txt",
            "hmac-hex.txt",
            "sig.txt",
            "usersig-python.txt",
        ],
        "usersig-",
    );
    for case in &tencent {
        check_tencent(case);
    }
}

/// The Python and Node UserSigs of vector A differ as strings but carry the same claims and
/// signature: the reason UserSigs must never be compared as strings.
#[test]
fn official_strings_differ_but_both_verify() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/tencent/vector-a");
    let python = fs::read_to_string(dir.join("usersig-python.txt")).unwrap();
    let node = fs::read_to_string(dir.join("usersig-node.txt")).unwrap();
    assert_ne!(python, node);
    // Python's json.dumps spacing, Node's compact JSON in another key order.
    assert!(support::decode_usersig(python.trim_end()).contains(r#""TLS.ver": "2.0", "#));
    assert!(
        support::decode_usersig(node.trim_end()).contains(r#""TLS.time":1700000000,"TLS.expire""#)
    );
    let key = SecretKey::new(TENCENT_KEY);
    for s in [&python, &node] {
        tencent::verify(s.trim_end(), &key, 1400000000, "xiaojun", 1700000000).unwrap();
    }
}

/// The Go SDK writes compact JSON with `json.Encoder` (a trailing newline) and compresses with
/// `zlib.NoCompression` (stored blocks, header `78 01`).
#[test]
fn go_style_usersig_verifies() {
    let key = SecretKey::new(TENCENT_KEY);
    let sig = support::tls_sig(
        TENCENT_KEY.as_bytes(),
        &support::content(1400000000, "xiaojun", 1700000000, 86400, None),
    );
    let json = format!(
        "{{\"TLS.ver\":\"2.0\",\"TLS.identifier\":\"xiaojun\",\"TLS.sdkappid\":1400000000,\"TLS.expire\":86400,\"TLS.time\":1700000000,\"TLS.sig\":\"{sig}\"}}\n"
    );
    let usersig = support::encode_usersig(json.as_bytes(), flate2::Compression::none());
    let compressed = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        usersig
            .replace('*', "+")
            .replace('-', "/")
            .replace('_', "="),
    )
    .unwrap();
    assert_eq!(compressed[..2], [0x78, 0x01], "stored-block zlib header");

    let claims = tencent::verify(&usersig, &key, 1400000000, "xiaojun", 1700086400).unwrap();
    assert_eq!(claims.expires_at(), 1700086400);
}

/// Numbers written as strings, unknown keys, a missing `TLS.ver` and other whitespace are
/// tolerated; what is signed is the parsed values.
#[test]
fn lenient_json_verifies() {
    let key = SecretKey::new(TENCENT_KEY);
    let sig = support::tls_sig(
        TENCENT_KEY.as_bytes(),
        &support::content(1400000000, "admin", 1700000000, 60, None),
    );
    let json = format!(
        "\r\n {{ \"TLS.sig\" : \"{sig}\",\n\t\"TLS.sdkappid\":\"1400000000\", \"TLS.expire\":60, \"x\":[1,{{}}], \"TLS.time\":\"1700000000\", \"TLS.identifier\":\"admin\" }}\n\n"
    );
    for level in [
        flate2::Compression::none(),
        flate2::Compression::fast(),
        flate2::Compression::best(),
    ] {
        let usersig = support::encode_usersig(json.as_bytes(), level);
        tencent::verify(&usersig, &key, 1400000000, "admin", 1700000060).unwrap();
    }
}

/// TRTC PrivateMapKey-style UserSigs carry `TLS.userbuf`, which the official SDKs put into the
/// signed content; such a UserSig verifies, and dropping or altering the userbuf breaks it.
#[test]
fn userbuf_is_part_of_the_signed_content() {
    let key = SecretKey::new(TENCENT_KEY);
    let userbuf = "AAAHeGlhb2p1bgAAAAA=";
    let sig = support::tls_sig(
        TENCENT_KEY.as_bytes(),
        &support::content(1400000000, "xiaojun", 1700000000, 60, Some(userbuf)),
    );
    let doc = |userbuf: Option<&str>| {
        let userbuf = userbuf.map_or(String::new(), |u| format!(",\"TLS.userbuf\":\"{u}\""));
        let json = format!(
            "{{\"TLS.ver\":\"2.0\",\"TLS.identifier\":\"xiaojun\",\"TLS.sdkappid\":1400000000,\"TLS.expire\":60,\"TLS.time\":1700000000{userbuf},\"TLS.sig\":\"{sig}\"}}"
        );
        support::encode_usersig(json.as_bytes(), flate2::Compression::default())
    };
    let verify = |usersig: &str| tencent::verify(usersig, &key, 1400000000, "xiaojun", 1700000000);

    verify(&doc(Some(userbuf))).unwrap();
    assert_eq!(verify(&doc(None)), Err(VerifyError::SignatureMismatch));
    assert_eq!(
        verify(&doc(Some("AAAHeGlhb2p1bgAAAAE="))),
        Err(VerifyError::SignatureMismatch)
    );
}

/// Each decoding stage reports its own reason, naming the field where one is at fault.
#[test]
fn malformed_reasons() {
    let key = SecretKey::new(TENCENT_KEY);
    let verify = |usersig: &str| tencent::verify(usersig, &key, 1, "a", 0);
    let json = |s: &str| support::encode_usersig(s.as_bytes(), flate2::Compression::default());
    let malformed = |reason| Err(VerifyError::Malformed { reason });

    assert_eq!(verify("not base64!"), malformed(MalformedReason::Base64));
    assert_eq!(verify(""), malformed(MalformedReason::Zlib));
    assert_eq!(
        verify(&support::base64url_prime(b"{\"not\":\"zlib\"}")),
        malformed(MalformedReason::Zlib)
    );
    // A truncated zlib stream.
    let whole = support::encode_usersig(&[b'x'; 300], flate2::Compression::none());
    assert_eq!(verify(&whole[..40]), malformed(MalformedReason::Zlib));
    assert_eq!(verify(&json("[1,2]")), malformed(MalformedReason::Json));
    assert_eq!(verify(&json("{")), malformed(MalformedReason::Json));

    let full =
        r#"{"TLS.identifier":"a","TLS.sdkappid":1,"TLS.time":0,"TLS.expire":1,"TLS.sig":"AAAA"}"#;
    let mut doc: serde_json::Map<String, Value> = serde_json::from_str(full).unwrap();
    for field in [
        "TLS.identifier",
        "TLS.sdkappid",
        "TLS.time",
        "TLS.expire",
        "TLS.sig",
    ] {
        let mut missing = doc.clone();
        missing.remove(field);
        assert_eq!(
            verify(&json(&Value::Object(missing).to_string())),
            malformed(MalformedReason::MissingField { field }),
        );
        let mut invalid = doc.clone();
        invalid.insert(field.into(), Value::Bool(true));
        assert_eq!(
            verify(&json(&Value::Object(invalid).to_string())),
            malformed(MalformedReason::InvalidField { field }),
        );
    }
    doc.insert("TLS.sig".into(), "not base64!".into());
    assert_eq!(
        verify(&json(&Value::Object(doc.clone()).to_string())),
        malformed(MalformedReason::InvalidField { field: "TLS.sig" }),
    );
    doc.insert("TLS.sig".into(), "AAAA".into());
    doc.insert("TLS.userbuf".into(), 7.into());
    assert_eq!(
        verify(&json(&Value::Object(doc).to_string())),
        malformed(MalformedReason::InvalidField {
            field: "TLS.userbuf"
        }),
    );
}

/// The documented check order: decode, sdkappid, identifier, expiry, signature. A forged
/// document that is wrong in every respect reports the first.
#[test]
fn check_order() {
    let key = SecretKey::new(TENCENT_KEY);
    let usersig = support::encode_usersig(
        br#"{"TLS.identifier":"a","TLS.sdkappid":1,"TLS.time":0,"TLS.expire":1,"TLS.sig":"AAAA"}"#,
        flate2::Compression::default(),
    );
    let verify = |app, id: &str, now| tencent::verify(&usersig, &key, app, id, now);
    assert!(matches!(
        verify(2, "b", 5),
        Err(VerifyError::SdkAppIdMismatch { .. })
    ));
    assert!(matches!(
        verify(1, "b", 5),
        Err(VerifyError::IdentifierMismatch { .. })
    ));
    assert!(matches!(
        verify(1, "a", 5),
        Err(VerifyError::Expired { .. })
    ));
    assert_eq!(verify(1, "a", 1), Err(VerifyError::SignatureMismatch));
}
