//! Hostile input over real sockets: 50,000+ random and mutated requests to every endpoint (both
//! RongCloud dialects, Tencent, the control API) and raw framing garbage. Every answer must be a
//! documented one, nothing may panic, and the emulator must answer correctly afterwards.
//!
//! What counts as documented, per family (the path decides, as in the emulator):
//! - RongCloud legacy and Nexconn v4: a JSON object whose `code` is in core's `RongCloudCode`
//!   table (`200`/`0` on success), with an `errorMessage` string on errors, HTTP status one of
//!   200, 400, 401, 403, 404, 405, 413, 429, 430.
//! - Tencent: HTTP 200 (405 with code 60002 for a method other than POST) and a JSON object with
//!   `ActionStatus` `OK` or `FAIL`, an `ErrorCode` in core's `TencentCode` table and an
//!   `ErrorInfo` string.
//! - Control API: 200 with a JSON body, or 400 / 404 / 405 / 413 with `{"error": "..."}`.
//! - Malformed HTTP framing (garbage, oversized headers, bytes hyper refuses in a request line):
//!   hyper's own bare 400 or 431, or the connection closed without an answer. Accepted only for
//!   requests the generator made malformed at that level.
//!
//! Never a 500 or a 503, never a panic (counted by a panic hook on the server's threads).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use roomkv_core::rongcloud::{
    BatchRemoveEntries, BatchSetEntries, ChatroomId, ConversationType, DeleteExpansion, EntryKey,
    EntryValue, ExpansionKey, ExpansionValue, MsgUid, QueryEntries, QueryExpansion, RemoveEntry,
    SetEntry, SetExpansion, TargetId, UserId,
};
use roomkv_core::tencent::{
    CreateRoom, DelRoomMetadata, DestroyRoom, Endpoint, GetRoomInfo, GetRoomMetadata, Identifier,
    MetadataKey, MetadataValue, RoomId, SetRoomMetadata,
};
use roomkv_core::{BaseUrl, Operation, RongCloudCode, TencentCode};
use roomkv_emulator::EmulatorConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::*;
use crate::served::{sign_rc, sign_tc};

/// Requests sent, in total (over all workers).
const REQUESTS: usize = 50_400;
const WORKERS: usize = 8;
const SEED: u64 = 0x005e_ed11_2024;
/// The server's runtime threads, named so the panic hook counts only their panics.
const SERVER_THREAD: &str = "hostile-emulator";
/// The longest any single exchange may take (bounds the test; never expected to fire).
const EXCHANGE_LIMIT: Duration = Duration::from_secs(10);

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// A request as bytes on the wire, before mutation.
#[derive(Clone)]
struct Template {
    method: String,
    target: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl Template {
    fn from_request(request: http::Request<Vec<u8>>) -> Self {
        let (parts, body) = request.into_parts();
        let target = parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned());
        Self {
            method: parts.method.as_str().to_owned(),
            target,
            headers: parts
                .headers
                .iter()
                .filter(|(name, _)| *name != http::header::CONTENT_LENGTH)
                .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
                .collect(),
            body,
        }
    }

    fn control(method: &str, path: &str, body: &str) -> Self {
        Self {
            method: method.to_owned(),
            target: path.to_owned(),
            headers: vec![("content-type".into(), b"application/json".to_vec())],
            body: body.as_bytes().to_vec(),
        }
    }
}

/// One request to send: its bytes, whether it was made malformed at the HTTP framing level, and
/// whether it must go on a fresh connection (it may leave the connection unusable).
struct Shot {
    bytes: Vec<u8>,
    path: String,
    framing: bool,
}

fn base() -> BaseUrl {
    BaseUrl::parse("http://127.0.0.1").unwrap()
}

fn signed_rc<O: Operation<Endpoint = BaseUrl>>(op: &O) -> Template {
    Template::from_request(sign_rc(op.encode(&base()).unwrap()))
}

