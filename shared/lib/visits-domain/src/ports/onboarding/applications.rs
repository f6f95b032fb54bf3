use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Application, ApplicationId, ApplicationStatus, AuditRecord};
use crate::ports::{CommitError, DependencyError};

/// Where an admin's page of applications stopped. Opaque to clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationCursor {
    #[serde(rename = "c")]
    pub created_at: DateTime<Utc>,
    #[serde(rename = "a")]
    pub id: ApplicationId,
}

impl ApplicationCursor {
    pub fn after(application: &Application) -> Self {
        Self { created_at: application.created_at, id: application.id.clone() }
    }

    /// The order every store lists in: oldest first, then id for ties.
    pub fn key(application: &Application) -> (DateTime<Utc>, &str) {
        (application.created_at, application.id.as_str())
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    pub fn decode(raw: &str) -> Result<Self, String> {
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| "is not a cursor from this API")?;
        serde_json::from_slice(&bytes).map_err(|_| "is not a cursor from this API".into())
    }
}

/// An admin's listing: one status, or every status but `pending` (unproven applications).
#[derive(Debug, Clone)]
pub struct ApplicationQuery {
    pub status: Option<ApplicationStatus>,
    pub limit: usize,
    pub after: Option<ApplicationCursor>,
}

impl ApplicationQuery {
    /// The statuses this listing covers.
    pub fn statuses(&self) -> Vec<ApplicationStatus> {
        match self.status {
            Some(status) => vec![status],
            None => ApplicationStatus::ALL.into_iter().filter(|s| *s != ApplicationStatus::Pending).collect(),
        }
    }

    /// The page out of `candidates` (any order, each matching the query): oldest first, after
    /// the cursor, `limit` long, with where the next page starts.
    pub fn page(&self, mut candidates: Vec<Application>) -> ApplicationPage {
        candidates.sort_by(|a, b| ApplicationCursor::key(a).cmp(&ApplicationCursor::key(b)));
        let after = self.after.as_ref().map(|c| (c.created_at, c.id.as_str().to_owned()));
        let mut items: Vec<Application> = candidates
            .into_iter()
            .filter(|a| after.as_ref().is_none_or(|(at, id)| (a.created_at, a.id.as_str()) > (*at, id.as_str())))
            .take(self.limit + 1)
            .collect();
        let next = if items.len() > self.limit {
            items.truncate(self.limit);
            items.last().map(ApplicationCursor::after)
        } else {
            None
        };
        ApplicationPage { items, next }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ApplicationPage {
    pub items: Vec<Application>,
    pub next: Option<ApplicationCursor>,
}

/// Where clinician applications and their audit chains are kept.
#[async_trait]
pub trait ApplicationStore: Send + Sync {
    async fn application(&self, id: &ApplicationId) -> Result<Option<Application>, DependencyError>;
    /// Writes `application` with its new audit records, all or nothing: new when
    /// `expected_version` is `None` (`AlreadyExists` if the id is taken), otherwise only over
    /// that version (`VersionConflict`).
    async fn save_application(
        &self,
        application: &Application,
        expected_version: Option<u64>,
        audit: Vec<AuditRecord>,
    ) -> Result<(), CommitError>;
    async fn applications(&self, query: &ApplicationQuery) -> Result<ApplicationPage, DependencyError>;
    /// An application's audit records, oldest first.
    async fn application_trail(&self, id: &ApplicationId) -> Result<Vec<AuditRecord>, DependencyError>;
}
