//! The store in memory. One lock around all state makes each commit atomic, which is what
//! single-use redemption and the audit chain need.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};
use visits_domain::ports::{Dependency, DependencyError};

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use visits_domain::model::{
    AccessRecord, Application, ApplicationId, AuditRecord, AuditSubject, CodeCopy, CodeEntry, Digest, Link, LinkState,
    ListedVisit, RefusalRecord, SEAL_PERIOD, Signup, SignupId, Upload, UploadId, UserId, Visit, VisitId,
};
use visits_domain::ports::{
    AccessLog, AccessPage, AccessQuery, ApplicationPage, ApplicationQuery, ApplicationStore, ApplicationWrite, Change,
    CommitError, ContactClaim, FailureCount, IdempotencyRecord, JoinFacts, JoinRead, LinkWrite, SignupStore, Store,
    UploadStore, VisitHistory, VisitPage, VisitQuery, VisitWrite,
};

#[derive(Default)]
struct State {
    visits: HashMap<VisitId, Visit>,
    links: HashMap<Digest, Link>,
    /// Code digest → what the code names.
    codes: HashMap<Digest, CodeEntry>,
    /// Each chain, visits' and applications', by whose it is.
    audit: HashMap<AuditSubject, Vec<AuditRecord>>,
    idempotency: HashMap<String, IdempotencyRecord>,
    failures: HashMap<String, FailureCount>,
    /// Refusals so far, per link id digest.
    refusal_counts: HashMap<Digest, u64>,
    refusals: HashMap<VisitId, Vec<RefusalRecord>>,
    signups: HashMap<SignupId, Signup>,
    /// Keyed MAC of a contact → the patient it belongs to.
    contacts: HashMap<Digest, UserId>,
    applications: HashMap<ApplicationId, Application>,
    uploads: HashMap<UploadId, Upload>,
    /// Visits' and applications' audit records in commit order, not yet taken: demo mode's table
    /// stream.
    stream: Vec<AuditRecord>,
    /// Each patient's access records by sort key (time first).
    access: HashMap<UserId, BTreeMap<String, AccessRecord>>,
}

#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-applied commit: commits check
        // everything before writing anything.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The visits' audit records committed since the last call, in order: what the table's
    /// stream delivers in AWS (demo mode's scheduler follows it as visit-jobs does).
    pub fn take_stream(&self) -> Vec<AuditRecord> {
        std::mem::take(&mut self.state().stream)
    }

    /// Edits or (with `None`) removes a patient's stored access records, as an attacker with table
    /// access could. For tests of the seals' verification.
    pub fn tamper_with_access(&self, patient: &UserId, edit: impl Fn(&AccessRecord) -> Option<Option<AccessRecord>>) {
        let mut state = self.state();
        let Some(log) = state.access.get_mut(patient) else { return };
        let keys: Vec<String> = log.keys().cloned().collect();
        for key in keys {
            match log.get(&key).and_then(&edit) {
                Some(Some(changed)) => {
                    log.insert(key, changed);
                }
                Some(None) => {
                    log.remove(&key);
                }
                None => {}
            }
        }
    }

    /// Edits a stored audit record in place, as an attacker with table access could. For tests
    /// of chain verification.
    pub fn tamper_with_audit(&self, visit_id: &VisitId, seq: u64, edit: impl FnOnce(&mut AuditRecord)) -> bool {
        let mut state = self.state();
        let record = state
            .audit
            .get_mut(&AuditSubject::Visit(visit_id.clone()))
            .and_then(|records| records.iter_mut().find(|r| r.seq == seq));
        record.map(edit).is_some()
    }
}

