//! The audit trail: every event of a visit (or of a clinician application) carries the digest of
//! the one before it, so an edited, removed or reordered record breaks the chain.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{ApplicationId, Digest, VisitId};

/// Declares the audit event kinds once: the enum, its wire names, and parsing back.
macro_rules! audit_kinds {
    ($($variant:ident => $name:literal,)*) => {
        /// What happened. Producers record these; the audit stream's metrics count them; the wire
        /// and the hash carry [`AuditKind::as_str`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum AuditKind {
            $($variant,)*
        }

        impl AuditKind {
            pub const ALL: &[AuditKind] = &[$(AuditKind::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(AuditKind::$variant => $name,)*
                }
            }

            pub fn parse(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(AuditKind::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

audit_kinds! {
    VisitScheduled => "visit.scheduled",
    VisitCompleted => "visit.completed",
    VisitCancelled => "visit.cancelled",
    VisitRescheduled => "visit.rescheduled",
    VisitNoShow => "visit.no_show",
    JobRan => "visit.job_ran",
    LinkMinted => "link.minted",
    LinkRedeemed => "link.redeemed",
    LinkRestored => "link.restored",
    LinkRefused => "link.refused",
    LinkResendAsked => "link.resend_asked",
    NotificationSent => "notification.sent",
    NotificationFailed => "notification.failed",
    PatientCheckedIn => "patient.checked_in",
    SessionStarted => "session.started",
    SessionRestarted => "session.restarted",
    ParticipantJoined => "participant.joined",
    ParticipantRemoved => "participant.removed",
    ContactConnected => "contact.connected",
    ConsentGiven => "consent.given",
    CaptureStarted => "capture.started",
    CaptureStopped => "capture.stopped",
    CaptureAvailable => "capture.available",
    CaptureFailed => "capture.failed",
    GuestAdded => "guest.added",
    GuestRemoved => "guest.removed",
    ClinicianAlerted => "clinician.alerted",
    AttendeeJoined => "attendee.joined",
    AttendeeLeft => "attendee.left",
    AttendeeDropped => "attendee.dropped",
    MeetingEnded => "meeting.ended",
    ApplicationStarted => "application.started",
    ApplicationSubmitted => "application.submitted",
    ApplicationStatusChanged => "application.status_changed",
    ClinicianCreated => "clinician.created",
}

impl Serialize for AuditKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AuditKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Self::parse(&name).ok_or_else(|| serde::de::Error::custom("unknown audit event kind"))
    }
}

impl std::fmt::Display for AuditKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a link was refused: the `reason` of a [`super::RefusalRecord`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalReason {
    /// Active when read, but another redemption won.
    LostRace,
    AlreadyRedeemed,
    Expired,
    Revoked,
}

impl RefusalReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LostRace => "lost_race",
            Self::AlreadyRedeemed => "already_redeemed",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

/// The newest record of a visit's chain: what the next record links to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    pub seq: u64,
    pub hash: Digest,
}

impl Default for AuditHead {
    fn default() -> Self {
        Self { seq: 0, hash: Digest::ZERO }
    }
}

/// Whose chain a record is in: a visit's or a clinician application's. On the wire and in the
/// hash it is one field, `visitId` or `applicationId`, so a visit's records hash as they always did.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AuditSubject {
    #[serde(rename = "visitId")]
    Visit(VisitId),
    #[serde(rename = "applicationId")]
    Application(ApplicationId),
}

impl AuditSubject {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Visit(id) => id.as_str(),
            Self::Application(id) => id.as_str(),
        }
    }
}

impl From<VisitId> for AuditSubject {
    fn from(id: VisitId) -> Self {
        Self::Visit(id)
    }
}

impl From<ApplicationId> for AuditSubject {
    fn from(id: ApplicationId) -> Self {
        Self::Application(id)
    }
}

impl std::fmt::Display for AuditSubject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One audit event. `data` holds only non-identifying details (a channel, a reason, a status).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    #[serde(flatten)]
    pub subject: AuditSubject,
    pub seq: u64,
    pub at: DateTime<Utc>,
    #[serde(rename = "type")]
    pub kind: AuditKind,
    pub actor: String,
    pub data: BTreeMap<String, String>,
    pub prev_hash: Digest,
    pub hash: Digest,
}

/// The fields the hash covers, in a fixed order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Hashed<'a> {
    #[serde(flatten)]
    subject: &'a AuditSubject,
    seq: u64,
    at: &'a DateTime<Utc>,
    kind: &'a str,
    actor: &'a str,
    data: &'a BTreeMap<String, String>,
    prev_hash: &'a Digest,
}

