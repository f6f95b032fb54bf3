//! A visit's jobs as one-time EventBridge Scheduler schedules (`at(...)`, UTC) in the visits'
//! schedule group, each named by its visit and kind, targeting the reminders function with the
//! job as input, deleted once it has run. Planning creates, or updates a schedule that exists.

use async_trait::async_trait;
use aws_sdk_scheduler::Client;
use aws_sdk_scheduler::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_scheduler::types::{
    ActionAfterCompletion, FlexibleTimeWindow, FlexibleTimeWindowMode, RetryPolicy, Target,
};
use visits_domain::model::{VisitId, VisitJob};
use visits_domain::ports::{Dependency, DependencyError, JobScheduler, PlannedJob};

/// The schedules of `SCHEDULE_GROUP`, targeting `REMINDERS_FUNCTION_ARN` as `SCHEDULER_ROLE_ARN`.
pub fn from_env(config: &visits_aws::SdkConfig) -> Result<EventBridgeScheduler, visits_aws::MissingSetting> {
    Ok(EventBridgeScheduler::new(
        Client::new(config),
        visits_aws::required("SCHEDULE_GROUP")?,
        visits_aws::required("REMINDERS_FUNCTION_ARN")?,
        visits_aws::required("SCHEDULER_ROLE_ARN")?,
    ))
}

pub struct EventBridgeScheduler {
    client: Client,
    group: String,
    target_arn: String,
    role_arn: String,
}

impl EventBridgeScheduler {
    pub fn new(
        client: Client,
        group: impl Into<String>,
        target_arn: impl Into<String>,
        role_arn: impl Into<String>,
    ) -> Self {
        Self { client, group: group.into(), target_arn: target_arn.into(), role_arn: role_arn.into() }
    }

    fn target(&self, job: &PlannedJob) -> Result<Target, DependencyError> {
        let input = serde_json::json!({
            "visitId": job.visit_id,
            "job": job.job,
            "plannedFor": job.planned_for.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        });
        Target::builder()
            .arn(&self.target_arn)
            .role_arn(&self.role_arn)
            .input(input.to_string())
            // A day of retries: run_job makes a repeated run safe.
            .retry_policy(
                RetryPolicy::builder().maximum_event_age_in_seconds(86_400).maximum_retry_attempts(185).build(),
            )
            .build()
            .map_err(|e| DependencyError::failed(Dependency::Scheduler, e.to_string()))
    }
}

#[async_trait]
impl JobScheduler for EventBridgeScheduler {
    async fn plan(&self, job: &PlannedJob) -> Result<(), DependencyError> {
        let name = job.job.schedule_name(&job.visit_id);
        let expression = format!("at({})", job.at.format("%Y-%m-%dT%H:%M:%S"));
        let window = FlexibleTimeWindow::builder()
            .mode(FlexibleTimeWindowMode::Off)
            .build()
            .map_err(|e| DependencyError::failed(Dependency::Scheduler, e.to_string()))?;
        let created = self
            .client
            .create_schedule()
            .group_name(&self.group)
            .name(&name)
            .schedule_expression(&expression)
            .schedule_expression_timezone("UTC")
            .flexible_time_window(window.clone())
            .target(self.target(job)?)
            .action_after_completion(ActionAfterCompletion::Delete)
            .send()
            .await;
        match created {
            Ok(_) => Ok(()),
            // Planned before (a moved visit, a repeated stream record): move it.
            Err(error) if error.as_service_error().is_some_and(|e| e.is_conflict_exception()) => self
                .client
                .update_schedule()
                .group_name(&self.group)
                .name(&name)
                .schedule_expression(&expression)
                .schedule_expression_timezone("UTC")
                .flexible_time_window(window)
                .target(self.target(job)?)
                .action_after_completion(ActionAfterCompletion::Delete)
                .send()
                .await
                .map(|_| ())
                .map_err(failure),
            Err(error) => Err(failure(error)),
        }
    }

    async fn remove(&self, visit_id: &VisitId, job: VisitJob) -> Result<(), DependencyError> {
        let deleted =
            self.client.delete_schedule().group_name(&self.group).name(job.schedule_name(visit_id)).send().await;
        match deleted {
            Ok(_) => Ok(()),
            // Never planned, already run (and deleted), or removed before.
            Err(error) if error.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => Ok(()),
            Err(error) => Err(failure(error)),
        }
    }
}

fn failure<E>(error: SdkError<E>) -> DependencyError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    visits_aws::SdkFailure::of("scheduler", &error).into_error_by_code(Dependency::Scheduler)
}
