//! Guests: a caregiver or interpreter gets a one-time link of their own, waits until the
//! clinician starts, joins the same meeting with their own seat, and is cut off when removed.
//! Nothing done for the patient touches them; the audit trail names them by role and id only.

use serde_json::{Value, json};
use visits_tests::{TestApp, spawn_app, spawn_aws_app};

#[tokio::test]
async fn a_guest_joins_with_their_own_link_and_seat() {
    guest_visit(spawn_app().await).await;
}

#[tokio::test]
async fn a_guest_joins_with_their_own_link_and_seat_on_the_aws_adapters() {
    guest_visit(spawn_aws_app().await).await;
}

fn caregiver(email: &str) -> Value {
    json!({"role": "caregiver", "displayName": "Gail Guest", "contact": {"email": email}})
}

async fn add_guest(app: &TestApp, visit: &str, body: Value) -> Value {
    let reply = app.call("POST", &format!("/visits/{visit}/guests"), Some(&app.accounts.clinician), Some(body)).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body
}

async fn guest_visit(app: TestApp) {
    let visit = app.schedule().await;
    let dr = app.accounts.clinician.clone();
    let added = add_guest(&app, &visit, caregiver("gail@example.com")).await;
    let guest_id = added["guestId"].as_str().unwrap().to_owned();
    assert_eq!(added["role"], "caregiver");
    assert_eq!(added["deliveries"][0]["status"], "sent", "{added}");
    let sent = app.messages_to("gail@example.com").await;
    assert_eq!(sent.len(), 1);
    assert!(!sent[0].contains("Pat") && !sent[0].contains("Gail"), "no names in the message: {}", sent[0]);

    // The guest redeems like the patient, and waits: the session has not started. The patient
    // is not checked in by it.
    let code = app.link_code_sent_to("gail@example.com").await;
    let redeemed = app.redeem(&code).await;
    assert_eq!(redeemed.status, 200, "{}", redeemed.body);
    let guest = redeemed.body["joinToken"].as_str().unwrap().to_owned();
    let waiting = app.call("POST", "/join/session", Some(&guest), None).await;
    assert_eq!((waiting.status, waiting.body["status"].as_str()), (202, Some("waiting")), "{}", waiting.body);
    let read = app.call("GET", &format!("/visits/{visit}"), Some(&dr), None).await;
    assert!(read.body.get("patientCheckedInAt").is_none(), "{}", read.body);
    assert_eq!(read.body["guests"], json!([{"guestId": guest_id, "role": "caregiver", "displayName": "Gail Guest"}]));

    // The patient's link and the clinician's start; the guest gets a seat of their own.
    let patient_link = app.mint(&visit).await;
    let patient =
        app.redeem(patient_link["code"].as_str().unwrap()).await.body["joinToken"].as_str().unwrap().to_owned();
    assert_eq!(app.call("POST", &format!("/visits/{visit}/session"), Some(&dr), None).await.status, 200);
    let joined = app.call("POST", "/join/session", Some(&guest), None).await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    assert_eq!(joined.body["attendee"]["ExternalUserId"], guest_id.as_str());
    let guest_seat = joined.body["attendee"]["AttendeeId"].as_str().unwrap().to_owned();
    let patient_seat = app.call("POST", "/join/session", Some(&patient), None).await.body["attendee"]["AttendeeId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(guest_seat, patient_seat);
    assert_eq!(
        joined.body["meeting"]["MeetingId"],
        app.call("POST", "/join/session", Some(&patient), None).await.body["meeting"]["MeetingId"]
    );

    // A fresh patient link and its redemption leave the guest alone.
    let fresh = app.mint(&visit).await;
    let redeemed = app.redeem(fresh["code"].as_str().unwrap()).await;
    let patient = redeemed.body["joinToken"].as_str().unwrap().to_owned();
    let again = app.call("POST", "/join/session", Some(&guest), None).await;
    assert_eq!(again.body["attendee"]["AttendeeId"].as_str(), Some(guest_seat.as_str()), "{}", again.body);
    assert!(app.seated_attendees().contains(&guest_seat));
    assert!(!app.seated_attendees().contains(&patient_seat), "the patient's own earlier seat was retired");
    let rejoined = app.call("POST", "/join/session", Some(&patient), None).await;
    let patient_seat = rejoined.body["attendee"]["AttendeeId"].as_str().unwrap().to_owned();

    let read = app.call("GET", &format!("/visits/{visit}"), Some(&dr), None).await;
    assert!(read.body["guests"][0]["joinedAt"].is_string(), "{}", read.body);
    let seen_by_patient = app.call("GET", &format!("/visits/{visit}"), Some(&app.accounts.patient), None).await;
    assert!(seen_by_patient.body.get("guests").is_none(), "guests are shown to staff: {}", seen_by_patient.body);

    // Removing the guest: their token and seat go, their link is revoked.
    let removed = app.call("DELETE", &format!("/visits/{visit}/guests/{guest_id}"), Some(&dr), None).await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    assert!(!app.seated_attendees().contains(&guest_seat), "the guest's seat left the meeting");
    assert!(app.seated_attendees().contains(&patient_seat), "the patient stays");
    app.call("POST", "/join/session", Some(&guest), None).await.assert_problem(401, None);
    let preview = app.call("GET", &format!("/join/{code}"), None, None).await;
    assert_eq!(preview.body["status"], "redeemed");
    let read = app.call("GET", &format!("/visits/{visit}"), Some(&dr), None).await;
    assert_eq!(read.body["guests"], json!([]));
    app.call("DELETE", &format!("/visits/{visit}/guests/{guest_id}"), Some(&dr), None).await.assert_problem(404, None);

    // The trail names the guest by role and id, never by name or contact.
    let audit = app.call("GET", &format!("/visits/{visit}/audit"), Some(&app.accounts.admin), None).await;
    assert_eq!(audit.body["chainValid"], true);
    let text = audit.body.to_string();
    assert!(!text.contains("Gail") && !text.contains("gail@"), "{text}");
    let guest_events: Vec<&str> = audit.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["guestId"] == guest_id.as_str())
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    for expected in [
        "guest.added",
        "link.minted",
        "notification.sent",
        "link.redeemed",
        "participant.joined",
        "guest.removed",
        "participant.removed",
    ] {
        assert!(guest_events.contains(&expected), "{expected} in {guest_events:?}");
    }
}

