//! The hyper server: match the route, act as the authorizer, call the owning function's handler.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use visits_domain::usecases::Notifications;
use visits_embedded::LocalStorage;
use visits_http::{Problem, json as json_response};

use crate::adapters::{Adapters, OutboxSource};
use crate::dev_auth::DevAuth;
use crate::dev_clock::{self, DemoJobs, Followers};
use crate::dev_uploads::{self, MAX_UPLOAD_REQUEST_BYTES};
use crate::dev_users::DevUsers;
use crate::gateway::{GatewayContext, http_response, lambda_request};
use crate::pages;
use crate::routes::{Function, RouteTable};

/// API Gateway refuses payloads over 10 MB; locally 1 MB is plenty to show a 413.
const MAX_REQUEST_BYTES: usize = 1024 * 1024;

type HttpResponse = hyper::Response<Full<Bytes>>;

pub struct LocalApp {
    routes: RouteTable,
    auth: Arc<DevAuth>,
    outbox: OutboxSource,
    users: DevUsers,
    schedule_visit: schedule_visit::App,
    mint_link: mint_link::App,
    notify: notify::App,
    redeem_token: redeem_token::App,
    start_session: start_session::App,
    recordings: recordings::App,
    signup: signup::App,
    book_visit: book_visit::App,
    clinician_applications: clinician_applications::App,
    uploads: uploads::App,
    guests: guests::App,
    upload_scanned: upload_scanned::App,
    storage: Arc<LocalStorage>,
    /// The built pages (`web/dist`), served on the API's origin.
    web_dir: std::path::PathBuf,
    /// Demo mode's clock and scheduler, and the use cases run off its stream and clock.
    jobs: Option<(DemoJobs, Followers)>,
}

impl LocalApp {
    /// Every function over the same adapters, as they share one table and one key in AWS.
    pub fn new(adapters: Adapters) -> Self {
        let Adapters {
            core,
            tokens,
            notifier,
            video,
            recorder,
            capture_files,
            outbox,
            onboarding,
            users,
            storage,
            jobs,
        } = adapters;
        let jobs = jobs.map(|jobs| {
            let links = Arc::new(visits_domain::usecases::Links::new(core.clone()));
            let plans = visits_domain::usecases::JobPlans::new(core.clone(), jobs.scheduler.clone());
            let alerts = visits_domain::usecases::WaitingAlerts::new(
                core.clone(),
                onboarding.staff.clone(),
                notifier.clone(),
                jobs.events.clone(),
            );
            let attendance = attendance::App::new(
                visits_domain::usecases::Attendances::new(core.clone()),
                visits_domain::usecases::CaptureFollower::new(core.clone(), capture_files.clone()),
            );
            let jobs_run = Notifications::new(links, notifier.clone());
            let notices = visits_domain::usecases::ApplicantNotices::new(
                core.clone(),
                onboarding.applications.clone(),
                notifier.clone(),
            );
            let followers = Followers { plans, alerts, notices, jobs: jobs_run, attendance };
            (jobs, followers)
        });
        let uploads = visits_domain::usecases::Uploads::new(
            core.clone(),
            tokens.clone(),
            onboarding.uploads.clone(),
            onboarding.applications.clone(),
            storage.clone(),
        );
        let scans = visits_domain::usecases::ScanResults::new(
            core.clone(),
            onboarding.uploads.clone(),
            onboarding.applications.clone(),
        );
        // One development key: the authorizer's stand-in, and the functions' check of a user's
        // token where no authorizer runs.
        let auth = Arc::new(DevAuth::generate());
        let bookings = visits_domain::usecases::Bookings::new(core.clone(), tokens.clone(), onboarding.signups.clone());
        let signups = visits_domain::usecases::Signups::new(
            core.clone(),
            tokens.clone(),
            onboarding.signups,
            onboarding.mac.clone(),
            notifier.clone(),
            onboarding.directory.clone(),
        );
        let applications = visits_domain::usecases::Applications::new(
            core.clone(),
            tokens.clone(),
            onboarding.applications,
            onboarding.mac,
            notifier.clone(),
            onboarding.directory,
        );
        Self {
            routes: RouteTable::new(),
            auth: auth.clone(),
            schedule_visit: schedule_visit::App::new(core.clone()),
            mint_link: mint_link::App::new(core.clone(), tokens.clone()),
            guests: guests::App::new(core.clone(), notifier.clone(), video.clone()),
            notify: notify::App::new(core.clone(), notifier),
            redeem_token: redeem_token::App::new(core.clone(), tokens.clone(), video.clone()),
            recordings: recordings::App::new(visits_domain::usecases::KeptCaptures::new(core.clone(), capture_files)),
            start_session: start_session::App::new(core, tokens, video, recorder),
            signup: signup::App::new(signups),
            book_visit: book_visit::App::new(bookings),
            clinician_applications: clinician_applications::App::new(applications, auth.clone()),
            uploads: uploads::App::new(uploads, auth.clone()),
            upload_scanned: upload_scanned::App::new(scans),
            storage,
            web_dir: pages::web_dir(),
            jobs,
            outbox,
            users,
        }
    }

