//! [`RoomAttributes`]: one interface to the room attributes of every vendor, so an application
//! can switch vendors (or copy a room from one to another) without changing its code.
//!
//! Keys, values and room ids are plain text here; each implementation parses them with its
//! vendor's rules and [`Limits`](roomkv_core::Limits), so a key one vendor cannot hold is an
//! [`AttributeError::Invalid`] naming the field and the limit, before anything is sent.
//! Implemented by `roomkv_rongcloud::RoomAttributesView` (chat-room entries, written as one
//! owner) and `roomkv_tencent::Client` (room metadata).
//!
//! ```
//! use roomkv_provider::attributes::{AttributeError, RoomAttributes};
//!
//! /// Moves the stage of a room to `next`, whichever vendor holds it.
//! async fn advance(rooms: &impl RoomAttributes, room: &str, next: &str) -> Result<(), AttributeError> {
//!     let report = rooms.set_many(room, vec![("stage".into(), next.into())]).await?;
//!     match report.failure {
//!         None => Ok(()),
//!         Some(failure) => Err(failure.error),
//!     }
//! }
//! ```

use std::collections::{BTreeMap, HashSet};
use std::error::Error as StdError;
use std::fmt;
use std::future::Future;

use roomkv_core::{Unit, ValidationError};

use crate::bulk::BulkReport;
use crate::{Error, Vendor};

/// What a [`RoomAttributes::set_many`] or [`RoomAttributes::remove_many`] did, key by key.
pub type AttributeReport = BulkReport<String, AttributeError>;

/// Parses the plain-text pairs of a [`RoomAttributes::set_many`] with the vendor's `key` and
/// `value` parsers, in order.
///
/// # Errors
///
/// The first key or value the vendor refuses.
pub fn parse_pairs<K, T>(
    pairs: Vec<(String, String)>,
    key: impl Fn(String) -> Result<K, ValidationError>,
    value: impl Fn(String) -> Result<T, ValidationError>,
) -> Result<Vec<(K, T)>, ValidationError> {
    pairs
        .into_iter()
        .map(|(k, v)| Ok((key(k)?, value(v)?)))
        .collect()
}

/// The [`RoomAttributes::remove_many`] of a vendor that refuses a removal none of whose keys
/// exist: refuses a key given twice (naming `field`), reads the keys the room has with
/// `present`, removes only those with `remove` and reports the others applied.
///
/// # Errors
///
/// A key given twice, or a failed read of the room; a failed removal is in the report.
pub async fn remove_present<K, V, P, R>(
    field: &'static str,
    keys: Vec<K>,
    present: P,
    remove: impl FnOnce(Vec<K>) -> R,
) -> Result<AttributeReport, AttributeError>
where
    K: AsRef<str>,
    V: Vendor,
    P: Future<Output = Result<Vec<K>, Error<V>>>,
    R: Future<Output = Result<BulkReport<K, Error<V>>, Error<V>>>,
{
    check_distinct(field, keys.iter().map(AsRef::as_ref))?;
    let present: HashSet<String> = present.await?.iter().map(name).collect();
    let (to_remove, absent): (Vec<_>, Vec<_>) = keys
        .into_iter()
        .partition(|key| present.contains(key.as_ref()));
    let mut report = AttributeReport::all_applied(absent.iter().map(name).collect());
    if !to_remove.is_empty() {
        let removed = remove(to_remove).await?;
        report.extend(removed.map(|key| name(&key), AttributeError::from));
    }
    Ok(report)
}

/// A vendor's key as the plain text of an [`AttributeReport`].
fn name(key: &impl AsRef<str>) -> String {
    key.as_ref().to_owned()
}

/// The room attributes of one vendor: read, write and remove keys of a room.
///
/// Writes of any size are split into requests within the vendor's per-request limits and sent
/// in order, stopping at the first failed request; the [`AttributeReport`] says exactly which
/// keys were applied (see [`crate::bulk`]). An `Err` from a method means nothing was sent
/// (an invalid room, key or value) or, for reads, that the read failed.
pub trait RoomAttributes: Send + Sync {
    /// The vendor's name: `RongCloud`, `Tencent`.
    fn vendor(&self) -> &'static str;

    /// How much one room can hold, for checks before writing ([`violations`]).
    fn capacity(&self) -> Capacity;

