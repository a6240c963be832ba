//! Helpers shared by the integration tests: an independent UserSig encoder and decoder built
//! directly on the primitives, so the tests do not only check the crate against itself.

// Each test binary uses a different subset.
#![allow(dead_code)]

use std::io::{Read as _, Write as _};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Raw HMAC-SHA256.
pub(crate) fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// `TLS.sig` for a content string: standard base64 of the HMAC.
pub(crate) fn tls_sig(key: &[u8], content: &str) -> String {
    STANDARD.encode(hmac_sha256(key, content.as_bytes()))
}

/// zlib at `level`, standard base64, then the UserSig substitutions.
pub(crate) fn encode_usersig(json: &[u8], level: flate2::Compression) -> String {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), level);
    z.write_all(json).unwrap();
    base64url_prime(&z.finish().unwrap())
}

/// Standard base64 with `+`→`*`, `/`→`-`, `=`→`_`.
pub(crate) fn base64url_prime(bytes: &[u8]) -> String {
    STANDARD
        .encode(bytes)
        .replace('+', "*")
        .replace('/', "-")
        .replace('=', "_")
}

/// The decompressed JSON text of a UserSig.
pub(crate) fn decode_usersig(usersig: &str) -> String {
    let b64 = usersig
        .replace('*', "+")
        .replace('-', "/")
        .replace('_', "=");
    let compressed = STANDARD.decode(b64).unwrap();
    let mut json = String::new();
    flate2::read::ZlibDecoder::new(compressed.as_slice())
        .read_to_string(&mut json)
        .unwrap();
    json
}

/// `TLS.identifier:..\nTLS.sdkappid:..\nTLS.time:..\nTLS.expire:..\n[TLS.userbuf:..\n]`.
pub(crate) fn content(
    sdkappid: u64,
    identifier: &str,
    time: u64,
    expire: u64,
    userbuf: Option<&str>,
) -> String {
    let mut s = format!(
        "TLS.identifier:{identifier}\nTLS.sdkappid:{sdkappid}\nTLS.time:{time}\nTLS.expire:{expire}\n"
    );
    if let Some(u) = userbuf {
        s += &format!("TLS.userbuf:{u}\n");
    }
    s
}
