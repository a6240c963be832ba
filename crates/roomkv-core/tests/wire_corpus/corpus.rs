//! The golden wire corpus (`crates/roomkv-core/testdata/wire/`, described in its README): the
//! fixtures, one per endpoint and dialect, and the shape check of a body against a fixture's
//! schema (field names, JSON types, required fields, nothing undocumented).
//!
//! Shared by two test crates: core's corpus tests (what roomkv encodes, decodes and parses) and
//! the emulator's (what it answers), which includes this file by path because core must not
//! depend on the emulator nor export test code. Each uses a part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

/// Which wire format a fixture describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Dialect {
    /// RongCloud's legacy form API (`application/x-www-form-urlencoded`, replies in JSON).
    Legacy,
    /// Nexconn's v4 JSON API.
    V4,
    /// Tencent Cloud Live's `live_engine_http_srv`.
    Tencent,
}

/// One endpoint of one dialect: what the vendors documented for its request and its response.
#[derive(Debug, Deserialize)]
pub(crate) struct Fixture {
    /// The file, relative to the corpus directory, without `.json` (set by [`load_all`]).
    #[serde(skip)]
    pub(crate) name: String,
    /// The dialect.
    pub(crate) dialect: Dialect,
    /// roomkv's operation type for the endpoint (`SetEntry`, `SetMessageMetadata`, ...).
    pub(crate) operation: String,
    /// The request path roomkv sends to.
    pub(crate) endpoint: String,
    /// The request.
    pub(crate) request: Side<RequestExample>,
    /// The reply.
    pub(crate) response: Side<ResponseExample>,
}

/// The schemas of one side of an exchange (one per source; several when sources disagree) and
/// the vendors' examples of it.
#[derive(Debug, Deserialize)]
pub(crate) struct Side<E> {
    /// One schema per source; exactly one is `primary`.
    pub(crate) schemas: Vec<Schema>,
    /// Examples, verbatim where the vendor published one.
    pub(crate) examples: Vec<E>,
}

impl<E> Side<E> {
    /// The primary schema: for a request what roomkv sends (the generated SDK model's spelling
    /// for v4), for a reply what the emulator answers.
    pub(crate) fn primary(&self) -> &Schema {
        let primaries: Vec<_> = self.schemas.iter().filter(|s| s.primary).collect();
        assert_eq!(primaries.len(), 1, "exactly one primary schema");
        primaries[0]
    }

    /// The first schema `check` accepts, or every schema's complaint.
    pub(crate) fn conforming(
        &self,
        check: impl Fn(&Schema) -> Result<(), String>,
    ) -> Result<(), String> {
        let mut complaints = Vec::new();
        for schema in &self.schemas {
            match check(schema) {
                Ok(()) => return Ok(()),
                Err(err) => complaints.push(format!("{}: {err}", schema.source)),
            }
        }
        Err(complaints.join("; "))
    }
}

/// The fields one source documents: name (a path for nested JSON: `a.b`, `a[].b`, `a.*.b` for
/// any key) to type (`string`, `integer`, `boolean`, `flag` (0 or 1), `map` (an object of
/// strings), `object`, `array`, `string[]`, `integer[]`; for form fields also `json-object`,
/// `json-array` and `string+` (a repeated field); `a|b` for either), `!` when required.
#[derive(Debug, Deserialize)]
pub(crate) struct Schema {
    /// Where the field list comes from (repository and path, or page URL).
    pub(crate) source: String,
    /// Whether this is the side's primary schema.
    #[serde(default)]
    pub(crate) primary: bool,
    /// Field path to type.
    pub(crate) fields: BTreeMap<String, String>,
}

/// A request example.
#[derive(Debug, Deserialize)]
pub(crate) struct RequestExample {
    /// Where it comes from.
    pub(crate) source: String,
    /// Whether it is the vendor's text as published (otherwise built from a field table or
    /// model, as `source` says).
    pub(crate) verbatim: bool,
    /// The path it is sent to, when not the fixture's endpoint.
    #[serde(default)]
    pub(crate) path: Option<String>,
    /// The body, byte for byte.
    pub(crate) body: String,
    /// What a faithful server does with it.
    pub(crate) expect: Expect,
    /// Members no source documents that the vendor's own example carries (seed 003's `extra`):
    /// a server ignores them.
    #[serde(default)]
    pub(crate) unknown_fields: Vec<String>,
}

