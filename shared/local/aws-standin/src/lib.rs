//! A stand-in for the two AWS services no emulator offers: Chime SDK Meetings (`CreateMeeting`,
//! `CreateMeetingWithAttendees`, `CreateAttendee`, `GetMeeting`, `DeleteAttendee`, `DeleteMeeting`) and Connect
//! (`StartWebRTCContact`, `StopContact`). It speaks their REST JSON with the real response shapes
//! and error headers, so the real SDK clients and adapters run end to end against it: point them
//! here with `AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS` and `AWS_ENDPOINT_URL_CONNECT`. It plays the
//! media pipelines too (`AWS_ENDPOINT_URL_CHIME_SDK_MEDIA_PIPELINES`), writing their files to the
//! local AWS's S3 ([`pipelines`]).
//! `GET /_standin/state` shows what it holds, for tests.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;

mod pipelines;

#[derive(Default)]
struct State {
    meetings: HashMap<String, Value>,
    /// ClientRequestToken → meeting id: CreateMeeting is idempotent per token.
    meeting_tokens: HashMap<String, String>,
    /// (meeting id, ExternalUserId) → attendee.
    attendees: HashMap<(String, String), Value>,
    contacts: HashMap<String, Value>,
    contact_tokens: HashMap<String, String>,
    /// Media capture pipelines by id, and by `ClientRequestToken`.
    pipelines: HashMap<String, Value>,
    pipeline_tokens: HashMap<String, String>,
    concatenations: HashMap<String, Value>,
    /// Meetings being transcribed, with their settings.
    transcriptions: HashMap<String, Value>,
    pipeline_events: Vec<Value>,
}

#[derive(Clone, Default)]
pub struct StandIn {
    state: Arc<Mutex<State>>,
    /// Where the pipelines' files go; none: they are not written.
    s3: Option<aws_sdk_s3::Client>,
}

type Reply = Response<Full<Bytes>>;

fn reply(status: StatusCode, body: &Value) -> Reply {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert("content-type", "application/json".parse().expect("a header value"));
    response
}

/// An error as the services send it: the type in `x-amzn-errortype`, a message in the body.
fn error(status: StatusCode, kind: &str, message: &str) -> Reply {
    let mut response = reply(status, &json!({ "Code": kind.trim_end_matches("Exception"), "Message": message }));
    response.headers_mut().insert("x-amzn-errortype", kind.parse().expect("a header value"));
    response
}

fn no_content() -> Reply {
    let mut empty = reply(StatusCode::NO_CONTENT, &Value::Null);
    *empty.body_mut() = Full::new(Bytes::new());
    empty
}

fn id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Chime's shape on a reserved `.invalid` host, as demo mode's: the pages know it is local.
fn media_placement(meeting_id: &str) -> Value {
    let host = format!("standin.video.invalid/{meeting_id}");
    json!({
        "AudioHostUrl": format!("{host}/audio:3478"),
        "AudioFallbackUrl": format!("wss://{host}/audio-fallback"),
        "SignalingUrl": format!("wss://{host}/signal"),
        "TurnControlUrl": format!("https://{host}/turn"),
        "ScreenDataUrl": format!("wss://{host}/screen-data"),
        "ScreenViewingUrl": format!("wss://{host}/screen-view"),
        "ScreenSharingUrl": format!("wss://{host}/screen-share"),
        "EventIngestionUrl": format!("https://{host}/events")
    })
}

impl StandIn {
    pub fn new() -> Self {
        Self::default()
    }

