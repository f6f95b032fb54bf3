//! `spawn_app()` starts the real local server on a free port, over embedded adapters and a clock
//! the test controls, and gives back a client for it; `spawn_aws_app()` does the same on the AWS
//! adapters against the local AWS.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use local_server::{Adapters, LocalApp, serve};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use visits_domain::rules::Policy;
use visits_embedded::{EmbeddedWorld, ManualClock};

use crate::faults::{Faults, faulty_client};
use crate::local_aws;

/// Where every test's clock starts.
pub fn start_time() -> DateTime<Utc> {
    "2030-01-07T09:00:00Z".parse().expect("a valid instant")
}

pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem+json body naming `field`.
    pub fn assert_problem(&self, status: u16, field: Option<&str>) {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "body: {}", self.body);
        assert_eq!(self.body["status"], status);
        assert!(self.body["type"].is_string() && self.body["title"].is_string() && self.body["detail"].is_string());
        if let Some(field) = field {
            let fields: Vec<&str> =
                self.body["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
            assert!(fields.contains(&field), "expected field {field} in {}", self.body);
        }
    }
}

/// The demo accounts' bearer tokens and subs, from `GET /dev/tokens`.
pub struct Accounts {
    pub admin: String,
    pub clinician: String,
    pub patient: String,
    pub clinician2: String,
    pub patient2: String,
    /// The lander backend's client-credentials token.
    pub lander: String,
    pub subs: Value,
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub clock: Arc<ManualClock>,
    /// The embedded adapters, when the app runs on them.
    embedded: Option<EmbeddedWorld>,
    /// The Chime/Connect stand-in, when the app runs on the AWS adapters.
    standin: Option<aws_standin::StandIn>,
    pub accounts: Accounts,
    /// The AWS calls made so far, when the app runs on the AWS adapters.
    aws_calls: Option<local_aws::RequestCounter>,
    /// The user pool, when the app runs on the AWS adapters.
    user_pool_id: Option<String>,
    /// Chime's events' follower on the AWS adapters (demo mode follows its own).
    follower: Option<Arc<attendance::App>>,
    /// The table stream's applicant notices on the AWS adapters, as `visit-jobs` runs them (demo
    /// mode follows its own stream).
    notices: Option<(Arc<visits_domain::usecases::ApplicantNotices>, Arc<dyn visits_domain::ports::ApplicationStore>)>,
    /// The table stream's fresh links asked for, on the AWS adapters, as `visit-jobs` sends them.
    resends: Option<(Arc<visits_domain::usecases::Notifications>, Arc<dyn visits_domain::ports::Store>)>,
    /// Where the AWS adapters' recordings go.
    recording_bucket: Option<String>,
}

/// The local server on the embedded adapters.
pub async fn spawn_app() -> TestApp {
    spawn_app_with_policy(Policy::default()).await
}

/// The same, under a clinic's own policy (its telehealth terms, say).
pub async fn spawn_app_with_policy(policy: Policy) -> TestApp {
    let clock = Arc::new(ManualClock::new(start_time()));
    let world = EmbeddedWorld::new(policy, clock.clone(), false);
    let adapters = Adapters::embedded(&world);
    start(adapters, clock, Some(world), None).await
}

/// The local server on the AWS adapters: DynamoDB, KMS, SES and SNS on the local AWS (a fresh
/// table and key), Chime and Connect on the stand-in.
pub async fn spawn_aws_app() -> TestApp {
    spawn_aws_app_with(Faults::default()).await
}

pub async fn spawn_aws_app_with(faults: Faults) -> TestApp {
    spawn_aws_app_under(faults, Policy::default()).await
}

/// The local server on the AWS adapters under a clinic's own policy.
pub async fn spawn_aws_app_with_policy(policy: Policy) -> TestApp {
    spawn_aws_app_under(Faults::default(), policy).await
}

