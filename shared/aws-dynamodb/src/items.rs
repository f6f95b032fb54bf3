//! Domain values ↔ DynamoDB items. Whole values (a visit, an audit record) are stored as one
//! map attribute via serde_dynamo; the attributes that keys, conditions and TTL need sit beside
//! it at the top level.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use visits_domain::model::{AuditRecord, Digest, Link, LinkState, Visit, VisitId};
use visits_domain::ports::{FailureCount, IdempotencyRecord, StoreError};

use crate::errors::malformed;
use crate::keys::{self, n, s};

pub type Item = HashMap<String, AttributeValue>;

/// Expired links stay readable this long, so a late click still says "expired".
const LINK_GRACE: Duration = Duration::days(7);

pub const VERSION: &str = "version";
pub const STATE: &str = "state";
pub const EXPIRES_AT_MS: &str = "expiresAtMs";
pub const REDEEMED_AT: &str = "redeemedAt";
pub const COUNT: &str = "count";
pub const RESETS_AT_MS: &str = "resetsAtMs";
pub const TTL: &str = "ttl";

fn to_value<T: Serialize>(value: &T) -> Result<AttributeValue, StoreError> {
    serde_dynamo::to_attribute_value(value).map_err(|e| StoreError::Failed(format!("serialize: {e}")))
}

fn from_value<T: DeserializeOwned>(item: &Item, attribute: &str, what: &str) -> Result<T, StoreError> {
    let value = item.get(attribute).ok_or_else(|| malformed(what, format!("no {attribute}")))?;
    serde_dynamo::from_attribute_value(value.clone()).map_err(|e| malformed(what, e))
}

fn string<'a>(item: &'a Item, attribute: &str, what: &str) -> Result<&'a str, StoreError> {
    item.get(attribute).and_then(|v| v.as_s().ok()).map(String::as_str).ok_or_else(|| malformed(what, attribute))
}

fn number(item: &Item, attribute: &str, what: &str) -> Result<i64, StoreError> {
    item.get(attribute)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| malformed(what, attribute))
}

fn millis(at: DateTime<Utc>) -> AttributeValue {
    n(at.timestamp_millis())
}

fn time(raw: &str, what: &str) -> Result<DateTime<Utc>, StoreError> {
    raw.parse().map_err(|e| malformed(what, e))
}

fn digest(raw: &str, what: &str) -> Result<Digest, StoreError> {
    Digest::from_hex(raw).ok_or_else(|| malformed(what, "digest"))
}

pub fn visit_item(visit: &Visit) -> Result<Item, StoreError> {
    let sort = keys::visit_sort_key(visit);
    Ok(HashMap::from([
        (keys::PK.into(), s(keys::visit_pk(&visit.id))),
        (keys::SK.into(), s(keys::VISIT_SK)),
        ("entity".into(), s("visit")),
        ("GSI1PK".into(), s(keys::patient_pk(&visit.patient_id))),
        ("GSI1SK".into(), s(sort.clone())),
        ("GSI2PK".into(), s(keys::clinician_pk(&visit.clinician_id))),
        ("GSI2SK".into(), s(sort.clone())),
        ("GSI3PK".into(), s(keys::ALL_VISITS_PK)),
        ("GSI3SK".into(), s(sort)),
        (VERSION.into(), n(visit.version as i64)),
        ("visit".into(), to_value(visit)?),
    ]))
}

pub fn visit_from(item: &Item) -> Result<Visit, StoreError> {
    from_value(item, "visit", "visit")
}

