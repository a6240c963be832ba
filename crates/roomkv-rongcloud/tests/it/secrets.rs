//! The App Secret and the signatures never appear in `Debug`, `Display` or logs.

use roomkv_rongcloud::RongCloudSettings;
use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use roomkv_rongcloud::{
    AppKey, AppSecret, BuildError, Client, CredentialsError, EntryKey, Notification, SetEntry,
    WriteRetry,
};
use roomkv_transport::TransportError;
use roomkv_transport::test_util::SequenceRandom;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

use crate::support::*;

/// A subscriber that writes every span field and event, at every level, into one string.
#[derive(Clone, Default)]
struct Recorder {
    log: Arc<Mutex<String>>,
    next_id: Arc<AtomicU64>,
}

impl Recorder {
    fn text(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    fn line(&self, metadata: &Metadata<'_>, fields: &dyn Fn(&mut dyn Visit)) {
        let mut line = format!(
            "{} {} {}:",
            metadata.level(),
            metadata.target(),
            metadata.name()
        );
        fields(&mut Line(&mut line));
        line.push('\n');
        self.log.lock().unwrap().push_str(&line);
    }
}

struct Line<'a>(&'a mut String);

impl Visit for Line<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={}", field.name(), value);
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        self.line(span.metadata(), &|v| span.record(v));
        Id::from_u64(self.next_id.fetch_add(1, Ordering::Relaxed) + 1)
    }

    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut line = String::from("record:");
        values.record(&mut Line(&mut line));
        line.push('\n');
        self.log.lock().unwrap().push_str(&line);
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        self.line(event.metadata(), &|v| event.record(v));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

const SECRET: &str = "super-secret-app-secret-value";

/// Checks that `text` contains neither the App Secret nor any signature the client sent.
fn assert_clean(what: &str, text: &str, signatures: &[String]) {
    assert!(
        !text.contains(SECRET),
        "{what} leaks the App Secret:\n{text}"
    );
    for sig in signatures {
        assert!(
            !text.contains(sig.as_str()),
            "{what} leaks a signature:\n{text}"
        );
    }
}

fn signatures(capture: &roomkv_transport::test_util::CaptureClient) -> Vec<String> {
    capture
        .requests()
        .iter()
        .map(|r| header(r, "signature").to_owned())
        .collect()
}

#[tokio::test(start_paused = true)]
async fn no_secret_in_debug_display_or_trace_logs() {
    let recorder = Recorder::default();
    // This thread's own subscriber, which sees every callsite also when other test threads
    // reach it first.
    let _guard = roomkv_transport::test_util::trace_this_thread(recorder.clone());

    let capture = roomkv_transport::test_util::CaptureClient::new();
    let builder = Client::builder()
        .app_key(AppKey::new(APP_KEY))
        .app_secret(AppSecret::new(SECRET))
        .http_client(roomkv_rongcloud::SharedHttpClient::new(capture.clone()))
        .random_source(SequenceRandom::new(7))
        .write_retry(WriteRetry::RepeatIdempotent);
    let builder_debug = format!("{builder:?}");
    let client = builder.build().unwrap();
    let client_debug = format!("{client:?}");

    // A success, a throttled retry, a lost reply, an API error, a garbled reply, a validation
    // error: every path that logs or builds an error.
    capture
        .push_response(reply(429, r#"{"code":1008,"errorMessage":"slow"}"#))
        .push_response(ok())
        .push_error(TransportError::timeout(None))
        .push_response(reply(200, "not json"))
        .push_response(reply(200, r#"{"code":1002,"errorMessage":"bad"}"#));
    let mut errors = Vec::new();
    client
        .set_entry(&room(), &user(), key("k"), value("v"))
        .await
        .unwrap();
    // Neither a lost reply nor a garbled one is repeated: the attempt may still land.
    let op = SetEntry::new(room(), user(), key("k"), value("v"));
    errors.push(client.send(&op).await.unwrap_err());
    let op = SetEntry::new(room(), user(), key("k"), value("v"));
    errors.push(client.send(&op).await.unwrap_err());
    let notifying =
        SetEntry::new(room(), user(), key("k"), value("v")).notify(Notification::kv_change());
    errors.push(client.send(&notifying).await.unwrap_err());
    errors.push(
        client
            .set_entry(&room(), &user(), EntryKey::non_validated(""), value("v"))
            .await
            .unwrap_err(),
    );
    let sent = signatures(&capture);
    assert_eq!(sent.len(), 5);

    assert_clean("ClientBuilder's Debug", &builder_debug, &sent);
    assert!(builder_debug.contains("***"));
    assert_clean("Client's Debug", &client_debug, &sent);
    assert!(client_debug.contains(APP_KEY));
    for err in &errors {
        assert_clean("an error's Display", &err.to_string(), &sent);
        assert_clean("an error's Debug", &format!("{err:?}"), &sent);
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            assert_clean("an error's source", &cause.to_string(), &sent);
            source = cause.source();
        }
    }
    let missing = Client::builder()
        .app_secret(AppSecret::new(SECRET))
        .build()
        .unwrap_err();
    assert!(matches!(
        missing,
        BuildError::Credentials(CredentialsError::MissingAppKey)
    ));
    assert_clean("a BuildError", &format!("{missing} {missing:?}"), &sent);

    let log = recorder.text();
    assert_clean("the trace log", &log, &sent);
    // The log does say what happened, per attempt.
    for expected in [
        "rongcloud_request",
        "path=/chatroom/entry/set.json",
        "sending",
        "attempt=2",
        "answered: success",
        "attempt failed in transport",
        "answered: error",
        "request refused by validation",
    ] {
        assert!(log.contains(expected), "no {expected:?} in the log:\n{log}");
    }
}
