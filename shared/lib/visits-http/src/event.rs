//! API Gateway HTTP API events in and out, without `lambda_http::run`: building the `Request` is
//! where `lambda_http` panics on a malformed `Host` or `X-Forwarded-Proto` (and where a header
//! with bytes it cannot read would silently vanish), so here every such event gets a 400
//! problem+json instead of a dropped invocation. The local server goes through the same door.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};

use lambda_http::aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use lambda_http::http::HeaderMap;
use lambda_http::http::header::HOST;
use lambda_http::request::LambdaRequest;
use lambda_http::{Body, Error, LambdaEvent, Request, Response, lambda_runtime, service_fn};

use crate::Problem;

/// Header values the contract accepts: visible ASCII, space and tab (`HeaderValue::to_str`).
pub fn check_headers(headers: &HeaderMap) -> Result<(), Problem> {
    match headers.iter().find(|(_, value)| value.to_str().is_err()) {
        Some((name, _)) => {
            Err(Problem::invalid_field(name.as_str(), "must hold only visible ASCII characters, spaces and tabs"))
        }
        None => Ok(()),
    }
}

/// The `Request` a handler takes, or the 400 the client gets when the event cannot be one.
pub fn into_request(event: ApiGatewayV2httpRequest) -> Result<Request, Problem> {
    check_headers(&event.headers)?;
    let unreadable = || Problem::invalid_field("Host", "together with X-Forwarded-Proto, must form a valid URL");
    // lambda_http unwraps the URL it builds from Host (else the API's domain) and
    // X-Forwarded-Proto (else https); a client controls both. Checked the same way first, so the
    // common case panics nowhere; the catch below is for whatever else it might unwrap.
    let host = event.headers.get(HOST).and_then(|v| v.to_str().ok()).or(event.request_context.domain_name.as_deref());
    if let Some(host) = host {
        let scheme = event.headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).unwrap_or("https");
        if url::Url::parse(&format!("{scheme}://{host}/")).is_err() {
            return Err(unreadable());
        }
    }
    catch_unwind(AssertUnwindSafe(|| Request::from(LambdaRequest::ApiGatewayV2(event)))).map_err(|_| unreadable())
}

/// The HTTP API's answer for a handler's response. Bodies are text: every body here is JSON.
pub fn into_gateway_response(response: Response<Body>) -> ApiGatewayV2httpResponse {
    let (parts, body) = response.into_parts();
    let mut answer = ApiGatewayV2httpResponse::default();
    answer.status_code = i64::from(parts.status.as_u16());
    answer.headers = parts.headers;
    answer.body = match body {
        Body::Empty => None,
        other => Some(other),
    };
    answer
}

/// `lambda_http::run` for HTTP API events, through [`into_request`].
pub async fn run<F, Fut>(handler: F) -> Result<(), Error>
where
    F: Fn(Request) -> Fut,
    Fut: Future<Output = Result<Response<Body>, Error>>,
{
    let handler = &handler;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<ApiGatewayV2httpRequest>| async move {
        let response = match into_request(event.payload) {
            Ok(request) => handler(request).await?,
            Err(problem) => {
                tracing::info!(status = problem.status, problem = %problem.kind, "request refused before routing");
                problem.into_response()
            }
        };
        Ok::<_, Error>(into_gateway_response(response))
    }))
    .await
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event(headers: serde_json::Value) -> ApiGatewayV2httpRequest {
        serde_json::from_value(json!({
            "version": "2.0", "routeKey": "GET /visits", "rawPath": "/visits", "rawQueryString": "",
            "headers": headers, "isBase64Encoded": false,
            "requestContext": {"routeKey": "GET /visits", "http": {"method": "GET", "path": "/visits"},
                "accountId": "1", "apiId": "a", "domainName": "api.example", "requestId": "r", "stage": "$default"},
        }))
        .expect("an HTTP API event")
    }

    #[test]
    fn a_malformed_host_or_scheme_is_a_400_not_a_panic() {
        for headers in [json!({"host": "bad host^"}), json!({"host": "api.example", "x-forwarded-proto": "ht tp"})] {
            let problem = into_request(event(headers.clone())).expect_err("refused");
            assert_eq!((problem.status, problem.errors[0].field.as_str()), (400, "Host"), "{headers}");
        }
        assert!(into_request(event(json!({"host": "api.example"}))).is_ok());
    }

    #[test]
    fn a_header_with_non_ascii_bytes_is_a_400_naming_it() {
        let problem = into_request(event(json!({"idempotency-key": "clé"}))).expect_err("refused");
        assert_eq!((problem.status, problem.errors[0].field.as_str()), (400, "idempotency-key"));
    }

    #[test]
    fn responses_keep_status_headers_and_body() {
        let response = crate::json(lambda_http::http::StatusCode::CREATED, &json!({"a": 1}));
        let answer = into_gateway_response(response);
        assert_eq!(answer.status_code, 201);
        assert_eq!(answer.headers["content-type"], "application/json");
        assert_eq!(answer.body, Some(Body::Text(r#"{"a":1}"#.into())));
    }
}
