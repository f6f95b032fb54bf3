//! The public join routes: preview a link, redeem it once for a session token. Every refusal
//! looks the same from outside, and failures are counted per source and per code.
//!
//! A patient waits for these routes' round trips, so each reads what it needs together: the
//! failure counters with the code's entry, which keeps a copy of the link and its visit; then the
//! link is used up while the session token is signed. Refusals write their counters and record at
//! once.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::attempts::{source_key, too_many};
use super::core::Core;
use super::seats::remove_retired_seats;
use crate::DomainError;
use crate::model::{
    AdmissionUndo, Admitted, AuditKind, CodeEntry, Digest, DurationMinutes, Link, LinkCode, LinkStatus, Provider,
    RefusalReason, TimeZone, Visit, VisitId,
};
use crate::ports::{FailureCount, JoinFacts, JoinRead, LinkWrite, SeatRemover};
use crate::rules::JoinWindow;
use crate::tokens::{Audience, Tokens};

/// What `GET /join/{code}` shows. Reading it never uses the link up: mail scanners open links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkPreview {
    pub status: LinkStatus,
    pub scheduled_at: DateTime<Utc>,
    pub duration: DurationMinutes,
    pub opens_at: DateTime<Utc>,
    /// The join page shows the time in the visit's own zone and prepares for its provider.
    pub time_zone: TimeZone,
    pub provider: Provider,
    /// The clinic's telehealth terms to accept before entering, when it has set a version.
    pub telehealth_terms: Option<crate::model::TermsVersion>,
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

impl Attempt<'_> {
    fn failure_keys(&self) -> Vec<String> {
        let mut keys = vec![source_key(self.source_ip)];
        keys.extend(self.code_hash.as_ref().map(code_key));
        keys
    }
}

pub struct Joins {
    core: Core,
    tokens: Arc<Tokens>,
    /// Where the seat of a retired admission is taken away at once.
    seats: Arc<dyn SeatRemover>,
}

/// The failure counts a request read, so that counting one more is one write.
struct Counted {
    by_ip: FailureCount,
    by_code: Option<FailureCount>,
}

/// A link as read with its visit, and its refusals so far (0 when not read: a refusal is then
/// numbered by the counter itself, one write more).
struct Found {
    link: Option<Link>,
    visit: Option<Visit>,
    refusals: u64,
}

impl Joins {
    pub fn new(core: Core, tokens: Arc<Tokens>, seats: Arc<dyn SeatRemover>) -> Self {
        Self { core, tokens, seats }
    }

    pub async fn preview(&self, raw_code: &str, source_ip: &str) -> Result<LinkPreview, DomainError> {
        let now = self.core.now();
        let code = LinkCode::parse(raw_code);
        let attempt = Attempt { source_ip, code_hash: code.as_ref().map(LinkCode::digest) };
        let first = self
            .read(JoinRead { failure_keys: attempt.failure_keys(), code: attempt.code_hash, ..JoinRead::default() })
            .await?;
        let counted = self.guard(&attempt, &first, now)?;
        // Unknown codes count against the source only: preview must not become a guessing oracle.
        let unknown = || Attempt { source_ip, code_hash: None };
        let Some(entry) = first.code else { return self.refuse(&unknown(), &counted, None, now).await };
        let found = self.found(entry).await?;
        let Some(link) = found.link else { return self.refuse(&unknown(), &counted, None, now).await };
        let visit = found.visit.ok_or(DomainError::VisitNotFound)?;
        Ok(LinkPreview {
            status: link.status(&visit, now),
            scheduled_at: visit.scheduled_at(),
            duration: visit.duration(),
            opens_at: JoinWindow::of(&visit, &self.core.policy).opens_at,
            time_zone: visit.time_zone(),
            provider: visit.provider(),
            telehealth_terms: self.core.policy.telehealth_terms.clone(),
        })
    }

    /// Redeems the link behind a short code.
    pub async fn redeem_code(&self, raw_code: &str, source_ip: &str) -> Result<Redemption, DomainError> {
        let now = self.core.now();
        let code = LinkCode::parse(raw_code);
        let attempt = Attempt { source_ip, code_hash: code.as_ref().map(LinkCode::digest) };
        let first = self
            .read(JoinRead { failure_keys: attempt.failure_keys(), code: attempt.code_hash, ..JoinRead::default() })
            .await?;
        let counted = self.guard(&attempt, &first, now)?;
        let Some(entry) = first.code else {
            let found = Found { link: None, visit: None, refusals: 0 };
            return self.redeem(found, &attempt, &counted, "code").await;
        };
        let found = self.found(entry).await?;
        self.redeem(found, &attempt, &counted, "code").await
    }

