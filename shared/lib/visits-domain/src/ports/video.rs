use async_trait::async_trait;

use super::{Dependency, DependencyError};
use crate::model::{Participant, Room, Session, Visit};

/// The one thing a video provider answers beyond any dependency's failure.
#[derive(Debug, thiserror::Error)]
pub enum VideoError {
    /// The provider ended the room (Chime ends empty meetings): open a new one.
    #[error("room no longer exists")]
    RoomGone,
    #[error(transparent)]
    Dependency(#[from] DependencyError),
}

impl VideoError {
    /// The provider refused or broke (retrying will not help).
    pub fn failed(message: impl Into<String>) -> Self {
        Self::Dependency(DependencyError::failed(Dependency::VideoProvider, message))
    }
}

/// Taking a retired seat away: all a redemption needs from the video provider.
#[async_trait]
pub trait SeatRemover: Send + Sync {
    /// Removes one seat: whoever holds it leaves the room and its join token stops working. A
    /// seat (or room) already gone is not an error.
    async fn remove_attendee(&self, room: &Room, attendee_id: &str) -> Result<(), VideoError>;
}

/// Chime SDK meetings or Connect WebRTC contacts, chosen by the visit's `provider`.
#[async_trait]
pub trait VideoProvider: SeatRemover {
    /// Opens the visit's room. Idempotent per visit: asking twice gives the same room.
    async fn open_room(&self, visit: &Visit) -> Result<Room, VideoError>;
    /// Opens the visit's room with `first` seated in it. A provider that can do both in one
    /// round trip does so.
    async fn open_room_with(&self, visit: &Visit, first: &Participant) -> Result<(Room, Session), VideoError> {
        let room = self.open_room(visit).await?;
        let session = self.admit(visit, &room, first).await?;
        Ok((room, session))
    }
    /// Seats a participant; the same participant gets the same seat back.
    async fn admit(&self, visit: &Visit, room: &Room, participant: &Participant) -> Result<Session, VideoError>;
    /// Ends the room and removes its participants.
    async fn close_room(&self, room: &Room) -> Result<(), VideoError>;
}

/// The seats of a function that links only the Chime SDK: Chime rooms through it; a Connect
/// contact's one customer seat cannot be taken without ending the call, so there is nothing to do.
pub struct ChimeSeats(pub std::sync::Arc<dyn SeatRemover>);

#[async_trait]
impl SeatRemover for ChimeSeats {
    async fn remove_attendee(&self, room: &Room, attendee_id: &str) -> Result<(), VideoError> {
        match room.provider() {
            crate::model::Provider::Chime => self.0.remove_attendee(room, attendee_id).await,
            crate::model::Provider::Connect => Ok(()),
        }
    }
}

/// Sends each visit to the provider it was scheduled with, and each room to the provider that
/// opened it.
pub struct ProviderRouter {
    pub chime: std::sync::Arc<dyn VideoProvider>,
    pub connect: std::sync::Arc<dyn VideoProvider>,
}

impl ProviderRouter {
    fn for_provider(&self, provider: crate::model::Provider) -> &dyn VideoProvider {
        match provider {
            crate::model::Provider::Chime => self.chime.as_ref(),
            crate::model::Provider::Connect => self.connect.as_ref(),
        }
    }
}

#[async_trait]
impl VideoProvider for ProviderRouter {
    async fn open_room(&self, visit: &Visit) -> Result<Room, VideoError> {
        self.for_provider(visit.provider()).open_room(visit).await
    }

    async fn open_room_with(&self, visit: &Visit, first: &Participant) -> Result<(Room, Session), VideoError> {
        self.for_provider(visit.provider()).open_room_with(visit, first).await
    }

    async fn admit(&self, visit: &Visit, room: &Room, participant: &Participant) -> Result<Session, VideoError> {
        self.for_provider(room.provider()).admit(visit, room, participant).await
    }

    async fn close_room(&self, room: &Room) -> Result<(), VideoError> {
        self.for_provider(room.provider()).close_room(room).await
    }
}

#[async_trait]
impl SeatRemover for ProviderRouter {
    async fn remove_attendee(&self, room: &Room, attendee_id: &str) -> Result<(), VideoError> {
        self.for_provider(room.provider()).remove_attendee(room, attendee_id).await
    }
}