async fn spawn_aws_app_under(faults: Faults, policy: Policy) -> TestApp {
    const SENDER: &str = "visits@clinic.example";
    let clock = Arc::new(ManualClock::new(start_time()));
    let config = local_aws::sdk_config().await;
    let (url, standin) = local_aws::standin().await;

    // Every AWS call the app makes, counted: tests hold routes to their round-trip budgets.
    let calls = local_aws::RequestCounter::default();
    let id = uuid::Uuid::new_v4();
    let resources = local_server::provision::Resources {
        table: format!("visits-test-{id}"),
        signing_key: None,
        mac_key: None,
        sender: SENDER.into(),
        user_pool: format!("visits-test-{id}"),
        recording_bucket: format!("recordings-{id}"),
    };
    let provisioned = local_server::provision::create(&config, &resources).await.expect("the local AWS is provisioned");
    let dynamodb = faulty_client!(aws_sdk_dynamodb, &config, faults.dynamodb, calls);
    let kms = faulty_client!(aws_sdk_kms, &config, faults.kms, calls);
    let ses = faulty_client!(aws_sdk_sesv2, &config, faults.ses, calls);
    let sns = faulty_client!(aws_sdk_sns, &config, faults.sns, calls);
    let chime = faulty_client!(aws_sdk_chimesdkmeetings, &config, faults.chime, calls, &url);
    let connect = faulty_client!(aws_sdk_connect, &config, faults.connect, calls, &url);
    let cognito = faulty_client!(aws_sdk_cognitoidentityprovider, &config, faults.cognito, calls);
    let pipelines: aws_sdk_chimesdkmediapipelines::Client =
        faulty_client!(aws_sdk_chimesdkmediapipelines, &config, faults.pipelines, calls, &url);
    let transcription = faulty_client!(aws_sdk_chimesdkmeetings, &config, faults.chime, calls, &url);
    let s3_config = aws_sdk_s3::config::Builder::from(&config).force_path_style(true).interceptor(calls.clone());
    let s3 = aws_sdk_s3::Client::from_conf(s3_config.build());

    let parts = local_server::adapters::AwsParts {
        store: Arc::new(visits_dynamodb::DynamoStore::new(dynamodb, resources.table)),
        kms,
        cognito,
        notifier: Arc::new(visits_aws_notify::AwsNotifier::new(ses, sns, SENDER)),
        video: Arc::new(visits_domain::ports::ProviderRouter {
            chime: Arc::new(visits_chime::ChimeVideo::new(chime, "us-east-1")),
            connect: Arc::new(visits_connect::ConnectVideo::new(connect, "instance-1", "flow-1")),
        }),
        recorder: Arc::new(visits_media_pipelines::ChimeRecorder::new(
            pipelines,
            transcription,
            local_server::adapters::local_recording_sink(&provisioned.recording_bucket),
            visits_media_pipelines::parse_specialty("PRIMARYCARE").expect("a specialty"),
        )),
        capture_files: Arc::new(visits_recordings::S3CaptureFiles::new(s3, &provisioned.recording_bucket)),
    };
    let core_clock = clock.clone();
    let adapters = Adapters::aws_over(parts, &provisioned, move |store| visits_domain::usecases::Core {
        store,
        clock: core_clock,
        ids: Arc::new(visits_runtime::OsRandom),
        policy: Arc::new(policy),
    });
    // As in a deployed function, the public key is fetched at start, not by a request; here it
    // is awaited, so that no request's calls include it.
    adapters.tokens.warm().await.expect("the local AWS serves the public key");
    let follower = Arc::new(attendance::App::new(
        visits_domain::usecases::Attendances::new(adapters.core.clone()),
        visits_domain::usecases::CaptureFollower::new(adapters.core.clone(), adapters.capture_files.clone()),
    ));
    let notices = Arc::new(visits_domain::usecases::ApplicantNotices::new(
        adapters.core.clone(),
        adapters.onboarding.applications.clone(),
        adapters.notifier.clone(),
    ));
    let applications = adapters.onboarding.applications.clone();
    let resends = Arc::new(visits_domain::usecases::Notifications::new(
        Arc::new(visits_domain::usecases::Links::new(adapters.core.clone())),
        adapters.notifier.clone(),
    ));
    let store = adapters.core.store.clone();
    let mut app = start(adapters, clock, None, Some(standin)).await;
    app.resends = Some((resends, store));
    app.follower = Some(follower);
    app.notices = Some((notices, applications));
    app.recording_bucket = Some(provisioned.recording_bucket.clone());
    app.aws_calls = Some(calls);
    app.user_pool_id = Some(provisioned.user_pool_id);
    app
}

async fn start(
    adapters: Adapters,
    clock: Arc<ManualClock>,
    embedded: Option<EmbeddedWorld>,
    standin: Option<aws_standin::StandIn>,
) -> TestApp {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let base = format!("http://{}", listener.local_addr().expect("bound"));
    tokio::spawn(serve(listener, Arc::new(LocalApp::new(adapters))));
    let client = reqwest::Client::new();
    let tokens: Value =
        client.get(format!("{base}/dev/tokens")).send().await.expect("server up").json().await.expect("json");
    let token = |key: &str| tokens[key].as_str().expect("a token").to_owned();
    let accounts = Accounts {
        admin: token("admin"),
        clinician: token("clinician"),
        patient: token("patient"),
        clinician2: token("clinician2"),
        patient2: token("patient2"),
        lander: token("lander"),
        subs: tokens["subs"].clone(),
    };
    TestApp {
        base,
        client,
        clock,
        embedded,
        standin,
        accounts,
        aws_calls: None,
        user_pool_id: None,
        follower: None,
        notices: None,
        resends: None,
        recording_bucket: None,
    }
}

