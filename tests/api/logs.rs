//! Logs of a whole flow hold no token, code, phone number, email or name, and every line is JSON.

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tracing_subscriber::EnvFilter;
use visits_tests::spawn_app;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_full_flow_logs_no_secret_and_no_phi() {
    // tracing's subscriber is process-wide, and other tests log beside this one: the flow runs in
    // a fresh process of this same binary that runs this test's other half alone.
    let output = std::process::Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", "logs::full_flow_logged_alone", "--ignored", "--test-threads=1", "--nocapture"])
        .output()
        .expect("the test binary runs again");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("1 passed"), "the flow ran: {stdout}");
}

#[test]
#[ignore = "run by a_full_flow_logs_no_secret_and_no_phi, in a process of its own"]
fn full_flow_logged_alone() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = visits_runtime::telemetry::subscriber(move || writer.clone(), EnvFilter::new("debug"));
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber of this process");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let secrets = runtime.block_on(run_flow());

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logs.lines().count() > 10, "the flow was logged:\n{logs}");
    for line in logs.lines() {
        let parsed: Value = serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        if parsed["message"] == "request handled" {
            assert!(parsed["span"]["requestId"].is_string(), "no request id: {line}");
        }
    }
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        assert!(!logs.contains(secret.as_str()), "the logs contain {secret}");
    }
}

/// Runs every route with PHI in play and returns everything that must not be logged.
async fn run_flow() -> Vec<String> {
    let app = spawn_app().await;
    let dr = app.accounts.clinician.clone();
    let visit_id = app.schedule().await;
    let bad_phone = json!({"patientId": app.sub("patient"), "scheduledAt": "2031-01-01T10:00:00Z", "durationMinutes": 30,
        "patientContact": {"phone": "555-867-5309"}});
    assert_eq!(app.call("POST", "/visits", Some(&dr), Some(bad_phone)).await.status, 400);
    let notified = app.call("POST", &format!("/visits/{visit_id}/notify"), Some(&dr), Some(json!({}))).await;
    assert_eq!(notified.status, 202);
    let link = app.mint(&visit_id).await;
    let code = link["code"].as_str().unwrap().to_owned();
    app.call("GET", &format!("/join/{code}"), None, None).await;
    let redeemed = app.redeem(&code).await;
    let join_token = redeemed.body["joinToken"].as_str().unwrap().to_owned();
    app.redeem(&code).await; // refused: used
    app.call("POST", "/join", None, Some(json!({"token": link["token"]}))).await;
    app.call("POST", "/join/session", Some(&join_token), None).await;
    let started = app.call("POST", &format!("/visits/{visit_id}/session"), Some(&dr), None).await;
    let joined = app.call("POST", "/join/session", Some(&join_token), None).await;
    app.call("GET", &format!("/visits/{visit_id}"), Some(&dr), None).await;
    app.call("GET", "/visits", Some(&dr), None).await;
    app.call("POST", &format!("/visits/{visit_id}/end"), Some(&dr), None).await;
    app.call("GET", &format!("/visits/{visit_id}/audit"), Some(&dr), None).await;

    assert_eq!(app.world().outbox.sent().len(), 3, "the flow sent an SMS and an email, and alerted the clinician");
    vec![
        code,
        link["token"].as_str().unwrap().to_owned(),
        join_token,
        started.body["attendee"]["JoinToken"].as_str().unwrap().to_owned(),
        joined.body["attendee"]["JoinToken"].as_str().unwrap().to_owned(),
        dr,
        "+447911123456".into(),
        "7911123456".into(),
        "867-5309".into(),
        "pat@example.com".into(),
        "Pat Example".into(),
        "dr@demo.health".into(),
    ]
}