fn signed_tc<O: Operation<Endpoint = Endpoint>>(op: &O) -> Template {
    let endpoint = Endpoint {
        base: base(),
        sdkappid: SDKAPPID,
        admin: Identifier::parse(ADMIN).unwrap(),
    };
    Template::from_request(sign_tc(op.encode(&endpoint).unwrap()))
}

fn v4(path: &str, body: &str) -> Template {
    let request = http::Request::post(path)
        .header("Content-Type", "application/json")
        .body(body.as_bytes().to_vec())
        .unwrap();
    Template::from_request(sign_rc(request))
}

/// A valid request to every endpoint, in an order in which each succeeds on a fresh state.
fn templates() -> Vec<Template> {
    let room = ChatroomId::non_validated("room");
    let user = UserId::non_validated("alice");
    let key = EntryKey::non_validated("seat");
    let value = EntryValue::non_validated("1");
    let msg = MsgUid::non_validated("MSG1");
    let target = TargetId::non_validated("group1");
    let xkey = ExpansionKey::non_validated("likes");
    let xvalue = ExpansionValue::non_validated("3");
    let live = RoomId::non_validated("live");
    let mkey = MetadataKey::non_validated("stage");
    let mvalue = MetadataValue::non_validated("quiz");
    vec![
        // RongCloud legacy.
        signed_rc(&SetEntry::new(
            room.clone(),
            user.clone(),
            key.clone(),
            value.clone(),
        )),
        signed_rc(&RemoveEntry::new(room.clone(), user.clone(), key.clone())),
        signed_rc(&BatchSetEntries::new(
            room.clone(),
            user.clone(),
            [(key.clone(), value)],
        )),
        signed_rc(&BatchRemoveEntries::new(
            room.clone(),
            user.clone(),
            [key.clone()],
        )),
        signed_rc(&QueryEntries::new(room).with_keys([key])),
        signed_rc(&SetExpansion::new(
            msg.clone(),
            user.clone(),
            ConversationType::Group,
            target.clone(),
            [(xkey.clone(), xvalue)],
        )),
        signed_rc(&DeleteExpansion::new(
            msg.clone(),
            user,
            ConversationType::Group,
            target,
            [xkey],
        )),
        signed_rc(&QueryExpansion::new(msg)),
        // Nexconn v4.
        v4(
            "/v4/open-channel/metadata/batch/set",
            r#"{"channelId":"room","metadataOwnerId":"host","metadata":{"stage":"quiz"},"shouldAutoDelete":1}"#,
        ),
        v4(
            "/v4/open-channel/metadata/batch/get",
            r#"{"channelId":"room","metadataKeys":["stage"]}"#,
        ),
        v4(
            "/v4/open-channel/metadata/batch/remove",
            r#"{"channelId":"room","metadataOwnerId":"host","metadataKeys":["stage"]}"#,
        ),
        v4(
            "/v4/channel-type/message/metadata/set",
            r#"{"messageId":"M1","userId":"alice","channelType":3,"channelId":"g1","metadata":{"likes":"3"},"isEchoToSender":0}"#,
        ),
        // The alternative spelling of the same operation.
        v4(
            "/v4/message/metadata/set",
            r#"{"messageId":"M1","userId":"alice","channelType":3,"channelId":"g1","metadata":{"likes":"4"},"isEchoToSender":0}"#,
        ),
        v4(
            "/v4/channel-type/message/metadata/list",
            r#"{"messageId":"M1"}"#,
        ),
        v4(
            "/v4/channel-type/message/metadata/delete",
            r#"{"messageId":"M1","userId":"alice","channelType":3,"channelId":"g1","keys":["likes"],"syncToSender":0}"#,
        ),
        // Tencent.
        signed_tc(&CreateRoom::new(live.clone())),
        signed_tc(&GetRoomInfo::new(live.clone())),
        signed_tc(&SetRoomMetadata::new(
            live.clone(),
            [(mkey.clone(), mvalue)],
        )),
        signed_tc(&GetRoomMetadata::new(live.clone(), [mkey.clone()])),
        signed_tc(&DelRoomMetadata::new(live.clone(), [mkey])),
        signed_tc(&DestroyRoom::new(live)),
        // The control API. The fault rule can only ever match a path nobody requests.
        Template::control("GET", "/_emulator/health", ""),
        Template::control("GET", "/_emulator/events?since=0&limit=5", ""),
        Template::control("POST", "/_emulator/reset", ""),
        Template::control("GET", "/_emulator/faults", ""),
        Template::control(
            "POST",
            "/_emulator/faults",
            r#"{"path":"/_emulator/hostile-never","times":1,"effect":{"kind":"status","status":502}}"#,
        ),
        Template::control("DELETE", "/_emulator/faults", ""),
        Template::control("GET", "/_emulator/rate-limits", ""),
        Template::control("POST", "/_emulator/rate-limits", r#"{"enabled":false}"#),
        Template::control(
            "POST",
            "/_emulator/rongcloud/kv-service",
            r#"{"appKey":"demo-app-key","enabled":true}"#,
        ),
        Template::control(
            "POST",
            "/_emulator/rongcloud/messages",
            r#"{"msgUID":"M9","fromUserId":"alice","conversationType":3,"targetId":"g1"}"#,
        ),
        Template::control(
            "POST",
            "/_emulator/rongcloud/chatroom/leave",
            r#"{"chatroomId":"room","userId":"alice"}"#,
        ),
        Template::control(
            "POST",
            "/_emulator/rongcloud/chatroom/destroy",
            r#"{"chatroomId":"room"}"#,
        ),
    ]
}

const CONTENT_TYPES: [&str; 6] = [
    "text/plain",
    "application/xml",
    "multipart/form-data; boundary=x",
    "application/json; charset=utf-16",
    "application/x-www-form-urlencoded",
    "\u{1}\u{7f}",
];

const METHODS: [&str; 7] = ["GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "BREW"];

/// Serializes a (possibly mutated) template with a correct `Content-Length`, unless `length`
/// says otherwise.
fn encode(t: &Template, length: Option<String>) -> Vec<u8> {
    let mut out = Vec::with_capacity(t.body.len() + 256);
    out.extend_from_slice(t.method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(t.target.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\nhost: 127.0.0.1\r\n");
    for (name, value) in &t.headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    let length = length.unwrap_or_else(|| t.body.len().to_string());
    out.extend_from_slice(format!("content-length: {length}\r\n\r\n").as_bytes());
    out.extend_from_slice(&t.body);
    out
}

/// A mutation of a valid template (or raw garbage).
fn shot(rng: &mut Rng, templates: &[Template]) -> Shot {
    let mut t = templates[rng.below(templates.len())].clone();
    let mut framing = false;
    let mut length = None;
    match rng.below(16) {
        // Valid as is.
        0 => {}
        // A few body bytes replaced by anything (invalid UTF-8 included).
        1 | 2 => {
            for _ in 0..=rng.below(4) {
                if !t.body.is_empty() {
                    let at = rng.below(t.body.len());
                    t.body[at] = rng.next() as u8;
                }
            }
        }
        // Truncated body.
        3 => {
            let keep = rng.below(t.body.len() + 1);
            t.body.truncate(keep);
        }
        // Random bytes as the body.
        4 => {
            let n = rng.below(300);
            t.body = rng.bytes(n);
        }
        // Invalid UTF-8 spliced into the body.
        5 => {
            let at = rng.below(t.body.len() + 1);
            t.body
                .splice(at..at, [0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]);
        }
        // Wrong content type.
        6 => {
            t.headers.retain(|(n, _)| n != "content-type");
            let ct = CONTENT_TYPES[rng.below(CONTENT_TYPES.len())];
            t.headers
                .push(("content-type".into(), ct.as_bytes().to_vec()));
            framing = ct.starts_with('\u{1}');
        }
        // Wrong method.
        7 => {
            t.method = METHODS[rng.below(METHODS.len())].to_owned();
            // HEAD answers have no body to check.
            framing = t.method == "HEAD";
        }
        // Auth headers dropped or corrupted, query parameters corrupted.
        8 => {
            if !t.headers.is_empty() {
                let at = rng.below(t.headers.len());
                if rng.below(2) == 0 {
                    t.headers.remove(at);
                } else {
                    let n = rng.below(40);
                    let value = rng.bytes(n);
                    // Header values cannot hold control characters; hyper refuses those.
                    framing = value.iter().any(|b| *b < 0x20 || *b == 0x7f);
                    t.headers[at].1 = value;
                }
            }
        }
        9 => {
            let mut target = t.target.into_bytes();
            if let Some(q) = target.iter().position(|b| *b == b'?') {
                let at = q + 1 + rng.below(target.len() - q);
                let junk = [b"%", &b"%ZZ"[..], b"&", b"=", b"%FF%FE", b"sdkappid=x&"];
                let junk = junk[rng.below(junk.len())];
                target.splice(
                    at.min(target.len())..at.min(target.len()),
                    junk.iter().copied(),
                );
            } else {
                target.extend_from_slice(b"?sdkappid=1400000000&usersig=%FF");
            }
            t.target = String::from_utf8(target).unwrap();
        }
        // Path mutations: unknown paths, percent-encoded invalid UTF-8, suffixes.
        10 => {
            let suffixes = ["x", "/", "%FF", "/../../etc/passwd", "%00", ".json"];
            let (path, query) = match t.target.split_once('?') {
                Some((p, q)) => (p.to_owned(), format!("?{q}")),
                None => (t.target.clone(), String::new()),
            };
            t.target = format!("{path}{}{query}", suffixes[rng.below(suffixes.len())]);
        }
        // A huge header (hyper's limit answers 431) or many headers.
        11 => {
            framing = true;
            if rng.below(16) == 0 {
                // Beyond hyper's buffer: 431.
                t.headers.push(("x-huge".into(), vec![b'a'; 450_000]));
            } else if rng.below(2) == 0 {
                // Large but within it: an ordinary request.
                t.headers
                    .push(("x-huge".into(), vec![b'a'; 16_000 + rng.below(16_000)]));
            } else {
                for i in 0..150 {
                    t.headers.push((format!("x-many-{i}"), b"1".to_vec()));
                }
            }
        }
        // An absurd Content-Length with no body behind it.
        12 => {
            framing = true;
            length = Some(
                ["99999999999999999999", "-1", "1e3", "18446744073709551616"][rng.below(4)]
                    .to_owned(),
            );
        }
        // A padded body: now and then just over the 100 KB limit, else a few KB.
        13 => {
            let extra = if rng.below(8) == 0 {
                102_400 + rng.below(2_000)
            } else {
                rng.below(8_000)
            };
            t.body.extend(std::iter::repeat_n(b'a', extra));
        }
        // Raw garbage instead of a request.
        14 => {
            let path = "/".to_owned();
            let n = 1 + rng.below(200);
            let mut bytes = rng.bytes(n);
            if rng.below(2) == 0 {
                bytes.splice(0..0, b"POST / HTTP/1.1\r\n".iter().copied());
            }
            bytes.extend_from_slice(b"\r\n\r\n");
            return Shot {
                bytes,
                path,
                framing: true,
            };
        }
        // Body and headers fine, request line broken.
        _ => {
            framing = true;
            t.target = format!("{} {}", t.target, "junk");
        }
    }
    let path = t.target.split('?').next().unwrap_or("/").to_owned();
    Shot {
        bytes: encode(&t, length),
        path,
        framing,
    }
}

/// An answer: status, headers (lowercase names) and body.
struct Answer {
    status: u16,
    close: bool,
    body: Vec<u8>,
}

async fn read_answer(stream: &mut TcpStream, head_only: bool) -> Option<Answer> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
    let status: u16 = head.split(' ').nth(1)?.parse().ok()?;
    let header = |name: &str| {
        head.lines()
            .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()))
    };
    let length: usize = header("content-length:").map_or(0, |v| v.parse().unwrap_or(0));
    let close = header("connection:").is_some_and(|v| v == "close");
    let mut body = buf[end + 4..].to_vec();
    let length = if head_only { 0 } else { length };
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Some(Answer {
        status,
        close,
        body,
    })
}

#[derive(PartialEq)]
enum Family {
    RongCloud,
    Tencent,
    Control,
}

fn family(path: &str, request: &[u8]) -> Family {
    if path == "/_emulator" || path.starts_with("/_emulator/") {
        return Family::Control;
    }
    if let Some(rest) = path.strip_prefix("/v4/") {
        let service = rest.split('/').next().unwrap_or("");
        let line = request.split(|b| *b == b'\n').next().unwrap_or_default();
        let line = String::from_utf8_lossy(line);
        let query = line
            .split(' ')
            .nth(1)
            .and_then(|t| t.split_once('?'))
            .map(|(_, q)| q);
        let tencent_query = query.is_some_and(|q| q.split('&').any(|p| p.starts_with("sdkappid=")));
        if service.contains('_') || tencent_query {
            return Family::Tencent;
        }
    }
    Family::RongCloud
}

/// Checks an answer against its family's documented forms.
fn check(family: &Family, answer: &Answer) -> Result<(), String> {
    let json: serde_json::Value =
        serde_json::from_slice(&answer.body).map_err(|e| format!("body is not JSON ({e})"))?;
    match family {
        Family::RongCloud => {
            let code = json["code"].as_i64().ok_or("no integer code")?;
            if matches!(RongCloudCode::from_code(code), RongCloudCode::Other(_)) {
                return Err(format!("undocumented RongCloud code {code}"));
            }
            if code != 200 && code != 0 && !json["errorMessage"].is_string() {
                return Err("error without errorMessage".into());
            }
            if ![200, 400, 401, 403, 404, 405, 413, 429, 430].contains(&answer.status) {
                return Err(format!("RongCloud status {}", answer.status));
            }
        }
        Family::Tencent => {
            if !(answer.status == 200 || answer.status == 405 && json["ErrorCode"] == 60002) {
                return Err(format!("Tencent status {}", answer.status));
            }
            let status = json["ActionStatus"].as_str().ok_or("no ActionStatus")?;
            let code = json["ErrorCode"].as_i64().ok_or("no integer ErrorCode")?;
            if matches!(TencentCode::from_code(code), TencentCode::Other(_)) {
                return Err(format!("undocumented Tencent code {code}"));
            }
            if !json["ErrorInfo"].is_string() || !matches!(status, "OK" | "FAIL") {
                return Err("not a Tencent envelope".into());
            }
        }
        Family::Control => match answer.status {
            200 => {}
            400 | 404 | 405 | 413 if json["error"].is_string() => {}
            other => return Err(format!("control API status {other}")),
        },
    }
    Ok(())
}

/// Sends `count` shots over keep-alive connections; returns the failures.
async fn worker(addr: std::net::SocketAddr, seed: u64, count: usize) -> (Vec<String>, usize) {
    let templates = templates();
    let mut rng = Rng(seed);
    let mut failures = Vec::new();
    let mut framing_refusals = 0;
    let mut stream: Option<TcpStream> = None;
    for i in 0..count {
        let shot = shot(&mut rng, &templates);
        if shot.framing {
            // Alone on its own connection: it may leave the connection unusable.
            stream = None;
        }
        let mut conn = match stream.take() {
            Some(conn) => conn,
            None => TcpStream::connect(addr).await.expect("connect"),
        };
        let head_only = shot.bytes.starts_with(b"HEAD ");
        let exchange = async {
            conn.write_all(&shot.bytes).await.ok()?;
            read_answer(&mut conn, head_only).await
        };
        let answer = tokio::time::timeout(EXCHANGE_LIMIT, exchange)
            .await
            .unwrap_or_else(|_| panic!("request {i} got no answer in time: {:?}", shot.path));
        let fam = family(&shot.path, &shot.bytes);
        match answer {
            Some(answer)
                if shot.framing && matches!(answer.status, 400 | 431) && answer.body.is_empty() =>
            {
                framing_refusals += 1;
            }
            Some(answer) if head_only => {
                if answer.status >= 500 {
                    failures.push(format!("HEAD {}: {}", shot.path, answer.status));
                }
            }
            Some(answer) => {
                if let Err(why) = check(&fam, &answer) {
                    failures.push(format!(
                        "{why}: {} answered {} {}",
                        String::from_utf8_lossy(&shot.bytes[..shot.bytes.len().min(300)]),
                        answer.status,
                        String::from_utf8_lossy(&answer.body)
                    ));
                }
                if !answer.close && !shot.framing {
                    stream = Some(conn);
                }
            }
            // Closed without an answer: only for what is broken at the framing level.
            None if shot.framing => framing_refusals += 1,
            None => failures.push(format!(
                "connection closed without an answer: {}",
                String::from_utf8_lossy(&shot.bytes[..shot.bytes.len().min(300)])
            )),
        }
    }
    (failures, framing_refusals)
}

#[test]
fn hostile_requests_get_documented_answers_and_the_emulator_keeps_working() {
    static PANICS: AtomicUsize = AtomicUsize::new(0);
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some(SERVER_THREAD) {
            PANICS.fetch_add(1, Ordering::SeqCst);
        }
        default_hook(info);
    }));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(SERVER_THREAD)
        .enable_all()
        .build()
        .unwrap();
    let mut config = EmulatorConfig::default();
    config.quota.enabled = false;
    let (emulator, _clock) = emulator_with(config);
    let server = runtime.block_on(emulator.serve("127.0.0.1:0")).unwrap();
    let addr = server.local_addr();

    let results = runtime.block_on(async {
        let tasks: Vec<_> = (0..WORKERS)
            .map(|w| {
                tokio::spawn(worker(
                    addr,
                    SEED ^ (w as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15),
                    REQUESTS / WORKERS,
                ))
            })
            .collect();
        let mut all = Vec::new();
        for task in tasks {
            all.push(task.await.expect("worker"));
        }
        all
    });
    let failures: Vec<String> = results.iter().flat_map(|(f, _)| f.clone()).collect();
    let refused: usize = results.iter().map(|(_, r)| r).sum();
    assert!(
        failures.is_empty(),
        "{} undocumented answers, first ones:\n{}",
        failures.len(),
        failures[..failures.len().min(10)].join("\n")
    );
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "the emulator panicked");
    // The framing-level share of the mix did reach hyper's refusals, so both paths ran.
    assert!(refused > REQUESTS / 20, "only {refused} framing refusals");

    // Afterwards: back to a clean state, and every endpoint answers correctly.
    runtime.block_on(async {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        for cleanup in [
            Template::control("DELETE", "/_emulator/faults", ""),
            Template::control("POST", "/_emulator/reset", ""),
            Template::control("POST", "/_emulator/rate-limits", r#"{"enabled":false}"#),
        ] {
            stream.write_all(&encode(&cleanup, None)).await.unwrap();
            let answer = read_answer(&mut stream, false).await.expect("an answer");
            assert_eq!(
                answer.status,
                200,
                "{}",
                String::from_utf8_lossy(&answer.body)
            );
        }
        for template in templates() {
            stream.write_all(&encode(&template, None)).await.unwrap();
            let answer = read_answer(&mut stream, false).await.expect("an answer");
            let fam = family(
                template.target.split('?').next().unwrap(),
                template.target.as_bytes(),
            );
            let json: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
            let ok = match fam {
                Family::RongCloud => {
                    answer.status == 200 && matches!(json["code"].as_i64(), Some(200 | 0))
                }
                Family::Tencent => json["ErrorCode"] == 0,
                Family::Control => answer.status == 200,
            };
            assert!(
                ok,
                "{} {}: {} {json}",
                template.method, template.target, answer.status
            );
        }
    });
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "the emulator panicked");
    assert!(
        runtime.block_on(server.shutdown_within(Duration::from_secs(10))),
        "the server task ended early or hangs"
    );
    let _ = std::panic::take_hook();
}
