//! A fresh link on request: the holder of a dead link asks, the contact on file gets a new one,
//! within the limits; the caller learns nothing either way.

use serde_json::json;
use visits_tests::{TestApp, spawn_app, spawn_aws_app};

fn sent(app: &TestApp) -> usize {
    app.world().outbox.sent().len()
}

#[tokio::test]
async fn a_dead_links_holder_gets_a_fresh_one_at_the_contact_on_file_within_limits() {
    let app = spawn_app().await;
    let visit = app.schedule().await;
    let old = app.mint(&visit).await["code"].as_str().unwrap().to_owned();
    let resend = |code: String| {
        let app = &app;
        async move { app.call("POST", &format!("/join/{code}/resend"), None, None).await }
    };
    let reply = resend(old.clone()).await;
    assert_eq!((reply.status, &reply.body), (202, &json!({"status": "accepted"})));
    assert_eq!(sent(&app), 2, "SMS and email to the contact on file");
    assert_eq!(app.call("GET", &format!("/join/{old}"), None, None).await.body["status"], "revoked");

    // Within 5 minutes: the same answer, nothing sent.
    assert_eq!(resend(old.clone()).await.status, 202);
    assert_eq!(sent(&app), 2);
    // Then at most 3 a day.
    for expected in [4, 6, 6] {
        app.clock.advance(chrono::Duration::minutes(6));
        assert_eq!(resend(old.clone()).await.status, 202);
        assert_eq!(sent(&app), expected);
    }
    // An unknown code: the same answer, nothing sent.
    let unknown = resend("ABCDEFGHJKMNPQ".into()).await;
    assert_eq!((unknown.status, &unknown.body), (202, &json!({"status": "accepted"})));
    assert_eq!(sent(&app), 6);
    let with_body = app.call("POST", &format!("/join/{old}/resend"), None, Some(json!({"phone": "+15550100"}))).await;
    with_body.assert_problem(400, Some("phone"));
}

#[tokio::test]
async fn nothing_goes_out_for_an_ended_visit_and_asking_counts_against_the_source() {
    let app = spawn_app().await;
    let visit = app.schedule().await;
    let code = app.mint(&visit).await["code"].as_str().unwrap().to_owned();
    app.call("POST", &format!("/visits/{visit}/cancel"), Some(&app.accounts.clinician), None).await;
    let before = sent(&app);
    assert_eq!(app.call("POST", &format!("/join/{code}/resend"), None, None).await.status, 202);
    assert_eq!(sent(&app), before, "a cancelled visit sends nothing");
    let mut last = 0;
    for _ in 0..21 {
        last = app.call("POST", "/join/ABCDEFGHJKMNPQ/resend", None, None).await.status;
        if last == 429 {
            break;
        }
    }
    assert_eq!(last, 429, "20 asks per source, then 429");
}

/// On DynamoDB the request writes the ask and sends nothing; the ask's record, as the table's
/// stream hands it to visit-jobs, sends the fresh link, once however often it is delivered.
#[tokio::test]
async fn on_the_aws_adapters_the_ask_is_written_and_its_record_sends_the_link_once() {
    let app = spawn_aws_app().await;
    let visit = app.schedule().await;
    let old = app.mint(&visit).await["code"].as_str().unwrap().to_owned();
    let resend = format!("/join/{old}/resend");
    assert_eq!(app.call("POST", &resend, None, None).await.status, 202);
    assert_eq!(app.call("GET", &format!("/join/{old}"), None, None).await.body["status"], "active", "nothing sent yet");
    assert_eq!(app.call("POST", &resend, None, None).await.status, 202);
    let asked = app.resends_asked(&visit).await;
    assert_eq!(asked.len(), 1, "within 5 minutes the second ask is not written");

    assert!(app.follow_resend(&asked[0]).await);
    assert!(!app.follow_resend(&asked[0]).await, "delivered again: nothing sent");
    assert_eq!(app.call("GET", &format!("/join/{old}"), None, None).await.body["status"], "revoked");
    let (types, chain_valid) = app.audit_types(&visit).await;
    let count = |kind: &str| types.iter().filter(|t| *t == kind).count();
    assert!(chain_valid);
    assert_eq!((count("link.resend_asked"), count("link.minted"), count("notification.sent")), (1, 2, 2), "{types:?}");
}
