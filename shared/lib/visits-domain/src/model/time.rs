//! Time arithmetic that cannot panic. chrono's `+` panics past its range; a time read from the
//! store is not to be trusted that far, so every sum of a stored time goes through these.

use chrono::{DateTime, Duration, Utc};

/// `at + by`, or the last representable instant.
pub fn later(at: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    at.checked_add_signed(by).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `at - by`, or the first representable instant.
pub fn earlier(at: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    at.checked_sub_signed(by).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_saturate_at_the_ends_of_time() {
        let near_end = DateTime::<Utc>::MAX_UTC - Duration::minutes(1);
        assert_eq!(later(near_end, Duration::days(1)), DateTime::<Utc>::MAX_UTC);
        let near_start = DateTime::<Utc>::MIN_UTC + Duration::minutes(1);
        assert_eq!(earlier(near_start, Duration::days(1)), DateTime::<Utc>::MIN_UTC);
        let at: DateTime<Utc> = "2030-01-01T10:00:00Z".parse().unwrap();
        assert_eq!(later(at, Duration::minutes(30)), at + Duration::minutes(30));
        assert_eq!(earlier(at, Duration::minutes(30)), at - Duration::minutes(30));
    }
}
