//! Every file in `events/` goes through the real event types into its function's handler, on
//! embedded adapters seeded with the visit the samples name.

use std::sync::Arc;

use lambda_runtime::{Context, LambdaEvent};
use local_server::samples::VISIT_ID as VISIT;
use visits_domain::model::{AuditKind, VisitId};
use visits_domain::ports::{AccessLog, Store};
use visits_embedded::{EmbeddedWorld, ManualClock};
use visits_tests::audit_lines::audit_stream_app;

const CLINICIAN: &str = "c0000000-0000-4000-8000-000000000001";

fn event(name: &str) -> String {
    let path = format!("{}/../events/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn http(name: &str) -> lambda_http::Request {
    lambda_http::request::from_str(&event(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A world holding the sample visit, five minutes from now: its join window is open. Now is when
/// the samples were sent (their `requestContext.time`), so the visit they schedule is an hour
/// ahead, inside the 400-day horizon.
async fn seeded_world() -> EmbeddedWorld {
    let sent_at = "2099-06-01T14:00:00Z".parse().expect("an instant");
    let world = EmbeddedWorld::new(Default::default(), Arc::new(ManualClock::new(sent_at)), false);
    local_server::samples::seed_visit(&world.core()).await.unwrap();
    world
}

#[tokio::test]
async fn schedule_visit_samples() {
    let world = seeded_world().await;
    let app = schedule_visit::App::new(world.core());
    for (name, status) in [
        ("schedule-visit.post-visits", 201),
        ("schedule-visit.get-visits", 200),
        ("schedule-visit.get-visit", 200),
        ("schedule-visit.get-audit", 200),
        ("schedule-visit.get-access-log", 200),
    ] {
        let response = schedule_visit::handle(&app, http(name)).await.unwrap();
        assert_eq!(response.status(), status, "{name}: {:?}", response.body());
    }
}

#[tokio::test]
async fn mint_link_and_notify_samples() {
    let world = seeded_world().await;
    let mint = mint_link::App::new(world.core(), world.tokens.clone());
    assert_eq!(mint_link::handle(&mint, http("mint-link.post-links")).await.unwrap().status(), 201);
    let notify = notify::App::new(world.core(), world.outbox.clone());
    assert_eq!(notify::handle(&notify, http("notify.post-notify")).await.unwrap().status(), 202);
    assert_eq!(world.outbox.sent().len(), 2);
    let moved = notify::handle(&notify, http("notify.post-reschedule")).await.unwrap();
    assert_eq!(moved.status(), 200, "{:?}", moved.body());
    assert_eq!(world.outbox.sent().len(), 4, "the new time went out too");
    // A made-up code: accepted like any other, nothing sent.
    assert_eq!(notify::handle(&notify, http("notify.post-join-resend")).await.unwrap().status(), 202);
    assert_eq!(world.outbox.sent().len(), 4);
}

/// A guest is added and sent their link; the removal sample names a guest this visit never had.
#[tokio::test]
async fn guests_samples() {
    let world = seeded_world().await;
    let app = guests::App::new(world.core(), world.outbox.clone(), world.video.clone());
    let added = guests::handle(&app, http("guests.post-guests")).await.unwrap();
    assert_eq!(added.status(), 201, "{:?}", added.body());
    assert_eq!(world.outbox.sent().len(), 1, "the guest's link went out");
    let removed = guests::handle(&app, http("guests.delete-guest")).await.unwrap();
    assert_eq!(removed.status(), 404, "{:?}", removed.body());
}

#[tokio::test]
async fn redeem_token_samples_are_refused_generically() {
    let world = seeded_world().await;
    let app = redeem_token::App::new(world.core(), world.tokens.clone(), world.video.clone());
    for (name, status) in [
        ("redeem-token.get-join-code", 404),
        ("redeem-token.post-join-code", 410),
        ("redeem-token.post-join-token", 410),
    ] {
        let response = redeem_token::handle(&app, http(name)).await.unwrap();
        assert_eq!(response.status(), status, "{name}");
    }
}

#[tokio::test]
async fn start_session_samples() {
    let world = seeded_world().await;
    let app = start_session::App::new(world.core(), world.tokens.clone(), world.video.clone(), world.recorder.clone());
    // The session on; a recording refused until the clinician (and anyone seated) consents; the
    // end.
    for (name, status) in [
        ("start-session.post-session", 200),
        ("start-session.post-join-session", 401),
        ("start-session.post-recording", 409),
        ("start-session.post-end", 200),
    ] {
        let response = start_session::handle(&app, http(name)).await.unwrap();
        assert_eq!(response.status(), status, "{name}: {:?}", response.body());
    }
    let fresh = seeded_world().await;
    let app = start_session::App::new(fresh.core(), fresh.tokens.clone(), fresh.video.clone(), fresh.recorder.clone());
    assert_eq!(start_session::handle(&app, http("start-session.post-cancel")).await.unwrap().status(), 200);
}

#[tokio::test]
async fn recordings_samples() {
    let world = seeded_world().await;
    let kept = visits_domain::usecases::KeptCaptures::new(world.core(), world.recorder.clone());
    let app = recordings::App::new(kept);
    // Nothing recorded yet: empty lists, the reads recorded all the same.
    for name in ["recordings.get-recordings", "recordings.get-transcript"] {
        let response = recordings::handle(&app, http(name)).await.unwrap();
        assert_eq!(response.status(), 200, "{name}: {:?}", response.body());
    }
}

#[tokio::test]
async fn connect_flow_sample_returns_screen_pop_attributes() {
    let world = seeded_world().await;
    let app = connect_flow::App::new(world.core());
    let payload = serde_json::from_str(&event("connect-flow.contact-flow")).unwrap();
    let answer = connect_flow::handle(&app, LambdaEvent::new(payload, Context::default())).await.unwrap();
    assert_eq!(answer["visitId"], VISIT);
    assert_eq!(answer["clinicianId"], CLINICIAN);
    assert_eq!(answer["patientDisplayName"], "Pat Example");
    assert_eq!(answer["status"], "scheduled");
    assert!(!answer.contains_key("error"));
    let visit = world.store.visit(&VisitId::parse(VISIT).unwrap()).await.unwrap().unwrap();
    assert!(visit.contact_connected_at().is_some(), "the visit is marked connected");
    let trail = world.store.audit_trail(visit.id()).await.unwrap();
    assert_eq!(trail.last().unwrap().kind, AuditKind::ContactConnected);
    // The screen-pop is a read of the patient's data, in their access log under the invocation's id.
    let query = visits_domain::ports::AccessQuery {
        patient_id: visit.patient_id().clone(),
        from: None,
        to: None,
        limit: 10,
        after: None,
    };
    let log = world.store.access_log(&query).await.unwrap();
    let pop = log.items.iter().find(|record| record.action == visits_domain::model::AccessAction::ScreenPop);
    let pop = pop.expect("a screen_pop record");
    assert_eq!((pop.actor.role.as_str(), pop.visit_id.as_ref()), ("connect", Some(visit.id())));

    let mut unknown: aws_lambda_events::event::connect::ConnectEvent =
        serde_json::from_str(&event("connect-flow.contact-flow")).unwrap();
    unknown.details.contact_data.attributes.insert("visitId".into(), "vis_aaaaaaaaaaaaaaaaaaaa".into());
    let answer = connect_flow::handle(&app, LambdaEvent::new(unknown.clone(), Context::default())).await.unwrap();
    assert_eq!(answer["error"], "visit_not_found");
    unknown.details.contact_data.attributes.clear();
    let answer = connect_flow::handle(&app, LambdaEvent::new(unknown, Context::default())).await.unwrap();
    assert_eq!(answer["error"], "missing_visit_id");
}

#[tokio::test]
async fn audit_stream_sample_copies_both_records_on_an_unbroken_chain() {
    let (app, lines) = audit_stream_app(Arc::new(visits_embedded::MemoryStore::new()));
    let payload = serde_json::from_str(&event("audit-stream.dynamodb-batch")).unwrap();
    let response = audit_stream::handle(&app, LambdaEvent::new(payload, Context::default())).await.unwrap();
    assert!(response.batch_item_failures.is_empty());
    let copies = lines.copies();
    assert_eq!(copies.iter().map(|c| c["seq"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 2]);
    assert_eq!((lines.metric("LinksMinted"), lines.metric("AuditChainBreaks")), (1, 0));
}

#[tokio::test]
async fn signup_samples_start_resend_and_refuse_an_unknown_signup_alike() {
    let world = seeded_world().await;
    let signups = visits_domain::usecases::Signups::new(
        world.core(),
        world.tokens.clone(),
        world.store.clone(),
        world.mac.clone(),
        world.outbox.clone(),
        world.directory.clone(),
    );
    let app = signup::App::new(signups);
    let started = signup::handle(&app, http("signup.post-signup")).await.unwrap();
    assert_eq!(started.status(), 202, "{:?}", started.body());
    assert_eq!(world.outbox.sent().len(), 1, "the code went out");
    assert_eq!(signup::handle(&app, http("signup.post-resend")).await.unwrap().status(), 202);
    let verify = signup::handle(&app, http("signup.post-verify")).await.unwrap();
    // The sample names no signup this world holds: refused like a wrong code.
    assert_eq!(verify.status(), 400, "{:?}", verify.body());
    assert_eq!(world.outbox.sent().len(), 1, "an unknown signup's resend sends nothing");
}

#[tokio::test]
async fn book_visit_sample_is_refused_for_its_made_up_signup_token() {
    let world = seeded_world().await;
    let bookings = visits_domain::usecases::Bookings::new(world.core(), world.tokens.clone(), world.store.clone());
    let app = book_visit::App::new(bookings);
    let response = book_visit::handle(&app, http("book-visit.post-service-visits")).await.unwrap();
    // The claims and body parse and authorize as the lander's; no signer signed the token.
    assert_eq!(response.status(), 401, "{:?}", response.body());
}

#[tokio::test]
async fn clinician_applications_samples() {
    let world = seeded_world().await;
    let applications = visits_domain::usecases::Applications::new(
        world.core(),
        world.tokens.clone(),
        world.store.clone(),
        world.mac.clone(),
        world.outbox.clone(),
        world.directory.clone(),
    );
    let app = clinician_applications::App::new(applications, Arc::new(local_server::dev_auth::DevAuth::generate()));
    // Applying sends the code; the other samples name an application this world does not hold.
    for (name, status) in [
        ("clinician-applications.post-apply", 202),
        ("clinician-applications.post-verify", 400),
        ("clinician-applications.get-application", 401),
        ("clinician-applications.get-admin-list", 200),
        ("clinician-applications.post-status", 404),
    ] {
        let response = clinician_applications::handle(&app, http(name)).await.unwrap();
        assert_eq!(response.status(), status, "{name}: {:?}", response.body());
    }
    assert_eq!(world.outbox.sent().len(), 1, "the code went out");
}

#[tokio::test]
async fn uploads_samples_are_refused_for_their_made_up_token() {
    let world = seeded_world().await;
    let uploads = visits_domain::usecases::Uploads::new(
        world.core(),
        world.tokens.clone(),
        world.store.clone(),
        world.store.clone(),
        world.storage.clone(),
    );
    let app = uploads::App::new(uploads, Arc::new(local_server::dev_auth::DevAuth::generate()));
    for name in ["uploads.post-uploads", "uploads.get-upload"] {
        let response = uploads::handle(&app, http(name)).await.unwrap();
        assert_eq!(response.status(), 401, "{name}: {:?}", response.body());
    }
}

#[tokio::test]
async fn upload_scanned_sample_marks_the_named_upload_clean_once() {
    use visits_domain::model::{ScanStatus, Upload, UploadContentType, UploadId, UploadOwner, UploadSize, VisitId};
    use visits_domain::ports::UploadStore;
    let world = seeded_world().await;
    let id = UploadId::parse("upl_k7q2m3x4w5p3r6t5v2n7").unwrap();
    let upload = Upload {
        id: id.clone(),
        owner: UploadOwner::Patient {
            patient_id: visits_domain::model::UserId::parse(local_server::samples::patient_id()).unwrap(),
            visit_id: VisitId::parse(VISIT).unwrap(),
        },
        content_type: UploadContentType::Pdf,
        size: UploadSize::parse(48213).unwrap(),
        status: ScanStatus::Pending,
        created_at: world.core().now(),
        updated_at: world.core().now(),
        version: 1,
    };
    world.store.save_upload(&upload, None, None).await.unwrap();
    let scans = visits_domain::usecases::ScanResults::new(world.core(), world.store.clone(), world.store.clone());
    let app = upload_scanned::App::new(scans);
    for _ in 0..2 {
        let payload = serde_json::from_str(&event("upload-scanned.guardduty-scan-result")).unwrap();
        upload_scanned::handle(&app, LambdaEvent::new(payload, Context::default())).await.unwrap();
    }
    let stored = world.store.upload(&id).await.unwrap().unwrap();
    assert_eq!((stored.status, stored.version), (ScanStatus::Clean, 2), "clean, once");
}

#[tokio::test]
async fn reminders_sample_reminds_the_sample_visits_patient_once() {
    let world = seeded_world().await;
    let notifications = visits_domain::usecases::Notifications::new(
        Arc::new(visits_domain::usecases::Links::new(world.core())),
        world.outbox.clone(),
    );
    let app = reminders::App::new(notifications);
    // The seeded visit is at 14:05, as the sample was planned for: its 15-minute reminder is due.
    let mut outcomes = Vec::new();
    for _ in 0..2 {
        let payload = serde_json::from_str(&event("reminders.soon-before")).unwrap();
        outcomes.push(reminders::handle(&app, LambdaEvent::new(payload, Context::default())).await.unwrap().outcome);
    }
    assert_eq!(outcomes, ["done", "skipped"], "a schedule that fires twice reminds once");
    assert_eq!(world.outbox.sent().len(), 2, "SMS and email");
}

/// A scheduler that only remembers: what visit-jobs asked of it.
#[derive(Default)]
struct Remembered(std::sync::Mutex<Vec<String>>);

#[async_trait::async_trait]
impl visits_domain::ports::JobScheduler for Remembered {
    async fn plan(&self, job: &visits_domain::ports::PlannedJob) -> Result<(), visits_domain::ports::DependencyError> {
        self.0.lock().unwrap().push(format!("plan {}", job.job.as_str()));
        Ok(())
    }
    async fn remove(
        &self,
        _: &VisitId,
        job: visits_domain::model::VisitJob,
    ) -> Result<(), visits_domain::ports::DependencyError> {
        self.0.lock().unwrap().push(format!("remove {}", job.as_str()));
        Ok(())
    }
}

fn visit_jobs_app(world: &EmbeddedWorld, scheduler: Arc<Remembered>) -> visit_jobs::App {
    let plans = visits_domain::usecases::JobPlans::new(world.core(), scheduler);
    let alerts = visits_domain::usecases::WaitingAlerts::new(
        world.core(),
        world.directory.clone(),
        world.outbox.clone(),
        world.events.clone(),
    );
    let notices =
        visits_domain::usecases::ApplicantNotices::new(world.core(), world.store.clone(), world.outbox.clone());
    let links = Arc::new(visits_domain::usecases::Links::new(world.core()));
    let resends = visits_domain::usecases::Notifications::new(links, world.outbox.clone());
    visit_jobs::App::new(plans, alerts, resends, notices)
}

#[tokio::test]
async fn visit_jobs_sample_removes_a_cancelled_visits_schedules() {
    let world = seeded_world().await;
    let scheduler = Arc::new(Remembered::default());
    let app = visit_jobs_app(&world, scheduler.clone());
    let payload = serde_json::from_str(&event("visit-jobs.dynamodb-batch")).unwrap();
    let response = visit_jobs::handle(&app, LambdaEvent::new(payload, Context::default())).await.unwrap();
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(scheduler.0.lock().unwrap().len(), 4, "each of its four jobs removed");
}

/// A fresh link asked for with a real code: the ask is written, and its record (the sample's
/// shape) sends the link to the contact on file, once however often it is delivered.
#[tokio::test]
async fn visit_jobs_sample_sends_the_fresh_link_a_resend_asked_for() {
    let world = seeded_world().await;
    let mint = mint_link::App::new(world.core(), world.tokens.clone());
    let minted = mint_link::handle(&mint, http("mint-link.post-links")).await.unwrap();
    let minted: serde_json::Value = serde_json::from_slice(minted.body()).unwrap();
    let code = minted["code"].as_str().unwrap();
    let ask = event("notify.post-join-resend").replace("7KQ2M9X4W8P3RT", code);
    let notify = notify::App::new(world.core(), world.outbox.clone());
    let asked = notify::handle(&notify, lambda_http::request::from_str(&ask).unwrap()).await.unwrap();
    assert_eq!(asked.status(), 202);
    assert!(world.outbox.sent().is_empty(), "the request only writes the ask");
    let app = visit_jobs_app(&world, Arc::new(Remembered::default()));
    for _ in 0..2 {
        let payload = serde_json::from_str(&event("visit-jobs.link-resend-asked")).unwrap();
        let response = visit_jobs::handle(&app, LambdaEvent::new(payload, Context::default())).await.unwrap();
        assert!(response.batch_item_failures.is_empty());
    }
    assert_eq!(world.outbox.sent().len(), 2, "SMS and email, once");
}

/// The check-in's record alerts the sample visit's clinician (at the email on their profile) and
/// publishes `Patient waiting`, once.
#[tokio::test]
async fn visit_jobs_sample_alerts_the_clinician_that_the_patient_waits() {
    let world = seeded_world().await;
    let email = visits_domain::model::Email::parse("dr@demo.health").unwrap();
    world.directory.add_user(visits_embedded::DirectoryUser {
        id: visits_domain::model::UserId::parse(CLINICIAN).unwrap(),
        username: "dr@demo.health".into(),
        group: Some("clinician"),
        contact: visits_domain::model::PatientContact { phone: None, email: Some(email), display_name: None },
    });
    let app = visit_jobs_app(&world, Arc::new(Remembered::default()));
    for _ in 0..2 {
        let payload = serde_json::from_str(&event("visit-jobs.patient-checked-in")).unwrap();
        let response = visit_jobs::handle(&app, LambdaEvent::new(payload, Context::default())).await.unwrap();
        assert!(response.batch_item_failures.is_empty());
    }
    let sent = world.outbox.sent();
    assert_eq!(sent.len(), 1, "alerted once: {sent:?}");
    assert_eq!(world.events.published().len(), 1);
}

/// Chime's attendee event (EventBridge's shape) for the sample visit's patient.
#[tokio::test]
async fn attendance_sample_marks_the_patient_present() {
    let world = seeded_world().await;
    let app = attendance::App::new(
        visits_domain::usecases::Attendances::new(world.core()),
        visits_domain::usecases::CaptureFollower::new(world.core(), world.recorder.clone()),
    );
    let payload = serde_json::from_str(&event("attendance.chime-attendee-joined")).unwrap();
    attendance::handle(&app, LambdaEvent::new(payload, Context::default())).await.unwrap();
    let visit = world.store.visit(&VisitId::parse(VISIT).unwrap()).await.unwrap().unwrap();
    assert_eq!(visit.attendance().iter().map(|a| a.participant.as_str()).collect::<Vec<_>>(), ["patient"]);
}

/// A media pipeline's end that is no capture of the sample visit changes nothing.
#[tokio::test]
async fn attendance_sample_of_a_pipeline_leaves_a_visit_without_captures_alone() {
    let world = seeded_world().await;
    let app = attendance::App::new(
        visits_domain::usecases::Attendances::new(world.core()),
        visits_domain::usecases::CaptureFollower::new(world.core(), world.recorder.clone()),
    );
    let before = world.store.audit_trail(&VisitId::parse(VISIT).unwrap()).await.unwrap().len();
    let payload = serde_json::from_str(&event("attendance.chime-media-pipeline-deleted")).unwrap();
    attendance::handle(&app, LambdaEvent::new(payload, Context::default())).await.unwrap();
    assert_eq!(world.store.audit_trail(&VisitId::parse(VISIT).unwrap()).await.unwrap().len(), before);
}

#[test]
fn every_sample_event_is_run_by_a_test() {
    let source = include_str!("sample_events.rs");
    for entry in std::fs::read_dir(format!("{}/../events", env!("CARGO_MANIFEST_DIR"))).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        // Not an event: the functions' variables for `sam local invoke`, checked in invoke.rs.
        if name == "local-env.json" {
            continue;
        }
        let stem = name.trim_end_matches(".json");
        assert!(source.contains(&format!("\"{stem}\"")), "events/{name} is not run by any test");
    }
}
