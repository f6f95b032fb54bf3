//! The audit trail: every event of a visit carries the digest of the one before it, so an edited,
//! removed or reordered record breaks the chain.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Digest, VisitId};

/// The newest record of a visit's chain: what the next record links to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    pub seq: u64,
    pub hash: Digest,
}

impl Default for AuditHead {
    fn default() -> Self {
        Self { seq: 0, hash: Digest::ZERO }
    }
}

/// One audit event. `data` holds only non-identifying details (a channel, a reason, a status).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    pub visit_id: VisitId,
    pub seq: u64,
    pub at: DateTime<Utc>,
    #[serde(rename = "type")]
    pub kind: String,
    pub actor: String,
    pub data: BTreeMap<String, String>,
    pub prev_hash: Digest,
    pub hash: Digest,
}

/// The fields the hash covers, in a fixed order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Hashed<'a> {
    visit_id: &'a VisitId,
    seq: u64,
    at: &'a DateTime<Utc>,
    kind: &'a str,
    actor: &'a str,
    data: &'a BTreeMap<String, String>,
    prev_hash: &'a Digest,
}

impl AuditRecord {
    /// Builds the record that follows `head` and returns it with the new head.
    pub fn after(
        head: AuditHead,
        visit_id: VisitId,
        at: DateTime<Utc>,
        kind: &str,
        actor: &str,
        data: BTreeMap<String, String>,
    ) -> Self {
        let mut record = Self {
            visit_id,
            seq: head.seq + 1,
            at,
            kind: kind.to_owned(),
            actor: actor.to_owned(),
            data,
            prev_hash: head.hash,
            hash: Digest::ZERO,
        };
        record.hash = record.computed_hash();
        record
    }

    pub fn head(&self) -> AuditHead {
        AuditHead { seq: self.seq, hash: self.hash }
    }

    pub fn computed_hash(&self) -> Digest {
        let hashed = Hashed {
            visit_id: &self.visit_id,
            seq: self.seq,
            at: &self.at,
            kind: &self.kind,
            actor: &self.actor,
            data: &self.data,
            prev_hash: &self.prev_hash,
        };
        // Serializing plain strings, numbers and a BTreeMap cannot fail.
        let canonical = serde_json::to_vec(&hashed).unwrap_or_default();
        Digest::of(&canonical)
    }
}

/// Whether `records` (oldest first) form one unbroken chain from the start.
pub fn chain_is_valid(records: &[AuditRecord]) -> bool {
    let mut head = AuditHead::default();
    for record in records {
        if record.seq != head.seq + 1 || record.prev_hash != head.hash || record.hash != record.computed_hash() {
            return false;
        }
        head = record.head();
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(len: usize) -> Vec<AuditRecord> {
        let visit_id = VisitId::parse("vis_abcdefghijklmnopqrst").unwrap();
        let at: DateTime<Utc> = "2030-01-01T10:00:00Z".parse().unwrap();
        let mut head = AuditHead::default();
        (0..len)
            .map(|i| {
                let record =
                    AuditRecord::after(head, visit_id.clone(), at, &format!("e{i}"), "system", BTreeMap::new());
                head = record.head();
                record
            })
            .collect()
    }

    #[test]
    fn an_untouched_chain_is_valid() {
        assert!(chain_is_valid(&chain(4)));
        assert!(chain_is_valid(&[]));
    }

    #[test]
    fn editing_removing_or_reordering_breaks_the_chain() {
        let mut edited = chain(4);
        edited[1].actor = "someone-else".into();
        assert!(!chain_is_valid(&edited));

        let mut removed = chain(4);
        removed.remove(2);
        assert!(!chain_is_valid(&removed));

        let mut reordered = chain(4);
        reordered.swap(1, 2);
        assert!(!chain_is_valid(&reordered));

        let mut rehashed = chain(4);
        rehashed[1].kind = "forged".into();
        rehashed[1].hash = rehashed[1].computed_hash();
        assert!(!chain_is_valid(&rehashed), "a re-hashed record no longer matches its successor");
    }
}
