//! RFC 9457 problem details. Every 4xx/5xx body is one of these.

use chrono::{DateTime, Utc};
use lambda_http::http::{StatusCode, header};
use lambda_http::{Body, Response};
use serde::Serialize;
use serde_json::{Map, Value};
use visits_domain::{DomainError, FieldError};

#[derive(Debug, Clone, Serialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// Extension members, e.g. `opensAt` for a join window that has not opened.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
    #[serde(skip)]
    pub retry_after_seconds: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, slug: &str, title: &'static str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("urn:video-visits:problem:{slug}"),
            title,
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            extensions: Map::new(),
            retry_after_seconds: None,
        }
    }

    /// A 400 naming the fields at fault.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("{} {}", one.field, one.message),
            many => format!("{} fields are invalid", many.len()),
        };
        let mut problem = Self::new(StatusCode::BAD_REQUEST, "invalid-request", "Invalid request", detail);
        problem.errors = errors.into_iter().map(|e| FieldProblem { field: e.field, message: e.message }).collect();
        problem
    }

    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::new(field, message)])
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Authentication required",
            "a valid bearer token is required",
        )
    }

    pub fn route_not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "route-not-found", "Not found", "no such route")
    }

    /// The one refusal for every unusable link, whatever the reason.
    pub fn link_unavailable(status: StatusCode) -> Self {
        Self::new(
            status,
            "link-unavailable",
            "Link unavailable",
            "this link cannot be used; ask the clinic for a new one",
        )
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extensions.insert(key.to_owned(), value.into());
        self
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn into_response(self) -> Response<Body> {
        let mut builder = Response::builder()
            .status(self.status())
            .header(header::CONTENT_TYPE, "application/problem+json")
            .header(header::CACHE_CONTROL, "no-store");
        if let Some(seconds) = self.retry_after_seconds {
            builder = builder.header(header::RETRY_AFTER, seconds.to_string());
        }
        if self.status == 401 {
            builder = builder.header(header::WWW_AUTHENTICATE, "Bearer");
        }
        let body = serde_json::to_string(&self).unwrap_or_default();
        builder.body(Body::Text(body)).unwrap_or_else(|_| Response::new(Body::Empty))
    }
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A dependency's failure answered directly (e.g. a user's token that could not be checked where
/// no authorizer ran: the identity provider's trouble, never the caller's).
impl From<visits_domain::ports::DependencyError> for Problem {
    fn from(error: visits_domain::ports::DependencyError) -> Self {
        DomainError::from(error).into()
    }
}

impl From<DomainError> for Problem {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::Invalid(errors) => Problem::invalid(errors),
            DomainError::Rule { field, detail } => {
                let mut problem = Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "rule-violation",
                    "Request breaks a rule",
                    detail.clone(),
                );
                if let Some(field) = field {
                    problem.errors.push(FieldProblem { field: field.to_owned(), message: detail });
                }
                problem
            }
            DomainError::Unauthenticated => Problem::unauthenticated(),
            DomainError::Forbidden => {
                Problem::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", "your role does not allow this")
            }
            DomainError::VisitNotFound => {
                Problem::new(StatusCode::NOT_FOUND, "visit-not-found", "Visit not found", "no such visit")
            }
            DomainError::ApplicationNotFound => Problem::new(
                StatusCode::NOT_FOUND,
                "application-not-found",
                "Application not found",
                "no such application",
            ),
            DomainError::GuestNotFound => {
                Problem::new(StatusCode::NOT_FOUND, "guest-not-found", "Guest not found", "the visit has no such guest")
            }
            DomainError::UploadNotFound => {
                Problem::new(StatusCode::NOT_FOUND, "upload-not-found", "Upload not found", "no such upload")
            }
            DomainError::PatientNotFound => {
                Problem::new(StatusCode::NOT_FOUND, "patient-not-found", "Patient not found", "no such patient")
            }
            DomainError::Conflict(detail) => Problem::new(StatusCode::CONFLICT, "conflict", "Conflict", detail),
            DomainError::OutsideJoinWindow { opens_at, closes_at } => Problem::new(
                StatusCode::CONFLICT,
                "outside-join-window",
                "Not open for joining",
                "the visit can be joined from opensAt until closesAt",
            )
            .with("opensAt", rfc3339(opens_at))
            .with("closesAt", rfc3339(closes_at)),
            DomainError::LinkUnavailable => Problem::link_unavailable(StatusCode::GONE),
            DomainError::CodeInvalid => Problem::new(
                StatusCode::BAD_REQUEST,
                "code-invalid",
                "Code not valid",
                "The code is wrong, expired or already used. Ask for a new one.",
            ),
            DomainError::TermsNotAccepted(version) => Problem::new(
                StatusCode::CONFLICT,
                "consent-required",
                "Consent required",
                "accept the clinic's telehealth terms (PUT /join/session/consent) before joining",
            )
            .with("telehealthTerms", version.as_str()),
            DomainError::ConsentMissing { capture, missing } => Problem::new(
                StatusCode::CONFLICT,
                "consent-required",
                "Consent required",
                format!("everyone in the room must consent to the {capture} first; `missing` names who has not"),
            )
            .with("missing", missing.iter().map(ToString::to_string).collect::<Vec<_>>()),
            DomainError::VisitClosed(status) => {
                Problem::new(StatusCode::GONE, "visit-closed", "Visit closed", format!("the visit is {status}"))
                    .with("visitStatus", status.as_str())
            }
            DomainError::TooManyAttempts { retry_after_seconds } => {
                let mut problem = Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too-many-attempts",
                    "Too many attempts",
                    "too many failed attempts; try again later",
                );
                problem.retry_after_seconds = Some(retry_after_seconds);
                problem
            }
            DomainError::Unavailable { dependency, retry_after_seconds } => {
                let mut problem = Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "dependency-unavailable",
                    "Temporarily unavailable",
                    format!("the {dependency} is unavailable or busy; nothing was changed, retry later"),
                );
                problem.retry_after_seconds = Some(retry_after_seconds.max(1));
                problem
            }
            DomainError::Internal(message) => {
                tracing::error!(error = %message, "internal error");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal error",
                    "an unexpected error occurred",
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_answers_503_with_retry_after() {
        let response =
            Problem::from(DomainError::Unavailable { dependency: "store", retry_after_seconds: 2 }).into_response();
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["retry-after"], "2");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }

    #[test]
    fn join_window_problem_carries_opens_at() {
        let opens_at = "2030-01-01T09:45:00Z".parse().unwrap();
        let closes_at = "2030-01-01T10:45:00Z".parse().unwrap();
        let problem = Problem::from(DomainError::OutsideJoinWindow { opens_at, closes_at });
        let json = serde_json::to_value(&problem).unwrap();
        assert_eq!(json["status"], 409);
        assert_eq!(json["opensAt"], "2030-01-01T09:45:00Z");
    }

    #[test]
    fn rule_violations_name_their_field() {
        let json =
            serde_json::to_value(Problem::from(DomainError::rule("scheduledAt", "must be in the future"))).unwrap();
        assert_eq!(json["status"], 422);
        assert_eq!(json["errors"][0]["field"], "scheduledAt");
    }
}
