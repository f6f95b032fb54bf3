//! SDK failures → the store's errors.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use visits_domain::ports::CommitError;
use visits_domain::ports::{Dependency, DependencyError};

pub fn store_error<E>(error: SdkError<E>) -> DependencyError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    visits_aws::SdkFailure::of("dynamodb", &error).into_error(Dependency::Store)
}

pub fn malformed(what: &str, detail: impl std::fmt::Display) -> DependencyError {
    DependencyError::failed(Dependency::Store, format!("malformed {what} item: {detail}"))
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
        CommitError::Store(DependencyError::unavailable(Dependency::Store, visits_aws::RETRY_AFTER_SECONDS))
    } else {
        CommitError::Store(DependencyError::failed(
            Dependency::Store,
            format!("{what} transaction cancelled: {reasons:?}"),
        ))
    }
}
