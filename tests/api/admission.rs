//! One admission per participant: redeeming a fresh link retires the session tokens of the
//! patient's earlier redemptions (401) and removes the seat they held at once, so whoever
//! redeemed an intercepted link first is cut off.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use aws_smithy_mocks::{Rule, mock};
use visits_tests::{Faults, TestApp, spawn_app, spawn_aws_app, spawn_aws_app_with, throttling_response};

#[tokio::test]
async fn a_fresh_redemption_cuts_off_an_earlier_one() {
    one_admission(spawn_app().await).await;
}

#[tokio::test]
async fn a_fresh_redemption_cuts_off_an_earlier_one_on_the_aws_adapters() {
    one_admission(spawn_aws_app().await).await;
}

async fn one_admission(app: TestApp) {
    let visit = app.schedule().await;
    let dr = app.accounts.clinician.clone();
    let intercepted = app.mint(&visit).await;
    let intruder =
        app.redeem(intercepted["code"].as_str().unwrap()).await.body["joinToken"].as_str().unwrap().to_owned();
    assert_eq!(app.call("POST", &format!("/visits/{visit}/session"), Some(&dr), None).await.status, 200);
    let seated = app.call("POST", "/join/session", Some(&intruder), None).await;
    assert_eq!(seated.status, 200, "{}", seated.body);
    let intruder_seat = seated.body["attendee"]["AttendeeId"].as_str().unwrap().to_owned();
    assert!(app.seated_attendees().contains(&intruder_seat));

    let fresh = app.mint(&visit).await;
    let redeemed = app.redeem(fresh["code"].as_str().unwrap()).await;
    assert_eq!(redeemed.status, 200, "{}", redeemed.body);
    let patient = redeemed.body["joinToken"].as_str().unwrap().to_owned();
    assert!(!app.seated_attendees().contains(&intruder_seat), "the redemption itself took the seat away");

    app.call("POST", "/join/session", Some(&intruder), None).await.assert_problem(401, None);
    let joined = app.call("POST", "/join/session", Some(&patient), None).await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    let patient_seat = joined.body["attendee"]["AttendeeId"].as_str().unwrap().to_owned();
    assert_ne!(patient_seat, intruder_seat, "the patient gets a fresh seat");
    let seated = app.seated_attendees();
    assert!(!seated.contains(&intruder_seat) && seated.contains(&patient_seat), "{seated:?}");

    // The retired token stays out, and the patient can rejoin with theirs.
    app.call("POST", "/join/session", Some(&intruder), None).await.assert_problem(401, None);
    let again = app.call("POST", "/join/session", Some(&patient), None).await;
    assert_eq!(again.body["attendee"]["AttendeeId"].as_str(), Some(patient_seat.as_str()));
    let (types, chain_valid) = app.audit_types(&visit).await;
    assert!(chain_valid && types.iter().filter(|t| *t == "participant.removed").count() == 1, "{types:?}");
}

/// Should Chime be busy at the redemption, the redemption stands and the seat leaves at the
/// clinician's next start.
#[tokio::test]
async fn a_seat_the_redemption_could_not_remove_leaves_at_the_next_start() {
    let first = Arc::new(AtomicBool::new(true));
    let only_once = first.clone();
    let busy: Rule = mock!(aws_sdk_chimesdkmeetings::Client::delete_attendee)
        .match_requests(move |_| only_once.swap(false, Ordering::SeqCst))
        .then_http_response(|| throttling_response(false));
    let app = spawn_aws_app_with(Faults { chime: vec![busy.clone()], ..Faults::default() }).await;
    let visit = app.schedule().await;
    let dr = app.accounts.clinician.clone();
    let intercepted = app.mint(&visit).await;
    let intruder =
        app.redeem(intercepted["code"].as_str().unwrap()).await.body["joinToken"].as_str().unwrap().to_owned();
    app.call("POST", &format!("/visits/{visit}/session"), Some(&dr), None).await;
    let seat = app.call("POST", "/join/session", Some(&intruder), None).await.body["attendee"]["AttendeeId"]
        .as_str()
        .unwrap()
        .to_owned();
    let fresh = app.mint(&visit).await;
    assert_eq!(app.redeem(fresh["code"].as_str().unwrap()).await.status, 200, "the redemption stands");
    assert_eq!(busy.num_calls(), 1);
    assert!(app.seated_attendees().contains(&seat), "Chime was busy: the seat is still there");
    app.call("POST", "/join/session", Some(&intruder), None).await.assert_problem(401, None);
    assert_eq!(app.call("POST", &format!("/visits/{visit}/session"), Some(&dr), None).await.status, 200);
    assert!(!app.seated_attendees().contains(&seat), "the clinician's start took the seat away");
}
