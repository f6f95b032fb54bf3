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
            OutgoingMessage::Email { to, subject, body, calendar } => {
                assert_eq!(to.expose(), "pat@example.com");
                assert!(calendar.is_some(), "the email carries the invitation");
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

/// What a calendar reads from the invitation: one event, at the visit's time, whose URL is the
/// portal's page for the visit (a calendar is shared and synced: never the one-time link).
#[tokio::test]
async fn the_email_invitation_parses_and_points_at_the_portal_in_the_visits_zone() {
    let app = spawn_app().await;
    let mut body = app.visit_body(10);
    body["timeZone"] = json!("America/Chicago");
    let visit = app.call("POST", "/visits", Some(&app.accounts.clinician), Some(body)).await;
    let visit_id = visit.body["visitId"].as_str().unwrap().to_owned();
    app.call("POST", &format!("/visits/{visit_id}/notify"), Some(&app.accounts.clinician), None).await;
    let sent = app.world().outbox.sent();
    let (text, calendar) = sent
        .iter()
        .find_map(|m| match &m.message {
            OutgoingMessage::Email { body, calendar, .. } => Some((body.clone(), calendar.clone().unwrap())),
            _ => None,
        })
        .unwrap();
    assert!(text.contains("2030-01-07 03:10 CST"), "the visit's local time: {text}");
    let sms = sent
        .iter()
        .find_map(|m| match &m.message {
            OutgoingMessage::Sms { body, .. } => Some(body.clone()),
            _ => None,
        })
        .unwrap();
    assert!(sms.contains("03:10 CST"), "{sms}");

    let mut calendars = ical::IcalParser::new(calendar.as_bytes());
    let parsed = calendars.next().expect("one calendar").expect("a valid calendar");
    assert_eq!(parsed.events.len(), 1);
    let property = |name: &str| {
        parsed.events[0].properties.iter().find(|p| p.name == name).and_then(|p| p.value.clone()).unwrap_or_default()
    };
    assert_eq!(property("DTSTART"), "20300107T091000Z");
    assert_eq!(property("DTEND"), "20300107T094000Z");
    assert_eq!(property("URL"), format!("http://127.0.0.1:3001/visits/{visit_id}"));
    assert_eq!(property("UID"), format!("{visit_id}@video-visits"));
    assert!(!calendar.contains("/j/"), "never the one-time link: {calendar}");
    for private in ["pat@", "+44", "Pat"] {
        assert!(!calendar.contains(private), "{private} in {calendar}");
    }
}
