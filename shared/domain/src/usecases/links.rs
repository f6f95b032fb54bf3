//! Minting one-time join links.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::core::Core;
use crate::DomainError;
use crate::model::{Admission, AuditKind, Caller, Link, LinkCode, LinkState, Visit, VisitId, VisitJob};
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
        let now = self.core.now();
        ensure_joinable(&visit)?;
        let window = JoinWindow::of(&visit, &self.core.policy);
        if now >= window.closes_at {
            return Err(DomainError::Conflict("the visit's join window has closed".into()));
        }
        let code = self.core.ids.link_code();
        let token_id = self.core.ids.token_id();
        // Signed before anything is stored: a signer failure leaves no link behind.
        let token =
            self.tokens.issue(Audience::Link, &visit.patient_id, &visit.id, &token_id, now, window.closes_at).await?;
        let link = Link {
            id_hash: token_id.digest(),
            code_hash: code.digest(),
            visit_id: visit.id.clone(),
            state: LinkState::Active,
            created_at: now,
            expires_at: window.closes_at,
        };
        let admission =
            Admission { patient_id: visit.patient_id.clone(), opens_at: window.opens_at, closes_at: window.closes_at };
        let (_, visit) = self
            .core
            .mutate_from(visit, actor, |visit, draft| {
                ensure_joinable(visit)?;
                if let Some(job) = job {
                    if visit.jobs_done.contains(&job) {
                        return Err(DomainError::Conflict(format!("{} already ran", job.as_str())));
                    }
                    visit.jobs_done.push(job);
                    draft.record(AuditKind::JobRan, [("job", job.as_str().to_owned())]);
                }
                let supersedes = visit.current_link.is_some();
                visit.current_link = Some(link.id_hash);
                draft.write_link(LinkWrite::Insert { link: link.clone(), admission: admission.clone() });
                draft.record(
                    AuditKind::LinkMinted,
                    [("expiresAt", link.expires_at.to_rfc3339()), ("supersedesEarlierLink", supersedes.to_string())],
                );
                Ok(())
            })
            .await?;
        let url = format!("{}/j/{}", self.core.policy.join_base_url.trim_end_matches('/'), code.expose());
        Ok(MintedLink { code, url, token, expires_at: window.closes_at, visit })
    }
}

fn ensure_joinable(visit: &Visit) -> Result<(), DomainError> {
    if visit.status.is_final() {
        return Err(DomainError::Conflict(format!("the visit is {}; it can no longer be joined", visit.status)));
    }
    Ok(())
}
