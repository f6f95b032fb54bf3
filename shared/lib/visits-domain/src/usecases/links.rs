//! Minting one-time join links.

use chrono::{DateTime, Utc};

use super::core::{Core, Draft};
use crate::DomainError;
use crate::model::{
    Admission, Admitted, AuditKind, Caller, Link, LinkCode, LinkState, LiveCode, TokenId, Visit, VisitId, VisitJob,
};
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

/// Links for a visit. Only [`Links::mint`] signs, with the tokens it is given: the functions that
/// only send links link no signer and hold no right to sign.
pub struct Links {
    core: Core,
}

impl Links {
    pub fn new(core: Core) -> Self {
        Self { core }
    }

    pub fn core(&self) -> &Core {
        &self.core
    }

    /// Mints a link for the visit's patient, handed to the caller as its code and its link JWT;
    /// every older unredeemed link stops working.
    pub async fn mint(&self, tokens: &Tokens, caller: &Caller, visit_id: &VisitId) -> Result<MintedLink, DomainError> {
        let visit = self.core.load(visit_id).await?;
        may_manage(caller, &visit)?;
        let prepared = self.prepare(&visit, &Admitted::Patient)?;
        // Signed before anything is stored: a signer failure leaves no link behind.
        let token = tokens
            .issue(
                Audience::Link,
                &prepared.admission.subject(),
                visit.id(),
                &prepared.token_id,
                self.core.now(),
                prepared.link.expires_at,
            )
            .await?;
        let (prepared, visit) = self.store_for(visit, &caller.actor(), None, prepared).await?;
        Ok(MintedLink { code: prepared.code, url: prepared.url, token, expires_at: prepared.link.expires_at, visit })
    }

    /// Mints a link of the visit's patient, to be sent in a message (the caller was already allowed
    /// to manage the visit, or the claim stands for that). With `claim`, the link is claimed in the
    /// same write (see [`Claim`]).
    pub(crate) async fn mint_for(
        &self,
        visit: Visit,
        actor: &str,
        claim: Option<Claim>,
    ) -> Result<(PreparedLink, Visit), DomainError> {
        let prepared = self.prepare(&visit, &Admitted::Patient)?;
        self.store_for(visit, actor, claim, prepared).await
    }

    /// Writes `prepared` into `visit`, with `claim` taken in the same write.
    pub(crate) async fn store_for(
        &self,
        visit: Visit,
        actor: &str,
        claim: Option<Claim>,
        prepared: PreparedLink,
    ) -> Result<(PreparedLink, Visit), DomainError> {
        let (_, visit) = self
            .core
            .mutate_from(visit, actor, |visit, draft| {
                if let Some(claim) = claim {
                    claim.take(visit, &prepared.link.admits(), draft)?;
                }
                prepared.stage(visit, draft)
            })
            .await?;
        Ok((prepared, visit))
    }

    /// A new link of `visit` for `who`, and its short code: nothing is stored yet.
    /// [`PreparedLink::stage`] adds it to a write.
    ///
    /// A link sent in a message is its code: the link JWT is signed only for `POST /links`, whose
    /// caller receives it. One nobody receives would cost a KMS round trip in every send.
    pub(crate) fn prepare(&self, visit: &Visit, who: &Admitted) -> Result<PreparedLink, DomainError> {
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
        Ok(PreparedLink { code, url, token_id, link, admission })
    }
}

/// What a link's write also claims, so that the claim and the link are one write: a job that
/// fires twice, or two asks at once, send one link (the other answers `Conflict`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Claim {
    /// The link is a visit job's (a reminder, the nudge).
    Job(VisitJob),
    /// A fresh link asked for (`POST /join/{code}/resend`): the ask, waiting for its link, is taken.
    Resend,
}

impl Claim {
    pub(crate) fn take(self, visit: &mut Visit, who: &Admitted, draft: &mut Draft) -> Result<(), DomainError> {
        match self {
            Claim::Job(job) => {
                if !visit.claim_job(job) {
                    return Err(DomainError::Conflict(format!("{} already ran", job.as_str())));
                }
                draft.record(AuditKind::JobRan, [("job", job.as_str().to_owned())]);
            }
            Claim::Resend => {
                if !visit.take_resend_ask(who) {
                    return Err(DomainError::Conflict("the fresh link asked for was sent already".into()));
                }
            }
        }
        Ok(())
    }
}

/// A link for someone, not stored yet.
pub(crate) struct PreparedLink {
    code: LinkCode,
    pub url: String,
    /// The link's id (a link JWT's `jti`); only its digest is stored.
    token_id: TokenId,
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
        let code = LiveCode { code: self.link.code_hash, until: self.link.expires_at };
        if !visit.set_current_link(&who, self.link.id_hash, code) {
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
}

fn ensure_joinable(visit: &Visit) -> Result<(), DomainError> {
    if visit.status().is_final() {
        return Err(DomainError::Conflict(format!("the visit is {}; it can no longer be joined", visit.status())));
    }
    Ok(())
}
