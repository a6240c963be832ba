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
//! use roomkv_core::{Declaration, Effect, Operation, Paths, QuotaUnit};
//!
//! const DECLARED: Declaration = SetRoomMetadata::DECLARATION;
//! assert_eq!(DECLARED.name, "set_room_metadata");
//! assert_eq!(*DECLARED.method, http::Method::POST);
//! assert_eq!(DECLARED.paths, Paths::One("/v4/live_engine_http_srv/set_room_metadata"));
//! assert_eq!(DECLARED.quota.unit, QuotaUnit::Request);
//! assert_eq!(DECLARED.effect, Effect::Write { notifies: false });
//! assert_eq!(Command::SetRoomMetadata.declaration(), &DECLARED);
//! ```

use crate::rongcloud::Dialect;
use crate::{Effect, QuotaCost, QuotaFamily};

/// What is fixed about one endpoint, declared once as a `const` on its operation type
/// (`DECLARATION`): the operation's name, HTTP method, paths, quota and effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declaration {
    /// The operation's name in metrics, logs and the emulator's handler trait (`set_entry`,
    /// `create_room`): [`crate::Operation::NAME`] is this.
    pub name: &'static str,
    /// The HTTP method (every endpoint roomkv implements is `POST`). A reference, so that a
    /// declaration is `Copy` and usable in `const` items.
    pub method: &'static http::Method,
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
/// bodies) and Nexconn's v4 API (JSON bodies), where an endpoint may be documented under a
/// second path, or may not exist at all (v4 has no single-key set or remove).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paths {
    /// The one path of a vendor without dialects.
    One(&'static str),
    /// A path per RongCloud / Nexconn [`Dialect`].
    ByDialect {
        /// The legacy form API's path (`/chatroom/entry/set.json`).
        legacy: &'static str,
        /// Where the operation goes in the Nexconn v4 JSON API.
        v4: V4Paths,
    },
}

/// Where a RongCloud operation goes in the Nexconn v4 dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum V4Paths {
    /// The operation's own v4 endpoint: the path clients send to, and another documented
    /// spelling of it that a server routes to the operation as well.
    Own {
        /// The path clients send to.
        path: &'static str,
        /// Another documented path of the same endpoint.
        alias: Option<&'static str>,
    },
    /// No v4 endpoint of its own: the operation goes out as a batch of one to the v4 path of
    /// the batch operation declared here, and a server routes that path to the batch operation.
    BatchOfOne(&'static Declaration),
}

impl Paths {
    /// The path a client sends to in `dialect` (a vendor without dialects ignores it).
    pub const fn get(&self, dialect: Dialect) -> &'static str {
        match (*self, dialect) {
            (Self::One(path), _) | (Self::ByDialect { legacy: path, .. }, Dialect::Legacy) => path,
            (Self::ByDialect { v4, .. }, Dialect::V4) => match v4 {
                V4Paths::Own { path, .. } => path,
                V4Paths::BatchOfOne(batch) => batch.paths.get(Dialect::V4),
            },
        }
    }

    /// The first path: the only one, or the legacy one.
    pub const fn first(&self) -> &'static str {
        self.get(Dialect::Legacy)
    }

    /// Whether a server routes a request to `path` to this endpoint, in any dialect.
    pub fn serves(&self, path: &str) -> bool {
        self.all().any(|served| served == path)
    }

    /// Every path a server routes to the endpoint.
    pub fn all(&self) -> impl Iterator<Item = &'static str> {
        let routes = match *self {
            Self::One(path) => [Some(path), None, None],
            Self::ByDialect { .. } => self
                .dialect_routes()
                .map(|route| route.map(|(_, path)| path)),
        };
        routes.into_iter().flatten()
    }

    /// Every path a server routes to the endpoint with the dialect of its requests, legacy
    /// first: the legacy path, then the own v4 path and its alias, if any.
    ///
    /// # Panics
    ///
    /// For [`Paths::One`], which has no dialect (at compile time where routes are built
    /// in a `const`).
    pub const fn dialect_routes(&self) -> [Option<(Dialect, &'static str)>; 3] {
        let Self::ByDialect { legacy, v4 } = *self else {
            panic!("an endpoint of a vendor with dialects declares its paths ByDialect")
        };
        let legacy = Some((Dialect::Legacy, legacy));
        match v4 {
            V4Paths::Own { path, alias: None } => [legacy, Some((Dialect::V4, path)), None],
            V4Paths::Own {
                path,
                alias: Some(alias),
            } => [
                legacy,
                Some((Dialect::V4, path)),
                Some((Dialect::V4, alias)),
            ],
            V4Paths::BatchOfOne(_) => [legacy, None, None],
        }
    }
}

