use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use visits_domain::ports::Clock;

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

/// A clock the local server's `POST /dev/clock` can move forward, so a person trying the product
/// (or a test) sees reminders and no-shows without waiting.
pub trait DemoClock: Clock {
    fn advance(&self, by: Duration);
}

impl DemoClock for ManualClock {
    fn advance(&self, by: Duration) {
        ManualClock::advance(self, by);
    }
}

/// Demo mode's clock: the system's time, plus however far it was moved forward.
#[derive(Default)]
pub struct OffsetClock(Mutex<Duration>);

impl OffsetClock {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl DemoClock for OffsetClock {
    fn advance(&self, by: Duration) {
        *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) += by;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_clock_runs_with_the_system_and_jumps_forward() {
        let clock = OffsetClock::new();
        let before = Utc::now();
        DemoClock::advance(&clock, Duration::hours(2));
        let now = clock.now();
        assert!(now >= before + Duration::hours(2) && now < Utc::now() + Duration::hours(2) + Duration::seconds(5));
    }
}
