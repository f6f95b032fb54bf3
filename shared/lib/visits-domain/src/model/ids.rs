//! Identifiers. Visit ids and link codes are random; user ids come from the identity provider.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::Digest;

/// Base32 without padding: one character per random byte (32 divides 256 evenly).
pub(crate) const RANDOM_ID_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
pub(crate) const RANDOM_ID_CHARS: usize = 20; // 100 bits

/// An id that is a prefix and 20 random base32 characters: created from random bytes, parsed
/// strictly, carried as a string.
macro_rules! random_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// How many random bytes a new id takes.
            pub const RANDOM_BYTES: usize = $crate::model::ids::RANDOM_ID_CHARS;

            /// A new id from random bytes.
            pub fn from_random(bytes: [u8; Self::RANDOM_BYTES]) -> Self {
                let tail: String =
                    bytes.iter().map(|b| $crate::model::ids::RANDOM_ID_ALPHABET[(*b as usize) % $crate::model::ids::RANDOM_ID_ALPHABET.len()] as char).collect();
                Self(format!("{}{tail}", $prefix))
            }

            pub fn parse(raw: &str) -> Result<Self, String> {
                let valid = raw.len() == $prefix.len() + $crate::model::ids::RANDOM_ID_CHARS
                    && raw.starts_with($prefix)
                    && raw[$prefix.len()..].bytes().all(|b| $crate::model::ids::RANDOM_ID_ALPHABET.contains(&b));
                if valid { Ok(Self(raw.to_owned())) } else { Err(concat!("is not a ", $what).into()) }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(raw: String) -> Result<Self, String> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
pub(crate) use random_id;

random_id!(
    /// A visit's id: `vis_` and 20 base32 characters.
    VisitId,
    "vis_",
    "visit id"
);

/// A person's id: the identity provider's `sub`. Opaque, never a name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserId(String);

impl UserId {
    pub const MAX_LEN: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.is_empty() {
            return Err("must not be empty".into());
        }
        if raw.len() > Self::MAX_LEN {
            return Err(format!("must be at most {} characters", Self::MAX_LEN));
        }
        // Identity providers' subs are ASCII (Cognito's are UUIDs); anything else is a forgery
        // or a mistake, and would end up in keys and logs.
        if !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("must be visible ASCII characters only".into());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for UserId {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<UserId> for String {
    fn from(id: UserId) -> String {
        id.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Characters a person can read aloud and type without confusing them: no 0/O, 1/I/L.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// 14 characters of 31 give 69 bits, above the contract's 64.
pub const CODE_LEN: usize = 14;

/// The short code of a join link (`/j/{code}`). A secret: its `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkCode(String);

impl LinkCode {
    /// A new code from random bytes drawn by `draw`, as many as rejection sampling needs.
    pub fn from_random(mut draw: impl FnMut(&mut [u8])) -> Self {
        // Rejection sampling keeps every character equally likely.
        let limit = (256 / CODE_ALPHABET.len() * CODE_ALPHABET.len()) as u8;
        let mut code = String::with_capacity(CODE_LEN);
        while code.len() < CODE_LEN {
            let mut batch = [0u8; 32];
            draw(&mut batch);
            for byte in batch.into_iter().filter(|b| *b < limit) {
                if code.len() == CODE_LEN {
                    break;
                }
                code.push(CODE_ALPHABET[(byte as usize) % CODE_ALPHABET.len()] as char);
            }
        }
        Self(code)
    }

    /// Accepts what a person typed: any case, surrounding spaces.
    pub fn parse(raw: &str) -> Option<Self> {
        let code = raw.trim().to_ascii_uppercase();
        let valid = code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b));
        valid.then_some(Self(code))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn digest(&self) -> Digest {
        Digest::of(self.0.as_bytes())
    }
}

impl fmt::Debug for LinkCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkCode(<redacted>)")
    }
}

/// A JWT's `jti`: 128 random bits, base64url.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenId(String);

impl TokenId {
    pub const RANDOM_BYTES: usize = 16;

    pub fn from_random(bytes: [u8; Self::RANDOM_BYTES]) -> Self {
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    pub fn from_claim(raw: String) -> Self {
        Self(raw)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn digest(&self) -> Digest {
        Digest::of(self.0.as_bytes())
    }
}

impl fmt::Debug for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenId(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Different bytes on every call, like a real random source.
    fn counting() -> impl FnMut(&mut [u8]) {
        let mut next = 0u8;
        move |dest| {
            for byte in dest {
                next = next.wrapping_mul(31).wrapping_add(17);
                *byte = next;
            }
        }
    }

    #[test]
    fn visit_ids_round_trip_and_reject_lookalikes() {
        let id = VisitId::from_random([9; VisitId::RANDOM_BYTES]);
        assert_eq!(VisitId::parse(id.as_str()), Ok(id.clone()));
        assert!(VisitId::parse("vis_short").is_err());
        assert!(VisitId::parse("vis_ABCDEFGHIJKLMNOPQRST").is_err(), "upper case is not ours");
        assert!(VisitId::parse("xyz_abcdefghijklmnopqrst").is_err());
    }

    #[test]
    fn codes_use_the_unambiguous_alphabet_and_parse_case_insensitively() {
        let code = LinkCode::from_random(counting());
        assert_eq!(code.expose().len(), CODE_LEN);
        assert!(!code.expose().contains(['0', '1', 'O', 'I', 'L']));
        let typed = format!("  {} ", code.expose().to_ascii_lowercase());
        assert_eq!(LinkCode::parse(&typed), Some(code));
        assert_eq!(LinkCode::parse("O0O0O0O0O0O0O0"), None);
        assert_eq!(LinkCode::parse("ABC"), None);
    }

    #[test]
    fn code_entropy_is_at_least_64_bits() {
        let bits = (CODE_LEN as f64) * (CODE_ALPHABET.len() as f64).log2();
        assert!(bits >= 64.0, "{bits}");
    }

    #[test]
    fn secrets_do_not_show_in_debug() {
        let code = LinkCode::from_random(counting());
        assert!(!format!("{code:?}").contains(code.expose()));
    }

    #[test]
    fn user_ids_reject_empty_long_and_spaced() {
        assert!(UserId::parse("").is_err());
        assert!(UserId::parse(&"a".repeat(129)).is_err());
        assert!(UserId::parse("a b").is_err());
        assert!(UserId::parse("pätient").is_err());
        assert!(UserId::parse("a\u{1}").is_err());
        assert!(UserId::parse("3f2a-11").is_ok());
    }
}
