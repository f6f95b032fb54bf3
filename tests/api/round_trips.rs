//! How many AWS calls each route makes, and how many of them wait for one another (sequential
//! depth: what a user waits for), counted on the AWS adapters by an interceptor on every client.
//! The README walk-through is walked as written, with the other routes in between; each route is
//! held to its budget and the walk-through to its total. With `ROUND_TRIPS_TABLE=path` set, the
//! measured table replaces the marked section of that file (`make bench` keeps
//! `docs/benchmarks.md` so).

use visits_tests::local_aws::{AwsCall, sequential_depth};
use visits_tests::{TestApp, spawn_aws_app};

/// Budgets per route: (route, calls, sequential depth). A saving is kept by lowering its line.
const BUDGETS: &[(&str, usize, usize)] = &[
    ("POST /visits", 1, 1),
    ("POST /visits/{visitId}/links", 3, 3),
    // The link written (a link sent in a message is its code: no JWT to sign); sent; audited.
    ("POST /visits/{visitId}/notify", 5, 4),
    // The code's entry keeps a copy of its link and visit: one read decides.
    ("GET /join/{code}", 1, 1),
    // Read; the link used up while the session token is signed.
    ("POST /join/{code}", 3, 2),
    ("POST /join/{code} (used link)", 4, 2),
    ("POST /join/{code} (unknown code)", 3, 2),
    // The first ask checks the patient in (a write); asking again while waiting only reads.
    ("POST /join/session (waiting)", 2, 2),
    ("POST /join/session (waiting, again)", 1, 1),
    // Entering the visit is recorded in the patient's access log before the session leaves.
    ("POST /visits/{visitId}/session (first start)", 4, 4),
    ("POST /join/session (ready)", 4, 4),
    ("POST /visits/{visitId}/end", 3, 3),
    // A read of a patient's data: read, then its access record written before it is answered.
    ("GET /visits/{visitId}/audit", 2, 2),
    ("GET /visits/{visitId}", 2, 2),
    // Every shard of the all-visits index at once; then every visit's access record together.
    ("GET /visits", 17, 2),
    // The read's own record beside the page.
    ("GET /patients/{patientId}/access-log", 2, 1),
    ("POST /join", 3, 2),
    // The visit; guest, link and code written; sent; the delivery audited.
    ("POST /visits/{visitId}/guests", 4, 4),
    ("POST /join/session (a guest, ready)", 4, 4),
    // The visit; the guest's seat taken away; the guest gone in one write.
    ("DELETE /visits/{visitId}/guests/{guestId}", 3, 3),
    // A visit whose session never started: no room to close.
    ("POST /visits/{visitId}/cancel", 2, 2),
    // Recording: the visit; the pipeline; the run kept. Stopping: the pipeline deleted, then its
    // pieces joined. A transcription's engine starts and stops beside its pipeline.
    ("POST /visits/{visitId}/recording", 3, 3),
    ("DELETE /visits/{visitId}/recording", 4, 4),
    ("POST /visits/{visitId}/transcription", 4, 3),
    ("DELETE /visits/{visitId}/transcription", 5, 4),
    // The visit; the read and each link's record written beside the file's lookup (links are
    // signed locally); a transcript's file listed, then read.
    ("GET /visits/{visitId}/recordings", 3, 2),
    ("GET /visits/{visitId}/transcript", 4, 3),
    // Entering without consent while recording: the recording stops (deleted, joined) first.
    ("POST /join/session (ready, stopping a recording)", 6, 6),
    // The new link written with the move; sent; its deliveries audited.
    ("POST /visits/{visitId}/reschedule", 5, 4),
    // The source's count with the code's entry; counting ‖ the visit; the ask written with its
    // holder's allowance taken. The table's stream hands the ask to visit-jobs, which reads the
    // visit, writes the link (taking the ask), sends it and audits the sends.
    ("POST /join/{code}/resend", 4, 3),
    ("visit-jobs: link.resend_asked", 5, 4),
    // The lander's path. The contact's lookup needs its MAC (the directory is asked beside it);
    // the code goes out after the write.
    ("POST /signup", 7, 4),
    // Within 60 s of the first code: nothing is sent.
    ("POST /signup/{signupId}/resend (held back)", 2, 1),
    // The wrong try is kept and the source's count raised together.
    ("POST /signup/{signupId}/verify (wrong code)", 5, 2),
    // The signup ‖ the code's MAC; the user made ‖ the contact's MAC; the verification written ‖
    // the token signed ‖ the patient's group.
    ("POST /signup/{signupId}/verify", 8, 3),
    ("POST /service/visits", 3, 2),
    // A clinician's application and its review; a licence upload (storage is only signed for).
    ("POST /clinician-applications", 4, 3),
    ("POST /clinician-applications/{applicationId}/verify", 5, 3),
    ("GET /clinician-applications/{applicationId}", 1, 1),
    ("POST /uploads", 2, 2),
    ("GET /uploads/{uploadId}", 1, 1),
    // Every status but pending, at once.
    ("GET /admin/clinician-applications", 5, 1),
    ("POST /admin/clinician-applications/{applicationId}/status (under review)", 2, 2),
    // The clinician is made (found again on a retry) and granted the group before the write; the
    // email follows the write from the table's stream (visit-jobs), not in the request.
    ("POST /admin/clinician-applications/{applicationId}/status (approved)", 4, 4),
];

