//! Demo mode's EventBridge Scheduler: a visit's planned jobs, by name, until they fall due.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use visits_domain::model::{VisitId, VisitJob};
use visits_domain::ports::{DependencyError, JobScheduler, PlannedJob};

#[derive(Default)]
pub struct MemoryScheduler {
    planned: Mutex<BTreeMap<String, PlannedJob>>,
}

impl MemoryScheduler {
    pub fn new() -> Self {
        Self::default()
    }

    fn planned(&self) -> MutexGuard<'_, BTreeMap<String, PlannedJob>> {
        self.planned.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The jobs due at `now`, earliest first, taken out as a one-time schedule is once it runs.
    pub fn take_due(&self, now: DateTime<Utc>) -> Vec<PlannedJob> {
        let mut planned = self.planned();
        let due: Vec<String> = planned.iter().filter(|(_, job)| job.at <= now).map(|(name, _)| name.clone()).collect();
        let mut jobs: Vec<PlannedJob> = due.iter().filter_map(|name| planned.remove(name)).collect();
        jobs.sort_by_key(|job| job.at);
        jobs
    }

    pub fn len(&self) -> usize {
        self.planned().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl JobScheduler for MemoryScheduler {
    async fn plan(&self, job: &PlannedJob) -> Result<(), DependencyError> {
        self.planned().insert(job.job.schedule_name(&job.visit_id), job.clone());
        Ok(())
    }

    async fn remove(&self, visit_id: &VisitId, job: VisitJob) -> Result<(), DependencyError> {
        self.planned().remove(&job.schedule_name(visit_id));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    #[tokio::test]
    async fn planned_again_moves_and_due_jobs_are_taken_once() {
        let scheduler = MemoryScheduler::new();
        let visit_id = VisitId::parse("vis_abcdefghijklmnopqrst").unwrap();
        let at: DateTime<Utc> = "2030-01-07T09:00:00Z".parse().unwrap();
        let job = |kind, minutes| PlannedJob {
            visit_id: visit_id.clone(),
            job: kind,
            at: at + Duration::minutes(minutes),
            planned_for: at,
        };
        scheduler.plan(&job(VisitJob::SoonBefore, -15)).await.unwrap();
        scheduler.plan(&job(VisitJob::NoShowCheck, 45)).await.unwrap();
        scheduler.plan(&job(VisitJob::SoonBefore, -10)).await.unwrap();
        assert_eq!(scheduler.len(), 2, "the same job planned again is moved, not doubled");
        assert!(scheduler.take_due(at - Duration::minutes(12)).is_empty());
        assert_eq!(scheduler.take_due(at).iter().map(|j| j.job).collect::<Vec<_>>(), [VisitJob::SoonBefore]);
        assert!(scheduler.take_due(at).is_empty(), "taken once");
        scheduler.remove(&visit_id, VisitJob::NoShowCheck).await.unwrap();
        assert!(scheduler.is_empty());
    }
}
