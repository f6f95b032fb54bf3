//! How to reach a patient. PHI: `Debug` hides the values so they cannot reach a log by accident.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An E.164 phone number: `+`, a non-zero digit, at most 15 digits in all.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let digits = raw.strip_prefix('+').ok_or("must be in E.164 form, e.g. +447911123456")?;
        let valid =
            (2..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0');
        if valid { Ok(Self(raw.to_owned())) } else { Err("must be in E.164 form, e.g. +447911123456".into()) }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// An email address, checked for shape only: delivery is the real test.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        const MESSAGE: &str = "must be an email address, e.g. pat@example.com";
        let (local, domain) = raw.rsplit_once('@').ok_or(MESSAGE)?;
        let valid = raw.len() <= 254
            && !local.is_empty()
            && local.len() <= 64
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !raw.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
            && !local.contains('@');
        if valid { Ok(Self(raw.to_owned())) } else { Err(MESSAGE.into()) }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// The name staff see on a screen-pop. Never sent in messages, never logged.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.chars().count() > Self::MAX_CHARS || raw.chars().any(char::is_control) {
            return Err(format!("must be at most {} printable characters", Self::MAX_CHARS));
        }
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("must not be empty".into());
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

macro_rules! string_conversions {
    ($($ty:ident),*) => {$(
        impl TryFrom<String> for $ty {
            type Error = String;
            fn try_from(raw: String) -> Result<Self, String> {
                Self::parse(&raw)
            }
        }
        impl From<$ty> for String {
            fn from(value: $ty) -> String {
                value.0
            }
        }
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($ty), "(<redacted>)"))
            }
        }
    )*};
}
string_conversions!(PhoneNumber, Email, DisplayName);

/// Where a visit's links are sent. At least one of phone or email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "ContactFields")]
pub struct PatientContact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<DisplayName>,
}

/// The contact as it arrives, before the phone-or-email rule is checked. A misspelt field is an
/// error, not a contact silently dropped.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ContactFields {
    #[serde(default)]
    phone: Option<PhoneNumber>,
    #[serde(default)]
    email: Option<Email>,
    #[serde(default)]
    display_name: Option<DisplayName>,
}

impl TryFrom<ContactFields> for PatientContact {
    type Error = &'static str;
    fn try_from(fields: ContactFields) -> Result<Self, Self::Error> {
        if fields.phone.is_none() && fields.email.is_none() {
            return Err("must have a phone or an email");
        }
        Ok(Self { phone: fields.phone, email: fields.email, display_name: fields.display_name })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_must_be_e164() {
        for good in ["+14155550123", "+447700900123", "+12"] {
            assert!(PhoneNumber::parse(good).is_ok(), "{good}");
        }
        for bad in ["14155550123", "+0123456", "+1 415 555", "+1234567890123456", "+", "+1a"] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert!(Email::parse("pat@example.com").is_ok());
        for bad in ["pat", "@example.com", "pat@example", "pat@.com", "p at@example.com", "pat@example.com."] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_contact_needs_a_phone_or_an_email() {
        assert!(serde_json::from_str::<PatientContact>(r#"{"displayName": "Pat"}"#).is_err());
        let contact: PatientContact = serde_json::from_str(r#"{"email": "pat@example.com"}"#).unwrap();
        assert!(contact.phone.is_none() && contact.email.is_some());
    }

    #[test]
    fn debug_output_hides_phi() {
        let phone = PhoneNumber::parse("+14155550123").unwrap();
        let email = Email::parse("pat@example.com").unwrap();
        let name = DisplayName::parse("Pat Doe").unwrap();
        let shown = format!("{phone:?} {email:?} {name:?}");
        assert!(!shown.contains("4155550123") && !shown.contains("pat@") && !shown.contains("Pat"), "{shown}");
    }
}
