//! Moving a visit: the patient and each guest are told the new time with a fresh link.

use chrono::{DateTime, Utc};

use super::{Notifications, compose, record_delivery, send_all};
use crate::DomainError;
use crate::model::{Admitted, AuditKind, Caller, DurationMinutes, GuestId, Visit, VisitId};
use crate::ports::OutgoingMessage;
use crate::rules::may_manage;
use crate::usecases::guests::{Occasion, guest_messages};

impl Notifications {
    /// Moves a scheduled visit (the visit's clinician, admin): earlier links stop working, and
    /// the patient is sent the new time with a fresh link on every contact the visit has; so is
    /// each guest, on theirs.
    pub async fn reschedule(
        &self,
        caller: &Caller,
        visit_id: &VisitId,
        at: DateTime<Utc>,
        duration: Option<DurationMinutes>,
    ) -> Result<Visit, DomainError> {
        let core = self.links.core();
        let visit = core.load(visit_id).await?;
        may_manage(caller, &visit)?;
        let now = core.now();
        if at <= now {
            return Err(DomainError::rule("scheduledAt", "must be in the future"));
        }
        let horizon = core.policy.max_schedule_ahead;
        if at > now + horizon {
            return Err(DomainError::rule("scheduledAt", format!("must be at most {} days ahead", horizon.num_days())));
        }
        let (from, duration) = (visit.scheduled_at(), duration.unwrap_or(visit.duration()));
        // The new links (the patient's, each guest's) are made for the new time and go in the
        // move's own write: a moved visit always has its links.
        let mut moved = visit.clone();
        moved.reschedule(at, duration, now)?;
        let patient_link = match moved.patient_contact() {
            Some(_) => Some(self.links.prepare(&moved, &Admitted::Patient)?),
            None => None,
        };
        let guest_links = moved
            .guests()
            .iter()
            .map(|guest| self.links.prepare(&moved, &Admitted::Guest(guest.id.clone())))
            .collect::<Result<Vec<_>, _>>()?;
        let actor = caller.actor();
        let (_, visit) = core
            .mutate_from(visit, &actor, |visit, draft| {
                visit.reschedule(at, duration, draft.now)?;
                draft.record(
                    AuditKind::VisitRescheduled,
                    [
                        ("from", from.to_rfc3339()),
                        ("to", at.to_rfc3339()),
                        ("durationMinutes", duration.minutes().to_string()),
                    ],
                );
                if let Some(link) = &patient_link {
                    link.stage(visit, draft)?;
                }
                for link in &guest_links {
                    match link.stage(visit, draft) {
                        // Removed meanwhile: no link for them.
                        Ok(()) | Err(DomainError::GuestNotFound) => {}
                        Err(other) => return Err(other),
                    }
                }
                Ok(())
            })
            .await?;
        // Everyone is told together; the move stands if a channel fails, and each delivery is
        // audited.
        let opens_minutes = core.policy.join_opens_before.num_minutes();
        let mut outgoing: Vec<(Option<GuestId>, OutgoingMessage)> = Vec::new();
        if let Some(link) = &patient_link {
            let messages = compose(&visit, &link.url, opens_minutes, &core.policy.portal_base_url, core.now());
            outgoing.extend(messages.into_iter().map(|message| (None, message)));
        }
        for link in &guest_links {
            // A guest removed meanwhile got no link and is sent nothing.
            let Some(guest) = link.guest().and_then(|id| visit.guest(id)) else { continue };
            let messages = guest_messages(&visit, guest, &link.url, opens_minutes, Occasion::Moved);
            outgoing.extend(messages.into_iter().map(|message| (Some(guest.id.clone()), message)));
        }
        let (whom, messages): (Vec<_>, Vec<_>) = outgoing.into_iter().unzip();
        let deliveries = send_all(self.notifier.as_ref(), messages).await;
        let (_, visit) = core
            .mutate_from(visit, &actor, |_, draft| {
                for (delivery, guest) in deliveries.iter().zip(&whom) {
                    record_delivery(draft, delivery, guest.as_ref().map(|id| ("guestId", id.to_string())));
                }
                Ok(())
            })
            .await?;
        Ok(visit)
    }
}
