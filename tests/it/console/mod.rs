//! The emulator's web console (`/_emulator/ui`) in a real headless Chromium, driven over W3C
//! WebDriver: writes made by the real clients appear without a reload, reset empties the page,
//! and a fault rule added from the page reaches the next request. Screenshots (1280×800 and
//! 390 px wide) are saved under `target/` for people to look at.
//!
//! Needs `chromium` and `chromedriver` (Debian: `chromium`, `chromium-driver`; `.ci/run`
//! installs them) and fails without them, like the Redis tests.

use roomkv_rongcloud::RongCloudSettings;
mod webdriver;

use std::path::PathBuf;
use std::time::Duration;

use roomkv_rongcloud::{AppSecret, RongCloudCode};
use roomkv_tencent::CreateRoom;

use crate::support::*;
use webdriver::{ChromeDriver, Session};

/// How soon a change must show on the open page: the "within 2 s" (the page polls
/// every second). A deadline for the assertion, not a wait.
const LIVE: Duration = Duration::from_secs(2);
/// How long the first load of the page may take in a cold browser.
const FIRST_LOAD: Duration = Duration::from_secs(20);

/// `target/` of the workspace (or `CARGO_TARGET_DIR`).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"),
        PathBuf::from,
    )
}

/// Whether the page fits the window's width (no horizontal scrolling of the document).
async fn fits_width(session: &Session) -> bool {
    session
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth;",
            serde_json::json!([]),
        )
        .await
        == true
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_shows_writes_refusals_resets_and_adds_faults_live() {
    let served = Served::start().await;
    let driver = ChromeDriver::start().await;
    let session = driver.session().await;
    session.window_size(1280, 800).await;
    session
        .navigate(&format!("{}/_emulator/ui", served.url()))
        .await;
    session
        .wait_for_text("#status", FIRST_LOAD, "the page goes live", |t| {
            t.starts_with("live")
        })
        .await;
    assert_eq!(session.text("#kv tbody").await, "");

    // Writes through the real clients, after the page is open.
    let rc = rc_client(&served.url());
    rc.set_entry(&room("lobby"), &user("u1"), key("stage"), value("open"))
        .await
        .unwrap();
    let tc = tc_client(&served.url());
    tc.create_room(CreateRoom::new(live("quiz-room")))
        .await
        .unwrap();
    tc.set_room_metadata(&live("quiz-room"), [(mkey("topic"), mvalue("rust"))])
        .await
        .unwrap();
    let wrong = rc_builder()
        .app_secret(AppSecret::new("not-the-secret"))
        .base_url(served.url())
        .build()
        .unwrap();
    let err = wrong.query_all_entries(&room("lobby")).await.unwrap_err();
    assert_eq!(err.api_code(), Some(RongCloudCode::SignatureError));

    // They show without a reload.
    let kv = session
        .wait_for_text("#kv tbody", LIVE, "the KV entry", |t| {
            t.contains("stage") && t.contains("open") && t.contains("u1")
        })
        .await;
    assert!(kv.contains("lobby"), "{kv}");
    session
        .wait_for_text("#rooms tbody", LIVE, "the Tencent metadata", |t| {
            t.contains("quiz-room") && t.contains("topic=rust")
        })
        .await;
    let journal = session
        .wait_for_text(
            "#journal tbody",
            LIVE,
            "the refusal and its explanation",
            |t| {
                t.contains(
                    "signature mismatch: the server computed SHA1(app secret + Nonce + Timestamp)",
                )
            },
        )
        .await;
    assert!(journal.contains("/chatroom/entry/set.json"), "{journal}");
    assert!(journal.contains("set_room_metadata"), "{journal}");
    assert!(!journal.contains("not-the-secret"), "{journal}");
    session
        .wait_for_text("#events tbody", LIVE, "the events", |t| {
            t.contains("rongcloud.kv_sync") && t.contains("tencent.callback")
        })
        .await;
    assert!(
        fits_width(&session).await,
        "the page scrolls sideways at 1280 px"
    );
    let shots = target_dir();
    session
        .screenshot(&shots.join("console-1280x800.png"))
        .await;
    session.window_size(390, 844).await;
    assert!(
        fits_width(&session).await,
        "the page scrolls sideways at 390 px"
    );
    session.screenshot(&shots.join("console-390.png")).await;
    session.window_size(1280, 800).await;

    // Reset from the page empties it.
    session.find("#reset").await.click().await;
    for table in [
        "#kv tbody",
        "#rooms tbody",
        "#journal tbody",
        "#events tbody",
    ] {
        session
            .wait_for_text(table, LIVE, "reset empties the page", str::is_empty)
            .await;
    }
    assert!(served.entries("lobby").is_empty());

    // A fault rule added from the page reaches the next request.
    let path = session.find("#fault-path").await;
    path.clear().await;
    path.send_keys("/chatroom/entry/set.json").await;
    let code = session.find("#fault-value").await;
    code.clear().await;
    code.send_keys("1009").await;
    session.find("#fault-add").await.click().await;
    session
        .wait_for_text("#faults tbody", LIVE, "the fault rule is listed", |t| {
            t.contains("/chatroom/entry/set.json") && t.contains("1009")
        })
        .await;
    assert_eq!(session.text("#fault-error").await, "");
    let err = rc
        .set_entry(&room("lobby"), &user("u1"), key("stage"), value("again"))
        .await
        .unwrap_err();
    assert_eq!(
        err.api_code(),
        Some(RongCloudCode::ServiceNotEnabled),
        "{err}"
    );
    session
        .wait_for_text(
            "#faults tbody",
            LIVE,
            "the used-up rule disappears",
            str::is_empty,
        )
        .await;
    session
        .wait_for_text(
            "#journal tbody",
            LIVE,
            "the faulted request is journaled",
            |t| t.contains("1009 (fault)") && t.contains("a fault rule forced vendor code 1009"),
        )
        .await;

    session.quit().await;
    drop(driver);
}
