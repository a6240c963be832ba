//! One behavioural suite, run in both dialects against the emulator: what a user of the typed
//! methods sees must not depend on whether the client speaks the legacy form API or Nexconn's v4
//! JSON API. Where the two APIs genuinely differ, the suite says so explicitly (one place,
//! [`Expect`]).

use roomkv_rongcloud::RongCloudSettings;
use roomkv_rongcloud::{
    Client, ConversationType, Dialect, Error, Notification, RemoveEntry, RongCloudCode, SetEntry,
};

use crate::support::*;

fn client(served: &Served, dialect: Dialect) -> Client {
    rc_builder()
        .base_url(served.url())
        .dialect(dialect)
        .build()
        .expect("the client builds")
}

/// The HTTP status each dialect gives a refusal: RongCloud answers business errors with 200,
/// Nexconn v4 with a meaningful status.
fn status(dialect: Dialect, legacy: u16, v4: u16) -> u16 {
    match dialect {
        Dialect::V4 => v4,
        _ => legacy,
    }
}

fn assert_refused(err: &Error, code: RongCloudCode, http_status: u16) {
    assert_eq!(err.api_code(), Some(code), "{err}");
    assert_eq!(err.http_status(), Some(http_status), "{err}");
    assert_eq!(err.attempts(), 1, "{err}");
    assert!(!err.is_outcome_unknown(), "{err}");
}

async fn behaviour(dialect: Dialect) {
    let served = Served::start().await;
    let c = client(&served, dialect);
    let r = room("r1");

    // set, batch set, query.
    c.set_entry(&r, &user("anchor"), key("stage"), value("quiz"))
        .await
        .unwrap();
    c.batch_set_entries(
        &r,
        &user("host"),
        [
            (key("a"), value("1")),
            (key("b"), value("2")),
            (key("c"), value("3")),
        ],
    )
    .await
    .unwrap();
    let all = c.query_all_entries(&r).await.unwrap();
    let keys: Vec<&str> = all.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["a", "b", "c", "stage"], "{dialect}");
    let stage = c.get_entry(&r, &key("stage")).await.unwrap().unwrap();
    assert_eq!(stage.value.as_str(), "quiz");
    assert_eq!(stage.user_id.as_str(), "anchor");
    let some = c.query_entries(&r, [key("a"), key("zzz")]).await.unwrap();
    assert_eq!(some.len(), 1);
    assert_eq!(served.entry("r1", "b").unwrap().value, "2");

    // remove, batch remove.
    c.remove_entry(&r, &user("anchor"), key("stage"))
        .await
        .unwrap();
    assert!(c.get_entry(&r, &key("stage")).await.unwrap().is_none());
    c.batch_remove_entries(&r, &user("host"), [key("a"), key("b")])
        .await
        .unwrap();
    let left: Vec<String> = served.entries("r1").into_iter().map(|e| e.key).collect();
    assert_eq!(left, ["c"], "{dialect}");

    // 1015-equivalent: removing what does not exist.
    let err = c
        .remove_entry(&r, &user("host"), key("never"))
        .await
        .unwrap_err();
    assert_refused(&err, RongCloudCode::DataNotFound, status(dialect, 200, 400));
    let err = c
        .batch_remove_entries(&r, &user("host"), [key("never")])
        .await
        .unwrap_err();
    assert_refused(&err, RongCloudCode::DataNotFound, status(dialect, 200, 400));

    // Owner refusal: a set of a key another user owns. Legacy's single-key set checks the owner;
    // v4 has only the batch set, which overwrites whoever owns the key (as legacy batch set does).
    let set_other = c
        .set_entry(&r, &user("intruder"), key("c"), value("x"))
        .await;
    match dialect {
        Dialect::V4 => {
            set_other.unwrap();
            assert_eq!(served.entry("r1", "c").unwrap().user_id, "intruder");
        }
        _ => {
            assert_refused(&set_other.unwrap_err(), RongCloudCode::ParameterError, 200);
            assert_eq!(served.entry("r1", "c").unwrap().user_id, "host");
        }
    }
    // Owner refusal is the same in both through the batch set: it always overwrites.
    c.batch_set_entries(&r, &user("host"), [(key("c"), value("3"))])
        .await
        .unwrap();
    assert_eq!(served.entry("r1", "c").unwrap().user_id, "host");

    // Validation: refused before sending, the same in both.
    let before = served.events().len();
    let err = c
        .batch_set_entries(&r, &user("host"), std::iter::empty())
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), roomkv_rongcloud::ErrorKind::Validation(_)),
        "{err:?}"
    );
    let err = c
        .query_entries(&r, (0..101).map(|i| key(&format!("k{i}"))))
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), roomkv_rongcloud::ErrorKind::Validation(_)),
        "{err:?}"
    );
    assert_eq!(served.events().len(), before, "nothing was sent");

    // Notifications: sent in legacy; refused (not dropped) in v4.
    let notify_set = SetEntry::new(r.clone(), user("host"), key("n"), value("1"))
        .notify(Notification::kv_change());
    let notify_remove =
        RemoveEntry::new(r.clone(), user("host"), key("c")).notify(Notification::kv_change());
    match dialect {
        Dialect::V4 => {
            assert!(matches!(
                c.send(&notify_set).await,
                Err(ref err) if matches!(err.kind(), roomkv_rongcloud::ErrorKind::Validation(_))
            ));
            assert!(matches!(
                c.send(&notify_remove).await,
                Err(ref err) if matches!(err.kind(), roomkv_rongcloud::ErrorKind::Validation(_))
            ));
            assert!(served.notifications().is_empty());
        }
        _ => {
            c.send(&notify_set).await.unwrap();
            c.send(&notify_remove).await.unwrap();
            assert_eq!(served.notifications().len(), 2);
        }
    }

    // Expansions: set, query, delete.
    let m = msg("MSG-1");
    let group = target("g1");
    c.set_expansion(
        &m,
        &user("alice"),
        ConversationType::Group,
        &group,
        [
            (ekey("likes"), evalue("3")),
            (ekey("mood"), evalue("happy")),
        ],
    )
    .await
    .unwrap();
    let page = c.query_expansion(&m).await.unwrap();
    assert_eq!(page.get("likes").unwrap().value.as_str(), "3");
    assert_eq!(page.get("mood").unwrap().value.as_str(), "happy");
    c.delete_expansion(
        &m,
        &user("alice"),
        ConversationType::Group,
        &group,
        [ekey("likes")],
    )
    .await
    .unwrap();
    let page = c.query_expansion(&m).await.unwrap();
    assert!(page.get("likes").is_none(), "{dialect}");
    assert!(page.get("mood").is_some(), "{dialect}");
}

#[tokio::test]
async fn legacy_dialect() {
    behaviour(Dialect::Legacy).await;
}

#[tokio::test]
async fn v4_dialect() {
    behaviour(Dialect::V4).await;
}

/// A key written in one dialect is read in the other, on one emulator.
#[tokio::test]
async fn dialects_interoperate() {
    let served = Served::start().await;
    let legacy = client(&served, Dialect::Legacy);
    let v4 = client(&served, Dialect::V4);
    let r = room("shared");
    v4.set_entry(&r, &user("anchor"), key("k"), value("from-v4"))
        .await
        .unwrap();
    let got = legacy.get_entry(&r, &key("k")).await.unwrap().unwrap();
    assert_eq!(got.value.as_str(), "from-v4");
    legacy
        .remove_entry(&r, &user("anchor"), key("k"))
        .await
        .unwrap();
    assert!(v4.get_entry(&r, &key("k")).await.unwrap().is_none());
}