/// One path a server serves: the dialect of its requests and replies, and the operation
/// (`kind`) it decodes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route<K> {
    /// The exact URI path.
    pub path: &'static str,
    /// The dialect of the path (and of its replies).
    pub dialect: Dialect,
    /// The operation served there.
    pub kind: K,
}

/// How many routes `declarations` have ([`Paths::dialect_routes`]).
#[cfg(any(feature = "server", test))]
pub(crate) const fn route_count(declarations: &[&Declaration]) -> usize {
    let mut count = 0;
    let mut i = 0;
    while i < declarations.len() {
        let routes = declarations[i].paths.dialect_routes();
        let mut j = 0;
        while j < routes.len() {
            if routes[j].is_some() {
                count += 1;
            }
            j += 1;
        }
        i += 1;
    }
    count
}

/// The route table of operations `kinds`, declared by `declarations` (same order, `N` their
/// [`route_count`]): every legacy route in declaration order, then every v4 route.
#[cfg(any(feature = "server", test))]
pub(crate) const fn routes<K: Copy, const N: usize>(
    kinds: &[K],
    declarations: &[&Declaration],
) -> [Route<K>; N] {
    let mut table = [Route {
        path: "",
        dialect: Dialect::Legacy,
        kind: kinds[0],
    }; N];
    let mut filled = 0;
    let dialects = [Dialect::Legacy, Dialect::V4];
    let mut d = 0;
    while d < dialects.len() {
        let mut i = 0;
        while i < declarations.len() {
            let routes = declarations[i].paths.dialect_routes();
            let mut j = 0;
            while j < routes.len() {
                if let Some((dialect, path)) = routes[j]
                    && dialect as u8 == dialects[d] as u8
                {
                    table[filled] = Route {
                        path,
                        dialect,
                        kind: kinds[i],
                    };
                    filled += 1;
                }
                j += 1;
            }
            i += 1;
        }
        d += 1;
    }
    assert!(filled == N, "N is the route count of the declarations");
    table
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
/// - the operation enum (`$kind`: Tencent's [`crate::tencent::Command`], RongCloud's
///   [`crate::rongcloud::Action`]): one variant per operation, `ALL`, `declaration()`,
///   `as_str()` (the declared name), `from_name`, `from_path`;
/// - with feature `server`, in module `$server` (re-exported by the vendor's `server` module):
///   the exhaustive `Request` enum with `kind`, `declaration`, `name`, `effect` and `quota`, and
///   the `Handler` trait with one method per operation, which `dispatch` calls. Then, for a
///   vendor without dialects (Tencent, no `dialect:` line): `PATHS`, and `Request::decode`,
///   `decode_as`, `path`, `validate` and `dispatch`, whose reply is
///   [`crate::ServerOperation::encode_reply`]; for a list with the optional `dialect: Dialect,`
///   line (RongCloud / Nexconn): `ROUTES` (every legacy, v4 and v4
///   alias path of every declaration), and the same methods taking or reporting the
///   [`Dialect`] of the request: `decode` says which dialect a path belongs to and decodes with
///   that dialect's decoder, `dispatch` encodes the reply in it.
///
/// Every operation type must implement [`crate::Operation`], whose `DECLARATION` `name` is its
/// handler method's name (checked at compile time), and [`crate::ServerOperation`] under
/// feature `server` (with dialects, the crate's `DialectDecoding` too), and be in scope where
/// the macro is invoked.
macro_rules! operations {
    (
        @kind $(#[$kind_meta:meta])* $kind:ident
        { $( $(#[$op_meta:meta])* $op:ident => $method:ident, )+ }
    ) => {
        $(#[$kind_meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $kind {
            $( $(#[$op_meta])* $op, )+
        }

        $(
            const _: () = assert!(
                $crate::declaration::same_str(
                    <$op as $crate::Operation>::DECLARATION.name,
                    stringify!($method),
                ),
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
                    $( Self::$op => &<$op as $crate::Operation>::DECLARATION, )+
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

            /// The operation a server routes `path` to (exactly, in any dialect).
            pub fn from_path(path: &str) -> Option<Self> {
                Self::ALL
                    .into_iter()
                    .find(|kind| kind.declaration().paths.serves(path))
            }
        }
    };
    (
        @server $kind:ident
        { $( $(#[$op_meta:meta])* $op:ident => $method:ident, )+ }
    ) => {
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
        }
    };
    (
        @serve [] $kind:ident
        { $( $(#[$op_meta:meta])* $op:ident => $method:ident, )+ }
    ) => {
        use $crate::ServerOperation;

        /// The path of every operation, in declaration order.
        pub const PATHS: [&str; $kind::ALL.len()] =
            [$(<$op as Operation>::DECLARATION.paths.first()),+];

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

            /// The operation's path.
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
    };
    (
        @serve [$dialect:ident] $kind:ident
        { $( $(#[$op_meta:meta])* $op:ident => $method:ident, )+ }
    ) => {
        use $crate::Route;
        use $crate::rongcloud::dialect_decoding::DialectDecoding;
        use $crate::rongcloud::reply_encoding::ReplyEncoding;

        /// How many paths are served.
        const ROUTE_COUNT: usize =
            $crate::declaration::route_count(&[$(&<$op as Operation>::DECLARATION),+]);

        /// Every path served, with its dialect and operation: every legacy path, then
        /// every v4 path and v4 alias, in declaration order
        /// ([`Paths::dialect_routes`](crate::Paths::dialect_routes)). An operation without
        /// a v4 endpoint of its own has no v4 route: its v4 form is a request of its batch
        /// operation, and decodes as one.
        pub const ROUTES: [Route<$kind>; ROUTE_COUNT] = $crate::declaration::routes(
            &$kind::ALL,
            &[$(&<$op as Operation>::DECLARATION),+],
        );

        impl Request {
            /// The route of `path` in [`ROUTES`], if it is served.
            pub fn route(path: &str) -> Option<&'static Route<$kind>> {
                ROUTES.iter().find(|route| route.path == path)
            }

            /// Decodes `request` by its exact URI path, with the dialect of that path.
            ///
            /// `None` when the path is not in [`ROUTES`]. Otherwise the dialect and the
            /// operation's decoder for it ([`Self::decode_as`]). The method and the
            /// `Content-Type` are not checked: the vendor documents `POST` but not what it
            /// answers to anything else, so that choice is the server's.
            pub fn decode(
                request: &http::Request<&[u8]>,
            ) -> Option<($dialect, Result<Self, DecodeError>)> {
                let route = Self::route(request.uri().path())?;
                Some((route.dialect, Self::decode_as(route.kind, route.dialect, request)))
            }

            /// Decodes the body of `request` as operation `kind` sent in `dialect`,
            /// whatever its path: legacy fields as sent
            /// ([`ServerOperation::decode`](crate::ServerOperation::decode)); v4 members
            /// as strict as Nexconn's generated models (a body that is not a JSON object
            /// is an error without a field). A missing or malformed field is named by
            /// [`DecodeError::field_name`].
            pub fn decode_as(
                kind: $kind,
                dialect: $dialect,
                request: &http::Request<&[u8]>,
            ) -> Result<Self, DecodeError> {
                match kind {
                    $( $kind::$op => $op::decode_in(dialect, request).map(Self::$op), )+
                }
            }

            /// The path clients send the operation to in `dialect` (for an alias, the
            /// canonical path).
            pub fn path(&self, dialect: $dialect) -> &'static str {
                self.declaration().paths.get(dialect)
            }

            /// The operation's client-side rules in `dialect`
            /// ([`RongCloudOperation::validate_in`](crate::rongcloud::RongCloudOperation::validate_in)):
            /// a server's check of the documented limits, once, before [`Self::dispatch`].
            pub fn validate(
                &self,
                dialect: $dialect,
                limits: &Limits,
            ) -> Result<(), ValidationError> {
                match self {
                    $( Self::$op(op) => op.validate_in(dialect, limits), )+
                }
            }

            /// Serves the request with `handler`'s method for it and encodes the output as
            /// the success reply of `dialect`, echoing `request_id`.
            pub fn dispatch<H: Handler + ?Sized>(
                &self,
                handler: &H,
                dialect: $dialect,
                request_id: Option<&str>,
            ) -> Result<http::Response<Vec<u8>>, H::Error> {
                match self {
                    $(
                        Self::$op(op) => handler
                            .$method(op)
                            .map(|output| output.encode_reply(dialect, request_id)),
                    )+
                }
            }
        }
    };
    (
        $(#[$kind_meta:meta])*
        kind: $kind:ident,
        server: $server:ident,
        $(dialect: $dialect:ident,)?
        operations: { $( $(#[$op_meta:meta])* $op:ident => $method:ident, )+ }
    ) => {
        $crate::declaration::operations!(
            @kind $(#[$kind_meta])* $kind { $( $(#[$op_meta])* $op => $method, )+ }
        );

        /// Generated by `operations!`: the server's side of the list.
        #[cfg(feature = "server")]
        pub(crate) mod $server {
            use super::*;
            use $crate::{
                DecodeError, Declaration, Effect, Limits, Operation, QuotaCost, ValidationError,
            };

            $crate::declaration::operations!(
                @server $kind { $( $(#[$op_meta])* $op => $method, )+ }
            );
            $crate::declaration::operations!(
                @serve [$($dialect)?] $kind { $( $(#[$op_meta])* $op => $method, )+ }
            );
        }
    };
}

pub(crate) use operations;

#[cfg(test)]
mod tests;
