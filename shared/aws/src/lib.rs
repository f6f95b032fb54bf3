//! What every AWS adapter shares: the one `SdkConfig` a process builds, settings read from the
//! environment with errors that name the variable, and the classification of SDK failures into
//! "retry later" (throttling, timeouts) and the rest.

pub mod tls;

use aws_config::BehaviorVersion;
pub use aws_config::SdkConfig;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Loads region, credentials and endpoints (including `AWS_ENDPOINT_URL` and per-service
/// `AWS_ENDPOINT_URL_<SERVICE>`) from the environment. Call once per process, in `main`.
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(tls::https_client(tls::TlsRoots::from_env()))
        .load()
        .await
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
