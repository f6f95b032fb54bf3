//! Scheduling, listing and reading visits, and reading their audit trail.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::core::Core;
use super::idempotency;
use crate::DomainError;
use crate::model::{
    AccessAction, AccessOutcome, AuditKind, AuditRecord, Booking, Caller, DurationMinutes, PatientContact, Provider,
    RefusalRecord, RequestInfo, Role, TimeZone, UserId, Visit, VisitId, chain_is_valid, refusals_are_intact,
};
use crate::ports::{CommitError, Cursor, IdempotencyRecord, SignupWrite, VisitHistory, VisitPage, VisitQuery, When};
use crate::rules::{Relation, may_manage, may_schedule_for, may_view};

/// A validated scheduling request.
#[derive(Debug, Clone, Serialize)]
pub struct NewVisit {
    pub patient_id: UserId,
    pub clinician_id: Option<UserId>,
    pub scheduled_at: DateTime<Utc>,
    pub duration: DurationMinutes,
    pub provider: Provider,
    pub patient_contact: Option<PatientContact>,
    /// The zone its times are shown in; the clinic's when `None`.
    pub time_zone: Option<TimeZone>,
}

/// A validated listing request.
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    pub when: When,
    pub limit: Option<usize>,
    pub cursor: Option<Cursor>,
    pub patient_id: Option<UserId>,
    pub clinician_id: Option<UserId>,
}

pub const DEFAULT_PAGE: usize = 20;
pub const MAX_PAGE: usize = 100;

/// A visit's audit trail: its chain, and the refusals kept beside it.
pub struct AuditTrail {
    pub records: Vec<AuditRecord>,
    pub refusals: Vec<RefusalRecord>,
    pub valid: bool,
}

/// Who writes a new visit (as the audit trail names them), and the record that makes a retry
/// of their request a replay.
pub(crate) struct Scheduler {
    pub actor: String,
    pub idempotency: Option<IdempotencyRecord>,
}

pub struct Visits {
    core: Core,
}

impl Visits {
    pub fn new(core: Core) -> Self {
        Self { core }
    }

    /// Schedules a visit. With an idempotency key, a retry of the same request returns the
    /// visit the first one created; the same key with a different request is refused.
    pub async fn schedule(
        &self,
        caller: &Caller,
        request: NewVisit,
        idempotency_key: Option<&str>,
    ) -> Result<Visit, DomainError> {
        let clinician_id = may_schedule_for(caller, request.clinician_id.clone())?;
        let idempotency = idempotency_key.map(|key| self.idempotency_record(&caller.id, key, &request));
        if let Some(visit) = self.replay(idempotency.as_ref()).await? {
            return Ok(visit);
        }
        let by = Scheduler { actor: caller.actor(), idempotency };
        self.insert(request, clinician_id, by, |_| Ok(None)).await
    }

    /// The record that makes a retry of `request` (as hashed: `hashed`) under `key` a replay.
    pub(crate) fn idempotency_record(&self, owner: &UserId, key: &str, hashed: &impl Serialize) -> IdempotencyRecord {
        idempotency::record(&self.core, format!("{owner}:{key}"), hashed, self.core.ids.visit_id(), None)
    }

    /// Writes a new visit for `request` (its clinician resolved, its replay ruled out), with the
    /// idempotency record and, when `signup_of` gives one, the signup it uses up (moved in the
    /// same write).
    pub(crate) async fn insert(
        &self,
        request: NewVisit,
        clinician_id: UserId,
        by: Scheduler,
        signup_of: impl FnOnce(&VisitId) -> Result<Option<SignupWrite>, DomainError>,
    ) -> Result<Visit, DomainError> {
        let now = self.core.now();
        if request.scheduled_at <= now {
            return Err(DomainError::rule("scheduledAt", "must be in the future"));
        }
        let horizon = self.core.policy.max_schedule_ahead;
        if request.scheduled_at > now + horizon {
            return Err(DomainError::rule("scheduledAt", format!("must be at most {} days ahead", horizon.num_days())));
        }
        let idempotency = by.idempotency;
        let id = idempotency.as_ref().map_or_else(|| self.core.ids.visit_id(), |r| r.visit_id.clone());
        let signup = signup_of(&id)?;
        let uses_signup = signup.is_some();
        let booking = Booking {
            id,
            patient_id: request.patient_id,
            clinician_id,
            scheduled_at: request.scheduled_at,
            duration: request.duration,
            provider: request.provider,
            time_zone: request.time_zone.unwrap_or(self.core.policy.clinic_time_zone),
            patient_contact: request.patient_contact,
        };
        let visit = Visit::book(booking, now);
        let scheduled = |draft: &mut super::Draft| {
            draft.record(
                AuditKind::VisitScheduled,
                [
                    ("scheduledAt", visit.scheduled_at().to_rfc3339()),
                    ("durationMinutes", visit.duration().minutes().to_string()),
                    ("provider", format!("{:?}", visit.provider()).to_lowercase()),
                ],
            )
        };
        match self.core.create(visit.clone(), &by.actor, scheduled, idempotency.clone(), signup).await {
            Ok(visit) => Ok(visit),
            // Another request with the same key won the race (and, booking, used the signup up):
            // answer as a replay.
            Err(error @ (CommitError::AlreadyExists | CommitError::VersionConflict)) => {
                match (self.replay(idempotency.as_ref()).await?, error) {
                    (Some(visit), _) => Ok(visit),
                    // The signup moved since it was read: another booking used it.
                    (None, CommitError::VersionConflict) if uses_signup => Err(DomainError::Unauthenticated),
                    (None, other) => Err(DomainError::Internal(format!("a new visit conflicted: {other}"))),
                }
            }
            Err(CommitError::Store(error)) => Err(DomainError::from(error)),
            Err(other) => Err(DomainError::Internal(other.to_string())),
        }
    }

