//! A signed-in user's access token, checked by Cognito itself (`GetUser`: signature, expiry,
//! revocation) on the routes that have no authorizer. `GetUser` accepts any pool's token, so the
//! claims must also name this pool (`iss`), an access token, and one of its app clients.

use async_trait::async_trait;
use aws_sdk_cognitoidentityprovider::Client;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use visits_domain::model::Caller;
use visits_domain::ports::{Dependency, DependencyError, UserTokens};

/// The client is built on first use: most requests carry no user token (an applicant's or the
/// authorizer's), and a cold start then builds one client fewer.
pub struct CognitoUserTokens {
    client: visits_aws::OnDemand<Client>,
    issuer: String,
    /// The app clients whose tokens are accepted (the portal's and the desk's).
    clients: Vec<String>,
}

#[derive(Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    token_use: String,
    client_id: String,
    #[serde(default, rename = "cognito:groups")]
    groups: Vec<String>,
}

impl CognitoUserTokens {
    /// Tokens of pool `user_pool_id` (in `region`) issued to one of `clients`.
    pub fn new(client: Client, region: &str, user_pool_id: &str, clients: Vec<String>) -> Self {
        Self::over(visits_aws::OnDemand::built(client), region, user_pool_id, clients)
    }

    pub(crate) fn over(
        client: visits_aws::OnDemand<Client>,
        region: &str,
        user_pool_id: &str,
        clients: Vec<String>,
    ) -> Self {
        Self { client, issuer: format!("https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"), clients }
    }

    /// The claims of a token shaped like Cognito's (RS256), unchecked: `None` for anything else,
    /// which then costs no call.
    fn claims(bearer: &str) -> Option<Claims> {
        let mut parts = bearer.split('.');
        let (header, payload) = (parts.next()?, parts.next()?);
        parts.next()?;
        let header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
        if header["alg"] != "RS256" {
            return None;
        }
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
    }
}

#[async_trait]
impl UserTokens for CognitoUserTokens {
    async fn caller(&self, bearer: &str) -> Result<Option<Caller>, DependencyError> {
        let Some(claims) = Self::claims(bearer) else { return Ok(None) };
        let ours =
            claims.iss == self.issuer && claims.token_use == "access" && self.clients.contains(&claims.client_id);
        if !ours {
            return Ok(None);
        }
        match self.client.get(Client::new).get_user().access_token(bearer).send().await {
            // Cognito vouched for the token: its claims are the pool's own.
            Ok(_) => Ok(Caller::from_groups(&claims.sub, claims.groups.iter().map(String::as_str))),
            Err(error) if error.as_service_error().is_some_and(|e| e.is_not_authorized_exception()) => Ok(None),
            Err(error) => {
                Err(visits_aws::SdkFailure::of("cognito", &error).into_error_by_code(Dependency::IdentityProvider))
            }
        }
    }
}
