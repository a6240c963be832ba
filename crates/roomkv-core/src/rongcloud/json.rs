//! JSON helpers for the legacy API: the JSON-valued form fields (`entryInfo`, `entryKeys`,
//! `extraKeyVal`, `extraKey`) and the lenient scalars of the query replies.
//!
//! JSON objects are written and read **in document order, duplicates kept**: `serde_json::Map`
//! sorts its keys and drops duplicates, which would reorder a caller's batch and hide a repeated
//! key from the emulator.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, Serializer};

/// Serializes `value` as JSON text. Only used with values whose serialization cannot fail
/// (strings, integers, and objects and arrays of them: no maps with non-string keys, no floats).
pub(crate) fn to_json_text<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("serializing strings and integers to JSON cannot fail")
}

/// Serializes pairs as one JSON object, keys in slice order.
pub(crate) struct ObjectInOrder<'a, K, V>(pub(crate) &'a [(K, V)]);

impl<K: Serialize, V: Serialize> Serialize for ObjectInOrder<'_, K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// A JSON object read as pairs in document order, duplicate keys kept.
pub(crate) struct PairsInOrder<V>(pub(crate) Vec<(String, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for PairsInOrder<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PairsVisitor<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for PairsVisitor<V> {
            type Value = PairsInOrder<V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0).min(256));
                while let Some((key, value)) = map.next_entry::<String, V>()? {
                    pairs.push((key, value));
                }
                Ok(PairsInOrder(pairs))
            }
        }

        deserializer.deserialize_map(PairsVisitor(PhantomData))
    }
}

/// A text value sent as a JSON string or, by lenient peers (a PHP array of integers), a JSON
/// number, which is kept as its JSON text.
#[cfg(feature = "server")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LenientText(pub(crate) String);

#[cfg(feature = "server")]
impl<'de> Deserialize<'de> for LenientText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;

        impl Visitor<'_> for TextVisitor {
            type Value = LenientText;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(LenientText(v.to_owned()))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(LenientText(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(LenientText(v.to_string()))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(LenientText(v.to_string()))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                serde_json::Number::from_f64(v)
                    .map(|n| LenientText(n.to_string()))
                    .ok_or_else(|| E::custom("a number that is not finite"))
            }
        }

        deserializer.deserialize_any(TextVisitor)
    }
}

/// A JSON array of [`LenientText`].
#[cfg(feature = "server")]
pub(crate) fn lenient_text_array(json: &str) -> Result<Vec<String>, serde_json::Error> {
    use serde::de::SeqAccess;

    struct Texts(Vec<String>);

    impl<'de> Deserialize<'de> for Texts {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct ArrayVisitor;

            impl<'de> Visitor<'de> for ArrayVisitor {
                type Value = Texts;

                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a JSON array of strings")
                }

                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                    let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(256));
                    while let Some(LenientText(item)) = seq.next_element()? {
                        items.push(item);
                    }
                    Ok(Texts(items))
                }
            }

            deserializer.deserialize_seq(ArrayVisitor)
        }
    }

    serde_json::from_str::<Texts>(json).map(|t| t.0)
}

/// A JSON object of [`LenientText`] values, in document order, duplicates kept.
#[cfg(feature = "server")]
pub(crate) fn lenient_text_object(json: &str) -> Result<Vec<(String, String)>, serde_json::Error> {
    serde_json::from_str::<PairsInOrder<LenientText>>(json)
        .map(|p| p.0.into_iter().map(|(k, LenientText(v))| (k, v)).collect())
}

/// An integer sent as a JSON number or as a string of decimal digits (`"lastSetTime":"2121"`,
/// `"ts":33831605613`; the Java SDK types `ts` as a string).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LenientInt<T>(pub(crate) T);

impl<'de, T> Deserialize<'de> for LenientInt<T>
where
    T: TryFrom<u64> + TryFrom<i64> + std::str::FromStr,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IntVisitor<T>(PhantomData<T>);

        impl<T> Visitor<'_> for IntVisitor<T>
        where
            T: TryFrom<u64> + TryFrom<i64> + std::str::FromStr,
        {
            type Value = LenientInt<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer, as a number or as a string of digits")
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                T::try_from(v)
                    .map(LenientInt)
                    .map_err(|_| E::custom(format!("{v} is out of range")))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                T::try_from(v)
                    .map(LenientInt)
                    .map_err(|_| E::custom(format!("{v} is out of range")))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                v.parse::<T>()
                    .map(LenientInt)
                    .map_err(|_| E::custom(format!("{v:?} is not an integer in range")))
            }
        }

        deserializer.deserialize_any(IntVisitor(PhantomData))
    }
}

/// A flag sent as `"0"`/`"1"` (the documented query reply), `0`/`1` (the PHP SDK's sample) or
/// `false`/`true`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LenientFlag(pub(crate) bool);

impl<'de> Deserialize<'de> for LenientFlag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FlagVisitor;

        impl Visitor<'_> for FlagVisitor {
            type Value = LenientFlag;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("0 or 1, as a number or a string")
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(LenientFlag(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                match v {
                    0 => Ok(LenientFlag(false)),
                    1 => Ok(LenientFlag(true)),
                    _ => Err(E::custom(format!("{v} is not 0 or 1"))),
                }
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Err(E::custom(format!("{v} is not 0 or 1")))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                match v {
                    "0" => Ok(LenientFlag(false)),
                    "1" => Ok(LenientFlag(true)),
                    _ => Err(E::custom(format!("{v:?} is not 0 or 1"))),
                }
            }
        }

        deserializer.deserialize_any(FlagVisitor)
    }
}

