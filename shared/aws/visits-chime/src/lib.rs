//! Chime SDK meetings: one meeting per visit, created when the clinician starts the session; one
//! attendee per participant (`ExternalUserId` is the participant's id, so asking again returns
//! the same attendee); the meeting deleted when the visit ends or is cancelled. Chime ends an
//! empty meeting after a few minutes: its `NotFound` becomes `VideoError::RoomGone` and the
//! domain opens a new one.

use async_trait::async_trait;
use aws_sdk_chimesdkmeetings::Client;
use aws_sdk_chimesdkmeetings::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_chimesdkmeetings::types;
use visits_domain::model::{Attendee, MediaPlacement, Meeting, Participant, Room, Session, Visit};
use visits_domain::ports::{Dependency, SeatRemover, VideoError, VideoProvider};

/// Meetings in `CHIME_MEDIA_REGION`, by default the function's own region. The client is built
/// on first use: `redeem-token` needs it only to take a retired seat away, and a clinic may use
/// Connect alone.
pub fn from_env(config: &visits_aws::SdkConfig) -> ChimeVideo {
    let region = std::env::var("CHIME_MEDIA_REGION")
        .ok()
        .or_else(|| config.region().map(|r| r.to_string()))
        .unwrap_or_else(|| "us-east-1".into());
    ChimeVideo { client: visits_aws::OnDemand::new(config), media_region: region }
}

pub struct ChimeVideo {
    client: visits_aws::OnDemand<Client>,
    media_region: String,
}

impl ChimeVideo {
    pub fn new(client: Client, media_region: impl Into<String>) -> Self {
        Self { client: visits_aws::OnDemand::built(client), media_region: media_region.into() }
    }

    fn client(&self) -> &Client {
        self.client.get(Client::new)
    }
}

#[async_trait]
impl VideoProvider for ChimeVideo {
    async fn open_room(&self, visit: &Visit) -> Result<Room, VideoError> {
        let output = self
            .client()
            .create_meeting()
            .client_request_token(meeting_token(visit))
            .external_meeting_id(visit.id().as_str())
            .media_region(&self.media_region)
            .send()
            .await
            .map_err(video_error)?;
        let meeting = output.meeting().ok_or_else(|| VideoError::failed("CreateMeeting returned no meeting"))?;
        Ok(Room::Chime { meeting: meeting_from(meeting) })
    }

    /// One `CreateMeetingWithAttendees` instead of a meeting and then its first attendee.
    async fn open_room_with(&self, visit: &Visit, first: &Participant) -> Result<(Room, Session), VideoError> {
        let attendee = types::CreateAttendeeRequestItem::builder()
            .external_user_id(first.user_id.as_str())
            .build()
            .map_err(|e| VideoError::failed(e.to_string()))?;
        let output = self
            .client()
            .create_meeting_with_attendees()
            .client_request_token(meeting_token(visit))
            .external_meeting_id(visit.id().as_str())
            .media_region(&self.media_region)
            .attendees(attendee)
            .send()
            .await
            .map_err(video_error)?;
        let meeting =
            output.meeting().ok_or_else(|| VideoError::failed("CreateMeetingWithAttendees returned no meeting"))?;
        let room = Room::Chime { meeting: meeting_from(meeting) };
        let seated = output.attendees().iter().find(|a| a.external_user_id() == Some(first.user_id.as_str()));
        let session = match seated {
            Some(attendee) => Session::Chime {
                visit_id: visit.id().clone(),
                meeting: meeting_from(meeting),
                attendee: attendee_from(attendee),
            },
            // Another start made this meeting first (same token), with its own first attendee.
            None => self.admit(visit, &room, first).await?,
        };
        Ok((room, session))
    }

    async fn admit(&self, visit: &Visit, room: &Room, participant: &Participant) -> Result<Session, VideoError> {
        let Room::Chime { meeting } = room else {
            return Err(VideoError::failed("not a Chime room"));
        };
        let output = self
            .client()
            .create_attendee()
            .meeting_id(&meeting.meeting_id)
            .external_user_id(participant.user_id.as_str())
            .send()
            .await
            .map_err(video_error)?;
        let attendee = output.attendee().ok_or_else(|| VideoError::failed("CreateAttendee returned no attendee"))?;
        Ok(Session::Chime { visit_id: visit.id().clone(), meeting: meeting.clone(), attendee: attendee_from(attendee) })
    }

    /// Deleting the meeting removes every attendee, which revokes their join tokens.
    async fn close_room(&self, room: &Room) -> Result<(), VideoError> {
        let Room::Chime { meeting } = room else {
            return Err(VideoError::failed("not a Chime room"));
        };
        match self.client().delete_meeting().meeting_id(&meeting.meeting_id).send().await.map_err(video_error) {
            Ok(_) | Err(VideoError::RoomGone) => Ok(()),
            Err(error) => Err(error),
        }
    }
}

/// The visit at this version: two clinicians starting at once get one meeting; a restart after
/// Chime ended the meeting (a later version) gets a new one.
fn meeting_token(visit: &Visit) -> String {
    format!("{}-v{}", visit.id(), visit.version())
}

fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_owned()
}

pub fn meeting_from(meeting: &types::Meeting) -> Meeting {
    let placement = meeting.media_placement();
    let url = |get: fn(&types::MediaPlacement) -> Option<&str>| text(placement.and_then(get));
    Meeting {
        meeting_id: text(meeting.meeting_id()),
        external_meeting_id: text(meeting.external_meeting_id()),
        media_region: text(meeting.media_region()),
        media_placement: MediaPlacement {
            audio_host_url: url(types::MediaPlacement::audio_host_url),
            audio_fallback_url: url(types::MediaPlacement::audio_fallback_url),
            signaling_url: url(types::MediaPlacement::signaling_url),
            turn_control_url: url(types::MediaPlacement::turn_control_url),
            screen_data_url: url(types::MediaPlacement::screen_data_url),
            screen_viewing_url: url(types::MediaPlacement::screen_viewing_url),
            screen_sharing_url: url(types::MediaPlacement::screen_sharing_url),
            event_ingestion_url: url(types::MediaPlacement::event_ingestion_url),
        },
        meeting_arn: meeting.meeting_arn().map(str::to_owned),
    }
}

pub fn attendee_from(attendee: &types::Attendee) -> Attendee {
    Attendee {
        external_user_id: text(attendee.external_user_id()),
        attendee_id: text(attendee.attendee_id()),
        join_token: text(attendee.join_token()),
    }
}

fn video_error<E>(error: SdkError<E>) -> VideoError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match visits_aws::SdkFailure::of("chime", &error) {
        failure if failure.is(&["NotFoundException", "NotFound"]) => VideoError::RoomGone,
        failure => VideoError::Dependency(failure.into_error(Dependency::VideoProvider)),
    }
}

#[async_trait]
impl SeatRemover for ChimeVideo {
    async fn remove_attendee(&self, room: &Room, attendee_id: &str) -> Result<(), VideoError> {
        let Room::Chime { meeting } = room else {
            return Err(VideoError::failed("not a Chime room"));
        };
        let deleted =
            self.client().delete_attendee().meeting_id(&meeting.meeting_id).attendee_id(attendee_id).send().await;
        match deleted.map_err(video_error) {
            Ok(_) | Err(VideoError::RoomGone) => Ok(()),
            Err(error) => Err(error),
        }
    }
}