/// A response example.
#[derive(Debug, Deserialize)]
pub(crate) struct ResponseExample {
    /// Where it comes from.
    pub(crate) source: String,
    /// Whether it is the vendor's text as published.
    pub(crate) verbatim: bool,
    /// The HTTP status.
    pub(crate) status: u16,
    /// The body, byte for byte.
    pub(crate) body: String,
    /// What a client does with it.
    pub(crate) expect: Expect,
}

/// `"ok"`, or a refusal naming a field.
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub(crate) enum Expect {
    /// Must be `"ok"`.
    Word(String),
    /// Refused as a parameter error naming `refused_field`.
    Refused {
        /// The field the refusal names.
        refused_field: String,
    },
}

impl Expect {
    /// The field a refusal names; `None` for `"ok"`.
    pub(crate) fn refused_field(&self) -> Option<&str> {
        match self {
            Self::Word(word) => {
                assert_eq!(word, "ok", "expect is \"ok\" or {{\"refused_field\":..}}");
                None
            }
            Self::Refused { refused_field } => Some(refused_field),
        }
    }
}

impl RequestExample {
    /// The body without its [`unknown_fields`](Self::unknown_fields), to hold against a schema.
    pub(crate) fn documented_body(&self, dialect: Dialect) -> Vec<u8> {
        let unknown = |name: &str| self.unknown_fields.iter().any(|u| u == name);
        match dialect {
            Dialect::Legacy => {
                let pairs =
                    form_urlencoded::parse(self.body.as_bytes()).filter(|(name, _)| !unknown(name));
                form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(pairs)
                    .finish()
                    .into_bytes()
            }
            Dialect::V4 | Dialect::Tencent => {
                let mut value: Value = serde_json::from_str(&self.body).unwrap();
                if let Some(members) = value.as_object_mut() {
                    members.retain(|name, _| !unknown(name));
                }
                value.to_string().into_bytes()
            }
        }
    }

    /// The path the example is sent to.
    pub(crate) fn path<'a>(&'a self, fixture: &'a Fixture) -> &'a str {
        self.path.as_deref().unwrap_or(&fixture.endpoint)
    }
}

/// Every fixture under `dir` (`legacy/`, `v4/`, `tencent/`), by name.
pub(crate) fn load_all(dir: &Path) -> Vec<Fixture> {
    let mut fixtures = Vec::new();
    for sub in ["legacy", "v4", "tencent"] {
        let mut files: Vec<_> = std::fs::read_dir(dir.join(sub))
            .unwrap_or_else(|e| panic!("{}: {e}", dir.join(sub).display()))
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut fixture: Fixture =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let stem = path.file_stem().unwrap().to_str().unwrap();
            fixture.name = format!("{sub}/{stem}");
            fixtures.push(fixture);
        }
    }
    fixtures
}

/// A type of the schema: the alternatives and whether the field is required.
fn parse_type(spec: &str) -> (Vec<&str>, bool) {
    let (spec, required) = match spec.strip_suffix('!') {
        Some(spec) => (spec, true),
        None => (spec, false),
    };
    (spec.split('|').collect(), required)
}

/// Whether a JSON value has the type `ty`.
fn json_is(ty: &str, value: &Value) -> bool {
    let strings = |items: &Vec<Value>| items.iter().all(Value::is_string);
    match ty {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "boolean" => value.is_boolean(),
        "flag" => value.as_u64().is_some_and(|n| n <= 1),
        "map" => value
            .as_object()
            .is_some_and(|map| map.values().all(Value::is_string)),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string[]" => value.as_array().is_some_and(strings),
        "integer[]" => value
            .as_array()
            .is_some_and(|items| items.iter().all(|i| i.is_i64() || i.is_u64())),
        other => panic!("unknown JSON type {other:?} in a schema"),
    }
}

/// Whether a form value has the type `ty`.
fn form_is(ty: &str, value: &str) -> bool {
    match ty {
        "string" | "string+" => true,
        "integer" => value.parse::<i64>().is_ok(),
        "flag" => value == "0" || value == "1",
        "json-object" => serde_json::from_str::<serde_json::Map<String, Value>>(value).is_ok(),
        "json-array" => serde_json::from_str::<Vec<String>>(value).is_ok(),
        other => panic!("unknown form type {other:?} in a schema"),
    }
}

/// Whether a schema path segment (`*` for any key) names the concrete segment.
fn segment_matches(pattern: &str, segment: &str) -> bool {
    pattern == segment || pattern == "*"
}

/// Whether a schema path names the concrete `path`.
fn path_matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('.').collect();
    let path: Vec<&str> = path.split('.').collect();
    pattern.len() == path.len()
        && pattern
            .iter()
            .zip(&path)
            .all(|(p, s)| segment_matches(p, s))
}

