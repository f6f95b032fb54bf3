//! Who may join a visit and with what: the patient and each guest hold their own current link,
//! their own admission (the session token of their newest redemption) and their own seat.

use chrono::{DateTime, Utc};

use super::{Admitted, Digest, Guest, GuestId, Provider, Visit};
use crate::DomainError;

impl Visit {
    /// How many guests a visit may have.
    pub const MAX_GUESTS: usize = 2;

    pub fn guest(&self, id: &GuestId) -> Option<&Guest> {
        self.guests.iter().find(|guest| guest.id == *id)
    }

    fn guest_mut(&mut self, id: &GuestId) -> Option<&mut Guest> {
        self.guests.iter_mut().find(|guest| guest.id == *id)
    }

    /// Invites a guest: Chime visits only (a Connect contact has one customer seat), at most
    /// [`Visit::MAX_GUESTS`], and only while the visit can still be joined.
    pub fn add_guest(&mut self, guest: Guest, now: DateTime<Utc>) -> Result<(), DomainError> {
        if self.status.is_final() {
            return Err(DomainError::Conflict(format!("the visit is {}", self.status)));
        }
        if self.provider != Provider::Chime {
            return Err(DomainError::Conflict("guests can join Chime visits only".into()));
        }
        if self.guests.len() >= Self::MAX_GUESTS {
            return Err(DomainError::Conflict(format!("a visit has at most {} guests", Self::MAX_GUESTS)));
        }
        self.guests.push(guest);
        self.updated_at = now;
        Ok(())
    }

    /// Takes a guest off the visit: their link and join token stop working with them.
    pub fn remove_guest(&mut self, id: &GuestId, now: DateTime<Utc>) -> Result<Guest, DomainError> {
        if self.status.is_final() {
            return Err(DomainError::Conflict(format!("the visit is {}", self.status)));
        }
        let index = self.guests.iter().position(|guest| guest.id == *id).ok_or(DomainError::GuestNotFound)?;
        self.updated_at = now;
        Ok(self.guests.remove(index))
    }

    /// The one link of `who` that may still be redeemed.
    pub fn current_link_of(&self, who: &Admitted) -> Option<Digest> {
        match who {
            Admitted::Patient => self.current_link,
            Admitted::Guest(id) => self.guest(id).and_then(|guest| guest.current_link),
        }
    }

    /// Makes `link` the one link of `who` that may be redeemed; false if `who` is not a guest of
    /// the visit (any more).
    pub fn set_current_link(&mut self, who: &Admitted, link: Digest) -> bool {
        match who {
            Admitted::Patient => self.current_link = Some(link),
            Admitted::Guest(id) => match self.guest_mut(id) {
                Some(guest) => guest.current_link = Some(link),
                None => return false,
            },
        }
        true
    }

    /// A redemption becomes its participant's one admission; the seat an earlier one held is
    /// retired, so whoever holds it is removed from the room.
    pub fn admit(&mut self, who: &Admitted, admission: Digest) {
        let (current, seat, retired) = match who {
            Admitted::Patient => (&mut self.patient_admission, &mut self.patient_attendee, &mut self.retired_attendees),
            Admitted::Guest(id) => {
                let Some(guest) = self.guests.iter_mut().find(|guest| guest.id == *id) else { return };
                (&mut guest.admission, &mut guest.attendee, &mut guest.retired_attendees)
            }
        };
        let earlier = current.replace(admission);
        if earlier.is_some() && earlier != Some(admission) {
            retired.extend(seat.take());
        }
    }

    /// Whether a session token with this `jti` digest may join as `who`: it must be the
    /// admission of their newest redemption.
    pub fn admits(&self, who: &Admitted, admission: &Digest) -> bool {
        match who {
            // Every session token comes from a redemption, which records its admission; none
            // recorded means none is valid (a move or a no-show revoked it).
            Admitted::Patient => self.patient_admission == Some(*admission),
            Admitted::Guest(id) => self.guest(id).is_some_and(|guest| guest.admission == Some(*admission)),
        }
    }

    /// The patient's seat in the room (the provider's attendee id), once admitted.
    pub fn seat_patient(&mut self, seat: Option<String>) {
        self.patient_attendee = seat;
    }

