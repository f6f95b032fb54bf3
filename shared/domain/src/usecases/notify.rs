//! Sending a fresh join link by SMS and email. Messages carry the link and the visit time only.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::attempts;
use super::core::store_error;
use super::guests::{Occasion, guest_messages, send_fresh_link, send_guests_fresh_links};
use super::links::{Links, MintedLink};
use crate::DomainError;
use crate::model::{
    Admitted, AuditKind, Caller, Channel, DeliveryStatus, DurationMinutes, GuestId, LinkCode, Visit, VisitId, VisitJob,
    VisitStatus,
};
use crate::ports::{Notifier, OutgoingMessage};
use crate::rules::JoinWindow;
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

/// A fresh link on request: at most one per visit in this long, and this many a day.
const RESEND_GAP: Duration = Duration::minutes(5);
const RESENDS_PER_DAY: u32 = 3;

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
        let (from, duration) = (visit.scheduled_at, duration.unwrap_or(visit.duration));
        // The new links (the patient's, each guest's) are signed for the new time before anything
        // is written, and go in the move's own write: a signer failure leaves the visit where it
        // was, and a moved visit always has its links.
        let mut moved = visit.clone();
        moved.reschedule(at, duration, now)?;
        let patient_link = async {
            match moved.patient_contact {
                Some(_) => self.links.prepare(&moved, &Admitted::Patient).await.map(Some),
                None => Ok(None),
            }
        };
        let guests: Vec<Admitted> = moved.guests.iter().map(|guest| Admitted::Guest(guest.id.clone())).collect();
        let guest_links = futures::future::try_join_all(guests.iter().map(|guest| self.links.prepare(&moved, guest)));
        let (patient_link, guest_links) = futures::try_join!(patient_link, guest_links)?;
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
                    let mut data = vec![("channel", delivery.channel.as_str().to_owned())];
                    data.extend(guest.as_ref().map(|id| ("guestId", id.to_string())));
                    draft.record_all(delivery_kind(delivery), data);
                }
                Ok(())
            })
            .await?;
        Ok(visit)
    }

    /// `POST /join/{code}/resend`: whoever holds a dead link asks for a fresh one. It goes to the
    /// contact on file (never anywhere the request names), at most once per 5 minutes and 3 times
    /// a day per visit, and only for a visit that has not ended. The caller learns nothing: the
    /// answer is the same whatever the code. Every ask counts against the source like a failed join.
    pub async fn resend_link(&self, raw_code: &str, source_ip: &str) -> Result<(), DomainError> {
        let core = self.links.core();
        let now = core.now();
        let code = LinkCode::parse(raw_code);
        // Independent: the source's count and the code's link.
        let lookup = async {
            match &code {
                Some(code) => core.store.link_by_code(&code.digest()).await.map_err(store_error),
                None => Ok(None),
            }
        };
        let (seen, link) = futures::try_join!(attempts::guard(core, source_ip, now), lookup)?;
        let Some(link) = link else { return attempts::count_failure(core, source_ip, seen, now).await };
        // Independent again: counting the ask, the visit, and its resend counters. A guest's
        // link is the guest's: their own counters, a fresh link to their own contact.
        let holder =
            link.guest.as_ref().map_or_else(|| link.visit_id.to_string(), |g| format!("{}#{g}", link.visit_id));
        let (gap_key, day_key) = (format!("resend-gap#{holder}"), format!("resend-day#{holder}"));
        let counters = async {
            futures::try_join!(core.store.failures(&gap_key, now), core.store.failures(&day_key, now))
                .map_err(store_error)
        };
        let visit = async {
            match core.load(&link.visit_id).await {
                Err(DomainError::VisitNotFound) => Ok(None),
                other => other.map(Some),
            }
        };
        let (_, visit, (gap, day)) =
            futures::try_join!(attempts::count_failure(core, source_ip, seen, now), visit, counters)?;
        // The same answer for a link whose visit is gone.
        let Some(visit) = visit else { return Ok(()) };
        let window = JoinWindow::of(&visit, &core.policy);
        let reachable = match &link.guest {
            None => visit.patient_contact.is_some(),
            Some(guest) => visit.guest(guest).is_some(),
        };
        if visit.status.is_final() || now >= window.closes_at || !reachable {
            return Ok(());
        }
        if gap.count >= 1 || day.count >= RESENDS_PER_DAY {
            return Ok(());
        }
        futures::try_join!(
            core.store.record_failure(&gap_key, now, RESEND_GAP, gap),
            core.store.record_failure(&day_key, now, Duration::days(1), day),
        )
        .map_err(store_error)?;
        match &link.guest {
            None => self.deliver(visit, "public:resend", None, None).await.map(|_| ()),
            Some(guest) => {
                let notifier = self.notifier.as_ref();
                send_fresh_link(&self.links, notifier, visit, guest, "public:resend", Occasion::Resent)
                    .await
                    .map(|_| ())
            }
        }
    }

    /// Runs one of a visit's jobs, planned for the visit at `planned_for` (`None`: whatever its
    /// time now). Late, repeated, or for a visit that moved, ended or was cancelled meanwhile, it
    /// does nothing; a reminder or nudge sends once, with a fresh link.
    pub async fn run_job(
        &self,
        visit_id: &VisitId,
        job: VisitJob,
        planned_for: Option<DateTime<Utc>>,
    ) -> Result<JobOutcome, DomainError> {
        let core = self.links.core();
        let visit = core.load(visit_id).await?;
        let now = core.now();
        let window = JoinWindow::of(&visit, &core.policy);
        if visit.status.is_final()
            || visit.jobs_done.contains(&job)
            || planned_for.is_some_and(|at| at != visit.scheduled_at)
        {
            return Ok(JobOutcome::Skipped);
        }
        if now < job.due(visit.scheduled_at, window.closes_at) {
            return Ok(JobOutcome::NotYet);
        }
        let checked_in = visit.patient_checked_in_at.is_some();
        match job {
            VisitJob::NoShowCheck => {
                let outcome = core
                    .mutate_from(visit, "system:jobs", |visit, draft| {
                        if visit.jobs_done.contains(&job) || visit.status.is_final() {
                            return Ok(JobOutcome::Skipped);
                        }
                        visit.jobs_done.push(job);
                        if visit.status != VisitStatus::Scheduled || visit.patient_checked_in_at.is_some() {
                            return Ok(JobOutcome::Skipped);
                        }
                        visit.mark_no_show(draft.now);
                        draft.record(AuditKind::VisitNoShow, []);
                        Ok(JobOutcome::Done)
                    })
                    .await?;
                Ok(outcome.0)
            }
            VisitJob::NoShowNudge if checked_in || visit.status != VisitStatus::Scheduled => Ok(JobOutcome::Skipped),
            // The nudge is the patient's alone; a reminder goes to the guests too.
            VisitJob::NoShowNudge if visit.patient_contact.is_none() => Ok(JobOutcome::Skipped),
            _ if visit.patient_contact.is_none() && visit.guests.is_empty() => Ok(JobOutcome::Skipped),
            _ => {
                let claimed = match visit.patient_contact {
                    Some(_) => self.deliver(visit, "system:jobs", None, Some(job)).await.map(|(_, visit)| visit),
                    None => claim_job(core, visit, job).await,
                };
                let visit = match claimed {
                    Ok(visit) => visit,
                    // Another firing of the same job got there first.
                    Err(DomainError::Conflict(_)) => return Ok(JobOutcome::Skipped),
                    Err(other) => return Err(other),
                };
                if job != VisitJob::NoShowNudge {
                    let notifier = self.notifier.as_ref();
                    send_guests_fresh_links(&self.links, notifier, visit, "system:jobs", Occasion::Reminder).await?;
                }
                Ok(JobOutcome::Done)
            }
        }
    }

    /// Mints a fresh link for `visit` (its manager checked, or `job` claimed) and sends it.
    async fn deliver(
        &self,
        visit: Visit,
        actor: &str,
        channels: Option<Vec<Channel>>,
        job: Option<VisitJob>,
    ) -> Result<(Vec<Delivery>, Visit), DomainError> {
        let core = self.links.core();
        let opens_minutes = core.policy.join_opens_before.num_minutes();
        let (portal, now) = (core.policy.portal_base_url.clone(), core.now());
        let messages = |link: &MintedLink| compose(&visit, &link.url, opens_minutes, &portal, now);
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
        let link = self.links.mint_for(visit.clone(), actor, job).await?;
        let outgoing = messages(&link).into_iter().filter(|m| channels.contains(&m.channel())).collect();
        let deliveries = send_all(self.notifier.as_ref(), outgoing).await;
        let (_, visit) = core
            .mutate_from(link.visit, actor, |_, draft| {
                for delivery in &deliveries {
                    draft.record(delivery_kind(delivery), [("channel", delivery.channel.as_str().to_owned())]);
                }
                Ok(())
            })
            .await?;
        Ok((deliveries, visit))
    }
}

/// Claims `job` for a visit whose patient has no contact (its guests are reminded): the claim
/// that the patient's link write makes otherwise, so a second firing sends nothing.
async fn claim_job(core: &super::core::Core, visit: Visit, job: VisitJob) -> Result<Visit, DomainError> {
    let (_, visit) = core
        .mutate_from(visit, "system:jobs", |visit, draft| {
            if visit.jobs_done.contains(&job) {
                return Err(DomainError::Conflict(format!("{} already ran", job.as_str())));
            }
            visit.jobs_done.push(job);
            draft.record(AuditKind::JobRan, [("job", job.as_str().to_owned())]);
            Ok(())
        })
        .await?;
    Ok(visit)
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

/// The audit kind of a delivery.
pub(crate) fn delivery_kind(delivery: &Delivery) -> AuditKind {
    match delivery.status {
        DeliveryStatus::Sent => AuditKind::NotificationSent,
        DeliveryStatus::Failed => AuditKind::NotificationFailed,
    }
}

fn contact_for(visit: &Visit, channel: Channel) -> Option<()> {
    let contact = visit.patient_contact.as_ref()?;
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
    let when = visit.time_zone.local(visit.scheduled_at);
    let Some(contact) = &visit.patient_contact else { return Vec::new() };
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
