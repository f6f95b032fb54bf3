//! The production clock and randomness.

use chrono::{DateTime, SubsecRound, Utc};
use visits_domain::ports::{Clock, IdSource};

pub struct SystemClock;

impl Clock for SystemClock {
    /// Milliseconds are enough for visits and keep timestamps short in JSON.
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(3)
    }
}

/// The operating system's CSPRNG.
pub struct OsRandom;

impl IdSource for OsRandom {
    fn fill(&self, dest: &mut [u8]) {
        // The OS generator does not fail on Linux once booted; a failure here is unrecoverable.
        if aws_lc_rs::rand::fill(dest).is_err() {
            panic!("the operating system's random generator failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_random_fills_differently_each_time() {
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        OsRandom.fill(&mut a);
        OsRandom.fill(&mut b);
        assert_ne!(a, b);
        assert_ne!(a, [0u8; 32]);
    }

    #[test]
    fn the_system_clock_keeps_milliseconds() {
        assert_eq!(SystemClock.now().timestamp_subsec_nanos() % 1_000_000, 0);
    }
}
