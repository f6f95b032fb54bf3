//! The local stand-in for Cognito and API Gateway's JWT authorizer: demo accounts, bearer tokens
//! signed with a development key, and the claims API Gateway would hand a function.

use std::collections::HashMap;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

const ISSUER: &str = "video-visits-local-dev";
const AUDIENCE: &str = "video-visits-api";
const LIFETIME_SECONDS: i64 = 12 * 3600;

/// A demo account: its key in `/dev/tokens`, its sign-in name, its role and its fixed `sub`.
pub struct DemoAccount {
    pub key: &'static str,
    pub username: &'static str,
    pub group: &'static str,
    pub sub: &'static str,
}

pub const DEMO_ACCOUNTS: [DemoAccount; 5] = [
    DemoAccount {
        key: "admin",
        username: "admin@demo.health",
        group: "admin",
        sub: "a0000000-0000-4000-8000-000000000001",
    },
    DemoAccount {
        key: "clinician",
        username: "dr@demo.health",
        group: "clinician",
        sub: "c0000000-0000-4000-8000-000000000001",
    },
    DemoAccount {
        key: "patient",
        username: "patient@demo.health",
        group: "patient",
        sub: "b0000000-0000-4000-8000-000000000001",
    },
    DemoAccount {
        key: "clinician2",
        username: "dr2@demo.health",
        group: "clinician",
        sub: "c0000000-0000-4000-8000-000000000002",
    },
    DemoAccount {
        key: "patient2",
        username: "patient2@demo.health",
        group: "patient",
        sub: "b0000000-0000-4000-8000-000000000002",
    },
];

/// The lander backend's app client: `GET /dev/tokens` gives it a client-credentials token.
pub const LANDER_CLIENT_ID: &str = "lander-demo-client";

#[derive(Serialize, Deserialize)]
struct DevClaims {
    iss: String,
    aud: String,
    sub: String,
    /// A person's token has groups; a client-credentials token has a scope and its client id.
    #[serde(rename = "cognito:groups", default, skip_serializing_if = "Vec::is_empty")]
    groups: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    token_use: String,
    iat: i64,
    exp: i64,
}

pub struct DevAuth {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl DevAuth {
    /// A fresh development key per process: tokens from an earlier run stop working.
    pub fn generate() -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).expect("key generation");
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).expect("fresh key");
        Self {
            encoding: EncodingKey::from_ec_der(pkcs8.as_ref()),
            decoding: DecodingKey::from_ec_der(pair.public_key().as_ref()),
        }
    }

    /// `GET /dev/tokens`: a bearer token per demo account, and each account's `sub`.
    pub fn tokens_body(&self) -> serde_json::Value {
        let now = chrono::Utc::now().timestamp();
        let mut body = serde_json::Map::new();
        let mut subs = serde_json::Map::new();
        for account in &DEMO_ACCOUNTS {
            body.insert(account.key.into(), self.issue(account, now).into());
            subs.insert(account.key.into(), account.sub.into());
        }
        body.insert("lander".into(), self.issue_lander(now).into());
        subs.insert("lander".into(), LANDER_CLIENT_ID.into());
        body.insert("subs".into(), subs.into());
        body.into()
    }

    fn issue(&self, account: &DemoAccount, now: i64) -> String {
        self.issue_user(account.sub, account.group, now)
    }

    /// A person's token: `sub` in `group`.
    pub fn issue_user(&self, sub: &str, group: &str, now: i64) -> String {
        self.sign(DevClaims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: sub.into(),
            groups: vec![group.into()],
            scope: None,
            client_id: None,
            token_use: "access".into(),
            iat: now,
            exp: now + LIFETIME_SECONDS,
        })
    }

    /// The lander backend's client-credentials token: a scope, no groups, no person.
    fn issue_lander(&self, now: i64) -> String {
        self.sign(DevClaims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: LANDER_CLIENT_ID.into(),
            groups: Vec::new(),
            scope: Some(visits_domain::model::ServiceClient::SCHEDULE_SCOPE.into()),
            client_id: Some(LANDER_CLIENT_ID.into()),
            token_use: "access".into(),
            iat: now,
            exp: now + LIFETIME_SECONDS,
        })
    }

    fn sign(&self, claims: DevClaims) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::ES256), &claims, &self.encoding).unwrap_or_default()
    }

    /// Verifies a bearer token as API Gateway's JWT authorizer would, and returns the claims in
    /// the form it hands the function: strings, with a list flattened to `"[a b]"`.
    pub fn authorize(&self, bearer: &str) -> Option<HashMap<String, String>> {
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[ISSUER]);
        validation.leeway = 5;
        let claims =
            jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(bearer, &self.decoding, &validation)
                .ok()?
                .claims;
        Some(
            claims
                .into_iter()
                .map(|(name, value)| {
                    let flat = match value {
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Array(items) => format!(
                            "[{}]",
                            items
                                .iter()
                                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                                .collect::<Vec<_>>()
                                .join(" ")
                        ),
                        other => other.to_string(),
                    };
                    (name, flat)
                })
                .collect(),
        )
    }
}

/// The functions' check of a user's token on routes without an authorizer, locally: the
/// development key's tokens, as `authorize` reads them.
#[async_trait::async_trait]
impl visits_domain::ports::UserTokens for DevAuth {
    async fn caller(
        &self,
        bearer: &str,
    ) -> Result<Option<visits_domain::model::Caller>, visits_domain::ports::DependencyError> {
        let Some(claims) = self.authorize(bearer) else { return Ok(None) };
        let groups = claims.get("cognito:groups").map(|g| g.trim_matches(['[', ']']).to_owned()).unwrap_or_default();
        let sub = claims.get("sub").cloned().unwrap_or_default();
        Ok(visits_domain::model::Caller::from_groups(&sub, groups.split(' ')))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_authorize_with_flattened_groups() {
        let auth = DevAuth::generate();
        let token = auth.issue(&DEMO_ACCOUNTS[1], chrono::Utc::now().timestamp());
        let claims = auth.authorize(&token).unwrap();
        assert_eq!(claims["cognito:groups"], "[clinician]");
        assert_eq!(claims["sub"], DEMO_ACCOUNTS[1].sub);
    }

    #[test]
    fn the_lander_token_has_a_scope_and_no_groups() {
        let auth = DevAuth::generate();
        let claims = auth.authorize(&auth.issue_lander(chrono::Utc::now().timestamp())).unwrap();
        assert_eq!(claims["scope"], "video-visits/visits.schedule");
        assert_eq!(claims["client_id"], LANDER_CLIENT_ID);
        assert!(!claims.contains_key("cognito:groups"));
    }

    #[test]
    fn foreign_and_expired_tokens_do_not_authorize() {
        let auth = DevAuth::generate();
        let other = DevAuth::generate().issue(&DEMO_ACCOUNTS[0], chrono::Utc::now().timestamp());
        assert!(auth.authorize(&other).is_none());
        let expired = auth.issue(&DEMO_ACCOUNTS[0], chrono::Utc::now().timestamp() - LIFETIME_SECONDS - 60);
        assert!(auth.authorize(&expired).is_none());
        assert!(auth.authorize("not-a-jwt").is_none());
    }
}
