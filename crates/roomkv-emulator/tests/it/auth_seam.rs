//! The `Authenticator` seam: rejections map to the vendors' codes, and a panic anywhere in a
//! request is answered with the vendor's internal-error code, never a 500.

use std::sync::Arc;

use roomkv_core::rongcloud::server::AuthHeaders;
use roomkv_emulator::auth::{Authenticator, SignatureMismatch, UserSigCheck, UserSigRejection};
use roomkv_emulator::config::Secret;
use roomkv_emulator::{Emulator, EmulatorConfig};

use crate::common::*;

/// Accepts only the signature "good" and UserSigs named after a rejection.
struct Scripted;

impl Authenticator for Scripted {
    fn verify_rongcloud(
        &self,
        secret: &Secret,
        headers: &AuthHeaders,
    ) -> Result<(), SignatureMismatch> {
        assert_eq!(secret.expose(), "demo-app-secret");
        match headers.signature.as_deref() {
            Some("good") => Ok(()),
            Some("panic") => panic!("authenticator bug"),
            _ => Err(SignatureMismatch),
        }
    }

    fn verify_tencent(&self, check: &UserSigCheck<'_>) -> Result<(), UserSigRejection> {
        assert_eq!(check.secret_key.expose(), "demo-secret-key");
        assert_eq!(check.sdkappid, SDKAPPID);
        assert_eq!(check.now_unix_secs, 1_700_000_000);
        match check.usersig {
            "malformed" => Err(UserSigRejection::Malformed),
            "expired" => Err(UserSigRejection::Expired),
            "mismatch" => Err(UserSigRejection::SignatureMismatch),
            "identifier" => Err(UserSigRejection::IdentifierMismatch),
            "sdkappid" => Err(UserSigRejection::SdkAppIdMismatch),
            "panic" => panic!("authenticator bug"),
            _ => Ok(()),
        }
    }
}

fn emulator() -> Emulator {
    let clock = roomkv_transport::test_util::ManualClock::new(std::time::UNIX_EPOCH + T0);
    Emulator::builder(EmulatorConfig::default())
        .clock(clock)
        .authenticator(Arc::new(Scripted))
        .build()
}

#[test]
fn rongcloud_signature_rejections_are_401_1004() {
    let emulator = emulator();
    let signed = |signature: &str| {
        let mut request = rc_request("/chatroom/entry/query.json", "chatroomId=r");
        request
            .headers_mut()
            .insert("Signature", signature.parse().unwrap());
        emulator.handle(request)
    };
    let reply = signed("bad");
    assert_eq!((reply.status().as_u16(), code(&reply)), (401, 1004));
    let reply = signed("good");
    assert_ne!(reply.status(), 401);
    let reply = signed("panic");
    assert_eq!(
        (reply.status().as_u16(), code(&reply)),
        (200, 1000),
        "a panic is the vendor's internal error"
    );
}

#[test]
fn tencent_usersig_rejections_map_to_their_codes() {
    let emulator = emulator();
    let with_sig = |usersig: &str| {
        let uri = format!(
            "/v4/live_engine_http_srv/get_room_info?sdkappid={SDKAPPID}&identifier={ADMIN}&usersig={usersig}"
        );
        let reply = emulator.handle(
            http::Request::post(uri)
                .body(bytes::Bytes::from_static(b"{}"))
                .unwrap(),
        );
        assert_eq!(reply.status(), 200);
        code(&reply)
    };
    assert_eq!(with_sig("malformed"), 70003);
    assert_eq!(with_sig("expired"), 70001);
    assert_eq!(with_sig("mismatch"), 70009);
    assert_eq!(with_sig("identifier"), 70013);
    assert_eq!(with_sig("sdkappid"), 70014);
    assert_eq!(with_sig("panic"), 100001);
    // Accepted UserSig, then the admin rule.
    let uri = format!(
        "/v4/live_engine_http_srv/get_room_info?sdkappid={SDKAPPID}&identifier=bob&usersig=fine"
    );
    let reply = emulator.handle(
        http::Request::post(uri)
            .body(bytes::Bytes::from_static(b"{}"))
            .unwrap(),
    );
    assert_eq!(code(&reply), 60010);
}
