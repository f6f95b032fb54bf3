//! Signups and the contacts that belong to patients, on the same table: `SIGNUP#{id}` and
//! `CONTACT#{hmac}` (docs/table-design.md). A verification writes the signup and claims the
//! contact in one transaction, so two signups of one contact cannot both become patients; undoing
//! one restores the signup and lets the contact go in one transaction too.

use async_trait::async_trait;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Delete, TransactWriteItem};
use visits_domain::model::{Digest, Signup, SignupId, UserId};
use visits_domain::ports::{CommitError, ContactClaim, SignupStore};
use visits_domain::ports::{Dependency, DependencyError};

use crate::DynamoStore;
use crate::errors::store_error;
use crate::keys;
use crate::keys::s;
use crate::schema::{ContactItem, SignupItem, attr, from_item, to_item, value};
use crate::writes::{build_error, new_put, versioned_put};

#[async_trait]
impl SignupStore for DynamoStore {
    async fn signup(&self, id: &SignupId) -> Result<Option<Signup>, DependencyError> {
        let item = self.get(keys::signup_pk(id), keys::SIGNUP_SK).await?;
        Ok(item.map(|item| from_item::<SignupItem>(item, "signup")).transpose()?.map(|item| item.signup))
    }

    async fn patient_with_contact(&self, contact: &Digest) -> Result<Option<UserId>, DependencyError> {
        let item = self.get(keys::contact_pk(contact), keys::CONTACT_SK).await?;
        Ok(item.map(|item| from_item::<ContactItem>(item, "contact")).transpose()?.map(|item| item.patient_id))
    }

    async fn save_signup(
        &self,
        signup: &Signup,
        expected_version: Option<u64>,
        claim: Option<ContactClaim>,
    ) -> Result<(), CommitError> {
        let mut writes = vec![versioned_put(&self.table, to_item(&SignupItem::new(signup))?, expected_version)?];
        match &claim {
            Some(ContactClaim::Take(contact, patient)) => {
                writes.push(new_put(&self.table, to_item(&ContactItem::new(contact, patient))?)?);
            }
            Some(ContactClaim::Release(contact, patient)) => writes.push(self.release(contact, patient)?),
            None => {}
        }
        match self.client.transact_write_items().set_transact_items(Some(writes)).send().await {
            Ok(_) => Ok(()),
            Err(error) => {
                let reasons: Vec<Option<String>> = match error.as_service_error() {
                    Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
                        cancelled.cancellation_reasons().iter().map(|r| r.code().map(str::to_owned)).collect()
                    }
                    _ => return Err(CommitError::Store(store_error(error))),
                };
                let failed_at = |i: usize| reasons.get(i).and_then(Option::as_deref) == Some("ConditionalCheckFailed");
                if failed_at(0) {
                    Err(if expected_version.is_some() {
                        CommitError::VersionConflict
                    } else {
                        CommitError::AlreadyExists
                    })
                } else if failed_at(1) {
                    Err(CommitError::AlreadyExists)
                } else if reasons.iter().any(|r| r.as_deref() == Some("TransactionConflict")) {
                    Err(CommitError::VersionConflict)
                } else if reasons.iter().flatten().any(|r| r.contains("Throttl") || r.contains("ProvisionedThroughput"))
                {
                    Err(CommitError::Store(DependencyError::unavailable(
                        Dependency::Store,
                        visits_aws::RETRY_AFTER_SECONDS,
                    )))
                } else {
                    Err(CommitError::Store(DependencyError::failed(
                        Dependency::Store,
                        format!("signup transaction cancelled: {reasons:?}"),
                    )))
                }
            }
        }
    }
}

impl DynamoStore {
    /// Deletes the contact's item when it is still `patient`'s: a release never frees a contact
    /// someone else has claimed since.
    fn release(&self, contact: &Digest, patient: &UserId) -> Result<TransactWriteItem, CommitError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .key(attr::PK, s(keys::contact_pk(contact)))
            .key(attr::SK, s(keys::CONTACT_SK))
            .condition_expression("attribute_not_exists(PK) OR #patient = :patient")
            .expression_attribute_names("#patient", attr::CONTACT_OWNER)
            .expression_attribute_values(":patient", value(patient)?)
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }
}
