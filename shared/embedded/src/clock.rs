use std::sync::Mutex;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use visits_domain::ports::{Clock, IdSource};

pub struct SystemClock;

impl Clock for SystemClock {
    /// Milliseconds are enough for visits and keep timestamps short in JSON.
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(3)
    }
}

/// A clock that only moves when told to.
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self(Mutex::new(start))
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = to;
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
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
