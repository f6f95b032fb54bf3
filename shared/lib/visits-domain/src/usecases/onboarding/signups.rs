//! Patient signup (the lander's path): start with who and where, prove the contact with a
//! one-time code, and the patient exists. Every answer to the public is the same whether or not
//! the contact already belongs to a patient; failures count against the source as on `/join`.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::DomainError;
use crate::model::{
    Channel, CodeChallenge, Digest, OneTimeCode, PatientContact, Person, Resend, Signup, SignupId, SignupState, UserId,
};
use crate::ports::{CommitError, ContactClaim, Directory, Mac, Notifier, OutgoingMessage, SignupStore};
use crate::tokens::Tokens;
use crate::usecases::attempts;
use crate::usecases::core::Core;

/// A signup as the lander asks for it, each field already valid.
pub struct SignupRequest {
    pub person: Person,
    pub contact: PatientContact,
    /// Where the code goes; the contact it names is present.
    pub channel: Channel,
}

/// How long the lander has to book with a signup token.
pub const SIGNUP_TOKEN_LIFETIME: chrono::Duration = chrono::Duration::hours(1);

/// `POST /signup/{id}/verify`'s answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignupVerified {
    pub patient_id: UserId,
    /// Books the patient's first visit through `POST /service/visits`, once.
    pub signup_token: String,
    pub expires_at: DateTime<Utc>,
}

/// `POST /signup`'s answer, the same for a new and a known contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignupStarted {
    pub signup_id: SignupId,
    /// The contact, masked.
    pub sent_to: String,
    pub expires_at: DateTime<Utc>,
}

pub struct Signups {
    core: Core,
    tokens: Arc<Tokens>,
    signups: Arc<dyn SignupStore>,
    mac: Arc<dyn Mac>,
    notifier: Arc<dyn Notifier>,
    directory: Arc<dyn Directory>,
}

impl Signups {
    pub fn new(
        core: Core,
        tokens: Arc<Tokens>,
        signups: Arc<dyn SignupStore>,
        mac: Arc<dyn Mac>,
        notifier: Arc<dyn Notifier>,
        directory: Arc<dyn Directory>,
    ) -> Self {
        Self { core, tokens, signups, mac, notifier, directory }
    }

    /// Today by the use case's clock: what a date of birth may not be after.
    pub fn today(&self) -> chrono::NaiveDate {
        self.core.now().date_naive()
    }

    pub async fn start(&self, request: SignupRequest, source_ip: &str) -> Result<SignupStarted, DomainError> {
        let now = self.core.now();
        let id = self.core.ids.signup_id();
        let code = self.core.ids.one_time_code();
        // Independent: the source's count, the MACs of the contact and of the new code, and whether
        // someone in the directory has the contact already (an account made another way: by an
        // admin, an approval, a demo account).
        let contact = contact_message(&request.contact, request.channel)?;
        let in_directory =
            async { self.directory.has_contact(&request.contact, request.channel).await.map_err(DomainError::from) };
        let (_, contact_key, code_mac, in_directory) = futures::try_join!(
            attempts::guard(&self.core, source_ip, now),
            self.mac(&contact),
            self.code_mac(&id, &code),
            in_directory
        )?;
        // A contact an earlier signup claimed, or one the directory knows: the same answer, and a
        // message saying they have an account instead of a code.
        let claimed = self.signups.patient_with_contact(&contact_key).await?;
        let known = claimed.is_some() || in_directory;
        let state = if known { SignupState::KnownContact } else { SignupState::Pending };
        let signup = Signup {
            id: id.clone(),
            person: request.person,
            contact: request.contact,
            channel: request.channel,
            challenge: CodeChallenge::first(code_mac, now),
            state,
            created_at: now,
            version: 1,
        };
        match self.signups.save_signup(&signup, None, None).await {
            Ok(()) => {}
            Err(CommitError::Store(error)) => return Err(DomainError::from(error)),
            Err(other) => return Err(DomainError::Internal(format!("a new signup: {other}"))),
        }
        self.send(&signup, &code).await?;
        Ok(started(&signup))
    }

