//! Expiry, revocation, the join window and lockout, through the HTTP interface: on the embedded
//! store and on DynamoDB (the local AWS), where a code's item keeps the copy of its link and visit
//! that the join routes decide on.

use chrono::Duration;
use serde_json::json;
use visits_tests::{Reply, TestApp};

/// Every refusal looks the same: the body must not tell why.
fn assert_generic_refusal(reply: &Reply, status: u16) {
    reply.assert_problem(status, None);
    assert_eq!(reply.body["type"], "urn:video-visits:problem:link-unavailable", "{}", reply.body);
}

async fn an_expired_link_is_refused(app: TestApp) {
    let visit_id = app.schedule().await;
    let link = app.mint(&visit_id).await;
    // The link lives until the join window closes: 10 + 30 + 15 minutes from now.
    app.clock.advance(Duration::minutes(56));
    let preview = app.call("GET", &format!("/join/{}", link["code"].as_str().unwrap()), None, None).await;
    assert_eq!(preview.body["status"], "expired");
    assert_generic_refusal(&app.redeem(link["code"].as_str().unwrap()).await, 410);
    let by_jwt = app.call("POST", "/join", None, Some(json!({ "token": link["token"] }))).await;
    assert_generic_refusal(&by_jwt, 410);
}

async fn a_newer_link_revokes_the_older_one(app: TestApp) {
    let visit_id = app.schedule().await;
    let old = app.mint(&visit_id).await;
    let new = app.mint(&visit_id).await;
    let old_code = old["code"].as_str().unwrap();
    let preview = app.call("GET", &format!("/join/{old_code}"), None, None).await;
    assert_eq!(preview.body["status"], "revoked");
    assert_generic_refusal(&app.redeem(old_code).await, 410);
    assert_generic_refusal(&app.call("POST", "/join", None, Some(json!({ "token": old["token"] }))).await, 410);
    assert_eq!(app.redeem(new["code"].as_str().unwrap()).await.status, 200);
}

async fn cancelling_revokes_links_and_closes_the_session(app: TestApp) {
    let visit_id = app.schedule().await;
    let redeemed_link = app.mint(&visit_id).await;
    let join_token =
        app.redeem(redeemed_link["code"].as_str().unwrap()).await.body["joinToken"].as_str().unwrap().to_owned();
    let unused = app.mint(&visit_id).await;

    let cancelled = app.call("POST", &format!("/visits/{visit_id}/cancel"), Some(&app.accounts.clinician), None).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");

    let code = unused["code"].as_str().unwrap();
    assert_eq!(app.call("GET", &format!("/join/{code}"), None, None).await.body["status"], "revoked");
    assert_generic_refusal(&app.redeem(code).await, 410);
    let session = app.call("POST", "/join/session", Some(&join_token), None).await;
    session.assert_problem(410, None);
    assert_eq!(session.body["visitStatus"], "cancelled");
    let again = app.call("POST", &format!("/visits/{visit_id}/links"), Some(&app.accounts.clinician), None).await;
    again.assert_problem(409, None);
}

async fn too_early_is_409_with_opens_at_and_leaves_the_link_usable(app: TestApp) {
    let visit_id = app.schedule_in(24 * 60).await;
    let link = app.mint(&visit_id).await;
    let code = link["code"].as_str().unwrap();
    let early = app.redeem(code).await;
    early.assert_problem(409, None);
    let opens_at: chrono::DateTime<chrono::Utc> = early.body["opensAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(opens_at, app.clock_now() + Duration::minutes(24 * 60 - 15));
    assert_eq!(app.call("GET", &format!("/join/{code}"), None, None).await.body["status"], "active");

    app.clock.set(opens_at);
    assert_eq!(app.redeem(code).await.status, 200, "the link still works once the window opens");
}

async fn a_code_is_locked_after_repeated_failures(app: TestApp) {
    let visit_id = app.schedule().await;
    let code = app.mint(&visit_id).await["code"].as_str().unwrap().to_owned();
    assert_eq!(app.redeem(&code).await.status, 200);
    // Five failed tries of the used code, then the code is locked.
    for _ in 0..5 {
        assert_generic_refusal(&app.redeem(&code).await, 410);
    }
    let locked = app.redeem(&code).await;
    locked.assert_problem(429, None);
    let retry_after: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!(retry_after > 0 && retry_after <= 15 * 60, "{retry_after}");
}

async fn a_source_guessing_codes_is_throttled_and_recovers_after_the_window(app: TestApp) {
    let visit_id = app.schedule().await;
    let real = app.mint(&visit_id).await["code"].as_str().unwrap().to_owned();
    for i in 0..20 {
        let guess = format!("{:A>14}", format!("Z{i}").replace(['0', '1'], "2"));
        assert_generic_refusal(&app.redeem(&guess).await, 410);
    }
    // Over the limit, even a real code is refused from this source, and preview too.
    app.redeem(&real).await.assert_problem(429, None);
    app.call("GET", &format!("/join/{real}"), None, None).await.assert_problem(429, None);

    app.clock.advance(Duration::minutes(16));
    assert_eq!(app.redeem(&real).await.status, 200);
}

async fn unknown_and_malformed_codes_get_the_generic_refusal(app: TestApp) {
    assert_generic_refusal(&app.redeem("ABCDEFGHJKMNPQ").await, 410);
    assert_generic_refusal(&app.redeem("not-a-code").await, 410);
    assert_generic_refusal(&app.call("GET", "/join/ABCDEFGHJKMNPQ", None, None).await, 404);
}

async fn a_move_revokes_links_and_a_used_link_says_so(app: TestApp) {
    let visit_id = app.schedule().await;
    let used = app.mint(&visit_id).await["code"].as_str().unwrap().to_owned();
    assert_eq!(app.redeem(&used).await.status, 200);
    let unused = app.mint(&visit_id).await["code"].as_str().unwrap().to_owned();
    assert_eq!(status_of(&app, &used).await, "redeemed");
    assert_eq!(status_of(&app, &unused).await, "active");

    let at = (visits_tests::start_time() + Duration::days(3)).to_rfc3339();
    let path = format!("/visits/{visit_id}/reschedule");
    let moved = app.call("POST", &path, Some(&app.accounts.clinician), Some(json!({"scheduledAt": at}))).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(status_of(&app, &unused).await, "revoked", "the move revoked it");
    assert_generic_refusal(&app.redeem(&unused).await, 410);
    assert_eq!(status_of(&app, &used).await, "redeemed", "used stays used");
    assert_generic_refusal(&app.redeem(&used).await, 410);
}

async fn status_of(app: &TestApp, code: &str) -> String {
    let preview = app.call("GET", &format!("/join/{code}"), None, None).await;
    preview.body["status"].as_str().unwrap_or_default().to_owned()
}

on_both_stores!(
    an_expired_link_is_refused,
    a_newer_link_revokes_the_older_one,
    cancelling_revokes_links_and_closes_the_session,
    too_early_is_409_with_opens_at_and_leaves_the_link_usable,
    a_code_is_locked_after_repeated_failures,
    a_source_guessing_codes_is_throttled_and_recovers_after_the_window,
    unknown_and_malformed_codes_get_the_generic_refusal,
    a_move_revokes_links_and_a_used_link_says_so,
);
