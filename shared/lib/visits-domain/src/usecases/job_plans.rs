//! Keeps a visit's scheduled jobs in step with the visit, from its audit records as the table's
//! stream delivers them: booked or moved, its jobs not yet done are (re)planned at their times;
//! ended, cancelled or a no-show, they are removed. Idempotent: records arrive at least once.

use std::sync::Arc;

use super::core::Core;
use crate::DomainError;
use crate::model::{AuditKind, AuditRecord, AuditSubject, VisitJob};
use crate::ports::{JobScheduler, PlannedJob};
use crate::rules::JoinWindow;

pub struct JobPlans {
    core: Core,
    scheduler: Arc<dyn JobScheduler>,
}

impl JobPlans {
    pub fn new(core: Core, scheduler: Arc<dyn JobScheduler>) -> Self {
        Self { core, scheduler }
    }

    /// Acts on one audit record; records of other kinds (and applications') change nothing.
    /// Returns how many schedules were planned or removed.
    pub async fn follow(&self, record: &AuditRecord) -> Result<usize, DomainError> {
        let AuditSubject::Visit(visit_id) = &record.subject else { return Ok(0) };
        match record.kind {
            AuditKind::VisitScheduled | AuditKind::VisitRescheduled => {
                let visit = match self.core.load(visit_id).await {
                    Ok(visit) => visit,
                    Err(DomainError::VisitNotFound) => return Ok(0),
                    Err(other) => return Err(other),
                };
                if visit.status().is_final() {
                    return self.remove_all(visit_id).await;
                }
                let window = JoinWindow::of(&visit, &self.core.policy);
                // Read late (a stream backlog): a reminder already past is skipped; the nudge and
                // the no-show check still run, a minute from now.
                let soonest = self.core.now() + chrono::Duration::minutes(1);
                let jobs: Vec<PlannedJob> = VisitJob::ALL
                    .into_iter()
                    .filter(|job| !visit.jobs_done().contains(job))
                    .filter_map(|job| {
                        let due = job.due(visit.scheduled_at(), window.closes_at);
                        let reminder = matches!(job, VisitJob::DayBefore | VisitJob::SoonBefore);
                        let at = if due < soonest && reminder { return None } else { due.max(soonest) };
                        Some(PlannedJob { visit_id: visit.id().clone(), job, at, planned_for: visit.scheduled_at() })
                    })
                    .collect();
                let planned = jobs.iter().map(|job| self.scheduler.plan(job));
                futures::future::try_join_all(planned).await?;
                Ok(jobs.len())
            }
            AuditKind::VisitCancelled | AuditKind::VisitCompleted | AuditKind::VisitNoShow => {
                self.remove_all(visit_id).await
            }
            _ => Ok(0),
        }
    }

    async fn remove_all(&self, visit_id: &crate::model::VisitId) -> Result<usize, DomainError> {
        let removed = VisitJob::ALL.into_iter().map(|job| self.scheduler.remove(visit_id, job));
        futures::future::try_join_all(removed).await?;
        Ok(VisitJob::ALL.len())
    }
}
