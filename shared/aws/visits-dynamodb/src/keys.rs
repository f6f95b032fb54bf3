//! Key formats. Sort keys that order by time use a fixed-width UTC format so that string order
//! is time order.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use visits_domain::model::{ApplicationId, ApplicationStatus, AuditSubject, Digest, UploadId, UserId, Visit, VisitId};

pub const VISIT_SK: &str = "VISIT";
pub const LINK_SK: &str = "LINK";
pub const CODE_SK: &str = "CODE";
/// Beside a link's item, never in it: the link item is written only by its redemption.
pub const REFUSAL_COUNTER_SK: &str = "REFUSALS";
pub const IDEMPOTENCY_SK: &str = "IDEM";
pub const FAILURE_SK: &str = "FAIL";
pub const SIGNUP_SK: &str = "SIGNUP";
pub const CONTACT_SK: &str = "CONTACT";
pub const AUDIT_SK_PREFIX: &str = "AUDIT#";
pub const REFUSAL_SK_PREFIX: &str = "REFUSAL#";
/// The all-visits index spreads its visits over this many partitions (by visit id), so that no
/// one key takes every visit's writes: see docs/table-design.md for the arithmetic.
pub const ALL_VISITS_SHARDS: u32 = 16;
const LINK_PREFIX: &str = "LINK#";

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// `VISITS#{shard}`: the all-visits partition of this visit, fixed by its id.
pub fn all_visits_pk(id: &VisitId) -> String {
    format!("VISITS#{:02}", fnv(id.as_str()) % ALL_VISITS_SHARDS)
}

/// Every partition of the all-visits index.
pub fn all_visits_partitions() -> impl Iterator<Item = String> {
    (0..ALL_VISITS_SHARDS).map(|shard| format!("VISITS#{shard:02}"))
}

/// The hour's access records spread over this many partitions (by patient), as all visits are.
pub const ACCESS_HOUR_SHARDS: u32 = 16;

/// `ACCESSHOUR#{YYYY-MM-DDTHH}#{shard}`: the partition of the by-hour index that holds this
/// patient's records of this hour (what the hour's seal lists).
pub fn access_hour_pk(period: DateTime<Utc>, patient: &UserId) -> String {
    format!("{}#{:02}", access_hour_prefix(period), fnv(patient.as_str()) % ACCESS_HOUR_SHARDS)
}

/// Every partition of the hour starting at `period`.
pub fn access_hour_partitions(period: DateTime<Utc>) -> impl Iterator<Item = String> {
    let prefix = access_hour_prefix(period);
    (0..ACCESS_HOUR_SHARDS).map(move |shard| format!("{prefix}#{shard:02}"))
}

fn access_hour_prefix(period: DateTime<Utc>) -> String {
    format!("ACCESSHOUR#{}", period.format("%Y-%m-%dT%H"))
}

/// FNV-1a: stable across processes and releases, unlike the standard library's hasher.
fn fnv(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |hash, byte| (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193))
}

pub fn visit_pk(id: &VisitId) -> String {
    format!("VISIT#{id}")
}

/// `APPLICATION#{id}`: a clinician application, its audit chain beside it.
pub fn application_pk(id: &ApplicationId) -> String {
    format!("APPLICATION#{id}")
}

pub const APPLICATION_SK: &str = "APPLICATION";
pub const UPLOAD_SK: &str = "UPLOAD";

pub fn upload_pk(id: &UploadId) -> String {
    format!("UPLOAD#{id}")
}

/// The status index's partition of applications in `status`.
pub fn applications_by_status_pk(status: ApplicationStatus) -> String {
    format!("APPLICATIONS#{status}")
}

/// The partition an audit record's chain lives in: its visit's or its application's.
pub fn subject_pk(subject: &AuditSubject) -> String {
    match subject {
        AuditSubject::Visit(id) => visit_pk(id),
        AuditSubject::Application(id) => application_pk(id),
    }
}

pub fn audit_sk(seq: u64) -> String {
    format!("{AUDIT_SK_PREFIX}{seq:020}")
}

/// `REFUSAL#{link}#{n:020}`: a link's refusals sort by number.
pub fn refusal_sk(link: &Digest, n: u64) -> String {
    format!("{REFUSAL_SK_PREFIX}{link}#{n:020}")
}

pub fn link_pk(id_hash: &Digest) -> String {
    format!("{LINK_PREFIX}{id_hash}")
}

/// The link id digest back from a link item's key.
pub fn link_id_from_pk(pk: &str) -> Option<Digest> {
    Digest::from_hex(pk.strip_prefix(LINK_PREFIX)?)
}

pub fn code_pk(code_hash: &Digest) -> String {
    format!("CODE#{code_hash}")
}

pub fn idempotency_pk(key: &str) -> String {
    format!("IDEM#{key}")
}

pub fn signup_pk(id: &visits_domain::model::SignupId) -> String {
    format!("SIGNUP#{id}")
}

/// `CONTACT#{hmac}`: a contact by its keyed MAC, never by its value.
pub fn contact_pk(contact: &Digest) -> String {
    format!("CONTACT#{contact}")
}

pub fn failure_pk(key: &str) -> String {
    format!("FAIL#{key}")
}

pub fn patient_pk(id: &UserId) -> String {
    format!("PATIENT#{id}")
}

/// `ACCESS#{patientId}`: the patient's access log, one partition per patient.
pub fn access_pk(id: &UserId) -> String {
    format!("ACCESS#{id}")
}

pub fn clinician_pk(id: &UserId) -> String {
    format!("CLINICIAN#{id}")
}

/// `{scheduledAt}#{visitId}`, shared by the three visit indexes.
pub fn time_sort_key(at: DateTime<Utc>, visit_id: &str) -> String {
    format!("{}#{visit_id}", at.format("%Y-%m-%dT%H:%M:%S%.9fZ"))
}

pub fn visit_sort_key(visit: &Visit) -> String {
    time_sort_key(visit.scheduled_at(), visit.id().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_sort_keys_sort_as_time() {
        let early: DateTime<Utc> = "2030-01-01T09:00:00Z".parse().unwrap();
        let late: DateTime<Utc> = "2030-01-01T10:00:00.5Z".parse().unwrap();
        let later: DateTime<Utc> = "2030-01-01T10:00:01Z".parse().unwrap();
        let keys = [time_sort_key(early, "vis_b"), time_sort_key(late, "vis_a"), time_sort_key(later, "vis_a")];
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(sorted, keys);
        assert!(time_sort_key(early, "vis_a") < time_sort_key(early, "vis_b"));
    }
}
