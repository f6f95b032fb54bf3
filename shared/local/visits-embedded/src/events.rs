//! Demo mode's event bus: what was published, in order, for `GET /dev/events` and tests.

use std::sync::Mutex;

use async_trait::async_trait;
use visits_domain::ports::{DependencyError, EventPublisher, PublishedEvent};

#[derive(Default)]
pub struct MemoryEvents {
    published: Mutex<Vec<PublishedEvent>>,
}

impl MemoryEvents {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn published(&self) -> Vec<PublishedEvent> {
        self.published.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }
}

#[async_trait]
impl EventPublisher for MemoryEvents {
    async fn publish(&self, event: &PublishedEvent) -> Result<(), DependencyError> {
        self.published.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(event.clone());
        Ok(())
    }
}