/// A guest whose link is redeemed before the window opens gets the same 409 as the patient, and
/// an unused guest link is revoked with its guest.
#[tokio::test]
async fn a_removed_guests_unused_link_is_revoked() {
    let app = spawn_app().await;
    let visit = app.schedule().await;
    let added = add_guest(&app, &visit, json!({"role": "interpreter", "contact": {"phone": "+14155550123"}})).await;
    let code = app.link_code_sent_to("+14155550123").await;
    assert_eq!(app.call("GET", &format!("/join/{code}"), None, None).await.body["status"], "active");
    let guest_id = added["guestId"].as_str().unwrap();
    let removed =
        app.call("DELETE", &format!("/visits/{visit}/guests/{guest_id}"), Some(&app.accounts.clinician), None).await;
    assert_eq!(removed.status, 204);
    assert_eq!(app.call("GET", &format!("/join/{code}"), None, None).await.body["status"], "revoked");
    assert_eq!(app.redeem(&code).await.status, 410);
}

#[tokio::test]
async fn guests_follow_the_rules() {
    let app = spawn_app().await;
    let visit = app.schedule().await;
    let path = format!("/visits/{visit}/guests");
    let dr = app.accounts.clinician.clone();

    // Who may add: the visit's clinician and admins; the patient is told no, strangers "not found".
    let body = caregiver("c@example.com");
    app.call("POST", &path, Some(&app.accounts.patient), Some(body.clone())).await.assert_problem(403, None);
    app.call("POST", &path, Some(&app.accounts.clinician2), Some(body.clone())).await.assert_problem(404, None);

    // Strict bodies.
    for (bad, field) in [
        (json!({"role": "doctor", "contact": {"email": "c@example.com"}}), "role"),
        (json!({"role": "caregiver", "contact": {}}), "contact"),
        (json!({"role": "caregiver", "contact": null}), "contact"),
        (json!({"role": "caregiver", "contact": {"email": "c@example.com", "fax": "1"}}), "contact"),
        (json!({"role": "caregiver", "contact": {"phone": "555-0123"}}), "contact.phone"),
        (
            json!({"role": "caregiver", "displayName": "x".repeat(101), "contact": {"email": "c@example.com"}}),
            "displayName",
        ),
        (json!({"role": "caregiver", "contact": {"email": "c@example.com"}, "name": "x"}), "name"),
        (json!({"contact": {"email": "c@example.com"}}), "role"),
        (json!({"role": "caregiver", "displayName": null, "contact": {"email": "c@example.com"}}), "displayName"),
        (json!([{"role": "caregiver"}]), "body"),
    ] {
        let reply = app.call("POST", &path, Some(&dr), Some(bad.clone())).await;
        assert_eq!(reply.status, 400, "{bad}: {}", reply.body);
        let named = reply.body["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|e| e["field"].as_str().is_some_and(|f| f.starts_with(field)));
        assert!(named, "{bad} names {field}: {}", reply.body);
    }

    // At most two.
    add_guest(&app, &visit, caregiver("one@example.com")).await;
    add_guest(&app, &visit, json!({"role": "interpreter", "contact": {"email": "two@example.com"}})).await;
    app.call("POST", &path, Some(&dr), Some(caregiver("three@example.com"))).await.assert_problem(409, None);
    assert!(app.messages_to("three@example.com").await.is_empty());

    // Connect visits have one customer seat: no guests.
    let mut connect = app.visit_body(10);
    connect["provider"] = json!("connect");
    let created = app.call("POST", "/visits", Some(&dr), Some(connect)).await;
    let connect_visit = created.body["visitId"].as_str().unwrap();
    app.call("POST", &format!("/visits/{connect_visit}/guests"), Some(&dr), Some(caregiver("c@example.com")))
        .await
        .assert_problem(409, None);

    // Unknown guests, and guests of a visit that is over.
    app.call("DELETE", &format!("{path}/gst_aaaaaaaaaaaaaaaaaaaa"), Some(&dr), None).await.assert_problem(404, None);
    app.call("DELETE", &format!("{path}/not-a-guest"), Some(&dr), None).await.assert_problem(404, None);
    assert_eq!(app.call("POST", &format!("/visits/{visit}/cancel"), Some(&dr), None).await.status, 200);
    app.call("POST", &path, Some(&dr), Some(caregiver("late@example.com"))).await.assert_problem(409, None);
}

/// A moved visit revokes the guest's link (it named the old time), and the guest is sent the new
/// time with a fresh link that works.
#[tokio::test]
async fn a_moved_visits_guest_gets_the_new_time_and_a_fresh_link() {
    let app = spawn_app().await;
    let visit = app.schedule().await;
    let dr = app.accounts.clinician.clone();
    add_guest(&app, &visit, json!({"role": "caregiver", "contact": {"phone": "+14155550199"}})).await;
    let old = app.link_code_sent_to("+14155550199").await;
    let at = (visits_tests::start_time() + chrono::Duration::minutes(30)).to_rfc3339();
    let moved =
        app.call("POST", &format!("/visits/{visit}/reschedule"), Some(&dr), Some(json!({"scheduledAt": at}))).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(app.call("GET", &format!("/join/{old}"), None, None).await.body["status"], "revoked");
    let texts = app.messages_to("+14155550199").await;
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts[1].contains("has moved to 2030-01-07 09:30"), "{}", texts[1]);
    let fresh = app.link_code_sent_to("+14155550199").await;
    assert_ne!(fresh, old);
    app.clock.advance(chrono::Duration::minutes(20));
    assert_eq!(app.redeem(&fresh).await.status, 200);
    let (types, chain_valid) = app.audit_types(&visit).await;
    assert!(chain_valid);
    let sent = types.iter().filter(|t| *t == "notification.sent").count();
    assert_eq!(sent, 4, "the guest's invitation; the move to the patient (SMS, email) and to the guest: {types:?}");
}