impl TestApp {
    /// The groups of the user pool's user `username` (`None`: no such user), on the AWS adapters.
    pub async fn cognito_groups(&self, username: &str) -> Option<Vec<String>> {
        let pool = self.user_pool_id.as_ref().expect("the AWS adapters");
        let client = aws_sdk_cognitoidentityprovider::Client::new(&local_aws::sdk_config().await);
        let listed = client.admin_list_groups_for_user().user_pool_id(pool).username(username).send().await.ok()?;
        Some(listed.groups().iter().filter_map(|group| group.group_name().map(str::to_owned)).collect())
    }

    /// A user with `email` made outside signup, as an admin makes one in the user pool.
    pub async fn add_user_made_elsewhere(&self, email: &str) {
        let username = uuid::Uuid::new_v4().to_string();
        match (&self.user_pool_id, &self.embedded) {
            (Some(pool), _) => {
                let client = aws_sdk_cognitoidentityprovider::Client::new(&local_aws::sdk_config().await);
                let attribute = aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                    .name("email")
                    .value(email)
                    .build()
                    .expect("an attribute");
                client
                    .admin_create_user()
                    .user_pool_id(pool)
                    .username(&username)
                    .user_attributes(attribute)
                    .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
                    .send()
                    .await
                    .expect("a user made in the pool");
            }
            (None, Some(world)) => world.directory.add_user(visits_embedded::DirectoryUser {
                id: visits_domain::model::UserId::parse(&username).expect("a UUID is a user id"),
                username,
                group: Some("patient"),
                contact: visits_domain::model::PatientContact {
                    phone: None,
                    email: Some(visits_domain::model::Email::parse(email).expect("an email")),
                    display_name: None,
                },
            }),
            (None, None) => unreachable!("an app runs on one adapter set"),
        }
    }

    /// Whether the app runs on the embedded adapters (demo mode), which follow the store's
    /// records as the table's stream does in AWS.
    pub fn is_demo(&self) -> bool {
        self.embedded.is_some()
    }

    /// The embedded adapters behind this app. Panics for an app on the AWS adapters.
    pub fn world(&self) -> &EmbeddedWorld {
        self.embedded.as_ref().expect("an app on the embedded adapters")
    }

    /// Meetings the video provider holds open.
    pub fn live_meetings(&self) -> usize {
        match (&self.embedded, &self.standin) {
            (Some(world), _) => world.video.live_meetings(),
            (None, Some(standin)) => standin.snapshot()["meetings"].as_array().map_or(0, Vec::len),
            (None, None) => 0,
        }
    }

    /// The AWS calls the app has made so far, in the order they started. Panics for an app on
    /// the embedded adapters.
    pub fn aws_calls(&self) -> Vec<local_aws::AwsCall> {
        self.aws_calls.as_ref().expect("an app on the AWS adapters").calls()
    }

    /// Hands the stand-in's media pipeline events to the follower, as EventBridge does; demo
    /// mode follows its own with each request. Answers how many were handed over.
    pub async fn follow_pipelines(&self) -> usize {
        let (Some(standin), Some(follower)) = (&self.standin, &self.follower) else { return 0 };
        let events = standin.take_pipeline_events();
        for event in &events {
            let payload = serde_json::from_value(event.clone()).expect("an EventBridge event");
            let invocation = lambda_runtime::LambdaEvent::new(payload, lambda_runtime::Context::default());
            attendance::handle(follower, invocation).await.expect("the follower keeps the event");
        }
        events.len()
    }

    /// Hands an application's audit records to the applicant notices, as the table's stream
    /// hands them to `visit-jobs`; demo mode has followed its own stream already. Answers how
    /// many emails were tried.
    pub async fn follow_application(&self, id: &str) -> usize {
        let Some((notices, applications)) = &self.notices else { return 0 };
        let id = visits_domain::model::ApplicationId::parse(id).expect("an application id");
        let mut tried = 0;
        for record in applications.application_trail(&id).await.expect("the application's trail") {
            tried += usize::from(notices.follow(&record).await.expect("the notice is followed"));
        }
        tried
    }

    /// The visit's `link.resend_asked` records, on the AWS adapters; none on the embedded ones,
    /// where demo mode has followed its own stream already.
    pub async fn resends_asked(&self, visit_id: &str) -> Vec<visits_domain::model::AuditRecord> {
        let Some((_, store)) = &self.resends else { return Vec::new() };
        let id = visits_domain::model::VisitId::parse(visit_id).expect("a visit id");
        let trail = store.audit_trail(&id).await.expect("the visit's trail");
        trail.into_iter().filter(|record| record.kind == visits_domain::model::AuditKind::LinkResendAsked).collect()
    }

