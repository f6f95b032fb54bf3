//! The local AWS (moto) that `make test` starts. Tests that need it fail loudly without it.

use aws_config::SdkConfig;

/// The SDK configuration pointing at the local AWS. Panics, naming the fix, if it is not running.
pub async fn sdk_config() -> SdkConfig {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
    assert!(
        endpoint.starts_with("http://127.0.0.1") || endpoint.starts_with("http://localhost"),
        "these tests need the local AWS emulator: run them with `make test` (AWS_ENDPOINT_URL is {endpoint:?})"
    );
    visits_aws::sdk_config().await
}

/// A fresh, empty table on the local AWS, named uniquely so tests do not meet.
pub async fn dynamodb_store() -> visits_dynamodb::DynamoStore {
    let config = sdk_config().await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let table = format!("visits-test-{}", uuid::Uuid::new_v4());
    visits_dynamodb::create_table(&client, &table).await.expect("the local AWS creates a table");
    visits_dynamodb::DynamoStore::new(client, table)
}

/// Records every call a client makes (service, operation, when it started and finished), to
/// count a request's AWS calls and how many of them had to wait for one another.
#[derive(Debug, Clone, Default)]
pub struct RequestCounter(std::sync::Arc<std::sync::Mutex<Vec<AwsCall>>>);

/// One AWS call as its client saw it, retries included.
#[derive(Debug, Clone)]
pub struct AwsCall {
    /// The SDK's name of the service, e.g. `DynamoDB`, `SESv2`, `Chime SDK Meetings`.
    pub service: String,
    pub operation: String,
    pub started: std::time::Instant,
    pub finished: Option<std::time::Instant>,
    /// Whether a request left: a presigned URL runs the same steps and stops before sending.
    sent: bool,
}

/// Where a call's entry is, kept in the call's own config bag between its start and end.
#[derive(Debug, Clone)]
struct CallIndex(usize);

impl aws_smithy_types::config_bag::Storable for CallIndex {
    type Storer = aws_smithy_types::config_bag::StoreReplace<Self>;
}

impl RequestCounter {
    pub fn count(&self) -> usize {
        self.calls().len()
    }

    /// The calls that went to AWS (or are on their way): not a URL only presigned.
    pub fn calls(&self) -> Vec<AwsCall> {
        let calls = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        calls.iter().filter(|call| call.sent || call.finished.is_none()).cloned().collect()
    }
}

/// The longest chain of calls of which each started after the one before it finished: the round
/// trips a request waits for one after another. Calls in flight together count once.
pub fn sequential_depth(calls: &[AwsCall]) -> usize {
    let mut spans: Vec<(std::time::Instant, std::time::Instant)> =
        calls.iter().map(|call| (call.started, call.finished.unwrap_or(call.started))).collect();
    spans.sort_by_key(|(_, finished)| *finished);
    let mut depth_ending_at: Vec<usize> = Vec::with_capacity(spans.len());
    for (i, (started, _)) in spans.iter().enumerate() {
        let before = (0..i).filter(|j| spans[*j].1 <= *started).map(|j| depth_ending_at[j]).max().unwrap_or(0);
        depth_ending_at.push(before + 1);
    }
    depth_ending_at.into_iter().max().unwrap_or(0)
}

impl aws_smithy_runtime_api::client::interceptors::Intercept for RequestCounter {
    fn name(&self) -> &'static str {
        "RequestCounter"
    }

    fn read_before_execution(
        &self,
        _context: &aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef<'_>,
        config: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        let mut calls = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        config.interceptor_state().store_put(CallIndex(calls.len()));
        calls.push(AwsCall {
            service: String::new(),
            operation: String::new(),
            started: std::time::Instant::now(),
            finished: None,
            sent: false,
        });
        Ok(())
    }

    fn read_before_transmit(
        &self,
        context: &aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef<'_>,
        _components: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        config: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        // A presigned request carries its signature in the query, and is never sent.
        let presigned = context.request().uri().contains("X-Amz-Signature=");
        if !presigned && let Some(CallIndex(index)) = config.load::<CallIndex>().cloned() {
            let mut calls = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some(call) = calls.get_mut(index) {
                call.sent = true;
            }
        }
        Ok(())
    }

    fn read_after_execution(
        &self,
        _context: &aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef<'_>,
        _components: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        config: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        if let Some(CallIndex(index)) = config.load::<CallIndex>().cloned() {
            let mut calls = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some(call) = calls.get_mut(index) {
                call.finished = Some(std::time::Instant::now());
                // The operation's name is in the bag once the call has run.
                if let Some(metadata) = config.load::<aws_smithy_runtime_api::client::orchestrator::Metadata>() {
                    call.service = metadata.service().to_owned();
                    call.operation = metadata.name().to_owned();
                }
            }
        }
        Ok(())
    }
}

/// A new KMS signing key (ECC_NIST_P256, SIGN_VERIFY) on the local AWS, and a client that
/// counts its requests.
pub async fn kms_key() -> (aws_sdk_kms::Client, String, RequestCounter) {
    use aws_sdk_kms::types::{KeySpec, KeyUsageType};
    let config = sdk_config().await;
    let counter = RequestCounter::default();
    let client = aws_sdk_kms::Client::from_conf(
        aws_sdk_kms::config::Builder::from(&config).interceptor(counter.clone()).build(),
    );
    let key = client
        .create_key()
        .key_spec(KeySpec::EccNistP256)
        .key_usage(KeyUsageType::SignVerify)
        .send()
        .await
        .expect("the local AWS creates a KMS key");
    let key_id = key.key_metadata().expect("metadata").key_id().to_owned();
    (client, key_id, counter)
}

/// What moto recorded (sent mail under `ses.Message`, SMS under `sns.SMS`).
pub async fn recorded() -> serde_json::Value {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").expect("the local AWS");
    reqwest::get(format!("{endpoint}/moto-api/data.json")).await.expect("moto answers").json().await.expect("json")
}

/// The SES + SNS notifier on the local AWS, sending from a verified address.
pub async fn aws_notifier() -> visits_aws_notify::AwsNotifier {
    const SENDER: &str = "visits@clinic.example";
    let config = sdk_config().await;
    let ses = aws_sdk_sesv2::Client::new(&config);
    ses.create_email_identity().email_identity(SENDER).send().await.expect("the local AWS verifies the sender");
    visits_aws_notify::AwsNotifier::new(ses, aws_sdk_sns::Client::new(&config), SENDER)
}

/// The Chime/Connect stand-in on a free port, and its address.
pub async fn standin() -> (String, aws_standin::StandIn) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("bound"));
    // Its pipelines write their files to the local AWS's S3, as Chime's write to the bucket.
    let s3 = local_server::provision::path_style_s3(&sdk_config().await);
    let standin = aws_standin::StandIn::with_s3(s3);
    tokio::spawn(aws_standin::serve(listener, standin.clone()));
    (url, standin)
}

/// Real SDK clients for Chime and Connect, sent to the stand-in at `url`.
pub async fn video_clients(url: &str) -> (aws_sdk_chimesdkmeetings::Client, aws_sdk_connect::Client) {
    let config = sdk_config().await;
    let chime = aws_sdk_chimesdkmeetings::config::Builder::from(&config).endpoint_url(url).build();
    let connect = aws_sdk_connect::config::Builder::from(&config).endpoint_url(url).build();
    (aws_sdk_chimesdkmeetings::Client::from_conf(chime), aws_sdk_connect::Client::from_conf(connect))
}
