//! Lowercase hex encoding of digests, and decoding of a received hex digest, shared by the
//! vendors' signatures.

/// The lowercase hex of `bytes`.
pub(crate) fn encode(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
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
