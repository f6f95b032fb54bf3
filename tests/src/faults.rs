//! Fault injection: failures replayed into real SDK clients with aws-smithy-mocks, so a test can
//! make one AWS call throttle while every other call reaches the local AWS.

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
    pub cognito: Vec<aws_smithy_mocks::Rule>,
    pub pipelines: Vec<aws_smithy_mocks::Rule>,
}

/// The HTTP client of a faulty client: a request a rule answered gets the replayed response from
/// aws-smithy-mocks' mock client and never leaves the process; any other request goes to the
/// real client. (Modeled errors from aws-smithy-mocks are applied after the real request was
/// sent, so faults are replayed as HTTP responses: a write that "failed" really did not happen.)
#[derive(Debug)]
pub struct ReplayOrSend {
    pub real: aws_smithy_runtime_api::client::http::SharedHttpClient,
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
macro_rules! faulty_client {
    ($krate:ident, $config:expr, $faults:expr, $calls:expr $(, $endpoint:expr)?) => {{
        let mut replay = aws_smithy_mocks::MockResponseInterceptor::new()
            .rule_mode(aws_smithy_mocks::RuleMode::MatchAny)
            .allow_passthrough();
        for rule in &$faults {
            replay = replay.with_rule(rule);
        }
        // Everything here is on loopback: a plain-HTTP client is the real one.
        let real = aws_smithy_http_client::Builder::new().build_http();
        // With faults to inject, the SDK's own retries are off so a fault surfaces at once;
        // without, the client retries as in production (the local AWS has bad moments too).
        let retries = if $faults.is_empty() {
            aws_smithy_types::retry::RetryConfig::standard()
        } else {
            aws_smithy_types::retry::RetryConfig::disabled()
        };
        let builder = $krate::config::Builder::from($config)
            .http_client($crate::faults::ReplayOrSend { real })
            .interceptor(replay)
            .interceptor($calls.clone())
            .retry_config(retries);
        $(let builder = builder.endpoint_url($endpoint);)?
        $krate::Client::from_conf(builder.build())
    }};
}

pub(crate) use faulty_client;
