//! One declaration per endpoint: the [`Declaration`] `const` every operation type carries, and
//! the crate-internal `operations!` macro that turns one list of operation types per vendor
//! into everything a list of them gives (the command enum, the server's `Request`, its path
//! table, decoder and dispatcher, and the handler trait a server implements).
//!
//! ruma's `metadata!` is the model: what is fixed about an endpoint (method, paths, quota, effect,
//! name) is data on the type, written once; what depends on the request (a write that notifies
//! or not, a quota charged per item) is a method of [`crate::Operation`] derived from it.
//!
//! ```
//! use roomkv_core::tencent::{Command, SetRoomMetadata};
//! use roomkv_core::{Declaration, Effect, Paths, QuotaUnit};
//!
//! const DECLARED: Declaration = SetRoomMetadata::DECLARATION;
//! assert_eq!(DECLARED.name, "set_room_metadata");
//! assert_eq!(DECLARED.method, http::Method::POST);
//! assert_eq!(DECLARED.paths, Paths::One("/v4/live_engine_http_srv/set_room_metadata"));
//! assert_eq!(DECLARED.quota.unit, QuotaUnit::Request);
//! assert_eq!(DECLARED.effect, Effect::Write { notifies: false });
//! assert_eq!(Command::SetRoomMetadata.declaration(), &DECLARED);
//! ```

use crate::rongcloud::Dialect;
use crate::{Effect, QuotaCost, QuotaFamily};

/// What is fixed about one endpoint, declared once as a `const` on its operation type
/// (`DECLARATION`): the operation's name, HTTP method, paths, quota and effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    /// The operation's name in metrics, logs and the emulator's handler trait (`set_entry`,
    /// `create_room`): [`crate::Operation::NAME`] is this.
    pub name: &'static str,
    /// The HTTP method (every endpoint roomkv implements is `POST`).
    pub method: http::Method,
    /// Where the endpoint is served, per dialect where the vendor has dialects.
    pub paths: Paths,
    /// The vendor quota a request draws from, and what it counts.
    pub quota: QuotaRule,
    /// Whether the endpoint reads or writes. For a write, `notifies` is the default; an
    /// operation whose requests may carry a notification says so per request
    /// ([`Declaration::write_effect`]).
    pub effect: Effect,
}

impl Declaration {
    /// The effect of a request that `notifies` (or not): [`Effect::Read`] for a read endpoint,
    /// else a write with `notifies` as given.
    pub const fn write_effect(&self, notifies: bool) -> Effect {
        match self.effect {
            Effect::Read => Effect::Read,
            Effect::Write { .. } => Effect::Write { notifies },
        }
    }
}

/// The paths of an endpoint.
///
/// Tencent has one dialect, JSON bodies. RongCloud / Nexconn has two: the legacy API (form
/// bodies) and Nexconn's v4 API (JSON bodies); an endpoint may be documented under a second v4
/// path, which a server routes to it as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paths {
    /// The one path of a vendor without dialects.
    One(&'static str),
    /// A path per RongCloud / Nexconn [`Dialect`].
    ByDialect {
        /// The legacy form API's path (`/chatroom/entry/set.json`).
        legacy: &'static str,
        /// The Nexconn v4 JSON API's path, the one clients send to.
        v4: &'static str,
        /// Another documented v4 path of the same endpoint, routed to it by a server.
        v4_alias: Option<&'static str>,
    },
}

impl Paths {
    /// The path a client sends to in `dialect` (a vendor without dialects ignores it).
    pub const fn get(&self, dialect: Dialect) -> &'static str {
        match (*self, dialect) {
            (Self::One(path), _) | (Self::ByDialect { legacy: path, .. }, Dialect::Legacy) => path,
            (Self::ByDialect { v4, .. }, Dialect::V4) => v4,
        }
    }

    /// The first path: the only one, or the legacy one.
    pub const fn first(&self) -> &'static str {
        self.get(Dialect::Legacy)
    }

    /// Whether a request to `path` is a request to this endpoint, in any dialect.
    pub fn serves(&self, path: &str) -> bool {
        self.all().any(|served| served == path)
    }

    /// Every path a server routes to the endpoint.
    pub fn all(&self) -> impl Iterator<Item = &'static str> {
        let (first, second, third) = match *self {
            Self::One(path) => (path, None, None),
            Self::ByDialect {
                legacy,
                v4,
                v4_alias,
            } => (legacy, Some(v4), v4_alias),
        };
        std::iter::once(first).chain(second).chain(third)
    }
}

/// The quota family an endpoint draws from and what one unit of it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaRule {
    /// The family.
    pub family: QuotaFamily,
    /// What a unit counts.
    pub unit: QuotaUnit,
}

