//! Expiry, revocation, the join window and lockout, through the HTTP interface.

use chrono::Duration;
use serde_json::json;
use visits_tests::{Reply, spawn_app};

/// Every refusal looks the same: the body must not tell why.
fn assert_generic_refusal(reply: &Reply, status: u16) {
    reply.assert_problem(status, None);
    assert_eq!(reply.body["type"], "urn:video-visits:problem:link-unavailable", "{}", reply.body);
}

#[tokio::test]
async fn an_expired_link_is_refused() {
    let app = spawn_app().await;
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

#[tokio::test]
async fn a_newer_link_revokes_the_older_one() {
    let app = spawn_app().await;
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

#[tokio::test]
async fn cancelling_revokes_links_and_closes_the_session() {
    let app = spawn_app().await;
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

#[tokio::test]
async fn too_early_is_409_with_opens_at_and_leaves_the_link_usable() {
    let app = spawn_app().await;
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

#[tokio::test]
async fn a_code_is_locked_after_repeated_failures() {
    let app = spawn_app().await;
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

#[tokio::test]
async fn a_source_guessing_codes_is_throttled_and_recovers_after_the_window() {
    let app = spawn_app().await;
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

#[tokio::test]
async fn unknown_and_malformed_codes_get_the_generic_refusal() {
    let app = spawn_app().await;
    assert_generic_refusal(&app.redeem("ABCDEFGHJKMNPQ").await, 410);
    assert_generic_refusal(&app.redeem("not-a-code").await, 410);
    assert_generic_refusal(&app.call("GET", "/join/ABCDEFGHJKMNPQ", None, None).await, 404);
}
