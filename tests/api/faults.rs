//! Fault injection: throttling from each AWS dependency, replayed with aws-smithy-mocks in place
//! of the real answer (the faulted request never reaches the local AWS; every other request
//! does), gives the documented answer and leaves the store as it was. Each rule also asserts the
//! shape of the request it stands in for.

use std::time::Duration;
use visits_domain::ports::DependencyError;

use aws_sdk_connect::types::VideoCapability;
use aws_sdk_kms::types::{MessageType, SigningAlgorithmSpec};
use aws_smithy_mocks::{Rule, mock};
use serde_json::json;
use visits_tests::{Faults, Reply, TestApp, spawn_aws_app_with, throttling_response};

fn assert_503(reply: &Reply) {
    reply.assert_problem(503, None);
    let retry_after: u64 = reply.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!(retry_after >= 1);
}

/// The visit as the API shows it, and its audit event types: what must not change.
async fn snapshot(app: &TestApp, visit_id: &str) -> (serde_json::Value, Vec<String>) {
    let visit = app.call("GET", &format!("/visits/{visit_id}"), Some(&app.accounts.admin), None).await;
    assert_eq!(visit.status, 200, "{}", visit.body);
    (visit.body, app.audit_types(visit_id).await.0)
}

#[tokio::test]
async fn dynamodb_throttling_on_write_is_503_and_nothing_is_stored() {
    let rule: Rule = mock!(aws_sdk_dynamodb::Client::transact_write_items)
        .match_requests(|request| {
            // A new visit: a conditional put of the visit and of its first audit record.
            let items = request.transact_items();
            items.len() == 2
                && items
                    .iter()
                    .all(|i| i.put().is_some_and(|p| p.condition_expression() == Some("attribute_not_exists(PK)")))
        })
        .then_http_response(|| throttling_response(false));
    let app = spawn_aws_app_with(Faults { dynamodb: vec![rule.clone()], ..Faults::default() }).await;
    let reply = app.call("POST", "/visits", Some(&app.accounts.clinician), Some(app.visit_body(10))).await;
    assert_503(&reply);
    assert_eq!(rule.num_calls(), 1);
    let listed = app.call("GET", "/visits", Some(&app.accounts.admin), None).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 0, "no visit was stored");
}

#[tokio::test]
async fn dynamodb_throttling_on_read_is_503() {
    let rule: Rule = mock!(aws_sdk_dynamodb::Client::get_item)
        .match_requests(|request| request.consistent_read() == Some(true))
        .then_http_response(|| throttling_response(false));
    let app = spawn_aws_app_with(Faults { dynamodb: vec![rule.clone()], ..Faults::default() }).await;
    let reply = app.call("GET", "/visits/vis_aaaaaaaaaaaaaaaaaaaa", Some(&app.accounts.admin), None).await;
    assert_503(&reply);
    assert!(rule.num_calls() >= 1);
}

#[tokio::test]
async fn kms_throttling_on_mint_is_503_and_no_link_is_stored() {
    let rule: Rule = mock!(aws_sdk_kms::Client::sign)
        .match_requests(|request| {
            request.message_type() == Some(&MessageType::Raw)
                && request.signing_algorithm() == Some(&SigningAlgorithmSpec::EcdsaSha256)
                && request.message().is_some_and(|m| m.as_ref().split(|b| *b == b'.').count() == 2)
        })
        .then_http_response(|| throttling_response(false));
    let app = spawn_aws_app_with(Faults { kms: vec![rule.clone()], ..Faults::default() }).await;
    let visit_id = app.schedule().await;
    let before = snapshot(&app, &visit_id).await;
    let reply = app.call("POST", &format!("/visits/{visit_id}/links"), Some(&app.accounts.clinician), None).await;
    assert_503(&reply);
    assert_eq!(rule.num_calls(), 1);
    assert_eq!(snapshot(&app, &visit_id).await, before, "the visit and its audit trail are unchanged");
}

