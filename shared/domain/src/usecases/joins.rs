//! The public join routes: preview a link, redeem it once for a session token. Every refusal
//! looks the same from outside, and failures are counted per source and per code.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::core::{Core, store_error};
use super::seats::remove_retired_seats;
use crate::DomainError;
use crate::model::{AuditKind, Digest, DurationMinutes, Link, LinkCode, LinkStatus, RefusalReason, VisitId};
use crate::ports::{FailureCount, LinkWrite, SeatRemover};
use crate::rules::JoinWindow;
use crate::tokens::{Audience, Tokens};

/// What `GET /join/{code}` shows. Reading it never uses the link up: mail scanners open links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkPreview {
    pub status: LinkStatus,
    pub scheduled_at: DateTime<Utc>,
    pub duration: DurationMinutes,
    pub opens_at: DateTime<Utc>,
}

/// A redeemed link: the token that admits the patient to the session.
pub struct Redemption {
    pub visit_id: VisitId,
    pub join_token: String,
    pub expires_at: DateTime<Utc>,
}

/// Who tried, for counting failures.
struct Attempt<'a> {
    source_ip: &'a str,
    code_hash: Option<Digest>,
}

pub struct Joins {
    core: Core,
    tokens: Arc<Tokens>,
    /// Where the seat of a retired admission is taken away at once.
    seats: Arc<dyn SeatRemover>,
}

impl Joins {
    pub fn new(core: Core, tokens: Arc<Tokens>, seats: Arc<dyn SeatRemover>) -> Self {
        Self { core, tokens, seats }
    }

    pub async fn preview(&self, raw_code: &str, source_ip: &str) -> Result<LinkPreview, DomainError> {
        let now = self.core.now();
        let code = LinkCode::parse(raw_code);
        let attempt = Attempt { source_ip, code_hash: code.as_ref().map(LinkCode::digest) };
        self.guard(&attempt, now).await?;
        let link = match &code {
            Some(code) => self.core.store.link_by_code(&code.digest()).await.map_err(store_error)?,
            None => None,
        };
        let Some(link) = link else {
            // Unknown codes count against the source: preview must not become a guessing oracle.
            return self.refuse(&Attempt { source_ip, code_hash: None }, None, now).await;
        };
        let visit = self.core.load(&link.visit_id).await?;
        Ok(LinkPreview {
            status: link.status(&visit, now),
            scheduled_at: visit.scheduled_at,
            duration: visit.duration,
            opens_at: JoinWindow::of(&visit, &self.core.policy).opens_at,
        })
    }

    /// Redeems the link behind a short code.
    pub async fn redeem_code(&self, raw_code: &str, source_ip: &str) -> Result<Redemption, DomainError> {
        let now = self.core.now();
        let code = LinkCode::parse(raw_code);
        let attempt = Attempt { source_ip, code_hash: code.as_ref().map(LinkCode::digest) };
        self.guard(&attempt, now).await?;
        let link = match &code {
            Some(code) => self.core.store.link_by_code(&code.digest()).await.map_err(store_error)?,
            None => None,
        };
        self.redeem(link, &attempt, "code").await
    }

    /// Redeems the link behind a link JWT.
    pub async fn redeem_token(&self, token: &str, source_ip: &str) -> Result<Redemption, DomainError> {
        let now = self.core.now();
        let attempt = Attempt { source_ip, code_hash: None };
        self.guard(&attempt, now).await?;
        let link = match self.tokens.verify(token, Audience::Link, now).await? {
            Ok(verified) => self
                .core
                .store
                .link_by_id(&verified.token_id.digest())
                .await
                .map_err(store_error)?
                .filter(|link| link.visit_id == verified.visit_id),
            Err(_) => None,
        };
        self.redeem(link, &attempt, "token").await
    }

