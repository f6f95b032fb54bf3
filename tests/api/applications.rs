//! Clinician applications over HTTP, on both adapter sets: apply, prove the email with the code
//! from the outbox, read with the applicant token, an admin's review through to approval (which
//! makes the clinician), and strict bodies.

use serde_json::{Value, json};
use visits_domain::model::{ApplicationId, AuditKind};
use visits_domain::ports::ApplicationStore;
use visits_tests::{TestApp, spawn_app, spawn_aws_app};

fn unique_email() -> String {
    format!("dr-{}@clinic.example", uuid::Uuid::new_v4().simple())
}

fn application_body(email: &str) -> Value {
    json!({
        "givenName": "Ada", "familyName": "Lovelace", "email": email, "npi": "1234567893",
        "licenses": [{"state": "CA", "number": "A12345", "expiresOn": "2031-06-30"}],
        "specialty": "Family medicine",
    })
}

/// Applies and verifies: the application id and the applicant token.
async fn applied(app: &TestApp, email: &str) -> (String, String) {
    let started = app.call("POST", "/clinician-applications", None, Some(application_body(email))).await;
    assert_eq!(started.status, 202, "{}", started.body);
    let id = started.body["applicationId"].as_str().unwrap().to_owned();
    let code = app.code_sent_to(email).await;
    let verified =
        app.call("POST", &format!("/clinician-applications/{id}/verify"), None, Some(json!({"code": code}))).await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    (id, verified.body["applicantToken"].as_str().unwrap().to_owned())
}

async fn review(app: &TestApp, id: &str, status: &str, version: u64) -> visits_tests::Reply {
    let body = json!({"status": status, "expectedVersion": version, "note": format!("to {status}")});
    let path = format!("/admin/clinician-applications/{id}/status");
    app.call("POST", &path, Some(&app.accounts.admin), Some(body)).await
}

async fn apply_review_approve(app: TestApp) {
    let email = unique_email();
    let started = app.call("POST", "/clinician-applications", None, Some(application_body(&email))).await;
    assert_eq!(started.status, 202, "{}", started.body);
    assert_eq!(started.body["sentTo"], "d***@clinic.example");
    let id = started.body["applicationId"].as_str().unwrap().to_owned();
    let code = app.code_sent_to(&email).await;
    let verify = format!("/clinician-applications/{id}/verify");
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let refused = app.call("POST", &verify, None, Some(json!({"code": wrong}))).await;
    refused.assert_problem(400, None);
    assert!(refused.body["type"].as_str().unwrap().ends_with("code-invalid"));
    let verified = app.call("POST", &verify, None, Some(json!({"code": code}))).await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    let token = verified.body["applicantToken"].as_str().unwrap().to_owned();
    app.call("POST", &verify, None, Some(json!({"code": code}))).await.assert_problem(400, None);

    // The applicant reads their own application with the token; not another's, not without it.
    let read = app.call("GET", &format!("/clinician-applications/{id}"), Some(&token), None).await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!((read.body["status"].as_str(), read.body["npi"].as_str()), (Some("submitted"), Some("1234567893")));
    assert_eq!(read.body["licenses"], json!([{"state": "CA", "number": "A12345", "expiresOn": "2031-06-30"}]));
    app.clock.advance(chrono::Duration::minutes(1));
    let (other, other_token) = applied(&app, &unique_email()).await;
    let cross = app.call("GET", &format!("/clinician-applications/{id}"), Some(&other_token), None).await;
    cross.assert_problem(404, None);
    app.call("GET", &format!("/clinician-applications/{other}"), None, None).await.assert_problem(401, None);

    // The admin's list: submitted ones, oldest first; not for a clinician.
    let list = app.call("GET", "/admin/clinician-applications?status=submitted", Some(&app.accounts.admin), None).await;
    assert_eq!(list.status, 200, "{}", list.body);
    let ids: Vec<&str> =
        list.body["items"].as_array().unwrap().iter().filter_map(|a| a["applicationId"].as_str()).collect();
    let (mine, theirs) = (ids.iter().position(|i| *i == id), ids.iter().position(|i| *i == other));
    assert!(mine.is_some() && mine < theirs, "oldest first: {ids:?}");
    let denied = app.call("GET", "/admin/clinician-applications", Some(&app.accounts.clinician), None).await;
    denied.assert_problem(403, None);

    // The review: only the contract's moves, only over the version read.
    let version = read.body["version"].as_u64().unwrap();
    review(&app, &id, "approved", version).await.assert_problem(409, None);
    review(&app, &id, "under_review", version - 1).await.assert_problem(409, None);
    let under = review(&app, &id, "under_review", version).await;
    assert_eq!((under.status, under.body["status"].as_str()), (200, Some("under_review")), "{}", under.body);
    let approved = review(&app, &id, "approved", under.body["version"].as_u64().unwrap()).await;
    assert_eq!((approved.status, approved.body["status"].as_str()), (200, Some("approved")), "{}", approved.body);
    let notes = approved.body["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[1]["status"], "approved");
    assert!(notes[1]["by"].as_str().unwrap().starts_with("admin:"));
    review(&app, &id, "rejected", approved.body["version"].as_u64().unwrap()).await.assert_problem(409, None);

    // An admin reads it by id with their own token; other staff may not.
    let path = format!("/clinician-applications/{id}");
    let by_admin = app.call("GET", &path, Some(&app.accounts.admin), None).await;
    assert_eq!((by_admin.status, by_admin.body["status"].as_str()), (200, Some("approved")), "{}", by_admin.body);
    app.call("GET", &path, Some(&app.accounts.clinician), None).await.assert_problem(403, None);
    app.call("GET", &path, Some(&app.accounts.patient), None).await.assert_problem(403, None);

    // Approval made the clinician; the table's stream told the applicant, once.
    let signed_in = app.call("GET", &format!("/dev/tokens?email={email}"), None, None).await;
    assert_eq!((signed_in.status, signed_in.body["role"].as_str()), (200, Some("clinician")), "{}", signed_in.body);
    app.follow_application(&id).await;
    assert!(app.messages_to(&email).await.last().unwrap().contains("approved"));
    let told = app.messages_to(&email).await.len();
    assert_eq!(app.follow_application(&id).await, 0, "a redelivered stream tells nobody again");
    assert_eq!(app.messages_to(&email).await.len(), told);
}

#[tokio::test]
async fn an_applicant_applies_and_an_admin_approves_them() {
    let app = spawn_app().await;
    apply_review_approve(app).await;
}

#[tokio::test]
async fn an_applicant_applies_and_an_admin_approves_them_on_the_aws_adapters() {
    apply_review_approve(spawn_aws_app().await).await;
}

#[tokio::test]
async fn every_step_is_on_the_applications_own_chain() {
    let app = spawn_app().await;
    let (id, token) = applied(&app, &unique_email()).await;
    let read = app.call("GET", &format!("/clinician-applications/{id}"), Some(&token), None).await;
    let version = read.body["version"].as_u64().unwrap();
    let under = review(&app, &id, "under_review", version).await;
    review(&app, &id, "needs_info", under.body["version"].as_u64().unwrap()).await;
    let trail = app.world().store.application_trail(&ApplicationId::parse(&id).unwrap()).await.unwrap();
    let kinds: Vec<AuditKind> = trail.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [
            AuditKind::ApplicationStarted,
            AuditKind::ApplicationSubmitted,
            AuditKind::ApplicationStatusChanged,
            AuditKind::ApplicationStatusChanged,
            // The applicant was emailed that their application needs more information.
            AuditKind::NotificationSent,
        ]
    );
    assert!(visits_domain::model::chain_is_valid(&trail));
    for record in &trail {
        let line = serde_json::to_string(record).unwrap();
        for private in ["Ada", "Lovelace", "@clinic.example", "1234567893"] {
            assert!(!line.contains(private), "{private} in {line}");
        }
    }
}