    /// Redeems the link behind a link JWT.
    pub async fn redeem_token(&self, token: &str, source_ip: &str) -> Result<Redemption, DomainError> {
        let now = self.core.now();
        let attempt = Attempt { source_ip, code_hash: None };
        let verified = self.tokens.verify(token, Audience::Link, now).await?.ok();
        let facts = self
            .read(JoinRead {
                failure_keys: attempt.failure_keys(),
                link: verified.as_ref().map(|v| v.token_id.digest()),
                visit: verified.as_ref().map(|v| v.visit_id.clone()),
                ..JoinRead::default()
            })
            .await?;
        let counted = self.guard(&attempt, &facts, now)?;
        let link = facts.link.filter(|link| verified.as_ref().is_some_and(|v| link.visit_id == v.visit_id));
        self.redeem(Found { link, visit: facts.visit, refusals: facts.refusals }, &attempt, &counted, "token").await
    }

    async fn read(&self, read: JoinRead) -> Result<JoinFacts, DomainError> {
        self.core.store.join_read(&read, self.core.now()).await.map_err(DomainError::from)
    }

    /// The link and its visit a code names: the copy kept with the code, else read (codes kept
    /// before copies were).
    async fn found(&self, entry: CodeEntry) -> Result<Found, DomainError> {
        let found = match entry.copy {
            Some(copy) => Found { link: Some(copy.link), visit: Some(copy.visit), refusals: 0 },
            None => self.read_link(&entry.link_id, entry.visit_id.as_ref()).await?,
        };
        // A code's entry and its link name the same visit.
        let link = found.link.filter(|link| entry.visit_id.as_ref().is_none_or(|id| *id == link.visit_id));
        Ok(Found { link, ..found })
    }

    /// The link and its visit, together when the visit is known; codes kept before their entry
    /// named the visit take a second read.
    async fn read_link(&self, link_id: &Digest, visit_id: Option<&VisitId>) -> Result<Found, DomainError> {
        let facts =
            self.read(JoinRead { link: Some(*link_id), visit: visit_id.cloned(), ..JoinRead::default() }).await?;
        let visit = match (&facts.visit, &facts.link) {
            (None, Some(link)) if visit_id.is_none() => self.core.store.visit(&link.visit_id).await?,
            _ => facts.visit,
        };
        Ok(Found { link: facts.link, visit, refusals: facts.refusals })
    }

    async fn redeem(
        &self,
        found: Found,
        attempt: &Attempt<'_>,
        counted: &Counted,
        via: &'static str,
    ) -> Result<Redemption, DomainError> {
        let now = self.core.now();
        let Some(link) = found.link else { return self.refuse(attempt, counted, None, now).await };
        let visit = found.visit.filter(|visit| *visit.id() == link.visit_id).ok_or(DomainError::VisitNotFound)?;
        let status = link.status(&visit, now);
        if status != LinkStatus::Active {
            return self.refuse(attempt, counted, Some((&link, status, found.refusals)), now).await;
        }
        let window = JoinWindow::of(&visit, &self.core.policy);
        if now < window.opens_at {
            // Too early is not a failure: the link stays usable and nothing is counted.
            return Err(DomainError::OutsideJoinWindow { opens_at: window.opens_at, closes_at: window.closes_at });
        }
        let who = link.admits();
        let (actor, subject) = match &who {
            Admitted::Patient => (format!("patient:{}", visit.patient_id()), visit.patient_id().clone()),
            Admitted::Guest(id) => (format!("guest:{id}"), id.as_subject()),
        };
        // The session token is signed while the link is used up, and the redemption is undone
        // should signing fail: a signer outage must not cost the patient their link. What the
        // token says (who, until when) holds for the write too: a move or a removal would have
        // revoked the link, and the write would refuse it.
        let token_id = self.core.ids.token_id();
        let sign = self.tokens.issue(Audience::Session, &subject, visit.id(), &token_id, now, window.closes_at);
        let write = self.core.mutate_from(visit.clone(), &actor, |visit, draft| {
            let status = link.status(visit, draft.now);
            if status != LinkStatus::Active {
                return Err(DomainError::LinkUnavailable);
            }
            draft.write_link(LinkWrite::Redeem { id_hash: link.id_hash, code_hash: link.code_hash, at: draft.now });
            let mut data = vec![("via", via.to_owned())];
            data.extend(link.guest.as_ref().map(|id| ("guestId", id.to_string())));
            draft.record_all(AuditKind::LinkRedeemed, data);
            // This redemption is its holder's one admission from now on.
            Ok((visit.admit(&who, token_id.digest()), draft.now))
        });
        let (signed, written) = futures::join!(sign, write);
        match written {
            Ok(((undo, at), redeemed)) => {
                let join_token = match signed {
                    Ok(token) => token,
                    Err(error) => {
                        self.unredeem(&link, redeemed, undo, at, &actor).await;
                        return Err(error);
                    }
                };
                if let Some(room) = redeemed.room().cloned() {
                    // The earlier admission's seat leaves now. Should the provider be busy, the
                    // next join or start takes it away instead: the redemption stands.
                    let removed = remove_retired_seats(&self.core, self.seats.as_ref(), redeemed, &room, &actor);
                    if let Err(error) = removed.await {
                        tracing::warn!(error = %error, "a retired seat stays until the next join");
                    }
                }
                Ok(Redemption { visit_id: visit.id().clone(), join_token, expires_at: window.closes_at })
            }
            Err(DomainError::LinkUnavailable) => {
                // Lost a race: read both again to tell the audit trail why.
                let store = &self.core.store;
                let (fresh, stored) = futures::try_join!(store.visit(&link.visit_id), store.link_by_id(&link.id_hash))?;
                let fresh = fresh.ok_or(DomainError::VisitNotFound)?;
                let stored = stored.unwrap_or(link);
                let status = stored.status(&fresh, self.core.now());
                self.refuse(attempt, counted, Some((&stored, status, found.refusals)), now).await
            }
            Err(other) => Err(other),
        }
    }

