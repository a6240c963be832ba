//! `Debug` and `Display` of every public type that holds or derives from a secret and is not
//! made by a run: roomkv-sign's secrets, UserSigs, signing inputs and verification results, and
//! the emulator's configuration, apps, handles and event log. (The clients and their builders
//! are rendered by the runs, before and after use.) One line per value.

use std::time::{SystemTime, UNIX_EPOCH};

use roomkv_emulator::Emulator;
use roomkv_emulator::config::{RongCloudApp, Secret, TencentApp};
use roomkv_sign::rongcloud::{AppKey, AppSecret, HeaderAuth, HeaderStyle};
use roomkv_sign::tencent::{SecretKey, UserSig};

use super::{ADMIN, RC_KEY, RC_SECRET, Run, SDKAPPID, TC_SECRET, TC_WRONG_SECRET};

pub(crate) fn values(run: &mut Run) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let app_key = AppKey::new(RC_KEY);
    let app_secret = AppSecret::new(RC_SECRET);
    let key = SecretKey::new(TC_SECRET);
    let usersig = roomkv_sign::tencent::generate(SDKAPPID, ADMIN, &key, 86_400, now);
    run.made.push(usersig.expose_secret().to_owned());
    let c = &mut run.corpus;

    c.debug("sign AppSecret", &app_secret);
    c.debug("sign SecretKey", &key);
    c.debug("sign UserSig", &usersig);
    c.debug("sign UserSig::new", &UserSig::new(usersig.expose_secret()));
    let auth = HeaderAuth::new(&app_key, &app_secret, "14314", "1408710653000");
    c.debug("sign HeaderAuth", &auth);
    c.debug(
        "sign HeaderAuth RC-",
        &auth.with_style(HeaderStyle::RcPrefixed),
    );
    // The signed request head: the signature header is marked sensitive.
    let (mut parts, ()) = http::Request::post("http://127.0.0.1/chatroom/entry/set.json")
        .body(())
        .expect("a request")
        .into_parts();
    auth.apply(&mut parts).expect("the headers are valid");
    let signature = parts.headers["signature"].to_str().expect("hex").to_owned();
    run.made.push(signature.clone());
    c.debug("signed request head", &parts);
    c.debug("signed header map", &parts.headers);
    c.shown(
        "sign rongcloud::verify mismatch",
        &roomkv_sign::rongcloud::verify(&app_secret, "14315", "1408710653000", &signature)
            .expect_err("another nonce"),
    );
    c.shown(
        "sign rongcloud::verify malformed",
        &roomkv_sign::rongcloud::verify(&app_secret, "14314", "1408710653000", "zz")
            .expect_err("not hex"),
    );
    let claims = roomkv_sign::tencent::verify(usersig.expose_secret(), &key, SDKAPPID, ADMIN, now)
        .expect("a fresh UserSig verifies");
    c.debug("sign tencent Claims", &claims);
    for (label, result) in [
        (
            "sign tencent::verify wrong key",
            roomkv_sign::tencent::verify(
                usersig.expose_secret(),
                &SecretKey::new(TC_WRONG_SECRET),
                SDKAPPID,
                ADMIN,
                now,
            ),
        ),
        (
            "sign tencent::verify expired",
            roomkv_sign::tencent::verify(
                usersig.expose_secret(),
                &key,
                SDKAPPID,
                ADMIN,
                now + 2 * 86_400,
            ),
        ),
        (
            "sign tencent::verify other identifier",
            roomkv_sign::tencent::verify(usersig.expose_secret(), &key, SDKAPPID, "alice", now),
        ),
        (
            "sign tencent::verify malformed",
            roomkv_sign::tencent::verify("eJx-not-a-usersig", &key, SDKAPPID, ADMIN, now),
        ),
    ] {
        let err = result.expect_err(label);
        c.error(label, &err);
    }

    c.debug("emulator Secret", &Secret::new(RC_SECRET));
    c.debug(
        "emulator RongCloudApp",
        &RongCloudApp::new(RC_KEY, RC_SECRET),
    );
    c.debug(
        "emulator TencentApp",
        &TencentApp::new(SDKAPPID, TC_SECRET, ADMIN),
    );
}

/// The emulators after the runs: configuration, handles, state and event log.
pub(crate) fn emulators(run: &mut Run) {
    let c = &mut run.corpus;
    for (label, served) in [("main", &run.main), ("strict", &run.strict)] {
        let emulator = &served.emulator;
        c.debug(&format!("{label} EmulatorConfig"), emulator.config());
        c.debug(&format!("{label} Emulator"), emulator);
        c.debug(
            &format!("{label} EmulatorBuilder"),
            &Emulator::builder(emulator.config().clone()),
        );
        c.debug(&format!("{label} EmulatorClient"), &emulator.http_client());
        c.debug(&format!("{label} ServerHandle"), served.server());
        c.debug(&format!("{label} events"), &served.events());
    }
}
