//! The audit stream: real audit records (from the domain, in the store's item shape) go through
//! the handler as a DynamoDB stream batch.

use std::sync::Arc;

use lambda_runtime::{Context, LambdaEvent};
use serde_json::{Value, json};
use visits_domain::model::{AuditRecord, AuditSubject, RefusalRecord, VisitId};
use visits_domain::ports::Store;
use visits_tests::audit_lines::{Lines, audit_stream_app};
use visits_tests::spawn_app;

/// A stream record as the table's stream carries an audit item, in the store's own item shape.
fn stream_record(sequence: u64, record: &AuditRecord) -> Value {
    stream_event(sequence, serde_json::to_value(visits_dynamodb::audit_stream_image(record)).unwrap())
}

/// The same for a refusal kept beside the chain.
fn refusal_record(sequence: u64, record: &RefusalRecord) -> Value {
    stream_event(sequence, serde_json::to_value(visits_dynamodb::refusal_stream_image(record)).unwrap())
}

fn stream_event(sequence: u64, image: Value) -> Value {
    json!({
        "eventID": sequence.to_string(), "eventName": "INSERT", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1_900_000_000,
            "Keys": {"PK": image["PK"], "SK": image["SK"]},
            "NewImage": image,
            "SequenceNumber": sequence.to_string(), "SizeBytes": 300, "StreamViewType": "NEW_AND_OLD_IMAGES"
        }
    })
}

async fn run(store: Arc<dyn Store>, records: Vec<Value>) -> (Vec<String>, Arc<Lines>) {
    let (app, lines) = audit_stream_app(store);
    let payload = serde_json::from_value(json!({ "Records": records })).unwrap();
    let response = audit_stream::handle(&app, LambdaEvent::new(payload, Context::default())).await.unwrap();
    let failures = response.batch_item_failures.into_iter().map(|f| f.item_identifier.unwrap()).collect();
    (failures, lines)
}

/// A visit with a few audit records, made by the real flow.
async fn trail() -> (Arc<dyn Store>, Vec<AuditRecord>) {
    let app = spawn_app().await;
    let visit_id = app.schedule().await;
    let link = app.mint(&visit_id).await;
    app.redeem(link["code"].as_str().unwrap()).await;
    app.redeem(link["code"].as_str().unwrap()).await;
    app.call("POST", &format!("/visits/{visit_id}/session"), Some(&app.accounts.clinician), None).await;
    let store: Arc<dyn Store> = app.world().store.clone();
    let records = store.audit_trail(&VisitId::parse(&visit_id).unwrap()).await.unwrap();
    (store, records)
}

fn visit_of(record: &AuditRecord) -> VisitId {
    match &record.subject {
        AuditSubject::Visit(id) => id.clone(),
        other => panic!("a visit's record, not {other}'s"),
    }
}

#[tokio::test]
async fn each_audit_record_is_copied_as_one_line_and_counted() {
    let (store, records) = trail().await;
    let refusals = store.refusals(&visit_of(&records[0])).await.unwrap();
    assert_eq!(refusals.len(), 1, "the second redemption was refused");
    let mut batch: Vec<Value> = records.iter().enumerate().map(|(i, r)| stream_record(i as u64 + 1, r)).collect();
    batch.push(refusal_record(100, &refusals[0]));
    let (failures, lines) = run(store, batch).await;
    assert!(failures.is_empty());
    let copies = lines.copies();
    assert_eq!(copies.len(), records.len() + 1);
    for (copy, record) in copies.iter().zip(&records) {
        assert_eq!(copy, &serde_json::to_value(record).unwrap(), "the copy is exactly the audit record");
    }
    assert_eq!(copies.last(), Some(&serde_json::to_value(&refusals[0]).unwrap()), "and the refusal, exactly");
    assert_eq!(lines.metric("LinksMinted"), 1);
    assert_eq!(lines.metric("LinksRedeemed"), 1);
    assert_eq!(lines.metric("LinksRefused"), 1);
    assert_eq!(lines.metric("SessionsStarted"), 1);
    assert_eq!(lines.metric("AuditChainBreaks"), 0);
    let by_reason = lines.parsed().into_iter().find(|l| l["Reason"] == "already_redeemed").expect("refusals by reason");
    assert_eq!(by_reason["LinksRefused"], 1);
}

#[tokio::test]
async fn a_record_whose_predecessor_is_not_in_the_batch_is_checked_against_the_table() {
    let (store, records) = trail().await;
    let last = records.last().unwrap();
    let (failures, lines) = run(store, vec![stream_record(9, last)]).await;
    assert!(failures.is_empty());
    assert_eq!(lines.metric("AuditChainBreaks"), 0);
}

#[tokio::test]
async fn a_tampered_record_raises_the_chain_break_metric() {
    let (store, records) = trail().await;
    let mut forged = records[1].clone();
    forged.actor = "admin:someone-else".into();
    let (failures, lines) = run(store.clone(), vec![stream_record(1, &records[0]), stream_record(2, &forged)]).await;
    assert!(failures.is_empty(), "a break is reported, not retried");
    assert_eq!(lines.metric("AuditChainBreaks"), 1);

    let mut relinked = records[2].clone();
    relinked.prev_hash = records[0].hash;
    relinked.hash = relinked.computed_hash();
    let (_, lines) = run(store, vec![stream_record(3, &relinked)]).await;
    assert_eq!(lines.metric("AuditChainBreaks"), 1, "a re-hashed record that skips one is caught too");
}

#[tokio::test]
async fn a_malformed_record_is_a_batch_item_failure_and_the_rest_are_processed() {
    let (store, records) = trail().await;
    let mut broken = stream_record(2, &records[1]);
    broken["dynamodb"]["NewImage"]["record"] = json!({"M": {"seq": {"S": "not a number"}}});
    let batch = vec![stream_record(1, &records[0]), broken, stream_record(3, &records[2])];
    let (failures, lines) = run(store, batch).await;
    assert_eq!(failures, ["2"]);
    assert_eq!(lines.copies().iter().map(|c| c["seq"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 3]);
}

#[tokio::test]
async fn a_refusal_with_a_broken_seal_raises_the_chain_break_metric() {
    let (store, records) = trail().await;
    let mut forged = store.refusals(&visit_of(&records[0])).await.unwrap().remove(0);
    forged.reason = "expired".into();
    let (failures, lines) = run(store, vec![refusal_record(1, &forged)]).await;
    assert!(failures.is_empty());
    assert_eq!((lines.metric("LinksRefused"), lines.metric("AuditChainBreaks")), (1, 1));
}
