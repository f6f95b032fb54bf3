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

    /// What a response may show of it (`sentTo`): the last three digits.
    pub fn masked(&self) -> String {
        let digits = &self.0[1..];
        let shown = digits.len().saturating_sub(3);
        format!("+{}{}", "*".repeat(shown), &digits[shown..])
    }

    /// The bytes a keyed MAC of this contact is taken over, to find whose it is without storing it.
    pub fn lookup_message(&self) -> Vec<u8> {
        format!("phone:{}", self.0).into_bytes()
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

    /// What a response may show of it (`sentTo`): the first character and the domain.
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.rsplit_once('@').unwrap_or(("", &self.0));
        let first: String = local.chars().take(1).collect();
        format!("{first}***@{domain}")
    }

    /// The bytes a keyed MAC of this contact is taken over. Case-folded: `Pat@Example.com` and
    /// `pat@example.com` are one person's address as far as accounts go.
    pub fn lookup_message(&self) -> Vec<u8> {
        format!("email:{}", self.0.to_lowercase()).into_bytes()
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
    fn masked_contacts_show_only_what_the_person_recognises() {
        assert_eq!(PhoneNumber::parse("+447911123456").unwrap().masked(), "+*********456");
        assert_eq!(PhoneNumber::parse("+12").unwrap().masked(), "+12");
        assert_eq!(Email::parse("pat.example@example.com").unwrap().masked(), "p***@example.com");
        assert!(!Email::parse("pat.example@example.com").unwrap().masked().contains("example@"));
    }

    #[test]
    fn lookups_fold_email_case_and_keep_kinds_apart() {
        let email = |raw: &str| Email::parse(raw).unwrap().lookup_message();
        assert_eq!(email("Pat@Example.COM"), email("pat@example.com"));
        assert_ne!(email("pat@example.com"), email("pet@example.com"));
        assert_eq!(PhoneNumber::parse("+447911123456").unwrap().lookup_message(), b"phone:+447911123456".to_vec());
    }

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
