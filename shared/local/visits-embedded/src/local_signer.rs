//! ES256 with a P-256 key held in memory: demo mode's stand-in for the KMS key.

use async_trait::async_trait;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use visits_domain::ports::{Dependency, DependencyError, PublicKey, Signer};

pub struct LocalSigner {
    key: EcdsaKeyPair,
    rng: SystemRandom,
}

impl LocalSigner {
    /// A fresh key: tokens signed by an earlier process no longer verify, as after a key rotation.
    pub fn generate() -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .expect("P-256 key generation does not fail with a working RNG");
        Self::from_pkcs8(pkcs8.as_ref()).expect("a key just generated parses")
    }

    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, String> {
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8).map_err(|e| e.to_string())?;
        Ok(Self { key, rng: SystemRandom::new() })
    }
}

#[async_trait]
impl Signer for LocalSigner {
    async fn public_key(&self) -> Result<PublicKey, DependencyError> {
        PublicKey::from_sec1_tail(self.key.public_key().as_ref())
            .ok_or_else(|| DependencyError::failed(Dependency::Signer, "unexpected public key encoding"))
    }

    async fn sign(&self, message: &[u8]) -> Result<[u8; 64], DependencyError> {
        let signature = self
            .key
            .sign(&self.rng, message)
            .map_err(|e| DependencyError::failed(Dependency::Signer, e.to_string()))?;
        signature
            .as_ref()
            .try_into()
            .map_err(|_| DependencyError::failed(Dependency::Signer, "signature is not 64 bytes"))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use chrono::{DateTime, Duration, Utc};
    use visits_domain::model::{UserId, VisitId};
    use visits_domain::ports::IdSource;
    use visits_domain::testing::CountingIds;
    use visits_domain::tokens::{Audience, TokenRejected, Tokens};

    use super::*;

    fn now() -> DateTime<Utc> {
        "2030-01-01T10:00:00Z".parse().unwrap()
    }

    fn tokens() -> Tokens {
        Tokens::new(Arc::new(LocalSigner::generate()), "video-visits")
    }

    async fn issue(tokens: &Tokens, audience: Audience) -> String {
        let subject = UserId::parse("patient-1").unwrap();
        let visit = VisitId::parse("vis_abcdefghijklmnopqrst").unwrap();
        let id = CountingIds::default().token_id();
        tokens.issue(audience, &subject, &visit, &id, now(), now() + Duration::hours(1)).await.unwrap()
    }

    #[tokio::test]
    async fn a_signed_token_verifies_and_carries_its_claims() {
        let tokens = tokens();
        let token = issue(&tokens, Audience::Link).await;
        let verified = tokens.verify(&token, Audience::Link, now()).await.unwrap().unwrap();
        assert_eq!(verified.visit_id.as_str(), "vis_abcdefghijklmnopqrst");
        assert_eq!(verified.subject.as_str(), "patient-1");
        let signature = URL_SAFE_NO_PAD.decode(token.rsplit('.').next().unwrap()).unwrap();
        assert_eq!(signature.len(), 64, "JWS ES256 wants raw r‖s");
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
        assert_eq!(header.kid.as_deref().map(str::len), Some(16));
    }

    #[tokio::test]
    async fn audience_lifetime_and_signature_are_enforced() {
        let tokens = tokens();
        let link = issue(&tokens, Audience::Link).await;
        let check = |token: String, audience, at| {
            let tokens = &tokens;
            async move { tokens.verify(&token, audience, at).await.unwrap().err() }
        };
        assert_eq!(check(link.clone(), Audience::Session, now()).await, Some(TokenRejected::Invalid));
        assert_eq!(check(link.clone(), Audience::Link, now() + Duration::hours(2)).await, Some(TokenRejected::Expired));
        assert_eq!(
            check(link.clone(), Audience::Link, now() - Duration::minutes(5)).await,
            Some(TokenRejected::NotYetValid)
        );

        let mut tampered = link.clone();
        let claims_start = tampered.find('.').unwrap() + 1;
        tampered.replace_range(claims_start..claims_start + 1, "X");
        assert_eq!(check(tampered, Audience::Link, now()).await, Some(TokenRejected::Invalid));

        let other_key = issue(&self::tokens(), Audience::Link).await;
        assert_eq!(check(other_key, Audience::Link, now()).await, Some(TokenRejected::Invalid));
    }

    #[tokio::test]
    async fn alg_none_is_refused() {
        let tokens = tokens();
        let genuine = issue(&tokens, Audience::Link).await;
        let claims = genuine.split('.').nth(1).unwrap();
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let unsigned = format!("{header}.{claims}.");
        let result = tokens.verify(&unsigned, Audience::Link, now()).await.unwrap();
        assert_eq!(result.err(), Some(TokenRejected::Invalid));
        let hs256 = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let forged = format!("{hs256}.{claims}.{}", URL_SAFE_NO_PAD.encode([0u8; 32]));
        assert_eq!(tokens.verify(&forged, Audience::Link, now()).await.unwrap().err(), Some(TokenRejected::Invalid));
    }
}
