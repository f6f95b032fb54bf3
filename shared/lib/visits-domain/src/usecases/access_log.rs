//! Who saw what: a record of every read of a patient's data, kept before the data leaves, and
//! the patient's access report (admins, and the patient for themself).

use chrono::{DateTime, Utc};

use super::core::Core;
use crate::DomainError;
use crate::model::{
    AccessAction, AccessOutcome, AccessRecord, Accessor, Caller, Reading, RequestInfo, Role, UserId, VisitId,
};
use crate::ports::{AccessCursor, AccessPage, AccessQuery};

/// A report page's size unless asked, and the most it may ask.
pub const ACCESS_LOG_PAGE: usize = 50;
pub const MAX_ACCESS_LOG_PAGE: usize = 200;

impl Core {
    /// How `caller`'s reads in `request` are recorded, now.
    pub fn reading<'a>(&self, caller: &Caller, request: &'a RequestInfo) -> Reading<'a> {
        Reading { actor: Accessor::caller(caller, request), request, at: self.now() }
    }

    /// Keeps `records` before the data they describe is sent: a record that cannot be kept is
    /// a 503, and the data stays unsent.
    pub async fn record_reads(&self, records: &[AccessRecord]) -> Result<(), DomainError> {
        if records.is_empty() {
            return Ok(());
        }
        self.store.record_access(records).await.map_err(DomainError::from)
    }
}

impl Reading<'_> {
    /// A read of visit `visit_id` of `patient_id`; `resource` is under `visits/{id}`.
    pub fn of_visit(
        &self,
        patient_id: &UserId,
        visit_id: &VisitId,
        action: AccessAction,
        outcome: AccessOutcome,
    ) -> AccessRecord {
        let resource = match action {
            AccessAction::AuditRead => format!("visits/{visit_id}/audit"),
            AccessAction::Join => format!("visits/{visit_id}/session"),
            _ => format!("visits/{visit_id}"),
        };
        self.record(patient_id, action, resource, Some(visit_id), outcome)
    }
}

/// `GET /patients/{patientId}/access-log`, its query valid.
#[derive(Debug, Clone)]
pub struct AccessLogRequest {
    pub patient_id: UserId,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: Option<usize>,
    pub cursor: Option<AccessCursor>,
}

pub struct AccessReports {
    core: Core,
}

impl AccessReports {
    pub fn new(core: Core) -> Self {
        Self { core }
    }

    /// A page of the patient's access log, newest first. Reading it is itself recorded, refused
    /// tries too: another patient's log is 404, a clinician's try 403.
    pub async fn report(
        &self,
        caller: &Caller,
        request: &RequestInfo,
        asked: AccessLogRequest,
    ) -> Result<AccessPage, DomainError> {
        let patient = &asked.patient_id;
        let refusal = match caller.role {
            Role::Admin => None,
            Role::Patient if caller.id == *patient => None,
            Role::Patient => Some(DomainError::PatientNotFound),
            Role::Clinician => Some(DomainError::Forbidden),
        };
        let outcome = if refusal.is_some() { AccessOutcome::Refused } else { AccessOutcome::Allowed };
        let resource = format!("patients/{patient}/access-log");
        let record =
            self.core.reading(caller, request).record(patient, AccessAction::AccessLogRead, resource, None, outcome);
        if let Some(refusal) = refusal {
            self.core.record_reads(&[record]).await?;
            return Err(refusal);
        }
        let query = AccessQuery {
            patient_id: asked.patient_id.clone(),
            from: asked.from,
            to: asked.to,
            limit: asked.limit.unwrap_or(ACCESS_LOG_PAGE).clamp(1, MAX_ACCESS_LOG_PAGE),
            after: asked.cursor,
        };
        // Independent: this read's own record, and the page.
        let page = async { self.core.store.access_log(&query).await.map_err(DomainError::from) };
        let ((), page) = futures::try_join!(self.core.record_reads(std::slice::from_ref(&record)), page)?;
        Ok(page)
    }
}