    async fn redeem(
        &self,
        link: Option<Link>,
        attempt: &Attempt<'_>,
        via: &'static str,
    ) -> Result<Redemption, DomainError> {
        let now = self.core.now();
        let Some(link) = link else { return self.refuse(attempt, None, now).await };
        let visit = self.core.load(&link.visit_id).await?;
        let status = link.status(&visit, now);
        if status != LinkStatus::Active {
            return self.refuse(attempt, Some((&link, status)), now).await;
        }
        let window = JoinWindow::of(&visit, &self.core.policy);
        if now < window.opens_at {
            // Too early is not a failure: the link stays usable and nothing is counted.
            return Err(DomainError::OutsideJoinWindow { opens_at: window.opens_at, closes_at: window.closes_at });
        }
        let patient = format!("patient:{}", visit.patient_id);
        // Signed before the link is used up: a signer failure must not cost the patient their link.
        let token_id = self.core.ids.token_id();
        let join_token = self
            .tokens
            .issue(Audience::Session, &visit.patient_id, &visit.id, &token_id, now, window.closes_at)
            .await?;
        let outcome = self
            .core
            .mutate(&visit.id, &patient, |visit, draft| {
                let status = link.status(visit, draft.now);
                if status != LinkStatus::Active {
                    return Err(DomainError::LinkUnavailable);
                }
                draft.write_link(LinkWrite::Redeem { id_hash: link.id_hash, at: draft.now });
                draft.record(AuditKind::LinkRedeemed, [("via", via.to_owned())]);
                // This redemption is the patient's one admission from now on.
                visit.admit_patient(token_id.digest());
                Ok(())
            })
            .await;
        match outcome {
            Ok(((), redeemed)) => {
                if let Some(room) = &redeemed.room {
                    // The earlier admission's seat leaves now. Should the provider be busy, the
                    // next join or start takes it away instead: the redemption stands.
                    let removed = remove_retired_seats(&self.core, self.seats.as_ref(), &redeemed, room, &patient);
                    if let Err(error) = removed.await {
                        tracing::warn!(error = %error, "a retired seat stays until the next join");
                    }
                }
                Ok(Redemption { visit_id: visit.id, join_token, expires_at: window.closes_at })
            }
            Err(DomainError::LinkUnavailable) => {
                // Lost a race: re-read to tell the audit trail why.
                let fresh = self.core.load(&link.visit_id).await?;
                let stored = self.core.store.link_by_id(&link.id_hash).await.map_err(store_error)?.unwrap_or(link);
                let status = stored.status(&fresh, self.core.now());
                self.refuse(attempt, Some((&stored, status)), now).await
            }
            Err(other) => Err(other),
        }
    }

    /// 429 once the source or the code has failed too often within the window.
    async fn guard(&self, attempt: &Attempt<'_>, now: DateTime<Utc>) -> Result<(), DomainError> {
        let policy = &self.core.policy;
        let by_ip = self.core.store.failures(&ip_key(attempt.source_ip), now).await.map_err(store_error)?;
        too_many(by_ip, policy.max_failures_per_ip, now)?;
        if let Some(code_hash) = &attempt.code_hash {
            let by_code = self.core.store.failures(&code_key(code_hash), now).await.map_err(store_error)?;
            too_many(by_code, policy.max_failures_per_code, now)?;
        }
        Ok(())
    }

    /// Counts the failure, audits it on the link's visit if there is one, and answers the one
    /// generic refusal.
    async fn refuse<T>(
        &self,
        attempt: &Attempt<'_>,
        link: Option<(&Link, LinkStatus)>,
        now: DateTime<Utc>,
    ) -> Result<T, DomainError> {
        let store = &self.core.store;
        let window = self.core.policy.failure_window;
        store.record_failure(&ip_key(attempt.source_ip), now, window).await.map_err(store_error)?;
        if let Some(code_hash) = &attempt.code_hash {
            store.record_failure(&code_key(code_hash), now, window).await.map_err(store_error)?;
        }
        if let Some((link, status)) = link {
            let reason = match status {
                LinkStatus::Active => RefusalReason::LostRace,
                LinkStatus::Redeemed => RefusalReason::AlreadyRedeemed,
                LinkStatus::Expired => RefusalReason::Expired,
                LinkStatus::Revoked => RefusalReason::Revoked,
            };
            // Beside the visit's chain, not in it: a burst of refusals takes no version lock.
            store.record_refusal(&link.visit_id, &link.id_hash, now, reason.as_str()).await.map_err(store_error)?;
        }
        Err(DomainError::LinkUnavailable)
    }
}

fn too_many(count: FailureCount, limit: u32, now: DateTime<Utc>) -> Result<(), DomainError> {
    if count.count < limit {
        return Ok(());
    }
    let retry_after_seconds = (count.resets_at - now).num_seconds().max(1) as u64;
    Err(DomainError::TooManyAttempts { retry_after_seconds })
}

fn ip_key(source_ip: &str) -> String {
    format!("ip#{source_ip}")
}

fn code_key(code_hash: &Digest) -> String {
    format!("code#{code_hash}")
}
