//! Video sessions. `Meeting` and `Attendee` keep the Chime SDK's own PascalCase shape so a
//! browser can hand them straight to `MeetingSessionConfiguration`.

use serde::{Deserialize, Serialize};

use super::{Provider, UserId, VisitId};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MediaPlacement {
    pub audio_host_url: String,
    pub audio_fallback_url: String,
    pub signaling_url: String,
    pub turn_control_url: String,
    pub screen_data_url: String,
    pub screen_viewing_url: String,
    pub screen_sharing_url: String,
    pub event_ingestion_url: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Meeting {
    pub meeting_id: String,
    pub external_meeting_id: String,
    pub media_region: String,
    pub media_placement: MediaPlacement,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_arn: Option<String>,
}

/// A participant's seat in a meeting. `JoinToken` is a secret: never logged.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Attendee {
    pub external_user_id: String,
    pub attendee_id: String,
    pub join_token: String,
}

impl std::fmt::Debug for Attendee {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attendee").field("attendee_id", &self.attendee_id).finish_non_exhaustive()
    }
}

/// What Connect's StartWebRTCContact returns for joining its meeting.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConnectionData {
    pub meeting: Meeting,
    pub attendee: Attendee,
}

/// The live room of a visit, kept on the visit so everyone joins the same one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "provider", rename_all = "snake_case")]
pub enum Room {
    Chime {
        meeting: Meeting,
    },
    /// A Connect WebRTC contact: the patient is its customer participant; the clinician
    /// answers it from the Connect agent workspace.
    Connect {
        contact_id: String,
        participant_id: String,
        participant_token: String,
        connection_data: ConnectionData,
    },
}

impl Room {
    /// What a participant of a Connect room gets: the patient is the contact's customer and gets
    /// its credentials; staff answer the contact in the Connect agent workspace and get its id.
    /// `None` for a Chime room.
    pub fn connect_session(&self, visit_id: &VisitId, participant: &Participant) -> Option<Session> {
        let Room::Connect { contact_id, participant_id, participant_token, connection_data } = self else {
            return None;
        };
        let customer = participant.is_patient;
        Some(Session::Connect {
            visit_id: visit_id.clone(),
            contact_id: contact_id.clone(),
            participant_id: customer.then(|| participant_id.clone()),
            participant_token: customer.then(|| participant_token.clone()),
            connection_data: customer.then(|| connection_data.clone()),
        })
    }

    pub fn provider(&self) -> Provider {
        match self {
            Room::Chime { .. } => Provider::Chime,
            Room::Connect { .. } => Provider::Connect,
        }
    }
}

/// Someone joining a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub user_id: UserId,
    pub is_patient: bool,
}

/// What a participant needs to join: the API's Session body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "provider", rename_all = "snake_case")]
pub enum Session {
    #[serde(rename_all = "camelCase")]
    Chime { visit_id: VisitId, meeting: Meeting, attendee: Attendee },
    #[serde(rename_all = "camelCase")]
    Connect {
        visit_id: VisitId,
        contact_id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        participant_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        participant_token: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        connection_data: Option<ConnectionData>,
    },
}

impl Session {
    /// The participant's seat (attendee id) in the room.
    pub fn attendee_id(&self) -> Option<&str> {
        match self {
            Session::Chime { attendee, .. } => Some(&attendee.attendee_id),
            Session::Connect { connection_data, .. } => {
                connection_data.as_ref().map(|c| c.attendee.attendee_id.as_str())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chime_session_serializes_in_the_contract_shape() {
        let session = Session::Chime {
            visit_id: VisitId::parse("vis_abcdefghijklmnopqrst").unwrap(),
            meeting: Meeting { meeting_id: "m".into(), ..Meeting::default() },
            attendee: Attendee { attendee_id: "a".into(), ..Attendee::default() },
        };
        let json = serde_json::to_value(&session).unwrap();
        assert_eq!(json["provider"], "chime");
        assert_eq!(json["visitId"], "vis_abcdefghijklmnopqrst");
        assert_eq!(json["meeting"]["MeetingId"], "m");
        assert_eq!(json["meeting"]["MediaPlacement"]["AudioHostUrl"], "");
        assert_eq!(json["attendee"]["AttendeeId"], "a");
    }
}
