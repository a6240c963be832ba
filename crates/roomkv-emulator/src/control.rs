//! The control and inspection API under `/_emulator/` (documented in the crate's README).

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use roomkv_core::rongcloud::{
    ChatroomId, ConversationType, ExpansionKey, ExpansionValue, MsgUid, TargetId, UserId,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::Emulator;
use crate::console;
use crate::faults::FaultRule;
use crate::journal::{JournalFilter, Outcome};
use crate::service::json_response;
use crate::state::MessageRegistration;

/// A control request that cannot be served.
struct Refusal {
    status: StatusCode,
    message: String,
}

fn bad_request(message: impl Into<String>) -> Refusal {
    Refusal {
        status: StatusCode::BAD_REQUEST,
        message: message.into(),
    }
}

fn parse<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, Refusal> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| bad_request(format!("invalid JSON body: {e}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Enabled {
    enabled: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct KvService {
    app_key: Option<String>,
    enabled: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Leave {
    app_key: Option<String>,
    chatroom_id: String,
    user_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Destroy {
    app_key: Option<String>,
    chatroom_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Register {
    app_key: Option<String>,
    #[serde(rename = "msgUID")]
    msg_uid: String,
    from_user_id: String,
    conversation_type: Value,
    target_id: String,
    #[serde(default = "yes")]
    expansion: bool,
    #[serde(default)]
    extra_content: serde_json::Map<String, Value>,
}

/// The `since` query parameter (default 0).
fn since(request: &Request<Bytes>) -> Result<u64, Refusal> {
    query(request, "since")
        .map(|v| {
            v.parse::<u64>()
                .map_err(|_| bad_request(format!("since {v:?} is not a number")))
        })
        .transpose()
        .map(Option::unwrap_or_default)
}

fn query(request: &Request<Bytes>, name: &str) -> Option<String> {
    form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

/// `?since=N&vendor=rongcloud|tencent&outcome=ok|refused`.
fn journal_filter(request: &Request<Bytes>) -> Result<JournalFilter, Refusal> {
    let vendor = query(request, "vendor");
    if let Some(v) = &vendor
        && v != "rongcloud"
        && v != "tencent"
    {
        return Err(bad_request(format!(
            "vendor {v:?} is not rongcloud or tencent"
        )));
    }
    let outcome = match query(request, "outcome").as_deref() {
        None => None,
        Some("ok") => Some(Outcome::Ok),
        Some("refused") => Some(Outcome::Refused),
        Some(other) => {
            return Err(bad_request(format!(
                "outcome {other:?} is not ok or refused"
            )));
        }
    };
    Ok(JournalFilter {
        since: since(request)?,
        vendor,
        outcome,
    })
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Faults {
    Many { rules: Vec<FaultRule> },
    One(FaultRule),
}

impl Emulator {
    pub(crate) fn control(&self, request: &Request<Bytes>) -> Response<Vec<u8>> {
        if request.method() == Method::GET
            && let Some(page) = console::asset(request.uri().path())
        {
            return page;
        }
        match self.control_inner(request) {
            Ok(value) => json_response(StatusCode::OK, &value),
            Err(refusal) => json_response(refusal.status, &json!({ "error": refusal.message })),
        }
    }

    fn rongcloud_app_key(&self, app_key: Option<String>) -> Result<String, Refusal> {
        let apps = &self.inner.rongcloud_apps;
        match app_key {
            Some(key) if apps.contains_key(&key) => Ok(key),
            Some(key) => Err(bad_request(format!("unknown appKey {key:?}"))),
            None => self
                .inner
                .config
                .rongcloud_apps
                .first()
                .map(|app| app.app_key.clone())
                .ok_or_else(|| bad_request("no RongCloud app is configured")),
        }
    }

    /// `GET /_emulator/stats`: answers per endpoint and code, quota meters, throttled answers,
    /// webhook counters, and the fill of the journal and the event log.
    fn stats(&self) -> Result<Value, Refusal> {
        let events = self.state().events_since(u64::MAX);
        let journal = self.journal(&JournalFilter {
            since: u64::MAX,
            ..JournalFilter::default()
        });
        Ok(json!({
            "answers": self.answer_counts(),
            "quotas": self.quota_meters(),
            "rateLimits": self.quota_enforcer().enabled(),
            "throttled": self.quota_enforcer().refusals(),
            "webhooks": serde_json::to_value(self.webhook_stats())
                .map_err(|e| bad_request(e.to_string()))?,
            "journal": {
                "next": journal.next,
                "dropped": journal.dropped,
                "capacity": journal.capacity,
            },
            "events": { "next": events.next, "dropped": events.dropped },
        }))
    }

    /// `GET /_emulator/state`: the vendors' state (what a state file holds) and each
    /// RongCloud app's KV service switch, for the console.
    fn state_view(&self) -> Result<Value, Refusal> {
        let snapshot = serde_json::to_value(self.state().snapshot())
            .map_err(|e| bad_request(e.to_string()))?;
        let kv_service: Vec<Value> = self
            .inner
            .config
            .rongcloud_apps
            .iter()
            .map(|app| {
                json!({
                    "appKey": app.app_key,
                    "enabled": self.state().kv_enabled(&app.app_key),
                })
            })
            .collect();
        Ok(json!({ "state": snapshot, "kvService": kv_service }))
    }

    fn control_inner(&self, request: &Request<Bytes>) -> Result<Value, Refusal> {
        let limit = self.inner.config.limits.rongcloud.request_body_max_bytes;
        if request.body().len() > limit {
            return Err(Refusal {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                message: format!("request body exceeds {limit} bytes"),
            });
        }
        let path = request.uri().path();
        let method = request.method();
        let body = request.body().as_ref();
        let state = self.state();
        let allowed = match path {
            "/_emulator/health" => &[Method::GET][..],
            "/_emulator/events" => &[Method::GET],
            "/_emulator/requests" | "/_emulator/stats" | "/_emulator/state" => &[Method::GET],
            "/_emulator/webhooks" => &[Method::GET],
            "/_emulator/connections" => &[Method::GET],
            "/_emulator/reset" => &[Method::POST],
            "/_emulator/faults" => &[Method::GET, Method::POST, Method::DELETE],
            "/_emulator/rate-limits" => &[Method::GET, Method::POST],
            "/_emulator/rongcloud/kv-service"
            | "/_emulator/rongcloud/messages"
            | "/_emulator/rongcloud/chatroom/leave"
            | "/_emulator/rongcloud/chatroom/destroy" => &[Method::POST],
            _ => {
                return Err(Refusal {
                    status: StatusCode::NOT_FOUND,
                    message: format!("no control endpoint {path}"),
                });
            }
        };
        if !allowed.contains(method) {
            return Err(Refusal {
                status: StatusCode::METHOD_NOT_ALLOWED,
                message: format!("{method} is not allowed on {path}"),
            });
        }
        match (path, method) {
            ("/_emulator/health", _) => Ok(json!({ "ok": true })),
            ("/_emulator/events", _) => {
                let since = since(request)?;
                serde_json::to_value(state.events_since(since))
                    .map_err(|e| bad_request(e.to_string()))
            }
            ("/_emulator/requests", _) => {
                let filter = journal_filter(request)?;
                serde_json::to_value(self.journal(&filter)).map_err(|e| bad_request(e.to_string()))
            }
            ("/_emulator/stats", _) => self.stats(),
            ("/_emulator/state", _) => self.state_view(),
            ("/_emulator/webhooks", _) => {
                serde_json::to_value(self.webhook_stats()).map_err(|e| bad_request(e.to_string()))
            }
            ("/_emulator/connections", _) => {
                let (open, refused) = self.connection_counts();
                Ok(json!({ "open": open, "refused": refused }))
            }
            ("/_emulator/reset", _) => {
                self.reset();
                Ok(json!({ "ok": true }))
            }
            ("/_emulator/faults", &Method::GET) => Ok(json!({ "rules": self.faults() })),
            ("/_emulator/faults", &Method::DELETE) => {
                self.clear_faults();
                Ok(json!({ "rules": [] }))
            }
            ("/_emulator/faults", _) => {
                let rules = match parse::<Faults>(body)? {
                    Faults::Many { rules } => rules,
                    Faults::One(rule) => vec![rule],
                };
                for rule in rules {
                    self.add_fault(rule)
                        .map_err(|e| bad_request(e.to_string()))?;
                }
                Ok(json!({ "rules": self.faults() }))
            }
            ("/_emulator/rate-limits", &Method::GET) => {
                Ok(json!({ "enabled": self.quota_enforcer().enabled() }))
            }
            ("/_emulator/rate-limits", _) => {
                let Enabled { enabled } = parse(body)?;
                self.quota_enforcer().set_enabled(enabled);
                Ok(json!({ "enabled": enabled }))
            }
            ("/_emulator/rongcloud/kv-service", _) => {
                let KvService { app_key, enabled } = parse(body)?;
                let app_key = self.rongcloud_app_key(app_key)?;
                state.set_kv_enabled(&app_key, enabled);
                Ok(json!({ "appKey": app_key, "enabled": enabled }))
            }
            ("/_emulator/rongcloud/chatroom/leave", _) => {
                let leave: Leave = parse(body)?;
                let app_key = self.rongcloud_app_key(leave.app_key)?;
                let removed = state.user_leave(
                    &app_key,
                    &ChatroomId::non_validated(leave.chatroom_id),
                    &UserId::non_validated(leave.user_id),
                    self.now_ms(),
                );
                Ok(json!({ "removed": removed }))
            }
            ("/_emulator/rongcloud/chatroom/destroy", _) => {
                let destroy: Destroy = parse(body)?;
                let app_key = self.rongcloud_app_key(destroy.app_key)?;
                let removed = state.destroy_chatroom(
                    &app_key,
                    &ChatroomId::non_validated(destroy.chatroom_id),
                    self.now_ms(),
                );
                Ok(json!({ "removed": removed }))
            }
            ("/_emulator/rongcloud/messages", _) => {
                let register: Register = parse(body)?;
                let app_key = self.rongcloud_app_key(register.app_key)?;
                let conversation = match &register.conversation_type {
                    Value::Number(n) => n
                        .as_i64()
                        .ok_or_else(|| bad_request("conversationType must be 1 or 3"))
                        .and_then(|n| {
                            ConversationType::from_code(n).map_err(|e| bad_request(e.to_string()))
                        }),
                    Value::String(s) => s
                        .parse::<ConversationType>()
                        .map_err(|e| bad_request(e.to_string())),
                    _ => Err(bad_request(
                        "conversationType must be 1, 3, \"private\" or \"group\"",
                    )),
                }?;
                let initial = register
                    .extra_content
                    .into_iter()
                    .map(|(k, v)| {
                        let v = match v {
                            Value::String(s) => s,
                            other => other.to_string(),
                        };
                        (
                            ExpansionKey::non_validated(k),
                            ExpansionValue::non_validated(v),
                        )
                    })
                    .collect();
                let registration = MessageRegistration {
                    msg_uid: MsgUid::non_validated(register.msg_uid),
                    sender: UserId::non_validated(register.from_user_id),
                    conversation,
                    target_id: TargetId::non_validated(register.target_id),
                    expansion: register.expansion,
                    initial,
                };
                state
                    .register_message(&app_key, &registration, self.now_ms())
                    .map_err(|e| bad_request(format!("code {}: {}", e.code.code(), e.message)))?;
                Ok(json!({ "registered": registration.msg_uid.as_str() }))
            }
            _ => Err(Refusal {
                status: StatusCode::NOT_FOUND,
                message: format!("no control endpoint {path}"),
            }),
        }
    }
}
