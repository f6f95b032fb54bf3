//! Fault injection on the lander's path: a throttled Cognito or MAC key is a 503 that sends
//! nothing extra, creates nobody and leaves the code usable.

use aws_smithy_mocks::{Rule, mock};
use serde_json::json;
use visits_tests::{Faults, TestApp, spawn_aws_app_with, throttling_response};

fn signup_body(email: &str) -> serde_json::Value {
    json!({"givenName": "Pat", "familyName": "Example", "dateOfBirth": "1980-02-29", "email": email, "channel": "email"})
}

/// A new signup by email: its id and the code sent.
async fn started_signup(app: &TestApp) -> (String, String) {
    let email = format!("pat-{}@example.com", uuid::Uuid::new_v4().simple());
    let started = app.call("POST", "/signup", None, Some(signup_body(&email))).await;
    assert_eq!(started.status, 202, "{}", started.body);
    (started.body["signupId"].as_str().unwrap().to_owned(), app.code_sent_to(&email).await)
}

#[tokio::test]
async fn a_throttled_cognito_is_503_and_the_code_still_works_afterwards() {
    let rule: Rule = mock!(aws_sdk_cognitoidentityprovider::Client::admin_create_user)
        .match_requests(|request| {
            request.message_action() == Some(&aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        })
        .sequence()
        .http_response(|| throttling_response(false))
        .build();
    let app = spawn_aws_app_with(Faults { cognito: vec![rule.clone()], ..Faults::default() }).await;
    let email = format!("pat-{}@example.com", uuid::Uuid::new_v4().simple());
    let started = app.call("POST", "/signup", None, Some(signup_body(&email))).await;
    assert_eq!(started.status, 202, "{}", started.body);
    let code = app.code_sent_to(&email).await;
    let verify = format!("/signup/{}/verify", started.body["signupId"].as_str().unwrap());

    let reply = app.call("POST", &verify, None, Some(json!({"code": code}))).await;
    reply.assert_problem(503, None);
    assert!(reply.header("retry-after").is_some());
    assert_eq!(rule.num_calls(), 1);
    // Cognito answers again: the same code works, once.
    let reply = app.call("POST", &verify, None, Some(json!({"code": code}))).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let reply = app.call("POST", &verify, None, Some(json!({"code": code}))).await;
    reply.assert_problem(400, None);
}

/// The token is signed beside the patient's group: a grant that fails is a 503 that leaves the code
/// usable, and the retry finds the user made the first time and grants them.
#[tokio::test]
async fn a_throttled_grant_is_503_and_the_retry_finishes_the_patient() {
    let rule: Rule = mock!(aws_sdk_cognitoidentityprovider::Client::admin_add_user_to_group)
        .match_requests(|request| request.group_name() == Some("patient"))
        .sequence()
        .http_response(|| throttling_response(false))
        .build();
    let app = spawn_aws_app_with(Faults { cognito: vec![rule.clone()], ..Faults::default() }).await;
    let (signup, code) = started_signup(&app).await;
    let verify = format!("/signup/{signup}/verify");

    let reply = app.call("POST", &verify, None, Some(json!({"code": code}))).await;
    reply.assert_problem(503, None);
    assert_eq!(rule.num_calls(), 1);
    assert_eq!(app.cognito_groups(&signup).await, Some(vec![]), "made, in no group yet");
    let reply = app.call("POST", &verify, None, Some(json!({"code": code}))).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(app.cognito_groups(&signup).await, Some(vec!["patient".to_owned()]));
}

/// The signup is marked verified beside the token's signing: a signer that fails undoes the
/// verification (the contact is let go with it), so the code works again and the retry books.
#[tokio::test]
async fn a_throttled_signer_is_503_and_the_verification_is_undone() {
    let rule: Rule = mock!(aws_sdk_kms::Client::sign).sequence().http_response(|| throttling_response(false)).build();
    let app = spawn_aws_app_with(Faults { kms: vec![rule.clone()], ..Faults::default() }).await;
    let (signup, code) = started_signup(&app).await;
    let verify = format!("/signup/{signup}/verify");

    let reply = app.call("POST", &verify, None, Some(json!({"code": code}))).await;
    reply.assert_problem(503, None);
    assert_eq!(rule.num_calls(), 1);
    // Had the contact stayed claimed, the retry would be refused as someone else's contact.
    let reply = app.call("POST", &verify, None, Some(json!({"code": code}))).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let booking = json!({"signupToken": reply.body["signupToken"], "clinicianId": app.sub("clinician"),
        "scheduledAt": (visits_tests::start_time() + chrono::Duration::days(1)).to_rfc3339(), "durationMinutes": 20});
    let lander = app.accounts.lander.clone();
    let booked = app
        .send("POST", "/service/visits", Some(&lander), Some(booking.to_string()), &[("idempotency-key", "undone")])
        .await;
    assert_eq!(booked.status, 201, "{}", booked.body);
}

#[tokio::test]
async fn a_throttled_mac_key_is_503_and_sends_nothing() {
    let rule: Rule = mock!(aws_sdk_kms::Client::generate_mac).then_http_response(|| throttling_response(false));
    let app = spawn_aws_app_with(Faults { kms: vec![rule.clone()], ..Faults::default() }).await;
    let email = format!("pat-{}@example.com", uuid::Uuid::new_v4().simple());
    let reply = app.call("POST", "/signup", None, Some(signup_body(&email))).await;
    reply.assert_problem(503, None);
    assert!(rule.num_calls() >= 1);
    assert!(app.messages_to(&email).await.is_empty(), "no code went out for a signup that was not kept");
}
