//! The signup routes over HTTP, on both adapter sets: the lander's path from the code in the
//! outbox to a patient, strict bodies, and one answer whether or not the contact is known.

use serde_json::{Value, json};
use visits_tests::{TestApp, spawn_app, spawn_aws_app};

/// A contact no other test (on the shared local AWS) uses.
fn unique_email() -> String {
    format!("pat-{}@example.com", uuid::Uuid::new_v4().simple())
}

fn signup_body(email: &str) -> Value {
    json!({"givenName": "Pat", "familyName": "Example", "dateOfBirth": "1980-02-29", "email": email, "channel": "email"})
}

async fn start(app: &TestApp, email: &str) -> Value {
    let reply = app.call("POST", "/signup", None, Some(signup_body(email))).await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    reply.body
}

async fn lander_path(app: TestApp) {
    let email = unique_email();
    let started = start(&app, &email).await;
    assert!(started["signupId"].as_str().unwrap().starts_with("sgn_"));
    assert_eq!(started["sentTo"], "p***@example.com");
    let signup_id = started["signupId"].as_str().unwrap().to_owned();
    let code = app.code_sent_to(&email).await;

    let verify = format!("/signup/{signup_id}/verify");
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let reply = app.call("POST", &verify, None, Some(json!({"code": wrong}))).await;
    reply.assert_problem(400, None);
    assert!(reply.body["type"].as_str().unwrap().ends_with("code-invalid"), "{}", reply.body);

    let reply = app.call("POST", &verify, None, Some(json!({"code": code}))).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.body["patientId"].is_string() && reply.body["signupToken"].is_string());
    let patient_id = reply.body["patientId"].as_str().unwrap().to_owned();
    let signup_token = reply.body["signupToken"].as_str().unwrap().to_owned();
    book_with_the_signup_token(&app, &signup_token, &patient_id, &email).await;
    let again = app.call("POST", &verify, None, Some(json!({"code": code}))).await;
    again.assert_problem(400, None);
    assert_eq!(
        again.body,
        app.call("POST", &verify, None, Some(json!({"code": wrong}))).await.body,
        "one body for all"
    );

    // The contact belongs to a patient now: the same answer, a message saying so, and no code.
    let known = start(&app, &email).await;
    assert_eq!(
        known.as_object().unwrap().keys().collect::<Vec<_>>(),
        started.as_object().unwrap().keys().collect::<Vec<_>>()
    );
    assert_eq!(known["sentTo"], started["sentTo"]);
    let texts = app.messages_to(&email).await;
    assert!(texts.last().unwrap().contains("already have an account"), "{texts:?}");
    assert!(!texts.last().unwrap().contains("code is"));
}

/// A person with an account made another way (an admin in the user pool, a demo account) is
/// known too: the same answer, a message that they have an account, and no code.
async fn known_from_the_directory(app: TestApp, email: &str) {
    let started = start(&app, email).await;
    assert!(started["signupId"].as_str().unwrap().starts_with("sgn_"));
    let texts = app.messages_to(email).await;
    assert!(texts.last().unwrap().contains("already have an account"), "{texts:?}");
    assert!(!texts.last().unwrap().contains("code is"), "no code for a second account");
    // An address nobody has is sent a code as before.
    let fresh = unique_email();
    start(&app, &fresh).await;
    assert!(app.messages_to(&fresh).await.last().unwrap().contains("code is"));
}

#[tokio::test]
async fn a_demo_accounts_email_is_known_to_signup() {
    known_from_the_directory(spawn_app().await, "patient@demo.health").await;
}

#[tokio::test]
async fn a_user_an_admin_made_in_the_pool_is_known_to_signup() {
    for app in [spawn_app().await, spawn_aws_app().await] {
        let email = unique_email();
        app.add_user_made_elsewhere(&email).await;
        known_from_the_directory(app, &email).await;
    }
}

