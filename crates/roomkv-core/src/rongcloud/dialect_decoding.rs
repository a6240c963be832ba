//! How a server decodes a RongCloud request in the dialect it came in: the legacy form with
//! [`ServerOperation::decode`], the Nexconn v4 JSON body with [`DialectDecoding::decode_v4`].
//! The `operations!` list's `Request::decode_as` calls [`DialectDecoding::decode_in`].

use super::Dialect;
use crate::{DecodeError, ServerOperation};

/// The server's decoding of a RongCloud operation in both dialects.
pub(crate) trait DialectDecoding: ServerOperation {
    /// Decodes a request sent in the Nexconn v4 dialect, members as strict as Nexconn's
    /// generated models (a body that is not a JSON object is an error without a field).
    fn decode_v4(request: &http::Request<&[u8]>) -> Result<Self, DecodeError>;

    /// Decodes a request sent in `dialect`.
    fn decode_in(dialect: Dialect, request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        match dialect {
            Dialect::Legacy => Self::decode(request),
            Dialect::V4 => Self::decode_v4(request),
        }
    }
}
