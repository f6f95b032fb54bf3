//! One-time join links. Stored only as digests of the code and of the JWT id.
//!
//! Revocation is not written on the link: a link is revoked when its visit names a newer link
//! as current, or when the visit is over. One visit write revokes every older link at once, and
//! the visit's version guard orders it against a concurrent redemption.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Admitted, Digest, GuestId, UserId, Visit, VisitId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "at")]
pub enum LinkState {
    Active,
    Redeemed(DateTime<Utc>),
}

/// What a link holder is told about a link (`GET /join/{code}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkStatus {
    Active,
    Redeemed,
    Expired,
    Revoked,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    /// Digest of the JWT's `jti`: the link's key.
    pub id_hash: Digest,
    /// Digest of the short code.
    pub code_hash: Digest,
    pub visit_id: VisitId,
    /// The guest the link admits; `None`: the visit's patient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest: Option<GuestId>,
    pub state: LinkState,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl Link {
    /// The link's status as of `now` for its `visit`. Expiry is checked here, on every read:
    /// stores delete expired links late, if at all.
    pub fn status(&self, visit: &Visit, now: DateTime<Utc>) -> LinkStatus {
        let superseded = visit.current_link_of(&self.admits()) != Some(self.id_hash) || visit.shown.status.is_final();
        match self.state {
            LinkState::Redeemed(_) => LinkStatus::Redeemed,
            LinkState::Active if superseded => LinkStatus::Revoked,
            LinkState::Active if now >= self.expires_at => LinkStatus::Expired,
            LinkState::Active => LinkStatus::Active,
        }
    }
}

impl Link {
    /// Whom the link admits.
    pub fn admits(&self) -> Admitted {
        Admitted::from_guest(self.guest.as_ref())
    }
}

/// Who a link admits and until when, as minted. A short code's item keeps it: a resend asked
/// with the code renews this holder's link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Admission {
    pub patient_id: UserId,
    /// The guest the link admits; `None`: the patient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest: Option<GuestId>,
    /// The join window at minting.
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

impl Admission {
    /// Whom a session token for this admission names: the patient, or the guest.
    pub fn subject(&self) -> UserId {
        self.guest.as_ref().map_or_else(|| self.patient_id.clone(), GuestId::as_subject)
    }
}

/// What a short code names, read without its link.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeEntry {
    pub link_id: Digest,
    /// Absent only on codes kept before it was recorded: the link names the visit then.
    pub visit_id: Option<VisitId>,
    pub admission: Option<Admission>,
    /// The link and its visit as the visit's last write before the link expired left them;
    /// absent on codes kept before copies were.
    pub copy: Option<CodeCopy>,
}

/// A link with its visit, kept with the link's code: whatever a redemption decides on them is
/// written under the visit's version and the link's state, so a stale copy fails the write and
/// is never acted on.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeCopy {
    pub link: Link,
    pub visit: Visit,
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::model::visit::tests::visit_at;

    fn link_and_visit(state: LinkState) -> (Link, Visit) {
        let created_at: DateTime<Utc> = "2030-01-01T10:00:00Z".parse().unwrap();
        let link = Link {
            id_hash: Digest::of(b"jti"),
            code_hash: Digest::of(b"code"),
            visit_id: VisitId::parse("vis_abcdefghijklmnopqrst").unwrap(),
            guest: None,
            state,
            created_at,
            expires_at: created_at + Duration::hours(1),
        };
        let mut visit = visit_at(created_at);
        visit.books.patient.current_link = Some(link.id_hash);
        (link, visit)
    }

    #[test]
    fn an_active_link_expires_at_its_expiry_instant() {
        let (link, visit) = link_and_visit(LinkState::Active);
        assert_eq!(link.status(&visit, link.expires_at - Duration::seconds(1)), LinkStatus::Active);
        assert_eq!(link.status(&visit, link.expires_at), LinkStatus::Expired);
    }

    #[test]
    fn a_newer_link_or_a_cancelled_visit_revokes() {
        let (link, mut visit) = link_and_visit(LinkState::Active);
        visit.books.patient.current_link = Some(Digest::of(b"newer"));
        assert_eq!(link.status(&visit, link.created_at), LinkStatus::Revoked);

        let (link, mut visit) = link_and_visit(LinkState::Active);
        visit.cancel(link.created_at).unwrap();
        assert_eq!(link.status(&visit, link.created_at), LinkStatus::Revoked);
    }

    #[test]
    fn a_used_link_stays_used() {
        let at = "2030-01-01T10:05:00Z".parse().unwrap();
        let (link, mut visit) = link_and_visit(LinkState::Redeemed(at));
        assert_eq!(link.status(&visit, link.expires_at + Duration::days(1)), LinkStatus::Redeemed);
        visit.cancel(at).unwrap();
        assert_eq!(link.status(&visit, at), LinkStatus::Redeemed);
    }
}