impl State {
    /// Every condition of the change, checked before anything is written.
    fn check(&self, change: &Change) -> Result<(), CommitError> {
        match &change.visit {
            VisitWrite::Insert(visit) if self.visits.contains_key(visit.id()) => {
                return Err(CommitError::AlreadyExists);
            }
            VisitWrite::Insert(_) => {}
            VisitWrite::Update { visit, expected_version } => match self.visits.get(visit.id()) {
                Some(stored) if stored.version() == *expected_version => {}
                Some(_) => return Err(CommitError::VersionConflict),
                None => {
                    return Err(
                        DependencyError::failed(Dependency::Store, "update of a visit that does not exist").into()
                    );
                }
            },
        }
        for write in &change.links {
            match write {
                LinkWrite::Insert { link, .. } => {
                    if self.links.contains_key(&link.id_hash) || self.codes.contains_key(&link.code_hash) {
                        return Err(CommitError::AlreadyExists);
                    }
                }
                LinkWrite::Redeem { id_hash, at, .. } => match self.links.get(id_hash) {
                    Some(link) if link.state == LinkState::Active && link.expires_at > *at => {}
                    _ => return Err(CommitError::LinkUnavailable),
                },
                LinkWrite::Unredeem { id_hash, at, .. } => match self.links.get(id_hash) {
                    Some(link) if link.state == LinkState::Redeemed(*at) => {}
                    _ => return Err(CommitError::LinkUnavailable),
                },
            }
        }
        if let Some(record) = &change.idempotency {
            let now = change.visit.visit().updated_at();
            if self.idempotency.get(&record.key).is_some_and(|stored| stored.expires_at > now) {
                return Err(CommitError::AlreadyExists);
            }
        }
        if let Some(write) = &change.signup
            && self.signups.get(&write.signup.id).is_none_or(|stored| stored.version != write.expected_version)
        {
            return Err(CommitError::VersionConflict);
        }
        Ok(())
    }

    fn apply(&mut self, change: Change) {
        let visit = match change.visit {
            VisitWrite::Insert(visit) | VisitWrite::Update { visit, .. } => visit,
        };
        for write in change.links {
            match write {
                LinkWrite::Insert { link, admission } => {
                    let entry = CodeEntry {
                        link_id: link.id_hash,
                        visit_id: Some(link.visit_id.clone()),
                        admission: Some(admission),
                        copy: None,
                    };
                    self.codes.insert(link.code_hash, entry);
                    self.links.insert(link.id_hash, link);
                }
                LinkWrite::Redeem { id_hash, at, .. } => {
                    if let Some(link) = self.links.get_mut(&id_hash) {
                        link.state = LinkState::Redeemed(at);
                    }
                }
                LinkWrite::Unredeem { id_hash, .. } => {
                    if let Some(link) = self.links.get_mut(&id_hash) {
                        link.state = LinkState::Active;
                    }
                }
            }
        }
        self.stream.extend(change.audit.iter().cloned());
        self.audit.entry(AuditSubject::Visit(visit.id().clone())).or_default().extend(change.audit);
        if let Some(record) = change.idempotency {
            self.idempotency.insert(record.key.clone(), record);
        }
        if let Some(write) = change.signup {
            self.signups.insert(write.signup.id.clone(), write.signup);
        }
        self.visits.insert(visit.id().clone(), visit);
    }
}

#[async_trait]
impl AccessLog for MemoryStore {
    async fn record_access(&self, records: &[AccessRecord]) -> Result<(), DependencyError> {
        let mut state = self.state();
        for record in records {
            let log = state.access.entry(record.patient_id.clone()).or_default();
            log.insert(record.sort_key(), record.clone());
        }
        Ok(())
    }

    async fn access_log(&self, query: &AccessQuery) -> Result<AccessPage, DependencyError> {
        let state = self.state();
        let newest_first = state.access.get(&query.patient_id).into_iter().flat_map(|log| log.values().rev());
        Ok(query.page(newest_first.cloned()))
    }

