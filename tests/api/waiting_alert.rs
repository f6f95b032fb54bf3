//! The patient-waiting alert: the patient checks in before the session has started, the visit's
//! clinician is told once (the email on their profile) and `Patient waiting` is published with
//! the two ids only. In demo mode through the local server; on the AWS adapters through Cognito's
//! profile, SES and an EventBridge bus on the local AWS.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::json;
use visits_domain::model::{AuditKind, Channel, Email, PatientContact, UserId, Visit};
use visits_domain::ports::{
    Dependency, DependencyError, Directory, EventPublisher, PublishedEvent, StaffContact, StaffDirectory, Store,
};
use visits_domain::usecases::{AlertOutcome, Core, WaitingAlerts};
use visits_embedded::{DirectoryUser, EmbeddedWorld, ManualClock};
use visits_tests::local_aws::sdk_config;
use visits_tests::{TestApp, spawn_app};

const DR_EMAIL: &str = "dr@demo.health";

async fn checked_in(app: &TestApp) -> (String, String) {
    let visit = app.schedule().await;
    let link = app.mint(&visit).await;
    let join = app.redeem(link["code"].as_str().unwrap()).await.body["joinToken"].as_str().unwrap().to_owned();
    let waiting = app.call("POST", "/join/session", Some(&join), None).await;
    assert_eq!(waiting.status, 202, "{}", waiting.body);
    (visit, join)
}

#[tokio::test]
async fn a_waiting_patient_alerts_the_clinician_once() {
    let app = spawn_app().await;
    let (visit, join) = checked_in(&app).await;
    let alerts = app.messages_to(DR_EMAIL).await;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(alerts[0].contains("waiting room") && alerts[0].contains(&visit), "{}", alerts[0]);
    assert!(!alerts[0].contains("Pat") && !alerts[0].contains("+44"), "no patient details: {}", alerts[0]);
    let events = app.call("GET", "/dev/events", None, None).await.body;
    let expected = json!({"source": "video-visits", "detailType": "Patient waiting",
        "detail": {"visitId": visit, "clinicianId": app.sub("clinician")}});
    assert_eq!(events["events"], json!([expected]));

    // Asking again while waiting alerts nobody again.
    assert_eq!(app.call("POST", "/join/session", Some(&join), None).await.status, 202);
    assert_eq!(app.messages_to(DR_EMAIL).await.len(), 1);
    assert_eq!(app.call("GET", "/dev/events", None, None).await.body["events"].as_array().unwrap().len(), 1);
    let (types, chain_valid) = app.audit_types(&visit).await;
    assert!(chain_valid && types.iter().filter(|t| *t == "clinician.alerted").count() == 1, "{types:?}");
}

#[tokio::test]
async fn a_patient_who_joins_a_started_session_alerts_nobody() {
    let app = spawn_app().await;
    let visit = app.schedule().await;
    let dr = app.accounts.clinician.clone();
    assert_eq!(app.call("POST", &format!("/visits/{visit}/session"), Some(&dr), None).await.status, 200);
    let link = app.mint(&visit).await;
    let join = app.redeem(link["code"].as_str().unwrap()).await.body["joinToken"].as_str().unwrap().to_owned();
    assert_eq!(app.call("POST", "/join/session", Some(&join), None).await.status, 200);
    assert!(app.messages_to(DR_EMAIL).await.is_empty());
    assert_eq!(app.call("GET", "/dev/events", None, None).await.body["events"], json!([]));
}

/// A bus that is down.
struct DownBus;

#[async_trait]
impl EventPublisher for DownBus {
    async fn publish(&self, _: &PublishedEvent) -> Result<(), DependencyError> {
        Err(DependencyError::unavailable(Dependency::EventBus, 2))
    }
}

/// A visit of `clinician` with the patient checked in, and the check-in's record.
async fn a_check_in(core: &Core, clinician: &str) -> (Visit, visits_domain::model::AuditRecord) {
    let id = core.ids.visit_id();
    let at = core.now() + chrono::Duration::minutes(10);
    let visit = visits_domain::testing::scheduled_visit(id.clone(), "patient-1", clinician, at);
    core.create(visit, "clinician:seed", |draft| draft.record(AuditKind::VisitScheduled, []), None, None)
        .await
        .expect("the visit");
    let (_, visit) = core
        .mutate(&id, "patient:patient-1", |visit, draft| {
            visit.check_in_patient(draft.now)?;
            draft.record(AuditKind::PatientCheckedIn, []);
            Ok(())
        })
        .await
        .expect("checked in");
    let records = core.store.audit_trail(&id).await.expect("the trail");
    let record = records.into_iter().find(|r| r.kind == AuditKind::PatientCheckedIn).expect("the check-in");
    (visit, record)
}

