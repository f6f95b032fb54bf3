//! `uploads`: a patient's intake paperwork or an applicant's licence, uploaded straight to the
//! bucket with a presigned POST; read back (with a download URL once scanned clean).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use lambda_http::http::StatusCode;
use serde::{Deserialize, Serialize};
use visits_domain::model::{
    ApplicationId, Caller, ScanStatus, Upload, UploadContentType, UploadPurpose, UploadSize, VisitId,
};
use visits_domain::ports::UserTokens;
use visits_domain::usecases::{NewUpload, Uploader, Uploads};
use visits_http::caller::request_info;
use visits_http::input::{bearer, json_body, path_param};
use visits_http::{Body, Error, Problem, Request, Response, RouteKey, handle_request, json};

visits_http::routes! {
    pub enum Route {
        Create => "POST /uploads",
        Read => "GET /uploads/{uploadId}" (reads patient data),
    }
}

pub const ROUTES: &[RouteKey] = Route::KEYS;
/// The routes that answer with a patient's data (each read recorded first).
pub const PATIENT_DATA_ROUTES: &[RouteKey] = Route::PATIENT_DATA;

pub struct App {
    uploads: Uploads,
    /// Checks a patient's or an admin's token: these routes have no authorizer, since an
    /// applicant holds no Cognito token.
    user_tokens: Arc<dyn UserTokens>,
}

impl App {
    pub fn new(uploads: Uploads, user_tokens: Arc<dyn UserTokens>) -> Self {
        Self { uploads, user_tokens }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateBody {
    purpose: UploadPurpose,
    #[serde(default)]
    visit_id: Option<VisitId>,
    #[serde(default)]
    application_id: Option<ApplicationId>,
    content_type: UploadContentType,
    size_bytes: UploadSize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreatedBody {
    upload_id: String,
    url: String,
    fields: BTreeMap<String, String>,
    expires_at: DateTime<Utc>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UploadBody {
    upload_id: String,
    purpose: UploadPurpose,
    content_type: UploadContentType,
    size_bytes: u64,
    status: ScanStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    download_url: Option<String>,
}

impl UploadBody {
    fn new(upload: &Upload, download_url: Option<String>) -> Self {
        Self {
            upload_id: upload.id.to_string(),
            purpose: upload.owner.purpose(),
            content_type: upload.content_type,
            size_bytes: upload.size.bytes(),
            status: upload.status,
            download_url,
        }
    }
}

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, Error> {
    handle_request(request, |request| async move {
        let route = Route::of(&request).ok_or_else(Problem::route_not_found)?;
        let token = bearer(&request).ok_or_else(Problem::unauthenticated)?;
        let user: Option<Caller> = app.user_tokens.caller(token).await.map_err(Problem::from)?;
        let who = match &user {
            Some(caller) => Uploader::User(caller),
            None => Uploader::Applicant { token },
        };
        match route {
            Route::Create => {
                let body: CreateBody = json_body(&request)?;
                let new = NewUpload {
                    purpose: body.purpose,
                    visit_id: body.visit_id,
                    application_id: body.application_id,
                    content_type: body.content_type,
                    size: body.size_bytes,
                };
                let started = app.uploads.create(who, new).await?;
                let body = CreatedBody {
                    upload_id: started.upload.id.to_string(),
                    url: started.url,
                    fields: started.fields,
                    expires_at: started.expires_at,
                };
                Ok(json(StatusCode::CREATED, &body))
            }
            Route::Read => {
                let read = app.uploads.read(who, &path_param(&request, "uploadId"), &request_info(&request)).await?;
                Ok(json(StatusCode::OK, &UploadBody::new(&read.upload, read.download_url)))
            }
        }
    })
    .await
}
