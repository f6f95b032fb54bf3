//! A visit's IANA time zone: what its messages and calendar show the time in.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An IANA zone name the tz database knows (`Europe/London`, `America/Chicago`, `UTC`).
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    pub const UTC: TimeZone = TimeZone(chrono_tz::Tz::UTC);

    pub fn parse(raw: &str) -> Result<Self, String> {
        chrono_tz::Tz::from_str(raw.trim())
            .map(Self)
            .map_err(|_| "must be an IANA time zone name, e.g. America/New_York".into())
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.0
    }

    /// `at` as a person in this zone reads it, with the zone's abbreviation:
    /// `2030-01-07 09:10 GMT`, `2030-07-07 10:10 BST`.
    pub fn local(&self, at: chrono::DateTime<chrono::Utc>) -> String {
        at.with_timezone(&self.0).format("%Y-%m-%d %H:%M %Z").to_string()
    }
}

/// Visits stored before zones existed were shown in UTC: they read as UTC.
impl Default for TimeZone {
    fn default() -> Self {
        Self::UTC
    }
}

impl TryFrom<String> for TimeZone {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<TimeZone> for String {
    fn from(zone: TimeZone) -> String {
        zone.name().to_owned()
    }
}

impl fmt::Debug for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TimeZone({})", self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_zones_the_database_knows() {
        assert_eq!(TimeZone::parse("Europe/London").unwrap().name(), "Europe/London");
        assert_eq!(TimeZone::parse(" UTC ").unwrap(), TimeZone::UTC);
        for bad in ["", "Mars/Olympus", "+02:00", "europe/london", "EST5EDT6"] {
            assert!(TimeZone::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(serde_json::to_value(TimeZone::parse("Asia/Tokyo").unwrap()).unwrap(), "Asia/Tokyo");
    }

    #[test]
    fn local_times_carry_the_abbreviation_of_their_season() {
        let london = TimeZone::parse("Europe/London").unwrap();
        assert_eq!(london.local("2030-01-07T09:10:00Z".parse().unwrap()), "2030-01-07 09:10 GMT");
        assert_eq!(london.local("2030-07-07T09:10:00Z".parse().unwrap()), "2030-07-07 10:10 BST");
        let chicago = TimeZone::parse("America/Chicago").unwrap();
        assert_eq!(chicago.local("2030-01-07T15:00:00Z".parse().unwrap()), "2030-01-07 09:00 CST");
        assert_eq!(TimeZone::UTC.local("2030-01-07T09:10:00Z".parse().unwrap()), "2030-01-07 09:10 UTC");
    }
}
