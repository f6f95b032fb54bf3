//! Demo mode's scheduling and alerts, as AWS does them: the store's stream of visit records is
//! followed by the same use cases visit-jobs runs (planning each visit's jobs, here in memory;
//! alerting the clinician that the patient waits; sending a fresh link asked for), and the jobs that fall due on the demo clock
//! run through the use case the reminders function runs. `POST /dev/clock` moves the clock
//! forward and runs what fell due.

use std::sync::Arc;

use serde::Deserialize;
use visits_domain::usecases::{ApplicantNotices, JobOutcome, JobPlans, Notifications, WaitingAlerts};
use visits_embedded::{DemoClock, MemoryScheduler, MemoryStore};
use visits_embedded::{DemoVideo, MemoryEvents};

pub struct DemoJobs {
    pub clock: Arc<dyn DemoClock>,
    pub store: Arc<MemoryStore>,
    pub scheduler: Arc<MemoryScheduler>,
    /// Where `Patient waiting` goes (`GET /dev/events`).
    pub events: Arc<MemoryEvents>,
    /// Whose attendee events go to the attendance function, as Chime's go through EventBridge.
    pub video: Arc<DemoVideo>,
}

/// The use cases demo mode runs off the stream and the clock.
pub struct Followers {
    pub plans: JobPlans,
    pub alerts: WaitingAlerts,
    pub notices: ApplicantNotices,
    pub jobs: Notifications,
    pub attendance: attendance::App,
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
    /// Follows the records committed since last time, as visit-jobs follows the table's stream,
    /// and hands the video's attendee events to the attendance function, as EventBridge does.
    pub async fn follow_stream(&self, followers: &Followers) {
        for event in self.video.take_events() {
            let event = match serde_json::from_value(event) {
                Ok(payload) => lambda_runtime::LambdaEvent::new(payload, lambda_runtime::Context::default()),
                Err(error) => {
                    tracing::warn!(error = %error, "a demo attendee event did not parse");
                    continue;
                }
            };
            if let Err(error) = attendance::handle(&followers.attendance, event).await {
                tracing::warn!(error = %error, "a demo attendee event was not recorded");
            }
        }
        for record in self.store.take_stream() {
            if let Err(error) = followers.plans.follow(&record).await {
                tracing::warn!(error = %error, "a demo visit's jobs were not planned");
            }
            if let Err(error) = followers.alerts.follow(&record).await {
                tracing::warn!(error = %error, "a demo clinician was not alerted");
            }
            if let Err(error) = followers.jobs.follow_resend(&record).await {
                tracing::warn!(error = %error, "a demo fresh link asked for was not sent");
            }
            if let Err(error) = followers.notices.follow(&record).await {
                tracing::warn!(error = %error, "a demo applicant was not told");
            }
        }
    }

    /// Follows the stream, then runs every planned job that is due. Returns how many did something.
    pub async fn run_due(&self, followers: &Followers) -> usize {
        self.follow_stream(followers).await;
        let mut ran = 0;
        for job in self.scheduler.take_due(self.clock.now()) {
            match followers.jobs.run_job(&job.visit_id, job.job, Some(job.planned_for)).await {
                Ok(JobOutcome::Done) => ran += 1,
                Ok(_) => {}
                Err(error) => tracing::warn!(error = %error, job = job.job.as_str(), "a demo job failed"),
            }
            // What a job did may end the visit (a no-show): its other schedules go.
            self.follow_stream(followers).await;
        }
        ran
    }

    /// `GET /dev/events`: what was published, as EventBridge entries.
    pub fn events_body(&self) -> serde_json::Value {
        let events: Vec<serde_json::Value> = self
            .events
            .published()
            .iter()
            .map(|event| {
                serde_json::json!({
                    "source": visits_domain::ports::EVENT_SOURCE,
                    "detailType": event.detail_type(),
                    "detail": serde_json::from_str::<serde_json::Value>(&event.detail()).unwrap_or_default(),
                })
            })
            .collect();
        serde_json::json!({ "events": events })
    }
}