    /// Checks a key against the vendor's rules (charset, length), naming the field and the
    /// limit.
    ///
    /// # Errors
    ///
    /// The rule the key breaks.
    fn check_key(&self, key: &str) -> Result<(), ValidationError>;

    /// Checks a value against the vendor's rules.
    ///
    /// # Errors
    ///
    /// The rule the value breaks.
    fn check_value(&self, value: &str) -> Result<(), ValidationError>;

    /// The value of `key` in `room`, or `None` when the room does not have it.
    fn get(
        &self,
        room: &str,
        key: &str,
    ) -> impl Future<Output = Result<Option<String>, AttributeError>> + Send;

    /// Every key of `room` with its value, ordered by key.
    fn get_all(
        &self,
        room: &str,
    ) -> impl Future<Output = Result<BTreeMap<String, String>, AttributeError>> + Send;

    /// Sets every pair in `room`, creating or overwriting keys, in as many requests as the
    /// vendor's per-request limits need. A key given twice is refused before sending.
    fn set_many(
        &self,
        room: &str,
        pairs: Vec<(String, String)>,
    ) -> impl Future<Output = Result<AttributeReport, AttributeError>> + Send;

    /// Removes every key from `room`. Keys the room does not have are reported applied (they
    /// are absent, as asked) without being sent.
    fn remove_many(
        &self,
        room: &str,
        keys: Vec<String>,
    ) -> impl Future<Output = Result<AttributeReport, AttributeError>> + Send;
}

/// How much one room of a vendor can hold, beside the per-key and per-value rules of
/// [`RoomAttributes::check_key`] and [`RoomAttributes::check_value`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capacity {
    /// Keys one room holds at most.
    pub keys_per_room_max: usize,
    /// The values of one room together hold at most this many bytes, if the vendor limits it.
    pub total_value_max_bytes: Option<usize>,
}

impl Capacity {
    /// A capacity of `keys_per_room_max` keys and, if given, `total_value_max_bytes`.
    pub fn new(keys_per_room_max: usize, total_value_max_bytes: Option<usize>) -> Self {
        Self {
            keys_per_room_max,
            total_value_max_bytes,
        }
    }
}

/// One reason why a room's attributes do not fit a target vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Violation {
    /// The key concerned, or `None` for the room as a whole (too many keys, too many bytes).
    pub key: Option<String>,
    /// The rule and the limit.
    pub error: ValidationError,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(key) => write!(f, "key {key:?}: {}", self.error),
            None => write!(f, "{}", self.error),
        }
    }
}

/// Every reason why `target` cannot hold `pairs` in a room that already holds `existing`:
/// each key and value it refuses, then the room's key count and value bytes after the merge.
/// Empty when everything fits.
///
/// ```
/// # use roomkv_provider::attributes::{violations, RoomAttributes};
/// # fn check(target: &impl RoomAttributes, source: std::collections::BTreeMap<String, String>) {
/// let problems = violations(target, &Default::default(), &source);
/// for problem in &problems {
///     eprintln!("cannot copy: {problem}");
/// }
/// # }
/// ```
pub fn violations<A: RoomAttributes + ?Sized>(
    target: &A,
    existing: &BTreeMap<String, String>,
    pairs: &BTreeMap<String, String>,
) -> Vec<Violation> {
    let mut out = Vec::new();
    for (key, value) in pairs {
        for check in [target.check_key(key), target.check_value(value)] {
            if let Err(error) = check {
                out.push(Violation {
                    key: Some(key.clone()),
                    error,
                });
            }
        }
    }
    let mut merged: BTreeMap<&str, &str> = existing
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    merged.extend(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let capacity = target.capacity();
    if merged.len() > capacity.keys_per_room_max {
        out.push(Violation {
            key: None,
            error: ValidationError::TooMany {
                field: "room",
                len: merged.len(),
                max: capacity.keys_per_room_max,
                item: "key",
            },
        });
    }
    if let Some(max) = capacity.total_value_max_bytes {
        let total: usize = merged.values().map(|v| v.len()).sum();
        if total > max {
            out.push(Violation {
                key: None,
                error: ValidationError::TotalTooLong {
                    field: "room",
                    len: total,
                    max,
                    unit: Unit::Bytes,
                },
            });
        }
    }
    out
}

/// Refuses a list that names a key twice, as every bulk write does before sending.
///
/// # Errors
///
/// [`ValidationError::Duplicate`] naming `field` and the first repeated key.
pub fn check_distinct<'a>(
    field: &'static str,
    keys: impl IntoIterator<Item = &'a str>,
) -> Result<(), ValidationError> {
    let mut seen = HashSet::new();
    for key in keys {
        if !seen.insert(key) {
            return Err(ValidationError::Duplicate {
                field,
                item: "key",
                value: key.to_owned(),
            });
        }
    }
    Ok(())
}

