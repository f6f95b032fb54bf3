//! Sending links: what the messages say, and what a failed channel does.

use serde_json::json;
use visits_domain::model::Channel;
use visits_domain::ports::OutgoingMessage;
use visits_tests::spawn_app;

#[tokio::test]
async fn notify_sends_a_fresh_link_on_every_channel_and_nothing_about_health() {
    let app = spawn_app().await;
    let visit_id = app.schedule().await;
    let earlier = app.mint(&visit_id).await;
    let reply = app.call("POST", &format!("/visits/{visit_id}/notify"), Some(&app.accounts.clinician), None).await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    let deliveries = reply.body["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 2);
    assert!(deliveries.iter().all(|d| d["status"] == "sent" && d["messageId"].is_string()));

    let sent = app.world().outbox.sent();
    let texts: Vec<String> = sent
        .iter()
        .map(|m| match &m.message {
            OutgoingMessage::Sms { to, body } => {
                assert_eq!(to.expose(), "+447911123456");
                body.clone()
            }
            OutgoingMessage::Email { to, subject, body } => {
                assert_eq!(to.expose(), "pat@example.com");
                format!("{subject}\n{body}")
            }
        })
        .collect();
    for text in &texts {
        let url = text.split_whitespace().find(|w| w.contains("/j/")).expect("a link");
        let code = url.rsplit('/').next().unwrap();
        assert_eq!(app.call("GET", &format!("/join/{code}"), None, None).await.body["status"], "active");
        assert!(text.contains("2030-01-07 09:10 UTC"), "{text}");
        for private in ["Pat", "pat@", "clinician", &app.sub("clinician"), &app.sub("patient"), &visit_id] {
            assert!(!text.contains(private), "{private} in {text}");
        }
    }
    // The earlier link is revoked by the fresh one.
    let old = app.call("GET", &format!("/join/{}", earlier["code"].as_str().unwrap()), None, None).await;
    assert_eq!(old.body["status"], "revoked");
}

#[tokio::test]
async fn a_failed_channel_is_reported_and_audited_without_failing_the_other() {
    let app = spawn_app().await;
    let visit_id = app.schedule().await;
    app.world().outbox.fail_channel(Channel::Sms);
    let reply = app
        .call(
            "POST",
            &format!("/visits/{visit_id}/notify"),
            Some(&app.accounts.clinician),
            Some(json!({"channels": ["sms", "email"]})),
        )
        .await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    let status = |channel: &str| {
        reply.body["deliveries"].as_array().unwrap().iter().find(|d| d["channel"] == channel).unwrap()["status"].clone()
    };
    assert_eq!((status("sms"), status("email")), ("failed".into(), "sent".into()));
    let (types, valid) = app.audit_types(&visit_id).await;
    assert_eq!(types, ["visit.scheduled", "link.minted", "notification.failed", "notification.sent"]);
    assert!(valid);
}

#[tokio::test]
async fn a_tampered_audit_record_breaks_the_chain() {
    let app = spawn_app().await;
    let visit_id = app.schedule().await;
    app.mint(&visit_id).await;
    assert!(app.audit_types(&visit_id).await.1);
    let id = visits_domain::model::VisitId::parse(&visit_id).unwrap();
    assert!(app.world().store.tamper_with_audit(&id, 1, |record| record.actor = "admin:someone-else".into()));
    assert!(!app.audit_types(&visit_id).await.1, "chainValid turns false");
}
