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

    /// The strongest role among a groups claim, in either form API Gateway hands over:
    /// a JSON array, a flattened `"[clinician admin]"`, or a single name.
    pub fn from_groups_claim(claim: &str) -> Option<Self> {
        let names: Vec<String> = match serde_json::from_str::<Vec<String>>(claim) {
            Ok(list) => list,
            Err(_) => claim
                .trim()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .split([' ', ','])
                .map(|name| name.trim().trim_matches('"').to_owned())
                .collect(),
        };
        names.iter().filter_map(|name| Self::parse(name)).max()
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub id: UserId,
    pub role: Role,
}

impl Caller {
    /// How the audit trail names this caller: role and opaque id, never a name.
    pub fn actor(&self) -> String {
        format!("{}:{}", self.role.as_str(), self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_claim_parses_in_every_form_api_gateway_uses() {
        assert_eq!(Role::from_groups_claim("[clinician admin]"), Some(Role::Admin));
        assert_eq!(Role::from_groups_claim("[patient]"), Some(Role::Patient));
        assert_eq!(Role::from_groups_claim("clinician"), Some(Role::Clinician));
        assert_eq!(Role::from_groups_claim(r#"["patient","clinician"]"#), Some(Role::Clinician));
        assert_eq!(Role::from_groups_claim("[nurse]"), None);
        assert_eq!(Role::from_groups_claim(""), None);
    }
}
