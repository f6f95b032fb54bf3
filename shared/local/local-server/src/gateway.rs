//! Turns a local HTTP request into the API Gateway HTTP API (payload v2) event Lambda would
//! receive, parsed by `lambda_http` itself, and a handler's response back into HTTP.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http_body_util::Full;
use hyper::body::Bytes;
use lambda_http::http::request::Parts;
use lambda_http::{Body, Request, Response};
use serde_json::{Value, json};
use visits_http::Problem;

pub struct GatewayContext<'a> {
    pub route_key: &'a str,
    pub path_parameters: HashMap<String, String>,
    pub source_ip: String,
    pub request_id: String,
    pub claims: Option<HashMap<String, String>>,
}

/// The event API Gateway would send, turned into a request as the functions turn theirs
/// ([`visits_http::event::into_request`]): what they would refuse, this refuses the same way.
pub fn lambda_request(parts: &Parts, body: &[u8], context: GatewayContext<'_>) -> Result<Request, Problem> {
    visits_http::event::check_headers(&parts.headers)?;
    let mut headers = serde_json::Map::new();
    for name in parts.headers.keys() {
        let values: Vec<&str> = parts.headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect();
        headers.insert(name.as_str().to_owned(), Value::String(values.join(",")));
    }
    let (body, is_base64) = match std::str::from_utf8(body) {
        Ok(text) => (text.to_owned(), false),
        Err(_) => (STANDARD.encode(body), true),
    };
    let now = chrono::Utc::now();
    let mut request_context = json!({
        "accountId": "000000000000",
        "apiId": "local",
        "domainName": "127.0.0.1",
        "domainPrefix": "local",
        "http": {
            "method": parts.method.as_str(),
            "path": parts.uri.path(),
            "protocol": "HTTP/1.1",
            "sourceIp": context.source_ip,
            "userAgent": parts.headers.get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or(""),
        },
        "requestId": context.request_id,
        "routeKey": context.route_key,
        "stage": "$default",
        "time": now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
        "timeEpoch": now.timestamp_millis(),
    });
    if let Some(claims) = context.claims {
        request_context["authorizer"] = json!({ "jwt": { "claims": claims, "scopes": null } });
    }
    let mut event = json!({
        "version": "2.0",
        "routeKey": context.route_key,
        "rawPath": parts.uri.path(),
        "rawQueryString": parts.uri.query().unwrap_or(""),
        "headers": headers,
        "requestContext": request_context,
        "isBase64Encoded": is_base64,
    });
    if !context.path_parameters.is_empty() {
        event["pathParameters"] = json!(context.path_parameters);
    }
    if !body.is_empty() {
        event["body"] = Value::String(body);
    }
    let event = serde_json::from_value(event).map_err(|_| Problem::invalid_field("request", "cannot be read"))?;
    visits_http::event::into_request(event)
}

pub fn http_response(response: Response<Body>) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = response.into_parts();
    let bytes = match body {
        Body::Text(text) => Bytes::from(text),
        Body::Binary(bytes) => Bytes::from(bytes),
        _ => Bytes::new(),
    };
    hyper::Response::from_parts(parts, Full::new(bytes))
}
