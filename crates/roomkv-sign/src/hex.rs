//! Lowercase hex encoding of digests, and decoding of a received hex digest, shared by the
//! vendors' signatures.

/// The lowercase hex of `bytes`.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = vec![0; bytes.len() * 2];
    encode_into(bytes, &mut out);
    String::from_utf8(out).expect("hex digits are ASCII")
}

/// Writes the lowercase hex of `bytes` into `out`, which holds exactly twice as many bytes: no
/// allocation, for a digest that goes straight into a header value.
pub(crate) fn encode_into(bytes: &[u8], out: &mut [u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    assert_eq!(out.len(), bytes.len() * 2, "two hex digits per byte");
    for (pair, &byte) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = HEX[usize::from(byte >> 4)];
        pair[1] = HEX[usize::from(byte & 0x0f)];
    }
}

/// Decodes exactly `2 * N` hex digits of either case. The input is the caller's claim, not a
/// secret, so branching on it leaks nothing about the expected value.
#[cfg(feature = "verify")]
pub(crate) fn decode<const N: usize>(hex: &str) -> Option<[u8; N]> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let bytes = hex.as_bytes();
    if bytes.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        *slot = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding() {
        assert_eq!(encode(&[0x00, 0xaf, 0x10]), "00af10");
    }

    proptest::proptest! {
        /// Two lowercase digits per byte, as `format!("{:02x}")` writes them, in place or not.
        #[test]
        fn encoding_is_lowercase_hex(bytes: Vec<u8>) {
            let expected: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            let mut out = vec![0; bytes.len() * 2];
            encode_into(&bytes, &mut out);
            proptest::prop_assert_eq!(&out[..], expected.as_bytes());
            proptest::prop_assert_eq!(encode(&bytes), expected);
        }
    }

    #[cfg(feature = "verify")]
    #[test]
    fn decoding() {
        assert_eq!(decode::<20>(&"0".repeat(39)), None);
        assert_eq!(decode::<20>(&"0".repeat(41)), None);
        assert_eq!(decode::<20>(&"g".repeat(40)), None);
        assert_eq!(decode::<20>(&"aF".repeat(20)), Some([0xaf; 20]));
        // Multi-byte UTF-8 of the right byte length must not panic.
        assert_eq!(decode::<20>(&"é".repeat(20)), None);
        assert_eq!(decode::<32>(&"Ab".repeat(32)), Some([0xab; 32]));
    }
}
