//! The review: who may read an application, the admin's list, and the status moves. Approval
//! makes the clinician (safe to retry: the directory finds a user made before). The applicant
//! hears of a move from the table's stream ([`super::ApplicantNotices`]).

use std::collections::BTreeMap;

use super::{Applications, save};
use crate::DomainError;
use crate::model::{Application, ApplicationId, ApplicationStatus, AuditKind, Caller, ReviewRefused, ReviewText, Role};
use crate::ports::{ApplicationPage, ApplicationQuery};

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

    /// Moves the application as the contract allows; approval creates the clinician. Every move
    /// that asks something of the applicant (approved, rejected, needs info) emails them, from the
    /// stream.
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
        // The applicant is emailed from the table's stream once this is written
        // (`ApplicantNotices`): the admin waits for the move, not for the email.
        save(self.store.as_ref(), &mut application, Some(read_version), &caller.actor(), events, now).await?;
        Ok(application)
    }
}

fn admin_only(caller: &Caller) -> Result<(), DomainError> {
    if caller.role == Role::Admin { Ok(()) } else { Err(DomainError::Forbidden) }
}
