//! Recording and transcription through HTTP, on both adapter sets: demo mode's pipelines, and the
//! AWS adapters against the stand-in's pipelines writing to the local AWS's S3. Everyone in the
//! room must agree; a guest entering without consent, or a consent withdrawn, stops a capture by
//! itself; the file follows the pipeline's event; reading it is in the patient's access log.

use serde_json::{Value, json};
use visits_domain::rules::Policy;
use visits_tests::{TestApp, spawn_app, spawn_app_with_policy, spawn_aws_app, spawn_aws_app_with_policy};

#[tokio::test]
async fn a_visit_is_recorded_and_transcribed_only_with_everyones_consent() {
    capture_rules(spawn_app().await).await;
}

#[tokio::test]
async fn a_visit_is_recorded_and_transcribed_only_with_everyones_consent_on_the_aws_adapters() {
    capture_rules(spawn_aws_app().await).await;
}

#[tokio::test]
async fn a_clinic_that_does_not_record_refuses_and_connect_visits_are_not_captured() {
    not_here(spawn_app_with_policy(Policy { recording_allowed: false, ..Policy::default() }).await).await;
}

#[tokio::test]
async fn a_clinic_that_does_not_record_refuses_and_connect_visits_are_not_captured_on_the_aws_adapters() {
    not_here(spawn_aws_app_with_policy(Policy { recording_allowed: false, ..Policy::default() }).await).await;
}

struct Visit<'a> {
    app: &'a TestApp,
    id: String,
}

impl Visit<'_> {
    async fn call(&self, method: &str, tail: &str, bearer: &str, body: Option<Value>) -> visits_tests::Reply {
        self.app.call(method, &format!("/visits/{}/{tail}", self.id), Some(bearer), body).await
    }

    async fn consent(&self, bearer: &str, recording: bool, transcription: bool) {
        let body = json!({"recording": recording, "transcription": transcription});
        let path = if bearer == self.app.accounts.clinician {
            format!("/visits/{}/consent", self.id)
        } else {
            "/join/session/consent".to_owned()
        };
        let given = self.app.call("PUT", &path, Some(bearer), Some(body)).await;
        assert_eq!(given.status, 200, "{}", given.body);
    }

    /// The recordings as the clinician lists them, once the provider's events are followed.
    async fn recordings(&self) -> Vec<Value> {
        self.app.follow_pipelines().await;
        let listed = self.call("GET", "recordings", &self.app.accounts.clinician, None).await;
        assert_eq!(listed.status, 200, "{}", listed.body);
        listed.body["items"].as_array().unwrap().clone()
    }
}

fn missing(reply: &visits_tests::Reply) -> Vec<String> {
    reply.assert_problem(409, None);
    assert!(reply.body["type"].as_str().unwrap().ends_with("consent-required"), "{}", reply.body);
    reply.body["missing"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_owned()).collect()
}

async fn joined(app: &TestApp, join: &str) {
    let entered = app.call("POST", "/join/session", Some(join), None).await;
    assert_eq!(entered.status, 200, "{}", entered.body);
}

