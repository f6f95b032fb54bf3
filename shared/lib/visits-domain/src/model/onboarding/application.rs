//! Clinician applications: the NPI an applicant gives (checked by its check digit), and the
//! review an admin moves an application through.

use std::fmt;

use serde::{Deserialize, Serialize};

crate::model::ids::random_id!(
    /// A clinician application's id: `apl_` and 20 base32 characters.
    ApplicationId,
    "apl_",
    "application id"
);

/// A National Provider Identifier: 10 digits whose last is a Luhn check digit computed over the
/// prefix `80840` and the first nine.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Npi(String);

impl Npi {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let digits: Vec<u32> = raw.chars().map(|c| c.to_digit(10)).collect::<Option<_>>().ok_or("must be 10 digits")?;
        if digits.len() != 10 {
            return Err("must be 10 digits".into());
        }
        if luhn_check_digit(&[8, 0, 8, 4, 0].iter().copied().chain(digits[..9].iter().copied()).collect::<Vec<_>>())
            != digits[9]
        {
            return Err("is not a valid NPI (its check digit does not match)".into());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The digit that makes `payload` followed by it pass the Luhn check.
fn luhn_check_digit(payload: &[u32]) -> u32 {
    // From the right, every second digit of the payload (starting with the last) is doubled.
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { *d })
        .sum();
    (10 - sum % 10) % 10
}

impl TryFrom<String> for Npi {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<Npi> for String {
    fn from(npi: Npi) -> String {
        npi.0
    }
}

impl fmt::Debug for Npi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Npi({})", self.0)
    }
}

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Started; the applicant has not proved their email yet.
    Pending,
    Submitted,
    UnderReview,
    NeedsInfo,
    Approved,
    Rejected,
}

impl ApplicationStatus {
    pub const ALL: [ApplicationStatus; 6] =
        [Self::Pending, Self::Submitted, Self::UnderReview, Self::NeedsInfo, Self::Approved, Self::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Submitted => "submitted",
            Self::UnderReview => "under_review",
            Self::NeedsInfo => "needs_info",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    /// The moves an admin may make: `submitted → under_review → approved | rejected | needs_info`,
    /// and `needs_info → under_review`. Everything else (409) is refused, approved and rejected
    /// are final.
    pub fn may_move_to(self, to: ApplicationStatus) -> bool {
        use ApplicationStatus::*;
        matches!(
            (self, to),
            (Submitted, UnderReview)
                | (UnderReview, Approved)
                | (UnderReview, Rejected)
                | (UnderReview, NeedsInfo)
                | (NeedsInfo, UnderReview)
        )
    }
}

impl fmt::Display for ApplicationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApplicationStatus::*;

    #[test]
    fn npis_pass_only_with_their_check_digit() {
        // CMS's published example: 123456789 with check digit 3.
        assert_eq!(Npi::parse("1234567893").unwrap().as_str(), "1234567893");
        for wrong in 0..10 {
            if wrong != 3 {
                assert!(Npi::parse(&format!("123456789{wrong}")).is_err(), "check digit {wrong}");
            }
        }
        for bad in ["123456789", "12345678931", "12345678a3", " 1234567893", "", "１２３４５６７８９３"] {
            assert!(Npi::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn review_moves_follow_the_contract() {
        let all = [Pending, Submitted, UnderReview, NeedsInfo, Approved, Rejected];
        let allowed: Vec<(ApplicationStatus, ApplicationStatus)> = all
            .iter()
            .flat_map(|from| all.iter().map(move |to| (*from, *to)))
            .filter(|(from, to)| from.may_move_to(*to))
            .collect();
        assert_eq!(
            allowed,
            [
                (Submitted, UnderReview),
                (UnderReview, NeedsInfo),
                (UnderReview, Approved),
                (UnderReview, Rejected),
                (NeedsInfo, UnderReview),
            ]
        );
        assert_eq!(serde_json::to_value(UnderReview).unwrap(), "under_review");
        assert_eq!(UnderReview.to_string(), "under_review");
    }
}
