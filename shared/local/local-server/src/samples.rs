//! The visit the sample events in `events/` name, so they answer as they would in a deployment
//! that holds it: `make invoke` seeds it on the local AWS, tests seed it in memory.

use chrono::Duration;
use visits_domain::model::{AuditKind, PatientContact, VisitId};
use visits_domain::ports::CommitError;
use visits_domain::testing::{booked_visit, edited};
use visits_domain::usecases::Core;

use crate::dev_auth::DEMO_ACCOUNTS;

/// The sample events' visit id.
pub const VISIT_ID: &str = "vis_k7q2m3x4w5p3r6t5v2n7";

/// The demo clinician's and patient's `sub`, as the sample events' claims carry them.
pub fn clinician_id() -> &'static str {
    DEMO_ACCOUNTS[1].sub
}

pub fn patient_id() -> &'static str {
    DEMO_ACCOUNTS[2].sub
}

/// Stores the sample visit, five minutes after the core's now (its join window is open), unless
/// it exists.
pub async fn seed_visit(core: &Core) -> Result<(), String> {
    let now = core.now();
    let contact: PatientContact =
        serde_json::from_str(r#"{"phone": "+447911123456", "email": "pat@example.com", "displayName": "Pat Example"}"#)
            .map_err(|e| e.to_string())?;
    // Booked now, with every reminder still to run, as the reminders sample expects.
    let booked = booked_visit(VisitId::parse(VISIT_ID)?, patient_id(), clinician_id(), now + Duration::minutes(5), now);
    let visit = edited(&booked, |listed| listed.patient_contact = Some(contact));
    match core.create(visit, "admin:seed", |draft| draft.record(AuditKind::VisitScheduled, []), None, None).await {
        Ok(_) | Err(CommitError::AlreadyExists) => Ok(()),
        Err(error) => Err(format!("seeding the sample visit: {error:?}")),
    }
}