fn booking(app: &TestApp, signup_token: &str) -> Value {
    json!({
        "signupToken": signup_token,
        "clinicianId": app.sub("clinician"),
        "scheduledAt": (visits_tests::start_time() + chrono::Duration::days(2)).to_rfc3339(),
        "durationMinutes": 20,
        "timeZone": "America/Chicago",
    })
}

async fn book(app: &TestApp, bearer: &str, body: &Value, key: Option<&str>) -> visits_tests::Reply {
    let headers: Vec<(&str, &str)> = key.map(|k| ("idempotency-key", k)).into_iter().collect();
    app.send("POST", "/service/visits", Some(bearer), Some(body.to_string()), &headers).await
}

/// The lander books with its own token; the patient and contact come from the signup. The token
/// books once (a retry with the same key answers with the first visit), and the patient then
/// sees the visit in the portal.
async fn book_with_the_signup_token(app: &TestApp, signup_token: &str, patient_id: &str, email: &str) {
    let body = booking(app, signup_token);
    let lander = app.accounts.lander.clone();
    book(app, &lander, &body, None).await.assert_problem(400, Some("Idempotency-Key"));
    book(app, &app.accounts.clinician, &body, Some("k1")).await.assert_problem(403, None);
    let mut smuggled = body.clone();
    smuggled["patientContact"] = json!({"phone": "+447911000000"});
    book(app, &lander, &smuggled, Some("k1")).await.assert_problem(400, Some("patientContact"));
    let mut someone_else = body.clone();
    someone_else["patientId"] = json!(app.sub("patient2"));
    book(app, &lander, &someone_else, Some("k1")).await.assert_problem(400, Some("patientId"));

    let booked = book(app, &lander, &body, Some("k1")).await;
    assert_eq!(booked.status, 201, "{}", booked.body);
    assert_eq!(booked.body["patientId"], patient_id);
    assert_eq!(booked.body["clinicianId"], app.sub("clinician"));
    assert_eq!(booked.body["timeZone"], "America/Chicago");
    assert_eq!(
        booked.body["patientContact"],
        json!({"email": email, "displayName": "Pat Example"}),
        "only what was proved"
    );
    let again = book(app, &lander, &body, Some("k1")).await;
    assert_eq!((again.status, &again.body["visitId"]), (201, &booked.body["visitId"]), "a retry is a replay");
    let reply = book(app, &lander, &body, Some("k2")).await;
    reply.assert_problem(401, None);

    let signed_in = app.call("GET", &format!("/dev/tokens?email={email}"), None, None).await;
    assert_eq!((signed_in.status, &signed_in.body["role"]), (200, &json!("patient")), "{}", signed_in.body);
    assert_eq!(signed_in.body["sub"], patient_id);
    let portal = signed_in.body["token"].as_str().unwrap().to_owned();
    let listed = app.call("GET", "/visits", Some(&portal), None).await;
    assert_eq!(listed.body["items"][0]["visitId"], booked.body["visitId"], "{}", listed.body);
}

#[tokio::test]
async fn an_expired_or_forged_signup_token_books_nothing() {
    let app = spawn_app().await;
    let email = unique_email();
    let signup_id = start(&app, &email).await["signupId"].as_str().unwrap().to_owned();
    let code = app.code_sent_to(&email).await;
    let verified = app.call("POST", &format!("/signup/{signup_id}/verify"), None, Some(json!({"code": code}))).await;
    let token = verified.body["signupToken"].as_str().unwrap().to_owned();
    let lander = app.accounts.lander.clone();
    // A link token is not a signup token: another audience.
    let visit_id = app.schedule().await;
    let link = app.mint(&visit_id).await["token"].as_str().unwrap().to_owned();
    book(&app, &lander, &booking(&app, &link), Some("a")).await.assert_problem(401, None);
    book(&app, &lander, &booking(&app, "not.a.jwt"), Some("b")).await.assert_problem(401, None);
    app.clock.advance(chrono::Duration::minutes(61));
    book(&app, &lander, &booking(&app, &token), Some("c")).await.assert_problem(401, None);
    assert_eq!(app.call("GET", "/dev/tokens?email=nobody@example.com", None, None).await.status, 404);
}

