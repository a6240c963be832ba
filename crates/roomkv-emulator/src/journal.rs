//! The request journal: every request to a vendor endpoint, what it asked (secrets redacted),
//! what it was answered, and for every refusal a sentence that explains it to a person.
//!
//! Served at `GET /_emulator/requests?since=N&vendor=rongcloud|tencent&outcome=ok|refused`,
//! counted at `GET /_emulator/stats`, and read in tests with [`crate::Emulator::journal`]. The
//! journal is a ring of [`crate::EmulatorConfig::journal_capacity`] entries; older entries are
//! dropped and counted.
//!
//! The `Signature` header, the `usersig` query parameter and the app secrets are never stored:
//! parameters are the decoded body plus the headers and query parameters that identify the
//! request (`App-Key`, `Nonce`, `Timestamp`, `sdkappid`, `identifier`, …).

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use roomkv_core::QuotaCost;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::shards::lock;

/// Whether a request was served or refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Answered with the dialect's success code.
    Ok,
    /// Answered with a vendor error code, or refused by a fault rule (a gateway page, a forced
    /// code, a closed connection).
    Refused,
}

/// One journaled request.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// Position in the journal, from 1, without gaps (until a reset).
    pub seq: u64,
    /// When it arrived, milliseconds since the Unix epoch on the emulator's clock.
    pub time_ms: u64,
    /// `rongcloud` or `tencent`.
    pub vendor: &'static str,
    /// The path.
    pub endpoint: String,
    /// `legacy` (RongCloud form API), `v4` (Nexconn JSON API) or `tencent`.
    pub dialect: &'static str,
    /// The decoded parameters: body fields, plus the identifying headers or query parameters.
    /// Never the signature, the UserSig or a secret.
    pub params: Value,
    /// The HTTP status answered.
    pub status: u16,
    /// The vendor code answered (success: 200 in legacy RongCloud, 0 in Nexconn v4 and Tencent);
    /// `None` when a fault rule answered a gateway page or closed the connection.
    pub code: Option<i64>,
    /// Whether a fault rule decided the answer.
    pub fault: bool,
    /// Served or refused.
    pub outcome: Outcome,
    /// Time spent answering, in microseconds of the emulator's monotonic clock.
    pub latency_us: u64,
    /// The quota buckets the request was charged to (`entry-set`, `set_room_metadata`, …).
    pub buckets: Vec<&'static str>,
    /// For a refusal: why, in one sentence for a person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

/// A page of the journal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JournalPage {
    /// The entries with `seq > since` that pass the filter, oldest first.
    pub entries: Vec<JournalEntry>,
    /// Pass as `since` next time.
    pub next: u64,
    /// Entries dropped because the journal was full, since the last reset.
    pub dropped: u64,
    /// The journal's capacity.
    pub capacity: usize,
}

/// Which entries a [`crate::Emulator::journal`] query returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalFilter {
    /// Only entries after this sequence number.
    pub since: u64,
    /// Only this vendor (`rongcloud` or `tencent`).
    pub vendor: Option<String>,
    /// Only this outcome.
    pub outcome: Option<Outcome>,
}

/// Usage of one quota bucket of one app, in the current one-second window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuotaMeter {
    /// The app key or SDKAppID.
    pub app: String,
    /// The bucket (`entry-set`, `set_room_metadata`, …).
    pub bucket: &'static str,
    /// Units admitted in the current window.
    pub used: u64,
    /// Units the bucket admits per second (after `--rate-scale`); `None` when unlimited.
    pub limit: Option<u64>,
    /// Requests refused by this bucket since the last reset.
    pub throttled: u64,
}

#[derive(Debug, Default)]
struct MeterState {
    window: u64,
    used: u64,
    throttled: u64,
}

