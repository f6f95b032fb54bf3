use chrono::{DateTime, Utc};

/// The time. Tests use a clock they can move.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// Randomness for ids, codes and token ids. Production reads the OS; tests may count.
pub trait IdSource: Send + Sync {
    fn fill(&self, dest: &mut [u8]);
}
