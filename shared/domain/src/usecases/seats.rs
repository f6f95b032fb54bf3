//! Seats retired by a newer redemption (one admission per participant) leave the room.

use super::core::{Core, Draft, video_error};
use crate::DomainError;
use crate::model::{AuditKind, Room, Visit};
use crate::ports::{SeatRemover, VideoError};

/// Takes the seats that newer redemptions retired out of the room; returns the ones now gone,
/// for [`forget_seats`] to record in the same write as whatever the request changes next.
pub(crate) async fn unseat_retired<S: SeatRemover + ?Sized>(
    seats: &S,
    visit: &Visit,
    room: &Room,
) -> Result<Vec<String>, DomainError> {
    for seat in &visit.retired_attendees {
        match seats.remove_attendee(room, seat).await {
            Ok(()) | Err(VideoError::RoomGone) => {}
            Err(error) => return Err(video_error(error)),
        }
    }
    Ok(visit.retired_attendees.clone())
}

/// Forgets the seats `removed` took out of the room, auditing each.
pub(crate) fn forget_seats(visit: &mut Visit, draft: &mut Draft, removed: &[String]) {
    let before = visit.retired_attendees.len();
    visit.retired_attendees.retain(|seat| !removed.contains(seat));
    for _ in visit.retired_attendees.len()..before {
        draft.record(AuditKind::ParticipantRemoved, [("role", "patient".to_owned())]);
    }
}

/// Removes the retired seats and records it, when nothing else is written with it.
pub(crate) async fn remove_retired_seats<S: SeatRemover + ?Sized>(
    core: &Core,
    seats: &S,
    visit: Visit,
    room: &Room,
    actor: &str,
) -> Result<Visit, DomainError> {
    if visit.retired_attendees.is_empty() {
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