/// A link sent in a message is its code: sending one, alone or with a move, signs nothing, so
/// KMS being unavailable does not keep a patient from their link.
#[tokio::test]
async fn links_sent_in_messages_need_no_kms() {
    let rule: Rule = mock!(aws_sdk_kms::Client::sign).then_http_response(|| throttling_response(false));
    let app = spawn_aws_app_with(Faults { kms: vec![rule.clone()], ..Faults::default() }).await;
    let visit_id = app.schedule().await;
    let reply = app.call("POST", &format!("/visits/{visit_id}/notify"), Some(&app.accounts.clinician), None).await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    let at = visits_tests::start_time() + chrono::Duration::days(2);
    let path = format!("/visits/{visit_id}/reschedule");
    let body = json!({"scheduledAt": at.to_rfc3339()});
    let reply = app.call("POST", &path, Some(&app.accounts.clinician), Some(body)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let moved_to: chrono::DateTime<chrono::Utc> = reply.body["scheduledAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(moved_to, at);
    assert_eq!(rule.num_calls(), 0);
    let (types, _) = app.audit_types(&visit_id).await;
    let sent = types.iter().filter(|t| *t == "notification.sent").count();
    assert_eq!(sent, 4, "sms and email, for the first link and the moved visit's: {types:?}");
}

#[tokio::test]
async fn sns_and_ses_throttling_fail_their_channel_only() {
    let sms: Rule = mock!(aws_sdk_sns::Client::publish)
        .match_requests(|request| {
            request.phone_number() == Some("+447911123456")
                && request
                    .message_attributes()
                    .and_then(|a| a.get("AWS.SNS.SMS.SMSType"))
                    .and_then(|v| v.string_value())
                    == Some("Transactional")
        })
        .then_http_response(|| throttling_response(true));
    let app = spawn_aws_app_with(Faults { sns: vec![sms.clone()], ..Faults::default() }).await;
    let visit_id = app.schedule().await;
    let reply = app.call("POST", &format!("/visits/{visit_id}/notify"), Some(&app.accounts.clinician), None).await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    let status = |channel: &str| {
        reply.body["deliveries"].as_array().unwrap().iter().find(|d| d["channel"] == channel).unwrap()["status"].clone()
    };
    assert_eq!((status("sms"), status("email")), (json!("failed"), json!("sent")));
    assert_eq!(sms.num_calls(), 1);
    let (types, _) = app.audit_types(&visit_id).await;
    assert!(types.contains(&"notification.failed".to_owned()) && types.contains(&"notification.sent".to_owned()));

    let mail: Rule = mock!(aws_sdk_sesv2::Client::send_email)
        .match_requests(|request| request.from_email_address() == Some("visits@clinic.example"))
        .then_http_response(|| throttling_response(false));
    let app = spawn_aws_app_with(Faults { ses: vec![mail.clone()], ..Faults::default() }).await;
    let visit_id = app.schedule().await;
    let reply = app
        .call(
            "POST",
            &format!("/visits/{visit_id}/notify"),
            Some(&app.accounts.clinician),
            Some(json!({"channels": ["email"]})),
        )
        .await;
    assert_eq!(reply.status, 202);
    assert_eq!(reply.body["deliveries"][0]["status"], "failed");
    assert_eq!(mail.num_calls(), 1);
}

#[tokio::test]
async fn chime_throttling_on_start_is_503_and_the_visit_is_unchanged() {
    let rule: Rule = mock!(aws_sdk_chimesdkmeetings::Client::create_meeting_with_attendees)
        .match_requests(|request| {
            request.external_meeting_id().is_some_and(|id| id.starts_with("vis_"))
                && request.client_request_token().is_some_and(|t| t.contains("-v"))
                && request.media_region() == Some("us-east-1")
                && request.attendees().len() == 1
        })
        .then_http_response(|| throttling_response(false));
    let app = spawn_aws_app_with(Faults { chime: vec![rule.clone()], ..Faults::default() }).await;
    let visit_id = app.schedule().await;
    let before = snapshot(&app, &visit_id).await;
    let reply = app.call("POST", &format!("/visits/{visit_id}/session"), Some(&app.accounts.clinician), None).await;
    assert_503(&reply);
    assert_eq!(rule.num_calls(), 1);
    assert_eq!(snapshot(&app, &visit_id).await, before);
    assert_eq!(app.live_meetings(), 0);
}

#[tokio::test]
async fn connect_throttling_on_start_is_503_and_the_visit_is_unchanged() {
    let rule: Rule = mock!(aws_sdk_connect::Client::start_web_rtc_contact)
        .match_requests(|request| {
            request.attributes().and_then(|a| a.get("visitId")).is_some_and(|id| id.starts_with("vis_"))
                && request.allowed_capabilities().and_then(|c| c.customer()).and_then(|c| c.video())
                    == Some(&VideoCapability::Send)
                && request.instance_id() == Some("instance-1")
                && request.contact_flow_id() == Some("flow-1")
        })
        .then_http_response(|| throttling_response(false));
    let app = spawn_aws_app_with(Faults { connect: vec![rule.clone()], ..Faults::default() }).await;
    let mut body = app.visit_body(10);
    body["provider"] = "connect".into();
    let created = app.call("POST", "/visits", Some(&app.accounts.clinician), Some(body)).await;
    let visit_id = created.body["visitId"].as_str().unwrap().to_owned();
    let before = snapshot(&app, &visit_id).await;
    let reply = app.call("POST", &format!("/visits/{visit_id}/session"), Some(&app.accounts.clinician), None).await;
    assert_503(&reply);
    assert_eq!(rule.num_calls(), 1);
    assert_eq!(snapshot(&app, &visit_id).await, before);
}

/// A real timeout, not a replayed error: DynamoDB that accepts connections and never answers.
#[tokio::test]
async fn a_dynamodb_timeout_is_unavailable() {
    use visits_domain::ports::Store;
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            held.push(stream);
        }
    });
    let config = visits_tests::local_aws::sdk_config().await;
    let client = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&config)
            .endpoint_url(url)
            .timeout_config(
                aws_smithy_types::timeout::TimeoutConfig::builder()
                    .operation_timeout(Duration::from_millis(300))
                    .build(),
            )
            .retry_config(aws_smithy_types::retry::RetryConfig::disabled())
            .build(),
    );
    let store = visits_dynamodb::DynamoStore::new(client, "any");
    let id = visits_domain::model::VisitId::parse("vis_aaaaaaaaaaaaaaaaaaaa").unwrap();
    assert!(matches!(store.visit(&id).await, Err(DependencyError::Unavailable { .. })));
}

