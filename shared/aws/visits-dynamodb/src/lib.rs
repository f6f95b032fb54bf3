//! The store on one DynamoDB table. The items are typed in [`schema`]; the key design is in
//! `docs/table-design.md`. The short form:
//!
//! | item | PK | SK | GSIs |
//! |---|---|---|---|
//! | visit | `VISIT#{visitId}` | `VISIT` | GSI1 `PATIENT#{id}`, GSI2 `CLINICIAN#{id}`, GSI3 `VISITS#{shard}`; sort `{scheduledAt}#{visitId}`; projected: `visit` |
//! | audit record | `VISIT#{visitId}` | `AUDIT#{seq:020}` | |
//! | link | `LINK#{sha256(jti)}` | `LINK` | |
//! | code → link | `CODE#{sha256(code)}` | `CODE` | |
//! | idempotency key | `IDEM#{sub}:{key}` | `IDEM` | |
//! | failure counter | `FAIL#{key}` | `FAIL` | |
//! | access record | `ACCESS#{patientId}` | `{at}#{requestId}#{resource}` | GSI5 `ACCESSHOUR#{hour}#{shard}`, sort `{patientId}#{SK}`; projected: `record` |
//!
//! Every read of one item is strongly consistent; every condition and read checks expiry itself,
//! because TTL deletes late.

mod access_log;
mod applications;
mod batch;
mod commit;
mod errors;
mod keys;
mod listing;
pub mod schema;
mod signups;
pub mod size;
mod table;
mod uploads;
mod writes;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Duration, Utc};
use visits_domain::model::{AuditRecord, AuditSubject, Digest, Link, RefusalRecord, Visit, VisitId};
use visits_domain::ports::DependencyError;
use visits_domain::ports::{
    Change, CommitError, FailureCount, IdempotencyRecord, JoinFacts, JoinRead, Store, VisitHistory, VisitPage,
    VisitQuery,
};

use crate::schema::{AuditItem, FailureItem, IdempotencyItem, Item, LinkItem, attr, from_item};

pub use schema::{StreamImage, audit_in_stream_image, audit_stream_filter, audit_stream_image, refusal_stream_image};
pub use table::create_table;

/// The store on the table named by `TABLE_NAME`.
pub fn from_env(config: &visits_aws::SdkConfig) -> Result<DynamoStore, visits_aws::MissingSetting> {
    Ok(DynamoStore::new(Client::new(config), visits_aws::required("TABLE_NAME")?))
}

pub struct DynamoStore {
    pub(crate) client: Client,
    pub(crate) table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    pub fn table_name(&self) -> &str {
        &self.table
    }

    pub(crate) async fn get(&self, pk: String, sk: &str) -> Result<Option<Item>, DependencyError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(attr::PK, keys::s(pk))
            .key(attr::SK, keys::s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(errors::store_error)?;
        Ok(output.item)
    }
}

#[async_trait]
impl Store for DynamoStore {
    async fn visit(&self, id: &VisitId) -> Result<Option<Visit>, DependencyError> {
        let item = self.get(keys::visit_pk(id), keys::VISIT_SK).await?;
        item.map(schema::visit_from_item).transpose()
    }

    async fn visits(&self, query: &VisitQuery) -> Result<VisitPage, DependencyError> {
        listing::visits(&self.client, &self.table, query).await
    }

    async fn link_by_id(&self, id_hash: &Digest) -> Result<Option<Link>, DependencyError> {
        let item = self.get(keys::link_pk(id_hash), keys::LINK_SK).await?;
        item.map(|item| from_item::<LinkItem>(item, "link")?.into_link()).transpose()
    }

    async fn audit_trail(&self, visit_id: &VisitId) -> Result<Vec<AuditRecord>, DependencyError> {
        listing::audit_trail(&self.client, &self.table, visit_id).await
    }

    async fn audit_record(&self, subject: &AuditSubject, seq: u64) -> Result<Option<AuditRecord>, DependencyError> {
        let item = self.get(keys::subject_pk(subject), &keys::audit_sk(seq)).await?;
        Ok(item.map(|item| from_item::<AuditItem>(item, "audit record")).transpose()?.map(|item| item.record))
    }

    async fn visit_history(&self, visit_id: &VisitId) -> Result<Option<VisitHistory>, DependencyError> {
        listing::visit_history(&self.client, &self.table, visit_id).await
    }

    async fn join_read(&self, read: &JoinRead, now: DateTime<Utc>) -> Result<JoinFacts, DependencyError> {
        batch::join_read(&self.client, &self.table, read, now).await
    }

    async fn idempotency_record(&self, key: &str) -> Result<Option<IdempotencyRecord>, DependencyError> {
        let item = self.get(keys::idempotency_pk(key), keys::IDEMPOTENCY_SK).await?;
        Ok(item.map(|item| from_item::<IdempotencyItem>(item, "idempotency")).transpose()?.map(|item| item.record))
    }

    async fn commit(&self, change: Change) -> Result<(), CommitError> {
        commit::commit(&self.client, &self.table, change).await
    }

    async fn failures(&self, key: &str, now: DateTime<Utc>) -> Result<FailureCount, DependencyError> {
        let item = self.get(keys::failure_pk(key), keys::FAILURE_SK).await?;
        let count = item.map(|item| from_item::<FailureItem>(item, "failure counter")?.count()).transpose()?;
        Ok(FailureCount::as_of(count, now))
    }

    async fn record_refusal(
        &self,
        visit_id: &VisitId,
        link: &Digest,
        at: DateTime<Utc>,
        reason: &str,
        seen: u64,
    ) -> Result<RefusalRecord, DependencyError> {
        commit::record_refusal(&self.client, &self.table, visit_id, link, at, reason, seen).await
    }

    async fn refusals(&self, visit_id: &VisitId) -> Result<Vec<RefusalRecord>, DependencyError> {
        listing::refusals(&self.client, &self.table, visit_id).await
    }

    async fn record_failure(
        &self,
        key: &str,
        now: DateTime<Utc>,
        window: Duration,
        seen: FailureCount,
    ) -> Result<FailureCount, DependencyError> {
        commit::record_failure(&self.client, &self.table, key, now, window, seen).await
    }
}
