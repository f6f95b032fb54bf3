//! Demo mode's scheduling, as AWS does it: the store's stream of visit records is followed by
//! the same use case visit-jobs runs (planning each visit's jobs, here in memory), and the jobs
//! that fall due on the demo clock run through the use case the reminders function runs.
//! `POST /dev/clock` moves the clock forward and runs what fell due.

use std::sync::Arc;

use serde::Deserialize;
use visits_domain::usecases::{JobOutcome, JobPlans, Notifications};
use visits_embedded::{DemoClock, MemoryScheduler, MemoryStore};

pub struct DemoJobs {
    pub clock: Arc<dyn DemoClock>,
    pub store: Arc<MemoryStore>,
    pub scheduler: Arc<MemoryScheduler>,
}

/// `POST /dev/clock`'s body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Advance {
    pub advance_minutes: u32,
}

/// At most a year at a time.
pub const MAX_ADVANCE_MINUTES: u32 = 366 * 24 * 60;

impl DemoJobs {
    /// Follows the records committed since last time, then runs every planned job that is due.
    /// Returns how many did something.
    pub async fn run_due(&self, plans: &JobPlans, jobs: &Notifications) -> usize {
        for record in self.store.take_stream() {
            if let Err(error) = plans.follow(&record).await {
                tracing::warn!(error = %error, "a demo visit's jobs were not planned");
            }
        }
        let mut ran = 0;
        for job in self.scheduler.take_due(self.clock.now()) {
            match jobs.run_job(&job.visit_id, job.job, Some(job.planned_for)).await {
                Ok(JobOutcome::Done) => ran += 1,
                Ok(_) => {}
                Err(error) => tracing::warn!(error = %error, job = job.job.as_str(), "a demo job failed"),
            }
            // What a job did may end the visit (a no-show): its other schedules go.
            for record in self.store.take_stream() {
                let _ = plans.follow(&record).await;
            }
        }
        ran
    }
}
