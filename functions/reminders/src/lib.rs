//! `reminders`: what an EventBridge Scheduler one-time schedule of a visit runs: a reminder or
//! the no-show nudge (each with a fresh link), or the no-show check. The schedule's input names
//! the visit, the job and the visit time it was planned for; a job that fires late, twice, or
//! for a visit that moved or ended meanwhile sends once or not at all.

use chrono::{DateTime, Utc};
use lambda_runtime::{Error, LambdaEvent};
use serde::{Deserialize, Serialize};
use visits_domain::model::{VisitId, VisitJob};
use visits_domain::usecases::{JobOutcome, Notifications};

/// A schedule's input (the target's `Input`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JobInput {
    pub visit_id: VisitId,
    pub job: VisitJob,
    /// The visit's time when the job was planned: a visit moved since has its own schedules.
    pub planned_for: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobResult {
    pub outcome: &'static str,
}

pub struct App {
    notifications: Notifications,
}

impl App {
    pub fn new(notifications: Notifications) -> Self {
        Self { notifications }
    }
}

/// Runs the job. A dependency that is down fails the invocation, so Scheduler's retry policy
/// runs it again (the job's claim makes that safe).
pub async fn handle(app: &App, event: LambdaEvent<JobInput>) -> Result<JobResult, Error> {
    let input = event.payload;
    let outcome = app.notifications.run_job(&input.visit_id, input.job, Some(input.planned_for)).await;
    let outcome = match outcome {
        Ok(JobOutcome::Done) => "done",
        Ok(JobOutcome::Skipped) => "skipped",
        // Scheduler fired early (clock skew): the next firing of a one-time schedule never
        // comes, so say so loudly; nothing was sent.
        Ok(JobOutcome::NotYet) => "not_yet",
        Err(visits_domain::DomainError::VisitNotFound) => "skipped",
        Err(error) => return Err(error.into()),
    };
    tracing::info!(job = input.job.as_str(), outcome, "visit job");
    Ok(JobResult { outcome })
}
