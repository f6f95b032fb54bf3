//! `visit-jobs`: follows the table's stream of a visit's audit records. It keeps the visit's
//! EventBridge Scheduler schedules in step (booked or moved, its reminders, nudge and no-show
//! check are (re)planned; ended, cancelled or a no-show, they are removed), and when the patient
//! checks in before the session has started it alerts the clinician and publishes `Patient
//! waiting`. It sends the fresh link a dead link's holder asked for (`POST /join/{code}/resend`
//! writes the ask), and emails a clinician applicant the outcome of a review once the move is
//! written. Only this function links the Scheduler and EventBridge SDKs. (One consumer for all:
//! a table's stream serves two readers well, and audit-stream is the other.)

use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use lambda_runtime::{Error, LambdaEvent};
use visits_domain::model::AuditKind;
use visits_domain::usecases::{ApplicantNotices, JobPlans, Notifications, WaitingAlerts};
use visits_dynamodb::{StreamImage, audit_in_stream_image};

/// The audit records this function acts on: the template's stream filter delivers these.
pub const FOLLOWED: &[AuditKind] = &[
    AuditKind::VisitScheduled,
    AuditKind::VisitRescheduled,
    AuditKind::VisitCancelled,
    AuditKind::VisitCompleted,
    AuditKind::VisitNoShow,
    AuditKind::PatientCheckedIn,
    AuditKind::LinkResendAsked,
    AuditKind::ApplicationStatusChanged,
];

pub struct App {
    plans: JobPlans,
    alerts: WaitingAlerts,
    resends: Notifications,
    notices: ApplicantNotices,
}

impl App {
    pub fn new(plans: JobPlans, alerts: WaitingAlerts, resends: Notifications, notices: ApplicantNotices) -> Self {
        Self { plans, alerts, resends, notices }
    }

    async fn follow(&self, audit: &visits_domain::model::AuditRecord) -> Result<(), visits_domain::DomainError> {
        self.plans.follow(audit).await?;
        self.alerts.follow(audit).await?;
        self.resends.follow_resend(audit).await?;
        self.notices.follow(audit).await?;
        Ok(())
    }
}

/// Each record in order; the first that fails (the scheduler throttling, nothing reaching the
/// clinician) and those after it are
/// reported, so the stream delivers them again, in order.
pub async fn handle(app: &App, event: LambdaEvent<Event>) -> Result<DynamoDbEventResponse, Error> {
    let mut response = DynamoDbEventResponse::default();
    let mut failed = false;
    for record in &event.payload.records {
        let sequence = record.change.sequence_number.clone();
        if failed {
            response.batch_item_failures.push(failure(sequence));
            continue;
        }
        if record.event_name != "INSERT" {
            continue;
        }
        let StreamImage::Audit(audit) = audit_in_stream_image(&record.change.new_image) else { continue };
        // As the template's filter does: only what is delivered in AWS is followed here.
        if !FOLLOWED.contains(&audit.kind) {
            continue;
        }
        if let Err(error) = app.follow(&audit).await {
            tracing::warn!(error = %error, "a visit's record was not followed");
            failed = true;
            response.batch_item_failures.push(failure(sequence));
        }
    }
    Ok(response)
}

fn failure(sequence: Option<String>) -> DynamoDbBatchItemFailure {
    let mut failure = DynamoDbBatchItemFailure::default();
    failure.item_identifier = sequence;
    failure
}
