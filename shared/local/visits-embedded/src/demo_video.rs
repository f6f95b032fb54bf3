//! A video provider that answers like Chime and Connect do, without either: one meeting per
//! visit, one attendee per participant, `RoomGone` once a meeting has ended. Like Chime, it emits
//! "Chime Meeting State Change" events (EventBridge's shape) when a participant joins or leaves a
//! Chime meeting and when the meeting ends; demo mode hands them to the attendance function.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use visits_domain::model::AttendeeEventKind;
use visits_domain::model::{
    Attendee, ConnectionData, MediaPlacement, Meeting, Participant, Provider, Room, Session, Visit,
};
use visits_domain::ports::{Clock, IdSource, SeatRemover, VideoError, VideoProvider};

use visits_runtime::OsRandom;

#[derive(Default)]
struct State {
    /// Live meetings by meeting id.
    meetings: HashMap<String, Meeting>,
    /// The live meeting of each visit, so opening twice gives the same room.
    by_visit: HashMap<String, String>,
    /// Attendees by (meeting id, external user id).
    attendees: HashMap<(String, String), Attendee>,
    /// The attendee ids in a Chime meeting now (joined and not left).
    present: HashSet<String>,
    /// Attendee ids in the order they first joined.
    seated_order: Vec<String>,
    /// Events not yet taken, oldest first.
    events: Vec<serde_json::Value>,
}

#[derive(Default)]
pub struct DemoVideo {
    state: Mutex<State>,
    /// The time events carry; the system's without one.
    clock: Option<Arc<dyn Clock>>,
}

impl DemoVideo {
    pub fn new() -> Self {
        Self::default()
    }

