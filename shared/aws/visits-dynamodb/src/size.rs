//! An item's size as DynamoDB bills it, for the write-unit arithmetic of docs/table-design.md:
//! attribute names count, strings by their UTF-8 bytes, numbers by about one byte per two digits,
//! maps and lists 3 bytes plus their contents. One write unit covers 1 KB; a transaction's write
//! costs two.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::schema::Item;

pub fn item_size(item: &Item) -> usize {
    item.iter().map(|(name, value)| name.len() + value_size(value)).sum()
}

fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(text) => text.len(),
        AttributeValue::N(number) => {
            let digits = number.trim_start_matches('-').chars().filter(char::is_ascii_digit).count();
            digits.div_ceil(2) + 1
        }
        AttributeValue::B(bytes) => bytes.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::M(map) => 3 + map.iter().map(|(name, value)| name.len() + value_size(value)).sum::<usize>(),
        AttributeValue::L(list) => 3 + list.iter().map(|value| 1 + value_size(value)).sum::<usize>(),
        AttributeValue::Ss(set) => set.iter().map(String::len).sum(),
        AttributeValue::Ns(set) => set.iter().map(|n| n.len().div_ceil(2) + 1).sum(),
        AttributeValue::Bs(set) => set.iter().map(|b| b.as_ref().len()).sum(),
        _ => 0,
    }
}

/// Standard write units for an item of `bytes`.
pub fn write_units(bytes: usize) -> usize {
    bytes.div_ceil(1024).max(1)
}

