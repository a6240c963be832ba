//! The scenario format: which raw requests to send, how to sign them, what the emulator needs
//! set up first and what to clean up afterwards; and its templates (`${run}`, variables,
//! generators of long values).
//!
//! A scenario is one JSON document (the default one is `default_scenario.json`, built into the
//! binary):
//!
//! ```json
//! {
//!   "name": "default",
//!   "vars": {"msg_uid": {"about": "…", "emulator": "${run}-msg"}},
//!   "emulator_setup": [{"path": "/_emulator/rongcloud/messages", "body": {"msgUID": "${msg_uid}"}}],
//!   "cleanup": {"rongcloud_rooms": ["${run}-a"], "tencent_rooms": ["${run}-t"], "expansions": []},
//!   "steps": [
//!     {"name": "legacy/entry-set", "vendor": "rongcloud", "dialect": "legacy",
//!      "path": "/chatroom/entry/set.json", "auth": "signed",
//!      "body": {"form": {"chatroomId": "${run}-a", "userId": "u1", "key": "k", "value": "v"}}}
//!   ]
//! }
//! ```
//!
//! Strings anywhere in a body, a path or a setup call may hold `${NAME}`: `run` (the run's
//! unique prefix), `app_key`, `sdkappid`, `admin`, or a variable of `vars`. A JSON object with
//! one of the keys `$repeat`, `$items`, `$pairs`, `$json` is a generator: `{"$repeat": "k", "times": 129}` (a string), `{"$items": ITEM,
//! "count": 101}` (an array of ITEM, any JSON, `{i}` in its strings counting from `from`,
//! default 1), `{"$pairs": "k{i}", "value": VALUE, "count": 21}` (an object), `{"$json":
//! VALUE}` (VALUE serialised to a string, for form fields that carry JSON). Generators nest.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The default scenario, shipped in the binary.
pub(crate) const DEFAULT: &str = include_str!("default_scenario.json");

/// A scenario: steps to run in order, with what they need before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Scenario {
    /// A name for reports.
    pub(crate) name: String,
    /// What it covers, for readers.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(crate) about: String,
    /// Variables the steps use, with their emulator defaults.
    #[serde(default)]
    pub(crate) vars: BTreeMap<String, Var>,
    /// Calls to the emulator's control API before the first step (only against the emulator).
    #[serde(default)]
    pub(crate) emulator_setup: Vec<ControlCall>,
    /// What to remove after the last step.
    #[serde(default)]
    pub(crate) cleanup: Cleanup,
    /// The requests.
    #[serde(default)]
    pub(crate) steps: Vec<Step>,
}

/// A scenario variable: something a real account must provide, such as a message with
/// expansion enabled, which no vendor API can create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Var {
    /// What the value must be, for the note of a skipped step.
    pub(crate) about: String,
    /// Its value against the emulator (a template), made real by `emulator_setup`.
    pub(crate) emulator: String,
}

/// A call to the emulator's control API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ControlCall {
    /// A path under `/_emulator/`.
    pub(crate) path: String,
    /// The JSON body (a template).
    pub(crate) body: Value,
}

/// What a run removes at its end, whatever happened before.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Cleanup {
    /// Chat rooms whose every entry is removed.
    #[serde(default)]
    pub(crate) rongcloud_rooms: Vec<String>,
    /// Tencent rooms to destroy (with their metadata).
    #[serde(default)]
    pub(crate) tencent_rooms: Vec<String>,
    /// Message expansions to delete.
    #[serde(default)]
    pub(crate) expansions: Vec<ExpansionCleanup>,
}

/// Expansions of one message to delete at the end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExpansionCleanup {
    /// The message (a template).
    pub(crate) msg_uid: String,
    /// The operator.
    pub(crate) user: String,
    /// `1` one-to-one or `3` group.
    pub(crate) conversation: u8,
    /// The other party or the group.
    pub(crate) target: String,
    /// The keys the scenario may have set (a template: a generator may list them).
    pub(crate) keys: Value,
}

