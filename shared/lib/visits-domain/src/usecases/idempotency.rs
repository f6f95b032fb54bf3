//! `Idempotency-Key`: a retry of a request answers what the first one made. One record per key,
//! written in the same change as what the request makes; the same key with another request is
//! refused.

use serde::Serialize;

use super::core::Core;
use crate::DomainError;
use crate::model::{Digest, GuestId, VisitId};
use crate::ports::IdempotencyRecord;

/// The record that makes a retry of a request (as `hashed`) under `key` a replay of the one that
/// made `visit_id` (and, for a guest's key, `guest_id`).
pub(crate) fn record(
    core: &Core,
    key: String,
    hashed: &impl Serialize,
    visit_id: VisitId,
    guest_id: Option<GuestId>,
) -> IdempotencyRecord {
    IdempotencyRecord {
        key,
        request_hash: Digest::of(&serde_json::to_vec(hashed).unwrap_or_default()),
        visit_id,
        guest_id,
        expires_at: core.now() + core.policy.idempotency_ttl,
    }
}

/// What an earlier request under `record`'s key stored, while it is in force. A 422 naming the
/// header if that request was another (`what`: what a new key would make).
pub(crate) async fn earlier(
    core: &Core,
    record: Option<&IdempotencyRecord>,
    what: &str,
) -> Result<Option<IdempotencyRecord>, DomainError> {
    let Some(record) = record else { return Ok(None) };
    let stored = core.store.idempotency_record(&record.key).await?;
    let Some(stored) = stored.filter(|stored| stored.expires_at > core.now()) else { return Ok(None) };
    if stored.request_hash != record.request_hash {
        return Err(DomainError::rule(
            "Idempotency-Key",
            format!("was already used with a different request; use a new key for a new {what}"),
        ));
    }
    Ok(Some(stored))
}
