//! Validation errors and the shared text rules behind every typed identifier and value.

use std::fmt;

/// The unit a length is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Unicode scalar values (what the vendors call characters).
    Chars,
    /// UTF-8 bytes.
    Bytes,
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Chars => "characters",
            Self::Bytes => "bytes",
        })
    }
}

impl Unit {
    /// The length of `s` in this unit.
    pub fn len_of(self, s: &str) -> usize {
        match self {
            Self::Chars => s.chars().count(),
            Self::Bytes => s.len(),
        }
    }
}

/// A request refused before anything was sent.
///
/// Every variant names the field (by its wire name), the offending size or character, and the
/// limit, so the message alone tells the caller what to fix:
///
/// ```
/// use roomkv_core::rongcloud::EntryKey;
/// let err = EntryKey::parse("k".repeat(129)).unwrap_err();
/// assert_eq!(err.to_string(), "key has 129 characters, at most 128 allowed");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// A required text field is empty.
    #[error("{field} is empty, at least 1 {} required", unit_singular(*.unit))]
    Empty {
        /// Wire name of the field.
        field: &'static str,
        /// Unit the field's length is counted in.
        unit: Unit,
    },
    /// A text field is longer than its limit.
    #[error("{field} has {len} {unit}, at most {max} allowed")]
    TooLong {
        /// Wire name of the field.
        field: &'static str,
        /// Actual length.
        len: usize,
        /// Largest accepted length.
        max: usize,
        /// Unit of `len` and `max`.
        unit: Unit,
    },
    /// A text field contains a character outside its allowed set.
    #[error("{field} contains {ch:?} at character {index}, allowed are {allowed}")]
    InvalidChar {
        /// Wire name of the field.
        field: &'static str,
        /// The first offending character.
        ch: char,
        /// Its position, counted in characters from 0.
        index: usize,
        /// Human description of the allowed set.
        allowed: &'static str,
    },
    /// A list or map has more items than allowed in one request.
    #[error("{field} has {len} {item}s, at most {max} allowed")]
    TooMany {
        /// Wire name of the field.
        field: &'static str,
        /// Actual number of items.
        len: usize,
        /// Largest accepted number of items.
        max: usize,
        /// What one item is called (`key`, `pair`, ...).
        item: &'static str,
    },
    /// The items of a list together are longer than allowed in one request.
    #[error("{field} values have {len} {unit} in total, at most {max} allowed")]
    TotalTooLong {
        /// Wire name of the list.
        field: &'static str,
        /// Actual total length.
        len: usize,
        /// Largest accepted total length.
        max: usize,
        /// Unit of `len` and `max`.
        unit: Unit,
    },
    /// A list or map names the same item twice. A JSON object sent on the wire would silently
    /// keep only one of the two, so the request is refused instead.
    #[error("{field} has the {item} {value:?} more than once")]
    Duplicate {
        /// Wire name of the list.
        field: &'static str,
        /// What one item is called (`key`, ...).
        item: &'static str,
        /// The repeated value.
        value: String,
    },
    /// A list or map that must hold at least one item is empty.
    #[error("{field} has no {item}s, at least 1 required")]
    NoItems {
        /// Wire name of the field.
        field: &'static str,
        /// What one item is called.
        item: &'static str,
    },
    /// A field holds a value outside its documented set.
    #[error("{field} is {value}, allowed are {allowed}")]
    OutOfRange {
        /// Wire name of the field.
        field: &'static str,
        /// The rejected value, as text.
        value: String,
        /// Human description of the allowed values.
        allowed: &'static str,
    },
}

fn unit_singular(unit: Unit) -> &'static str {
    match unit {
        Unit::Chars => "character",
        Unit::Bytes => "byte",
    }
}

/// Which characters a text field may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Charset {
    /// Anything.
    Any,
    /// `[A-Za-z0-9+=\-_]`, the RongCloud key alphabet.
    KeyAlphabet,
    /// Printable ASCII, 0x20 to 0x7e.
    PrintableAscii,
    /// Anything but control characters.
    NoControl,
}

