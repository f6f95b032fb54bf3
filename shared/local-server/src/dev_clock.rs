//! Demo mode's scheduler: the jobs EventBridge Scheduler runs in AWS (reminders, the no-show nudge
//! and check), found by looking through the visits as the demo clock passes their due times, and
//! run through the same use case. `POST /dev/clock` moves the clock forward and runs what fell due.

use std::sync::Arc;

use serde::Deserialize;
use visits_domain::model::VisitJob;
use visits_domain::rules::JoinWindow;
use visits_domain::usecases::{JobOutcome, Notifications};
use visits_embedded::{DemoClock, MemoryStore};

pub struct DemoJobs {
    pub clock: Arc<dyn DemoClock>,
    pub store: Arc<MemoryStore>,
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
    /// Runs every job that is due and not done, each as the scheduler would (planned for the
    /// visit's current time). Returns how many did something.
    pub async fn run_due(&self, jobs: &Notifications, policy: &visits_domain::rules::Policy) -> usize {
        let now = self.clock.now();
        let mut ran = 0;
        for visit in self.store.visits().into_iter().filter(|v| !v.status.is_final()) {
            let window = JoinWindow::of(&visit, policy);
            // In due order: a nudge before the no-show check.
            for job in VisitJob::ALL {
                if visit.jobs_done.contains(&job) || job.due(visit.scheduled_at, window.closes_at) > now {
                    continue;
                }
                match jobs.run_job(&visit.id, job, Some(visit.scheduled_at)).await {
                    Ok(JobOutcome::Done) => ran += 1,
                    Ok(_) => {}
                    Err(error) => tracing::warn!(error = %error, job = job.as_str(), "a demo job failed"),
                }
            }
        }
        ran
    }
}
