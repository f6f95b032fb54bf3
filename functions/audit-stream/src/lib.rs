//! `audit-stream`: consumes the table's DynamoDB stream. For now it parses each batch and logs
//! what it holds; copying audit records to the 7-year log group comes with the DynamoDB table.

use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use lambda_runtime::{Error, LambdaEvent};

/// Counts the batch's records by kind. Reports no failures: nothing here can fail per record yet.
pub async fn handle(event: LambdaEvent<Event>) -> Result<DynamoDbEventResponse, Error> {
    let records = &event.payload.records;
    let inserts = records.iter().filter(|r| r.event_name == "INSERT").count();
    let modifies = records.iter().filter(|r| r.event_name == "MODIFY").count();
    let removes = records.iter().filter(|r| r.event_name == "REMOVE").count();
    tracing::info!(records = records.len(), inserts, modifies, removes, "stream batch received");
    Ok(DynamoDbEventResponse::default())
}
