//! A visit's jobs (reminders, the no-show nudge and check), run as the scheduler runs them: once,
//! only when due, not for a visit that moved or ended, and the no-show check ends the visit.

use std::sync::Arc;

use chrono::Duration;
use visits_domain::model::{VisitId, VisitJob};
use visits_domain::usecases::{JobOutcome, Links, Notifications};
use visits_tests::{TestApp, spawn_app};

fn jobs(app: &TestApp) -> Notifications {
    let world = app.world();
    Notifications::new(Arc::new(Links::new(world.core())), world.outbox.clone())
}

fn sent(app: &TestApp) -> usize {
    app.world().outbox.sent().len()
}

#[tokio::test]
async fn a_reminder_runs_once_when_due_and_not_for_a_visit_that_moved() {
    let app = spawn_app().await;
    let visit = app.schedule_in(48 * 60).await;
    let id = VisitId::parse(&visit).unwrap();
    let planned = visits_tests::start_time() + Duration::hours(48);
    let jobs = jobs(&app);
    assert_eq!(jobs.run_job(&id, VisitJob::DayBefore, Some(planned)).await.unwrap(), JobOutcome::NotYet);
    app.clock.advance(Duration::hours(24));
    // Fired twice at once (EventBridge delivers at least once): one reminder goes out.
    let (a, b) = tokio::join!(
        jobs.run_job(&id, VisitJob::DayBefore, Some(planned)),
        jobs.run_job(&id, VisitJob::DayBefore, Some(planned))
    );
    let mut outcomes = [a.unwrap(), b.unwrap()];
    outcomes.sort_by_key(|o| format!("{o:?}"));
    assert_eq!(outcomes, [JobOutcome::Done, JobOutcome::Skipped]);
    assert_eq!(sent(&app), 2, "SMS and email, once");
    assert_eq!(jobs.run_job(&id, VisitJob::DayBefore, Some(planned)).await.unwrap(), JobOutcome::Skipped);

    // Moved: a job planned for the old time does nothing; the new time has its own.
    let later = (planned + Duration::hours(24)).to_rfc3339();
    let path = format!("/visits/{visit}/reschedule");
    app.call("POST", &path, Some(&app.accounts.clinician), Some(serde_json::json!({"scheduledAt": later}))).await;
    let after_move = sent(&app);
    app.clock.advance(Duration::hours(24));
    assert_eq!(jobs.run_job(&id, VisitJob::DayBefore, Some(planned)).await.unwrap(), JobOutcome::Skipped);
    assert_eq!(
        jobs.run_job(&id, VisitJob::DayBefore, Some(planned + Duration::hours(24))).await.unwrap(),
        JobOutcome::Done
    );
    assert_eq!(sent(&app), after_move + 2);
    let (kinds, valid) = app.audit_types(&visit).await;
    assert!(valid && kinds.iter().filter(|k| *k == "visit.job_ran").count() == 2, "{kinds:?}");
}

#[tokio::test]
async fn a_patient_who_never_checks_in_is_nudged_once_then_a_no_show() {
    let app = spawn_app().await;
    let visit = app.schedule_in(10).await;
    let id = VisitId::parse(&visit).unwrap();
    let old = app.mint(&visit).await["code"].as_str().unwrap().to_owned();
    let jobs = jobs(&app);
    // Booked 10 minutes ahead: the reminders were already past, so they never run.
    assert_eq!(jobs.run_job(&id, VisitJob::SoonBefore, None).await.unwrap(), JobOutcome::Skipped);
    app.clock.advance(Duration::minutes(15));
    let before = sent(&app);
    assert_eq!(jobs.run_job(&id, VisitJob::NoShowNudge, None).await.unwrap(), JobOutcome::Done);
    assert_eq!(sent(&app), before + 2);
    assert_eq!(jobs.run_job(&id, VisitJob::NoShowNudge, None).await.unwrap(), JobOutcome::Skipped);

    assert_eq!(jobs.run_job(&id, VisitJob::NoShowCheck, None).await.unwrap(), JobOutcome::NotYet);
    app.clock.advance(Duration::minutes(60));
    assert_eq!(jobs.run_job(&id, VisitJob::NoShowCheck, None).await.unwrap(), JobOutcome::Done);
    let read = app.call("GET", &format!("/visits/{visit}"), Some(&app.accounts.clinician), None).await;
    assert_eq!(read.body["status"], "no_show");
    assert_eq!(app.call("GET", &format!("/join/{old}"), None, None).await.body["status"], "revoked");
    let start = app.call("POST", &format!("/visits/{visit}/session"), Some(&app.accounts.clinician), None).await;
    start.assert_problem(409, None);
    let (kinds, _) = app.audit_types(&visit).await;
    assert_eq!(kinds.last().map(String::as_str), Some("visit.no_show"));
}

#[tokio::test]
async fn a_patient_who_checked_in_is_neither_nudged_nor_a_no_show() {
    let app = spawn_app().await;
    let visit = app.schedule_in(10).await;
    let id = VisitId::parse(&visit).unwrap();
    let code = app.mint(&visit).await["code"].as_str().unwrap().to_owned();
    app.clock.advance(Duration::minutes(6));
    let token = app.redeem(&code).await.body["joinToken"].as_str().unwrap().to_owned();
    assert_eq!(app.call("POST", "/join/session", Some(&token), None).await.status, 202, "checked in");
    app.clock.advance(Duration::minutes(10));
    let jobs = jobs(&app);
    assert_eq!(jobs.run_job(&id, VisitJob::NoShowNudge, None).await.unwrap(), JobOutcome::Skipped);
    app.clock.advance(Duration::minutes(60));
    assert_eq!(jobs.run_job(&id, VisitJob::NoShowCheck, None).await.unwrap(), JobOutcome::Skipped);
    let read = app.call("GET", &format!("/visits/{visit}"), Some(&app.accounts.clinician), None).await;
    assert_eq!(read.body["status"], "scheduled");
}

