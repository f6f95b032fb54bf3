//! Failed attempts on the public routes (`/join…`, `/signup…`), counted per source under one key,
//! so a source's failures on one route count on the others.

use chrono::{DateTime, Utc};

use crate::DomainError;
use crate::ports::FailureCount;

/// The failure counter of a source address.
pub(crate) fn source_key(source_ip: &str) -> String {
    format!("ip#{source_ip}")
}

/// 429 once `count` has reached `limit`, until its window resets.
pub(crate) fn too_many(count: FailureCount, limit: u32, now: DateTime<Utc>) -> Result<(), DomainError> {
    if count.count < limit {
        return Ok(());
    }
    let retry_after_seconds = (count.resets_at - now).num_seconds().max(1) as u64;
    Err(DomainError::TooManyAttempts { retry_after_seconds })
}