/// Which vendor a step talks to (RongCloud: signature headers; Tencent: a UserSig in the
/// query).
pub(crate) use crate::shared::Vendor;

/// How a step's request is signed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Auth {
    /// Correctly: RongCloud signature headers, or a Tencent admin UserSig.
    #[default]
    Signed,
    /// RongCloud: the signature of another secret.
    WrongSecret,
    /// RongCloud: `App-Key`, `Nonce` and `Timestamp`, no `Signature`.
    NoSignature,
    /// RongCloud: an `App-Key` no app has (signed with the real secret).
    UnknownAppKey,
    /// Tencent: a UserSig made with another secret key.
    WrongKey,
    /// Tencent: a UserSig that expired a day ago.
    Expired,
    /// Tencent: `usersig=` empty.
    NoUsersig,
    /// Tencent: a `usersig` that is not a UserSig at all.
    Malformed,
    /// Tencent: a valid UserSig of a user who is not the app admin, sent as that user.
    NotAdmin,
    /// Tencent: the admin's `identifier` with another user's valid UserSig.
    IdentifierMismatch,
    /// Tencent: no `sdkappid` in the query.
    NoSdkappid,
    /// Tencent: the app's `sdkappid` with a UserSig made for another SDKAppID.
    SdkappidMismatch,
}

impl Auth {
    /// Whether the mode applies to `vendor`.
    fn fits(self, vendor: Vendor) -> bool {
        match self {
            Self::Signed => true,
            Self::WrongSecret | Self::NoSignature | Self::UnknownAppKey => {
                vendor == Vendor::RongCloud
            }
            _ => vendor == Vendor::Tencent,
        }
    }
}

/// A request body, as a template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub(crate) enum Body {
    /// `application/x-www-form-urlencoded`: each string field once, each array of strings
    /// repeated (`keys=a&keys=b`), numbers and booleans as text.
    Form(Map<String, Value>),
    /// `application/json`.
    Json(Value),
    /// These bytes as `text/plain`, for bodies no encoder would write.
    Raw(String),
}

/// One request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Step {
    /// Unique in the scenario, such as `legacy/entry-set`.
    pub(crate) name: String,
    /// What it provokes, for readers.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(crate) about: String,
    /// The vendor.
    pub(crate) vendor: Vendor,
    /// RongCloud only: `legacy` or `v4`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) dialect: Option<String>,
    /// `POST` unless said otherwise.
    #[serde(default = "post", skip_serializing_if = "is_post")]
    pub(crate) method: String,
    /// The path (a template); the Tencent query is added by the signer.
    pub(crate) path: String,
    /// How to sign.
    #[serde(default, skip_serializing_if = "is_signed")]
    pub(crate) auth: Auth,
    /// The body, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) body: Option<Body>,
}

fn post() -> String {
    "POST".to_owned()
}

fn is_post(method: &String) -> bool {
    method == "POST"
}

fn is_signed(auth: &Auth) -> bool {
    *auth == Auth::Signed
}

