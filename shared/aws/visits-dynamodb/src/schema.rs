//! The table's item schema: one typed struct per kind of item, written and read with serde_dynamo.
//! Whole domain values (a visit, an audit record) sit in one map attribute; the attributes that
//! keys, indexes, conditions, TTL and the stream filter need sit beside it at the top level.
//! Expressions name attributes only through [`attr`] and [`Index`], and a test checks that each of
//! those is the name its struct serializes, so a rename here cannot leave a reader behind.

use std::collections::HashMap;
use visits_domain::ports::{Dependency, DependencyError};

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use visits_domain::model::time::later;
use visits_domain::model::{
    AccessRecord, Admission, Application, ApplicationStatus, AuditRecord, Bookkeeping, CodeCopy, CodeEntry, Digest,
    GuestId, Link, LinkState, ListedVisit, RefusalRecord, Signup, Upload, UserId, Visit, VisitId, seal_period_of,
};
use visits_domain::ports::{FailureCount, IdempotencyRecord};

use crate::errors::malformed;
use crate::keys;

pub type Item = HashMap<String, AttributeValue>;

/// Top-level attribute names used in expressions.
pub mod attr {
    pub const PK: &str = "PK";
    pub const SK: &str = "SK";
    pub const ENTITY: &str = "entity";
    pub const VERSION: &str = "version";
    pub const STATE: &str = "state";
    pub const EXPIRES_AT_MS: &str = "expiresAtMs";
    pub const REDEEMED_AT: &str = "redeemedAt";
    pub const COUNT: &str = "count";
    pub const RESETS_AT_MS: &str = "resetsAtMs";
    pub const TTL: &str = "ttl";
    /// On a link's refusal counter: how many refusals it has had, the number the last one took.
    pub const REFUSALS: &str = "refusals";
    /// On a visit item: what listings show, the one attribute the indexes project.
    pub const LISTED_VISIT: &str = "visit";
    /// On a visit item: the bookkeeping no listing shows.
    pub const VISIT_STATE: &str = "state";
    /// On an application item: the application, all of it (the admin list shows it whole).
    pub const APPLICATION: &str = "application";
    /// On an access record's item: the record, all of it (its hour's seal hashes it whole).
    pub const ACCESS_RECORD: &str = "record";
    /// On a code's item: the copy of the link's visit.
    pub const COPIED_VISIT: &str = "visit";
    /// On a contact's item: the patient it belongs to.
    pub const CONTACT_OWNER: &str = "patientId";
}

/// A global secondary index, and the one attribute it projects besides the keys (what its
/// listing shows: bookkeeping changes then write no index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Index {
    pub name: &'static str,
    pub pk: &'static str,
    pub sk: &'static str,
    pub projects: &'static str,
}

/// Visits sorted by `{scheduledAt}#{visitId}`, per patient.
pub const BY_PATIENT: Index = Index { name: "GSI1", pk: "GSI1PK", sk: "GSI1SK", projects: attr::LISTED_VISIT };
pub const BY_CLINICIAN: Index = Index { name: "GSI2", pk: "GSI2PK", sk: "GSI2SK", projects: attr::LISTED_VISIT };
/// Every visit, over `keys::ALL_VISITS_SHARDS` partitions: admins list all visits by time, the
/// shards read together and merged.
pub const ALL_VISITS: Index = Index { name: "GSI3", pk: "GSI3PK", sk: "GSI3SK", projects: attr::LISTED_VISIT };
/// Clinician applications by status, oldest first (`{createdAt}#{applicationId}`).
pub const APPLICATIONS_BY_STATUS: Index =
    Index { name: "GSI4", pk: "GSI4PK", sk: "GSI4SK", projects: attr::APPLICATION };
/// The indexes a visit item is in.
pub const VISIT_INDEXES: [Index; 3] = [BY_PATIENT, BY_CLINICIAN, ALL_VISITS];
/// Every index of the table, as template.yaml declares them.
/// Every patient's access records by hour, over `keys::ACCESS_HOUR_SHARDS` partitions: what an
/// hour's seal lists.
pub const ACCESS_BY_HOUR: Index = Index { name: "GSI5", pk: "GSI5PK", sk: "GSI5SK", projects: attr::ACCESS_RECORD };
pub const INDEXES: [Index; 5] = [BY_PATIENT, BY_CLINICIAN, ALL_VISITS, APPLICATIONS_BY_STATUS, ACCESS_BY_HOUR];

