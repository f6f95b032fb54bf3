//! The access log's seals: each past hour sealed once and chained, and the verification finding a
//! removed, altered or unsealed record, a missing or forged seal and a broken chain. On memory
//! and on the local AWS (DynamoDB's by-hour index, a KMS seal key, an Object Lock bucket).

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use visits_domain::model::{
    AccessAction, AccessOutcome, AccessRecord, Accessor, Reading, RequestInfo, SealFinding, UserId, VisitId,
};
use visits_domain::ports::{AccessLog, SealStore, Store};
use visits_domain::rules::Policy;
use visits_domain::tokens::Tokens;
use visits_domain::usecases::{AccessSeals, Core};
use visits_embedded::{LocalSigner, ManualClock, MemorySeals, MemoryStore};
use visits_tests::local_aws;

fn start() -> DateTime<Utc> {
    "2030-05-01T09:00:00Z".parse().expect("an instant")
}

/// Six reads by a clinician, 25 minutes apart from 09:05: three in the hour from 09:00, two in
/// the next, one in the one after.
fn reads(patient: &UserId) -> Vec<AccessRecord> {
    let visit = VisitId::parse("vis_aaaaaaaaaaaaaaaaaaaa").expect("a visit id");
    let clinician = Accessor { id: "c-1".into(), role: "clinician".into(), client: Some("desk".into()) };
    (0..6)
        .map(|n| {
            let request =
                RequestInfo { request_id: format!("req-{n}"), client: None, source_ip: Some("10.0.0.9".into()) };
            let at = start() + Duration::minutes(25 * n + 5);
            let reading = Reading { actor: clinician.clone(), request: &request, at };
            reading.of_visit(patient, &visit, AccessAction::Read, AccessOutcome::Allowed)
        })
        .collect()
}

struct Sealing {
    seals: AccessSeals,
    clock: Arc<ManualClock>,
    store: Arc<dyn Store>,
}

fn sealing(store: Arc<dyn Store>, signer: Arc<dyn visits_domain::ports::Signer>, kept: Arc<dyn SealStore>) -> Sealing {
    let clock = Arc::new(ManualClock::new(start()));
    let core = Core {
        store: store.clone(),
        clock: clock.clone(),
        ids: Arc::new(visits_runtime::OsRandom),
        policy: Arc::new(Policy::default()),
    };
    let tokens = Arc::new(Tokens::new(signer, "video-visits"));
    Sealing { seals: AccessSeals::new(core, tokens, kept), clock, store }
}

/// Seals the three hours once they are over, and finds them intact.
async fn sealed(sealing: &Sealing, patient: &UserId) -> Vec<AccessRecord> {
    let records = reads(patient);
    sealing.store.record_access(&records).await.expect("kept");
    sealing.clock.set(start() + Duration::hours(3) + Duration::minutes(9));
    let early = sealing.seals.seal_due().await.unwrap();
    assert!(!early.contains(&(start() + Duration::hours(2))), "the last hour waits out its grace");
    sealing.clock.set(start() + Duration::hours(3) + Duration::minutes(11));
    let due = sealing.seals.seal_due().await.unwrap();
    assert_eq!(due, [start() + Duration::hours(2)], "each hour once, the rest sealed already");
    assert!(sealing.seals.seal_due().await.unwrap().is_empty(), "nothing twice");
    let report = sealing.seals.verify(start(), start() + Duration::hours(3)).await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!((report.periods, report.records), (3, 6));
    records
}

