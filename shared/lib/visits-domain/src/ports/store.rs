use super::DependencyError;
use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{
    Admission, AuditRecord, AuditSubject, CodeEntry, Digest, Link, ListedVisit, LiveCode, RefusalRecord, UserId, Visit,
    VisitId,
};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// Visits that have not ended yet, soonest first.
    #[default]
    Upcoming,
    /// Visits whose scheduled end has passed, latest first.
    Past,
}

/// Where a page of visits stopped. Opaque to clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "s")]
    pub scheduled_at: DateTime<Utc>,
    #[serde(rename = "v")]
    pub visit_id: VisitId,
}

impl Cursor {
    pub fn after(visit: &ListedVisit) -> Self {
        Self { scheduled_at: visit.scheduled_at, visit_id: visit.id.clone() }
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    pub fn decode(raw: &str) -> Result<Self, String> {
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| "is not a cursor from this API")?;
        serde_json::from_slice(&bytes).map_err(|_| "is not a cursor from this API".into())
    }

    /// Sort key shared by every store: time, then id for ties.
    pub fn key(visit: &ListedVisit) -> (DateTime<Utc>, &str) {
        (visit.scheduled_at, visit.id.as_str())
    }
}

/// A listing request. `None` filters mean "any".
#[derive(Debug, Clone)]
pub struct VisitQuery {
    pub patient_id: Option<UserId>,
    pub clinician_id: Option<UserId>,
    pub when: When,
    pub now: DateTime<Utc>,
    pub limit: usize,
    pub after: Option<Cursor>,
}

impl VisitQuery {
    /// Whether a visit belongs in this listing, cursor aside.
    pub fn matches(&self, visit: &ListedVisit) -> bool {
        let upcoming = visit.ends_at() > self.now;
        self.patient_id.as_ref().is_none_or(|id| *id == visit.patient_id)
            && self.clinician_id.as_ref().is_none_or(|id| *id == visit.clinician_id)
            && upcoming == (self.when == When::Upcoming)
    }

    /// The page of `candidates` (visits that match and come after the cursor, in any order): in the
    /// listing's order, at most `limit`, with a cursor when more remain. Every store pages so.
    pub fn page(&self, mut candidates: Vec<ListedVisit>) -> VisitPage {
        candidates.sort_by(|a, b| Cursor::key(a).cmp(&Cursor::key(b)));
        if self.when == When::Past {
            candidates.reverse();
        }
        let has_more = candidates.len() > self.limit;
        candidates.truncate(self.limit);
        let next = if has_more { candidates.last().map(Cursor::after) } else { None };
        VisitPage { items: candidates, next }
    }

