//! Minting one-time join links.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::core::{Core, Draft};
use crate::DomainError;
use crate::model::{Admission, Admitted, AuditKind, Caller, Link, LinkCode, LinkState, Visit, VisitId, VisitJob};
use crate::ports::LinkWrite;
use crate::rules::{JoinWindow, may_manage};
use crate::tokens::{Audience, Tokens};

/// A fresh link, as returned once to the caller. Only its digests are stored.
pub struct MintedLink {
    pub code: LinkCode,
    pub url: String,
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub visit: Visit,
}

pub struct Links {
    core: Core,
    tokens: Arc<Tokens>,
}

impl Links {
    pub fn new(core: Core, tokens: Arc<Tokens>) -> Self {
        Self { core, tokens }
    }

    pub fn core(&self) -> &Core {
        &self.core
    }

    /// Mints a link for the visit's patient; every older unredeemed link stops working.
    pub async fn mint(&self, caller: &Caller, visit_id: &VisitId) -> Result<MintedLink, DomainError> {
        let visit = self.core.load(visit_id).await?;
        may_manage(caller, &visit)?;
        self.mint_for(visit, &caller.actor(), None).await
    }

    /// Mints a link for a visit the caller was already allowed to manage. With `job`, the link is
    /// that job's (a reminder, the nudge): it is claimed in the same write, so a job that fires
    /// twice mints and sends once (the second answers `Conflict`).
    pub(crate) async fn mint_for(
        &self,
        visit: Visit,
        actor: &str,
        job: Option<VisitJob>,
    ) -> Result<MintedLink, DomainError> {
        let prepared = self.prepare(&visit, &Admitted::Patient).await?;
        let (_, visit) = self
            .core
            .mutate_from(visit, actor, |visit, draft| {
                if let Some(job) = job {
                    if !visit.claim_job(job) {
                        return Err(DomainError::Conflict(format!("{} already ran", job.as_str())));
                    }
                    draft.record(AuditKind::JobRan, [("job", job.as_str().to_owned())]);
                }
                prepared.stage(visit, draft)
            })
            .await?;
        Ok(prepared.into_minted(visit))
    }

    /// Signs a new link of `visit` for `who`, and its short code: nothing is stored yet, so a
    /// signer failure leaves no link behind. [`PreparedLink::stage`] adds it to a write.
    pub(crate) async fn prepare(&self, visit: &Visit, who: &Admitted) -> Result<PreparedLink, DomainError> {
        let now = self.core.now();
        ensure_joinable(visit)?;
        let window = JoinWindow::of(visit, &self.core.policy);
        if now >= window.closes_at {
            return Err(DomainError::Conflict("the visit's join window has closed".into()));
        }
        let admission = Admission {
            patient_id: visit.patient_id().clone(),
            guest: who.guest().cloned(),
            opens_at: window.opens_at,
            closes_at: window.closes_at,
        };
        let code = self.core.ids.link_code();
        let token_id = self.core.ids.token_id();
        let token = self
            .tokens
            .issue(Audience::Link, &admission.subject(), visit.id(), &token_id, now, window.closes_at)
            .await?;
        let link = Link {
            id_hash: token_id.digest(),
            code_hash: code.digest(),
            visit_id: visit.id().clone(),
            guest: who.guest().cloned(),
            state: LinkState::Active,
            created_at: now,
            expires_at: window.closes_at,
        };
        let url = format!("{}/j/{}", self.core.policy.join_base_url.trim_end_matches('/'), code.expose());
        Ok(PreparedLink { code, url, token, link, admission })
    }
}

/// A link signed for someone, not stored yet.
pub(crate) struct PreparedLink {
    code: LinkCode,
    pub url: String,
    token: String,
    link: Link,
    admission: Admission,
}

impl PreparedLink {
    /// Adds the link to the visit's write: it becomes its holder's one redeemable link, and
    /// earlier ones stop working.
    pub(crate) fn stage(&self, visit: &mut Visit, draft: &mut Draft) -> Result<(), DomainError> {
        ensure_joinable(visit)?;
        let who = self.link.admits();
        let supersedes = visit.current_link_of(&who).is_some();
        if !visit.set_current_link(&who, self.link.id_hash) {
            return Err(DomainError::GuestNotFound);
        }
        draft.write_link(LinkWrite::Insert { link: self.link.clone(), admission: self.admission.clone() });
        let mut data =
            vec![("expiresAt", self.link.expires_at.to_rfc3339()), ("supersedesEarlierLink", supersedes.to_string())];
        data.extend(self.link.guest.as_ref().map(|id| ("guestId", id.to_string())));
        draft.record_all(AuditKind::LinkMinted, data);
        Ok(())
    }

    /// The guest the link is for; `None`: the patient.
    pub(crate) fn guest(&self) -> Option<&crate::model::GuestId> {
        self.link.guest.as_ref()
    }

    pub(crate) fn visit_id(&self) -> VisitId {
        self.link.visit_id.clone()
    }

    pub(crate) fn into_minted(self, visit: Visit) -> MintedLink {
        MintedLink { code: self.code, url: self.url, token: self.token, expires_at: self.link.expires_at, visit }
    }
}

fn ensure_joinable(visit: &Visit) -> Result<(), DomainError> {
    if visit.status().is_final() {
        return Err(DomainError::Conflict(format!("the visit is {}; it can no longer be joined", visit.status())));
    }
    Ok(())
}