/// The README walk-through's ten requests, in sequence, may wait for this many round trips
/// (issue 9's target: 27; the access log's records of reads and entries add 3; a link sent in a
/// message signs nothing, one less; a code's copy of its link and visit, three less).
const WALKTHROUGH_DEPTH: usize = 25;

struct Spent {
    route: &'static str,
    in_walkthrough: bool,
    calls: Vec<AwsCall>,
}

struct Walk<'a> {
    app: &'a TestApp,
    spent: Vec<Spent>,
}

impl Walk<'_> {
    /// Runs `call` and records the AWS calls it made under `route`.
    async fn step<Fut: std::future::Future>(
        &mut self,
        route: &'static str,
        in_walkthrough: bool,
        call: Fut,
    ) -> Fut::Output {
        let before = self.app.aws_calls().len();
        let out = call.await;
        let calls = self.app.aws_calls().split_off(before);
        self.spent.push(Spent { route, in_walkthrough, calls });
        out
    }
}

#[tokio::test]
async fn each_route_stays_within_its_round_trip_budget() {
    let app = spawn_aws_app().await;
    let dr = app.accounts.clinician.clone();
    let mut walk = Walk { app: &app, spent: Vec::new() };

    let visit = walk.step("POST /visits", true, app.schedule()).await;
    let (notify, session, audit, end) = (
        format!("/visits/{visit}/notify"),
        format!("/visits/{visit}/session"),
        format!("/visits/{visit}/audit"),
        format!("/visits/{visit}/end"),
    );
    walk.step("POST /visits/{visitId}/links", false, app.mint(&visit)).await;
    let notified = walk.step("POST /visits/{visitId}/notify", true, app.call("POST", &notify, Some(&dr), None)).await;
    assert_eq!(notified.status, 202);
    let outbox = app.call("GET", "/dev/outbox", None, None).await;
    // This walk's own message: the local AWS's outbox holds every test's.
    let sent_id = &notified.body["deliveries"][0]["messageId"];
    let messages = outbox.body["messages"].as_array().unwrap();
    let body = messages.iter().find(|m| &m["messageId"] == sent_id).and_then(|m| m["body"].as_str()).unwrap();
    let code = body.split("/j/").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    let preview = format!("/join/{code}");

    let reply = walk.step("GET /join/{code}", true, app.call("GET", &preview, None, None)).await;
    assert_eq!(reply.status, 200);
    let redeemed = walk.step("POST /join/{code}", true, app.redeem(&code)).await;
    assert_eq!(redeemed.status, 200);
    let refused = walk.step("POST /join/{code} (used link)", true, app.redeem(&code)).await;
    assert_eq!(refused.status, 410);
    let unknown = walk.step("POST /join/{code} (unknown code)", false, app.redeem("ABCDEFGHJKMNPQ")).await;
    assert_eq!(unknown.status, 410);
    let join_token = redeemed.body["joinToken"].as_str().unwrap().to_owned();
    let waiting = app.call("POST", "/join/session", Some(&join_token), None);
    assert_eq!(walk.step("POST /join/session (waiting)", true, waiting).await.status, 202);
    let again = app.call("POST", "/join/session", Some(&join_token), None);
    assert_eq!(walk.step("POST /join/session (waiting, again)", false, again).await.status, 202);
    let started =
        walk.step("POST /visits/{visitId}/session (first start)", true, app.call("POST", &session, Some(&dr), None));
    assert_eq!(started.await.status, 200);
    let joined = app.call("POST", "/join/session", Some(&join_token), None);
    assert_eq!(walk.step("POST /join/session (ready)", true, joined).await.status, 200);
    let ended = walk.step("POST /visits/{visitId}/end", true, app.call("POST", &end, Some(&dr), None)).await;
    assert_eq!(ended.status, 200);
    let read = walk.step("GET /visits/{visitId}/audit", true, app.call("GET", &audit, Some(&dr), None)).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["chainValid"], true);

    // The other routes, on a second visit: reading, listing, redeeming a link's JWT, cancelling.
    let admin = app.accounts.admin.clone();
    let other = app.schedule().await;
    let path = format!("/visits/{other}");
    let one = walk.step("GET /visits/{visitId}", false, app.call("GET", &path, Some(&dr), None)).await;
    assert_eq!(one.status, 200);
    let listed = walk.step("GET /visits", false, app.call("GET", "/visits", Some(&admin), None)).await;
    assert_eq!(listed.status, 200);
    let log = format!("/patients/{}/access-log", app.sub("patient"));
    let log = walk.step("GET /patients/{patientId}/access-log", false, app.call("GET", &log, Some(&admin), None)).await;
    assert_eq!(log.status, 200, "{}", log.body);
    let link = app.mint(&other).await;
    let body = serde_json::json!({ "token": link["token"] });
    let by_token = walk.step("POST /join", false, app.call("POST", "/join", None, Some(body))).await;
    assert_eq!(by_token.status, 200);
    // A third visit: moved (the patient is told with a fresh link), then a dead link's holder
    // asks for a fresh one.
    let third = app.schedule().await;
    let dead = app.mint(&third).await["code"].as_str().unwrap().to_owned();
    let later = (visits_tests::start_time() + chrono::Duration::days(2)).to_rfc3339();
    let reschedule = format!("/visits/{third}/reschedule");
    let moved = app.call("POST", &reschedule, Some(&dr), Some(serde_json::json!({"scheduledAt": later})));
    assert_eq!(walk.step("POST /visits/{visitId}/reschedule", false, moved).await.status, 200);
    let resend = format!("/join/{dead}/resend");
    let resent = walk.step("POST /join/{code}/resend", false, app.call("POST", &resend, None, None)).await;
    assert_eq!(resent.status, 202);
    let asked = app.resends_asked(&third).await;
    assert_eq!(asked.len(), 1, "one ask written");
    let sent = walk.step("visit-jobs: link.resend_asked", false, app.follow_resend(&asked[0])).await;
    assert!(sent, "the fresh link went out");
    let cancel = format!("/visits/{other}/cancel");
    let cancelled = walk.step("POST /visits/{visitId}/cancel", false, app.call("POST", &cancel, Some(&dr), None)).await;
    assert_eq!(cancelled.status, 200);

    walk_a_guest(&app, &mut walk).await;
    walk_a_recording(&app, &mut walk).await;

    // The lander's path: signup, a resend, a wrong code, the right one, the booking.
    let email = format!("walk-{}@example.com", uuid::Uuid::new_v4().simple());
    let body = serde_json::json!({"givenName": "Pat", "familyName": "Example", "dateOfBirth": "1980-02-29",
        "email": email, "channel": "email"});
    let started = walk.step("POST /signup", false, app.call("POST", "/signup", None, Some(body))).await;
    assert_eq!(started.status, 202, "{}", started.body);
    let signup = started.body["signupId"].as_str().unwrap().to_owned();
    let resend = format!("/signup/{signup}/resend");
    let resent =
        walk.step("POST /signup/{signupId}/resend (held back)", false, app.call("POST", &resend, None, None)).await;
    assert_eq!(resent.status, 202);
    let code = app.code_sent_to(&email).await;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let verify = format!("/signup/{signup}/verify");
    let refused = app.call("POST", &verify, None, Some(serde_json::json!({"code": wrong})));
    assert_eq!(walk.step("POST /signup/{signupId}/verify (wrong code)", false, refused).await.status, 400);
    let verified = app.call("POST", &verify, None, Some(serde_json::json!({"code": code})));
    let verified = walk.step("POST /signup/{signupId}/verify", false, verified).await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    let booking = serde_json::json!({"signupToken": verified.body["signupToken"], "clinicianId": app.sub("clinician"),
        "scheduledAt": (visits_tests::start_time() + chrono::Duration::days(1)).to_rfc3339(), "durationMinutes": 20});
    let lander = app.accounts.lander.clone();
    let book =
        app.send("POST", "/service/visits", Some(&lander), Some(booking.to_string()), &[("idempotency-key", "walk")]);
    assert_eq!(walk.step("POST /service/visits", false, book).await.status, 201);

    walk_an_application(&app, &mut walk).await;

    let table = table(&walk.spent);
    if let Ok(path) = std::env::var("ROUND_TRIPS_TABLE") {
        local_invoke::section::replace(&path, "round-trips", &table).expect("the table is written");
    }
    let mut over = Vec::new();
    for spent in &walk.spent {
        let (_, calls, depth) = BUDGETS.iter().find(|(r, ..)| *r == spent.route).expect("a budget for every route");
        let (n, d) = (spent.calls.len(), sequential_depth(&spent.calls));
        if n > *calls || d > *depth {
            over.push(format!("{}: {n} calls / {d} deep, budget {calls} / {depth}", spent.route));
        }
    }
    let walkthrough: usize = walk.spent.iter().filter(|s| s.in_walkthrough).map(|s| sequential_depth(&s.calls)).sum();
    if walkthrough > WALKTHROUGH_DEPTH {
        over.push(format!("README walk-through: {walkthrough} deep, budget {WALKTHROUGH_DEPTH}"));
    }
    assert!(over.is_empty(), "over budget: {over:#?}\n{table}");

    // Every call a route made is one its function's role allows (an IAM gap only shows deployed).
    let mut denied = Vec::new();
    for spent in &walk.spent {
        // A route (`POST /path`), or what a function follows (`visit-jobs: link.resend_asked`).
        let allowed = match spent.route.split_once(": ") {
            Some((binary, _)) => crate::template::actions_allowed_for_binary(binary),
            None => {
                let mut words = spent.route.split_whitespace();
                crate::template::actions_allowed_for_route(words.next().unwrap(), words.next().unwrap())
            }
        };
        for call in &spent.calls {
            let action = format!("{}:{}", iam_prefix(&call.service), iam_action(&call.operation));
            if !allowed.contains(&action) {
                denied.push(format!("{}: {action}", spent.route));
            }
        }
    }
    assert!(denied.is_empty(), "calls the template's roles do not allow: {denied:#?}");
}

