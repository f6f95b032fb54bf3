//! The review: who may read an application, the admin's list, and the status moves. Approval
//! makes the clinician (safe to retry: the directory finds a user made before).

use std::collections::BTreeMap;

use super::Applications;
use crate::DomainError;
use crate::model::{Application, ApplicationId, ApplicationStatus, AuditKind, Caller, ReviewRefused, ReviewText, Role};
use crate::ports::{ApplicationPage, ApplicationQuery, OutgoingMessage};

/// Who asks to read an application.
pub enum ApplicationReader<'a> {
    /// The applicant, with the token their verification returned.
    Applicant { token: &'a str },
    /// A signed-in user: only admins may.
    Staff(&'a Caller),
}

/// An admin's move, over the version they read.
#[derive(Debug, Clone)]
pub struct StatusMove {
    pub to: ApplicationStatus,
    pub note: Option<ReviewText>,
    pub expected_version: u64,
}

impl Applications {
    pub async fn read(&self, reader: ApplicationReader<'_>, raw_id: &str) -> Result<Application, DomainError> {
        let id = ApplicationId::parse(raw_id).map_err(|_| DomainError::ApplicationNotFound)?;
        match reader {
            ApplicationReader::Applicant { token } => {
                let named = self.tokens.verify_applicant(token, self.core.now()).await?;
                // Another application's token says nothing about this one.
                if named.map_err(|_| DomainError::Unauthenticated)? != id {
                    return Err(DomainError::ApplicationNotFound);
                }
            }
            ApplicationReader::Staff(caller) => admin_only(caller)?,
        }
        self.load(&id).await
    }

    pub async fn list(&self, caller: &Caller, query: ApplicationQuery) -> Result<ApplicationPage, DomainError> {
        admin_only(caller)?;
        self.store.applications(&query).await.map_err(DomainError::from)
    }

    /// Moves the application as the contract allows; approval creates the clinician and every
    /// move that asks something of the applicant (approved, rejected, needs info) emails them.
    pub async fn review(&self, caller: &Caller, raw_id: &str, change: StatusMove) -> Result<Application, DomainError> {
        admin_only(caller)?;
        let id = ApplicationId::parse(raw_id).map_err(|_| DomainError::ApplicationNotFound)?;
        let mut application = self.load(&id).await?;
        let now = self.core.now();
        let from = application.status;
        let read_version = application.version;
        application.review(change.to, change.expected_version, &caller.actor(), change.note, now).map_err(
            |refused| match refused {
                ReviewRefused::NotAllowed { from } => {
                    DomainError::Conflict(format!("an application that is {from} cannot become {}", change.to))
                }
                ReviewRefused::StaleVersion { current } => DomainError::Conflict(format!(
                    "expectedVersion is stale: the application is at version {current}; read it again"
                )),
                ReviewRefused::DocumentsNotClean => DomainError::rule("status", "a document is not scanned clean yet"),
            },
        )?;
        let moved = BTreeMap::from([("from".to_owned(), from.to_string()), ("to".to_owned(), change.to.to_string())]);
        let mut events = vec![(AuditKind::ApplicationStatusChanged, moved)];
        if change.to == ApplicationStatus::Approved {
            // Named by the application: a retried approval finds the user the first one made.
            let clinician = self.directory.create_clinician(application.id.as_str(), &application.applicant).await?;
            application.clinician_id = Some(clinician.clone());
            events.push((
                AuditKind::ClinicianCreated,
                BTreeMap::from([("clinicianId".to_owned(), clinician.to_string())]),
            ));
        }
        self.save(&mut application, Some(read_version), &caller.actor(), events, now).await?;
        match self.tell_applicant(&application).await {
            Some(sent) => self.record_delivery(application, &caller.actor(), sent).await,
            None => Ok(application),
        }
    }

    /// Audits the email's outcome on the application's chain, over whatever version it is at now
    /// (another review may have moved it since).
    async fn record_delivery(
        &self,
        mut application: Application,
        actor: &str,
        sent: bool,
    ) -> Result<Application, DomainError> {
        let kind = if sent { AuditKind::NotificationSent } else { AuditKind::NotificationFailed };
        for _ in 0..3 {
            let version = application.version;
            let event = (kind, BTreeMap::from([("channel".to_owned(), "email".to_owned())]));
            match self.save(&mut application, Some(version), actor, vec![event], self.core.now()).await {
                Err(DomainError::Conflict(_)) => application = self.load(&application.id).await?,
                other => return other.map(|()| application),
            }
        }
        Err(DomainError::Unavailable { dependency: "store", retry_after_seconds: 1 })
    }

    /// The outcome by email, without the review's notes (the applicant reads them signed in):
    /// whether it went, or `None` for a move that tells the applicant nothing. The move stands if
    /// the email fails; the failure is audited, and the applicant can read the status.
    async fn tell_applicant(&self, application: &Application) -> Option<bool> {
        let body = match application.status {
            ApplicationStatus::Approved => {
                "Your application was approved. Sign in to the clinician desk with this email address."
            }
            ApplicationStatus::Rejected => {
                "Your application was not approved. Sign in to your application to read why."
            }
            ApplicationStatus::NeedsInfo => {
                "Your application needs more information. Sign in to your application to read what."
            }
            _ => return None,
        };
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
}

fn admin_only(caller: &Caller) -> Result<(), DomainError> {
    if caller.role == Role::Admin { Ok(()) } else { Err(DomainError::Forbidden) }
}
