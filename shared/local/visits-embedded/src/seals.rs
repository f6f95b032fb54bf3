//! Demo mode's seal store: the signed seals in memory, each kept once (S3 Object Lock's part).

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use visits_domain::ports::{DependencyError, SealStore};

#[derive(Default)]
pub struct MemorySeals {
    seals: Mutex<HashMap<String, String>>,
}

impl MemorySeals {
    fn seals(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.seals.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Replaces or (with `None`) removes a seal, as no one can in S3 under compliance-mode
    /// Object Lock. For tests of the verification.
    pub fn tamper(&self, key: &str, signed: Option<String>) {
        match signed {
            Some(signed) => self.seals().insert(key.to_owned(), signed),
            None => self.seals().remove(key),
        };
    }

    pub fn len(&self) -> usize {
        self.seals().len()
    }

    pub fn is_empty(&self) -> bool {
        self.seals().is_empty()
    }
}

#[async_trait]
impl SealStore for MemorySeals {
    async fn put_seal(&self, key: &str, signed: &str) -> Result<String, DependencyError> {
        Ok(self.seals().entry(key.to_owned()).or_insert_with(|| signed.to_owned()).clone())
    }

    async fn seal(&self, key: &str) -> Result<Option<String>, DependencyError> {
        Ok(self.seals().get(key).cloned())
    }
}
