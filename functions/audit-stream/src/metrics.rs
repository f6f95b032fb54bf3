//! CloudWatch Embedded Metric Format: one JSON log line per batch carries the counts, and
//! CloudWatch turns it into metrics in the `VideoVisits` namespace that the alarms watch.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use visits_domain::model::{AuditKind, AuditRecord, RefusalRecord};

const NAMESPACE: &str = "VideoVisits";
const SERVICE: &str = "video-visits";

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Metrics {
    pub links_minted: u64,
    pub links_redeemed: u64,
    pub links_refused: u64,
    pub sessions_started: u64,
    /// Recordings and transcriptions the provider lost (a pipeline failed for good).
    pub captures_failed: u64,
    pub chain_breaks: u64,
    pub refused_by_reason: BTreeMap<String, u64>,
}

impl Metrics {
    pub fn count(&mut self, record: &AuditRecord, linked: bool) {
        match record.kind {
            AuditKind::LinkMinted => self.links_minted += 1,
            AuditKind::LinkRedeemed => self.links_redeemed += 1,
            AuditKind::SessionStarted => self.sessions_started += 1,
            AuditKind::CaptureFailed => self.captures_failed += 1,
            _ => {}
        }
        if !linked {
            self.chain_breaks += 1;
        }
    }

    /// A refusal kept beside the chain: counted by reason; a broken seal counts as a break.
    pub fn count_refusal(&mut self, record: &RefusalRecord, intact: bool) {
        self.links_refused += 1;
        *self.refused_by_reason.entry(record.reason.clone()).or_default() += 1;
        if !intact {
            self.chain_breaks += 1;
        }
    }

    /// The batch's counts under the `Service` dimension; zeros too, so an alarm on a quiet
    /// period sees data rather than none.
    pub fn emf_line(&self, now: DateTime<Utc>) -> String {
        let counts = [
            ("LinksMinted", self.links_minted),
            ("LinksRedeemed", self.links_redeemed),
            ("LinksRefused", self.links_refused),
            ("SessionsStarted", self.sessions_started),
            ("CapturesFailed", self.captures_failed),
            ("AuditChainBreaks", self.chain_breaks),
        ];
        let mut line = envelope(now, &["Service"], counts.iter().map(|(name, _)| *name));
        for (name, count) in counts {
            line[name] = json!(count);
        }
        line.to_string()
    }

    /// Refusals by reason, one line per reason (`Service`, `Reason` dimensions).
    pub fn refusal_lines(&self, now: DateTime<Utc>) -> Vec<String> {
        self.refused_by_reason
            .iter()
            .map(|(reason, count)| {
                let mut line = envelope(now, &["Service", "Reason"], ["LinksRefused"].into_iter());
                line["Reason"] = json!(reason);
                line["LinksRefused"] = json!(count);
                line.to_string()
            })
            .collect()
    }
}

fn envelope<'a>(now: DateTime<Utc>, dimensions: &[&str], metrics: impl Iterator<Item = &'a str>) -> Value {
    let metrics: Vec<Value> = metrics.map(|name| json!({"Name": name, "Unit": "Count"})).collect();
    json!({
        "_aws": {
            "Timestamp": now.timestamp_millis(),
            "CloudWatchMetrics": [{"Namespace": NAMESPACE, "Dimensions": [dimensions], "Metrics": metrics}],
        },
        "Service": SERVICE,
    })
}
