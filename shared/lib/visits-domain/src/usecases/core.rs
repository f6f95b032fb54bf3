//! What every use case shares: the store, the clock, randomness, the policy, and the one
//! read-modify-write loop through which a visit and its audit records change together.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::DomainError;
use crate::model::{AuditKind, AuditRecord, LiveCode, Visit, VisitId};
use crate::ports::{Change, Clock, CommitError, IdSource, LinkWrite, Store, VideoError, VisitWrite};
use crate::rules::Policy;

/// Optimistic-lock retries before a busy visit answers 503.
const MAX_ATTEMPTS: usize = 8;

#[derive(Clone)]
pub struct Core {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdSource>,
    pub policy: Arc<Policy>,
}

/// What one step of a use case wants written besides the visit itself.
pub struct Draft {
    pub now: DateTime<Utc>,
    events: Vec<(AuditKind, BTreeMap<String, String>)>,
    links: Vec<LinkWrite>,
}

impl Draft {
    fn new(now: DateTime<Utc>) -> Self {
        Self { now, events: Vec::new(), links: Vec::new() }
    }

    /// Adds an audit event. `data` must hold nothing that identifies a person.
    pub fn record<const N: usize>(&mut self, kind: AuditKind, data: [(&str, String); N]) {
        self.events.push((kind, data.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()));
    }

    /// Adds an audit event whose fields vary. The same rule: nothing that identifies a person.
    pub fn record_all(&mut self, kind: AuditKind, data: Vec<(&str, String)>) {
        self.events.push((kind, data.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()));
    }

    pub fn write_link(&mut self, write: LinkWrite) {
        self.links.push(write);
    }
}

impl Core {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub async fn load(&self, id: &VisitId) -> Result<Visit, DomainError> {
        self.store.visit(id).await?.ok_or(DomainError::VisitNotFound)
    }

    /// Stores a new visit with its first audit event(s).
    pub async fn create(
        &self,
        mut visit: Visit,
        actor: &str,
        draft: impl FnOnce(&mut Draft),
        idempotency: Option<crate::ports::IdempotencyRecord>,
        signup: Option<crate::ports::SignupWrite>,
    ) -> Result<Visit, CommitError> {
        let mut pending = Draft::new(visit.updated_at());
        draft(&mut pending);
        let audit = chain(&mut visit, actor, pending.now, pending.events);
        visit.advance_version();
        // A new visit's codes are written whole with it: no copy to refresh.
        let change = Change {
            visit: VisitWrite::Insert(visit.clone()),
            links: pending.links,
            audit,
            idempotency,
            signup,
            copies: Vec::new(),
        };
        self.store.commit(change).await?;
        Ok(visit)
    }

    /// Reads the visit and changes it as [`Core::mutate_from`] does.
    pub async fn mutate<T>(
        &self,
        id: &VisitId,
        actor: &str,
        step: impl FnMut(&mut Visit, &mut Draft) -> Result<T, DomainError>,
    ) -> Result<(T, Visit), DomainError> {
        let read = self.load(id).await?;
        self.mutate_from(read, actor, step).await
    }

    /// Lets `step` change `read` (the visit as this request already read it) and draft audit
    /// events and link writes, and commits all of it as one atomic change guarded by the version
    /// read. Only when another writer got there first is the visit read again and `step` re-run:
    /// the version guard makes reusing the earlier read safe. A step that changes nothing writes
    /// nothing.
    pub async fn mutate_from<T>(
        &self,
        read: Visit,
        actor: &str,
        step: impl FnMut(&mut Visit, &mut Draft) -> Result<T, DomainError>,
    ) -> Result<(T, Visit), DomainError> {
        self.mutate_keyed(read, actor, None, step).await.map_err(|error| match error {
            Keyed::Domain(error) => error,
            Keyed::KeyTaken => DomainError::Internal("update reported an existing item".into()),
        })
    }

    /// [`Core::mutate_from`], writing `idempotency` in the same change: `KeyTaken` when another
    /// request took the key first (and nothing was written).
    pub async fn mutate_keyed<T>(
        &self,
        mut read: Visit,
        actor: &str,
        idempotency: Option<crate::ports::IdempotencyRecord>,
        mut step: impl FnMut(&mut Visit, &mut Draft) -> Result<T, DomainError>,
    ) -> Result<(T, Visit), Keyed> {
        for attempt in 0..MAX_ATTEMPTS {
            if attempt > 0 {
                read = self.load(read.id()).await?;
            }
            let mut visit = read.clone();
            let mut draft = Draft::new(self.now());
            let out = step(&mut visit, &mut draft)?;
            if draft.events.is_empty() && draft.links.is_empty() && visit == read {
                return Ok((out, visit));
            }
            let audit = chain(&mut visit, actor, draft.now, draft.events);
            visit.advance_version();
            let write = VisitWrite::Update { visit: visit.clone(), expected_version: read.version() };
            let idempotency = idempotency.clone();
            let copies = codes_to_copy(&read, &visit, draft.now);
            let change = Change { visit: write, links: draft.links, audit, idempotency, signup: None, copies };
            match self.store.commit(change).await {
                Ok(()) => return Ok((out, visit)),
                Err(CommitError::VersionConflict) => continue,
                Err(CommitError::LinkUnavailable) => return Err(DomainError::LinkUnavailable.into()),
                Err(CommitError::AlreadyExists) => return Err(Keyed::KeyTaken),
                Err(CommitError::Store(error)) => return Err(DomainError::from(error).into()),
            }
        }
        Err(DomainError::Unavailable { dependency: "store", retry_after_seconds: 1 }.into())
    }
}

/// The codes whose copy of the visit a change refreshes: those live before it or after it. A
/// code whose link the change redeems, supersedes or revokes gets the visit that says so, its last
/// copy: its status can no longer change, whatever the visit does next.
fn codes_to_copy(before: &Visit, after: &Visit, now: DateTime<Utc>) -> Vec<LiveCode> {
    let mut codes = after.live_codes(now);
    for code in before.live_codes(now) {
        if !codes.iter().any(|kept| kept.code == code.code) {
            codes.push(code);
        }
    }
    codes
}

/// Why a keyed change was not made.
#[derive(Debug)]
pub enum Keyed {
    Domain(DomainError),
    /// Another request wrote the idempotency key first.
    KeyTaken,
}

impl From<DomainError> for Keyed {
    fn from(error: DomainError) -> Self {
        Self::Domain(error)
    }
}

/// Links `events` onto the visit's audit chain and moves its head.
fn chain(
    visit: &mut Visit,
    actor: &str,
    at: DateTime<Utc>,
    events: Vec<(AuditKind, BTreeMap<String, String>)>,
) -> Vec<AuditRecord> {
    events.into_iter().map(|(kind, data)| visit.audit(at, kind, actor, data)).collect()
}

/// A video provider's failure, as the use cases answer it.
pub(crate) fn video_error(error: VideoError) -> DomainError {
    match error {
        VideoError::RoomGone => DomainError::Internal("a new room was gone at once".into()),
        VideoError::Dependency(error) => error.into(),
    }
}
