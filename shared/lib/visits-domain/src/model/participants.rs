//! Who may join a visit and with what: the patient and each guest hold their own current link,
//! their own admission (the session token of their newest redemption) and their own seat.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{Admitted, Digest, Guest, GuestId, Provider, Visit};
use crate::DomainError;

/// What a participant (the patient, and each guest alike) holds to come in: their one link that
/// may still be redeemed, their one admission (the digest of the `jti` of their newest
/// redemption's session token), their seat in the room (the provider's attendee id), and the seats
/// a newer redemption retired, removed at the next join or start.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Access {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_link: Option<Digest>,
    /// The current link's short code, while it may be redeemed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_code: Option<LiveCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admission: Option<Digest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendee: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired_attendees: Vec<String>,
    /// When fresh links were asked for (`POST /join/{code}/resend`) within the last day: the
    /// allowance is taken in the ask's own write.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resent_at: Vec<DateTime<Utc>>,
    /// A fresh link asked for and not sent yet: `visit-jobs` sends it, following the ask's audit
    /// record, and takes the ask in the new link's write, so a record delivered twice sends once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resend_asked_at: Option<DateTime<Utc>>,
}

/// A current link's short code and when the link expires. Until then a store keeps, with the
/// code's entry, a copy of the visit as its last write left it: a redemption reads it with the
/// code, and needs no second read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveCode {
    pub code: Digest,
    pub until: DateTime<Utc>,
}

/// What a redemption changed of its participant's access, to put back should its session token
/// not be signed after all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdmissionUndo {
    who: Admitted,
    admission: Digest,
    earlier: Access,
}

/// A fresh link on request: at most one per holder in this long, and this many a day.
pub const LINK_RESEND_GAP: Duration = Duration::minutes(5);
pub const LINK_RESENDS_PER_DAY: usize = 3;

impl Access {
    /// A redemption becomes the one admission; the seat an earlier one held is retired, so
    /// whoever holds it is removed from the room.
    /// The redeemed link's code is live no more: its copy needs no refreshing.
    fn admit(&mut self, admission: Digest) {
        let earlier = self.admission.replace(admission);
        if earlier.is_some() && earlier != Some(admission) {
            self.retired_attendees.extend(self.attendee.take());
        }
        self.live_code = None;
    }

    /// Puts back the admission, seat and live code that `admission` replaced, if it is still
    /// the admission.
    fn undo_admit(&mut self, admission: Digest, earlier: &Access) -> bool {
        if self.admission != Some(admission) {
            return false;
        }
        if let Some(seat) = self.retired_attendees.iter().position(|seat| earlier.attendee.as_ref() == Some(seat)) {
            self.retired_attendees.remove(seat);
        }
        self.admission = earlier.admission;
        self.attendee.clone_from(&earlier.attendee);
        self.live_code = earlier.live_code;
        true
    }

    /// Forgets the retired seats among `removed`; answers how many.
    fn forget_retired(&mut self, removed: &[String]) -> usize {
        let before = self.retired_attendees.len();
        self.retired_attendees.retain(|seat| !removed.contains(seat));
        before - self.retired_attendees.len()
    }

    /// Whether a fresh link may be sent on request now.
    fn may_resend(&self, now: DateTime<Utc>) -> bool {
        let today = self.resent_at.iter().filter(|at| now - **at < Duration::days(1));
        let last = self.resent_at.iter().max();
        today.count() < LINK_RESENDS_PER_DAY && last.is_none_or(|last| now - *last >= LINK_RESEND_GAP)
    }

    /// The link and admission stop.
    fn revoke(&mut self) {
        self.current_link = None;
        self.live_code = None;
        self.admission = None;
    }

    /// Every seat this participant holds or held, current first.
    pub fn seats(&self) -> impl Iterator<Item = &String> {
        self.attendee.iter().chain(&self.retired_attendees)
    }
}

