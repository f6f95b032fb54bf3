//! `signup`: the lander's public signup routes. Start with who and where, resend the code, verify
//! it. Every answer is the same whether or not the contact already belongs to a patient.

use chrono::{DateTime, NaiveDate, Utc};
use lambda_http::http::StatusCode;
use serde::{Deserialize, Serialize};
use visits_domain::DomainError;
use visits_domain::model::{Channel, DateOfBirth, Email, PatientContact, Person, PersonName, PhoneNumber};
use visits_domain::usecases::{SignupRequest, Signups};
use visits_http::caller::source_ip;
use visits_http::input::{json_body, no_body, path_param};
use visits_http::{Body, Error, Problem, Request, Response, RouteKey, handle_request, json};

visits_http::routes! {
    pub enum Route {
        Start => "POST /signup",
        Resend => "POST /signup/{signupId}/resend",
        Verify => "POST /signup/{signupId}/verify",
    }
}

pub const ROUTES: &[RouteKey] = Route::KEYS;
/// The routes that answer with a patient's data (each read recorded first).
pub const PATIENT_DATA_ROUTES: &[RouteKey] = Route::PATIENT_DATA;

pub struct App {
    signups: Signups,
}

impl App {
    pub fn new(signups: Signups) -> Self {
        Self { signups }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StartBody {
    given_name: PersonName,
    family_name: PersonName,
    /// Parsed against today's date (the use case's clock), not by serde.
    date_of_birth: String,
    #[serde(default)]
    email: Option<Email>,
    #[serde(default)]
    phone: Option<PhoneNumber>,
    channel: Channel,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyBody {
    code: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StartedBody {
    signup_id: String,
    sent_to: String,
    expires_at: DateTime<Utc>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VerifiedBody {
    patient_id: String,
    signup_token: String,
    expires_at: DateTime<Utc>,
}

#[derive(Serialize)]
struct AcceptedBody {
    status: &'static str,
}

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, Error> {
    handle_request(request, |request| async move {
        let ip = source_ip(&request);
        match Route::of(&request) {
            Some(Route::Start) => {
                let body: StartBody = json_body(&request)?;
                let signup = signup_request(body, app.signups.today())?;
                let started = app.signups.start(signup, &ip).await?;
                let body = StartedBody {
                    signup_id: started.signup_id.to_string(),
                    sent_to: started.sent_to,
                    expires_at: started.expires_at,
                };
                Ok(json(StatusCode::ACCEPTED, &body))
            }
            Some(Route::Resend) => {
                no_body(&request)?;
                app.signups.resend(&path_param(&request, "signupId"), &ip).await?;
                // The same body whether a code went out, was held back, or the signup is unknown.
                Ok(json(StatusCode::ACCEPTED, &AcceptedBody { status: "accepted" }))
            }
            Some(Route::Verify) => {
                let body: VerifyBody = json_body(&request)?;
                let verified = app.signups.verify(&path_param(&request, "signupId"), &body.code, &ip).await?;
                let body = VerifiedBody {
                    patient_id: verified.patient_id.to_string(),
                    signup_token: verified.signup_token,
                    expires_at: verified.expires_at,
                };
                Ok(json(StatusCode::OK, &body))
            }
            None => Err(Problem::route_not_found()),
        }
    })
    .await
}

/// The body's fields as the domain takes them; the contact `channel` names must be there. A date
/// that is not one is a 400; a real date that cannot be a birth date (future, too old) a 422.
fn signup_request(body: StartBody, today: NaiveDate) -> Result<SignupRequest, Problem> {
    let raw = &body.date_of_birth;
    if raw.len() != 10 || NaiveDate::parse_from_str(raw, "%Y-%m-%d").is_err() {
        return Err(Problem::invalid_field("dateOfBirth", "must be a date, YYYY-MM-DD"));
    }
    let date_of_birth =
        DateOfBirth::parse(raw, today).map_err(|detail| DomainError::Rule { field: Some("dateOfBirth"), detail })?;
    let missing = match body.channel {
        Channel::Sms if body.phone.is_none() => Some("phone"),
        Channel::Email if body.email.is_none() => Some("email"),
        _ => None,
    };
    if let Some(field) = missing {
        return Err(Problem::invalid_field(field, format!("is required when channel is {}", body.channel.as_str())));
    }
    Ok(SignupRequest {
        person: Person { given_name: body.given_name, family_name: body.family_name, date_of_birth },
        contact: PatientContact { phone: body.phone, email: body.email, display_name: None },
        channel: body.channel,
    })
}
