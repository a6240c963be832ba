//! The transcript: JSON lines, a [`Header`] then one [`StepRecord`] per step; the named
//! transformers that normalise dynamic values; and the redaction that keeps secrets out.
//!
//! What is recorded of a request is its scenario template (placeholders such as `${run}`
//! intact) and its auth mode, never the signed request: signatures, nonces, timestamps,
//! UserSigs and `random` are made when a step is sent and are not written. What is recorded of
//! an answer is its HTTP status, its vendor code and its body after the [`TRANSFORMERS`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::scenario::{Cleanup, ControlCall, Scenario, Step, Values, Var, Vendor};

/// The `transcript` field of every header.
pub(crate) const FORMAT: &str = "roomkv-parity";
/// The transcript format version this binary writes and reads.
pub(crate) const VERSION: u32 = 1;

/// The named transformers, in the order they apply, with what they do.
pub(crate) const TRANSFORMERS: [(&str, &str); 8] = [
    (
        "secrets",
        "app secret, secret key, every signature and UserSig of the run → <redacted>",
    ),
    (
        "vars",
        "each scenario variable's value → ${NAME} (inside longer text only from 8 characters)",
    ),
    ("run-prefix", "the run's unique prefix → ${run}"),
    (
        "app",
        "string values equal to the app key, SDKAppID or admin → ${app_key}, ${sdkappid}, ${admin}",
    ),
    (
        "timestamps",
        "lastSetTime, updatedAt, CreateTime, EventTime, timestamp → <timestamp:TYPE>",
    ),
    ("versions", "ts (an expansion's version) → <version:TYPE>"),
    (
        "request-ids",
        "RequestId, requestId, request_id → <request-id:TYPE>",
    ),
    (
        "request-auth",
        "requests are recorded as templates with their auth mode: nonce, Timestamp, Signature, random and usersig are never written",
    ),
];

/// Fields whose value is a time.
const TIME_FIELDS: [&str; 5] = [
    "lastSetTime",
    "updatedAt",
    "CreateTime",
    "EventTime",
    "timestamp",
];
/// Fields whose value is a version.
const VERSION_FIELDS: [&str; 1] = ["ts"];
/// Fields whose value is a request id.
const REQUEST_ID_FIELDS: [&str; 3] = ["RequestId", "requestId", "request_id"];

/// What the transcript was recorded against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Target {
    /// A roomkv emulator (`GET /_emulator/health` answered).
    Emulator,
    /// Anything else: a vendor's service.
    Service,
}

/// A step that was not sent, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Skipped {
    pub(crate) step: String,
    pub(crate) reason: String,
}

/// The first line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Header {
    /// Always [`FORMAT`].
    pub(crate) transcript: String,
    /// Always [`VERSION`].
    pub(crate) version: u32,
    /// The scenario's name and description.
    pub(crate) scenario: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(crate) about: String,
    /// The binary that recorded it.
    pub(crate) recorded_by: String,
    /// Emulator or service.
    pub(crate) recorded_against: Target,
    /// The transformers applied (names and what they do).
    pub(crate) transformers: Vec<String>,
    /// The scenario's variables, setup and cleanup, so a check can replay it whole.
    #[serde(default)]
    pub(crate) vars: std::collections::BTreeMap<String, Var>,
    #[serde(default)]
    pub(crate) emulator_setup: Vec<ControlCall>,
    #[serde(default)]
    pub(crate) cleanup: Cleanup,
    /// Steps not recorded.
    #[serde(default)]
    pub(crate) skipped: Vec<Skipped>,
}

impl Header {
    /// The header of a recording of `scenario`.
    pub(crate) fn new(scenario: &Scenario, target: Target, skipped: Vec<Skipped>) -> Self {
        Self {
            transcript: FORMAT.to_owned(),
            version: VERSION,
            scenario: scenario.name.clone(),
            about: scenario.about.clone(),
            recorded_by: format!("roomkv {}", env!("CARGO_PKG_VERSION")),
            recorded_against: target,
            transformers: TRANSFORMERS
                .iter()
                .map(|(name, what)| format!("{name}: {what}"))
                .collect(),
            vars: scenario.vars.clone(),
            emulator_setup: scenario.emulator_setup.clone(),
            cleanup: scenario.cleanup.clone(),
            skipped,
        }
    }
}