    /// Events stamped by `clock` (demo mode's, which `POST /dev/clock` moves).
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Self { state: Mutex::default(), clock: Some(clock) }
    }

    /// The events emitted since last asked, oldest first, as EventBridge delivers Chime's.
    pub fn take_events(&self) -> Vec<serde_json::Value> {
        std::mem::take(&mut self.state().events)
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.as_ref().map_or_else(chrono::Utc::now, |clock| clock.now())
    }

    /// Records that `attendee` joined, unless they are in the meeting already.
    fn joined(&self, meeting: &Meeting, attendee: &Attendee) {
        let at = self.now();
        let mut state = self.state();
        if state.present.insert(attendee.attendee_id.clone()) {
            state.seated_order.push(attendee.attendee_id.clone());
            state.events.push(chime_event(AttendeeEventKind::Joined, meeting, Some(attendee), at));
        }
    }

    /// Records that the seat `attendee_id` left, if it was in a meeting.
    fn left(&self, attendee_id: &str) {
        let at = self.now();
        let mut state = self.state();
        if !state.present.remove(attendee_id) {
            return;
        }
        let seat = state.attendees.iter().find(|(_, a)| a.attendee_id == attendee_id);
        let Some(((meeting_id, _), attendee)) = seat.map(|(key, a)| (key.clone(), a.clone())) else { return };
        if let Some(meeting) = state.meetings.get(&meeting_id).cloned() {
            state.events.push(chime_event(AttendeeEventKind::Left, &meeting, Some(&attendee), at));
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Ends a meeting as Chime does when it stays empty. For tests of the restart path.
    pub fn end_meeting_externally(&self, meeting_id: &str) {
        let at = self.now();
        let mut state = self.state();
        // Everyone still in it leaves, and the meeting ends: as Chime reports it.
        if let Some(meeting) = state.meetings.get(meeting_id).cloned() {
            let leaving: Vec<Attendee> = state
                .attendees
                .iter()
                .filter(|((meeting, _), attendee)| {
                    meeting == meeting_id && state.present.contains(&attendee.attendee_id)
                })
                .map(|(_, attendee)| attendee.clone())
                .collect();
            for attendee in &leaving {
                state.present.remove(&attendee.attendee_id);
                state.events.push(chime_event(AttendeeEventKind::Left, &meeting, Some(attendee), at));
            }
            state.events.push(chime_event(AttendeeEventKind::MeetingEnded, &meeting, None, at));
        }
        state.meetings.remove(meeting_id);
        state.by_visit.retain(|_, id| id != meeting_id);
        state.attendees.retain(|(meeting, _), _| meeting != meeting_id);
    }

    /// Whether the meeting is live.
    pub fn is_live(&self, meeting_id: &str) -> bool {
        self.state().meetings.contains_key(meeting_id)
    }

    /// Who holds a seat in the meeting now (their external user ids), first seated first.
    pub fn seated_in(&self, meeting_id: &str) -> Vec<String> {
        let state = self.state();
        let mut seated: Vec<&Attendee> = state
            .attendees
            .iter()
            .filter(|((meeting, _), attendee)| meeting == meeting_id && state.present.contains(&attendee.attendee_id))
            .map(|(_, attendee)| attendee)
            .collect();
        seated.sort_by_key(|attendee| state.seated_order.iter().position(|id| id == &attendee.attendee_id));
        seated.into_iter().map(|attendee| attendee.external_user_id.clone()).collect()
    }

    /// Says, as Chime does, that a media pipeline of the meeting finished (was deleted).
    pub fn pipeline_finished(&self, meeting: &Meeting, pipeline_id: &str) {
        let at = self.now();
        let event = pipeline_event("chime:MediaPipelineDeleted", meeting, pipeline_id, at);
        self.state().events.push(event);
    }

    /// The attendee ids seated in live meetings.
    pub fn attendee_ids(&self) -> Vec<String> {
        self.state().attendees.values().map(|attendee| attendee.attendee_id.clone()).collect()
    }

    /// How many meetings are live.
    pub fn live_meetings(&self) -> usize {
        self.state().meetings.len()
    }

    fn meeting_for(&self, visit: &Visit) -> Meeting {
        let mut state = self.state();
        if let Some(meeting) = state.by_visit.get(visit.id().as_str()).and_then(|id| state.meetings.get(id)) {
            return meeting.clone();
        }
        let meeting_id = random_uuid();
        // Every media URL on a reserved `.invalid` host: a browser can tell a demo meeting from a
        // real one (web/src/call/room.ts) and never dials AWS for it.
        let host = format!("demo.video.invalid/{meeting_id}");
        let meeting = Meeting {
            meeting_id: meeting_id.clone(),
            external_meeting_id: visit.id().to_string(),
            media_region: "us-east-1".into(),
            media_placement: MediaPlacement {
                audio_host_url: format!("{host}/audio:3478"),
                audio_fallback_url: format!("wss://{host}/audio-fallback"),
                signaling_url: format!("wss://{host}/signal"),
                turn_control_url: format!("https://{host}/turn"),
                screen_data_url: format!("wss://{host}/screen-data"),
                screen_viewing_url: format!("wss://{host}/screen-view"),
                screen_sharing_url: format!("wss://{host}/screen-share"),
                event_ingestion_url: format!("https://{host}/events"),
            },
            meeting_arn: Some(format!("arn:aws:chime:us-east-1:000000000000:meeting/{meeting_id}")),
        };
        state.by_visit.insert(visit.id().to_string(), meeting_id.clone());
        state.meetings.insert(meeting_id, meeting.clone());
        meeting
    }

    fn attendee(&self, meeting_id: &str, external_user_id: &str) -> Result<Attendee, VideoError> {
        let mut state = self.state();
        if !state.meetings.contains_key(meeting_id) {
            return Err(VideoError::RoomGone);
        }
        let key = (meeting_id.to_owned(), external_user_id.to_owned());
        Ok(state
            .attendees
            .entry(key)
            .or_insert_with(|| Attendee {
                external_user_id: external_user_id.to_owned(),
                attendee_id: random_uuid(),
                join_token: random_token(),
            })
            .clone())
    }
}

#[async_trait]
impl VideoProvider for DemoVideo {
    async fn open_room(&self, visit: &Visit) -> Result<Room, VideoError> {
        let meeting = self.meeting_for(visit);
        Ok(match visit.provider() {
            Provider::Chime => Room::Chime { meeting },
            Provider::Connect => {
                let customer = self.attendee(&meeting.meeting_id, &format!("patient-{}", visit.patient_id()))?;
                Room::Connect {
                    contact_id: random_uuid(),
                    participant_id: random_uuid(),
                    participant_token: random_token(),
                    connection_data: ConnectionData { meeting, attendee: customer },
                }
            }
        })
    }

    async fn admit(&self, visit: &Visit, room: &Room, participant: &Participant) -> Result<Session, VideoError> {
        match room {
            Room::Chime { meeting } => {
                let attendee = self.attendee(&meeting.meeting_id, participant.user_id.as_str())?;
                self.joined(meeting, &attendee);
                Ok(Session::Chime { visit_id: visit.id().clone(), meeting: meeting.clone(), attendee })
            }
            Room::Connect { connection_data, .. } => {
                if !self.state().meetings.contains_key(&connection_data.meeting.meeting_id) {
                    return Err(VideoError::RoomGone);
                }
                room.connect_session(visit.id(), participant).ok_or(VideoError::RoomGone)
            }
        }
    }

    async fn close_room(&self, room: &Room) -> Result<(), VideoError> {
        let meeting_id = match room {
            Room::Chime { meeting } => &meeting.meeting_id,
            Room::Connect { connection_data, .. } => &connection_data.meeting.meeting_id,
        };
        self.end_meeting_externally(meeting_id);
        Ok(())
    }
}

/// One "Chime Meeting State Change" event, as EventBridge delivers Chime's.
fn chime_event(
    kind: AttendeeEventKind,
    meeting: &Meeting,
    attendee: Option<&Attendee>,
    at: chrono::DateTime<chrono::Utc>,
) -> serde_json::Value {
    let mut detail = serde_json::json!({
        "version": "0",
        "eventType": kind.as_chime(),
        "timestamp": at.timestamp_millis(),
        "meetingId": meeting.meeting_id,
        "externalMeetingId": meeting.external_meeting_id,
        "mediaRegion": meeting.media_region,
    });
    if let Some(attendee) = attendee {
        detail["attendeeId"] = attendee.attendee_id.clone().into();
        detail["externalUserId"] = attendee.external_user_id.clone().into();
    }
    serde_json::json!({
        "version": "0",
        "id": random_uuid(),
        "detail-type": "Chime Meeting State Change",
        "source": "aws.chime",
        "account": "000000000000",
        "time": at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "region": meeting.media_region,
        "resources": [],
        "detail": detail,
    })
}

/// One "Chime Media Pipeline State Change" event.
fn pipeline_event(
    event_type: &str,
    meeting: &Meeting,
    pipeline_id: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> serde_json::Value {
    serde_json::json!({
        "version": "0",
        "id": random_uuid(),
        "detail-type": "Chime Media Pipeline State Change",
        "source": "aws.chime",
        "account": "000000000000",
        "time": at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "region": meeting.media_region,
        "resources": [],
        "detail": {
            "version": "0",
            "eventType": event_type,
            "timestamp": at.timestamp_millis(),
            "meetingId": meeting.meeting_id,
            "externalMeetingId": meeting.external_meeting_id,
            "mediaPipelineId": pipeline_id,
            "mediaRegion": meeting.media_region,
        },
    })
}

/// A random (v4) UUID, the shape of the ids AWS hands out.
pub(crate) fn random_uuid() -> String {
    let mut b = [0u8; 16];
    OsRandom.fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

fn random_token() -> String {
    let mut b = [0u8; 24];
    OsRandom.fill(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[async_trait]
impl SeatRemover for DemoVideo {
    async fn remove_attendee(&self, _room: &Room, attendee_id: &str) -> Result<(), VideoError> {
        self.left(attendee_id);
        self.state().attendees.retain(|_, attendee| attendee.attendee_id != attendee_id);
        Ok(())
    }
}
