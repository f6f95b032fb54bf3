//! SDK failures → the store's errors.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use visits_aws::SdkFailure;
use visits_domain::ports::{CommitError, StoreError};

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

/// A failed transaction whose every item is guarded by "new" or "this version": a failed first
/// item that was to be new is `AlreadyExists`; any other failed guard, or a conflicting
/// transaction, is `VersionConflict`; throttling is `Unavailable`.
pub fn guarded_transaction_error(
    error: SdkError<TransactWriteItemsError>,
    first_is_new: bool,
    what: &str,
) -> CommitError {
    let reasons: Vec<Option<String>> = match error.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
            cancelled.cancellation_reasons().iter().map(|r| r.code().map(str::to_owned)).collect()
        }
        _ => return CommitError::Store(store_error(error)),
    };
    let conditional = |code: &Option<String>| code.as_deref() == Some("ConditionalCheckFailed");
    if reasons.first().is_some_and(conditional) && first_is_new {
        CommitError::AlreadyExists
    } else if reasons.iter().any(conditional) || reasons.iter().any(|r| r.as_deref() == Some("TransactionConflict")) {
        CommitError::VersionConflict
    } else if reasons.iter().flatten().any(|r| r.contains("Throttl") || r.contains("ProvisionedThroughput")) {
        CommitError::Store(StoreError::Unavailable { retry_after_seconds: visits_aws::RETRY_AFTER_SECONDS })
    } else {
        CommitError::Store(StoreError::Failed(format!("{what} transaction cancelled: {reasons:?}")))
    }
}
