//! Bad input on every route that takes a body or parameters: each gets the right 4xx
//! problem+json naming the field, never a 500.

use chrono::Duration;
use serde_json::{Value, json};
use visits_tests::{TestApp, spawn_app};

const UNKNOWN_VISIT: &str = "vis_aaaaaaaaaaaaaaaaaaaa";

struct Case {
    name: &'static str,
    method: &'static str,
    path: String,
    bearer: Option<String>,
    body: Option<String>,
    headers: Vec<(&'static str, String)>,
    status: u16,
    field: Option<&'static str>,
}

fn case(
    name: &'static str,
    method: &'static str,
    path: impl Into<String>,
    status: u16,
    field: Option<&'static str>,
) -> Case {
    Case { name, method, path: path.into(), bearer: None, body: None, headers: Vec::new(), status, field }
}

impl Case {
    fn by(mut self, bearer: &str) -> Self {
        self.bearer = Some(bearer.to_owned());
        self
    }
    fn json(mut self, body: Value) -> Self {
        self.body = Some(body.to_string());
        self
    }
    fn raw(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self
    }
    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

async fn run(app: &TestApp, cases: Vec<Case>) {
    let mut failures = Vec::new();
    for case in cases {
        let headers: Vec<(&str, &str)> = case.headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let reply = app.send(case.method, &case.path, case.bearer.as_deref(), case.body.clone(), &headers).await;
        let fields: Vec<&str> =
            reply.body["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
        let problem_json = reply.header("content-type") == Some("application/problem+json");
        let field_ok = case.field.is_none_or(|f| fields.contains(&f));
        if reply.status != case.status || !problem_json || !field_ok {
            failures.push(format!(
                "{}: got {} {:?}, want {} {:?}: {}",
                case.name, reply.status, fields, case.status, case.field, reply.body
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn with(mut body: Value, path: &[&str], value: Value) -> Value {
    let mut target = &mut body;
    for key in &path[..path.len() - 1] {
        target = &mut target[*key];
    }
    target[path[path.len() - 1]] = value;
    body
}

#[tokio::test]
async fn scheduling_and_listing_reject_bad_input() {
    let app = spawn_app().await;
    let dr = app.accounts.clinician.clone();
    let good = app.visit_body(60);
    let without = |key: &str| {
        let mut body = good.clone();
        body.as_object_mut().unwrap().remove(key);
        body
    };
    let past = (app.clock_now() - Duration::hours(1)).to_rfc3339();
    let too_far = (app.clock_now() + Duration::days(400) + Duration::minutes(1)).to_rfc3339();
    let cases = vec![
        case("malformed json", "POST", "/visits", 400, Some("body")).by(&dr).raw("{\"patientId\": "),
        case("not an object", "POST", "/visits", 400, Some("body")).by(&dr).raw("[1,2]"),
        case("missing patientId", "POST", "/visits", 400, Some("patientId")).by(&dr).json(without("patientId")),
        case("missing scheduledAt", "POST", "/visits", 400, Some("scheduledAt")).by(&dr).json(without("scheduledAt")),
        case("empty patientId", "POST", "/visits", 400, Some("patientId")).by(&dr).json(with(
            good.clone(),
            &["patientId"],
            json!(""),
        )),
        case("numeric patientId", "POST", "/visits", 400, Some("patientId")).by(&dr).json(with(
            good.clone(),
            &["patientId"],
            json!(7),
        )),
        case("duration as text", "POST", "/visits", 400, Some("durationMinutes")).by(&dr).json(with(
            good.clone(),
            &["durationMinutes"],
            json!("30"),
        )),
        case("duration too short", "POST", "/visits", 400, Some("durationMinutes")).by(&dr).json(with(
            good.clone(),
            &["durationMinutes"],
            json!(4),
        )),
        case("duration too long", "POST", "/visits", 400, Some("durationMinutes")).by(&dr).json(with(
            good.clone(),
            &["durationMinutes"],
            json!(241),
        )),
        case("negative duration", "POST", "/visits", 400, Some("durationMinutes")).by(&dr).json(with(
            good.clone(),
            &["durationMinutes"],
            json!(-5),
        )),
        case("unknown provider", "POST", "/visits", 400, Some("provider")).by(&dr).json(with(
            good.clone(),
            &["provider"],
            json!("zoom"),
        )),
        case("time not rfc3339", "POST", "/visits", 400, Some("scheduledAt")).by(&dr).json(with(
            good.clone(),
            &["scheduledAt"],
            json!("tomorrow at 10"),
        )),
        case("visit in the past", "POST", "/visits", 422, Some("scheduledAt")).by(&dr).json(with(
            good.clone(),
            &["scheduledAt"],
            json!(past),
        )),
        case("more than 400 days ahead", "POST", "/visits", 422, Some("scheduledAt")).by(&dr).json(with(
            good.clone(),
            &["scheduledAt"],
            json!(too_far),
        )),
        case("near the end of time", "POST", "/visits", 422, Some("scheduledAt")).by(&dr).json(with(
            good.clone(),
            &["scheduledAt"],
            json!("9999-12-31T23:00:00Z"),
        )),
        case("bad phone", "POST", "/visits", 400, Some("patientContact.phone")).by(&dr).json(with(
            good.clone(),
            &["patientContact", "phone"],
            json!("555-0100"),
        )),
        case("bad email", "POST", "/visits", 400, Some("patientContact.email")).by(&dr).json(with(
            good.clone(),
            &["patientContact", "email"],
            json!("pat.example.com"),
        )),
        case("contact without a way to reach", "POST", "/visits", 400, Some("patientContact")).by(&dr).json(with(
            good.clone(),
            &["patientContact"],
            json!({"displayName": "Pat"}),
        )),
        case("oversized body", "POST", "/visits", 413, Some("body")).by(&dr).json(with(
            good.clone(),
            &["padding"],
            json!("x".repeat(20_000)),
        )),
        case("admin without clinicianId", "POST", "/visits", 400, Some("clinicianId"))
            .by(&app.accounts.admin)
            .json(good.clone()),
        case("empty idempotency key", "POST", "/visits", 400, Some("Idempotency-Key"))
            .by(&dr)
            .json(good.clone())
            .header("idempotency-key", " "),
        case("when", "GET", "/visits?when=later", 400, Some("when")).by(&dr),
        case("limit zero", "GET", "/visits?limit=0", 400, Some("limit")).by(&dr),
        case("limit text", "GET", "/visits?limit=ten", 400, Some("limit")).by(&dr),
        case("limit too big", "GET", "/visits?limit=101", 400, Some("limit")).by(&dr),
        case("cursor", "GET", "/visits?cursor=not-ours", 400, Some("cursor")).by(&dr),
        case("patientId filter", "GET", "/visits?patientId=a%20b", 400, Some("patientId")).by(&dr),
    ];
    run(&app, cases).await;
}

#[tokio::test]
async fn a_reused_idempotency_key_with_another_body_is_422_and_a_retry_is_the_same_visit() {
    let app = spawn_app().await;
    let dr = app.accounts.clinician.clone();
    let key = [("idempotency-key", "visit-42")];
    let body = app.visit_body(60).to_string();
    let first = app.send("POST", "/visits", Some(&dr), Some(body.clone()), &key).await;
    let retry = app.send("POST", "/visits", Some(&dr), Some(body), &key).await;
    assert_eq!((first.status, retry.status), (201, 201));
    assert_eq!(first.body["visitId"], retry.body["visitId"]);
    let listed = app.call("GET", "/visits", Some(&dr), None).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1, "a retry does not make a second visit");
    let other = app.send("POST", "/visits", Some(&dr), Some(app.visit_body(90).to_string()), &key).await;
    other.assert_problem(422, Some("Idempotency-Key"));
}

#[tokio::test]
async fn visit_routes_reject_bad_and_unknown_ids() {
    let app = spawn_app().await;
    let dr = app.accounts.clinician.clone();
    let mut cases = Vec::new();
    for (method, suffix) in [
        ("GET", ""),
        ("GET", "/audit"),
        ("POST", "/cancel"),
        ("POST", "/end"),
        ("POST", "/links"),
        ("POST", "/notify"),
        ("POST", "/session"),
    ] {
        cases.push(case("malformed id", method, format!("/visits/not-a-visit{suffix}"), 400, Some("visitId")).by(&dr));
        cases.push(case("unknown id", method, format!("/visits/{UNKNOWN_VISIT}{suffix}"), 404, None).by(&dr));
    }
    run(&app, cases).await;
}

#[tokio::test]
async fn notify_rejects_bad_channels() {
    let app = spawn_app().await;
    let dr = app.accounts.clinician.clone();
    let visit_id = app.schedule().await;
    let mut email_only = app.visit_body(10);
    email_only["patientContact"] = json!({"email": "pat@example.com"});
    let email_only =
        app.call("POST", "/visits", Some(&dr), Some(email_only)).await.body["visitId"].as_str().unwrap().to_owned();
    let path = format!("/visits/{visit_id}/notify");
    let cases = vec![
        case("malformed json", "POST", path.clone(), 400, Some("body")).by(&dr).raw("{channels"),
        case("channels not a list", "POST", path.clone(), 400, Some("channels"))
            .by(&dr)
            .json(json!({"channels": "sms"})),
        case("unknown channel", "POST", path.clone(), 400, Some("channels[0]"))
            .by(&dr)
            .json(json!({"channels": ["fax"]})),
        case("no channel", "POST", path.clone(), 422, Some("channels")).by(&dr).json(json!({"channels": []})),
        case("channel without contact", "POST", format!("/visits/{email_only}/notify"), 422, Some("channels"))
            .by(&dr)
            .json(json!({"channels": ["sms"]})),
    ];
    run(&app, cases).await;
}

/// A JWT with its signature replaced, one with `alg: none`, one past its expiry, one for the
/// other audience: each refused the same way.
#[tokio::test]
async fn join_routes_reject_bad_tokens() {
    let app = spawn_app().await;
    let visit_id = app.schedule().await;
    let link = app.mint(&visit_id).await;
    let link_token = link["token"].as_str().unwrap().to_owned();
    let redeemed = app.redeem(link["code"].as_str().unwrap()).await;
    let join_token = redeemed.body["joinToken"].as_str().unwrap().to_owned();
    let fresh_link = app.mint(&visit_id).await["token"].as_str().unwrap().to_owned();

    let forged = |token: &str| {
        let (signed, _) = token.rsplit_once('.').unwrap();
        format!("{signed}.{}", "A".repeat(86))
    };
    let alg_none = |token: &str| {
        let claims = token.split('.').nth(1).unwrap();
        format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{claims}.")
    };
    let cases = vec![
        case("missing token", "POST", "/join", 400, Some("token")).json(json!({})),
        case("token not a string", "POST", "/join", 400, Some("token")).json(json!({"token": 5})),
        case("malformed json", "POST", "/join", 400, Some("body")).raw("{\"token\""),
        case("oversized", "POST", "/join", 413, Some("body")).json(json!({"token": "x".repeat(20_000)})),
        case("forged link jwt", "POST", "/join", 410, None).json(json!({"token": forged(&fresh_link)})),
        case("alg none link jwt", "POST", "/join", 410, None).json(json!({"token": alg_none(&fresh_link)})),
        case("session token as link", "POST", "/join", 410, None).json(json!({"token": join_token})),
        case("garbage link jwt", "POST", "/join", 410, None).json(json!({"token": "a.b.c"})),
        case("no join token", "POST", "/join/session", 401, None),
        case("forged join token", "POST", "/join/session", 401, None).by(&forged(&join_token)),
        case("alg none join token", "POST", "/join/session", 401, None).by(&alg_none(&join_token)),
        case("link token as join token", "POST", "/join/session", 401, None).by(&fresh_link),
        case("used link", "POST", "/join", 410, None).json(json!({"token": link_token})),
        case("unknown code preview", "GET", "/join/ZZZZZZZZZZZZZZ", 404, None),
    ];
    run(&app, cases).await;

    // Past the join window the session token has expired.
    app.clock.advance(Duration::hours(2));
    let expired_session = app.call("POST", "/join/session", Some(&join_token), None).await;
    expired_session.assert_problem(401, None);
    let expired_link = app.call("POST", "/join", None, Some(json!({"token": fresh_link}))).await;
    expired_link.assert_problem(410, None);
}

#[tokio::test]
async fn unknown_routes_are_404_problems_and_other_methods_405() {
    let app = spawn_app().await;
    app.call("GET", "/nowhere", None, None).await.assert_problem(404, None);
    let wrong_method = app.call("DELETE", "/visits", Some(&app.accounts.admin), None).await;
    wrong_method.assert_problem(405, None);
    assert_eq!(wrong_method.header("allow"), Some("GET, POST"));
    let options = app.call("OPTIONS", "/join/session", None, None).await;
    assert_eq!((options.status, options.header("allow")), (405, Some("POST")), "{}", options.body);
}

#[tokio::test]
async fn a_visit_400_days_ahead_is_accepted() {
    let app = spawn_app().await;
    let body = with(app.visit_body(0), &["scheduledAt"], json!((app.clock_now() + Duration::days(400)).to_rfc3339()));
    let reply = app.call("POST", "/visits", Some(&app.accounts.clinician), Some(body)).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

/// A visit stored at the end of chrono's range (as an old or tampered item could be) must not
/// make any read or action on it panic.
#[tokio::test]
async fn a_stored_visit_at_the_end_of_time_breaks_no_read() {
    use visits_domain::model::{AuditKind, VisitId};
    let app = spawn_app().await;
    let id = VisitId::parse("vis_zzzzzzzzzzzzzzzzzzzz").unwrap();
    let end = chrono::DateTime::<chrono::Utc>::MAX_UTC - Duration::minutes(10);
    let visit = visits_domain::testing::booked_visit(
        id.clone(),
        &app.sub("patient"),
        &app.sub("clinician"),
        end,
        app.clock_now(),
    );
    app.world().core().create(visit, "test", |d| d.record(AuditKind::VisitScheduled, []), None, None).await.unwrap();
    let (dr, admin) = (app.accounts.clinician.clone(), app.accounts.admin.clone());
    for (method, path, bearer) in [
        ("GET", "/visits".to_owned(), &admin),
        ("GET", "/visits?when=past".to_owned(), &admin),
        ("GET", "/visits".to_owned(), &dr),
        ("GET", format!("/visits/{id}"), &dr),
        ("POST", format!("/visits/{id}/links"), &dr),
        ("POST", format!("/visits/{id}/notify"), &dr),
        ("POST", format!("/visits/{id}/session"), &dr),
        ("POST", format!("/visits/{id}/cancel"), &dr),
    ] {
        let reply = app.call_unchecked(method, &path, Some(bearer)).await;
        assert!(reply.status < 500, "{method} {path}: {} {}", reply.status, reply.body);
    }
}

#[tokio::test]
async fn unreadable_headers_are_a_400_never_a_dropped_connection() {
    let app = spawn_app().await;
    let dr = app.accounts.clinician.clone();
    for (name, value, field) in [
        ("host", "bad host^", "Host"),
        ("x-forwarded-proto", "ht tp", "Host"),
        ("idempotency-key", "clé", "idempotency-key"),
        ("x-note", "naïve", "x-note"),
    ] {
        let reply =
            app.send("POST", "/visits", Some(&dr), Some(app.visit_body(60).to_string()), &[(name, value)]).await;
        reply.assert_problem(400, Some(field));
        let reply = app.send("GET", "/join/ABCDEFGHJKMNPQ", None, None, &[(name, value)]).await;
        reply.assert_problem(400, Some(field));
    }
    let listed = app.call("GET", "/visits", Some(&dr), None).await;
    assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(0), "a refused request scheduled nothing");
}

#[tokio::test]
async fn input_is_strict_unknown_fields_nulls_and_arrays_for_objects_are_refused() {
    let app = spawn_app().await;
    let dr = app.accounts.clinician.clone();
    let visit = app.schedule().await;
    let good = app.visit_body(60);
    let cases = vec![
        case("a misspelt field", "POST", "/visits", 400, Some("patientContacts")).by(&dr).json(with(
            good.clone(),
            &["patientContacts"],
            json!({"phone": "+447911123456"}),
        )),
        case("an unknown contact field", "POST", "/visits", 400, Some("patientContact.fax")).by(&dr).json(with(
            good.clone(),
            &["patientContact", "fax"],
            json!("+447911123456"),
        )),
        case("null provider", "POST", "/visits", 400, Some("provider")).by(&dr).json(with(
            good.clone(),
            &["provider"],
            json!(null),
        )),
        case("null contact", "POST", "/visits", 400, Some("patientContact")).by(&dr).json(with(
            good.clone(),
            &["patientContact"],
            json!(null),
        )),
        case("null phone", "POST", "/visits", 400, Some("patientContact.phone")).by(&dr).json(with(
            good.clone(),
            &["patientContact", "phone"],
            json!(null),
        )),
        case("contact as an array", "POST", "/visits", 400, Some("patientContact")).by(&dr).json(with(
            good.clone(),
            &["patientContact"],
            json!(["+447911123456"]),
        )),
        case("null channels", "POST", format!("/visits/{visit}/notify"), 400, Some("channels"))
            .by(&dr)
            .json(json!({"channels": null})),
        case("notify extra field", "POST", format!("/visits/{visit}/notify"), 400, Some("channel"))
            .by(&dr)
            .json(json!({"channel": "sms"})),
        case("a body on links", "POST", format!("/visits/{visit}/links"), 400, Some("expiresAt"))
            .by(&dr)
            .json(json!({"expiresAt": "2030-01-01T00:00:00Z"})),
        case("a body on cancel", "POST", format!("/visits/{visit}/cancel"), 400, Some("reason"))
            .by(&dr)
            .json(json!({"reason": "moved"})),
        case("a body on a code", "POST", "/join/ABCDEFGHJKMNPQ", 400, Some("token")).json(json!({"token": "x"})),
        case("join token extra field", "POST", "/join", 400, Some("code")).json(json!({"token": "x", "code": "y"})),
    ];
    run(&app, cases).await;
    let fetched = app.call("GET", &format!("/visits/{visit}"), Some(&dr), None).await;
    assert_eq!(fetched.body["status"], "scheduled", "the refused cancel changed nothing");
}

#[tokio::test]
async fn a_visit_carries_its_time_zone_or_the_clinics() {
    let app = spawn_app().await;
    let mut body = app.visit_body(60);
    let plain = app.call("POST", "/visits", Some(&app.accounts.clinician), Some(body.clone())).await;
    assert_eq!((plain.status, plain.body["timeZone"].as_str()), (201, Some("UTC")), "the clinic's by default");
    body["timeZone"] = serde_json::json!("Europe/London");
    let london = app.call("POST", "/visits", Some(&app.accounts.clinician), Some(body.clone())).await;
    assert_eq!(london.body["timeZone"], "Europe/London");
    let id = london.body["visitId"].as_str().unwrap();
    let read = app.call("GET", &format!("/visits/{id}"), Some(&app.accounts.patient), None).await;
    assert_eq!(read.body["timeZone"], "Europe/London", "patients see it too");
    for bad in ["Mars/Olympus", "+01:00", "europe/london"] {
        body["timeZone"] = serde_json::json!(bad);
        let reply = app.call("POST", "/visits", Some(&app.accounts.clinician), Some(body.clone())).await;
        reply.assert_problem(400, Some("timeZone"));
    }
}
