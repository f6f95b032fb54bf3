//! The 6-digit codes that prove a person holds an email address or phone number (patient signup,
//! clinician applications), and the rules around one: it lives 10 minutes and works once, the
//! newest one sent is the only one that works, 5 wrong tries over all the codes of one challenge
//! lock it until it expires, and a resend is allowed at most every 60 seconds and 3 times beyond
//! the first send. Codes are kept only as keyed MACs (six digits are about 20 bits: a plain hash
//! is reversed in microseconds).

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::model::Digest;

/// How long a code works.
pub const CODE_LIFETIME: Duration = Duration::minutes(10);
/// The least time between two sends of one challenge.
pub const RESEND_GAP: Duration = Duration::seconds(60);
/// Sends allowed beyond the first.
pub const MAX_RESENDS: u32 = 3;
/// Wrong tries, over all of a challenge's codes, that lock it.
pub const MAX_WRONG_TRIES: u32 = 5;

/// A 6-digit one-time code. A secret: its `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct OneTimeCode(String);

impl OneTimeCode {
    /// A new code from random bytes drawn by `draw`: uniform over 000000–999999 (rejection
    /// sampling over 20 random bits).
    pub fn from_random(mut draw: impl FnMut(&mut [u8])) -> Self {
        loop {
            let mut bytes = [0u8; 4];
            draw(&mut bytes);
            let value = u32::from_le_bytes(bytes) & 0x000f_ffff;
            if value < 1_000_000 {
                return Self(format!("{value:06}"));
            }
        }
    }

    /// What a person typed: exactly six digits, surrounding spaces allowed.
    pub fn parse(raw: &str) -> Option<Self> {
        let code = raw.trim();
        (code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())).then(|| Self(code.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimeCode(<redacted>)")
    }
}

/// The code currently sent: its MAC and when it stops working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct IssuedCode {
    mac: Digest,
    expires_at: DateTime<Utc>,
}

/// What a resend request may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resend {
    /// Send a new code (and record it with [`CodeChallenge::reissue`]).
    Allowed,
    /// Within 60 seconds of the last send: nothing is sent, nothing counted.
    TooSoon,
    /// The sends are used up, the challenge is locked, or its code was used.
    Exhausted,
}

/// Why a code was refused. The answer to the person is the same for every kind; the lock alone
/// is told (429), since it says nothing about the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeRefused {
    #[error("the code is wrong, expired, superseded or used")]
    Invalid,
    #[error("too many wrong codes")]
    Locked { until: DateTime<Utc> },
}

/// One person's proof of a contact: the codes sent for it and the tries made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeChallenge {
    /// `None` once the code has been used.
    code: Option<IssuedCode>,
    sends: u32,
    last_sent_at: DateTime<Utc>,
    wrong_tries: u32,
    expires_at: DateTime<Utc>,
}

impl CodeChallenge {
    /// A challenge whose first code (kept as `mac`) is sent `now`.
    pub fn first(mac: Digest, now: DateTime<Utc>) -> Self {
        let expires_at = now + CODE_LIFETIME;
        Self { code: Some(IssuedCode { mac, expires_at }), sends: 1, last_sent_at: now, wrong_tries: 0, expires_at }
    }