/// A guest who asks for a fresh link with their code gets one at their own contact; the patient's
/// link and quota are untouched.
#[tokio::test]
async fn a_guests_resend_goes_to_the_guest_and_leaves_the_patient_alone() {
    let app = spawn_app().await;
    let visit = app.schedule().await;
    let patient_link = app.mint(&visit).await;
    add_guest(&app, &visit, json!({"role": "interpreter", "contact": {"email": "ines@example.com"}})).await;
    let guest_code = app.link_code_sent_to("ines@example.com").await;
    let asked = app.call("POST", &format!("/join/{guest_code}/resend"), None, None).await;
    assert_eq!(asked.status, 202);
    assert_eq!(app.messages_to("ines@example.com").await.len(), 2, "a fresh link to the guest");
    assert!(app.messages_to("pat@example.com").await.is_empty(), "nothing to the patient");
    let fresh = app.link_code_sent_to("ines@example.com").await;
    assert_eq!(app.call("GET", &format!("/join/{guest_code}"), None, None).await.body["status"], "revoked");
    assert_eq!(app.call("GET", &format!("/join/{fresh}"), None, None).await.body["status"], "active");
    let patient_code = patient_link["code"].as_str().unwrap();
    assert_eq!(app.call("GET", &format!("/join/{patient_code}"), None, None).await.body["status"], "active");
    // The patient's own resend is still available: the guest used the guest's quota.
    assert_eq!(app.call("POST", &format!("/join/{patient_code}/resend"), None, None).await.status, 202);
    assert_eq!(app.messages_to("pat@example.com").await.len(), 1);
}

