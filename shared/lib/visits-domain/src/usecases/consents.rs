//! The consent ledger's two doors: the visit's clinician for themself, and the patient or a guest
//! by their join token. Each word replaces the participant's earlier one and lands on the visit's
//! audit chain (no name, no contact: who, and what they said).

use std::sync::Arc;

use super::captures::{StopReason, Stopped, keep_stopped, stop_unconsented};
use super::core::{Core, Draft};
use super::sessions::admitted_by;
use crate::DomainError;
use crate::model::{Admitted, AuditKind, Caller, Consent, ConsentGiven, Party, Visit, VisitId};
use crate::ports::Recorder;
use crate::rules::{Relation, relation};
use crate::tokens::Tokens;

pub struct Consents {
    core: Core,
    tokens: Arc<Tokens>,
    recorder: Arc<dyn Recorder>,
}

impl Consents {
    pub fn new(core: Core, tokens: Arc<Tokens>, recorder: Arc<dyn Recorder>) -> Self {
        Self { core, tokens, recorder }
    }

    /// A withdrawal stops, at the provider, what it no longer allows, before the word is kept.
    async fn stop_withdrawn(
        &self,
        visit: &Visit,
        party: &Party,
        given: &ConsentGiven,
    ) -> Result<Vec<Stopped>, DomainError> {
        let mut after = visit.clone();
        after.give_consent(party.clone(), given.clone(), self.core.now());
        stop_unconsented(self.recorder.as_ref(), &after).await
    }

    /// `PUT /visits/{visitId}/consent`: the visit's clinician, for themself. The patient and
    /// admins get 403 (the patient gives theirs with their join token), anyone else 404.
    pub async fn give_as_clinician(
        &self,
        caller: &Caller,
        visit_id: &VisitId,
        given: ConsentGiven,
    ) -> Result<Consent, DomainError> {
        let visit = self.core.load(visit_id).await?;
        let stopped = match relation(caller, &visit) {
            Relation::TheClinician => self.stop_withdrawn(&visit, &Party::Clinician, &given).await?,
            _ => Vec::new(),
        };
        let step = |visit: &mut Visit, draft: &mut Draft| match relation(caller, visit) {
            Relation::TheClinician => keep(visit, Party::Clinician, given.clone(), &stopped, draft),
            Relation::Stranger => Err(DomainError::VisitNotFound),
            Relation::ThePatient | Relation::Admin => Err(DomainError::Forbidden),
        };
        self.core.mutate_from(visit, &caller.actor(), step).await.map(|(consent, _)| consent)
    }

    /// `PUT /join/session/consent`: the patient or a guest, by the join token of their newest
    /// redemption (an older one, or a removed guest's, is 401).
    pub async fn give_with_token(&self, token: &str, given: ConsentGiven) -> Result<Consent, DomainError> {
        let (visit, who) = admitted_by(&self.core, &self.tokens, token).await?;
        let (party, actor) = match &who {
            Admitted::Patient => (Party::Patient, format!("patient:{}", visit.patient_id())),
            Admitted::Guest(id) => (Party::Guest(id.clone()), format!("guest:{id}")),
        };
        let stopped = self.stop_withdrawn(&visit, &party, &given).await?;
        let step = |visit: &mut Visit, draft: &mut Draft| keep(visit, party.clone(), given.clone(), &stopped, draft);
        self.core.mutate_from(visit, &actor, step).await.map(|(consent, _)| consent)
    }
}

/// Keeps the word while the visit can still be joined, and audits it when it changed something.
fn keep(
    visit: &mut Visit,
    party: Party,
    given: ConsentGiven,
    stopped: &[Stopped],
    draft: &mut Draft,
) -> Result<Consent, DomainError> {
    if visit.status().is_final() {
        return Err(DomainError::Conflict(format!("the visit is {}", visit.status())));
    }
    let terms = given.telehealth_terms.as_ref().map_or_else(String::new, |v| v.as_str().to_owned());
    let (recording, transcription) = (given.recording, given.transcription);
    if visit.give_consent(party.clone(), given, draft.now) {
        draft.record(
            AuditKind::ConsentGiven,
            [
                ("participant", party.to_string()),
                ("telehealthTerms", terms),
                ("recording", recording.to_string()),
                ("transcription", transcription.to_string()),
            ],
        );
    }
    keep_stopped(visit, draft, stopped, StopReason::ConsentMissing);
    visit.consent_of(&party).cloned().ok_or_else(|| DomainError::Internal("a consent just kept".into()))
}