/// The IAM prefix of an SDK service name.
fn iam_prefix(service: &str) -> &'static str {
    match service {
        "DynamoDB" => "dynamodb",
        "KMS" => "kms",
        "SESv2" => "ses",
        "SNS" => "sns",
        "Chime SDK Meetings" | "ChimeSDKMeetings" => "chime",
        "Chime SDK Media Pipelines" | "ChimeSDKMediaPipelines" => "chime",
        "S3" => "s3",
        "Connect" => "connect",
        "Cognito Identity Provider" | "CognitoIdentityProvider" => "cognito-idp",
        other => panic!("no IAM prefix known for {other}"),
    }
}

/// The IAM action an operation needs, where the two are named apart.
fn iam_action(operation: &str) -> &str {
    match operation {
        "ListObjectsV2" => "ListBucket",
        other => other,
    }
}

/// The measured table, as markdown.
fn table(spent: &[Spent]) -> String {
    let mut out = String::from("| request | AWS calls | sequential | calls, in order |\n|---|---|---|---|\n");
    for s in spent {
        // Consecutive repeats once, counted: `Query ×16`.
        let mut operations: Vec<(&str, usize)> = Vec::new();
        for call in &s.calls {
            match operations.last_mut() {
                Some((last, n)) if *last == call.operation => *n += 1,
                _ => operations.push((call.operation.as_str(), 1)),
            }
        }
        let operations: Vec<String> =
            operations.iter().map(|(op, n)| if *n == 1 { (*op).to_owned() } else { format!("{op} ×{n}") }).collect();
        let route = if s.in_walkthrough { s.route.to_owned() } else { format!("{} *", s.route) };
        out += &format!(
            "| `{route}` | {} | {} | {} |\n",
            s.calls.len(),
            sequential_depth(&s.calls),
            operations.join(", ")
        );
    }
    let walk: Vec<&Spent> = spent.iter().filter(|s| s.in_walkthrough).collect();
    let total: usize = walk.iter().map(|s| s.calls.len()).sum();
    let depth: usize = walk.iter().map(|s| sequential_depth(&s.calls)).sum();
    out += &format!("| README walk-through ({} requests) | {total} | {depth} | |\n", walk.len());
    out
}

