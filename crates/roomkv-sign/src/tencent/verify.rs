//! UserSig v2 verification (the emulator's direction).

use std::io::Read as _;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use hmac::Mac as _;
use serde_json::{Map, Value};

use super::{SecretKey, content, mac};

/// Largest UserSig string, and largest decompressed document, that [`verify`] looks at. Real
/// UserSigs are a few hundred bytes; the cap keeps a zlib bomb from allocating megabytes.
const MAX_LEN: usize = 64 * 1024;

/// Standard alphabet, padding optional (every official SDK pads, but nothing is gained by
/// rejecting an unpadded string).
const LENIENT_STANDARD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The claims of a verified UserSig.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Claims {
    /// `TLS.sdkappid`: the application the UserSig was issued for.
    pub sdkappid: u64,
    /// `TLS.identifier`: the UserID the UserSig authenticates.
    pub identifier: String,
    /// `TLS.time`: when it was issued, in Unix seconds.
    pub time: u64,
    /// `TLS.expire`: how long it is valid, in seconds from `time`.
    pub expire: u64,
}

impl Claims {
    /// The last second (Unix time) at which the UserSig is still valid: `time + expire`
    /// (saturating, so an absurd `expire` means "never expires" rather than wrapping around).
    pub const fn expires_at(&self) -> u64 {
        self.time.saturating_add(self.expire)
    }

    /// Whether the UserSig has expired at `now_unix_secs`: strictly after [`Claims::expires_at`].
    pub const fn is_expired_at(&self, now_unix_secs: u64) -> bool {
        now_unix_secs > self.expires_at()
    }
}

/// Why a UserSig is malformed (it could not be decoded into a v2 document).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MalformedReason {
    /// After undoing the `*`, `-`, `_` substitutions, the string is not standard base64.
    #[error("not base64")]
    Base64,
    /// The decoded bytes are not a complete zlib (RFC 1950) stream.
    #[error("not a zlib stream")]
    Zlib,
    /// The UserSig or its decompressed document is larger than any real UserSig.
    #[error("too large")]
    TooLarge,
    /// The decompressed document is not a JSON object.
    #[error("not a JSON object")]
    Json,
    /// A required field is absent.
    #[error("missing field {field}")]
    MissingField {
        /// The JSON key, such as `TLS.sig`.
        field: &'static str,
    },
    /// A field has the wrong type or an unusable value (for example a negative `TLS.time`, or a
    /// `TLS.sig` that is not base64).
    #[error("invalid field {field}")]
    InvalidField {
        /// The JSON key, such as `TLS.expire`.
        field: &'static str,
    },
}

/// Why [`verify`] rejected a UserSig.
///
/// The variants correspond to Tencent's REST error codes, which the emulator (not this crate)
/// maps them to: [`Malformed`](Self::Malformed) → 70003 (UserSig invalid),
/// [`Expired`](Self::Expired) → 70001, [`SignatureMismatch`](Self::SignatureMismatch) → 70009,
/// [`SdkAppIdMismatch`](Self::SdkAppIdMismatch) → 70014,
/// [`IdentifierMismatch`](Self::IdentifierMismatch) → 70013.
///
/// Errors never contain the secret key, the UserSig or its signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The UserSig could not be decoded (vendor code 70003).
    #[error("malformed UserSig: {reason}")]
    Malformed {
        /// What was wrong with it.
        reason: MalformedReason,
    },
    /// `TLS.sdkappid` is not the expected SDKAppID (vendor code 70014).
    #[error("UserSig was issued for SDKAppID {found}, expected {expected}")]
    SdkAppIdMismatch {
        /// The SDKAppID the verifier expected.
        expected: u64,
        /// The SDKAppID in the UserSig.
        found: u64,
    },
    /// `TLS.identifier` is not the expected identifier (vendor code 70013).
    #[error("UserSig was issued for identifier {found:?}, expected {expected:?}")]
    IdentifierMismatch {
        /// The identifier the verifier expected.
        expected: String,
        /// The identifier in the UserSig.
        found: String,
    },
    /// `now` is strictly after `TLS.time + TLS.expire` (vendor code 70001).
    #[error("UserSig expired at {expired_at} (Unix seconds), now is {now}")]
    Expired {
        /// The last valid second, `TLS.time + TLS.expire`.
        expired_at: u64,
        /// The `now` given to [`verify`].
        now: u64,
    },
    /// `TLS.sig` is not the HMAC-SHA256 of the document's fields under the secret key (vendor
    /// code 70009): a wrong key, or a tampered document.
    #[error("UserSig signature does not match")]
    SignatureMismatch,
}