/// One step: the request template and what came back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct StepRecord {
    /// The request, as the scenario has it.
    pub(crate) request: Step,
    /// The answer.
    #[serde(flatten)]
    pub(crate) outcome: Outcome,
}

/// What came back for one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum Outcome {
    /// A complete answer.
    Answered {
        /// The HTTP status.
        status: u16,
        /// RongCloud's `code` or Tencent's `ErrorCode`, when the body has one.
        code: Option<i64>,
        /// The body, normalised: JSON, or the text of a body that is not JSON.
        body: Value,
    },
    /// No complete answer (the cause is on stderr, not in the transcript).
    Failed {
        /// Always `no answer`.
        error: String,
    },
}

/// The vendor code of a body: RongCloud's `code`, Tencent's `ErrorCode`.
pub(crate) fn vendor_code(vendor: Vendor, body: &Value) -> Option<i64> {
    let field = match vendor {
        Vendor::RongCloud => "code",
        Vendor::Tencent => "ErrorCode",
    };
    body.get(field).and_then(Value::as_i64)
}

/// The shortest variable value replaced inside longer text.
const MIN_EMBEDDED: usize = 8;

/// The transformers of one run: the values to put back into placeholders and the secrets to
/// redact.
pub(crate) struct Normaliser {
    /// `(value, placeholder)` of the variables, longest value first.
    vars: Vec<(String, String)>,
    /// The run prefix.
    run: String,
    /// `(value, placeholder)` of the app key, SDKAppID and admin.
    app: Vec<(String, String)>,
}

impl Normaliser {
    /// The transformers of a run with these placeholder values.
    pub(crate) fn new(values: &Values, var_names: impl IntoIterator<Item = String>) -> Self {
        let mut vars: Vec<(String, String)> = var_names
            .into_iter()
            .filter_map(|name| {
                let value = values.get(&name)?.to_owned();
                Some((value, format!("${{{name}}}")))
            })
            .filter(|(value, _)| !value.is_empty())
            .collect();
        vars.sort_by_key(|(value, _)| std::cmp::Reverse(value.len()));
        let app = ["app_key", "sdkappid", "admin"]
            .into_iter()
            .filter_map(|name| Some((values.get(name)?.to_owned(), format!("${{{name}}}"))))
            .collect();
        Self {
            vars,
            run: values.get("run").unwrap_or_default().to_owned(),
            app,
        }
    }

    /// A response body, normalised: parsed as JSON when it is, else its text.
    pub(crate) fn body(&self, bytes: &[u8]) -> Value {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(json) => self.value(json, None),
            Err(_) => Value::String(self.text(&String::from_utf8_lossy(bytes))),
        }
    }

    /// `text` with the variables and the run prefix put back. A variable's value is replaced
    /// inside longer text only when it has [`MIN_EMBEDDED`] characters or more (a user named
    /// `bob` must not turn every `bob` of a reply into `${msg_to}`); a whole string equal to it
    /// is always replaced.
    fn text(&self, text: &str) -> String {
        if let Some((_, placeholder)) = self.vars.iter().find(|(v, _)| v == text) {
            return placeholder.clone();
        }
        let mut text = text.to_owned();
        for (value, placeholder) in &self.vars {
            if value.chars().count() >= MIN_EMBEDDED {
                text = text.replace(value.as_str(), placeholder);
            }
        }
        if !self.run.is_empty() {
            text = text.replace(self.run.as_str(), "${run}");
        }
        text
    }

    fn value(&self, value: Value, field: Option<&str>) -> Value {
        let marker =
            |kind: &str, value: &Value| Value::String(format!("<{kind}:{}>", type_name(value)));
        match (field, value) {
            (Some(f), v) if TIME_FIELDS.contains(&f) => marker("timestamp", &v),
            (Some(f), v) if VERSION_FIELDS.contains(&f) => marker("version", &v),
            (Some(f), v) if REQUEST_ID_FIELDS.contains(&f) => marker("request-id", &v),
            (_, Value::String(text)) => {
                if let Some((_, placeholder)) = self.app.iter().find(|(v, _)| *v == text) {
                    Value::String(placeholder.clone())
                } else {
                    Value::String(self.text(&text))
                }
            }
            (_, Value::Array(items)) => {
                Value::Array(items.into_iter().map(|v| self.value(v, None)).collect())
            }
            (_, Value::Object(map)) => Value::Object(
                map.into_iter()
                    .map(|(key, v)| {
                        let v = self.value(v, Some(&key));
                        (self.text(&key), v)
                    })
                    .collect::<Map<_, _>>(),
            ),
            (_, other) => other,
        }
    }
}