impl Scenario {
    /// Parses a scenario and checks it: unique step names, dialects and auth modes that fit
    /// the vendor, methods HTTP knows, placeholders that name a variable.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let scenario: Self =
            serde_json::from_str(text).map_err(|err| format!("not a scenario: {err}"))?;
        scenario.check()?;
        Ok(scenario)
    }

    /// The checks of [`parse`](Self::parse).
    pub(crate) fn check(&self) -> Result<(), String> {
        let mut names = BTreeSet::new();
        let known: BTreeSet<&str> = BUILTINS
            .iter()
            .copied()
            .chain(self.vars.keys().map(String::as_str))
            .collect();
        for step in &self.steps {
            let name = &step.name;
            if !names.insert(name.as_str()) {
                return Err(format!("step {name} appears twice"));
            }
            match (step.vendor, step.dialect.as_deref()) {
                (Vendor::RongCloud, Some("legacy" | "v4")) | (Vendor::Tencent, None) => {}
                (vendor, dialect) => {
                    return Err(format!(
                        "step {name}: dialect {dialect:?} does not fit {}",
                        vendor.name()
                    ));
                }
            }
            if !step.auth.fits(step.vendor) {
                return Err(format!(
                    "step {name}: auth {:?} is not a {} mode",
                    step.auth,
                    step.vendor.name()
                ));
            }
            http::Method::from_bytes(step.method.as_bytes())
                .map_err(|_| format!("step {name}: {:?} is not an HTTP method", step.method))?;
            if let Some(unknown) = used_by(step).iter().find(|n| !known.contains(n.as_str())) {
                return Err(format!("step {name}: unknown placeholder ${{{unknown}}}"));
            }
        }
        Ok(())
    }

    /// The variables `step` uses.
    pub(crate) fn vars_of(&self, step: &Step) -> BTreeSet<String> {
        let mut used = used_by(step);
        used.retain(|name| self.vars.contains_key(name));
        used
    }
}

/// Every placeholder of `step`'s path and body.
fn used_by(step: &Step) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    placeholders_in_str(&step.path, &mut used);
    match &step.body {
        Some(Body::Form(map)) => map.values().for_each(|v| placeholders(v, &mut used)),
        Some(Body::Json(value)) => placeholders(value, &mut used),
        Some(Body::Raw(text)) => placeholders_in_str(text, &mut used),
        None => {}
    }
    used
}

/// The keys that make an object a generator.
const GENERATORS: [&str; 4] = ["$repeat", "$items", "$pairs", "$json"];

/// The placeholders every run defines.
pub(crate) const BUILTINS: [&str; 4] = ["run", "app_key", "sdkappid", "admin"];

/// Every `${NAME}` in the strings of `value` (object keys included).
fn placeholders(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::String(text) => placeholders_in_str(text, out),
        Value::Array(items) => items.iter().for_each(|v| placeholders(v, out)),
        Value::Object(map) => {
            for (key, v) in map {
                placeholders_in_str(key, out);
                placeholders(v, out);
            }
        }
        _ => {}
    }
}

fn placeholders_in_str(text: &str, out: &mut BTreeSet<String>) {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        out.insert(after[..end].to_owned());
        rest = &after[end + 1..];
    }
}

/// The values of the placeholders of one run.
#[derive(Debug, Clone, Default)]
pub(crate) struct Values(BTreeMap<String, String>);

impl Values {
    /// Sets `name` to `value`.
    pub(crate) fn set(&mut self, name: &str, value: impl Into<String>) {
        self.0.insert(name.to_owned(), value.into());
    }

