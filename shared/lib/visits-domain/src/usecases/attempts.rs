//! Failed attempts on the public routes (`/join…`, `/signup…`, `/clinician-applications…`),
//! counted per source under one key, so a source's failures on one route count on the others;
//! and the one-time-code flow signup and applications share.

use chrono::{DateTime, Utc};

use super::core::Core;
use crate::DomainError;
use crate::model::{CodeRefused, Digest, OneTimeCode};
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

/// A code-checking route's guard (signup, applications): 429 once the source has failed too
/// often; otherwise its count, to add to.
pub(crate) async fn guard(core: &Core, source_ip: &str, now: DateTime<Utc>) -> Result<FailureCount, DomainError> {
    let count = core.store.failures(&source_key(source_ip), now).await?;
    too_many(count, core.policy.max_failures_per_ip, now)?;
    Ok(count)
}

/// Counts one failure against the source, over the count `seen` read.
pub(crate) async fn count_failure(
    core: &Core,
    source_ip: &str,
    seen: FailureCount,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let window = core.policy.failure_window;
    core.store.record_failure(&source_key(source_ip), now, window, seen).await.map(|_| ()).map_err(DomainError::from)
}

/// What a code check read: the holder the id names, the MAC of the code presented for it, and
/// the source's failure count.
pub(crate) struct Challenge<T> {
    pub holder: T,
    pub presented: Digest,
    pub seen: FailureCount,
}

/// The first step of every one-time-code check (signup, applications): the source's guard, the
/// holder `id` names and the MAC of the presented code, read together. An id or code that cannot
/// be one, or a holder that does not exist, is the one answer for a code that does not work.
pub(crate) async fn challenge<Id, T, Read, Mac>(
    core: &Core,
    source_ip: &str,
    now: DateTime<Utc>,
    (id, raw_code): (Option<Id>, &str),
    read: impl FnOnce(Id) -> Read,
    mac: impl FnOnce(Id, OneTimeCode) -> Mac,
) -> Result<Challenge<T>, DomainError>
where
    Id: Clone,
    Read: Future<Output = Result<Option<T>, DomainError>>,
    Mac: Future<Output = Result<Digest, DomainError>>,
{
    let holder = async {
        match &id {
            Some(id) => read(id.clone()).await,
            None => Ok(None),
        }
    };
    let presented = async {
        match (&id, OneTimeCode::parse(raw_code)) {
            (Some(id), Some(code)) => mac(id.clone(), code).await,
            _ => Ok(Digest::ZERO),
        }
    };
    let (seen, holder, presented) = futures::try_join!(guard(core, source_ip, now), holder, presented)?;
    match holder {
        Some(holder) => Ok(Challenge { holder, presented, seen }),
        None => refuse_code(core, source_ip, seen, now).await,
    }
}

/// A code that does not work (wrong, expired, used, unknown): counted against the source, and one
/// answer for all.
pub(crate) async fn refuse_code<T>(
    core: &Core,
    source_ip: &str,
    seen: FailureCount,
    now: DateTime<Utc>,
) -> Result<T, DomainError> {
    count_failure(core, source_ip, seen, now).await?;
    Err(DomainError::CodeInvalid)
}

/// A code its holder (a signup, an application) refused: the try is kept with `keep` (it counts
/// toward the holder's lock) and, when wrong, counted against the source in the same breath. A
/// locked holder is a 429 until its lock ends; a wrong code is the one answer for all, even when
/// a concurrent try changed the holder first.
pub(crate) async fn refused_code(
    core: &Core,
    source_ip: &str,
    seen: FailureCount,
    now: DateTime<Utc>,
    refused: CodeRefused,
    keep: impl Future<Output = Result<(), DomainError>>,
) -> DomainError {
    match refused {
        CodeRefused::Locked { until } => match keep.await {
            Ok(()) => DomainError::TooManyAttempts { retry_after_seconds: (until - now).num_seconds().max(1) as u64 },
            Err(error) => error,
        },
        CodeRefused::Invalid => match futures::try_join!(keep, count_failure(core, source_ip, seen, now)) {
            Ok(_) | Err(DomainError::Conflict(_)) => DomainError::CodeInvalid,
            Err(error) => error,
        },
    }
}