    /// Forgets the retired seats `removed` took out of the room; answers whose they were (the
    /// patient's: `None`, a guest's: their id), one per seat.
    pub fn forget_retired_seats(&mut self, removed: &[String]) -> Vec<Option<GuestId>> {
        let mut forgotten = Vec::new();
        let before = self.retired_attendees.len();
        self.retired_attendees.retain(|seat| !removed.contains(seat));
        forgotten.extend((self.retired_attendees.len()..before).map(|_| None));
        for guest in &mut self.guests {
            let before = guest.retired_attendees.len();
            guest.retired_attendees.retain(|seat| !removed.contains(seat));
            forgotten.extend((guest.retired_attendees.len()..before).map(|_| Some(guest.id.clone())));
        }
        forgotten
    }

    /// Every link and admission stops: the patient's and each guest's.
    pub(super) fn revoke_all_links(&mut self) {
        self.current_link = None;
        self.patient_admission = None;
        for guest in &mut self.guests {
            guest.current_link = None;
            guest.admission = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::visit::tests::visit_at;
    use crate::model::{GuestContact, GuestRole, NewGuest};

    fn now() -> DateTime<Utc> {
        "2030-01-01T10:00:00Z".parse().unwrap()
    }

    fn guest(n: u8) -> Guest {
        let contact: GuestContact = serde_json::from_str(r#"{"email": "g@example.com"}"#).unwrap();
        let invited = NewGuest { role: GuestRole::Caregiver, display_name: None, contact };
        Guest::new(GuestId::from_random([n; GuestId::RANDOM_BYTES]), invited, now())
    }

    #[test]
    fn a_chime_visit_takes_two_guests_and_a_connect_visit_none() {
        let mut visit = visit_at(now());
        visit.add_guest(guest(1), now()).unwrap();
        visit.add_guest(guest(2), now()).unwrap();
        assert!(matches!(visit.add_guest(guest(3), now()), Err(DomainError::Conflict(_))));
        let mut connect = visit_at(now());
        connect.provider = Provider::Connect;
        assert!(matches!(connect.add_guest(guest(1), now()), Err(DomainError::Conflict(_))));
        assert!(matches!(visit.remove_guest(&guest(3).id, now()), Err(DomainError::GuestNotFound)));
    }

    #[test]
    fn each_participant_has_their_own_admission_and_a_new_one_retires_the_old_seat() {
        let mut visit = visit_at(now());
        let guest = guest(1);
        visit.add_guest(guest.clone(), now()).unwrap();
        let who = Admitted::Guest(guest.id.clone());
        let (first, second) = (Digest::of(b"first"), Digest::of(b"second"));
        assert!(!visit.admits(&who, &first), "a guest needs an admission");
        visit.admit(&who, first);
        visit.guests[0].attendee = Some("seat-1".into());
        assert!(visit.admits(&who, &first) && !visit.admits(&Admitted::Patient, &first));
        visit.admit(&who, second);
        assert!(!visit.admits(&who, &first) && visit.admits(&who, &second));
        assert_eq!(visit.guests[0].retired_attendees, ["seat-1"]);
        assert!(visit.patient_admission.is_none(), "the patient's admission is untouched");
        visit.remove_guest(&guest.id, now()).unwrap();
        assert!(!visit.admits(&who, &second), "a removed guest is admitted no more");
    }

    #[test]
    fn a_move_revokes_every_link_and_admission() {
        let mut visit = visit_at(now() + chrono::Duration::days(1));
        let guest = guest(1);
        visit.add_guest(guest.clone(), now()).unwrap();
        let who = Admitted::Guest(guest.id.clone());
        assert!(visit.set_current_link(&who, Digest::of(b"link")));
        visit.set_current_link(&Admitted::Patient, Digest::of(b"patient link"));
        visit.admit(&who, Digest::of(b"admission"));
        visit.reschedule(now() + chrono::Duration::days(2), visit.duration, now()).unwrap();
        assert_eq!((visit.current_link_of(&who), visit.current_link_of(&Admitted::Patient)), (None, None));
        assert!(!visit.admits(&who, &Digest::of(b"admission")));
    }

    #[test]
    fn retired_seats_are_forgotten_once_and_named_by_whose_they_were() {
        let mut visit = visit_at(now());
        let one = guest(1);
        let id = one.id.clone();
        visit.add_guest(one, now()).unwrap();
        visit.retired_attendees = vec!["p-old".into()];
        visit.guests[0].retired_attendees = vec!["g-old".into(), "g-keep".into()];
        let removed = ["p-old".to_owned(), "g-old".to_owned(), "nobody".to_owned()];
        assert_eq!(visit.forget_retired_seats(&removed), vec![None, Some(id)]);
        assert!(visit.retired_attendees.is_empty());
        assert_eq!(visit.guests[0].retired_attendees, ["g-keep"]);
        assert!(visit.forget_retired_seats(&removed).is_empty(), "once");
    }
}
