//! The whole visit through the local server's HTTP interface, as the apps use it.

use visits_tests::{TestApp, spawn_app, spawn_aws_app};

#[tokio::test]
async fn a_visit_from_scheduling_to_the_end() {
    full_visit(spawn_app().await).await;
}

/// The same flow with the local server on the AWS adapters (DynamoDB, KMS, SES, SNS on the
/// local AWS; Chime on the stand-in).
#[tokio::test]
async fn a_visit_from_scheduling_to_the_end_on_the_aws_adapters() {
    full_visit(spawn_aws_app().await).await;
}

async fn full_visit(app: TestApp) {
    let dr = app.accounts.clinician.clone();

    // Schedule.
    let visit_id = app.schedule().await;
    let visit = app.call("GET", &format!("/visits/{visit_id}"), Some(&app.accounts.patient), None).await;
    assert_eq!(visit.status, 200);
    assert_eq!(visit.body["status"], "scheduled");
    assert!(visit.body.get("patientContact").is_none(), "the patient does not get the contact block");

    // Mint a link.
    let link = app.mint(&visit_id).await;
    let code = link["code"].as_str().unwrap();
    assert!(link["url"].as_str().unwrap().ends_with(&format!("/j/{code}")));
    assert_eq!(link["token"].as_str().unwrap().split('.').count(), 3);

    // Preview twice: it does not use the link up.
    for _ in 0..2 {
        let preview = app.call("GET", &format!("/join/{code}"), None, None).await;
        assert_eq!(preview.status, 200, "{}", preview.body);
        assert_eq!(preview.body["status"], "active");
        assert_eq!(preview.body["durationMinutes"], 30);
        assert!(preview.body["opensAt"].is_string());
    }

    // Redeem.
    let redeemed = app.redeem(code).await;
    assert_eq!(redeemed.status, 200, "{}", redeemed.body);
    assert_eq!(redeemed.body["visitId"], visit_id.as_str());
    let join_token = redeemed.body["joinToken"].as_str().unwrap().to_owned();
    let preview = app.call("GET", &format!("/join/{code}"), None, None).await;
    assert_eq!(preview.body["status"], "redeemed");

    // The patient waits: the clinician has not started.
    let waiting = app.call("POST", "/join/session", Some(&join_token), None).await;
    assert_eq!(waiting.status, 202, "{}", waiting.body);
    assert_eq!(waiting.body["status"], "waiting");
    assert!(waiting.body["retryAfterSeconds"].as_u64().unwrap() > 0);
    let visit = app.call("GET", &format!("/visits/{visit_id}"), Some(&dr), None).await;
    assert!(visit.body["patientCheckedInAt"].is_string(), "{}", visit.body);

    // The clinician starts the session.
    let started = app.call("POST", &format!("/visits/{visit_id}/session"), Some(&dr), None).await;
    assert_eq!(started.status, 200, "{}", started.body);
    assert_eq!(started.body["provider"], "chime");
    let meeting_id = started.body["meeting"]["MeetingId"].as_str().unwrap().to_owned();
    let clinician_attendee = started.body["attendee"]["AttendeeId"].as_str().unwrap().to_owned();
    assert!(started.body["meeting"]["MediaPlacement"]["SignalingUrl"].is_string());
    assert!(started.body["attendee"]["JoinToken"].is_string());

    // The patient joins the same meeting with their own attendee.
    let joined = app.call("POST", "/join/session", Some(&join_token), None).await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    assert_eq!(joined.body["meeting"]["MeetingId"], meeting_id.as_str());
    let patient_attendee = joined.body["attendee"]["AttendeeId"].as_str().unwrap().to_owned();
    assert_ne!(patient_attendee, clinician_attendee);

    // A dropped patient rejoins with the same token and gets the same attendee.
    let rejoined = app.call("POST", "/join/session", Some(&join_token), None).await;
    assert_eq!(rejoined.status, 200);
    assert_eq!(rejoined.body["attendee"]["AttendeeId"], patient_attendee.as_str());
    assert_eq!(rejoined.body["meeting"]["MeetingId"], meeting_id.as_str());

    let visit = app.call("GET", &format!("/visits/{visit_id}"), Some(&dr), None).await;
    assert_eq!(visit.body["status"], "in_progress");
    assert!(visit.body["sessionStartedAt"].is_string());

    // End.
    let ended = app.call("POST", &format!("/visits/{visit_id}/end"), Some(&dr), None).await;
    assert_eq!(ended.status, 200, "{}", ended.body);
    assert_eq!(ended.body["status"], "completed");
    assert_eq!(app.live_meetings(), 0, "ending removes the meeting");
    let after = app.call("POST", "/join/session", Some(&join_token), None).await;
    after.assert_problem(410, None);
    assert_eq!(after.body["visitStatus"], "completed");

    // The audit trail has every step, in order, on an unbroken chain.
    // Demo mode follows the records as the stream does in AWS (the waiting patient's clinician is
    // alerted by email), and its video provider reports attendees as Chime does through
    // EventBridge. The AWS adapters here have neither (see waiting_alert.rs and attendance.rs).
    let (types, chain_valid) = app.audit_types(&visit_id).await;
    let expected: &[&str] = if app.is_demo() {
        &[
            "visit.scheduled",
            "link.minted",
            "link.redeemed",
            "patient.checked_in",
            "clinician.alerted",
            "notification.sent",
            "session.started",
            "participant.joined",
            "attendee.joined",
            "participant.joined",
            "attendee.joined",
            "participant.joined",
            "visit.completed",
            "attendee.left",
            "attendee.left",
            "meeting.ended",
        ]
    } else {
        &[
            "visit.scheduled",
            "link.minted",
            "link.redeemed",
            "patient.checked_in",
            "session.started",
            "participant.joined",
            "participant.joined",
            "participant.joined",
            "visit.completed",
        ]
    };
    assert_eq!(types, expected);
    assert!(chain_valid);
}

