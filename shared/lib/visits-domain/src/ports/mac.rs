use super::DependencyError;
use async_trait::async_trait;

use crate::model::Digest;

/// A keyed MAC for what a person could guess if it were only hashed: one-time codes (about 20
/// bits) and contact lookups. The key is never kept beside what it protects (not in the table).
#[async_trait]
pub trait Mac: Send + Sync {
    async fn mac(&self, message: &[u8]) -> Result<Digest, DependencyError>;
}
