//! Test support: `spawn_app()` starts the real local server on a free port, over embedded
//! adapters and a clock the test controls, and gives back a client for it.

pub mod local_aws;
pub mod store_contract;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use local_server::{Adapters, LocalApp, serve};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use visits_domain::rules::Policy;
use visits_embedded::{EmbeddedWorld, ManualClock};

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
}

/// The local server on the embedded adapters.
pub async fn spawn_app() -> TestApp {
    let clock = Arc::new(ManualClock::new(start_time()));
    let world = EmbeddedWorld::new(Policy::default(), clock.clone(), false);
    let adapters = Adapters::embedded(&world);
    start(adapters, clock, Some(world), None).await
}

/// Failures to inject into the AWS clients of `spawn_aws_app_with`, one rule list per service.
/// A request a rule answers never leaves the client; every other request reaches the local AWS
/// or the stand-in.
#[derive(Default)]
pub struct Faults {
    pub dynamodb: Vec<aws_smithy_mocks::Rule>,
    pub kms: Vec<aws_smithy_mocks::Rule>,
    pub ses: Vec<aws_smithy_mocks::Rule>,
    pub sns: Vec<aws_smithy_mocks::Rule>,
    pub chime: Vec<aws_smithy_mocks::Rule>,
    pub connect: Vec<aws_smithy_mocks::Rule>,
}

/// The HTTP client of a faulty client: a request a rule answered gets the replayed response from
/// aws-smithy-mocks' mock client and never leaves the process; any other request goes to the
/// real client. (Modeled errors from aws-smithy-mocks are applied after the real request was
/// sent, so faults are replayed as HTTP responses: a write that "failed" really did not happen.)
#[derive(Debug)]
struct ReplayOrSend {
    real: aws_smithy_runtime_api::client::http::SharedHttpClient,
}

#[derive(Debug)]
struct ReplayOrSendConnector {
    replay: aws_smithy_runtime_api::client::http::SharedHttpConnector,
    real: aws_smithy_runtime_api::client::http::SharedHttpConnector,
}

impl aws_smithy_runtime_api::client::http::HttpClient for ReplayOrSend {
    fn http_connector(
        &self,
        settings: &aws_smithy_runtime_api::client::http::HttpConnectorSettings,
        components: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
    ) -> aws_smithy_runtime_api::client::http::SharedHttpConnector {
        aws_smithy_runtime_api::client::http::SharedHttpConnector::new(ReplayOrSendConnector {
            replay: aws_smithy_mocks::create_mock_http_client().http_connector(settings, components),
            real: self.real.http_connector(settings, components),
        })
    }
}

impl aws_smithy_runtime_api::client::http::HttpConnector for ReplayOrSendConnector {
    fn call(
        &self,
        request: aws_smithy_runtime_api::client::orchestrator::HttpRequest,
    ) -> aws_smithy_runtime_api::client::http::HttpConnectorFuture {
        let copy = request.try_clone();
        let (replay, real) = (self.replay.clone(), self.real.clone());
        aws_smithy_runtime_api::client::http::HttpConnectorFuture::new(async move {
            let replayed = replay.call(request).await?;
            // 418 is the mock client's "no rule answered this".
            match copy {
                Some(copy) if replayed.status().as_u16() == 418 => real.call(copy).await,
                _ => Ok(replayed),
            }
        })
    }
}

/// A throttling answer as the service's protocol sends it: JSON with the type in a header and
/// body for DynamoDB, KMS, SES, Chime and Connect; an XML error document for SNS.
pub fn throttling_response(xml: bool) -> aws_smithy_runtime_api::http::Response {
    use aws_smithy_types::body::SdkBody;
    let body = if xml {
        "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>"
    } else {
        r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#
    };
    let status = aws_smithy_runtime_api::http::StatusCode::try_from(400).expect("a status");
    let mut response = aws_smithy_runtime_api::http::Response::new(status, SdkBody::from(body));
    if !xml {
        response.headers_mut().insert("x-amzn-errortype", "ThrottlingException");
        response.headers_mut().insert("content-type", "application/json");
    }
    response
}

