use chrono::{DateTime, Duration, Utc};

use crate::model::time::{earlier, later};
use crate::model::{TimeZone, Visit};

/// The figures behind the rules. Defaults follow the API contract.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Links are `{join_base_url}/j/{code}`.
    pub join_base_url: String,
    /// A visit's page in the portal is `{portal_base_url}/visits/{visitId}` (calendar invitations).
    pub portal_base_url: String,
    /// The `iss` of every token this service signs.
    pub token_issuer: String,
    pub join_opens_before: Duration,
    pub join_closes_after: Duration,
    /// Failed join attempts from one source IP before it gets 429.
    pub max_failures_per_ip: u32,
    /// Failed attempts on one code before the code is locked.
    pub max_failures_per_code: u32,
    pub failure_window: Duration,
    /// How long a patient in the waiting room should wait before asking again.
    pub waiting_retry_seconds: u64,
    pub idempotency_ttl: Duration,
    /// How far ahead a visit may be scheduled.
    pub max_schedule_ahead: Duration,
    /// The zone a visit is shown in when its request names none (`CLINIC_TIME_ZONE`).
    pub clinic_time_zone: TimeZone,
    /// The clinic's current telehealth terms (`TELEHEALTH_TERMS_VERSION`): while set, the patient
    /// and guests enter only once they have accepted this version.
    pub telehealth_terms: Option<crate::model::TermsVersion>,
    /// Whether the clinic records visits (`RECORDING_ALLOWED`), everyone in the room agreeing.
    pub recording_allowed: bool,
    /// Whether the clinic transcribes visits (`TRANSCRIPTION_ALLOWED`), everyone agreeing.
    pub transcription_allowed: bool,
}

impl Policy {
    pub fn allows(&self, capture: crate::model::Capture) -> bool {
        match capture {
            crate::model::Capture::Recording => self.recording_allowed,
            crate::model::Capture::Transcription => self.transcription_allowed,
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            join_base_url: "http://127.0.0.1:3001".into(),
            portal_base_url: "http://127.0.0.1:3001".into(),
            token_issuer: "video-visits".into(),
            join_opens_before: Duration::minutes(15),
            join_closes_after: Duration::minutes(15),
            max_failures_per_ip: 20,
            max_failures_per_code: 5,
            failure_window: Duration::minutes(15),
            waiting_retry_seconds: 5,
            idempotency_ttl: Duration::hours(24),
            max_schedule_ahead: Duration::days(400),
            clinic_time_zone: TimeZone::UTC,
            telehealth_terms: None,
            // Demo mode walks the whole path; a deployment says (the template's parameters).
            recording_allowed: true,
            transcription_allowed: true,
        }
    }
}

/// When a visit may be joined: from a while before it starts until a while after it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JoinWindow {
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

impl JoinWindow {
    pub fn of(visit: &Visit, policy: &Policy) -> Self {
        Self {
            opens_at: earlier(visit.scheduled_at(), policy.join_opens_before),
            closes_at: later(visit.ends_at(), policy.join_closes_after),
        }
    }

    pub fn contains(&self, now: DateTime<Utc>) -> bool {
        self.opens_at <= now && now < self.closes_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::visit::tests::visit_at;

    #[test]
    fn window_opens_15_minutes_before_and_closes_15_minutes_after_the_end() {
        let start: DateTime<Utc> = "2030-01-01T10:00:00Z".parse().unwrap();
        let window = JoinWindow::of(&visit_at(start), &Policy::default());
        assert_eq!(window.opens_at, start - Duration::minutes(15));
        assert_eq!(window.closes_at, start + Duration::minutes(30 + 15));
        assert!(!window.contains(window.opens_at - Duration::seconds(1)));
        assert!(window.contains(window.opens_at));
        assert!(window.contains(window.closes_at - Duration::seconds(1)));
        assert!(!window.contains(window.closes_at));
    }
}