    pub async fn respond(&self, request: hyper::Request<Incoming>, peer: SocketAddr) -> HttpResponse {
        let (parts, body) = request.into_parts();
        let path = parts.uri.path().to_owned();
        let limit = if path == "/dev/uploads" { MAX_UPLOAD_REQUEST_BYTES } else { MAX_REQUEST_BYTES };
        let body = match Limited::new(body, limit).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => {
                let mut problem = Problem::invalid_field("body", format!("must be at most {limit} bytes"));
                problem.status = 413;
                problem.title = "Payload too large";
                return http_response(problem.into_response());
            }
        };
        if path == "/dev/clock" {
            return http_response(self.dev_clock(&parts.method, &body).await);
        }
        if parts.method == Method::POST && path == "/dev/uploads" {
            return http_response(self.accept_upload(&parts.headers, &body).await);
        }
        if parts.method == Method::GET
            && let Some(key) = path.strip_prefix("/dev/uploads/")
        {
            return http_response(dev_uploads::download(&self.storage, key, parts.uri.query()));
        }
        if parts.method == Method::GET && path == "/dev/tokens" {
            return http_response(self.dev_tokens(parts.uri.query()).await);
        }
        if parts.method == Method::GET && path == "/dev/events" {
            let events =
                self.jobs.as_ref().map_or_else(|| serde_json::json!({"events": []}), |(jobs, _)| jobs.events_body());
            return http_response(json_response(StatusCode::OK, &events));
        }
        if parts.method == Method::GET && path == "/dev/outbox" {
            return http_response(json_response(StatusCode::OK, &self.outbox.messages().await));
        }
        if parts.method == Method::GET
            && let Some(file) = pages::file_for(&path)
        {
            return http_response(pages::serve(&self.web_dir, &file));
        }
        let Some((route, path_parameters)) = self.routes.find(parts.method.as_str(), &path) else {
            let allowed = self.routes.methods_at(&path);
            if allowed.is_empty() {
                return http_response(Problem::route_not_found().into_response());
            }
            let problem = Problem::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
                format!("this path takes {}", allowed.join(", ")),
            );
            let mut response = problem.into_response();
            if let Ok(value) = allowed.join(", ").parse() {
                response.headers_mut().insert("allow", value);
            }
            return http_response(response);
        };
        let claims = if route.is_public() {
            None
        } else {
            let bearer = visits_http::input::header_value(&parts.headers, "authorization")
                .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")));
            match bearer.and_then(|token| self.auth.authorize(token.trim())) {
                Some(claims) => Some(claims),
                // API Gateway's authorizer answers 401 before the function runs.
                None => return http_response(Problem::unauthenticated().into_response()),
            }
        };
        let context = GatewayContext {
            route_key: route.key,
            path_parameters,
            source_ip: peer.ip().to_string(),
            request_id: uuid::Uuid::new_v4().to_string(),
            claims,
        };
        let request = match lambda_request(&parts, &body, context) {
            Ok(request) => request,
            Err(problem) => return http_response(problem.into_response()),
        };
        let response = match route.function {
            Function::ScheduleVisit => schedule_visit::handle(&self.schedule_visit, request).await,
            Function::MintLink => mint_link::handle(&self.mint_link, request).await,
            Function::Notify => notify::handle(&self.notify, request).await,
            Function::RedeemToken => redeem_token::handle(&self.redeem_token, request).await,
            Function::StartSession => start_session::handle(&self.start_session, request).await,
            Function::Recordings => recordings::handle(&self.recordings, request).await,
            Function::Signup => signup::handle(&self.signup, request).await,
            Function::BookVisit => book_visit::handle(&self.book_visit, request).await,
            Function::ClinicianApplications => {
                clinician_applications::handle(&self.clinician_applications, request).await
            }
            Function::Uploads => uploads::handle(&self.uploads, request).await,
            Function::Guests => guests::handle(&self.guests, request).await,
        };
        // What the request committed is followed before it answers, as the table's stream is
        // within seconds in AWS: a patient's check-in has alerted the clinician by then.
        if let Some((jobs, followers)) = &self.jobs {
            jobs.follow_stream(followers).await;
        }
        match response {
            Ok(response) => http_response(response),
            Err(error) => {
                tracing::error!(error = %error, "handler failed");
                http_response(Problem::from(visits_domain::DomainError::Internal(error.to_string())).into_response())
            }
        }
    }
}

impl LocalApp {
    /// Runs demo jobs that fell due (make dev's ticker calls it); none on the AWS adapters.
    pub async fn run_due_jobs(&self) -> usize {
        match &self.jobs {
            Some((jobs, followers)) => jobs.run_due(followers).await,
            None => 0,
        }
    }

