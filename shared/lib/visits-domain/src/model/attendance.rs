//! Attendance: who was in the meeting and for how long, from the video provider's attendee
//! events (Chime's joined, left, dropped, and the meeting's end). Events arrive twice and out of
//! order, so the visit keeps each one once (its marks) and the summary is worked out again from
//! all of them, in time order, whenever one is added.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// What happened to a seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttendeeEventKind {
    // In this order at the same instant: a join before a leave, the meeting's end last.
    Joined,
    Left,
    Dropped,
    MeetingEnded,
}

impl AttendeeEventKind {
    /// Chime's `detail.eventType`.
    pub fn from_chime(event_type: &str) -> Option<Self> {
        match event_type {
            "chime:AttendeeJoined" => Some(Self::Joined),
            "chime:AttendeeLeft" => Some(Self::Left),
            "chime:AttendeeDropped" => Some(Self::Dropped),
            "chime:MeetingEnded" => Some(Self::MeetingEnded),
            _ => None,
        }
    }

    pub fn as_chime(self) -> &'static str {
        match self {
            Self::Joined => "chime:AttendeeJoined",
            Self::Left => "chime:AttendeeLeft",
            Self::Dropped => "chime:AttendeeDropped",
            Self::MeetingEnded => "chime:MeetingEnded",
        }
    }
}

/// One attendee event as the visit keeps it. `participant` says who the seat was: `patient`,
/// `clinician`, `guest:{guestId}`, or `staff` (an admin who joined); none for the meeting's end.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceMark {
    pub at: DateTime<Utc>,
    pub kind: AttendeeEventKind,
    /// The meeting: a visit restarted after Chime ended an empty meeting has had two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendee_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant: Option<String>,
}

/// A participant's presence, as the Visit JSON shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attendance {
    pub participant: String,
    pub first_joined_at: DateTime<Utc>,
    /// Absent while the participant is still in the meeting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_left_at: Option<DateTime<Utc>>,
    /// Whole minutes between each join and the leave, drop or meeting end that follows it;
    /// time still open is not counted yet.
    pub minutes_present: u32,
}

/// How many marks a visit keeps: several times a visit's real joins, drops and leaves (about
/// ten), while the visit item stays a few KB. Past it, events still land in the audit chain.
pub const MAX_ATTENDANCE_MARKS: usize = 100;

/// What keeping a mark did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkOutcome {
    Kept,
    /// Kept before: a repeated delivery.
    Repeated,
    /// The visit keeps no more marks; the attendance stays as it was.
    Full,
}