#[derive(Debug, Default)]
struct Ring {
    /// Each entry with its parameters as captured ([`RawParams`]); `params` is decoded when
    /// the journal is read, off the request path.
    entries: VecDeque<(JournalEntry, RawParams)>,
    seq: u64,
    dropped: u64,
    /// Per endpoint, per answer ([`answer_key`]): how many (kept across drops, cleared by a
    /// reset).
    codes: BTreeMap<String, BTreeMap<String, u64>>,
    meters: BTreeMap<(String, &'static str), MeterState>,
}

/// The journal and its counters.
#[derive(Debug)]
pub(crate) struct Journal {
    capacity: usize,
    ring: Mutex<Ring>,
}

impl Journal {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            ring: Mutex::default(),
        }
    }

    /// Appends an entry whose parameters are `raw` (its `params` is ignored), numbering it, and
    /// counts its code.
    pub(crate) fn record(&self, mut entry: JournalEntry, raw: RawParams) {
        let answer = answer_key(&entry);
        let mut ring = lock(&self.ring);
        ring.seq += 1;
        entry.seq = ring.seq;
        let codes = match ring.codes.get_mut(entry.endpoint.as_str()) {
            Some(codes) => codes,
            None => ring.codes.entry(entry.endpoint.clone()).or_default(),
        };
        *codes.entry(answer).or_default() += 1;
        if ring.entries.len() >= self.capacity {
            ring.entries.pop_front();
            ring.dropped += 1;
        }
        ring.entries.push_back((entry, raw));
    }

    /// Counts a charge of `cost` to `app` in the window `window` (whole seconds of the
    /// monotonic clock): admitted, or throttled by `refused_by`.
    pub(crate) fn meter(
        &self,
        app: &str,
        cost: QuotaCost,
        window: u64,
        refused_by: Option<&'static str>,
    ) {
        let mut ring = lock(&self.ring);
        for (family, units) in cost.charges() {
            let meter = ring
                .meters
                .entry((app.to_owned(), family.name()))
                .or_default();
            if meter.window != window {
                meter.window = window;
                meter.used = 0;
            }
            match refused_by {
                None => meter.used += u64::from(units),
                Some(bucket) if bucket == family.name() => meter.throttled += 1,
                Some(_) => {}
            }
        }
    }

    pub(crate) fn page(&self, filter: &JournalFilter) -> JournalPage {
        let ring = lock(&self.ring);
        JournalPage {
            entries: ring
                .entries
                .iter()
                .filter(|(e, _)| e.seq > filter.since)
                .filter(|(e, _)| filter.vendor.as_deref().is_none_or(|v| v == e.vendor))
                .filter(|(e, _)| filter.outcome.is_none_or(|o| o == e.outcome))
                .map(|(e, raw)| JournalEntry {
                    params: raw.decode(),
                    ..e.clone()
                })
                .collect(),
            next: ring.seq,
            dropped: ring.dropped,
            capacity: self.capacity,
        }
    }

    /// Answers per endpoint and code.
    pub(crate) fn codes(&self) -> BTreeMap<String, BTreeMap<String, u64>> {
        lock(&self.ring).codes.clone()
    }

    /// The meters, with `limit` looked up per bucket, as of `window`.
    pub(crate) fn meters(
        &self,
        window: u64,
        limit: impl Fn(&'static str) -> Option<u64>,
    ) -> Vec<QuotaMeter> {
        lock(&self.ring)
            .meters
            .iter()
            .map(|((app, bucket), m)| QuotaMeter {
                app: app.clone(),
                bucket,
                used: if m.window == window { m.used } else { 0 },
                limit: limit(bucket),
                throttled: m.throttled,
            })
            .collect()
    }

    pub(crate) fn reset(&self) {
        *lock(&self.ring) = Ring::default();
    }
}

/// How an answer is counted in the statistics: its vendor code (`"200"`, `"0"`, `"1004"`), else
/// `"http-<status>"` for a gateway page or `"closed"` for a closed connection.
fn answer_key(entry: &JournalEntry) -> String {
    match (entry.code, entry.status) {
        (Some(code), _) => code.to_string(),
        (None, 0) => "closed".to_owned(),
        (None, status) => format!("http-{status}"),
    }
}

// --------------------------------------------------------------------- per-request notes
//
// What the pipeline learns deep inside a request (the buckets charged, a precise explanation)
// is noted here and collected by `Emulator::handle`, which runs a request synchronously on one
// thread from start to finish.

#[derive(Debug, Default)]
pub(crate) struct Notes {
    pub(crate) buckets: Vec<&'static str>,
    pub(crate) explanation: Option<String>,
}

thread_local! {
    static NOTES: RefCell<Notes> = RefCell::default();
}

/// Starts a request: forgets the notes of the previous one.
pub(crate) fn begin() {
    NOTES.with(|n| *n.borrow_mut() = Notes::default());
}

/// The notes of the request that just ended.
pub(crate) fn take() -> Notes {
    NOTES.with(|n| std::mem::take(&mut *n.borrow_mut()))
}

/// Notes the buckets `cost` charges.
pub(crate) fn note_buckets(cost: QuotaCost) {
    NOTES.with(|n| {
        n.borrow_mut()
            .buckets
            .extend(cost.charges().map(|(f, _)| f.name()));
    });
}

/// Notes a precise explanation of the refusal about to be answered.
pub(crate) fn explain(sentence: String) {
    NOTES.with(|n| n.borrow_mut().explanation = Some(sentence));
}

// --------------------------------------------------------------------- redaction

/// The RongCloud headers that identify a request.
const IDENTIFYING_HEADERS: [&str; 4] = ["App-Key", "Nonce", "Timestamp", "X-Request-ID"];

