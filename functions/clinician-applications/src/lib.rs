//! `clinician-applications`: a clinician applies and proves their email (public), reads their
//! application with the applicant token; admins list applications and move them through review.

mod view;

use chrono::{DateTime, Utc};
use lambda_http::http::StatusCode;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use visits_domain::model::{
    Applicant, ApplicationStatus, Email, License, Npi, PersonName, PhoneNumber, ReviewText, Specialty,
};

use visits_domain::ports::{ApplicationCursor, ApplicationQuery, UserTokens};
use visits_domain::usecases::{ApplicationReader, Applications, StatusMove};
use visits_http::caller::{caller, source_ip};
use visits_http::input::{bearer, json_body, path_param, query};
use visits_http::{Body, Error, Problem, Request, Response, RouteKey, handle_request, json};

use crate::view::{ApplicationPageView, ApplicationView};

visits_http::routes! {
    pub enum Route {
        Apply => "POST /clinician-applications",
        Verify => "POST /clinician-applications/{applicationId}/verify",
        Read => "GET /clinician-applications/{applicationId}",
        List => "GET /admin/clinician-applications",
        Review => "POST /admin/clinician-applications/{applicationId}/status",
    }
}

pub const ROUTES: &[RouteKey] = Route::KEYS;
/// The routes that answer with a patient's data (each read recorded first).
pub const PATIENT_DATA_ROUTES: &[RouteKey] = Route::PATIENT_DATA;

/// Licences one application may list.
const MAX_LICENSES: usize = 60;
const DEFAULT_PAGE: usize = 20;
const MAX_PAGE: usize = 100;

pub struct App {
    applications: Applications,
    /// Checks an admin's token on the read route, which has no authorizer.
    user_tokens: Arc<dyn UserTokens>,
}

impl App {
    pub fn new(applications: Applications, user_tokens: Arc<dyn UserTokens>) -> Self {
        Self { applications, user_tokens }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ApplyBody {
    given_name: PersonName,
    family_name: PersonName,
    email: Email,
    #[serde(default)]
    phone: Option<PhoneNumber>,
    npi: Npi,
    licenses: Vec<License>,
    #[serde(default)]
    specialty: Option<Specialty>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeBody {
    code: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StatusBody {
    status: ApplicationStatus,
    #[serde(default)]
    note: Option<ReviewText>,
    expected_version: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StartedBody {
    application_id: String,
    sent_to: String,
    expires_at: DateTime<Utc>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VerifiedBody {
    application_id: String,
    applicant_token: String,
    expires_at: DateTime<Utc>,
}

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, Error> {
    handle_request(request, |request| async move {
        let applications = &app.applications;
        match Route::of(&request) {
            Some(Route::Apply) => {
                let body: ApplyBody = json_body(&request)?;
                let applicant = applicant(body)?;
                let started = applications.start(applicant, &source_ip(&request)).await?;
                let body = StartedBody {
                    application_id: started.application_id.to_string(),
                    sent_to: started.sent_to,
                    expires_at: started.expires_at,
                };
                Ok(json(StatusCode::ACCEPTED, &body))
            }
            Some(Route::Verify) => {
                let body: CodeBody = json_body(&request)?;
                let id = path_param(&request, "applicationId");
                let verified = applications.verify(&id, &body.code, &source_ip(&request)).await?;
                let body = VerifiedBody {
                    application_id: verified.application_id.to_string(),
                    applicant_token: verified.applicant_token,
                    expires_at: verified.expires_at,
                };
                Ok(json(StatusCode::OK, &body))
            }
            Some(Route::Read) => {
                // No authorizer on this route (an applicant holds no Cognito token): a user's
                // token is checked here, and anything else is taken for an applicant token.
                let token = bearer(&request).ok_or_else(Problem::unauthenticated)?;
                let staff = app.user_tokens.caller(token).await.map_err(Problem::from)?;
                let reader = match &staff {
                    Some(caller) => ApplicationReader::Staff(caller),
                    None => ApplicationReader::Applicant { token },
                };
                let application = applications.read(reader, &path_param(&request, "applicationId")).await?;
                Ok(json(StatusCode::OK, &ApplicationView::new(&application)))
            }
            Some(Route::List) => {
                let caller = caller(&request)?;
                let page = applications.list(&caller, list_query(&request)?).await?;
                Ok(json(StatusCode::OK, &ApplicationPageView::new(&page)))
            }
            Some(Route::Review) => {
                let caller = caller(&request)?;
                let body: StatusBody = json_body(&request)?;
                let change = StatusMove { to: body.status, note: body.note, expected_version: body.expected_version };
                let id = path_param(&request, "applicationId");
                let application = applications.review(&caller, &id, change).await?;
                Ok(json(StatusCode::OK, &ApplicationView::new(&application)))
            }
            None => Err(Problem::route_not_found()),
        }
    })
    .await
}

/// The body as the domain takes it: one to `MAX_LICENSES` licences.
fn applicant(body: ApplyBody) -> Result<Applicant, Problem> {
    if body.licenses.is_empty() || body.licenses.len() > MAX_LICENSES {
        return Err(Problem::invalid_field("licenses", format!("must list 1 to {MAX_LICENSES} licences")));
    }
    Ok(Applicant {
        given_name: body.given_name,
        family_name: body.family_name,
        email: body.email,
        phone: body.phone,
        npi: body.npi,
        licenses: body.licenses,
        specialty: body.specialty,
    })
}

fn list_query(request: &Request) -> Result<ApplicationQuery, Problem> {
    let status = query(request, "status")
        .map(|raw| serde_json::from_value::<ApplicationStatus>(serde_json::Value::String(raw)))
        .transpose()
        .map_err(|_| {
            Problem::invalid_field(
                "status",
                "must be pending, submitted, under_review, needs_info, approved or rejected",
            )
        })?;
    let limit = match query(request, "limit") {
        None => DEFAULT_PAGE,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
            _ => return Err(Problem::invalid_field("limit", format!("must be a whole number from 1 to {MAX_PAGE}"))),
        },
    };
    let after = query(request, "cursor")
        .map(|raw| ApplicationCursor::decode(&raw))
        .transpose()
        .map_err(|message| Problem::invalid_field("cursor", message))?;
    Ok(ApplicationQuery { status, limit, after })
}
