//! The guarded puts the stores' transactions are made of: an item that must be new, or one that
//! replaces the version read.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use visits_domain::ports::{CommitError, Dependency, DependencyError};

use crate::schema::{Item, attr, value};

pub fn build_error(error: impl std::fmt::Display) -> CommitError {
    CommitError::Store(DependencyError::failed(Dependency::Store, format!("building a transaction item: {error}")))
}

/// A put of `item` where no item is yet.
pub fn new_put(table: &str, item: Item) -> Result<TransactWriteItem, CommitError> {
    versioned_put(table, item, None)
}

/// A put of `item` that is new (`expected` is `None`) or replaces the version `expected` read.
pub fn versioned_put(table: &str, item: Item, expected: Option<u64>) -> Result<TransactWriteItem, CommitError> {
    let put = Put::builder().table_name(table).set_item(Some(item));
    let put = match expected {
        None => put.condition_expression("attribute_not_exists(PK)"),
        Some(expected) => put
            .condition_expression("#version = :expected")
            .expression_attribute_names("#version", attr::VERSION)
            .expression_attribute_values(":expected", value(&expected)?),
    };
    Ok(TransactWriteItem::builder().put(put.build().map_err(build_error)?).build())
}
