//! Clinician applications on the table: `APPLICATION#{id}` holds the application and its audit
//! chain; the status index lists them oldest first. An application and the audit records of a
//! change are one transaction.

use async_trait::async_trait;
use visits_domain::model::{Application, ApplicationId, AuditRecord};
use visits_domain::ports::DependencyError;
use visits_domain::ports::{ApplicationPage, ApplicationQuery, ApplicationStore, CommitError};

use crate::DynamoStore;
use crate::errors::{guarded_transaction_error, store_error};
use crate::keys::{self, s};
use crate::listing::partition;
use crate::schema::{APPLICATIONS_BY_STATUS, ApplicationItem, AuditItem, ListedApplicationItem, from_item, to_item};
use crate::writes::{new_put, versioned_put};

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
        let application = to_item(&ApplicationItem::new(application))?;
        let mut writes = vec![versioned_put(&self.table, application, expected_version)?];
        for record in &audit {
            writes.push(new_put(&self.table, to_item(&AuditItem::new(record))?)?);
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
