//! Refused tries at a link, recorded beside the visit's audit chain rather than in it: a burst of
//! refusals must never wait behind the visit's version lock (nor make the clinician's next write
//! wait behind them). The store numbers each link's refusals 1, 2, 3… atomically; each record is
//! sealed with a hash of its content and number, so an edited record or a missing number shows.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Digest, VisitId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefusalRecord {
    pub visit_id: VisitId,
    /// The refused link's id digest.
    pub link: Digest,
    /// This refusal's number among the link's refusals, from 1, without gaps.
    pub n: u64,
    pub at: DateTime<Utc>,
    /// A [`super::RefusalReason`] name.
    pub reason: String,
    pub hash: Digest,
}

/// The fields the seal covers, in a fixed order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Sealed<'a> {
    visit_id: &'a VisitId,
    link: &'a Digest,
    n: u64,
    at: &'a DateTime<Utc>,
    reason: &'a str,
}

impl RefusalRecord {
    pub fn sealed(visit_id: VisitId, link: Digest, n: u64, at: DateTime<Utc>, reason: &str) -> Self {
        let mut record = Self { visit_id, link, n, at, reason: reason.to_owned(), hash: Digest::ZERO };
        record.hash = record.computed_hash();
        record
    }

    pub fn computed_hash(&self) -> Digest {
        let sealed =
            Sealed { visit_id: &self.visit_id, link: &self.link, n: self.n, at: &self.at, reason: &self.reason };
        // Plain strings and numbers: serializing them cannot fail.
        Digest::of(&serde_json::to_vec(&sealed).unwrap_or_default())
    }
}

/// Whether every record is sealed as written and each link's numbers run 1, 2, 3… with none
/// missing.
pub fn refusals_are_intact(records: &[RefusalRecord]) -> bool {
    let mut by_link: BTreeMap<Digest, Vec<u64>> = BTreeMap::new();
    for record in records {
        if record.hash != record.computed_hash() {
            return false;
        }
        by_link.entry(record.link).or_default().push(record.n);
    }
    by_link.values_mut().all(|numbers| {
        numbers.sort_unstable();
        numbers.iter().enumerate().all(|(i, n)| *n == i as u64 + 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(link: &str, count: u64) -> Vec<RefusalRecord> {
        let visit = VisitId::parse("vis_abcdefghijklmnopqrst").unwrap();
        let at: DateTime<Utc> = "2030-01-01T10:00:00Z".parse().unwrap();
        (1..=count)
            .map(|n| RefusalRecord::sealed(visit.clone(), Digest::of(link.as_bytes()), n, at, "expired"))
            .collect()
    }

    #[test]
    fn whole_runs_per_link_are_intact_in_any_order() {
        let mut all = records("a", 3);
        all.extend(records("b", 2));
        all.reverse();
        assert!(refusals_are_intact(&all));
        assert!(refusals_are_intact(&[]));
    }

    #[test]
    fn an_edit_or_a_missing_number_shows() {
        let mut edited = records("a", 3);
        edited[1].reason = "lost_race".into();
        assert!(!refusals_are_intact(&edited));
        let mut missing = records("a", 3);
        missing.remove(1);
        assert!(!refusals_are_intact(&missing));
        let mut renumbered = records("a", 3);
        renumbered.remove(0);
        for record in &mut renumbered {
            record.n -= 1;
            record.hash = record.computed_hash();
        }
        assert!(refusals_are_intact(&renumbered), "a re-sealed renumbering is consistent on its own");
    }
}