/// What an item is. The stream filter selects audit records by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Visit,
    Link,
    Code,
    Audit,
    Idempotency,
    Failures,
    Refusal,
    Signup,
    /// A contact (by its keyed MAC) that belongs to a patient.
    Contact,
    Application,
    Upload,
    /// A read of a patient's data, kept by patient.
    Access,
}

/// Expired links stay readable this long, so a late click still says "expired".
const LINK_GRACE: Duration = Duration::days(7);

/// A visit: what listings show (`visit`, the one attribute the indexes project besides their
/// keys) apart from its bookkeeping (`state`). A change to the bookkeeping alone (a link minted,
/// a notification audited, a seat) then writes the base item only, not the three indexes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: Entity,
    #[serde(rename = "GSI1PK")]
    by_patient: String,
    #[serde(rename = "GSI1SK")]
    by_patient_sort: String,
    #[serde(rename = "GSI2PK")]
    by_clinician: String,
    #[serde(rename = "GSI2SK")]
    by_clinician_sort: String,
    #[serde(rename = "GSI3PK")]
    all_visits: String,
    #[serde(rename = "GSI3SK")]
    all_visits_sort: String,
    version: u64,
    visit: ListedVisit,
    state: Bookkeeping,
}

/// A visit item as kept before listings and bookkeeping were apart: the whole visit in `visit`.
#[derive(Deserialize)]
struct WholeVisitItem {
    visit: Visit,
}

/// What a listing reads from an index: the projected `visit`.
#[derive(Deserialize)]
pub struct ListedItem {
    pub visit: ListedVisit,
}

impl VisitItem {
    pub fn new(visit: &Visit) -> Self {
        let sort = keys::visit_sort_key(visit);
        Self {
            pk: keys::visit_pk(visit.id()),
            sk: keys::VISIT_SK.into(),
            entity: Entity::Visit,
            by_patient: keys::patient_pk(visit.patient_id()),
            by_patient_sort: sort.clone(),
            by_clinician: keys::clinician_pk(visit.clinician_id()),
            by_clinician_sort: sort.clone(),
            all_visits: keys::all_visits_pk(visit.id()),
            all_visits_sort: sort,
            version: visit.version(),
            visit: visit.listed().clone(),
            state: visit.bookkeeping().clone(),
        }
    }

    fn into_visit(self) -> Visit {
        Visit::from_parts(self.visit, self.state, self.version)
    }
}

/// The visit a base-table item holds, in either layout.
pub fn visit_from_item(item: Item) -> Result<Visit, DependencyError> {
    if item.contains_key(attr::VISIT_STATE) {
        Ok(from_item::<VisitItem>(item, "visit")?.into_visit())
    } else {
        Ok(from_item::<WholeVisitItem>(item, "visit")?.visit)
    }
}

/// A link's state as stored; `#state = :active` is the redemption condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoredLinkState {
    Active,
    Redeemed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: Entity,
    visit_id: VisitId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    guest: Option<GuestId>,
    code_hash: Digest,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    expires_at_ms: i64,
    ttl: i64,
    state: StoredLinkState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    redeemed_at: Option<DateTime<Utc>>,
}

/// A link's refusal counter, kept by `ADD` (never written whole). Its own item: the link item
/// stays written by its redemption alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefusalCounterItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    pub refusals: u64,
}

impl LinkItem {
    pub fn new(link: &Link) -> Self {
        let (state, redeemed_at) = match link.state {
            LinkState::Active => (StoredLinkState::Active, None),
            LinkState::Redeemed(at) => (StoredLinkState::Redeemed, Some(at)),
        };
        Self {
            pk: keys::link_pk(&link.id_hash),
            sk: keys::LINK_SK.into(),
            entity: Entity::Link,
            visit_id: link.visit_id.clone(),
            guest: link.guest.clone(),
            code_hash: link.code_hash,
            created_at: link.created_at,
            expires_at: link.expires_at,
            expires_at_ms: link.expires_at.timestamp_millis(),
            ttl: code_ttl(link.expires_at),
            state,
            redeemed_at,
        }
    }

