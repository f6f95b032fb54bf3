//! What every AWS adapter shares: the one `SdkConfig` a process builds, settings read from the
//! environment with errors that name the variable, and the classification of SDK failures into
//! "retry later" (throttling, timeouts) and the rest.

use aws_config::BehaviorVersion;
pub use aws_config::SdkConfig;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Loads region, credentials and endpoints (including `AWS_ENDPOINT_URL` and per-service
/// `AWS_ENDPOINT_URL_<SERVICE>`) from the environment. Call once per process, in `main`.
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest()).load().await
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

/// Whether a failure is worth retrying later: a timeout, a connection failure, throttling, or a
/// service-side 5xx. The SDK has already retried these with backoff by the time we see them.
pub fn is_transient<E, R>(error: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata,
{
    match error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => true,
        SdkError::ServiceError(service) => service.err().code().is_some_and(|code| RETRYABLE_CODES.contains(&code)),
        _ => false,
    }
}

/// The service's error code, for messages and matching.
pub fn error_code<E, R>(error: &SdkError<E, R>) -> Option<&str>
where
    E: ProvideErrorMetadata,
{
    match error {
        SdkError::ServiceError(service) => service.err().code(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_setting_names_its_variable() {
        let error = required("VIDEO_VISITS_TEST_SURELY_UNSET").unwrap_err();
        assert_eq!(
            error.to_string(),
            "missing configuration: set the environment variable VIDEO_VISITS_TEST_SURELY_UNSET"
        );
    }
}
