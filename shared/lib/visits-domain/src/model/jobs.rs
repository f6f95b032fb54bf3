//! What happens around a visit by itself: reminders 24 hours and 15 minutes before (each with a
//! fresh link), a nudge 5 minutes after the start when the patient has not checked in, and the
//! no-show check when the join window closes. In AWS each is a one-time EventBridge Scheduler
//! schedule named after the visit; in demo mode an in-process timer.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::VisitId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitJob {
    /// A reminder with a fresh link, 24 hours before (when booked further ahead than that).
    DayBefore,
    /// A reminder with a fresh link, 15 minutes before.
    SoonBefore,
    /// 5 minutes after the start, without a check-in: a fresh link, once.
    NoShowNudge,
    /// The join window closed without a check-in: the visit is a no-show.
    NoShowCheck,
}

impl VisitJob {
    pub const ALL: [VisitJob; 4] = [Self::DayBefore, Self::SoonBefore, Self::NoShowNudge, Self::NoShowCheck];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::DayBefore => "day-before",
            Self::SoonBefore => "soon-before",
            Self::NoShowNudge => "no-show-nudge",
            Self::NoShowCheck => "no-show-check",
        }
    }

    /// When it runs for a visit at `scheduled_at` whose join window closes at `window_closes`.
    pub fn due(self, scheduled_at: DateTime<Utc>, window_closes: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Self::DayBefore => scheduled_at - Duration::hours(24),
            Self::SoonBefore => scheduled_at - Duration::minutes(15),
            Self::NoShowNudge => scheduled_at + Duration::minutes(5),
            Self::NoShowCheck => window_closes,
        }
    }

    /// The reminders already past when a visit at `scheduled_at` is booked or moved at `now`:
    /// they are skipped, not sent late. (The nudge and the check follow the start, which is ahead.)
    pub fn past_when_planned(scheduled_at: DateTime<Utc>, now: DateTime<Utc>) -> Vec<VisitJob> {
        [Self::DayBefore, Self::SoonBefore]
            .into_iter()
            .filter(|job| job.due(scheduled_at, scheduled_at) <= now)
            .collect()
    }

    /// The one-time schedule's name: the visit's and the job's (EventBridge Scheduler allows
    /// 64 characters of letters, digits, `-`, `_` and `.`).
    pub fn schedule_name(self, visit_id: &VisitId) -> String {
        format!("{visit_id}-{}", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_fall_around_the_start_and_reminders_already_past_are_skipped() {
        let at: DateTime<Utc> = "2030-01-08T09:00:00Z".parse().unwrap();
        let closes = at + Duration::minutes(45);
        assert_eq!(VisitJob::DayBefore.due(at, closes), at - Duration::hours(24));
        assert_eq!(VisitJob::NoShowCheck.due(at, closes), closes);
        assert!(VisitJob::past_when_planned(at, at - Duration::days(2)).is_empty());
        assert_eq!(VisitJob::past_when_planned(at, at - Duration::hours(2)), [VisitJob::DayBefore]);
        assert_eq!(
            VisitJob::past_when_planned(at, at - Duration::minutes(10)),
            [VisitJob::DayBefore, VisitJob::SoonBefore]
        );
        let name = VisitJob::NoShowNudge.schedule_name(&VisitId::parse("vis_abcdefghijklmnopqrst").unwrap());
        assert!(name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)), "{name}");
    }
}
