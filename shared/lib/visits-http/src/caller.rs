//! Who is calling, from the claims API Gateway's JWT authorizer put in the request context.

use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use visits_domain::DomainError;
use visits_domain::model::{Caller, RequestInfo, Role, ServiceClient, UserId};

/// The caller named by the authorizer's claims: `sub` and the `cognito:groups` role.
/// No claims (no authorizer ran) is 401; a token without a known role is 403.
pub fn caller(request: &Request) -> Result<Caller, DomainError> {
    let claims = claims(request).ok_or(DomainError::Unauthenticated)?;
    let id = claims.get("sub").and_then(|sub| UserId::parse(sub).ok()).ok_or(DomainError::Unauthenticated)?;
    let role = claims.get("cognito:groups").and_then(|groups| strongest_role(groups)).ok_or(DomainError::Forbidden)?;
    Ok(Caller { id, role })
}

/// The backend calling with a client-credentials token that carries `scope`: its app client id
/// is `client_id` (Cognito access tokens) or `sub`. A person's token (it has groups) or one
/// without the scope is 403; no claims is 401.
pub fn service_client(request: &Request, scope: &str) -> Result<ServiceClient, DomainError> {
    let claims = claims(request).ok_or(DomainError::Unauthenticated)?;
    let scoped = claims.get("scope").is_some_and(|scopes| scopes.split(' ').any(|s| s == scope));
    if !scoped || claims.contains_key("cognito:groups") || claims.contains_key("username") {
        return Err(DomainError::Forbidden);
    }
    let id = claims.get("client_id").or_else(|| claims.get("sub"));
    let id = id.and_then(|id| UserId::parse(id).ok()).ok_or(DomainError::Unauthenticated)?;
    Ok(ServiceClient { id })
}

/// Whether an authorizer put claims on the request (a route without one has none).
pub fn has_claims(request: &Request) -> bool {
    claims(request).is_some()
}

fn claims(request: &Request) -> Option<&std::collections::HashMap<String, String>> {
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => {
            context.authorizer.as_ref().and_then(|a| a.jwt.as_ref()).map(|jwt| &jwt.claims)
        }
        _ => None,
    }
}

/// The strongest role in a groups claim, in every form API Gateway hands it over: a JSON array,
/// a flattened `"[clinician admin]"`, or a single name.
fn strongest_role(claim: &str) -> Option<Role> {
    let names: Vec<String> = match serde_json::from_str::<Vec<String>>(claim) {
        Ok(list) => list,
        Err(_) => claim
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split([' ', ','])
            .map(|name| name.trim().trim_matches('"').to_owned())
            .collect(),
    };
    names.iter().filter_map(|name| Role::parse(name)).max()
}

/// The client's address as API Gateway saw it.
pub fn source_ip(request: &Request) -> String {
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.http.source_ip.clone(),
        _ => None,
    }
    .unwrap_or_else(|| "unknown".into())
}

/// API Gateway's route key, e.g. `POST /visits/{visitId}/cancel`.
pub fn route_key(request: &Request) -> Option<&str> {
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.route_key.as_deref(),
        _ => None,
    }
}

/// API Gateway's id of this request, for log correlation.
pub fn request_id(request: &Request) -> Option<&str> {
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.request_id.as_deref(),
        _ => None,
    }
}

/// What an access record keeps of the request: API Gateway's request id, the app client the
/// token was issued to (`client_id` of access tokens, `aud` of ID tokens), the source address.
pub fn request_info(request: &Request) -> RequestInfo {
    let client = claims(request).and_then(|claims| claims.get("client_id").or_else(|| claims.get("aud"))).cloned();
    RequestInfo {
        request_id: request_id(request).unwrap_or("unknown").to_owned(),
        client,
        source_ip: Some(source_ip(request)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_claim_parses_in_every_form_api_gateway_uses() {
        assert_eq!(strongest_role("[clinician admin]"), Some(Role::Admin));
        assert_eq!(strongest_role("[patient]"), Some(Role::Patient));
        assert_eq!(strongest_role("clinician"), Some(Role::Clinician));
        assert_eq!(strongest_role(r#"["patient","clinician"]"#), Some(Role::Clinician));
        assert_eq!(strongest_role("[nurse]"), None);
        assert_eq!(strongest_role(""), None);
    }
}