    async fn access_records_of_hour(&self, period: DateTime<Utc>) -> Result<Vec<AccessRecord>, DependencyError> {
        let end = period + SEAL_PERIOD;
        let state = self.state();
        let all = state.access.values().flat_map(|log| log.values());
        Ok(all.filter(|record| record.at >= period && record.at < end).cloned().collect())
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn visit(&self, id: &VisitId) -> Result<Option<Visit>, DependencyError> {
        Ok(self.state().visits.get(id).cloned())
    }

    async fn visits(&self, query: &VisitQuery) -> Result<VisitPage, DependencyError> {
        let state = self.state();
        let candidates: Vec<ListedVisit> = state
            .visits
            .values()
            .map(Visit::listed)
            .filter(|v| query.matches(v) && query.is_after_cursor(v))
            .cloned()
            .collect();
        Ok(query.page(candidates))
    }

    async fn link_by_id(&self, id_hash: &Digest) -> Result<Option<Link>, DependencyError> {
        Ok(self.state().links.get(id_hash).cloned())
    }

    async fn audit_trail(&self, visit_id: &VisitId) -> Result<Vec<AuditRecord>, DependencyError> {
        Ok(self.state().audit.get(&AuditSubject::Visit(visit_id.clone())).cloned().unwrap_or_default())
    }

    async fn audit_record(&self, subject: &AuditSubject, seq: u64) -> Result<Option<AuditRecord>, DependencyError> {
        Ok(self.state().audit.get(subject).and_then(|chain| chain.iter().find(|r| r.seq == seq)).cloned())
    }

    async fn visit_history(&self, visit_id: &VisitId) -> Result<Option<VisitHistory>, DependencyError> {
        let state = self.state();
        Ok(state.visits.get(visit_id).map(|visit| VisitHistory {
            visit: visit.clone(),
            records: state.audit.get(&AuditSubject::Visit(visit_id.clone())).cloned().unwrap_or_default(),
            refusals: state.refusals.get(visit_id).cloned().unwrap_or_default(),
        }))
    }

    async fn join_read(&self, read: &JoinRead, now: DateTime<Utc>) -> Result<JoinFacts, DependencyError> {
        let state = self.state();
        Ok(JoinFacts {
            failures: read
                .failure_keys
                .iter()
                .map(|key| FailureCount::as_of(state.failures.get(key).copied(), now))
                .collect(),
            // The copy is the link and visit as they are: every write here is the last one.
            code: read.code.and_then(|hash| state.codes.get(&hash).cloned()).map(|entry| {
                let link = state.links.get(&entry.link_id).cloned();
                let visit = entry.visit_id.as_ref().and_then(|id| state.visits.get(id)).cloned();
                let copy = link.zip(visit).map(|(link, visit)| CodeCopy { link, visit });
                CodeEntry { copy, ..entry }
            }),
            link: read.link.and_then(|id| state.links.get(&id).cloned()),
            refusals: read.link.and_then(|id| state.refusal_counts.get(&id).copied()).unwrap_or(0),
            visit: read.visit.as_ref().and_then(|id| state.visits.get(id).cloned()),
        })
    }

    async fn idempotency_record(&self, key: &str) -> Result<Option<IdempotencyRecord>, DependencyError> {
        Ok(self.state().idempotency.get(key).cloned())
    }

    async fn commit(&self, change: Change) -> Result<(), CommitError> {
        let mut state = self.state();
        state.check(&change)?;
        state.apply(change);
        Ok(())
    }

    async fn failures(&self, key: &str, now: DateTime<Utc>) -> Result<FailureCount, DependencyError> {
        Ok(FailureCount::as_of(self.state().failures.get(key).copied(), now))
    }

    async fn record_refusal(
        &self,
        visit_id: &VisitId,
        link: &Digest,
        at: DateTime<Utc>,
        reason: &str,
        _seen: u64,
    ) -> Result<RefusalRecord, DependencyError> {
        let mut state = self.state();
        let count = state.refusal_counts.entry(*link).or_insert(0);
        *count += 1;
        let record = RefusalRecord::sealed(visit_id.clone(), *link, *count, at, reason);
        state.refusals.entry(visit_id.clone()).or_default().push(record.clone());
        Ok(record)
    }

    async fn refusals(&self, visit_id: &VisitId) -> Result<Vec<RefusalRecord>, DependencyError> {
        Ok(self.state().refusals.get(visit_id).cloned().unwrap_or_default())
    }

    async fn record_failure(
        &self,
        key: &str,
        now: DateTime<Utc>,
        window: Duration,
        _seen: FailureCount,
    ) -> Result<FailureCount, DependencyError> {
        let mut state = self.state();
        let entry = state.failures.entry(key.to_owned()).or_insert(FailureCount { count: 0, resets_at: now });
        if entry.resets_at <= now {
            *entry = FailureCount { count: 0, resets_at: now + window };
        }
        entry.count += 1;
        Ok(*entry)
    }
}

#[async_trait]
impl SignupStore for MemoryStore {
    async fn signup(&self, id: &SignupId) -> Result<Option<Signup>, DependencyError> {
        Ok(self.state().signups.get(id).cloned())
    }

