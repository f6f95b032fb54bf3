//! A fresh link on request (`POST /join/{code}/resend`), to the contact on file.
//!
//! The request writes the ask; `visit-jobs` sends the link. The caller is told nothing either way
//! (202, one body), so the message need not hold up the answer: the ask is one write after the
//! reads, and the table's stream hands its audit record on, as it does a check-in's.

use super::{JobOutcome, Notifications};
use crate::DomainError;
use crate::model::{Admitted, AuditKind, AuditRecord, AuditSubject, GuestId, LinkCode, Visit};
use crate::ports::JoinRead;
use crate::rules::{JoinWindow, Policy};
use crate::usecases::attempts::{self, source_key, too_many};
use crate::usecases::guests::{Occasion, send_fresh_link};
use crate::usecases::links::Claim;
use chrono::{DateTime, Utc};

impl Notifications {
    /// `POST /join/{code}/resend`: whoever holds a dead link asks for a fresh one. It goes to the
    /// contact on file (never anywhere the request names), at most once per 5 minutes and 3 times
    /// a day per holder (the visit's patient, or a guest: see [`crate::model::LINK_RESEND_GAP`]), and
    /// only for a visit that has not ended. The caller learns nothing: the answer is the same
    /// whatever the code. Every ask counts against the source like a failed join.
    ///
    /// Round trips: the source's count with the code's entry (whose visit, and whose link); the
    /// ask counted beside the visit's read; the ask written with its holder's allowance taken.
    /// [`Notifications::follow_resend`] sends the link.
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
                Ok(visit) => Ok(Some((visit, Admitted::from_guest(guest.as_ref())))),
                // The same answer for a link whose visit is gone.
                Err(DomainError::VisitNotFound) => Ok(None),
                Err(other) => Err(other),
            }
        };
        let (_, holder) = futures::try_join!(counted, holder)?;
        let Some((visit, who)) = holder else { return Ok(()) };
        self.ask(visit, who).await
    }

    /// Writes the ask, with the holder's allowance taken, when a link may go out.
    async fn ask(&self, visit: Visit, who: Admitted) -> Result<(), DomainError> {
        let core = self.links.core();
        let now = core.now();
        if !may_send(&visit, &who, &core.policy, now) || !visit.may_resend(&who, now) {
            return Ok(());
        }
        let asked = core
            .mutate_from(visit, "public:resend", |visit, draft| {
                if !visit.ask_resend(&who, draft.now) {
                    return Err(DomainError::Conflict("a fresh link was asked for too recently".into()));
                }
                draft.record_all(AuditKind::LinkResendAsked, holder_data(&who));
                Ok(())
            })
            .await;
        match asked {
            // Another ask took the allowance first: the same answer.
            Err(DomainError::Conflict(_)) => Ok(()),
            other => other.map(|_| ()),
        }
    }

    /// Follows a `link.resend_asked` record, as the table's stream hands it to `visit-jobs`: the
    /// holder's fresh link is minted, the ask taken in the same write, and sent; each channel is
    /// audited. A record delivered again finds the ask taken and sends nothing, and so does one
    /// whose visit ended, or whose window closed, meanwhile.
    pub async fn follow_resend(&self, record: &AuditRecord) -> Result<JobOutcome, DomainError> {
        let AuditSubject::Visit(visit_id) = &record.subject else { return Ok(JobOutcome::Skipped) };
        if record.kind != AuditKind::LinkResendAsked {
            return Ok(JobOutcome::Skipped);
        }
        let who = match record.data.get("guestId").map(|id| GuestId::parse(id)) {
            None => Admitted::Patient,
            Some(Ok(guest)) => Admitted::Guest(guest),
            Some(Err(_)) => {
                tracing::warn!(seq = record.seq, "a resend's record names no guest id it could have");
                return Ok(JobOutcome::Skipped);
            }
        };
        let core = self.links.core();
        let visit = match core.load(visit_id).await {
            Ok(visit) => visit,
            Err(DomainError::VisitNotFound) => return Ok(JobOutcome::Skipped),
            Err(other) => return Err(other),
        };
        if !visit.resend_asked(&who) || !may_send(&visit, &who, &core.policy, core.now()) {
            return Ok(JobOutcome::Skipped);
        }
        const ACTOR: &str = "system:resend";
        let sent = match &who {
            Admitted::Patient => self.deliver(visit, ACTOR, None, Some(Claim::Resend)).await.map(|_| ()),
            Admitted::Guest(guest) => {
                let notifier = self.notifier.as_ref();
                send_fresh_link(&self.links, notifier, visit, guest, ACTOR, Occasion::Resent).await.map(|_| ())
            }
        };
        match sent {
            Ok(()) => Ok(JobOutcome::Done),
            // Taken by a delivery of the same record, or the visit ended, meanwhile.
            Err(DomainError::Conflict(_)) => Ok(JobOutcome::Skipped),
            Err(other) => Err(other),
        }
    }
}

/// Whether a link for `who` can go out now: the visit open to join, and a contact to send to.
fn may_send(visit: &Visit, who: &Admitted, policy: &Policy, now: DateTime<Utc>) -> bool {
    let reachable = match who {
        Admitted::Patient => visit.patient_contact().is_some(),
        Admitted::Guest(guest) => visit.guest(guest).is_some(),
    };
    !visit.status().is_final() && now < JoinWindow::of(visit, policy).closes_at && reachable
}

/// Whose link the ask is for: a guest's id, or nothing for the patient.
fn holder_data(who: &Admitted) -> Vec<(&'static str, String)> {
    who.guest().map(|guest| ("guestId", guest.to_string())).into_iter().collect()
}