    /// Sends a new code when the rules allow; answers the same either way (and for unknown ids).
    pub async fn resend(&self, raw_id: &str, source_ip: &str) -> Result<(), DomainError> {
        let now = self.core.now();
        let id = SignupId::parse(raw_id).ok();
        // Independent: the source's count and the signup.
        let read = async {
            match &id {
                Some(id) => self.signups.signup(id).await.map_err(DomainError::from),
                None => Ok(None),
            }
        };
        let (_, signup) = futures::try_join!(attempts::guard(&self.core, source_ip, now), read)?;
        let (Some(id), Some(mut signup)) = (id, signup) else { return Ok(()) };
        if signup.challenge.may_resend(now) != Resend::Allowed {
            return Ok(());
        }
        let code = self.core.ids.one_time_code();
        let read_version = signup.version;
        signup.challenge.reissue(self.code_mac(&id, &code).await?, now);
        signup.version += 1;
        match self.signups.save_signup(&signup, Some(read_version), None).await {
            Ok(()) => self.send(&signup, &code).await,
            // A concurrent resend or verification won: it is the one that counts.
            Err(CommitError::VersionConflict) => Ok(()),
            Err(CommitError::Store(error)) => Err(DomainError::from(error)),
            Err(other) => Err(DomainError::Internal(format!("a resend: {other}"))),
        }
    }

    /// Checks the code; the right one creates the patient (once, however often it is retried) and
    /// answers with the token the lander books with.
    ///
    /// Round trips: the signup ‖ the code's MAC; the user made ‖ the contact's MAC; the signup
    /// marked verified ‖ the token signed ‖ the patient's group.
    pub async fn verify(&self, raw_id: &str, raw_code: &str, source_ip: &str) -> Result<SignupVerified, DomainError> {
        let now = self.core.now();
        let id = SignupId::parse(raw_id).ok();
        let read = |id: SignupId| async move { self.signups.signup(&id).await.map_err(DomainError::from) };
        let mac = |id: SignupId, code: OneTimeCode| async move { self.code_mac(&id, &code).await };
        let challenge = attempts::challenge(&self.core, source_ip, now, (id, raw_code), read, mac).await?;
        let attempts::Challenge { holder: mut signup, presented, seen } = challenge;
        let as_read = signup.clone();
        let read_version = signup.version;
        let checked = signup.check_code(&presented, now);
        signup.version += 1;
        if let Err(refused) = checked {
            let keep = self.save(&signup, read_version, None);
            return Err(attempts::refused_code(&self.core, source_ip, seen, now, refused, keep).await);
        }
        let contact = contact_message(&signup.contact, signup.channel)?;
        let create = async {
            self.directory
                .create_patient(signup.id.as_str(), &signup.person, &signup.contact)
                .await
                .map_err(DomainError::from)
        };
        let (patient_id, contact_key) = futures::try_join!(create, self.mac(&contact))?;
        signup.verified(patient_id.clone(), now);
        let expires_at = now + SIGNUP_TOKEN_LIFETIME;
        let token_id = self.core.ids.token_id();
        let save = self.save(&signup, read_version, Some(ContactClaim::Take(contact_key, patient_id.clone())));
        let grant = async { self.directory.grant_patient(signup.id.as_str()).await.map_err(DomainError::from) };
        let sign = self.tokens.issue_signup(&patient_id, &signup.id, &token_id, now, expires_at);
        let (saved, granted, signed) = futures::join!(save, grant, sign);
        match saved {
            Ok(()) => {}
            // Another signup claimed the contact first, and this signup is as read: the user made
            // for it is nobody's, and goes. Should that fail, it stays unreferenced (logged).
            Err(conflict @ DomainError::Conflict(_)) => {
                if let Err(error) = self.directory.remove_user(signup.id.as_str()).await {
                    tracing::warn!(error = %error, "an unclaimed signup's user was not removed");
                }
                return Err(conflict);
            }
            Err(other) => return Err(other),
        }
        match (granted, signed) {
            (Ok(()), Ok(signup_token)) => Ok(SignupVerified { patient_id, signup_token, expires_at }),
            // Verified without a token or a group is of use to nobody: the verification is undone,
            // so the code works again and the retry finds the user made this time.
            (Err(failure), _) | (_, Err(failure)) => {
                let restored = as_read.restored_over(&signup);
                let release = Some(ContactClaim::Release(contact_key, patient_id));
                if let Err(error) = self.signups.save_signup(&restored, Some(signup.version), release).await {
                    tracing::error!(error = %error, "a verification without its token was not undone");
                }
                Err(failure)
            }
        }
    }

