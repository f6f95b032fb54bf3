//! Who saw what: every route that answers with a patient's data records the read before it
//! answers (refused tries too), and the patient's report lists those reads, newest first, also as
//! FHIR `AuditEvent`s in the shape of IHE BALP PatientRead. On memory and on the local AWS.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use visits_tests::{TestApp, spawn_app, spawn_aws_app};

/// The routes the contract's "Who saw what" names.
const CONTRACT: [&str; 9] = [
    "GET /visits",
    "GET /visits/{visitId}",
    "GET /visits/{visitId}/audit",
    "GET /uploads/{uploadId}",
    "POST /visits/{visitId}/session",
    "POST /join/session",
    "GET /patients/{patientId}/access-log",
    "GET /visits/{visitId}/recordings",
    "GET /visits/{visitId}/transcript",
];

/// Every route a function declares as answering with a patient's data.
fn declared() -> BTreeSet<&'static str> {
    [
        schedule_visit::PATIENT_DATA_ROUTES,
        mint_link::PATIENT_DATA_ROUTES,
        notify::PATIENT_DATA_ROUTES,
        redeem_token::PATIENT_DATA_ROUTES,
        start_session::PATIENT_DATA_ROUTES,
        recordings::PATIENT_DATA_ROUTES,
        guests::PATIENT_DATA_ROUTES,
        signup::PATIENT_DATA_ROUTES,
        book_visit::PATIENT_DATA_ROUTES,
        clinician_applications::PATIENT_DATA_ROUTES,
        uploads::PATIENT_DATA_ROUTES,
    ]
    .into_iter()
    .flatten()
    .copied()
    .collect()
}

#[test]
fn the_routes_declared_as_answering_with_patient_data_are_the_contracts() {
    assert_eq!(declared(), CONTRACT.into_iter().collect());
}

#[tokio::test]
async fn every_read_of_a_patients_data_is_in_their_access_log() {
    reads_are_recorded(spawn_app().await).await;
}

#[tokio::test]
async fn every_read_of_a_patients_data_is_in_their_access_log_on_the_aws_adapters() {
    reads_are_recorded(spawn_aws_app().await).await;
}

/// The patient's log, newest first, as `bearer` reads it.
async fn log_of(app: &TestApp, patient: &str, bearer: &str, query: &str) -> Value {
    let reply = app.call("GET", &format!("/patients/{patient}/access-log{query}"), Some(bearer), None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

fn entries<'a>(log: &'a Value, action: &str) -> Vec<&'a Value> {
    log["items"].as_array().unwrap().iter().filter(|item| item["action"] == action).collect()
}

