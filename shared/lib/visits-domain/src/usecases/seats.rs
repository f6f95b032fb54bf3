//! Seats retired by a newer redemption (one admission per participant) leave the room.

use super::core::{Core, Draft, video_error};
use crate::DomainError;
use crate::model::{AuditKind, Guest, Room, Visit};
use crate::ports::{SeatRemover, VideoError};

/// Takes the seats that newer redemptions retired out of the room; returns the ones now gone,
/// for [`forget_seats`] to record in the same write as whatever the request changes next.
pub(crate) async fn unseat_retired<S: SeatRemover + ?Sized>(
    seats: &S,
    visit: &Visit,
    room: &Room,
) -> Result<Vec<String>, DomainError> {
    let retired: Vec<String> = retired_seats(visit).map(|(_, seat)| seat.clone()).collect();
    remove_seats(seats, room, &retired).await?;
    Ok(retired)
}

/// Takes these seats out of the room; a seat (or room) already gone is no error.
pub(crate) async fn remove_seats<S: SeatRemover + ?Sized>(
    seats: &S,
    room: &Room,
    ids: &[String],
) -> Result<(), DomainError> {
    for seat in ids {
        match seats.remove_attendee(room, seat).await {
            Ok(()) | Err(VideoError::RoomGone) => {}
            Err(error) => return Err(video_error(error)),
        }
    }
    Ok(())
}

/// The seats newer redemptions retired, the patient's and each guest's, with whose they were.
fn retired_seats(visit: &Visit) -> impl Iterator<Item = (Option<&Guest>, &String)> {
    let patient = visit.patient().retired_attendees.iter().map(|seat| (None, seat));
    let guests = visit
        .guests()
        .iter()
        .flat_map(|guest| guest.access.retired_attendees.iter().map(move |seat| (Some(guest), seat)));
    patient.chain(guests)
}

/// Forgets the seats `removed` took out of the room, auditing each.
pub(crate) fn forget_seats(visit: &mut Visit, draft: &mut Draft, removed: &[String]) {
    for whose in visit.forget_retired_seats(removed) {
        match whose.as_ref().and_then(|id| visit.guest(id)) {
            Some(guest) => draft.record(AuditKind::ParticipantRemoved, guest_fields(guest)),
            None => draft.record(AuditKind::ParticipantRemoved, [("role", "patient".to_owned())]),
        }
    }
}

/// How the audit trail names a guest: by role and id, never by name or contact.
pub(crate) fn guest_fields(guest: &Guest) -> [(&'static str, String); 3] {
    [("role", "guest".to_owned()), ("guestRole", guest.role.as_str().to_owned()), ("guestId", guest.id.to_string())]
}

/// Removes the retired seats and records it, when nothing else is written with it.
pub(crate) async fn remove_retired_seats<S: SeatRemover + ?Sized>(
    core: &Core,
    seats: &S,
    visit: Visit,
    room: &Room,
    actor: &str,
) -> Result<Visit, DomainError> {
    if retired_seats(&visit).next().is_none() {
        return Ok(visit);
    }
    let removed = unseat_retired(seats, &visit, room).await?;
    let forget = |visit: &mut Visit, draft: &mut Draft| {
        forget_seats(visit, draft, &removed);
        Ok(())
    };
    let (_, visit) = core.mutate_from(visit, actor, forget).await?;
    Ok(visit)
}