/// The first read of a redemption throttled: 503, and nothing is used up, counted or audited.
#[tokio::test]
async fn dynamodb_throttling_on_a_join_read_is_503_and_the_link_is_untouched() {
    let rule: Rule = mock!(aws_sdk_dynamodb::Client::batch_get_item)
        .match_requests(|request| {
            // The counters and the code's entry, read together and strongly consistent.
            request.request_items().is_some_and(|tables| {
                tables.values().all(|read| {
                    read.consistent_read() == Some(true)
                        && read.keys().iter().any(|key| {
                            key.get("PK").and_then(|pk| pk.as_s().ok()).is_some_and(|pk| pk.starts_with("CODE#"))
                        })
                })
            })
        })
        .then_http_response(|| throttling_response(false));
    let app = spawn_aws_app_with(Faults { dynamodb: vec![rule.clone()], ..Faults::default() }).await;
    let visit_id = app.schedule().await;
    let code = app.mint(&visit_id).await["code"].as_str().unwrap().to_owned();
    let before = snapshot(&app, &visit_id).await;
    assert_503(&app.redeem(&code).await);
    assert!(rule.num_calls() >= 1);
    assert_eq!(snapshot(&app, &visit_id).await, before, "nothing redeemed, refused or audited");
}

/// The session token's signature throttled (it is signed while the link is used up): 503, the
/// redemption is undone on the record, and the link works again.
#[tokio::test]
async fn kms_throttling_on_redeem_is_503_and_the_link_stays_usable() {
    use base64::Engine as _;
    let rule: Rule = mock!(aws_sdk_kms::Client::sign)
        .match_requests(|request| {
            // Only session tokens: their payload names the session audience.
            let payload = request
                .message()
                .and_then(|m| std::str::from_utf8(m.as_ref()).ok()?.split('.').nth(1).map(str::to_owned));
            let claims = payload.and_then(|p| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p).ok());
            claims.is_some_and(|c| String::from_utf8_lossy(&c).contains("video-visits:session"))
        })
        .sequence()
        .http_response(|| throttling_response(false))
        .build();
    let app = spawn_aws_app_with(Faults { kms: vec![rule.clone()], ..Faults::default() }).await;
    let visit_id = app.schedule().await;
    let code = app.mint(&visit_id).await["code"].as_str().unwrap().to_owned();
    let (_, before) = snapshot(&app, &visit_id).await;
    assert_503(&app.redeem(&code).await);
    assert_eq!(rule.num_calls(), 1);
    let (_, after) = snapshot(&app, &visit_id).await;
    assert_eq!(after[before.len()..], ["link.redeemed", "link.restored"], "used up beside the signing, then undone");
    let preview = app.call("GET", &format!("/join/{code}"), None, None).await;
    assert_eq!(preview.body["status"], "active", "the link still works");
    let retried = app.redeem(&code).await;
    assert_eq!(retried.status, 200, "{}", retried.body);
    let token = retried.body["joinToken"].as_str().unwrap();
    assert_eq!(app.call("POST", "/join/session", Some(token), None).await.status, 202, "its token admits");
}