/// The JSON type of `value`: `null`, `bool`, `number`, `string`, `array`, `object`.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `line` with every secret, raw or URL-encoded, replaced by `<redacted>`: the last guard,
/// should a server ever echo one.
pub(crate) fn redact(line: &str, secrets: &[String]) -> String {
    let mut line = line.to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let encoded: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        for needle in [secret.as_str(), encoded.as_str()] {
            line = line.replace(needle, "<redacted>");
        }
    }
    line
}

/// Reads a transcript: its header and its steps.
pub(crate) fn read(text: &str) -> Result<(Header, Vec<StepRecord>), String> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty());
    let (_, first) = lines.next().ok_or("the transcript is empty")?;
    let header: Header =
        serde_json::from_str(first).map_err(|err| format!("line 1: not a header: {err}"))?;
    if header.transcript != FORMAT || header.version != VERSION {
        return Err(format!(
            "line 1: a {} transcript of version {}, this roomkv reads {FORMAT} version {VERSION}",
            header.transcript, header.version
        ));
    }
    let steps = lines
        .map(|(index, line)| {
            serde_json::from_str(line).map_err(|err| format!("line {}: {err}", index + 1))
        })
        .collect::<Result<Vec<StepRecord>, _>>()?;
    Ok((header, steps))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn normaliser() -> Normaliser {
        let mut values = Values::default();
        values.set("run", "pr-abc");
        values.set("msg_uid", "pr-abc-msg");
        values.set("app_key", "demo-app-key");
        values.set("sdkappid", "1400000000");
        values.set("admin", "administrator");
        Normaliser::new(&values, ["msg_uid".to_owned()])
    }

    #[test]
    fn dynamic_values_become_typed_markers_and_placeholders() {
        let body = json!({
            "code": 0,
            "result": {"metadata": [{"key": "k", "value": "pr-abc-x", "updatedAt": 1_700_000_000_000_u64}]},
            "keys": [{"lastSetTime": "1700000000000", "userId": "administrator"}],
            "extraContent": {"pr-abc-k": {"v": "pr-abc-msg", "ts": 17}},
            "RequestId": "Id-1-O-Seq-2",
            "Owner_Account": "administrator",
            "RoomId": "pr-abc-t1",
            "note": "administrator of pr-abc-a"
        });
        let normal = normaliser().body(body.to_string().as_bytes());
        assert_eq!(
            normal,
            json!({
                "code": 0,
                "result": {"metadata": [{"key": "k", "value": "${run}-x", "updatedAt": "<timestamp:number>"}]},
                "keys": [{"lastSetTime": "<timestamp:string>", "userId": "${admin}"}],
                "extraContent": {"${run}-k": {"v": "${msg_uid}", "ts": "<version:number>"}},
                "RequestId": "<request-id:string>",
                "Owner_Account": "${admin}",
                "RoomId": "${run}-t1",
                "note": "administrator of ${run}-a"
            })
        );
        assert_eq!(
            normaliser().body(b"<html>pr-abc</html>"),
            json!("<html>${run}</html>")
        );
        // A short variable value only as a whole string.
        let mut values = Values::default();
        values.set("msg_to", "bob");
        let short = Normaliser::new(&values, ["msg_to".to_owned()]);
        assert_eq!(
            short.body(br#"{"to":"bob","note":"bob's"}"#),
            json!({"to": "${msg_to}", "note": "bob's"})
        );
    }

    #[test]
    fn secrets_are_redacted_raw_and_encoded() {
        let secrets = vec!["a/b+c d".to_owned(), String::new()];
        assert_eq!(
            redact("x a/b+c d y a%2Fb%2Bc+d z", &secrets),
            "x <redacted> y <redacted> z"
        );
    }

    #[test]
    fn transcripts_of_another_format_are_refused() {
        assert!(read("").unwrap_err().contains("empty"));
        assert!(read("{}").unwrap_err().contains("not a header"));
        let header = serde_json::to_string(&Header {
            version: 9,
            ..Header::new(
                &Scenario::parse(r#"{"name":"s"}"#).unwrap(),
                Target::Emulator,
                Vec::new(),
            )
        })
        .unwrap();
        assert!(read(&header).unwrap_err().contains("version 9"));
    }
}
