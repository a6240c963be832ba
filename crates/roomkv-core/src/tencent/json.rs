//! Reading Tencent JSON bodies field by field, so every error names the field at fault.
//!
//! Shared by the client (replies) and the server (requests). `null` counts as absent everywhere:
//! Tencent's documents never give `null` a meaning of its own.

use serde_json::{Map, Value};

use crate::DecodeError;

/// A JSON object.
pub(crate) type Object = Map<String, Value>;

/// Parses a request body: it must be a JSON object. Anything else is an error without a field
/// (Tencent's 60003, "request JSON parse error"); errors inside the object name their field.
#[cfg_attr(not(feature = "server"), allow(dead_code))]
pub(crate) fn body_object(body: &[u8]) -> Result<Object, DecodeError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(DecodeError::new("the request body is not a JSON object")),
        Err(err) => Err(DecodeError::json("the request body", err)),
    }
}

/// The value of `field`, `None` when absent or `null`.
pub(crate) fn get<'a>(object: &'a Object, field: &'static str) -> Option<&'a Value> {
    object.get(field).filter(|v| !v.is_null())
}

/// The value of a mandatory `field`.
pub(crate) fn required<'a>(
    object: &'a Object,
    field: &'static str,
) -> Result<&'a Value, DecodeError> {
    get(object, field).ok_or_else(|| DecodeError::field(field, format!("{field} is missing")))
}

fn wrong_type(field: &'static str, expected: &str, value: &Value) -> DecodeError {
    let found = match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    DecodeError::field(field, format!("{field} must be {expected}, found {found}"))
}

/// An object.
pub(crate) fn object<'a>(value: &'a Value, field: &'static str) -> Result<&'a Object, DecodeError> {
    value
        .as_object()
        .ok_or_else(|| wrong_type(field, "an object", value))
}

/// A string.
pub(crate) fn string(value: &Value, field: &'static str) -> Result<String, DecodeError> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| wrong_type(field, "a string", value))
}

/// A string or a number, as text. Numbers keep their exact digits (`Owner_Account` is documented
/// as a string but sampled as the integer `144115233775727695`, beyond `f64` precision).
pub(crate) fn string_or_number(value: &Value, field: &'static str) -> Result<String, DecodeError> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(wrong_type(field, "a string or a number", other)),
    }
}

/// A boolean.
pub(crate) fn boolean(value: &Value, field: &'static str) -> Result<bool, DecodeError> {
    value
        .as_bool()
        .ok_or_else(|| wrong_type(field, "a boolean", value))
}

/// An integer that fits `T`.
pub(crate) fn integer<T>(value: &Value, field: &'static str) -> Result<T, DecodeError>
where
    T: TryFrom<i64> + TryFrom<u64>,
{
    let fits = match value {
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => T::try_from(i).ok(),
            (None, Some(u)) => T::try_from(u).ok(),
            (None, None) => None,
        },
        _ => return Err(wrong_type(field, "an integer", value)),
    };
    fits.ok_or_else(|| {
        DecodeError::field(
            field,
            format!("{field} is {value}, not an integer in range"),
        )
    })
}

/// An array.
pub(crate) fn array<'a>(value: &'a Value, field: &'static str) -> Result<&'a [Value], DecodeError> {
    value
        .as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| wrong_type(field, "an array", value))
}

/// An array of strings.
#[cfg_attr(not(feature = "server"), allow(dead_code))]
pub(crate) fn strings(value: &Value, field: &'static str) -> Result<Vec<String>, DecodeError> {
    array(value, field)?
        .iter()
        .map(|item| string(item, field))
        .collect()
}

/// An optional field read with `read`.
pub(crate) fn optional<T>(
    object: &Object,
    field: &'static str,
    read: impl FnOnce(&Value, &'static str) -> Result<T, DecodeError>,
) -> Result<Option<T>, DecodeError> {
    get(object, field).map(|v| read(v, field)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_name_the_field_and_big_integers_stay_exact() {
        let v = json!({"A": 144115233775727695u64, "B": "x", "C": null, "D": -1});
        let o = v.as_object().unwrap();
        assert_eq!(
            string_or_number(required(o, "A").unwrap(), "A").unwrap(),
            "144115233775727695"
        );
        assert_eq!(required(o, "C").unwrap_err().field_name(), Some("C"));
        assert_eq!(optional(o, "C", string).unwrap(), None);
        let err = optional(o, "B", boolean).unwrap_err();
        assert_eq!(err.field_name(), Some("B"));
        assert_eq!(err.to_string(), "B must be a boolean, found a string");
        assert_eq!(
            integer::<u32>(&o["D"], "D").unwrap_err().to_string(),
            "D is -1, not an integer in range"
        );
        assert_eq!(integer::<i64>(&o["D"], "D").unwrap(), -1);
    }

    #[test]
    fn body_must_be_a_json_object() {
        for body in [&b""[..], b"not json", b"[1]", b"\"RoomId\""] {
            assert_eq!(body_object(body).unwrap_err().field_name(), None);
        }
        assert!(body_object(b"{}").unwrap().is_empty());
    }
}
