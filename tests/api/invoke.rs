//! Each function's real binary and `lambda_runtime` loop, run on a sample event through the local
//! Lambda Runtime API (what `make invoke` does), against the local AWS provisioned as
//! `events/local-env.json` describes it. The binaries come from `cargo build --workspace --bins`
//! (`make test` runs it first).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use local_invoke::{Logs, Outcome, settings};
use local_server::provision::{self, Resources};
use serde_json::Value;
use visits_tests::local_aws;

fn read(path: &str) -> Value {
    let path = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `target/debug`, where `cargo build --workspace --bins` put the function binaries.
fn binary(function: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary");
    let debug = exe.parent().and_then(|deps| deps.parent()).expect("target/debug/deps");
    let binary = debug.join(function);
    assert!(binary.exists(), "{} is missing: run `cargo build --workspace --bins` (make test does)", binary.display());
    binary
}

/// Runs `function`'s binary on `events/{event}.json` with the variables `events/local-env.json`
/// gives it, on a fresh table, key alias and sender of the local AWS holding the sample visit.
async fn invoke(function: &str, event: &str) -> Value {
    let config = local_aws::sdk_config().await;
    let id = uuid::Uuid::new_v4();
    let resources = Resources {
        table: format!("visits-invoke-{id}"),
        signing_key: Some(format!("alias/visits-invoke-{id}")),
        mac_key: Some(format!("alias/visits-invoke-mac-{id}")),
        sender: "visits@clinic.example".into(),
        user_pool: format!("visits-invoke-{id}"),
        recording_bucket: format!("recordings-invoke-{id}"),
    };
    let provisioned = provision::create(&config, &resources).await.expect("the local AWS is provisioned");
    let store = Arc::new(visits_dynamodb::DynamoStore::new(aws_sdk_dynamodb::Client::new(&config), &resources.table));
    let core = visits_runtime::config::core(store, Arc::new(Default::default()));
    local_server::samples::seed_visit(&core).await.expect("the sample visit");
    let (standin, _state) = local_aws::standin().await;

    let mut env = settings::from_env_file(&read("events/local-env.json"), &settings::logical_id(function));
    let endpoint = std::env::var("AWS_ENDPOINT_URL").expect("the local AWS");
    for (name, value) in [
        ("AWS_ENDPOINT_URL", endpoint),
        ("AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS", standin.clone()),
        ("AWS_ENDPOINT_URL_CHIME_SDK_MEDIA_PIPELINES", standin.clone()),
        ("AWS_ENDPOINT_URL_CONNECT", standin),
        ("RECORDING_BUCKET", provisioned.recording_bucket),
        ("TABLE_NAME", resources.table.clone()),
        ("SIGNING_KEY_ID", provisioned.signing_key),
        ("MAC_KEY_ID", provisioned.mac_key),
        ("USER_POOL_ID", provisioned.user_pool_id),
    ] {
        // Only what the file sets: a function gets no variable it would not get from SAM.
        if let Some(slot) = env.get_mut(name) {
            *slot = value;
        }
    }
    let event = read(&format!("events/{event}.json"));
    let outcome = local_invoke::invoke(&binary(function), function, &env, &event, Logs::Hide, Duration::from_secs(20))
        .await
        .unwrap_or_else(|e| panic!("{function}: {e}"));
    match outcome {
        Outcome::Response(answer) => answer,
        other => panic!("{function} did not answer {event}: {other:?}"),
    }
}

fn status_and_body(answer: &Value) -> (u64, Value) {
    let body = answer["body"].as_str().map(|b| serde_json::from_str(b).expect("a JSON body")).unwrap_or(Value::Null);
    (answer["statusCode"].as_u64().expect("an API Gateway response"), body)
}

#[tokio::test]
async fn schedule_visit_reads_the_sample_visit() {
    let (status, body) = status_and_body(&invoke("schedule-visit", "schedule-visit.get-visit").await);
    assert_eq!((status, body["visitId"].as_str()), (200, Some(local_server::samples::VISIT_ID)), "{body}");
}

#[tokio::test]
async fn mint_link_signs_with_the_kms_key_behind_the_alias() {
    let (status, body) = status_and_body(&invoke("mint-link", "mint-link.post-links").await);
    assert_eq!(status, 201, "{body}");
    assert!(body["url"].as_str().is_some_and(|url| url.starts_with("http://localhost:3001/j/")), "{body}");
}

#[tokio::test]
async fn notify_sends_through_ses_and_sns() {
    let (status, body) = status_and_body(&invoke("notify", "notify.post-notify").await);
    assert_eq!(status, 202, "{body}");
    assert!(body["deliveries"].as_array().is_some_and(|d| d.len() == 2 && d.iter().all(|d| d["status"] == "sent")));
}

#[tokio::test]
async fn guests_signs_the_guests_link_and_sends_it_through_ses() {
    let (status, body) = status_and_body(&invoke("guests", "guests.post-guests").await);
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["role"], "interpreter", "{body}");
    assert_eq!(body["deliveries"][0]["status"], "sent", "{body}");
}

#[tokio::test]
async fn attendance_takes_chimes_event() {
    // An async EventBridge target answers nothing; a failure would be an error answer.
    let answer = invoke("attendance", "attendance.chime-attendee-joined").await;
    assert!(answer.is_null(), "{answer}");
}