impl Visit {
    /// How many guests a visit may have.
    pub const MAX_GUESTS: usize = 2;

    pub fn guest(&self, id: &GuestId) -> Option<&Guest> {
        self.shown.guests.iter().find(|guest| guest.id == *id)
    }

    fn guest_mut(&mut self, id: &GuestId) -> Option<&mut Guest> {
        self.shown.guests.iter_mut().find(|guest| guest.id == *id)
    }

    /// Invites a guest: Chime visits only (a Connect contact has one customer seat), at most
    /// [`Visit::MAX_GUESTS`], and only while the visit can still be joined.
    pub fn add_guest(&mut self, guest: Guest, now: DateTime<Utc>) -> Result<(), DomainError> {
        if self.shown.status.is_final() {
            return Err(DomainError::Conflict(format!("the visit is {}", self.shown.status)));
        }
        if self.shown.provider != Provider::Chime {
            return Err(DomainError::Conflict("guests can join Chime visits only".into()));
        }
        if self.shown.guests.len() >= Self::MAX_GUESTS {
            return Err(DomainError::Conflict(format!("a visit has at most {} guests", Self::MAX_GUESTS)));
        }
        self.shown.guests.push(guest);
        self.shown.updated_at = now;
        Ok(())
    }

    /// Takes a guest off the visit: their link and join token stop working with them.
    pub fn remove_guest(&mut self, id: &GuestId, now: DateTime<Utc>) -> Result<Guest, DomainError> {
        if self.shown.status.is_final() {
            return Err(DomainError::Conflict(format!("the visit is {}", self.shown.status)));
        }
        let index = self.shown.guests.iter().position(|guest| guest.id == *id).ok_or(DomainError::GuestNotFound)?;
        self.shown.updated_at = now;
        Ok(self.shown.guests.remove(index))
    }

    /// What `who` holds to come in; `None` for a guest no longer on the visit.
    pub fn access(&self, who: &Admitted) -> Option<&Access> {
        match who {
            Admitted::Patient => Some(&self.books.patient),
            Admitted::Guest(id) => self.guest(id).map(|guest| &guest.access),
        }
    }

    fn access_mut(&mut self, who: &Admitted) -> Option<&mut Access> {
        match who {
            Admitted::Patient => Some(&mut self.books.patient),
            Admitted::Guest(id) => self.guest_mut(id).map(|guest| &mut guest.access),
        }
    }

    /// The one link of `who` that may still be redeemed.
    pub fn current_link_of(&self, who: &Admitted) -> Option<Digest> {
        self.access(who).and_then(|access| access.current_link)
    }

    /// Makes `link` (with its short `code`) the one link of `who` that may be redeemed; false if
    /// `who` is not a guest of the visit (any more).
    pub fn set_current_link(&mut self, who: &Admitted, link: Digest, code: LiveCode) -> bool {
        let set = |access: &mut Access| {
            access.current_link = Some(link);
            access.live_code = Some(code);
        };
        self.access_mut(who).map(set).is_some()
    }

    /// The codes of current links that may still be redeemed at `now`: their entries keep a copy
    /// of the visit, which each write of the visit refreshes.
    pub fn live_codes(&self, now: DateTime<Utc>) -> Vec<LiveCode> {
        let accesses = std::iter::once(&self.books.patient).chain(self.shown.guests.iter().map(|g| &g.access));
        accesses.filter_map(|access| access.live_code).filter(|live| now < live.until).collect()
    }

    /// Whether `who` may be sent a fresh link on request now: at most one per [`LINK_RESEND_GAP`] and
    /// [`LINK_RESENDS_PER_DAY`] a day. False for someone who is not a participant (any more).
    pub fn may_resend(&self, who: &Admitted, now: DateTime<Utc>) -> bool {
        self.access(who).is_some_and(|access| access.may_resend(now))
    }