/// Demo mode: moving the clock runs what fell due, as the scheduler would in AWS.
#[tokio::test]
async fn the_demo_clock_runs_reminders_and_the_no_show_check_as_it_passes_them() {
    let app = spawn_app().await;
    let visit = app.schedule_in(48 * 60).await;
    let now = app.call("GET", "/dev/clock", None, None).await;
    assert_eq!(now.body["now"], "2030-01-07T09:00:00Z");
    let moved = app.call("POST", "/dev/clock", None, Some(serde_json::json!({"advanceMinutes": 24 * 60}))).await;
    assert_eq!((moved.status, moved.body["jobsRun"].as_u64()), (200, Some(1)), "{}", moved.body);
    assert_eq!(moved.body["now"], "2030-01-08T09:00:00Z");
    let reminder =
        app.world().outbox.sent().iter().filter(|m| m.message.channel() == visits_domain::model::Channel::Sms).count();
    assert_eq!(reminder, 1, "the day-before reminder went out");
    // The 15-minute reminder, the nudge 5 minutes after the start, the no-show at the close.
    for minutes in [23 * 60 + 45, 20, 60] {
        let moved = app.call("POST", "/dev/clock", None, Some(serde_json::json!({"advanceMinutes": minutes}))).await;
        assert_eq!(moved.body["jobsRun"], 1, "{}", moved.body);
    }
    let read = app.call("GET", &format!("/visits/{visit}"), Some(&app.accounts.admin), None).await;
    assert_eq!(read.body["status"], "no_show");
    assert_eq!(app.world().outbox.sent().len(), 6, "two reminders and a nudge, by SMS and email");

    // A clock that jumps past everything: the late reminders and nudge send nothing (the
    // window has closed); the visit is a no-show.
    let late = app.schedule_in(4 * 24 * 60).await;
    let jumped = app.call("POST", "/dev/clock", None, Some(serde_json::json!({"advanceMinutes": 5 * 24 * 60}))).await;
    assert_eq!(jumped.body["jobsRun"], 1, "{}", jumped.body);
    assert_eq!(app.world().outbox.sent().len(), 6);
    let read = app.call("GET", &format!("/visits/{late}"), Some(&app.accounts.admin), None).await;
    assert_eq!(read.body["status"], "no_show");
    let bad = app.call("POST", "/dev/clock", None, Some(serde_json::json!({"advanceMinutes": 0}))).await;
    bad.assert_problem(400, Some("advanceMinutes"));
}

/// A reminder goes to the visit's guests too, each with a fresh link of their own, once; the
/// no-show nudge is the patient's alone. A visit whose patient has no contact still reminds its
/// guests.
#[tokio::test]
async fn guests_are_reminded_once_and_not_nudged() {
    let app = spawn_app().await;
    let visit = app.schedule_in(48 * 60).await;
    let id = VisitId::parse(&visit).unwrap();
    let body = serde_json::json!({"role": "caregiver", "contact": {"email": "gail@example.com"}});
    let added = app.call("POST", &format!("/visits/{visit}/guests"), Some(&app.accounts.clinician), Some(body)).await;
    assert_eq!(added.status, 201);
    let planned = visits_tests::start_time() + Duration::hours(48);
    let jobs = jobs(&app);
    app.clock.advance(Duration::hours(24));
    let (a, b) = tokio::join!(
        jobs.run_job(&id, VisitJob::DayBefore, Some(planned)),
        jobs.run_job(&id, VisitJob::DayBefore, Some(planned))
    );
    assert_eq!([a.unwrap(), b.unwrap()].iter().filter(|o| **o == JobOutcome::Done).count(), 1);
    let to_guest = app.messages_to("gail@example.com").await;
    assert_eq!(to_guest.len(), 2, "the invitation and one reminder: {to_guest:?}");
    assert!(to_guest[1].starts_with("Reminder: the video visit you are invited to is at"), "{}", to_guest[1]);
    let fresh = app.link_code_sent_to("gail@example.com").await;
    assert_eq!(app.call("GET", &format!("/join/{fresh}"), None, None).await.body["status"], "active");

    app.clock.advance(Duration::hours(24) + Duration::minutes(5));
    assert_eq!(jobs.run_job(&id, VisitJob::NoShowNudge, Some(planned)).await.unwrap(), JobOutcome::Done);
    assert_eq!(app.messages_to("gail@example.com").await.len(), 2, "the nudge is the patient's");

    // No patient contact: the guests are reminded all the same, once.
    let mut no_contact = app.visit_body(48 * 60);
    no_contact.as_object_mut().unwrap().remove("patientContact");
    let created = app.call("POST", "/visits", Some(&app.accounts.clinician), Some(no_contact)).await;
    let other = created.body["visitId"].as_str().unwrap().to_owned();
    let body = serde_json::json!({"role": "interpreter", "contact": {"phone": "+14155550111"}});
    app.call("POST", &format!("/visits/{other}/guests"), Some(&app.accounts.clinician), Some(body)).await;
    let other_id = VisitId::parse(&other).unwrap();
    let planned = app.clock_now() + Duration::hours(48);
    app.clock.advance(Duration::hours(24));
    assert_eq!(jobs.run_job(&other_id, VisitJob::DayBefore, Some(planned)).await.unwrap(), JobOutcome::Done);
    assert_eq!(jobs.run_job(&other_id, VisitJob::DayBefore, Some(planned)).await.unwrap(), JobOutcome::Skipped);
    assert_eq!(app.messages_to("+14155550111").await.len(), 2);
}