/// What one unit of a quota counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaUnit {
    /// One request, whatever it carries.
    Request,
    /// One item (key-value pair, key) of the request.
    Item,
}

impl QuotaRule {
    /// A quota counted per request.
    pub const fn per_request(family: QuotaFamily) -> Self {
        Self {
            family,
            unit: QuotaUnit::Request,
        }
    }

    /// A quota counted per item.
    pub const fn per_item(family: QuotaFamily) -> Self {
        Self {
            family,
            unit: QuotaUnit::Item,
        }
    }

    /// What a request of `items` items costs: one unit per request, or one per item.
    pub fn cost(self, items: usize) -> QuotaCost {
        let units = match self.unit {
            QuotaUnit::Request => 1,
            QuotaUnit::Item => u32::try_from(items).unwrap_or(u32::MAX),
        };
        QuotaCost::one(self.family, units)
    }
}

/// Whether two strings are equal, in a `const` context (the `operations!` macro's check that
/// each handler method is named as its operation).
pub(crate) const fn same_str(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Generates, from one list of a vendor's operation types, each with its handler method:
///
/// - the operation enum (`$kind`, Tencent's [`crate::tencent::Command`]): one variant per
///   operation, `ALL`, `declaration()`, `as_str()` (the declared name), `from_name`, `from_path`;
/// - with feature `server`, in module `$server` (re-exported by the vendor's `server` module):
///   `PATHS`, the exhaustive `Request` enum with `decode`, `decode_as`, `kind`, `declaration`,
///   `name`, `path`, `validate`, `effect`, `quota` and `dispatch`, and the `Handler` trait with
///   one method per operation, which `dispatch` calls and whose output it encodes with the
///   operation's [`crate::ServerOperation::encode_reply`].
///
/// Every operation type must have an inherent `DECLARATION` const whose `name` is its handler
/// method's name (checked at compile time), implement [`crate::ServerOperation`] under feature
/// `server`, and be in scope where the macro is invoked.
macro_rules! operations {
    (
        $(#[$kind_meta:meta])*
        kind: $kind:ident,
        server: $server:ident,
        operations: { $( $(#[$op_meta:meta])* $op:ident => $method:ident, )+ }
    ) => {
        $(#[$kind_meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $kind {
            $( $(#[$op_meta])* $op, )+
        }

        $(
            const _: () = assert!(
                $crate::declaration::same_str($op::DECLARATION.name, stringify!($method)),
                concat!(
                    "the handler method `", stringify!($method), "` is not named as ",
                    stringify!($op), "::DECLARATION.name"
                ),
            );
        )+

        impl $kind {
            /// Every operation, in declaration order.
            pub const ALL: [Self; [$(stringify!($op)),+].len()] = [$(Self::$op),+];

            /// The operation's declaration.
            pub const fn declaration(self) -> &'static $crate::Declaration {
                match self {
                    $( Self::$op => &$op::DECLARATION, )+
                }
            }

            /// The operation's declared name (the command's name in the URL, for Tencent).
            pub const fn as_str(self) -> &'static str {
                self.declaration().name
            }

            /// The operation named `name`.
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL.into_iter().find(|kind| kind.as_str() == name)
            }

            /// The operation served at `path` (exactly, in any dialect).
            pub fn from_path(path: &str) -> Option<Self> {
                Self::ALL
                    .into_iter()
                    .find(|kind| kind.declaration().paths.serves(path))
            }
        }

        /// Generated by `operations!`: the server's side of the list.
        #[cfg(feature = "server")]
        pub(crate) mod $server {
            use super::*;
            use $crate::{
                DecodeError, Declaration, Effect, Limits, Operation, QuotaCost, ServerOperation,
                ValidationError,
            };

            /// The first path of every operation, in declaration order.
            pub const PATHS: [&str; $kind::ALL.len()] = [$($op::DECLARATION.paths.first()),+];

            /// A decoded request: one variant per operation. Exhaustive on purpose, so a
            /// server that matches on it, or implements [`Handler`], stops compiling when an
            /// operation is added.
            #[derive(Debug, Clone, PartialEq, Eq)]
            pub enum Request {
                $( $(#[$op_meta])* $op($op), )+
            }

            /// A server's implementation of every operation: one method per operation, taking
            /// the decoded (and, by a careful server, validated) operation and returning its
            /// output or the server's error (for the emulator, the vendor's [`ApiError`](crate::ApiError)).
            /// [`Request::dispatch`] calls it.
            pub trait Handler {
                /// What a method answers instead of an output.
                type Error;
                $(
                    #[doc = concat!("Serves [`", stringify!($op), "`].")]
                    fn $method(
                        &self,
                        op: &$op,
                    ) -> Result<<$op as Operation>::Output, Self::Error>;
                )+
            }

            impl Request {
                /// Decodes `request` by its exact URI path: `None` when no operation is
                /// served there, otherwise the operation's [`ServerOperation::decode`] (fields
                /// as sent; [`DecodeError::field_name`] names a missing or malformed field).
                /// The method is not checked.
                pub fn decode(request: &http::Request<&[u8]>) -> Option<Result<Self, DecodeError>> {
                    $kind::from_path(request.uri().path()).map(|kind| Self::decode_as(kind, request))
                }

                /// Decodes the body of `request` as operation `kind`, whatever its path.
                pub fn decode_as(
                    kind: $kind,
                    request: &http::Request<&[u8]>,
                ) -> Result<Self, DecodeError> {
                    match kind {
                        $( $kind::$op => $op::decode(request).map(Self::$op), )+
                    }
                }

                /// Which operation this is.
                pub fn kind(&self) -> $kind {
                    match self {
                        $( Self::$op(_) => $kind::$op, )+
                    }
                }

                /// The operation's declaration.
                pub fn declaration(&self) -> &'static Declaration {
                    self.kind().declaration()
                }

                /// The operation's declared name.
                pub fn name(&self) -> &'static str {
                    self.declaration().name
                }

                /// The operation's first path (the only one, or the legacy one).
                pub fn path(&self) -> &'static str {
                    self.declaration().paths.first()
                }

                /// The operation's client-side rules ([`Operation::validate`]): a server's
                /// check of the documented limits, once, before [`Self::dispatch`].
                pub fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
                    match self {
                        $( Self::$op(op) => op.validate(limits), )+
                    }
                }

                /// Whether the request reads or writes ([`Operation::effect`]).
                pub fn effect(&self) -> Effect {
                    match self {
                        $( Self::$op(op) => op.effect(), )+
                    }
                }

                /// The vendor quota the request draws from ([`Operation::quota`]).
                pub fn quota(&self) -> QuotaCost {
                    match self {
                        $( Self::$op(op) => op.quota(), )+
                    }
                }

                /// Serves the request with `handler`'s method for it and encodes the output as
                /// the vendor's success reply, echoing `request_id`
                /// ([`ServerOperation::encode_reply`]).
                pub fn dispatch<H: Handler + ?Sized>(
                    &self,
                    handler: &H,
                    request_id: Option<&str>,
                ) -> Result<http::Response<Vec<u8>>, H::Error> {
                    match self {
                        $(
                            Self::$op(op) => handler
                                .$method(op)
                                .map(|output| $op::encode_reply(&output, request_id)),
                        )+
                    }
                }
            }
        }
    };
}

pub(crate) use operations;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const BY_DIALECT: Paths = Paths::ByDialect {
        legacy: "/a.json",
        v4: "/v4/a",
        v4_alias: Some("/v4/b"),
    };

    #[test]
    fn paths_per_dialect() {
        assert_eq!(BY_DIALECT.get(Dialect::Legacy), "/a.json");
        assert_eq!(BY_DIALECT.get(Dialect::V4), "/v4/a");
        assert_eq!(BY_DIALECT.first(), "/a.json");
        assert_eq!(
            BY_DIALECT.all().collect::<Vec<_>>(),
            ["/a.json", "/v4/a", "/v4/b"]
        );
        assert!(BY_DIALECT.serves("/v4/b"));
        assert!(!BY_DIALECT.serves("/v4/c"));
        let one = Paths::One("/x");
        assert_eq!((one.get(Dialect::V4), one.first()), ("/x", "/x"));
        assert_eq!(one.all().collect::<Vec<_>>(), ["/x"]);
    }

    #[test]
    fn write_effect_keeps_reads_reads() {
        let mut declaration = crate::tencent::GetRoomInfo::DECLARATION;
        assert_eq!(declaration.write_effect(true), Effect::Read);
        declaration.effect = Effect::Write { notifies: false };
        assert_eq!(
            declaration.write_effect(true),
            Effect::Write { notifies: true }
        );
    }

    proptest! {
        #[test]
        fn quota_cost_counts_requests_or_items(items in 0usize..10_000) {
            let family = QuotaFamily::RongCloudEntrySet;
            let per_item = QuotaRule::per_item(family).cost(items).charges().collect::<Vec<_>>();
            prop_assert_eq!(per_item, vec![(family, u32::try_from(items).unwrap())]);
            let per_request = QuotaRule::per_request(family).cost(items).charges().collect::<Vec<_>>();
            prop_assert_eq!(per_request, vec![(family, 1)]);
        }

        #[test]
        fn same_str_is_equality(a in ".{0,8}", b in ".{0,8}") {
            prop_assert_eq!(same_str(&a, &b), a == b);
            prop_assert!(same_str(&a, &a));
        }
    }
}