/// Why a [`RoomAttributes`] call failed, the same for every vendor. The vendor's own error
/// (`roomkv_rongcloud::Error`, `roomkv_tencent::Error`) is behind [`source()`](StdError::source)
/// for every variant but [`Invalid`](Self::Invalid).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AttributeError {
    /// A room id, key or value breaks the vendor's rules; nothing was sent. The error names the
    /// field and the limit.
    #[error("request refused before sending: {0}")]
    Invalid(ValidationError),
    /// The vendor refused because of its rate limit, after the client's retries.
    #[error("{vendor} refused the request because of its rate limit")]
    RateLimited {
        /// The vendor's name.
        vendor: &'static str,
        /// The vendor's error.
        source: Box<dyn StdError + Send + Sync>,
    },
    /// The vendor answered with an error code.
    #[error("{vendor} answered with error code {code}")]
    Vendor {
        /// The vendor's name.
        vendor: &'static str,
        /// The vendor's numeric code.
        code: i64,
        /// A write may have been applied.
        outcome_unknown: bool,
        /// The vendor's error, with its message and request id.
        source: Box<dyn StdError + Send + Sync>,
    },
    /// The HTTP exchange failed (no connection, a timeout, a reset).
    #[error("the request to {vendor} failed on the way")]
    Transport {
        /// The vendor's name.
        vendor: &'static str,
        /// A write may have been applied.
        outcome_unknown: bool,
        /// The vendor's error, with the transport cause.
        source: Box<dyn StdError + Send + Sync>,
    },
    /// Any other failure: an unreadable reply, a gateway's status, the client's configuration.
    #[error("the request to {vendor} failed")]
    Other {
        /// The vendor's name.
        vendor: &'static str,
        /// A write may have been applied.
        outcome_unknown: bool,
        /// The vendor's error.
        source: Box<dyn StdError + Send + Sync>,
    },
}

impl AttributeError {
    /// True when a write failed in a way that leaves its effect unknown (see the vendor
    /// error's `is_outcome_unknown`).
    pub fn is_outcome_unknown(&self) -> bool {
        match self {
            Self::Vendor {
                outcome_unknown, ..
            }
            | Self::Transport {
                outcome_unknown, ..
            }
            | Self::Other {
                outcome_unknown, ..
            } => *outcome_unknown,
            Self::Invalid(_) | Self::RateLimited { .. } => false,
        }
    }

    /// The vendor's numeric code, for [`Vendor`](Self::Vendor).
    pub fn code(&self) -> Option<i64> {
        match self {
            Self::Vendor { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The broken rule, for [`Invalid`](Self::Invalid).
    pub fn validation_error(&self) -> Option<&ValidationError> {
        match self {
            Self::Invalid(err) => Some(err),
            _ => None,
        }
    }

    /// The whole message: this error's, then the vendor error's (which names the code, the
    /// vendor's message and the request id, or the transport cause).
    pub fn detail(&self) -> String {
        match self.source() {
            Some(source) => format!("{self}: {source}"),
            None => self.to_string(),
        }
    }
}

impl From<ValidationError> for AttributeError {
    fn from(err: ValidationError) -> Self {
        Self::Invalid(err)
    }
}

impl<V: Vendor> From<Error<V>> for AttributeError {
    fn from(err: Error<V>) -> Self {
        let vendor = V::NAME;
        let outcome_unknown = err.is_outcome_unknown();
        if let Some(validation) = err.validation_error() {
            return Self::Invalid(validation.clone());
        }
        if err.is_throttled() {
            return Self::RateLimited {
                vendor,
                source: Box::new(err),
            };
        }
        if let Some(api) = err.api_error() {
            return Self::Vendor {
                vendor,
                code: api.code.code(),
                outcome_unknown,
                source: Box::new(err),
            };
        }
        if err.transport_error().is_some() {
            return Self::Transport {
                vendor,
                outcome_unknown,
                source: Box::new(err),
            };
        }
        Self::Other {
            vendor,
            outcome_unknown,
            source: Box::new(err),
        }
    }
}