impl From<MalformedReason> for VerifyError {
    fn from(reason: MalformedReason) -> Self {
        Self::Malformed { reason }
    }
}

/// A decoded, not yet verified document.
struct Decoded {
    claims: Claims,
    userbuf: Option<String>,
    sig: Vec<u8>,
}

fn decode(usersig: &str) -> Result<Decoded, MalformedReason> {
    if usersig.len() > MAX_LEN {
        return Err(MalformedReason::TooLarge);
    }
    let b64: String = usersig
        .chars()
        .map(|c| match c {
            '*' => '+',
            '-' => '/',
            '_' => '=',
            c => c,
        })
        .collect();
    let compressed = LENIENT_STANDARD
        .decode(b64)
        .map_err(|_| MalformedReason::Base64)?;

    // Any zlib level is fine, including stored blocks (the Go SDK's NoCompression).
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(compressed.as_slice())
        .take(MAX_LEN as u64 + 1)
        .read_to_end(&mut json)
        .map_err(|_| MalformedReason::Zlib)?;
    if json.len() > MAX_LEN {
        return Err(MalformedReason::TooLarge);
    }

    // Key order, whitespace, a trailing newline (Go) and unknown keys are all tolerated.
    let Ok(Value::Object(doc)) = serde_json::from_slice::<Value>(&json) else {
        return Err(MalformedReason::Json);
    };
    let identifier = match required(&doc, "TLS.identifier")? {
        Value::String(s) => s.clone(),
        _ => {
            return Err(MalformedReason::InvalidField {
                field: "TLS.identifier",
            });
        }
    };
    let sdkappid = number(&doc, "TLS.sdkappid")?;
    let time = number(&doc, "TLS.time")?;
    let expire = number(&doc, "TLS.expire")?;
    let sig = match required(&doc, "TLS.sig")? {
        Value::String(s) => LENIENT_STANDARD
            .decode(s)
            .map_err(|_| MalformedReason::InvalidField { field: "TLS.sig" })?,
        _ => return Err(MalformedReason::InvalidField { field: "TLS.sig" }),
    };
    let userbuf = match doc.get("TLS.userbuf") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(MalformedReason::InvalidField {
                field: "TLS.userbuf",
            });
        }
    };
    Ok(Decoded {
        claims: Claims {
            sdkappid,
            identifier,
            time,
            expire,
        },
        userbuf,
        sig,
    })
}

fn required<'a>(
    doc: &'a Map<String, Value>,
    field: &'static str,
) -> Result<&'a Value, MalformedReason> {
    doc.get(field)
        .ok_or(MalformedReason::MissingField { field })
}

/// A non-negative integer field. The official SDKs write JSON numbers; a string of decimal
/// digits is accepted too.
fn number(doc: &Map<String, Value>, field: &'static str) -> Result<u64, MalformedReason> {
    let invalid = MalformedReason::InvalidField { field };
    match required(doc, field)? {
        Value::Number(n) => n.as_u64().ok_or(invalid),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().map_err(|_| invalid)
        }
        _ => Err(invalid),
    }
}