    /// `GET /dev/clock` → `{"now"}`; `POST /dev/clock` `{"advanceMinutes"}` moves the demo clock
    /// forward and runs what fell due → `{"now", "jobsRun"}`. Demo mode only.
    async fn dev_clock(&self, method: &Method, body: &[u8]) -> lambda_http::Response<lambda_http::Body> {
        let Some((jobs, _)) = &self.jobs else {
            return Problem::new(
                StatusCode::NOT_FOUND,
                "route-not-found",
                "Not found",
                "the demo clock is demo mode's",
            )
            .into_response();
        };
        let now = |jobs: &DemoJobs| jobs.clock.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        match *method {
            Method::GET => json_response(StatusCode::OK, &serde_json::json!({ "now": now(jobs) })),
            Method::POST => {
                let request = match visits_http::input::parse_json::<dev_clock::Advance>(body) {
                    Ok(request) => request,
                    Err(problem) => return problem.into_response(),
                };
                if request.advance_minutes == 0 || request.advance_minutes > dev_clock::MAX_ADVANCE_MINUTES {
                    let message = format!("must be 1 to {}", dev_clock::MAX_ADVANCE_MINUTES);
                    return Problem::invalid_field("advanceMinutes", message).into_response();
                }
                // What was booked or moved before the clock moves is planned at its own time, as
                // the stream does within seconds in AWS.
                self.run_due_jobs().await;
                jobs.clock.advance(chrono::Duration::minutes(i64::from(request.advance_minutes)));
                let ran = self.run_due_jobs().await;
                json_response(StatusCode::OK, &serde_json::json!({ "now": now(jobs), "jobsRun": ran }))
            }
            _ => {
                Problem::new(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed", "GET or POST")
                    .into_response()
            }
        }
    }

    /// Where the local server listens: the upload URLs it signs point there.
    pub fn listening_at(&self, address: SocketAddr) {
        self.storage.set_base(&format!("http://{address}"));
    }

    /// A presigned POST's form: checked, kept, scanned, and the scan's result handed to the
    /// `upload-scanned` function as GuardDuty's event.
    async fn accept_upload(&self, headers: &hyper::HeaderMap, body: &[u8]) -> lambda_http::Response<lambda_http::Body> {
        let content_type = visits_http::input::header_value(headers, "content-type").unwrap_or_default();
        let Some((fields, file)) = dev_uploads::parse_form(content_type, body) else {
            return Problem::invalid_field("body", "must be a multipart/form-data upload with a file").into_response();
        };
        let key = match self.storage.accept_post(&fields, &file) {
            Ok(key) => key,
            Err(refused) => return dev_uploads::refused(refused),
        };
        let status = match self.storage.store_and_scan(&key, &file) {
            Ok(status) => status,
            Err(error) => {
                tracing::error!(error = %error, "an upload could not be kept");
                return Problem::from(visits_domain::DomainError::Internal("the upload could not be kept".into()))
                    .into_response();
            }
        };
        let event = dev_uploads::scan_result_event("local-uploads", &key, status);
        let event = match serde_json::from_value(event) {
            Ok(payload) => lambda_runtime::LambdaEvent::new(payload, lambda_runtime::Context::default()),
            Err(error) => {
                return Problem::from(visits_domain::DomainError::Internal(error.to_string())).into_response();
            }
        };
        if let Err(error) = upload_scanned::handle(&self.upload_scanned, event).await {
            tracing::error!(error = %error, "a scan result was not recorded");
        }
        // S3's answer to a POST without success_action_status.
        let mut response = lambda_http::Response::new(lambda_http::Body::Empty);
        *response.status_mut() = StatusCode::NO_CONTENT;
        response
    }

    /// `GET /dev/tokens`: the demo accounts' tokens; with `?email=`, a token for the user signup
    /// or approval created with that address (404 when there is none).
    async fn dev_tokens(&self, query: Option<&str>) -> lambda_http::Response<lambda_http::Body> {
        let email = query.and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes()).find(|(name, _)| name == "email").map(|(_, v)| v.into_owned())
        });
        let Some(email) = email else { return json_response(StatusCode::OK, &self.auth.tokens_body()) };
        match self.users.by_email(&email).await {
            Some(user) => {
                let token = self.auth.issue_user(&user.sub, &user.group, chrono::Utc::now().timestamp());
                json_response(StatusCode::OK, &serde_json::json!({"token": token, "sub": user.sub, "role": user.group}))
            }
            None => {
                Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", "no user has that email").into_response()
            }
        }
    }
}

/// Serves until the listener fails. Each connection runs on its own task.
pub async fn serve(listener: TcpListener, app: Arc<LocalApp>) -> std::io::Result<()> {
    app.listening_at(listener.local_addr()?);
    loop {
        let (stream, peer) = listener.accept().await?;
        let app = app.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let app = app.clone();
                async move { Ok::<_, Infallible>(app.respond(request, peer).await) }
            });
            if let Err(error) = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await {
                tracing::debug!(error = %error, "connection closed with an error");
            }
        });
    }
}