    /// The visit a previous request with this key created, if the request matches.
    pub(crate) async fn replay(&self, record: Option<&IdempotencyRecord>) -> Result<Option<Visit>, DomainError> {
        match idempotency::earlier(&self.core, record, "visit").await? {
            Some(stored) => self.core.load(&stored.visit_id).await.map(Some),
            None => Ok(None),
        }
    }

    /// Lists the visits the caller takes part in (admins: all, optionally filtered). Each visit
    /// listed is recorded as read by the caller, all together, before the page is answered.
    pub async fn list(
        &self,
        caller: &Caller,
        request: ListRequest,
        seen_by: &RequestInfo,
    ) -> Result<VisitPage, DomainError> {
        // Non-admins see only their own side; a filter naming someone else finds nothing.
        let (patient_id, clinician_id) = match caller.role {
            Role::Admin => (request.patient_id, request.clinician_id),
            Role::Clinician => {
                if request.clinician_id.is_some_and(|id| id != caller.id) {
                    return Ok(VisitPage::default());
                }
                (request.patient_id, Some(caller.id.clone()))
            }
            Role::Patient => {
                if request.patient_id.is_some_and(|id| id != caller.id) {
                    return Ok(VisitPage::default());
                }
                (Some(caller.id.clone()), request.clinician_id)
            }
        };
        let query = VisitQuery {
            patient_id,
            clinician_id,
            when: request.when,
            now: self.core.now(),
            limit: request.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE),
            after: request.cursor,
        };
        let page = self.core.store.visits(&query).await?;
        let reading = self.core.reading(caller, seen_by);
        let listed = page
            .items
            .iter()
            .map(|visit| reading.of_visit(&visit.patient_id, &visit.id, AccessAction::List, AccessOutcome::Allowed));
        self.core.record_reads(&listed.collect::<Vec<_>>()).await?;
        Ok(page)
    }

    /// The visit, for whoever may see it; the read (or the refused try) is recorded first.
    pub async fn get(
        &self,
        caller: &Caller,
        id: &VisitId,
        seen_by: &RequestInfo,
    ) -> Result<(Visit, Relation), DomainError> {
        let visit = self.core.load(id).await?;
        let allowed = may_view(caller, &visit);
        self.record_read(caller, seen_by, &visit, AccessAction::Read, allowed.is_ok()).await?;
        Ok((visit, allowed?))
    }

    async fn record_read(
        &self,
        caller: &Caller,
        seen_by: &RequestInfo,
        visit: &Visit,
        action: AccessAction,
        allowed: bool,
    ) -> Result<(), DomainError> {
        let outcome = if allowed { AccessOutcome::Allowed } else { AccessOutcome::Refused };
        let record = self.core.reading(caller, seen_by).of_visit(visit.patient_id(), visit.id(), action, outcome);
        self.core.record_reads(&[record]).await
    }

    /// The visit's audit trail, oldest first, and whether its hash chain is unbroken.
    /// The visit's chain and the refusals recorded beside it, read together; valid when the
    /// chain is unbroken up to the visit's head and every refusal is sealed and numbered whole.
    pub async fn audit_trail(
        &self,
        caller: &Caller,
        id: &VisitId,
        seen_by: &RequestInfo,
    ) -> Result<AuditTrail, DomainError> {
        let history = self.core.store.visit_history(id).await?;
        let VisitHistory { visit, records, refusals } = history.ok_or(DomainError::VisitNotFound)?;
        let allowed = may_manage(caller, &visit);
        self.record_read(caller, seen_by, &visit, AccessAction::AuditRead, allowed.is_ok()).await?;
        allowed?;
        let reaches_head =
            records.last().map_or(crate::model::AuditHead::default(), AuditRecord::head) == visit.audit_head();
        let valid = chain_is_valid(&records) && reaches_head && refusals_are_intact(&refusals);
        Ok(AuditTrail { records, refusals, valid })
    }
}