/// Verifies a UserSig v2 for app `expected_sdkappid` and user `expected_identifier` at
/// `now_unix_secs`, and returns its claims.
///
/// Checks, in the order of the official Go and PHP verifiers:
///
/// 1. decode: undo the `*`, `-`, `_` substitutions, base64, zlib (any level, stored blocks
///    too), JSON (any key order, whitespace, trailing newline, unknown keys; numbers may also be
///    numeric strings) → [`VerifyError::Malformed`];
/// 2. `TLS.sdkappid` → [`VerifyError::SdkAppIdMismatch`];
/// 3. `TLS.identifier` → [`VerifyError::IdentifierMismatch`];
/// 4. expiry: expired iff `now_unix_secs > TLS.time + TLS.expire`; at exactly that second it is
///    still valid → [`VerifyError::Expired`];
/// 5. signature: the HMAC-SHA256 recomputed from the *parsed* fields (and `TLS.userbuf`, when
///    present, as the official SDKs sign it) is compared in constant time with the decoded
///    `TLS.sig` → [`VerifyError::SignatureMismatch`].
///
/// The UserSig string itself is never compared: SDKs in different languages produce different
/// strings for the same claims. A `TLS.time` in the future is not rejected (neither do the
/// official verifiers).
///
/// # Errors
///
/// The first failed check, as a [`VerifyError`].
///
/// # Example
///
/// The official Python SDK's UserSig for the spec's vector A (issued at 1700000000, valid for
/// 180 days):
///
/// ```
/// use roomkv_sign::tencent::{SecretKey, VerifyError, verify};
///
/// let key = SecretKey::new("5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e");
/// let usersig = "eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkKjIT87NK82CSxSnZiQUFmSlAKUMTAyiAyqVWFGQWpYJkTE1NjRDiJZm5YFFzNPXFmekgG3zKHM1T9D3LzdODi-OKs8vCqpxcAvydnV2SSv2cy03cPcpDnA2SMgu0nUxslWoBHdYzUg__";
///
/// let claims = verify(usersig, &key, 1400000000, "xiaojun", 1700000000)?;
/// assert_eq!(claims.identifier, "xiaojun");
/// assert_eq!(claims.expires_at(), 1715552000);
///
/// // Valid through its last second, expired one second later.
/// assert!(verify(usersig, &key, 1400000000, "xiaojun", 1715552000).is_ok());
/// assert_eq!(
///     verify(usersig, &key, 1400000000, "xiaojun", 1715552001),
///     Err(VerifyError::Expired { expired_at: 1715552000, now: 1715552001 }),
/// );
/// # Ok::<(), VerifyError>(())
/// ```
pub fn verify(
    usersig: &str,
    secret_key: &SecretKey,
    expected_sdkappid: u64,
    expected_identifier: &str,
    now_unix_secs: u64,
) -> Result<Claims, VerifyError> {
    let Decoded {
        claims,
        userbuf,
        sig,
    } = decode(usersig)?;

    if claims.sdkappid != expected_sdkappid {
        return Err(VerifyError::SdkAppIdMismatch {
            expected: expected_sdkappid,
            found: claims.sdkappid,
        });
    }
    if claims.identifier != expected_identifier {
        return Err(VerifyError::IdentifierMismatch {
            expected: expected_identifier.to_owned(),
            found: claims.identifier,
        });
    }
    if claims.is_expired_at(now_unix_secs) {
        return Err(VerifyError::Expired {
            expired_at: claims.expires_at(),
            now: now_unix_secs,
        });
    }
    let content = content(
        claims.sdkappid,
        &claims.identifier,
        claims.time,
        claims.expire,
        userbuf.as_deref(),
    );
    // `verify_slice` compares in constant time (and rejects a tag of the wrong length).
    mac(secret_key, &content)
        .verify_slice(&sig)
        .map_err(|_| VerifyError::SignatureMismatch)?;
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_lenient_but_not_sloppy() {
        let doc: Map<String, Value> = serde_json::from_str(
            r#"{"a": 1, "b": "2", "c": -1, "d": 1.5, "e": "", "f": "+3", "g": "99999999999999999999", "h": null}"#,
        )
        .unwrap();
        assert_eq!(number(&doc, "a"), Ok(1));
        assert_eq!(number(&doc, "b"), Ok(2));
        for field in ["c", "d", "e", "f", "g", "h"] {
            assert_eq!(
                number(&doc, field),
                Err(MalformedReason::InvalidField { field })
            );
        }
        assert_eq!(
            number(&doc, "z"),
            Err(MalformedReason::MissingField { field: "z" })
        );
    }

    #[test]
    fn claims_expiry_saturates() {
        let claims = Claims {
            sdkappid: 1,
            identifier: "a".into(),
            time: u64::MAX - 1,
            expire: 10,
        };
        assert_eq!(claims.expires_at(), u64::MAX);
        assert!(!claims.is_expired_at(u64::MAX));
    }

    #[test]
    fn too_large_inputs() {
        let long = "A".repeat(MAX_LEN + 4);
        assert_eq!(decode(&long).err(), Some(MalformedReason::TooLarge));

        // A small zlib bomb: 1 MiB of spaces compresses to about 1 KiB.
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut z, &vec![b' '; 1 << 20]).unwrap();
        let bomb = base64::engine::general_purpose::STANDARD.encode(z.finish().unwrap());
        assert!(bomb.len() < MAX_LEN);
        assert_eq!(decode(&bomb).err(), Some(MalformedReason::TooLarge));
    }
}