    /// Hands `record` to the fresh links' follower, as the table's stream hands it to
    /// `visit-jobs`. Answers whether a link went out.
    pub async fn follow_resend(&self, record: &visits_domain::model::AuditRecord) -> bool {
        let (resends, _) = self.resends.as_ref().expect("an app on the AWS adapters");
        let outcome = resends.follow_resend(record).await.expect("the ask is followed");
        outcome == visits_domain::usecases::JobOutcome::Done
    }

    /// The keys under `prefix` in the recordings bucket of an app on the AWS adapters; none on
    /// the embedded ones.
    pub async fn recorded_keys(&self, prefix: &str) -> Option<Vec<String>> {
        let bucket = self.recording_bucket.as_ref()?;
        let s3 = local_server::provision::path_style_s3(&local_aws::sdk_config().await);
        let listed = s3.list_objects_v2().bucket(bucket).prefix(prefix).send().await.expect("the bucket lists");
        Some(listed.contents().iter().filter_map(|object| object.key().map(str::to_owned)).collect())
    }

    /// The attendee ids the video provider holds seated.
    pub fn seated_attendees(&self) -> Vec<String> {
        match (&self.embedded, &self.standin) {
            (Some(world), _) => world.video.attendee_ids(),
            (None, Some(standin)) => standin.snapshot()["attendees"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a["AttendeeId"].as_str().map(str::to_owned))
                .collect(),
            (None, None) => Vec::new(),
        }
    }

    pub fn sub(&self, account: &str) -> String {
        self.accounts.subs[account].as_str().expect("a sub").to_owned()
    }

    pub async fn call(&self, method: &str, path: &str, bearer: Option<&str>, body: Option<Value>) -> Reply {
        self.send(method, path, bearer, body.map(|b| b.to_string()), &[]).await
    }

    /// `call` without holding the answer to `docs/openapi.yaml`: for stored data the API can no
    /// longer produce, whose times may not be RFC 3339.
    pub async fn call_unchecked(&self, method: &str, path: &str, bearer: Option<&str>) -> Reply {
        self.exchange(method, path, bearer, None, &[]).await
    }

    /// Sends a raw body and extra headers.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<String>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let reply = self.exchange(method, path, bearer, body, headers).await;
        let content_type = reply.header("content-type");
        crate::openapi::check(method, path, reply.status, content_type, &reply.body);
        reply
    }

    async fn exchange(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<String>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("a body");
        let body =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        Reply { status, body, headers }
    }

    /// A visit body for the demo patient, `minutes_ahead` of the test clock.
    pub fn visit_body(&self, minutes_ahead: i64) -> Value {
        json!({
            "patientId": self.sub("patient"),
            "scheduledAt": (self.clock_now() + Duration::minutes(minutes_ahead)).to_rfc3339(),
            "durationMinutes": 30,
            "patientContact": {"phone": "+447911123456", "email": "pat@example.com", "displayName": "Pat Example"},
        })
    }

    pub fn clock_now(&self) -> DateTime<Utc> {
        use visits_domain::ports::Clock;
        self.clock.now()
    }

    /// Schedules a visit by the demo clinician, 10 minutes ahead (its join window is open).
    pub async fn schedule(&self) -> String {
        self.schedule_in(10).await
    }

    pub async fn schedule_in(&self, minutes_ahead: i64) -> String {
        let reply =
            self.call("POST", "/visits", Some(&self.accounts.clinician), Some(self.visit_body(minutes_ahead))).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.body["visitId"].as_str().expect("an id").to_owned()
    }

    /// Mints a link as the visit's clinician; returns the 201 body.
    pub async fn mint(&self, visit_id: &str) -> Value {
        let reply = self.call("POST", &format!("/visits/{visit_id}/links"), Some(&self.accounts.clinician), None).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.body
    }

    /// Redeems a code; returns the whole reply.
    pub async fn redeem(&self, code: &str) -> Reply {
        self.call("POST", &format!("/join/{code}"), None, None).await
    }

    pub async fn audit_types(&self, visit_id: &str) -> (Vec<String>, bool) {
        let reply = self.call("GET", &format!("/visits/{visit_id}/audit"), Some(&self.accounts.admin), None).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let types = reply.body["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| e["type"].as_str().expect("a type").to_owned())
            .collect();
        (types, reply.body["chainValid"].as_bool().expect("chainValid"))
    }
}
