//! The Chime and Connect adapters, with the real SDK clients and serialization, against the
//! local stand-in.

use chrono::{Duration, Utc};
use visits_chime::ChimeVideo;
use visits_connect::ConnectVideo;
use visits_domain::model::{Participant, Provider, Room, Session, Visit};
use visits_domain::ports::{IdSource, VideoError, VideoProvider};
use visits_domain::testing::{CountingIds, edited, scheduled_visit};
use visits_tests::local_aws::{standin, video_clients};

fn visit(provider: Provider) -> Visit {
    let id = CountingIds::default().visit_id();
    let patient = "b0000000-0000-4000-8000-000000000001";
    let clinician = "c0000000-0000-4000-8000-000000000001";
    let visit = scheduled_visit(id, patient, clinician, Utc::now() + Duration::minutes(5));
    edited(&visit, |listed| listed.provider = provider)
}

fn who(visit: &Visit, patient: bool) -> Participant {
    let user_id = if patient { visit.patient_id().clone() } else { visit.clinician_id().clone() };
    Participant { user_id, is_patient: patient }
}

#[tokio::test]
async fn chime_meetings_are_one_per_visit_and_attendees_one_per_participant() {
    let (url, standin) = standin().await;
    let (chime, _) = video_clients(&url).await;
    let video = ChimeVideo::new(chime, "us-east-1");
    let visit = visit(Provider::Chime);

    let room = video.open_room(&visit).await.unwrap();
    assert_eq!(video.open_room(&visit).await.unwrap(), room, "two starts at one version share the meeting");
    let Room::Chime { meeting } = &room else { panic!("{room:?}") };
    assert_eq!(meeting.external_meeting_id, visit.id().as_str());
    assert!(meeting.media_placement.signaling_url.starts_with("wss://"));

    let attendee = |session: Session| match session {
        Session::Chime { attendee, meeting: m, .. } => {
            assert_eq!(m.meeting_id, meeting.meeting_id);
            attendee
        }
        other => panic!("{other:?}"),
    };
    let clinician = attendee(video.admit(&visit, &room, &who(&visit, false)).await.unwrap());
    let patient = attendee(video.admit(&visit, &room, &who(&visit, true)).await.unwrap());
    let patient_again = attendee(video.admit(&visit, &room, &who(&visit, true)).await.unwrap());
    assert_ne!(clinician.attendee_id, patient.attendee_id);
    assert_eq!(patient.attendee_id, patient_again.attendee_id);
    assert_eq!(patient.external_user_id, visit.patient_id().as_str());
    assert!(!patient.join_token.is_empty());

    video.close_room(&room).await.unwrap();
    assert_eq!(standin.snapshot()["meetings"].as_array().unwrap().len(), 0);
    assert!(matches!(video.admit(&visit, &room, &who(&visit, true)).await, Err(VideoError::RoomGone)));
    video.close_room(&room).await.expect("closing a gone meeting is fine");

    let mut restarted = visit.clone();
    restarted.advance_version();
    let Room::Chime { meeting: fresh } = video.open_room(&restarted).await.unwrap() else { panic!() };
    assert_ne!(fresh.meeting_id, meeting.meeting_id, "a restart gets a new meeting");
}

#[tokio::test]
async fn connect_contacts_carry_the_visit_and_allow_video_both_ways() {
    let (url, standin) = standin().await;
    let (_, connect) = video_clients(&url).await;
    let video = ConnectVideo::new(connect, "instance-1", "flow-1");
    let visit = visit(Provider::Connect);

    let room = video.open_room(&visit).await.unwrap();
    let Room::Connect { contact_id, participant_token, connection_data, .. } = &room else { panic!("{room:?}") };
    assert!(!participant_token.is_empty());
    assert!(!connection_data.meeting.meeting_id.is_empty() && !connection_data.attendee.attendee_id.is_empty());

    let state = standin.snapshot();
    let request = &state["contacts"][0]["request"];
    assert_eq!(request["Attributes"]["visitId"], visit.id().as_str());
    assert_eq!(request["InstanceId"], "instance-1");
    assert_eq!(request["ContactFlowId"], "flow-1");
    assert_eq!(request["AllowedCapabilities"]["Customer"]["Video"], "SEND");
    assert_eq!(request["AllowedCapabilities"]["Agent"]["Video"], "SEND");

    match video.admit(&visit, &room, &who(&visit, true)).await.unwrap() {
        Session::Connect { contact_id: c, participant_token: Some(token), connection_data: Some(_), .. } => {
            assert_eq!((&c, &token), (contact_id, participant_token));
        }
        other => panic!("{other:?}"),
    }
    match video.admit(&visit, &room, &who(&visit, false)).await.unwrap() {
        Session::Connect { participant_token: None, .. } => {}
        other => panic!("the clinician answers in Connect: {other:?}"),
    }
    video.close_room(&room).await.unwrap();
    assert_eq!(standin.snapshot()["contacts"][0]["stopped"], true);
}
