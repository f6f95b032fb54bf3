//! SDK failures → the store's errors.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::error::SdkError;
use visits_aws::SdkFailure;
use visits_domain::ports::StoreError;

pub fn store_error<E>(error: SdkError<E>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match SdkFailure::of("dynamodb", &error) {
        failure if failure.transient => {
            StoreError::Unavailable { retry_after_seconds: visits_aws::RETRY_AFTER_SECONDS }
        }
        failure => StoreError::Failed(failure.detail),
    }
}

pub fn malformed(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Failed(format!("malformed {what} item: {detail}"))
}