/// The move stands when the applicant's email fails, and the failure is on the chain.
#[tokio::test]
async fn an_email_that_fails_is_audited_and_the_move_stands() {
    let app = spawn_app().await;
    let (id, token) = applied(&app, &unique_email()).await;
    let read = app.call("GET", &format!("/clinician-applications/{id}"), Some(&token), None).await;
    let under = review(&app, &id, "under_review", read.body["version"].as_u64().unwrap()).await;
    app.world().outbox.fail_channel(visits_domain::model::Channel::Email);
    let moved = review(&app, &id, "needs_info", under.body["version"].as_u64().unwrap()).await;
    assert_eq!((moved.status, moved.body["status"].as_str()), (200, Some("needs_info")), "{}", moved.body);
    let trail = app.world().store.application_trail(&ApplicationId::parse(&id).unwrap()).await.unwrap();
    let last = trail.last().unwrap();
    assert_eq!(
        (last.kind, last.data.get("channel").map(String::as_str)),
        (AuditKind::NotificationFailed, Some("email"))
    );
    let again = app.call("GET", &format!("/clinician-applications/{id}"), Some(&token), None).await;
    let version = |reply: &visits_tests::Reply| reply.body["version"].as_u64().unwrap();
    assert_eq!(version(&again), version(&moved) + 1, "the email's outcome was audited after the move");
}

#[tokio::test]
async fn application_bodies_are_strict_and_name_the_field() {
    let app = spawn_app().await;
    let email = unique_email();
    let cases = [
        (json!({"npi": "1234567890"}), "npi", 400),
        (json!({"licenses": []}), "licenses", 400),
        (json!({"licenses": [{"state": "XX", "number": "A1", "expiresOn": "2031-01-01"}]}), "licenses[0].state", 400),
        (json!({"licenses": [{"state": "CA", "number": "A1"}]}), "licenses[0].expiresOn", 400),
        (
            json!({"licenses": [{"state": "CA", "number": "A1", "expiresOn": "2031-01-01", "x": 1}]}),
            "licenses[0].x",
            400,
        ),
        (json!({"licenses": [{"state": "CA", "number": "A1", "expiresOn": "2020-01-01"}]}), "licenses", 422),
        (json!({"email": null}), "email", 400),
        (json!({"specialty": " "}), "specialty", 400),
        (json!({"nip": "1234567893"}), "nip", 400),
    ];
    for (change, field, status) in cases {
        let mut body = application_body(&email);
        for (key, value) in change.as_object().unwrap() {
            body[key] = value.clone();
        }
        let reply = app.call("POST", "/clinician-applications", None, Some(body)).await;
        reply.assert_problem(status, Some(field));
    }
    assert!(app.messages_to(&email).await.is_empty(), "nothing refused was sent");
    let (id, _) = applied(&app, &email).await;
    let path = format!("/admin/clinician-applications/{id}/status");
    let admin = app.accounts.admin.clone();
    for (body, field) in [
        (json!({"status": "approved"}), "expectedVersion"),
        (json!({"status": "done", "expectedVersion": 1}), "status"),
        (json!({"status": "approved", "expectedVersion": -1}), "expectedVersion"),
        (json!({"status": "approved", "expectedVersion": 1, "note": null}), "note"),
    ] {
        app.call("POST", &path, Some(&admin), Some(body)).await.assert_problem(400, Some(field));
    }
    let bad_query = app.call("GET", "/admin/clinician-applications?status=done", Some(&admin), None).await;
    bad_query.assert_problem(400, Some("status"));
}
