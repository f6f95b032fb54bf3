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

/// A scheduled 30-minute Chime visit, booked a day before, not yet stored (version 0),
/// for tests of stores, adapters and handlers.
pub fn scheduled_visit(
    id: crate::model::VisitId,
    patient: &str,
    clinician: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> crate::model::Visit {
    booked_visit(id, patient, clinician, at, at - chrono::Duration::days(1))
}

/// A scheduled 30-minute Chime visit booked at `booked`, with no job yet done, not yet stored.
pub fn booked_visit(
    id: crate::model::VisitId,
    patient: &str,
    clinician: &str,
    at: chrono::DateTime<chrono::Utc>,
    booked: chrono::DateTime<chrono::Utc>,
) -> crate::model::Visit {
    use crate::model::{Booking, Bookkeeping, DurationMinutes, Provider, TimeZone, UserId, Visit};
    let user = |raw: &str| UserId::parse(raw).unwrap_or_else(|e| panic!("test user id {raw:?}: {e}"));
    let booking = Booking {
        id,
        patient_id: user(patient),
        clinician_id: user(clinician),
        scheduled_at: at,
        duration: DurationMinutes::new(30).unwrap_or_else(|e| panic!("{e}")),
        provider: Provider::Chime,
        time_zone: TimeZone::UTC,
        patient_contact: None,
    };
    let listed = Visit::book(booking, booked).listed().clone();
    Visit::from_parts(listed, Bookkeeping::default(), 0)
}

/// `visit` with what it shows edited past the state machine: a state no use case makes (a
/// provider fixed after booking, a time moved under a minted link), for tests that need one.
pub fn edited(visit: &crate::model::Visit, edit: impl FnOnce(&mut crate::model::ListedVisit)) -> crate::model::Visit {
    let mut listed = visit.listed().clone();
    edit(&mut listed);
    crate::model::Visit::from_parts(listed, visit.bookkeeping().clone(), visit.version())
}