    /// Whether a visit comes after the cursor in this listing's order.
    pub fn is_after_cursor(&self, visit: &ListedVisit) -> bool {
        let Some(cursor) = &self.after else { return true };
        let key = Cursor::key(visit);
        let cursor_key = (cursor.scheduled_at, cursor.visit_id.as_str());
        match self.when {
            When::Upcoming => key > cursor_key,
            When::Past => key < cursor_key,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct VisitPage {
    pub items: Vec<ListedVisit>,
    pub next: Option<Cursor>,
}

/// What an `Idempotency-Key` produced, so a retry gets the same visit back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdempotencyRecord {
    /// The caller's id and their key: one caller cannot replay another's.
    pub key: String,
    pub request_hash: Digest,
    pub visit_id: VisitId,
    /// The guest the request added, for a guest's key (`POST /visits/{visitId}/guests`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest_id: Option<crate::model::GuestId>,
    pub expires_at: DateTime<Utc>,
}

pub enum VisitWrite {
    /// A new visit; fails if the id exists.
    Insert(Visit),
    /// The visit as it should be; fails unless the stored version is `expected_version`.
    Update { visit: Visit, expected_version: u64 },
}

impl VisitWrite {
    pub fn visit(&self) -> &Visit {
        match self {
            Self::Insert(visit) | Self::Update { visit, .. } => visit,
        }
    }
}

pub enum LinkWrite {
    /// A new link and its code, which keeps whom it admits.
    Insert { link: Link, admission: Admission },
    /// Uses the link up; fails unless it is active and unexpired at `at`. Its code's copy says
    /// so too.
    Redeem { id_hash: Digest, code_hash: Digest, at: DateTime<Utc> },
    /// Makes a redemption at `at` undone (its session token was never signed): the link is
    /// active again. Fails unless that redemption is the link's.
    Unredeem { id_hash: Digest, code_hash: Digest, at: DateTime<Utc> },
}

/// Everything one domain step writes. A store applies all of it or none of it.
pub struct Change {
    pub visit: VisitWrite,
    pub links: Vec<LinkWrite>,
    /// Codes whose entries keep a copy of the visit, refreshed with this write (a code written
    /// whole in `links` has it already).
    pub copies: Vec<LiveCode>,
    pub audit: Vec<AuditRecord>,
    pub idempotency: Option<IdempotencyRecord>,
    /// A signup moved with the visit (the lander's booking uses its signup up): written only over
    /// the version read, else `VersionConflict`.
    pub signup: Option<SignupWrite>,
}

pub struct SignupWrite {
    pub signup: crate::model::Signup,
    pub expected_version: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    #[error("the visit changed since it was read")]
    VersionConflict,
    #[error("the link is not redeemable")]
    LinkUnavailable,
    #[error("the visit or idempotency key already exists")]
    AlreadyExists,
    #[error(transparent)]
    Store(#[from] DependencyError),
}

/// Failed join attempts counted under one key within a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureCount {
    pub count: u32,
    pub resets_at: DateTime<Utc>,
}

impl FailureCount {
    /// What a stored count means at `now`: nothing once its window has passed, however late the
    /// store deletes it.
    pub fn as_of(stored: Option<FailureCount>, now: DateTime<Utc>) -> FailureCount {
        match stored {
            Some(count) if count.resets_at > now => count,
            _ => FailureCount { count: 0, resets_at: now },
        }
    }
}

/// What a join request reads before it decides, all in one round trip.
#[derive(Debug, Clone, Default)]
pub struct JoinRead {
    /// Failure counters to check, e.g. the source's and the code's.
    pub failure_keys: Vec<String>,
    /// The entry of a short code.
    pub code: Option<Digest>,
    /// A link (with its refusal count).
    pub link: Option<Digest>,
    pub visit: Option<VisitId>,
}

/// What a [`JoinRead`] found.
#[derive(Debug, Clone, Default)]
pub struct JoinFacts {
    /// In the order of the read's `failure_keys`; zero where nothing is counted now.
    pub failures: Vec<FailureCount>,
    pub code: Option<CodeEntry>,
    pub link: Option<Link>,
    /// The link's refusals so far, so that the next one is numbered without another read.
    pub refusals: u64,
    pub visit: Option<Visit>,
}

impl JoinFacts {
    /// The count read under the read's `index`-th failure key (zero if none was read).
    pub fn failure(&self, index: usize, now: DateTime<Utc>) -> FailureCount {
        self.failures.get(index).copied().unwrap_or(FailureCount { count: 0, resets_at: now })
    }
}

/// A visit with its audit chain (oldest first) and the refusals kept beside it.
#[derive(Debug, Clone)]
pub struct VisitHistory {
    pub visit: Visit,
    pub records: Vec<AuditRecord>,
    pub refusals: Vec<RefusalRecord>,
}

/// The table: visits, links, audit records and, by patient, access records.
#[async_trait]
pub trait Store: super::AccessLog + Send + Sync {
    async fn visit(&self, id: &VisitId) -> Result<Option<Visit>, DependencyError>;
    async fn visits(&self, query: &VisitQuery) -> Result<VisitPage, DependencyError>;
    async fn link_by_id(&self, id_hash: &Digest) -> Result<Option<Link>, DependencyError>;
    /// A visit's audit records, oldest first.
    async fn audit_trail(&self, visit_id: &VisitId) -> Result<Vec<AuditRecord>, DependencyError>;
    /// One record of a chain (a visit's or an application's) by its number: what the audit
    /// stream checks a record's link to its predecessor against.
    async fn audit_record(&self, subject: &AuditSubject, seq: u64) -> Result<Option<AuditRecord>, DependencyError>;
    /// The visit, its audit records and its refusals, read together.
    async fn visit_history(&self, visit_id: &VisitId) -> Result<Option<VisitHistory>, DependencyError>;
    /// Reads what a join request needs at once (see [`JoinRead`]), each item strongly consistent.
    async fn join_read(&self, read: &JoinRead, now: DateTime<Utc>) -> Result<JoinFacts, DependencyError>;
    async fn idempotency_record(&self, key: &str) -> Result<Option<IdempotencyRecord>, DependencyError>;
    /// Applies a change atomically: every condition holds and everything is written, or nothing.
    async fn commit(&self, change: Change) -> Result<(), CommitError>;
    /// The failures counted under `key` now (zero once the window has passed).
    async fn failures(&self, key: &str, now: DateTime<Utc>) -> Result<FailureCount, DependencyError>;
    /// Counts one more failure under `key`; a new window starts if the last one has passed.
    /// `seen` is the count this request read, which says which write is likely right first.
    async fn record_failure(
        &self,
        key: &str,
        now: DateTime<Utc>,
        window: Duration,
        seen: FailureCount,
    ) -> Result<FailureCount, DependencyError>;
    /// Records a refusal of the link `link` of visit `visit_id` beside the visit's chain, never
    /// under its version lock: the store gives it the link's next number (atomically, so
    /// concurrent refusals never conflict) and keeps it sealed. `seen` is the link's refusal
    /// count as this request read it: right, the record is kept in one write.
    async fn record_refusal(
        &self,
        visit_id: &VisitId,
        link: &Digest,
        at: DateTime<Utc>,
        reason: &str,
        seen: u64,
    ) -> Result<RefusalRecord, DependencyError>;
    /// The visit's refusal records, in no particular order.
    async fn refusals(&self, visit_id: &VisitId) -> Result<Vec<RefusalRecord>, DependencyError>;
}