async fn capture_rules(app: TestApp) {
    let (dr, admin) = (app.accounts.clinician.clone(), app.accounts.admin.clone());
    let visit = Visit { app: &app, id: app.schedule().await };
    visit.call("POST", "recording", &dr, None).await.assert_problem(409, None);

    // The session is on; the clinician alone is in the room and has not agreed yet.
    assert_eq!(visit.call("POST", "session", &dr, None).await.status, 200);
    assert_eq!(missing(&visit.call("POST", "recording", &dr, None).await), ["clinician"]);
    visit.call("POST", "recording", &app.accounts.patient, None).await.assert_problem(403, None);
    visit.call("POST", "recording", &app.accounts.clinician2, None).await.assert_problem(404, None);
    visit.consent(&dr, true, true).await;

    // The patient agrees to a recording, not to a transcript, and takes their seat.
    let code = app.mint(&visit.id).await["code"].as_str().unwrap().to_owned();
    let patient = app.redeem(&code).await.body["joinToken"].as_str().unwrap().to_owned();
    visit.consent(&patient, true, false).await;
    joined(&app, &patient).await;
    assert_eq!(missing(&visit.call("POST", "transcription", &dr, None).await), ["patient"]);
    let started = visit.call("POST", "recording", &dr, None).await;
    assert_eq!((started.status, started.body["status"].as_str()), (201, Some("recording")), "{}", started.body);
    let recording_id = started.body["recordingId"].as_str().unwrap().to_owned();
    visit.call("POST", "recording", &admin, None).await.assert_problem(409, None);

    // An interpreter who has not agreed enters: the recording stops before their seat is theirs.
    let added = visit.call(
        "POST",
        "guests",
        &dr,
        Some(json!({"role": "interpreter", "contact": {"email": "ines@example.com"}})),
    );
    let guest_id = added.await.body["guestId"].as_str().unwrap().to_owned();
    let guest_code = app.link_code_sent_to("ines@example.com").await;
    let guest = app.redeem(&guest_code).await.body["joinToken"].as_str().unwrap().to_owned();
    joined(&app, &guest).await;
    let recordings = visit.recordings().await;
    assert_eq!(recordings.len(), 1, "{recordings:?}");
    assert_eq!(recordings[0]["recordingId"], recording_id.as_str());
    assert_eq!(recordings[0]["status"], "available", "the file followed the pipeline's event: {recordings:?}");
    assert!(recordings[0]["endedAt"].is_string());
    let link = recordings[0]["downloadUrl"].as_str().expect("a download link").to_owned();
    let file = app.client.get(&link).send().await.expect("the link answers");
    assert_eq!(file.status(), 200, "{link}");
    assert!(!file.bytes().await.unwrap().is_empty());
    visit.call("DELETE", "recording", &dr, None).await.assert_problem(409, None);
    assert_eq!(missing(&visit.call("POST", "recording", &dr, None).await), [format!("guest:{guest_id}")]);

    // Everyone agrees to a transcript; the patient then withdraws and it stops by itself.
    visit.consent(&patient, true, true).await;
    visit.consent(&guest, false, true).await;
    let transcribing = visit.call("POST", "transcription", &admin, None).await;
    assert_eq!(transcribing.status, 201, "{}", transcribing.body);
    visit.consent(&patient, true, false).await;
    visit.call("DELETE", "transcription", &dr, None).await.assert_problem(409, None);
    app.follow_pipelines().await;
    let transcript = visit.call("GET", "transcript", &dr, None).await;
    assert_eq!(transcript.status, 200, "{}", transcript.body);
    let segments = transcript.body["segments"].as_array().unwrap();
    assert!(!segments.is_empty(), "{}", transcript.body);
    for segment in segments {
        let who = segment["participant"].as_str().unwrap();
        assert!(["patient", "clinician"].contains(&who) || who == format!("guest:{guest_id}"), "{segment}");
        assert!(segment["startedAt"].is_string() && segment["text"].is_string(), "{segment}");
    }
    assert_eq!(visit.recordings().await.len(), 1, "a transcription is not a recording");
    // Chime captured the room's audio for the transcript too: it is gone, the recording's kept.
    let transcription_id = transcribing.body["recordingId"].as_str().unwrap();
    let audio = |id: &str| format!("recordings/{}/{id}/audio/", visit.id);
    if let Some(left) = app.recorded_keys(&audio(transcription_id)).await {
        assert_eq!(left, Vec::<String>::new(), "a transcription keeps no audio");
        assert!(!app.recorded_keys(&audio(&recording_id)).await.unwrap().is_empty(), "the recording's audio is kept");
        let joined = app.recorded_keys(&format!("recordings/{}/{transcription_id}/", visit.id)).await.unwrap();
        assert!(joined.iter().any(|key| key.contains("/transcription-messages/")), "{joined:?}");
    }
    visit.call("GET", "transcript", &app.accounts.patient, None).await.assert_problem(403, None);

    // Stopped by the clinician, and by the visit's end.
    visit.consent(&guest, true, true).await;
    assert_eq!(visit.call("POST", "recording", &dr, None).await.status, 201);
    let stopped = visit.call("DELETE", "recording", &dr, None).await;
    assert_eq!((stopped.status, stopped.body["status"].as_str()), (200, Some("processing")), "{}", stopped.body);
    assert_eq!(visit.call("POST", "recording", &dr, None).await.status, 201);
    assert_eq!(visit.call("POST", "end", &dr, None).await.status, 200);
    let all = visit.recordings().await;
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(all.iter().all(|r| r["status"] == "available"), "{all:?}");

    // The trail says why each stopped; the access log has each link handed out.
    let trail = app.call("GET", &format!("/visits/{}/audit", visit.id), Some(&dr), None).await;
    assert_eq!(trail.body["chainValid"], true);
    let stops: Vec<&Value> =
        trail.body["events"].as_array().unwrap().iter().filter(|e| e["type"] == "capture.stopped").collect();
    let reasons: Vec<&str> = stops.iter().map(|e| e["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons, ["consent-missing", "consent-missing", "asked", "visit-closed"], "{stops:?}");
    assert_eq!(stops[0]["missing"], format!("guest:{guest_id}"));
    assert_eq!(stops[1]["missing"], "patient");
    let log =
        app.call("GET", &format!("/patients/{}/access-log?limit=200", app.sub("patient")), Some(&admin), None).await;
    let downloads = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["action"] == "download" && i["resource"].as_str().unwrap().contains("/recordings/"))
        .count();
    assert!(downloads >= 4, "one per link handed out: {}", log.body);
}

async fn not_here(app: TestApp) {
    let dr = app.accounts.clinician.clone();
    let visit = Visit { app: &app, id: app.schedule().await };
    assert_eq!(visit.call("POST", "session", &dr, None).await.status, 200);
    visit.consent(&dr, true, true).await;
    let refused = visit.call("POST", "recording", &dr, None).await;
    refused.assert_problem(409, None);
    assert!(refused.body["detail"].as_str().unwrap().contains("does not allow"), "{}", refused.body);
    assert_eq!(visit.call("POST", "transcription", &dr, None).await.status, 201, "transcription is its own switch");

    let mut body = app.visit_body(10);
    body["provider"] = json!("connect");
    let connect = app.call("POST", "/visits", Some(&dr), Some(body)).await.body["visitId"].as_str().unwrap().to_owned();
    let connect = Visit { app: &app, id: connect };
    assert_eq!(connect.call("POST", "session", &dr, None).await.status, 200);
    connect.consent(&dr, true, true).await;
    let refused = connect.call("POST", "transcription", &dr, None).await;
    refused.assert_problem(409, None);
    assert!(refused.body["detail"].as_str().unwrap().contains("Connect"), "{}", refused.body);
}