async fn reads_are_recorded(app: TestApp) {
    let (dr, admin, patient_token) =
        (app.accounts.clinician.clone(), app.accounts.admin.clone(), app.accounts.patient.clone());
    let (patient, clinician) = (app.sub("patient"), app.sub("clinician"));
    let visit_id = app.schedule().await;
    let mut exercised = BTreeSet::new();
    let mut ok = |route: &'static str, reply: &visits_tests::Reply, status: u16| {
        assert_eq!(reply.status, status, "{route}: {}", reply.body);
        exercised.insert(route);
    };

    ok("GET /visits", &app.call("GET", "/visits", Some(&dr), None).await, 200);
    ok("GET /visits/{visitId}", &app.call("GET", &format!("/visits/{visit_id}"), Some(&dr), None).await, 200);
    let stranger = app.call("GET", &format!("/visits/{visit_id}"), Some(&app.accounts.patient2), None).await;
    stranger.assert_problem(404, None);
    ok(
        "GET /visits/{visitId}/audit",
        &app.call("GET", &format!("/visits/{visit_id}/audit"), Some(&admin), None).await,
        200,
    );
    let upload = json!({"purpose": "intake", "visitId": visit_id, "contentType": "application/pdf", "sizeBytes": 10});
    let created = app.call("POST", "/uploads", Some(&patient_token), Some(upload)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let upload_path = format!("/uploads/{}", created.body["uploadId"].as_str().unwrap());
    ok("GET /uploads/{uploadId}", &app.call("GET", &upload_path, Some(&dr), None).await, 200);

    let code = app.mint(&visit_id).await["code"].as_str().unwrap().to_owned();
    let join_token = app.redeem(&code).await.body["joinToken"].as_str().unwrap().to_owned();
    let waiting = app.call("POST", "/join/session", Some(&join_token), None).await;
    assert_eq!(waiting.status, 202, "waiting is not entering: {}", waiting.body);
    let session = format!("/visits/{visit_id}/session");
    ok("POST /visits/{visitId}/session", &app.call("POST", &session, Some(&dr), None).await, 200);
    ok("POST /join/session", &app.call("POST", "/join/session", Some(&join_token), None).await, 200);
    let recordings = app.call("GET", &format!("/visits/{visit_id}/recordings"), Some(&dr), None).await;
    ok("GET /visits/{visitId}/recordings", &recordings, 200);
    let transcript = app.call("GET", &format!("/visits/{visit_id}/transcript"), Some(&admin), None).await;
    ok("GET /visits/{visitId}/transcript", &transcript, 200);

    // The test clock stands still unless moved: each step a second apart orders the log.
    let tick = || app.clock.advance(chrono::Duration::seconds(1));
    tick();
    let log = log_of(&app, &patient, &patient_token, "?limit=200").await;
    exercised.insert("GET /patients/{patientId}/access-log");
    let times: Vec<&str> = log["items"].as_array().unwrap().iter().map(|item| item["at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|pair| pair[0] >= pair[1]), "newest first: {times:?}");
    for (action, role, resource) in [
        ("list", "clinician", format!("visits/{visit_id}")),
        ("read", "clinician", format!("visits/{visit_id}")),
        ("audit_read", "admin", format!("visits/{visit_id}/audit")),
        ("download", "clinician", upload_path.trim_start_matches('/').to_owned()),
        ("read", "clinician", format!("visits/{visit_id}/recordings")),
        ("read", "admin", format!("visits/{visit_id}/transcript")),
    ] {
        let found = entries(&log, action);
        assert!(
            found.iter().any(|item| item["actor"]["role"] == role
                && item["resource"] == resource.as_str()
                && item["outcome"] == "allowed"
                && item["requestId"].is_string()),
            "{action} by {role}: {log}"
        );
    }
    let joins = entries(&log, "join");
    let joined_by: BTreeSet<&str> = joins.iter().map(|item| item["actor"]["role"].as_str().unwrap()).collect();
    assert_eq!(joined_by, BTreeSet::from(["clinician", "patient"]), "one entry each, none while waiting: {log}");
    assert_eq!(joins.len(), 2, "{log}");
    let refused = entries(&log, "read").into_iter().filter(|item| item["outcome"] == "refused").count();
    assert_eq!(refused, 1, "the other patient's try: {log}");
    assert!(entries(&log, "read").iter().any(|item| item["actor"]["id"] == clinician.as_str()));
    assert!(!log.to_string().contains("sourceIp") && !log.to_string().contains("127.0.0.1"), "no source address");

    // Reading the log is itself recorded, and pages go back in time.
    tick();
    let again = log_of(&app, &patient, &patient_token, "?limit=1").await;
    assert_eq!(again["items"][0]["action"], "access_log_read", "{again}");
    let next = again["nextCursor"].as_str().expect("more than one page");
    let older = log_of(&app, &patient, &admin, &format!("?limit=1&cursor={next}")).await;
    assert!(older["items"][0]["at"].as_str() <= again["items"][0]["at"].as_str());
    assert_ne!(older["items"][0], again["items"][0]);
    let future = log_of(&app, &patient, &admin, "?from=2100-01-01T00:00:00Z").await;
    tick();
    assert_eq!(future["items"], json!([]), "nothing read after 2100");

    // Only the patient and admins read it; another patient's try is recorded as refused.
    app.call("GET", &format!("/patients/{patient}/access-log"), Some(&app.accounts.patient2), None)
        .await
        .assert_problem(404, None);
    app.call("GET", &format!("/patients/{patient}/access-log"), Some(&dr), None).await.assert_problem(403, None);
    tick();
    let latest = log_of(&app, &patient, &admin, "?limit=3").await;
    let refused_reads = entries(&latest, "access_log_read").into_iter().filter(|i| i["outcome"] == "refused").count();
    assert_eq!(refused_reads, 2, "{latest}");
    app.call("GET", &format!("/patients/{patient}/access-log?limit=0"), Some(&admin), None)
        .await
        .assert_problem(400, Some("limit"));
    app.call("GET", &format!("/patients/{patient}/access-log?from=yesterday"), Some(&admin), None)
        .await
        .assert_problem(400, Some("from"));

    // The same log as FHIR.
    let fhir = app
        .send(
            "GET",
            &format!("/patients/{patient}/access-log?limit=5"),
            Some(&admin),
            None,
            &[("accept", "application/fhir+json")],
        )
        .await;
    assert_eq!(fhir.status, 200, "{}", fhir.body);
    assert_eq!(fhir.header("content-type"), Some("application/fhir+json"));
    assert_eq!((fhir.body["resourceType"].as_str(), fhir.body["type"].as_str()), (Some("Bundle"), Some("searchset")));
    let events = fhir.body["entry"].as_array().unwrap();
    assert_eq!(events.len(), 5);
    for entry in events {
        visits_tests::balp::assert_patient_read(&entry["resource"], &patient);
    }

    let missing: Vec<_> = declared().into_iter().filter(|route| !exercised.contains(route)).collect();
    assert!(missing.is_empty(), "routes that answer with patient data and are not checked here: {missing:?}");
}

/// A read whose record cannot be written sends nothing: 503, and none of the visit.
#[tokio::test]
async fn a_read_whose_record_cannot_be_kept_is_503_and_sends_nothing() {
    use aws_smithy_mocks::{Rule, mock};
    use visits_tests::{Faults, spawn_aws_app_with, throttling_response};
    let rule: Rule =
        mock!(aws_sdk_dynamodb::Client::batch_write_item).then_http_response(|| throttling_response(false));
    let app = spawn_aws_app_with(Faults { dynamodb: vec![rule.clone()], ..Faults::default() }).await;
    let visit_id = app.schedule().await;
    let read = app.call("GET", &format!("/visits/{visit_id}"), Some(&app.accounts.clinician), None).await;
    read.assert_problem(503, None);
    assert!(read.header("retry-after").is_some());
    assert!(!read.body.to_string().contains(&app.sub("patient")), "nothing of the visit: {}", read.body);
    let listed = app.call("GET", "/visits", Some(&app.accounts.clinician), None).await;
    listed.assert_problem(503, None);
    assert!(rule.num_calls() >= 2);
}