    /// The value of `name`, if it has one.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// `text` with every `${NAME}` replaced by its value.
    pub(crate) fn render_str(&self, text: &str) -> Result<String, String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| format!("unclosed placeholder in {text:?}"))?;
            let name = &after[..end];
            let value = self
                .get(name)
                .ok_or_else(|| format!("${{{name}}} has no value"))?;
            out.push_str(value);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// `value` with its placeholders replaced and its generators expanded.
    pub(crate) fn render(&self, value: &Value) -> Result<Value, String> {
        Ok(match value {
            Value::String(text) => Value::String(self.render_str(text)?),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.render(v))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) if GENERATORS.iter().any(|g| map.contains_key(*g)) => {
                self.generate(map)?
            }
            Value::Object(map) => {
                let mut out = Map::new();
                for (key, v) in map {
                    out.insert(self.render_str(key)?, self.render(v)?);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }

    /// Expands a generator object.
    fn generate(&self, map: &Map<String, Value>) -> Result<Value, String> {
        let count = |field: &str| {
            map.get(field)
                .and_then(Value::as_u64)
                .filter(|n| *n <= 200_000)
                .ok_or_else(|| format!("generator {map:?}: `{field}` must be a count"))
        };
        let from = map.get("from").and_then(Value::as_u64).unwrap_or(1);
        let indices = |n: u64| from..from + n;
        if let Some(Value::String(text)) = map.get("$repeat") {
            let times = usize::try_from(count("times")?).map_err(|e| e.to_string())?;
            return Ok(Value::String(self.render_str(text)?.repeat(times)));
        }
        if let Some(item) = map.get("$items") {
            return indices(count("count")?)
                .map(|i| self.render(&numbered(item, i)))
                .collect::<Result<_, _>>();
        }
        if let (Some(Value::String(key)), Some(value)) = (map.get("$pairs"), map.get("value")) {
            let mut out = Map::new();
            for i in indices(count("count")?) {
                let key = self.render_str(&key.replace("{i}", &i.to_string()))?;
                out.insert(key, self.render(&numbered(value, i))?);
            }
            return Ok(Value::Object(out));
        }
        if let Some(inner) = map.get("$json") {
            let rendered = self.render(inner)?;
            return serde_json::to_string(&rendered)
                .map(Value::String)
                .map_err(|err| err.to_string());
        }
        Err(format!(
            "{map:?} is not a generator ($repeat, $items, $pairs, $json)"
        ))
    }
}

/// `template` with `{i}` replaced by `i` in every string and key.
fn numbered(template: &Value, i: u64) -> Value {
    let n = |text: &str| text.replace("{i}", &i.to_string());
    match template {
        Value::String(text) => Value::String(n(text)),
        Value::Array(items) => items.iter().map(|v| numbered(v, i)).collect(),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, v)| (n(key), numbered(v, i)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A rendered form body: each field once, arrays repeated, other values as their text.
pub(crate) fn encode_form(map: &Map<String, Value>) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (key, value) in map {
        match value {
            Value::Array(items) => {
                for item in items {
                    form.append_pair(key, &scalar_text(item));
                }
            }
            other => {
                form.append_pair(key, &scalar_text(other));
            }
        }
    }
    form.finish()
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn values() -> Values {
        let mut values = Values::default();
        values.set("run", "pr-1");
        values.set("msg_uid", "M1");
        values
    }

    #[test]
    fn the_default_scenario_parses_and_covers_both_vendors_and_dialects() {
        let scenario = Scenario::parse(DEFAULT).unwrap();
        for (vendor, dialect) in [
            (Vendor::RongCloud, Some("legacy")),
            (Vendor::RongCloud, Some("v4")),
            (Vendor::Tencent, None),
        ] {
            assert!(
                scenario
                    .steps
                    .iter()
                    .any(|s| s.vendor == vendor && s.dialect.as_deref() == dialect),
                "{vendor:?} {dialect:?}"
            );
        }
        // Every room a step names under the run prefix is cleaned up.
        let text = serde_json::to_string(&scenario.steps).unwrap();
        for room in scenario
            .cleanup
            .rongcloud_rooms
            .iter()
            .chain(&scenario.cleanup.tencent_rooms)
        {
            assert!(text.contains(room.as_str()), "{room} is never used");
        }
    }

    #[test]
    fn placeholders_are_replaced_and_generators_expand() {
        let values = values();
        assert_eq!(
            values.render_str("${run}-a/${msg_uid}").unwrap(),
            "pr-1-a/M1"
        );
        assert_eq!(
            values.render_str("${nope}").unwrap_err(),
            "${nope} has no value"
        );
        let template = json!({
            "long": {"$repeat": "k", "times": 3},
            "keys": {"$items": "${run}k{i}", "count": 2, "from": 0},
            "objects": {"$items": {"Key": "k{i}", "Value": {"$repeat": "v", "times": 2}}, "count": 2},
            "pairs": {"$pairs": "k{i}", "value": "v{i}", "count": 2},
            "info": {"$json": {"a": "${msg_uid}"}},
            "${run}": 7
        });
        assert_eq!(
            values.render(&template).unwrap(),
            json!({
                "long": "kkk",
                "keys": ["pr-1k0", "pr-1k1"],
                "objects": [{"Key": "k1", "Value": "vv"}, {"Key": "k2", "Value": "vv"}],
                "pairs": {"k1": "v1", "k2": "v2"},
                "info": "{\"a\":\"M1\"}",
                "pr-1": 7
            })
        );
        // `${run}` keys are not generators; a generator without its fields is refused.
        assert_eq!(
            values.render(&json!({"${run}x": "1"})).unwrap(),
            json!({"pr-1x": "1"})
        );
        assert!(values.render(&json!({"$repeat": "k"})).is_err());
    }

    #[test]
    fn forms_repeat_array_fields() {
        let map = json!({"chatroomId": "r 1", "keys": ["a", "b&c"], "autoDelete": 1});
        let Value::Object(map) = map else { panic!() };
        assert_eq!(
            encode_form(&map),
            "autoDelete=1&chatroomId=r+1&keys=a&keys=b%26c"
        );
    }

    proptest::proptest! {
        /// Every field and every repeated value comes back from the encoded form, in order per
        /// field, whatever its characters.
        #[test]
        fn forms_round_trip(
            fields in proptest::collection::btree_map(
                "[a-zA-Z]{1,8}",
                proptest::collection::vec(".{0,12}", 1..4),
                0..6,
            )
        ) {
            let map: Map<String, Value> = fields
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.clone())))
                .collect();
            let encoded = encode_form(&map);
            let decoded: Vec<(String, String)> = form_urlencoded::parse(encoded.as_bytes())
                .into_owned()
                .collect();
            let expected: Vec<(String, String)> = fields
                .iter()
                .flat_map(|(k, vs)| vs.iter().map(move |v| (k.clone(), v.clone())))
                .collect();
            proptest::prop_assert_eq!(decoded, expected);
        }

        /// Text without `${` renders to itself; `${run}` anywhere renders to the run's value.
        #[test]
        fn rendering_replaces_exactly_the_placeholders(
            parts in proptest::collection::vec("[^$]{0,8}", 1..5)
        ) {
            let values = values();
            let plain = parts.concat();
            proptest::prop_assert_eq!(values.render_str(&plain).unwrap(), plain);
            let templated = parts.join("${run}");
            proptest::prop_assert_eq!(values.render_str(&templated).unwrap(), parts.join("pr-1"));
        }
    }

    #[test]
    fn bad_scenarios_are_refused_with_the_step() {
        let step = |extra: &str| {
            format!(
                r#"{{"name":"s","steps":[{{"name":"a","vendor":"rongcloud","dialect":"legacy","path":"/x"{extra}}}]}}"#
            )
        };
        assert!(Scenario::parse(&step("")).is_ok());
        for (extra, error) in [
            (
                r#","auth":"expired""#,
                "auth Expired is not a rongcloud mode",
            ),
            (r#","path2":1"#, "unknown field"),
            (r#","body":{"json":"${who}"}"#, "unknown placeholder ${who}"),
            (r#","method":"G E T""#, "is not an HTTP method"),
        ] {
            let err = Scenario::parse(&step(extra)).unwrap_err();
            assert!(err.contains(error), "{extra}: {err}");
        }
        let tencent_dialect =
            r#"{"name":"s","steps":[{"name":"a","vendor":"tencent","dialect":"v4","path":"/x"}]}"#;
        assert!(
            Scenario::parse(tencent_dialect)
                .unwrap_err()
                .contains("dialect")
        );
        let twice = r#"{"name":"s","steps":[{"name":"a","vendor":"tencent","path":"/x"},{"name":"a","vendor":"tencent","path":"/y"}]}"#;
        assert!(Scenario::parse(twice).unwrap_err().contains("twice"));
    }
}