/// A caregiver added to a started visit, joining, and removed.
async fn walk_a_guest(app: &TestApp, walk: &mut Walk<'_>) {
    let dr = app.accounts.clinician.clone();
    let visit = app.schedule().await;
    assert_eq!(app.call("POST", &format!("/visits/{visit}/session"), Some(&dr), None).await.status, 200);
    let email = format!("walk-guest-{}@example.com", uuid::Uuid::new_v4().simple());
    let body = serde_json::json!({"role": "caregiver", "contact": {"email": email}});
    let guests = format!("/visits/{visit}/guests");
    let add = app.call("POST", &guests, Some(&dr), Some(body));
    let added = walk.step("POST /visits/{visitId}/guests", false, add).await;
    assert_eq!(added.status, 201, "{}", added.body);
    let code = app.link_code_sent_to(&email).await;
    let guest_token = app.redeem(&code).await.body["joinToken"].as_str().unwrap().to_owned();
    let join = app.call("POST", "/join/session", Some(&guest_token), None);
    assert_eq!(walk.step("POST /join/session (a guest, ready)", false, join).await.status, 200);
    let remove = format!("/visits/{visit}/guests/{}", added.body["guestId"].as_str().unwrap());
    let removed =
        walk.step("DELETE /visits/{visitId}/guests/{guestId}", false, app.call("DELETE", &remove, Some(&dr), None));
    assert_eq!(removed.await.status, 204);
}

