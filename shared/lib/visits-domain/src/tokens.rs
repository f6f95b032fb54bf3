//! ES256 JWTs for join links and sessions. Signing goes through the [`Signer`] port (KMS or a
//! local key); verification is local, with the public key fetched once and cached.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

use crate::DomainError;
use crate::model::{ApplicationId, Digest, SignupId, TokenId, UserId, VisitId};
use crate::ports::{PublicKey, Signer};

/// Tolerated clock skew between the signer and a verifier.
const LEEWAY_SECONDS: i64 = 5;

/// What a token is for. The audiences differ so one can never stand in for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// A join link: redeemed once for a session token.
    Link,
    /// A session token: joins the visit's room until the join window closes.
    Session,
    /// A signup token: the lander books the verified patient's first visit with it, once.
    Signup,
    /// An applicant token: a clinician applicant reads their application and uploads to it.
    Applicant,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Link => "video-visits:link",
            Self::Session => "video-visits:session",
            Self::Signup => "video-visits:signup",
            Self::Applicant => "video-visits:applicant",
        }
    }
}

/// The claims every token carries, and what its audience adds (`extra`, flattened into the same
/// object): [`VisitClaim`] for links and sessions, [`SignupClaim`] for signup tokens, nothing
/// for applicant tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims<T> {
    pub iss: String,
    pub aud: String,
    /// The participant (links, sessions), the patient (signups), the application (applicants).
    pub sub: String,
    pub jti: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    #[serde(flatten)]
    pub extra: T,
}

/// A link's or session token's visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitClaim {
    pub vid: String,
}

/// A signup token's signup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupClaim {
    pub sid: String,
}

/// An applicant token adds nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoClaim {}

/// A verified signup token's meaning.
#[derive(Debug, Clone)]
pub struct VerifiedSignup {
    pub patient_id: UserId,
    pub signup_id: SignupId,
    pub token_id: TokenId,
    pub expires_at: DateTime<Utc>,
}

/// Why a token was refused. Callers answer all of these the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenRejected {
    #[error("malformed or badly signed")]
    Invalid,
    #[error("expired")]
    Expired,
    #[error("not valid yet")]
    NotYetValid,
}

/// A verified token's meaning.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    pub subject: UserId,
    pub visit_id: VisitId,
    pub token_id: TokenId,
    pub expires_at: DateTime<Utc>,
}

struct VerifyingKey {
    kid: String,
    key: DecodingKey,
}

pub struct Tokens {
    signer: Arc<dyn Signer>,
    issuer: String,
    /// Fetched once; concurrent first callers wait for the one fetch.
    verifying_key: OnceCell<VerifyingKey>,
    prefetching: AtomicBool,
}

impl Tokens {
    pub fn new(signer: Arc<dyn Signer>, issuer: impl Into<String>) -> Self {
        Self { signer, issuer: issuer.into(), verifying_key: OnceCell::new(), prefetching: AtomicBool::new(false) }
    }

    /// The key id: derived from the public key, so KMS and local keys name themselves alike.
    pub fn key_id(public_key: &PublicKey) -> String {
        let mut point = Vec::with_capacity(65);
        point.push(0x04);
        point.extend_from_slice(&public_key.x);
        point.extend_from_slice(&public_key.y);
        Digest::of(&point).to_hex()[..16].to_owned()
    }

    /// Fetches the public key now, so that no request waits for it later.
    pub async fn warm(&self) -> Result<(), DomainError> {
        self.verifying_key().await.map(|_| ())
    }

    /// Starts fetching the public key in the background, the first time only: called as each
    /// request begins, the first request of a process reads the store beside the fetch instead of
    /// after it, and init does not pay for it. Call inside the Tokio runtime.
    pub fn prefetch(self: &Arc<Self>) {
        if self.verifying_key.initialized() || self.prefetching.swap(true, Ordering::Relaxed) {
            return;
        }
        let tokens = self.clone();
        tokio::spawn(async move {
            if let Err(error) = tokens.warm().await {
                // The request that needs the key fetches it again and answers honestly.
                tracing::warn!(error = %error, "the signing key's public half is not fetched yet");
            }
        });
    }

    async fn verifying_key(&self) -> Result<&VerifyingKey, DomainError> {
        self.verifying_key
            .get_or_try_init(|| async {
                let public_key = self.signer.public_key().await?;
                let key = DecodingKey::from_ec_components(
                    &URL_SAFE_NO_PAD.encode(public_key.x),
                    &URL_SAFE_NO_PAD.encode(public_key.y),
                )
                .map_err(|e| DomainError::Internal(format!("public key: {e}")))?;
                Ok(VerifyingKey { kid: Self::key_id(&public_key), key })
            })
            .await
    }

