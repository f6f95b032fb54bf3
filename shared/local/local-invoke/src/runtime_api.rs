//! The Lambda Runtime API, for one invocation: `GET /runtime/invocation/next` hands out the event
//! once (later calls wait, as Lambda's do between events); the function posts its response or
//! error back; an init error is an answer too.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::Outcome;

const PREFIX: &str = "/2018-06-01/runtime";

struct Shared {
    function_name: String,
    request_id: String,
    event: Mutex<Option<Value>>,
    answer: Mutex<Option<oneshot::Sender<Outcome>>>,
    /// When the process first asked for an event: the end of its init.
    first_poll: Mutex<Option<Instant>>,
}

pub struct RuntimeApi {
    address: SocketAddr,
    answer: oneshot::Receiver<Outcome>,
    shared: Arc<Shared>,
}

impl RuntimeApi {
    /// Serves on a free loopback port until dropped with the runtime.
    pub async fn start(function_name: &str, event: Value) -> Result<Self, String> {
        let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        let (sender, answer) = oneshot::channel();
        let shared = Arc::new(Shared {
            function_name: function_name.to_owned(),
            request_id: uuid::Uuid::new_v4().to_string(),
            event: Mutex::new(Some(event)),
            answer: Mutex::new(Some(sender)),
            first_poll: Mutex::new(None),
        });
        let serving = shared.clone();
        tokio::spawn(async move {
            let shared = serving;
            while let Ok((stream, _)) = listener.accept().await {
                let shared = shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let shared = shared.clone();
                        async move { Ok::<_, Infallible>(respond(&shared, request).await) }
                    });
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        });
        Ok(Self { address, answer, shared })
    }

    /// `host:port`, as `AWS_LAMBDA_RUNTIME_API` wants it.
    pub fn address(&self) -> String {
        self.address.to_string()
    }

    /// The function's answer, once it posts one.
    pub async fn answer(&mut self) -> Result<Outcome, String> {
        (&mut self.answer).await.map_err(|_| "the Runtime API stopped without an answer".to_owned())
    }

    /// When the process first asked for an event, if it has.
    pub fn first_poll(&self) -> Option<Instant> {
        *self.shared.first_poll.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn empty(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

async fn respond(shared: &Shared, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let Some(route) = path.strip_prefix(PREFIX) else { return empty(StatusCode::NOT_FOUND) };
    if method == Method::GET && route == "/invocation/next" {
        shared.first_poll.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert_with(Instant::now);
        let event = shared.event.lock().unwrap_or_else(|p| p.into_inner()).take();
        let Some(event) = event else {
            // One event per run: the next poll waits until the process is stopped.
            std::future::pending::<()>().await;
            return empty(StatusCode::NO_CONTENT);
        };
        let deadline = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() + 30_000).unwrap_or(0);
        let arn = format!("arn:aws:lambda:us-east-1:000000000000:function:{}", shared.function_name);
        let mut response = Response::new(Full::new(Bytes::from(event.to_string())));
        let headers = response.headers_mut();
        for (name, value) in [
            ("lambda-runtime-aws-request-id", shared.request_id.clone()),
            ("lambda-runtime-deadline-ms", deadline.to_string()),
            ("lambda-runtime-invoked-function-arn", arn),
            ("lambda-runtime-trace-id", "Root=1-00000000-000000000000000000000000;Sampled=0".to_owned()),
            ("content-type", "application/json".to_owned()),
        ] {
            if let Ok(value) = value.parse() {
                headers.insert(name, value);
            }
        }
        return response;
    }
    let body = request.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let document =
        serde_json::from_slice(&body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into()));
    let answer = if route == format!("/invocation/{}/response", shared.request_id) {
        Outcome::Response(document)
    } else if route == format!("/invocation/{}/error", shared.request_id) || route == "/init/error" {
        Outcome::Error(document)
    } else {
        return empty(StatusCode::NOT_FOUND);
    };
    if let Some(sender) = shared.answer.lock().unwrap_or_else(|p| p.into_inner()).take() {
        let _ = sender.send(answer);
    }
    empty(StatusCode::ACCEPTED)
}
