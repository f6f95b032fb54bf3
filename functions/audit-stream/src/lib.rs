//! `audit-stream`: consumes the table's DynamoDB stream (filtered to new audit records and the
//! refusals kept beside them). Each
//! record is written, as one JSON line holding exactly the audit record, to this function's log
//! group, which is the audit log group kept 7 years. Each record is checked against the hash
//! chain of its visit; metrics (links minted, redeemed, refused by reason, sessions started,
//! chain breaks) go out as CloudWatch Embedded Metric Format lines. A record that cannot be read
//! is reported as a batch item failure, never dropped.

mod metrics;

use std::collections::HashMap;
use std::sync::Arc;

use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use lambda_runtime::{Error, LambdaEvent};
use visits_domain::model::{AuditRecord, AuditSubject, Digest};
use visits_domain::ports::Store;
use visits_dynamodb::{StreamImage, audit_in_stream_image};

pub use metrics::Metrics;

/// Where audit lines go: stdout in Lambda (the log group), a buffer in tests.
pub trait Sink: Send + Sync {
    fn line(&self, line: String);
}

pub struct Stdout;

impl Sink for Stdout {
    fn line(&self, line: String) {
        println!("{line}");
    }
}

pub struct App {
    store: Arc<dyn Store>,
    sink: Arc<dyn Sink>,
}

impl App {
    /// `store` is read for the previous record of a visit when it is not in the same batch.
    pub fn new(store: Arc<dyn Store>, sink: Arc<dyn Sink>) -> Self {
        Self { store, sink }
    }
}

pub async fn handle(app: &App, event: LambdaEvent<Event>) -> Result<DynamoDbEventResponse, Error> {
    let mut response = DynamoDbEventResponse::default();
    let mut metrics = Metrics::default();
    // Records of this batch by (visit, seq), so a record can link to one just before it.
    let mut seen: HashMap<(AuditSubject, u64), Digest> = HashMap::new();
    for record in &event.payload.records {
        // Audit records are only ever inserted; other items and events are not ours to copy.
        if record.event_name != "INSERT" {
            continue;
        }
        let audit = match audit_in_stream_image(&record.change.new_image) {
            StreamImage::NotAudit => continue,
            StreamImage::Audit(audit) => audit,
            StreamImage::Refusal(refusal) => {
                // Kept beside the chain: its seal is its check.
                let intact = refusal.hash == refusal.computed_hash();
                if !intact {
                    tracing::warn!(visit_id = %refusal.visit_id, n = refusal.n, "refusal record seal broken");
                }
                metrics.count_refusal(&refusal, intact);
                app.sink.line(serde_json::to_string(&refusal)?);
                continue;
            }
            StreamImage::Unreadable => {
                tracing::warn!(event_id = %record.event_id, "unreadable audit stream record");
                let mut failure = DynamoDbBatchItemFailure::default();
                failure.item_identifier = record.change.sequence_number.clone();
                response.batch_item_failures.push(failure);
                continue;
            }
        };
        let linked = match links_to_previous(app, &audit, &seen).await {
            Ok(linked) => linked,
            Err(error) => {
                // The chain could not be checked now: retry this record rather than skip the check.
                tracing::warn!(error = %error, "could not read the previous audit record");
                let mut failure = DynamoDbBatchItemFailure::default();
                failure.item_identifier = record.change.sequence_number.clone();
                response.batch_item_failures.push(failure);
                continue;
            }
        };
        if !linked {
            tracing::warn!(subject = %audit.subject, seq = audit.seq, "audit chain break");
        }
        metrics.count(&audit, linked);
        seen.insert((audit.subject.clone(), audit.seq), audit.hash);
        app.sink.line(serde_json::to_string(&audit)?);
    }
    app.sink.line(metrics.emf_line(chrono::Utc::now()));
    for line in metrics.refusal_lines(chrono::Utc::now()) {
        app.sink.line(line);
    }
    Ok(response)
}

/// Whether the record is intact and points back at the record before it.
async fn links_to_previous(
    app: &App,
    audit: &AuditRecord,
    seen: &HashMap<(AuditSubject, u64), Digest>,
) -> Result<bool, visits_domain::ports::DependencyError> {
    if audit.hash != audit.computed_hash() {
        return Ok(false);
    }
    if audit.seq == 1 {
        return Ok(audit.prev_hash == Digest::ZERO);
    }
    if let Some(previous) = seen.get(&(audit.subject.clone(), audit.seq - 1)) {
        return Ok(*previous == audit.prev_hash);
    }
    let previous = app.store.audit_record(&audit.subject, audit.seq - 1).await?;
    Ok(previous.is_some_and(|previous| previous.hash == audit.prev_hash))
}
