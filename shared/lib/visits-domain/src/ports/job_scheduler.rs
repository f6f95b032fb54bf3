use super::DependencyError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::{VisitId, VisitJob};

/// One job of a visit, to run once at `at` (EventBridge Scheduler in AWS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedJob {
    pub visit_id: VisitId,
    pub job: VisitJob,
    pub at: DateTime<Utc>,
    /// The visit's time it is planned for: the job does nothing if the visit moves.
    pub planned_for: DateTime<Utc>,
}

/// Where a visit's jobs are kept until they run. Both calls are idempotent: a job's schedule is
/// named by its visit and kind, so planning again moves it, and removing a missing one is fine.
#[async_trait]
pub trait JobScheduler: Send + Sync {
    async fn plan(&self, job: &PlannedJob) -> Result<(), DependencyError>;
    async fn remove(&self, visit_id: &VisitId, job: VisitJob) -> Result<(), DependencyError>;
}
