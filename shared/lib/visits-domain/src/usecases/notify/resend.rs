//! A fresh link on request (`POST /join/{code}/resend`), to the contact on file.

use super::Notifications;
use crate::DomainError;
use crate::model::{Admitted, GuestId, LinkCode, Visit};
use crate::ports::JoinRead;
use crate::rules::JoinWindow;
use crate::usecases::attempts::{self, source_key, too_many};
use crate::usecases::guests::{Occasion, send_fresh_link};
use crate::usecases::links::Claim;

impl Notifications {
    /// `POST /join/{code}/resend`: whoever holds a dead link asks for a fresh one. It goes to the
    /// contact on file (never anywhere the request names), at most once per 5 minutes and 3 times
    /// a day per holder (the visit's patient, or a guest: see [`crate::model::LINK_RESEND_GAP`]), and
    /// only for a visit that has not ended. The caller learns nothing: the answer is the same
    /// whatever the code. Every ask counts against the source like a failed join.
    ///
    /// Round trips: the source's count with the code's entry (whose visit, and whose link); the
    /// ask counted beside the visit's read; the new link written with its holder's allowance
    /// taken; sent; audited.
    pub async fn resend_link(&self, raw_code: &str, source_ip: &str) -> Result<(), DomainError> {
        let core = self.links.core();
        let now = core.now();
        let code = LinkCode::parse(raw_code);
        let read = JoinRead {
            failure_keys: vec![source_key(source_ip)],
            code: code.as_ref().map(LinkCode::digest),
            ..JoinRead::default()
        };
        let facts = core.store.join_read(&read, now).await?;
        let seen = facts.failure(0, now);
        too_many(seen, core.policy.max_failures_per_ip, now)?;
        let counted = attempts::count_failure(core, source_ip, seen, now);
        let Some(entry) = facts.code else { return counted.await };
        // Beside the count: the visit (and whose link it was), named by the code's entry.
        let holder = async {
            let (visit_id, guest) = match (&entry.visit_id, &entry.admission) {
                (Some(visit_id), Some(admission)) => (visit_id.clone(), admission.guest.clone()),
                // Codes kept before their entry named these: the link does.
                _ => match core.store.link_by_id(&entry.link_id).await? {
                    Some(link) => (link.visit_id, link.guest),
                    None => return Ok(None),
                },
            };
            match core.load(&visit_id).await {
                Ok(visit) => Ok(Some((visit, guest))),
                // The same answer for a link whose visit is gone.
                Err(DomainError::VisitNotFound) => Ok(None),
                Err(other) => Err(other),
            }
        };
        let (_, holder) = futures::try_join!(counted, holder)?;
        let Some((visit, guest)) = holder else { return Ok(()) };
        self.resend_to(visit, guest).await
    }

    async fn resend_to(&self, visit: Visit, guest: Option<GuestId>) -> Result<(), DomainError> {
        let core = self.links.core();
        let now = core.now();
        let who = guest.clone().map_or(Admitted::Patient, Admitted::Guest);
        let window = JoinWindow::of(&visit, &core.policy);
        let reachable = match &guest {
            None => visit.patient_contact().is_some(),
            Some(guest) => visit.guest(guest).is_some(),
        };
        if visit.status().is_final() || now >= window.closes_at || !reachable || !visit.may_resend(&who, now) {
            return Ok(());
        }
        let sent = match &guest {
            None => self.deliver(visit, "public:resend", None, Some(Claim::Resend)).await.map(|_| ()),
            Some(guest) => {
                let notifier = self.notifier.as_ref();
                send_fresh_link(&self.links, notifier, visit, guest, "public:resend", Occasion::Resent)
                    .await
                    .map(|_| ())
            }
        };
        match sent {
            // Another ask took the allowance first: the same answer.
            Err(DomainError::Conflict(_)) => Ok(()),
            other => other,
        }
    }
}