    pub fn into_link(self) -> Result<Link, DependencyError> {
        let id_hash = keys::link_id_from_pk(&self.pk).ok_or_else(|| malformed("link", attr::PK))?;
        let state = match (self.state, self.redeemed_at) {
            (StoredLinkState::Active, _) => LinkState::Active,
            (StoredLinkState::Redeemed, Some(at)) => LinkState::Redeemed(at),
            (StoredLinkState::Redeemed, None) => return Err(malformed("link", attr::REDEEMED_AT)),
        };
        Ok(Link {
            id_hash,
            code_hash: self.code_hash,
            visit_id: self.visit_id,
            guest: self.guest,
            state,
            created_at: self.created_at,
            expires_at: self.expires_at,
        })
    }
}

/// A refusal of a link, beside the visit's chain (`visits_domain::model::RefusalRecord`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefusalItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: Entity,
    pub record: RefusalRecord,
}

impl RefusalItem {
    pub fn new(record: &RefusalRecord) -> Self {
        Self {
            pk: keys::visit_pk(&record.visit_id),
            sk: keys::refusal_sk(&record.link, record.n),
            entity: Entity::Refusal,
            record: record.clone(),
        }
    }
}

/// A clinician application, in the status index (oldest first). An unproven (pending) one is
/// kept a day past its code's expiry, then TTL removes it; a submitted one stays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: Entity,
    version: u64,
    pub application: Application,
    #[serde(rename = "GSI4PK")]
    gsi4pk: String,
    #[serde(rename = "GSI4SK")]
    gsi4sk: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ttl: Option<i64>,
}

impl ApplicationItem {
    pub fn new(application: &Application) -> Self {
        let pending = application.status == ApplicationStatus::Pending;
        Self {
            pk: keys::application_pk(&application.id),
            sk: keys::APPLICATION_SK.into(),
            entity: Entity::Application,
            version: application.version,
            application: application.clone(),
            gsi4pk: keys::applications_by_status_pk(application.status),
            gsi4sk: keys::time_sort_key(application.created_at, application.id.as_str()),
            ttl: pending.then(|| later(application.challenge.expires_at(), Duration::days(1)).timestamp()),
        }
    }
}

/// An upload: what it is, whose, and how its scan went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: Entity,
    version: u64,
    pub upload: Upload,
}

impl UploadItem {
    pub fn new(upload: &Upload) -> Self {
        Self {
            pk: keys::upload_pk(&upload.id),
            sk: keys::UPLOAD_SK.into(),
            entity: Entity::Upload,
            version: upload.version,
            upload: upload.clone(),
        }
    }
}

/// An application as the status index projects it.
#[derive(Debug, Clone, Deserialize)]
pub struct ListedApplicationItem {
    pub application: Application,
}

/// A patient signup. Kept a day past its last code's expiry, then TTL removes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignupItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: Entity,
    version: u64,
    pub signup: Signup,
    ttl: i64,
}

impl SignupItem {
    pub fn new(signup: &Signup) -> Self {
        Self {
            pk: keys::signup_pk(&signup.id),
            sk: keys::SIGNUP_SK.into(),
            entity: Entity::Signup,
            version: signup.version,
            signup: signup.clone(),
            ttl: later(signup.challenge.expires_at(), Duration::days(1)).timestamp(),
        }
    }
}

/// A contact that belongs to a patient, keyed by the contact's keyed MAC: the contact itself is
/// not stored here. Kept for good: it is how a second signup is told apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: Entity,
    pub patient_id: UserId,
}

impl ContactItem {
    pub fn new(contact: &Digest, patient_id: &UserId) -> Self {
        Self {
            pk: keys::contact_pk(contact),
            sk: keys::CONTACT_SK.into(),
            entity: Entity::Contact,
            patient_id: patient_id.clone(),
        }
    }
}

/// A code's digest pointing at its link, with what the link was minted for (whose, which visit,
/// its window), and a copy of the link and its visit: a redemption reads them with the code. The
/// copy's visit is refreshed by each write of the visit while the link may be redeemed (see
/// `commit`), and `redeemedAt` by the link's redemption.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    /// Absent only on an item a late refresh made after its code's expiry removed it (harmless:
    /// no entry, and gone again at its `ttl`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    entity: Option<Entity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    link_id_hash: Option<Digest>,
    /// Absent on codes kept before they recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    visit_id: Option<VisitId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    admission: Option<Admission>,
    /// Absent on codes kept before copies were. The link as minted: whether it is used up is
    /// `redeemed_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    link: Option<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    redeemed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    visit: Option<Visit>,
    ttl: i64,
}

