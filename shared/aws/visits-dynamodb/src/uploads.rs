//! Uploads on the table: `UPLOAD#{id}`. A licence's upload and its application's documents are
//! written in one transaction, each over the version read.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use visits_domain::model::{Upload, UploadId};
use visits_domain::ports::{ApplicationWrite, CommitError, UploadStore};
use visits_domain::ports::{Dependency, DependencyError};

use crate::DynamoStore;
use crate::errors::guarded_transaction_error;
use crate::keys;
use crate::schema::{ApplicationItem, UploadItem, attr, from_item, to_item, value};

#[async_trait]
impl UploadStore for DynamoStore {
    async fn upload(&self, id: &UploadId) -> Result<Option<Upload>, DependencyError> {
        let item = self.get(keys::upload_pk(id), keys::UPLOAD_SK).await?;
        Ok(item.map(|item| from_item::<UploadItem>(item, "upload")).transpose()?.map(|item| item.upload))
    }

    async fn save_upload(
        &self,
        upload: &Upload,
        expected_version: Option<u64>,
        application: Option<ApplicationWrite>,
    ) -> Result<(), CommitError> {
        let failed = |e: aws_sdk_dynamodb::error::BuildError| {
            CommitError::Store(DependencyError::failed(Dependency::Store, format!("building a transaction item: {e}")))
        };
        let versioned = |put: aws_sdk_dynamodb::types::builders::PutBuilder, expected: u64| {
            Ok::<_, CommitError>(
                put.condition_expression("#version = :expected")
                    .expression_attribute_names("#version", attr::VERSION)
                    .expression_attribute_values(":expected", value(&expected)?),
            )
        };
        let put = Put::builder().table_name(&self.table).set_item(Some(to_item(&UploadItem::new(upload))?));
        let put = match expected_version {
            None => put.condition_expression("attribute_not_exists(PK)"),
            Some(expected) => versioned(put, expected)?,
        };
        let mut writes = vec![TransactWriteItem::builder().put(put.build().map_err(failed)?).build()];
        if let Some(write) = &application {
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(to_item(&ApplicationItem::new(&write.application))?));
            let put = versioned(put, write.expected_version)?.build().map_err(failed)?;
            writes.push(TransactWriteItem::builder().put(put).build());
        }
        match self.client.transact_write_items().set_transact_items(Some(writes)).send().await {
            Ok(_) => Ok(()),
            Err(error) => Err(guarded_transaction_error(error, expected_version.is_none(), "upload")),
        }
    }
}
