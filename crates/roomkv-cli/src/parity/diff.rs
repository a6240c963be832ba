//! How a replayed step differs from its transcript: status, vendor code, body shape (fields
//! present, JSON types, array lengths) and field values, after normalisation.

use serde_json::Value;

use super::transcript::{Outcome, type_name};

/// The differences between the recorded and the replayed outcome of one step, one line each;
/// empty when they agree.
pub(crate) fn differences(recorded: &Outcome, replayed: &Outcome) -> Vec<String> {
    match (recorded, replayed) {
        (
            Outcome::Answered {
                status: s1,
                code: c1,
                body: b1,
            },
            Outcome::Answered {
                status: s2,
                code: c2,
                body: b2,
            },
        ) => {
            let mut out = Vec::new();
            if s1 != s2 {
                out.push(format!("status: {s1} in the transcript, {s2} now"));
            }
            if c1 != c2 {
                out.push(format!(
                    "code: {} in the transcript, {} now",
                    shown(*c1),
                    shown(*c2)
                ));
            }
            walk("$", b1, b2, true, &mut out);
            out
        }
        (Outcome::Failed { .. }, Outcome::Failed { .. }) => Vec::new(),
        (Outcome::Failed { .. }, Outcome::Answered { status, .. }) => {
            vec![format!("status: no answer in the transcript, {status} now")]
        }
        (Outcome::Answered { status, .. }, Outcome::Failed { .. }) => {
            vec![format!("status: {status} in the transcript, no answer now")]
        }
    }
}

fn shown(code: Option<i64>) -> String {
    code.map_or_else(|| "none".to_owned(), |c| c.to_string())
}

/// Compares `a` (recorded) and `b` (replayed) at `path`. The top-level code fields are left
/// to the code comparison.
fn walk(path: &str, a: &Value, b: &Value, top: bool, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(ma), Value::Object(mb)) => {
            for (key, va) in ma {
                if top && (key == "code" || key == "ErrorCode") {
                    continue;
                }
                let at = format!("{path}.{key}");
                match mb.get(key) {
                    Some(vb) => walk(&at, va, vb, false, out),
                    None => out.push(format!("shape: {at} only in the transcript")),
                }
            }
            for key in mb.keys().filter(|key| !ma.contains_key(*key)) {
                if !(top && (key == "code" || key == "ErrorCode")) {
                    out.push(format!("shape: {path}.{key} only now"));
                }
            }
        }
        (Value::Array(xa), Value::Array(xb)) => {
            if xa.len() != xb.len() {
                out.push(format!(
                    "shape: {path} has {} items in the transcript, {} now",
                    xa.len(),
                    xb.len()
                ));
            }
            for (index, (va, vb)) in xa.iter().zip(xb).enumerate() {
                walk(&format!("{path}[{index}]"), va, vb, false, out);
            }
        }
        (a, b) if type_name(a) != type_name(b) => out.push(format!(
            "shape: {path} is a {} in the transcript, a {} now",
            type_name(a),
            type_name(b)
        )),
        (a, b) if a != b => out.push(format!("value: {path} is {a} in the transcript, {b} now")),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn answered(status: u16, code: Option<i64>, body: Value) -> Outcome {
        Outcome::Answered { status, code, body }
    }

    #[test]
    fn equal_outcomes_have_no_difference() {
        let a = answered(200, Some(200), json!({"code": 200, "keys": [{"k": "v"}]}));
        assert!(differences(&a, &a.clone()).is_empty());
        let failed = Outcome::Failed {
            error: "no answer".to_owned(),
        };
        assert!(differences(&failed, &failed.clone()).is_empty());
    }

    /// Any JSON value, a few levels deep.
    fn json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            "[a-z]{0,4}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::btree_map("[a-z]{1,3}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// Two bodies differ somewhere exactly when the diff says so.
        #[test]
        fn a_diff_is_empty_exactly_when_the_bodies_are_equal(a in json(), b in json()) {
            let (ra, rb) = (answered(200, None, a.clone()), answered(200, None, b.clone()));
            proptest::prop_assert!(differences(&ra, &ra.clone()).is_empty());
            proptest::prop_assert_eq!(differences(&ra, &rb).is_empty(), without_codes(a) == without_codes(b));
        }
    }

    /// `value` without its top-level code fields, which the code comparison covers.
    fn without_codes(mut value: Value) -> Value {
        if let Value::Object(map) = &mut value {
            map.remove("code");
            map.remove("ErrorCode");
        }
        value
    }

    #[test]
    fn every_kind_of_difference_is_named_with_its_path() {
        let recorded = answered(
            200,
            Some(1002),
            json!({"code": 1002, "errorMessage": "a", "keys": [1, 2], "x": "1", "gone": 0}),
        );
        let replayed = answered(
            401,
            Some(1004),
            json!({"code": 1004, "errorMessage": "b", "keys": [1], "x": 1, "new": 0}),
        );
        assert_eq!(
            differences(&recorded, &replayed),
            [
                "status: 200 in the transcript, 401 now",
                "code: 1002 in the transcript, 1004 now",
                "value: $.errorMessage is \"a\" in the transcript, \"b\" now",
                "shape: $.gone only in the transcript",
                "shape: $.keys has 2 items in the transcript, 1 now",
                "shape: $.x is a string in the transcript, a number now",
                "shape: $.new only now",
            ]
        );
        let failed = Outcome::Failed {
            error: "no answer".to_owned(),
        };
        assert_eq!(
            differences(&recorded, &failed),
            ["status: 200 in the transcript, no answer now"]
        );
    }
}