    /// Asks for a fresh link for `who`, if one may be sent now (see [`Visit::may_resend`]): the
    /// ask is counted against their allowance and waits to be sent. Answers whether it was
    /// counted. Asks older than a day are forgotten.
    pub fn ask_resend(&mut self, who: &Admitted, now: DateTime<Utc>) -> bool {
        let Some(access) = self.access_mut(who) else { return false };
        if !access.may_resend(now) {
            return false;
        }
        access.resent_at.retain(|at| now - *at < Duration::days(1));
        access.resent_at.push(now);
        access.resend_asked_at = Some(now);
        true
    }

    /// Whether a fresh link asked for `who` waits to be sent.
    pub fn resend_asked(&self, who: &Admitted) -> bool {
        self.access(who).is_some_and(|access| access.resend_asked_at.is_some())
    }

    /// Takes the fresh link asked for `who`, to be sent now; false if none waits (sent already).
    pub fn take_resend_ask(&mut self, who: &Admitted) -> bool {
        self.access_mut(who).is_some_and(|access| access.resend_asked_at.take().is_some())
    }

    /// A redemption becomes its participant's one admission; the seat an earlier one held is
    /// retired, so whoever holds it is removed from the room. What it changed comes back, to undo.
    pub fn admit(&mut self, who: &Admitted, admission: Digest) -> Option<AdmissionUndo> {
        let access = self.access_mut(who)?;
        let earlier = access.clone();
        access.admit(admission);
        Some(AdmissionUndo { who: who.clone(), admission, earlier })
    }

    /// Takes back an admission whose session token could not be signed, unless a newer one
    /// replaced it already; answers whether it did.
    pub fn undo_admission(&mut self, undo: &AdmissionUndo) -> bool {
        let Some(access) = self.access_mut(&undo.who) else { return false };
        access.undo_admit(undo.admission, &undo.earlier)
    }

    /// Whether a session token with this `jti` digest may join as `who`: it must be the
    /// admission of their newest redemption. Every session token comes from a redemption, which
    /// records its admission; none recorded means none is valid (a move or a no-show revoked it).
    pub fn admits(&self, who: &Admitted, admission: &Digest) -> bool {
        self.access(who).is_some_and(|access| access.admission == Some(*admission))
    }

    /// The patient's seat in the room (the provider's attendee id), once admitted.
    pub fn seat_patient(&mut self, seat: Option<String>) {
        self.books.patient.attendee = seat;
    }

    /// A guest's seat in the room, and when they first joined; `None` if they are no longer a
    /// guest of the visit.
    pub fn seat_guest(&mut self, id: &GuestId, seat: Option<String>, now: DateTime<Utc>) -> Option<&Guest> {
        let guest = self.guest_mut(id)?;
        guest.access.attendee = seat;
        guest.joined_at.get_or_insert(now);
        Some(guest)
    }

    /// Forgets the retired seats `removed` took out of the room; answers whose they were (the
    /// patient's: `None`, a guest's: their id), one per seat.
    pub fn forget_retired_seats(&mut self, removed: &[String]) -> Vec<Option<GuestId>> {
        let mut forgotten = vec![None; self.books.patient.forget_retired(removed)];
        for guest in &mut self.shown.guests {
            let count = guest.access.forget_retired(removed);
            forgotten.extend(std::iter::repeat_n(Some(guest.id.clone()), count));
        }
        forgotten
    }

