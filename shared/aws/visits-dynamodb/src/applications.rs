//! Clinician applications on the table: `APPLICATION#{id}` holds the application and its audit
//! chain; the status index lists them oldest first. An application and the audit records of a
//! change are one transaction.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use visits_domain::model::{Application, ApplicationId, AuditRecord};
use visits_domain::ports::{ApplicationPage, ApplicationQuery, ApplicationStore, CommitError};
use visits_domain::ports::{Dependency, DependencyError};

use crate::DynamoStore;
use crate::errors::{guarded_transaction_error, store_error};
use crate::keys::{self, s};
use crate::listing::partition;
use crate::schema::{
    APPLICATIONS_BY_STATUS, ApplicationItem, AuditItem, ListedApplicationItem, attr, from_item, to_item, value,
};

#[async_trait]
impl ApplicationStore for DynamoStore {
    async fn application(&self, id: &ApplicationId) -> Result<Option<Application>, DependencyError> {
        let item = self.get(keys::application_pk(id), keys::APPLICATION_SK).await?;
        Ok(item.map(|item| from_item::<ApplicationItem>(item, "application")).transpose()?.map(|item| item.application))
    }

    async fn save_application(
        &self,
        application: &Application,
        expected_version: Option<u64>,
        audit: Vec<AuditRecord>,
    ) -> Result<(), CommitError> {
        let failed = |e: aws_sdk_dynamodb::error::BuildError| {
            CommitError::Store(DependencyError::failed(Dependency::Store, format!("building a transaction item: {e}")))
        };
        let mut put =
            Put::builder().table_name(&self.table).set_item(Some(to_item(&ApplicationItem::new(application))?));
        put = match expected_version {
            None => put.condition_expression("attribute_not_exists(PK)"),
            Some(expected) => put
                .condition_expression("#version = :expected")
                .expression_attribute_names("#version", attr::VERSION)
                .expression_attribute_values(":expected", value(&expected)?),
        };
        let mut writes = vec![TransactWriteItem::builder().put(put.build().map_err(failed)?).build()];
        for record in &audit {
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(to_item(&AuditItem::new(record))?))
                .condition_expression("attribute_not_exists(PK)")
                .build()
                .map_err(failed)?;
            writes.push(TransactWriteItem::builder().put(put).build());
        }
        match self.client.transact_write_items().set_transact_items(Some(writes)).send().await {
            Ok(_) => Ok(()),
            Err(error) => Err(guarded_transaction_error(error, expected_version.is_none(), "application")),
        }
    }

    /// Each status's partition of the index at once (one round trip deep), merged.
    async fn applications(&self, query: &ApplicationQuery) -> Result<ApplicationPage, DependencyError> {
        let reads = query.statuses().into_iter().map(|status| async move {
            let index = APPLICATIONS_BY_STATUS;
            let mut request = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index.name)
                .expression_attribute_names("#pk", index.pk)
                .expression_attribute_values(":pk", s(keys::applications_by_status_pk(status)))
                .scan_index_forward(true)
                .limit(query.limit as i32 + 1);
            request = match &query.after {
                Some(cursor) => request
                    .key_condition_expression("#pk = :pk AND #sk > :after")
                    .expression_attribute_names("#sk", index.sk)
                    .expression_attribute_values(
                        ":after",
                        s(keys::time_sort_key(cursor.created_at, cursor.id.as_str())),
                    ),
                None => request.key_condition_expression("#pk = :pk"),
            };
            let output = request.send().await.map_err(store_error)?;
            output
                .items
                .unwrap_or_default()
                .into_iter()
                .map(|item| Ok(from_item::<ListedApplicationItem>(item, "listed application")?.application))
                .collect::<Result<Vec<Application>, DependencyError>>()
        });
        let candidates = futures::future::try_join_all(reads).await?.into_iter().flatten().collect();
        Ok(query.page(candidates))
    }

    async fn application_trail(&self, id: &ApplicationId) -> Result<Vec<AuditRecord>, DependencyError> {
        let items = partition(&self.client, &self.table, keys::application_pk(id), Some(keys::AUDIT_SK_PREFIX)).await?;
        items.into_iter().map(|item| Ok(from_item::<AuditItem>(item, "audit")?.record)).collect()
    }
}