/// What must not change around a capture: the visit, its trail, and its recordings.
async fn capture_snapshot(app: &TestApp, visit_id: &str) -> (serde_json::Value, Vec<String>, serde_json::Value) {
    let (visit, trail) = snapshot(app, visit_id).await;
    let path = format!("/visits/{visit_id}/recordings");
    let recordings = app.call("GET", &path, Some(&app.accounts.admin), None).await;
    (visit, trail, recordings.body)
}

/// Chime's pipelines throttled as a recording starts: 503, and no recording is kept.
#[tokio::test]
async fn a_pipeline_refused_at_the_start_is_503_and_no_recording_is_kept() {
    let rule: Rule = mock!(aws_sdk_chimesdkmediapipelines::Client::create_media_capture_pipeline)
        .match_requests(|request| {
            request.sink_arn().is_some_and(|arn| arn.contains("/captures/")) && request.sink_iam_role_arn().is_some()
        })
        .then_http_response(|| throttling_response(false));
    let app = spawn_aws_app_with(Faults { pipelines: vec![rule.clone()], ..Faults::default() }).await;
    let (visit_id, dr) = (app.schedule().await, app.accounts.clinician.clone());
    assert_eq!(app.call("POST", &format!("/visits/{visit_id}/session"), Some(&dr), None).await.status, 200);
    let agree = json!({"recording": true, "transcription": true});
    assert_eq!(app.call("PUT", &format!("/visits/{visit_id}/consent"), Some(&dr), Some(agree)).await.status, 200);
    let before = capture_snapshot(&app, &visit_id).await;
    assert_503(&app.call("POST", &format!("/visits/{visit_id}/recording"), Some(&dr), None).await);
    assert_eq!(rule.num_calls(), 1);
    assert_eq!(capture_snapshot(&app, &visit_id).await, before);
}

/// A withdrawal whose recording cannot be stopped is not kept: 503, the word and the recording
/// stay as they were, and asking again (once Chime answers) stops it.
#[tokio::test]
async fn a_withdrawal_whose_recording_cannot_stop_is_503_and_nothing_changes() {
    let rule: Rule = mock!(aws_sdk_chimesdkmediapipelines::Client::delete_media_capture_pipeline)
        .match_requests(|request| request.media_pipeline_id().is_some())
        .sequence()
        .http_response(|| throttling_response(false))
        .times(1)
        .build();
    let app = spawn_aws_app_with(Faults { pipelines: vec![rule.clone()], ..Faults::default() }).await;
    let (visit_id, dr) = (app.schedule().await, app.accounts.clinician.clone());
    assert_eq!(app.call("POST", &format!("/visits/{visit_id}/session"), Some(&dr), None).await.status, 200);
    let consent = format!("/visits/{visit_id}/consent");
    let agree = json!({"recording": true, "transcription": false});
    assert_eq!(app.call("PUT", &consent, Some(&dr), Some(agree)).await.status, 200);
    assert_eq!(app.call("POST", &format!("/visits/{visit_id}/recording"), Some(&dr), None).await.status, 201);
    let before = capture_snapshot(&app, &visit_id).await;
    let withdraw = json!({"recording": false, "transcription": false});
    assert_503(&app.call("PUT", &consent, Some(&dr), Some(withdraw.clone())).await);
    assert_eq!(rule.num_calls(), 1);
    assert_eq!(capture_snapshot(&app, &visit_id).await, before, "still recording, the word unchanged");
    assert_eq!(app.call("PUT", &consent, Some(&dr), Some(withdraw)).await.status, 200);
    let recordings = capture_snapshot(&app, &visit_id).await.2;
    assert_eq!(recordings["items"][0]["status"], "processing", "{recordings}");
}
