//! Attendance: the video provider's attendee events (Chime's, through EventBridge) land in the
//! visit's audit chain once each, whatever their order, and the Visit JSON says who was present,
//! from when, until when, for how many minutes. Demo mode's video provider emits the same events.

use std::sync::Arc;

use chrono::Duration;
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{Value, json};
use visits_domain::model::{AuditKind, VisitId};
use visits_domain::usecases::{Attendances, Core};
use visits_embedded::{EmbeddedWorld, ManualClock};
use visits_tests::{TestApp, spawn_app};

fn attendance_of<'a>(visit: &'a Value, who: &str) -> &'a Value {
    let list = visit["attendance"].as_array().unwrap_or_else(|| panic!("attendance in {visit}"));
    list.iter().find(|a| a["participant"] == who).unwrap_or_else(|| panic!("{who} in {visit}"))
}

async fn joined(app: &TestApp, visit: &str) -> String {
    let link = app.mint(visit).await;
    let join = app.redeem(link["code"].as_str().unwrap()).await.body["joinToken"].as_str().unwrap().to_owned();
    assert_eq!(app.call("POST", "/join/session", Some(&join), None).await.status, 200);
    join
}

/// The demo video provider emits Chime's events as people join and the visit ends; the visit
/// shows the attendance and the audit trail holds each event once.
#[tokio::test]
async fn demo_mode_records_who_was_present_and_for_how_long() {
    let app = spawn_app().await;
    let visit = app.schedule_in(5).await;
    let dr = app.accounts.clinician.clone();
    assert_eq!(app.call("POST", &format!("/visits/{visit}/session"), Some(&dr), None).await.status, 200);
    let started_at = app.clock_now();
    joined(&app, &visit).await;
    let guests = format!("/visits/{visit}/guests");
    let body = json!({"role": "interpreter", "contact": {"email": "ines@example.com"}});
    let guest = app.call("POST", &guests, Some(&dr), Some(body)).await.body["guestId"].as_str().unwrap().to_owned();
    let code = app.link_code_sent_to("ines@example.com").await;
    let guest_token = app.redeem(&code).await.body["joinToken"].as_str().unwrap().to_owned();
    assert_eq!(app.call("POST", "/join/session", Some(&guest_token), None).await.status, 200);

    let read = app.call("GET", &format!("/visits/{visit}"), Some(&dr), None).await.body;
    let patient = attendance_of(&read, "patient");
    assert!(patient.get("lastLeftAt").is_none(), "still in: {read}");
    assert_eq!(patient["minutesPresent"], 0, "open time is not counted yet");
    attendance_of(&read, &format!("guest:{guest}"));

    // The interpreter is removed after 10 minutes; the visit ends after 25.
    app.clock.advance(Duration::minutes(10));
    let removed = app.call("DELETE", &format!("{guests}/{guest}"), Some(&dr), None).await;
    assert_eq!(removed.status, 204);
    app.clock.advance(Duration::minutes(15));
    assert_eq!(app.call("POST", &format!("/visits/{visit}/end"), Some(&dr), None).await.status, 200);

    let read = app.call("GET", &format!("/visits/{visit}"), Some(&app.accounts.patient), None).await.body;
    let ended_at = (started_at + Duration::minutes(25)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    for who in ["patient", "clinician"] {
        let present = attendance_of(&read, who);
        assert_eq!(
            (present["minutesPresent"].as_u64(), present["lastLeftAt"].as_str()),
            (Some(25), Some(ended_at.as_str())),
            "{who}: {read}"
        );
    }
    assert_eq!(attendance_of(&read, &format!("guest:{guest}"))["minutesPresent"], 10);

    let audit = app.call("GET", &format!("/visits/{visit}/audit"), Some(&dr), None).await.body;
    assert_eq!(audit["chainValid"], true);
    let types: Vec<&str> = audit["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    let count = |t: &str| types.iter().filter(|x| **x == t).count();
    assert_eq!((count("attendee.joined"), count("attendee.left"), count("meeting.ended")), (3, 3, 1), "{types:?}");
}

/// Chime's event as EventBridge delivers it.
fn chime_event(kind: &str, visit: &VisitId, attendee: &str, user: &str, at_ms: i64) -> Value {
    json!({
        "version": "0", "id": uuid::Uuid::new_v4().to_string(), "detail-type": "Chime Meeting State Change",
        "source": "aws.chime", "account": "111122223333", "time": "2030-01-07T09:10:00Z", "region": "us-east-1",
        "resources": [],
        "detail": {"version": "0", "eventType": kind, "timestamp": at_ms, "meetingId": "m-1",
            "attendeeId": attendee, "externalUserId": user, "externalMeetingId": visit.as_str(),
            "mediaRegion": "us-east-1"}
    })
}

#[tokio::test]
async fn repeated_and_out_of_order_events_count_once() {
    let world = EmbeddedWorld::new(Default::default(), Arc::new(ManualClock::new(visits_tests::start_time())), false);
    events_twice_and_out_of_order(world.core()).await;
}

#[tokio::test]
async fn repeated_and_out_of_order_events_count_once_on_dynamodb() {
    let store = Arc::new(visits_tests::local_aws::dynamodb_store().await);
    events_twice_and_out_of_order(visits_runtime::config::core(store, Arc::new(Default::default()))).await;
}

/// Events twice and out of order: each is kept once, and the result is the same as in order.
async fn events_twice_and_out_of_order(core: Core) {
    local_server::samples::seed_visit(&core).await.unwrap();
    let store = core.store.clone();
    let visit = VisitId::parse(local_server::samples::VISIT_ID).unwrap();
    let patient = store.visit(&visit).await.unwrap().unwrap().patient_id().clone();
    // Attendee events only: the captures' files are never reached.
    let files = visits_embedded::EmbeddedWorld::demo(Default::default()).recorder;
    let app = attendance::App::new(
        Attendances::new(core.clone()),
        visits_domain::usecases::CaptureFollower::new(core, files),
    );
    let t0 = 1_900_000_000_000_i64;
    let left = chime_event("chime:AttendeeLeft", &visit, "a-1", patient.as_str(), t0 + 12 * 60_000);
    let joined = chime_event("chime:AttendeeJoined", &visit, "a-1", patient.as_str(), t0);
    for event in [left.clone(), joined.clone(), left, joined] {
        let payload = serde_json::from_value(event).unwrap();
        attendance::handle(&app, LambdaEvent::new(payload, Context::default())).await.unwrap();
    }
    let stored = store.visit(&visit).await.unwrap().unwrap();
    assert_eq!(stored.attendance().len(), 1);
    assert_eq!((stored.attendance()[0].participant.as_str(), stored.attendance()[0].minutes_present), ("patient", 12));
    let trail = store.audit_trail(&visit).await.unwrap();
    let kept = trail.iter().filter(|r| matches!(r.kind, AuditKind::AttendeeJoined | AuditKind::AttendeeLeft)).count();
    assert_eq!(kept, 2, "each event once");

    // Not ours: another meeting's events, kinds attendance does not follow, and a recording's
    // pipeline joining as an attendee of AWS's own.
    let stranger =
        chime_event("chime:AttendeeJoined", &VisitId::parse("vis_aaaaaaaaaaaaaaaaaaaa").unwrap(), "x", "y", t0);
    let mut started = chime_event("chime:MeetingStarted", &visit, "a-1", patient.as_str(), t0);
    started["detail"].as_object_mut().unwrap().remove("attendeeId");
    let pipeline = chime_event("chime:AttendeeJoined", &visit, "a-9", "aws:MediaPipeline-0f1e2d3c", t0);
    for event in [stranger, started, pipeline] {
        let payload = serde_json::from_value(event).unwrap();
        attendance::handle(&app, LambdaEvent::new(payload, Context::default())).await.unwrap();
    }
    assert_eq!(store.audit_trail(&visit).await.unwrap().len(), trail.len());
}
