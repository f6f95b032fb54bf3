//! Clinician applications: an applicant starts one and proves their email with a one-time code
//! (the signup's rules); an admin reviews it; approval makes the clinician. Every step is on the
//! application's own audit chain.

mod apply;
mod notices;
mod review;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

pub use apply::{APPLICANT_TOKEN_LIFETIME, ApplicationStarted, ApplicationVerified};
pub use notices::ApplicantNotices;
pub use review::{ApplicationReader, StatusMove};

use crate::DomainError;
use crate::model::{Application, ApplicationId, AuditKind, AuditRecord};
use crate::ports::{ApplicationStore, CommitError, Directory, Mac, Notifier};
use crate::tokens::Tokens;
use crate::usecases::core::Core;

pub struct Applications {
    core: Core,
    tokens: Arc<Tokens>,
    store: Arc<dyn ApplicationStore>,
    mac: Arc<dyn Mac>,
    notifier: Arc<dyn Notifier>,
    directory: Arc<dyn Directory>,
}

impl Applications {
    pub fn new(
        core: Core,
        tokens: Arc<Tokens>,
        store: Arc<dyn ApplicationStore>,
        mac: Arc<dyn Mac>,
        notifier: Arc<dyn Notifier>,
        directory: Arc<dyn Directory>,
    ) -> Self {
        Self { core, tokens, store, mac, notifier, directory }
    }

    /// Today by the use case's clock: licences must not have expired before it.
    pub fn today(&self) -> chrono::NaiveDate {
        self.core.now().date_naive()
    }

    async fn load(&self, id: &ApplicationId) -> Result<Application, DomainError> {
        self.store.application(id).await?.ok_or(DomainError::ApplicationNotFound)
    }
}

/// Writes `application` (its version bumped) over `read_version`, with `events` chained.
async fn save(
    store: &dyn ApplicationStore,
    application: &mut Application,
    read_version: Option<u64>,
    actor: &str,
    events: Vec<(AuditKind, BTreeMap<String, String>)>,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let mut records = Vec::with_capacity(events.len());
    for (kind, data) in events {
        let record = AuditRecord::after(application.audit_head, application.id.clone(), now, kind, actor, data);
        application.audit_head = record.head();
        records.push(record);
    }
    application.version = read_version.map_or(1, |v| v + 1);
    match store.save_application(application, read_version, records).await {
        Ok(()) => Ok(()),
        Err(CommitError::VersionConflict) => {
            Err(DomainError::Conflict("the application changed meanwhile: read it again".into()))
        }
        Err(CommitError::Store(error)) => Err(DomainError::from(error)),
        Err(other) => Err(DomainError::Internal(format!("an application write: {other}"))),
    }
}