/// Whether the schema path lies strictly below the concrete `path` (`path` is `a.b` and the
/// pattern `a.b.c`, `a.b[]` or `a.b[].c`).
fn path_is_below(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('.').collect();
    let path: Vec<&str> = path.split('.').collect();
    let last = path.len() - 1;
    if pattern.len() < path.len() {
        return false;
    }
    let parents = pattern[..last]
        .iter()
        .zip(&path[..last])
        .all(|(p, s)| segment_matches(p, s));
    let here = pattern[last];
    let as_array = here
        .strip_suffix("[]")
        .is_some_and(|p| segment_matches(p, path[last]));
    parents && (as_array || (pattern.len() > path.len() && segment_matches(here, path[last])))
}

impl Schema {
    /// The type of the concrete `path`, if documented.
    fn type_of(&self, path: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(pattern, _)| path_matches(pattern, path))
            .map(|(_, ty)| ty.as_str())
    }

    /// Whether documented fields lie below `path` (so it is a container of them).
    fn contains_fields(&self, path: &str) -> bool {
        self.fields
            .keys()
            .any(|pattern| path_is_below(pattern, path))
    }

    /// Checks a JSON document: every member documented, of its type, every required field
    /// present (inside objects that are present; not checked inside arrays or `*` maps).
    pub(crate) fn check_json(&self, value: &Value) -> Result<(), String> {
        self.walk(value, "")?;
        for (pattern, spec) in &self.fields {
            let (_, required) = parse_type(spec);
            if !required || pattern.contains("[]") || pattern.contains('*') {
                continue;
            }
            let segments: Vec<&str> = pattern.split('.').collect();
            let mut node = Some(value);
            for (i, segment) in segments.iter().enumerate() {
                let child = node.and_then(|n| n.get(segment));
                if child.is_none() {
                    // A missing field is an error only when its parent is there.
                    if node.is_some() && (i == 0 || node.is_some_and(Value::is_object)) {
                        return Err(format!("the required field {pattern} is missing"));
                    }
                    break;
                }
                node = child;
            }
        }
        Ok(())
    }

    fn walk(&self, value: &Value, path: &str) -> Result<(), String> {
        if !path.is_empty() {
            match self.type_of(path) {
                Some(spec) => {
                    let (types, _) = parse_type(spec);
                    if !types.iter().any(|ty| json_is(ty, value)) {
                        return Err(format!("{path} is {value}, not {spec}"));
                    }
                    if !types.iter().any(|ty| matches!(*ty, "object" | "array")) {
                        return Ok(());
                    }
                }
                None if self.contains_fields(path) => {}
                None => return Err(format!("{path} is not documented")),
            }
        }
        let join = |child: &str| {
            if path.is_empty() {
                child.to_owned()
            } else {
                format!("{path}.{child}")
            }
        };
        match value {
            Value::Object(members) => {
                for (name, member) in members {
                    self.walk(member, &join(name))?;
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.walk(item, &format!("{path}[]"))?;
                }
            }
            _ if path.is_empty() => return Err("the body is not a JSON object".to_owned()),
            _ => {}
        }
        Ok(())
    }

    /// Checks a form body: every field documented, of its type, not repeated unless `string+`,
    /// every required field present.
    pub(crate) fn check_form(&self, pairs: &[(String, String)]) -> Result<(), String> {
        for (name, value) in pairs {
            let spec = self
                .type_of(name)
                .ok_or_else(|| format!("{name} is not documented"))?;
            let (types, _) = parse_type(spec);
            if !types.iter().any(|ty| form_is(ty, value)) {
                return Err(format!("{name}={value:?} is not {spec}"));
            }
            let repeats = pairs.iter().filter(|(n, _)| n == name).count();
            if repeats > 1 && !types.contains(&"string+") {
                return Err(format!("{name} is sent {repeats} times"));
            }
        }
        for (name, spec) in &self.fields {
            if parse_type(spec).1 && !pairs.iter().any(|(n, _)| n == name) {
                return Err(format!("the required field {name} is missing"));
            }
        }
        Ok(())
    }

    /// Checks a request body of `dialect`: a form for legacy, JSON otherwise.
    pub(crate) fn check_body(&self, dialect: Dialect, body: &[u8]) -> Result<(), String> {
        match dialect {
            Dialect::Legacy => {
                let pairs: Vec<(String, String)> = form_urlencoded::parse(body)
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                self.check_form(&pairs)
            }
            Dialect::V4 | Dialect::Tencent => {
                let value: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
                self.check_json(&value)
            }
        }
    }
}
