//! Telling the applicant of a review's outcome by email, from the table's stream: the review
//! answers once its move is written, and the email follows the move it tells of, never the other
//! way round. Its outcome lands on the application's chain.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::save;
use crate::DomainError;
use crate::model::{Application, ApplicationStatus, AuditKind, AuditRecord, AuditSubject};
use crate::ports::{ApplicationStore, Notifier, OutgoingMessage};
use crate::usecases::core::Core;

pub struct ApplicantNotices {
    core: Core,
    store: Arc<dyn ApplicationStore>,
    notifier: Arc<dyn Notifier>,
}

impl ApplicantNotices {
    pub fn new(core: Core, store: Arc<dyn ApplicationStore>, notifier: Arc<dyn Notifier>) -> Self {
        Self { core, store, notifier }
    }

    /// Follows an `application.status_changed` record: a move that asks something of the
    /// applicant (approved, rejected, needs info) is emailed, once. A record the chain has moved
    /// past (its email audited, or a later move) is not told again, so a stream's redelivery
    /// sends nothing. Answers whether an email was tried.
    pub async fn follow(&self, record: &AuditRecord) -> Result<bool, DomainError> {
        let AuditSubject::Application(id) = &record.subject else { return Ok(false) };
        if record.kind != AuditKind::ApplicationStatusChanged {
            return Ok(false);
        }
        // A move that tells the applicant nothing (under review) reads nothing.
        let to = record.data.get("to").and_then(|to| ApplicationStatus::ALL.into_iter().find(|s| s.as_str() == to));
        if to.and_then(email_body).is_none() {
            return Ok(false);
        }
        let (application, trail) = futures::try_join!(self.store.application(id), self.store.application_trail(id))?;
        let Some(application) = application else { return Ok(false) };
        let moved_on = trail.iter().any(|later| {
            later.seq > record.seq
                && matches!(
                    later.kind,
                    AuditKind::ApplicationStatusChanged | AuditKind::NotificationSent | AuditKind::NotificationFailed
                )
        });
        if moved_on {
            return Ok(false);
        }
        let Some(sent) = self.tell(&application).await else { return Ok(false) };
        self.record_delivery(application, &record.actor, sent).await?;
        Ok(true)
    }

    /// The outcome by email, without the review's notes (the applicant reads them signed in):
    /// whether it went, or `None` for a status that tells the applicant nothing. The move stands
    /// if the email fails; the failure is audited, and the applicant can read the status.
    async fn tell(&self, application: &Application) -> Option<bool> {
        let body = email_body(application.status)?;
        let message = OutgoingMessage::Email {
            to: application.applicant.email.clone(),
            subject: "Your clinician application".into(),
            body: body.into(),
            calendar: None,
        };
        match self.notifier.send(&message).await {
            Ok(_) => Some(true),
            Err(error) => {
                tracing::warn!(error = %error, status = %application.status, "the applicant was not emailed");
                Some(false)
            }
        }
    }

    /// Audits the email's outcome on the application's chain, over whatever version it is at now
    /// (another review may have moved it since), as the reviewer's doing.
    async fn record_delivery(&self, mut application: Application, actor: &str, sent: bool) -> Result<(), DomainError> {
        let kind = if sent { AuditKind::NotificationSent } else { AuditKind::NotificationFailed };
        for _ in 0..3 {
            let version = application.version;
            let event = (kind, BTreeMap::from([("channel".to_owned(), "email".to_owned())]));
            let saved = save(self.store.as_ref(), &mut application, Some(version), actor, vec![event], self.core.now());
            match saved.await {
                Err(DomainError::Conflict(_)) => match self.store.application(&application.id).await? {
                    Some(fresh) => application = fresh,
                    None => return Ok(()),
                },
                other => return other,
            }
        }
        Err(DomainError::Unavailable { dependency: "store", retry_after_seconds: 1 })
    }
}

/// What the applicant is told of a move, by email; `None` for a status that asks nothing of them.
fn email_body(status: ApplicationStatus) -> Option<&'static str> {
    match status {
        ApplicationStatus::Approved => {
            Some("Your application was approved. Sign in to the clinician desk with this email address.")
        }
        ApplicationStatus::Rejected => {
            Some("Your application was not approved. Sign in to your application to read why.")
        }
        ApplicationStatus::NeedsInfo => {
            Some("Your application needs more information. Sign in to your application to read what.")
        }
        _ => None,
    }
}
