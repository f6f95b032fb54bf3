//! Who may call what: every route, every kind of caller, asserted status by status.

use serde_json::{Value, json};
use visits_tests::{TestApp, spawn_app};

/// admin, the visit's clinician, another clinician, the visit's patient, another patient, no token.
const CALLERS: [&str; 6] = ["admin", "clinician", "clinician2", "patient", "patient2", "none"];

#[derive(Clone, Copy, Debug)]
enum Route {
    Schedule,
    List,
    Read,
    Cancel,
    MintLink,
    Notify,
    Session,
    End,
    Audit,
}

/// Expected status per caller, in `CALLERS` order.
const TABLE: [(Route, [u16; 6]); 9] = [
    (Route::Schedule, [201, 201, 403, 403, 403, 401]),
    (Route::List, [200, 200, 200, 200, 200, 401]),
    (Route::Read, [200, 200, 404, 200, 404, 401]),
    (Route::Cancel, [200, 200, 404, 403, 404, 401]),
    (Route::MintLink, [201, 201, 404, 403, 404, 401]),
    (Route::Notify, [202, 202, 404, 403, 404, 401]),
    // The visit's patient goes to the waiting room.
    (Route::Session, [200, 200, 404, 202, 404, 401]),
    (Route::End, [200, 200, 404, 403, 404, 401]),
    (Route::Audit, [200, 200, 404, 403, 404, 401]),
];

fn token<'a>(app: &'a TestApp, caller: &str) -> Option<&'a str> {
    let a = &app.accounts;
    match caller {
        "admin" => Some(&a.admin),
        "clinician" => Some(&a.clinician),
        "clinician2" => Some(&a.clinician2),
        "patient" => Some(&a.patient),
        "patient2" => Some(&a.patient2),
        _ => None,
    }
}

/// A fresh visit of the demo clinician and patient for each call, so one caller's cancel or end
/// does not change the next caller's answer.
async fn prepare(app: &TestApp, route: Route) -> (&'static str, String, Option<Value>) {
    let visit_id = app.schedule().await;
    match route {
        Route::Schedule => {
            let mut body = app.visit_body(60);
            body["clinicianId"] = app.sub("clinician").into();
            ("POST", "/visits".into(), Some(body))
        }
        Route::List => ("GET", "/visits".into(), None),
        Route::Read => ("GET", format!("/visits/{visit_id}"), None),
        Route::Cancel => ("POST", format!("/visits/{visit_id}/cancel"), None),
        Route::MintLink => ("POST", format!("/visits/{visit_id}/links"), None),
        Route::Notify => ("POST", format!("/visits/{visit_id}/notify"), Some(json!({}))),
        Route::Session => ("POST", format!("/visits/{visit_id}/session"), None),
        Route::End => {
            let started =
                app.call("POST", &format!("/visits/{visit_id}/session"), Some(&app.accounts.clinician), None).await;
            assert_eq!(started.status, 200);
            ("POST", format!("/visits/{visit_id}/end"), None)
        }
        Route::Audit => ("GET", format!("/visits/{visit_id}/audit"), None),
    }
}

#[tokio::test]
async fn every_route_answers_each_caller_as_the_table_says() {
    let app = spawn_app().await;
    let mut mismatches = Vec::new();
    for (route, expected) in TABLE {
        for (caller, want) in CALLERS.iter().zip(expected) {
            let (method, path, body) = prepare(&app, route).await;
            let reply = app.call(method, &path, token(&app, caller), body).await;
            if reply.status != want {
                mismatches.push(format!("{route:?} as {caller}: got {} want {want}: {}", reply.status, reply.body));
            } else if want >= 400 {
                reply.assert_problem(want, None);
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[tokio::test]
async fn listings_hold_only_the_callers_own_visits() {
    let app = spawn_app().await;
    let visit_id = app.schedule().await;
    for (caller, sees) in
        [("admin", true), ("clinician", true), ("clinician2", false), ("patient", true), ("patient2", false)]
    {
        let reply = app.call("GET", "/visits", token(&app, caller), None).await;
        let ids: Vec<&str> =
            reply.body["items"].as_array().unwrap().iter().map(|v| v["visitId"].as_str().unwrap()).collect();
        assert_eq!(ids.contains(&visit_id.as_str()), sees, "{caller}: {ids:?}");
    }
    // A filter naming someone else does not widen a patient's view.
    let other = app.sub("patient2");
    let reply = app.call("GET", &format!("/visits?patientId={other}"), Some(&app.accounts.patient2), None).await;
    assert_eq!(reply.body["items"].as_array().unwrap().len(), 0);
    let reply =
        app.call("GET", &format!("/visits?patientId={}", app.sub("patient")), Some(&app.accounts.patient2), None).await;
    assert_eq!(reply.body["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn the_public_join_routes_need_no_token_and_accept_no_staff_token_as_a_join_token() {
    let app = spawn_app().await;
    let visit_id = app.schedule().await;
    let link = app.mint(&visit_id).await;
    let code = link["code"].as_str().unwrap();
    assert_eq!(app.call("GET", &format!("/join/{code}"), None, None).await.status, 200);
    assert_eq!(app.call("GET", &format!("/join/{code}"), Some(&app.accounts.patient2), None).await.status, 200);
    assert_eq!(app.redeem(code).await.status, 200);
    let fresh = app.mint(&visit_id).await;
    assert_eq!(app.call("POST", "/join", None, Some(json!({"token": fresh["token"]}))).await.status, 200);
    for caller in ["none", "admin", "clinician", "patient"] {
        let reply = app.call("POST", "/join/session", token(&app, caller), None).await;
        reply.assert_problem(401, None);
    }
}
