//! Amazon Connect WebRTC contacts: when the clinician starts the session, `StartWebRTCContact`
//! puts the patient's video contact into the contact flow (and so the clinician queue), with the
//! visit id as a contact attribute and video allowed both ways. The patient joins with the
//! contact's participant credentials; the clinician answers it in the Connect agent workspace.
//! Ending or cancelling the visit stops the contact.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_connect::Client;
use aws_sdk_connect::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_connect::types::{self, AllowedCapabilities, ParticipantCapabilities, ParticipantDetails, VideoCapability};
use visits_domain::model::{Attendee, ConnectionData, MediaPlacement, Meeting, Participant, Room, Session, Visit};
use visits_domain::ports::{Dependency, SeatRemover, VideoError, VideoProvider};

/// Contacts on `CONNECT_INSTANCE_ID`, entering `CONNECT_CONTACT_FLOW_ID`.
pub fn from_env(config: &visits_aws::SdkConfig) -> Result<ConnectVideo, visits_aws::MissingSetting> {
    let instance = visits_aws::required("CONNECT_INSTANCE_ID")?;
    let flow = visits_aws::required("CONNECT_CONTACT_FLOW_ID")?;
    // Built on first use: a clinic may use Chime alone.
    Ok(ConnectVideo { client: visits_aws::OnDemand::new(config), instance_id: instance, contact_flow_id: flow })
}

pub struct ConnectVideo {
    client: visits_aws::OnDemand<Client>,
    instance_id: String,
    contact_flow_id: String,
}

impl ConnectVideo {
    pub fn new(client: Client, instance_id: impl Into<String>, contact_flow_id: impl Into<String>) -> Self {
        Self {
            client: visits_aws::OnDemand::built(client),
            instance_id: instance_id.into(),
            contact_flow_id: contact_flow_id.into(),
        }
    }

    fn client(&self) -> &Client {
        self.client.get(Client::new)
    }
}

#[async_trait]
impl VideoProvider for ConnectVideo {
    async fn open_room(&self, visit: &Visit) -> Result<Room, VideoError> {
        let video = || ParticipantCapabilities::builder().video(VideoCapability::Send).build();
        // The agent sees this name; the patient's own name stays out of Connect's contact records.
        let details = ParticipantDetails::builder()
            .display_name("Video visit patient")
            .build()
            .map_err(|e| VideoError::failed(e.to_string()))?;
        let output = self
            .client()
            .start_web_rtc_contact()
            .instance_id(&self.instance_id)
            .contact_flow_id(&self.contact_flow_id)
            .client_token(format!("{}-v{}", visit.id(), visit.version()))
            .participant_details(details)
            .set_attributes(Some(HashMap::from([("visitId".to_owned(), visit.id().to_string())])))
            .allowed_capabilities(AllowedCapabilities::builder().customer(video()).agent(video()).build())
            .send()
            .await
            .map_err(video_error)?;
        let connection = output.connection_data();
        Ok(Room::Connect {
            contact_id: text(output.contact_id()),
            participant_id: text(output.participant_id()),
            participant_token: text(output.participant_token()),
            connection_data: ConnectionData {
                meeting: connection.and_then(types::ConnectionData::meeting).map(meeting_from).unwrap_or_default(),
                attendee: connection.and_then(types::ConnectionData::attendee).map(attendee_from).unwrap_or_default(),
            },
        })
    }

    async fn admit(&self, visit: &Visit, room: &Room, participant: &Participant) -> Result<Session, VideoError> {
        room.connect_session(visit.id(), participant).ok_or_else(|| VideoError::failed("not a Connect room"))
    }

    async fn close_room(&self, room: &Room) -> Result<(), VideoError> {
        let Room::Connect { contact_id, .. } = room else {
            return Err(VideoError::failed("not a Connect room"));
        };
        let stopped = self.client().stop_contact().instance_id(&self.instance_id).contact_id(contact_id).send().await;
        match stopped.map_err(video_error) {
            Ok(_) | Err(VideoError::RoomGone) => Ok(()),
            Err(error) => Err(error),
        }
    }
}

fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_owned()
}

fn meeting_from(meeting: &types::Meeting) -> Meeting {
    let placement = meeting.media_placement();
    let url = |get: fn(&types::MediaPlacement) -> Option<&str>| text(placement.and_then(get));
    Meeting {
        meeting_id: text(meeting.meeting_id()),
        external_meeting_id: String::new(),
        media_region: text(meeting.media_region()),
        media_placement: MediaPlacement {
            audio_host_url: url(types::MediaPlacement::audio_host_url),
            audio_fallback_url: url(types::MediaPlacement::audio_fallback_url),
            signaling_url: url(types::MediaPlacement::signaling_url),
            turn_control_url: url(types::MediaPlacement::turn_control_url),
            event_ingestion_url: url(types::MediaPlacement::event_ingestion_url),
            ..MediaPlacement::default()
        },
        meeting_arn: None,
    }
}

fn attendee_from(attendee: &types::Attendee) -> Attendee {
    Attendee {
        external_user_id: String::new(),
        attendee_id: text(attendee.attendee_id()),
        join_token: text(attendee.join_token()),
    }
}

fn video_error<E>(error: SdkError<E>) -> VideoError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match visits_aws::SdkFailure::of("connect", &error) {
        failure if failure.is(&["ResourceNotFoundException", "ContactNotFoundException"]) => VideoError::RoomGone,
        failure => VideoError::Dependency(failure.into_error(Dependency::VideoProvider)),
    }
}

#[async_trait]
impl SeatRemover for ConnectVideo {
    /// A Connect contact has one customer seat, shared by whoever holds its participant token:
    /// it cannot be taken from one holder without stopping the contact, which would end the visit
    /// for the clinician too. A retired session token is still refused (401) before this point.
    async fn remove_attendee(&self, _room: &Room, _attendee_id: &str) -> Result<(), VideoError> {
        Ok(())
    }
}
