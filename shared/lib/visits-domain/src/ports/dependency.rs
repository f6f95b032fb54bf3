//! The one error every port answers when the service behind it fails, and the one conversion to
//! the domain's error: a use case writes `?`, whichever port it called.

use crate::DomainError;

/// The services behind the ports, named as an answer names them ("the store is unavailable").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dependency {
    Store,
    Signer,
    VideoProvider,
    MacKey,
    Directory,
    IdentityProvider,
    Storage,
    Scheduler,
    EventBus,
    Recorder,
}

impl Dependency {
    pub fn name(self) -> &'static str {
        match self {
            Dependency::Store => "store",
            Dependency::Signer => "signer",
            Dependency::VideoProvider => "video provider",
            Dependency::MacKey => "mac key",
            Dependency::Directory => "directory",
            Dependency::IdentityProvider => "identity provider",
            Dependency::Storage => "storage",
            Dependency::Scheduler => "scheduler",
            Dependency::EventBus => "event bus",
            Dependency::Recorder => "recorder",
        }
    }
}

impl std::fmt::Display for Dependency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A dependency's failure: unavailable (throttled, timed out, down: nothing was done, and
/// retrying later is safe), or failed (it refused or broke; retrying will not help).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DependencyError {
    #[error("the {dependency} is unavailable")]
    Unavailable { dependency: Dependency, retry_after_seconds: u64 },
    #[error("the {dependency} failed: {message}")]
    Failed { dependency: Dependency, message: String },
}

impl DependencyError {
    pub fn unavailable(dependency: Dependency, retry_after_seconds: u64) -> Self {
        Self::Unavailable { dependency, retry_after_seconds }
    }

    pub fn failed(dependency: Dependency, message: impl Into<String>) -> Self {
        Self::Failed { dependency, message: message.into() }
    }

    pub fn dependency(&self) -> Dependency {
        match self {
            Self::Unavailable { dependency, .. } | Self::Failed { dependency, .. } => *dependency,
        }
    }
}

/// Unavailable is a 503 with `Retry-After`; a failure is the server's (500), its message logged,
/// never shown.
impl From<DependencyError> for DomainError {
    fn from(error: DependencyError) -> Self {
        match error {
            DependencyError::Unavailable { dependency, retry_after_seconds } => {
                DomainError::Unavailable { dependency: dependency.name(), retry_after_seconds }
            }
            DependencyError::Failed { dependency, message } => {
                DomainError::Internal(format!("{dependency}: {message}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unavailable_dependency_is_a_retry_and_a_failure_the_servers() {
        let error: DomainError = DependencyError::unavailable(Dependency::Store, 2).into();
        assert!(matches!(error, DomainError::Unavailable { dependency: "store", retry_after_seconds: 2 }));
        let error: DomainError = DependencyError::failed(Dependency::MacKey, "no key").into();
        assert!(matches!(error, DomainError::Internal(message) if message == "mac key: no key"));
    }
}
