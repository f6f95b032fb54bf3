//! The access log on the table: `ACCESS#{patientId}`, sorted by time. A request's records go in
//! `BatchWriteItem`s of 25 sent together, so a listing of many patients' visits waits for one
//! round trip; records are immutable, so a retried put is harmless.

use std::collections::HashMap;
use std::time::Duration as Wait;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use chrono::{DateTime, Utc};
use visits_domain::model::AccessRecord;
use visits_domain::ports::{AccessLog, AccessPage, AccessQuery, Dependency, DependencyError};

use crate::DynamoStore;
use crate::errors::store_error;
use crate::keys::{self, s};
use crate::schema::{ACCESS_BY_HOUR, AccessItem, attr, from_item, to_item};

/// What the by-hour index holds of an access record's item.
#[derive(serde::Deserialize)]
struct HourItem {
    record: AccessRecord,
}

/// DynamoDB's most writes in one `BatchWriteItem`.
const BATCH: usize = 25;
/// Writes DynamoDB leaves unprocessed (throttling) are sent again this many times.
const ROUNDS: u32 = 4;

#[async_trait]
impl AccessLog for DynamoStore {
    async fn record_access(&self, records: &[AccessRecord]) -> Result<(), DependencyError> {
        let mut writes = Vec::with_capacity(records.len());
        for record in records {
            let put =
                PutRequest::builder().set_item(Some(to_item(&AccessItem::new(record))?)).build().map_err(built)?;
            writes.push(WriteRequest::builder().put_request(put).build());
        }
        let batches = writes.chunks(BATCH).map(|batch| self.write_all(batch.to_vec()));
        futures::future::try_join_all(batches).await.map(|_| ())
    }

    async fn access_records_of_hour(&self, period: DateTime<Utc>) -> Result<Vec<AccessRecord>, DependencyError> {
        let partitions = keys::access_hour_partitions(period).map(|partition| self.hour_partition(partition));
        Ok(futures::future::try_join_all(partitions).await?.into_iter().flatten().collect())
    }

    async fn access_log(&self, query: &AccessQuery) -> Result<AccessPage, DependencyError> {
        // Sort keys start with the time: `from` and `to` bound them as strings.
        let bound = |at: chrono::DateTime<chrono::Utc>| at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
        let low = query.from.map_or_else(|| "0".to_owned(), bound);
        let high = match (&query.after, query.to) {
            (Some(after), _) => after.0.clone(),
            (None, Some(to)) => bound(to),
            (None, None) => "9".to_owned(),
        };
        // DynamoDB refuses a BETWEEN whose bounds are the wrong way round: such a range is empty.
        if low > high {
            return Ok(AccessPage::default());
        }
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND #sk BETWEEN :low AND :high")
            .expression_attribute_names("#pk", attr::PK)
            .expression_attribute_names("#sk", attr::SK)
            .expression_attribute_values(":pk", s(keys::access_pk(&query.patient_id)))
            .expression_attribute_values(":low", s(low))
            .expression_attribute_values(":high", s(high))
            .scan_index_forward(false)
            .limit(i32::try_from(query.limit + 2).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(store_error)?;
        let records =
            output.items.unwrap_or_default().into_iter().map(|item| from_item::<AccessItem>(item, "access record"));
        // BETWEEN is inclusive: the cursor's own record and one exactly at `to` fall out in `page`.
        Ok(query.page(records.map(|item| item.map(|item| item.record)).collect::<Result<Vec<_>, _>>()?))
    }
}

impl DynamoStore {
    /// One partition of the by-hour index, all of it.
    async fn hour_partition(&self, partition: String) -> Result<Vec<AccessRecord>, DependencyError> {
        let index = ACCESS_BY_HOUR;
        let mut records = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index.name)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", index.pk)
                .expression_attribute_values(":pk", s(partition.clone()))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(store_error)?;
            for item in output.items.unwrap_or_default() {
                records.push(from_item::<HourItem>(item, "access record")?.record);
            }
            start = output.last_evaluated_key;
            if start.is_none() {
                return Ok(records);
            }
        }
    }

    async fn write_all(&self, mut pending: Vec<WriteRequest>) -> Result<(), DependencyError> {
        for round in 0..ROUNDS {
            if pending.is_empty() {
                return Ok(());
            }
            if round > 0 {
                tokio::time::sleep(Wait::from_millis(25 << round)).await;
            }
            let output = self
                .client
                .batch_write_item()
                .set_request_items(Some(HashMap::from([(self.table.clone(), std::mem::take(&mut pending))])))
                .send()
                .await
                .map_err(store_error)?;
            pending =
                output.unprocessed_items.and_then(|mut by_table| by_table.remove(&self.table)).unwrap_or_default();
        }
        if pending.is_empty() { Ok(()) } else { Err(DependencyError::unavailable(Dependency::Store, 1)) }
    }
}

fn built(error: aws_sdk_dynamodb::error::BuildError) -> DependencyError {
    DependencyError::failed(Dependency::Store, format!("building an access record's write: {error}"))
}