/// A request's parameters as the journal keeps them until it is read: copied, not decoded, and
/// without its credentials (`Signature` is never read, `usersig` is cut out of the query).
#[derive(Debug, Clone)]
pub(crate) struct RawParams {
    /// Tencent: the query without `usersig`. RongCloud: one `name\tvalue\n` line per
    /// identifying header present (header values hold neither tab nor newline once `to_str`
    /// accepted them).
    identity: String,
    tencent: bool,
    body: Box<[u8]>,
}

impl RawParams {
    /// Captures what [`Self::decode`] needs of a request.
    pub(crate) fn capture(
        uri: &http::Uri,
        headers: &http::HeaderMap,
        body: &[u8],
        tencent: bool,
    ) -> Self {
        let mut identity = String::new();
        if tencent {
            let query = uri.query().unwrap_or("");
            identity.reserve(query.len());
            for pair in query.split('&') {
                let key = pair.split_once('=').map_or(pair, |(key, _)| key);
                let key = percent_decoded(key);
                if key.eq_ignore_ascii_case("usersig") {
                    continue;
                }
                if !identity.is_empty() {
                    identity.push('&');
                }
                identity.push_str(pair);
            }
        } else {
            for name in IDENTIFYING_HEADERS {
                if let Some(v) = headers.get(name).and_then(|v| v.to_str().ok()) {
                    identity.push_str(name);
                    identity.push('\t');
                    identity.push_str(v);
                    identity.push('\n');
                }
            }
        }
        Self {
            identity,
            tencent,
            body: body.into(),
        }
    }

    /// The parameters of the captured request: the body's fields (form or JSON) plus the
    /// identifying headers (RongCloud) or query parameters (Tencent), credentials left out.
    fn decode(&self) -> Value {
        let mut params = Map::new();
        if self.tencent {
            for (k, v) in form_urlencoded::parse(self.identity.as_bytes()) {
                params.insert(format!("query.{k}"), Value::String(v.into_owned()));
            }
        } else {
            for line in self.identity.lines() {
                if let Some((name, value)) = line.split_once('\t') {
                    params.insert(format!("header.{name}"), Value::String(value.to_owned()));
                }
            }
        }
        body_params(&mut params, &self.body);
        Value::Object(params)
    }
}

/// A query key, `+` and percent escapes decoded as `form_urlencoded` decodes them.
fn percent_decoded(key: &str) -> std::borrow::Cow<'_, str> {
    if key.bytes().any(|b| b == b'%' || b == b'+') {
        form_urlencoded::parse(key.as_bytes())
            .next()
            .map_or(std::borrow::Cow::Borrowed(""), |(k, _)| {
                std::borrow::Cow::Owned(k.into_owned())
            })
    } else {
        std::borrow::Cow::Borrowed(key)
    }
}

/// Adds the body's fields (a JSON object's members, another JSON value as `body`, or form
/// fields) to `params`.
fn body_params(params: &mut Map<String, Value>, body: &[u8]) {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => params.extend(map),
        Ok(other) => {
            params.insert("body".into(), other);
        }
        Err(_) if body.is_empty() => {}
        Err(_) => {
            for (k, v) in form_urlencoded::parse(body) {
                params.insert(k.into_owned(), Value::String(v.into_owned()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captured_parameters_keep_no_credentials_and_decode_as_before() {
        let uri: http::Uri = "/v4/live_engine_http_srv/get_room_info?sdkappid=1&identifier=admin\
             &usersig=SECRET1&UserSig=SECRET2&user%73ig=SECRET3&random=7"
            .parse()
            .unwrap();
        let raw = RawParams::capture(&uri, &http::HeaderMap::new(), br#"{"RoomId":"r"}"#, true);
        assert!(!format!("{raw:?}").contains("SECRET"), "{raw:?}");
        assert_eq!(
            raw.decode(),
            serde_json::json!({"query.sdkappid": "1", "query.identifier": "admin",
                "query.random": "7", "RoomId": "r"})
        );

        let mut headers = http::HeaderMap::new();
        headers.insert("App-Key", "app".parse().unwrap());
        headers.insert("Nonce", "n".parse().unwrap());
        headers.insert("Signature", "SECRET".parse().unwrap());
        let uri: http::Uri = "/chatroom/entry/set.json".parse().unwrap();
        let raw = RawParams::capture(&uri, &headers, b"chatroomId=r&key=k%20x", false);
        assert!(!format!("{raw:?}").contains("SECRET"), "{raw:?}");
        assert_eq!(
            raw.decode(),
            serde_json::json!({"header.App-Key": "app", "header.Nonce": "n",
                "chatroomId": "r", "key": "k x"})
        );
        assert_eq!(
            RawParams::capture(&uri, &headers, b"[1]", false).decode()["body"],
            serde_json::json!([1])
        );
    }
}
