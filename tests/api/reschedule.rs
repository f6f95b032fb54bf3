//! Moving a visit: only while scheduled, by its clinician or an admin; earlier links stop
//! working, the patient gets the new time (in the visit's zone) with a fresh link, and the move
//! is audited.

use serde_json::json;
use visits_domain::model::AuditKind;
use visits_tests::spawn_app;

#[tokio::test]
async fn a_rescheduled_visit_revokes_its_links_and_tells_the_patient() {
    let app = spawn_app().await;
    let visit = app.schedule().await;
    let old = app.mint(&visit).await;
    let old_code = old["code"].as_str().unwrap().to_owned();
    let path = format!("/visits/{visit}/reschedule");
    let at = (visits_tests::start_time() + chrono::Duration::days(3)).to_rfc3339();
    let dr = app.accounts.clinician.clone();

    let moved = app.call("POST", &path, Some(&dr), Some(json!({"scheduledAt": at, "durationMinutes": 45}))).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(
        (moved.body["scheduledAt"].as_str(), moved.body["durationMinutes"].as_u64()),
        (Some("2030-01-10T09:00:00Z"), Some(45))
    );
    assert_eq!(app.call("GET", &format!("/join/{old_code}"), None, None).await.body["status"], "revoked");

    let sent = app.world().outbox.sent();
    let texts: Vec<String> = sent
        .iter()
        .map(|m| match &m.message {
            visits_domain::ports::OutgoingMessage::Sms { body, .. } => body.clone(),
            visits_domain::ports::OutgoingMessage::Email { body, .. } => body.clone(),
        })
        .collect();
    assert_eq!(texts.len(), 2, "SMS and email");
    for text in &texts {
        assert!(text.contains("2030-01-10 09:00 UTC"), "{text}");
        let code = text.split("/j/").nth(1).unwrap().split_whitespace().next().unwrap();
        assert_eq!(app.call("GET", &format!("/join/{code}"), None, None).await.body["status"], "active");
    }
    let (kinds, valid) = app.audit_types(&visit).await;
    assert!(valid);
    assert!(kinds.contains(&AuditKind::VisitRescheduled.as_str().to_owned()), "{kinds:?}");
}

#[tokio::test]
async fn only_a_scheduled_visit_moves_by_its_manager_to_a_future_time() {
    let app = spawn_app().await;
    let visit = app.schedule().await;
    let path = format!("/visits/{visit}/reschedule");
    let later = (visits_tests::start_time() + chrono::Duration::days(1)).to_rfc3339();
    let body = json!({"scheduledAt": later});
    app.call("POST", &path, Some(&app.accounts.patient), Some(body.clone())).await.assert_problem(403, None);
    app.call("POST", &path, Some(&app.accounts.clinician2), Some(body.clone())).await.assert_problem(404, None);
    let past = json!({"scheduledAt": "2020-01-01T00:00:00Z"});
    app.call("POST", &path, Some(&app.accounts.clinician), Some(past)).await.assert_problem(422, Some("scheduledAt"));
    let typo = json!({"scheduledAt": later, "duration": 30});
    app.call("POST", &path, Some(&app.accounts.clinician), Some(typo)).await.assert_problem(400, Some("duration"));
    let admin = app.call("POST", &path, Some(&app.accounts.admin), Some(body.clone())).await;
    assert_eq!(admin.status, 200, "{}", admin.body);
    app.call("POST", &format!("/visits/{visit}/cancel"), Some(&app.accounts.clinician), None).await;
    app.call("POST", &path, Some(&app.accounts.clinician), Some(body)).await.assert_problem(409, None);
}

/// A move retires the patient's join token too: moved a few minutes earlier, the window is still
/// open, and the token of the earlier redemption is refused (the fresh link admits them again).
#[tokio::test]
async fn a_moved_visit_refuses_a_join_token_from_before_the_move() {
    let app = spawn_app().await;
    let visit = app.schedule_in(20).await;
    let link = app.mint(&visit).await;
    app.clock.advance(chrono::Duration::minutes(10));
    let redeemed = app.redeem(link["code"].as_str().unwrap()).await;
    assert_eq!(redeemed.status, 200, "{}", redeemed.body);
    let token = redeemed.body["joinToken"].as_str().unwrap().to_owned();
    assert_eq!(app.call("POST", "/join/session", Some(&token), None).await.status, 202);
    let at = (app.clock_now() + chrono::Duration::minutes(5)).to_rfc3339();
    let path = format!("/visits/{visit}/reschedule");
    let moved = app.call("POST", &path, Some(&app.accounts.clinician), Some(json!({"scheduledAt": at}))).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    app.call("POST", "/join/session", Some(&token), None).await.assert_problem(401, None);
}