    /// Every link and admission stops: the patient's and each guest's.
    pub(super) fn revoke_all_links(&mut self) {
        self.books.patient.revoke();
        for guest in &mut self.shown.guests {
            guest.access.revoke();
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
        connect.shown.provider = Provider::Connect;
        assert!(matches!(connect.add_guest(guest(1), now()), Err(DomainError::Conflict(_))));
        assert!(matches!(visit.remove_guest(&guest(3).id, now()), Err(DomainError::GuestNotFound)));
    }

    #[test]
    fn fresh_links_on_request_are_one_per_five_minutes_and_three_a_day_per_holder() {
        let mut visit = visit_at(now());
        let guest = guest(1);
        visit.add_guest(guest.clone(), now()).unwrap();
        let (patient, them) = (Admitted::Patient, Admitted::Guest(guest.id.clone()));
        let at = |minutes: i64| now() + Duration::minutes(minutes);
        assert!(visit.ask_resend(&patient, at(0)));
        assert!(!visit.ask_resend(&patient, at(4)), "within five minutes");
        assert!(visit.ask_resend(&them, at(4)), "the guest's are their own");
        assert!(visit.ask_resend(&patient, at(5)));
        assert!(visit.ask_resend(&patient, at(10)));
        assert!(!visit.may_resend(&patient, at(60)), "three a day");
        assert!(!visit.ask_resend(&patient, at(60)));
        assert!(visit.ask_resend(&patient, at(24 * 60)), "a day after the first");
        assert_eq!(visit.books.patient.resent_at.len(), 3, "older than a day: forgotten");
        let stranger = Admitted::Guest(GuestId::from_random([9; GuestId::RANDOM_BYTES]));
        assert!(!visit.ask_resend(&stranger, at(0)), "not a guest of the visit");
    }

    #[test]
    fn an_asked_for_link_waits_until_taken_once() {
        let mut visit = visit_at(now());
        let guest = guest(1);
        visit.add_guest(guest.clone(), now()).unwrap();
        let (patient, them) = (Admitted::Patient, Admitted::Guest(guest.id.clone()));
        assert!(!visit.resend_asked(&patient) && !visit.take_resend_ask(&patient), "nothing asked");
        assert!(visit.ask_resend(&them, now()));
        assert!(visit.resend_asked(&them) && !visit.resend_asked(&patient), "each holder's own");
        assert!(visit.take_resend_ask(&them));
        assert!(!visit.resend_asked(&them) && !visit.take_resend_ask(&them), "taken once");
        assert_eq!(visit.access(&them).unwrap().resent_at.len(), 1, "taking it does not give the allowance back");
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
        visit.shown.guests[0].access.attendee = Some("seat-1".into());
        assert!(visit.admits(&who, &first) && !visit.admits(&Admitted::Patient, &first));
        visit.admit(&who, second);
        assert!(!visit.admits(&who, &first) && visit.admits(&who, &second));
        assert_eq!(visit.shown.guests[0].access.retired_attendees, ["seat-1"]);
        assert!(visit.books.patient.admission.is_none(), "the patient's admission is untouched");
        visit.remove_guest(&guest.id, now()).unwrap();
        assert!(!visit.admits(&who, &second), "a removed guest is admitted no more");
    }

    #[test]
    fn a_move_revokes_every_link_and_admission() {
        let mut visit = visit_at(now() + chrono::Duration::days(1));
        let guest = guest(1);
        visit.add_guest(guest.clone(), now()).unwrap();
        let who = Admitted::Guest(guest.id.clone());
        assert!(visit.set_current_link(&who, Digest::of(b"link"), live(b"code", 60)));
        visit.set_current_link(&Admitted::Patient, Digest::of(b"patient link"), live(b"patient code", 60));
        assert_eq!(visit.live_codes(now()).len(), 2);
        visit.admit(&who, Digest::of(b"admission"));
        visit.reschedule(now() + chrono::Duration::days(2), visit.shown.duration, now()).unwrap();
        assert_eq!((visit.current_link_of(&who), visit.current_link_of(&Admitted::Patient)), (None, None));
        assert!(!visit.admits(&who, &Digest::of(b"admission")));
        assert!(visit.live_codes(now()).is_empty(), "no copy to keep for a revoked link");
    }

    fn live(code: &[u8], minutes: i64) -> LiveCode {
        LiveCode { code: Digest::of(code), until: now() + Duration::minutes(minutes) }
    }

    #[test]
    fn codes_are_live_until_their_links_expire() {
        let mut visit = visit_at(now());
        let guest = guest(1);
        visit.add_guest(guest.clone(), now()).unwrap();
        visit.set_current_link(&Admitted::Patient, Digest::of(b"patient link"), live(b"patient code", 10));
        visit.set_current_link(&Admitted::Guest(guest.id), Digest::of(b"guest link"), live(b"guest code", 30));
        let codes = |at: DateTime<Utc>| visit.live_codes(at).into_iter().map(|live| live.code).collect::<Vec<_>>();
        assert_eq!(codes(now()), [Digest::of(b"patient code"), Digest::of(b"guest code")]);
        assert_eq!(codes(now() + Duration::minutes(10)), [Digest::of(b"guest code")]);
        assert!(codes(now() + Duration::minutes(30)).is_empty());
    }

    #[test]
    fn an_undone_admission_gives_back_the_earlier_one_and_its_seat() {
        let mut visit = visit_at(now());
        let (first, second, third) = (Digest::of(b"first"), Digest::of(b"second"), Digest::of(b"third"));
        visit.admit(&Admitted::Patient, first);
        visit.seat_patient(Some("seat-1".into()));
        visit.set_current_link(&Admitted::Patient, Digest::of(b"link"), live(b"code", 60));
        let undo = visit.admit(&Admitted::Patient, second).unwrap();
        assert_eq!(visit.books.patient.retired_attendees, ["seat-1"]);
        assert!(visit.live_codes(now()).is_empty(), "a redeemed link's code needs no copy");
        assert!(visit.undo_admission(&undo));
        assert!(visit.admits(&Admitted::Patient, &first));
        assert_eq!(visit.live_codes(now()), [live(b"code", 60)]);
        assert_eq!(visit.books.patient.attendee.as_deref(), Some("seat-1"));
        assert!(visit.books.patient.retired_attendees.is_empty());

        let undo = visit.admit(&Admitted::Patient, second).unwrap();
        visit.admit(&Admitted::Patient, third);
        assert!(!visit.undo_admission(&undo), "a newer admission stands");
        assert!(visit.admits(&Admitted::Patient, &third));
    }

    #[test]
    fn retired_seats_are_forgotten_once_and_named_by_whose_they_were() {
        let mut visit = visit_at(now());
        let one = guest(1);
        let id = one.id.clone();
        visit.add_guest(one, now()).unwrap();
        visit.books.patient.retired_attendees = vec!["p-old".into()];
        visit.shown.guests[0].access.retired_attendees = vec!["g-old".into(), "g-keep".into()];
        let removed = ["p-old".to_owned(), "g-old".to_owned(), "nobody".to_owned()];
        assert_eq!(visit.forget_retired_seats(&removed), vec![None, Some(id)]);
        assert!(visit.books.patient.retired_attendees.is_empty());
        assert_eq!(visit.shown.guests[0].access.retired_attendees, ["g-keep"]);
        assert!(visit.forget_retired_seats(&removed).is_empty(), "once");
    }

    #[test]
    fn the_patients_access_keeps_the_names_items_were_written_with() {
        let mut visit = visit_at(now());
        visit.admit(&Admitted::Patient, Digest::of(b"first"));
        let mut kept = serde_json::to_value(&visit).unwrap();
        let fields = kept.as_object_mut().unwrap();
        assert!(fields.contains_key("patientAdmission") && !fields.contains_key("admission"), "{fields:?}");
        fields.insert("patientAttendee".into(), serde_json::json!("seat-9"));
        fields.insert("retiredAttendees".into(), serde_json::json!(["seat-1"]));
        let read: Visit = serde_json::from_value(kept).unwrap();
        assert!(read.admits(&Admitted::Patient, &Digest::of(b"first")));
        assert_eq!(read.patient().seats().collect::<Vec<_>>(), ["seat-9", "seat-1"]);
    }
}