    /// When the challenge is over: its newest code's expiry. A lock lasts until then.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    pub fn is_locked(&self) -> bool {
        self.wrong_tries >= MAX_WRONG_TRIES
    }

    pub fn is_used(&self) -> bool {
        self.code.is_none()
    }

    pub fn may_resend(&self, now: DateTime<Utc>) -> Resend {
        if self.is_used() || self.is_locked() || self.sends > MAX_RESENDS {
            Resend::Exhausted
        } else if now < self.last_sent_at + RESEND_GAP {
            Resend::TooSoon
        } else {
            Resend::Allowed
        }
    }

    /// Records a new code (kept as `mac`) sent `now`; the earlier one stops working. Wrong tries
    /// carry over: a resend never unlocks.
    pub fn reissue(&mut self, mac: Digest, now: DateTime<Utc>) {
        debug_assert_eq!(self.may_resend(now), Resend::Allowed);
        self.expires_at = now + CODE_LIFETIME;
        self.code = Some(IssuedCode { mac, expires_at: self.expires_at });
        self.sends += 1;
        self.last_sent_at = now;
    }

    /// Checks the MAC of a presented code. The right, current code is used up; anything else is a
    /// wrong try.
    pub fn check(&mut self, presented: &Digest, now: DateTime<Utc>) -> Result<(), CodeRefused> {
        if self.is_locked() {
            return Err(CodeRefused::Locked { until: self.expires_at });
        }
        match self.code {
            Some(code) if now < code.expires_at && code.mac.equals_in_constant_time(presented) => {
                self.code = None;
                Ok(())
            }
            _ => {
                self.wrong_tries += 1;
                Err(CodeRefused::Invalid)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_900_000_000 + seconds, 0).unwrap()
    }

    fn mac(code: &str) -> Digest {
        Digest::of(code.as_bytes())
    }

    #[test]
    fn codes_are_six_digits_and_uniform_draws_are_kept() {
        // 0x000f_ffff masks to 1,048,575: past 999,999, so drawn again.
        let mut draws = vec![[0xff, 0xff, 0x0f, 0x00], [0x3f, 0x42, 0x0f, 0x00]].into_iter();
        let code = OneTimeCode::from_random(|dest| dest.copy_from_slice(&draws.next().unwrap()));
        assert_eq!(code.expose(), "999999");
        let mut zero = |dest: &mut [u8]| dest.fill(0);
        assert_eq!(OneTimeCode::from_random(&mut zero).expose(), "000000");
        assert_eq!(format!("{code:?}"), "OneTimeCode(<redacted>)");
        assert_eq!(OneTimeCode::parse(" 012345 ").map(|c| c.expose().to_owned()), Some("012345".into()));
        for bad in ["12345", "1234567", "12345a", "١٢٣٤٥٦", ""] {
            assert_eq!(OneTimeCode::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_code_works_once_and_only_until_it_expires() {
        let mut challenge = CodeChallenge::first(mac("123456"), at(0));
        assert_eq!(challenge.check(&mac("123456"), at(599)), Ok(()));
        assert_eq!(challenge.check(&mac("123456"), at(600)), Err(CodeRefused::Invalid), "used up");
        let mut late = CodeChallenge::first(mac("123456"), at(0));
        assert_eq!(late.check(&mac("123456"), at(600)), Err(CodeRefused::Invalid), "expired at ten minutes");
    }

    #[test]
    fn the_newest_code_wins() {
        let mut challenge = CodeChallenge::first(mac("111111"), at(0));
        challenge.reissue(mac("222222"), at(60));
        assert_eq!(challenge.check(&mac("111111"), at(61)), Err(CodeRefused::Invalid));
        assert_eq!(challenge.check(&mac("222222"), at(62)), Ok(()));
        assert_eq!(challenge.may_resend(at(200)), Resend::Exhausted, "nothing to resend once used");
    }

    #[test]
    fn five_wrong_tries_lock_across_resends_until_the_challenge_expires() {
        let mut challenge = CodeChallenge::first(mac("111111"), at(0));
        for _ in 0..3 {
            assert_eq!(challenge.check(&mac("000000"), at(10)), Err(CodeRefused::Invalid));
        }
        // A resend does not reset the count (a known bug elsewhere).
        challenge.reissue(mac("222222"), at(60));
        for _ in 0..2 {
            assert_eq!(challenge.check(&mac("000000"), at(70)), Err(CodeRefused::Invalid));
        }
        let until = at(60) + CODE_LIFETIME;
        assert_eq!(challenge.check(&mac("222222"), at(71)), Err(CodeRefused::Locked { until }), "even the right code");
        assert_eq!(challenge.may_resend(at(200)), Resend::Exhausted);
        assert_eq!(challenge.expires_at(), until);
    }

    #[test]
    fn resends_wait_sixty_seconds_and_stop_after_three() {
        let mut challenge = CodeChallenge::first(mac("0"), at(0));
        assert_eq!(challenge.may_resend(at(59)), Resend::TooSoon, "held back: nothing sent, nothing counted");
        for n in 1..=MAX_RESENDS {
            let now = at(60 * i64::from(n));
            assert_eq!(challenge.may_resend(now), Resend::Allowed);
            challenge.reissue(mac(&n.to_string()), now);
        }
        assert_eq!(challenge.may_resend(at(240)), Resend::Exhausted, "three beyond the first");
        assert_eq!(challenge.check(&mac("3"), at(241)), Ok(()), "the last code sent still works");
    }

    #[test]
    fn a_challenge_reads_back_as_it_was_kept() {
        let mut challenge = CodeChallenge::first(mac("111111"), at(0));
        let _ = challenge.check(&mac("000000"), at(1));
        let kept = serde_json::to_string(&challenge).unwrap();
        assert!(!kept.contains("111111"), "only the MAC is kept");
        assert_eq!(serde_json::from_str::<CodeChallenge>(&kept).unwrap(), challenge);
    }
}
