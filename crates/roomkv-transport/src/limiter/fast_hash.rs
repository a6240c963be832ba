//! [`FastHash`]: the hash of the local limiter's bucket map, a few multiplications per key
//! instead of SipHash's rounds.
//!
//! The map is looked up several times per admitted request, and its keys are the client's own
//! bucket names (`rongcloud:APPKEY:entry-set`), not input from the network, so a keyed hash
//! that resists collision flooding buys nothing there. This is the Fx hash of `rustc` (one
//! rotate, xor and multiply per 8 bytes), with the length of every byte string mixed in.

use std::hash::{BuildHasherDefault, Hasher};

/// Builds [`FastHasher`]s.
pub(super) type FastHash = BuildHasherDefault<FastHasher>;

/// The Fx hash state.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct FastHasher(u64);

impl FastHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        // The length first: the last word is padded with zeros, so without it `a` and `a\0`
        // would hash alike.
        self.add(bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("chunks of 8")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher as _;

    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Equal names hash equal; names that differ (in any byte, or in length by trailing
        /// zeros, which `str`'s terminator separates) almost never collide.
        #[test]
        fn equal_names_hash_equal_and_others_apart(a in ".{0,40}", b in ".{0,40}") {
            let hash = |s: &str| FastHash::default().hash_one(s);
            // Another string with the same text: the hash is of the bytes, not the address.
            let same: String = a.chars().collect();
            prop_assert_eq!(hash(&a), hash(&same));
            if a != b {
                prop_assert_ne!(hash(&a), hash(&b));
            }
        }
    }

    #[test]
    fn trailing_zero_bytes_change_the_hash() {
        let hash = |s: &str| FastHash::default().hash_one(s);
        assert_ne!(hash("a"), hash("a\0"));
        assert_ne!(hash(""), hash("\0"));
    }
}
