//! Queries: visits by patient, clinician or all (one GSI each, sorted by time), and one visit's
//! partition (the visit, its audit trail, its refusals).

use std::collections::HashMap;
use visits_domain::ports::DependencyError;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::Duration;
use visits_domain::model::{AuditRecord, DurationMinutes, ListedVisit, VisitId};
use visits_domain::ports::{VisitHistory, VisitPage, VisitQuery, When};

use crate::errors::store_error;
use crate::keys::{self, s};
use crate::schema::{self, AuditItem, Index, ListedItem, attr, from_item};

/// Each query page reads a few more items than asked: some are filtered out (ended, or the other
/// side's filter).
const READ_AHEAD: i32 = 4;

pub async fn visits(client: &Client, table: &str, query: &VisitQuery) -> Result<VisitPage, DependencyError> {
    let (index, partitions) = match (&query.patient_id, &query.clinician_id) {
        (Some(patient), _) => (schema::BY_PATIENT, vec![keys::patient_pk(patient)]),
        (None, Some(clinician)) => (schema::BY_CLINICIAN, vec![keys::clinician_pk(clinician)]),
        // All visits: every shard at once, one round trip deep.
        (None, None) => (schema::ALL_VISITS, keys::all_visits_partitions().collect()),
    };
    let reads = partitions.into_iter().map(|partition| page_of(client, table, index, partition, query));
    let candidates: Vec<ListedVisit> = futures::future::try_join_all(reads).await?.into_iter().flatten().collect();
    Ok(query.page(candidates))
}

/// Up to one more than a page of the listing's visits from one partition of `index`, in order.
async fn page_of(
    client: &Client,
    table: &str,
    index: Index,
    partition: String,
    query: &VisitQuery,
) -> Result<Vec<ListedVisit>, DependencyError> {
    let cursor_key = query.after.as_ref().map(|c| keys::time_sort_key(c.scheduled_at, c.visit_id.as_str()));
    // A visit that has not ended started at most the longest duration ago.
    let longest = Duration::minutes(i64::from(DurationMinutes::MAX));
    let (condition, bound) = match (query.when, cursor_key) {
        (When::Upcoming, Some(key)) => ("#pk = :pk AND #sk > :bound", key),
        (When::Upcoming, None) => ("#pk = :pk AND #sk >= :bound", keys::time_sort_key(query.now - longest, "")),
        (When::Past, Some(key)) => ("#pk = :pk AND #sk < :bound", key),
        // '$' sorts after '#': every visit scheduled up to now.
        (When::Past, None) => {
            ("#pk = :pk AND #sk < :bound", format!("{}$", keys::time_sort_key(query.now, "").trim_end_matches('#')))
        }
    };
    let mut items = Vec::new();
    let mut start: Option<HashMap<String, AttributeValue>> = None;
    loop {
        let output = client
            .query()
            .table_name(table)
            .index_name(index.name)
            .key_condition_expression(condition)
            .expression_attribute_names("#pk", index.pk)
            .expression_attribute_names("#sk", index.sk)
            .expression_attribute_values(":pk", s(partition.clone()))
            .expression_attribute_values(":bound", s(bound.clone()))
            .scan_index_forward(query.when == When::Upcoming)
            .limit((query.limit as i32 + 1) * READ_AHEAD)
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .map_err(store_error)?;
        for item in output.items.unwrap_or_default() {
            let visit = from_item::<ListedItem>(item, "listed visit")?.visit;
            if query.matches(&visit) && query.is_after_cursor(&visit) {
                items.push(visit);
            }
        }
        start = output.last_evaluated_key;
        if items.len() > query.limit || start.is_none() {
            return Ok(items);
        }
    }
}

/// The raw items of a partition (a visit's, an application's), in key order: all of them, or
/// those whose sort key starts with `prefix` (its audit chain, its refusals). Paged until the end.
pub(crate) async fn partition(
    client: &Client,
    table: &str,
    pk: String,
    prefix: Option<&str>,
) -> Result<Vec<schema::Item>, DependencyError> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let mut query = client
            .query()
            .table_name(table)
            .expression_attribute_names("#pk", attr::PK)
            .expression_attribute_values(":pk", s(pk.clone()))
            .consistent_read(true)
            .set_exclusive_start_key(start);
        query = match prefix {
            Some(prefix) => query
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#sk", attr::SK)
                .expression_attribute_values(":prefix", s(prefix)),
            None => query.key_condition_expression("#pk = :pk"),
        };
        let output = query.send().await.map_err(store_error)?;
        items.extend(output.items.unwrap_or_default());
        start = output.last_evaluated_key;
        if start.is_none() {
            return Ok(items);
        }
    }
}

/// A visit's whole partition in one query: the visit item, its audit chain (`AUDIT#…`, in
/// order) and its refusals (`REFUSAL#…`).
pub async fn visit_history(
    client: &Client,
    table: &str,
    visit_id: &VisitId,
) -> Result<Option<VisitHistory>, DependencyError> {
    let (mut visit, mut records, mut refusals) = (None, Vec::new(), Vec::new());
    for item in partition(client, table, keys::visit_pk(visit_id), None).await? {
        let sk = item.get(attr::SK).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
        if sk == keys::VISIT_SK {
            visit = Some(schema::visit_from_item(item)?);
        } else if sk.starts_with(keys::AUDIT_SK_PREFIX) {
            records.push(from_item::<AuditItem>(item, "audit")?.record);
        } else if sk.starts_with(keys::REFUSAL_SK_PREFIX) {
            refusals.push(from_item::<schema::RefusalItem>(item, "refusal")?.record);
        }
    }
    Ok(visit.map(|visit| VisitHistory { visit, records, refusals }))
}

pub async fn refusals(
    client: &Client,
    table: &str,
    visit_id: &VisitId,
) -> Result<Vec<visits_domain::model::RefusalRecord>, DependencyError> {
    let items = partition(client, table, keys::visit_pk(visit_id), Some(keys::REFUSAL_SK_PREFIX)).await?;
    items.into_iter().map(|item| Ok(from_item::<schema::RefusalItem>(item, "refusal")?.record)).collect()
}

pub async fn audit_trail(
    client: &Client,
    table: &str,
    visit_id: &VisitId,
) -> Result<Vec<AuditRecord>, DependencyError> {
    let items = partition(client, table, keys::visit_pk(visit_id), Some(keys::AUDIT_SK_PREFIX)).await?;
    items.into_iter().map(|item| Ok(from_item::<AuditItem>(item, "audit")?.record)).collect()
}