/// The part of a visit item an index holds: its keys for that index, the table's keys, and the
/// projected attributes.
pub fn index_entry(item: &Item, index_keys: [&str; 2], projected: &[&str]) -> Item {
    item.iter()
        .filter(|(name, _)| {
            [crate::schema::attr::PK, crate::schema::attr::SK].contains(&name.as_str())
                || index_keys.contains(&name.as_str())
                || projected.contains(&name.as_str())
        })
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::{DateTime, Duration, Utc};
    use visits_domain::model::{
        Admission, Admitted, AuditKind, AuditRecord, Booking, Digest, DisplayName, DurationMinutes, Email, Link,
        LinkState, LiveCode, MediaPlacement, Meeting, PatientContact, PhoneNumber, Provider, RefusalRecord, Room,
        TimeZone, UserId, Visit, VisitId,
    };

    use super::*;
    use crate::schema::{
        AuditItem, CodeItem, FailureItem, LinkItem, RefusalItem, VISIT_INDEXES, VisitItem, attr, to_item,
    };

    fn at() -> DateTime<Utc> {
        "2030-01-01T10:00:00Z".parse().unwrap()
    }

    /// A visit as booked: ids as the identity provider makes them (UUIDs), a full contact.
    fn booked() -> Visit {
        let id = VisitId::parse("vis_abcdefghijklmnopqrst").unwrap();
        let booking = Booking {
            id,
            patient_id: UserId::parse("b0000000-0000-4000-8000-000000000001").unwrap(),
            clinician_id: UserId::parse("c0000000-0000-4000-8000-000000000001").unwrap(),
            scheduled_at: at(),
            duration: DurationMinutes::new(30).unwrap(),
            provider: Provider::Chime,
            time_zone: TimeZone::UTC,
            patient_contact: Some(PatientContact {
                phone: Some(PhoneNumber::parse("+447911123456").unwrap()),
                email: Some(Email::parse("pat.example@example.com").unwrap()),
                display_name: Some(DisplayName::parse("Pat Example").unwrap()),
            }),
        };
        Visit::book(booking, at() - Duration::days(1))
    }

    /// The same visit in session: a Chime meeting as Chime returns it, a link, an admission, a seat.
    fn in_session() -> Visit {
        let mut visit = booked();
        let meeting = "4e2a5c1b-7d3f-4a9e-8b6c-1f0e2d3c4b5a";
        let url = |path: &str| format!("wss://host.m3.ue1.app.chime.aws:443/{path}/{meeting}");
        let room = Room::Chime {
            meeting: Meeting {
                meeting_id: meeting.into(),
                external_meeting_id: visit.id().to_string(),
                media_region: "us-east-1".into(),
                media_placement: MediaPlacement {
                    audio_host_url: format!("{meeting}.k.m3.ue1.app.chime.aws:3478"),
                    audio_fallback_url: url("calls"),
                    signaling_url: url("control"),
                    turn_control_url: "https://2713.cell.us-east-1.meetings.chime.aws/v2/turn_sessions".into(),
                    screen_data_url: url("v2/screen"),
                    screen_viewing_url: url("ws/connect?passcode=null&viewer_uuid=null&X-BitHub-Call-Id="),
                    screen_sharing_url: url("v2/screen"),
                    event_ingestion_url: "https://data.svc.ue1.ingest.chime.aws/v1/client-events".into(),
                },
                meeting_arn: Some(format!("arn:aws:chime:us-east-1:123456789012:meeting/{meeting}")),
            },
        };
        visit.start_session(room, at()).unwrap();
        visit.check_in_patient(at()).unwrap();
        let code = LiveCode { code: Digest::of(b"code"), until: at() + Duration::hours(1) };
        visit.set_current_link(&Admitted::Patient, Digest::of(b"jti"), code);
        visit.admit(&Admitted::Patient, Digest::of(b"session jti"));
        visit.seat_patient(Some("9f8e7d6c-5b4a-3c2d-1e0f-a1b2c3d4e5f6".into()));
        for _ in 0..12 {
            visit.advance_version();
        }
        visit
    }

    /// The same visit with its two guests in and an attendance of 20 events (three participants
    /// joining, dropping, rejoining and leaving twice over, and the meeting's end).
    fn with_guests_and_attendance() -> Visit {
        use visits_domain::model::{AttendanceMark, AttendeeEventKind, Guest, GuestId, GuestRole, NewGuest};
        let mut visit = in_session();
        for (n, role) in [(1u8, GuestRole::Caregiver), (2, GuestRole::Interpreter)] {
            let contact =
                serde_json::from_value(serde_json::json!({"email": format!("guest{n}@example.com")})).unwrap();
            let display_name = Some(DisplayName::parse("Gail Guest-Example").unwrap());
            let mut guest = Guest::new(GuestId::from_random([n; 20]), NewGuest { role, display_name, contact }, at());
            guest.access.current_link = Some(visits_domain::model::Digest::of(&[n]));
            guest.access.admission = Some(visits_domain::model::Digest::of(&[n, n]));
            guest.access.attendee = Some("9f8e7d6c-5b4a-3c2d-1e0f-a1b2c3d4e5f6".into());
            guest.joined_at = Some(at());
            visit.add_guest(guest, at()).unwrap();
        }
        let participants = ["patient".to_owned(), "clinician".to_owned(), format!("guest:{}", visit.guests()[0].id)];
        for i in 0..19 {
            let kind = if i % 2 == 0 { AttendeeEventKind::Joined } else { AttendeeEventKind::Dropped };
            let mark = AttendanceMark {
                at: at() + Duration::minutes(i),
                kind,
                meeting_id: Some("4e2a5c1b-7d3f-4a9e-8b6c-1f0e2d3c4b5a".into()),
                attendee_id: Some("9f8e7d6c-5b4a-3c2d-1e0f-a1b2c3d4e5f6".into()),
                participant: Some(participants[(i as usize) % 3].clone()),
            };
            visit.record_attendance(mark);
        }
        let end = AttendanceMark {
            at: at() + Duration::minutes(30),
            kind: AttendeeEventKind::MeetingEnded,
            meeting_id: Some("4e2a5c1b-7d3f-4a9e-8b6c-1f0e2d3c4b5a".into()),
            attendee_id: None,
            participant: None,
        };
        visit.record_attendance(end);
        visit
    }

    fn size_of<T: serde::Serialize>(item: &T) -> usize {
        item_size(&to_item(item).unwrap())
    }

    fn largest_index_entry(visit: &Visit) -> usize {
        let item = to_item(&VisitItem::new(visit)).unwrap();
        VISIT_INDEXES
            .iter()
            .map(|index| item_size(&index_entry(&item, [index.pk, index.sk], &[attr::LISTED_VISIT])))
            .max()
            .unwrap()
    }

    /// The write units docs/table-design.md counts per visit hold for items of realistic size.
    #[test]
    fn items_fit_the_write_units_the_table_design_counts() {
        let (booked, in_session) = (booked(), in_session());
        let link = Link {
            id_hash: visits_domain::model::Digest::of(b"jti"),
            code_hash: visits_domain::model::Digest::of(b"code"),
            visit_id: booked.id().clone(),
            guest: None,
            state: LinkState::Active,
            created_at: at(),
            expires_at: at() + Duration::hours(1),
        };
        let admission =
            Admission { patient_id: booked.patient_id().clone(), guest: None, opens_at: at(), closes_at: at() };
        let data = BTreeMap::from([
            ("expiresAt".to_owned(), at().to_rfc3339()),
            ("supersedesEarlierLink".to_owned(), "false".to_owned()),
        ]);
        let record = AuditRecord::after(
            booked.audit_head(),
            booked.id().clone(),
            at(),
            AuditKind::LinkMinted,
            "clinician:c0000000-0000-4000-8000-000000000001",
            data,
        );
        let refusal = RefusalRecord::sealed(booked.id().clone(), link.id_hash, 1, at(), "already_redeemed");
        let _: UserId = booked.patient_id().clone();

        let sizes = [
            ("visit item, booked", size_of(&VisitItem::new(&booked)), 1),
            ("visit item, in session", size_of(&VisitItem::new(&in_session)), 3),
            (
                "visit item, two guests and 20 attendance events",
                size_of(&VisitItem::new(&with_guests_and_attendance())),
                7,
            ),
            ("index entry, two guests and attendance", largest_index_entry(&with_guests_and_attendance()), 2),
            ("index entry, booked", largest_index_entry(&booked), 1),
            ("index entry, in session", largest_index_entry(&in_session), 1),
            ("audit record", size_of(&AuditItem::new(&record)), 1),
            ("link", size_of(&LinkItem::new(&link)), 1),
            // The code keeps a copy of its visit, refreshed by the visit's writes.
            ("code, its visit booked", size_of(&CodeItem::new(&link, &admission, &booked)), 2),
            ("code, its visit in session", size_of(&CodeItem::new(&link, &admission, &in_session)), 3),
            ("refusal", size_of(&RefusalItem::new(&refusal)), 1),
            ("failure counter", size_of(&FailureItem::first("ip#203.0.113.7", at())), 1),
        ];
        for (what, bytes, units) in sizes {
            eprintln!("{what}: {bytes} bytes, {} write unit(s)", write_units(bytes));
            assert!(write_units(bytes) <= units, "{what}: {bytes} bytes is more than {units} write unit(s)");
        }
    }

    #[test]
    fn sizes_follow_dynamodbs_rules() {
        let item = Item::from([
            ("a".to_owned(), AttributeValue::S("xyz".into())),
            ("n".to_owned(), AttributeValue::N("12345".into())),
            ("m".to_owned(), AttributeValue::M([("k".to_owned(), AttributeValue::Bool(true))].into())),
        ]);
        // a + "xyz" = 4; n + 5 digits (3 + 1) = 5; m + 3 + (k + 1) = 6.
        assert_eq!(item_size(&item), 15);
        assert_eq!((write_units(1), write_units(1024), write_units(1025)), (1, 1, 2));
    }
}
