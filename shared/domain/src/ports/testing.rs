//! Deterministic stand-ins for unit tests of the domain itself.

use std::sync::atomic::{AtomicU64, Ordering};

use super::IdSource;

/// Bytes from a counter: distinct on every call, the same across runs.
#[derive(Debug, Default)]
pub struct CountingIds(AtomicU64);

impl IdSource for CountingIds {
    fn fill(&self, dest: &mut [u8]) {
        let mut state = self.0.fetch_add(1, Ordering::Relaxed).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        for byte in dest {
            // xorshift keeps consecutive calls far apart
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *byte = state as u8;
        }
    }
}
