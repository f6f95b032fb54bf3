//! Sending a fresh join link by SMS and email. Messages carry the link and the visit time only.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

mod jobs;
mod reschedule;
mod resend;

use super::core::Draft;
use super::links::{Claim, Links};
use crate::DomainError;
use crate::model::{AuditKind, Caller, Channel, DeliveryStatus, Visit, VisitId};
use crate::ports::{Notifier, OutgoingMessage};
use crate::rules::may_manage;

/// How one channel went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub channel: Channel,
    pub status: DeliveryStatus,
    pub message_id: Option<String>,
}

/// What running a visit's job did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    Done,
    /// Already done, no longer relevant (moved, ended, checked in), or nobody to send to.
    Skipped,
    /// Not due yet.
    NotYet,
}

pub struct Notifications {
    links: Arc<Links>,
    notifier: Arc<dyn Notifier>,
}

impl Notifications {
    pub fn new(links: Arc<Links>, notifier: Arc<dyn Notifier>) -> Self {
        Self { links, notifier }
    }

    /// Mints a fresh link and sends it on each channel (default: every contact the visit has).
    /// A failed channel is reported, and audited, without failing the others.
    pub async fn notify(
        &self,
        caller: &Caller,
        visit_id: &VisitId,
        channels: Option<Vec<Channel>>,
    ) -> Result<Vec<Delivery>, DomainError> {
        let core = self.links.core();
        let visit = core.load(visit_id).await?;
        may_manage(caller, &visit)?;
        self.deliver(visit, &caller.actor(), channels, None).await.map(|(deliveries, _)| deliveries)
    }

    /// Mints a fresh link for `visit` (its manager checked, or the claim stands for that) and sends it.
    async fn deliver(
        &self,
        visit: Visit,
        actor: &str,
        channels: Option<Vec<Channel>>,
        claim: Option<Claim>,
    ) -> Result<(Vec<Delivery>, Visit), DomainError> {
        let core = self.links.core();
        let opens_minutes = core.policy.join_opens_before.num_minutes();
        let (portal, now) = (core.policy.portal_base_url.clone(), core.now());
        let available: Vec<Channel> =
            Channel::ALL.into_iter().filter(|channel| contact_for(&visit, *channel).is_some()).collect();
        let channels = match channels {
            None if available.is_empty() => {
                return Err(DomainError::rule("patientContact", "the visit has no phone number or email to send to"));
            }
            None => available,
            Some(requested) if requested.is_empty() => {
                return Err(DomainError::rule("channels", "must name at least one channel"));
            }
            Some(requested) => {
                if let Some(missing) = requested.iter().find(|c| !available.contains(c)) {
                    return Err(DomainError::rule(
                        "channels",
                        format!("the visit has no contact for {}", missing.as_str()),
                    ));
                }
                requested
            }
        };
        let (link, stored) = self.links.mint_for(visit.clone(), actor, claim).await?;
        let messages = compose(&visit, &link.url, opens_minutes, &portal, now);
        let outgoing = messages.into_iter().filter(|m| channels.contains(&m.channel())).collect();
        let deliveries = send_all(self.notifier.as_ref(), outgoing).await;
        let (_, visit) = core
            .mutate_from(stored, actor, |_, draft| {
                for delivery in &deliveries {
                    record_delivery(draft, delivery, None);
                }
                Ok(())
            })
            .await?;
        Ok((deliveries, visit))
    }
}

/// Sends each message (the channels are independent: together), each reported on its own.
pub(crate) async fn send_all(notifier: &dyn Notifier, messages: Vec<OutgoingMessage>) -> Vec<Delivery> {
    let sends = messages.into_iter().map(|message| async move {
        let channel = message.channel();
        let outcome = notifier.send(&message).await;
        if let Err(error) = &outcome {
            tracing::warn!(channel = channel.as_str(), error = %error, "notification failed");
        }
        Delivery {
            channel,
            status: if outcome.is_ok() { DeliveryStatus::Sent } else { DeliveryStatus::Failed },
            message_id: outcome.ok(),
        }
    });
    futures::future::join_all(sends).await
}

/// Audits how a delivery went: its channel, and whom it went to when not the patient (a guest's
/// id, or the clinician).
pub(crate) fn record_delivery(draft: &mut Draft, delivery: &Delivery, to: Option<(&str, String)>) {
    let kind = match delivery.status {
        DeliveryStatus::Sent => AuditKind::NotificationSent,
        DeliveryStatus::Failed => AuditKind::NotificationFailed,
    };
    let mut data = vec![("channel", delivery.channel.as_str().to_owned())];
    data.extend(to);
    draft.record_all(kind, data);
}

fn contact_for(visit: &Visit, channel: Channel) -> Option<()> {
    let contact = visit.patient_contact()?;
    match channel {
        Channel::Sms => contact.phone.as_ref().map(|_| ()),
        Channel::Email => contact.email.as_ref().map(|_| ()),
    }
}

/// The messages for a visit: when (in the visit's zone) and where to join, and for email a
/// calendar invitation to the portal's page. No names, no clinician, no reason for the visit.
fn compose(
    visit: &Visit,
    url: &str,
    opens_minutes: i64,
    portal_base_url: &str,
    now: DateTime<Utc>,
) -> Vec<OutgoingMessage> {
    let when = visit.time_zone().local(visit.scheduled_at());
    let Some(contact) = &visit.patient_contact() else { return Vec::new() };
    let mut messages = Vec::new();
    if let Some(phone) = &contact.phone {
        messages.push(OutgoingMessage::Sms {
            to: phone.clone(),
            body: format!("Your video visit is at {when}. Join: {} (single use)", url),
        });
    }
    if let Some(email) = &contact.email {
        messages.push(OutgoingMessage::Email {
            to: email.clone(),
            subject: "Your video visit link".into(),
            body: format!(
                "Your video visit is at {when}.\n\nJoin it here: {}\n\nThe link works once, from {opens_minutes} minutes before the visit.",
                url
            ),
            calendar: Some(crate::model::calendar::invitation(visit, portal_base_url, now)),
        });
    }
    messages
}