/// The attendance of each participant (patient, clinician, guests; not other staff), worked out
/// from every mark in time order. A participant present on two seats at once (a rejoin before
/// the old seat's leave arrived) is counted once.
pub fn summarize(marks: &[AttendanceMark]) -> Vec<Attendance> {
    let mut sorted: Vec<&AttendanceMark> = marks.iter().collect();
    sorted.sort();
    struct Presence {
        first_joined_at: DateTime<Utc>,
        last_left_at: Option<DateTime<Utc>>,
        /// The seats (meeting, attendee) in a meeting now, and since when the participant has been.
        seats: Vec<(Option<String>, String)>,
        since: Option<DateTime<Utc>>,
        present: Duration,
    }
    let mut people: BTreeMap<&str, Presence> = BTreeMap::new();
    let leave = |presence: &mut Presence, at: DateTime<Utc>| {
        if presence.seats.is_empty()
            && let Some(since) = presence.since.take()
        {
            presence.present += at - since;
            presence.last_left_at = Some(at);
        }
    };
    for mark in sorted {
        let seat = (mark.meeting_id.clone(), mark.attendee_id.clone().unwrap_or_default());
        match (mark.kind, mark.participant.as_deref()) {
            // Everyone still in that meeting leaves with it.
            (AttendeeEventKind::MeetingEnded, _) => {
                for presence in people.values_mut() {
                    presence.seats.retain(|(meeting, _)| mark.meeting_id.is_some() && *meeting != mark.meeting_id);
                    leave(presence, mark.at);
                }
            }
            (_, None | Some("staff")) => {}
            (AttendeeEventKind::Joined, Some(who)) => {
                let presence = people.entry(who).or_insert(Presence {
                    first_joined_at: mark.at,
                    last_left_at: None,
                    seats: Vec::new(),
                    since: None,
                    present: Duration::zero(),
                });
                if !presence.seats.contains(&seat) {
                    presence.seats.push(seat);
                }
                presence.since.get_or_insert(mark.at);
                presence.last_left_at = None;
            }
            (AttendeeEventKind::Left | AttendeeEventKind::Dropped, Some(who)) => {
                // A leave whose join has not arrived (out of order) waits for it: sorted by time,
                // that only happens if the join never comes, and then there is nothing to count.
                if let Some(presence) = people.get_mut(who) {
                    presence.seats.retain(|s| *s != seat);
                    leave(presence, mark.at);
                }
            }
        }
    }
    people
        .into_iter()
        .map(|(who, presence)| Attendance {
            participant: who.to_owned(),
            first_joined_at: presence.first_joined_at,
            last_left_at: presence.last_left_at,
            minutes_present: u32::try_from(presence.present.num_minutes()).unwrap_or(0),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64) -> DateTime<Utc> {
        "2030-01-01T10:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::minutes(minute)
    }

    fn mark(minute: i64, kind: AttendeeEventKind, seat: &str, who: &str) -> AttendanceMark {
        let meeting = Some("m1".to_owned());
        AttendanceMark {
            at: at(minute),
            kind,
            meeting_id: meeting,
            attendee_id: Some(seat.into()),
            participant: Some(who.into()),
        }
    }

    fn ended(minute: i64, meeting: &str) -> AttendanceMark {
        AttendanceMark {
            at: at(minute),
            kind: MeetingEnded,
            meeting_id: Some(meeting.into()),
            attendee_id: None,
            participant: None,
        }
    }

    use AttendeeEventKind::{Dropped, Joined, Left, MeetingEnded};

    #[test]
    fn presence_adds_up_across_a_drop_and_a_rejoin_in_any_order() {
        let mut marks = vec![
            mark(0, Joined, "a1", "patient"),
            mark(10, Dropped, "a1", "patient"),
            mark(12, Joined, "a2", "patient"),
            mark(30, Left, "a2", "patient"),
            mark(1, Joined, "c1", "clinician"),
            mark(31, Left, "c1", "clinician"),
        ];
        let expected = summarize(&marks);
        marks.reverse();
        assert_eq!(summarize(&marks), expected, "arrival order does not matter");
        let patient = expected.iter().find(|a| a.participant == "patient").unwrap();
        assert_eq!((patient.first_joined_at, patient.last_left_at, patient.minutes_present), (at(0), Some(at(30)), 28));
        let clinician = expected.iter().find(|a| a.participant == "clinician").unwrap();
        assert_eq!(clinician.minutes_present, 30);
    }

    #[test]
    fn the_meeting_end_closes_everyone_still_present_and_open_time_is_not_counted_yet() {
        let open = vec![mark(0, Joined, "g1", "guest:gst_a"), mark(2, Joined, "a1", "patient")];
        let now = summarize(&open);
        assert!(now.iter().all(|a| a.last_left_at.is_none() && a.minutes_present == 0), "{now:?}");
        let mut marks = open;
        marks.push(ended(20, "m1"));
        let done = summarize(&marks);
        let guest = done.iter().find(|a| a.participant == "guest:gst_a").unwrap();
        assert_eq!((guest.last_left_at, guest.minutes_present), (Some(at(20)), 20));
    }

    #[test]
    fn an_earlier_meetings_end_leaves_the_next_meeting_alone() {
        let mut marks = vec![mark(0, Joined, "a1", "patient"), mark(5, Dropped, "a1", "patient")];
        marks.push(AttendanceMark { meeting_id: Some("m2".into()), ..mark(8, Joined, "a2", "patient") });
        marks.push(ended(9, "m1"));
        marks.push(AttendanceMark { meeting_id: Some("m2".into()), ..mark(20, Left, "a2", "patient") });
        let summary = summarize(&marks);
        assert_eq!((summary[0].minutes_present, summary[0].last_left_at), (17, Some(at(20))));
    }

    #[test]
    fn two_seats_at_once_count_once_and_staff_are_not_listed() {
        let marks = vec![
            mark(0, Joined, "a1", "patient"),
            mark(5, Joined, "a2", "patient"),
            mark(6, Left, "a1", "patient"),
            mark(15, Left, "a2", "patient"),
            mark(0, Joined, "s1", "staff"),
        ];
        let summary = summarize(&marks);
        assert_eq!(summary.len(), 1);
        assert_eq!((summary[0].minutes_present, summary[0].last_left_at), (15, Some(at(15))));
    }

    #[test]
    fn chime_event_types_map_both_ways() {
        for kind in [Joined, Left, Dropped, MeetingEnded] {
            assert_eq!(AttendeeEventKind::from_chime(kind.as_chime()), Some(kind));
        }
        assert_eq!(AttendeeEventKind::from_chime("chime:MeetingStarted"), None);
    }
}
