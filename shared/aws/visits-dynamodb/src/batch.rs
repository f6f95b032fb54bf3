//! What a join request reads before it decides, in one `BatchGetItem`: its failure counters, the
//! code's entry, the link with its refusal counter, and the visit. Every key is read strongly
//! consistent, as a `GetItem` would be.

use std::collections::HashMap;
use std::time::Duration as Wait;
use visits_domain::ports::{Dependency, DependencyError};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use chrono::{DateTime, Utc};
use visits_domain::ports::{FailureCount, JoinFacts, JoinRead};

use crate::errors::store_error;
use crate::keys::{self, s};
use crate::schema::{CodeItem, FailureItem, Item, LinkItem, RefusalCounterItem, attr, from_item, visit_from_item};

/// Keys DynamoDB leaves unprocessed (throttling) are asked for again this many times.
const ROUNDS: u32 = 4;

type Key = (String, String);

pub async fn join_read(
    client: &Client,
    table: &str,
    read: &JoinRead,
    now: DateTime<Utc>,
) -> Result<JoinFacts, DependencyError> {
    let failure_keys: Vec<Key> =
        read.failure_keys.iter().map(|key| (keys::failure_pk(key), keys::FAILURE_SK.to_owned())).collect();
    let code = read.code.map(|hash| (keys::code_pk(&hash), keys::CODE_SK.to_owned()));
    let link = read.link.map(|id| (keys::link_pk(&id), keys::LINK_SK.to_owned()));
    let counter = read.link.map(|id| (keys::link_pk(&id), keys::REFUSAL_COUNTER_SK.to_owned()));
    let visit = read.visit.as_ref().map(|id| (keys::visit_pk(id), keys::VISIT_SK.to_owned()));
    let wanted: Vec<Key> =
        failure_keys.iter().cloned().chain([&code, &link, &counter, &visit].into_iter().flatten().cloned()).collect();
    let mut found = get_all(client, table, wanted).await?;
    let mut take = |key: &Option<Key>| key.as_ref().and_then(|key| found.remove(key));

    let code = take(&code).map(|item| from_item::<CodeItem>(item, "code")).transpose()?.and_then(CodeItem::entry);
    let link = take(&link).map(|item| from_item::<LinkItem>(item, "link")?.into_link()).transpose()?;
    let refusals = take(&counter).map(|item| from_item::<RefusalCounterItem>(item, "refusal counter")).transpose()?;
    let visit = take(&visit).map(visit_from_item).transpose()?;
    let mut failures = Vec::with_capacity(failure_keys.len());
    for key in &failure_keys {
        let stored = found.remove(key).map(|item| from_item::<FailureItem>(item, "failure counter")?.count());
        failures.push(FailureCount::as_of(stored.transpose()?, now));
    }
    Ok(JoinFacts { failures, code, link, refusals: refusals.map_or(0, |counter| counter.refusals), visit })
}

/// Every item of `wanted` that exists, by key. Duplicate keys are asked for once.
async fn get_all(client: &Client, table: &str, mut wanted: Vec<Key>) -> Result<HashMap<Key, Item>, DependencyError> {
    wanted.sort();
    wanted.dedup();
    let mut found = HashMap::new();
    let mut pending: Vec<HashMap<String, AttributeValue>> = wanted
        .into_iter()
        .map(|(pk, sk)| HashMap::from([(attr::PK.to_owned(), s(pk)), (attr::SK.to_owned(), s(sk))]))
        .collect();
    for round in 0..ROUNDS {
        if pending.is_empty() {
            return Ok(found);
        }
        if round > 0 {
            tokio::time::sleep(Wait::from_millis(25 << round)).await;
        }
        let keys = KeysAndAttributes::builder()
            .set_keys(Some(std::mem::take(&mut pending)))
            .consistent_read(true)
            .build()
            .map_err(|e| DependencyError::failed(Dependency::Store, format!("building a batch read: {e}")))?;
        let output = client.batch_get_item().request_items(table, keys).send().await.map_err(store_error)?;
        for item in output.responses.and_then(|mut by_table| by_table.remove(table)).unwrap_or_default() {
            let key = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
            found.insert((key(attr::PK), key(attr::SK)), item);
        }
        pending = output
            .unprocessed_keys
            .and_then(|mut by_table| by_table.remove(table))
            .map(|unprocessed| unprocessed.keys)
            .unwrap_or_default();
    }
    if pending.is_empty() { Ok(found) } else { Err(DependencyError::unavailable(Dependency::Store, 1)) }
}