pub fn link_item(link: &Link) -> Item {
    let mut item = HashMap::from([
        (keys::PK.into(), s(keys::link_pk(&link.id_hash))),
        (keys::SK.into(), s(keys::LINK_SK)),
        ("entity".into(), s("link")),
        ("visitId".into(), s(link.visit_id.as_str())),
        ("codeHash".into(), s(link.code_hash.to_hex())),
        ("createdAt".into(), s(link.created_at.to_rfc3339())),
        ("expiresAt".into(), s(link.expires_at.to_rfc3339())),
        (EXPIRES_AT_MS.into(), millis(link.expires_at)),
        (TTL.into(), keys::ttl(link.expires_at + LINK_GRACE)),
    ]);
    match link.state {
        LinkState::Active => {
            item.insert(STATE.into(), s("active"));
        }
        LinkState::Redeemed(at) => {
            item.insert(STATE.into(), s("redeemed"));
            item.insert(REDEEMED_AT.into(), s(at.to_rfc3339()));
        }
    }
    item
}

pub fn link_from(item: &Item) -> Result<Link, StoreError> {
    const WHAT: &str = "link";
    let pk = string(item, keys::PK, WHAT)?;
    let id_hash = digest(pk.trim_start_matches("LINK#"), WHAT)?;
    let state = match string(item, STATE, WHAT)? {
        "active" => LinkState::Active,
        "redeemed" => LinkState::Redeemed(time(string(item, REDEEMED_AT, WHAT)?, WHAT)?),
        other => return Err(malformed(WHAT, format!("state {other}"))),
    };
    Ok(Link {
        id_hash,
        code_hash: digest(string(item, "codeHash", WHAT)?, WHAT)?,
        visit_id: VisitId::parse(string(item, "visitId", WHAT)?).map_err(|e| malformed(WHAT, e))?,
        state,
        created_at: time(string(item, "createdAt", WHAT)?, WHAT)?,
        expires_at: time(string(item, "expiresAt", WHAT)?, WHAT)?,
    })
}

pub fn code_item(link: &Link) -> Item {
    HashMap::from([
        (keys::PK.into(), s(keys::code_pk(&link.code_hash))),
        (keys::SK.into(), s(keys::CODE_SK)),
        ("entity".into(), s("code")),
        ("linkIdHash".into(), s(link.id_hash.to_hex())),
        (TTL.into(), keys::ttl(link.expires_at + LINK_GRACE)),
    ])
}

pub fn code_target(item: &Item) -> Result<Digest, StoreError> {
    digest(string(item, "linkIdHash", "code")?, "code")
}

pub fn audit_item(record: &AuditRecord) -> Result<Item, StoreError> {
    Ok(HashMap::from([
        (keys::PK.into(), s(keys::visit_pk(&record.visit_id))),
        (keys::SK.into(), s(keys::audit_sk(record.seq))),
        ("entity".into(), s("audit")),
        ("record".into(), to_value(record)?),
    ]))
}

pub fn audit_from(item: &Item) -> Result<AuditRecord, StoreError> {
    from_value(item, "record", "audit")
}

pub fn idempotency_item(record: &IdempotencyRecord) -> Result<Item, StoreError> {
    Ok(HashMap::from([
        (keys::PK.into(), s(keys::idempotency_pk(&record.key))),
        (keys::SK.into(), s(keys::IDEMPOTENCY_SK)),
        ("entity".into(), s("idempotency")),
        (EXPIRES_AT_MS.into(), millis(record.expires_at)),
        (TTL.into(), keys::ttl(record.expires_at)),
        ("record".into(), to_value(record)?),
    ]))
}

pub fn idempotency_from(item: &Item) -> Result<IdempotencyRecord, StoreError> {
    from_value(item, "record", "idempotency")
}

pub fn failure_from(item: &Item) -> Result<FailureCount, StoreError> {
    const WHAT: &str = "failure counter";
    let resets_at = DateTime::from_timestamp_millis(number(item, RESETS_AT_MS, WHAT)?)
        .ok_or_else(|| malformed(WHAT, RESETS_AT_MS))?;
    let count = u32::try_from(number(item, COUNT, WHAT)?).map_err(|e| malformed(WHAT, e))?;
    Ok(FailureCount { count, resets_at })
}

pub fn millis_value(at: DateTime<Utc>) -> AttributeValue {
    millis(at)
}
