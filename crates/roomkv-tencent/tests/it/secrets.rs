//! The secret key and the UserSig never appear in `Debug`, `Display` or logs.

use roomkv_tencent::TencentSettings;
use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use roomkv_tencent::{Client, Error, WriteRetry};
use roomkv_transport::test_util::{CaptureClient, response};
use roomkv_transport::{HttpRequest, TransportError};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

use crate::support::*;

/// A subscriber that writes every span and event, with all fields, at every level, into a
/// shared buffer.
#[derive(Clone, Default)]
pub(crate) struct CaptureLogs {
    text: Arc<Mutex<String>>,
    next_id: Arc<AtomicU64>,
}

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }
}

impl CaptureLogs {
    pub(crate) fn text(&self) -> String {
        self.text.lock().unwrap().clone()
    }

    fn line(&self, kind: &str, metadata: &Metadata<'_>, record: impl FnOnce(&mut Fields<'_>)) {
        let mut text = self.text.lock().unwrap();
        let _ = write!(
            text,
            "{kind} {} {} {}:",
            metadata.level(),
            metadata.target(),
            metadata.name()
        );
        record(&mut Fields(&mut text));
        text.push('\n');
    }
}

impl Subscriber for CaptureLogs {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        self.line("span", span.metadata(), |f| span.record(f));
        Id::from_u64(self.next_id.fetch_add(1, Ordering::Relaxed) + 1)
    }

    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut text = self.text.lock().unwrap();
        text.push_str("record:");
        values.record(&mut Fields(&mut text));
        text.push('\n');
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        self.line("event", event.metadata(), |f| event.record(f));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// Asserts that `text` contains neither the key nor any UserSig that `requests` carried.
pub(crate) fn assert_no_secrets(text: &str, requests: &[HttpRequest]) {
    let sigs: Vec<String> = requests.iter().map(usersig).collect();
    assert_no_usersigs(text, &sigs);
}

/// Asserts that `text` contains neither the key nor any of `usersigs`.
pub(crate) fn assert_no_usersigs(text: &str, usersigs: &[String]) {
    assert!(!text.contains(KEY), "the secret key leaked:\n{text}");
    assert!(!text.contains("usersig="), "a signed URL leaked:\n{text}");
    assert!(!usersigs.is_empty());
    for sig in usersigs {
        assert!(!text.contains(sig.as_str()), "a UserSig leaked:\n{text}");
        // Any part of it would be a leak too (a truncated URL, a shortened field). Sixteen
        // characters of a compressed, base64-encoded blob never occur by chance.
        for start in (0..sig.len().saturating_sub(16)).step_by(4) {
            let part = &sig[start..start + 16];
            assert!(
                !text.contains(part),
                "part of a UserSig leaked ({part}):\n{text}"
            );
        }
    }
}

/// Errors of every kind that reached the server, and the requests that carried them.
async fn errors_of_every_kind() -> (Vec<Error>, Vec<HttpRequest>) {
    let capture = CaptureClient::new();
    let client = builder(&capture)
        .clock(TickingClock::default())
        .write_retry(WriteRetry::OnlyUnprocessed)
        .build()
        .unwrap();
    capture
        .push_error(TransportError::timeout(Some(Duration::from_secs(5))))
        .push_error(TransportError::connect(std::io::Error::other("refused")))
        .push_error(TransportError::connect(std::io::Error::other("refused")))
        .push_error(TransportError::connect(std::io::Error::other("refused")))
        .push_response(fail(70001, "expired"))
        .push_response(fail(70001, "expired"))
        .push_response(fail(100004, "room not exist"))
        .push_response(response(502, "<html>bad gateway</html>"))
        .push_response(response(200, "garbled"));
    let r = room("r");
    let mut errors = vec![
        client.destroy_room(&r).await.unwrap_err(),
        client.get_room_info(&r).await.unwrap_err(),
        client.destroy_room(&r).await.unwrap_err(),
        client.get_room_info(&r).await.unwrap_err(),
        client.destroy_room(&r).await.unwrap_err(),
        client.destroy_room(&r).await.unwrap_err(),
        client.del_room_metadata(&r, []).await.unwrap_err(),
    ];
    errors.push(Error::from(
        Client::builder().sdkappid(1).build().unwrap_err(),
    ));
    (errors, capture.requests())
}

#[tokio::test(start_paused = true)]
async fn errors_never_show_secrets() {
    let (errors, requests) = errors_of_every_kind().await;
    assert!(requests.len() >= 8);
    let mut text = String::new();
    for err in &errors {
        let _ = writeln!(text, "{err}\n{err:?}");
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            let _ = writeln!(text, "caused by: {cause}\n{cause:?}");
            source = cause.source();
        }
    }
    assert_no_secrets(&text, &requests);
}

#[tokio::test]
async fn debug_of_the_builder_and_the_client_is_redacted() {
    let capture = CaptureClient::new();
    let builder = builder(&capture);
    let text = format!("{builder:?}");
    assert!(!text.contains(KEY), "{text}");
    assert!(text.contains("secret_key: Some(\"***\")"), "{text}");

    let client = builder.build().unwrap();
    capture.push_response(ok());
    client.destroy_room(&room("r")).await.unwrap();
    let text = format!("{client:?} {client:#?}");
    assert!(text.contains("SecretKey(***)"), "{text}");
    assert_no_secrets(&text, &capture.requests());
}

#[tokio::test(start_paused = true)]
async fn logs_at_trace_level_never_show_secrets() {
    let logs = CaptureLogs::default();
    // This thread's own subscriber, which sees every callsite also when other test threads
    // reach it first.
    let _guard = roomkv_transport::test_util::trace_this_thread(logs.clone());

    let (_, mut requests) = errors_of_every_kind().await;
    let (client, capture) = client();
    capture
        .push_response(ok_with(
            r#""Response":{"Metadata":[{"Key":"k","Value":"v"}]}"#,
        ))
        .push_response(ok());
    client.get_all_room_metadata(&room("r")).await.unwrap();
    client
        .set_room_metadata(&room("r"), [(key("k"), value("v"))])
        .await
        .unwrap();
    requests.extend(capture.requests());

    let text = logs.text();
    // The logs are there, and say what happened per attempt...
    assert!(text.contains("command=set_room_metadata"), "{text}");
    assert!(text.contains("attempt=1"), "{text}");
    assert!(text.contains("host=https://console.tim.qq.com"), "{text}");
    assert!(text.contains("generated the admin UserSig"), "{text}");
    assert!(text.contains("renewing it"), "{text}");
    assert!(text.contains("attempt failed in transport"), "{text}");
    // ...but never a secret.
    assert_no_secrets(&text, &requests);
}
