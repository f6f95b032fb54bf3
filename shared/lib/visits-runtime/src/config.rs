//! Settings read once at start from the environment, and the domain wiring every function shares.

use std::sync::Arc;

use crate::{OsRandom, SystemClock};
use visits_domain::ports::{Signer, Store};
use visits_domain::rules::Policy;
use visits_domain::tokens::Tokens;
use visits_domain::usecases::Core;

/// A setting the environment gives in a form it cannot have.
#[derive(Debug)]
pub struct InvalidSetting {
    pub name: &'static str,
    pub reason: String,
}

impl std::fmt::Display for InvalidSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid configuration: the environment variable {} {}", self.name, self.reason)
    }
}

impl std::error::Error for InvalidSetting {}

/// The policy, with `JOIN_BASE_URL`, `PORTAL_BASE_URL`, `TOKEN_ISSUER` and `CLINIC_TIME_ZONE` (an IANA zone; a
/// wrong one fails the function's init rather than showing visits in the wrong time) from the
/// environment when set.
pub fn policy_from_env() -> Result<Policy, InvalidSetting> {
    let mut policy = Policy::default();
    if let Ok(url) = std::env::var("JOIN_BASE_URL") {
        policy.join_base_url = url;
    }
    if let Ok(issuer) = std::env::var("TOKEN_ISSUER") {
        policy.token_issuer = issuer;
    }
    if let Ok(url) = std::env::var("PORTAL_BASE_URL") {
        policy.portal_base_url = url;
    }
    // Unset or empty: no terms to accept.
    if let Ok(version) = std::env::var("TELEHEALTH_TERMS_VERSION").map(|v| v.trim().to_owned())
        && !version.is_empty()
    {
        policy.telehealth_terms = Some(
            visits_domain::model::TermsVersion::parse(&version)
                .map_err(|reason| InvalidSetting { name: "TELEHEALTH_TERMS_VERSION", reason })?,
        );
    }
    policy.recording_allowed = flag("RECORDING_ALLOWED", policy.recording_allowed)?;
    policy.transcription_allowed = flag("TRANSCRIPTION_ALLOWED", policy.transcription_allowed)?;
    if let Ok(zone) = std::env::var("CLINIC_TIME_ZONE") {
        policy.clinic_time_zone = visits_domain::model::TimeZone::parse(&zone)
            .map_err(|reason| InvalidSetting { name: "CLINIC_TIME_ZONE", reason })?;
    }
    Ok(policy)
}

/// A `true`/`false` setting; `default` when unset.
fn flag(name: &'static str, default: bool) -> Result<bool, InvalidSetting> {
    match std::env::var(name).as_deref().map(str::trim) {
        Err(_) | Ok("") => Ok(default),
        Ok("true") => Ok(true),
        Ok("false") => Ok(false),
        Ok(_) => Err(InvalidSetting { name, reason: "is neither true nor false".into() }),
    }
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