async fn walk_an_application(app: &TestApp, walk: &mut Walk<'_>) {
    use serde_json::json;
    let email = format!("walk-dr-{}@clinic.example", uuid::Uuid::new_v4().simple());
    let body = json!({"givenName": "Ada", "familyName": "Lovelace", "email": email, "npi": "1234567893",
        "licenses": [{"state": "CA", "number": "A1", "expiresOn": "2031-01-01"}]});
    let started = walk
        .step("POST /clinician-applications", false, app.call("POST", "/clinician-applications", None, Some(body)))
        .await;
    assert_eq!(started.status, 202, "{}", started.body);
    let id = started.body["applicationId"].as_str().unwrap().to_owned();
    let code = app.code_sent_to(&email).await;
    let verify_path = format!("/clinician-applications/{id}/verify");
    let verify = app.call("POST", &verify_path, None, Some(json!({"code": code})));
    let verified = walk.step("POST /clinician-applications/{applicationId}/verify", false, verify).await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    let applicant = verified.body["applicantToken"].as_str().unwrap().to_owned();
    let path = format!("/clinician-applications/{id}");
    let read = walk
        .step("GET /clinician-applications/{applicationId}", false, app.call("GET", &path, Some(&applicant), None))
        .await;
    assert_eq!(read.status, 200);

    let file = b"%PDF licence".to_vec();
    let announce =
        json!({"purpose": "license", "applicationId": id, "contentType": "application/pdf", "sizeBytes": file.len()});
    let created =
        walk.step("POST /uploads", false, app.call("POST", "/uploads", Some(&applicant), Some(announce))).await;
    assert_eq!(created.status, 201, "{}", created.body);
    // The browser's POST to storage and the scan's result: not an API route.
    assert_eq!(visits_tests::browser::post_upload(&app.client, &created.body, &file, "application/pdf").await, 204);
    let upload = format!("/uploads/{}", created.body["uploadId"].as_str().unwrap());
    let scanned = walk.step("GET /uploads/{uploadId}", false, app.call("GET", &upload, Some(&applicant), None)).await;
    assert_eq!(scanned.body["status"], "clean");

    let admin = app.accounts.admin.clone();
    let listed = app.call("GET", "/admin/clinician-applications?status=submitted", Some(&admin), None);
    assert_eq!(walk.step("GET /admin/clinician-applications", false, listed).await.status, 200);
    let status = format!("/admin/clinician-applications/{id}/status");
    let version = app.call("GET", &path, Some(&applicant), None).await.body["version"].as_u64().unwrap();
    let under =
        app.call("POST", &status, Some(&admin), Some(json!({"status": "under_review", "expectedVersion": version})));
    let under =
        walk.step("POST /admin/clinician-applications/{applicationId}/status (under review)", false, under).await;
    assert_eq!(under.status, 200, "{}", under.body);
    let approve = json!({"status": "approved", "expectedVersion": under.body["version"]});
    let approved = app.call("POST", &status, Some(&admin), Some(approve));
    let approved =
        walk.step("POST /admin/clinician-applications/{applicationId}/status (approved)", false, approved).await;
    assert_eq!(approved.status, 200, "{}", approved.body);
}

