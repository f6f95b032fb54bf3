//! What every AWS adapter shares: the one `SdkConfig` a process builds, settings read from the
//! environment with errors that name the variable, and the classification of SDK failures into
//! "retry later" (throttling, timeouts) and the rest.

pub mod tls;

use aws_config::BehaviorVersion;
pub use aws_config::SdkConfig;
pub use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use visits_domain::ports::{Dependency, DependencyError};

/// Loads region, credentials and endpoints (including `AWS_ENDPOINT_URL` and per-service
/// `AWS_ENDPOINT_URL_<SERVICE>`) from the environment. Call once per process, in `main`.
pub async fn sdk_config() -> SdkConfig {
    let mut loader =
        aws_config::defaults(BehaviorVersion::latest()).http_client(tls::https_client(tls::TlsRoots::from_env()));
    // Lambda gives a function its region and credentials as environment variables: reading them
    // directly skips building the default chains (profiles, SSO, container and instance
    // metadata), about 0.3 ms of every cold start. Elsewhere the default chains apply.
    if let Some(region) = lambda_region(|name| std::env::var(name).ok()) {
        loader = loader
            .region(aws_config::Region::new(region))
            .credentials_provider(aws_config::environment::EnvironmentVariableCredentialsProvider::new());
    }
    loader.load().await
}

/// An SDK client built the first time it is used, then kept for the process: for a client that
/// some requests of a function never need (a video provider the clinic does not use).
pub struct OnDemand<C> {
    config: SdkConfig,
    client: std::sync::OnceLock<C>,
}

impl<C> OnDemand<C> {
    pub fn new(config: &SdkConfig) -> Self {
        Self { config: config.clone(), client: std::sync::OnceLock::new() }
    }

    /// A client built already (tests hand in clients with faults injected).
    pub fn built(client: C) -> Self {
        Self { config: SdkConfig::builder().build(), client: std::sync::OnceLock::from(client) }
    }

    /// The client, built by `build` from the config on first use.
    pub fn get(&self, build: impl FnOnce(&SdkConfig) -> C) -> &C {
        self.client.get_or_init(|| build(&self.config))
    }
}

/// The region, when this process runs in Lambda with its credentials in the environment.
fn lambda_region(var: impl Fn(&str) -> Option<String>) -> Option<String> {
    let set = |name: &str| var(name).filter(|value| !value.is_empty());
    set("AWS_LAMBDA_FUNCTION_NAME")?;
    set("AWS_ACCESS_KEY_ID")?;
    set("AWS_REGION")
}

