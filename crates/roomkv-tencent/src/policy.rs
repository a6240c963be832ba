//! Tencent's own retry rule: a rejected UserSig is renewed once and the attempt sent again.
//!
//! Everything else about retry safety is vendor-neutral and lives in roomkv-provider's
//! `policy` module.

use roomkv_core::TencentCode;

/// Whether Tencent rejected the UserSig in a way a new one fixes: expired (70001) or
/// invalidated (70052). `Some` names the code, the `reason` of the renewal in metrics.
pub(crate) fn usersig_rejection(code: TencentCode) -> Option<&'static str> {
    match code {
        TencentCode::UserSigExpired => Some("70001"),
        TencentCode::UserSigInvalidated => Some("70052"),
        _ => None,
    }
}
