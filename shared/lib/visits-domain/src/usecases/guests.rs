//! Guests: a caregiver or interpreter invited to a visit by its clinician (or an admin). A guest
//! gets a one-time link of their own, sent to them; removing them revokes it, their join token
//! and their seat in the meeting.

use std::sync::Arc;

use super::core::Keyed;
use super::idempotency;
use super::links::{Claim, Links};
use super::notify::{Delivery, record_delivery, send_all};
use super::seats::{guest_fields, remove_seats};
use crate::DomainError;
use crate::model::{Admitted, AuditKind, Caller, Guest, GuestId, NewGuest, Visit, VisitId};
use crate::ports::{IdempotencyRecord, Notifier, OutgoingMessage, SeatRemover};
use crate::rules::may_manage;

/// A guest as added, and how sending them their link went.
pub struct AddedGuest {
    pub guest: Guest,
    pub deliveries: Vec<Delivery>,
}

pub struct Guests {
    links: Arc<Links>,
    notifier: Arc<dyn Notifier>,
    /// Where a removed guest's seat is taken away.
    seats: Arc<dyn SeatRemover>,
}

impl Guests {
    pub fn new(links: Arc<Links>, notifier: Arc<dyn Notifier>, seats: Arc<dyn SeatRemover>) -> Self {
        Self { links, notifier, seats }
    }

    /// `POST /visits/{visitId}/guests`: the guest and their first link are one write; the link is
    /// then sent to them. A channel that fails is reported (and audited) without undoing the
    /// guest: removing and adding them again sends a new link. With an idempotency key, a retry of
    /// the same request answers the guest the first one added (and sends nothing); the same key
    /// with another request is refused.
    pub async fn add(
        &self,
        caller: &Caller,
        visit_id: &VisitId,
        invited: NewGuest,
        idempotency_key: Option<&str>,
    ) -> Result<AddedGuest, DomainError> {
        let core = self.links.core();
        let guest = Guest::new(core.ids.guest_id(), invited.clone(), core.now());
        let record = idempotency_key.map(|key| {
            // Scoped to the caller and the visit: the same key elsewhere is another request.
            let key = format!("{}:{visit_id}/guests:{key}", caller.id);
            idempotency::record(core, key, &invited, visit_id.clone(), Some(guest.id.clone()))
        });
        let (visit, earlier) = futures::try_join!(core.load(visit_id), self.earlier(record.as_ref()))?;
        may_manage(caller, &visit)?;
        if let Some(guest_id) = earlier {
            return replayed(&visit, &guest_id);
        }
        visit.clone().add_guest(guest.clone(), core.now())?;
        let prepared = self.links.prepare(&visit, &Admitted::Guest(guest.id.clone()))?;
        let added = core
            .mutate_keyed(visit, &caller.actor(), record.clone(), |visit, draft| {
                visit.add_guest(guest.clone(), draft.now)?;
                draft.record(AuditKind::GuestAdded, guest_fields(&guest));
                prepared.stage(visit, draft)
            })
            .await;
        let visit = match added {
            Ok((_, visit)) => visit,
            Err(Keyed::Domain(error)) => return Err(error),
            // A request with the same key got there first: answer as its replay.
            Err(Keyed::KeyTaken) => {
                let earlier = self.earlier(record.as_ref()).await?;
                let guest_id = earlier.ok_or_else(|| DomainError::Internal("a taken key was not found".into()))?;
                return replayed(&core.load(visit_id).await?, &guest_id);
            }
        };
        let actor = caller.actor();
        let notifier = self.notifier.as_ref();
        let (deliveries, _) =
            deliver_invitation(&self.links, notifier, visit, &guest, &prepared.url, &actor, Occasion::Invited).await?;
        Ok(AddedGuest { guest, deliveries })
    }

    /// The guest an earlier request with this key added; 422 if that request was another.
    async fn earlier(&self, record: Option<&IdempotencyRecord>) -> Result<Option<GuestId>, DomainError> {
        let stored = idempotency::earlier(self.links.core(), record, "guest").await?;
        Ok(stored.and_then(|stored| stored.guest_id))
    }

    /// `DELETE /visits/{visitId}/guests/{guestId}`: the guest's seat leaves the room first, so a
    /// provider failure leaves the guest as they were; then the guest, their link and their
    /// admission go in one write.
    pub async fn remove(&self, caller: &Caller, visit_id: &VisitId, raw_guest_id: &str) -> Result<(), DomainError> {
        let core = self.links.core();
        let guest_id = GuestId::parse(raw_guest_id).map_err(|_| DomainError::GuestNotFound)?;
        let visit = core.load(visit_id).await?;
        may_manage(caller, &visit)?;
        let guest = visit.guest(&guest_id).cloned().ok_or(DomainError::GuestNotFound)?;
        visit.clone().remove_guest(&guest_id, core.now())?;
        let unseated: Vec<String> = guest.seats().cloned().collect();
        self.unseat(&visit, &unseated).await?;
        let (removed, visit) = core
            .mutate_from(visit, &caller.actor(), |visit, draft| {
                let removed = visit.remove_guest(&guest_id, draft.now)?;
                draft.record(AuditKind::GuestRemoved, guest_fields(&removed));
                if removed.seats().next().is_some() {
                    draft.record(AuditKind::ParticipantRemoved, guest_fields(&removed));
                }
                Ok(removed)
            })
            .await?;
        // A seat the guest took while this request ran goes too; should the provider fail now,
        // it stays until the room closes, but no token can use it again.
        let late: Vec<String> = removed.seats().filter(|seat| !unseated.contains(seat)).cloned().collect();
        if let Err(error) = self.unseat(&visit, &late).await {
            tracing::warn!(error = %error, "a removed guest's late seat stays until the room closes");
        }
        Ok(())
    }

