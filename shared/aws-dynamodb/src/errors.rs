//! SDK failures → the store's errors.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::error::SdkError;
use visits_domain::ports::StoreError;

pub fn store_error<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    if visits_aws::is_transient(&error) {
        tracing::warn!(code = visits_aws::error_code(&error).unwrap_or("-"), "dynamodb unavailable");
        return StoreError::Unavailable { retry_after_seconds: visits_aws::RETRY_AFTER_SECONDS };
    }
    let code = visits_aws::error_code(&error).unwrap_or("-").to_owned();
    StoreError::Failed(format!("dynamodb: {code}: {}", aws_sdk_dynamodb::error::DisplayErrorContext(&error)))
}

pub fn malformed(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Failed(format!("malformed {what} item: {detail}"))
}