    /// Signs a token for `subject` and `visit_id`, valid from `now` until `expires_at`.
    pub async fn issue(
        &self,
        audience: Audience,
        subject: &UserId,
        visit_id: &VisitId,
        token_id: &TokenId,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<String, DomainError> {
        let extra = VisitClaim { vid: visit_id.to_string() };
        self.sign_claims(&self.claims(audience, subject.as_str(), token_id, now, expires_at, extra)).await
    }

    /// Signs a signup token for the patient `patient_id` that signup `signup_id` made.
    pub async fn issue_signup(
        &self,
        patient_id: &UserId,
        signup_id: &SignupId,
        token_id: &TokenId,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<String, DomainError> {
        let extra = SignupClaim { sid: signup_id.to_string() };
        self.sign_claims(&self.claims(Audience::Signup, patient_id.as_str(), token_id, now, expires_at, extra)).await
    }

    /// Signs an applicant token for application `id`.
    pub async fn issue_applicant(
        &self,
        id: &ApplicationId,
        token_id: &TokenId,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<String, DomainError> {
        let claims = self.claims(Audience::Applicant, id.as_str(), token_id, now, expires_at, NoClaim {});
        self.sign_claims(&claims).await
    }

    /// This issuer's claims for `audience`, valid from `now` until `expires_at`.
    fn claims<T>(
        &self,
        audience: Audience,
        subject: &str,
        token_id: &TokenId,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        extra: T,
    ) -> Claims<T> {
        Claims {
            iss: self.issuer.clone(),
            aud: audience.as_str().to_owned(),
            sub: subject.to_owned(),
            jti: token_id.expose().to_owned(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            exp: expires_at.timestamp(),
            extra,
        }
    }

    /// The application an applicant token names, checked as [`Tokens::verify`] checks the others.
    pub async fn verify_applicant(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<ApplicationId, TokenRejected>, DomainError> {
        let key = self.verifying_key().await?;
        Ok(self
            .decode::<NoClaim>(key, token, Audience::Applicant, now)
            .and_then(|claims| ApplicationId::parse(&claims.sub).map_err(|_| TokenRejected::Invalid)))
    }

    /// Checks a signup token as [`Tokens::verify`] checks the others.
    pub async fn verify_signup(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<VerifiedSignup, TokenRejected>, DomainError> {
        let key = self.verifying_key().await?;
        Ok(self.decode::<SignupClaim>(key, token, Audience::Signup, now).and_then(|claims| {
            Ok(VerifiedSignup {
                patient_id: UserId::parse(&claims.sub).map_err(|_| TokenRejected::Invalid)?,
                signup_id: SignupId::parse(&claims.extra.sid).map_err(|_| TokenRejected::Invalid)?,
                token_id: TokenId::from_claim(claims.jti),
                expires_at: DateTime::from_timestamp(claims.exp, 0).ok_or(TokenRejected::Invalid)?,
            })
        }))
    }

    /// A JWS of `claims`, ES256 by the signer, with the key's `kid`.
    async fn sign_claims(&self, claims: &impl Serialize) -> Result<String, DomainError> {
        let kid = self.verifying_key().await?.kid.clone();
        let header = serde_json::json!({ "alg": "ES256", "typ": "JWT", "kid": kid });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).map_err(|e| DomainError::Internal(e.to_string()))?)
        );
        let signature = self.signer.sign(signing_input.as_bytes()).await?;
        Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }

    /// A JWS of `document` (a seal: no registered claims), ES256 by the signer, with its `kid`.
    pub async fn sign_document(&self, document: &impl Serialize) -> Result<String, DomainError> {
        self.sign_claims(document).await
    }

    /// The document a JWS holds, when it is ES256 by this signer's key; `None` when it is not.
    pub async fn verify_document<T: DeserializeOwned>(&self, jws: &str) -> Result<Option<T>, DomainError> {
        let key = self.verifying_key().await?;
        let Ok(header) = jsonwebtoken::decode_header(jws) else { return Ok(None) };
        if header.alg != Algorithm::ES256 || header.kid.as_deref() != Some(key.kid.as_str()) {
            return Ok(None);
        }
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_required_spec_claims::<&str>(&[]);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        Ok(jsonwebtoken::decode::<T>(jws, &key.key, &validation).ok().map(|data| data.claims))
    }

    /// Checks signature (ES256 only), key id, issuer, audience and lifetime against `now`.
    pub async fn verify(
        &self,
        token: &str,
        audience: Audience,
        now: DateTime<Utc>,
    ) -> Result<Result<VerifiedToken, TokenRejected>, DomainError> {
        let key = self.verifying_key().await?;
        Ok(self.verify_with(key, token, audience, now))
    }

    fn verify_with(
        &self,
        key: &VerifyingKey,
        token: &str,
        audience: Audience,
        now: DateTime<Utc>,
    ) -> Result<VerifiedToken, TokenRejected> {
        let claims = self.decode::<VisitClaim>(key, token, audience, now)?;
        let subject = UserId::parse(&claims.sub).map_err(|_| TokenRejected::Invalid)?;
        let visit_id = VisitId::parse(&claims.extra.vid).map_err(|_| TokenRejected::Invalid)?;
        let expires_at = DateTime::from_timestamp(claims.exp, 0).ok_or(TokenRejected::Invalid)?;
        Ok(VerifiedToken { subject, visit_id, token_id: TokenId::from_claim(claims.jti), expires_at })
    }

    /// Checks signature (ES256 only), key id, issuer, audience and lifetime against `now`, and
    /// reads the claims.
    fn decode<T: DeserializeOwned>(
        &self,
        key: &VerifyingKey,
        token: &str,
        audience: Audience,
        now: DateTime<Utc>,
    ) -> Result<Claims<T>, TokenRejected> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenRejected::Invalid)?;
        if header.alg != Algorithm::ES256 || header.kid.as_deref() != Some(key.kid.as_str()) {
            return Err(TokenRejected::Invalid);
        }
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_audience(&[audience.as_str()]);
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "aud", "iss", "sub"]);
        // Lifetime is checked below against the injected clock, not the system's.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        let claims =
            jsonwebtoken::decode::<Claims<T>>(token, &key.key, &validation).map_err(|_| TokenRejected::Invalid)?.claims;
        let now = now.timestamp();
        if claims.nbf > now + LEEWAY_SECONDS {
            return Err(TokenRejected::NotYetValid);
        }
        if claims.exp <= now - LEEWAY_SECONDS {
            return Err(TokenRejected::Expired);
        }
        Ok(claims)
    }
}