impl CodeItem {
    /// The code of a new `link`, with its `visit` as the link's write leaves it.
    pub fn new(link: &Link, admission: &Admission, visit: &Visit) -> Self {
        Self {
            pk: keys::code_pk(&link.code_hash),
            sk: keys::CODE_SK.into(),
            entity: Some(Entity::Code),
            link_id_hash: Some(link.id_hash),
            visit_id: Some(link.visit_id.clone()),
            admission: Some(admission.clone()),
            link: Some(Link { state: LinkState::Active, ..link.clone() }),
            redeemed_at: match link.state {
                LinkState::Active => None,
                LinkState::Redeemed(at) => Some(at),
            },
            visit: Some(visit.clone()),
            ttl: code_ttl(link.expires_at),
        }
    }

    /// What the code names; `None` for a refresh's leftover.
    pub fn entry(self) -> Option<CodeEntry> {
        let state = self.redeemed_at.map_or(LinkState::Active, LinkState::Redeemed);
        let copy = self.link.zip(self.visit).map(|(link, visit)| CodeCopy { link: Link { state, ..link }, visit });
        Some(CodeEntry { link_id: self.link_id_hash?, visit_id: self.visit_id, admission: self.admission, copy })
    }
}

/// When a link's and its code's items are removed: a week after the link expires, so a late
/// click still says "expired".
pub fn code_ttl(expires_at: DateTime<Utc>) -> i64 {
    later(expires_at, LINK_GRACE).timestamp()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: Entity,
    pub record: AuditRecord,
}

impl AuditItem {
    pub fn new(record: &AuditRecord) -> Self {
        Self {
            pk: keys::subject_pk(&record.subject),
            sk: keys::audit_sk(record.seq),
            entity: Entity::Audit,
            record: record.clone(),
        }
    }
}

/// A read of a patient's data: `ACCESS#{patientId}`, sorted by time. Kept past its lifetime
/// only until TTL deletes it (at least six years).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: Entity,
    #[serde(rename = "GSI5PK")]
    by_hour: String,
    #[serde(rename = "GSI5SK")]
    by_hour_sort: String,
    ttl: i64,
    pub record: AccessRecord,
}

impl AccessItem {
    pub fn new(record: &AccessRecord) -> Self {
        Self {
            pk: keys::access_pk(&record.patient_id),
            sk: record.sort_key(),
            entity: Entity::Access,
            by_hour: keys::access_hour_pk(seal_period_of(record.at), &record.patient_id),
            by_hour_sort: format!("{}#{}", record.patient_id, record.sort_key()),
            ttl: record.keep_until().timestamp(),
            record: record.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdempotencyItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: Entity,
    expires_at_ms: i64,
    ttl: i64,
    pub record: IdempotencyRecord,
}

impl IdempotencyItem {
    pub fn new(record: &IdempotencyRecord) -> Self {
        Self {
            pk: keys::idempotency_pk(&record.key),
            sk: keys::IDEMPOTENCY_SK.into(),
            entity: Entity::Idempotency,
            expires_at_ms: record.expires_at.timestamp_millis(),
            ttl: record.expires_at.timestamp(),
            record: record.clone(),
        }
    }
}

/// Failed attempts under one key, in a window that resets at `resetsAtMs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: Entity,
    count: u32,
    resets_at_ms: i64,
    ttl: i64,
}

impl FailureItem {
    /// The first failure of a new window.
    pub fn first(key: &str, resets_at: DateTime<Utc>) -> Self {
        Self {
            pk: keys::failure_pk(key),
            sk: keys::FAILURE_SK.into(),
            entity: Entity::Failures,
            count: 1,
            resets_at_ms: resets_at.timestamp_millis(),
            ttl: resets_at.timestamp(),
        }
    }