/// When neither the clinician's email nor the bus takes the alert, nothing is claimed, so the
/// stream's next delivery tries again; when the email goes but the bus is down, the alert is
/// claimed and the trail says the event was not published.
#[tokio::test]
async fn an_alert_that_reached_nobody_is_tried_again() {
    let world = EmbeddedWorld::new(Default::default(), Arc::new(ManualClock::new(visits_tests::start_time())), false);
    let clinician = UserId::parse("c-1").unwrap();
    let contact =
        PatientContact { phone: None, email: Some(Email::parse("c1@clinic.example").unwrap()), display_name: None };
    world.directory.add_user(DirectoryUser { id: clinician, username: "c1".into(), group: Some("clinician"), contact });
    let alerts = WaitingAlerts::new(world.core(), world.directory.clone(), world.outbox.clone(), Arc::new(DownBus));
    let (visit, record) = a_check_in(&world.core(), "c-1").await;

    world.outbox.fail_channel(Channel::Email);
    assert!(alerts.follow(&record).await.is_err(), "nothing reached anyone: the stream retries");
    let stored = world.store.visit(visit.id()).await.unwrap().unwrap();
    assert_eq!(stored.clinician_alerted_at(), None, "nothing claimed");

    world.outbox.recover_channels();
    assert_eq!(alerts.follow(&record).await.unwrap(), AlertOutcome::Alerted);
    let trail = world.store.audit_trail(visit.id()).await.unwrap();
    let alerted = trail.iter().find(|r| r.kind == AuditKind::ClinicianAlerted).expect("clinician.alerted");
    assert_eq!(alerted.data.get("published").map(String::as_str), Some("false"));
    assert_eq!(alerts.follow(&record).await.unwrap(), AlertOutcome::Skipped, "once per visit");
}

/// Cognito's profile (verified email, found by sub), SES and an EventBridge bus on the local AWS.
#[tokio::test]
async fn the_clinician_is_alerted_through_cognito_ses_and_eventbridge() {
    let config = sdk_config().await;
    let id = uuid::Uuid::new_v4().simple().to_string();
    let resources = local_server::provision::Resources {
        table: format!("visits-alert-{id}"),
        signing_key: None,
        mac_key: None,
        sender: "visits@clinic.example".into(),
        user_pool: format!("visits-alert-{id}"),
        recording_bucket: format!("recordings-alert-{id}"),
    };
    let provisioned = local_server::provision::create(&config, &resources).await.expect("provisioned");
    let cognito = aws_sdk_cognitoidentityprovider::Client::new(&config);
    let directory = Arc::new(visits_cognito::CognitoDirectory::new(cognito, &provisioned.user_pool_id));
    let applicant_email = format!("dr-{id}@clinic.example");
    let applicant: visits_domain::model::Applicant = serde_json::from_value(json!({
        "givenName": "Dana", "familyName": "Doctor", "email": applicant_email, "phone": "+14155550123",
        "npi": "1234567893", "licenses": [{"state": "NY", "number": "123456", "expiresOn": "2099-01-01"}]
    }))
    .expect("an applicant");
    let clinician = directory.create_clinician(&format!("app_{id}"), &applicant).await.expect("the clinician");
    let found = directory.contact_of(&clinician).await.expect("a lookup");
    let expected = StaffContact { email: Some(Email::parse(&applicant_email).unwrap()), phone: None };
    assert_eq!(found, Some(expected), "the verified email; the unverified phone is not used");
    assert_eq!(directory.contact_of(&UserId::parse("nobody-at-all").unwrap()).await.unwrap(), None);

    let events = aws_sdk_eventbridge::Client::new(&config);
    let bus = format!("visits-{id}");
    events.create_event_bus().name(&bus).send().await.expect("a bus");
    let store = Arc::new(visits_dynamodb::DynamoStore::new(aws_sdk_dynamodb::Client::new(&config), &resources.table));
    let core = visits_runtime::config::core(store, Arc::new(Default::default()));
    let ses = aws_sdk_sesv2::Client::new(&config);
    let sns = aws_sdk_sns::Client::new(&config);
    let notifier = Arc::new(visits_aws_notify::AwsNotifier::new(ses, sns, &resources.sender));
    let publisher = Arc::new(visits_eventbridge::EventBridgePublisher::new(events, &bus));
    let alerts = WaitingAlerts::new(core.clone(), directory, notifier, publisher);
    let (visit, record) = a_check_in(&core, clinician.as_str()).await;
    assert_eq!(alerts.follow(&record).await.expect("alerted"), AlertOutcome::Alerted);
    assert_eq!(alerts.follow(&record).await.expect("followed again"), AlertOutcome::Skipped);

    let trail = core.store.audit_trail(visit.id()).await.unwrap();
    let alerted = trail.iter().find(|r| r.kind == AuditKind::ClinicianAlerted).expect("clinician.alerted");
    assert_eq!(alerted.data.get("published").map(String::as_str), Some("true"));
    let sent: Vec<_> = trail.iter().filter(|r| r.kind == AuditKind::NotificationSent).collect();
    assert_eq!(sent.len(), 1, "one email to the clinician");
    let outbox = local_server::OutboxSource::Moto(std::env::var("AWS_ENDPOINT_URL").unwrap());
    let messages = outbox.messages().await;
    let to_clinician: Vec<&serde_json::Value> =
        messages["messages"].as_array().unwrap().iter().filter(|m| m["to"] == applicant_email.as_str()).collect();
    assert_eq!(to_clinician.len(), 1, "moto holds the one alert to the clinician: {to_clinician:?}");
    assert_eq!(to_clinician[0]["subject"], "A patient is waiting");
}
