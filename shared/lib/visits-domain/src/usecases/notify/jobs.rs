//! A visit's jobs as the scheduler fires them: reminders, the no-show nudge and check.

use chrono::{DateTime, Utc};

use super::{JobOutcome, Notifications};
use crate::DomainError;
use crate::model::{AuditKind, Visit, VisitId, VisitJob, VisitStatus};
use crate::rules::JoinWindow;
use crate::usecases::core::Core;
use crate::usecases::guests::{Occasion, send_guests_fresh_links};
use crate::usecases::links::Claim;

impl Notifications {
    /// Runs one of a visit's jobs, planned for the visit at `planned_for` (`None`: whatever its
    /// time now). Late, repeated, or for a visit that moved, ended or was cancelled meanwhile, it
    /// does nothing; a reminder or nudge sends once, with a fresh link.
    pub async fn run_job(
        &self,
        visit_id: &VisitId,
        job: VisitJob,
        planned_for: Option<DateTime<Utc>>,
    ) -> Result<JobOutcome, DomainError> {
        let core = self.links.core();
        let visit = core.load(visit_id).await?;
        let now = core.now();
        let window = JoinWindow::of(&visit, &core.policy);
        if visit.status().is_final()
            || visit.jobs_done().contains(&job)
            || planned_for.is_some_and(|at| at != visit.scheduled_at())
        {
            return Ok(JobOutcome::Skipped);
        }
        if now < job.due(visit.scheduled_at(), window.closes_at) {
            return Ok(JobOutcome::NotYet);
        }
        let checked_in = visit.patient_checked_in_at().is_some();
        match job {
            VisitJob::NoShowCheck => {
                let outcome = core
                    .mutate_from(visit, "system:jobs", |visit, draft| {
                        if visit.status().is_final() || !visit.claim_job(job) {
                            return Ok(JobOutcome::Skipped);
                        }
                        if visit.status() != VisitStatus::Scheduled || visit.patient_checked_in_at().is_some() {
                            return Ok(JobOutcome::Skipped);
                        }
                        visit.mark_no_show(draft.now);
                        draft.record(AuditKind::VisitNoShow, []);
                        Ok(JobOutcome::Done)
                    })
                    .await?;
                Ok(outcome.0)
            }
            VisitJob::NoShowNudge if checked_in || visit.status() != VisitStatus::Scheduled => Ok(JobOutcome::Skipped),
            // The nudge is the patient's alone; a reminder goes to the guests too.
            VisitJob::NoShowNudge if visit.patient_contact().is_none() => Ok(JobOutcome::Skipped),
            _ if visit.patient_contact().is_none() && visit.guests().is_empty() => Ok(JobOutcome::Skipped),
            _ => {
                let claimed = match visit.patient_contact() {
                    Some(_) => {
                        self.deliver(visit, "system:jobs", None, Some(Claim::Job(job))).await.map(|(_, visit)| visit)
                    }
                    None => claim_job(core, visit, job).await,
                };
                let visit = match claimed {
                    Ok(visit) => visit,
                    // Another firing of the same job got there first.
                    Err(DomainError::Conflict(_)) => return Ok(JobOutcome::Skipped),
                    Err(other) => return Err(other),
                };
                if job != VisitJob::NoShowNudge {
                    let notifier = self.notifier.as_ref();
                    send_guests_fresh_links(&self.links, notifier, visit, "system:jobs", Occasion::Reminder).await?;
                }
                Ok(JobOutcome::Done)
            }
        }
    }
}

/// Claims `job` for a visit whose patient has no contact (its guests are reminded): the claim
/// that the patient's link write makes otherwise, so a second firing sends nothing.
async fn claim_job(core: &Core, visit: Visit, job: VisitJob) -> Result<Visit, DomainError> {
    let (_, visit) = core
        .mutate_from(visit, "system:jobs", |visit, draft| {
            if !visit.claim_job(job) {
                return Err(DomainError::Conflict(format!("{} already ran", job.as_str())));
            }
            draft.record(AuditKind::JobRan, [("job", job.as_str().to_owned())]);
            Ok(())
        })
        .await?;
    Ok(visit)
}