#[tokio::test]
async fn redeem_token_refuses_an_unknown_code() {
    let (status, body) = status_and_body(&invoke("redeem-token", "redeem-token.get-join-code").await);
    assert_eq!((status, body["title"].as_str()), (404, Some("Link unavailable")), "{body}");
}

#[tokio::test]
async fn start_session_opens_a_chime_meeting_on_the_standin() {
    let (status, body) = status_and_body(&invoke("start-session", "start-session.post-session").await);
    assert_eq!(status, 200, "{body}");
    assert!(body["meeting"]["MeetingId"].is_string() && body["attendee"]["AttendeeId"].is_string(), "{body}");
}

#[tokio::test]
async fn audit_stream_takes_the_sample_batch_without_failures() {
    let answer = invoke("audit-stream", "audit-stream.dynamodb-batch").await;
    assert_eq!(answer["batchItemFailures"], serde_json::json!([]), "{answer}");
}

#[tokio::test]
async fn connect_flow_answers_screen_pop_attributes() {
    let answer = invoke("connect-flow", "connect-flow.contact-flow").await;
    assert_eq!(answer["visitId"], local_server::samples::VISIT_ID, "{answer}");
    assert_eq!(answer["patientDisplayName"], "Pat Example", "{answer}");
}

#[tokio::test]
async fn signup_macs_with_kms_and_sends_the_code_through_ses() {
    let (status, body) = status_and_body(&invoke("signup", "signup.post-signup").await);
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["sentTo"], "p***@example.com", "{body}");
    let (status, body) = status_and_body(&invoke("signup", "signup.post-verify").await);
    assert_eq!((status, body["type"].as_str().map(|t| t.ends_with("code-invalid"))), (400, Some(true)), "{body}");
}

#[tokio::test]
async fn book_visit_checks_the_signup_token_with_the_kms_public_key() {
    let (status, body) = status_and_body(&invoke("book-visit", "book-visit.post-service-visits").await);
    assert_eq!(status, 401, "{body}");
}

#[tokio::test]
async fn clinician_applications_start_and_list_on_the_local_aws() {
    let (status, body) = status_and_body(&invoke("clinician-applications", "clinician-applications.post-apply").await);
    assert_eq!((status, body["sentTo"].as_str()), (202, Some("a***@clinic.example")), "{body}");
    let (status, body) =
        status_and_body(&invoke("clinician-applications", "clinician-applications.get-admin-list").await);
    assert_eq!((status, body["items"].as_array().map(Vec::len)), (200, Some(0)), "{body}");
}

#[tokio::test]
async fn uploads_refuses_a_token_that_is_neither_cognitos_nor_an_applicants() {
    let (status, body) = status_and_body(&invoke("uploads", "uploads.post-uploads").await);
    assert_eq!(status, 401, "{body}");
}

#[tokio::test]
async fn upload_scanned_takes_a_result_for_an_unknown_object() {
    let answer = invoke("upload-scanned", "upload-scanned.guardduty-scan-result").await;
    assert_eq!(answer, serde_json::Value::Null, "{answer}");
}

#[tokio::test]
async fn reminders_runs_a_schedules_input_through_the_real_binary() {
    let answer = invoke("reminders", "reminders.soon-before").await;
    // The local AWS's sample visit is five minutes from now, not at the sample's planned time.
    assert_eq!(answer["outcome"], "skipped", "{answer}");
}

#[tokio::test]
async fn visit_jobs_takes_a_cancelled_visits_record_without_failures() {
    let answer = invoke("visit-jobs", "visit-jobs.dynamodb-batch").await;
    assert_eq!(answer["batchItemFailures"], serde_json::json!([]), "{answer}");
}

#[test]
fn the_local_env_file_gives_every_function_what_the_template_declares() {
    let file = read("events/local-env.json");
    let template: serde_norway::Value = {
        let path = format!("{}/../template.yaml", env!("CARGO_MANIFEST_DIR"));
        serde_norway::from_str(&std::fs::read_to_string(path).expect("template.yaml")).expect("YAML")
    };
    let declared = |environment: &serde_norway::Value| -> Vec<String> {
        environment["Variables"]
            .as_mapping()
            .into_iter()
            .flatten()
            .filter_map(|(name, _)| name.as_str().map(str::to_owned))
            .collect()
    };
    let globals = declared(&template["Globals"]["Function"]["Environment"]);
    for entry in std::fs::read_dir(format!("{}/../functions", env!("CARGO_MANIFEST_DIR"))).expect("functions/") {
        let function = entry.expect("an entry").file_name().into_string().expect("a name");
        let logical_id = settings::logical_id(&function);
        let resource = &template["Resources"][logical_id.as_str()];
        assert_eq!(resource["Metadata"]["BuildProperties"]["Binary"].as_str(), Some(function.as_str()), "{logical_id}");
        assert!(file[&logical_id].is_object(), "events/local-env.json has no block for {logical_id}");
        let env: BTreeMap<String, String> = settings::from_env_file(&file, &logical_id);
        // SAM only overrides variables the template declares: anything else in the file is lost.
        let mut allowed = globals.clone();
        allowed.extend(declared(&resource["Properties"]["Environment"]));
        for name in env.keys() {
            assert!(allowed.contains(name), "{logical_id}: {name} is not declared in template.yaml");
        }
        for name in &allowed {
            assert!(env.contains_key(name), "{logical_id}: events/local-env.json does not set {name}");
        }
    }
}