    pub fn count(&self) -> Result<FailureCount, DependencyError> {
        let resets_at = DateTime::from_timestamp_millis(self.resets_at_ms)
            .ok_or_else(|| malformed("failure counter", attr::RESETS_AT_MS))?;
        Ok(FailureCount { count: self.count, resets_at })
    }
}

/// A value as the table stores it, for expression values.
pub fn value<T: Serialize>(value: &T) -> Result<AttributeValue, DependencyError> {
    serde_dynamo::to_attribute_value(value)
        .map_err(|e| DependencyError::failed(Dependency::Store, format!("serialize: {e}")))
}

/// A time as the `...Ms` attributes store it.
pub fn millis(at: DateTime<Utc>) -> AttributeValue {
    AttributeValue::N(at.timestamp_millis().to_string())
}

pub fn to_item<T: Serialize>(item: &T) -> Result<Item, DependencyError> {
    serde_dynamo::to_item(item).map_err(|e| DependencyError::failed(Dependency::Store, format!("serialize: {e}")))
}

pub fn from_item<T: DeserializeOwned>(item: Item, what: &str) -> Result<T, DependencyError> {
    serde_dynamo::from_item(item).map_err(|e| malformed(what, e))
}

/// What a stream image of the table holds, as the audit stream sees it.
#[derive(Debug, PartialEq)]
pub enum StreamImage {
    /// Another kind of item (the stream filter normally keeps these out).
    NotAudit,
    Audit(AuditRecord),
    /// A refusal kept beside the chain.
    Refusal(RefusalRecord),
    /// An audit or refusal item that does not read back: to be retried, never dropped.
    Unreadable,
}

/// Reads the audit record in a stream image (a `NewImage` of the table's stream).
pub fn audit_in_stream_image(image: &serde_dynamo::Item) -> StreamImage {
    let entity = image.get(attr::ENTITY).and_then(|value| serde_dynamo::from_attribute_value(value.clone()).ok());
    match entity {
        Some(Entity::Audit) => serde_dynamo::from_item::<_, AuditItem>(image.clone())
            .map_or(StreamImage::Unreadable, |item| StreamImage::Audit(item.record)),
        Some(Entity::Refusal) => serde_dynamo::from_item::<_, RefusalItem>(image.clone())
            .map_or(StreamImage::Unreadable, |item| StreamImage::Refusal(item.record)),
        _ => StreamImage::NotAudit,
    }
}

/// The stream image of an audit record's item, as the table's stream carries it.
pub fn audit_stream_image(record: &AuditRecord) -> serde_dynamo::Item {
    // Plain strings, numbers and maps: serializing them cannot fail.
    serde_dynamo::to_item(AuditItem::new(record)).unwrap_or_default()
}

/// The stream image of a refusal's item.
pub fn refusal_stream_image(record: &RefusalRecord) -> serde_dynamo::Item {
    serde_dynamo::to_item(RefusalItem::new(record)).unwrap_or_default()
}

/// The event source mapping's filter: inserted audit records and refusals only.
pub fn audit_stream_filter() -> serde_json::Value {
    serde_json::json!({
        "eventName": ["INSERT"],
        "dynamodb": {"NewImage": {attr::ENTITY: {"S": [Entity::Audit, Entity::Refusal]}}},
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use visits_domain::testing::scheduled_visit;

    use super::*;

    fn at() -> DateTime<Utc> {
        "2030-01-01T10:00:00Z".parse().unwrap()
    }

    fn visit() -> Visit {
        scheduled_visit(VisitId::parse("vis_abcdefghijklmnopqrst").unwrap(), "p-1", "c-1", at())
    }

    fn link(state: LinkState) -> Link {
        Link {
            id_hash: Digest::of(b"jti"),
            code_hash: Digest::of(b"code"),
            visit_id: visit().id().clone(),
            guest: None,
            state,
            created_at: at(),
            expires_at: at() + Duration::hours(1),
        }
    }

    fn names(item: &Item) -> Vec<&str> {
        item.keys().map(String::as_str).collect()
    }

    fn assert_has(item: &Item, wanted: &[&str]) {
        for name in wanted {
            assert!(item.contains_key(*name), "no attribute {name} in {:?}", names(item));
        }
    }

    #[test]
    fn every_attribute_that_expressions_name_is_written_under_that_name() {
        let visit_item = to_item(&VisitItem::new(&visit())).unwrap();
        assert_has(&visit_item, &[attr::PK, attr::SK, attr::ENTITY, attr::VERSION]);
        for index in VISIT_INDEXES {
            assert_has(&visit_item, &[index.pk, index.sk]);
        }
        let redeemed = to_item(&LinkItem::new(&link(LinkState::Redeemed(at())))).unwrap();
        assert_has(&redeemed, &[attr::PK, attr::SK, attr::STATE, attr::EXPIRES_AT_MS, attr::REDEEMED_AT, attr::TTL]);
        assert_eq!(redeemed[attr::STATE], value(&StoredLinkState::Redeemed).unwrap());
        let record = IdempotencyRecord {
            key: "k".into(),
            request_hash: Digest::of(b"r"),
            visit_id: visit().id().clone(),
            guest_id: None,
            expires_at: at(),
        };
        let idempotency = to_item(&IdempotencyItem::new(&record)).unwrap();
        assert_has(&idempotency, &[attr::PK, attr::SK, attr::EXPIRES_AT_MS, attr::TTL]);
        let failures = to_item(&FailureItem::first("ip#1", at())).unwrap();
        assert_has(&failures, &[attr::PK, attr::SK, attr::COUNT, attr::RESETS_AT_MS, attr::TTL]);
        let admission = Admission {
            patient_id: UserId::parse("pat_1").unwrap(),
            guest: None,
            opens_at: Utc::now(),
            closes_at: Utc::now(),
        };
        assert_has(
            &to_item(&CodeItem::new(&link(LinkState::Active), &admission, &visit())).unwrap(),
            &[attr::PK, attr::SK, attr::TTL],
        );
    }

    #[test]
    fn items_read_back_as_they_were_written() {
        for state in [LinkState::Active, LinkState::Redeemed(at() + Duration::minutes(3))] {
            let item = to_item(&LinkItem::new(&link(state))).unwrap();
            assert_eq!(from_item::<LinkItem>(item, "link").unwrap().into_link().unwrap(), link(state));
        }
        let item = to_item(&VisitItem::new(&visit())).unwrap();
        assert_eq!(visit_from_item(item).unwrap(), visit());
        let counted = HashMap::from([
            (attr::PK.to_owned(), AttributeValue::S(keys::link_pk(&Digest::of(b"jti")))),
            (attr::SK.to_owned(), AttributeValue::S(keys::REFUSAL_COUNTER_SK.into())),
            (attr::REFUSALS.to_owned(), AttributeValue::N("3".into())),
        ]);
        assert_eq!(from_item::<RefusalCounterItem>(counted, "counter").unwrap().refusals, 3, "ADD's attribute");
        let failures = from_item::<FailureItem>(to_item(&FailureItem::first("k", at())).unwrap(), "f").unwrap();
        assert_eq!(failures.count().unwrap(), FailureCount { count: 1, resets_at: at() });
    }

    #[test]
    fn the_audit_stream_reads_exactly_what_the_store_writes() {
        let record = AuditRecord::after(
            Default::default(),
            visit().id().clone(),
            at(),
            visits_domain::model::AuditKind::VisitScheduled,
            "admin:a",
            BTreeMap::new(),
        );
        let image = audit_stream_image(&record);
        assert_eq!(audit_in_stream_image(&image), StreamImage::Audit(record.clone()));
        // The store's own item and the stream image agree attribute by attribute.
        let stored = to_item(&AuditItem::new(&record)).unwrap();
        let streamed: Item = image.clone().into();
        assert_eq!(stored, streamed);

        let visit_image: serde_dynamo::Item = serde_dynamo::to_item(VisitItem::new(&visit())).unwrap();
        assert_eq!(audit_in_stream_image(&visit_image), StreamImage::NotAudit);
        let mut broken = image;
        broken.remove("record");
        assert_eq!(audit_in_stream_image(&broken), StreamImage::Unreadable);
        assert_eq!(
            audit_stream_filter()["dynamodb"]["NewImage"]["entity"]["S"],
            serde_json::json!(["audit", "refusal"])
        );
        let refusal = RefusalRecord::sealed(visit().id().clone(), Digest::of(b"jti"), 1, at(), "expired");
        assert_eq!(audit_in_stream_image(&refusal_stream_image(&refusal)), StreamImage::Refusal(refusal));
    }
}
