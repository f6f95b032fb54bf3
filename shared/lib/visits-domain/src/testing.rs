//! Fixtures for tests, here and in the adapter and integration tests: deterministic ids and a
//! scheduled visit. Nothing in the domain's own code uses them.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::ports::IdSource;

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

/// A scheduled 30-minute Chime visit, as scheduling stores it, for tests of stores, adapters and
/// handlers.
pub fn scheduled_visit(
    id: crate::model::VisitId,
    patient: &str,
    clinician: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> crate::model::Visit {
    use crate::model::{AuditHead, DurationMinutes, Provider, UserId, Visit, VisitStatus};
    let user = |raw: &str| UserId::parse(raw).unwrap_or_else(|e| panic!("test user id {raw:?}: {e}"));
    Visit {
        time_zone: crate::model::TimeZone::UTC,
        jobs_done: Vec::new(),
        clinician_alerted_at: None,
        id,
        patient_id: user(patient),
        clinician_id: user(clinician),
        scheduled_at: at,
        duration: DurationMinutes::new(30).unwrap_or_else(|e| panic!("{e}")),
        provider: Provider::Chime,
        status: VisitStatus::Scheduled,
        patient_contact: None,
        created_at: at - chrono::Duration::days(1),
        updated_at: at - chrono::Duration::days(1),
        patient_checked_in_at: None,
        session_started_at: None,
        guests: Vec::new(),
        attendance: Vec::new(),
        attendance_marks: Vec::new(),
        contact_connected_at: None,
        room: None,
        patient: crate::model::Access::default(),
        audit_head: AuditHead::default(),
        version: 1,
    }
}