#[tokio::test]
async fn the_patient_portal_joins_through_the_waiting_room_too() {
    let app = spawn_app().await;
    let visit_id = app.schedule().await;
    let path = format!("/visits/{visit_id}/session");
    let waiting = app.call("POST", &path, Some(&app.accounts.patient), None).await;
    assert_eq!((waiting.status, waiting.body["status"].as_str()), (202, Some("waiting")));
    let started = app.call("POST", &path, Some(&app.accounts.clinician), None).await;
    assert_eq!(started.status, 200);
    let joined = app.call("POST", &path, Some(&app.accounts.patient), None).await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    assert_eq!(joined.body["meeting"]["MeetingId"], started.body["meeting"]["MeetingId"]);
}

#[tokio::test]
async fn a_meeting_chime_ended_is_replaced_on_the_next_start() {
    let app = spawn_app().await;
    let visit_id = app.schedule().await;
    let path = format!("/visits/{visit_id}/session");
    let first = app.call("POST", &path, Some(&app.accounts.clinician), None).await;
    let old_meeting = first.body["meeting"]["MeetingId"].as_str().unwrap().to_owned();
    app.world().video.end_meeting_externally(&old_meeting);

    // The patient, arriving while the meeting is gone, waits instead of failing.
    let waiting = app.call("POST", &path, Some(&app.accounts.patient), None).await;
    assert_eq!(waiting.status, 202, "{}", waiting.body);

    let again = app.call("POST", &path, Some(&app.accounts.clinician), None).await;
    assert_eq!(again.status, 200);
    assert_ne!(again.body["meeting"]["MeetingId"], old_meeting.as_str());
    let joined = app.call("POST", &path, Some(&app.accounts.patient), None).await;
    assert_eq!(joined.body["meeting"]["MeetingId"], again.body["meeting"]["MeetingId"]);
}

#[tokio::test]
async fn a_connect_visit_gives_the_patient_participant_credentials() {
    let app = spawn_app().await;
    let mut body = app.visit_body(10);
    body["provider"] = "connect".into();
    let created = app.call("POST", "/visits", Some(&app.accounts.clinician), Some(body)).await;
    assert_eq!(created.body["provider"], "connect");
    let visit_id = created.body["visitId"].as_str().unwrap();
    let path = format!("/visits/{visit_id}/session");
    let staff = app.call("POST", &path, Some(&app.accounts.clinician), None).await;
    assert_eq!(staff.status, 200, "{}", staff.body);
    assert_eq!(staff.body["provider"], "connect");
    assert!(staff.body["contactId"].is_string());
    assert!(
        staff.body.get("participantToken").is_none(),
        "the agent answers in Connect, not with the customer's token"
    );
    let patient = app.call("POST", &path, Some(&app.accounts.patient), None).await;
    assert_eq!(patient.status, 200, "{}", patient.body);
    assert_eq!(patient.body["contactId"], staff.body["contactId"]);
    assert!(patient.body["participantToken"].is_string());
    assert!(patient.body["connectionData"]["Meeting"]["MeetingId"].is_string());
    assert!(patient.body["connectionData"]["Attendee"]["AttendeeId"].is_string());
}
