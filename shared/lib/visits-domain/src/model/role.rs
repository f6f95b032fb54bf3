//! Who is calling. Roles come from the identity provider's groups claim.

use serde::Serialize;

use super::UserId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Patient,
    Clinician,
    Admin,
}

impl Role {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "admin" => Some(Self::Admin),
            "clinician" => Some(Self::Clinician),
            "patient" => Some(Self::Patient),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Clinician => "clinician",
            Self::Patient => "patient",
        }
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub id: UserId,
    pub role: Role,
}

impl Caller {
    /// The caller a token's `sub` and groups name: the strongest known role, if any.
    pub fn from_groups<'g>(sub: &str, groups: impl IntoIterator<Item = &'g str>) -> Option<Self> {
        let role = groups.into_iter().filter_map(Role::parse).max()?;
        Some(Self { id: UserId::parse(sub).ok()?, role })
    }

    /// How the audit trail names this caller: role and opaque id, never a name.
    pub fn actor(&self) -> String {
        format!("{}:{}", self.role.as_str(), self.id)
    }
}

/// A backend calling with its own identity (a client-credentials token), not a person: the
/// lander's backend booking a signed-up patient's visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceClient {
    /// The app client id.
    pub id: UserId,
}

impl ServiceClient {
    /// The scope a client-credentials token needs to book visits.
    pub const SCHEDULE_SCOPE: &'static str = "video-visits/visits.schedule";

    pub fn actor(&self) -> String {
        format!("service:{}", self.id)
    }
}
