//! The audit-stream handler writing its lines into a buffer instead of stdout.

use std::sync::{Arc, Mutex};

use serde_json::Value;

#[derive(Default)]
pub struct Lines(Mutex<Vec<String>>);

impl audit_stream::Sink for Lines {
    fn line(&self, line: String) {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(line);
    }
}

impl Lines {
    /// Every line, parsed: each must be JSON.
    pub fn parsed(&self) -> Vec<Value> {
        let lines = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        lines.iter().map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"))).collect()
    }

    /// The copied audit records (every line that is not a metric).
    pub fn copies(&self) -> Vec<Value> {
        self.parsed().into_iter().filter(|line| line.get("_aws").is_none()).collect()
    }

    /// A count from the batch's metric line (the one with the `Service` dimension alone).
    pub fn metric(&self, name: &str) -> u64 {
        let lines = self.parsed();
        let batch = lines
            .iter()
            .find(|l| l["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0].as_array().map(Vec::len) == Some(1))
            .unwrap_or_else(|| panic!("no metric line in {lines:?}"));
        batch[name].as_u64().unwrap_or_else(|| panic!("no metric {name} in {batch}"))
    }
}

/// The audit-stream handler over `store`, and the buffer it writes to.
pub fn audit_stream_app(store: Arc<dyn visits_domain::ports::Store>) -> (audit_stream::App, Arc<Lines>) {
    let lines = Arc::new(Lines::default());
    (audit_stream::App::new(store, lines.clone()), lines)
}