impl Charset {
    fn allows(self, ch: char) -> bool {
        match self {
            Self::Any => true,
            Self::KeyAlphabet => ch.is_ascii_alphanumeric() || matches!(ch, '+' | '=' | '-' | '_'),
            Self::PrintableAscii => (' '..='~').contains(&ch),
            Self::NoControl => !ch.is_control(),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Any => "any characters",
            Self::KeyAlphabet => "letters, digits and + = - _",
            Self::PrintableAscii => "printable ASCII characters",
            Self::NoControl => "characters other than control characters",
        }
    }
}

/// The rule one text field follows: its name, unit, alphabet and whether it may be empty.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextRule {
    pub(crate) field: &'static str,
    pub(crate) unit: Unit,
    pub(crate) charset: Charset,
    pub(crate) allow_empty: bool,
}

impl TextRule {
    /// Checks `value` against this rule with `max` as its length limit.
    pub(crate) fn check(&self, value: &str, max: usize) -> Result<(), ValidationError> {
        if value.is_empty() {
            return if self.allow_empty {
                Ok(())
            } else {
                Err(ValidationError::Empty {
                    field: self.field,
                    unit: self.unit,
                })
            };
        }
        if let Some((index, ch)) = value
            .chars()
            .enumerate()
            .find(|&(_, c)| !self.charset.allows(c))
        {
            return Err(ValidationError::InvalidChar {
                field: self.field,
                ch,
                index,
                allowed: self.charset.describe(),
            });
        }
        // Bytes bound characters from above, so most values never need a character count.
        if value.len() <= max {
            return Ok(());
        }
        let len = self.unit.len_of(value);
        if len > max {
            return Err(ValidationError::TooLong {
                field: self.field,
                len,
                max,
                unit: self.unit,
            });
        }
        Ok(())
    }
}

/// Checks that a collection of `len` items has between 1 and `max` items.
pub(crate) fn check_count(
    field: &'static str,
    item: &'static str,
    len: usize,
    max: usize,
) -> Result<(), ValidationError> {
    if len == 0 {
        return Err(ValidationError::NoItems { field, item });
    }
    if len > max {
        return Err(ValidationError::TooMany {
            field,
            len,
            max,
            item,
        });
    }
    Ok(())
}

/// Declares a validated text newtype: parsed once against its [`TextRule`] and a limit taken from
/// [`crate::Limits`], immutable afterwards.
macro_rules! text_newtype {
    (
        $(#[$meta:meta])*
        $name:ident, field = $field:literal, unit = $unit:ident, charset = $charset:ident,
        allow_empty = $allow_empty:literal, max = |$l:ident| $max:expr
    ) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            const RULE: $crate::validate::TextRule = $crate::validate::TextRule {
                field: $field,
                unit: $crate::validate::Unit::$unit,
                charset: $crate::validate::Charset::$charset,
                allow_empty: $allow_empty,
            };

            /// Parses a value under the vendor-documented limits ([`crate::Limits::default`]).
            pub fn parse(value: impl Into<String>) -> Result<Self, $crate::ValidationError> {
                Self::parse_with(value, &$crate::Limits::DOCUMENTED)
            }

            /// Parses a value under custom limits (an app whose quota the vendor raised).
            pub fn parse_with(
                value: impl Into<String>,
                limits: &$crate::Limits,
            ) -> Result<Self, $crate::ValidationError> {
                let value = value.into();
                Self::RULE.check(&value, Self::max(limits))?;
                Ok(Self(value))
            }

            /// Wraps a value without checking it. For servers decoding what a client sent (the
            /// emulator answers with the vendor's own error code instead) and for callers that
            /// know the vendor accepts more than documented.
            pub fn non_validated(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// Checks this value again, for values built with [`Self::non_validated`].
            pub fn validate(&self, limits: &$crate::Limits) -> Result<(), $crate::ValidationError> {
                Self::RULE.check(&self.0, Self::max(limits))
            }

            /// The limit this value is checked against.
            pub fn max(limits: &$crate::Limits) -> usize {
                let $l = limits;
                $max
            }

            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The value as an owned string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(&self.0, f)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}
pub(crate) use text_newtype;
