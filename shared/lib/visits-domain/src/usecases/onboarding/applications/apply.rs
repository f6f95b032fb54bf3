//! The applicant's side: start an application (a code goes to their email), prove the email
//! with the code, and get the token that reads the application and uploads to it.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::{Applications, save};
use crate::DomainError;
use crate::model::{
    Applicant, Application, ApplicationId, ApplicationStatus, AuditHead, AuditKind, CodeChallenge, Digest, OneTimeCode,
};
use crate::ports::OutgoingMessage;
use crate::usecases::attempts;

/// How long an applicant token reads the application and uploads to it.
pub const APPLICANT_TOKEN_LIFETIME: Duration = Duration::hours(24);

/// `POST /clinician-applications`' answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationStarted {
    pub application_id: ApplicationId,
    /// The email, masked.
    pub sent_to: String,
    pub expires_at: DateTime<Utc>,
}

/// `POST /clinician-applications/{id}/verify`'s answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationVerified {
    pub application_id: ApplicationId,
    pub applicant_token: String,
    pub expires_at: DateTime<Utc>,
}

impl Applications {
    /// Starts an application and sends the email code. Licences must not have expired.
    pub async fn start(&self, applicant: Applicant, source_ip: &str) -> Result<ApplicationStarted, DomainError> {
        let now = self.core.now();
        if applicant.licenses.iter().any(|license| license.expires_on <= now.date_naive()) {
            return Err(DomainError::rule("licenses", "a licence has expired"));
        }
        let id = self.core.ids.application_id();
        let code = self.core.ids.one_time_code();
        let (_, code_mac) = futures::try_join!(attempts::guard(&self.core, source_ip, now), self.code_mac(&id, &code))?;
        let licences = applicant.licenses.len().to_string();
        let mut application = Application {
            id,
            applicant,
            status: ApplicationStatus::Pending,
            challenge: CodeChallenge::first(code_mac, now),
            notes: Vec::new(),
            documents: Vec::new(),
            clinician_id: None,
            audit_head: AuditHead::default(),
            created_at: now,
            updated_at: now,
            version: 0,
        };
        let started = (AuditKind::ApplicationStarted, BTreeMap::from([("licenses".to_owned(), licences)]));
        save(self.store.as_ref(), &mut application, None, "applicant", vec![started], now).await?;
        self.send_code(&application, &code).await?;
        Ok(ApplicationStarted {
            application_id: application.id.clone(),
            sent_to: application.applicant.email.masked(),
            expires_at: application.challenge.expires_at(),
        })
    }

    /// Checks the email code. The right one submits the application and answers with the
    /// applicant token; wrong ones count as signup's do (per application and per source).
    pub async fn verify(
        &self,
        raw_id: &str,
        raw_code: &str,
        source_ip: &str,
    ) -> Result<ApplicationVerified, DomainError> {
        let now = self.core.now();
        let id = ApplicationId::parse(raw_id).ok();
        let read = |id: ApplicationId| async move { self.store.application(&id).await.map_err(DomainError::from) };
        let mac = |id: ApplicationId, code: OneTimeCode| async move { self.code_mac(&id, &code).await };
        let challenge = attempts::challenge(&self.core, source_ip, now, (id, raw_code), read, mac).await?;
        let attempts::Challenge { holder: mut application, presented, seen } = challenge;
        let read_version = application.version;
        if let Err(refused) = application.check_code(&presented, now) {
            let mut tried = application.clone();
            let keep = save(self.store.as_ref(), &mut tried, Some(read_version), "applicant", vec![], now);
            return Err(attempts::refused_code(&self.core, source_ip, seen, now, refused, keep).await);
        }
        // Signed before the application is submitted: a signer failure leaves the code usable.
        let expires_at = now + APPLICANT_TOKEN_LIFETIME;
        let token_id = self.core.ids.token_id();
        let applicant_token = self.tokens.issue_applicant(&application.id, &token_id, now, expires_at).await?;
        application.status = ApplicationStatus::Submitted;
        application.updated_at = now;
        let submitted = (AuditKind::ApplicationSubmitted, BTreeMap::new());
        save(self.store.as_ref(), &mut application, Some(read_version), "applicant", vec![submitted], now)
            .await
            .map_err(|error| {
                match error {
                    // Another try on the same application got there first.
                    DomainError::Conflict(_) => DomainError::CodeInvalid,
                    other => other,
                }
            })?;
        Ok(ApplicationVerified { application_id: application.id, applicant_token, expires_at })
    }

    /// A code's MAC is bound to its application: the same six digits differ per application.
    async fn code_mac(&self, id: &ApplicationId, code: &OneTimeCode) -> Result<Digest, DomainError> {
        self.mac.mac(format!("application-code:{id}:{}", code.expose()).as_bytes()).await.map_err(DomainError::from)
    }

    /// The code, and nothing else: no name, no NPI.
    async fn send_code(&self, application: &Application, code: &OneTimeCode) -> Result<(), DomainError> {
        let minutes = crate::model::CODE_LIFETIME.num_minutes();
        let message = OutgoingMessage::Email {
            to: application.applicant.email.clone(),
            subject: "Your application code".into(),
            body: format!("Your application code is {}. It works once, for {minutes} minutes.", code.expose()),
            calendar: None,
        };
        self.notifier
            .send(&message)
            .await
            .map(|_| ())
            .map_err(|_| DomainError::Unavailable { dependency: "notifier", retry_after_seconds: 60 })
    }
}
