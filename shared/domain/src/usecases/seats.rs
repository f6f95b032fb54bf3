//! Seats retired by a newer redemption (one admission per participant) leave the room.

use super::core::{Core, video_error};
use crate::DomainError;
use crate::model::{AuditKind, Room, Visit};
use crate::ports::{SeatRemover, VideoError};

/// Removes the seats that newer redemptions retired from the room, and forgets them.
pub(crate) async fn remove_retired_seats<S: SeatRemover + ?Sized>(
    core: &Core,
    seats: &S,
    visit: &Visit,
    room: &Room,
    actor: &str,
) -> Result<(), DomainError> {
    if visit.retired_attendees.is_empty() {
        return Ok(());
    }
    for seat in &visit.retired_attendees {
        match seats.remove_attendee(room, seat).await {
            Ok(()) | Err(VideoError::RoomGone) => {}
            Err(error) => return Err(video_error(error)),
        }
    }
    let removed = visit.retired_attendees.clone();
    core.mutate(&visit.id, actor, |visit, draft| {
        let before = visit.retired_attendees.len();
        visit.retired_attendees.retain(|seat| !removed.contains(seat));
        for _ in visit.retired_attendees.len()..before {
            draft.record(AuditKind::ParticipantRemoved, [("role", "patient".to_owned())]);
        }
        Ok(())
    })
    .await?;
    Ok(())
}