/// A visit recorded and transcribed with everyone's consent, the files read back, and a
/// recording stopped by a patient entering without consent.
async fn walk_a_recording(app: &TestApp, walk: &mut Walk<'_>) {
    let dr = app.accounts.clinician.clone();
    let visit = app.schedule().await;
    let path = |tail: &str| format!("/visits/{visit}/{tail}");
    assert_eq!(app.call("POST", &path("session"), Some(&dr), None).await.status, 200);
    let agree = serde_json::json!({"recording": true, "transcription": true});
    assert_eq!(app.call("PUT", &path("consent"), Some(&dr), Some(agree)).await.status, 200);
    for (capture, listing) in [("recording", "recordings"), ("transcription", "transcript")] {
        let (start, stop, read) = match capture {
            "recording" => (
                "POST /visits/{visitId}/recording",
                "DELETE /visits/{visitId}/recording",
                "GET /visits/{visitId}/recordings",
            ),
            _ => (
                "POST /visits/{visitId}/transcription",
                "DELETE /visits/{visitId}/transcription",
                "GET /visits/{visitId}/transcript",
            ),
        };
        let started = walk.step(start, false, app.call("POST", &path(capture), Some(&dr), None)).await;
        assert_eq!(started.status, 201, "{}", started.body);
        let stopped = walk.step(stop, false, app.call("DELETE", &path(capture), Some(&dr), None)).await;
        assert_eq!(stopped.status, 200, "{}", stopped.body);
        app.follow_pipelines().await;
        let listed = walk.step(read, false, app.call("GET", &path(listing), Some(&dr), None)).await;
        assert_eq!(listed.status, 200, "{}", listed.body);
    }
    assert_eq!(app.call("POST", &path("recording"), Some(&dr), None).await.status, 201);
    let code = app.mint(&visit).await["code"].as_str().unwrap().to_owned();
    let join = app.redeem(&code).await.body["joinToken"].as_str().unwrap().to_owned();
    let entered = app.call("POST", "/join/session", Some(&join), None);
    let entered = walk.step("POST /join/session (ready, stopping a recording)", false, entered).await;
    assert_eq!(entered.status, 200, "{}", entered.body);
}