#[tokio::test]
async fn sealed_hours_find_a_removed_altered_or_added_record_and_a_missing_or_forged_seal() {
    let store = Arc::new(MemoryStore::new());
    let kept = Arc::new(MemorySeals::default());
    let sealing = sealing(store.clone(), Arc::new(LocalSigner::generate()), kept.clone());
    let patient = UserId::parse("p-sealed").unwrap();
    let records = sealed(&sealing, &patient).await;

    // The table changed behind the API's back: one read removed, one altered, one slipped in.
    let (removed, altered) = (records[0].sort_key(), records[3].sort_key());
    store.tamper_with_access(&patient, |record| {
        if record.sort_key() == removed {
            Some(None)
        } else if record.sort_key() == altered {
            Some(Some(AccessRecord { outcome: AccessOutcome::Refused, ..record.clone() }))
        } else {
            None
        }
    });
    let slipped = AccessRecord { request_id: "req-late".into(), ..records[5].clone() };
    store.record_access(std::slice::from_ref(&slipped)).await.unwrap();
    let report = sealing.seals.verify(start(), start() + Duration::hours(3)).await.unwrap();
    let hour = |n| start() + Duration::hours(n);
    assert_eq!(
        report.findings,
        [
            SealFinding::Removed { period: hour(0), patient_id: patient.clone(), key: removed },
            SealFinding::Altered { period: hour(1), patient_id: patient.clone(), key: altered },
            SealFinding::Unsealed { period: hour(2), patient_id: patient.clone(), key: slipped.sort_key() },
        ]
    );

    // A seal re-signed by another key, and one taken away (the next one's chain breaks).
    let forged = Tokens::new(Arc::new(LocalSigner::generate()), "video-visits");
    let seal_key = |n| visits_domain::model::Seal::object_key(hour(n));
    kept.tamper(&seal_key(0), Some(forged.sign_document(&serde_json::json!({"period": hour(0)})).await.unwrap()));
    kept.tamper(&seal_key(1), None);
    let report = sealing.seals.verify(start(), start() + Duration::hours(3)).await.unwrap();
    assert!(report.findings.contains(&SealFinding::BadSignature { period: hour(0) }), "{report:?}");
    assert!(report.findings.contains(&SealFinding::MissingSeal { period: hour(1) }), "{report:?}");
    assert!(report.findings.contains(&SealFinding::BrokenChain { period: hour(2) }), "{report:?}");
}

#[tokio::test]
async fn sealed_hours_on_the_aws_adapters_find_a_removed_or_altered_record() {
    let config = local_aws::sdk_config().await;
    let store = Arc::new(local_aws::dynamodb_store().await);
    let (kms, key_id, _) = local_aws::kms_key().await;
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&config).force_path_style(true).build());
    let bucket = format!("seals-{}", uuid::Uuid::new_v4());
    s3.create_bucket().bucket(&bucket).object_lock_enabled_for_bucket(true).send().await.expect("a bucket");
    let kept = Arc::new(visits_seal_store::S3Seals::new(s3.clone(), &bucket));
    let sealing = sealing(store.clone(), Arc::new(visits_kms::KmsSigner::new(kms, key_id)), kept.clone());
    let patient = UserId::parse("p-sealed-aws").unwrap();
    let records = sealed(&sealing, &patient).await;

    // Sealed once: a second put of the hour leaves the first.
    let first = kept.seal(&visits_domain::model::Seal::object_key(start())).await.unwrap().expect("sealed");
    kept.put_seal(&visits_domain::model::Seal::object_key(start()), "forged").await.unwrap();
    assert_eq!(kept.seal(&visits_domain::model::Seal::object_key(start())).await.unwrap(), Some(first));

    // The table changed behind the API's back, item by item.
    let dynamodb = aws_sdk_dynamodb::Client::new(&config);
    let table = store.table_name();
    let removed = &records[1];
    dynamodb
        .delete_item()
        .table_name(table)
        .key("PK", aws_sdk_dynamodb::types::AttributeValue::S(format!("ACCESS#{patient}")))
        .key("SK", aws_sdk_dynamodb::types::AttributeValue::S(removed.sort_key()))
        .send()
        .await
        .expect("removed");
    let altered = AccessRecord { actor: Accessor::contact_flow(), ..records[4].clone() };
    let item = visits_dynamodb::schema::to_item(&visits_dynamodb::schema::AccessItem::new(&altered)).unwrap();
    dynamodb.put_item().table_name(table).set_item(Some(item)).send().await.expect("altered");
    let report = sealing.seals.verify(start(), start() + Duration::hours(3)).await.unwrap();
    assert_eq!(
        report.findings,
        [
            SealFinding::Removed { period: start(), patient_id: patient.clone(), key: removed.sort_key() },
            SealFinding::Altered { period: start() + Duration::hours(1), patient_id: patient, key: altered.sort_key() },
        ]
    );
}