/// One admission per participant, per guest: a guest's fresh link, redeemed, retires the guest's
/// earlier token and takes its seat away, and leaves the patient's alone.
#[tokio::test]
async fn a_guests_fresh_redemption_cuts_off_their_earlier_one() {
    let app = spawn_app().await;
    let visit = app.schedule().await;
    let dr = app.accounts.clinician.clone();
    let patient = app.redeem(app.mint(&visit).await["code"].as_str().unwrap()).await.body["joinToken"]
        .as_str()
        .unwrap()
        .to_owned();
    add_guest(&app, &visit, json!({"role": "caregiver", "contact": {"email": "gail@example.com"}})).await;
    let first = app.redeem(&app.link_code_sent_to("gail@example.com").await).await.body["joinToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.call("POST", &format!("/visits/{visit}/session"), Some(&dr), None).await.status, 200);
    let seat = |reply: &visits_tests::Reply| reply.body["attendee"]["AttendeeId"].as_str().unwrap().to_owned();
    let earlier = seat(&app.call("POST", "/join/session", Some(&first), None).await);
    let patient_seat = seat(&app.call("POST", "/join/session", Some(&patient), None).await);

    let code = app.link_code_sent_to("gail@example.com").await;
    assert_eq!(app.call("POST", &format!("/join/{code}/resend"), None, None).await.status, 202);
    let fresh = app.link_code_sent_to("gail@example.com").await;
    let second = app.redeem(&fresh).await.body["joinToken"].as_str().unwrap().to_owned();
    assert!(!app.seated_attendees().contains(&earlier), "the redemption took the earlier seat away");
    app.call("POST", "/join/session", Some(&first), None).await.assert_problem(401, None);
    let now_seated = seat(&app.call("POST", "/join/session", Some(&second), None).await);
    assert_ne!(now_seated, earlier);
    assert!(app.seated_attendees().contains(&patient_seat), "the patient keeps their seat");
    assert_eq!(app.call("POST", "/join/session", Some(&patient), None).await.status, 200);
}

#[tokio::test]
async fn a_retried_add_with_its_key_answers_the_same_guest() {
    retried_add(spawn_app().await).await;
}

#[tokio::test]
async fn a_retried_add_with_its_key_answers_the_same_guest_on_the_aws_adapters() {
    retried_add(spawn_aws_app().await).await;
}

/// `Idempotency-Key`: a retry answers the first guest and sends nothing again; the same key with
/// another body is a 422; a key's guest removed since is a 409.
async fn retried_add(app: TestApp) {
    let visit = app.schedule().await;
    let path = format!("/visits/{visit}/guests");
    let dr = app.accounts.clinician.clone();
    let body = caregiver("key@example.com").to_string();
    let add = |body: String| app.send("POST", &path, Some(&dr), Some(body), &[("idempotency-key", "add-gail")]);
    let first = add(body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let again = add(body.clone()).await;
    assert_eq!(again.status, 201, "{}", again.body);
    assert_eq!(again.body["guestId"], first.body["guestId"]);
    assert_eq!(again.body["deliveries"], json!([]), "nothing sent again");
    assert_eq!(app.messages_to("key@example.com").await.len(), 1);
    let read = app.call("GET", &format!("/visits/{visit}"), Some(&dr), None).await;
    assert_eq!(read.body["guests"].as_array().unwrap().len(), 1);

    add(caregiver("other@example.com").to_string()).await.assert_problem(422, Some("Idempotency-Key"));
    let guest = first.body["guestId"].as_str().unwrap();
    assert_eq!(app.call("DELETE", &format!("{path}/{guest}"), Some(&dr), None).await.status, 204);
    add(body).await.assert_problem(409, None);
}
