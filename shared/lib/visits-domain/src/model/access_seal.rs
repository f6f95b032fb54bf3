//! Sealing the access log (CloudTrail's log-file validation is the model): every hour's records
//! are listed by key and hash in a seal, the seal names the hash of the hour before's, and it is
//! signed and kept where it cannot be deleted early. A record removed or changed afterwards no
//! longer matches its seal; a seal removed or changed breaks the chain or its signature.

use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::{Deserialize, Serialize};

use super::{AccessRecord, Digest, UserId};

/// How much of the log one seal covers.
pub const SEAL_PERIOD: Duration = Duration::hours(1);
/// How long after its hour a period is sealed: records of the hour's last requests arrive.
pub const SEAL_GRACE: Duration = Duration::minutes(10);

/// The hour `at` falls in, by its start.
pub fn seal_period_of(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(SEAL_PERIOD).unwrap_or(at)
}

/// One record as its seal lists it: where it is kept and the hash of what it holds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SealedRecord {
    pub patient_id: UserId,
    pub key: String,
    pub hash: Digest,
}

impl SealedRecord {
    pub fn of(record: &AccessRecord) -> Self {
        // The record's serde form is its canonical bytes: fields in declaration order.
        let bytes = serde_json::to_vec(record).unwrap_or_default();
        Self { patient_id: record.patient_id.clone(), key: record.sort_key(), hash: Digest::of(&bytes) }
    }
}

/// One hour of the access log, sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Seal {
    /// The hour's start; it covers up to the next hour's.
    pub period: DateTime<Utc>,
    pub sealed_at: DateTime<Utc>,
    /// Every record of the hour, in key order.
    pub records: Vec<SealedRecord>,
    /// The hash of the previous hour's signed seal; none for the first seal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Digest>,
}

impl Seal {
    pub fn new(
        period: DateTime<Utc>,
        records: &[AccessRecord],
        previous: Option<Digest>,
        sealed_at: DateTime<Utc>,
    ) -> Self {
        let mut records: Vec<SealedRecord> = records.iter().map(SealedRecord::of).collect();
        records.sort();
        Self { period: seal_period_of(period), sealed_at, records, previous }
    }

    /// Where its signed form is kept: `access-seals/YYYY/MM/DD/HH.jws`.
    pub fn object_key(period: DateTime<Utc>) -> String {
        format!("access-seals/{}.jws", seal_period_of(period).format("%Y/%m/%d/%H"))
    }
}

/// What a verification found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum SealFinding {
    /// An hour that should be sealed has no seal.
    MissingSeal { period: DateTime<Utc> },
    /// The seal's signature is not the seal key's, or it does not read.
    BadSignature { period: DateTime<Utc> },
    /// The seal does not name the hash of the hour before's.
    BrokenChain { period: DateTime<Utc> },
    /// A sealed record is gone from the log.
    Removed { period: DateTime<Utc>, patient_id: UserId, key: String },
    /// A sealed record holds something else now.
    Altered { period: DateTime<Utc>, patient_id: UserId, key: String },
    /// The log holds a record its hour's seal does not list.
    Unsealed { period: DateTime<Utc>, patient_id: UserId, key: String },
}

/// A verification's answer: how many hours and records it checked, and what it found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SealReport {
    pub periods: usize,
    pub records: usize,
    pub findings: Vec<SealFinding>,
}

impl SealReport {
    pub fn is_intact(&self) -> bool {
        self.findings.is_empty()
    }

    /// Compares one hour's seal with the records the log holds for it now.
    pub fn compare(&mut self, seal: &Seal, now_held: &[AccessRecord]) {
        let period = seal.period;
        let held: std::collections::BTreeMap<(UserId, String), Digest> = now_held
            .iter()
            .map(SealedRecord::of)
            .map(|record| ((record.patient_id, record.key), record.hash))
            .collect();
        self.periods += 1;
        self.records += seal.records.len();
        for sealed in &seal.records {
            let (patient_id, key) = (sealed.patient_id.clone(), sealed.key.clone());
            match held.get(&(patient_id.clone(), key.clone())) {
                None => self.findings.push(SealFinding::Removed { period, patient_id, key }),
                Some(hash) if *hash != sealed.hash => {
                    self.findings.push(SealFinding::Altered { period, patient_id, key })
                }
                Some(_) => {}
            }
        }
        let sealed: std::collections::BTreeSet<(&UserId, &str)> =
            seal.records.iter().map(|record| (&record.patient_id, record.key.as_str())).collect();
        for (patient_id, key) in held.keys() {
            if !sealed.contains(&(patient_id, key.as_str())) {
                self.findings.push(SealFinding::Unsealed { period, patient_id: patient_id.clone(), key: key.clone() });
            }
        }
    }
}