    async fn unseat(&self, visit: &Visit, seats: &[String]) -> Result<(), DomainError> {
        match &visit.room() {
            Some(room) => remove_seats(self.seats.as_ref(), room, seats).await,
            None => Ok(()),
        }
    }
}

/// A retry's answer: the guest the first request added, nothing sent again. 409 if they have
/// been removed since.
fn replayed(visit: &Visit, guest_id: &GuestId) -> Result<AddedGuest, DomainError> {
    let guest = visit.guest(guest_id).cloned();
    let guest = guest.ok_or_else(|| DomainError::Conflict("the guest this key added has been removed".into()))?;
    Ok(AddedGuest { guest, deliveries: Vec::new() })
}

/// Why a guest is sent a link: what its message opens with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Occasion {
    Invited,
    /// The visit moved: the guest's link named the old time, and the move revoked it.
    Moved,
    /// A reminder, as the patient's goes out.
    Reminder,
    /// The guest asked for a fresh link.
    Resent,
}

/// Each of the visit's guests is sent a fresh link, guest by guest; a channel that fails is
/// reported and audited.
pub(crate) async fn send_guests_fresh_links(
    links: &Links,
    notifier: &dyn Notifier,
    mut visit: Visit,
    actor: &str,
    occasion: Occasion,
) -> Result<Visit, DomainError> {
    for guest in visit.guests().to_vec() {
        visit = send_fresh_link(links, notifier, visit, &guest.id, actor, occasion).await?;
    }
    Ok(visit)
}

/// Mints a fresh link for the guest `guest_id` (their earlier one stops working) and sends it to
/// them. A guest removed meanwhile is sent nothing.
pub(crate) async fn send_fresh_link(
    links: &Links,
    notifier: &dyn Notifier,
    visit: Visit,
    guest_id: &GuestId,
    actor: &str,
    occasion: Occasion,
) -> Result<Visit, DomainError> {
    let Some(guest) = visit.guest(guest_id).cloned() else { return Ok(visit) };
    let visit_id = visit.id().clone();
    let prepared = links.prepare(&visit, &Admitted::Guest(guest.id.clone()))?;
    // A link asked for counts against the guest's allowance in the link's own write.
    let claim = (occasion == Occasion::Resent).then_some(Claim::Resend);
    match links.store_for(visit, actor, claim, prepared).await {
        Ok((prepared, staged)) => {
            Ok(deliver_invitation(links, notifier, staged, &guest, &prepared.url, actor, occasion).await?.1)
        }
        Err(DomainError::GuestNotFound) => links.core().load(&visit_id).await,
        Err(other) => Err(other),
    }
}

/// Sends a guest their link and audits each channel's outcome (by the guest's id).
async fn deliver_invitation(
    links: &Links,
    notifier: &dyn Notifier,
    visit: Visit,
    guest: &Guest,
    url: &str,
    actor: &str,
    occasion: Occasion,
) -> Result<(Vec<Delivery>, Visit), DomainError> {
    let core = links.core();
    let opens_minutes = core.policy.join_opens_before.num_minutes();
    let deliveries = send_all(notifier, guest_messages(&visit, guest, url, opens_minutes, occasion)).await;
    let (_, visit) = core
        .mutate_from(visit, actor, |_, draft| {
            for delivery in &deliveries {
                record_delivery(draft, delivery, Some(("guestId", guest.id.to_string())));
            }
            Ok(())
        })
        .await?;
    Ok((deliveries, visit))
}

/// A guest's messages: when (in the visit's zone) and where to join. No names, no patient, no
/// clinician, no reason for the visit; no calendar (its page is the patient's portal).
pub(crate) fn guest_messages(
    visit: &Visit,
    guest: &Guest,
    url: &str,
    opens_minutes: i64,
    occasion: Occasion,
) -> Vec<OutgoingMessage> {
    let when = visit.time_zone().local(visit.scheduled_at());
    let lead = match occasion {
        Occasion::Invited | Occasion::Resent => format!("You are invited to join a video visit at {when}."),
        Occasion::Moved => format!("The video visit you are invited to has moved to {when}."),
        Occasion::Reminder => format!("Reminder: the video visit you are invited to is at {when}."),
    };
    let mut messages = Vec::new();
    if let Some(phone) = &guest.contact.phone {
        messages.push(OutgoingMessage::Sms { to: phone.clone(), body: format!("{lead} Join: {url} (single use)") });
    }
    if let Some(email) = &guest.contact.email {
        messages.push(OutgoingMessage::Email {
            to: email.clone(),
            subject: "Your video visit link".into(),
            body: format!(
                "{lead}\n\nJoin it here: {url}\n\nThe link works once, from {opens_minutes} minutes before the visit."
            ),
            calendar: None,
        });
    }
    messages
}
