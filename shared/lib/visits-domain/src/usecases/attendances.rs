//! Attendance from the video provider's attendee events: each lands once in the visit's audit
//! chain, and the visit's `attendance` is worked out again. Events arrive twice and out of order;
//! a repeat changes nothing, and order does not matter to the result.

use chrono::{DateTime, Utc};

use super::core::Core;
use crate::DomainError;
use crate::model::{AttendanceMark, AttendeeEventKind, AuditKind, MarkOutcome, VisitId};

/// An attendee event as the provider reports it (Chime's "Chime Meeting State Change").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendeeEvent {
    pub kind: AttendeeEventKind,
    /// The meeting's external id: the visit's id, as the session was opened.
    pub external_meeting_id: String,
    pub meeting_id: Option<String>,
    pub attendee_id: Option<String>,
    /// Who the seat was given to: the patient's or clinician's id, or a guest's.
    pub external_user_id: Option<String>,
    pub at: DateTime<Utc>,
}

pub struct Attendances {
    core: Core,
}

impl Attendances {
    pub fn new(core: Core) -> Self {
        Self { core }
    }

    /// Records the event on its visit. False for a meeting that is not a visit's, and for an
    /// event kept before. Past the marks a visit keeps, the event is audited (`counted` false)
    /// but no longer counted: a repeat of it would be audited again.
    pub async fn record(&self, event: &AttendeeEvent) -> Result<bool, DomainError> {
        let Ok(visit_id) = VisitId::parse(&event.external_meeting_id) else { return Ok(false) };
        let visit = match self.core.load(&visit_id).await {
            Ok(visit) => visit,
            Err(DomainError::VisitNotFound) => return Ok(false),
            Err(other) => return Err(other),
        };
        let participant = match event.kind {
            AttendeeEventKind::MeetingEnded => None,
            _ => event.external_user_id.as_deref().map(|id| visit.participant_named(id)),
        };
        let mark = AttendanceMark {
            at: event.at,
            kind: event.kind,
            meeting_id: event.meeting_id.clone(),
            attendee_id: event.attendee_id.clone(),
            participant,
        };
        let (recorded, _) = self
            .core
            .mutate_from(visit, "chime", |visit, draft| {
                let outcome = visit.record_attendance(mark.clone());
                if outcome == MarkOutcome::Repeated {
                    return Ok(false);
                }
                let mut data = vec![("occurredAt", mark.at.to_rfc3339())];
                if outcome == MarkOutcome::Full {
                    // The trail keeps it; the attendance no longer counts it.
                    data.push(("counted", "false".to_owned()));
                }
                data.extend(mark.participant.clone().map(|who| ("participant", who)));
                data.extend(mark.attendee_id.clone().map(|seat| ("attendeeId", seat)));
                draft.record_all(audit_kind(mark.kind), data);
                Ok(true)
            })
            .await?;
        Ok(recorded)
    }
}

fn audit_kind(kind: AttendeeEventKind) -> AuditKind {
    match kind {
        AttendeeEventKind::Joined => AuditKind::AttendeeJoined,
        AttendeeEventKind::Left => AuditKind::AttendeeLeft,
        AttendeeEventKind::Dropped => AuditKind::AttendeeDropped,
        AttendeeEventKind::MeetingEnded => AuditKind::MeetingEnded,
    }
}