impl AuditRecord {
    /// Builds the record that follows `head` and returns it with the new head.
    pub fn after(
        head: AuditHead,
        subject: impl Into<AuditSubject>,
        at: DateTime<Utc>,
        kind: AuditKind,
        actor: &str,
        data: BTreeMap<String, String>,
    ) -> Self {
        let mut record = Self {
            subject: subject.into(),
            seq: head.seq + 1,
            at,
            kind,
            actor: actor.to_owned(),
            data,
            prev_hash: head.hash,
            hash: Digest::ZERO,
        };
        record.hash = record.computed_hash();
        record
    }

    pub fn head(&self) -> AuditHead {
        AuditHead { seq: self.seq, hash: self.hash }
    }

    pub fn computed_hash(&self) -> Digest {
        let hashed = Hashed {
            subject: &self.subject,
            seq: self.seq,
            at: &self.at,
            kind: self.kind.as_str(),
            actor: &self.actor,
            data: &self.data,
            prev_hash: &self.prev_hash,
        };
        // Serializing plain strings, numbers and a BTreeMap cannot fail.
        let canonical = serde_json::to_vec(&hashed).unwrap_or_default();
        Digest::of(&canonical)
    }
}

/// Whether `records` (oldest first) form one unbroken chain from the start.
pub fn chain_is_valid(records: &[AuditRecord]) -> bool {
    let mut head = AuditHead::default();
    for record in records {
        if record.seq != head.seq + 1 || record.prev_hash != head.hash || record.hash != record.computed_hash() {
            return false;
        }
        head = record.head();
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(len: usize) -> Vec<AuditRecord> {
        let visit_id = VisitId::parse("vis_abcdefghijklmnopqrst").unwrap();
        let at: DateTime<Utc> = "2030-01-01T10:00:00Z".parse().unwrap();
        let mut head = AuditHead::default();
        (0..len)
            .map(|i| {
                let kind = AuditKind::ALL[i % AuditKind::ALL.len()];
                let record = AuditRecord::after(head, visit_id.clone(), at, kind, "system", BTreeMap::new());
                head = record.head();
                record
            })
            .collect()
    }

    #[test]
    fn kinds_keep_their_wire_names() {
        for kind in AuditKind::ALL {
            assert_eq!(AuditKind::parse(kind.as_str()), Some(*kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        assert_eq!(AuditKind::LinkRefused.as_str(), "link.refused");
        assert!(serde_json::from_str::<AuditKind>(r#""link.forged""#).is_err());
    }

    #[test]
    fn a_visit_record_hashes_and_reads_as_before_subjects_existed() {
        let record = &chain(1)[0];
        let json = serde_json::to_value(record).unwrap();
        assert_eq!(json["visitId"], "vis_abcdefghijklmnopqrst");
        assert!(json.get("subject").is_none() && json.get("applicationId").is_none());
        let canonical = format!(
            r#"{{"visitId":"vis_abcdefghijklmnopqrst","seq":1,"at":"2030-01-01T10:00:00Z","kind":"{}","actor":"system","data":{{}},"prevHash":"{}"}}"#,
            record.kind.as_str(),
            Digest::ZERO
        );
        assert_eq!(record.hash, Digest::of(canonical.as_bytes()), "the hash input is unchanged");
        assert_eq!(serde_json::from_value::<AuditRecord>(json).unwrap(), *record);
        let application = ApplicationId::from_random([3; ApplicationId::RANDOM_BYTES]);
        let other =
            AuditRecord::after(AuditHead::default(), application.clone(), record.at, record.kind, "x", BTreeMap::new());
        let json = serde_json::to_value(&other).unwrap();
        assert_eq!(json["applicationId"], application.as_str());
        assert_eq!(serde_json::from_value::<AuditRecord>(json).unwrap(), other);
    }

    #[test]
    fn an_untouched_chain_is_valid() {
        assert!(chain_is_valid(&chain(4)));
        assert!(chain_is_valid(&[]));
    }

    #[test]
    fn editing_removing_or_reordering_breaks_the_chain() {
        let mut edited = chain(4);
        edited[1].actor = "someone-else".into();
        assert!(!chain_is_valid(&edited));

        let mut removed = chain(4);
        removed.remove(2);
        assert!(!chain_is_valid(&removed));

        let mut reordered = chain(4);
        reordered.swap(1, 2);
        assert!(!chain_is_valid(&reordered));

        let mut rehashed = chain(4);
        rehashed[1].kind = AuditKind::VisitCancelled;
        rehashed[1].hash = rehashed[1].computed_hash();
        assert!(!chain_is_valid(&rehashed), "a re-hashed record no longer matches its successor");
    }
}