#[tokio::test]
async fn the_lander_path_from_the_outbox_code_to_a_patient() {
    lander_path(spawn_app().await).await;
}

#[tokio::test]
async fn the_lander_path_on_the_aws_adapters() {
    lander_path(spawn_aws_app().await).await;
}

#[tokio::test]
async fn resend_answers_alike_for_known_and_unknown_signups() {
    let app = spawn_app().await;
    let email = unique_email();
    let signup_id = start(&app, &email).await["signupId"].as_str().unwrap().to_owned();
    let known = app.call("POST", &format!("/signup/{signup_id}/resend"), None, None).await;
    let unknown = app.call("POST", "/signup/sgn_aaaaaaaaaaaaaaaaaaaa/resend", None, None).await;
    let garbage = app.call("POST", "/signup/not-an-id/resend", None, None).await;
    for reply in [&known, &unknown, &garbage] {
        assert_eq!((reply.status, &reply.body), (202, &json!({"status": "accepted"})));
    }
    assert_eq!(app.messages_to(&email).await.len(), 1, "a resend within 60 s sends nothing");
    app.clock.advance(chrono::Duration::seconds(61));
    app.call("POST", &format!("/signup/{signup_id}/resend"), None, None).await;
    assert_eq!(app.messages_to(&email).await.len(), 2);
    let reply = app.call("POST", &format!("/signup/{signup_id}/resend"), None, Some(json!({"code": "1"}))).await;
    reply.assert_problem(400, Some("code"));
}

#[tokio::test]
async fn signup_bodies_are_strict_and_name_the_field() {
    let app = spawn_app().await;
    let email = unique_email();
    let cases = [
        (json!({"emial": email}), "emial"),
        (json!({"givenName": null}), "givenName"),
        (json!({"givenName": " "}), "givenName"),
        (json!({"dateOfBirth": "1980-02-30"}), "dateOfBirth"),
        (json!({"channel": "fax"}), "channel"),
        (json!({"channel": "sms"}), "phone"),
        (json!({"phone": "07911 123456"}), "phone"),
        (json!({"email": "not-an-address"}), "email"),
    ];
    for (change, field) in cases {
        let mut body = signup_body(&email);
        for (key, value) in change.as_object().unwrap() {
            body[key] = value.clone();
        }
        let reply = app.call("POST", "/signup", None, Some(body)).await;
        reply.assert_problem(400, Some(field));
    }
    let mut unborn = signup_body(&email);
    unborn["dateOfBirth"] = json!("2031-01-01");
    app.call("POST", "/signup", None, Some(unborn)).await.assert_problem(422, Some("dateOfBirth"));
    let mut without_channel = signup_body(&email);
    without_channel.as_object_mut().unwrap().remove("channel");
    app.call("POST", "/signup", None, Some(without_channel)).await.assert_problem(400, Some("channel"));
    assert!(app.messages_to(&email).await.is_empty(), "nothing refused was sent");
    let reply = app.call("POST", "/signup/sgn_aaaaaaaaaaaaaaaaaaaa/verify", None, Some(json!({"code": 123456}))).await;
    reply.assert_problem(400, Some("code"));
}

#[tokio::test]
async fn wrong_codes_from_one_source_are_throttled_like_join() {
    let app = spawn_app().await;
    let mut last = None;
    for _ in 0..21 {
        let reply =
            app.call("POST", "/signup/sgn_aaaaaaaaaaaaaaaaaaaa/verify", None, Some(json!({"code": "123456"}))).await;
        last = Some(reply.status);
        if reply.status == 429 {
            assert!(reply.header("retry-after").is_some());
            break;
        }
        reply.assert_problem(400, None);
    }
    assert_eq!(last, Some(429), "20 failures per source, then 429");
    // Starting a signup from that source is refused too: the count is the source's.
    let reply = app.call("POST", "/signup", None, Some(signup_body(&unique_email()))).await;
    reply.assert_problem(429, None);
}
