//! Amazon Connect screen-pop: a contact flow asks for a visit's attributes.

use std::collections::BTreeMap;

use super::core::Core;
use crate::DomainError;
use crate::model::{AccessAction, AccessOutcome, Accessor, AuditKind, Reading, RequestInfo, VisitId};

#[derive(Debug, thiserror::Error)]
pub enum ContactFlowError {
    #[error("missing_visit_id")]
    MissingVisitId,
    #[error("visit_not_found")]
    VisitNotFound,
    #[error(transparent)]
    Domain(#[from] DomainError),
}

pub struct ContactFlow {
    core: Core,
}

impl ContactFlow {
    pub fn new(core: Core) -> Self {
        Self { core }
    }

    /// The flat string attributes an agent's screen shows, and an audit record of the contact.
    /// The screen-pop is a read of the patient's data, recorded before it is answered.
    pub async fn attributes(
        &self,
        visit_id: Option<&str>,
        seen_by: &RequestInfo,
    ) -> Result<BTreeMap<String, String>, ContactFlowError> {
        let raw = visit_id.map(str::trim).filter(|id| !id.is_empty()).ok_or(ContactFlowError::MissingVisitId)?;
        // A malformed id cannot name a visit; it is reported like an unknown one.
        let id = VisitId::parse(raw).map_err(|_| ContactFlowError::VisitNotFound)?;
        let (_, visit) = self
            .core
            .mutate(&id, "connect", |visit, draft| {
                visit.mark_contact_connected(draft.now);
                draft.record(AuditKind::ContactConnected, []);
                Ok(())
            })
            .await
            .map_err(|error| match error {
                DomainError::VisitNotFound => ContactFlowError::VisitNotFound,
                other => ContactFlowError::Domain(other),
            })?;
        let reading = Reading { actor: Accessor::contact_flow(), request: seen_by, at: self.core.now() };
        let record = reading.of_visit(visit.patient_id(), visit.id(), AccessAction::ScreenPop, AccessOutcome::Allowed);
        self.core.record_reads(&[record]).await.map_err(ContactFlowError::Domain)?;
        let display_name = visit
            .patient_contact()
            .and_then(|contact| contact.display_name.as_ref())
            .map(|name| name.expose().to_owned())
            .unwrap_or_default();
        Ok(BTreeMap::from([
            ("visitId".to_owned(), visit.id().to_string()),
            ("scheduledAt".to_owned(), visit.scheduled_at().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            ("patientDisplayName".to_owned(), display_name),
            ("clinicianId".to_owned(), visit.clinician_id().to_string()),
            ("status".to_owned(), visit.status().as_str().to_owned()),
        ]))
    }
}