/// A real client of `$krate` on the local AWS (or `$endpoint`), with `$faults` injected and the
/// SDK's own retries off so an injected failure surfaces at once.
macro_rules! client {
    ($krate:ident, $config:expr, $faults:expr $(, $endpoint:expr)?) => {{
        let mut replay = aws_smithy_mocks::MockResponseInterceptor::new()
            .rule_mode(aws_smithy_mocks::RuleMode::MatchAny)
            .allow_passthrough();
        for rule in &$faults {
            replay = replay.with_rule(rule);
        }
        // Everything here is on loopback: a plain-HTTP client is the real one.
        let real = aws_smithy_http_client::Builder::new().build_http();
        let builder = $krate::config::Builder::from($config)
            .http_client(ReplayOrSend { real })
            .interceptor(replay)
            .retry_config(aws_smithy_types::retry::RetryConfig::disabled());
        $(let builder = builder.endpoint_url($endpoint);)?
        $krate::Client::from_conf(builder.build())
    }};
}

/// The local server on the AWS adapters: DynamoDB, KMS, SES and SNS on the local AWS (a fresh
/// table and key), Chime and Connect on the stand-in.
pub async fn spawn_aws_app() -> TestApp {
    spawn_aws_app_with(Faults::default()).await
}

pub async fn spawn_aws_app_with(faults: Faults) -> TestApp {
    const SENDER: &str = "visits@clinic.example";
    let clock = Arc::new(ManualClock::new(start_time()));
    let config = local_aws::sdk_config().await;
    let (url, standin) = local_aws::standin().await;

    let dynamodb = client!(aws_sdk_dynamodb, &config, faults.dynamodb);
    let table = format!("visits-test-{}", uuid::Uuid::new_v4());
    visits_dynamodb::create_table(&aws_sdk_dynamodb::Client::new(&config), &table).await.expect("a table");
    let (_, key_id, _) = local_aws::kms_key().await;
    let kms = client!(aws_sdk_kms, &config, faults.kms);
    let ses = client!(aws_sdk_sesv2, &config, faults.ses);
    aws_sdk_sesv2::Client::new(&config).create_email_identity().email_identity(SENDER).send().await.expect("a sender");
    let sns = client!(aws_sdk_sns, &config, faults.sns);
    let chime = client!(aws_sdk_chimesdkmeetings, &config, faults.chime, &url);
    let connect = client!(aws_sdk_connect, &config, faults.connect, &url);

    let policy = Arc::new(Policy::default());
    let core = visits_domain::usecases::Core {
        store: Arc::new(visits_dynamodb::DynamoStore::new(dynamodb, table)),
        clock: clock.clone(),
        ids: Arc::new(visits_embedded::OsRandom),
        policy: policy.clone(),
    };
    let adapters = Adapters {
        tokens: Arc::new(visits_domain::tokens::Tokens::new(
            Arc::new(visits_kms::KmsSigner::new(kms, key_id)),
            policy.token_issuer.clone(),
        )),
        core,
        notifier: Arc::new(visits_aws_notify::AwsNotifier::new(ses, sns, SENDER)),
        video: Arc::new(visits_domain::ports::ProviderRouter {
            chime: Arc::new(visits_chime::ChimeVideo::new(chime, "us-east-1")),
            connect: Arc::new(visits_connect::ConnectVideo::new(connect, "instance-1", "flow-1")),
        }),
        outbox: local_server::OutboxSource::Moto(std::env::var("AWS_ENDPOINT_URL").unwrap_or_default()),
    };
    start(adapters, clock, None, Some(standin)).await
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
        subs: tokens["subs"].clone(),
    };
    TestApp { base, client, clock, embedded, standin, accounts }
}

impl TestApp {
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

    pub fn sub(&self, account: &str) -> String {
        self.accounts.subs[account].as_str().expect("a sub").to_owned()
    }

    pub async fn call(&self, method: &str, path: &str, bearer: Option<&str>, body: Option<Value>) -> Reply {
        self.send(method, path, bearer, body.map(|b| b.to_string()), &[]).await
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
