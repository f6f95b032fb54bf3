//! Settings read once at start from the environment.

use visits_domain::rules::Policy;

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
