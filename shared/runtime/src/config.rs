//! Settings read once at start from the environment, and the domain wiring every function shares.

use std::sync::Arc;

use crate::{OsRandom, SystemClock};
use visits_domain::ports::{Signer, Store};
use visits_domain::rules::Policy;
use visits_domain::tokens::Tokens;
use visits_domain::usecases::Core;

/// The policy, with `JOIN_BASE_URL` and `TOKEN_ISSUER` from the environment when set.
pub fn policy_from_env() -> Policy {
    let mut policy = Policy::default();
    if let Ok(url) = std::env::var("JOIN_BASE_URL") {
        policy.join_base_url = url;
    }
    if let Ok(issuer) = std::env::var("TOKEN_ISSUER") {
        policy.token_issuer = issuer;
    }
    policy
}

/// The use cases' shared core on a production store: system clock, OS randomness.
pub fn core(store: Arc<dyn Store>, policy: Arc<Policy>) -> Core {
    Core { store, clock: Arc::new(SystemClock), ids: Arc::new(OsRandom), policy }
}

/// Link and session tokens signed by `signer`. A function calls `Tokens::prefetch` as each
/// request begins, so the public key is fetched beside the first request's reads.
pub fn tokens(signer: Arc<dyn Signer>, policy: &Policy) -> Arc<Tokens> {
    Arc::new(Tokens::new(signer, policy.token_issuer.clone()))
}