/// The members of a JSON request body (Nexconn v4), in document order, each kept as raw JSON so
/// that it is read with the reader it needs and a failure names its field.
///
/// The readers are **strict**, as Nexconn's generated models are: a string field must be a JSON
/// string, an integer a JSON number without a fraction, a flag the number `0` or `1`; a field
/// under any other name is not the field (callers pass only the spellings documented for their
/// endpoint), and members nobody asks for are ignored.
#[cfg(feature = "server")]
pub(crate) struct JsonFields(Vec<(String, Box<serde_json::value::RawValue>)>);

#[cfg(feature = "server")]
impl JsonFields {
    /// Reads a body that must be one JSON object; anything else is an error without a field.
    pub(crate) fn parse(body: &[u8]) -> Result<Self, crate::DecodeError> {
        serde_json::from_slice::<PairsInOrder<Box<serde_json::value::RawValue>>>(body)
            .map(|pairs| Self(pairs.0))
            .map_err(|err| crate::DecodeError::json("the request body (a JSON object)", err))
    }

    /// The first member whose name is one of `names` (the documented spellings of one field),
    /// with the spelling found. A `null` member counts as absent.
    fn raw(&self, names: &[&'static str]) -> Option<(&'static str, &serde_json::value::RawValue)> {
        self.0.iter().find_map(|(name, raw)| {
            let spelling = names.iter().find(|n| **n == name.as_str())?;
            (raw.get() != "null").then_some((*spelling, &**raw))
        })
    }

    /// The field under any of `names`, read as `T`; `None` when absent.
    pub(crate) fn optional<T: de::DeserializeOwned>(
        &self,
        names: &[&'static str],
    ) -> Result<Option<T>, crate::DecodeError> {
        self.raw(names)
            .map(|(name, raw)| {
                serde_json::from_str(raw.get())
                    .map_err(|err| crate::DecodeError::json(name, err).in_field(name))
            })
            .transpose()
    }

    /// The field under any of `names`, which must be present; a missing field is named by its
    /// first spelling.
    pub(crate) fn require<T: de::DeserializeOwned>(
        &self,
        names: &[&'static str],
    ) -> Result<T, crate::DecodeError> {
        self.optional(names)?
            .ok_or_else(|| crate::DecodeError::field(names[0], format!("{} is required", names[0])))
    }

    /// A JSON string field that must be present.
    pub(crate) fn text(&self, names: &[&'static str]) -> Result<String, crate::DecodeError> {
        self.require::<String>(names)
    }

    /// An optional flag, the JSON number `0` or `1`; absent is `false`.
    pub(crate) fn flag(&self, names: &[&'static str]) -> Result<bool, crate::DecodeError> {
        Ok(self
            .optional::<NumericFlag>(names)?
            .is_some_and(|flag| flag.0))
    }
}

/// A flag sent as the JSON number `0` or `1` (the `int32` of Nexconn's generated models); a
/// boolean or a string is the wrong JSON type.
#[cfg(feature = "server")]
struct NumericFlag(bool);

#[cfg(feature = "server")]
impl<'de> Deserialize<'de> for NumericFlag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match u8::deserialize(deserializer)? {
            0 => Ok(Self(false)),
            1 => Ok(Self(true)),
            other => Err(de::Error::custom(format!("{other} is not 0 or 1"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "server")]
    fn objects_keep_order_and_duplicates_both_ways() {
        let pairs = [("b", "1"), ("a", "2"), ("b", "3")];
        let text = to_json_text(&ObjectInOrder(&pairs));
        assert_eq!(text, r#"{"b":"1","a":"2","b":"3"}"#);
        let back = lenient_text_object(&text).unwrap();
        assert_eq!(
            back,
            vec![
                ("b".to_owned(), "1".to_owned()),
                ("a".to_owned(), "2".to_owned()),
                ("b".to_owned(), "3".to_owned())
            ]
        );
    }

    #[test]
    fn lenient_numbers_and_flags() {
        let int = |s: &str| serde_json::from_str::<LenientInt<u64>>(s).map(|i| i.0);
        assert_eq!(int("2121").unwrap(), 2121);
        assert_eq!(int(r#""2121""#).unwrap(), 2121);
        assert!(int("-1").is_err());
        assert!(int(r#""1.5""#).is_err());
        assert!(int("1.5").is_err());
        let signed = |s: &str| serde_json::from_str::<LenientInt<i64>>(s).map(|i| i.0);
        assert_eq!(signed(r#""-7""#).unwrap(), -7);
        assert!(signed("18446744073709551615").is_err());

        let flag = |s: &str| serde_json::from_str::<LenientFlag>(s).map(|f| f.0);
        assert!(!flag(r#""0""#).unwrap());
        assert!(flag(r#""1""#).unwrap());
        assert!(flag("1").unwrap());
        assert!(!flag("0").unwrap());
        assert!(flag("true").unwrap());
        assert!(flag("2").is_err());
        assert!(flag(r#""yes""#).is_err());
        assert!(flag("-1").is_err());
    }

    #[test]
    #[cfg(feature = "server")]
    fn lenient_texts() {
        assert_eq!(
            lenient_text_object(r#"{"k":1,"l":"x","m":-2}"#).unwrap(),
            vec![
                ("k".to_owned(), "1".to_owned()),
                ("l".to_owned(), "x".to_owned()),
                ("m".to_owned(), "-2".to_owned())
            ]
        );
        assert!(lenient_text_object(r#"{"k":null}"#).is_err());
        assert!(lenient_text_object(r#"{"k":{}}"#).is_err());
        assert!(lenient_text_object(r#"["k"]"#).is_err());
        assert_eq!(lenient_text_array(r#"["a",2]"#).unwrap(), ["a", "2"]);
        assert!(lenient_text_array(r#"{"a":1}"#).is_err());
        assert!(lenient_text_array(r#"[true]"#).is_err());
    }
}
