//! Where access records are kept (by patient, newest first, at least six years), and where the
//! seals over them are kept.

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};

use super::DependencyError;
use crate::model::{AccessRecord, UserId};

/// Where a page of a patient's access log stopped: the last record's sort key. Opaque to clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessCursor(pub String);

impl AccessCursor {
    pub fn after(record: &AccessRecord) -> Self {
        Self(record.sort_key())
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.as_bytes())
    }

    pub fn decode(raw: &str) -> Result<Self, String> {
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| "is not a cursor from this API")?;
        String::from_utf8(bytes).map(Self).map_err(|_| "is not a cursor from this API".into())
    }
}

/// One patient's records from `from` until before `to`, newest first.
#[derive(Debug, Clone)]
pub struct AccessQuery {
    pub patient_id: UserId,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: usize,
    pub after: Option<AccessCursor>,
}

impl AccessQuery {
    /// Whether a stored record belongs in this page's range (stores without range keys filter).
    pub fn admits(&self, record: &AccessRecord) -> bool {
        record.patient_id == self.patient_id
            && self.from.is_none_or(|from| record.at >= from)
            && self.to.is_none_or(|to| record.at < to)
            && self.after.as_ref().is_none_or(|after| record.sort_key() < after.0)
    }

    /// The page of `newest_first` (a store's records, newest first) this query asks for: the
    /// cursor names the last one shown when more remain.
    pub fn page(&self, newest_first: impl IntoIterator<Item = AccessRecord>) -> AccessPage {
        let mut items: Vec<AccessRecord> =
            newest_first.into_iter().filter(|record| self.admits(record)).take(self.limit + 1).collect();
        let next = if items.len() > self.limit {
            items.truncate(self.limit);
            items.last().map(AccessCursor::after)
        } else {
            None
        };
        AccessPage { items, next }
    }
}

#[derive(Debug, Clone, Default)]
pub struct AccessPage {
    pub items: Vec<AccessRecord>,
    pub next: Option<AccessCursor>,
}

#[async_trait]
pub trait AccessLog: Send + Sync {
    /// Keeps every record; an error means some may not be kept, and the data must not be sent.
    async fn record_access(&self, records: &[AccessRecord]) -> Result<(), DependencyError>;

    /// A page of one patient's records, newest first.
    async fn access_log(&self, query: &AccessQuery) -> Result<AccessPage, DependencyError>;

    /// Every patient's records of the hour starting at `period` (what its seal lists).
    async fn access_records_of_hour(&self, period: DateTime<Utc>) -> Result<Vec<AccessRecord>, DependencyError>;
}

/// Where the access log's seals are kept, each once and never deleted early (S3 Object Lock in
/// compliance mode in AWS).
#[async_trait]
pub trait SealStore: Send + Sync {
    /// Keeps a signed seal under `key`, unless one is there already, which stays as it is.
    /// Answers the seal kept under `key` now: this one, or the one that was there.
    async fn put_seal(&self, key: &str, signed: &str) -> Result<String, DependencyError>;

    async fn seal(&self, key: &str) -> Result<Option<String>, DependencyError>;
}