#[derive(Debug, thiserror::Error)]
#[error("missing configuration: set the environment variable {0}")]
pub struct MissingSetting(pub &'static str);

/// A required setting from the environment.
pub fn required(name: &'static str) -> Result<String, MissingSetting> {
    std::env::var(name).ok().filter(|value| !value.trim().is_empty()).ok_or(MissingSetting(name))
}

/// Error codes AWS services use for "too many requests" or "try again".
const RETRYABLE_CODES: &[&str] = &[
    "ThrottlingException",
    "Throttling",
    "ThrottledException",
    "ThrottledClientException", // Chime SDK's
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "LimitExceededException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "InternalServerError",
    "InternalServerException",
    "InternalFailure",
    "KMSInternalException",
    "KeyUnavailableException",
    "DependencyTimeoutException",
];

/// How long a client should wait before retrying after a transient failure.
pub const RETRY_AFTER_SECONDS: u64 = 2;

/// An AWS SDK failure, classified the same way for every service: every adapter maps this, not
/// the SDK's error, onto its port's error.
#[derive(Debug)]
pub struct SdkFailure {
    pub service: &'static str,
    /// The service's error code, when it answered with one (e.g. `NotFoundException`).
    pub code: Option<String>,
    /// Worth retrying later: a timeout, a connection failure, throttling, or a service-side 5xx.
    /// The SDK has already retried these with backoff by the time we see them.
    pub transient: bool,
    /// The whole error chain. It may quote the request (an address, a number): never log it for a
    /// service whose requests carry personal data.
    pub detail: String,
}

impl SdkFailure {
    /// Classifies `error` and logs a transient one (service and code only).
    pub fn of<E>(service: &'static str, error: &SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let code = match error {
            SdkError::ServiceError(service) => service.err().code().map(str::to_owned),
            _ => None,
        };
        let transient = match error {
            SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => true,
            SdkError::ServiceError(service) => {
                service.raw().status().is_server_error()
                    || code.as_deref().is_some_and(|code| RETRYABLE_CODES.contains(&code))
            }
            _ => false,
        };
        if transient {
            tracing::warn!(service, code = code.as_deref().unwrap_or("-"), "aws dependency unavailable");
        }
        let detail = format!("{service}: {}", DisplayErrorContext(error));
        Self { service, code, transient, detail }
    }

    /// Whether the service answered with one of `codes`.
    pub fn is(&self, codes: &[&str]) -> bool {
        self.code.as_deref().is_some_and(|code| codes.contains(&code))
    }

    /// The port's error: unavailable when transient, else failed with the whole error chain (for
    /// services whose requests carry no personal data to quote).
    pub fn into_error(self, dependency: Dependency) -> DependencyError {
        if self.transient {
            DependencyError::unavailable(dependency, RETRY_AFTER_SECONDS)
        } else {
            DependencyError::failed(dependency, self.detail)
        }
    }

    /// The same, failed with the service's error code only: for services whose requests carry
    /// contacts or names (Cognito, EventBridge), which a message may quote.
    pub fn into_error_by_code(self, dependency: Dependency) -> DependencyError {
        if self.transient {
            DependencyError::unavailable(dependency, RETRY_AFTER_SECONDS)
        } else {
            DependencyError::failed(dependency, self.code.unwrap_or_else(|| "unknown".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_on_demand_client_is_built_once_on_first_use() {
        let builds = std::cell::Cell::new(0);
        let client = OnDemand::new(&SdkConfig::builder().build());
        let build = |_: &SdkConfig| {
            builds.set(builds.get() + 1);
            7
        };
        assert_eq!(builds.get(), 0, "nothing built before it is used");
        assert_eq!((*client.get(build), *client.get(build)), (7, 7));
        assert_eq!(builds.get(), 1);
        assert_eq!(*OnDemand::built(5).get(|_| unreachable!("built already")), 5);
    }

    #[test]
    fn lambda_region_needs_lambda_credentials_and_a_region() {
        fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
            move |name: &str| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned())
        }
        let lambda =
            [("AWS_LAMBDA_FUNCTION_NAME", "notify"), ("AWS_ACCESS_KEY_ID", "AKIA"), ("AWS_REGION", "eu-west-2")];
        assert_eq!(lambda_region(env(&lambda)), Some("eu-west-2".into()));
        assert_eq!(lambda_region(env(&lambda[1..])), None, "not in Lambda: the default chains");
        assert_eq!(lambda_region(env(&[lambda[0], lambda[2]])), None, "no credentials in the environment");
        assert_eq!(lambda_region(env(&lambda[..2])), None, "no region");
    }

    use aws_smithy_types::error::ErrorMetadata;

    fn response(status: u16) -> HttpResponse {
        let status = aws_smithy_runtime_api::http::StatusCode::try_from(status).unwrap();
        HttpResponse::new(status, aws_smithy_types::body::SdkBody::empty())
    }

    fn service_error(code: &str) -> SdkError<ErrorMetadata, HttpResponse> {
        SdkError::service_error(ErrorMetadata::builder().code(code).message("quoted request").build(), response(400))
    }

    #[test]
    fn throttling_and_timeouts_are_transient_and_refusals_are_not() {
        let throttled = SdkFailure::of("dynamodb", &service_error("ThrottlingException"));
        assert!(throttled.transient && throttled.is(&["ThrottlingException"]));
        let timeout = SdkFailure::of("kms", &SdkError::<ErrorMetadata, HttpResponse>::timeout_error("slow"));
        assert!(timeout.transient && timeout.code.is_none());
        let missing = SdkFailure::of("chime", &service_error("NotFoundException"));
        assert!(!missing.transient && missing.is(&["NotFound", "NotFoundException"]));
        assert!(missing.detail.starts_with("chime: "), "{}", missing.detail);
        // A service's own 500, whatever its body says, is worth retrying later.
        let crashed = SdkError::service_error(ErrorMetadata::builder().build(), response(500));
        assert!(SdkFailure::of("dynamodb", &crashed).transient);
    }

    #[test]
    fn a_missing_setting_names_its_variable() {
        let error = required("VIDEO_VISITS_TEST_SURELY_UNSET").unwrap_err();
        assert_eq!(
            error.to_string(),
            "missing configuration: set the environment variable VIDEO_VISITS_TEST_SURELY_UNSET"
        );
    }
}
