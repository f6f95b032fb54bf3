//! Typed errors of the domain. The HTTP layer maps each to one RFC 9457 problem.

use chrono::{DateTime, Utc};

use crate::model::VisitStatus;

/// A field of a request and what is wrong with it. Messages never echo the value: it may be PHI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// Malformed or out-of-range input.
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    /// Well-formed input that breaks a rule (a visit in the past, a reused idempotency key).
    #[error("{detail}")]
    Rule { field: Option<&'static str>, detail: String },
    /// The caller's token is missing or invalid.
    #[error("authentication required")]
    Unauthenticated,
    /// The caller may see the visit but not do this to it.
    #[error("not allowed")]
    Forbidden,
    /// No such visit, or one the caller may not know exists.
    #[error("visit not found")]
    VisitNotFound,
    /// No such clinician application, or one the caller may not see.
    #[error("application not found")]
    ApplicationNotFound,
    /// No such guest of the visit (never added, or removed).
    #[error("guest not found")]
    GuestNotFound,
    /// No such upload, or one the caller may not see.
    #[error("upload not found")]
    UploadNotFound,
    /// Another patient's records: a patient learns nothing of who else exists.
    #[error("patient not found")]
    PatientNotFound,
    /// The visit's state does not allow this (e.g. ending a visit that never started).
    #[error("{0}")]
    Conflict(String),
    /// A join attempt outside the visit's join window. The link is not used up.
    #[error("the visit is not open for joining")]
    OutsideJoinWindow { opens_at: DateTime<Utc>, closes_at: DateTime<Utc> },
    /// Any refused link: unknown, used, expired, revoked. Deliberately says no more.
    #[error("link unavailable")]
    LinkUnavailable,
    /// A session join for a visit that is over.
    #[error("visit is {0}")]
    VisitClosed(VisitStatus),
    /// The clinic's current telehealth terms (this version) are not accepted yet.
    #[error("the telehealth terms must be accepted first")]
    TermsNotAccepted(crate::model::TermsVersion),
    /// A recording or transcription would capture these participants without their consent.
    #[error("everyone in the room must consent to the {capture}")]
    ConsentMissing { capture: &'static str, missing: Vec<crate::model::Party> },
    /// A one-time code that is wrong, expired, superseded, used, or for an unknown signup: one
    /// answer for all.
    #[error("the code is not valid")]
    CodeInvalid,
    /// Too many failed join attempts from this source or for this code.
    #[error("too many attempts")]
    TooManyAttempts { retry_after_seconds: u64 },
    /// A dependency (store, signer, video, notifier) is down or throttling; safe to retry.
    #[error("{dependency} unavailable")]
    Unavailable { dependency: &'static str, retry_after_seconds: u64 },
    /// A bug or an unexpected dependency answer.
    #[error("internal error: {0}")]
    Internal(String),
}

impl DomainError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn rule(field: &'static str, detail: impl Into<String>) -> Self {
        Self::Rule { field: Some(field), detail: detail.into() }
    }
}

/// Collects field errors so a request reports every bad field at once.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// Keeps the value if it parsed, records the error otherwise.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(message) => {
                self.0.push(FieldError::new(field, message));
                None
            }
        }
    }

    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    pub fn into_result(self) -> Result<(), DomainError> {
        if self.0.is_empty() { Ok(()) } else { Err(DomainError::Invalid(self.0)) }
    }
}
