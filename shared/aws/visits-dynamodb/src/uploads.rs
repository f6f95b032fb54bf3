//! Uploads on the table: `UPLOAD#{id}`. A licence's upload and its application's documents are
//! written in one transaction, each over the version read.

use async_trait::async_trait;
use visits_domain::model::{Upload, UploadId};
use visits_domain::ports::DependencyError;
use visits_domain::ports::{ApplicationWrite, CommitError, UploadStore};

use crate::DynamoStore;
use crate::errors::guarded_transaction_error;
use crate::keys;
use crate::schema::{ApplicationItem, UploadItem, from_item, to_item};
use crate::writes::versioned_put;

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
        let mut writes = vec![versioned_put(&self.table, to_item(&UploadItem::new(upload))?, expected_version)?];
        if let Some(write) = &application {
            let item = to_item(&ApplicationItem::new(&write.application))?;
            writes.push(versioned_put(&self.table, item, Some(write.expected_version))?);
        }
        match self.client.transact_write_items().set_transact_items(Some(writes)).send().await {
            Ok(_) => Ok(()),
            Err(error) => Err(guarded_transaction_error(error, expected_version.is_none(), "upload")),
        }
    }
}
