//! The Nexconn v4 dialect's transport facts: which statuses its server answers itself. How each
//! operation is encoded and parsed in v4 is core's
//! ([`RongCloudOperation`](roomkv_core::rongcloud::RongCloudOperation)).

use std::sync::LazyLock;

use http::StatusCode;

/// The statuses a v4 server answers with a JSON body: 200, and 400 (parameters), 401
/// (signature), 403, 404, 409 (conflict, which Nexconn's own Python SDK types), 429 (rate
/// limit) and 430 (service not enabled). Any other status, and every 5xx, switches to the
/// backup host, as in the legacy dialect.
pub(crate) static V4_EXPECTED_STATUSES: LazyLock<Vec<StatusCode>> = LazyLock::new(|| {
    [200, 400, 401, 403, 404, 409, 429, 430]
        .into_iter()
        .map(|status| StatusCode::from_u16(status).expect("a valid HTTP status"))
        .collect()
});
