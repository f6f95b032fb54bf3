//! The calendar invitation a visit's email carries (RFC 5545): when it is, and the portal's page
//! for it. Never the one-time link (a calendar is shared and synced; a link is a key), never a
//! name or a reason.

use chrono::{DateTime, Utc};

use super::Visit;

/// The `.ics` text for `visit`, its page at `{portal_base_url}/visits/{id}`. Its `SEQUENCE` is the
/// visit's version, so a moved visit's invitation replaces the earlier one in the calendar.
pub fn invitation(visit: &Visit, portal_base_url: &str, stamp: DateTime<Utc>) -> String {
    let utc = |at: DateTime<Utc>| at.format("%Y%m%dT%H%M%SZ").to_string();
    let page = format!("{}/visits/{}", portal_base_url.trim_end_matches('/'), visit.shown.id);
    let lines = [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//video-visits//visit invitation//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}@video-visits", visit.shown.id),
        format!("SEQUENCE:{}", visit.version()),
        format!("DTSTAMP:{}", utc(stamp)),
        format!("DTSTART:{}", utc(visit.shown.scheduled_at)),
        format!("DTEND:{}", utc(visit.ends_at())),
        "SUMMARY:Video visit".to_owned(),
        format!("DESCRIPTION:{}", escape(&format!("Open your visit's page to join: {page}"))),
        format!("URL:{page}"),
        "STATUS:CONFIRMED".to_owned(),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ];
    lines.iter().map(|line| fold(line)).collect::<Vec<_>>().join("")
}

/// TEXT values escape backslash, semicolon, comma and newline.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n")
}

/// A content line folded at 75 octets (continuations start with a space), ended by CRLF.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::VisitId;
    use crate::testing::scheduled_visit;

    #[test]
    fn an_invitation_points_at_the_portal_and_folds_long_lines() {
        let at: DateTime<Utc> = "2030-01-07T09:10:00Z".parse().unwrap();
        let visit = scheduled_visit(VisitId::parse("vis_abcdefghijklmnopqrst").unwrap(), "p", "c", at);
        let ics = invitation(&visit, "https://portal.clinic.example/", at);
        assert!(ics.contains("DTSTART:20300107T091000Z\r\n") && ics.contains("DTEND:20300107T094000Z\r\n"), "{ics}");
        assert!(ics.contains("URL:https://portal.clinic.example/visits/vis_abcdefghijklmnopqrst\r\n"));
        assert!(!ics.contains("/j/"), "never a one-time link");
        assert!(ics.lines().all(|line| line.len() <= 75), "{ics}");
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert_eq!(fold(&"x".repeat(80)), format!("{}\r\n {}\r\n", "x".repeat(75), "x".repeat(5)));
    }
}