    async fn save(&self, signup: &Signup, read_version: u64, claim: Option<ContactClaim>) -> Result<(), DomainError> {
        match self.signups.save_signup(signup, Some(read_version), claim).await {
            Ok(()) => Ok(()),
            // Another try on the same signup got there first: this one is answered as refused.
            Err(CommitError::VersionConflict) => Err(DomainError::CodeInvalid),
            Err(CommitError::AlreadyExists) => {
                Err(DomainError::Conflict("this contact belongs to a patient already".into()))
            }
            Err(CommitError::Store(error)) => Err(DomainError::from(error)),
            Err(CommitError::LinkUnavailable) => Err(DomainError::Internal("a signup write named a link".into())),
        }
    }

    async fn mac(&self, message: &[u8]) -> Result<Digest, DomainError> {
        self.mac.mac(message).await.map_err(DomainError::from)
    }

    /// A code's MAC is bound to its signup: the same six digits differ per signup.
    async fn code_mac(&self, id: &SignupId, code: &OneTimeCode) -> Result<Digest, DomainError> {
        self.mac(format!("signup-code:{id}:{}", code.expose()).as_bytes()).await
    }

    /// The code, or (to a known contact) word that they have an account already. Nothing else:
    /// no name, no date of birth.
    async fn send(&self, signup: &Signup, code: &OneTimeCode) -> Result<(), DomainError> {
        let minutes = crate::model::CODE_LIFETIME.num_minutes();
        let text = match signup.state {
            SignupState::KnownContact => {
                "You already have an account with us: sign in to the patient portal. If you did not ask to sign up, ignore this message.".to_owned()
            }
            _ => format!("Your sign-up code is {}. It works once, for {minutes} minutes.", code.expose()),
        };
        let message = match signup.channel {
            Channel::Sms => OutgoingMessage::Sms {
                to: signup.contact.phone.clone().ok_or_else(|| DomainError::Internal("no phone to send to".into()))?,
                body: text,
            },
            Channel::Email => OutgoingMessage::Email {
                to: signup.contact.email.clone().ok_or_else(|| DomainError::Internal("no email to send to".into()))?,
                subject: "Your sign-up".into(),
                body: text,
                calendar: None,
            },
        };
        self.notifier
            .send(&message)
            .await
            .map(|_| ())
            .map_err(|_| DomainError::Unavailable { dependency: "notifier", retry_after_seconds: 60 })
    }
}

fn started(signup: &Signup) -> SignupStarted {
    let sent_to = match signup.channel {
        Channel::Sms => signup.contact.phone.as_ref().map(|p| p.masked()),
        Channel::Email => signup.contact.email.as_ref().map(|e| e.masked()),
    };
    SignupStarted {
        signup_id: signup.id.clone(),
        sent_to: sent_to.unwrap_or_default(),
        expires_at: signup.challenge.expires_at(),
    }
}

/// The bytes of the contact the channel names, for its keyed lookup.
fn contact_message(contact: &PatientContact, channel: Channel) -> Result<Vec<u8>, DomainError> {
    let missing = || DomainError::invalid(channel.as_str(), "the channel needs its contact");
    match channel {
        Channel::Sms => contact.phone.as_ref().map(|p| p.lookup_message()).ok_or_else(missing),
        Channel::Email => contact.email.as_ref().map(|e| e.lookup_message()).ok_or_else(missing),
    }
}