    /// Puts a link back as it was before a redemption whose session token was not signed, with
    /// its holder's admission. Should this fail too, the link stays used up: the holder asks for
    /// a fresh one.
    async fn unredeem(
        &self,
        link: &Link,
        redeemed: Visit,
        undo: Option<AdmissionUndo>,
        at: DateTime<Utc>,
        actor: &str,
    ) {
        let restored = self
            .core
            .mutate_from(redeemed, actor, |visit, draft| {
                if let Some(undo) = &undo {
                    visit.undo_admission(undo);
                }
                draft.write_link(LinkWrite::Unredeem { id_hash: link.id_hash, code_hash: link.code_hash, at });
                let mut data = vec![("reason", "session token not signed".to_owned())];
                data.extend(link.guest.as_ref().map(|id| ("guestId", id.to_string())));
                draft.record_all(AuditKind::LinkRestored, data);
                Ok(())
            })
            .await;
        if let Err(error) = restored {
            tracing::error!(error = %error, "a redemption without a session token stays: the link is used up");
        }
    }

    /// 429 once the source or the code has failed too often within the window; otherwise the
    /// counts read, for counting a failure later.
    fn guard(&self, attempt: &Attempt<'_>, facts: &JoinFacts, now: DateTime<Utc>) -> Result<Counted, DomainError> {
        let policy = &self.core.policy;
        let by_ip = facts.failure(0, now);
        too_many(by_ip, policy.max_failures_per_ip, now)?;
        let by_code = attempt.code_hash.map(|_| facts.failure(1, now));
        if let Some(by_code) = by_code {
            too_many(by_code, policy.max_failures_per_code, now)?;
        }
        Ok(Counted { by_ip, by_code })
    }

    /// Counts the failure, audits it on the link's visit if there is one, and answers the one
    /// generic refusal. The writes are independent, so they go together.
    async fn refuse<T>(
        &self,
        attempt: &Attempt<'_>,
        counted: &Counted,
        link: Option<(&Link, LinkStatus, u64)>,
        now: DateTime<Utc>,
    ) -> Result<T, DomainError> {
        let store = &self.core.store;
        let window = self.core.policy.failure_window;
        let source = source_key(attempt.source_ip);
        let by_ip = store.record_failure(&source, now, window, counted.by_ip);
        let by_code = async {
            match (&attempt.code_hash, counted.by_code) {
                (Some(hash), Some(seen)) => store.record_failure(&code_key(hash), now, window, seen).await.map(Some),
                _ => Ok(None),
            }
        };
        let refusal = async {
            let Some((link, status, seen)) = link else { return Ok(None) };
            let reason = match status {
                LinkStatus::Active => RefusalReason::LostRace,
                LinkStatus::Redeemed => RefusalReason::AlreadyRedeemed,
                LinkStatus::Expired => RefusalReason::Expired,
                LinkStatus::Revoked => RefusalReason::Revoked,
            };
            // Beside the visit's chain, not in it: a burst of refusals takes no version lock.
            store.record_refusal(&link.visit_id, &link.id_hash, now, reason.as_str(), seen).await.map(Some)
        };
        futures::try_join!(by_ip, by_code, refusal)?;
        Err(DomainError::LinkUnavailable)
    }
}

fn code_key(code_hash: &Digest) -> String {
    format!("code#{code_hash}")
}