    async fn patient_with_contact(&self, contact: &Digest) -> Result<Option<UserId>, DependencyError> {
        Ok(self.state().contacts.get(contact).cloned())
    }

    async fn save_signup(
        &self,
        signup: &Signup,
        expected_version: Option<u64>,
        claim: Option<ContactClaim>,
    ) -> Result<(), CommitError> {
        let mut state = self.state();
        match (expected_version, state.signups.get(&signup.id)) {
            (None, Some(_)) => return Err(CommitError::AlreadyExists),
            (Some(expected), Some(stored)) if stored.version != expected => return Err(CommitError::VersionConflict),
            (Some(_), None) => return Err(CommitError::VersionConflict),
            _ => {}
        }
        match claim {
            Some(ContactClaim::Take(contact, patient)) => match state.contacts.entry(contact) {
                Entry::Occupied(_) => return Err(CommitError::AlreadyExists),
                Entry::Vacant(free) => {
                    free.insert(patient);
                }
            },
            Some(ContactClaim::Release(contact, patient)) => match state.contacts.get(&contact) {
                Some(owner) if *owner != patient => return Err(CommitError::AlreadyExists),
                _ => {
                    state.contacts.remove(&contact);
                }
            },
            None => {}
        }
        state.signups.insert(signup.id.clone(), signup.clone());
        Ok(())
    }
}

#[async_trait]
impl ApplicationStore for MemoryStore {
    async fn application(&self, id: &ApplicationId) -> Result<Option<Application>, DependencyError> {
        Ok(self.state().applications.get(id).cloned())
    }

    async fn save_application(
        &self,
        application: &Application,
        expected_version: Option<u64>,
        audit: Vec<AuditRecord>,
    ) -> Result<(), CommitError> {
        let mut state = self.state();
        match (expected_version, state.applications.get(&application.id)) {
            (None, Some(_)) => return Err(CommitError::AlreadyExists),
            (Some(expected), Some(stored)) if stored.version != expected => return Err(CommitError::VersionConflict),
            (Some(_), None) => return Err(CommitError::VersionConflict),
            _ => {}
        }
        state.stream.extend(audit.iter().cloned());
        state.audit.entry(AuditSubject::Application(application.id.clone())).or_default().extend(audit);
        state.applications.insert(application.id.clone(), application.clone());
        Ok(())
    }

    async fn applications(&self, query: &ApplicationQuery) -> Result<ApplicationPage, DependencyError> {
        let statuses = query.statuses();
        let state = self.state();
        let candidates = state.applications.values().filter(|a| statuses.contains(&a.status)).cloned().collect();
        Ok(query.page(candidates))
    }

    async fn application_trail(&self, id: &ApplicationId) -> Result<Vec<AuditRecord>, DependencyError> {
        Ok(self.state().audit.get(&AuditSubject::Application(id.clone())).cloned().unwrap_or_default())
    }
}

#[async_trait]
impl UploadStore for MemoryStore {
    async fn upload(&self, id: &UploadId) -> Result<Option<Upload>, DependencyError> {
        Ok(self.state().uploads.get(id).cloned())
    }

    async fn save_upload(
        &self,
        upload: &Upload,
        expected_version: Option<u64>,
        application: Option<ApplicationWrite>,
    ) -> Result<(), CommitError> {
        let mut state = self.state();
        match (expected_version, state.uploads.get(&upload.id)) {
            (None, Some(_)) => return Err(CommitError::AlreadyExists),
            (Some(expected), Some(stored)) if stored.version != expected => return Err(CommitError::VersionConflict),
            (Some(_), None) => return Err(CommitError::VersionConflict),
            _ => {}
        }
        if let Some(write) = &application
            && state.applications.get(&write.application.id).is_none_or(|a| a.version != write.expected_version)
        {
            return Err(CommitError::VersionConflict);
        }
        if let Some(write) = application {
            state.applications.insert(write.application.id.clone(), write.application);
        }
        state.uploads.insert(upload.id.clone(), upload.clone());
        Ok(())
    }
}
