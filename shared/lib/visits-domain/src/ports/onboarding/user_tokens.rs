use crate::ports::DependencyError;
use async_trait::async_trait;

use crate::model::Caller;

/// Checks a signed-in user's bearer token where no authorizer did: on the routes that also take
/// a token of our own (an applicant's), which API Gateway's one authorizer per route cannot.
#[async_trait]
pub trait UserTokens: Send + Sync {
    /// The user the token names, when it is a valid token of our identity provider; `None` when
    /// it is not one (another kind of token, expired, revoked, forged, another pool's).
    async fn caller(&self, bearer: &str) -> Result<Option<Caller>, DependencyError>;
}
