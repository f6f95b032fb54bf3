//! The patient is waiting: when the patient checks in and the session has not started, the
//! visit's clinician is told once (email and/or SMS to the contact on their profile) and a
//! `Patient waiting` event is published for desks that subscribe. It follows the check-in's audit
//! record as the table's stream delivers it, so the patient's join never waits for it.
//!
//! Delivery is at least once, in practice once: the alert is sent, then claimed in the visit. A
//! record delivered again finds the claim and sends nothing; if nothing at all could be sent or
//! published, nothing is claimed and the stream delivers the record again.

use std::sync::Arc;

use super::core::Core;
use super::notify::{record_delivery, send_all};
use crate::DomainError;
use crate::model::{AuditKind, AuditRecord, AuditSubject, DeliveryStatus, Visit};
use crate::ports::{EventPublisher, Notifier, OutgoingMessage, PublishedEvent, StaffContact, StaffDirectory};

/// What following a record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertOutcome {
    /// The clinician was alerted (or the event published) just now.
    Alerted,
    /// Not a check-in, already alerted, or the session had started.
    Skipped,
}

pub struct WaitingAlerts {
    core: Core,
    staff: Arc<dyn StaffDirectory>,
    notifier: Arc<dyn Notifier>,
    events: Arc<dyn EventPublisher>,
}

impl WaitingAlerts {
    pub fn new(
        core: Core,
        staff: Arc<dyn StaffDirectory>,
        notifier: Arc<dyn Notifier>,
        events: Arc<dyn EventPublisher>,
    ) -> Self {
        Self { core, staff, notifier, events }
    }

    pub async fn follow(&self, record: &AuditRecord) -> Result<AlertOutcome, DomainError> {
        let AuditSubject::Visit(visit_id) = &record.subject else { return Ok(AlertOutcome::Skipped) };
        if record.kind != AuditKind::PatientCheckedIn {
            return Ok(AlertOutcome::Skipped);
        }
        let visit = match self.core.load(visit_id).await {
            Ok(visit) => visit,
            Err(DomainError::VisitNotFound) => return Ok(AlertOutcome::Skipped),
            Err(other) => return Err(other),
        };
        if !needs_alert(&visit) {
            return Ok(AlertOutcome::Skipped);
        }
        let contact = self.staff.contact_of(visit.clinician_id()).await?.unwrap_or_default();
        let event =
            PublishedEvent::PatientWaiting { visit_id: visit.id().clone(), clinician_id: visit.clinician_id().clone() };
        let (deliveries, published) =
            futures::join!(send_all(self.notifier.as_ref(), alert(&visit, &contact)), self.events.publish(&event));
        let sent = deliveries.iter().any(|d| d.status == DeliveryStatus::Sent);
        let published = match published {
            Ok(()) => true,
            // Nothing reached anyone: claim nothing, so the record is delivered again.
            Err(error) if !sent => return Err(DomainError::from(error)),
            Err(error) => {
                tracing::warn!(error = %error, "the patient-waiting event was not published");
                false
            }
        };
        let claimed = self
            .core
            .mutate_from(visit, "system:alerts", |visit, draft| {
                if !needs_alert(visit) || !visit.mark_clinician_alerted(draft.now) {
                    return Ok(AlertOutcome::Skipped);
                }
                draft.record(AuditKind::ClinicianAlerted, [("published", published.to_string())]);
                for delivery in &deliveries {
                    record_delivery(draft, delivery, Some(("to", "clinician".to_owned())));
                }
                Ok(AlertOutcome::Alerted)
            })
            .await?;
        Ok(claimed.0)
    }
}

/// Once per visit, and only while the clinician has not started.
fn needs_alert(visit: &Visit) -> bool {
    visit.clinician_alerted_at().is_none() && visit.session_started_at().is_none() && !visit.status().is_final()
}

/// The clinician's alert: that a patient waits, for the visit at what time. No name, nothing
/// about health; the desk shows the rest to whoever signs in.
fn alert(visit: &Visit, contact: &StaffContact) -> Vec<OutgoingMessage> {
    let when = visit.time_zone().local(visit.scheduled_at());
    let text = format!("Your patient is in the waiting room for the video visit at {when} (visit {}).", visit.id());
    let mut messages = Vec::new();
    if let Some(email) = &contact.email {
        messages.push(OutgoingMessage::Email {
            to: email.clone(),
            subject: "A patient is waiting".into(),
            body: format!("{text}\n\nStart the session from your desk."),
            calendar: None,
        });
    }
    if let Some(phone) = &contact.phone {
        messages.push(OutgoingMessage::Sms { to: phone.clone(), body: text });
    }
    messages
}
