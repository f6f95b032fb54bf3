//! `visit-jobs`: the table's stream of a visit's audit records keeps its EventBridge Scheduler
//! schedules in step: booked or moved, its reminders, nudge and no-show check are (re)planned;
//! ended, cancelled or a no-show, they are removed. Only this function links the Scheduler SDK.

use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use lambda_runtime::{Error, LambdaEvent};
use visits_domain::usecases::JobPlans;
use visits_dynamodb::{StreamImage, audit_in_stream_image};

pub struct App {
    plans: JobPlans,
}

impl App {
    pub fn new(plans: JobPlans) -> Self {
        Self { plans }
    }
}

/// Each record in order; the first that fails (the scheduler throttling) and those after it are
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
        if let Err(error) = app.plans.follow(&audit).await {
            tracing::warn!(error = %error, "a visit's schedules were not updated");
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