    /// A stand-in whose pipelines write their files through `s3` (the local AWS's).
    pub fn with_s3(s3: aws_sdk_s3::Client) -> Self {
        Self { state: Arc::default(), s3: Some(s3) }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// What the stand-in holds: live meetings, attendees and contacts.
    pub fn snapshot(&self) -> Value {
        let state = self.state();
        json!({
            "meetings": state.meetings.values().collect::<Vec<_>>(),
            "attendees": state.attendees.values().collect::<Vec<_>>(),
            "contacts": state.contacts.values().collect::<Vec<_>>(),
            "pipelines": state.pipelines.values().collect::<Vec<_>>(),
            "concatenations": state.concatenations.values().collect::<Vec<_>>(),
            "transcriptions": state.transcriptions,
        })
    }

    pub async fn respond(&self, request: Request<Incoming>) -> Reply {
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        let query = request.uri().query().map(str::to_owned);
        let with_attendees = query.as_deref() == Some("operation=create-attendees");
        let body = request.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
        let input: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        match (&method, parts.as_slice()) {
            (&Method::POST, ["meetings"]) if with_attendees => self.create_meeting_with_attendees(&input),
            (&Method::POST, ["meetings"]) => match self.meeting(&input) {
                Ok(meeting) => reply(StatusCode::OK, &json!({ "Meeting": meeting })),
                Err(refused) => refused,
            },
            (&Method::GET, ["meetings", meeting]) => match self.state().meetings.get(*meeting) {
                Some(found) => reply(StatusCode::OK, &json!({ "Meeting": found })),
                None => error(StatusCode::NOT_FOUND, "NotFoundException", "The meeting does not exist."),
            },
            (&Method::DELETE, ["meetings", meeting]) => self.delete_meeting(meeting),
            (&Method::POST, ["meetings", meeting, "attendees"]) => self.create_attendee(meeting, &input),
            (&Method::DELETE, ["meetings", meeting, "attendees", attendee]) => self.delete_attendee(meeting, attendee),
            (&Method::POST, ["meetings", meeting, "transcription"]) => {
                self.transcription(meeting, query.as_deref(), &input)
            }
            (&Method::POST, ["sdk-media-capture-pipelines"]) => self.create_capture_pipeline(&input),
            (&Method::DELETE, ["sdk-media-capture-pipelines", pipeline]) => self.delete_capture_pipeline(pipeline),
            (&Method::POST, ["sdk-media-concatenation-pipelines"]) => self.create_concatenation_pipeline(&input).await,
            (&Method::PUT, ["contact", "webrtc"]) => self.start_contact(&input),
            (&Method::POST, ["contact", "stop"]) => self.stop_contact(&input),
            (&Method::GET, ["_standin", "state"]) => reply(StatusCode::OK, &self.snapshot()),
            _ => error(
                StatusCode::NOT_FOUND,
                "UnknownOperationException",
                &format!("{method} {path} is not stood in for"),
            ),
        }
    }

    /// The meeting of this `ClientRequestToken`, made if new.
    fn meeting(&self, input: &Value) -> Result<Value, Reply> {
        let (Some(token), Some(external), Some(region)) =
            (input["ClientRequestToken"].as_str(), input["ExternalMeetingId"].as_str(), input["MediaRegion"].as_str())
        else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "BadRequestException",
                "ClientRequestToken, ExternalMeetingId and MediaRegion are required.",
            ));
        };
        let mut state = self.state();
        if let Some(meeting) = state.meeting_tokens.get(token).and_then(|id| state.meetings.get(id)) {
            return Ok(meeting.clone());
        }
        let meeting_id = id();
        let meeting = json!({
            "MeetingId": meeting_id,
            "ExternalMeetingId": external,
            "MediaRegion": region,
            "MediaPlacement": media_placement(&meeting_id),
            "MeetingFeatures": { "Audio": { "EchoReduction": "AVAILABLE" } },
            "MeetingArn": format!("arn:aws:chime:{region}:000000000000:meeting/{meeting_id}"),
        });
        state.meeting_tokens.insert(token.to_owned(), meeting_id.clone());
        state.meetings.insert(meeting_id, meeting.clone());
        Ok(meeting)
    }

    fn create_meeting_with_attendees(&self, input: &Value) -> Reply {
        let users: Option<Vec<&str>> = input["Attendees"]
            .as_array()
            .filter(|list| (1..=10).contains(&list.len()))
            .and_then(|list| list.iter().map(|a| a["ExternalUserId"].as_str()).collect());
        let Some(users) = users else {
            return error(StatusCode::BAD_REQUEST, "BadRequestException", "Attendees must list 1 to 10 attendees.");
        };
        let meeting = match self.meeting(input) {
            Ok(meeting) => meeting,
            Err(refused) => return refused,
        };
        let meeting_id = meeting["MeetingId"].as_str().unwrap_or_default().to_owned();
        let attendees: Result<Vec<Value>, Reply> = users.iter().map(|user| self.attendee(&meeting_id, user)).collect();
        match attendees {
            Ok(attendees) => {
                reply(StatusCode::OK, &json!({ "Meeting": meeting, "Attendees": attendees, "Errors": [] }))
            }
            Err(refused) => refused,
        }
    }

    fn delete_meeting(&self, meeting: &str) -> Reply {
        let mut state = self.state();
        if state.meetings.remove(meeting).is_none() {
            return error(StatusCode::NOT_FOUND, "NotFoundException", "The meeting does not exist.");
        }
        state.attendees.retain(|(m, _), _| m != meeting);
        let mut empty = reply(StatusCode::NO_CONTENT, &Value::Null);
        *empty.body_mut() = Full::new(Bytes::new());
        empty
    }

    fn create_attendee(&self, meeting: &str, input: &Value) -> Reply {
        match self.attendee(meeting, input["ExternalUserId"].as_str().unwrap_or_default()) {
            Ok(attendee) => reply(StatusCode::OK, &json!({ "Attendee": attendee })),
            Err(refused) => refused,
        }
    }

    /// The meeting's attendee for this `ExternalUserId`, made if new.
    fn attendee(&self, meeting: &str, user: &str) -> Result<Value, Reply> {
        if !(2..=64).contains(&user.len()) {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "BadRequestException",
                "ExternalUserId must be 2 to 64 characters.",
            ));
        }
        let mut state = self.state();
        if !state.meetings.contains_key(meeting) {
            return Err(error(StatusCode::NOT_FOUND, "NotFoundException", "The meeting does not exist."));
        }
        Ok(state
            .attendees
            .entry((meeting.to_owned(), user.to_owned()))
            .or_insert_with(|| {
                json!({
                    "ExternalUserId": user,
                    "AttendeeId": id(),
                    "JoinToken": format!("{}{}", id().replace('-', ""), id().replace('-', "")),
                    "Capabilities": { "Audio": "SendReceive", "Video": "SendReceive", "Content": "SendReceive" },
                })
            })
            .clone())
    }

    fn delete_attendee(&self, meeting: &str, attendee: &str) -> Reply {
        let mut state = self.state();
        let before = state.attendees.len();
        state.attendees.retain(|(m, _), a| !(m == meeting && a["AttendeeId"] == attendee));
        if state.attendees.len() == before {
            return error(StatusCode::NOT_FOUND, "NotFoundException", "The attendee does not exist.");
        }
        let mut empty = reply(StatusCode::NO_CONTENT, &Value::Null);
        *empty.body_mut() = Full::new(Bytes::new());
        empty
    }

    fn start_contact(&self, input: &Value) -> Reply {
        let required = ["InstanceId", "ContactFlowId", "ParticipantDetails"];
        if required.iter().any(|field| input[field].is_null())
            || input["ParticipantDetails"]["DisplayName"].as_str().is_none()
        {
            return error(
                StatusCode::BAD_REQUEST,
                "InvalidRequestException",
                "InstanceId, ContactFlowId and ParticipantDetails.DisplayName are required.",
            );
        }
        let mut state = self.state();
        if let Some(contact) =
            input["ClientToken"].as_str().and_then(|t| state.contact_tokens.get(t)).and_then(|c| state.contacts.get(c))
        {
            return reply(StatusCode::OK, &contact["response"]);
        }
        let (contact_id, meeting_id) = (id(), id());
        let mut placement = media_placement(&meeting_id);
        if let Some(map) = placement.as_object_mut() {
            map.retain(|key, _| !key.starts_with("Screen"));
        }
        let response = json!({
            "ContactId": contact_id,
            "ParticipantId": id(),
            "ParticipantToken": format!("{}{}", id().replace('-', ""), id().replace('-', "")),
            "ConnectionData": {
                "Attendee": { "AttendeeId": id(), "JoinToken": id().replace('-', "") },
                "Meeting": {
                    "MediaRegion": "us-east-1",
                    "MediaPlacement": placement,
                    "MeetingFeatures": { "Audio": { "EchoReduction": "AVAILABLE" } },
                    "MeetingId": meeting_id,
                },
            },
        });
        let record = json!({ "request": input, "response": response, "stopped": false });
        if let Some(token) = input["ClientToken"].as_str() {
            state.contact_tokens.insert(token.to_owned(), contact_id.clone());
        }
        state.contacts.insert(contact_id, record);
        reply(StatusCode::OK, &response)
    }

    fn stop_contact(&self, input: &Value) -> Reply {
        let mut state = self.state();
        match input["ContactId"].as_str().and_then(|id| state.contacts.get_mut(id)) {
            Some(contact) => {
                contact["stopped"] = json!(true);
                reply(StatusCode::OK, &json!({}))
            }
            None => error(StatusCode::NOT_FOUND, "ContactNotFoundException", "The contact does not exist."),
        }
    }
}

/// Serves until the listener fails.
pub async fn serve(listener: TcpListener, standin: StandIn) -> std::io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        let standin = standin.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let standin = standin.clone();
                async move { Ok::<_, Infallible>(standin.respond(request).await) }
            });
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}
