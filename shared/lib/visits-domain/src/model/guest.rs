//! Guests: a caregiver or an interpreter a clinician invites into a visit. Each is a participant
//! of their own: their own links, their own admission and their own seat in the meeting, so
//! nothing done for the patient (a fresh link, a new redemption) touches a guest, nor the reverse.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::random_id;
use super::{DisplayName, Email, PhoneNumber, UserId};

random_id!(
    /// A guest's id: `gst_` and 20 base32 characters.
    GuestId,
    "gst_",
    "guest id"
);

impl GuestId {
    /// Who a guest's tokens and seat name: their id, which no identity provider's `sub` looks
    /// like (Cognito's are UUIDs), and which the admission digest must match anyway.
    pub fn as_subject(&self) -> UserId {
        UserId::parse(self.as_str()).unwrap_or_else(|_| unreachable!("a guest id is a valid user id"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GuestRole {
    Caregiver,
    Interpreter,
}

impl GuestRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Caregiver => "caregiver",
            Self::Interpreter => "interpreter",
        }
    }
}

/// Where a guest's link is sent: a phone, an email, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "GuestContactFields")]
pub struct GuestContact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GuestContactFields {
    #[serde(default)]
    phone: Option<PhoneNumber>,
    #[serde(default)]
    email: Option<Email>,
}

impl TryFrom<GuestContactFields> for GuestContact {
    type Error = &'static str;
    fn try_from(fields: GuestContactFields) -> Result<Self, Self::Error> {
        if fields.phone.is_none() && fields.email.is_none() {
            return Err("must have a phone or an email");
        }
        Ok(Self { phone: fields.phone, email: fields.email })
    }
}

/// A guest as invited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewGuest {
    pub role: GuestRole,
    pub display_name: Option<DisplayName>,
    pub contact: GuestContact,
}

/// A guest of a visit, with their own link, admission and seat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Guest {
    pub id: GuestId,
    pub role: GuestRole,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<DisplayName>,
    pub contact: GuestContact,
    pub added_at: DateTime<Utc>,
    /// When the guest first joined the meeting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined_at: Option<DateTime<Utc>>,
    /// The guest's link, admission and seats, as the patient holds theirs.
    #[serde(flatten)]
    pub access: super::Access,
}

impl Guest {
    pub fn new(id: GuestId, invited: NewGuest, now: DateTime<Utc>) -> Self {
        Self {
            id,
            role: invited.role,
            display_name: invited.display_name,
            contact: invited.contact,
            added_at: now,
            joined_at: None,
            access: super::Access::default(),
        }
    }

    /// Every seat the guest holds or held and that may still be in the room.
    pub fn seats(&self) -> impl Iterator<Item = &String> {
        self.access.seats()
    }
}

/// Who a link or a session token admits: the visit's patient or one of its guests.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Admitted {
    Patient,
    Guest(GuestId),
}

impl Admitted {
    pub fn from_guest(guest: Option<&GuestId>) -> Self {
        guest.map_or(Self::Patient, |id| Self::Guest(id.clone()))
    }

    pub fn guest(&self) -> Option<&GuestId> {
        match self {
            Self::Patient => None,
            Self::Guest(id) => Some(id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guest_contact_needs_a_phone_or_an_email_and_nothing_else() {
        assert!(serde_json::from_str::<GuestContact>(r#"{}"#).is_err());
        assert!(serde_json::from_str::<GuestContact>(r#"{"email": "g@example.com", "name": "x"}"#).is_err());
        assert!(serde_json::from_str::<GuestContact>(r#"{"phone": null}"#).is_err());
        let contact: GuestContact = serde_json::from_str(r#"{"phone": "+14155550123"}"#).unwrap();
        assert!(contact.phone.is_some() && contact.email.is_none());
    }

    #[test]
    fn guest_ids_parse_strictly_and_name_their_subject() {
        let id = GuestId::from_random([7; GuestId::RANDOM_BYTES]);
        assert!(id.as_str().starts_with("gst_"));
        assert_eq!(GuestId::parse(id.as_str()), Ok(id.clone()));
        assert_eq!(id.as_subject().as_str(), id.as_str());
        assert!(GuestId::parse("vis_abcdefghijklmnopqrst").is_err());
    }
}
